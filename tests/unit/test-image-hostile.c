/* test-image-hostile.c: libkhimage against images a forger made (issue 16).
 *
 * Anyone who can write the swap area can write an image whose checksums and digests all match
 * (tests/unit/image-forge.h builds them): for an unencrypted image they are no protection.
 * Each case below is one way such an image got through, with what the reader must do now.
 * Memory is measured in a child process (its peak RSS over an idle child's), so that a test
 * fails, rather than the machine, when a bound is missing. TESTFUNCS=<substring> picks cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/crypto.h"
#include "image/khimage.h"
#include "tests/unit/image-forge.h"
#include "tests/unit/image-test-util.h"

#define PG KHI_PAGE_SIZE
#define MiB (1ull << 20)
#define GiB (1ull << 30)

static const uint8_t test_key[KHI_KEY_SIZE] = "0123456789abcdef0123456789abcde";

/* ---- helpers ---- */

static int tmpfile_fd(void)
{
	char path[64];
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd;

	snprintf(path, sizeof(path), "%s/khi-forge-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static int forged_fd(struct forge *f)
{
	int fd = tmpfile_fd();

	assert_int_equal(forge_write(f, fd), 0);
	return fd;
}

struct read_job {
	int fd;
	struct khi_reader_opts opts;
	bool verify;
};

/* Opens (and verifies when asked) the image as a reader with job->opts. */
static int read_image(void *ctx)
{
	struct read_job *j = ctx;
	struct khi_target t = { .fd = j->fd };
	khi_reader *r = NULL;
	int e = khi_reader_open(&t, &j->opts, &r);

	if (!e && j->verify)
		e = khi_reader_verify(r);
	khi_reader_free(r);
	return e;
}

/* Runs fn(ctx) in a child; @return its result (a negative errno or 0) and *ret_kib, the
 * child's peak RSS above that of a child that does nothing. */
static int in_child(int (*fn)(void *), void *ctx, long *ret_kib)
{
	long peak[2];

	for (int i = 0; i < 2; i++) {
		struct rusage ru;
		int st;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(i ? -fn(ctx) & 0xff : 0);
		assert_int_equal(wait4(pid, &st, 0, &ru), pid);
		assert_true(WIFEXITED(st));
		peak[i] = ru.ru_maxrss;
		if (i)
			*ret_kib = peak[1] - peak[0];
		if (i)
			return -WEXITSTATUS(st);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the forger itself: its all-zero image is a valid one ---- */

static void test_forged_valid(void **state)
{
	const struct khi_range rg[] = { { 0, 100 }, { 200, 65 } };
	struct ti_sink snk = { .pages = 300 };
	struct khi_sink sink = { .write = ti_sink_write, .ctx = &snk };
	struct khi_target t = { 0 };
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct forge f;
	khi_reader *r = NULL;

	(void)state;
	forge_init(&f, 64 * PG, rg, 2);
	t.fd = forged_fd(&f);
	assert_int_equal(khi_reader_open(&t, &o, &r), 0);
	assert_int_equal(khi_reader_verify(r), 0);
	snk.mem = malloc(300 * PG);
	memset(snk.mem, 0xa5, 300 * PG);
	assert_int_equal(khi_reader_restore(r, &sink), 0);
	assert_false(snk.out_of_order);
	for (size_t i = 0; i < 300 * PG; i++)
		assert_int_equal(snk.mem[i], (i / PG < 100 || (i / PG >= 200 && i / PG < 265)) ? 0 : 0xa5);
	free(snk.mem);
	khi_reader_free(r);
	close(t.fd);
}

/* ---- 16.1: with a key or passphrase, an unencrypted image is a downgrade ---- */

static void test_downgrade(void **state)
{
	const struct khi_range rg = { 0, 64 };
	struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = true };
	struct forge f;

	(void)state;
	forge_init(&f, 32 * PG, &rg, 1);
	j.fd = forged_fd(&f);
	assert_int_equal(read_image(&j), 0);                     /* no key: read as it is */
	j.opts.key.key = test_key;
	assert_int_equal(read_image(&j), -EPROTO);
	j.opts.key.key = NULL;
	j.opts.key.passphrase = "correct horse battery staple";
	assert_int_equal(read_image(&j), -EPROTO);
	j.opts.header_only = 1;                                  /* info: no key is checked */
	j.verify = false;
	assert_int_equal(read_image(&j), 0);
	close(j.fd);
}

/* ---- 16.3: ranges beyond the physical address width ---- */

struct range_case {
	const char *name;
	struct khi_range rg[2];
	size_t n;
	int want;
};

static const struct range_case range_cases[] = {
	/* 2^52 pages is byte offset 2^64: the same page as pfn 0. */
	{ "alias-pfn0", { { 0, 1 }, { 1ull << 52, 1 } }, 2, -EBADMSG },
	{ "above-2^52", { { 4503599627370497ull, 1 } }, 1, -EBADMSG },
	{ "last-page", { { (1ull << 40) - 1, 1 } }, 1, 0 },
	{ "past-2^40", { { (1ull << 40) - 1, 2 } }, 1, -EBADMSG },
	{ "at-2^40", { { 1ull << 40, 1 } }, 1, -EBADMSG },
};

static void test_ranges_read(void **state)
{
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = true };
		struct forge f;

		(void)state;
		print_message("  %s\n", c->name);
		forge_init(&f, 32 * PG, c->rg, c->n);
		j.fd = forged_fd(&f);
		assert_int_equal(read_image(&j), c->want);
		close(j.fd);
	}
}

static void test_ranges_write(void **state)
{
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct ti_source src = { .mem = NULL };
	struct khi_meta meta;
	struct ti_swap sw;
	khi_writer *w = NULL;

	(void)state;
	ti_meta(&meta);
	ti_swap_make(&sw, 64, 0, NULL, 0);
	struct khi_target t = { .fd = sw.fd };
	for (size_t i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		struct khi_source s = { .ranges = c->rg, .nr_ranges = c->n, .read = ti_source_read, .ctx = &src };

		print_message("  %s\n", c->name);
		assert_int_equal(khi_writer_new(&t, &o, &meta, &s, &w), c->want ? -EINVAL : 0);
		w = khi_writer_free(w);
	}
	ti_swap_close(&sw);
}

/* ---- 16.2: sizes from the image, and the memory they cost ---- */

/* 2^30 zero pages: 2^24 chunks, a 1 GiB chunk table (not written: it would be all zeros). */
static void forge_gib_table(struct forge *f, uint64_t dev_size)
{
	const struct khi_range rg = { 0, 1ull << 30 };

	forge_init(f, dev_size, &rg, 1);
	f->chunk_table = false;
}

/* The 1 GiB table on a 256 KiB file: chunk_table_lofs chosen so that chunk_table_lofs + 1 GiB
 * wraps around to the header's offset. */
static void test_chunk_table_wrap(void **state)
{
	struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = true };
	struct forge f;
	long kib;
	int e;

	(void)state;
	forge_gib_table(&f, 256 * 1024);
	f.anchor.header_lofs = 2 * PG;
	f.hdr.chunk_table_lofs = 2 * PG - GiB;
	f.hdr.bytes_image = 3 * PG;
	j.fd = forged_fd(&f);
	e = in_child(read_image, &j, &kib);
	print_message("  verify: %d, %ld KiB above an idle child\n", e, kib);
	assert_int_equal(e, -EBADMSG);
	assert_true(kib < 8 * 1024);
	j.opts.header_only = 1;                                  /* khib-image info */
	assert_int_equal(read_image(&j), -EBADMSG);
	close(j.fd);
}

/* A payload offset that wraps past the chunk table's offset. */
static void test_payload_wrap(void **state)
{
	const struct khi_range rg = { 0, 64 };
	struct khi_chunk c = { .pfn = 0, .present = 1, .nr_pages = 64, .stored_len = PG,
			       .data_lofs = 0 - (uint64_t)PG, .flags = KHI_CHUNK_RAW };
	struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = true };
	struct forge f;

	(void)state;
	forge_init(&f, 32 * PG, &rg, 1);
	f.chunks = &c;
	f.hdr.pages_zero = 63;
	f.hdr.pages_raw = 1;
	f.hdr.bytes_in = PG;
	f.hdr.bytes_out = PG;
	f.hdr.chunk_table_lofs += PG;                 /* room for "the payload" */
	f.anchor.header_lofs += PG;
	f.hdr.bytes_image += PG;
	j.fd = forged_fd(&f);
	assert_int_equal(read_image(&j), -EBADMSG);
	close(j.fd);
}

/* A sink that places (khi_sink.place), as restore-B's does when the boot loader started it:
 * pages 0 and 65 are guards around the chunk's 64. */
struct place_sink {
	uint8_t mem[66 * PG];
	unsigned writes;
};

static int place_sink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data)
{
	struct place_sink *s = ctx;

	__atomic_fetch_add(&s->writes, 1, __ATOMIC_RELAXED);
	if (pfn < 1 || pfn + nr > 65)
		return -EFAULT;
	memcpy(s->mem + pfn * PG, data, (size_t)nr * PG);
	return 0;
}

static void *place_sink_place(void *ctx, uint64_t pfn, uint32_t nr)
{
	struct place_sink *s = ctx;

	return pfn >= 1 && pfn + nr <= 65 ? s->mem + pfn * PG : NULL;
}

/* One chunk of 64 present pages at pfn 1 whose stored bytes, checksum right, are an LZ4 stream
 * of @pages pages of 0x3c; restored into a placing sink. */
static int restore_stream(unsigned pages, struct place_sink *snk)
{
	const struct khi_range rg = { 1, 64 };
	const int bound = LZ4_compressBound((int)(pages * PG));
	uint8_t *raw = malloc(pages * PG), *stream = malloc((size_t)bound);
	struct khi_sink sink = { .write = place_sink_write, .place = place_sink_place, .ctx = snk,
				 .concurrent = true };
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { 0 };
	struct khi_chunk c = { .pfn = 1, .nr_pages = 64, .present = ~0ull };
	khi_reader *r = NULL;
	struct forge f;
	uint64_t room;
	int e;

	memset(raw, 0x3c, pages * PG);
	c.stored_len = (uint32_t)LZ4_compress_default((char *)raw, (char *)stream, (int)(pages * PG), bound);
	c.cksum = khi_chunk_cksum(KHI_CKSUM_XXH64, stream, c.stored_len);
	room = khi_page_align(c.stored_len);
	forge_init(&f, 64 * PG, &rg, 1);
	c.data_lofs = f.hdr.chunk_table_lofs;
	f.chunks = &c;
	f.hdr.pages_zero = 0;
	f.hdr.pages_compressed = 64;
	f.hdr.bytes_in = 64 * PG;
	f.hdr.bytes_out = room;
	f.hdr.chunk_table_lofs += room;
	f.anchor.header_lofs += room;
	f.hdr.bytes_image += room;
	t.fd = forged_fd(&f);
	assert_int_equal(forge_pwrite(&f, t.fd, stream, c.stored_len, c.data_lofs), 0);
	memset(snk->mem, 0xa5, sizeof(snk->mem));
	snk->writes = 0;
	e = khi_reader_open(&t, &o, &r);
	if (!e)
		e = khi_reader_restore(r, &sink);
	khi_reader_free(r);
	close(t.fd);
	free(stream);
	free(raw);
	return e;
}

/* The checksum vouches for the stored bytes, not for the stream: decompressed into place, a
 * stream of the right size fills the chunk's pages with no write(); one page short or one too
 * long fails the pass, and nothing outside the chunk's pages is touched. */
static void test_stream_into_place(void **state)
{
	struct place_sink *snk = malloc(sizeof(*snk));

	(void)state;
	assert_int_equal(restore_stream(64, snk), 0);
	assert_int_equal(snk->writes, 0);
	for (size_t i = PG; i < 65 * PG; i++)
		assert_int_equal(snk->mem[i], 0x3c);
	for (unsigned pages = 63; pages <= 65; pages += 2) {
		assert_int_equal(restore_stream(pages, snk), -EBADMSG);
		for (size_t i = 0; i < PG; i++) {
			assert_int_equal(snk->mem[i], 0xa5);
			assert_int_equal(snk->mem[65 * PG + i], 0xa5);
		}
	}
	free(snk);
}

/* A consistent image with the 1 GiB table on a 2 GiB sparse file: the caller's budget refuses it before the table is allocated or read. */
static void test_chunk_table_budget(void **state)
{
	struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = true };
	struct forge f;
	long kib;
	int e;

	(void)state;
	forge_gib_table(&f, 2 * GiB);
	j.fd = forged_fd(&f);
	j.opts.mem_max = 16 * MiB;
	e = in_child(read_image, &j, &kib);
	print_message("  verify with a 16 MiB budget: %d, %ld KiB above an idle child\n", e, kib);
	assert_int_equal(e, -E2BIG);
	assert_true(kib < 16 * 1024);
	close(j.fd);
}

/* 4 Mi one-page extents (the format's maximum) on a 16 GiB sparse file: the extent table
 * alone is 64 MiB, and its decoded forms took 233 MiB before anything was refused. */
static void test_extents_budget(void **state)
{
	const size_t n = KHI_EXTENTS_MAX;
	const struct khi_range rg = { 0, 1 };
	struct read_job j = { .opts = KHI_READER_OPTS_INIT, .verify = false };
	struct khi_extent *ext = malloc(n * sizeof(*ext));
	struct forge f;
	double t0;
	long kib;
	int e;

	(void)state;
	for (size_t i = 0; i < n; i++)
		ext[i] = (struct khi_extent){ (1 + i) * PG, PG };
	forge_init(&f, (n + 1) * PG, &rg, 1);
	f.ext = ext;
	f.nr_ext = n;
	forge_layout(&f);
	j.fd = forged_fd(&f);
	j.opts.header_only = 1;
	j.opts.mem_max = 8 * MiB;
	t0 = now_s();
	e = in_child(read_image, &j, &kib);
	print_message("  info with an 8 MiB budget: %d, %ld KiB above an idle child, %.2f s\n", e, kib,
		      now_s() - t0);
	assert_int_equal(e, -E2BIG);
	assert_true(kib < 12 * 1024);
	/* With room for it, the table is read in one pass, not one copy per step. */
	j.opts.mem_max = 256 * MiB;
	t0 = now_s();
	e = in_child(read_image, &j, &kib);
	print_message("  info with a 256 MiB budget: %d, %ld KiB above an idle child, %.2f s\n", e, kib,
		      now_s() - t0);
	assert_int_equal(e, 0);
	assert_true(kib < 160 * 1024);
	close(j.fd);
	free(ext);
}

/* ---- 16.4: key derivation costs come from the header: bounded by the caller ---- */

static void forge_kdf(struct forge *f, uint32_t passes, uint32_t memory_kib, const uint8_t *key)
{
	const struct khi_range rg = { 0, 64 };

	forge_init(f, 32 * PG, &rg, 1);
	f->hdr.cipher = KHI_CIPHER_AES256_GCM;
	f->hdr.kdf = KHI_KDF_ARGON2ID;
	f->hdr.kdf_passes = passes;
	f->hdr.kdf_memory_kib = memory_kib;
	f->hdr.kdf_lanes = 1;
	memset(f->hdr.kdf_salt, 0x5a, sizeof(f->hdr.kdf_salt));
	f->key = key;
}

static void test_kdf_bound(void **state)
{
	struct read_job j = { .opts = KHI_READER_OPTS_INIT };
	uint8_t key[KHI_KEY_SIZE];
	struct forge f;
	double t0;
	int e;

	(void)state;
	/* 8 passes over 256 MiB: 21 times the writer's default work, refused before deriving
	 * (on main: derived for 4.9 s, then -EKEYREJECTED). */
	forge_kdf(&f, 8, 256 * 1024, test_key);
	j.fd = forged_fd(&f);
	j.opts.key.passphrase = "pass";
	t0 = now_s();
	e = read_image(&j);
	print_message("  8 passes, 256 MiB: %d after %.2f s\n", e, now_s() - t0);
	assert_int_equal(e, -E2BIG);
	assert_true(now_s() - t0 < 0.5);
	close(j.fd);

	/* The writer's default costs pass the default bounds and derive the right key. */
	forge_kdf(&f, KHI_KDF_PASSES_DEFAULT, KHI_KDF_MEMORY_DEFAULT, NULL);
	assert_int_equal(khi_kdf_argon2id("pass", f.hdr.kdf_salt, KHI_KDF_PASSES_DEFAULT,
					  KHI_KDF_MEMORY_DEFAULT, 1, key), 0);
	f.key = key;
	j.fd = forged_fd(&f);
	assert_int_equal(read_image(&j), 0);
	/* Bounds the caller lowered. */
	j.opts.kdf_passes_max = 2;
	assert_int_equal(read_image(&j), -E2BIG);
	j.opts.kdf_passes_max = 0;
	j.opts.kdf_memory_max_kib = 16 * 1024;
	assert_int_equal(read_image(&j), -E2BIG);
	close(j.fd);
}

/* ---- main ---- */

static bool selected(const char *name)
{
	const char *sel = getenv("TESTFUNCS");
	return !sel || strstr(name, sel);
}

int main(void)
{
	struct CMUnitTest tests[32];
	size_t n = 0;

	if (khi_global_init() < 0)
		return 77;
#define ADD(fn) if (selected(#fn)) tests[n++] = (struct CMUnitTest)cmocka_unit_test(fn)
	ADD(test_forged_valid);
	ADD(test_downgrade);
	ADD(test_ranges_read);
	ADD(test_ranges_write);
	ADD(test_chunk_table_wrap);
	ADD(test_payload_wrap);
	ADD(test_stream_into_place);
	ADD(test_chunk_table_budget);
	ADD(test_extents_budget);
	ADD(test_kdf_bound);
	return _cmocka_run_group_tests("image-hostile", tests, n, NULL, NULL);
}
