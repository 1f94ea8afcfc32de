/* views/builds_log.c — the log of a build's stage, read on a thread of its own
 * into the screen's log pane (views/builds_int.h). */
#include "views/builds_int.h"

static int push_line(void *ctx, const char *line, size_t len)
{
	logread *r = ctx;
	int pushed = 0, stop;

	pthread_mutex_lock(&r->mu);
	stop = atomic_load(&r->cancel);
	if (!stop)
		pushed = tui_logring_push(r->ring, line, len);
	pthread_mutex_unlock(&r->mu);
	if (pushed)
		tui_loop_wake();
	return stop;
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

static void logread_free(logread *r)
{
	pthread_join(r->th, NULL);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* Joins the readers set aside that have ended (all of them with all: they
 * were cancelled, so they end soon). */
static void reap_stopped(view_builds *v, int all)
{
	logread **pp = &v->lr_stopped, *r;

	while ((r = *pp)) {
		if (all || atomic_load(&r->done)) {
			*pp = r->next;
			logread_free(r);
		} else {
			pp = &r->next;
		}
	}
}

void builds_stop_log(view_builds *v)
{
	logread *r = v->lr;

	reap_stopped(v, 0);
	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	atomic_store(&r->cancel, 1);
	pthread_mutex_unlock(&r->mu);
	r->next = v->lr_stopped;
	v->lr_stopped = r;
	v->lr = NULL;
}

void builds_release_log(view_builds *v)
{
	builds_stop_log(v);
	reap_stopped(v, 1);
}

void builds_start_log(app *a, view_builds *v)
{
	const build_stages *bs = v->shown && v->shown->stages_ok ? &v->shown->stages : NULL;
	const build_stage *st;
	logread *r;
	tcode_env te = TCODE_ENV_DEV;

	builds_stop_log(v);
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
	pthread_mutex_init(&r->mu, NULL);
	if (pthread_create(&r->th, NULL, logread_run, r) != 0) {
		pthread_mutex_destroy(&r->mu);
		free(r);
		util_strlcpy(v->log_note, "cannot start a thread to read the log", sizeof(v->log_note));
		return;
	}
	v->lr = r;
}
