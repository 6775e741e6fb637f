/* Unit tests: planning B's segments (kj_segments_build) with a synthetic kernel and the real
 * purgatory blob: placement, boot_params, command line, handoff, purgatory parameters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sha256.h"
#include "kjump/kjump.h"
#include "kjump/purgatory/abi.h"
#include "kjump/segments.h"
#include "tests/unit/kjump-fake-bzimage.h"

#define MiB (1ULL << 20)
#define REGION 0x10000000ULL

struct fixture {
	uint8_t *bz;
	struct kj_bzimage k;
	struct kj_layout l;
	uint8_t initrd[10000];
	struct kj_segments_in in;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->bz = fake_bzimage();
	assert_int_equal(kj_bzimage_parse(f->bz, FAKE_SIZE, &f->k), 0);
	f->l.region = (struct kj_range){ REGION, 128 * MiB };
	f->l.hole = (struct kj_range){ 0x80000, 0x10000 };
	f->l.entries[0] = (struct kj_map_entry){ 0x80000, 0x10000, KJ_E820_RESERVED };
	f->l.entries[1] = (struct kj_map_entry){ 0x100000, 0x3ff00000, KJ_E820_RAM };
	f->l.nr_entries = 2;
	memset(f->initrd, 0x5a, sizeof(f->initrd));
	f->in = (struct kj_segments_in){
		.kernel = &f->k, .initrd = f->initrd, .initrd_size = sizeof(f->initrd),
		.cmdline = "console=ttyS0", .layout = &f->l, .preserve_context = true,
		.payload = "hello", .payload_size = 5,
		.purgatory = kj_purgatory_blob, .purgatory_size = kj_purgatory_blob_size,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->bz);
	free(f);
	return 0;
}

static const struct kj_segment *seg_at(const struct kj_segments *img, uint64_t mem)
{
	unsigned i;

	for (i = 0; i < img->nr; i++)
		if (img->seg[i].mem == mem)
			return &img->seg[i];
	fail_msg("no segment at 0x%llx", (unsigned long long)mem);
	return NULL;
}

/* Every segment page-aligned, inside the region, and no two overlapping. */
static void test_segments_confined(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info info;
	struct kj_segments img;
	unsigned i, j;

	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	assert_int_equal(img.nr, 6);
	assert_int_equal(info.nr_segments, 6);
	for (i = 0; i < img.nr; i++) {
		const struct kj_segment *s = &img.seg[i];

		assert_int_equal(s->mem % 4096, 0);
		assert_int_equal(s->memsz % 4096, 0);
		assert_true(s->bufsz <= s->memsz);
		assert_true(s->mem >= REGION && s->mem + s->memsz <= REGION + 128 * MiB);
		for (j = 0; j < i; j++)
			assert_true(s->mem >= img.seg[j].mem + img.seg[j].memsz ||
				    img.seg[j].mem >= s->mem + s->memsz);
	}
	assert_int_equal(info.kernel, REGION);
	assert_int_equal(seg_at(&img, REGION)->bufsz, FAKE_KERNEL_SIZE);
	assert_int_equal(img.entry, info.entry);
	assert_int_equal(info.needed, info.segments_end - REGION + sizeof(f->initrd) + KJ_DEFAULT_MIN_FREE);
	kj_segments_done(&img);
}

static void test_boot_params(void **state)
{
	struct fixture *f = *state;
	struct kj_map_entry want[16];
	struct kj_load_info info;
	struct kj_segments img;
	const uint8_t *bp;
	uint64_t cmdline;
	unsigned n, i;

	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	bp = seg_at(&img, REGION + FAKE_INIT_SIZE)->buf;
	assert_int_equal(bp[0x210], 0xff);                     /* type_of_loader */
	assert_memory_equal(bp + 0x202, "HdrS", 4);            /* setup header copied */
	assert_int_equal(get_le32(bp + 0x230), 0x200000);
	cmdline = get_le32(bp + 0x228) | (uint64_t)get_le32(bp + 0x0c8) << 32;
	assert_int_equal(cmdline, REGION + FAKE_INIT_SIZE + 4096);
	assert_int_equal(get_le32(bp + 0x218), info.initrd);
	assert_int_equal(get_le32(bp + 0x21c), sizeof(f->initrd));
	/* B's e820 is the layout's, with the handoff's page kept reserved. */
	struct kj_range keep = { info.handoff, 4096 };
	assert_int_equal(kj_layout_e820(&f->l, &keep, 1, want, 16, &n), 0);
	assert_int_equal(bp[0x1e8], n);
	for (i = 0; i < n; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;

		assert_int_equal(get_le64(e), want[i].start);
		assert_int_equal(get_le64(e + 8), want[i].size);
		assert_int_equal(get_le32(e + 16), want[i].type);
	}
	kj_segments_done(&img);
}

static void test_cmdline_and_handoff(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info info;
	struct kj_handoff h;
	struct kj_segments img;
	const struct kj_segment *s;
	char want[128];

	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	s = seg_at(&img, REGION + FAKE_INIT_SIZE + 4096);
	snprintf(want, sizeof(want), "console=ttyS0 kjump.handoff=0x%016llx "
		 "kjump.entry=0x0000000000000000", (unsigned long long)info.handoff);
	assert_string_equal(s->buf, want);
	assert_int_equal(s->bufsz, strlen(want) + 1);
	s = seg_at(&img, info.handoff);
	assert_int_equal(kj_handoff_decode(s->buf, s->bufsz, &h), 0);
	assert_memory_equal(&h.layout, &f->l, sizeof(f->l));
	assert_int_equal(h.payload_size, 5);
	assert_memory_equal(h.payload, "hello", 5);
	kj_segments_done(&img);
}

/* The code under test wipes through explicit_bzero(): this one (the executable's own, so the
 * library's calls land here) records what was wiped. */
struct wipe {
	const void *p;
	size_t n;
};
static struct wipe wipes[16];
static unsigned nr_wipes;

void explicit_bzero(void *p, size_t n)
{
	volatile uint8_t *v = p;

	if (nr_wipes < sizeof(wipes) / sizeof(wipes[0]))
		wipes[nr_wipes++] = (struct wipe){ p, n };
	for (size_t i = 0; i < n; i++)
		v[i] = 0;
}

/* The handoff's payload carries khibernate's parameters, a key or passphrase among them: its
 * buffer is wiped, all of it, before it is freed (issue 16). */
static void test_handoff_wiped(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info info;
	struct kj_segments img;
	const void *buf;
	size_t size;
	bool wiped = false;

	f->in.payload = "correct horse battery staple";
	f->in.payload_size = 28;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	buf = seg_at(&img, info.handoff)->buf;
	size = seg_at(&img, info.handoff)->bufsz;
	nr_wipes = 0;
	kj_segments_done(&img);
	for (unsigned i = 0; i < nr_wipes; i++)
		wiped |= wipes[i].p == buf && wipes[i].n >= size;
	assert_true(wiped);
}

/* A seed for B's random pool: a SETUP_RNG_SEED setup_data after the command line, in its
 * segment, linked from boot_params; none without one. */
static void test_rng_seed(void **state)
{
	struct fixture *f = *state;
	uint64_t cmdline = REGION + FAKE_INIT_SIZE + 4096, sd_addr;
	uint8_t seed[KJ_RNG_SEED_SIZE];
	struct kj_load_info info;
	struct kj_segments img;
	const struct kj_segment *s;
	const uint8_t *bp, *sd;
	size_t len;

	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	bp = seg_at(&img, REGION + FAKE_INIT_SIZE)->buf;
	assert_int_equal(get_le64(bp + 0x250), 0);
	kj_segments_done(&img);

	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(0xa0 + i);
	f->in.rng_seed = seed;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	bp = seg_at(&img, REGION + FAKE_INIT_SIZE)->buf;
	s = seg_at(&img, cmdline);
	len = strlen(s->buf);
	sd_addr = get_le64(bp + 0x250);
	assert_int_equal(sd_addr, (cmdline + len + 1 + 7) & ~7ull);
	assert_int_equal(s->bufsz, sd_addr - cmdline + 16 + KJ_RNG_SEED_SIZE);
	sd = (const uint8_t *)s->buf + (sd_addr - cmdline);
	assert_int_equal(get_le64(sd), 0);                 /* the only one */
	assert_int_equal(get_le32(sd + 8), 9);             /* SETUP_RNG_SEED */
	assert_int_equal(get_le32(sd + 12), KJ_RNG_SEED_SIZE);
	assert_memory_equal(sd + 16, seed, KJ_RNG_SEED_SIZE);
	assert_true(s->bufsz <= s->memsz && info.handoff >= cmdline + s->memsz);
	kj_segments_done(&img);
}

/* The purgatory's parameters: entry points, flags, and a digest that matches the segments. */
static void test_purgatory_params(void **state)
{
	struct fixture *f = *state;
	struct kj_purgatory_params p;
	uint8_t digest[32];
	struct kj_load_info info;
	struct kc_sha256 c;
	struct kj_segments img;
	const struct kj_segment *s;
	const char *cmdline;
	unsigned i;

	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	s = seg_at(&img, info.entry - KJ_PURGATORY_ENTRY_OFFSET);
	memcpy(&p, s->buf, sizeof(p));
	assert_int_equal(p.magic, KJ_PURGATORY_MAGIC);
	assert_int_equal(p.flags, KJ_PURGATORY_F_JUMP);
	assert_int_equal(p.kernel_entry, REGION + 0x200);
	assert_int_equal(p.boot_params, REGION + FAKE_INIT_SIZE);
	assert_int_equal(p.nr_regions, img.nr - 1);
	cmdline = seg_at(&img, REGION + FAKE_INIT_SIZE + 4096)->buf;
	assert_int_equal(p.entry_digits, REGION + FAKE_INIT_SIZE + 4096 + strlen(cmdline) - 16);
	kc_sha256_init(&c);
	for (i = 0; i < p.nr_regions; i++) {
		s = seg_at(&img, p.regions[i].start);
		assert_int_equal(p.regions[i].size, s->bufsz);
		kc_sha256_update(&c, s->buf, s->bufsz);
	}
	kc_sha256_final(&c, digest);
	assert_memory_equal(digest, p.sha256, 32);
	kj_segments_done(&img);

	f->in.preserve_context = false;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	memcpy(&p, seg_at(&img, info.entry - KJ_PURGATORY_ENTRY_OFFSET)->buf, sizeof(p));
	assert_int_equal(p.flags, 0);
	kj_segments_done(&img);
}

/* High: the same segments in the same order, ending within an alignment step of the region's
 * end; B needs as many bytes as placed low. */
static void test_segments_high(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info low, high;
	struct kj_segments a, b;
	unsigned i;

	assert_int_equal(kj_segments_build(&f->in, &a, &low), 0);
	f->in.high = true;
	assert_int_equal(kj_segments_build(&f->in, &b, &high), 0);
	assert_int_equal(a.nr, b.nr);
	assert_true(high.kernel > REGION);
	assert_int_equal(high.kernel % f->k.kernel_alignment, 0);
	assert_int_equal(high.kernel, kj_highest_fit(&f->l.region, f->k.kernel_alignment,
						     low.segments_end - low.kernel));
	assert_true(high.segments_end <= REGION + 128 * MiB);
	assert_true(REGION + 128 * MiB - high.segments_end < f->k.kernel_alignment);
	for (i = 0; i < a.nr; i++) {
		assert_int_equal(b.seg[i].mem - a.seg[i].mem, high.kernel - low.kernel);
		assert_int_equal(b.seg[i].bufsz, a.seg[i].bufsz);
	}
	assert_int_equal(high.entry - low.entry, high.kernel - low.kernel);
	assert_int_equal(high.needed, low.needed);
	kj_segments_done(&a);
	kj_segments_done(&b);

	/* Not above the highest address the kernel reads its initrd from: then low. */
	f->k.initrd_addr_max = (uint32_t)(REGION + 64 * MiB);
	assert_int_equal(kj_segments_build(&f->in, &b, &high), 0);
	assert_int_equal(high.kernel, REGION);
	kj_segments_done(&b);
}

static void test_highest_fit(void **state)
{
	const struct kj_range r = { 0x10000000, 128 * MiB }, odd = { 0x10001000, 8 * MiB };

	(void)state;
	assert_int_equal(kj_highest_fit(&r, 2 * MiB, 17 * MiB), 0x10000000 + 110 * MiB);
	assert_int_equal(kj_highest_fit(&r, 2 * MiB, 16 * MiB), 0x10000000 + 112 * MiB);
	assert_int_equal(kj_highest_fit(&r, 2 * MiB, 128 * MiB), 0x10000000);
	assert_int_equal(kj_highest_fit(&r, 2 * MiB, 129 * MiB), 0x10000000);
	assert_int_equal(kj_highest_fit(&r, 2 * MiB, UINT64_MAX), 0x10000000);
	/* The first aligned address is above the start, and nothing fits above it. */
	assert_int_equal(kj_highest_fit(&odd, 2 * MiB, 7 * MiB), 0x10200000);
	assert_int_equal(kj_highest_fit(&odd, 2 * MiB, 5 * MiB), 0x10200000);
	assert_int_equal(kj_highest_fit(&odd, 2 * MiB, 4 * MiB), 0x10400000);
}

static void test_no_initrd(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info info;
	struct kj_segments img;

	f->in.initrd = NULL;
	f->in.initrd_size = 0;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), 0);
	assert_int_equal(img.nr, 5);
	assert_int_equal(info.initrd, 0);
	kj_segments_done(&img);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct kj_load_info info;
	struct kj_segments img;
	char *longcmd = malloc(3000);

	/* Region too small: the info still says how much B needs. */
	f->l.region.size = 16 * MiB;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), -ENOSPC);
	assert_true(info.needed > 16 * MiB);
	assert_true(info.needed < 64 * MiB);
	f->l.region.size = 128 * MiB;
	/* A command line longer than the kernel takes. */
	memset(longcmd, 'x', 2999);
	longcmd[2999] = '\0';
	f->in.cmdline = longcmd;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), -E2BIG);
	f->in.cmdline = NULL;
	/* A layout that cannot confine B. */
	f->l.region.start += 0x800;
	assert_int_equal(kj_segments_build(&f->in, &img, &info), -EINVAL);
	f->l.region.start -= 0x800;
	/* A blob that is not our purgatory. */
	uint8_t fake[4096] = { 0 };
	f->in.purgatory = fake;
	f->in.purgatory_size = sizeof(fake);
	assert_int_equal(kj_segments_build(&f->in, &img, &info), -EINVAL);
	free(longcmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_segments_confined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_and_handoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rng_seed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handoff_wiped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purgatory_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_initrd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segments_high, setup, teardown),
		cmocka_unit_test(test_highest_fit),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
