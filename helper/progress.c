/* Console progress and the clock; see helper.h. */
#include <stdio.h>

#include "common/clock.h"
#include "helper/helper.h"

void khh_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct khh_progress *p = ctx;
	uint64_t now = kc_now_ns();
	double secs = (now - p->start_ns) / 1e9, rate;

	if (done < total && now - p->last_ns < 1000000000u)
		return;
	p->last_ns = now;
	rate = secs > 0 ? done / secs : 0;
	fprintf(stderr, "khib-helper: %s %3.0f%%  %llu/%llu MiB  %.0f MB/s  %.0f s %s\n", p->verb,
		total ? 100.0 * done / total : 100.0, (unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20), rate / 1e6,
		done < total && rate > 0 ? (total - done) / rate : secs,
		done < total ? "left" : "in all");
}
