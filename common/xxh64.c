/* XXH64 after the xxHash specification, "XXH64 Algorithm Description"; see xxh64.h. */
#include "common/byteorder.h"
#include "common/xxh64.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t round64(uint64_t acc, uint64_t lane)
{
	acc += lane * P2;
	return rotl(acc, 31) * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t lane_acc)
{
	acc ^= round64(0, lane_acc);
	return acc * P1 + P4;
}

uint64_t kc_xxh64(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p, *end = b + n;
	uint64_t acc;

	/* Inputs of 32 bytes or more: four lanes over 32-byte stripes, then converged. */
	if (n >= 32) {
		uint64_t a1 = seed + P1 + P2, a2 = seed + P2, a3 = seed, a4 = seed - P1;

		do {
			a1 = round64(a1, get_le64(b));
			a2 = round64(a2, get_le64(b + 8));
			a3 = round64(a3, get_le64(b + 16));
			a4 = round64(a4, get_le64(b + 24));
			b += 32;
		} while (end - b >= 32);
		acc = rotl(a1, 1) + rotl(a2, 7) + rotl(a3, 12) + rotl(a4, 18);
		acc = merge(acc, a1);
		acc = merge(acc, a2);
		acc = merge(acc, a3);
		acc = merge(acc, a4);
	} else {
		acc = seed + P5;
	}
	acc += (uint64_t)n;

	/* The last 0..31 bytes: 8 at a time, then 4, then one by one. */
	for (; end - b >= 8; b += 8)
		acc = rotl(acc ^ round64(0, get_le64(b)), 27) * P1 + P4;
	if (end - b >= 4) {
		acc = rotl(acc ^ (uint64_t)get_le32(b) * P1, 23) * P2 + P3;
		b += 4;
	}
	for (; b < end; b++)
		acc = rotl(acc ^ *b * P5, 11) * P1;

	/* Avalanche: every input bit reaches every output bit. */
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	acc ^= acc >> 32;
	return acc;
}
