/* fuzz-decoders.c: libFuzzer target for the small decoders of untrusted blobs: the A->B
 * parameters (khp_params_decode), the image's platform blob and kjump's layout in it, the
 * handoff, the status record, and the image's own structures on their own (header, ranges,
 * commit record, extent table head, chunk record). The first input byte picks the decoder;
 * what decodes must encode back to what decodes the same.
 */
#include <stdlib.h>
#include <string.h>

#include "image/format.h"
#include "kjump/kjump.h"
#include "protocol/memmap.h"
#include "protocol/params.h"
#include "protocol/platform.h"
#include "protocol/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct kj_range ram[] = { { 0x0, 0x9fc00 }, { 0x100000, 0xbfedf000 } };

static void params(const uint8_t *p, size_t n)
{
	struct khp_params a, b;
	uint8_t *buf;
	ssize_t len;

	if (khp_params_decode(p, n, &a) < 0)
		return;
	len = (ssize_t)khp_params_size(&a);
	if (!(buf = malloc((size_t)len)))
		abort();
	if (khp_params_encode(&a, buf, (size_t)len) != len || khp_params_decode(buf, (size_t)len, &b) < 0 ||
	    a.mode != b.mode || a.flags != b.flags || a.nr_extents != b.nr_extents ||
	    strcmp(a.passphrase, b.passphrase) || a.swap_offset != b.swap_offset)
		abort();
	khp_params_clear(&b);
	khp_params_clear(&a);
	free(buf);
}

static void platform(const uint8_t *p, size_t n)
{
	struct kj_layout l, m;
	uint8_t buf[KHP_PLATFORM_HEADER + KJ_LAYOUT_WIRE_HEADER + KJ_LAYOUT_MAX_ENTRIES * KJ_LAYOUT_WIRE_ENTRY];
	uint64_t status, status2;
	ssize_t len;

	if (khp_platform_decode(p, n, &l, &status) < 0)
		return;
	(void)khp_layout_in_ram(&l, ram, 2);
	len = khp_platform_encode(&l, status, buf, sizeof(buf));
	if (len < 0 || khp_platform_decode(buf, (size_t)len, &m, &status2) < 0 || status != status2 ||
	    m.nr_entries != l.nr_entries || m.region.start != l.region.start)
		abort();
}

static void image_parts(const uint8_t *p, size_t n)
{
	struct khi_header h;
	struct khi_anchor a;
	struct khi_chunk c;
	uint64_t pages;
	size_t count;

	if (khi_header_decode(p, n, &h) == 0) {
		if (khi_ranges_check(h.ranges, h.nr_ranges, &pages) < 0 || pages != h.pages_total)
			abort();
		free(h.ranges);
	}
	if (n >= KHI_ANCHOR_SIZE)
		(void)khi_anchor_decode(p, &a);
	(void)khi_ext_table_count(p, n, &count);
	if (n >= KHI_CHUNK_RECORD) {
		(void)khi_chunk_decode(p, KHI_CKSUM_CRC32, &c);
		(void)khi_chunk_decode(p, KHI_CKSUM_XXH64, &c);
	}
	if (n >= 16 && n % 16 == 0)
		(void)khi_ranges_check((const struct khi_range *)p, n / 16, &pages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kj_handoff h;
	struct khp_status st;

	if (size < 1)
		return 0;
	/* Copies, so that what a decoder reads past the end is caught. */
	uint8_t *p = malloc(size - 1 ? size - 1 : 1);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0: params(p, size - 1); break;
	case 1: platform(p, size - 1); break;
	case 2: (void)kj_handoff_decode(p, size - 1, &h); break;
	case 3: if (size - 1 >= KHP_STATUS_SIZE) (void)khp_status_decode(p, &st); break;
	case 4: image_parts(p, size - 1); break;
	}
	free(p);
	return 0;
}
