/* util/parallel.c — see parallel.h. */
#include <pthread.h>

#include "util/parallel.h"
#include "util/util.h"

typedef struct pfor {
	size_t n, next;
	void (*fn)(void *ctx, size_t i);
	int (*stop)(void *ctx);
	void *ctx;
	pthread_mutex_t mu; /* guards next */
} pfor;

static void *pfor_run(void *arg)
{
	pfor *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->mu);
		if (p->next < p->n && p->stop && p->stop(p->ctx))
			p->next = p->n;
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

/* A helper thread of util_parallel_for (the caller works too, under its own name) */
static void *pfor_thread(void *arg)
{
	util_thread_name("parallel");
	return pfor_run(arg);
}

void util_parallel_for(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), int (*stop)(void *ctx),
		       void *ctx)
{
	pfor p = {.n = n, .fn = fn, .stop = stop, .ctx = ctx};
	size_t extra = threads > n ? n : threads, k;
	pthread_t *th;
	int *started;

	extra = extra ? extra - 1 : 0;
	th = xcalloc(extra ? extra : 1, sizeof(*th));
	started = xcalloc(extra ? extra : 1, sizeof(*started));
	pthread_mutex_init(&p.mu, NULL);
	for (k = 0; k < extra; k++)
		started[k] = pthread_create(&th[k], NULL, pfor_thread, &p) == 0;
	pfor_run(&p);
	for (k = 0; k < extra; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	pthread_mutex_destroy(&p.mu);
	free(started);
	free(th);
}
