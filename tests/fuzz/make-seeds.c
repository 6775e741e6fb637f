/* make-seeds: the fuzzers' own seeds (build/fuzz/seeds/), beside the goldens.
 *
 *   make-seeds DIR      writes DIR/image/ and DIR/decoders/
 *
 * image/: what the goldens do not cover: a platform blob as khibernate writes it (a QEMU
 * guest's layout, with the entry and the status page in restored pages), encryption with the
 * fuzzers' known key and passphrase (cheap Argon2id costs), a fragmented extent list, many
 * ranges, and forged large sparse areas (a fuzz-image.h trailer) whose tables reach past the
 * fuzzers' memory bound. decoders/: one valid blob for each of fuzz-decoders' decoders (the
 * first byte picks it). Random per run (image ids, salts): seeds, not goldens.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/byteorder.h"
#include "protocol/params.h"
#include "protocol/platform.h"
#include "protocol/status.h"
#include "tests/fuzz/fuzz-image.h"
#include "tests/unit/image-forge.h"

#define PG KHI_PAGE_SIZE
#define AREA_PAGES 32u
#define MEM_PAGES 24u

static uint8_t mem[MEM_PAGES * PG];

/* A's layout in a 1 GiB QEMU guest, as khibernate saves it: its RAM, the helper's region and
 * the low hole. The image saves pages 1..10 and 0x100..0x10b of it; A's entry is in the first,
 * its status page in the second, as the restore helper requires. */
static const struct kj_layout layout = {
	.region = { 0x10000000, 128u << 20 }, .hole = { 0x80000, 0x10000 }, .nr_entries = 4,
	.entries = { { 0x1000, 0x7f000, KJ_E820_RAM }, { 0x80000, 0x10000, KJ_E820_RESERVED },
		     { 0x90000, 0xfc00, KJ_E820_RAM }, { 0x100000, 0x3fee0000, KJ_E820_RAM } },
};
#define ENTRY 0x2000
#define STATUS_PAGE 0x103000
static const struct khi_range ranges2[] = { { 1, 10 }, { 0x100, 12 } };

/* Any 12 pages of mem: the ranges are at most 12 pages long. */
static int source_read(void *ctx, uint64_t pfn, uint32_t nr, void *buf, const void **ret)
{
	(void)ctx;
	(void)buf;
	*ret = mem + pfn % 12 * PG;
	return nr <= 12 ? 0 : -EINVAL;
}

static int open_out(const char *dir, const char *name)
{
	char path[1100];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		perror(path);
	return fd;
}

/* A swap area of AREA_PAGES pages, as mkswap leaves it. */
static int swap_area(int fd)
{
	uint8_t page[PG] = { 0 };

	put_le32(page + 1024, 1);
	put_le32(page + 1028, AREA_PAGES - 1);
	memcpy(page + 1052, "fuzz", 4);
	memcpy(page + PG - 10, "SWAPSPACE2", 10);
	return ftruncate(fd, AREA_PAGES * PG) == 0 && pwrite(fd, page, PG, 0) == PG ? 0 : -EIO;
}

struct seed {
	const char *name;
	enum khi_compression comp;
	int secret;                      /* 0 none, 1 key, 2 passphrase */
	size_t nr_ranges;                /* 2: the goldens' ranges; more: one page each */
	int fragmented;                  /* extents of one page, odd ones first */
};

static const struct seed seeds[] = {
	{ "key-lz4.img", KHI_COMPRESS_LZ4, 1, 2, 0 },
	{ "key-none-frag.img", KHI_COMPRESS_NONE, 1, 2, 1 },
	{ "pass-lz4hc.img", KHI_COMPRESS_LZ4HC, 2, 2, 0 },
	{ "plain-ranges-frag.img", KHI_COMPRESS_LZ4, 0, 12, 1 },
};

static int write_seed(const char *dir, const struct seed *s)
{
	struct khi_range ranges[MEM_PAGES] = { ranges2[0], ranges2[1] };
	struct khi_extent ext[AREA_PAGES];
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct khi_source src = { .ranges = ranges, .nr_ranges = s->nr_ranges, .read = source_read };
	struct khi_meta meta = { .entry = ENTRY };
	uint8_t platform[1024];
	ssize_t plen = khp_platform_encode(&layout, STATUS_PAGE, platform, sizeof(platform));
	khi_writer *w = NULL;
	size_t n = 0;
	int fd = open_out(dir, s->name), r;

	if (fd < 0 || plen < 0 || swap_area(fd) < 0)
		return -EIO;
	meta.platform = platform;
	meta.platform_size = (uint32_t)plen;
	for (size_t i = 0; s->nr_ranges > 2 && i < s->nr_ranges; i++)
		ranges[i] = (struct khi_range){ 2 + 2 * i, 1 };
	for (int odd = 1; s->fragmented && odd >= 0; odd--)
		for (uint32_t p = 1 + (uint32_t)odd; p < AREA_PAGES; p += 2)
			ext[n++] = (struct khi_extent){ (uint64_t)p * PG, PG };
	struct khi_target t = { .fd = fd, .extents = n ? ext : NULL, .nr_extents = n };
	strcpy(meta.label, "fuzz");
	o.compression = s->comp;
	if (s->secret == 1)
		o.key.key = fuzz_key;
	if (s->secret == 2) {
		o.key.passphrase = FUZZ_PASSPHRASE;
		o.key.kdf_passes = FUZZ_KDF_PASSES;
		o.key.kdf_memory_kib = FUZZ_KDF_MEMORY_KIB;
	}
	r = khi_writer_new(&t, &o, &meta, &src, &w);
	if (!r)
		r = khi_writer_write(w);
	khi_writer_free(w);
	close(fd);
	return r;
}

/* Appends the trailer that makes the device @dev_size bytes long. */
static int trailer(int fd, uint64_t dev_size)
{
	uint8_t t[FUZZ_TRAILER_SIZE] = FUZZ_TRAILER;
	off_t end = lseek(fd, 0, SEEK_END);

	put_le64(t + 8, dev_size);
	return end >= 0 && pwrite(fd, t, sizeof(t), end) == (ssize_t)sizeof(t) ? 0 : -EIO;
}

/* 2^22 zero chunks (a 256 MiB chunk table, past the fuzzers' 32 MiB bound) on a 4 GiB sparse
 * area: extent table in page 1, the header in page 2, the chunk table far away in the holes. */
static int write_sparse_table(const char *dir)
{
	const struct khi_range rg = { 0, 1ull << 28 };
	const struct khi_extent ext[] = { { PG, PG }, { 1ull << 30, 256ull << 20 }, { 2 * PG, PG } };
	struct forge f;
	int fd = open_out(dir, "sparse-256mib-table.img"), r;

	if (fd < 0)
		return -EIO;
	forge_init(&f, 4ull << 30, &rg, 1);
	f.ext = ext;
	f.nr_ext = 3;
	f.chunk_table = false;
	f.hdr.chunk_table_lofs = PG;
	f.anchor.header_lofs = PG + (256ull << 20);
	f.hdr.bytes_image = f.anchor.header_lofs + PG;
	r = forge_write(&f, fd);
	/* Keep the first pages only, then say how large the device is. */
	if (!r && (ftruncate(fd, 3 * PG) < 0 || trailer(fd, 4ull << 30) < 0))
		r = -EIO;
	close(fd);
	return r;
}

/* A valid all-zero image at the start of a 1 GiB sparse area: mutated sizes reach far. */
static int write_sparse_area(const char *dir)
{
	const struct khi_range rg[] = { { 0, 1000 }, { 5000, 64 } };
	struct forge f;
	int fd = open_out(dir, "sparse-1gib-area.img"), r;

	if (fd < 0)
		return -EIO;
	forge_init(&f, 1ull << 30, rg, 2);
	r = forge_write(&f, fd);
	if (!r && (ftruncate(fd, f.anchor.header_lofs + 2 * PG) < 0 || trailer(fd, 1ull << 30) < 0))
		r = -EIO;
	close(fd);
	return r;
}

/* One seed for fuzz-decoders: the selector byte, then the blob. */
static int write_blob(const char *dir, const char *name, uint8_t selector, const void *blob, size_t size)
{
	int fd = open_out(dir, name), r = 0;

	if (fd < 0 || write(fd, &selector, 1) != 1 || write(fd, blob, size) != (ssize_t)size)
		r = -EIO;
	if (fd >= 0)
		close(fd);
	return r;
}

static int write_decoder_seeds(const char *dir)
{
	static const struct khi_extent ext[] = { { 0x1000, 0x4000 }, { 0x100000, 0x1000 } };
	struct khp_params pa = {
		.mode = KHP_MODE_RESTORE, .after = KHP_AFTER_REBOOT, .compression = KHI_COMPRESS_LZ4,
		.threads = 2, .flags = KHP_F_PASSPHRASE, .swap_major = 254, .swap_minor = 1,
		.status_addr = STATUS_PAGE, .entry = ENTRY, .nr_extents = 2, .extents = (struct khi_extent *)ext,
	};
	struct khp_status st = { .event = KHP_EVENT_RESTORED, .error = -EBADMSG };
	uint8_t buf[8192], rec[KHP_STATUS_SIZE];
	ssize_t n;
	int r;

	strcpy(pa.passphrase, FUZZ_PASSPHRASE);
	strcpy(pa.kernel_release, "6.12.117");
	if ((n = khp_params_encode(&pa, buf, sizeof(buf))) < 0 || (r = write_blob(dir, "params", 0, buf, (size_t)n)) < 0)
		return n < 0 ? (int)n : r;
	if ((n = khp_platform_encode(&layout, STATUS_PAGE, buf, sizeof(buf))) < 0 ||
	    (r = write_blob(dir, "platform", 1, buf, (size_t)n)) < 0)
		return n < 0 ? (int)n : r;
	uint8_t payload[2048];
	ssize_t plen = khp_params_encode(&pa, payload, sizeof(payload));
	if (plen < 0 || (n = kj_handoff_encode(&layout, payload, (size_t)plen, buf, sizeof(buf))) < 0 ||
	    (r = write_blob(dir, "handoff", 2, buf, (size_t)n)) < 0)
		return plen < 0 ? (int)plen : n < 0 ? (int)n : r;
	khp_status_encode(&st, rec);
	if ((r = write_blob(dir, "status", 3, rec, sizeof(rec))) < 0)
		return r;
	/* The header of an image with two ranges and a platform blob. */
	struct forge f;
	forge_init(&f, 64 * PG, ranges2, 2);
	f.hdr.header_size = (uint32_t)khi_header_size(2, (uint32_t)khp_platform_encode(&layout, 0, buf, sizeof(buf)));
	f.hdr.meta.platform = buf;
	f.hdr.meta.platform_size = f.hdr.header_size - (uint32_t)khi_header_size(2, 0);
	uint8_t *h = calloc(1, f.hdr.header_size);
	if (!h)
		return -ENOMEM;
	khi_header_encode(&f.hdr, h);
	r = write_blob(dir, "header", 4, h, f.hdr.header_size);
	free(h);
	return r;
}

int main(int argc, char **argv)
{
	char image[512], decoders[512];
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make-seeds DIR\n");
		return 2;
	}
	snprintf(image, sizeof(image), "%s/image", argv[1]);
	snprintf(decoders, sizeof(decoders), "%s/decoders", argv[1]);
	if ((mkdir(image, 0755) < 0 && errno != EEXIST) || (mkdir(decoders, 0755) < 0 && errno != EEXIST)) {
		perror(argv[1]);
		return 1;
	}
	for (size_t i = 0; i < MEM_PAGES * PG; i++)   /* text, zero and noise, like the goldens */
		mem[i] = i / PG % 3 == 0 ? 0 : i / PG % 3 == 1 ? "khibernate "[i % 11] : (uint8_t)(i * 2654435761u >> 13);
	for (size_t i = 0; !r && i < sizeof(seeds) / sizeof(seeds[0]); i++)
		r = write_seed(image, &seeds[i]);
	if (!r)
		r = write_sparse_table(image);
	if (!r)
		r = write_sparse_area(image);
	if (!r)
		r = write_decoder_seeds(decoders);
	if (r)
		fprintf(stderr, "make-seeds: %s\n", khi_strerror(r));
	return r ? 1 : 0;
}
