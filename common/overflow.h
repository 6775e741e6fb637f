/* Overflow-checked arithmetic on sizes, counts and offsets that come from untrusted input.
 *
 * A hibernation image, a parameter block or a handoff is written by someone else: every sum or
 * product of its fields that sizes an allocation, bounds a loop or addresses the device goes
 * through these, so that a field near 2^64 cannot wrap a check into passing (issue 16: a
 * chunk table offset that wrapped made a 256 KiB file allocate 1 GiB). Each returns true when
 * the exact result does not fit in 64 bits, and stores it (in *ret) only when it does.
 * Freestanding, header only: usable everywhere, the purgatory included.
 */
#ifndef KC_OVERFLOW_H
#define KC_OVERFLOW_H

#include <stdbool.h>
#include <stdint.h>

/* a + b */
static inline bool add_overflows(uint64_t a, uint64_t b, uint64_t *ret)
{
	uint64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return true;
	*ret = r;
	return false;
}

/* a * b */
static inline bool mul_overflows(uint64_t a, uint64_t b, uint64_t *ret)
{
	uint64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return true;
	*ret = r;
	return false;
}

/* v rounded up to a multiple of align, a power of two */
static inline bool align_overflows(uint64_t v, uint64_t align, uint64_t *ret)
{
	uint64_t r;

	if (__builtin_add_overflow(v, align - 1, &r))
		return true;
	*ret = r & ~(align - 1);
	return false;
}

/* start + len <= limit, without wrapping: [start, start + len) lies below limit */
static inline bool range_within(uint64_t start, uint64_t len, uint64_t limit)
{
	return start <= limit && len <= limit - start;
}

#endif
