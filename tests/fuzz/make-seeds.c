/* make-seeds: the image fuzzers' own seeds (build/fuzz/seeds/), beside the goldens.
 *
 *   make-seeds DIR
 *
 * Images the goldens do not cover: encrypted with the fuzzers' known key and passphrase (cheap
 * Argon2id costs), a fragmented extent list, many ranges, and forged large sparse areas (a
 * fuzz-image.h trailer) whose tables reach past the fuzzers' memory bound. Random per run
 * (image ids, salts): seeds, not goldens.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "fuzz-image.h"
#include "tests/unit/image-forge.h"

#define PG KHI_PAGE_SIZE
#define AREA_PAGES 32u
#define MEM_PAGES 24u

static uint8_t mem[MEM_PAGES * PG];

static int source_read(void *ctx, uint64_t pfn, uint32_t nr, void *buf, const void **ret)
{
	(void)ctx;
	(void)buf;
	*ret = mem + pfn * PG;
	return pfn + nr <= MEM_PAGES ? 0 : -EINVAL;
}

static int open_out(const char *dir, const char *name)
{
	char path[512];
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
	struct khi_range ranges[MEM_PAGES] = { { 0, 10 }, { 12, 12 } };
	struct khi_extent ext[AREA_PAGES];
	struct khi_writer_opts o = KHI_WRITER_OPTS_INIT;
	struct khi_source src = { .ranges = ranges, .nr_ranges = s->nr_ranges, .read = source_read };
	struct khi_meta meta = { .entry = 0x1000000 };
	khi_writer *w = NULL;
	size_t n = 0;
	int fd = open_out(dir, s->name), r;

	if (fd < 0 || swap_area(fd) < 0)
		return -EIO;
	for (size_t i = 0; s->nr_ranges > 2 && i < s->nr_ranges; i++)
		ranges[i] = (struct khi_range){ 2 * i, 1 };
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

int main(int argc, char **argv)
{
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make-seeds DIR\n");
		return 2;
	}
	for (size_t i = 0; i < MEM_PAGES * PG; i++)   /* text, zero and noise, like the goldens */
		mem[i] = i / PG % 3 == 0 ? 0 : i / PG % 3 == 1 ? "khibernate "[i % 11] : (uint8_t)(i * 2654435761u >> 13);
	for (size_t i = 0; !r && i < sizeof(seeds) / sizeof(seeds[0]); i++)
		r = write_seed(argv[1], &seeds[i]);
	if (!r)
		r = write_sparse_table(argv[1]);
	if (!r)
		r = write_sparse_area(argv[1]);
	if (r)
		fprintf(stderr, "make-seeds: %s\n", khi_strerror(r) ?: strerror(-r));
	return r ? 1 : 0;
}
