/* How many workers the helper runs; see helper.h. */
#include <stdio.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "helper/helper.h"
#include "image/khimage.h"

unsigned khh_threads_fit(unsigned want, uint64_t free_bytes)
{
	if (want > KHI_THREADS_MAX)
		want = KHI_THREADS_MAX;
	while (want > 1 && khi_buffer_bytes(want) > free_bytes / 2)
		want--;
	return want ? want : 1;
}

unsigned khh_threads(unsigned asked)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = asked ? asked : cpus > 0 ? (unsigned)cpus : 1, n;
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return khh_threads_fit(want, UINT64_MAX);
	n = khh_threads_fit(want, (uint64_t)si.freeram * si.mem_unit);
	if (n < want)
		fprintf(stderr, "khib-helper: %u threads instead of %u: the buffers of %u would take over "
			"half of the helper's %llu MiB of free memory (a larger crashkernel= region "
			"allows more)\n", n, want, want,
			(unsigned long long)((uint64_t)si.freeram * si.mem_unit >> 20));
	return n;
}
