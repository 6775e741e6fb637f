/* Unit tests: khibernate's configuration, extent lists and swap-file offsets. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "khibernate/config.h"
#include "khibernate/plan.h"
#include "khibernate/reserve.h"
#include "khibernate/swaptarget.h"

static const struct {
	const char *key, *value;
	int err;
} settings[] = {
	{ "swap", "/dev/vda1", 0 },
	{ "threads", "4", 0 },
	{ "threads", "65", -EINVAL },
	{ "threads", "", -EINVAL },
	{ "threads", "2x", -EINVAL },
	{ "threads", "-1", -EINVAL },
	{ "reserve", "99999999999", -EINVAL },
	{ "reserve", "-5", -EINVAL },
	{ "reserve", "512", 0 },
	{ "compress", "lz4", 0 },
	{ "compress", "none", 0 },
	{ "compress", "lz4hc", 0 },
	{ "compress", "lz4hc:12", 0 },
	{ "compress", "lz4hc:13", -EINVAL },
	{ "compress", "lz4hc:", -EINVAL },
	{ "compress", "zstd", -EINVAL },
	{ "encrypt", "passphrase", 0 },
	{ "encrypt", "keyfile:/etc/k", 0 },
	{ "encrypt", "keyfile:", -EINVAL },
	{ "encrypt", "rot13", -EINVAL },
	{ "colour", "blue", -ENOENT },
};

static void test_config_set(void **state)
{
	struct kh_config c;

	(void)state;
	kh_config_init(&c);
	assert_int_equal(c.compression, KHI_COMPRESS_LZ4);
	assert_string_equal(c.helper_kernel, "/boot/khib/bzImage");
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		int r = kh_config_set(&c, settings[i].key, settings[i].value);
		if (r != settings[i].err)
			fail_msg("%s = %s: got %d, want %d", settings[i].key, settings[i].value, r,
				 settings[i].err);
	}
	assert_string_equal(c.swap, "/dev/vda1");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.reserve_mib, 512);
	assert_int_equal(c.encrypt, KH_ENCRYPT_KEYFILE);
	assert_string_equal(c.keyfile, "/etc/k");
}

static char *write_tmp(const char *text)
{
	static char path[] = "/tmp/khib-config-XXXXXX";
	int fd;

	strcpy(path, "/tmp/khib-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* The first reservation is the estimate (or `reserve`), never more than the image can take. */
static void test_first_budget(void **state)
{
	struct kh_plan p = { .estimate = 100 << 20, .worst_case = 900 << 20, .swap_free = 2000u << 20 };

	(void)state;
	kh_config_init(&p.config);
	assert_int_equal(kh_plan_image_budget(&p), 900 << 20);
	assert_int_equal(kh_plan_first_budget(&p), 100 << 20);
	p.config.reserve_mib = 40;
	assert_int_equal(kh_plan_first_budget(&p), 40 << 20);
	p.config.reserve_mib = 4000;
	assert_int_equal(kh_plan_first_budget(&p), 900 << 20);
	p.swap_free = 500 << 20;
	assert_int_equal(kh_plan_first_budget(&p), 500 << 20);
}

static void test_config_file(void **state)
{
	struct kh_config c;
	unsigned line = 0;
	char *path;

	(void)state;
	kh_config_init(&c);
	path = write_tmp("# khibernate\n\n  swap = /swapfile   # a file\ncompress=lz4hc:4\n"
			 "helper_cmdline = quiet loglevel=3\n");
	assert_int_equal(kh_config_load(&c, path, 1, &line), 0);
	assert_string_equal(c.swap, "/swapfile");
	assert_int_equal(c.compression, KHI_COMPRESS_LZ4HC);
	assert_int_equal(c.level, 4);
	assert_string_equal(c.helper_cmdline, "quiet loglevel=3");
	unlink(path);

	path = write_tmp("swap = /dev/sda2\nthreads = many\n");
	assert_int_equal(kh_config_load(&c, path, 1, &line), -EINVAL);
	assert_int_equal(line, 2);
	unlink(path);
	path = write_tmp("just words\n");
	assert_int_equal(kh_config_load(&c, path, 1, &line), -EINVAL);
	unlink(path);
	assert_int_equal(kh_config_load(&c, "/nonexistent/khib.conf", 0, &line), 0);
	assert_int_equal(kh_config_load(&c, "/nonexistent/khib.conf", 1, &line), -ENOENT);
}

static void test_extents_merge(void **state)
{
	/* Slots as the allocator hands them out: runs, a jump back, a gap. */
	static const uint64_t slots[] = { 8, 9, 10, 11, 40, 41, 3, 12, 13 };
	static const struct khi_extent want[] = {
		{ 8 * 4096, 4 * 4096 }, { 40 * 4096, 2 * 4096 }, { 3 * 4096, 4096 },
		{ 12 * 4096, 2 * 4096 },
	};
	struct khi_extent *list = NULL;
	size_t nr = 0, cap = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		assert_int_equal(kh_extents_add(&list, &nr, &cap, slots[i] * 4096, 4096), 0);
	assert_int_equal(nr, 4);
	assert_memory_equal(list, want, sizeof(want));
	for (uint64_t i = 0; i < 1000; i++) /* growth past the first allocation */
		assert_int_equal(kh_extents_add(&list, &nr, &cap, (1000 + 2 * i) * 4096, 4096), 0);
	assert_int_equal(nr, 1004);
	free(list);
}

/* FIEMAP on a real file in the build tree: a file written with data maps to one or more
 * plain extents; a sparse file has a hole and must be refused. Skips where the filesystem
 * has no FIEMAP (tmpfs, overlayfs). */
static void test_swapfile_offset(void **state)
{
	char path[] = "build/khib-fiemap-XXXXXX";
	static char block[1 << 16];
	uint64_t off = 0;
	int fd, r;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(block, 0x5a, sizeof(block));
	for (int i = 0; i < 16; i++)
		assert_int_equal(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	fsync(fd);
	r = kh_swap_file_offset(fd, &off);
	if (r == -EXDEV) {
		close(fd);
		unlink(path);
		skip();
	}
	assert_int_equal(r, 0);
	assert_true(off > 0);
	assert_int_equal(off % 4096, 0);
	/* Punch a hole: the file can no longer be trusted as swap. */
	assert_int_equal(ftruncate(fd, 1 << 21), 0);
	assert_int_equal(kh_swap_file_offset(fd, &off), -EUCLEAN);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_set),
		cmocka_unit_test(test_first_budget),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_extents_merge),
		cmocka_unit_test(test_swapfile_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
