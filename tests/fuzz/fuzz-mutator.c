/* fuzz-mutator.c: the image fuzzers' mutator (fuzz-image.h): libFuzzer's, then the fix-up. */
#include "tests/fuzz/fuzz-image.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	size = LLVMFuzzerMutate(data, size, max_size);
	/* One in eight stays as mutated: the checks themselves are fuzzed too. */
	if (seed % 8)
		fuzz_fixup(data, size);
	return size;
}
