/* test-image.c: libkhimage end to end on swap areas in temporary files.
 *
 * Round trips in every mode, then every way an image can be refused, each followed by the
 * check that the swap area is a valid swap area again. TESTFUNCS=<substring> selects cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/byteorder.h"
#include "common/xxh64.h"
#include "image/crypto.h"
#include "image/format.h"
#include "image/khimage.h"
#include "tests/unit/image-test-util.h"

#define PG KHI_PAGE_SIZE

static const uint8_t test_key[KHI_KEY_SIZE] = "0123456789abcdef0123456789abcde";

/* ---- helpers ---- */

struct img_spec {
	enum khi_compression comp;
	int level;
	int key;              /* 0 none, 1 raw key, 2 passphrase */
	unsigned threads;
	uint32_t frag;        /* extents of this many pages, interleaved; 0 = whole area */
	bool copy, misalign;
	uint64_t prefix;      /* bytes before the swap header (a swap file inside a disk) */
};

static void set_key(struct khi_key *k, int mode)
{
	memset(k, 0, sizeof(*k));
	if (mode == 1)
		k->key = test_key;
	if (mode == 2) {
		k->passphrase = "correct horse battery staple";
		k->kdf_passes = 1;
		k->kdf_memory_kib = 64;
	}
}

/* Extents of @frag pages over the usable area, even-numbered first, then odd-numbered ones:
 * the writer must follow the given order, not the device order. */
static struct khi_extent *fragment(const struct ti_swap *sw, uint32_t frag, size_t *ret_n)
{
	size_t n = (sw->pages - 1) / frag, k = 0;
	struct khi_extent *e = calloc(n, sizeof(*e));

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = (size_t)pass; i < n; i += 2)
			e[k++] = (struct khi_extent){ sw->swap_offset + (1 + i * frag) * PG, (uint64_t)frag * PG };
	*ret_n = n;
	return e;
}

static int write_image(struct ti_swap *sw, const struct img_spec *sp, const uint8_t *mem,
		       const struct khi_range *ranges, size_t nr, struct khi_stats *st, int fail_at)
{
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct ti_source src = { .mem = mem, .copy = sp->copy, .misalign = sp->misalign, .fail_at_call = fail_at };
	struct khi_source source = { .ranges = ranges, .nr_ranges = nr, .read = ti_source_read,
				     .ctx = &src };
	struct khi_target t = { .fd = sw->fd, .swap_offset = sw->swap_offset };
	struct khi_meta meta;
	khi_writer *w = NULL;
	int r;

	ti_meta(&meta);
	o.compression = sp->comp;
	o.level = sp->level;
	o.threads = sp->threads;
	set_key(&o.key, sp->key);
	if (sp->frag)
		t.extents = fragment(sw, sp->frag, &t.nr_extents);
	if (sp->misalign)
		src.unaligned = malloc(9 * KHI_CHUNK_PAGES * PG);
	r = khi_writer_new(&t, &o, &meta, &source, &w);
	if (!r)
		r = khi_writer_write(w);
	if (w && st)
		khi_writer_stats(w, st);
	khi_writer_free(w);
	free(src.unaligned);
	free((void *)t.extents);
	return r;
}

static int open_reader(const struct ti_swap *sw, int key, unsigned threads, const uint8_t *consumed_id,
		       khi_reader **ret)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct khi_target t = { .fd = sw->fd, .swap_offset = sw->swap_offset };

	o.threads = threads;
	o.consumed_id = consumed_id;
	set_key(&o.key, key);
	return khi_reader_open(&t, &o, ret);
}

/* @got: the ranges' pages of @mem, and 0xa5 (what the sink started with) everywhere else. */
static void expect_restored(const uint8_t *got, const uint8_t *mem, uint64_t mem_pages,
			    const struct khi_range *ranges, size_t nr)
{
	uint8_t *expect = malloc(mem_pages * PG);

	memset(expect, 0xa5, mem_pages * PG);
	for (size_t i = 0; i < nr; i++)
		memcpy(expect + ranges[i].pfn * PG, mem + ranges[i].pfn * PG, ranges[i].count * PG);
	assert_memory_equal(got, expect, mem_pages * PG);
	free(expect);
}

/* Opens and restores in one pass, in order; checks every page of the ranges and nothing
 * else. */
static int read_and_compare(const struct ti_swap *sw, int key, unsigned threads, const uint8_t *mem,
			    uint64_t mem_pages, const struct khi_range *ranges, size_t nr)
{
	struct ti_sink snk = { .pages = mem_pages };
	struct khi_sink sink = { .write = ti_sink_write, .ctx = &snk };
	khi_reader *r = NULL;
	int e = open_reader(sw, key, threads, NULL, &r);

	if (e)
		return e;
	struct khi_meta want;
	ti_meta(&want);
	const struct khi_meta *m = khi_reader_meta(r);
	assert_memory_equal(m->kernel_id, want.kernel_id, KHI_KERNEL_ID_SIZE);
	assert_string_equal(m->kernel_release, want.kernel_release);
	assert_string_equal(m->label, want.label);
	assert_true(m->entry == want.entry);
	assert_int_equal(m->platform_size, want.platform_size);
	assert_memory_equal(m->platform, want.platform, want.platform_size);
	assert_int_equal(khi_reader_check_identity(r, want.kernel_id, want.machine_id), 0);
	snk.mem = malloc(mem_pages * PG);
	memset(snk.mem, 0xa5, mem_pages * PG);
	e = khi_reader_restore(r, &sink);
	if (e == 0) {
		assert_false(snk.out_of_order);
		expect_restored(snk.mem, mem, mem_pages, ranges, nr);
	}
	free(snk.mem);
	khi_reader_free(r);
	return e;
}

/* The restore helper's sink: concurrent, each worker writing the chunks it checked. */
struct place_sink {
	uint8_t *mem;
	uint64_t pages;
};

static int place_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data)
{
	struct place_sink *s = ctx;

	if (pfn + nr > s->pages)
		return -EFAULT;
	memcpy(s->mem + pfn * PG, data, (size_t)nr * PG);
	return 0;
}

/* Restore-B's sink when the boot loader started it: compressed chunks decompress into place. */
static void *place_at(void *ctx, uint64_t pfn, uint32_t nr)
{
	struct place_sink *s = ctx;

	return pfn + nr <= s->pages ? s->mem + pfn * PG : NULL;
}

/* Restored with 3 workers through the helper's sink, first copying, then placing. */
static void restore_concurrent_3t(const struct ti_swap *sw, int key, const uint8_t *mem, uint64_t mem_pages,
				  const struct khi_range *ranges, size_t nr)
{
	struct place_sink ps = { .mem = malloc(mem_pages * PG), .pages = mem_pages };
	struct khi_sink sink = { .write = place_write, .ctx = &ps, .concurrent = true };
	khi_reader *r = NULL;

	for (int placing = 0; placing < 2; placing++) {
		sink.place = placing ? place_at : NULL;
		memset(ps.mem, 0xa5, mem_pages * PG);
		assert_int_equal(open_reader(sw, key, 3, NULL, &r), 0);
		assert_int_equal(khi_reader_restore(r, &sink), 0);
		expect_restored(ps.mem, mem, mem_pages, ranges, nr);
		khi_reader_free(r);
	}
	free(ps.mem);
}

static uint8_t *page0(const struct ti_swap *sw)
{
	uint8_t *p = malloc(PG);
	assert_int_equal(pread(sw->fd, p, PG, (off_t)sw->swap_offset), PG);
	return p;
}

/* ---- round trips ---- */

struct rt_case {
	const char *name;
	enum ti_fill fill;
	uint64_t mem_pages;
	struct khi_range ranges[4];
	size_t nr;
	struct img_spec spec;
};

static const struct rt_case rt_cases[] = {
	{ "zero-lz4", TI_ZERO, 200, { { 0, 200 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 1, 0, 0, 0, 0 } },
	{ "text-lz4", TI_TEXT, 300, { { 0, 300 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 1, 0, 0, 0, 0 } },
	{ "random-lz4", TI_RANDOM, 130, { { 0, 130 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 2, 0, 0, 0, 0 } },
	{ "mixed-lz4-fast8", TI_MIXED, 200, { { 0, 200 } }, 1, { KHI_COMPRESS_LZ4, 8, 0, 2, 0, 0, 0, 0 } },
	{ "mixed-none", TI_MIXED, 257, { { 0, 257 } }, 1, { KHI_COMPRESS_NONE, 0, 0, 1, 0, 0, 0, 0 } },
	{ "mixed-none-3t", TI_MIXED, 257, { { 0, 257 } }, 1, { KHI_COMPRESS_NONE, 0, 0, 3, 0, 0, 0, 0 } },
	{ "mixed-lz4hc", TI_MIXED, 200, { { 0, 200 } }, 1, { KHI_COMPRESS_LZ4HC, 0, 0, 2, 0, 0, 0, 0 } },
	{ "mixed-lz4hc-3", TI_MIXED, 100, { { 0, 100 } }, 1, { KHI_COMPRESS_LZ4HC, 3, 0, 1, 0, 0, 0, 0 } },
	{ "holes-lz4-3t", TI_MIXED, 600, { { 1, 70 }, { 100, 1 }, { 130, 200 }, { 400, 129 } }, 4,
	  { KHI_COMPRESS_LZ4, 0, 0, 3, 0, 0, 0, 0 } },
	{ "copy-source", TI_MIXED, 300, { { 0, 300 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 2, 0, true, false, 0 } },
	{ "misaligned-source", TI_MIXED, 300, { { 0, 300 } }, 1, { KHI_COMPRESS_NONE, 0, 0, 2, 0, false, true, 0 } },
	{ "fragmented-1page", TI_MIXED, 300, { { 0, 300 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 2, 1, 0, 0, 0 } },
	{ "fragmented-5pages", TI_RANDOM, 200, { { 0, 200 } }, 1, { KHI_COMPRESS_NONE, 0, 0, 1, 5, 0, 0, 0 } },
	{ "aes-key-lz4", TI_MIXED, 300, { { 0, 300 } }, 1, { KHI_COMPRESS_LZ4, 0, 1, 2, 0, 0, 0, 0 } },
	{ "aes-key-none", TI_MIXED, 150, { { 0, 150 } }, 1, { KHI_COMPRESS_NONE, 0, 1, 1, 3, 0, 0, 0 } },
	{ "aes-passphrase", TI_TEXT, 100, { { 0, 100 } }, 1, { KHI_COMPRESS_LZ4HC, 0, 2, 2, 0, 0, 0, 0 } },
	/* Payloads of many read-ahead rings (reader.c: a few MiB): the ring goes round. */
	{ "random-none-ring", TI_RANDOM, 5000, { { 0, 5000 } }, 1, { KHI_COMPRESS_NONE, 0, 0, 1, 0, 0, 0, 0 } },
	{ "mixed-lz4-ring", TI_MIXED, 8000, { { 0, 3000 }, { 3100, 4900 } }, 2,
	  { KHI_COMPRESS_LZ4, 0, 0, 2, 0, 0, 0, 0 } },
	{ "offset-in-disk", TI_MIXED, 200, { { 0, 200 } }, 1, { KHI_COMPRESS_LZ4, 0, 0, 2, 0, 0, 0, 64 * PG } },
};

/* The header says how the image was compressed, level (lz4's acceleration) included. */
static void expect_compression(const struct ti_swap *sw, int key, enum khi_compression comp, int level)
{
	khi_reader *r = NULL;
	int got;

	assert_int_equal(open_reader(sw, key, 1, NULL, &r), 0);
	assert_int_equal(khi_reader_compression(r, &got), comp);
	assert_int_equal(got, level);
	khi_reader_free(r);
}

static void test_roundtrip(void **state)
{
	const struct rt_case *c = *state;
	uint8_t *mem = ti_memory(c->mem_pages, c->fill, 7);
	uint64_t total = 0;
	struct khi_stats st;
	struct ti_swap sw;

	for (size_t i = 0; i < c->nr; i++)
		total += c->ranges[i].count;
	ti_swap_make(&sw, (uint32_t)(c->mem_pages + 80), c->spec.prefix, NULL, 0);
	assert_int_equal(write_image(&sw, &c->spec, mem, c->ranges, c->nr, &st, 0), 0);
	assert_true(st.pages_total == total);
	assert_true(st.pages_zero == ti_count_zero_pages(mem, c->ranges, c->nr));
	assert_true(st.pages_raw + st.pages_compressed + st.pages_zero == total);
	if (c->spec.comp == KHI_COMPRESS_NONE)
		assert_true(st.pages_compressed == 0);
	if (c->fill == TI_ZERO)
		assert_true(st.bytes_out == 0);
	if (c->fill == TI_TEXT && c->spec.comp != KHI_COMPRESS_NONE)
		assert_true(st.bytes_out * 2 < st.bytes_in);
	assert_int_equal(read_and_compare(&sw, c->spec.key, 2, mem, c->mem_pages, c->ranges, c->nr), 0);
	expect_compression(&sw, c->spec.key, c->spec.comp, c->spec.level);
	restore_concurrent_3t(&sw, c->spec.key, mem, c->mem_pages, c->ranges, c->nr);
	ti_swap_close(&sw);
	free(mem);
}

/* Same input and settings, 1 or 3 threads: identical bytes apart from page 0 and the header
 * (timestamps, image id). */
static void test_deterministic(void **state)
{
	const struct khi_range rg = { 0, 500 };
	uint8_t *mem = ti_memory(500, TI_MIXED, 3);
	struct ti_swap a, b;
	struct img_spec s1 = { .comp = KHI_COMPRESS_LZ4, .threads = 1 }, s3 = s1;
	struct khi_anchor an;
	size_t na, nb;

	(void)state;
	s3.threads = 3;
	ti_swap_make(&a, 600, 0, NULL, 0);
	ti_swap_make(&b, 600, 0, NULL, 0);
	assert_int_equal(write_image(&a, &s1, mem, &rg, 1, NULL, 0), 0);
	assert_int_equal(write_image(&b, &s3, mem, &rg, 1, NULL, 0), 0);
	uint8_t *fa = ti_file_read(a.fd, &na), *fb = ti_file_read(b.fd, &nb);
	assert_int_equal(na, nb);
	assert_int_equal(khi_anchor_decode(fa, &an), 0);
	size_t hdr = PG + an.header_lofs;   /* one extent starting at page 1 */
	assert_memory_equal(fa + PG, fb + PG, hdr - PG);
	assert_memory_equal(fa + hdr + khi_page_align(an.header_size), fb + hdr + khi_page_align(an.header_size),
			    na - hdr - khi_page_align(an.header_size));
	free(fa);
	free(fb);
	ti_swap_close(&a);
	ti_swap_close(&b);
	free(mem);
}

/* ---- a committed image to break ---- */

#define HDR_OFF_CHUNK_DIGEST 400u   /* docs/image-format.md, header */

struct fixture {
	struct ti_swap sw;
	uint8_t *mem;
	uint8_t *orig0;
	struct khi_range rg;
	struct khi_anchor an;
	uint64_t base;        /* file offset of logical offset 0 */
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 2 };
	uint8_t *p;

	f->rg = (struct khi_range){ 0, 300 };
	f->mem = ti_memory(300, TI_MIXED, 11);
	ti_swap_make(&f->sw, 400, 0, NULL, 0);
	f->orig0 = page0(&f->sw);
	assert_int_equal(write_image(&f->sw, &sp, f->mem, &f->rg, 1, NULL, 0), 0);
	p = page0(&f->sw);
	assert_int_equal(khi_anchor_decode(p, &f->an), 0);
	free(p);
	f->base = f->sw.swap_offset + PG;
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	ti_swap_close(&f->sw);
	free(f->orig0);
	free(f->mem);
	free(f);
	return 0;
}

static void flip(int fd, uint64_t off)
{
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)off), 1);
}

/* Refused at open or at verify with @want; then discard leaves a plain swap area. */
static void expect_refused(struct fixture *f, int want)
{
	khi_reader *r = NULL;
	int e = open_reader(&f->sw, 0, 2, NULL, &r);

	if (e == 0) {
		e = khi_reader_verify(r);
		khi_reader_free(r);
	}
	assert_int_equal(e, want);
}

static void expect_discarded(struct fixture *f)
{
	khi_reader *r = NULL;

	assert_int_equal(khi_discard(f->sw.fd, f->sw.swap_offset), 0);
	ti_assert_plain_swap(f->sw.fd, f->sw.swap_offset, f->orig0);
	assert_int_equal(open_reader(&f->sw, 0, 1, NULL, &r), -ENODATA);
	assert_int_equal(khi_discard(f->sw.fd, f->sw.swap_offset), -ENODATA);
}

static void test_intact(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	expect_discarded(f);
}

/* Every byte of the commit record, then of the extent table head, the header and the chunk
 * table: one flipped bit and the image is refused as corrupt. */
static void test_flip_metadata(void **state)
{
	struct fixture *f = *state;
	uint64_t hdr = f->base + f->an.header_lofs;
	uint64_t tbl = hdr - khi_page_align(1ull * 5 * KHI_CHUNK_RECORD);
	struct { uint64_t start, len, step; } areas[] = {
		{ f->sw.swap_offset, KHI_ANCHOR_SIZE, 1 },
		{ f->base, khi_ext_table_size(1), 1 },
		{ hdr, f->an.header_size, 3 },
		{ tbl, 5 * KHI_CHUNK_RECORD, 1 },
	};

	for (size_t a = 0; a < 4; a++)
		for (uint64_t o = areas[a].start; o < areas[a].start + areas[a].len; o += areas[a].step) {
			flip(f->sw.fd, o);
			expect_refused(f, -EBADMSG);
			flip(f->sw.fd, o);
		}
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	expect_discarded(f);
}

/* Header fields changed and the header checksum recomputed, as a bug or a forger would. */
struct field_case {
	const char *name;
	uint32_t off, width;
	int64_t delta;    /* added to the little-endian value; for width > 8: memset value */
	int want;
};

static const struct field_case field_cases[] = {
	{ "version", 8, 4, 1, -EPROTONOSUPPORT },
	{ "header_size", 12, 4, 16, -EBADMSG },
	{ "flags", 16, 4, 1, -EPROTONOSUPPORT },
	{ "page_size", 20, 4, 4096, -EPROTONOSUPPORT },
	{ "chunk_pages", 24, 4, -32, -EPROTONOSUPPORT },
	{ "compression", 28, 1, 8, -EPROTONOSUPPORT },
	{ "level", 29, 1, KHI_LZ4_ACCEL_MAX + 1, -EBADMSG },   /* lz4: acceleration 1..64 */
	{ "checksum_algo_0", 30, 1, -2, -EPROTONOSUPPORT },
	{ "checksum_algo_3", 30, 1, 1, -EPROTONOSUPPORT },
	{ "digest_algo", 31, 1, 1, -EPROTONOSUPPORT },
	{ "cipher", 32, 1, 1, -ENOKEY },
	{ "cipher_unknown", 32, 1, 2, -EPROTONOSUPPORT },
	{ "kdf", 33, 1, 1, -EBADMSG },
	{ "reserved", 34, 2, 1, -EPROTONOSUPPORT },
	{ "kdf_passes", 36, 4, 3, -EBADMSG },
	{ "image_id", 80, 1, 1, -EBADMSG },
	{ "swap_offset", 120, 8, 4096, -EBADMSG },
	{ "kernel_release", 160, 1, -0x20, -EBADMSG },
	{ "label_unterminated", 256, 64, 'a', -EBADMSG },
	{ "nr_ranges", 320, 4, 1, -EBADMSG },
	{ "platform_size", 324, 4, 1, -EBADMSG },
	{ "nr_chunks", 328, 8, 1, -EBADMSG },
	{ "chunk_table_lofs", 336, 8, 4096, -EBADMSG },
	{ "bytes_image", 344, 8, 4096, -EBADMSG },
	{ "pages_total", 352, 8, 1, -EBADMSG },
	{ "pages_zero", 360, 8, 1, -EBADMSG },
	{ "pages_raw_vs_compressed", 368, 8, 0x1ffffffffffffffLL, -EBADMSG },
	{ "bytes_out", 392, 8, 4096, -EBADMSG },
	{ "chunk_table_digest", HDR_OFF_CHUNK_DIGEST, 1, 1, -EBADMSG },
	{ "ext_table_digest", 432, 1, 1, -EBADMSG },
	{ "range_count", KHI_HDR_VAR_OFFSET + 8, 8, 1, -EBADMSG },
	{ "range_pfn", KHI_HDR_VAR_OFFSET, 8, 1, -EBADMSG },
};

/* Writes header @h back with a checksum that matches it. */
static void reseal_header(struct fixture *f, uint8_t *h, uint32_t size)
{
	memset(h + KHI_HDR_OFF_CHECKSUM, 0, 32);
	khi_sha256(h, size, h + KHI_HDR_OFF_CHECKSUM);
	assert_int_equal(pwrite(f->sw.fd, h, size, (off_t)(f->base + f->an.header_lofs)), (ssize_t)size);
}

static void test_header_fields(void **state)
{
	struct fixture *f = *state;
	uint64_t hdr = f->base + f->an.header_lofs;
	uint32_t size = f->an.header_size;
	uint8_t *orig = malloc(size), *h = malloc(size);

	assert_int_equal(pread(f->sw.fd, orig, size, (off_t)hdr), (ssize_t)size);
	for (size_t i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const struct field_case *c = &field_cases[i];
		memcpy(h, orig, size);
		if (c->width > 8) {
			memset(h + c->off, (int)c->delta, c->width);
		} else {
			uint64_t v = 0;
			for (uint32_t b = 0; b < c->width; b++)
				v |= (uint64_t)h[c->off + b] << (8 * b);
			v += (uint64_t)c->delta;
			for (uint32_t b = 0; b < c->width; b++)
				h[c->off + b] = (uint8_t)(v >> (8 * b));
		}
		reseal_header(f, h, size);
		print_message("  field %s\n", c->name);
		expect_refused(f, c->want);
	}
	assert_int_equal(pwrite(f->sw.fd, orig, size, (off_t)hdr), (ssize_t)size);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	free(orig);
	free(h);
	expect_discarded(f);
}

static void test_flip_chunk(void **state)
{
	struct fixture *f = *state;
	uint64_t data = f->base + khi_page_align(khi_ext_table_size(1));
	uint64_t tbl = f->base + f->an.header_lofs - PG;   /* 5 records fit in a page */
	uint32_t seed = 5;

	for (int i = 0; i < 20; i++) {
		seed = seed * 1103515245u + 12345u;
		uint64_t off = data + (seed >> 4) % (tbl - data);
		flip(f->sw.fd, off);
		/* Padding after a chunk's payload is not part of the image: flips there are free. */
		khi_reader *r = NULL;
		assert_int_equal(open_reader(&f->sw, 0, 2, NULL, &r), 0);
		int e = khi_reader_verify(r);
		khi_reader_free(r);
		flip(f->sw.fd, off);
		assert_true(e == -EBADMSG || e == 0);
	}
	/* A flip at the start of the first payload always hits stored bytes. */
	flip(f->sw.fd, data);
	expect_refused(f, -EBADMSG);
	expect_discarded(f);
}

/* The header @h (f's, decoded into *hd) and its chunk table, as written. */
static uint8_t *read_tables(struct fixture *f, uint8_t *h, struct khi_header *hd)
{
	uint32_t size = f->an.header_size;
	uint8_t *tbl;

	assert_int_equal(pread(f->sw.fd, h, size, (off_t)(f->base + f->an.header_lofs)), (ssize_t)size);
	assert_int_equal(khi_header_decode(h, size, hd), 0);
	tbl = malloc(hd->nr_chunks * KHI_CHUNK_RECORD);
	assert_int_equal(pread(f->sw.fd, tbl, hd->nr_chunks * KHI_CHUNK_RECORD, (off_t)(f->base + hd->chunk_table_lofs)),
			 (ssize_t)(hd->nr_chunks * KHI_CHUNK_RECORD));
	return tbl;
}

/* The index of the first chunk from @from on with a payload (compressed if @compressed). */
static uint64_t find_chunk(const uint8_t *tbl, const struct khi_header *hd, uint64_t from, bool compressed,
			   struct khi_chunk *c)
{
	uint64_t i;

	for (i = from; i < hd->nr_chunks; i++) {
		assert_int_equal(khi_chunk_decode(tbl + i * KHI_CHUNK_RECORD, hd->cksum, c), 0);
		if (c->stored_len && !(compressed && (c->flags & KHI_CHUNK_RAW)))
			break;
	}
	assert_true(i < hd->nr_chunks);
	return i;
}

/* The first compressed chunk's payload replaced by bytes that are no LZ4 stream, with its
 * checksum, the chunk table digest and the header checksum made to match, as a writer that got
 * the stream wrong would leave it: verify and restore both refuse the chunk as corrupt, restore
 * having delivered no page of it. */
static void test_bad_stream(void **state)
{
	struct fixture *f = *state;
	uint32_t size = f->an.header_size;
	uint8_t *h = malloc(size), *tbl, *payload, rec[KHI_CHUNK_RECORD];
	struct ti_sink snk = { .pages = 300 };
	struct khi_sink sink = { .write = ti_sink_write, .ctx = &snk };
	struct khi_header hd;
	struct khi_chunk c;
	khi_reader *r = NULL;

	tbl = read_tables(f, h, &hd);
	size_t tbl_size = hd.nr_chunks * KHI_CHUNK_RECORD;
	uint64_t rec_off = find_chunk(tbl, &hd, 0, true, &c) * KHI_CHUNK_RECORD;
	payload = malloc(c.stored_len);
	memset(payload, 0xff, c.stored_len);    /* a literal run longer than the input */
	assert_int_equal(pwrite(f->sw.fd, payload, c.stored_len, (off_t)(f->base + c.data_lofs)), (ssize_t)c.stored_len);
	c.cksum = khi_chunk_cksum(hd.cksum, payload, c.stored_len);
	khi_chunk_encode(&c, rec);
	memcpy(tbl + rec_off, rec, KHI_CHUNK_RECORD);
	assert_int_equal(pwrite(f->sw.fd, rec, KHI_CHUNK_RECORD, (off_t)(f->base + hd.chunk_table_lofs + rec_off)),
			 KHI_CHUNK_RECORD);
	khi_sha256(tbl, tbl_size, h + HDR_OFF_CHUNK_DIGEST);
	reseal_header(f, h, size);

	assert_int_equal(open_reader(&f->sw, 0, 2, NULL, &r), 0);
	assert_int_equal(khi_reader_verify(r), -EBADMSG);
	snk.mem = calloc(300, PG);
	assert_int_equal(khi_reader_restore(r, &sink), -EBADMSG);
	assert_true(snk.next_pfn <= c.pfn);
	khi_reader_free(r);
	free(snk.mem);
	free(payload);
	free(tbl);
	free(hd.ranges);
	free(h);
	expect_discarded(f);
}

/* ---- chunk checksums: XXH64 written, CRC-32 still read ---- */

/* The record's checksum field (docs/image-format.md, "Chunk table"): 8 bytes at 36, of which a
 * CRC-32 uses the low 4; the GCM associated data holds none of them. */
static void test_chunk_record(void **state)
{
	struct khi_chunk c = { .pfn = 64, .present = 1, .nr_pages = 64, .stored_len = 100, .data_lofs = 2 * PG,
			       .cksum = 0x0123456789abcdefull }, d;
	uint8_t rec[KHI_CHUNK_RECORD], aad[KHI_CHUNK_AAD], aad2[KHI_CHUNK_AAD];

	(void)state;
	khi_chunk_encode(&c, rec);
	assert_true(get_le64(rec + 36) == c.cksum);
	assert_int_equal(khi_chunk_decode(rec, KHI_CKSUM_XXH64, &d), 0);
	assert_true(d.cksum == c.cksum);
	/* In a CRC-32 image bytes 40..43 were reserved: they must still be zero there. */
	assert_int_equal(khi_chunk_decode(rec, KHI_CKSUM_CRC32, &d), -EPROTONOSUPPORT);
	khi_chunk_aad(&c, aad);
	c.cksum = 0x89abcdefu;
	khi_chunk_encode(&c, rec);
	assert_int_equal(khi_chunk_decode(rec, KHI_CKSUM_CRC32, &d), 0);
	assert_true(d.cksum == 0x89abcdefu);
	khi_chunk_aad(&c, aad2);
	assert_memory_equal(aad, aad2, KHI_CHUNK_AAD);
	/* Bytes 44..47 stay reserved under both algorithms. */
	rec[44] = 1;
	assert_int_equal(khi_chunk_decode(rec, KHI_CKSUM_XXH64, &d), -EPROTONOSUPPORT);
	assert_int_equal(khi_chunk_decode(rec, KHI_CKSUM_CRC32, &d), -EPROTONOSUPPORT);
}

/* The writer checksums chunks with XXH64 (header byte 30 = 2); an image whose chunks carry
 * CRC-32 (algorithm 1, what the writer used before: an image saved before an upgrade must
 * resume after it) still verifies and restores. It is made here from the fixture's image: each
 * record's checksum recomputed as CRC-32, byte 30 set to 1, the table digest and the header
 * checksum redone. Then a flipped payload byte is refused as corrupt (as under XXH64:
 * test_flip_chunk), and a CRC-32 record with the high half of its field set as unsupported. */
static void test_cksum_algorithms(void **state)
{
	struct fixture *f = *state;
	uint32_t size = f->an.header_size;
	uint8_t *h = malloc(size), *tbl, *payload = malloc(KHI_CHUNK_PAGES * PG);
	uint64_t first = UINT64_MAX, first_lofs = 0;
	struct khi_header hd;
	struct khi_chunk c;
	bool high = false;

	tbl = read_tables(f, h, &hd);
	size_t tbl_size = hd.nr_chunks * KHI_CHUNK_RECORD;
	assert_int_equal(h[30], KHI_CKSUM_XXH64);
	for (uint64_t i = 0; i < hd.nr_chunks; i++) {
		assert_int_equal(khi_chunk_decode(tbl + i * KHI_CHUNK_RECORD, KHI_CKSUM_XXH64, &c), 0);
		if (!c.stored_len)
			continue;
		if (first == UINT64_MAX)
			first = i, first_lofs = c.data_lofs;
		assert_int_equal(pread(f->sw.fd, payload, c.stored_len, (off_t)(f->base + c.data_lofs)),
				 (ssize_t)c.stored_len);
		assert_true(c.cksum == kc_xxh64(payload, c.stored_len, 0));
		high |= c.cksum >> 32 != 0;
		c.cksum = khi_crc32(payload, c.stored_len);
		khi_chunk_encode(&c, tbl + i * KHI_CHUNK_RECORD);
	}
	assert_true(high);    /* all 64 bits are stored */
	assert_true(first != UINT64_MAX);
	assert_int_equal(pwrite(f->sw.fd, tbl, tbl_size, (off_t)(f->base + hd.chunk_table_lofs)), (ssize_t)tbl_size);
	h[30] = KHI_CKSUM_CRC32;
	khi_sha256(tbl, tbl_size, h + HDR_OFF_CHUNK_DIGEST);
	reseal_header(f, h, size);
	assert_int_equal(read_and_compare(&f->sw, 0, 2, f->mem, 300, &f->rg, 1), 0);

	flip(f->sw.fd, f->base + first_lofs + 17);
	expect_refused(f, -EBADMSG);
	flip(f->sw.fd, f->base + first_lofs + 17);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);

	tbl[first * KHI_CHUNK_RECORD + 43] = 0x80;
	assert_int_equal(pwrite(f->sw.fd, tbl, tbl_size, (off_t)(f->base + hd.chunk_table_lofs)), (ssize_t)tbl_size);
	khi_sha256(tbl, tbl_size, h + HDR_OFF_CHUNK_DIGEST);
	reseal_header(f, h, size);
	expect_refused(f, -EPROTONOSUPPORT);
	free(hd.ranges);
	free(tbl);
	free(payload);
	free(h);
	expect_discarded(f);
}

/* ---- one pass: the restore helper calls khi_reader_restore() alone ---- */

/* Bytes this process has read (rchar of /proc/self/io: read(2) and pread(2) of every thread),
 * or -1 where the kernel does not count them. */
static long long bytes_read(void)
{
	char line[64];
	long long n = -1;
	FILE *f = fopen("/proc/self/io", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "rchar: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Restore with no verify before it: every page reaches the sink once, and the image is read
 * once: the chunk table and each payload, nothing twice. */
static void test_one_pass(void **state)
{
	struct fixture *f = *state;
	struct ti_sink snk = { .pages = 300 };
	struct khi_sink sink = { .write = ti_sink_write, .ctx = &snk };
	struct khi_stats hs, st;
	khi_reader *r = NULL;
	long long before, after;

	assert_int_equal(open_reader(&f->sw, 0, 2, NULL, &r), 0);
	khi_reader_header_stats(r, &hs);
	snk.mem = malloc(300 * PG);
	before = bytes_read();
	assert_int_equal(khi_reader_restore(r, &sink), 0);
	after = bytes_read();
	khi_reader_stats(r, &st);
	assert_false(snk.out_of_order);
	assert_int_equal(snk.delivered, 300);
	assert_int_equal(st.pages_total, 300);
	assert_memory_equal(snk.mem, f->mem, 300 * PG);
	if (before >= 0) {
		/* Beyond the image, only what the read of /proc/self/io itself returned: less than
		 * a page, and every payload is at least one. */
		uint64_t once = khi_page_align(5 * KHI_CHUNK_RECORD) + hs.bytes_out;
		print_message("  read %lld bytes, the table and the payloads once: %llu\n", after - before,
			      (unsigned long long)once);
		assert_true((uint64_t)(after - before) >= once && (uint64_t)(after - before) < once + PG);
	}
	/* The table, loaded once, serves a verify pass as well. */
	assert_int_equal(khi_reader_verify(r), 0);
	khi_reader_free(r);
	free(snk.mem);
	expect_discarded(f);
}

/* Restores into a sink that counts: @return the error, *ret_sink what it received. */
static int restore_counted(struct fixture *f, struct ti_sink *ret_sink)
{
	struct khi_sink sink = { .write = ti_sink_write, .ctx = ret_sink };
	khi_reader *r = NULL;
	int e;

	*ret_sink = (struct ti_sink){ .pages = 300, .mem = calloc(300, PG) };
	e = open_reader(&f->sw, 0, 2, NULL, &r);
	if (!e)
		e = khi_reader_restore(r, &sink);
	khi_reader_free(r);
	free(ret_sink->mem);
	ret_sink->mem = NULL;
	return e;
}

/* A chunk table that does not match the digest in the header (a record changed; the digest
 * changed and the header resealed around it): refused before any page reaches the sink. */
static void test_table_before_pages(void **state)
{
	struct fixture *f = *state;
	uint32_t size = f->an.header_size;
	uint8_t *orig = malloc(size), *h = malloc(size);
	struct khi_header hd;
	struct ti_sink snk;
	uint64_t crc2 = f->base + f->an.header_lofs - PG + 2 * KHI_CHUNK_RECORD + 36;

	free(read_tables(f, orig, &hd));
	flip(f->sw.fd, crc2);
	assert_int_equal(restore_counted(f, &snk), -EBADMSG);
	assert_int_equal(snk.delivered, 0);
	flip(f->sw.fd, crc2);
	memcpy(h, orig, size);
	h[HDR_OFF_CHUNK_DIGEST] ^= 1;
	reseal_header(f, h, size);
	assert_int_equal(restore_counted(f, &snk), -EBADMSG);
	assert_int_equal(snk.delivered, 0);
	reseal_header(f, orig, size);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	free(hd.ranges);
	free(orig);
	free(h);
	expect_discarded(f);
}

/* A chunk damaged in the middle of the image: the pass stops there with -EBADMSG. The pages of
 * the chunks before it may have reached the sink, none of it or after it (khimage.h). */
static void test_damaged_chunk(void **state)
{
	struct fixture *f = *state;
	uint8_t *h = malloc(f->an.header_size), *tbl;
	struct khi_header hd;
	struct khi_chunk c;
	struct ti_sink snk;

	tbl = read_tables(f, h, &hd);
	assert_true(find_chunk(tbl, &hd, hd.nr_chunks / 2, false, &c) > 0);
	flip(f->sw.fd, f->base + c.data_lofs);
	assert_int_equal(restore_counted(f, &snk), -EBADMSG);
	assert_false(snk.out_of_order);
	assert_true(snk.next_pfn <= c.pfn && snk.delivered <= c.pfn);
	flip(f->sw.fd, f->base + c.data_lofs);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	free(hd.ranges);
	free(tbl);
	free(h);
	expect_discarded(f);
}

/* A concurrent sink (khi_sink.concurrent): called from the workers, so it takes a lock; it
 * records which pages came, each exactly once, whether a call came on the caller's thread, and
 * how many calls came at the same time. */
struct csink {
	pthread_mutex_t lock;
	pthread_t caller;
	uint8_t *mem, *seen;
	uint64_t pages, delivered;
	unsigned inside, most_inside;
	bool twice, outside, on_caller;
};

static int csink_write(void *ctx, uint64_t pfn, uint32_t nr, const void *data)
{
	struct csink *s = ctx;

	pthread_mutex_lock(&s->lock);
	s->on_caller |= pthread_equal(pthread_self(), s->caller) != 0;
	s->inside++;
	s->most_inside = s->inside > s->most_inside ? s->inside : s->most_inside;
	pthread_mutex_unlock(&s->lock);
	if (pfn + nr > s->pages) {
		s->outside = true;
	} else {
		memcpy(s->mem + pfn * PG, data, (size_t)nr * PG);
		for (uint32_t i = 0; i < nr; i++)
			s->twice |= __atomic_fetch_add(&s->seen[pfn + i], 1, __ATOMIC_RELAXED) != 0;
	}
	__atomic_fetch_add(&s->delivered, nr, __ATOMIC_RELAXED);
	pthread_mutex_lock(&s->lock);
	s->inside--;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Restores with 4 workers into a concurrent sink: @return the error; *s what it received. */
static int restore_concurrent(struct fixture *f, struct csink *s)
{
	struct khi_sink sink = { .write = csink_write, .ctx = s, .concurrent = true };
	khi_reader *r = NULL;
	int e;

	*s = (struct csink){ .pages = 300, .mem = calloc(300, PG), .seen = calloc(300, 1),
			     .caller = pthread_self() };
	pthread_mutex_init(&s->lock, NULL);
	e = open_reader(&f->sw, 0, 4, NULL, &r);
	if (!e)
		e = khi_reader_restore(r, &sink);
	khi_reader_free(r);
	pthread_mutex_destroy(&s->lock);
	return e;
}

/* A concurrent sink gets every page once, from the workers; a damaged chunk stops the pass and
 * none of its pages arrive (others may: the caller reboots, khimage.h). */
static void test_concurrent_sink(void **state)
{
	struct fixture *f = *state;
	uint8_t *h = malloc(f->an.header_size), *tbl;
	struct khi_header hd;
	struct khi_chunk c;
	struct csink s;

	assert_int_equal(restore_concurrent(f, &s), 0);
	assert_false(s.twice || s.outside || s.on_caller);
	assert_int_equal(s.delivered, 300);
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(s.seen[i], 1);
	assert_memory_equal(s.mem, f->mem, 300 * PG);
	print_message("  at most %u sink calls at once\n", s.most_inside);
	free(s.mem);
	free(s.seen);

	tbl = read_tables(f, h, &hd);
	assert_true(find_chunk(tbl, &hd, hd.nr_chunks / 2, false, &c) > 0);
	flip(f->sw.fd, f->base + c.data_lofs);
	assert_int_equal(restore_concurrent(f, &s), -EBADMSG);
	assert_false(s.twice || s.outside);
	for (unsigned i = 0; i < c.nr_pages; i++)
		assert_int_equal(s.seen[c.pfn + i], 0);
	flip(f->sw.fd, f->base + c.data_lofs);
	free(s.mem);
	free(s.seen);
	free(hd.ranges);
	free(tbl);
	free(h);
	expect_discarded(f);
}

/* The file cut at every page from the first payload on: refused, never crashed. */
static void test_truncate(void **state)
{
	struct fixture *f = *state;
	size_t size;
	uint8_t *all = ti_file_read(f->sw.fd, &size);
	uint64_t data = f->base + khi_page_align(khi_ext_table_size(1));
	uint64_t end = f->base + f->an.header_lofs + khi_page_align(f->an.header_size);

	for (uint64_t cut = data; cut < end; cut += PG) {
		assert_int_equal(ftruncate(f->sw.fd, (off_t)cut), 0);
		expect_refused(f, -EBADMSG);
	}
	assert_int_equal(pwrite(f->sw.fd, all, size, 0), (ssize_t)size);
	free(all);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
	expect_discarded(f);
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	struct khi_meta m;
	uint8_t other[KHI_KERNEL_ID_SIZE] = { 1 };
	khi_reader *r = NULL;

	ti_meta(&m);
	assert_int_equal(open_reader(&f->sw, 0, 1, NULL, &r), 0);
	assert_int_equal(khi_reader_check_identity(r, m.kernel_id, m.machine_id), 0);
	assert_int_equal(khi_reader_check_identity(r, other, m.machine_id), -ESTALE);
	assert_int_equal(khi_reader_check_identity(r, m.kernel_id, other), -ESTALE);
	assert_int_equal(khi_reader_check_identity(r, NULL, NULL), 0);
	khi_reader_free(r);
	expect_discarded(f);
}

/* Boot path: consume first (the area is swap again at once), then read by image id. */
static void test_consumed(void **state)
{
	struct fixture *f = *state;
	uint8_t id[KHI_IMAGE_ID_SIZE], other[KHI_IMAGE_ID_SIZE] = { 0 };
	struct khi_probe_info pi;
	khi_reader *r = NULL;

	assert_int_equal(khi_probe(f->sw.fd, 0, &pi), 0);
	assert_int_equal(pi.state, KHI_STATE_COMMITTED);
	assert_int_equal(open_reader(&f->sw, 0, 1, other, &r), -ENODATA);
	assert_int_equal(khi_mark_consumed(f->sw.fd, 0, id), 0);
	assert_memory_equal(id, pi.image_id, KHI_IMAGE_ID_SIZE);
	ti_assert_plain_swap(f->sw.fd, 0, f->orig0);
	assert_int_equal(khi_probe(f->sw.fd, 0, &pi), 0);
	assert_int_equal(pi.state, KHI_STATE_CONSUMED);
	assert_int_equal(khi_mark_consumed(f->sw.fd, 0, NULL), -EALREADY);
	assert_int_equal(open_reader(&f->sw, 0, 1, NULL, &r), -EALREADY);
	assert_int_equal(open_reader(&f->sw, 0, 1, other, &r), -ENODATA);
	assert_int_equal(open_reader(&f->sw, 0, 2, id, &r), 0);
	assert_int_equal(khi_reader_verify(r), 0);
	khi_reader_free(r);
	expect_discarded(f);
	assert_int_equal(khi_mark_consumed(f->sw.fd, 0, NULL), -ENODATA);
	assert_int_equal(khi_probe(f->sw.fd, 0, &pi), 0);
	assert_int_equal(pi.state, KHI_STATE_NONE);
}

/* A crash after the data but before the commit: page 0 still says plain swap. */
static void test_missing_commit(void **state)
{
	struct fixture *f = *state;
	uint8_t *p = page0(&f->sw);

	memcpy(p + PG - 10, "SWAPSPACE2", 10);
	assert_int_equal(pwrite(f->sw.fd, p, PG, 0), PG);
	expect_refused(f, -ENODATA);
	/* The reverse tear: our signature, no record. */
	memset(p, 0, KHI_SWAP_BOOTBITS);
	memcpy(p + PG - 10, "KHIBERNATE", 10);
	assert_int_equal(pwrite(f->sw.fd, p, PG, 0), PG);
	expect_refused(f, -EBADMSG);
	assert_int_equal(khi_mark_consumed(f->sw.fd, 0, NULL), -EBADMSG);
	ti_assert_plain_swap(f->sw.fd, 0, f->orig0);
	free(p);
}

static void test_exists(void **state)
{
	struct fixture *f = *state;
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 1 };

	assert_int_equal(write_image(&f->sw, &sp, f->mem, &f->rg, 1, NULL, 0), -EEXIST);
	expect_discarded(f);
	assert_int_equal(write_image(&f->sw, &sp, f->mem, &f->rg, 1, NULL, 0), 0);
	assert_int_equal(read_and_compare(&f->sw, 0, 1, f->mem, 300, &f->rg, 1), 0);
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	const struct khi_range rg = { 0, 100 };
	uint8_t *mem = ti_memory(100, TI_MIXED, 9);
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 2, .key = 1 };
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	uint8_t wrong[KHI_KEY_SIZE] = { 0 };
	struct ti_swap sw;
	khi_reader *r = NULL;

	(void)state;
	ti_swap_make(&sw, 200, 0, NULL, 0);
	uint8_t *orig = page0(&sw);
	struct khi_target t = { .fd = sw.fd };
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 0), 0);
	assert_int_equal(open_reader(&sw, 0, 1, NULL, &r), -ENOKEY);
	assert_int_equal(open_reader(&sw, 2, 1, NULL, &r), -EKEYREJECTED);
	o.key.key = wrong;
	assert_int_equal(khi_reader_open(&t, &o, &r), -EKEYREJECTED);
	assert_int_equal(read_and_compare(&sw, 1, 2, mem, 100, &rg, 1), 0);
	assert_int_equal(khi_discard(sw.fd, 0), 0);
	ti_assert_plain_swap(sw.fd, 0, orig);

	sp.key = 2;
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 0), 0);
	assert_int_equal(open_reader(&sw, 1, 1, NULL, &r), -EKEYREJECTED);
	o.key.key = NULL;
	o.key.passphrase = "Correct horse battery staple";
	assert_int_equal(khi_reader_open(&t, &o, &r), -EKEYREJECTED);
	assert_int_equal(read_and_compare(&sw, 2, 1, mem, 100, &rg, 1), 0);
	assert_int_equal(khi_discard(sw.fd, 0), 0);
	ti_assert_plain_swap(sw.fd, 0, orig);
	free(orig);
	ti_swap_close(&sw);
	free(mem);
}

/* ---- space and placement ---- */

static void assert_file_unchanged(int fd, const uint8_t *before, size_t size)
{
	size_t n;
	uint8_t *now = ti_file_read(fd, &n);
	assert_int_equal(n, size);
	assert_memory_equal(now, before, size);
	free(now);
}

static void test_no_space(void **state)
{
	const struct khi_range rg = { 0, 300 };
	uint8_t *mem = ti_memory(300, TI_TEXT, 2);
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct ti_source src = { .mem = mem };
	struct khi_source source = { .ranges = &rg, .nr_ranges = 1, .read = ti_source_read,
				     .ctx = &src };
	struct khi_meta meta;
	struct ti_swap sw;
	khi_writer *w = NULL;
	size_t size;

	(void)state;
	ti_meta(&meta);
	ti_swap_make(&sw, 250, 0, NULL, 0);
	uint8_t *before = ti_file_read(sw.fd, &size);
	struct khi_target t = { .fd = sw.fd };
	/* The worst case does not fit: refused before any write. */
	assert_int_equal(khi_writer_new(&t, &o, &meta, &source, &w), -ENOSPC);
	assert_file_unchanged(sw.fd, before, size);
	/* Granted extents smaller still. */
	struct khi_extent e = { PG, 10 * PG };
	t.extents = &e;
	t.nr_extents = 1;
	assert_int_equal(khi_writer_new(&t, &o, &meta, &source, &w), -ENOSPC);
	assert_file_unchanged(sw.fd, before, size);
	/* With an estimate that is too optimistic: starts, runs out, leaves page 0 alone. */
	o.size_estimate = 5 * PG;
	assert_int_equal(khi_writer_new(&t, &o, &meta, &source, &w), 0);
	assert_int_equal(khi_writer_write(w), -ENOSPC);
	w = khi_writer_free(w);
	uint8_t *now = page0(&sw);
	assert_memory_equal(now, before, PG);
	free(now);
	/* Text compresses: a fair estimate fits in 200 pages. */
	t.extents = NULL;
	t.nr_extents = 0;
	o.size_estimate = 200 * PG;
	assert_int_equal(khi_writer_new(&t, &o, &meta, &source, &w), 0);
	assert_int_equal(khi_writer_write(w), 0);
	khi_writer_free(w);
	assert_int_equal(read_and_compare(&sw, 0, 1, mem, 300, &rg, 1), 0);
	free(before);
	ti_swap_close(&sw);
	free(mem);
}

/* A source that fails half way: the area stays plain swap. */
static void test_source_error(void **state)
{
	const struct khi_range rg = { 0, 600 };
	uint8_t *mem = ti_memory(600, TI_MIXED, 4);
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 2 };
	struct ti_swap sw;
	khi_reader *r = NULL;

	(void)state;
	ti_swap_make(&sw, 700, 0, NULL, 0);
	uint8_t *orig = page0(&sw);
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 5), -EIO);
	uint8_t *now = page0(&sw);
	assert_memory_equal(now, orig, PG);
	free(now);
	assert_int_equal(open_reader(&sw, 0, 1, NULL, &r), -ENODATA);
	free(orig);
	ti_swap_close(&sw);
	free(mem);
}

/* Writes @mem's 2000 pages with LZ4 and 2 threads into the extents @e: the writer's result. */
static int write_into(const struct ti_swap *sw, const uint8_t *mem, const struct khi_extent *e, size_t n)
{
	const struct khi_range rg = { 0, 2000 };
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct ti_source src = { .mem = mem };
	struct khi_source source = { .ranges = &rg, .nr_ranges = 1, .read = ti_source_read,
				     .ctx = &src };
	struct khi_target t = { .fd = sw->fd, .extents = e, .nr_extents = n };
	struct khi_meta meta;
	khi_writer *w = NULL;
	int r;

	ti_meta(&meta);
	o.compression = KHI_COMPRESS_LZ4;
	o.threads = 2;
	r = khi_writer_new(&t, &o, &meta, &source, &w);
	if (!r)
		r = khi_writer_write(w);
	khi_writer_free(w);
	return r;
}

/* The disk refuses the writes of a stretch in the middle of the data: the writer stops with
 * that error, page 0 is still plain swap, and the same slots then take a whole image. The
 * stretch is the image's second extent, laid out past RLIMIT_FSIZE (every write at or past
 * the limit fails with EFBIG, also inside a larger file) while the first and third lie below
 * it: a writer that went on after the error would write the rest, the tables and page 0. */
static void test_target_error(void **state)
{
	const struct khi_range rg = { 0, 2000 };
	const struct khi_extent e[] = { { 1 * PG, 100 * PG }, { 4200 * PG, 100 * PG },
					{ 101 * PG, 4000 * PG } };
	uint8_t *mem = ti_memory(2000, TI_MIXED, 7);
	uint8_t *first = malloc(99 * PG), *zero = calloc(99, PG);
	struct rlimit old, low;
	void (*xfsz)(int);
	struct ti_swap sw;
	khi_reader *r = NULL;
	int err;

	(void)state;
	ti_swap_make(&sw, 4300, 0, NULL, 0);
	uint8_t *orig = page0(&sw);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	low = (struct rlimit){ .rlim_cur = 4200 * PG, .rlim_max = old.rlim_max };
	xfsz = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
	err = write_into(&sw, mem, e, 3);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, xfsz);
	assert_int_equal(err, -EFBIG);
	/* Half way: the first extent's data (after the extent table's page) went out. */
	assert_int_equal(pread(sw.fd, first, 99 * PG, 2 * PG), 99 * PG);
	assert_memory_not_equal(first, zero, 99 * PG);
	uint8_t *now = page0(&sw);
	assert_memory_equal(now, orig, PG);
	free(now);
	assert_int_equal(open_reader(&sw, 0, 1, NULL, &r), -ENODATA);
	assert_int_equal(write_into(&sw, mem, e, 3), 0);
	assert_int_equal(read_and_compare(&sw, 0, 2, mem, 2000, &rg, 1), 0);
	free(orig);
	free(first);
	free(zero);
	ti_swap_close(&sw);
	free(mem);
}

/* Bad pages are never written; extents outside the area or over page 0 are refused. */
static void test_placement(void **state)
{
	const uint32_t bad[] = { 3, 4, 50, 51, 52, 199 };
	const struct khi_range rg = { 0, 150 };
	uint8_t *mem = ti_memory(150, TI_RANDOM, 8);
	struct img_spec sp = { .comp = KHI_COMPRESS_NONE, .threads = 2 };
	uint8_t mark[PG], got[PG];
	struct ti_swap sw;

	(void)state;
	memset(mark, 0xee, PG);
	ti_swap_make(&sw, 200, 0, bad, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(pwrite(sw.fd, mark, PG, (off_t)bad[i] * PG), PG);
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 0), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(pread(sw.fd, got, PG, (off_t)bad[i] * PG), PG);
		assert_memory_equal(got, mark, PG);
	}
	assert_int_equal(read_and_compare(&sw, 0, 1, mem, 150, &rg, 1), 0);
	assert_int_equal(khi_discard(sw.fd, 0), 0);

	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct ti_source src = { .mem = mem };
	struct khi_source source = { .ranges = &rg, .nr_ranges = 1, .read = ti_source_read,
				     .ctx = &src };
	struct khi_meta meta;
	khi_writer *w = NULL;
	ti_meta(&meta);
	const struct khi_extent refused[][2] = {
		{ { 0, 8 * PG }, { 0, 0 } },                /* over page 0 */
		{ { 45 * PG, 10 * PG }, { 0, 0 } },         /* over bad pages 50..52 */
		{ { 150 * PG, 60 * PG }, { 0, 0 } },        /* past last_page */
		{ { 100 * PG + 512, PG }, { 0, 0 } },       /* not aligned */
		{ { 100 * PG, 20 * PG }, { 110 * PG, 4 * PG } }, /* overlapping */
	};
	const size_t nr[] = { 1, 1, 1, 1, 2 };
	for (size_t i = 0; i < 5; i++) {
		struct khi_target t = { .fd = sw.fd, .extents = refused[i], .nr_extents = nr[i] };
		assert_int_equal(khi_writer_new(&t, &o, &meta, &source, &w), -EINVAL);
	}
	ti_swap_close(&sw);
	free(mem);
}

/* The spellings khibernate.conf, khibernate and khib-image share, their levels' bounds, and
 * the writer refusing a level its compression does not take. */
static void test_compression_spelling(void **state)
{
	static const struct {
		const char *s;
		enum khi_compression c;
		int level;
	} good[] = {
		{ "none", KHI_COMPRESS_NONE, 0 }, { "lz4", KHI_COMPRESS_LZ4, 0 },
		{ "lz4:1", KHI_COMPRESS_LZ4, 1 }, { "lz4:64", KHI_COMPRESS_LZ4, 64 },
		{ "lz4hc", KHI_COMPRESS_LZ4HC, 0 }, { "lz4hc:12", KHI_COMPRESS_LZ4HC, 12 },
	};
	static const char *const bad[] = {
		"", "lz4:", "lz4:0", "lz4:65", "lz4:+2", "lz4:2x", "lz4:-1", "none:1", "lz4hc:13",
		"lz4hc:", "lz", "lz4x", "lz4hcx:2", "LZ4", "lz4:99999999999999999999",
	};
	enum khi_compression c;
	char name[16];
	int level;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(khi_compression_parse(good[i].s, &c, &level), 0);
		assert_int_equal(c, good[i].c);
		assert_int_equal(level, good[i].level);
		assert_true(khi_compression_valid(c, level));
		assert_string_equal(khi_compression_name(c, level, name, sizeof(name)), good[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(khi_compression_parse(bad[i], &c, &level), -EINVAL);
	assert_false(khi_compression_valid(KHI_COMPRESS_NONE, 1));
	assert_false(khi_compression_valid(KHI_COMPRESS_LZ4, -1));
	assert_false(khi_compression_valid(KHI_COMPRESS_LZ4HC + 1, 0));

	const struct khi_range rg = { 0, 10 };
	uint8_t *mem = ti_memory(10, TI_TEXT, 5);
	const struct img_spec refused[] = {
		{ .comp = KHI_COMPRESS_NONE, .level = 1, .threads = 1 },
		{ .comp = KHI_COMPRESS_LZ4, .level = 65, .threads = 1 },
		{ .comp = KHI_COMPRESS_LZ4HC, .level = 13, .threads = 1 },
	};
	struct ti_swap sw;

	ti_swap_make(&sw, 100, 0, NULL, 0);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(write_image(&sw, &refused[i], mem, &rg, 1, NULL, 0), -EINVAL);
	ti_swap_close(&sw);
	free(mem);
}

/* A partition's image read as part of its disk (the swap header found 1 MiB in): the extents
 * name offsets on the partition, so the reader refuses with -EXDEV, not as corruption; the
 * state is still readable, and the partition itself reads back whole. */
static void test_wrong_offset(void **state)
{
	const struct khi_range rg = { 0, 50 };
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 1 };
	uint8_t *mem = ti_memory(50, TI_MIXED, 9), *part;
	struct ti_swap sw, disk;
	struct khi_probe_info pi;
	khi_reader *r = NULL;
	size_t size;

	(void)state;
	ti_swap_make(&sw, 120, 0, NULL, 0);
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 0), 0);
	part = ti_file_read(sw.fd, &size);
	ti_swap_make(&disk, 120, 256 * PG, NULL, 0);
	assert_int_equal(pwrite(disk.fd, part, size, (off_t)disk.swap_offset), (ssize_t)size);
	assert_int_equal(khi_probe(disk.fd, disk.swap_offset, &pi), 0);
	assert_int_equal(pi.state, KHI_STATE_COMMITTED);
	assert_int_equal(open_reader(&disk, 0, 1, NULL, &r), -EXDEV);
	assert_null(r);
	assert_int_equal(read_and_compare(&sw, 0, 1, mem, 50, &rg, 1), 0);
	ti_swap_close(&disk);
	ti_swap_close(&sw);
	free(part);
	free(mem);
}

static void test_not_swap(void **state)
{
	struct ti_swap sw;
	struct khi_probe_info pi;
	khi_reader *r = NULL;
	size_t size;

	(void)state;
	ti_swap_make(&sw, 50, 0, NULL, 0);
	assert_int_equal(pwrite(sw.fd, "S1SUSPEND\0", 10, PG - 10), 10);
	uint8_t *before = ti_file_read(sw.fd, &size);
	assert_int_equal(khi_probe(sw.fd, 0, &pi), -EMEDIUMTYPE);
	assert_int_equal(khi_mark_consumed(sw.fd, 0, NULL), -EMEDIUMTYPE);
	assert_int_equal(khi_discard(sw.fd, 0), -EMEDIUMTYPE);
	assert_int_equal(open_reader(&sw, 0, 1, NULL, &r), -EMEDIUMTYPE);
	assert_file_unchanged(sw.fd, before, size);
	free(before);
	ti_swap_close(&sw);
	/* Plain swap: nothing to do, nothing written. */
	ti_swap_make(&sw, 50, 0, NULL, 0);
	before = ti_file_read(sw.fd, &size);
	assert_int_equal(khi_mark_consumed(sw.fd, 0, NULL), -ENODATA);
	assert_int_equal(khi_discard(sw.fd, 0), -ENODATA);
	assert_int_equal(khi_probe(sw.fd, 0, &pi), 0);
	assert_int_equal(pi.state, KHI_STATE_NONE);
	assert_int_equal(pi.swap_last_page, 49);
	assert_string_equal(pi.swap_label, "khitest");
	assert_file_unchanged(sw.fd, before, size);
	free(before);
	ti_swap_close(&sw);
}

/* ---- the real swapon, on a loop device ---- */

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_swapon(void **state)
{
	const struct khi_range rg = { 0, 200 };
	char path[] = "/tmp/khi-swapon-XXXXXX", cmd[256], loop[64] = "";
	struct img_spec sp = { .comp = KHI_COMPRESS_LZ4, .threads = 2 };
	struct ti_swap sw;
	FILE *p;

	(void)state;
	if (geteuid() != 0 || run("command -v losetup swapon mkswap >/dev/null 2>&1") != 0)
		skip();
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "truncate -s 4M %s && mkswap %s >/dev/null 2>&1", path, path);
	assert_int_equal(run(cmd), 0);
	snprintf(cmd, sizeof(cmd), "losetup -f --show %s 2>/dev/null", path);
	if (!(p = popen(cmd, "r")) || !fgets(loop, sizeof(loop), p) || pclose(p) != 0 || !loop[0]) {
		unlink(path);
		skip();
	}
	loop[strcspn(loop, "\n")] = 0;
	sw = (struct ti_swap){ .fd = open(loop, O_RDWR | O_CLOEXEC) };
	assert_true(sw.fd >= 0);
	uint8_t *mem = ti_memory(200, TI_MIXED, 1);
	assert_int_equal(write_image(&sw, &sp, mem, &rg, 1, NULL, 0), 0);
	snprintf(cmd, sizeof(cmd), "swapon %s 2>/dev/null", loop);
	int refused = run(cmd);
	assert_int_equal(khi_mark_consumed(sw.fd, 0, NULL), 0);
	int accepted = run(cmd);
	if (accepted == 0) {
		snprintf(cmd, sizeof(cmd), "swapoff %s", loop);
		run(cmd);
	}
	close(sw.fd);
	snprintf(cmd, sizeof(cmd), "losetup -d %s", loop);
	run(cmd);
	unlink(path);
	free(mem);
	assert_int_not_equal(refused, 0);   /* an image is not swap */
	assert_int_equal(accepted, 0);      /* consumed: swap again, no mkswap needed */
}

/* ---- goldens: tests/golden/generate.sh ---- */

static const char *golden_dir(const char *sub)
{
	static char buf[256];
	const char *top = getenv("KHI_TOP") ? getenv("KHI_TOP") : ".";
	snprintf(buf, sizeof(buf), "%s/tests/%s", top, sub);
	return buf;
}

/* Reads @file the way the restore helper would (open, restore); without @mem, verifies it. */
static int read_golden(const char *path, uint8_t *mem, uint64_t pages)
{
	struct khi_reader_opts o = KHI_READER_OPTS_INIT;
	struct ti_sink snk = { .mem = mem, .pages = pages };
	struct khi_sink sink = { .write = ti_sink_write, .ctx = &snk };
	struct khi_probe_info pi;
	uint8_t key[KHI_KEY_SIZE];
	char kpath[300];
	khi_reader *r = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	assert_true(fd >= 0);
	struct khi_target t = { .fd = fd, .swap_offset = strstr(path, "offset") ? 8192 : 0 };
	snprintf(kpath, sizeof(kpath), "%s/key.bin", golden_dir("golden"));
	int kfd = open(kpath, O_RDONLY | O_CLOEXEC);
	assert_true(kfd >= 0);
	assert_int_equal(read(kfd, key, sizeof(key)), (ssize_t)sizeof(key));
	close(kfd);
	if (strstr(path, "aes-key"))
		o.key.key = key;
	o.threads = 2;
	if (strstr(path, "golden/") && khi_probe(fd, t.swap_offset, &pi) == 0 && pi.state == KHI_STATE_CONSUMED)
		o.consumed_id = pi.image_id;
	e = khi_reader_open(&t, &o, &r);
	if (!e)
		e = mem ? khi_reader_restore(r, &sink) : khi_reader_verify(r);
	khi_reader_free(r);
	close(fd);
	return e;
}

static void test_golden(void **state)
{
	/* v1-crc32-*: CRC-32 chunk checksums, as written before XXH64 (tests/golden/generate.sh). */
	static const char *const names[] = {
		"v1-lz4", "v1-none", "v1-lz4hc", "v1-aes-key", "v1-consumed", "v1-offset",
		"v1-crc32-lz4", "v1-crc32-none", "v1-crc32-lz4hc", "v1-crc32-aes-key", "v1-crc32-consumed",
		"v1-crc32-offset",
	};
	char path[300];
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/mem.bin", golden_dir("golden"));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		skip();
	uint8_t *want = ti_file_read(fd, &n);
	close(fd);
	uint64_t pages = n / PG;
	/* The goldens save pages 0..9 and 12..23: 10 and 11 must stay untouched. */
	memset(want + 10 * PG, 0xa5, 2 * PG);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t *mem = malloc(n);
		memset(mem, 0xa5, n);
		snprintf(path, sizeof(path), "%s/%s.img", golden_dir("golden"), names[i]);
		print_message("  %s\n", names[i]);
		assert_int_equal(read_golden(path, mem, pages), 0);
		assert_memory_equal(mem, want, n);
		free(mem);
	}
	free(want);
}

static int errno_by_name(const char *s)
{
	static const struct { const char *name; int e; } t[] = {
		{ "EBADMSG", EBADMSG }, { "EPROTONOSUPPORT", EPROTONOSUPPORT }, { "ENODATA", ENODATA },
		{ "EALREADY", EALREADY }, { "EMEDIUMTYPE", EMEDIUMTYPE }, { "ENOKEY", ENOKEY },
		{ "EKEYREJECTED", EKEYREJECTED },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name))
			return t[i].e;
	fail_msg("unknown errno name %s", s);
	return 0;
}

static void test_golden_errors(void **state)
{
	char path[300], line[200], file[100], err[40];
	unsigned count = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/MANIFEST", golden_dir("golden-errors"));
	if (!(f = fopen(path, "re")))
		skip();
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%99s %39s", file, err) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/%s", golden_dir("golden-errors"), file);
		print_message("  %s -> %s\n", file, err);
		assert_int_equal(read_golden(path, NULL, 0), -errno_by_name(err));
		count++;
	}
	fclose(f);
	assert_true(count >= 10);
}

/* ---- main ---- */

static bool selected(const char *name)
{
	const char *sel = getenv("TESTFUNCS");
	return !sel || strstr(name, sel);
}

int main(void)
{
	struct CMUnitTest tests[64];
	char names[sizeof(rt_cases) / sizeof(rt_cases[0])][64];
	size_t n = 0;

	if (khi_global_init() < 0)
		return 77;
	for (size_t i = 0; i < sizeof(rt_cases) / sizeof(rt_cases[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "roundtrip/%s", rt_cases[i].name);
		if (selected(names[i]))
			tests[n++] = (struct CMUnitTest){ names[i], test_roundtrip, NULL, NULL, (void *)&rt_cases[i] };
	}
#define ADD(fn) if (selected(#fn)) tests[n++] = (struct CMUnitTest)cmocka_unit_test(fn)
#define ADD_F(fn) if (selected(#fn)) tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
	ADD(test_deterministic);
	ADD_F(test_intact);
	ADD_F(test_flip_metadata);
	ADD_F(test_header_fields);
	ADD_F(test_flip_chunk);
	ADD_F(test_bad_stream);
	ADD(test_chunk_record);
	ADD_F(test_cksum_algorithms);
	ADD_F(test_one_pass);
	ADD_F(test_table_before_pages);
	ADD_F(test_damaged_chunk);
	ADD_F(test_concurrent_sink);
	ADD_F(test_truncate);
	ADD_F(test_identity);
	ADD_F(test_consumed);
	ADD_F(test_missing_commit);
	ADD_F(test_exists);
	ADD(test_keys);
	ADD(test_no_space);
	ADD(test_source_error);
	ADD(test_target_error);
	ADD(test_placement);
	ADD(test_compression_spelling);
	ADD(test_wrong_offset);
	ADD(test_not_swap);
	ADD(test_swapon);
	ADD(test_golden);
	ADD(test_golden_errors);
	return _cmocka_run_group_tests("image", tests, n, NULL, NULL);
}
