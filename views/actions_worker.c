/* views/actions_worker.c — checks and runs off the UI thread. */
#include <pthread.h>
#include <stdio.h>

#include "tui/loop.h"
#include "views/actions_worker.h"
#include "util/util.h"

struct actions_worker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int readonly;
	uint64_t next_id;
	actions_job *pending; /* waiting to start, or NULL */
	int running;
	actions_job *done; /* finished, not taken yet, or NULL */
	/* read-only after start */
	const fleet_cluster_cfg *cfg;
	size_t n;
	actions **ctx; /* per cluster; NULL when the cluster has no client */
};

static void do_job(actions_worker *w, actions_job *j)
{
	actions *a = j->cluster < w->n ? w->ctx[j->cluster] : NULL;
	size_t i;

	for (i = 0; i < j->n && i < ACTIONS_JOB_MAX; i++) {
		actions_outcome *o = &j->out[i];
		if (!a) {
			const fleet_cluster_cfg *c = j->cluster < w->n ? &w->cfg[j->cluster] : NULL;
			memset(o, 0, sizeof(*o));
			o->status = ACTIONS_UNREACHABLE;
			snprintf(o->message, sizeof(o->message),
				 "cluster %s is not usable: %s", c ? c->name : "?",
				 c && c->why ? c->why : "no client for its context");
			actions_describe(&j->req[i], NULL, o->description, sizeof(o->description));
			continue;
		}
		if (j->run)
			actions_run(a, &j->req[i], 0, o);
		else
			actions_check(a, &j->req[i], o);
	}
}

static void *worker_main(void *arg)
{
	actions_worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		actions_job *j;
		while (!w->stop && !w->pending)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop)
			break;
		j = w->pending;
		w->pending = NULL;
		w->running = 1;
		pthread_mutex_unlock(&w->mu);

		do_job(w, j);

		pthread_mutex_lock(&w->mu);
		w->running = 0;
		free(w->done);
		w->done = j;
		pthread_mutex_unlock(&w->mu);
		tui_loop_wake();
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

actions_worker *actions_worker_new(const fleet_cluster_cfg *cfg, size_t n, const char *prefix,
				   int readonly)
{
	actions_worker *w = xcalloc(1, sizeof(*w));
	size_t i;

	w->cfg = cfg;
	w->n = n;
	w->readonly = readonly;
	w->ctx = xcalloc(n ? n : 1, sizeof(*w->ctx));
	for (i = 0; i < n; i++)
		if (cfg[i].client || readonly)
			w->ctx[i] = actions_new(cfg[i].client, cfg[i].name, prefix, readonly);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, worker_main, w) != 0)
		die("cannot start a thread");
	return w;
}

void actions_worker_free(actions_worker *w)
{
	size_t i;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	for (i = 0; i < w->n; i++)
		actions_free(w->ctx[i]);
	free(w->ctx);
	free(w->pending);
	free(w->done);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

int actions_worker_readonly(const actions_worker *w)
{
	return w->readonly;
}

uint64_t actions_worker_submit(actions_worker *w, const actions_job *j)
{
	actions_job *c = xmalloc(sizeof(*c));
	uint64_t id;

	*c = *j;
	pthread_mutex_lock(&w->mu);
	id = c->id = ++w->next_id;
	if (w->pending && w->pending->run) {
		/* a confirmed run is never dropped: this check waits behind it */
		pthread_mutex_unlock(&w->mu);
		free(c);
		return 0;
	}
	free(w->pending);
	w->pending = c;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return id;
}

int actions_worker_take(actions_worker *w, actions_job *out)
{
	actions_job *j;

	pthread_mutex_lock(&w->mu);
	j = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->mu);
	if (!j)
		return 0;
	*out = *j;
	free(j);
	return 1;
}

int actions_worker_busy(actions_worker *w)
{
	int busy;

	pthread_mutex_lock(&w->mu);
	busy = w->pending || w->running || w->done;
	pthread_mutex_unlock(&w->mu);
	return busy;
}
