/* fuzz-image-info.c: libFuzzer target for what is read of an image before its chunks: the
 * header-only open of `khib-image info`, and what the boot hook decodes and checks before it
 * loads the restore helper (the platform blob, its layout against a firmware map) and what the
 * restore helper checks before it writes (ranges, entry, status page). Same inputs, seeds and
 * mutator as fuzz-image-reader (fuzz-image.h); much faster per input, so it goes deeper into
 * the header.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/physmem.h"
#include "protocol/memmap.h"
#include "protocol/platform.h"
#include "protocol/status.h"
#include "tests/fuzz/fuzz-image.h"

/* A QEMU guest's firmware RAM with 5 GiB: below 640 KiB, below the PCI hole, above 4 GiB. */
static const struct kj_range ram[] = {
	{ 0x0, 0x9fc00 }, { 0x100000, 0xbfedf000 }, { 0x100000000, 0x80000000 },
};

/* What the boot hook and the restore helper do with the metadata of an image they opened. */
static void check_platform(khi_reader *r)
{
	const struct khi_meta *m = khi_reader_meta(r);
	const struct khi_range *ranges;
	struct khi_range *allowed;
	struct kj_layout l;
	uint64_t status;
	size_t nr, na;

	if (khp_platform_decode(m->platform, m->platform_size, &l, &status) < 0)
		return;
	(void)khp_layout_in_ram(&l, ram, sizeof(ram) / sizeof(ram[0]));
	ranges = khi_reader_ranges(r, &nr);
	if (khh_saved_ranges(&l, &allowed, &na) == 0) {
		(void)khh_ranges_within(ranges, nr, allowed, na);
		free(allowed);
	}
	(void)khh_restore_targets_ok(ranges, nr, m->entry, status, KHP_STATUS_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_probe_info pi;
	struct khi_stats st;
	khi_reader *r = NULL;
	int fd = fuzz_device(data, size);

	if (fd < 0)
		return 0;
	struct khi_target t = { .fd = fd };
	o.header_only = 1;
	o.mem_max = FUZZ_MEM_MAX;
	if (khi_probe(fd, 0, &pi) == 0 && pi.state == KHI_STATE_CONSUMED)
		o.consumed_id = pi.image_id;
	if (khi_reader_open(&t, &o, &r) == 0) {
		const struct khi_meta *m = khi_reader_meta(r);
		int level;

		khi_reader_header_stats(r, &st);
		(void)khi_reader_compression(r, &level);
		(void)khi_reader_encrypted(r);
		if (strlen(m->kernel_release) > KHI_RELEASE_MAX || strlen(m->label) > KHI_LABEL_MAX)
			abort();
		check_platform(r);
		khi_reader_free(r);
	}
	close(fd);
	return 0;
}
