/* Unit tests: the A→B parameters, the B→A status record, the platform blob, build-id notes. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/byteorder.h"
#include "common/fileio.h"
#include "protocol/blockdev.h"
#include "protocol/direct.h"
#include "protocol/errors.h"
#include "protocol/load.h"
#include "protocol/log.h"
#include "protocol/memmap.h"
#include "protocol/params.h"
#include "protocol/platform.h"
#include "protocol/resume-args.h"
#include "protocol/secret.h"
#include "protocol/status.h"
#include "protocol/sysid.h"

static struct khi_extent extents[3] = {
	{ 0x1000, 0x4000 }, { 0x100000, 0x1000 }, { 0x7f000000, 0x200000 },
};

static struct khp_params sample_params(void)
{
	struct khp_params p = {
		.mode = KHP_MODE_SAVE, .after = KHP_AFTER_POWEROFF, .compression = KHI_COMPRESS_LZ4HC,
		.level = 9, .threads = 2, .flags = KHP_F_PASSPHRASE | KHP_F_SWAPFILE,
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
	for (unsigned i = 0; i < KHP_SWAP_UUID_SIZE; i++)
		p.swap_uuid[i] = (uint8_t)(0xc0 + i);
	return p;
}

static uint8_t *encode(const struct khp_params *p, size_t *ret_size)
{
	size_t size = khp_params_size(p);
	uint8_t *buf = malloc(size);

	assert_non_null(buf);
	assert_int_equal(khp_params_encode(p, buf, size), (ssize_t)size);
	*ret_size = size;
	return buf;
}

static void test_params_round_trip(void **state)
{
	struct khp_params p = sample_params(), q;
	size_t size;
	uint8_t *buf = encode(&p, &size);

	(void)state;
	assert_int_equal(size, KHP_PARAMS_FIXED_SIZE + 3 * KHP_PARAMS_EXTENT_SIZE);
	assert_int_equal(khp_params_decode(buf, size, &q), 0);
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
	assert_memory_equal(q.swap_uuid, p.swap_uuid, KHP_SWAP_UUID_SIZE);
	assert_memory_equal(buf + 728, p.swap_uuid, KHP_SWAP_UUID_SIZE); /* docs/design.md's offset */
	khp_params_clear(&q);
	assert_null(q.extents);
	assert_int_equal(q.passphrase[0], 0);
	free(buf);
}

static void test_params_encode_errors(void **state)
{
	struct khp_params p = sample_params();
	uint8_t buf[KHP_PARAMS_FIXED_SIZE];

	(void)state;
	assert_int_equal(khp_params_encode(&p, buf, sizeof(buf)), -ENOBUFS);
	p.nr_extents = 0;
	memset(p.label, 'x', sizeof(p.label)); /* no NUL in its field */
	assert_int_equal(khp_params_encode(&p, buf, sizeof(buf)), -EINVAL);
}

/* Each corruption of an encoded block and the error the decoder must give. */
static const struct {
	const char *what;
	size_t off;       /* where to write */
	uint32_t value;   /* the little-endian u32 written there */
	int err;
} corruptions[] = {
	{ "magic", 0, 0x41414141, -EBADMSG },
	{ "version 1 (before the swap UUID)", 8, 1, -EPROTONOSUPPORT },
	{ "version 3", 8, 3, -EPROTONOSUPPORT },
	{ "fixed size", 12, 512, -EBADMSG },
	{ "total size", 16, 100, -EBADMSG },
	{ "mode", 20, 7, -EPROTONOSUPPORT },
	{ "after", 24, 0, -EPROTONOSUPPORT },
	{ "compression", 28, 3, -EPROTONOSUPPORT },
	{ "unknown flag", 40, 0x80, -EPROTONOSUPPORT },
	{ "key and passphrase", 40, KHP_F_KEY | KHP_F_PASSPHRASE, -EBADMSG },
	{ "extent count", 52, 4, -EBADMSG },
	{ "unaligned swap offset", 56, 0x123001, -EBADMSG },
	{ "string without NUL", 424, 0x41414141, 0 }, /* fixed up below */
	{ "reserved byte", 1000, 1, -EBADMSG },
	{ "first reserved byte", 744, 1, -EBADMSG },
	{ "unaligned extent", KHP_PARAMS_FIXED_SIZE, 0x1001, -EBADMSG },
	{ "empty extent", KHP_PARAMS_FIXED_SIZE + 8, 0, -EBADMSG },
};

static void test_params_corrupt(void **state)
{
	struct khp_params p = sample_params(), q;
	size_t size;
	uint8_t *good = encode(&p, &size), *buf = malloc(size);

	(void)state;
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++) {
		memcpy(buf, good, size);
		put_le32(buf + corruptions[i].off, corruptions[i].value);
		if (!corruptions[i].err) /* fill kernel_release's field: no NUL anywhere in it */
			memset(buf + 424, 'A', KHI_RELEASE_MAX + 1);
		int r = khp_params_decode(buf, size, &q);
		if (r != (corruptions[i].err ? corruptions[i].err : -EBADMSG))
			fail_msg("%s: got %d", corruptions[i].what, r);
		assert_null(q.extents);
	}
	/* Truncated anywhere. */
	for (size_t n = 0; n < size; n += 7)
		assert_int_equal(khp_params_decode(good, n, &q), -EBADMSG);
	free(buf);
	free(good);
}

static void test_status_round_trip(void **state)
{
	struct khp_status s = { .event = KHP_EVENT_RESTORED, .error = -EBADMSG,
			       .helper_boot_ns = 2100000000, .phase_ns = { 1, 2 } }, t;
	uint8_t rec[KHP_STATUS_SIZE];

	(void)state;
	memset(s.image_id, 7, sizeof(s.image_id));
	s.stats.pages_total = 262144;
	s.stats.pages_zero = 100000;
	s.stats.bytes_image = 123456789;
	s.stats.ns_total = 987654321;
	s.stats.threads = 2;
	khp_status_encode(&s, rec);
	assert_int_equal(khp_status_decode(rec, &t), 0);
	assert_int_equal(t.event, KHP_EVENT_RESTORED);
	assert_int_equal(t.error, -EBADMSG);
	assert_int_equal(t.phase_ns[KHP_PHASE_PREPARE], 1);
	assert_int_equal(t.phase_ns[KHP_PHASE_PASS], 2);
	assert_int_equal(t.stats.pages_zero, 100000);
	assert_int_equal(t.stats.bytes_image, 123456789);
	assert_int_equal(t.stats.ns_total, 987654321);
	assert_int_equal(t.stats.threads, 2);
	assert_memory_equal(t.image_id, s.image_id, sizeof(s.image_id));

	rec[100] ^= 1; /* any flipped bit */
	assert_int_equal(khp_status_decode(rec, &t), -EBADMSG);
	memset(rec, 0, sizeof(rec)); /* B never wrote one */
	assert_int_equal(khp_status_decode(rec, &t), -ENODATA);
}

/* The Debian guest's layout (1 GiB, region 128M@0x10000000): the words t5040 booted with. */
static void test_direct_words(void **state)
{
	struct kj_layout l = {
		.region = { 0x10000000, 128 << 20 }, .hole = { 0x80000, 0x10000 }, .nr_entries = 9,
		.entries = { { 0, 0x1000, KJ_E820_RESERVED }, { 0x1000, 0x7f000, KJ_E820_RAM },
			     { 0x80000, 0x10000, KJ_E820_RESERVED }, { 0x90000, 0xfc00, KJ_E820_RAM },
			     { 0x9fc00, 0x400, KJ_E820_RESERVED },
			     { 0xf0000, 0x10000, KJ_E820_RESERVED }, { 0x100000, 0x3feda000, KJ_E820_RAM },
			     { 0x3ffda000, 0x26000, KJ_E820_RESERVED },
			     { 0xfffc0000, 0x40000, KJ_E820_RESERVED } },
	};
	uint8_t kid[KHI_KERNEL_ID_SIZE], mid[KHI_MACHINE_ID_SIZE], k2[KHI_KERNEL_ID_SIZE],
		m2[KHI_MACHINE_ID_SIZE];
	char words[KHP_DIRECT_WORDS_MAX + 1], cmdline[2048], *p;

	(void)state;
	for (unsigned i = 0; i < KHI_KERNEL_ID_SIZE; i++)
		kid[i] = (uint8_t)(i * 7), mid[i] = (uint8_t)(0xff - i);
	assert_int_equal(khp_direct_words(&l, kid, mid, words, sizeof(words)), 0);
	assert_non_null(strstr(words, "memmap=exactmap,0x1000%0x0+2,0x7f000%0x1000+3,0x10000%0x80000+1,"
		"0xfc00%0x90000+3,0x400%0x9fc00+2,0x10000%0xf0000+2,0xff00000%0x100000+3,"
		"0x8000000%0x10000000+1,0x27fda000%0x18000000+3,0x26000%0x3ffda000+2,"
		"0x40000%0xfffc0000+2 khibernate.direct=00070e15"));
	snprintf(cmdline, sizeof(cmdline), "BOOT_IMAGE=/b console=ttyS0 %s quiet", words);
	assert_int_equal(khp_direct_parse(cmdline, k2, m2), 0);
	assert_memory_equal(k2, kid, sizeof(kid));
	assert_memory_equal(m2, mid, sizeof(mid));

	/* Refused: absent, upper case, a digit short, no comma. */
	assert_int_equal(khp_direct_parse("console=ttyS0", k2, m2), -ENODATA);
	p = strstr(cmdline, "khibernate.direct=") + strlen("khibernate.direct=");
	p[1] = 'A';
	assert_int_equal(khp_direct_parse(cmdline, k2, m2), -EINVAL);
	p[1] = '0';
	p[2 * KHI_KERNEL_ID_SIZE] = '0';
	assert_int_equal(khp_direct_parse(cmdline, k2, m2), -EINVAL);
	snprintf(cmdline, sizeof(cmdline), "khibernate.direct=00,11");
	assert_int_equal(khp_direct_parse(cmdline, k2, m2), -EINVAL);

	/* A map that a command line cannot hold. */
	l.nr_entries = 100;
	for (unsigned i = 0; i < l.nr_entries; i++)
		l.entries[i] = (struct kj_map_entry){ 0x100000000ull + i * 0x200000ull, 0x100000,
						      i % 2 ? KJ_E820_RAM : KJ_E820_NVS };
	l.entries[0] = (struct kj_map_entry){ 0x10000000, 0x10000000, KJ_E820_RAM };
	l.hole.size = 0;
	assert_int_equal(khp_direct_words(&l, kid, mid, words, sizeof(words)), -E2BIG);
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
	n = khp_platform_encode(&l, 0x3ff000, buf, sizeof(buf));
	assert_true(n > (ssize_t)KHP_PLATFORM_HEADER);
	assert_int_equal(khp_platform_decode(buf, (size_t)n, &m, &status), 0);
	assert_int_equal(status, 0x3ff000);
	assert_int_equal(m.region.start, l.region.start);
	assert_int_equal(m.nr_entries, 3);
	assert_int_equal(khp_platform_decode(buf, (size_t)n - 1, &m, &status), -EBADMSG);
	buf[8] = 2;
	assert_int_equal(khp_platform_decode(buf, (size_t)n, &m, &status), -EPROTONOSUPPORT);
	assert_int_equal(khp_platform_encode(&l, 0, buf, 10), -ENOBUFS);
}

/* A QEMU guest's firmware map with 5 GiB (its RAM above 4 GiB in two entries), as
 * /sys/firmware/memmap shows it: the boot kernel checks an image's layout against it. */
static const struct { const char *start, *end, *type; } fw_map[] = {
	{ "0x0", "0x9fbff", "System RAM" },
	{ "0x9fc00", "0x9ffff", "Reserved" },
	{ "0xf0000", "0xfffff", "Reserved" },
	{ "0x100000", "0xbffdefff", "System RAM" },
	{ "0xbffdf000", "0xbfffffff", "Reserved" },
	{ "0xfffc0000", "0xffffffff", "Reserved" },
	{ "0x100000000", "0x11fffffff", "System RAM" },
	{ "0x120000000", "0x17fffffff", "System RAM" },
};

static void put_file(const char *dir, int i, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", dir, i);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%d/%s", dir, i, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", text);
	fclose(f);
}

static void test_memmap(void **state)
{
	char dir[] = "/tmp/khib-memmap-XXXXXX", cmd[300];
	struct kj_layout a = {
		.region = { 0x10000000, 128 << 20 }, .hole = { 0x80000, 0x10000 }, .nr_entries = 4,
		.entries = { { 0x1000, 0x7f000, KJ_E820_RAM }, { 0x90000, 0xfc00, KJ_E820_RAM },
			     { 0x100000, 0xbfedf000, KJ_E820_RAM }, { 0x100000000, 0x80000000, KJ_E820_RAM } },
	}, l;
	struct kj_range *ram;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < (int)(sizeof(fw_map) / sizeof(fw_map[0])); i++) {
		put_file(dir, i, "start", fw_map[i].start);
		put_file(dir, i, "end", fw_map[i].end);
		put_file(dir, i, "type", fw_map[i].type);
	}
	assert_int_equal(khp_memmap_ram(dir, &ram, &n), 0);
	assert_int_equal(n, 3);                         /* the two above 4 GiB merged */
	assert_true(ram[2].start == 0x100000000 && ram[2].size == 0x80000000);
	assert_int_equal(khp_layout_in_ram(&a, ram, n), 0);
	/* What a forged platform blob could ask for: RAM at the local APIC, the region over
	 * reserved memory, a hole that runs into the BIOS's, RAM past the end, a wrap. */
	l = a;
	l.entries[l.nr_entries++] = (struct kj_map_entry){ 0xfee00000, 0x1000, KJ_E820_RAM };
	assert_int_equal(khp_layout_in_ram(&l, ram, n), -ESTALE);
	l = a;
	l.region = (struct kj_range){ 0xbff00000, 1 << 20 };
	assert_int_equal(khp_layout_in_ram(&l, ram, n), -ESTALE);
	l = a;
	l.hole = (struct kj_range){ 0x98000, 0x10000 };
	assert_int_equal(khp_layout_in_ram(&l, ram, n), -ESTALE);
	l = a;
	l.entries[3].size += 0x1000;
	assert_int_equal(khp_layout_in_ram(&l, ram, n), -ESTALE);
	l = a;
	l.entries[3] = (struct kj_map_entry){ 0xfffffffffffff000, 0x2000, KJ_E820_RAM };
	assert_int_equal(khp_layout_in_ram(&l, ram, n), -ESTALE);
	free(ram);
	put_file(dir, 1, "start", "0x9fc00zz");
	assert_int_equal(khp_memmap_ram(dir, &ram, &n), 0);  /* not RAM: not even parsed */
	free(ram);
	put_file(dir, 0, "end", "0x9fbff zz");
	assert_int_equal(khp_memmap_ram(dir, &ram, &n), -EBADMSG);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(khp_memmap_ram(dir, &ram, &n), -ENOENT);
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
	assert_int_equal(khp_build_id_from_notes(notes, n, id), 0);
	assert_int_equal(id[0], 0xa0);
	assert_int_equal(id[19], 0xa0 + 19);
	assert_int_equal(id[20], 0);
	assert_int_equal(khp_build_id_from_notes(notes, 20, id), -ENODATA);
	assert_int_equal(khp_build_id_from_notes(notes, n - 4, id), -EBADMSG);
	n = make_notes(notes, 40);
	assert_int_equal(khp_build_id_from_notes(notes, n, id), -ENOBUFS);
	put_le32(notes + 4, 0xfffffff0); /* a size beyond the buffer */
	assert_int_equal(khp_build_id_from_notes(notes, n, id), -EBADMSG);
}

/* Whatever this machine booted with, the helper gets only its console= words, then ours;
 * no_timer_check exactly when this CPU runs under a hypervisor. */
static void test_helper_cmdline(void **state)
{
	char buf[512], tiny[12], *cpuinfo, *tok, *save;
	const char *last = NULL, *ours;
	size_t len;

	(void)state;
	assert_int_equal(kc_read_file("/proc/cpuinfo", 1 << 20, &cpuinfo, &len), 0);
	ours = strstr(cpuinfo, " hypervisor") ? "panic=5 pty.legacy_count=0 no_timer_check" :
						"panic=5 pty.legacy_count=0";
	free(cpuinfo);
	khp_helper_cmdline("quiet loglevel=3", buf, sizeof(buf));
	assert_non_null(strstr(buf, ours));
	assert_non_null(strstr(buf, "quiet loglevel=3"));
	assert_int_equal(strstr(buf, "quiet") - strstr(buf, ours), (long)strlen(ours) + 1);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "panic=5"))
			break;
		assert_int_equal(strncmp(tok, "console=", 8), 0);
	}
	khp_helper_cmdline(NULL, buf, sizeof(buf));
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		last = tok;
	assert_string_equal(last, strrchr(ours, ' ') + 1);
	khp_helper_cmdline("a-long-argument", tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* khibernate.resume_offset= and --offset: pages, decimal digits only, no wrap. */
static void test_parse_pages(void **state)
{
	static const struct {
		const char *s;
		int err;
		uint64_t bytes;
	} cases[] = {
		{ "0", 0, 0 }, { "1", 0, 4096 }, { "34816", 0, 34816ull * 4096 },
		{ "2251799813685247", 0, 2251799813685247ull * 4096 },  /* INT64_MAX / 4096 */
		{ "2251799813685248", -ERANGE, 0 },
		{ "4503599627370496", -ERANGE, 0 },                      /* 2^52 pages: 2^64 bytes */
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "-1", -EINVAL, 0 }, { "+1", -EINVAL, 0 }, { "abc", -EINVAL, 0 }, { "", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 }, { "12 ", -EINVAL, 0 }, { " 12", -EINVAL, 0 }, { "1e3", -EINVAL, 0 },
	};
	uint64_t bytes;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = khp_parse_pages(cases[i].s, &bytes);
		if (r != cases[i].err)
			fail_msg("'%s': got %d, want %d", cases[i].s, r, cases[i].err);
		if (!r)
			assert_true(bytes == cases[i].bytes);
	}
}

static void test_resume_args(void **state)
{
	static const struct {
		const char *cmdline;
		int err;
		const char *device;
		uint64_t offset;
		bool noresume;
	} cases[] = {
		{ "root=/dev/vda2 ro", -ENODATA, "", 0, false },
		{ "noresume", -ENODATA, "", 0, true },
		{ "khibernate.resume=UUID=0a-1", 0, "UUID=0a-1", 0, false },
		{ "khibernate.resume=/dev/sda2 khibernate.resume_offset=34816", 0, "/dev/sda2",
		  34816ull * 4096, false },
		{ "khibernate.resume_offset=1 khibernate.resume=/dev/a khibernate.resume_offset=2",
		  0, "/dev/a", 8192, false },
		{ "khibernate.resume=/dev/a khibernate.resume=/dev/b khibernate.noresume", 0, "/dev/b",
		  0, true },
		{ "khibernate.resume=/dev/a noresume", 0, "/dev/a", 0, true },
		{ "khibernate.resume=/dev/a khibernate.resume_offset=-1", -EINVAL, "/dev/a", 0, false },
		{ "khibernate.resume=/dev/a khibernate.resume_offset=abc", -EINVAL, "/dev/a", 0, false },
		{ "khibernate.resume=/dev/a khibernate.resume_offset=", -EINVAL, "/dev/a", 0, false },
		{ "khibernate.resume=/dev/a khibernate.resume_offset=4503599627370497", -ERANGE,
		  "/dev/a", 0, false },
		{ "khibernate.resume=/dev/a khibernate.resume_offset=111111111111111111111111111111111",
		  -ERANGE, "/dev/a", 0, false },
		{ "khibernate.resume= noresume", -EINVAL, "", 0, true },
	};
	struct khp_resume_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = khp_resume_args_parse(cases[i].cmdline, &a);
		if (r != cases[i].err)
			fail_msg("'%s': got %d, want %d", cases[i].cmdline, r, cases[i].err);
		assert_string_equal(a.device, cases[i].device);
		assert_int_equal(a.noresume, cases[i].noresume);
		if (!r)
			assert_true(a.offset == cases[i].offset);
	}
}

static void test_devspec_parse(void **state)
{
	static const uint8_t uuid[16] = { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71,
					  0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9 };
	static const struct {
		const char *s;
		int err;
		enum khp_devspec_kind kind;
		const char *value;
	} cases[] = {
		{ "/dev/vda1", 0, KHP_DEVSPEC_PATH, "/dev/vda1" },
		{ "UUID=0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9", 0, KHP_DEVSPEC_UUID,
		  "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9" },
		{ "UUID=0a1b2c3d4e5f60718293a4b5c6d7e8f9", 0, KHP_DEVSPEC_UUID,
		  "0a1b2c3d4e5f60718293a4b5c6d7e8f9" },
		{ "PARTUUID=ABCD1234-02", 0, KHP_DEVSPEC_PARTUUID, "abcd1234-02" },
		{ "LABEL=khibswap", 0, KHP_DEVSPEC_LABEL, "khibswap" },
		{ "LABEL=0123456789abcdef", 0, KHP_DEVSPEC_LABEL, "0123456789abcdef" },
		{ "LABEL=0123456789abcdefg", -EINVAL, 0, NULL },
		{ "LABEL=", -EINVAL, 0, NULL },
		{ "UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f", -EINVAL, 0, NULL },
		{ "UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f90", -EINVAL, 0, NULL },
		{ "UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg", -EINVAL, 0, NULL },
		{ "/", -EINVAL, 0, NULL },
		{ "/tmp/swap.img", 0, KHP_DEVSPEC_PATH, "/tmp/swap.img" },
		{ "vda1", -EINVAL, 0, NULL },
		{ "254:1", -EINVAL, 0, NULL },
		{ "", -EINVAL, 0, NULL },
	};
	struct khp_devspec d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = khp_devspec_parse(cases[i].s, &d);
		if (r != cases[i].err)
			fail_msg("'%s': got %d, want %d", cases[i].s, r, cases[i].err);
		if (r)
			continue;
		assert_int_equal(d.kind, cases[i].kind);
		assert_string_equal(d.value, cases[i].value);
		if (d.kind == KHP_DEVSPEC_UUID)
			assert_memory_equal(d.uuid, uuid, 16);
	}
}

/* A swap header (mkswap's layout) at offset of path: UUID and label, and a signature. */
static void put_swap(const char *path, uint64_t offset, const uint8_t uuid[16],
		     const char *label, const char *sig)
{
	uint8_t page[4096] = { 0 };
	FILE *f = fopen(path, "r+") ?: fopen(path, "w");

	assert_non_null(f);
	put_le32(page + 1024, 1);
	put_le32(page + 1028, 99);
	memcpy(page + 1036, uuid, 16);
	strncpy((char *)page + 1052, label, 16);
	memcpy(page + 4086, sig, 10);
	assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
	assert_int_equal(fwrite(page, 1, sizeof(page), f), sizeof(page));
	assert_int_equal(fseek(f, (long)(offset + 100 * 4096 - 1), SEEK_SET), 0);
	assert_int_equal(fputc(0, f), 0);
	fclose(f);
}

static void mkdirs(const char *root, const char *sub)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, sub);
	assert_int_equal(system(cmd), 0);
}

/* UUID= and LABEL= by the swap header while an image waits, in /sys/class/block name order;
 * PARTUUID= and a filesystem's UUID through udev's links; paths as they are. */
static void test_devspec_find(void **state)
{
	static const uint8_t u1[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t u2[16] = { 0xff, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	char root[] = "/tmp/khib-devspec-XXXXXX", path[256], file[512], want[512];
	struct khp_devspec d;

	(void)state;
	assert_non_null(mkdtemp(root));
	mkdirs(root, "sys/class/block/vda");
	mkdirs(root, "sys/class/block/vda1");
	mkdirs(root, "sys/class/block/vda2");
	mkdirs(root, "sys/class/block/cciss!c0d0");
	mkdirs(root, "dev/disk/by-partuuid");
	mkdirs(root, "dev/disk/by-uuid");
	mkdirs(root, "dev/cciss");
	snprintf(file, sizeof(file), "%s/dev/vda", root);
	assert_int_equal(close(creat(file, 0600)), 0);           /* a disk: no swap header */
	snprintf(file, sizeof(file), "%s/dev/vda1", root);
	put_swap(file, 0, u1, "khibswap", "KHIBERNATE");          /* an image waits */
	snprintf(file, sizeof(file), "%s/dev/vda2", root);
	put_swap(file, 0, u2, "other", "SWAPSPACE2");
	put_swap(file, 8 * 4096, u2, "inafile", "SWAPSPACE2");    /* a "swap file" inside it */
	snprintf(file, sizeof(file), "%s/dev/cciss/c0d0", root);
	put_swap(file, 0, u2, "cciss", "SWAPSPACE2");
	snprintf(file, sizeof(file), "%s/dev/disk/by-partuuid/abcd-01", root);
	assert_int_equal(symlink("../../vda1", file), 0);
	snprintf(file, sizeof(file), "%s/dev/disk/by-uuid/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", root);
	assert_int_equal(symlink("../../vda2", file), 0);

	assert_int_equal(khp_devspec_parse("UUID=01020304-0506-0708-090a-0b0c0d0e0f10", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/dev/vda1", root);
	assert_string_equal(path, want);
	assert_int_equal(khp_devspec_parse("LABEL=khibswap", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	assert_int_equal(khp_devspec_parse("PARTUUID=ABCD-01", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), 0);
	assert_string_equal(path + strlen(root), "/dev/disk/by-partuuid/abcd-01");
	/* The first of two areas with one UUID, in name order: cciss/c0d0 before vda2. */
	assert_int_equal(khp_devspec_parse("UUID=ff020304-0506-0708-090a-0b0c0d0e0f10", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), 0);
	assert_string_equal(path + strlen(root), "/dev/cciss/c0d0");
	assert_int_equal(khp_devspec_parse("LABEL=inafile", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), -ENODEV);
	assert_int_equal(khp_devspec_find(&d, 8 * 4096, root, path, sizeof(path)), 0);
	assert_string_equal(path + strlen(root), "/dev/vda2");
	/* A UUID no swap header has: a filesystem's, through udev. */
	assert_int_equal(khp_devspec_parse("UUID=0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 8 * 4096, root, path, sizeof(path)), 0);
	assert_string_equal(path + strlen(root), "/dev/disk/by-uuid/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
	assert_int_equal(khp_devspec_parse("UUID=00000000-0000-0000-0000-000000000000", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), -ENODEV);
	assert_int_equal(khp_devspec_parse("LABEL=nowhere", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), -ENODEV);
	assert_int_equal(khp_devspec_parse("/dev/vda2", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), 0);
	assert_int_equal(khp_devspec_parse("/dev/vdb", &d), 0);
	assert_int_equal(khp_devspec_find(&d, 0, root, path, sizeof(path)), -ENODEV);
	snprintf(file, sizeof(file), "rm -rf '%s'", root);
	assert_int_equal(system(file), 0);
}

/* The whole file at path into buf (it MUST fit); its length. */
static size_t slurp(const char *path, char *buf, size_t size)
{
	char *text;
	size_t n;

	assert_int_equal(kc_read_file(path, size - 1, &text, &n), 0);
	memcpy(buf, text, n + 1);
	free(text);
	return n;
}

/* Each message: the text for the user, one record with its priority for the kernel log. */
static void test_log(void **state)
{
	static const char kmsg_head[] = "<3>khib-test: refused: no region\n"
		"<5>khib-test: resumed\n<6>khib-test: 000";
	static const char user_head[] = "khib-test: refused: no region\nkhib-test: resumed\n";
	char path[] = "/tmp/test-log-XXXXXX", buf[4096], *user_text = NULL, *last;
	size_t user_len = 0;
	FILE *user = open_memstream(&user_text, &user_len);
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0 && user);
	khp_log_open("khib-test", user, path);
	khp_log(KHP_LOG_ERR, "refused: %s", "no region");
	khp_log(KHP_LOG_NOTICE, "resumed");
	khp_log(KHP_LOG_INFO, "%02000d", 7); /* longer than a kernel record: cut, still one line */
	khp_log_close();
	khp_log(KHP_LOG_WARNING, "user only");
	fclose(user);
	(void)slurp(path, buf, sizeof(buf));
	close(fd);
	unlink(path);
	assert_memory_equal(buf, kmsg_head, strlen(kmsg_head));
	last = strrchr(buf, '<'); /* the cut record: 1024 bytes with its newline, the most a write may carry */
	assert_int_equal(strlen(last), 1024);
	assert_int_equal(last[1023], '\n');
	assert_memory_equal(user_text, user_head, strlen(user_head));
	assert_non_null(strstr(user_text, "000\nkhib-test: user only\n"));
	free(user_text);
	khp_log_open("khib-test", NULL, NULL);
}

/* Under systemd, stderr is a journald stream: the journal takes "<PRI>" from it, and a record
 * in /dev/kmsg as well would be there twice. */
static void test_log_journal(void **state)
{
	char user_path[] = "/tmp/test-log-user-XXXXXX", kmsg_path[] = "/tmp/test-log-kmsg-XXXXXX";
	char env[64], buf[256];
	int ufd = mkstemp(user_path), kfd = mkstemp(kmsg_path);
	FILE *user = fdopen(ufd, "w");
	struct stat st;

	(void)state;
	assert_true(ufd >= 0 && kfd >= 0 && user && fstat(ufd, &st) == 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	khp_log_open("khib-test", user, kmsg_path);
	khp_log(KHP_LOG_WARNING, "to the journal");
	khp_log_open("khib-test", NULL, NULL);
	unsetenv("JOURNAL_STREAM");
	fclose(user);
	(void)slurp(user_path, buf, sizeof(buf));
	assert_string_equal(buf, "<4>khib-test: to the journal\n");
	assert_int_equal(slurp(kmsg_path, buf, sizeof(buf)), 0);
	close(kfd);
	unlink(user_path);
	unlink(kmsg_path);
}

/* The protocol's own words for its decoders' codes; anything else is strerror()'s. */
static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(khp_strerror(-EBADMSG), "a malformed record (magic, size, checksum or "
			    "field)");
	assert_string_equal(khp_strerror(-EPROTONOSUPPORT), "a record of another khibernate "
			    "version, or with an unknown value");
	assert_string_equal(khp_strerror(-ENOSPC), strerror(ENOSPC));
}

/* Key and passphrase files, as khibernate and khib-resume read them. */
static void test_secret(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		bool key;
		int err;
		const char *passphrase;
	} cases[] = {
		{ "0123456789abcdef0123456789abcdef", 32, true, 0, NULL },
		{ "0123456789abcdef0123456789abcdef\n", 33, true, -EKEYREJECTED, NULL },
		{ "short", 5, true, -EKEYREJECTED, NULL },
		{ "correct horse\nsecond line\n", 26, false, 0, "correct horse" },
		{ "no newline", 10, false, 0, "no newline" },
		{ "", 0, false, 0, "" },
	};
	char path[] = "/tmp/test-secret-XXXXXX", long_line[300];
	struct khp_secret sec;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, cases[i].text, cases[i].len, 0), (ssize_t)cases[i].len);
		assert_int_equal(khp_secret_read(&sec, path, cases[i].key), cases[i].err);
		if (cases[i].err) {
			assert_null(sec.key);
			assert_null(sec.passphrase);
		} else if (cases[i].key) {
			assert_memory_equal(sec.key, cases[i].text, 32);
		} else {
			assert_string_equal(sec.passphrase, cases[i].passphrase);
		}
		khp_secret_clear(&sec);
	}
	memset(long_line, 'x', sizeof(long_line));
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, long_line, 256, 0), 256);
	assert_int_equal(khp_secret_read(&sec, path, false), -ENAMETOOLONG);
	assert_int_equal(pwrite(fd, "\n", 1, 255), 1);  /* 255 bytes and a newline: fits */
	assert_int_equal(khp_secret_read(&sec, path, false), 0);
	assert_int_equal(strlen(sec.passphrase), 255);
	khp_secret_clear(&sec);
	assert_int_equal(khp_secret_read(&sec, "/nonexistent", false), -ENOENT);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_round_trip),
		cmocka_unit_test(test_direct_words),
		cmocka_unit_test(test_params_encode_errors),
		cmocka_unit_test(test_params_corrupt),
		cmocka_unit_test(test_status_round_trip),
		cmocka_unit_test(test_platform_round_trip),
		cmocka_unit_test(test_memmap),
		cmocka_unit_test(test_build_id),
		cmocka_unit_test(test_helper_cmdline),
		cmocka_unit_test(test_parse_pages),
		cmocka_unit_test(test_resume_args),
		cmocka_unit_test(test_devspec_parse),
		cmocka_unit_test(test_devspec_find),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_log_journal),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
