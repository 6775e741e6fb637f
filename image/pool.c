/* pool.c: worker threads for khi_pool_run(). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "image/pool.h"

enum slot_state { SLOT_FREE, SLOT_PENDING, SLOT_DONE };

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work_cv, done_cv;
	const struct khi_pool_ops *ops;
	void *ctx;
	unsigned nr, nslots;
	enum slot_state *state;
	int *result;
	bool stop;
};

struct worker_arg {
	struct pool *p;
	unsigned id;
};

static void *worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct pool *p = a->p;
	unsigned slot = a->id;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->state[slot] != SLOT_PENDING)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->state[slot] != SLOT_PENDING)
			break;
		pthread_mutex_unlock(&p->lock);
		int r = p->ops->work(p->ctx, a->id, slot);
		pthread_mutex_lock(&p->lock);
		p->result[slot] = r;
		p->state[slot] = SLOT_DONE;
		pthread_cond_broadcast(&p->done_cv);
		slot = (slot + p->nr) % p->nslots;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void submit(struct pool *p, unsigned slot)
{
	pthread_mutex_lock(&p->lock);
	p->state[slot] = SLOT_PENDING;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
}

static int wait_done(struct pool *p, unsigned slot)
{
	int r;

	pthread_mutex_lock(&p->lock);
	while (p->state[slot] != SLOT_DONE)
		pthread_cond_wait(&p->done_cv, &p->lock);
	p->state[slot] = SLOT_FREE;
	r = p->result[slot];
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* After job @first: how many of the jobs before @end are done without error, in a row. Frees
 * their slots. */
static unsigned take_done(struct pool *p, uint64_t first, uint64_t end)
{
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	for (uint64_t j = first + 1; j < end; j++, n++) {
		unsigned slot = (unsigned)(j % p->nslots);
		if (p->state[slot] != SLOT_DONE || p->result[slot])
			break;
		p->state[slot] = SLOT_FREE;
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Collects the next job and, with a flush(), those done after it. @return the first error. */
static int collect_run(struct pool *p, uint64_t *next_collect, uint64_t next_submit, int err)
{
	unsigned slot = (unsigned)(*next_collect % p->nslots);
	int r = wait_done(p, slot);
	unsigned n = 1;

	if (!err)
		err = r;
	if (!err && p->ops->flush)
		n += take_done(p, *next_collect, next_submit);
	for (unsigned i = 0; i < n; i++, (*next_collect)++)
		if (!err)
			err = p->ops->collect(p->ctx, *next_collect, (unsigned)(*next_collect % p->nslots));
	if (!err && p->ops->flush)
		err = p->ops->flush(p->ctx);
	return err;
}

static int pipeline(struct pool *p, uint64_t nr_jobs)
{
	uint64_t next_submit = 0, next_collect = 0;
	int err = 0;

	while (next_collect < next_submit || (!err && next_submit < nr_jobs)) {
		while (!err && next_submit < nr_jobs && next_submit < next_collect + p->nslots) {
			unsigned slot = (unsigned)(next_submit % p->nslots);
			err = p->ops->prepare(p->ctx, next_submit, slot);
			if (err)
				break;
			submit(p, slot);
			next_submit++;
		}
		if (next_collect == next_submit)
			break;
		err = collect_run(p, &next_collect, next_submit, err);
	}
	return err;
}

int khi_pool_run(unsigned nr_workers, uint64_t nr_jobs, const struct khi_pool_ops *ops, void *ctx)
{
	struct pool p = { .ops = ops, .ctx = ctx, .nr = nr_workers, .nslots = khi_pool_slots(nr_workers) };
	pthread_t *threads = calloc(nr_workers, sizeof(*threads));
	struct worker_arg *args = calloc(nr_workers, sizeof(*args));
	unsigned started = 0;
	int r = -ENOMEM;

	p.state = calloc(p.nslots, sizeof(*p.state));
	p.result = calloc(p.nslots, sizeof(*p.result));
	if (!threads || !args || !p.state || !p.result)
		goto out_free;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.work_cv, NULL);
	pthread_cond_init(&p.done_cv, NULL);
	for (; started < nr_workers; started++) {
		args[started] = (struct worker_arg){ &p, started };
		r = -pthread_create(&threads[started], NULL, worker_main, &args[started]);
		if (r)
			break;
	}
	if (started == nr_workers)
		r = pipeline(&p, nr_jobs);

	pthread_mutex_lock(&p.lock);
	p.stop = true;
	pthread_cond_broadcast(&p.work_cv);
	pthread_mutex_unlock(&p.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&p.done_cv);
	pthread_cond_destroy(&p.work_cv);
	pthread_mutex_destroy(&p.lock);
out_free:
	free(p.result);
	free(p.state);
	free(args);
	free(threads);
	return r;
}
