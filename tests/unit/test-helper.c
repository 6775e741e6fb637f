/* Unit tests: which page frames the helper saves and where it may write at restore. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helper/helper.h"
#include "helper/init.h"
#include "helper/physmem.h"
#include "helper/steps.h"
#include "image/khimage.h"
#include "tests/unit/image-test-util.h"

#define MiB (1ULL << 20)

/* A 4 GiB QEMU guest: low RAM around the hole, RAM below the PCI hole with the region in it,
 * RAM above 4 GiB; edges that are not page aligned. */
static const struct kj_layout qemu = {
	.region = { 0x10000000, 128 * MiB }, .hole = { 0x80000, 0x10000 }, .nr_entries = 6,
	.entries = {
		{ 0x1000, 0x7f000, KJ_E820_RAM },
		{ 0x80000, 0x10000, KJ_E820_RESERVED },
		{ 0x90000, 0xfc00, KJ_E820_RAM },       /* ends at 0x9fc00: last page partial */
		{ 0x100000, 0xbfee0000, KJ_E820_RAM },
		{ 0xbffe0000, 0x20000, KJ_E820_RESERVED },
		{ 0x100000000, 0x40000000, KJ_E820_RAM },
	},
};

static void test_saved_ranges(void **state)
{
	static const struct khi_range want[] = {
		{ 0x1, 0x7f },                  /* 0x1000-0x80000 */
		{ 0x90, 0xf },                  /* 0x90000-0x9f000: partial page dropped */
		{ 0x100, 0x10000 - 0x100 },     /* up to the region */
		{ 0x18000, 0xbffe0 - 0x18000 }, /* after the region */
		{ 0x100000, 0x40000 },
	};
	struct khi_range *r;
	size_t n;

	(void)state;
	assert_int_equal(khh_saved_ranges(&qemu, &r, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(r, want, sizeof(want));
	/* Nothing of the region or the hole is ever saved (nor, below, written). */
	for (size_t i = 0; i < n; i++) {
		assert_false(r[i].pfn < 0x18000 && r[i].pfn + r[i].count > 0x10000);
		assert_false(r[i].pfn < 0x90 && r[i].pfn + r[i].count > 0x80);
	}
	free(r);
}

static void test_region_at_edges(void **state)
{
	struct kj_layout l = { .region = { 0x100000, 64 * MiB }, .nr_entries = 1,
			       .entries = { { 0x100000, 64 * MiB, KJ_E820_RAM } } };
	struct khi_range *r;
	size_t n;

	(void)state;
	assert_int_equal(khh_saved_ranges(&l, &r, &n), -ENODATA);
	l.entries[0].size = 256 * MiB;
	assert_int_equal(khh_saved_ranges(&l, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].pfn, 0x100 + 64 * 256);
	free(r);
}

static void test_ranges_within(void **state)
{
	static const struct khi_range outer[] = { { 10, 10 }, { 30, 5 } };
	static const struct {
		struct khi_range inner[2];
		size_t n;
		int within;
	} cases[] = {
		{ { { 10, 10 } }, 1, 1 },
		{ { { 12, 3 }, { 31, 4 } }, 2, 1 },
		{ { { 9, 2 } }, 1, 0 },              /* starts before */
		{ { { 15, 6 } }, 1, 0 },             /* runs past the end */
		{ { { 18, 14 } }, 1, 0 },            /* spans the gap */
		{ { { 30, 5 }, { 40, 1 } }, 2, 0 },  /* second one outside */
		{ { { UINT64_MAX - 1, 4 } }, 1, 0 }, /* wraps around */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (khh_ranges_within(cases[i].inner, cases[i].n, outer, 2) != cases[i].within)
			fail_msg("case %zu", i);
}

/* An unencrypted image names where B jumps (A's entry) and writes (the status record): both
 * must be pages the image itself restores. */
static void test_restore_targets(void **state)
{
	static const struct khi_range restored[] = { { 0x100, 0x100 }, { 0x300, 0x10 } };
	static const struct {
		uint64_t entry, status;
		int ok;
	} cases[] = {
		{ 0x100000, 0x1ff000, 1 },          /* first page, last page */
		{ 0x1ff123, 0x30fe00, 1 },          /* the record's 512 bytes end on 0x30ffff */
		{ 0x100000, 0, 1 },                 /* no status page */
		{ 0, 0x100000, 0 },                 /* no entry */
		{ 0xff000, 0x100000, 0 },           /* entry before the RAM */
		{ 0x200000, 0x100000, 0 },          /* entry in the gap */
		{ 0x100000, 0x30ff00, 0 },          /* record runs past the end */
		{ 0x100000, 0x1fff00, 0 },          /* record runs into the gap */
		{ 0x100000, UINT64_MAX - 0x100, 0 }, /* record wraps around */
		{ 0x100000, 0xfee00000, 0 },        /* the local APIC */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (khh_restore_targets_ok(restored, 2, cases[i].entry, cases[i].status, 512) != cases[i].ok)
			fail_msg("case %zu", i);
}

/* The helper's threads fit half of its free memory, whatever the machine's CPU count. */
static void test_threads_fit(void **state)
{
	uint64_t per_thread = khi_buffer_bytes(1);
	uint64_t per_extra = khi_buffer_bytes(2) - per_thread, fixed = per_thread - per_extra;

	(void)state;
	assert_true(per_thread >= 2 * KHI_CHUNK_PAGES * KHI_PAGE_SIZE);
	/* So much a thread, and the reader's read-ahead once. */
	assert_int_equal(khi_buffer_bytes(8) - khi_buffer_bytes(1), 7 * per_extra);
	assert_int_equal(khh_threads_fit(2, UINT64_MAX), 2);
	assert_int_equal(khh_threads_fit(1000, UINT64_MAX), KHI_THREADS_MAX);
	assert_int_equal(khh_threads_fit(0, UINT64_MAX), 1);
	/* 64 CPUs, 80 MiB free: as many as 40 MiB of buffers hold. */
	assert_int_equal(khh_threads_fit(64, 80 * MiB), (unsigned)((40 * MiB - fixed) / per_extra));
	assert_true(khi_buffer_bytes(khh_threads_fit(64, 80 * MiB)) <= 40 * MiB);
	assert_true(khi_buffer_bytes(khh_threads_fit(64, 80 * MiB) + 1) > 40 * MiB);
	/* Never none, even with no memory to speak of. */
	assert_int_equal(khh_threads_fit(4, 0), 1);
}

/* The list the builder writes: paths in order, comments and blanks skipped, bounded. */
static void test_modules_parse(void **state)
{
	char text[] = "# kernel modules for the helper kernel 6.12, in load order\n"
		      "/usr/lib/modules/6.12/kernel/drivers/virtio/virtio.ko\n"
		      "\n"
		      "  /usr/lib/modules/6.12/kernel/drivers/virtio/virtio_ring.ko  \t\r\n"
		      "/usr/lib/modules/6.12/kernel/drivers/block/virtio_blk.ko # the disk\n"
		      "   # only a comment\n"
		      "/last/without/newline.ko";
	char two[] = "a.ko\nb.ko\nc.ko\n", empty[] = "", blank[] = "\n \n# x\n";
	const char *paths[8];

	(void)state;
	assert_int_equal(khh_modules_parse(text, paths, 8), 4);
	assert_string_equal(paths[0], "/usr/lib/modules/6.12/kernel/drivers/virtio/virtio.ko");
	assert_string_equal(paths[1], "/usr/lib/modules/6.12/kernel/drivers/virtio/virtio_ring.ko");
	assert_string_equal(paths[2], "/usr/lib/modules/6.12/kernel/drivers/block/virtio_blk.ko");
	assert_string_equal(paths[3], "/last/without/newline.ko");
	assert_int_equal(khh_modules_parse(two, paths, 2), -E2BIG);
	assert_int_equal(khh_modules_parse(empty, paths, 8), 0);
	assert_int_equal(khh_modules_parse(blank, paths, 8), 0);
}

/* B writes only into the swap area whose UUID A read: ti_swap_make() gives 0x10..0x1f. */
static void test_check_swap_area(void **state)
{
	struct khp_params pa = { .swap_major = 254, .swap_minor = 1, .swap_offset = 8192 };
	struct ti_swap sw;

	(void)state;
	ti_swap_make(&sw, 64, 8192, NULL, 0);
	for (unsigned i = 0; i < KHP_SWAP_UUID_SIZE; i++)
		pa.swap_uuid[i] = (uint8_t)(0x10 + i);
	assert_int_equal(khh_check_swap_area(&pa, sw.fd), 0);
	pa.swap_uuid[15] ^= 1;           /* another swap area at that device number */
	assert_int_equal(khh_check_swap_area(&pa, sw.fd), -ENODEV);
	pa.swap_offset = 0;              /* no swap header there at all */
	assert_int_equal(khh_check_swap_area(&pa, sw.fd), -EMEDIUMTYPE);
	ti_swap_close(&sw);
}

/* The helper's messages: a missing handoff is not "no hibernation image" (issue 18). */
static void test_step_errors(void **state)
{
	static const struct {
		enum khh_step step;
		int err;
		const char *msg;
	} cases[] = {
		{ KHH_STEP_HANDOFF, -ENODATA, "no kjump.handoff= on the kernel command line: this "
		  "kernel was not started by khibernate" },
		{ KHH_STEP_HANDOFF, -EBADMSG, "corrupt or truncated layout, handoff or kernel "
		  "(checksum or size mismatch)" },
		{ KHH_STEP_PARAMS, -EPROTONOSUPPORT, "a record of another khibernate version, or with "
		  "an unknown value" },
		{ KHH_STEP_ENTRY, -ENODATA, "no kjump.entry= on the kernel command line" },
		{ KHH_STEP_SAVE, -ENOSPC, "not enough swap space for the image" },
		{ KHH_STEP_SAVE, -ENODEV, "the disk found under the swap area's device number is "
		  "another one (its UUID differs)" },
		{ KHH_STEP_RESTORE, -EBADMSG, "corrupt image (checksum, tag or field mismatch)" },
		{ KHH_STEP_JUMP_BACK, -EINVAL, "the kernel refused the kexec image (built without "
		  "CONFIG_KEXEC_JUMP?), or a layout that cannot confine the helper" },
		{ KHH_STEP_DIRECT, -ENODATA, "no hibernation image waiting" },
		{ KHH_STEP_DIRECT, -EFAULT, "this kernel does not run inside the region the image "
		  "names (the boot loader put it elsewhere)" },
		{ KHH_STEP_DIRECT, -ENOKEY, "the image is encrypted: the initramfs asks for its "
		  "passphrase" },
		{ KHH_STEP_MOUNT, -ENOENT, "No such file or directory" },
		{ KHH_STEP_STATUS, -EFAULT, "Bad address" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(khh_step_error(cases[i].step, cases[i].err), cases[i].msg);
	assert_string_equal(khh_step_name(KHH_STEP_RESTORE), "restoring A's memory (the image "
			    "stays consumed; booting normally)");
	for (unsigned st = 0; st < KHH_STEP_COUNT; st++)
		assert_true(khh_step_name(st)[0] && strcmp(khh_step_name(st), "?"));
}

/* The restore helper started by a boot loader checks where it runs: /proc/iomem as B showed
 * it in the Debian guest (t5040), then the ways a misplaced kernel would show. */
static void test_runs_inside(void **state)
{
	static const char good[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0007ffff : ACPI Tables\n"
		"00080000-0008ffff : System RAM\n"
		"000f0000-000fffff : Reserved\n"
		"00100000-0fffffff : ACPI Tables\n"
		"10000000-17ffffff : System RAM\n"
		"  10e00000-11bfffff : Kernel code\n"
		"  11c00000-11f2ffff : Kernel rodata\n"
		"18000000-3ffd9fff : ACPI Tables\n"
		"fd00000000-ffffffffff : Reserved\n";
	const struct kj_layout l = { .region = { 0x10000000, 128 << 20 }, .hole = { 0x80000, 0x10000 } };
	char text[1024];

	(void)state;
	assert_int_equal(khh_runs_inside(good, &l), 0);
	/* The kernel where GRUB puts a kernel it cannot place as asked: 16 MiB, in A's RAM. */
	snprintf(text, sizeof(text), "%s  01000000-01dfffff : Kernel code\n", good);
	assert_int_equal(khh_runs_inside(text, &l), -EFAULT);
	/* RAM beyond the region: A's RAM given to B as RAM (no memmap= words). */
	snprintf(text, sizeof(text), "%s40000000-4fffffff : System RAM\n", good);
	assert_int_equal(khh_runs_inside(text, &l), -EFAULT);
	/* No kernel code to be seen: not proven inside. */
	assert_int_equal(khh_runs_inside("10000000-17ffffff : System RAM\n", &l), -EFAULT);
	assert_int_equal(khh_runs_inside("", &l), -EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_ranges),
		cmocka_unit_test(test_modules_parse),
		cmocka_unit_test(test_region_at_edges),
		cmocka_unit_test(test_ranges_within),
		cmocka_unit_test(test_restore_targets),
		cmocka_unit_test(test_threads_fit),
		cmocka_unit_test(test_check_swap_area),
		cmocka_unit_test(test_step_errors),
		cmocka_unit_test(test_runs_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
