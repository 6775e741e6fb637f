/* Unit tests: the A→B parameters, the B→A status record, the platform blob, build-id notes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "byteorder.h"
#include "common/cmdline.h"
#include "common/khib-params.h"
#include "common/khib-status.h"
#include "common/platform.h"
#include "common/sysid.h"

static struct khi_extent extents[3] = {
	{ 0x1000, 0x4000 }, { 0x100000, 0x1000 }, { 0x7f000000, 0x200000 },
};

static struct kh_params sample_params(void)
{
	struct kh_params p = {
		.mode = KH_MODE_SAVE, .after = KH_AFTER_POWEROFF, .compression = KHI_COMPRESS_LZ4HC,
		.level = 9, .threads = 2, .flags = KH_F_PASSPHRASE | KH_F_SWAPFILE,
		.swap_major = 254, .swap_minor = 1, .swap_offset = 0x123000,
		.size_estimate = 1ull << 30, .status_addr = 0x3ff000, .entry = 0x12345678abc,
		.vmcoreinfo_addr = 0x2000000, .vmcoreinfo_size = 4096, .nr_extents = 3,
		.extents = extents,
	};
	strcpy(p.passphrase, "correct horse");
	strcpy(p.kernel_release, "6.12.117");
	strcpy(p.label, "laptop");
	strcpy(p.swap_path, "/dev/vda1");
	for (unsigned i = 0; i < KHI_KERNEL_ID_SIZE; i++)
		p.kernel_id[i] = (uint8_t)i;
	memset(p.machine_id, 0xab, sizeof(p.machine_id));
	memset(p.image_id, 0x5a, sizeof(p.image_id));
	return p;
}

static uint8_t *encode(const struct kh_params *p, size_t *ret_size)
{
	size_t size = kh_params_size(p);
	uint8_t *buf = malloc(size);

	assert_non_null(buf);
	assert_int_equal(kh_params_encode(p, buf, size), (ssize_t)size);
	*ret_size = size;
	return buf;
}

static void test_params_round_trip(void **state)
{
	struct kh_params p = sample_params(), q;
	size_t size;
	uint8_t *buf = encode(&p, &size);

	(void)state;
	assert_int_equal(size, KH_PARAMS_FIXED_SIZE + 3 * KH_PARAMS_EXTENT_SIZE);
	assert_int_equal(kh_params_decode(buf, size, &q), 0);
	assert_int_equal(q.mode, p.mode);
	assert_int_equal(q.level, 9);
	assert_int_equal(q.swap_offset, p.swap_offset);
	assert_int_equal(q.entry, p.entry);
	assert_int_equal(q.nr_extents, 3);
	assert_memory_equal(q.extents, extents, sizeof(extents));
	assert_string_equal(q.passphrase, "correct horse");
	assert_string_equal(q.swap_path, "/dev/vda1");
	assert_memory_equal(q.kernel_id, p.kernel_id, KHI_KERNEL_ID_SIZE);
	assert_memory_equal(q.image_id, p.image_id, KHI_IMAGE_ID_SIZE);
	kh_params_clear(&q);
	assert_null(q.extents);
	assert_int_equal(q.passphrase[0], 0);
	free(buf);
}

static void test_params_encode_errors(void **state)
{
	struct kh_params p = sample_params();
	uint8_t buf[KH_PARAMS_FIXED_SIZE];

	(void)state;
	assert_int_equal(kh_params_encode(&p, buf, sizeof(buf)), -ENOBUFS);
	p.nr_extents = 0;
	memset(p.label, 'x', sizeof(p.label)); /* no NUL in its field */
	assert_int_equal(kh_params_encode(&p, buf, sizeof(buf)), -EINVAL);
}

/* Each corruption of an encoded block and the error the decoder must give. */
static const struct {
	const char *what;
	size_t off;       /* where to write */
	uint32_t value;   /* the little-endian u32 written there */
	int err;
} corruptions[] = {
	{ "magic", 0, 0x41414141, -EBADMSG },
	{ "version", 8, 2, -EPROTONOSUPPORT },
	{ "fixed size", 12, 512, -EBADMSG },
	{ "total size", 16, 100, -EBADMSG },
	{ "mode", 20, 7, -EPROTONOSUPPORT },
	{ "after", 24, 0, -EPROTONOSUPPORT },
	{ "compression", 28, 3, -EPROTONOSUPPORT },
	{ "unknown flag", 40, 0x80, -EPROTONOSUPPORT },
	{ "key and passphrase", 40, KH_F_KEY | KH_F_PASSPHRASE, -EBADMSG },
	{ "extent count", 52, 4, -EBADMSG },
	{ "unaligned swap offset", 56, 0x123001, -EBADMSG },
	{ "string without NUL", 424, 0x41414141, 0 }, /* fixed up below */
	{ "reserved byte", 1000, 1, -EBADMSG },
	{ "unaligned extent", KH_PARAMS_FIXED_SIZE, 0x1001, -EBADMSG },
	{ "empty extent", KH_PARAMS_FIXED_SIZE + 8, 0, -EBADMSG },
};

static void test_params_corrupt(void **state)
{
	struct kh_params p = sample_params(), q;
	size_t size;
	uint8_t *good = encode(&p, &size), *buf = malloc(size);

	(void)state;
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		memcpy(buf, good, size);
		put_le32(buf + corruptions[i].off, corruptions[i].value);
		if (!corruptions[i].err) /* fill kernel_release's field: no NUL anywhere in it */
			memset(buf + 424, 'A', KHI_RELEASE_MAX + 1);
		int r = kh_params_decode(buf, size, &q);
		if (r != (corruptions[i].err ? corruptions[i].err : -EBADMSG))
			fail_msg("%s: got %d", corruptions[i].what, r);
		assert_null(q.extents);
	}
	/* Truncated anywhere. */
	for (size_t n = 0; n < size; n += 7)
		assert_int_equal(kh_params_decode(good, n, &q), -EBADMSG);
	free(buf);
	free(good);
}

static void test_status_round_trip(void **state)
{
	struct kh_status s = { .event = KH_EVENT_RESTORED, .error = -EBADMSG,
			       .helper_boot_ns = 2100000000, .phase_ns = { 1, 2, 3, 4 } }, t;
	uint8_t rec[KH_STATUS_SIZE];

	(void)state;
	memset(s.image_id, 7, sizeof(s.image_id));
	s.stats.pages_total = 262144;
	s.stats.pages_zero = 100000;
	s.stats.bytes_image = 123456789;
	s.stats.ns_total = 987654321;
	s.stats.threads = 2;
	kh_status_encode(&s, rec);
	assert_int_equal(kh_status_decode(rec, &t), 0);
	assert_int_equal(t.event, KH_EVENT_RESTORED);
	assert_int_equal(t.error, -EBADMSG);
	assert_int_equal(t.phase_ns[3], 4);
	assert_int_equal(t.stats.pages_zero, 100000);
	assert_int_equal(t.stats.bytes_image, 123456789);
	assert_int_equal(t.stats.ns_total, 987654321);
	assert_int_equal(t.stats.threads, 2);
	assert_memory_equal(t.image_id, s.image_id, sizeof(s.image_id));

	rec[100] ^= 1; /* any flipped bit */
	assert_int_equal(kh_status_decode(rec, &t), -EBADMSG);
	memset(rec, 0, sizeof(rec)); /* B never wrote one */
	assert_int_equal(kh_status_decode(rec, &t), -ENODATA);
}

static void test_platform_round_trip(void **state)
{
	struct kj_layout l = {
		.region = { 0x10000000, 128 << 20 }, .hole = { 0x80000, 0x10000 }, .nr_entries = 3,
		.entries = { { 0x1000, 0x7f000, KJ_E820_RAM }, { 0x80000, 0x10000, KJ_E820_RESERVED },
			     { 0x100000, 0x3ff00000, KJ_E820_RAM } },
	}, m;
	uint8_t buf[4096];
	uint64_t status;
	ssize_t n;

	(void)state;
	n = kh_platform_encode(&l, 0x3ff000, buf, sizeof(buf));
	assert_true(n > (ssize_t)KH_PLATFORM_HEADER);
	assert_int_equal(kh_platform_decode(buf, (size_t)n, &m, &status), 0);
	assert_int_equal(status, 0x3ff000);
	assert_int_equal(m.region.start, l.region.start);
	assert_int_equal(m.nr_entries, 3);
	assert_int_equal(kh_platform_decode(buf, (size_t)n - 1, &m, &status), -EBADMSG);
	buf[8] = 2;
	assert_int_equal(kh_platform_decode(buf, (size_t)n, &m, &status), -EPROTONOSUPPORT);
	assert_int_equal(kh_platform_encode(&l, 0, buf, 10), -ENOBUFS);
}

/* Notes as /sys/kernel/notes shows them: Xen's first, then the GNU build-id. */
static size_t make_notes(uint8_t *b, uint32_t id_len)
{
	size_t off = 0;

	put_le32(b, 4); put_le32(b + 4, 4); put_le32(b + 8, 1); memcpy(b + 12, "Xen", 4);
	put_le32(b + 16, 0xdeadbeef);
	off = 20;
	put_le32(b + off, 4); put_le32(b + off + 4, id_len); put_le32(b + off + 8, 3);
	memcpy(b + off + 12, "GNU", 4);
	for (uint32_t i = 0; i < id_len; i++)
		b[off + 16 + i] = (uint8_t)(0xa0 + i);
	return off + 16 + ((id_len + 3) & ~3u);
}

static void test_build_id(void **state)
{
	uint8_t notes[256], id[KHI_KERNEL_ID_SIZE];
	size_t n = make_notes(notes, 20);

	(void)state;
	assert_int_equal(kh_build_id_from_notes(notes, n, id), 0);
	assert_int_equal(id[0], 0xa0);
	assert_int_equal(id[19], 0xa0 + 19);
	assert_int_equal(id[20], 0);
	assert_int_equal(kh_build_id_from_notes(notes, 20, id), -ENODATA);
	assert_int_equal(kh_build_id_from_notes(notes, n - 4, id), -EBADMSG);
	n = make_notes(notes, 40);
	assert_int_equal(kh_build_id_from_notes(notes, n, id), -ENOBUFS);
	put_le32(notes + 4, 0xfffffff0); /* a size beyond the buffer */
	assert_int_equal(kh_build_id_from_notes(notes, n, id), -EBADMSG);
}

/* Whatever this machine booted with, the helper gets only its console= words, then ours. */
static void test_helper_cmdline(void **state)
{
	char buf[512], tiny[12], *tok, *save;
	const char *last = NULL;

	(void)state;
	kh_helper_cmdline("quiet loglevel=3", buf, sizeof(buf));
	assert_non_null(strstr(buf, "panic=5 quiet loglevel=3"));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "panic=5"))
			break;
		assert_int_equal(strncmp(tok, "console=", 8), 0);
	}
	kh_helper_cmdline(NULL, buf, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		last = tok;
	assert_string_equal(last, "panic=5");
	kh_helper_cmdline("a-long-argument", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_round_trip),
		cmocka_unit_test(test_params_encode_errors),
		cmocka_unit_test(test_params_corrupt),
		cmocka_unit_test(test_status_round_trip),
		cmocka_unit_test(test_platform_round_trip),
		cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_helper_cmdline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
