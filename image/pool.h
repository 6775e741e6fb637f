/* pool.h: an in-order parallel pipeline (kernel save_compressed_image() shape).
 *
 * Job i is prepared on the caller's thread, processed by worker i % nr in slot i % (4 * nr),
 * and collected on the caller's thread strictly in order, so the output is the same for any
 * number of workers. Spare slots let the caller prepare and collect (read the source, do the
 * I/O) while every worker computes; four per worker rather than two because chunks differ in
 * cost (zero pages are free, random data the dearest) and the in-order collect otherwise
 * stalls the workers behind one slow chunk: measured writing 1 GiB of mixed data with 2
 * threads to tmpfs, 0.97-1.38 GB/s against 0.71-1.17 (5 runs each). Internal to libkhimage.
 */
#ifndef KHI_POOL_H
#define KHI_POOL_H

#include <stdint.h>

struct khi_pool_ops {
	int (*prepare)(void *ctx, uint64_t job, unsigned slot);
	int (*work)(void *ctx, unsigned worker, unsigned slot);
	int (*collect)(void *ctx, uint64_t job, unsigned slot);
	/* Optional. With it, the caller collects every job that is done by the time it looks
	 * (a run of consecutive jobs, at most all the slots), then calls flush(), and only then
	 * gives their slots to new jobs: collect() may queue work on a slot's buffers that
	 * flush() does for the whole run (the writer: one write for several chunks). */
	int (*flush)(void *ctx);
};

static inline unsigned khi_pool_slots(unsigned nr_workers)
{
	return 4 * nr_workers;
}

/* Runs @nr_jobs jobs on @nr_workers threads. The first error (in job order) stops the
 * submission; jobs in flight finish, then the threads are joined. @return 0 or that error. */
int khi_pool_run(unsigned nr_workers, uint64_t nr_jobs, const struct khi_pool_ops *ops, void *ctx);

#endif
