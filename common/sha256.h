/* SHA-256 (FIPS 180-4), freestanding.
 *
 * Compiled twice from this one source: into the userspace library (kjump, tests) and into the
 * purgatory, which verifies the loaded segments before it starts the helper kernel. It uses no
 * libc function at all (only <stdint.h> and <stddef.h>, which are freestanding headers), so the
 * purgatory links without one.
 *
 * Usage: kj_sha256_init(&c); kj_sha256_update(&c, p, n)...; kj_sha256_final(&c, digest);
 * or the one-shot kj_sha256(). Thread-safe: the context is the only state.
 */
#ifndef KJ_SHA256_H
#define KJ_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KJ_SHA256_DIGEST_SIZE 32
#define KJ_SHA256_BLOCK_SIZE 64

struct kj_sha256 {
	uint32_t h[8];
	uint64_t total;                    /* bytes hashed so far */
	uint8_t buf[KJ_SHA256_BLOCK_SIZE]; /* partial block */
};

void kj_sha256_init(struct kj_sha256 *c);
void kj_sha256_update(struct kj_sha256 *c, const void *data, size_t len);
/* Writes the digest and leaves c in an undefined state (init it again to reuse it). */
void kj_sha256_final(struct kj_sha256 *c, uint8_t digest[KJ_SHA256_DIGEST_SIZE]);
void kj_sha256(const void *data, size_t len, uint8_t digest[KJ_SHA256_DIGEST_SIZE]);

#endif
