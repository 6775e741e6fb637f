/* Unit tests: common/sha256.c against FIPS 180-4 vectors, incremental updates, libgcrypt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gcrypt.h>

#include "common/sha256.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_incremental_equals_oneshot),
		cmocka_unit_test(test_matches_libgcrypt),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	if (!gcry_check_version(NULL))
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
