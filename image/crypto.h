/* crypto.h: the checksums and libgcrypt primitives the image uses (docs/image-format.md
 * "Choice of algorithms" and "Encryption"): XXH64 or CRC-32 per chunk, CRC-32 over the commit
 * record, SHA-256 over metadata, AES-256-GCM, Argon2id. Internal.
 */
#ifndef KHI_CRYPTO_H
#define KHI_CRYPTO_H

#include <gcrypt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KHI_NONCE_SIZE 12u
#define KHI_TAG_SIZE 16u
#define KHI_SALT_SIZE 32u
#define KHI_HEADER_NONCE_INDEX UINT32_MAX

/* CRC-32 (ISO-HDLC, as zlib's crc32()), as a number. */
uint32_t khi_crc32(const void *p, size_t n);
/* A chunk's checksum by @algo, a KHI_CKSUM_* the header decoder accepted. */
uint64_t khi_chunk_cksum(uint8_t algo, const void *p, size_t n);
void khi_sha256(const void *p, size_t n, uint8_t out[32]);
/* SHA-256 of data that arrives in pieces: begin, update..., end (which frees the context). */
struct khi_sha256_ctx {
	gcry_md_hd_t h;
};
int khi_sha256_begin(struct khi_sha256_ctx *c);
void khi_sha256_update(struct khi_sha256_ctx *c, const void *p, size_t n);
void khi_sha256_end(struct khi_sha256_ctx *c, uint8_t out[32]);
/* Fills with random bytes (GCRY_STRONG_RANDOM for @key_material, else a nonce generator). */
void khi_random(void *out, size_t n, bool key_material);
/* Overwrites memory the compiler may not elide. */
void khi_wipe(void *p, size_t n);

/* Argon2id cost bounds a reader accepts from an untrusted header. */
bool khi_kdf_params_ok(uint32_t passes, uint32_t memory_kib, uint32_t lanes);
int khi_kdf_argon2id(const char *passphrase, const uint8_t salt[KHI_SALT_SIZE], uint32_t passes,
		     uint32_t memory_kib, uint32_t lanes, uint8_t key[32]);

/* One AES-256-GCM context per thread. Nonce = image_id[0..7] || le32(index). */
struct khi_gcm {
	gcry_cipher_hd_t h;
};
int khi_gcm_init(struct khi_gcm *g, const uint8_t key[32]);
void khi_gcm_done(struct khi_gcm *g);
/* Encrypts @len bytes from @in to @out (may be equal) and gives the tag. */
int khi_gcm_seal(struct khi_gcm *g, const uint8_t *image_id, uint32_t index, const void *aad,
		 size_t aad_len, const void *in, void *out, size_t len, uint8_t tag[KHI_TAG_SIZE]);
/* Decrypts and checks the tag: -EBADMSG when it does not match. */
int khi_gcm_unseal(struct khi_gcm *g, const uint8_t *image_id, uint32_t index, const void *aad,
		   size_t aad_len, const void *in, void *out, size_t len, const uint8_t tag[KHI_TAG_SIZE]);

#endif
