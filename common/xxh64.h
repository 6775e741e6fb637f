/* XXH64: a 64-bit non-cryptographic hash (the xxHash specification,
 * https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md, "XXH64 Algorithm
 * Description"), written here from that description.
 *
 * The image's chunk checksum (docs/image-format.md, "Choice of algorithms"): it catches
 * accidental corruption as well as CRC-32 does with twice the bits, and runs several times
 * faster in plain C, where CRC-32 without PCLMUL (QEMU's default CPU model) is table-driven.
 * Not a MAC: anyone can recompute it.
 *
 * Reads the input as little-endian words through memcpy(): any alignment, any host byte order.
 * Freestanding (no libc beyond memcpy, which the compiler inlines). Thread-safe: no state.
 */
#ifndef KC_XXH64_H
#define KC_XXH64_H

#include <stddef.h>
#include <stdint.h>

/* XXH64 of the @n bytes at @p (MUST point to them, also when @n is 0) with @seed. */
uint64_t kc_xxh64(const void *p, size_t n, uint64_t seed);

#endif
