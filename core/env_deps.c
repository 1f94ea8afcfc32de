/* core/env_deps.c — what a fleet's environments wait for; see env_deps.h. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "core/db_info.h"
#include "core/env_deps.h"
#include "core/fs_info.h"
#include "util/parallel.h"
#include "util/util.h"

typedef struct entry {
	size_t ci;
	char ns[64];
	int64_t at_ms;	/* when it was read (monotonic) */
	int seen;	/* still waiting in the last check */
	int has_db, has_fs;
	db_info db;
	fs_info fs;
} entry;

struct env_deps {
	pthread_mutex_t check_mu; /* one env_deps_check at a time */
	pthread_mutex_t mu;	  /* the entries and what changed */
	entry *e;
	size_t n, cap;
	env_deps_key changed[ENV_DEPS_CHANGED_MAX]; /* since env_deps_take_changed */
	size_t n_changed;
	int overflow; /* more changed than are kept */
};

env_deps *env_deps_new(void)
{
	env_deps *d = xcalloc(1, sizeof(*d));

	pthread_mutex_init(&d->check_mu, NULL);
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

void env_deps_free(env_deps *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->check_mu);
	pthread_mutex_destroy(&d->mu);
	free(d->e);
	free(d);
}

static entry *find(env_deps *d, size_t ci, const char *ns)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->e[i].ci == ci && !strcmp(d->e[i].ns, ns))
			return &d->e[i];
	return NULL;
}

/* Under d->mu: env ns of cluster ci changed. */
static void note_changed(env_deps *d, size_t ci, const char *ns)
{
	for (size_t i = 0; i < d->n_changed; i++)
		if (d->changed[i].ci == ci && !strcmp(d->changed[i].ns, ns))
			return;
	if (d->n_changed == ENV_DEPS_CHANGED_MAX) {
		d->overflow = 1;
		return;
	}
	d->changed[d->n_changed].ci = ci;
	util_strlcpy(d->changed[d->n_changed].ns, ns, sizeof(d->changed[0].ns));
	d->n_changed++;
}

int env_deps_take_changed(env_deps *d, env_deps_key out[ENV_DEPS_CHANGED_MAX])
{
	int n;

	pthread_mutex_lock(&d->mu);
	n = d->overflow ? -1 : (int)d->n_changed;
	if (n > 0)
		memcpy(out, d->changed, (size_t)n * sizeof(*out));
	d->n_changed = 0;
	d->overflow = 0;
	pthread_mutex_unlock(&d->mu);
	return n;
}

static int base_waits(const model_env *e, const char *comp)
{
	for (size_t i = 0; i < e->n_base && i < MODEL_MAX_BASE; i++)
		if (!strcmp(e->base[i].component, comp))
			return e->base[i].desired > 0 && e->base[i].ready < e->base[i].desired;
	return 0;
}

static int public_waits(const model_env *e)
{
	if (e->product == MODEL_PRODUCT_ESOCIAL)
		return 0;
	for (size_t i = 0; i < e->n_public && i < MODEL_MAX_PUBLIC; i++)
		if (e->pub[i].desired > 0 && e->pub[i].ready < e->pub[i].desired)
			return 1;
	return 0;
}

/* One env to read in a check. */
typedef struct job {
	size_t ci;
	k8s_client *c;
	char ns[64];
	int want_db, want_fs;
	const char *db; /* the namespace's database annotation as listed, or NULL */
} job;

static void job_set(job *j, size_t ci, k8s_client *c, const char *ns, int want_db, int want_fs,
		    const char *db)
{
	j->ci = ci;
	j->c = c;
	util_strlcpy(j->ns, ns, sizeof(j->ns));
	j->want_db = want_db;
	j->want_fs = want_fs;
	j->db = db;
}

/* A check's reads, shared by its workers. */
typedef struct check_run {
	env_deps *d;
	const char *prefix;
	job *jobs;
	size_t n_jobs;
	int64_t start;
	int budget_ms;
	int changed; /* under d->mu */
	fs_memo *memo; /* the clusters' storage classes, asked for once a run */
} check_run;

/* 1 when fresh says something other than old (a new entry, one that reads
 * differently, or one that now waits for something else). */
static int entry_differs(const entry *old, const entry *fresh)
{
	if (old->has_db != fresh->has_db || old->has_fs != fresh->has_fs)
		return 1;
	if (fresh->has_db && (strcmp(old->db.state, fresh->db.state) || strcmp(old->db.detail, fresh->db.detail)))
		return 1;
	return fresh->has_fs && strcmp(old->fs.detail, fresh->fs.detail);
}

static void read_one(void *ctx, size_t i)
{
	check_run *r = ctx;
	const job *j = &r->jobs[i];
	env_deps *d = r->d;
	entry fresh, *en;

	memset(&fresh, 0, sizeof(fresh));
	fresh.ci = j->ci;
	util_strlcpy(fresh.ns, j->ns, sizeof(fresh.ns));
	fresh.seen = 1;
	if ((fresh.has_db = j->want_db))
		db_info_read_listed(j->c, r->prefix, j->ns, j->db, ENV_DEPS_DB_TIMEOUT_S, &fresh.db);
	if ((fresh.has_fs = j->want_fs))
		fs_info_read_memo(j->c, r->prefix, j->ns, r->memo, &fresh.fs);
	fresh.at_ms = util_mono_ms();
	pthread_mutex_lock(&d->mu);
	en = find(d, j->ci, j->ns);
	if (!en) {
		if (d->n == d->cap) {
			d->cap = d->cap ? 2 * d->cap : 16;
			d->e = xrealloc(d->e, d->cap * sizeof(*d->e));
		}
		en = &d->e[d->n++];
		r->changed++;
		note_changed(d, fresh.ci, fresh.ns);
	} else if (entry_differs(en, &fresh)) {
		r->changed++;
		note_changed(d, fresh.ci, fresh.ns);
	}
	*en = fresh;
	pthread_mutex_unlock(&d->mu);
}

/* No read is begun once the budget is spent. */
static int budget_spent(void *ctx)
{
	const check_run *r = ctx;

	return util_mono_ms() - r->start > r->budget_ms;
}

int env_deps_check(env_deps *d, const fleet_snapshot *s, const fleet_cluster_cfg *cfg, size_t n_cfg,
		   const char *prefix, int recheck_ms, size_t max, int budget_ms)
{
	check_run r = {.d = d, .prefix = prefix, .start = util_mono_ms(), .budget_ms = budget_ms};
	size_t cap = 0;

	/* one check at a time: each marks what it saw, then forgets the rest */
	pthread_mutex_lock(&d->check_mu);
	/* what to read: the envs that wait and were not read within recheck_ms */
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < d->n; i++)
		d->e[i].seen = 0;
	for (size_t i = 0; i < s->n_envs; i++) {
		const model_env *e = fleet_env(s, i);
		size_t ci = fleet_tenant_at(s, s->env_tenant[i])->cluster;
		k8s_client *c = ci < n_cfg ? cfg[ci].client : NULL;
		int want_db = base_waits(e, "dbaccess"), want_fs = public_waits(e);
		entry *en;

		if (!c || e->fresh.stale || e->fresh.loading || (!want_db && !want_fs))
			continue;
		en = find(d, ci, e->ns);
		if (en) {
			en->seen = 1;
			if (util_mono_ms() - en->at_ms < recheck_ms && en->has_db == want_db && en->has_fs == want_fs)
				continue;
		}
		if (r.n_jobs >= max)
			continue;
		if (r.n_jobs == cap) {
			cap = cap ? 2 * cap : 16;
			r.jobs = xrealloc(r.jobs, cap * sizeof(*r.jobs));
		}
		job_set(&r.jobs[r.n_jobs++], ci, c, e->ns, want_db, want_fs, NULL);
	}
	pthread_mutex_unlock(&d->mu);
	/* read them, ENV_DEPS_READERS at a time (this thread among them) */
	r.memo = fs_memo_new();
	util_parallel_for(r.n_jobs, ENV_DEPS_READERS, read_one, budget_spent, &r);
	fs_memo_free(r.memo);
	free(r.jobs);
	/* envs that wait no more are forgotten */
	pthread_mutex_lock(&d->mu);
	for (size_t i = d->n; i-- > 0;)
		if (!d->e[i].seen) {
			note_changed(d, d->e[i].ci, d->e[i].ns);
			d->e[i] = d->e[--d->n];
			r.changed++;
		}
	pthread_mutex_unlock(&d->mu);
	pthread_mutex_unlock(&d->check_mu);
	return r.changed;
}

int env_deps_read(env_deps *d, const fleet_waiting *w, size_t n, const fleet_cluster_cfg *cfg,
		  size_t n_cfg, const char *prefix, int budget_ms)
{
	check_run r = {.d = d, .prefix = prefix, .start = util_mono_ms(), .budget_ms = budget_ms};

	r.jobs = xcalloc(n ? n : 1, sizeof(*r.jobs));
	for (size_t i = 0; i < n; i++) {
		k8s_client *c = w[i].ci < n_cfg ? cfg[w[i].ci].client : NULL;

		/* (a namespace listed with the others is not asked for again) */
		if (c && (w[i].want_db || w[i].want_fs))
			job_set(&r.jobs[r.n_jobs++], w[i].ci, c, w[i].ns, w[i].want_db, w[i].want_fs,
				w[i].db_listed ? w[i].db : NULL);
	}
	r.memo = fs_memo_new();
	pthread_mutex_lock(&d->check_mu);
	util_parallel_for(r.n_jobs, ENV_DEPS_READERS, read_one, budget_spent, &r);
	pthread_mutex_unlock(&d->check_mu);
	fs_memo_free(r.memo);
	free(r.jobs);
	return r.changed;
}

int env_deps_budget(int64_t deadline_ms, int64_t now_ms, int max_ms)
{
	int64_t left;

	if (!deadline_ms)
		return max_ms;
	left = deadline_ms - now_ms - ENV_DEPS_DB_TIMEOUT_S * 1000;
	if (left < 0)
		return -1;
	return left < max_ms ? (int)left : max_ms;
}

int env_deps_db(env_deps *d, size_t ci, const char *ns, db_info *out)
{
	entry *p;
	int ok = 0;

	pthread_mutex_lock(&d->mu);
	p = find(d, ci, ns);
	if (p && p->has_db) {
		*out = p->db;
		ok = 1;
	}
	pthread_mutex_unlock(&d->mu);
	return ok;
}

int env_deps_fs(env_deps *d, size_t ci, const char *ns, fs_info *out)
{
	entry *p;
	int ok = 0;

	pthread_mutex_lock(&d->mu);
	p = find(d, ci, ns);
	if (p && p->has_fs) {
		*out = p->fs;
		ok = 1;
	}
	pthread_mutex_unlock(&d->mu);
	return ok;
}

void env_deps_apply(env_deps *d, size_t ci, const model_env *e, health_result *r)
{
	health_deps hd = {0};
	entry en;
	entry *p;

	pthread_mutex_lock(&d->mu);
	p = find(d, ci, e->ns);
	if (p)
		en = *p;
	pthread_mutex_unlock(&d->mu);
	if (!p)
		return;
	if (en.has_db) {
		hd.db_state = en.db.state;
		hd.db_name = en.db.name;
		hd.db_host = en.db.host;
		hd.db_port = en.db.port;
		hd.db_detail = en.db.detail;
	}
	if (en.has_fs && en.fs.read) {
		hd.fs_phase = en.fs.present ? en.fs.phase : "";
		hd.fs_detail = en.fs.detail;
		hd.fs_mounted = (const char(*)[16])en.fs.mounted_by;
		hd.n_fs_mounted = en.fs.n_mounted;
	}
	health_env_deps(e, &hd, r);
}

/* ---- the thread ---- */

struct env_deps_watch {
	env_deps *d;
	fleet *f;
	const fleet_cluster_cfg *cfg;
	size_t n_cfg;
	const char *prefix;
	int interval_ms;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

static void *watch_run(void *arg)
{
	env_deps_watch *w = arg;

	util_thread_name("env-deps");
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		fleet_snapshot *s;
		struct timespec ts;
		int changed;

		pthread_mutex_unlock(&w->mu);
		s = fleet_snapshot_get(w->f);
		changed = s ? env_deps_check(w->d, s, w->cfg, w->n_cfg, w->prefix, 30000, 16, 20000) : 0;
		if (s)
			fleet_snapshot_put(s);
		if (changed)
			fleet_deps_changed(w->f);
		pthread_mutex_lock(&w->mu);
		if (w->stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += w->interval_ms / 1000;
		ts.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

env_deps_watch *env_deps_watch_start(env_deps *d, fleet *f, const fleet_cluster_cfg *cfg, size_t n_cfg,
				     const char *prefix, int interval_ms)
{
	env_deps_watch *w = xcalloc(1, sizeof(*w));

	w->d = d;
	w->f = f;
	w->cfg = cfg;
	w->n_cfg = n_cfg;
	w->prefix = prefix;
	w->interval_ms = interval_ms > 0 ? interval_ms : 5000;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, watch_run, w)) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return NULL;
	}
	return w;
}

void env_deps_watch_stop(env_deps_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
