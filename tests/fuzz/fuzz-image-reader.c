/* fuzz-image-reader.c: libFuzzer target for the image reader and the state functions.
 *
 * The input is a whole swap area (page 0 first). The reader must refuse or accept it without
 * crashing, leaking or reading out of bounds; a sink checks that every page it is given is
 * inside the image's ranges. Seeds: tests/golden/ and tests/golden-errors/.
 *   make check-fuzz (20 s, part of make check)     make fuzz (10 min)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/khimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bounds {
	const struct khi_range *ranges;
	size_t nr;
};

static int sink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *p)
{
	const struct bounds *b = ctx;
	volatile uint8_t touch = ((const uint8_t *)p)[(size_t)nr * KHI_PAGE_SIZE - 1];

	(void)touch;
	for (size_t i = 0; i < b->nr; i++)
		if (pfn >= b->ranges[i].pfn && pfn + nr <= b->ranges[i].pfn + b->ranges[i].count)
			return 0;
	abort();
}

static void read_all(int fd, const uint8_t *consumed_id)
{
	static const uint8_t key[KHI_KEY_SIZE];
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = fd };
	struct bounds b;
	khi_reader *r = NULL;

	o.key.key = key;
	o.consumed_id = consumed_id;
	if (khi_reader_open(&t, &o, &r) < 0)
		return;
	b.ranges = khi_reader_ranges(r, &b.nr);
	struct khi_sink sink = { sink_write, &b };
	if (khi_reader_verify(r) == 0)
		(void)khi_reader_restore(r, &sink);
	khi_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khi_probe_info pi;
	int fd = memfd_create("khi-fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		read_all(fd, NULL);
		if (khi_probe(fd, 0, &pi) == 0 && pi.state == KHI_STATE_CONSUMED)
			read_all(fd, pi.image_id);
		uint8_t id[KHI_IMAGE_ID_SIZE];
		if (khi_mark_consumed(fd, 0, id) == 0)
			read_all(fd, id);
		(void)khi_discard(fd, 0);
	}
	close(fd);
	return 0;
}
