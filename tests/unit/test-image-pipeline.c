/* test-image-pipeline.c: libkhimage's internal pipeline pieces, each alone.
 *
 * khi_io_writev() over extents that cut its buffers anywhere, and khi_pool_run() with a
 * flush(): runs of jobs collected in order, no slot given to a new job before the flush that
 * covers it. The writer's round trips through them are in test-image.c.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/io.h"
#include "image/pool.h"

#define PG KHI_PAGE_SIZE

/* ---- khi_io_writev ---- */

static int temp_file(size_t bytes)
{
	char path[] = "/tmp/khib-pipeline-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	return fd;
}

/* Six buffers of 1-3 pages over extents of 1, 2, 3 and 5 pages laid out of order on the
 * device: every byte lands where khi_io_read() finds it, and nowhere else is written. */
static void test_writev_extents(void **state)
{
	static const struct khi_extent ext[] = {
		{ 20 * PG, 1 * PG }, { 2 * PG, 2 * PG }, { 10 * PG, 3 * PG }, { 30 * PG, 5 * PG },
	};
	static const size_t pages[] = { 2, 1, 3, 1, 2, 1 };   /* 10 of the 11 pages */
	const size_t total = 10 * PG, dev = 40 * PG;
	uint8_t *data = khi_alloc_pages(total), *back = khi_alloc_pages(total);
	uint8_t *disk = malloc(dev);
	struct iovec iov[6];
	struct khi_io io;
	int fd = temp_file(dev);
	size_t at = 0, inside = 0;

	(void)state;
	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)(i * 7 + i / PG + 1);
	for (size_t k = 0; k < 6; k++) {
		iov[k] = (struct iovec){ data + at, pages[k] * PG };
		at += pages[k] * PG;
	}
	assert_int_equal(khi_io_init(&io, fd), 0);
	assert_int_equal(khi_io_set_extents(&io, ext, 4), 0);
	assert_int_equal(khi_io_writev(&io, PG, iov, 6), 0);   /* from inside the second extent */
	assert_int_equal(khi_io_read(&io, PG, back, total), 0);
	assert_memory_equal(back, data, total);
	/* Outside the extents, and the logical page 0 skipped, the file is still zero. */
	assert_int_equal(khi_pread_full(fd, disk, dev, 0), 0);
	for (size_t p = 0; p < dev / PG; p++) {
		bool mapped = false;
		for (size_t e = 0; e < 4; e++)
			mapped |= p * PG >= ext[e].offset && p * PG < ext[e].offset + ext[e].length;
		if (mapped && p * PG != ext[0].offset) {
			inside++;
			continue;
		}
		for (size_t b = 0; b < PG; b++)
			assert_int_equal(disk[p * PG + b], 0);
	}
	assert_int_equal(inside, 10);
	khi_io_done(&io);
	close(fd);
	free(disk);
	free(back);
	free(data);
}

/* Past the capacity nothing is written: -ENOSPC. */
static void test_writev_no_space(void **state)
{
	const struct khi_extent ext = { PG, 4 * PG };
	uint8_t *data = khi_alloc_pages(3 * PG), *disk = malloc(8 * PG);
	struct iovec iov[2] = { { data, 2 * PG }, { data + 2 * PG, PG } };
	struct khi_io io;
	int fd = temp_file(8 * PG);

	(void)state;
	memset(data, 0x5a, 3 * PG);
	assert_int_equal(khi_io_init(&io, fd), 0);
	assert_int_equal(khi_io_set_extents(&io, &ext, 1), 0);
	assert_int_equal(khi_io_writev(&io, 2 * PG, iov, 2), -ENOSPC);
	assert_int_equal(khi_pread_full(fd, disk, 8 * PG, 0), 0);
	for (size_t b = 0; b < 8 * PG; b++)
		assert_int_equal(disk[b], 0);
	khi_io_done(&io);
	close(fd);
	free(disk);
	free(data);
}

/* ---- khi_pool_run with a flush ---- */

#define JOBS 2000u
#define WORKERS 3u

struct pool_log {
	pthread_mutex_t lock;
	pthread_cond_t worked_cv;
	uint64_t job_in_slot[4 * WORKERS];
	bool held[4 * WORKERS];    /* collected, not flushed yet */
	uint64_t next_collect, flushes, longest_run, run;
	uint64_t worked[JOBS];
	int fail_job;              /* work() of this job fails; -1 none */
	bool bad;                  /* an order or slot rule broken */
};

static int p_prepare(void *ctx, uint64_t job, unsigned slot)
{
	struct pool_log *l = ctx;

	l->bad |= l->held[slot] || slot != job % (4 * WORKERS);
	l->job_in_slot[slot] = job;
	return 0;
}

static int p_work(void *ctx, unsigned worker, unsigned slot)
{
	struct pool_log *l = ctx;
	uint64_t job = l->job_in_slot[slot];

	(void)worker;
	pthread_mutex_lock(&l->lock);
	l->worked[job]++;
	pthread_cond_broadcast(&l->worked_cv);
	/* Every 50th job ends after the next one (another worker's), so the caller that waits
	 * for it finds a run of at least two done. */
	while (job % 50 == 0 && job + 1 < JOBS && !l->worked[job + 1])
		pthread_cond_wait(&l->worked_cv, &l->lock);
	pthread_mutex_unlock(&l->lock);
	return (int)job == l->fail_job ? -EIO : 0;
}

static int p_collect(void *ctx, uint64_t job, unsigned slot)
{
	struct pool_log *l = ctx;

	l->bad |= job != l->next_collect || l->job_in_slot[slot] != job || l->held[slot];
	l->held[slot] = true;
	l->next_collect++;
	l->run++;
	return 0;
}

static int p_flush(void *ctx)
{
	struct pool_log *l = ctx;

	memset(l->held, 0, sizeof(l->held));
	l->flushes++;
	if (l->run > l->longest_run)
		l->longest_run = l->run;
	l->run = 0;
	return 0;
}

static const struct khi_pool_ops flush_ops = {
	.prepare = p_prepare, .work = p_work, .collect = p_collect, .flush = p_flush,
};

/* Every job worked once and collected once, in order; runs longer than one job happen, and
 * none holds a slot a new job was prepared in. */
static void test_pool_flush_runs(void **state)
{
	struct pool_log *l = calloc(1, sizeof(*l));

	(void)state;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->worked_cv, NULL);
	l->fail_job = -1;
	assert_int_equal(khi_pool_run(WORKERS, JOBS, &flush_ops, l), 0);
	assert_false(l->bad);
	assert_int_equal(l->next_collect, JOBS);
	for (unsigned j = 0; j < JOBS; j++)
		assert_int_equal(l->worked[j], 1);
	assert_true(l->longest_run > 1);
	assert_true(l->longest_run <= 4 * WORKERS);
	assert_true(l->flushes < JOBS);
	pthread_cond_destroy(&l->worked_cv);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* A failed job ends the run before it: the jobs ahead of it are collected and flushed, it and
 * those after it are not, and its error comes back. */
static void test_pool_flush_error(void **state)
{
	struct pool_log *l = calloc(1, sizeof(*l));

	(void)state;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->worked_cv, NULL);
	l->fail_job = 777;
	assert_int_equal(khi_pool_run(WORKERS, JOBS, &flush_ops, l), -EIO);
	assert_false(l->bad);
	assert_int_equal(l->next_collect, 777);
	assert_int_equal(l->run, 0);
	pthread_cond_destroy(&l->worked_cv);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writev_extents),
		cmocka_unit_test(test_writev_no_space),
		cmocka_unit_test(test_pool_flush_runs),
		cmocka_unit_test(test_pool_flush_error),
	};

	return cmocka_run_group_tests_name("image-pipeline", tests, NULL, NULL);
}
