/* fuzz-image-reader.c: libFuzzer target for the image reader and the state functions.
 *
 * The input is a swap area (page 0 first; fuzz-image.h: a trailer can make it a large sparse
 * one). It is read as the restore helper reads it, three times: with no key, with the fuzzers'
 * raw key and with their passphrase, each under the memory and key-derivation bounds of
 * fuzz-image.h; then probed, consumed and read by id, and discarded. The reader must refuse or
 * accept without crashing, leaking, reading out of bounds or allocating past its bound
 * (-malloc_limit_mb); a sink checks that every page comes once, in order, inside the ranges.
 * The mutator recomputes checksums and tags so that mutations get past them (fuzz-image.c).
 * Seeds: tests/golden/, tests/golden-errors/, build/fuzz/seeds/ (tests/fuzz/make-seeds.c).
 *   make check-fuzz (short runs, part of make check)     make fuzz (FUZZ_TIME=600 each)
 */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/fuzz/fuzz-image.h"

struct bounds {
	const struct khi_range *ranges;
	size_t nr;
	uint64_t next;
};

static int sink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *p)
{
	struct bounds *b = ctx;
	volatile uint8_t touch = ((const uint8_t *)p)[(size_t)nr * KHI_PAGE_SIZE - 1];

	(void)touch;
	if (pfn < b->next || pfn + nr > KHI_PFN_LIMIT)
		abort();
	b->next = pfn + nr;
	for (size_t i = 0; i < b->nr; i++)
		if (pfn >= b->ranges[i].pfn && pfn + nr <= b->ranges[i].pfn + b->ranges[i].count)
			return 0;
	abort();
}

/* Opens with one of the secrets (0 none, 1 the key, 2 the passphrase), restores in one pass as
 * the restore helper does, then verifies as khib-image does (whatever the restore said).
 * @return whether the open succeeded. */
static bool read_all(int fd, unsigned threads, int secret, const uint8_t *consumed_id)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = fd };
	struct bounds b = { 0 };
	khi_reader *r = NULL;

	o.threads = threads;
	o.consumed_id = consumed_id;
	o.mem_max = FUZZ_MEM_MAX;
	o.kdf_passes_max = FUZZ_KDF_PASSES;
	o.kdf_memory_max_kib = FUZZ_KDF_MEMORY_KIB;
	if (secret == 1)
		o.key.key = fuzz_key;
	if (secret == 2)
		o.key.passphrase = FUZZ_PASSPHRASE;
	if (khi_reader_open(&t, &o, &r) < 0)
		return false;
	b.ranges = khi_reader_ranges(r, &b.nr);
	struct khi_sink sink = { .write = sink_write, .ctx = &b };
	(void)khi_reader_restore(r, &sink);
	(void)khi_reader_verify(r);
	khi_reader_free(r);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khi_probe_info pi;
	uint8_t id[KHI_IMAGE_ID_SIZE];
	unsigned threads = 1 + size % 2;     /* the pool with one worker and with two */
	int fd = fuzz_device(data, size), secret = 0;

	if (fd < 0)
		return 0;
	/* Every secret (a wrong one must be refused), then the consumed image with the one that
	 * opened it, as the restore helper reads it. */
	for (int s = 2; s >= 0; s--)
		if (read_all(fd, threads, s, NULL))
			secret = s;
	if (khi_probe(fd, 0, &pi) == 0 && pi.state == KHI_STATE_CONSUMED)
		read_all(fd, threads, secret, pi.image_id);
	if (khi_mark_consumed(fd, 0, id) == 0)
		read_all(fd, threads, secret, id);
	(void)khi_discard(fd, 0);
	close(fd);
	return 0;
}
