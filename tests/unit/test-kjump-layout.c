/* Unit tests: /proc/iomem parsing, layout checks, B's e820 map, layout v1 encoding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/byteorder.h"
#include "kjump/kjump.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define END {0, 0, 0}

/* A QEMU q35/pc guest with 5 GiB, as its /proc/iomem shows it (children indented). */
static const char iomem_qemu[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0007ffff : System RAM\n"
	"00080000-0008ffff : Reserved\n"
	"00090000-0009fbff : System RAM\n"
	"0009fc00-0009ffff : Reserved\n"
	"000a0000-000bffff : PCI Bus 0000:00\n"
	"000c0000-000c99ff : Video ROM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-bffdffff : System RAM\n"
	"  01000000-01bfffff : Kernel code\n"
	"  10000000-17ffffff : Crash kernel\n"
	"bffe0000-bfffffff : Reserved\n"
	"fec00000-fec003ff : IOAPIC 0\n"
	"fffc0000-ffffffff : Reserved\n"
	"100000000-13fffffff : System RAM\n";
static const char cmdline_qemu[] =
	"console=ttyS0 crashkernel=128M@0x10000000 memmap=64K$0x80000 quiet\n";

static void test_iomem_qemu(void **state)
{
	static const struct kj_map_entry want[] = {
		{ 0x0, 0x1000, KJ_E820_RESERVED }, { 0x1000, 0x7f000, KJ_E820_RAM },
		{ 0x80000, 0x10000, KJ_E820_RESERVED }, { 0x90000, 0xfc00, KJ_E820_RAM },
		{ 0x9fc00, 0x400, KJ_E820_RESERVED }, { 0xf0000, 0x10000, KJ_E820_RESERVED },
		{ 0x100000, 0xbfee0000, KJ_E820_RAM }, { 0xbffe0000, 0x20000, KJ_E820_RESERVED },
		{ 0xfffc0000, 0x40000, KJ_E820_RESERVED }, { 0x100000000, GiB, KJ_E820_RAM },
	};
	struct kj_layout l;
	unsigned i;

	(void)state;
	assert_int_equal(kj_layout_from_iomem(iomem_qemu, cmdline_qemu, &l), 0);
	assert_int_equal(l.region.start, 0x10000000);
	assert_int_equal(l.region.size, 128 * MiB);
	assert_int_equal(l.hole.start, 0x80000);
	assert_int_equal(l.hole.size, 0x10000);
	assert_int_equal(l.nr_entries, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < l.nr_entries; i++) {
		assert_int_equal(l.entries[i].start, want[i].start);
		assert_int_equal(l.entries[i].size, want[i].size);
		assert_int_equal(l.entries[i].type, want[i].type);
	}
	assert_int_equal(kj_layout_check(&l), 0);
}

/* The running kernel's image: every "Kernel ..." line, at any depth. */
static void test_iomem_span(void **state)
{
	static const char iomem[] =
		"00100000-bffdffff : System RAM\n"
		"  01000000-01bfffff : Kernel code\n"
		"  01c00000-0206afff : Kernel rodata\n"
		"  02200000-024b4dff : Kernel data\n"
		"  02cc7000-02ffffff : Kernel bss\n"
		"  10000000-17ffffff : Crash kernel\n";
	struct kj_range r;

	(void)state;
	assert_int_equal(kj_iomem_span(iomem, "Kernel ", &r), 0);
	assert_int_equal(r.start, 0x1000000);
	assert_int_equal(r.size, 0x3000000 - 0x1000000);
	assert_int_equal(kj_iomem_span(iomem, "Crash kernel", &r), 0);
	assert_int_equal(r.start, 0x10000000);
	assert_int_equal(kj_iomem_span(iomem, "Persistent", &r), -ENODATA);
	assert_int_equal(kj_iomem_span("garbage\n", "Kernel ", &r), -EBADMSG);
}

static void test_iomem_errors(void **state)
{
	static const struct {
		const char *iomem;
		int err;
	} cases[] = {
		{ "00001000-0007ffff System RAM\n", -EBADMSG },  /* no " : " */
		{ "0007ffff-00001000 : System RAM\n", -EBADMSG }, /* end before start */
		{ "zzzz-0007ffff : System RAM\n", -EBADMSG },
		{ "00001000 : System RAM\n", -EBADMSG },
		{ "", 0 },
		{ "00001000-0007ffff : System RAM", 0 },          /* no final newline */
	};
	struct kj_layout l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(kj_layout_from_iomem(cases[i].iomem, NULL, &l), cases[i].err);
}

static void test_iomem_too_many(void **state)
{
	char *buf = malloc(64 * (KJ_LAYOUT_MAX_ENTRIES + 2)), *p = buf;
	struct kj_layout l;
	unsigned i;

	(void)state;
	for (i = 0; i <= KJ_LAYOUT_MAX_ENTRIES; i++)
		p += sprintf(p, "%08x-%08x : Reserved\n", i * 0x2000, i * 0x2000 + 0xfff);
	assert_int_equal(kj_layout_from_iomem(buf, NULL, &l), -E2BIG);
	free(buf);
}

static void test_no_region(void **state)
{
	struct kj_layout l;

	(void)state;
	assert_int_equal(kj_layout_from_iomem("00100000-3fffffff : System RAM\n", "", &l), 0);
	assert_int_equal(l.region.size, 0);
	assert_int_equal(kj_layout_check(&l), -ENODATA);
}

static void test_hole_from_cmdline(void **state)
{
	static const struct {
		const char *cmdline;
		uint64_t start, size;
	} cases[] = {
		{ "memmap=64K$0x80000", 0x80000, 0x10000 },
		{ "a memmap=0x10000$0x90000 b", 0x90000, 0x10000 },
		{ "memmap=1M$0x40000000 memmap=64K$0x80000", 0x80000, 0x10000 }, /* first below 1M */
		{ "memmap=64K@0x80000", 0, 0 },   /* @ is RAM, not reserved */
		{ "xmemmap=64K$0x80000", 0, 0 },  /* not a word of its own */
		{ "memmap=64K$0xf8000", 0, 0 },   /* crosses 1 MiB */
		{ "memmap=64Q$0x80000", 0, 0 },
	};
	struct kj_layout l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(kj_layout_from_iomem("", cases[i].cmdline, &l), 0);
		assert_int_equal(l.hole.start, cases[i].start);
		assert_int_equal(l.hole.size, cases[i].size);
	}
}

/* ---- B's e820 map, table-driven ---- */

struct e820_case {
	const char *name;
	struct kj_range region, hole;
	struct kj_map_entry a[8];    /* A's map, END-terminated */
	struct kj_range reserved;    /* size 0: none */
	int err;
	struct kj_map_entry want[12]; /* B's map, END-terminated */
};

static const struct e820_case e820_cases[] = {
	{ "region in the middle of low RAM, hole reserved in A",
	  { 0x10000000, 128 * MiB }, { 0x80000, 0x10000 },
	  { { 0, 0x80000, 1 }, { 0x80000, 0x10000, 2 }, { 0x90000, 0x10000, 1 },
	    { 0x100000, 0x3ff00000, 1 }, { 0xfffc0000, 0x40000, 2 }, END },
	  { 0, 0 }, 0,
	  { { 0, 0x80000, 3 }, { 0x80000, 0x10000, 1 }, { 0x90000, 0x10000, 3 },
	    { 0x100000, 0xff00000, 3 }, { 0x10000000, 128 * MiB, 1 },
	    { 0x18000000, 0x28000000, 3 }, { 0xfffc0000, 0x40000, 2 }, END } },
	{ "region at the start of a RAM range, A's RAM above 4 GiB",
	  { 0x100000, 64 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, { 0x100000000, 4 * GiB, 1 }, END },
	  { 0, 0 }, 0,
	  { { 0x100000, 64 * MiB, 1 }, { 0x4100000, 0x3bf00000, 3 },
	    { 0x100000000, 4 * GiB, 3 }, END } },
	{ "region at the end of RAM above 4 GiB",
	  { 0x1f0000000, 256 * MiB }, { 0x80000, 0x10000 },
	  { { 0x100000, 0x3ff00000, 1 }, { 0x100000000, 4 * GiB, 1 }, END },
	  { 0, 0 }, 0,
	  { { 0x80000, 0x10000, 1 }, { 0x100000, 0x3ff00000, 3 }, { 0x100000000, 0xf0000000, 3 },
	    { 0x1f0000000, 256 * MiB, 1 }, END } },
	{ "handoff pages kept reserved inside the region; ACPI and NVS pass through",
	  { 0x10000000, 128 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3fe00000, 1 }, { 0x3ff00000, 0x80000, 3 }, { 0x3ff80000, 0x80000, 4 }, END },
	  { 0x12000000, 0x2000 }, 0,
	  { { 0x100000, 0xff00000, 3 }, { 0x10000000, 0x2000000, 1 }, { 0x12000000, 0x2000, 2 },
	    { 0x12002000, 0x5ffe000, 1 },
	    { 0x18000000, 0x27f80000, 3 }, /* A's RAM and its ACPI tables merge: both type 3 */
	    { 0x3ff80000, 0x80000, 4 }, END } },
	{ "region across two RAM ranges is refused",
	  { 0x3ff00000, 2 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3fe00000, 1 }, { 0x3ff00000, 0x100000, 1 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "region over firmware memory is refused",
	  { 0xfffc0000, 0x40000 }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, { 0xfffc0000, 0x40000, 2 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "hole in A's RAM is refused (A would lose it to B)",
	  { 0x10000000, 128 * MiB }, { 0x80000, 0x10000 },
	  { { 0, 0xa0000, 1 }, { 0x100000, 0x3ff00000, 1 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "hole above 1 MiB is refused",
	  { 0x10000000, 128 * MiB }, { 0x100000, 0x10000 },
	  { { 0x200000, 0x3fe00000, 1 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "hole overlapping the region is refused",
	  { 0x10000, 0x70000 }, { 0x70000, 0x10000 },
	  { { 0x10000, 0x60000, 1 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "overlapping entries in A's map are refused",
	  { 0x10000000, 128 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, { 0x3fe00000, 0x400000, 2 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "unsorted entries are refused",
	  { 0x10000000, 128 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, { 0, 0x1000, 2 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "unaligned region is refused",
	  { 0x10000800, 128 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, END }, { 0, 0 }, -EINVAL, { END } },
	{ "reserved range outside the region is refused",
	  { 0x10000000, 128 * MiB }, { 0, 0 },
	  { { 0x100000, 0x3ff00000, 1 }, END }, { 0x1000000, 0x1000 }, -EINVAL, { END } },
};

static void make_layout(const struct e820_case *c, struct kj_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->region = c->region;
	l->hole = c->hole;
	while (c->a[l->nr_entries].size)
		l->entries[l->nr_entries] = c->a[l->nr_entries], l->nr_entries++;
}

static void test_e820_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(e820_cases) / sizeof(e820_cases[0]); i++) {
		const struct e820_case *c = &e820_cases[i];
		struct kj_map_entry out[KJ_LAYOUT_MAX_ENTRIES];
		struct kj_layout l;
		unsigned n = 0, j;
		int r;

		make_layout(c, &l);
		r = kj_layout_e820(&l, &c->reserved, c->reserved.size ? 1 : 0, out,
				   KJ_LAYOUT_MAX_ENTRIES, &n);
		print_message("case: %s\n", c->name);
		assert_int_equal(r, c->err);
		if (r < 0)
			continue;
		for (j = 0; c->want[j].size; j++) {
			assert_true(j < n);
			assert_int_equal(out[j].start, c->want[j].start);
			assert_int_equal(out[j].size, c->want[j].size);
			assert_int_equal(out[j].type, c->want[j].type);
		}
		assert_int_equal(n, j);
	}
}

static void test_e820_too_small(void **state)
{
	struct kj_map_entry out[3];
	struct kj_layout l;
	unsigned n;

	(void)state;
	make_layout(&e820_cases[0], &l);
	assert_int_equal(kj_layout_e820(&l, NULL, 0, out, 3, &n), -E2BIG);
}

/* ---- layout v1 encoding ---- */

static void qemu_layout(struct kj_layout *l)
{
	assert_int_equal(kj_layout_from_iomem(iomem_qemu, cmdline_qemu, l), 0);
}

static void test_wire_round_trip(void **state)
{
	struct kj_layout l, back;
	uint8_t buf[4096];
	ssize_t n;

	(void)state;
	qemu_layout(&l);
	n = kj_layout_encode(&l, buf, sizeof(buf));
	assert_int_equal(n, KJ_LAYOUT_WIRE_HEADER + l.nr_entries * KJ_LAYOUT_WIRE_ENTRY);
	assert_int_equal((size_t)n, kj_layout_encoded_size(&l));
	assert_memory_equal(buf, "KJLAYOUT", 8);
	assert_int_equal(get_le64(buf + 24), 0x10000000);
	assert_int_equal(kj_layout_decode(buf, (size_t)n, &back), 0);
	assert_memory_equal(&back, &l, sizeof(l));
	assert_int_equal(kj_layout_encode(&l, buf, (size_t)n - 1), -ENOBUFS);
}

/* Each field corrupted gives the documented error. */
static void test_wire_corrupt(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		uint32_t xor;
		int err;
	} cases[] = {
		{ "magic", 0, 0x01, -ENODATA },
		{ "version", 8, 0x02, -EPROTONOSUPPORT },
		{ "size", 12, 0x08, -EBADMSG },
		{ "entry count", 16, 0x01, -EBADMSG },
		{ "reserved", 20, 0x01, -EBADMSG },
		{ "region start (unaligned)", 24, 0x10, -EBADMSG },
		{ "region size (leaves RAM)", 32 + 4, 0x01, -EBADMSG },
		{ "hole start (A's RAM)", 40 + 2, 0x10, -EBADMSG },
		{ "reserved 2", 56, 0x01, -EBADMSG },
		{ "entry start (overlap)", 64 + 24 + 2, 0x01, -EBADMSG },
		{ "entry reserved", 64 + 20, 0x01, -EBADMSG },
	};
	struct kj_layout l, back;
	uint8_t buf[4096];
	ssize_t n;
	size_t i;

	(void)state;
	qemu_layout(&l);
	n = kj_layout_encode(&l, buf, sizeof(buf));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("corrupt: %s\n", cases[i].what);
		buf[cases[i].off] ^= (uint8_t)cases[i].xor;
		assert_int_equal(kj_layout_decode(buf, (size_t)n, &back), cases[i].err);
		buf[cases[i].off] ^= (uint8_t)cases[i].xor;
	}
	assert_int_equal(kj_layout_decode(buf, (size_t)n - 1, &back), -EBADMSG);
	assert_int_equal(kj_layout_decode(buf, 40, &back), -EBADMSG);
	assert_int_equal(kj_layout_decode(buf, 4, &back), -ENODATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iomem_qemu),
		cmocka_unit_test(test_iomem_errors),
		cmocka_unit_test(test_iomem_span),
		cmocka_unit_test(test_iomem_too_many),
		cmocka_unit_test(test_no_region),
		cmocka_unit_test(test_hole_from_cmdline),
		cmocka_unit_test(test_e820_table),
		cmocka_unit_test(test_e820_too_small),
		cmocka_unit_test(test_wire_round_trip),
		cmocka_unit_test(test_wire_corrupt),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
