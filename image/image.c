/* image.c: commit record -> extent table -> header, each checked before it is used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/crypto.h"
#include "image/image.h"
#include "overflow.h"

int khi_read_page0(int fd, uint64_t swap_offset, uint8_t *page, struct khi_swap *ret)
{
	int r = khi_pread_full(fd, page, KHI_PAGE_SIZE, swap_offset);

	if (r == -ENXIO)
		return -EMEDIUMTYPE;
	return r < 0 ? r : khi_swap_parse(page, ret);
}

/* The extent table describes itself: its first extent is in the commit record, and entry k
 * always lies in the bytes of extents 0..k-1 (an extent is at least a page, an entry 16
 * bytes), so it is read in steps, each covered by the extents decoded so far. */
static int read_ext_table(struct khi_image *img, uint8_t *buf)
{
	const struct khi_anchor *a = &img->anchor;
	uint64_t size = khi_page_align(a->ext_table_size), done = 0;
	size_t n = 0, decoded = 0;
	struct khi_extent *e = NULL;
	int r;

	if ((r = khi_io_set_extents(&img->io, &a->ext0, 1)) < 0)
		return r;
	while (done < size) {
		uint64_t step = khi_io_capacity(&img->io) - done;
		if (step > size - done)
			step = size - done;
		if (step == 0 || (r = khi_io_read(&img->io, done, buf + done, step)) < 0) {
			r = r < 0 ? r : -EBADMSG;
			break;
		}
		done += step;
		if (!e) {
			if ((r = khi_ext_table_count(buf, a->ext_table_size, &n)) < 0)
				break;
			if (!(e = malloc(n * sizeof(*e)))) {
				r = -ENOMEM;
				break;
			}
		}
		while (decoded < n && KHI_EXT_HEAD + (decoded + 1) * KHI_EXT_ENTRY <= done)
			khi_ext_entry_decode(buf, decoded, &e[decoded]), decoded++;
		if (e[0].offset != a->ext0.offset || e[0].length != a->ext0.length ||
		    khi_extents_check(e, decoded, img->io.dev_size, a->swap_offset, NULL) < 0) {
			r = -EBADMSG;
			break;
		}
		if ((r = khi_io_set_extents(&img->io, e, decoded)) < 0)
			break;
	}
	free(e);
	return r;
}

static int load_header(struct khi_image *img)
{
	const struct khi_anchor *a = &img->anchor;
	uint8_t sum[32];
	int r;

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

int khi_image_load(struct khi_image *img, int fd, uint64_t swap_offset, const struct khi_anchor *a)
{
	uint8_t *buf = NULL;
	uint8_t sum[32];
	int r;

	memset(img, 0, sizeof(*img));
	img->anchor = *a;
	if ((r = khi_io_init(&img->io, fd)) < 0)
		goto fail;
	if (a->swap_offset != swap_offset ||
	    khi_extents_check(&a->ext0, 1, img->io.dev_size, swap_offset, NULL) < 0 ||
	    a->ext_table_size / KHI_EXT_ENTRY > img->io.dev_size / KHI_PAGE_SIZE) {
		r = -EBADMSG;
		goto fail;
	}
	if (!(buf = khi_alloc_pages(a->ext_table_size))) {
		r = -ENOMEM;
		goto fail;
	}
	if ((r = read_ext_table(img, buf)) < 0)
		goto fail;
	khi_sha256(buf, a->ext_table_size, sum);
	if (memcmp(sum, a->ext_table_digest, 32) != 0) {
		r = -EBADMSG;
		goto fail;
	}
	if ((r = load_header(img)) < 0)
		goto fail;
	if ((r = cross_check(img, swap_offset)) < 0)
		goto fail;
	free(buf);
	return 0;
fail:
	free(buf);
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
