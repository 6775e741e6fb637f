/* Unit tests of the base (common/): SHA-256 against FIPS 180-4 vectors, incremental updates
 * and libgcrypt; XXH64 against the reference tool; the command line's words; whole files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gcrypt.h>

#include "common/cmdline.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/sha256.h"
#include "common/xxh64.h"

static void hex(const uint8_t *d, char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static const struct {
	const char *msg;
	size_t repeat;
	const char *digest;
} vectors[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
	  "klmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static void test_known_vectors(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct kc_sha256 c;
		uint8_t d[32];
		char h[65];

		kc_sha256_init(&c);
		for (j = 0; j < vectors[i].repeat; j++)
			kc_sha256_update(&c, vectors[i].msg, strlen(vectors[i].msg));
		kc_sha256_final(&c, d);
		hex(d, h);
		assert_string_equal(h, vectors[i].digest);
	}
}

/* Every split point of a message around block boundaries gives the one-shot digest. */
static void test_incremental_equals_oneshot(void **state)
{
	uint8_t msg[200], want[32], got[32];
	size_t len, cut;

	(void)state;
	for (len = 0; len < sizeof(msg); len++)
		msg[len] = (uint8_t)(len * 7 + 3);
	for (len = 0; len <= sizeof(msg); len += 13) {
		kc_sha256(msg, len, want);
		for (cut = 0; cut <= len; cut++) {
			struct kc_sha256 c;

			kc_sha256_init(&c);
			kc_sha256_update(&c, msg, cut);
			kc_sha256_update(&c, msg + cut, len - cut);
			kc_sha256_final(&c, got);
			assert_memory_equal(got, want, 32);
		}
	}
}

/* Lengths 0..300 (every padding case, 55/56/63/64 bytes included) agree with libgcrypt. */
static void test_matches_libgcrypt(void **state)
{
	uint8_t msg[300], want[32], got[32];
	size_t len;

	(void)state;
	for (len = 0; len < sizeof(msg); len++)
		msg[len] = (uint8_t)rand();
	for (len = 0; len <= sizeof(msg); len++) {
		gcry_md_hash_buffer(GCRY_MD_SHA256, want, msg, len);
		kc_sha256(msg, len, got);
		assert_memory_equal(got, want, 32);
	}
}

/* Words of the kernel command line: last value wins, quotes, flags. */
static void test_cmdline_value(void **state)
{
	static const struct {
		const char *cmdline, *key, *want;
		int err;
	} cases[] = {
		{ "ro khibernate.resume=/dev/vda1 quiet", "khibernate.resume=", "/dev/vda1", 0 },
		{ "khibernate.resume=/dev/a khibernate.resume=/dev/b", "khibernate.resume=", "/dev/b", 0 },
		{ "xkhibernate.resume=/dev/a", "khibernate.resume=", NULL, -ENODATA },
		{ "khibernate.resume_offset=5", "khibernate.resume=", NULL, -ENODATA },
		{ "a \"khibernate.resume=LABEL=my swap\" b", "khibernate.resume=", "LABEL=my swap", 0 },
		{ "khibernate.resume=\"LABEL=a b\"", "khibernate.resume=", "LABEL=a b", 0 },
		{ "khibernate.resume=\n", "khibernate.resume=", "", 0 },
		{ "\tkhibernate.resume=/dev/x\n", "khibernate.resume=", "/dev/x", 0 },
		{ "khibernate.resume=/dev/0123456789abcdef", "khibernate.resume=", NULL, -ENAMETOOLONG },
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = kc_cmdline_value(cases[i].cmdline, cases[i].key, buf, sizeof(buf));
		if (r != cases[i].err)
			fail_msg("'%s': got %d, want %d", cases[i].cmdline, r, cases[i].err);
		if (!r)
			assert_string_equal(buf, cases[i].want);
	}
	assert_true(kc_cmdline_flag("a noresume b", "noresume"));
	assert_true(kc_cmdline_flag("noresume", "noresume"));
	assert_false(kc_cmdline_flag("noresumex khibernate.noresume=1", "noresume"));
	assert_false(kc_cmdline_flag("", "noresume"));
}

/* Numbers on the command line (kjump.entry=, kjump.handoff=): the last one, whole words. */
static void test_cmdline_u64(void **state)
{
	static const struct {
		const char *cmdline, *key;
		int err;
		uint64_t want;
	} cases[] = {
		{ "console=ttyS0 kjump.handoff=0x0000000010e02000 kjump.entry=0x000000003fffd0a7\n",
		  "kjump.entry=", 0, 0x3fffd0a7 },
		{ "kjump.handoff=0x10e02000 quiet", "kjump.handoff=", 0, 0x10e02000 },
		{ "xkjump.entry=0x5 kjump.entry=0x6", "kjump.entry=", 0, 6 },
		{ "kjump.entry=12", "kjump.entry=", 0, 12 },
		{ "quiet", "kjump.entry=", -ENODATA, 0 },
		{ "kjump.entry=0xzz", "kjump.entry=", -EINVAL, 0 },
		{ "kjump.entry=", "kjump.entry=", -EINVAL, 0 },
		{ "kjump.entry=0x99999999999999999", "kjump.entry=", -EINVAL, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;

		assert_int_equal(kc_cmdline_u64(cases[i].cmdline, cases[i].key, &v), cases[i].err);
		if (cases[i].err == 0)
			assert_int_equal(v, cases[i].want);
	}
}

/* Every value of a key in turn (memmap= words, console= words). */
static void test_cmdline_next(void **state)
{
	const char *p = "console=tty0 memmap=64K$0x80000 \"console=ttyS0,115200\" memmap=x console=";
	char buf[32];

	(void)state;
	assert_true(kc_cmdline_next(&p, "console=", buf, sizeof(buf)));
	assert_string_equal(buf, "tty0");
	assert_true(kc_cmdline_next(&p, "console=", buf, sizeof(buf)));
	assert_string_equal(buf, "ttyS0,115200");
	assert_true(kc_cmdline_next(&p, "console=", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_false(kc_cmdline_next(&p, "console=", buf, sizeof(buf)));
	p = "memmap=0123456789abcdefghijklmnopqrstuvwxyz memmap=1";
	assert_true(kc_cmdline_next(&p, "memmap=", buf, sizeof(buf)));  /* the long one skipped */
	assert_string_equal(buf, "1");
}

/* Whole files: /proc ones (no size), the bound, a missing file. */
static void test_read_file(void **state)
{
	char *buf;
	size_t n;

	(void)state;
	assert_int_equal(kc_read_file("/proc/self/stat", 1u << 16, &buf, &n), 0);
	assert_true(n > 0 && strlen(buf) == n);
	free(buf);
	assert_int_equal(kc_read_file("/proc/self/stat", 8, &buf, &n), -EFBIG);
	assert_int_equal(kc_read_file("/nonexistent", 8, &buf, &n), -ENOENT);
}

/* XXH64 of bytes (i * 7 + 3) mod 256, i = 0..len-1: seed 0 from the reference tool
 * (`xxhsum -H64`, xxHash 0.8.1), the other seed from its library (XXH64() of libxxhash 0.8.1,
 * whose CLI takes no seed). Lengths on each side of the tail steps (1, 4, 8 bytes) and of the
 * 32-byte stripe. */
static const struct {
	size_t len;
	uint64_t seed, hash;
} xxh64_vectors[] = {
	{ 0, 0, 0xef46db3751d8e999ull },    { 1, 0, 0x1f25c8d0bc1f4bb6ull },
	{ 3, 0, 0x31d2363f52e564c9ull },    { 4, 0, 0x9bb64b7d66ee9fdaull },
	{ 7, 0, 0x9a7b149959ce60d8ull },    { 8, 0, 0xdab99d95c6f90092ull },
	{ 9, 0, 0x170bb6bf975b4c02ull },    { 31, 0, 0xa2aa5f33cc4a6119ull },
	{ 32, 0, 0x23c3c17ef790fd97ull },   { 33, 0, 0x50a7cfc7ba588784ull },
	{ 63, 0, 0x5e3e54b431c7493cull },   { 64, 0, 0x0eb64b3ef6eeb01full },
	{ 100, 0, 0xa61f8d4c170fe531ull },  { 1000, 0, 0x5f235fa033f1a3fbull },
	{ 0, 0x0123456789abcdefull, 0x51e24c0e9077a48cull },
	{ 5, 0x0123456789abcdefull, 0x7ac093fe3e6c37daull },
	{ 33, 0x0123456789abcdefull, 0xbf84912d4dea9670ull },
	{ 1000, 0x0123456789abcdefull, 0x86fe41ff40ab90dbull },
};

/* The vectors, at every offset from an aligned buffer (the reads must not care). */
static void test_xxh64_vectors(void **state)
{
	static uint8_t buf[1000 + 8];

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		for (size_t i = 0; i < 1000; i++)
			buf[off + i] = (uint8_t)(i * 7 + 3);
		for (size_t i = 0; i < sizeof(xxh64_vectors) / sizeof(xxh64_vectors[0]); i++)
			assert_true(kc_xxh64(buf + off, xxh64_vectors[i].len, xxh64_vectors[i].seed) ==
				    xxh64_vectors[i].hash);
	}
}

static void test_hex(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x7f, 0xa5, 0xff };
	uint8_t back[4];
	char text[9];

	(void)state;
	kc_hex_encode(bytes, sizeof(bytes), text);
	assert_string_equal(text, "007fa5ff");
	assert_int_equal(kc_hex_decode(text, back, sizeof(back)), 0);
	assert_memory_equal(back, bytes, sizeof(bytes));
	assert_int_equal(kc_hex_decode("007FA5FF", back, sizeof(back)), 0);  /* either case */
	assert_memory_equal(back, bytes, sizeof(bytes));
	assert_int_equal(kc_hex_decode("007fa5f", back, sizeof(back)), -EINVAL);  /* short */
	assert_int_equal(kc_hex_decode("007fa5fg", back, sizeof(back)), -EINVAL);
	assert_int_equal(kc_hex_decode("0x7fa5ff", back, sizeof(back)), -EINVAL);
	assert_int_equal(kc_hex_digit('G'), -1);
	assert_int_equal(kc_hex_digit('B'), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_incremental_equals_oneshot),
		cmocka_unit_test(test_matches_libgcrypt),
		cmocka_unit_test(test_xxh64_vectors),
		cmocka_unit_test(test_cmdline_value),
		cmocka_unit_test(test_cmdline_u64),
		cmocka_unit_test(test_cmdline_next),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_hex),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	if (!gcry_check_version(NULL))
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
