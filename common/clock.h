/* clock: nanoseconds for timing what khibernate does (phases, progress, statistics).
 *
 * kc_now_ns() reads CLOCK_MONOTONIC: what the image library, the helper and the reservation
 * time. Across a kexec jump that clock stands still while A is away (timekeeping is suspended
 * around the jump), so what spans the jump reads kc_boottime_ns(), which the kernel advances
 * by the time away on return.
 */
#ifndef KC_CLOCK_H
#define KC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t kc_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*! kc_now_ns() : CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t kc_now_ns(void)
{
	return kc_clock_ns(CLOCK_MONOTONIC);
}

/*! kc_boottime_ns() : CLOCK_BOOTTIME in nanoseconds (it counts the time A was away). */
static inline uint64_t kc_boottime_ns(void)
{
	return kc_clock_ns(CLOCK_BOOTTIME);
}

#endif
