/* image-forge.c: forged images for tests; see image-forge.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/byteorder.h"
#include "image/crypto.h"
#include "tests/unit/image-forge.h"

#define PG KHI_PAGE_SIZE

void forge_init(struct forge *f, uint64_t dev_size, const struct khi_range *ranges, size_t n)
{
	struct khi_header *h = &f->hdr;
	uint64_t pages = 0;

	memset(f, 0, sizeof(*f));
	f->dev_size = dev_size;
	f->ext_default = (struct khi_extent){ PG, dev_size - PG };
	memcpy(f->ranges, ranges, n * sizeof(*ranges));
	h->ranges = f->ranges;
	h->nr_ranges = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		pages += ranges[i].count;
		h->nr_chunks += (ranges[i].count + KHI_CHUNK_PAGES - 1) / KHI_CHUNK_PAGES;
	}
	h->header_size = (uint32_t)khi_header_size(h->nr_ranges, 0);
	h->compression = KHI_COMPRESS_LZ4;
	h->cksum = KHI_CKSUM_XXH64;
	memset(h->meta.image_id, 0x1d, KHI_IMAGE_ID_SIZE);
	strcpy(h->meta.kernel_release, "6.12.117-forged");
	strcpy(h->meta.label, "forger");
	h->meta.entry = 0x1000000;
	h->pages_total = h->pages_zero = pages;
	forge_layout(f);
	f->anchor.state = KHI_STATE_COMMITTED;
	f->anchor.header_size = h->header_size;
	memcpy(f->anchor.image_id, h->meta.image_id, KHI_IMAGE_ID_SIZE);
	f->chunk_table = true;
}

void forge_layout(struct forge *f)
{
	struct khi_header *h = &f->hdr;

	h->chunk_table_lofs = khi_page_align(khi_ext_table_size(f->ext ? f->nr_ext : 1));
	f->anchor.header_lofs = h->chunk_table_lofs + khi_page_align(h->nr_chunks * KHI_CHUNK_RECORD);
	h->bytes_image = f->anchor.header_lofs + khi_page_align(h->header_size);
}

int forge_pwrite(const struct forge *f, int fd, const void *buf, uint64_t len, uint64_t lofs)
{
	const struct khi_extent *e = f->ext ? f->ext : &f->ext_default;
	size_t n = f->ext ? f->nr_ext : 1;
	const uint8_t *p = buf;
	uint64_t start = 0;

	for (size_t i = 0; i < n && len; start += e[i].length, i++) {
		if (lofs >= start + e[i].length || lofs < start)
			continue;
		uint64_t skip = lofs - start, k = e[i].length - skip < len ? e[i].length - skip : len;
		if (pwrite(fd, p, k, (off_t)(e[i].offset + skip)) != (ssize_t)k)
			return -EIO;
		p += k, lofs += k, len -= k;
	}
	return 0;
}

/* The records of an all-zero image, or the caller's, and their digest. */
static int write_chunk_table(struct forge *f, int fd)
{
	struct khi_header *h = &f->hdr;
	uint64_t size = h->nr_chunks * KHI_CHUNK_RECORD, k = 0;
	uint8_t *t = calloc(1, size ? size : 1);
	int r;

	if (!t)
		return -ENOMEM;
	for (uint32_t i = 0; i < h->nr_ranges && !f->chunks; i++)
		for (uint64_t done = 0; done < h->ranges[i].count && k < h->nr_chunks; k++) {
			uint64_t left = h->ranges[i].count - done;
			struct khi_chunk c = { .pfn = h->ranges[i].pfn + done,
					       .nr_pages = (uint32_t)(left < KHI_CHUNK_PAGES ? left : KHI_CHUNK_PAGES) };
			khi_chunk_encode(&c, t + k * KHI_CHUNK_RECORD);
			done += c.nr_pages;
		}
	for (k = 0; f->chunks && k < h->nr_chunks; k++)
		khi_chunk_encode(&f->chunks[k], t + k * KHI_CHUNK_RECORD);
	khi_sha256(t, size, h->chunk_table_digest);
	r = forge_pwrite(f, fd, t, size, h->chunk_table_lofs);
	free(t);
	return r;
}

static int write_header(struct forge *f, int fd)
{
	struct khi_header *h = &f->hdr;
	uint8_t *b = calloc(1, h->header_size);
	int r = 0;

	if (!b)
		return -ENOMEM;
	memcpy(h->ext_table_digest, f->anchor.ext_table_digest, 32);
	khi_header_encode(h, b);
	if (f->key) {
		struct khi_gcm g = { 0 };
		if ((r = khi_gcm_init(&g, f->key)) == 0)
			r = khi_gcm_seal(&g, h->meta.image_id, KHI_HEADER_NONCE_INDEX, b, h->header_size,
					 NULL, NULL, 0, b + KHI_HDR_OFF_TAG);
		khi_gcm_done(&g);
	}
	khi_sha256(b, h->header_size, b + KHI_HDR_OFF_CHECKSUM);
	if (!r)
		r = forge_pwrite(f, fd, b, h->header_size, f->anchor.header_lofs);
	free(b);
	return r;
}

static int write_page0(const struct forge *f, int fd)
{
	uint8_t page[PG] = { 0 };

	put_le32(page + 1024, 1);
	put_le32(page + 1028, (uint32_t)(f->dev_size / PG - 1));
	memcpy(page + 1052, "forged", 6);
	khi_anchor_encode(&f->anchor, page);
	memcpy(page + PG - 10, "KHIBERNATE", 10);
	return pwrite(fd, page, PG, 0) == PG ? 0 : -EIO;
}

int forge_write(struct forge *f, int fd)
{
	const struct khi_extent *e = f->ext ? f->ext : &f->ext_default;
	size_t n = f->ext ? f->nr_ext : 1, size = khi_ext_table_size(n);
	uint8_t *t;
	int r;

	if (ftruncate(fd, (off_t)f->dev_size) < 0)
		return -errno;
	if (!(t = calloc(1, size)))
		return -ENOMEM;
	khi_ext_table_encode(e, n, t);
	khi_sha256(t, size, f->anchor.ext_table_digest);
	f->anchor.ext0 = e[0];
	f->anchor.ext_table_size = (uint32_t)size;
	r = forge_pwrite(f, fd, t, size, 0);
	free(t);
	if (!r && f->chunk_table)
		r = write_chunk_table(f, fd);
	if (!r)
		r = write_header(f, fd);
	if (!r)
		r = write_page0(f, fd);
	return r;
}
