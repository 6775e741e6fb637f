/* Unit tests: bzImage setup header parsing, synthetic headers and the real kernel. */
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
#include "common/fileio.h"
#include "kjump/internal.h"
#include "kjump/kjump.h"
#include "tests/unit/kjump-fake-bzimage.h"

static void test_synthetic_good(void **state)
{
	uint8_t *b = fake_bzimage();
	struct kj_bzimage k;

	(void)state;
	assert_int_equal(kj_bzimage_parse(b, FAKE_SIZE, &k), 0);
	assert_int_equal(k.version, 0x020f);
	assert_string_equal(k.release, "6.12.117-test");
	assert_int_equal(k.setup_size, FAKE_SETUP_SIZE);
	assert_int_equal(k.header_end, 0x26c);
	assert_ptr_equal(k.kernel, b + FAKE_SETUP_SIZE);
	assert_int_equal(k.kernel_size, FAKE_KERNEL_SIZE);
	assert_int_equal(k.kernel_alignment, 0x200000);
	assert_int_equal(k.init_size, FAKE_INIT_SIZE);
	assert_int_equal(k.cmdline_size, 2047);
	assert_int_equal(k.initrd_addr_max, 0x7fffffff);
	free(b);
}

/* The release string is optional and must lie in the setup part: else it is empty. */
static void test_release_outside(void **state)
{
	uint8_t *b = fake_bzimage();
	struct kj_bzimage k;

	(void)state;
	put_le16(b + 0x20e, FAKE_SETUP_SIZE - 0x200 - 4);
	memcpy(b + FAKE_SETUP_SIZE - 4, "6.12", 4);  /* runs into the kernel's bytes: cut there */
	assert_int_equal(kj_bzimage_parse(b, FAKE_SIZE, &k), 0);
	assert_string_equal(k.release, "6.12");
	put_le16(b + 0x20e, 0);
	assert_int_equal(kj_bzimage_parse(b, FAKE_SIZE, &k), 0);
	assert_string_equal(k.release, "");
	free(b);
}

/* Releases against the range of the kexec-jump convention kjump follows. */
static void test_release_range(void **state)
{
	static const struct {
		const char *release;
		enum kj_release want;
	} cases[] = {
		{ "6.12.117+deb12-amd64", KJ_RELEASE_OK }, { "6.12.5", KJ_RELEASE_OK },
		{ "6.12.4", KJ_RELEASE_OLD }, { "6.12", KJ_RELEASE_OLD }, { "6.1.0-28-amd64", KJ_RELEASE_OLD },
		{ "5.19.17", KJ_RELEASE_OLD }, { "6.13.12", KJ_RELEASE_OK }, { "6.13-rc4", KJ_RELEASE_OK },
		{ "6.14.0", KJ_RELEASE_NEW }, { "6.14-rc1", KJ_RELEASE_NEW }, { "6.16.3-arch1-1", KJ_RELEASE_NEW },
		{ "7.0", KJ_RELEASE_NEW }, { "", KJ_RELEASE_UNKNOWN }, { "6", KJ_RELEASE_UNKNOWN },
		{ "v6.12.5", KJ_RELEASE_UNKNOWN }, { "6.x", KJ_RELEASE_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].release);
		assert_int_equal(kj_release_check(cases[i].release), cases[i].want);
	}
}

/* One defect per case, each with the error kjump.h documents. */
static void test_synthetic_bad(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		uint8_t val;
		size_t size; /* 0: whole image */
		int err;
	} cases[] = {
		{ "truncated in the setup", 0, 0, FAKE_SETUP_SIZE - 1, -EBADMSG },
		{ "truncated in the kernel", 0, 0, FAKE_SIZE - 16, -EBADMSG },
		{ "truncated in the boot sector", 0, 0, 0x1f0, -ENOEXEC },
		{ "no HdrS", 0x202, 'X', 0, -ENOEXEC },
		{ "no 0xaa55", 0x1fe, 0, 0, -ENOEXEC },
		{ "protocol 2.11", 0x206, 0x0b, 0, -EPROTONOSUPPORT },
		{ "protocol 1.x", 0x207, 0x01, 0, -EPROTONOSUPPORT },
		{ "no 64-bit entry (32-bit kernel)", 0x236, 0x02, 0, -EPROTONOSUPPORT },
		{ "not relocatable", 0x234, 0, 0, -EPROTONOSUPPORT },
		{ "setup larger than the file", 0x1f1, 200, 0, -EBADMSG },
		{ "header end past boot_params' header", 0x201, 0xff, 0, -EBADMSG },
		{ "header end before init_size", 0x201, 0x40, 0, -EBADMSG },
		{ "syssize zero", 0x1f5, 0, 0, -EBADMSG },
		{ "alignment not a power of two", 0x231, 0x30, 0, -EBADMSG },
		{ "init_size below the kernel's size", 0x262, 0, 0, -EBADMSG },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *b = fake_bzimage();
		struct kj_bzimage k;

		print_message("case: %s\n", cases[i].what);
		if (cases[i].off)
			b[cases[i].off] = cases[i].val;
		assert_int_equal(kj_bzimage_parse(b, cases[i].size ? cases[i].size : FAKE_SIZE, &k),
				 cases[i].err);
		free(b);
	}
}

/* Other kinds of kernel files are not bzImages at all. */
static void test_wrong_format(void **state)
{
	static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint8_t *arm64 = calloc(1, 4096);
	struct kj_bzimage k;

	(void)state;
	memcpy(arm64 + 0x38, "ARM\x64", 4); /* arm64 Image header magic */
	assert_int_equal(kj_bzimage_parse(arm64, 4096, &k), -ENOEXEC);
	assert_int_equal(kj_bzimage_parse(elf, sizeof(elf), &k), -ENOEXEC);
	assert_int_equal(kj_bzimage_parse(elf, 0, &k), -ENOEXEC);
	free(arm64);
}

/* The kernel `make kernel` built, when there is one. */
/* GRUB loads a relocatable kernel at pref_address: direct resume sets it inside the region. */
static void test_set_load_address(void **state)
{
	uint8_t *b = fake_bzimage();
	struct kj_bzimage k;

	(void)state;
	assert_int_equal(kj_bzimage_set_load_address(b, FAKE_SIZE, 0x10000000), 0);
	assert_int_equal(get_le64(b + 0x258), 0x10000000);
	assert_int_equal(kj_bzimage_parse(b, FAKE_SIZE, &k), 0);
	assert_int_equal(kj_bzimage_set_load_address(b, FAKE_SIZE, 0x10100000), -EINVAL);
	assert_int_equal(kj_bzimage_set_load_address(b, FAKE_SIZE, 0x800000), -EINVAL);
	assert_int_equal(get_le64(b + 0x258), 0x10000000);
	b[0x234] = 0;  /* not relocatable: it runs where it was linked, whatever a loader does */
	assert_int_equal(kj_bzimage_set_load_address(b, FAKE_SIZE, 0x10000000), -EPROTONOSUPPORT);
	free(b);
}

static void test_real_kernel(void **state)
{
	const char *path = getenv("KJ_TEST_BZIMAGE") ? getenv("KJ_TEST_BZIMAGE") : "build/kernel/bzImage";
	struct kj_bzimage k;
	char *buf;
	size_t size;

	(void)state;
	if (kc_read_file(path, 256u << 20, &buf, &size) < 0) {
		print_message("no %s (make kernel): skipped\n", path);
		skip();
	}
	if (size > 0x234 && buf[0x234] == 0) {
		free(buf);
		print_message("%s is not relocatable (CONFIG_RELOCATABLE): kjump cannot load it\n", path);
		skip();
	}
	assert_int_equal(kj_bzimage_parse(buf, size, &k), 0);
	assert_true(k.version >= KJ_BZIMAGE_MIN_VERSION);
	assert_true(k.init_size >= k.kernel_size);
	assert_int_equal(k.setup_size + k.kernel_size, size);
	assert_true(k.kernel_alignment >= 4096);
	assert_true(k.release[0] >= '1' && k.release[0] <= '9');
	assert_int_equal(kj_release_check(k.release), KJ_RELEASE_OK); /* Debian's 6.12 */
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_good),
		cmocka_unit_test(test_release_outside),
		cmocka_unit_test(test_synthetic_bad),
		cmocka_unit_test(test_wrong_format),
		cmocka_unit_test(test_release_range),
		cmocka_unit_test(test_set_load_address),
		cmocka_unit_test(test_real_kernel),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
