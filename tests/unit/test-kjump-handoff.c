/* Unit tests: handoff v1 encode/decode, and the command-line parameters B reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/byteorder.h"
#include "kjump/kjump.h"

static const char payload[] = "swap=/dev/vda1 extents=0x100000+0x4000000 threads=2";

static void sample_layout(struct kj_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->region = (struct kj_range){ 0x10000000, 128u << 20 };
	l->hole = (struct kj_range){ 0x80000, 0x10000 };
	l->entries[0] = (struct kj_map_entry){ 0x1000, 0x7f000, KJ_E820_RAM };
	l->entries[1] = (struct kj_map_entry){ 0x80000, 0x10000, KJ_E820_RESERVED };
	l->entries[2] = (struct kj_map_entry){ 0x100000, 0x3ff00000, KJ_E820_RAM };
	l->entries[3] = (struct kj_map_entry){ 0x100000000, 1ULL << 32, KJ_E820_RAM };
	l->nr_entries = 4;
}

static ssize_t encode(uint8_t *buf, size_t size)
{
	struct kj_layout l;

	sample_layout(&l);
	return kj_handoff_encode(&l, payload, sizeof(payload), buf, size);
}

static void test_round_trip(void **state)
{
	struct kj_layout l;
	struct kj_handoff h;
	uint8_t buf[1024];
	ssize_t n = encode(buf, sizeof(buf));

	(void)state;
	sample_layout(&l);
	assert_int_equal(n, kj_handoff_size(&l, sizeof(payload)));
	assert_int_equal(kj_handoff_decode(buf, (size_t)n, &h), 0);
	assert_memory_equal(&h.layout, &l, sizeof(l));
	assert_int_equal(h.payload_size, sizeof(payload));
	assert_memory_equal(h.payload, payload, sizeof(payload));
	/* Bytes after the handoff (the rest of its page) do not matter. */
	assert_int_equal(kj_handoff_decode(buf, sizeof(buf), &h), 0);
}

static void test_empty_payload(void **state)
{
	struct kj_layout l;
	struct kj_handoff h;
	uint8_t buf[1024];
	ssize_t n;

	(void)state;
	sample_layout(&l);
	n = kj_handoff_encode(&l, NULL, 0, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(kj_handoff_decode(buf, (size_t)n, &h), 0);
	assert_int_equal(h.payload_size, 0);
}

static void test_buffer_too_small(void **state)
{
	uint8_t buf[1024];
	ssize_t n = encode(buf, sizeof(buf));

	(void)state;
	assert_int_equal(encode(buf, (size_t)n - 1), -ENOBUFS);
}

/* Each field corrupted gives the documented error: magic, version and flags are checked
 * first, then the sizes, then the digest, which catches a flipped byte anywhere else. */
static void test_corrupt_fields(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		uint8_t xor;
		int err;
	} cases[] = {
		{ "magic", 0, 0x01, -ENODATA },
		{ "version", 8, 0x01, -EPROTONOSUPPORT },
		{ "flags", 20, 0x01, -EPROTONOSUPPORT },
		{ "header size", 12, 0x01, -EBADMSG },
		{ "total size", 16, 0x01, -EBADMSG },
		{ "layout offset", 24, 0x01, -EBADMSG },
		{ "layout size", 28, 0x18, -EBADMSG },
		{ "payload offset", 32, 0x01, -EBADMSG },
		{ "payload size", 36, 0x01, -EBADMSG },
		{ "reserved", 40, 0x01, -EBADMSG },
		{ "digest", 48, 0x01, -EBADMSG },
		{ "layout body", 80 + 24, 0x01, -EBADMSG },
		{ "payload body", 80 + 64 + 4 * 24, 0x01, -EBADMSG },
	};
	struct kj_handoff h;
	uint8_t buf[1024];
	ssize_t n = encode(buf, sizeof(buf));
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("corrupt: %s\n", cases[i].what);
		buf[cases[i].off] ^= cases[i].xor;
		assert_int_equal(kj_handoff_decode(buf, (size_t)n, &h), cases[i].err);
		buf[cases[i].off] ^= cases[i].xor;
	}
	assert_int_equal(kj_handoff_decode(buf, (size_t)n, &h), 0);
}

static void test_truncated(void **state)
{
	struct kj_handoff h;
	uint8_t buf[1024];
	ssize_t n = encode(buf, sizeof(buf));
	size_t len;

	(void)state;
	for (len = 8; len < (size_t)n; len++)
		assert_int_equal(kj_handoff_decode(buf, len, &h), -EBADMSG);
	assert_int_equal(kj_handoff_decode(buf, 7, &h), -ENODATA);
}

/* kjump's words for its codes: -ENOSPC is the region, never swap space (issue 18). */
static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(kj_strerror(-ENOSPC), "the reserved region is too small for the helper "
			    "kernel and its initramfs");
	assert_string_equal(kj_strerror(-ENODATA), "no region reserved for the helper "
			    "(crashkernel=), or no kjump.handoff= on the kernel command line");
	assert_string_equal(kj_strerror(-EIO), strerror(EIO));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_corrupt_fields),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_strerror),
	};

	if (getenv("TESTFUNCS"))
		cmocka_set_test_filter(getenv("TESTFUNCS"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
