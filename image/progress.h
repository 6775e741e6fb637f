/* progress.h: rate-limited progress callbacks (at most every 100 ms, plus the final one). */
#ifndef KHI_PROGRESS_H
#define KHI_PROGRESS_H

#include <stdint.h>

#include "image/khimage.h"

struct khi_progress {
	khi_progress_fn fn;
	void *ctx;
	uint64_t total;
	uint64_t last_ns;
};

void khi_progress_init(struct khi_progress *p, khi_progress_fn fn, void *ctx, uint64_t total);
void khi_progress_update(struct khi_progress *p, uint64_t done);

#endif
