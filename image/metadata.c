/* metadata.c: commit record -> extent table -> header, each checked before it is used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/overflow.h"
#include "image/crypto.h"
#include "image/metadata.h"

int khi_read_page0(int fd, uint64_t swap_offset, uint8_t *page, struct khi_swap *ret)
{
	int r = khi_pread_full(fd, page, KHI_PAGE_SIZE, swap_offset);

	if (r == -ENXIO)
		return -EMEDIUMTYPE;
	return r < 0 ? r : khi_swap_parse(page, ret);
}

uint64_t khi_budget_default(uint64_t dev_size)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t dev, ram;

	if (mul_overflows(dev_size, 4, &dev) || add_overflows(dev, 1u << 20, &dev))
		dev = UINT64_MAX;
	if (pages <= 0 || psize <= 0 || mul_overflows((uint64_t)pages, (uint64_t)psize, &ram))
		return dev;
	return ram / 4 < dev ? ram / 4 : dev;
}

int khi_budget_take(struct khi_budget *b, uint64_t count, uint64_t size)
{
	uint64_t n;

	if (mul_overflows(count, size, &n) || n > b->left)
		return -E2BIG;
	b->left -= n;
	return 0;
}

void khi_budget_give(struct khi_budget *b, uint64_t count, uint64_t size)
{
	b->left += count * size;
}

/* Bytes of the extent table read (and hashed) at a time. */
#define EXT_STEP (256u * 1024)

/* The entries from *k on that lie whole in @buf, which holds table bytes [at, at + len): each
 * checked on its own (on the device, off page 0) and appended to the I/O extents; *k moves
 * past them. The capacity can never exceed the device's size: overlaps are caught early by
 * that, for good at the end by khi_extents_disjoint(). */
static int push_entries(struct khi_image *img, const uint8_t *buf, uint64_t at, uint64_t len,
			size_t *k, size_t n)
{
	const struct khi_anchor *a = &img->anchor;

	for (; *k < n && KHI_EXT_HEAD + (*k + 1) * KHI_EXT_ENTRY <= at + len; (*k)++) {
		struct khi_extent e;

		khi_ext_entry_decode(buf, at, *k, &e);
		if (*k == 0) {       /* already in place: the record's copy must match */
			if (e.offset != a->ext0.offset || e.length != a->ext0.length)
				return -EBADMSG;
			continue;
		}
		if (!khi_extent_ok(&e, img->io.dev_size, a->swap_offset) || khi_io_push(&img->io, &e) < 0 ||
		    khi_io_capacity(&img->io) > img->io.dev_size)
			return -EBADMSG;
	}
	return 0;
}

/* The extent table describes itself: its first extent is in the commit record, and entry k
 * always lies in the bytes of extents 0..k-1 (an extent is at least a page, an entry 16
 * bytes), so it is read in steps, each covered by the extents decoded so far. It is read once,
 * through a buffer of EXT_STEP bytes, hashed as it goes; what stays is the I/O list (24 bytes
 * an extent, from the budget, like the index the overlap check sorts). */
static int read_ext_table(struct khi_image *img)
{
	const struct khi_anchor *a = &img->anchor;
	uint64_t size = a->ext_table_size, padded = khi_page_align(size), done = 0;
	struct khi_sha256_ctx sha = { 0 };
	size_t n = 0, k = 0;
	uint8_t sum[32], *buf;
	int r;

	if ((r = khi_budget_take(&img->budget, 1, EXT_STEP)) < 0)
		return r;
	if (!(buf = khi_alloc_pages(EXT_STEP)) || (r = khi_sha256_begin(&sha)) < 0) {
		r = buf ? r : -ENOMEM;
		goto out;
	}
	if ((r = khi_io_set_extents(&img->io, &a->ext0, 1)) < 0)
		goto out;
	while (done < padded) {
		uint64_t step = khi_io_capacity(&img->io) - done;
		if (step > padded - done)
			step = padded - done;
		if (step > EXT_STEP)
			step = EXT_STEP;
		if (step == 0 || (r = khi_io_read(&img->io, done, buf, step)) < 0) {
			r = r < 0 ? r : -EBADMSG;
			goto out;
		}
		khi_sha256_update(&sha, buf, done + step <= size ? step : size - done);
		if (done == 0) {
			if ((r = khi_ext_table_count(buf, size, &n)) < 0 ||
			    (r = khi_budget_take(&img->budget, n, KHI_IO_EXTENT_BYTES)) < 0 ||
			    (r = khi_io_reserve(&img->io, n)) < 0)
				goto out;
		}
		if ((r = push_entries(img, buf, done, step, &k, n)) < 0)
			goto out;
		done += step;
	}
	khi_sha256_end(&sha, sum);
	if (memcmp(sum, a->ext_table_digest, 32) != 0) {
		r = -EBADMSG;
		goto out;
	}
	if ((r = khi_budget_take(&img->budget, n, KHI_DISJOINT_BYTES_PER_EXTENT)) < 0)
		goto out;
	r = khi_extents_disjoint(img->io.ext, n);
	khi_budget_give(&img->budget, n, KHI_DISJOINT_BYTES_PER_EXTENT);
	r = r == -EINVAL ? -EBADMSG : r;
out:
	if (sha.h)
		khi_sha256_end(&sha, sum);
	free(buf);
	khi_budget_give(&img->budget, 1, EXT_STEP);
	return r;
}

static int load_header(struct khi_image *img)
{
	const struct khi_anchor *a = &img->anchor;
	uint8_t sum[32];
	int r;

	/* The buffer, and the ranges decoded from it (no more bytes than the header has). */
	if ((r = khi_budget_take(&img->budget, 2, khi_page_align(a->header_size))) < 0)
		return r;
	if (!(img->hdr_buf = khi_alloc_pages(a->header_size)))
		return -ENOMEM;
	if ((r = khi_io_read(&img->io, a->header_lofs, img->hdr_buf, khi_page_align(a->header_size))) < 0)
		return r;
	memcpy(sum, img->hdr_buf + KHI_HDR_OFF_CHECKSUM, 32);
	memset(img->hdr_buf + KHI_HDR_OFF_CHECKSUM, 0, 32);
	khi_sha256(img->hdr_buf, a->header_size, img->hdr_buf + KHI_HDR_OFF_CHECKSUM);
	if (memcmp(sum, img->hdr_buf + KHI_HDR_OFF_CHECKSUM, 32) != 0)
		return -EBADMSG;
	return khi_header_decode(img->hdr_buf, a->header_size, &img->hdr);
}

/* What the header says must agree with the commit record and with itself. Offsets are any
 * 64-bit value a forger likes: every sum is checked, or a wrap would pass the comparison (a
 * chunk_table_lofs 1 GiB short of 2^64 once made a 256 KiB file allocate a 1 GiB table). The
 * ranges are below KHI_PFN_LIMIT, the sizes of record and header bounded by their decoders. */
static int cross_check(const struct khi_image *img, uint64_t swap_offset)
{
	const struct khi_anchor *a = &img->anchor;
	const struct khi_header *h = &img->hdr;
	uint64_t chunks = 0, data = khi_page_align(a->ext_table_size), table, end;

	for (uint32_t i = 0; i < h->nr_ranges; i++)
		chunks += (h->ranges[i].count + KHI_CHUNK_PAGES - 1) / KHI_CHUNK_PAGES;
	if (h->swap_offset != swap_offset || memcmp(h->meta.image_id, a->image_id, KHI_IMAGE_ID_SIZE) ||
	    memcmp(h->ext_table_digest, a->ext_table_digest, 32) || chunks != h->nr_chunks ||
	    h->chunk_table_lofs < data ||
	    mul_overflows(h->nr_chunks, KHI_CHUNK_RECORD, &table) ||
	    align_overflows(table, KHI_PAGE_SIZE, &table) ||
	    add_overflows(h->chunk_table_lofs, table, &end) || end != a->header_lofs ||
	    add_overflows(a->header_lofs, khi_page_align(a->header_size), &end) || end != h->bytes_image ||
	    h->bytes_image > khi_io_capacity(&img->io) ||
	    h->bytes_out > h->chunk_table_lofs - data)
		return -EBADMSG;
	return 0;
}

int khi_image_load(struct khi_image *img, int fd, uint64_t swap_offset, const struct khi_anchor *a,
		   uint64_t mem_max)
{
	int r;

	memset(img, 0, sizeof(*img));
	img->anchor = *a;
	if ((r = khi_io_init(&img->io, fd)) < 0)
		goto fail;
	img->budget.left = mem_max ? mem_max : khi_budget_default(img->io.dev_size);
	/* The extents are offsets on the writer's device: read anywhere else, they would name the
	 * wrong bytes. Said apart from corruption: it is how a partition read inside its disk looks. */
	if (a->swap_offset != swap_offset) {
		r = -EXDEV;
		goto fail;
	}
	if (!khi_extent_ok(&a->ext0, img->io.dev_size, swap_offset) ||
	    a->ext_table_size / KHI_EXT_ENTRY > img->io.dev_size / KHI_PAGE_SIZE) {
		r = -EBADMSG;
		goto fail;
	}
	if ((r = read_ext_table(img)) < 0 || (r = load_header(img)) < 0 ||
	    (r = cross_check(img, swap_offset)) < 0)
		goto fail;
	return 0;
fail:
	khi_image_done(img);
	return r;
}

void khi_image_done(struct khi_image *img)
{
	free(img->hdr.ranges);
	free(img->hdr_buf);
	khi_io_done(&img->io);
	memset(img, 0, sizeof(*img));
}
