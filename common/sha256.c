/* SHA-256 after FIPS 180-4 section 6.2; see sha256.h. No libc: the purgatory links this too. */
#include "common/sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t *block)
{
	uint32_t w[64], s[8];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (i = 0; i < 8; i++)
		s[i] = h[i];
	for (i = 0; i < 64; i++) {
		uint32_t e = s[4], a = s[0];
		uint32_t t1 = s[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
			      ((e & s[5]) ^ (~e & s[6])) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
			      ((a & s[1]) ^ (a & s[2]) ^ (s[1] & s[2]));
		s[7] = s[6];
		s[6] = s[5];
		s[5] = s[4];
		s[4] = s[3] + t1;
		s[3] = s[2];
		s[2] = s[1];
		s[1] = s[0];
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += s[i];
}

void kc_sha256_init(struct kc_sha256 *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	unsigned i;

	for (i = 0; i < 8; i++)
		c->h[i] = iv[i];
	c->total = 0;
}

void kc_sha256_update(struct kc_sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = c->total % KC_SHA256_BLOCK_SIZE;

	c->total += len;
	while (len > 0) {
		if (used == 0 && len >= KC_SHA256_BLOCK_SIZE) {
			compress(c->h, p);
			p += KC_SHA256_BLOCK_SIZE;
			len -= KC_SHA256_BLOCK_SIZE;
			continue;
		}
		c->buf[used++] = *p++;
		len--;
		if (used == KC_SHA256_BLOCK_SIZE) {
			compress(c->h, c->buf);
			used = 0;
		}
	}
}

void kc_sha256_final(struct kc_sha256 *c, uint8_t digest[KC_SHA256_DIGEST_SIZE])
{
	uint64_t bits = c->total * 8;
	uint8_t pad[KC_SHA256_BLOCK_SIZE + 8] = { 0x80 };
	size_t used = c->total % KC_SHA256_BLOCK_SIZE;
	size_t padlen = (used < 56 ? 56 : 120) - used;
	unsigned i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	kc_sha256_update(c, pad, padlen + 8);
	for (i = 0; i < 8; i++)
		store_be32(digest + 4 * i, c->h[i]);
}

void kc_sha256(const void *data, size_t len, uint8_t digest[KC_SHA256_DIGEST_SIZE])
{
	struct kc_sha256 c;

	kc_sha256_init(&c);
	kc_sha256_update(&c, data, len);
	kc_sha256_final(&c, digest);
}
