/* views/builds.c — a tenant's custom builds: history, stages and logs, promote. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "core/pod_containers.h"
#include "core/build_history.h"
#include "core/build_info.h"
#include "core/build_promotion.h"
#include "core/build_stages.h"
#include "core/promote.h"
#include "core/tcode.h"
#include "tui/dialog.h"
#include "tui/logpane.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "util/util.h"
#include "views/builds.h"
#include "views/tenant.h"
#include "views/wizard_run.h"
#include "views/wizard_ns.h"

#define RELOAD_MS 5000
#define RING_LINES 5000
#define RING_BYTES (2u << 20)
#define LINE_BYTES (8u << 10)
#define TAIL_LINES 2000
#define DETAIL_LINES 4

enum {
	REQ_BACK,
	REQ_OPEN,
	REQ_RELOAD,
	REQ_PROMOTE_DEV,
	REQ_PROMOTE_PROD,
	REQ_ROLLBACK_DEV,
	REQ_ROLLBACK_PROD,
};

static const tui_binding builds_bindings[] = {
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the history (from a build), then to the tenant"},
    {TUI_KEY_ENTER, REQ_OPEN, "Stages", "the build's stages and the log of the selected one"},
    {'p', REQ_PROMOTE_DEV, "Promote dev", "promote the selected build to dev (confirm)"},
    {'P', REQ_PROMOTE_PROD, "prod", "promote it to prod once dev is ready with it (TCODE typed)"},
    {'b', REQ_ROLLBACK_DEV, "Roll back dev", "dev back to the RPO before its last promotion"},
    {'B', REQ_ROLLBACK_PROD, "prod", "prod back to the RPO before its last promotion (TCODE typed)"},
    {'r', REQ_RELOAD, "Reload", "read the history again now"},
};
static const tui_keymap builds_keymap = {"builds", builds_bindings, ARRAY_SIZE(builds_bindings)};

static const int env_order[2] = {TCODE_ENV_DEV, TCODE_ENV_PROD};

/* ---- the loader: histories, RPOs, the selected build's stages ---- */

typedef struct loaded {
	char tcode[TCODE_SIZE];
	int history; /* the histories were asked for */
	int hist_ok;
	char hist_err[300];
	build_entry *v; /* both envs, newest first */
	size_t n;
	int info_ok[2]; /* by tcode_env */
	char info_err[2][200];
	build_info info[2];
	char stage_id[BUILD_ID_SIZE]; /* "" when no stages were asked */
	char stage_env[8];
	int stages_ok;
	char stage_err[300];
	build_stages stages;
} loaded;

typedef struct loader {
	pthread_t th;
	int started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* what is wanted (under mu) */
	k8s_client *client;
	const char *prefix;
	char tcode[TCODE_SIZE]; /* "" : nothing */
	int history;
	build_entry stage; /* stage.id "" : none */
	uint64_t want_gen, done_gen;
	loaded *result; /* the answer to done_gen, not yet taken */
} loader;

static void loaded_free(loaded *l)
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
		const char *env = tcode_env_name((tcode_env)env_order[k]);

		tcode_namespace(l->tcode, (tcode_env)env_order[k], ns, sizeof(ns));
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

static void *loader_run(void *arg)
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
			loaded_free(w->result);
			w->result = l;
			w->done_gen = gen;
			l = NULL;
		}
		pthread_mutex_unlock(&w->mu);
		loaded_free(l);
		tui_loop_wake();
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- a stage's log, read on a thread of its own ---- */

typedef struct logread {
	pthread_t th;
	atomic_int cancel, done;
	k8s_client *client;
	char ns[TCODE_NS_SIZE], pod[64], container[32];
	int follow;
	tui_logring *ring;
	char end[300]; /* written by the thread before done */
} logread;

static int push_line(void *ctx, const char *line, size_t len)
{
	logread *r = ctx;

	if (tui_logring_push(r->ring, line, len))
		tui_loop_wake();
	return 0;
}

static void *logread_run(void *arg)
{
	logread *r = arg;
	k8s_err err = {0};

	if (pod_log_read(r->client, r->ns, r->pod, r->container, TAIL_LINES, r->follow, push_line, r,
			 &r->cancel, &err) < 0) {
		if (err.http == 400 || err.http == 404)
			snprintf(r->end, sizeof(r->end), "no log for stage %s yet: %.200s", r->container, err.msg);
		else
			snprintf(r->end, sizeof(r->end), "the log could not be read: %.200s", err.msg);
	} else if (!atomic_load(&r->cancel)) {
		snprintf(r->end, sizeof(r->end), "end of the log of stage %s", r->container);
	}
	atomic_store(&r->done, 1);
	tui_loop_wake();
	return NULL;
}

/* ---- jobs: a promotion's plan, the run to roll back, the bookkeeping ---- */

typedef enum job_kind { JOB_PLAN, JOB_FIND_BACK, JOB_RECORD } job_kind;

typedef struct job {
	pthread_t th;
	atomic_int done;
	job_kind kind;
	k8s_client *client;
	const char *prefix, *catalog;
	char tcode[TCODE_SIZE], env[8], build[BUILD_ID_SIZE], by[96];
	int rollback; /* JOB_RECORD: after a rollback (clear the mark) */
	/* results */
	int rc;
	char err[600], note[300];
	plan p;	   /* JOB_PLAN */
	journal j; /* JOB_FIND_BACK */
	char run[JOURNAL_RUN_SIZE];
} job;

static void job_plan(job *j)
{
	wizard_ctx c = {.client = j->client, .catalog_url = j->catalog, .prefix = j->prefix};
	plan_input in[3];
	wizard_fail fail = WIZARD_FAIL_NONE;
	k8s_err e;

	memset(in, 0, sizeof(in));
	util_strlcpy(in[0].key, "tcode", sizeof(in[0].key));
	util_strlcpy(in[0].value, j->tcode, sizeof(in[0].value));
	util_strlcpy(in[1].key, "build", sizeof(in[1].key));
	util_strlcpy(in[1].value, j->build, sizeof(in[1].value));
	util_strlcpy(in[2].key, "env", sizeof(in[2].key));
	util_strlcpy(in[2].value, j->env, sizeof(in[2].value));
	j->rc = wizard_promote.build(&c, in, ARRAY_SIZE(in), &j->p, j->err, sizeof(j->err), &fail, &e,
				     j->note, sizeof(j->note));
}

static void job_find_back(job *j)
{
	k8s_err e;
	int rc = build_promotion_last(j->client, j->prefix, j->tcode, j->env, j->run, sizeof(j->run),
				      j->build, sizeof(j->build), &e);

	if (rc < 0) {
		j->rc = util_seterr(j->err, sizeof(j->err), "cannot read the runs of %s: %s", j->tcode, e.msg);
	} else if (rc == 0) {
		j->rc = util_seterr(j->err, sizeof(j->err),
				    "%s has no promotion to %s to go back from: nothing was changed", j->tcode, j->env);
	} else if (journal_load(j->client, j->run, &j->j, &e) < 0) {
		j->rc = util_seterr(j->err, sizeof(j->err), "cannot read run %s: %s", j->run, e.msg);
	} else {
		j->rc = 0;
	}
}

/* After a run ended: the history records (or clears) the promotion when the
 * journals say it is so (a run that failed or was paused records nothing). */
static void job_record(job *j)
{
	char run[JOURNAL_RUN_SIZE] = "", build[BUILD_ID_SIZE] = "", at[32];
	k8s_err e;
	int rc = build_promotion_last(j->client, j->prefix, j->tcode, j->env, run, sizeof(run), build,
				      sizeof(build), &e);

	j->rc = 0;
	if (rc < 0) {
		util_seterr(j->err, sizeof(j->err), "cannot read the runs of %s: %s", j->tcode, e.msg);
		j->rc = -1;
		return;
	}
	if (!j->rollback && (rc == 0 || strcmp(build, j->build)))
		return; /* not done: nothing to record */
	if (j->rollback && rc == 1 && !strcmp(run, j->run))
		return; /* not rolled back */
	util_rfc3339(k8s_client_server_now(j->client), at, sizeof(at));
	if (build_promotion_record(j->client, j->prefix, j->tcode, j->build, j->env, j->by, at, j->rollback,
				   &e) < 0) {
		util_seterr(j->err, sizeof(j->err), "the build history of %s could not record it: %s", j->tcode,
			    e.msg);
		j->rc = -1;
		return;
	}
	util_strlcpy(j->note, "recorded", sizeof(j->note));
}

static void *job_run(void *arg)
{
	job *j = arg;

	if (j->kind == JOB_PLAN)
		job_plan(j);
	else if (j->kind == JOB_FIND_BACK)
		job_find_back(j);
	else
		job_record(j);
	atomic_store(&j->done, 1);
	tui_loop_wake();
	return NULL;
}

static void job_free(job *j)
{
	if (!j)
		return;
	pthread_join(j->th, NULL);
	plan_release(&j->p);
	journal_release(&j->j);
	free(j);
}

/* ---- the view ---- */

typedef enum mode { MODE_LIST, MODE_STAGES } mode;

typedef enum ask { ASK_NONE, ASK_CONFIRM, ASK_TCODE } ask;

typedef struct view_builds {
	loader w;
	char tcode[TCODE_SIZE];
	char title[96];
	int cluster;	 /* index in a->o->clusters, -1 unknown */
	int esocial;
	loaded *shown;	 /* the loader's last answer for tcode */
	mode mode;
	size_t sel;	 /* the build under the cursor */
	char sel_id[BUILD_ID_SIZE];
	build_entry open; /* MODE_STAGES: the build shown */
	size_t stage_sel;
	int stages_asked;
	/* the log of the selected stage */
	tui_logring ring;
	tui_logpane pane;
	logread *lr;
	char lr_stage[32];
	char log_note[300]; /* why there is no log */
	/* promote / roll back */
	job *job;
	job_kind asked_kind;
	ask ask;
	tui_dialog d;
	char d_title[96], d_text[1200];
	char typed[TCODE_SIZE + 8];
	wizard_run_cfg cfg;
	const char *catalog;
	wizard_run *run;
	int run_rollback, run_recorded;
	char run_env[8], run_build[BUILD_ID_SIZE], run_id[JOURNAL_RUN_SIZE];
	plan pending_plan; /* JOB_PLAN's plan while the operator confirms */
	journal pending_j; /* JOB_FIND_BACK's run while the operator confirms */
	char pending_env[8], pending_build[BUILD_ID_SIZE], pending_run[JOURNAL_RUN_SIZE];
	job *record;
} view_builds;

void view_builds_init(app *a)
{
	view_builds *v = xcalloc(1, sizeof(*v));

	a->vb = v;
	v->cluster = -1;
	tui_logring_init(&v->ring, RING_LINES, RING_BYTES, LINE_BYTES);
	tui_logpane_init(&v->pane, &v->ring);
	pthread_mutex_init(&v->w.mu, NULL);
	pthread_cond_init(&v->w.cv, NULL);
	v->w.prefix = a->o->prefix;
	v->w.started = pthread_create(&v->w.th, NULL, loader_run, &v->w) == 0;
	if (!v->w.started)
		die("cannot start a thread");
}

static void stop_log(view_builds *v)
{
	if (!v->lr)
		return;
	atomic_store(&v->lr->cancel, 1);
	pthread_join(v->lr->th, NULL);
	free(v->lr);
	v->lr = NULL;
}

static void drop_pending(view_builds *v)
{
	plan_release(&v->pending_plan);
	memset(&v->pending_plan, 0, sizeof(v->pending_plan));
	journal_release(&v->pending_j);
	memset(&v->pending_j, 0, sizeof(v->pending_j));
	v->ask = ASK_NONE;
}

void view_builds_release(app *a)
{
	view_builds *v = a->vb;

	if (!v)
		return;
	pthread_mutex_lock(&v->w.mu);
	v->w.stop = 1;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
	if (v->w.started)
		pthread_join(v->w.th, NULL);
	loaded_free(v->w.result);
	loaded_free(v->shown);
	stop_log(v);
	if (v->run)
		wizard_run_free(v->run);
	job_free(v->job);
	job_free(v->record);
	drop_pending(v);
	tui_logpane_release(&v->pane);
	tui_logring_release(&v->ring);
	pthread_mutex_destroy(&v->w.mu);
	pthread_cond_destroy(&v->w.cv);
	free(v);
	a->vb = NULL;
}

/* ---- lookups ---- */

static const fleet_tenant *find_tenant(const fleet_snapshot *s, const char *tcode)
{
	for (size_t i = 0; s && i < s->n_tenants; i++)
		if (!strcmp(s->tenants[i].t.tcode, tcode))
			return &s->tenants[i];
	return NULL;
}

/* The console's cluster index of a tenant, or -1. */
static int cluster_of(const app *a, const fleet_tenant *t)
{
	const char *name;

	if (!a->snap || t->cluster >= a->snap->n_clusters)
		return -1;
	name = a->snap->clusters[t->cluster].name;
	for (size_t i = 0; i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, name) && a->o->clusters[i].client)
			return (int)i;
	return -1;
}

static const build_entry *selected(const view_builds *v)
{
	if (!v->shown || !v->shown->history || v->sel >= v->shown->n)
		return NULL;
	return &v->shown->v[v->sel];
}

/* Asks the loader for tcode now: the histories when history, the stages of
 * v->open in MODE_STAGES. */
static void request(app *a, const char *tcode, int history)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = find_tenant(a->snap, tcode);
	int cl = t ? cluster_of(a, t) : -1;

	pthread_mutex_lock(&v->w.mu);
	v->w.client = cl >= 0 ? a->o->clusters[cl].client : NULL;
	util_strlcpy(v->w.tcode, tcode, sizeof(v->w.tcode));
	v->w.history = history;
	if (history && v->mode == MODE_STAGES)
		v->w.stage = v->open;
	else
		memset(&v->w.stage, 0, sizeof(v->w.stage));
	v->w.want_gen++;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
}

int view_builds_open(app *a, const char *tcode)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = find_tenant(a->snap, tcode);

	if (!t) {
		app_message(a, 1, "%s is not in the fleet (yet): wait for the list to load", tcode);
		return -1;
	}
	if (t->t.product == MODEL_PRODUCT_ESOCIAL) {
		app_message(a, 1, "%s is an eSocial tenant: eSocial tenants have no custom builds", tcode);
		return -1;
	}
	if (strcmp(v->tcode, tcode)) {
		loaded_free(v->shown);
		v->shown = NULL;
		v->sel = 0;
		v->sel_id[0] = '\0';
	}
	util_strlcpy(v->tcode, tcode, sizeof(v->tcode));
	snprintf(v->title, sizeof(v->title), "%s custom builds", tcode);
	v->cluster = cluster_of(a, t);
	v->mode = MODE_LIST;
	stop_log(v);
	request(a, tcode, 1);
	return 0;
}

/* ---- the stage log ---- */

static void start_log(app *a, view_builds *v)
{
	const build_stages *bs = v->shown && v->shown->stages_ok ? &v->shown->stages : NULL;
	const build_stage *st;
	logread *r;
	tcode_env te = TCODE_ENV_DEV;

	stop_log(v);
	tui_logring_clear(&v->ring);
	tui_logpane_set_follow(&v->pane, 1);
	v->log_note[0] = '\0';
	v->lr_stage[0] = '\0';
	if (!bs || v->stage_sel >= bs->n)
		return;
	st = &bs->st[v->stage_sel];
	util_strlcpy(v->lr_stage, st->name, sizeof(v->lr_stage));
	if (!bs->pod[0]) {
		if (bs->job)
			snprintf(v->log_note, sizeof(v->log_note),
				 "Job %s%s has no pod yet: its stages have not started.", BUILD_JOB_PREFIX,
				 v->open.id);
		else
			snprintf(v->log_note, sizeof(v->log_note),
				 "No log: Job %s%s is gone (build Jobs are deleted some time after they end) and its "
				 "pod and logs with it. The history above keeps the outcome.",
				 BUILD_JOB_PREFIX, v->open.id);
		return;
	}
	if (st->state == BUILD_STAGE_PENDING) {
		snprintf(v->log_note, sizeof(v->log_note), "Stage %s has not started: no log yet.", st->name);
		return;
	}
	if (v->cluster < 0 || !a->o->clusters[v->cluster].client) {
		util_strlcpy(v->log_note, "no usable client for the tenant's cluster", sizeof(v->log_note));
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->client = a->o->clusters[v->cluster].client;
	tcode_env_parse(v->open.env, &te);
	tcode_namespace(v->tcode, te, r->ns, sizeof(r->ns));
	util_strlcpy(r->pod, bs->pod, sizeof(r->pod));
	util_strlcpy(r->container, st->name, sizeof(r->container));
	r->follow = st->state == BUILD_STAGE_RUNNING;
	r->ring = &v->ring;
	atomic_init(&r->cancel, 0);
	atomic_init(&r->done, 0);
	if (pthread_create(&r->th, NULL, logread_run, r) != 0) {
		free(r);
		util_strlcpy(v->log_note, "cannot start a thread to read the log", sizeof(v->log_note));
		return;
	}
	v->lr = r;
}

/* ---- update ---- */

/* The selection follows its build across reloads. */
static void keep_selection(view_builds *v)
{
	size_t i;

	if (!v->shown || !v->shown->history)
		return;
	for (i = 0; v->sel_id[0] && i < v->shown->n; i++)
		if (!strcmp(v->shown->v[i].id, v->sel_id)) {
			v->sel = i;
			return;
		}
	if (v->sel >= v->shown->n)
		v->sel = v->shown->n ? v->shown->n - 1 : 0;
	if (v->shown->n)
		util_strlcpy(v->sel_id, v->shown->v[v->sel].id, sizeof(v->sel_id));
}

static void take_loaded(app *a, view_builds *v, loaded *l)
{
	int had_stages = v->shown && v->shown->stages_ok && !strcmp(v->shown->stage_id, v->open.id);
	char pod_before[64] = "";
	build_stage_state st_before = BUILD_STAGE_UNKNOWN;

	if (had_stages) {
		util_strlcpy(pod_before, v->shown->stages.pod, sizeof(pod_before));
		if (v->stage_sel < v->shown->stages.n)
			st_before = v->shown->stages.st[v->stage_sel].state;
	}
	/* the tenant screen's reloads carry no history: keep the last one */
	if (!l->history && v->shown && v->shown->history && !strcmp(v->shown->tcode, l->tcode)) {
		l->history = 1;
		l->hist_ok = v->shown->hist_ok;
		util_strlcpy(l->hist_err, v->shown->hist_err, sizeof(l->hist_err));
		l->v = v->shown->v;
		l->n = v->shown->n;
		v->shown->v = NULL;
	}
	loaded_free(v->shown);
	v->shown = l;
	keep_selection(v);
	if (v->mode != MODE_STAGES || strcmp(l->stage_id, v->open.id))
		return;
	for (size_t i = 0; i < l->n; i++) /* the build's newer state */
		if (!strcmp(l->v[i].id, v->open.id))
			v->open = l->v[i];
	if (l->stages_ok && v->stage_sel >= l->stages.n)
		v->stage_sel = 0;
	/* (re)read the log when the stage first shows, or its pod or state moved */
	if (l->stages_ok && (!had_stages || strcmp(pod_before, l->stages.pod) ||
			     (v->stage_sel < l->stages.n && l->stages.st[v->stage_sel].state != st_before &&
			      !(v->lr && v->lr->follow && !atomic_load(&v->lr->done)))))
		start_log(a, v);
}

/* The view's job ended: open the dialog, or say why not. */
static void job_done(app *a, view_builds *v, job *j)
{
	if (j->rc < 0) {
		app_message(a, 1, "%s", j->err);
		return;
	}
	drop_pending(v);
	util_strlcpy(v->pending_env, j->env, sizeof(v->pending_env));
	util_strlcpy(v->pending_build, j->build, sizeof(v->pending_build));
	util_strlcpy(v->pending_run, j->run, sizeof(v->pending_run));
	if (j->kind == JOB_PLAN) {
		const build_entry *e = NULL;
		tcode_env te = TCODE_ENV_DEV;
		const char *now = "";
		char ns[TCODE_NS_SIZE];

		for (size_t i = 0; v->shown && i < v->shown->n; i++)
			if (!strcmp(v->shown->v[i].id, j->build))
				e = &v->shown->v[i];
		tcode_env_parse(j->env, &te);
		tcode_namespace(v->tcode, te, ns, sizeof(ns));
		if (v->shown && v->shown->info_ok[te])
			now = v->shown->info[te].rpo;
		v->pending_plan = j->p;
		memset(&j->p, 0, sizeof(j->p));
		snprintf(v->d_title, sizeof(v->d_title), "Promote build %s to %s", j->build, j->env);
		snprintf(v->d_text, sizeof(v->d_text),
			 "The AppServers of %s get the RPO of build %s (commit %.12s): RPOCustom= in each role's "
			 "appserver.ini and the rpo annotation of their template, a rolling update (%zu steps)."
			 "\nRuns now: %s.\nThe RPO it runs now is kept: b%s goes back to it.%s%s%s",
			 ns, j->build, e ? e->commit : "?", v->pending_plan.n,
			 now[0] ? now : "no custom RPO", te == TCODE_ENV_PROD ? " (B)" : "",
			 j->note[0] ? "\n" : "", j->note, te == TCODE_ENV_PROD ? "\nProd: you will type the TCODE next." : "");
		v->d_text[sizeof(v->d_text) - 1] = '\0';
		tui_dialog_confirm_init(&v->d, v->d_title, v->d_text, "Promote");
	} else {
		tcode_env te = TCODE_ENV_DEV;
		const char *prev = "";

		tcode_env_parse(j->env, &te);
		if (v->shown && v->shown->info_ok[te])
			prev = v->shown->info[te].previous;
		v->pending_j = j->j;
		memset(&j->j, 0, sizeof(j->j));
		snprintf(v->d_title, sizeof(v->d_title), "Roll %s back", j->env);
		snprintf(v->d_text, sizeof(v->d_text),
			 "%s leaves build %s for the RPO it ran before: %s.\nThe rollback of promotion run %s "
			 "restores exactly the earlier appserver.ini and templates of its AppServers.%s",
			 j->env, j->build[0] ? j->build : "?", prev[0] ? prev : "no custom RPO", j->run,
			 te == TCODE_ENV_PROD ? "\nProd: you will type the TCODE next." : "");
		tui_dialog_confirm_init(&v->d, v->d_title, v->d_text, "Roll back");
	}
	v->ask = ASK_CONFIRM;
}

static void start_record(app *a, view_builds *v)
{
	job *j;

	if (v->record || v->cluster < 0)
		return;
	j = xcalloc(1, sizeof(*j));
	j->kind = JOB_RECORD;
	j->client = a->o->clusters[v->cluster].client;
	j->prefix = a->o->prefix;
	util_strlcpy(j->tcode, v->tcode, sizeof(j->tcode));
	util_strlcpy(j->env, v->run_env, sizeof(j->env));
	util_strlcpy(j->build, v->run_build, sizeof(j->build));
	util_strlcpy(j->run, v->run_id, sizeof(j->run));
	util_strlcpy(j->by, v->cfg.user ? v->cfg.user : "", sizeof(j->by));
	j->rollback = v->run_rollback;
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, job_run, j) != 0) {
		free(j);
		return;
	}
	v->record = j;
}

int view_builds_update(app *a)
{
	view_builds *v = a->vb;
	const char *want = NULL;
	int r = 0, history = 0;
	loaded *l = NULL;
	k8s_client *client = NULL;

	/* what the loader should keep reading: this screen's tenant, or the tenant screen's RPOs */
	if (a->screen == APP_BUILDS || (v->run && a->screen == APP_HELP))
		want = v->tcode, history = 1;
	else if (a->screen == APP_TENANT || (a->screen == APP_HELP && a->back == APP_TENANT))
		want = view_tenant_tcode(a);
	if (want && want[0]) {
		const fleet_tenant *t = find_tenant(a->snap, want);
		int cl = t ? cluster_of(a, t) : -1;

		client = cl >= 0 ? a->o->clusters[cl].client : NULL;
	}
	pthread_mutex_lock(&v->w.mu);
	if (!want || !want[0] || !client) {
		v->w.tcode[0] = '\0'; /* (no client: a tenant not listed yet; its line says loading) */
	} else if (strcmp(v->w.tcode, want) || v->w.history != history || v->w.client != client) {
		pthread_mutex_unlock(&v->w.mu);
		request(a, want, history);
		pthread_mutex_lock(&v->w.mu);
	}
	if (v->w.result && v->w.done_gen == v->w.want_gen) {
		l = v->w.result;
		v->w.result = NULL;
	}
	pthread_mutex_unlock(&v->w.mu);
	if (l) {
		take_loaded(a, v, l);
		r = TUI_REDRAW;
	}
	if (a->screen != APP_BUILDS && v->lr && !v->run) {
		stop_log(v); /* left the screen: no reading in the background */
		v->lr_stage[0] = '\0';
	}
	if (v->lr && atomic_load(&v->lr->done))
		r |= TUI_REDRAW;
	if (v->job && atomic_load(&v->job->done)) {
		job_done(a, v, v->job);
		job_free(v->job);
		v->job = NULL;
		r |= TUI_REDRAW;
	}
	if (v->run) {
		r |= wizard_run_update(v->run);
		if (wizard_run_finished(v->run) && !v->run_recorded) {
			v->run_recorded = 1;
			start_record(a, v);
		}
	}
	if (v->record && atomic_load(&v->record->done)) {
		if (v->record->rc < 0)
			app_message(a, 1, "%s", v->record->err);
		job_free(v->record);
		v->record = NULL;
		request(a, v->tcode, 1);
		r |= TUI_REDRAW;
	}
	return r;
}

int view_builds_busy(app *a)
{
	view_builds *v = a->vb;
	int busy;

	if (v->job || v->record)
		return 1;
	if (a->screen != APP_BUILDS && a->screen != APP_TENANT)
		return 0;
	pthread_mutex_lock(&v->w.mu);
	/* the first answer for what is asked; later reloads do not hold a script */
	busy = v->w.tcode[0] && v->w.done_gen != v->w.want_gen &&
	       (!v->shown || strcmp(v->shown->tcode, v->w.tcode) || (v->w.history && !v->shown->history) ||
		(v->w.stage.id[0] && strcmp(v->shown->stage_id, v->w.stage.id)));
	busy = busy || v->w.result != NULL;
	pthread_mutex_unlock(&v->w.mu);
	/* a finished stage's log is read to its end; a running one's is followed (never settles) */
	if (!busy && a->screen == APP_BUILDS && v->lr && !v->lr->follow && !atomic_load(&v->lr->done))
		busy = 1;
	return busy;
}

const char *view_builds_title(const app *a)
{
	view_builds *v = a->vb;

	if (v->run)
		return wizard_run_title(v->run);
	return v->title;
}

const tui_keymap *view_builds_keymap(void)
{
	return &builds_keymap;
}

/* ---- drawing ---- */

static void fmt_when(const char *rfc, char *buf, size_t size)
{
	/* "2026-12-04T10:00:00Z" -> "12-04 10:00" */
	if (strlen(rfc) >= 16)
		snprintf(buf, size, "%.5s %.5s", rfc + 5, rfc + 11);
	else
		util_strlcpy(buf, "-", size);
}

static tui_role state_role(const char *state)
{
	if (!strcmp(state, "succeeded"))
		return TUI_ROLE_AVAILABLE;
	if (!strcmp(state, "failed"))
		return TUI_ROLE_DOWN;
	if (!strcmp(state, "running"))
		return TUI_ROLE_WAKING;
	return TUI_ROLE_NORMAL;
}

/* "build 7 (commit 1a2b3c4d5e6f), promoted 12-04 10:00 by admin" */
static void rpo_text(const build_info *b, strbuf *sb)
{
	char when[24];

	if (!b->rpo[0]) {
		sb_adds(sb, "no custom RPO");
	} else {
		if (b->build[0])
			sb_addf(sb, "build %s", b->build);
		else
			sb_adds(sb, "RPO ");
		if (b->commit[0])
			sb_addf(sb, " (commit %.12s)", b->commit);
		if (!b->build[0])
			sb_adds(sb, b->rpo);
		if (b->promoted[0]) {
			fmt_when(b->promoted, when, sizeof(when));
			sb_addf(sb, ", promoted %s", when);
			if (b->promoted_by[0])
				sb_addf(sb, " by %s", b->promoted_by);
		}
	}
	if (b->running[0])
		sb_addf(sb, "; build %s running: %s", b->running, b->running_stage[0] ? b->running_stage : "starting");
}

static int put(int y, int x, int w, const char *s, int attrs)
{
	return w > 0 ? tui_text_put(stdscr, y, x, w, s, attrs, 0) : 0;
}

static void draw_envs(view_builds *v, int y, int width)
{
	const loaded *l = v->shown;

	for (int k = 0; k < 2; k++) {
		int env = env_order[k];
		strbuf sb;
		int x;

		sb_init(&sb, 160);
		x = tui_text_put_raw(stdscr, y + k, 1, 6, env == TCODE_ENV_PROD ? "prod" : "dev",
				     tui_theme_attr(TUI_ROLE_SECTION), 1);
		if (!l)
			sb_adds(&sb, "loading...");
		else if (!l->info_ok[env])
			sb_addf(&sb, "cannot read: %s", l->info_err[env]);
		else
			rpo_text(&l->info[env], &sb);
		put(y + k, 1 + x + 1, width - x - 2, sb.buf,
		    tui_theme_attr(l && l->info_ok[env] ? TUI_ROLE_NORMAL : TUI_ROLE_DIM));
		sb_release(&sb);
	}
}

#define ROW_FMT "%-3s %-4.4s %-*.*s %-7.7s %-9.9s %-9.9s %-5.5s %-11.11s %-5.5s %s"
/* the REF column: wider when the screen is */
#define REF_WIDTH(w) ((w) >= 100 ? 20 : 8)

static void row_text(const build_entry *e, int rw, char *buf, size_t size)
{
	char started[24], finished[24], promoted[16];

	fmt_when(e->started, started, sizeof(started));
	fmt_when(e->finished, finished, sizeof(finished));
	/* finished: its hour on the day it started, else its day */
	memmove(finished, strncmp(started, finished, 5) ? finished : finished + 6, 6);
	finished[5] = '\0';
	snprintf(promoted, sizeof(promoted), "%s%s%s", e->dev.at[0] ? "dev" : "",
		 e->dev.at[0] && e->prod.at[0] ? "," : "", e->prod.at[0] ? "prod" : "");
	snprintf(buf, size, ROW_FMT, e->id, e->env, rw, rw, e->ref[0] ? e->ref : "-", e->commit[0] ? e->commit : "-",
		 e->state, e->stage[0] ? e->stage : "-", e->gate[0] ? e->gate : "-", started, finished,
		 promoted[0] ? promoted : "-");
}

static void draw_detail(const build_entry *e, int y, int h, int width)
{
	strbuf sb;
	int dim = tui_theme_attr(TUI_ROLE_DIM), n = 0;
	char when[24];

	sb_init(&sb, 256);
	sb_addf(&sb, "build %s: %s", e->id, e->state);
	if (!strcmp(e->state, "failed"))
		sb_addf(&sb, " at %s: %s", e->stage[0] ? e->stage : "?", e->reason[0] ? e->reason : "no reason recorded");
	else if (!strcmp(e->state, "running"))
		sb_addf(&sb, ", stage %s", e->stage[0] ? e->stage : "starting");
	if (n < h)
		put(y + n++, 1, width - 2, sb.buf, tui_theme_attr(state_role(e->state)));
	sb_reset(&sb);
	if (e->gate[0]) {
		sb_addf(&sb, "quality gate %s", e->gate);
		if (e->conditions[0])
			sb_addf(&sb, ": %s", e->conditions);
		if (n < h)
			put(y + n++, 1, width - 2, sb.buf,
			    strcmp(e->gate, "OK") ? tui_theme_attr(TUI_ROLE_DOWN) : 0);
		sb_reset(&sb);
	}
	sb_addf(&sb, "repo %s  ref %s  commit %s", e->repo[0] ? e->repo : "-", e->ref[0] ? e->ref : "-",
		e->commit[0] ? e->commit : "-");
	if (n < h)
		put(y + n++, 1, width - 2, sb.buf, dim);
	sb_reset(&sb);
	sb_addf(&sb, "RPO %s", e->rpo[0] ? e->rpo : "-");
	if (e->dev.at[0]) {
		fmt_when(e->dev.at, when, sizeof(when));
		sb_addf(&sb, "  dev %s by %s", when, e->dev.by[0] ? e->dev.by : "?");
	}
	if (e->prod.at[0]) {
		fmt_when(e->prod.at, when, sizeof(when));
		sb_addf(&sb, "  prod %s by %s", when, e->prod.by[0] ? e->prod.by : "?");
	}
	if (n < h)
		put(y + n++, 1, width - 2, sb.buf, dim);
	sb_release(&sb);
}

static void draw_list(view_builds *v, int y, int h, int width)
{
	const loaded *l = v->shown;
	int end = y + h, rows, top;
	char buf[512];

	draw_envs(v, y, width);
	y += 3;
	snprintf(buf, sizeof(buf), ROW_FMT, "ID", "ENV", REF_WIDTH(width), REF_WIDTH(width), "REF", "COMMIT", "STATE", "STAGE", "GATE", "STARTED",
		 "ENDED", "PROMOTED");
	if (y < end)
		put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_HEADER));
	if (!l || !l->history) {
		if (y < end)
			tui_text_put_raw(stdscr, y, 1, width - 2, "loading the builds...", tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	if (!l->hist_ok && y < end)
		put(y++, 1, width - 2, l->hist_err, tui_theme_attr(TUI_ROLE_ERROR));
	if (!l->n) {
		if (y < end)
			tui_text_put_raw(stdscr, y, 1, width - 2,
					 "No custom builds recorded for this tenant (ConfigMap custom-builds of each env).",
					 tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	rows = end - y - (DETAIL_LINES + 1);
	if (rows < 1)
		rows = 1;
	top = (int)v->sel >= rows ? (int)v->sel - rows + 1 : 0;
	for (int i = 0; i < rows && top + i < (int)l->n && y < end; i++) {
		const build_entry *e = &l->v[top + i];
		int sel = (size_t)(top + i) == v->sel;

		row_text(e, REF_WIDTH(width), buf, sizeof(buf));
		tui_text_fill(stdscr, y, 0, width, sel ? tui_theme_attr(TUI_ROLE_SELECTED) : 0);
		put(y, 1, width - 2, buf, sel ? tui_theme_attr(TUI_ROLE_SELECTED) : tui_theme_attr(state_role(e->state)));
		y++;
	}
	y++; /* a blank line, then the selected build */
	if (y < end)
		draw_detail(&l->v[v->sel], y, end - y, width);
}

static void draw_stages(app *a, view_builds *v, int y, int h, int width)
{
	const loaded *l = v->shown;
	const build_stages *bs = l && l->stages_ok && !strcmp(l->stage_id, v->open.id) ? &l->stages : NULL;
	int end = y + h, dim = tui_theme_attr(TUI_ROLE_DIM);
	char buf[600];
	tui_logpane_style ps = {0};
	strbuf sb;

	row_text(&v->open, REF_WIDTH(width), buf, sizeof(buf));
	put(y++, 1, width - 2, buf, tui_theme_attr(state_role(v->open.state)));
	if (v->open.gate[0] && strcmp(v->open.gate, "OK") && y < end) {
		snprintf(buf, sizeof(buf), "quality gate %s: %s", v->open.gate,
			 v->open.conditions[0] ? v->open.conditions : "no conditions recorded");
		put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_DOWN));
	}
	if (!bs) {
		if (y < end)
			put(y++, 1, width - 2, l && l->stage_err[0] && !strcmp(l->stage_id, v->open.id) ? l->stage_err : "loading the stages...",
			    dim);
		return;
	}
	if (y < end) {
		if (bs->from_history)
			snprintf(buf, sizeof(buf), "stages (from the history: %s)",
				 bs->job ? "the Job has no pod" : "its Job is gone");
		else
			snprintf(buf, sizeof(buf), "stages of pod %s", bs->pod);
		put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_SECTION));
	}
	for (size_t i = 0; i < bs->n && y < end; i++, y++) {
		const build_stage *s = &bs->st[i];
		int sel = i == v->stage_sel;

		snprintf(buf, sizeof(buf), "%s %zu %-10s %-9s %s%s%s", sel ? ">" : " ", i + 1, s->name,
			 build_stage_state_name(s->state), s->reason, s->reason[0] && s->message[0] ? ": " : "",
			 s->message);
		if (sel)
			tui_text_fill(stdscr, y, 0, width, tui_theme_attr(TUI_ROLE_SELECTED));
		put(y, 1, width - 2, buf,
		    sel ? tui_theme_attr(TUI_ROLE_SELECTED)
			: tui_theme_attr(s->state == BUILD_STAGE_FAILED	   ? TUI_ROLE_DOWN
					 : s->state == BUILD_STAGE_SUCCEEDED ? TUI_ROLE_AVAILABLE
					 : s->state == BUILD_STAGE_RUNNING   ? TUI_ROLE_WAKING
									     : TUI_ROLE_DIM));
	}
	if (y + 2 >= end)
		return;
	snprintf(buf, sizeof(buf), "log of stage %s", v->lr_stage[0] ? v->lr_stage : "-");
	put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_SECTION));
	if (v->log_note[0] || !v->lr) {
		put(y, 2, width - 3, v->log_note[0] ? v->log_note : "no log", dim);
		return;
	}
	ps.text = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
	ps.match = (attr_t)tui_theme_attr(TUI_ROLE_SELECTED) | A_BOLD;
	ps.ascii = tui_term_ascii();
	tui_logpane_draw(&v->pane, stdscr, y, 0, end - y - 1, width, &ps);
	sb_init(&sb, 160);
	sb_addf(&sb, " [%s]  ", v->lr_stage);
	tui_logpane_status(&v->pane, &sb);
	if (atomic_load(&v->lr->done))
		sb_addf(&sb, "  %s", v->lr->end);
	put(end - 1, 0, width, sb.buf, tui_theme_attr(TUI_ROLE_STATUS));
	sb_release(&sb);
	(void)a;
}

static void draw_ask(view_builds *v, int width)
{
	tui_dialog_style ds = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_SECTION),
			   (attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
			   (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), tui_term_ascii()};

	if (v->ask == ASK_CONFIRM) {
		tui_dialog_draw(&v->d, stdscr, &ds);
	} else if (v->ask == ASK_TCODE) {
		char buf[200];
		int y = LINES / 2;

		snprintf(buf, sizeof(buf), " %s in prod: type the TCODE %s to go on (Esc cancels): %s_ ",
			 v->pending_j.run[0] ? "Roll back" : "Promote", v->tcode, v->typed);
		tui_text_fill(stdscr, y, 0, width, tui_theme_attr(TUI_ROLE_CMDLINE));
		put(y, 0, width, buf, tui_theme_attr(TUI_ROLE_CMDLINE));
	}
}

void view_builds_draw(app *a, int y, int h, int width)
{
	view_builds *v = a->vb;

	if (v->run) {
		wizard_run_draw(v->run, y, h, width);
		return;
	}
	if (v->mode == MODE_STAGES)
		draw_stages(a, v, y, h, width);
	else
		draw_list(v, y, h, width);
	if (v->job && h > 1)
		tui_text_put_raw(stdscr, y + h - 1, 1, width - 2,
				 v->job->kind == JOB_PLAN ? "planning the promotion..." : "finding the promotion to go back from...",
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	draw_ask(v, width);
}

/* ---- keys ---- */

static int start_job(app *a, view_builds *v, job_kind kind, const char *env, const char *build)
{
	wizard_run_cfg cfg;
	const char *cat_url = NULL;
	job *j;

	if (a->o->readonly) {
		app_message(a, 1, "read-only session (--readonly): %s is refused; nothing was changed",
			    kind == JOB_PLAN ? "promoting" : "rolling back");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (v->job || v->run) {
		app_message(a, 1, "one thing at a time: the last promotion is still being prepared");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (v->cluster < 0 || view_wizard_cluster_at(a, (size_t)v->cluster, &cfg, &cat_url) < 0) {
		app_message(a, 1, "no usable client for %s's cluster: check the kubeconfig", v->tcode);
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->cfg = cfg;
	v->catalog = cat_url;
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->client = cfg.client;
	j->prefix = cfg.prefix;
	j->catalog = cat_url;
	util_strlcpy(j->tcode, v->tcode, sizeof(j->tcode));
	util_strlcpy(j->env, env, sizeof(j->env));
	util_strlcpy(j->build, build ? build : "", sizeof(j->build));
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, job_run, j) != 0) {
		free(j);
		app_message(a, 1, "cannot start a thread");
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->job = j;
	v->asked_kind = kind;
	return TUI_HANDLED | TUI_REDRAW;
}

static void go(app *a, view_builds *v)
{
	char err[300];
	int rollback = v->pending_j.run[0] != '\0';

	v->ask = ASK_NONE;
	stop_log(v);
	v->run_rollback = rollback;
	v->run_recorded = 0;
	util_strlcpy(v->run_env, v->pending_env, sizeof(v->run_env));
	util_strlcpy(v->run_build, v->pending_build, sizeof(v->run_build));
	if (rollback) {
		util_strlcpy(v->run_id, v->pending_j.run, sizeof(v->run_id));
		v->run = wizard_run_start(&v->cfg, WIZARD_RUN_ROLLBACK, v->tcode, NULL, &v->pending_j, err,
					  sizeof(err));
		memset(&v->pending_j, 0, sizeof(v->pending_j)); /* taken over */
	} else {
		v->run = wizard_run_start(&v->cfg, WIZARD_RUN_APPLY, v->tcode, &v->pending_plan, NULL, err,
					  sizeof(err));
		memset(&v->pending_plan, 0, sizeof(v->pending_plan));
	}
	if (!v->run)
		app_message(a, 1, "%s", err);
	drop_pending(v);
}

static int ask_key(app *a, view_builds *v, int key)
{
	if (v->ask == ASK_CONFIRM) {
		switch (tui_dialog_key(&v->d, TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key)) {
		case DIALOG_YES:
			if (!strcmp(v->pending_env, "prod")) {
				v->ask = ASK_TCODE;
				v->typed[0] = '\0';
			} else {
				go(a, v);
			}
			break;
		case DIALOG_NO:
		case DIALOG_CLOSED:
			drop_pending(v);
			app_message(a, 0, "cancelled: nothing was changed");
			break;
		default:
			break;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	/* ASK_TCODE */
	if (key == TUI_KEY_ESC) {
		drop_pending(v);
		app_message(a, 0, "cancelled: nothing was changed");
	} else if (key == TUI_KEY_ENTER || key == '\n') {
		if (strcmp(v->typed, v->tcode)) {
			drop_pending(v);
			app_message(a, 1, "the TCODE typed is not %s: nothing was changed", v->tcode);
		} else {
			go(a, v);
		}
	} else if (key == 127 || key == TUI_KEY_CTRL('h') || key == TUI_KEY_FN(KEY_BACKSPACE)) {
		size_t n = strlen(v->typed);
		if (n)
			v->typed[n - 1] = '\0';
	} else if (key > 0x20 && key < 0x7f && strlen(v->typed) + 1 < sizeof(v->typed)) {
		size_t n = strlen(v->typed);
		v->typed[n] = (char)(key >= 'a' && key <= 'z' ? key - 'a' + 'A' : key);
		v->typed[n + 1] = '\0';
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static void open_stages(app *a, view_builds *v, const build_entry *e)
{
	v->open = *e;
	v->mode = MODE_STAGES;
	v->stage_sel = 0;
	stop_log(v);
	tui_logring_clear(&v->ring);
	v->log_note[0] = '\0';
	v->lr_stage[0] = '\0';
	/* the failed stage, or the running one, is where the operator looks first */
	for (size_t i = 0; i < 4; i++) {
		static const char *const usual[] = {"checkout", "sonarqube", "compile", "upload"};
		if (e->stage[0] && !strcmp(e->stage, usual[i]))
			v->stage_sel = i;
	}
	request(a, v->tcode, 1);
}

static int stages_key(app *a, view_builds *v, int key)
{
	const build_stages *bs = v->shown && v->shown->stages_ok && !strcmp(v->shown->stage_id, v->open.id)
				     ? &v->shown->stages
				     : NULL;
	int wk = TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;

	switch (wk) {
	case KEY_UP:
	case 'k':
		if (bs && v->stage_sel > 0) {
			v->stage_sel--;
			start_log(a, v);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case KEY_DOWN:
	case 'j':
		if (bs && v->stage_sel + 1 < bs->n) {
			v->stage_sel++;
			start_log(a, v);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case TUI_KEY_ESC:
		stop_log(v);
		v->mode = MODE_LIST;
		request(a, v->tcode, 1);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'p' || key == 'P' || key == 'b' || key == 'B' || key == 'r')
		return 0;
	switch (tui_logpane_key(&v->pane, wk)) {
	case LOGPANE_NOT_FOUND:
	case LOGPANE_HANDLED:
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}

int view_builds_key(app *a, int key)
{
	view_builds *v = a->vb;
	const build_entry *e;
	int r;

	if (v->run) {
		r = wizard_run_key(v->run, key);
		if (r & WIZARD_RUN_LEAVE) {
			wizard_run_free(v->run);
			v->run = NULL;
			request(a, v->tcode, 1);
			if (v->mode == MODE_STAGES)
				v->mode = MODE_LIST;
		}
		return r & ~WIZARD_RUN_LEAVE;
	}
	if (v->ask != ASK_NONE)
		return ask_key(a, v, key);
	if (v->mode == MODE_STAGES && (r = stages_key(a, v, key)) != 0)
		return r;
	e = v->mode == MODE_STAGES ? &v->open : selected(v);
	switch (TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key) {
	case KEY_UP:
	case 'k':
		if (v->sel > 0)
			v->sel--;
		goto moved;
	case KEY_DOWN:
	case 'j':
		if (v->shown && v->sel + 1 < v->shown->n)
			v->sel++;
		goto moved;
	case KEY_HOME:
	case 'g':
		v->sel = 0;
		goto moved;
	case KEY_END:
	case 'G':
		v->sel = v->shown && v->shown->n ? v->shown->n - 1 : 0;
		goto moved;
	case '\n':
	case KEY_ENTER:
		key = TUI_KEY_ENTER;
		break;
	}
	switch (tui_keymap_find(&builds_keymap, key)) {
	case REQ_BACK:
		a->screen = APP_TENANT;
		stop_log(v);
		view_tenant_open(a, v->tcode); /* its reloads stopped while away */
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_OPEN:
		if (e)
			open_stages(a, v, e);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RELOAD:
		request(a, v->tcode, 1);
		app_message(a, 0, "reloading the builds of %s", v->tcode);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_PROMOTE_DEV:
	case REQ_PROMOTE_PROD:
		if (!e) {
			app_message(a, 1, "no build selected");
			return TUI_HANDLED | TUI_REDRAW;
		}
		return start_job(a, v, JOB_PLAN, key == 'P' ? "prod" : "dev", e->id);
	case REQ_ROLLBACK_DEV:
	case REQ_ROLLBACK_PROD:
		return start_job(a, v, JOB_FIND_BACK, key == 'B' ? "prod" : "dev", NULL);
	default:
		return 0;
	}
moved:
	if (v->shown && v->sel < v->shown->n)
		util_strlcpy(v->sel_id, v->shown->v[v->sel].id, sizeof(v->sel_id));
	return TUI_HANDLED | TUI_REDRAW;
}

/* ---- the tenant screen's line ---- */

int view_builds_rpo_line(app *a, const char *tcode, int env, char *buf, size_t size, int *attrs)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = find_tenant(a->snap, tcode);
	const loaded *l = v->shown;
	strbuf sb;

	if (!t || t->t.product == MODEL_PRODUCT_ESOCIAL || env < 0 || env > 1 || t->env[env] < 0)
		return -1;
	*attrs = tui_theme_attr(TUI_ROLE_DIM);
	if (!l || strcmp(l->tcode, tcode)) {
		util_strlcpy(buf, "loading...", size);
		return 0;
	}
	if (!l->info_ok[env]) {
		snprintf(buf, size, "cannot read: %s", l->info_err[env]);
		return 0;
	}
	sb_init(&sb, 160);
	rpo_text(&l->info[env], &sb);
	util_strlcpy(buf, sb.buf, size);
	sb_release(&sb);
	*attrs = l->info[env].running[0] ? tui_theme_attr(TUI_ROLE_WAKING) : 0;
	return 0;
}
