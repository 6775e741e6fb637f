/* format.h: on-disk structures of docs/image-format.md v1, as byte offsets, and their
 * encoders/decoders. Decoders validate every field they can check alone (magic, version,
 * reserved bytes, ranges of values) and return -EBADMSG or -EPROTONOSUPPORT; cross-checks
 * that need several structures live in the reader. Internal to libkhimage.
 */
#ifndef KHI_FORMAT_H
#define KHI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"

/* Page 0 of the swap area (Linux include/linux/swap.h, union swap_header). */
#define KHI_SWAP_BOOTBITS 1024u             /* bytes 0..1023: our commit record lives here */
#define KHI_SWAP_INFO_END 1536u             /* version, last_page, nr_badpages, uuid, label, pad */
#define KHI_SWAP_BADPAGES_MAX 637u          /* (4086 - 1536) / 4 */
#define KHI_SIG_OFFSET (KHI_PAGE_SIZE - 10) /* last 10 bytes: the signature */
#define KHI_SIG_SWAP "SWAPSPACE2"
#define KHI_SIG_IMAGE "KHIBERNATE"

/* Commit record ("anchor"), at byte 0 of page 0. */
#define KHI_ANCHOR_MAGIC "KHIBANCR"
#define KHI_ANCHOR_VERSION 1u
#define KHI_ANCHOR_SIZE 128u

struct khi_anchor {
	uint32_t state;           /* KHI_STATE_COMMITTED or KHI_STATE_CONSUMED */
	uint64_t swap_offset;
	struct khi_extent ext0;   /* the first extent: it starts with the extent table */
	uint32_t ext_table_size;
	uint32_t header_size;
	uint64_t header_lofs;
	uint8_t image_id[KHI_IMAGE_ID_SIZE];
	uint8_t ext_table_digest[32];
};

/* Extent table, at logical offset 0 of the image. */
#define KHI_EXT_MAGIC "KHIBEXT"
#define KHI_EXT_HEAD 16u
#define KHI_EXT_ENTRY 16u
#define KHI_EXTENTS_MAX (1u << 22)

/* Header: fixed part, saved boot-block bytes, ranges, platform blob. */
#define KHI_HDR_MAGIC "KHIBHDR"
#define KHI_HDR_FIXED 512u
#define KHI_HDR_RANGE 16u
#define KHI_HDR_VAR_OFFSET (KHI_HDR_FIXED + KHI_SWAP_BOOTBITS)
#define KHI_HDR_OFF_TAG 464u
#define KHI_HDR_OFF_CHECKSUM 480u
#define KHI_HDR_SIZE_MAX (KHI_HDR_VAR_OFFSET + KHI_RANGES_MAX * KHI_HDR_RANGE + KHI_PLATFORM_MAX)

/* Chunk checksums: CRC-32, what images had before XXH64 (still read: an image written before an
 * upgrade must resume after it), and XXH64, what the writer uses. */
enum { KHI_CKSUM_CRC32 = 1, KHI_CKSUM_XXH64 = 2 };
enum { KHI_DIGEST_SHA256 = 1 };
enum { KHI_CIPHER_NONE = 0, KHI_CIPHER_AES256_GCM = 1 };
enum { KHI_KDF_NONE = 0, KHI_KDF_ARGON2ID = 1 };
#define KHI_LZ4HC_LEVEL_MAX 12

struct khi_header {
	uint32_t header_size;
	uint8_t compression, level, cksum, cipher, kdf;   /* cksum: the chunks' KHI_CKSUM_* */
	uint32_t kdf_passes, kdf_memory_kib, kdf_lanes;
	uint8_t kdf_salt[32];
	struct khi_meta meta;             /* platform points into the decoded buffer */
	uint64_t swap_offset;
	uint32_t nr_ranges;
	uint64_t nr_chunks;
	uint64_t chunk_table_lofs;
	uint64_t bytes_image;
	uint64_t pages_total, pages_zero, pages_raw, pages_compressed, bytes_in, bytes_out;
	uint8_t chunk_table_digest[32];
	uint8_t ext_table_digest[32];
	uint8_t tag[16];
	uint8_t orig_bootbits[KHI_SWAP_BOOTBITS];
	struct khi_range *ranges;         /* points into caller storage (decode: allocated) */
};

/* Chunk record, in the chunk table. */
#define KHI_CHUNK_RECORD 64u
#define KHI_CHUNK_RAW 0x1u               /* payload stored uncompressed */
#define KHI_CHUNK_AAD 40u                /* bytes 0..39 are GCM associated data */

struct khi_chunk {
	uint64_t pfn;
	uint64_t present;                 /* bit i: page pfn + i is stored (not all zero) */
	uint32_t nr_pages;
	uint32_t stored_len;
	uint64_t data_lofs;
	uint32_t flags;
	uint64_t cksum;                   /* of the stored payload bytes, by the header's algorithm
	                                     (CRC-32: below 2^32) */
	uint8_t tag[16];
};

static inline uint64_t khi_page_align(uint64_t v)
{
	return (v + KHI_PAGE_SIZE - 1) & ~(uint64_t)(KHI_PAGE_SIZE - 1);
}

void khi_anchor_encode(const struct khi_anchor *a, uint8_t out[KHI_ANCHOR_SIZE]);
/* -ENODATA when there is no anchor magic at all. */
int khi_anchor_decode(const uint8_t in[KHI_ANCHOR_SIZE], struct khi_anchor *ret);
bool khi_anchor_present(const uint8_t in[KHI_ANCHOR_SIZE]);

size_t khi_ext_table_size(size_t nr_extents);
void khi_ext_table_encode(const struct khi_extent *ext, size_t n, uint8_t *out);
/* Decodes the head: the number of extents the table of @size bytes holds. */
int khi_ext_table_count(const uint8_t *in, size_t size, size_t *ret_n);
/* Decodes entry i of a table whose bytes from @at on are in @in (entry i MUST lie in them). */
void khi_ext_entry_decode(const uint8_t *in, uint64_t at, size_t i, struct khi_extent *ret);

/* Encodes everything but tag and checksum (left zero). @out: h->header_size bytes. */
void khi_header_encode(const struct khi_header *h, uint8_t *out);
/* Decodes and checks the header fields; does not verify checksum or tag. ranges is malloc'd,
 * meta.platform points into @in. */
int khi_header_decode(const uint8_t *in, size_t size, struct khi_header *ret);
size_t khi_header_size(uint32_t nr_ranges, uint32_t platform_size);

/* Ranges ascending, disjoint, non-empty, below KHI_PFN_LIMIT: 0 and the page count, or -EINVAL. */
int khi_ranges_check(const struct khi_range *r, size_t n, uint64_t *ret_pages);

void khi_chunk_encode(const struct khi_chunk *c, uint8_t out[KHI_CHUNK_RECORD]);
/* @cksum_algo: the header's KHI_CKSUM_*, which says how wide the checksum field is. */
int khi_chunk_decode(const uint8_t in[KHI_CHUNK_RECORD], uint8_t cksum_algo, struct khi_chunk *ret);
/* The GCM associated data of a chunk: its record's first KHI_CHUNK_AAD bytes with data_lofs
 * and cksum zero (the writer knows neither when it encrypts). */
void khi_chunk_aad(const struct khi_chunk *c, uint8_t out[KHI_CHUNK_AAD]);

#endif
