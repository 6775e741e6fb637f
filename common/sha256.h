/* SHA-256 (FIPS 180-4), freestanding.
 *
 * Compiled twice from this one source: into the userspace library (kjump, tests) and into the
 * purgatory, which verifies the loaded segments before it starts the helper kernel. It uses no
 * libc function at all (only <stdint.h> and <stddef.h>, which are freestanding headers), so the
 * purgatory links without one.
 *
 * Usage: kc_sha256_init(&c); kc_sha256_update(&c, p, n)...; kc_sha256_final(&c, digest);
 * or the one-shot kc_sha256(). Thread-safe: the context is the only state.
 */
#ifndef KC_SHA256_H
#define KC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KC_SHA256_DIGEST_SIZE 32
#define KC_SHA256_BLOCK_SIZE 64

struct kc_sha256 {
	uint32_t h[8];
	uint64_t total;                    /* bytes hashed so far */
	uint8_t buf[KC_SHA256_BLOCK_SIZE]; /* partial block */
};

void kc_sha256_init(struct kc_sha256 *c);
void kc_sha256_update(struct kc_sha256 *c, const void *data, size_t len);
/* Writes the digest and leaves c in an undefined state (init it again to reuse it). */
void kc_sha256_final(struct kc_sha256 *c, uint8_t digest[KC_SHA256_DIGEST_SIZE]);
void kc_sha256(const void *data, size_t len, uint8_t digest[KC_SHA256_DIGEST_SIZE]);

#endif
