/* fuzz-image.h: what the image fuzzers share (tests/fuzz/fuzz-image.c).
 *
 * An input is the start of a swap area, page 0 first. It may end with a trailer,
 * "KHIFUZZ\0" and a little-endian u64: the device is then that many bytes long (at most
 * FUZZ_DEV_MAX), zeros after the input, a sparse file: so that a 150 KiB input can stand for a
 * large swap area and reach the memory bounds (issue 16).
 *
 * The custom mutator lets libFuzzer mutate, then (seven times in eight) recomputes every
 * checksum, digest and, with the fuzzers' known key or passphrase, every GCM tag, the way a
 * forger who can write the swap area does: so that mutated inputs get past the integrity
 * checks to the decoders, the cross-checks and the decompressor behind them.
 */
#ifndef FUZZ_IMAGE_H
#define FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "image/khimage.h"

#define FUZZ_TRAILER "KHIFUZZ"
#define FUZZ_TRAILER_SIZE 16u
#define FUZZ_DEV_MAX (4ull << 30)

/* The fuzzers' secrets: seeds are encrypted with them (tests/fuzz/make-seeds.c). */
extern const uint8_t fuzz_key[KHI_KEY_SIZE];
#define FUZZ_PASSPHRASE "fuzz passphrase"
/* Argon2id costs the fuzzers accept and the seeds use: cheap enough for thousands of runs. */
#define FUZZ_KDF_PASSES 1u
#define FUZZ_KDF_MEMORY_KIB 64u
/* The memory bound the fuzzers give the reader; libFuzzer's -malloc_limit_mb sits above it,
 * so that an allocation past the bound fails the run. */
#define FUZZ_MEM_MAX (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* A memfd holding the input as a device (trailer honoured), or -1. */
int fuzz_device(const uint8_t *data, size_t size);

/* Recomputes the anchor's CRC, the extent table's and chunk table's digests, every chunk's
 * checksum (by the header's algorithm) and (with the known key or passphrase) GCM tag, the
 * header's tag and checksum, in place.
 * What does not parse is left alone. */
void fuzz_fixup(uint8_t *data, size_t size);

#endif
