/* progress.c: rate limiting for khi_progress_fn. */
#include "common/clock.h"
#include "image/io.h"
#include "image/progress.h"

#define PROGRESS_INTERVAL_NS 100000000u

void khi_progress_init(struct khi_progress *p, khi_progress_fn fn, void *ctx, uint64_t total)
{
	*p = (struct khi_progress){ .fn = fn, .ctx = ctx, .total = total, .last_ns = kc_now_ns() };
}

void khi_progress_update(struct khi_progress *p, uint64_t done)
{
	uint64_t now;

	if (!p->fn)
		return;
	now = kc_now_ns();
	if (done != p->total && now - p->last_ns < PROGRESS_INTERVAL_NS)
		return;
	p->last_ns = now;
	p->fn(p->ctx, done, p->total);
}
