/* views/builds_load.c — the custom builds screen's loader thread: both envs'
 * histories, what each runs, the open build's stages (views/builds_int.h). */
#include <time.h>

#include "views/builds_int.h"

void builds_loaded_free(loaded *l)
{
	if (!l)
		return;
	free(l->v);
	free(l);
}

static int newer_first(const void *pa, const void *pb)
{
	const build_entry *a = pa, *b = pb;
	int c = strcmp(b->started, a->started);

	if (c)
		return c;
	if (strlen(a->id) != strlen(b->id)) /* ids are numbers */
		return strlen(a->id) < strlen(b->id) ? 1 : -1;
	return strcmp(b->id, a->id);
}

static void load_histories(k8s_client *c, const char *prefix, loaded *l)
{
	size_t k;

	l->hist_ok = 1;
	for (k = 0; k < 2; k++) {
		char ns[TCODE_NS_SIZE];
		build_history h = {0};
		k8s_err e;
		const char *env = tcode_env_name((tcode_env)builds_env_order[k]);

		tcode_namespace(l->tcode, (tcode_env)builds_env_order[k], ns, sizeof(ns));
		if (build_history_sync(c, prefix, l->tcode, env, ns, 0, &h, &e) < 0) {
			if (e.http == 404)
				continue; /* no such env */
			l->hist_ok = 0;
			snprintf(l->hist_err, sizeof(l->hist_err), "cannot read the builds of %s: %.200s", ns, e.msg);
			continue;
		}
		if (h.n) { /* (an env without history has no array) */
			l->v = xrealloc(l->v, (l->n + h.n) * sizeof(*l->v));
			memcpy(l->v + l->n, h.v, h.n * sizeof(*h.v));
			l->n += h.n;
		}
		build_history_release(&h);
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), newer_first);
}

static void load(k8s_client *c, const char *prefix, const char *tcode, int history,
		 const build_entry *stage, loaded *l)
{
	int env;

	util_strlcpy(l->tcode, tcode, sizeof(l->tcode));
	l->history = history;
	for (env = 0; env < 2; env++) {
		char ns[TCODE_NS_SIZE];
		k8s_err e;

		tcode_namespace(tcode, (tcode_env)env, ns, sizeof(ns));
		if (build_info_read(c, prefix, tcode, tcode_env_name((tcode_env)env), ns, &l->info[env], &e) == 0)
			l->info_ok[env] = 1;
		else
			util_strlcpy(l->info_err[env], e.msg, sizeof(l->info_err[env]));
	}
	if (history)
		load_histories(c, prefix, l);
	if (stage->id[0]) {
		char ns[TCODE_NS_SIZE];
		tcode_env te = TCODE_ENV_DEV;
		k8s_err e;

		util_strlcpy(l->stage_id, stage->id, sizeof(l->stage_id));
		util_strlcpy(l->stage_env, stage->env, sizeof(l->stage_env));
		tcode_env_parse(stage->env, &te);
		tcode_namespace(tcode, te, ns, sizeof(ns));
		if (build_stages_read(c, ns, stage, &l->stages, &e) == 0)
			l->stages_ok = 1;
		else
			snprintf(l->stage_err, sizeof(l->stage_err), "cannot read the Job of build %s: %.200s",
				 stage->id, e.msg);
	}
}

void *builds_loader_run(void *arg)
{
	loader *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		char tcode[TCODE_SIZE];
		build_entry stage;
		k8s_client *c;
		int history;
		uint64_t gen;
		loaded *l;

		if (!w->tcode[0] || w->done_gen == w->want_gen) {
			struct timespec ts;
			int rc;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += RELOAD_MS / 1000;
			rc = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
			if (w->stop)
				break;
			if (rc != 0 && w->tcode[0] && w->done_gen == w->want_gen)
				w->want_gen++; /* time to read again */
			continue;
		}
		util_strlcpy(tcode, w->tcode, sizeof(tcode));
		stage = w->stage;
		history = w->history;
		c = w->client;
		gen = w->want_gen;
		pthread_mutex_unlock(&w->mu);

		l = xcalloc(1, sizeof(*l));
		if (c) {
			load(c, w->prefix, tcode, history, &stage, l);
		} else {
			util_strlcpy(l->tcode, tcode, sizeof(l->tcode));
			util_strlcpy(l->hist_err, "no usable client for the tenant's cluster: check the kubeconfig",
				     sizeof(l->hist_err));
			util_strlcpy(l->info_err[0], l->hist_err, sizeof(l->info_err[0]));
			util_strlcpy(l->info_err[1], l->hist_err, sizeof(l->info_err[1]));
		}

		pthread_mutex_lock(&w->mu);
		if (!strcmp(tcode, w->tcode)) {
			builds_loaded_free(w->result);
			w->result = l;
			w->done_gen = gen;
			l = NULL;
		}
		pthread_mutex_unlock(&w->mu);
		builds_loaded_free(l);
		tui_loop_wake();
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}
