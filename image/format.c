/* format.c: encode and decode the on-disk structures (docs/image-format.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/byteorder.h"
#include "common/overflow.h"
#include "image/crypto.h"
#include "image/format.h"

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- anchor ---- */

enum {
	A_MAGIC = 0, A_VERSION = 8, A_STATE = 12, A_SWAP = 16, A_EXT0_OFF = 24, A_EXT0_LEN = 32,
	A_EXT_SIZE = 40, A_HDR_SIZE = 44, A_HDR_LOFS = 48, A_ID = 56, A_EXT_DIGEST = 72,
	A_RESERVED = 104, A_CRC = 124,
};

bool khi_anchor_present(const uint8_t in[KHI_ANCHOR_SIZE])
{
	return memcmp(in + A_MAGIC, KHI_ANCHOR_MAGIC, 8) == 0;
}

void khi_anchor_encode(const struct khi_anchor *a, uint8_t out[KHI_ANCHOR_SIZE])
{
	memset(out, 0, KHI_ANCHOR_SIZE);
	memcpy(out + A_MAGIC, KHI_ANCHOR_MAGIC, 8);
	put_le32(out + A_VERSION, KHI_ANCHOR_VERSION);
	put_le32(out + A_STATE, a->state);
	put_le64(out + A_SWAP, a->swap_offset);
	put_le64(out + A_EXT0_OFF, a->ext0.offset);
	put_le64(out + A_EXT0_LEN, a->ext0.length);
	put_le32(out + A_EXT_SIZE, a->ext_table_size);
	put_le32(out + A_HDR_SIZE, a->header_size);
	put_le64(out + A_HDR_LOFS, a->header_lofs);
	memcpy(out + A_ID, a->image_id, KHI_IMAGE_ID_SIZE);
	memcpy(out + A_EXT_DIGEST, a->ext_table_digest, 32);
	put_le32(out + A_CRC, khi_crc32(out, A_CRC));
}

int khi_anchor_decode(const uint8_t in[KHI_ANCHOR_SIZE], struct khi_anchor *ret)
{
	if (!khi_anchor_present(in))
		return -ENODATA;
	if (get_le32(in + A_CRC) != khi_crc32(in, A_CRC))
		return -EBADMSG;
	if (get_le32(in + A_VERSION) != KHI_ANCHOR_VERSION || !all_zero(in + A_RESERVED, A_CRC - A_RESERVED))
		return -EPROTONOSUPPORT;
	ret->state = get_le32(in + A_STATE);
	if (ret->state != KHI_STATE_COMMITTED && ret->state != KHI_STATE_CONSUMED)
		return -EPROTONOSUPPORT;
	ret->swap_offset = get_le64(in + A_SWAP);
	ret->ext0.offset = get_le64(in + A_EXT0_OFF);
	ret->ext0.length = get_le64(in + A_EXT0_LEN);
	ret->ext_table_size = get_le32(in + A_EXT_SIZE);
	ret->header_size = get_le32(in + A_HDR_SIZE);
	ret->header_lofs = get_le64(in + A_HDR_LOFS);
	memcpy(ret->image_id, in + A_ID, KHI_IMAGE_ID_SIZE);
	memcpy(ret->ext_table_digest, in + A_EXT_DIGEST, 32);
	if (ret->ext_table_size < KHI_EXT_HEAD + KHI_EXT_ENTRY ||
	    ret->ext_table_size > khi_ext_table_size(KHI_EXTENTS_MAX) ||
	    ret->header_size < KHI_HDR_VAR_OFFSET || ret->header_size > KHI_HDR_SIZE_MAX ||
	    ret->header_lofs % KHI_PAGE_SIZE || ret->ext0.offset % KHI_PAGE_SIZE ||
	    ret->ext0.length % KHI_PAGE_SIZE || ret->ext0.length == 0)
		return -EBADMSG;
	return 0;
}

/* ---- extent table ---- */

size_t khi_ext_table_size(size_t nr_extents)
{
	return KHI_EXT_HEAD + nr_extents * KHI_EXT_ENTRY;
}

void khi_ext_table_encode(const struct khi_extent *ext, size_t n, uint8_t *out)
{
	memset(out, 0, KHI_EXT_HEAD);
	memcpy(out, KHI_EXT_MAGIC, 8);
	put_le32(out + 8, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put_le64(out + KHI_EXT_HEAD + i * KHI_EXT_ENTRY, ext[i].offset);
		put_le64(out + KHI_EXT_HEAD + i * KHI_EXT_ENTRY + 8, ext[i].length);
	}
}

int khi_ext_table_count(const uint8_t *in, size_t size, size_t *ret_n)
{
	/* No version of its own (the commit record's applies): anything odd is corruption. */
	if (size < KHI_EXT_HEAD || memcmp(in, KHI_EXT_MAGIC, 8) != 0 || get_le32(in + 12) != 0)
		return -EBADMSG;
	size_t n = get_le32(in + 8);
	if (n == 0 || n > KHI_EXTENTS_MAX || khi_ext_table_size(n) != size)
		return -EBADMSG;
	*ret_n = n;
	return 0;
}

void khi_ext_entry_decode(const uint8_t *in, uint64_t at, size_t i, struct khi_extent *ret)
{
	const uint8_t *p = in + (KHI_EXT_HEAD + i * KHI_EXT_ENTRY - at);

	ret->offset = get_le64(p);
	ret->length = get_le64(p + 8);
}

/* ---- header ---- */

enum {
	H_MAGIC = 0, H_VERSION = 8, H_SIZE = 12, H_FLAGS = 16, H_PAGE_SIZE = 20, H_CHUNK_PAGES = 24,
	H_COMPRESSION = 28, H_LEVEL = 29, H_CKSUM_ALGO = 30, H_DIGEST_ALGO = 31, H_CIPHER = 32,
	H_KDF = 33, H_RESERVED = 34, H_KDF_PASSES = 36, H_KDF_MEMORY = 40, H_KDF_LANES = 44,
	H_KDF_SALT = 48, H_IMAGE_ID = 80, H_CREATED = 96, H_COMMITTED = 104, H_ENTRY = 112,
	H_SWAP = 120, H_KERNEL_ID = 128, H_RELEASE = 160, H_MACHINE_ID = 224, H_LABEL = 256,
	H_NR_RANGES = 320, H_PLATFORM_SIZE = 324, H_NR_CHUNKS = 328, H_CHUNK_TABLE = 336,
	H_BYTES_IMAGE = 344, H_PAGES_TOTAL = 352, H_PAGES_ZERO = 360, H_PAGES_RAW = 368,
	H_PAGES_COMPRESSED = 376, H_BYTES_IN = 384, H_BYTES_OUT = 392, H_CHUNK_DIGEST = 400,
	H_EXT_DIGEST = 432,
};
#define H_STR 64u

size_t khi_header_size(uint32_t nr_ranges, uint32_t platform_size)
{
	return KHI_HDR_VAR_OFFSET + (size_t)nr_ranges * KHI_HDR_RANGE + platform_size;
}

static void put_str(uint8_t *out, const char *s)
{
	memset(out, 0, H_STR);
	memcpy(out, s, strnlen(s, H_STR - 1));
}

/* A printable ASCII string, NUL padded to the end of its field. */
static int get_str(const uint8_t *in, char *out)
{
	size_t n = strnlen((const char *)in, H_STR);
	if (n == H_STR || !all_zero(in + n, H_STR - n))
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if (in[i] < 0x20 || in[i] > 0x7e)
			return -EBADMSG;
	memcpy(out, in, n + 1);
	return 0;
}

void khi_header_encode(const struct khi_header *h, uint8_t *out)
{
	const struct khi_meta *m = &h->meta;

	memset(out, 0, KHI_HDR_FIXED);
	memcpy(out + H_MAGIC, KHI_HDR_MAGIC, 8);
	put_le32(out + H_VERSION, KHI_FORMAT_VERSION);
	put_le32(out + H_SIZE, h->header_size);
	put_le32(out + H_PAGE_SIZE, KHI_PAGE_SIZE);
	put_le32(out + H_CHUNK_PAGES, KHI_CHUNK_PAGES);
	out[H_COMPRESSION] = h->compression;
	out[H_LEVEL] = h->level;
	out[H_CKSUM_ALGO] = h->cksum;
	out[H_DIGEST_ALGO] = KHI_DIGEST_SHA256;
	out[H_CIPHER] = h->cipher;
	out[H_KDF] = h->kdf;
	put_le32(out + H_KDF_PASSES, h->kdf_passes);
	put_le32(out + H_KDF_MEMORY, h->kdf_memory_kib);
	put_le32(out + H_KDF_LANES, h->kdf_lanes);
	memcpy(out + H_KDF_SALT, h->kdf_salt, 32);
	memcpy(out + H_IMAGE_ID, m->image_id, KHI_IMAGE_ID_SIZE);
	put_le64(out + H_CREATED, m->created_ns);
	put_le64(out + H_COMMITTED, m->committed_ns);
	put_le64(out + H_ENTRY, m->entry);
	put_le64(out + H_SWAP, h->swap_offset);
	memcpy(out + H_KERNEL_ID, m->kernel_id, KHI_KERNEL_ID_SIZE);
	put_str(out + H_RELEASE, m->kernel_release);
	memcpy(out + H_MACHINE_ID, m->machine_id, KHI_MACHINE_ID_SIZE);
	put_str(out + H_LABEL, m->label);
	put_le32(out + H_NR_RANGES, h->nr_ranges);
	put_le32(out + H_PLATFORM_SIZE, m->platform_size);
	put_le64(out + H_NR_CHUNKS, h->nr_chunks);
	put_le64(out + H_CHUNK_TABLE, h->chunk_table_lofs);
	put_le64(out + H_BYTES_IMAGE, h->bytes_image);
	put_le64(out + H_PAGES_TOTAL, h->pages_total);
	put_le64(out + H_PAGES_ZERO, h->pages_zero);
	put_le64(out + H_PAGES_RAW, h->pages_raw);
	put_le64(out + H_PAGES_COMPRESSED, h->pages_compressed);
	put_le64(out + H_BYTES_IN, h->bytes_in);
	put_le64(out + H_BYTES_OUT, h->bytes_out);
	memcpy(out + H_CHUNK_DIGEST, h->chunk_table_digest, 32);
	memcpy(out + H_EXT_DIGEST, h->ext_table_digest, 32);
	memcpy(out + KHI_HDR_FIXED, h->orig_bootbits, KHI_SWAP_BOOTBITS);
	uint8_t *p = out + KHI_HDR_VAR_OFFSET;
	for (uint32_t i = 0; i < h->nr_ranges; i++, p += KHI_HDR_RANGE) {
		put_le64(p, h->ranges[i].pfn);
		put_le64(p + 8, h->ranges[i].count);
	}
	if (m->platform_size)
		memcpy(p, m->platform, m->platform_size);
}

static int decode_algorithms(const uint8_t *in, struct khi_header *h)
{
	h->compression = in[H_COMPRESSION];
	h->level = in[H_LEVEL];
	h->cksum = in[H_CKSUM_ALGO];
	h->cipher = in[H_CIPHER];
	h->kdf = in[H_KDF];
	h->kdf_passes = get_le32(in + H_KDF_PASSES);
	h->kdf_memory_kib = get_le32(in + H_KDF_MEMORY);
	h->kdf_lanes = get_le32(in + H_KDF_LANES);
	memcpy(h->kdf_salt, in + H_KDF_SALT, 32);

	if (get_le32(in + H_FLAGS) || get_le16(in + H_RESERVED) ||
	    get_le32(in + H_PAGE_SIZE) != KHI_PAGE_SIZE || get_le32(in + H_CHUNK_PAGES) != KHI_CHUNK_PAGES ||
	    (h->cksum != KHI_CKSUM_CRC32 && h->cksum != KHI_CKSUM_XXH64) ||
	    in[H_DIGEST_ALGO] != KHI_DIGEST_SHA256 ||
	    h->compression > KHI_COMPRESS_LZ4HC || h->cipher > KHI_CIPHER_AES256_GCM ||
	    h->kdf > KHI_KDF_ARGON2ID)
		return -EPROTONOSUPPORT;
	if (!khi_compression_valid(h->compression, h->level))
		return -EBADMSG;
	if (h->cipher == KHI_CIPHER_NONE && (h->kdf || !all_zero(in + H_KDF_PASSES, H_IMAGE_ID - H_KDF_PASSES)))
		return -EBADMSG;
	if (h->kdf == KHI_KDF_NONE && !all_zero(in + H_KDF_PASSES, H_IMAGE_ID - H_KDF_PASSES))
		return -EBADMSG;
	if (h->kdf == KHI_KDF_ARGON2ID && !khi_kdf_params_ok(h->kdf_passes, h->kdf_memory_kib, h->kdf_lanes))
		return -EBADMSG;
	return 0;
}

static int decode_counts(const uint8_t *in, struct khi_header *h)
{
	uint64_t sum, bytes;

	h->swap_offset = get_le64(in + H_SWAP);
	h->nr_ranges = get_le32(in + H_NR_RANGES);
	h->meta.platform_size = get_le32(in + H_PLATFORM_SIZE);
	h->nr_chunks = get_le64(in + H_NR_CHUNKS);
	h->chunk_table_lofs = get_le64(in + H_CHUNK_TABLE);
	h->bytes_image = get_le64(in + H_BYTES_IMAGE);
	h->pages_total = get_le64(in + H_PAGES_TOTAL);
	h->pages_zero = get_le64(in + H_PAGES_ZERO);
	h->pages_raw = get_le64(in + H_PAGES_RAW);
	h->pages_compressed = get_le64(in + H_PAGES_COMPRESSED);
	h->bytes_in = get_le64(in + H_BYTES_IN);
	h->bytes_out = get_le64(in + H_BYTES_OUT);
	memcpy(h->chunk_table_digest, in + H_CHUNK_DIGEST, 32);
	memcpy(h->ext_table_digest, in + H_EXT_DIGEST, 32);
	memcpy(h->tag, in + KHI_HDR_OFF_TAG, 16);

	if (h->nr_ranges == 0 || h->nr_ranges > KHI_RANGES_MAX || h->meta.platform_size > KHI_PLATFORM_MAX ||
	    khi_header_size(h->nr_ranges, h->meta.platform_size) != h->header_size ||
	    h->nr_chunks == 0 || h->nr_chunks > UINT32_MAX - 1 || h->chunk_table_lofs % KHI_PAGE_SIZE ||
	    h->pages_zero > h->pages_total ||
	    add_overflows(h->pages_zero, h->pages_raw, &sum) ||
	    add_overflows(sum, h->pages_compressed, &sum) || sum != h->pages_total ||
	    mul_overflows(h->pages_total - h->pages_zero, KHI_PAGE_SIZE, &bytes) || h->bytes_in != bytes)
		return -EBADMSG;
	return 0;
}

static int decode_meta(const uint8_t *in, struct khi_meta *m)
{
	memcpy(m->image_id, in + H_IMAGE_ID, KHI_IMAGE_ID_SIZE);
	m->created_ns = get_le64(in + H_CREATED);
	m->committed_ns = get_le64(in + H_COMMITTED);
	m->entry = get_le64(in + H_ENTRY);
	memcpy(m->kernel_id, in + H_KERNEL_ID, KHI_KERNEL_ID_SIZE);
	memcpy(m->machine_id, in + H_MACHINE_ID, KHI_MACHINE_ID_SIZE);
	if (get_str(in + H_RELEASE, m->kernel_release) < 0 || get_str(in + H_LABEL, m->label) < 0)
		return -EBADMSG;
	return 0;
}

/* Ranges: ascending, disjoint, non-empty, below KHI_PFN_LIMIT (so the page count cannot
 * overflow either: at most 2^40). */
int khi_ranges_check(const struct khi_range *r, size_t n, uint64_t *ret_pages)
{
	uint64_t pages = 0, next = 0;

	for (size_t i = 0; i < n; i++) {
		if (r[i].count == 0 || r[i].pfn < next || !range_within(r[i].pfn, r[i].count, KHI_PFN_LIMIT))
			return -EINVAL;
		next = r[i].pfn + r[i].count;
		pages += r[i].count;
	}
	*ret_pages = pages;
	return 0;
}

int khi_header_decode(const uint8_t *in, size_t size, struct khi_header *ret)
{
	struct khi_header h = { 0 };
	uint64_t pages;
	int r;

	if (size < KHI_HDR_VAR_OFFSET || memcmp(in, KHI_HDR_MAGIC, 8) != 0)
		return -EBADMSG;
	if (get_le32(in + H_VERSION) != KHI_FORMAT_VERSION)
		return -EPROTONOSUPPORT;
	h.header_size = get_le32(in + H_SIZE);
	if (h.header_size != size)
		return -EBADMSG;
	if ((r = decode_algorithms(in, &h)) < 0 || (r = decode_counts(in, &h)) < 0 ||
	    (r = decode_meta(in, &h.meta)) < 0)
		return r;
	memcpy(h.orig_bootbits, in + KHI_HDR_FIXED, KHI_SWAP_BOOTBITS);

	h.ranges = calloc(h.nr_ranges, sizeof(*h.ranges));
	if (!h.ranges)
		return -ENOMEM;
	const uint8_t *p = in + KHI_HDR_VAR_OFFSET;
	for (uint32_t i = 0; i < h.nr_ranges; i++, p += KHI_HDR_RANGE) {
		h.ranges[i].pfn = get_le64(p);
		h.ranges[i].count = get_le64(p + 8);
	}
	if (khi_ranges_check(h.ranges, h.nr_ranges, &pages) < 0 || pages != h.pages_total) {
		free(h.ranges);
		return -EBADMSG;
	}
	h.meta.platform = h.meta.platform_size ? p : NULL;
	*ret = h;
	return 0;
}

/* ---- chunk record ---- */

enum {
	C_PFN = 0, C_PRESENT = 8, C_NR_PAGES = 16, C_STORED = 20, C_LOFS = 24, C_FLAGS = 32,
	C_CKSUM = 36, C_RESERVED = 44, C_TAG = 48,
};

void khi_chunk_encode(const struct khi_chunk *c, uint8_t out[KHI_CHUNK_RECORD])
{
	memset(out, 0, KHI_CHUNK_RECORD);
	put_le64(out + C_PFN, c->pfn);
	put_le64(out + C_PRESENT, c->present);
	put_le32(out + C_NR_PAGES, c->nr_pages);
	put_le32(out + C_STORED, c->stored_len);
	put_le64(out + C_LOFS, c->data_lofs);
	put_le32(out + C_FLAGS, c->flags);
	put_le64(out + C_CKSUM, c->cksum);
	memcpy(out + C_TAG, c->tag, 16);
}

int khi_chunk_decode(const uint8_t in[KHI_CHUNK_RECORD], uint8_t cksum_algo, struct khi_chunk *ret)
{
	struct khi_chunk c = {
		.pfn = get_le64(in + C_PFN),
		.present = get_le64(in + C_PRESENT),
		.nr_pages = get_le32(in + C_NR_PAGES),
		.stored_len = get_le32(in + C_STORED),
		.data_lofs = get_le64(in + C_LOFS),
		.flags = get_le32(in + C_FLAGS),
		.cksum = get_le64(in + C_CKSUM),
	};
	memcpy(c.tag, in + C_TAG, 16);

	/* A CRC-32 fills the low half of the field: the high half was reserved in its images. */
	if ((c.flags & ~KHI_CHUNK_RAW) || !all_zero(in + C_RESERVED, C_TAG - C_RESERVED) ||
	    (cksum_algo == KHI_CKSUM_CRC32 && c.cksum >> 32))
		return -EPROTONOSUPPORT;
	if (c.nr_pages == 0 || c.nr_pages > KHI_CHUNK_PAGES || c.data_lofs % KHI_PAGE_SIZE)
		return -EBADMSG;
	if (c.nr_pages < 64 && (c.present >> c.nr_pages))
		return -EBADMSG;
	uint32_t raw = (uint32_t)__builtin_popcountll(c.present) * KHI_PAGE_SIZE;
	if (c.stored_len > raw || (raw == 0) != (c.stored_len == 0) ||
	    ((c.flags & KHI_CHUNK_RAW) && c.stored_len != raw))
		return -EBADMSG;
	*ret = c;
	return 0;
}

void khi_chunk_aad(const struct khi_chunk *c, uint8_t out[KHI_CHUNK_AAD])
{
	uint8_t rec[KHI_CHUNK_RECORD];
	struct khi_chunk a = *c;

	a.data_lofs = 0;
	a.cksum = 0;
	khi_chunk_encode(&a, rec);
	memcpy(out, rec, KHI_CHUNK_AAD);
}
