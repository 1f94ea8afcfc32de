/* The provisioning engine (see core/engine.h). */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/engine.h"
#include "core/lease.h"
#include "core/plan_prior.h"
#include "core/step.h"
#include "core/tcode.h"
#include "k8s/retry.h"
#include "util/util.h"

/* a request that changes nothing (an access review, a dry run) or that may be
 * repeated (after a read showed it had not taken): tries in all, and pauses */
#define WRITE_TRIES 6
#define READ_BASE_MS 100
#define WRITE_BASE_MS 200
#define PAUSE_CAP_MS 3200
/* polling for readiness: from 100 ms up to 1 s between reads */
#define POLL_BASE_MS 100
#define POLL_CAP_MS 1000
#define WAIT_DEFAULT_S 180
/* what a step's result adds to its journal text at most, message aside: a uid and
 * two times where nulls were */
#define JOURNAL_STEP_RESULT_BYTES 96

enum mode { MODE_APPLY, MODE_RESUME, MODE_ROLLBACK };

struct engine {
	engine_opts o;
	char prefix[64];
	char who[192];
	char run_label[96];
	enum mode mode;
	plan p;
	journal j;
	int have_plan, have_journal;
	lease *lease;
	step_env env; /* what executors get (env_of) */
	audit audit;
	int audit_ready;

	pthread_t thread;
	int started;
	atomic_int cancel;
	pthread_mutex_t mu; /* guards prog */
	engine_progress prog;
};

const char *engine_phase_name(engine_phase p)
{
	static const char *const names[] = {"idle",  "observe", "access",   "dry-run", "lease",
					    "apply", "wait",	"rollback", "finished"};

	return (unsigned)p < ARRAY_SIZE(names) ? names[p] : "unknown";
}

const char *engine_status_name(engine_status st)
{
	static const char *const names[] = {
	    "ok",	   "cancelled",	  "failed",	 "forbidden", "refused",  "not-allowed",
	    "unchecked", "no-journal", "read-only", "already",	"mismatch",
	};

	return (unsigned)st < ARRAY_SIZE(names) ? names[st] : "unknown";
}

engine *engine_new(const engine_opts *o)
{
	engine *e = xcalloc(1, sizeof(*e));

	e->o = *o;
	if (e->o.wait_timeout_s <= 0)
		e->o.wait_timeout_s = WAIT_DEFAULT_S;
	if (e->o.lease_duration_s <= 0)
		e->o.lease_duration_s = LEASE_DURATION_S;
	if (!e->o.journal_max)
		e->o.journal_max = JOURNAL_MAX_BYTES;
	util_strlcpy(e->prefix, o->prefix ? o->prefix : "", sizeof(e->prefix));
	e->o.prefix = e->prefix;
	plan_run_label(e->prefix, e->run_label, sizeof(e->run_label));
	lease_holder_self(o->user, e->who, sizeof(e->who));
	atomic_init(&e->cancel, 0);
	pthread_mutex_init(&e->mu, NULL);
	return e;
}

void engine_free(engine *e)
{
	if (!e)
		return;
	if (e->started)
		engine_wait(e);
	step_env_close(&e->env);
	if (e->have_plan)
		plan_release(&e->p);
	if (e->have_journal)
		journal_release(&e->j);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

/* ---- progress ---------------------------------------------------------------- */

static void publish(engine *e)
{
	engine_progress copy;

	if (!e->o.on_progress)
		return;
	pthread_mutex_lock(&e->mu);
	copy = e->prog;
	pthread_mutex_unlock(&e->mu);
	e->o.on_progress(e->o.ctx, &copy);
}

static void set_phase(engine *e, engine_phase ph)
{
	pthread_mutex_lock(&e->mu);
	e->prog.phase = ph;
	e->prog.waiting_for[0] = '\0';
	pthread_mutex_unlock(&e->mu);
	publish(e);
}

static void set_step(engine *e, size_t i, const char *id, const char *action)
{
	pthread_mutex_lock(&e->mu);
	e->prog.step = i;
	util_strlcpy(e->prog.step_id, id, sizeof(e->prog.step_id));
	util_strlcpy(e->prog.action, action, sizeof(e->prog.action));
	e->prog.waiting_for[0] = '\0';
	e->prog.step_started_ms = util_mono_ms();
	if (!strcmp(action, "create"))
		e->prog.created++;
	else if (!strcmp(action, "update"))
		e->prog.updated++;
	else if (!strcmp(action, "unchanged") || !strcmp(action, "recorded"))
		e->prog.unchanged++;
	else if (!strcmp(action, "delete"))
		e->prog.deleted++;
	else if (!strcmp(action, "kept"))
		e->prog.kept++;
	else if (!strcmp(action, "restore"))
		e->prog.restored++;
	pthread_mutex_unlock(&e->mu);
	publish(e);
}

static void set_waiting(engine *e, const char *what)
{
	pthread_mutex_lock(&e->mu);
	util_strlcpy(e->prog.waiting_for, what, sizeof(e->prog.waiting_for));
	pthread_mutex_unlock(&e->mu);
	publish(e);
}

static void set_message(engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_message(engine *e, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(e->prog.message)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->mu);
	memcpy(e->prog.message, msg, sizeof(msg));
	pthread_mutex_unlock(&e->mu);
}

void engine_snapshot(engine *e, engine_progress *out)
{
	pthread_mutex_lock(&e->mu);
	*out = e->prog;
	pthread_mutex_unlock(&e->mu);
}

void engine_cancel(engine *e)
{
	atomic_store(&e->cancel, 1);
}

const journal *engine_journal(engine *e)
{
	return e->have_journal ? &e->j : NULL;
}

/* ---- objects ------------------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}


int engine_object_ready(const cJSON *obj, int *ready, int *desired)
{
	const char *kind = jstr(obj, "kind");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
	const cJSON *rr = cJSON_GetObjectItemCaseSensitive(st, "readyReplicas");
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(meta, "generation");
	const cJSON *og = cJSON_GetObjectItemCaseSensitive(st, "observedGeneration");
	int want, have;

	if (!kind || (strcmp(kind, "Deployment") && strcmp(kind, "StatefulSet"))) {
		if (ready)
			*ready = 1;
		if (desired)
			*desired = 1;
		return 1;
	}
	want = cJSON_IsNumber(r) ? r->valueint : 1;
	have = cJSON_IsNumber(rr) ? rr->valueint : 0;
	if (ready)
		*ready = have;
	if (desired)
		*desired = want;
	if (cJSON_IsNumber(gen) && cJSON_IsNumber(og) && og->valuedouble < gen->valuedouble)
		return 0;
	return have >= want;
}

/* The environment executors get: the engine's client, labels and run. */
static step_env *env_of(engine *e)
{
	e->env.client = e->o.client;
	e->env.prefix = e->prefix;
	e->env.tcode = e->p.tcode[0] ? e->p.tcode : e->j.tcode; /* the plan may be borrowed */
	e->env.run = e->j.run;
	e->env.run_label = e->run_label;
	e->env.cancel = &e->cancel;
	e->env.confirm_tcode = e->o.confirm_tcode;
	e->env.msg[0] = '\0';
	e->env.http = 0;
	return &e->env;
}

/* The length of the prior state an update would journal. */
static size_t prior_size(engine *e, const plan_step *s, const step_seen *seen)
{
	const step_exec *x = step_exec_of(s);
	cJSON *prior = x->prior ? x->prior(env_of(e), s, seen) : NULL;
	char *text = prior ? cJSON_PrintUnformatted(prior) : NULL;
	size_t n = text ? strlen(text) : 0;

	cJSON_free(text);
	cJSON_Delete(prior);
	return n;
}

static int save(engine *e, k8s_err *err)
{
	e->j.updated = util_now_ms() / 1000;
	util_strlcpy(e->j.last_operator, e->who, sizeof(e->j.last_operator));
	return journal_save(e->o.client, &e->j, e->prefix, err);
}

/* Ends the run: state, message, journal, lease; next: ENGINE_NEXT_* (what may
 * follow, for the caller to word). */
static engine_result finish(engine *e, engine_result r, run_state st, unsigned next,
			    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static engine_result finish(engine *e, engine_result r, run_state st, unsigned next,
			    const char *fmt, ...)
{
	va_list ap;
	k8s_err err;
	char msg[sizeof(e->prog.message)];

	/* the arguments may point into prog.message: format aside first */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&e->mu);
	memcpy(e->prog.message, msg, sizeof(msg));
	e->prog.next = next;
	{
		size_t len = strlen(e->prog.message);

		while (len && e->prog.message[len - 1] == '\n')
			e->prog.message[--len] = '\0';
	}
	pthread_mutex_unlock(&e->mu);
	/* a refusal changes nothing, its journal included: it is not even written */
	if (e->have_journal && r != ENGINE_REFUSED && r != ENGINE_DENIED) {
		e->j.state = (uint8_t)st;
		util_strlcpy(e->j.message, e->prog.message, sizeof(e->j.message));
		if (save(e, &err) < 0) {
			pthread_mutex_lock(&e->mu);
			size_t len = strlen(e->prog.message);

			snprintf(e->prog.message + len, sizeof(e->prog.message) - len,
				 "\nthe journal could not be updated (%s): it may show an older state",
				 err.msg);
			pthread_mutex_unlock(&e->mu);
		}
	}
	if (e->audit_ready)
		audit_record(&e->audit, run_state_name(st), NULL,
			     r == ENGINE_OK ? "ok" : e->prog.message);
	if (e->lease) {
		lease_release(e->lease);
		e->lease = NULL;
	}
	return r;
}

/* ---- checks before any change ------------------------------------------------------ */

/* The access review of need[0..n): OK, NOT_ALLOWED (why lists what),
 * UNCHECKED (the review failed; why says so). */
static engine_status review(engine *e, const step_need *need, size_t n, strbuf *why)
{
	size_t i;
	int denied = 0;

	for (i = 0; i < n; i++) {
		int allowed = 0;
		char reason[256];
		k8s_err err;
		k8s_retry rt;
		int rc;

		/* an access review changes nothing: safe to ask again after a 5xx */
		k8s_retry_init(&rt, READ_BASE_MS, PAUSE_CAP_MS, WRITE_TRIES, NULL);
		do
			rc = k8s_can_i(e->o.client, need[i].verb, need[i].group, need[i].resource, NULL,
				       need[i].ns[0] ? need[i].ns : NULL, NULL, &allowed, reason,
				       sizeof(reason), &err);
		while (rc < 0 && k8s_retry_transient(&err) &&
		       k8s_retry_wait(&rt, &err) == K8S_RETRY_AGAIN);
		if (rc < 0) {
			sb_addf(why, "cannot check access to %s: %s\n", need[i].resource, err.msg);
			return ENGINE_ST_UNCHECKED;
		}
		if (!allowed && denied++ < 6)
			sb_addf(why, "  not allowed: %s %s%s%s %s%s\n", need[i].verb, need[i].resource,
				need[i].group[0] ? "." : "", need[i].group,
				need[i].ns[0] ? "in namespace " : "(cluster-wide)", need[i].ns);
	}
	if (denied > 6)
		sb_addf(why, "  ... and %d more\n", denied - 6);
	return denied ? ENGINE_ST_NOT_ALLOWED : ENGINE_ST_OK;
}

/* The access review of every verb and resource the changes need, and of the
 * run's own records. */
static engine_status check_access(engine *e, strbuf *why)
{
	step_need need[128];
	size_t n = 0, i;

	for (i = 0; i < e->p.n; i++) {
		const plan_step *s = &e->p.steps[i];

		if (s->diff == PLAN_DIFF_CREATE || s->diff == PLAN_DIFF_CHANGE)
			step_exec_of(s)->access(s, s->diff, need, &n, ARRAY_SIZE(need) - 3);
	}
	need[n++] = (step_need){"create", "", "configmaps", JOURNAL_NAMESPACE};
	need[n++] = (step_need){"create", "coordination.k8s.io", "leases", JOURNAL_NAMESPACE};
	need[n++] = (step_need){"create", "", "events", JOURNAL_NAMESPACE};
	return review(e, need, n, why);
}

/* The same for a rollback: what undoing each step needs, the journal's update,
 * the lease and the audit's Events. */
static engine_status check_undo_access(engine *e, strbuf *why)
{
	step_need need[128];
	size_t n = 0, i;

	for (i = 0; i < e->j.n_steps; i++) {
		const step_exec *x = step_exec_find(e->j.steps[i].exec);

		if (x && x->undo_access)
			x->undo_access(&e->j.steps[i], need, &n, ARRAY_SIZE(need) - 3);
	}
	need[n++] = (step_need){"patch", "", "configmaps", JOURNAL_NAMESPACE};
	need[n++] = (step_need){"create", "coordination.k8s.io", "leases", JOURNAL_NAMESPACE};
	need[n++] = (step_need){"create", "", "events", JOURNAL_NAMESPACE};
	return review(e, need, n, why);
}

/* The server's dry run of every create and change: OK, or REFUSED (why). */
static engine_status dry_run(engine *e, strbuf *why)
{
	size_t i, k;
	int bad = 0;

	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];
		step_env *env = env_of(e);
		int skip = 0;

		if (s->diff != PLAN_DIFF_CREATE && s->diff != PLAN_DIFF_CHANGE)
			continue;
		/* a namespace this plan creates does not exist for the server yet */
		for (k = 0; s->ns[0] && k < i; k++)
			if (!strcmp(e->p.steps[k].plural, "namespaces") &&
			    !strcmp(e->p.steps[k].name, s->ns) &&
			    e->p.steps[k].diff == PLAN_DIFF_CREATE)
				skip = 1;
		if (skip)
			continue;
		if (step_exec_of(s)->dry_run(env, s) < 0) {
			sb_addf(why, "  %s: %s\n", s->id, env->msg);
			bad++;
		}
	}
	return bad ? ENGINE_ST_REFUSED : ENGINE_ST_OK;
}

/* Observes every step and refuses what is not ours, and a set of updates whose
 * prior states would not fit in the journal: OK, REFUSED or FAILED (a read
 * failed), why says what. */
static engine_status observe_all(engine *e, strbuf *why)
{
	size_t i, priors = 0, n_changes = 0;
	int bad = 0;

	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];
		step_env *env = env_of(e);
		step_seen seen;

		if (step_exec_of(s)->observe(env, s, &seen) < 0) {
			sb_addf(why, "%s\n", env->msg);
			return ENGINE_ST_FAILED;
		}
		s->diff = seen.diff;
		util_strlcpy(s->reason, seen.reason, sizeof(s->reason));
		s->replicas_not_ours = seen.replicas_not_ours;
		if (s->diff == PLAN_DIFF_CONFLICT || s->diff == PLAN_DIFF_TERMINATING) {
			if (bad++ < 8)
				sb_addf(why, "  %s\n", s->reason);
		}
		if (s->diff == PLAN_DIFF_CHANGE) {
			priors += prior_size(e, s, &seen);
			n_changes++;
		}
		step_seen_release(&seen);
	}
	if (bad > 8)
		sb_addf(why, "  ... and %d more\n", bad - 8);
	if (!bad && n_changes) {
		/* the journal of this run as it will be: its steps as recorded now, what each
		 * step's result adds (uid, times), the notes, and every prior state */
		size_t total = journal_encoded_size(&e->j) + e->p.n * JOURNAL_STEP_RESULT_BYTES +
			       sizeof(e->j.notes) + priors;

		if (total > e->o.journal_max) {
			sb_addf(why,
				"  the %zu updates would need %zu bytes of journal to be undone (prior values of the fields they change), over the limit of %zu: a run journal is a ConfigMap (at most 1 MiB); apply the changed inputs in smaller steps\n",
				n_changes, total, e->o.journal_max);
			bad++;
		}
	}
	return bad ? ENGINE_ST_REFUSED : ENGINE_ST_OK;
}

int engine_preflight(k8s_client *c, const char *prefix, const char *user, plan *p, strbuf *why)
{
	engine_opts o = {.client = c, .prefix = prefix, .user = user, .kill_after = -1,
			 .kill_at_intent = -1};
	engine *e = engine_new(&o);
	engine_status st;

	e->p = *p; /* borrowed: handed back below */
	util_strlcpy(e->j.run, "dry-run", sizeof(e->j.run));
	st = observe_all(e, why);
	if (st == ENGINE_ST_OK) {
		st = check_access(e, why);
		if (st == ENGINE_ST_NOT_ALLOWED)
			sb_addf(why, "no permission for this plan (user %s)\n", user ? user : "?");
	}
	if (st == ENGINE_ST_OK)
		st = dry_run(e, why);
	*p = e->p;
	memset(&e->p, 0, sizeof(e->p));
	engine_free(e);
	return st == ENGINE_ST_OK ? 0 : -1;
}

/* ---- apply --------------------------------------------------------------------------- */

/* Waits until step i's wait (ready, complete, bound) is met: OK, CANCELLED,
 * FAILED (timed out, or the object failed, e.g. a Job) or FORBIDDEN (reading
 * it is not allowed); the message says why for the last two. */
static engine_status wait_ready(engine *e, size_t i, size_t for_step)
{
	const plan_step *s = &e->p.steps[i];
	const step_exec *x = step_exec_of(s);
	char what[300], waiting[300 + PLAN_ID_SIZE + 16], last_err[256] = "";
	engine_status rc = ENGINE_ST_FAILED;
	k8s_retry rt;

	k8s_retry_init(&rt, POLL_BASE_MS, POLL_CAP_MS, 0, &e->cancel);
	k8s_retry_deadline(&rt, (int64_t)e->o.wait_timeout_s * 1000);
	snprintf(what, sizeof(what), "%s %s/%s %s", s->kind, s->ns, s->name, plan_wait_name(s->wait));
	for (;;) {
		step_env *env = env_of(e);
		step_wait_state st;
		k8s_retry_verdict v;

		if (atomic_load(&e->cancel)) {
			rc = ENGINE_ST_CANCELLED;
			break;
		}
		st = x->check(env, s, what, sizeof(what));
		if (st == STEP_WAIT_DONE) {
			rc = ENGINE_ST_OK;
			break;
		}
		if (st == STEP_WAIT_ERROR && env->http == 403) {
			set_message(e, "%s: %s", e->p.steps[for_step].id, env->msg);
			rc = ENGINE_ST_FORBIDDEN;
			break;
		}
		if (st == STEP_WAIT_FAILED) {
			set_message(e, "%s, needed by %s", env->msg, e->p.steps[for_step].id);
			break;
		}
		if (env->msg[0])
			snprintf(last_err, sizeof(last_err), "%.200s", env->msg);
		if (for_step == i)
			util_strlcpy(waiting, what, sizeof(waiting));
		else
			snprintf(waiting, sizeof(waiting), "%s, needed by %s", what, e->p.steps[for_step].id);
		set_waiting(e, waiting);
		v = k8s_retry_wait(&rt, NULL);
		if (v == K8S_RETRY_CANCELLED) {
			rc = ENGINE_ST_CANCELLED;
			break;
		}
		if (v == K8S_RETRY_EXHAUSTED) {
			set_message(e, "timed out after %d s waiting for %s%s%s, needed by %s",
				    e->o.wait_timeout_s, what, last_err[0] ? "; " : "", last_err,
				    e->p.steps[for_step].id);
			break;
		}
	}
	return rc;
}

static void maybe_die(engine *e, size_t i)
{
	if (e->o.kill_after >= 0 && (size_t)e->o.kill_after == i) {
		fflush(NULL);
		raise(SIGKILL);
	}
}

/* Applies step i: OK, or FAILED / FORBIDDEN (a 403) with the message set. */
/* Step i found as planned: recorded as such (the run's own when it carries the
 * run's label: an earlier attempt did take). */
static void record_unchanged(engine *e, size_t i, const step_seen *seen)
{
	plan_step *s = &e->p.steps[i];
	journal_step *js = &e->j.steps[i];

	js->created = seen->run[0] && !strcmp(seen->run, e->j.run);
	if (seen->uid[0])
		util_strlcpy(js->uid, seen->uid, sizeof(js->uid));
	if (js->state == STEP_PENDING)
		js->state = STEP_UNCHANGED;
	else if (js->state != STEP_READY && js->state != STEP_UNCHANGED)
		js->state = STEP_APPLIED; /* an earlier attempt did take */
	if (!js->finished)
		js->finished = util_now_ms() / 1000;
	set_step(e, i, s->id, js->created ? "recorded" : "unchanged");
}

/* An update of step i: what it is about to change goes into the journal with the
 * intent, so a rollback can put it back; the first record of the run is kept (a
 * step tried again after a failure or a crash finds its own change, or none, in
 * the cluster). A secret's values are never recorded. ENGINE_ST_OK, or FAILED
 * (FORBIDDEN: the journal's write was refused) when the prior values would not
 * fit in the journal: the step failed, nothing changed. */
static engine_status record_prior(engine *e, size_t i, const step_exec *x, const step_seen *seen)
{
	plan_step *s = &e->p.steps[i];
	journal_step *js = &e->j.steps[i];
	size_t need;
	k8s_err err;

	if (js->prior || !x->prior || s->secret)
		return ENGINE_ST_OK;
	js->prior = x->prior(env_of(e), s, seen);
	if (!js->prior || (need = journal_encoded_size(&e->j)) <= e->o.journal_max)
		return ENGINE_ST_OK;
	cJSON_Delete(js->prior);
	js->prior = NULL;
	set_message(e,
		    "%s: not updated: its prior values (needed to undo it) would make the run's journal %zu bytes, over the limit of %zu (a ConfigMap holds at most 1 MiB); nothing was changed for this step",
		    s->id, need, e->o.journal_max);
	js->state = STEP_FAILED;
	util_strlcpy(js->message, "not updated: its prior values do not fit in the journal", sizeof(js->message));
	if (save(e, &err) < 0 && err.http == 403)
		return ENGINE_ST_FORBIDDEN;
	return ENGINE_ST_FAILED;
}

static engine_status apply_step(engine *e, size_t i)
{
	plan_step *s = &e->p.steps[i];
	journal_step *js = &e->j.steps[i];
	const step_exec *x = step_exec_of(s);
	step_env *env = env_of(e);
	step_seen seen, after;
	engine_status st = ENGINE_ST_FAILED;
	k8s_err err;
	int ret = -1, forbidden = 0;
	const char *action;

	memset(&seen, 0, sizeof(seen));
	memset(&after, 0, sizeof(after));
	if (x->observe(env, s, &seen) < 0) {
		set_message(e, "%s", env->msg);
		forbidden = env->http == 403;
		goto out;
	}
	if (seen.diff == PLAN_DIFF_CONFLICT || seen.diff == PLAN_DIFF_TERMINATING) {
		set_message(e, "%s: %s", s->id, seen.reason);
		js->state = STEP_FAILED;
		util_strlcpy(js->message, seen.reason, sizeof(js->message));
		goto out;
	}
	if (seen.diff == PLAN_DIFF_UNCHANGED) {
		record_unchanged(e, i, &seen);
		ret = 0;
		goto out;
	}
	action = seen.diff == PLAN_DIFF_CREATE ? "create" : "update";
	if (seen.diff == PLAN_DIFF_CHANGE && (st = record_prior(e, i, x, &seen)) != ENGINE_ST_OK) {
		forbidden = st == ENGINE_ST_FORBIDDEN;
		goto out;
	}
	/* intent first, so a crash between here and the answer is re-observed */
	js->state = STEP_APPLYING;
	js->started = util_now_ms() / 1000;
	js->message[0] = '\0';
	if (save(e, &err) < 0) {
		set_message(e, "cannot write the journal before %s: %s", s->id, err.msg);
		forbidden = err.http == 403;
		goto out;
	}
	if (e->o.kill_at_intent >= 0 && (size_t)e->o.kill_at_intent == i)
		raise(SIGKILL);
	set_step(e, i, s->id, action);
	st = x->apply(env, s, &seen, &after);
	if (st != ENGINE_ST_OK) {
		set_message(e, "%s", env->msg);
		forbidden = st == ENGINE_ST_FORBIDDEN;
		js->state = STEP_FAILED;
		util_strlcpy(js->message, e->prog.message, sizeof(js->message));
		audit_record(&e->audit, action, s, e->prog.message);
		goto out;
	}
	js->created = after.run[0] && !strcmp(after.run, e->j.run);
	if (after.uid[0])
		util_strlcpy(js->uid, after.uid, sizeof(js->uid));
	js->state = STEP_APPLIED;
	js->finished = util_now_ms() / 1000;
	audit_record(&e->audit, action, s, "ok");
	ret = 0;
out:
	if (ret == 0 && js->state != STEP_FAILED) {
		if (save(e, &err) < 0) {
			set_message(e, "%s was applied but the journal could not record it: %s",
				    s->id, err.msg);
			forbidden = err.http == 403;
			ret = -1;
		}
	}
	step_seen_release(&seen);
	step_seen_release(&after);
	if (ret == 0)
		return ENGINE_ST_OK;
	return forbidden ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

#define NEXT_BOTH (ENGINE_NEXT_RESUME | ENGINE_NEXT_ROLLBACK)

/* Ends a run stopped before step id by a wait (waiting) or a step that did not
 * end OK (st); the message of the wait or step says why. */
static engine_result stopped(engine *e, engine_status st, const char *id, int waiting)
{
	switch (st) {
	case ENGINE_ST_CANCELLED:
		return finish(e, ENGINE_PAUSED, RUN_PAUSED, NEXT_BOTH, "paused before %s", id);
	case ENGINE_ST_FORBIDDEN:
		return finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK,
			      "stopped, permission denied: %s", e->prog.message);
	default:
		return finish(e, ENGINE_FAILED, RUN_FAILED, NEXT_BOTH, "%s%s",
			      waiting ? "" : "stopped at ", e->prog.message);
	}
}

/* Refused over the tenant's lease: another run holds it, or it could not be
 * taken (why says which). */
static engine_result refuse_lease(engine *e, strbuf *why)
{
	why->len = strlen(why->buf);
	return finish(e, ENGINE_REFUSED, RUN_FAILED, 0, "refused, nothing changed: %s", why->buf);
}

/* The checks before any change (observe, access, dry run), then the lease
 * and the journal's first write: ENGINE_OK, or the run ended refused. */
static engine_result start_run(engine *e, strbuf *why)
{
	k8s_err err;
	char taken[256], holder[320];
	engine_status st;

	snprintf(holder, sizeof(holder), "%s run=%s", e->who, e->j.run);
	set_phase(e, ENGINE_OBSERVE);
	/* a run of the tenant under way: say so, not what its half-made objects
	 * would make of this plan (only a read: a refusal sends nothing) */
	if (lease_busy(e->o.client, e->p.tcode, holder, why->buf, why->cap))
		return refuse_lease(e, why);
	if (observe_all(e, why) != ENGINE_ST_OK)
		return finish(e, ENGINE_REFUSED, RUN_FAILED, 0, "refused, nothing changed:\n%s",
			      why->buf);
	set_phase(e, ENGINE_ACCESS);
	st = check_access(e, why);
	if (st == ENGINE_ST_UNCHECKED)
		return finish(e, ENGINE_REFUSED, RUN_FAILED, 0, "refused, nothing changed: %s",
			      why->buf);
	if (st != ENGINE_ST_OK)
		return finish(e, ENGINE_DENIED, RUN_FAILED, 0,
			      "refused, nothing changed: no permission for this plan (user %s):\n%sask for the operator role",
			      e->o.user ? e->o.user : "?", why->buf);
	set_phase(e, ENGINE_DRY_RUN);
	if (dry_run(e, why) != ENGINE_ST_OK) {
		/* a run that began since the observation explains a rejection best */
		if (lease_busy(e->o.client, e->p.tcode, holder, why->buf, why->cap))
			return refuse_lease(e, why);
		return finish(e, ENGINE_REFUSED, RUN_FAILED, 0,
			      "refused, nothing changed: the server's dry run rejected steps:\n%s",
			      why->buf);
	}
	set_phase(e, ENGINE_LEASE);
	if (lease_acquire(e->o.client, e->p.tcode, holder, e->o.lease_duration_s, &e->lease, taken,
			  sizeof(taken), why->buf, why->cap) != 0)
		return refuse_lease(e, why);
	audit_init(&e->audit, e->o.client, e->who, e->j.run);
	e->audit_ready = 1;
	if (taken[0]) {
		journal_note(&e->j, "lease taken over from %s by %s", taken, e->who);
		audit_record(&e->audit, "takeover", NULL, taken);
	}
	if (e->mode == MODE_RESUME)
		journal_note(&e->j, "resumed by %s", e->who);
	e->j.state = RUN_RUNNING;
	if (save(e, &err) < 0)
		return finish(e, ENGINE_REFUSED, RUN_FAILED, 0,
			      "refused, nothing changed: cannot write the run journal: %s", err.msg);
	return ENGINE_OK;
}

static engine_result run_apply(engine *e)
{
	strbuf why;
	size_t i, k;
	engine_result r;
	engine_status st;

	sb_init(&why, 256);
	r = start_run(e, &why);
	if (r != ENGINE_OK)
		goto out;
	set_phase(e, ENGINE_APPLY);
	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];

		if (atomic_load(&e->cancel)) {
			r = stopped(e, ENGINE_ST_CANCELLED, s->id, 0);
			goto out;
		}
		if (lease_lost(e->lease)) {
			r = finish(e, ENGINE_FAILED, RUN_FAILED, NEXT_BOTH,
				   "stopped before %s: the tenant's lease was taken by someone else",
				   s->id);
			goto out;
		}
		for (k = 0; k < s->n_needs; k++) {
			size_t n = s->needs[k];

			if (e->p.steps[n].wait == PLAN_WAIT_EXISTS || e->j.steps[n].state == STEP_READY)
				continue;
			set_phase(e, ENGINE_WAIT);
			st = wait_ready(e, n, i);
			if (st != ENGINE_ST_OK) {
				r = stopped(e, st, s->id, 1);
				goto out;
			}
			e->j.steps[n].state = STEP_READY;
			set_phase(e, ENGINE_APPLY);
		}
		st = apply_step(e, i);
		if (st != ENGINE_ST_OK) {
			r = stopped(e, st, s->id, 0);
			goto out;
		}
		maybe_die(e, i);
	}
	/* the last workloads, e.g. Hypnus, are needed by nobody: wait for them too */
	for (i = 0; i < e->p.n; i++) {
		if (e->p.steps[i].wait == PLAN_WAIT_EXISTS || e->j.steps[i].state == STEP_READY)
			continue;
		set_phase(e, ENGINE_WAIT);
		st = wait_ready(e, i, i);
		if (st == ENGINE_ST_CANCELLED) {
			r = finish(e, ENGINE_PAUSED, RUN_PAUSED, NEXT_BOTH, "paused while waiting");
			goto out;
		}
		if (st != ENGINE_ST_OK) {
			r = stopped(e, st, e->p.steps[i].id, 1);
			goto out;
		}
		e->j.steps[i].state = STEP_READY;
	}
	r = finish(e, ENGINE_OK, RUN_DONE, 0, "run %s done: %zu created, %zu updated, %zu unchanged",
		   e->j.run, e->prog.created, e->prog.updated, e->prog.unchanged);
out:
	sb_release(&why);
	return r;
}

/* ---- rollback ---------------------------------------------------------------------- */

/* Puts back the prior values of step i, an update of this run, over seen (the
 * object as it is now): restored, or kept when nothing of the run's change is
 * there or someone changed it since (why gets a line). OK; FAILED when the
 * write failed (try again later); NO_JOURNAL or FORBIDDEN with the message set. */
static engine_status restore_step(engine *e, size_t i, const step_exec *x, const plan_step *ps,
				  const step_seen *seen, strbuf *why)
{
	journal_step *js = &e->j.steps[i];
	step_env *env;
	char what[200];
	k8s_err err;
	engine_status st;

	switch (plan_prior_compare(js->prior, seen->live, what, sizeof(what))) {
	case PLAN_PRIOR_AS_BEFORE:
		if (js->state == STEP_RESTORING || js->state == STEP_RESTORED) {
			js->state = STEP_RESTORED; /* put back before an interruption */
		} else {
			js->state = STEP_KEPT;
			util_strlcpy(js->message, "this run's update had not taken: nothing to put back",
				     sizeof(js->message));
			set_step(e, i, js->id, "kept");
		}
		return ENGINE_ST_OK;
	case PLAN_PRIOR_CHANGED:
		js->state = STEP_KEPT;
		snprintf(js->message, sizeof(js->message), "kept: changed since this run: %.150s",
			 what);
		set_step(e, i, js->id, "kept");
		sb_addf(why, "%s kept, not put back: changed since this run (%s)\n", js->id, what);
		return ENGINE_ST_OK;
	case PLAN_PRIOR_AS_WRITTEN:
		break;
	}
	js->state = STEP_RESTORING;
	js->message[0] = '\0';
	if (save(e, &err) < 0) {
		set_message(e, "%s", err.msg);
		return ENGINE_ST_NO_JOURNAL;
	}
	set_step(e, i, js->id, "restore");
	env = env_of(e);
	st = x->restore ? x->restore(env, js) : ENGINE_ST_FAILED;
	if (!x->restore)
		snprintf(env->msg, sizeof(env->msg), "%s: its kind cannot put values back", js->id);
	if (st == ENGINE_ST_OK) {
		js->state = STEP_RESTORED;
		js->finished = util_now_ms() / 1000;
		audit_record(&e->audit, "restore", ps, "ok");
	} else if (st == ENGINE_ST_REFUSED) {
		js->state = STEP_KEPT;
		snprintf(js->message, sizeof(js->message), "kept: %.180s", env->msg);
		audit_record(&e->audit, "restore", ps, env->msg);
		sb_addf(why, "%s kept, not put back: %s\n", js->id, env->msg);
	} else {
		js->state = STEP_FAILED;
		util_strlcpy(js->message, env->msg, sizeof(js->message));
		audit_record(&e->audit, "restore", ps, env->msg);
		if (st == ENGINE_ST_FORBIDDEN) {
			set_message(e, "%s: %s", js->id, env->msg);
			return ENGINE_ST_FORBIDDEN;
		}
	}
	if (save(e, &err) < 0) {
		set_message(e, "%s", err.msg);
		return ENGINE_ST_NO_JOURNAL;
	}
	return js->state == STEP_FAILED ? ENGINE_ST_FAILED : ENGINE_ST_OK;
}

/* A plan step describing journal step js, for the audit. */
static void audit_step_of(const step_exec *x, const journal_step *js, plan_step *ps)
{
	journal_object obj;

	memset(ps, 0, sizeof(*ps));
	util_strlcpy(ps->kind, js->kind, sizeof(ps->kind));
	if (x == &step_k8s && journal_path_parse(js->path, &obj, NULL, 0) == 0) {
		util_strlcpy(ps->name, obj.name, sizeof(ps->name));
		util_strlcpy(ps->api_version, obj.api_version, sizeof(ps->api_version));
		util_strlcpy(ps->ns, obj.ns, sizeof(ps->ns));
	} else {
		util_strlcpy(ps->api_version, x->name, sizeof(ps->api_version));
		util_strlcpy(ps->name, js->path, sizeof(ps->name));
	}
}

/* Whether a rollback may delete step js's object, created by this run, by its
 * policy: 1, or 0 with why (kept). */
static int may_delete(engine *e, const journal_step *js, char *why, size_t size)
{
	if (js->rollback == STEP_ROLLBACK_RESTORE) {
		util_strlcpy(why, "kept: its rollback only puts back what the run changed", size);
		return 0;
	}
	if (js->rollback == STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED &&
	    !(e->o.confirm_tcode && !strcasecmp(e->o.confirm_tcode, e->j.tcode))) {
		snprintf(why, size, "kept: deleted only when the rollback is confirmed with the TCODE (%s)",
			 e->j.tcode);
		return 0;
	}
	return 1;
}

/* What a rollback step came to: go on to the next, or stopped (the rollback
 * ended, *r says how). */
typedef enum rb_next { RB_GO_ON, RB_STOPPED } rb_next;

/* The checks and records before a rollback's first change: the journal's paths,
 * the rights, the Lease, the journal marked rolling-back. RB_STOPPED with *r when
 * refused (nothing changed). */
static rb_next rollback_begin(engine *e, strbuf *why, engine_result *r)
{
	k8s_err err;
	char taken[256], holder[320];
	engine_status st;

	/* a journal anyone with write access can edit: every path must name one
	 * object before anything is written (the objects' labels decide the rest) */
	if (journal_check_paths(&e->j, why->buf, why->cap) < 0) {
		*r = finish(e, ENGINE_REFUSED, RUN_FAILED, 0, "refused, nothing changed: %s", why->buf);
		return RB_STOPPED;
	}
	set_phase(e, ENGINE_ACCESS);
	st = check_undo_access(e, why);
	if (st == ENGINE_ST_UNCHECKED) {
		*r = finish(e, ENGINE_REFUSED, RUN_FAILED, 0, "refused, nothing changed: %s", why->buf);
		return RB_STOPPED;
	}
	if (st != ENGINE_ST_OK) {
		*r = finish(e, ENGINE_DENIED, RUN_FAILED, 0,
			    "refused, nothing changed: no permission to roll back run %s (user %s):\n%sask for the operator role",
			    e->j.run, e->o.user ? e->o.user : "?", why->buf);
		return RB_STOPPED;
	}
	why->len = 0;
	why->buf[0] = '\0';
	set_phase(e, ENGINE_LEASE);
	snprintf(holder, sizeof(holder), "%s run=%s", e->who, e->j.run);
	if (lease_acquire(e->o.client, e->j.tcode, holder, e->o.lease_duration_s, &e->lease, taken, sizeof(taken),
			  why->buf, why->cap) != 0) {
		*r = refuse_lease(e, why);
		return RB_STOPPED;
	}
	audit_init(&e->audit, e->o.client, e->who, e->j.run);
	e->audit_ready = 1;
	if (taken[0])
		journal_note(&e->j, "lease taken over from %s by %s", taken, e->who);
	journal_note(&e->j, "rollback by %s", e->who);
	e->j.state = RUN_ROLLING_BACK;
	if (save(e, &err) < 0) {
		*r = finish(e, ENGINE_REFUSED, RUN_FAILED, 0,
			    "refused, nothing changed: cannot write the run journal: %s", err.msg);
		return RB_STOPPED;
	}
	return RB_GO_ON;
}

/* Step i of the journal, gone from the cluster: deleted when the run made it. */
static void rollback_gone(engine *e, size_t i)
{
	journal_step *js = &e->j.steps[i];

	if (js->state == STEP_DELETING || (js->created && js->state != STEP_PENDING)) {
		js->state = STEP_DELETED;
	} else if (js->prior && js->state != STEP_PENDING) {
		js->state = STEP_KEPT;
		util_strlcpy(js->message, "updated by this run, deleted since: nothing to put back",
			     sizeof(js->message));
		set_step(e, i, js->id, "kept");
	}
}

/* Step i, which the run created: deleted, unless kept (not confirmed, or it holds
 * what the run did not make); a failure counted in *failed and said in why. */
static rb_next rollback_delete(engine *e, size_t i, const step_exec *x, const plan_step *ps, strbuf *why,
			       size_t *failed, engine_result *r)
{
	journal_step *js = &e->j.steps[i];
	step_env *env = env_of(e);
	engine_status st;
	char what[160];
	k8s_err err;

	if (!may_delete(e, js, js->message, sizeof(js->message))) {
		js->state = STEP_KEPT;
		set_step(e, i, js->id, "kept");
		sb_addf(why, "%s %s\n", js->id, js->message);
		return RB_GO_ON;
	}
	if (x->holds_others && x->holds_others(env, js, what, sizeof(what))) {
		js->state = STEP_KEPT;
		snprintf(js->message, sizeof(js->message), "kept: it holds %.120s, which this run did not create",
			 what);
		set_step(e, i, js->id, "kept");
		sb_addf(why, "%s %s kept: it holds %s, which this run did not create\n",
			x == &step_k8s ? "namespace" : js->kind, ps->name, what);
		return RB_GO_ON;
	}
	js->state = STEP_DELETING;
	if (save(e, &err) < 0) {
		*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
			    "rollback stopped: cannot write the journal: %s", err.msg);
		return RB_STOPPED;
	}
	set_step(e, i, js->id, "delete");
	env = env_of(e);
	st = x->remove(env, js);
	if (st != ENGINE_ST_OK) {
		js->state = STEP_FAILED;
		util_strlcpy(js->message, env->msg, sizeof(js->message));
		sb_addf(why, "%s\n", env->msg); /* e.g. a database that holds tables */
		audit_record(&e->audit, "delete", ps, env->msg);
		(*failed)++;
		if (st == ENGINE_ST_FORBIDDEN) {
			*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
				    "rollback stopped, permission denied: %s: %s", js->id, env->msg);
			return RB_STOPPED;
		}
	} else {
		js->state = STEP_DELETED;
		js->finished = util_now_ms() / 1000;
		audit_record(&e->audit, "delete", ps, "ok");
	}
	if (save(e, &err) < 0) {
		*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
			    "rollback stopped: cannot write the journal: %s", err.msg);
		return RB_STOPPED;
	}
	return RB_GO_ON;
}

/* Step i of the journal, undone as its object is found: deleted (the run's),
 * put back (an update of this run), or kept. */
static rb_next rollback_step(engine *e, size_t i, strbuf *why, size_t *failed, engine_result *r)
{
	journal_step *js = &e->j.steps[i];
	const step_exec *x = step_exec_find(js->exec); /* known: checked by the start */
	step_env *env = env_of(e);
	step_seen seen;
	plan_step ps;
	engine_status st;

	audit_step_of(x, js, &ps);
	if (atomic_load(&e->cancel)) {
		*r = finish(e, ENGINE_PAUSED, RUN_PAUSED, ENGINE_NEXT_ROLLBACK_AGAIN, "rollback paused before %s",
			    js->id);
		return RB_STOPPED;
	}
	if (x->observe_ref(env, js, &seen) < 0) {
		*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN, "rollback stopped at %s: %s",
			    js->id, env->msg);
		return RB_STOPPED;
	}
	if (!seen.uid[0] && !seen.live) {
		step_seen_release(&seen);
		rollback_gone(e, i);
		return RB_GO_ON;
	}
	if (strcmp(seen.run, e->j.run) && js->prior && js->state != STEP_PENDING) {
		/* updated by this run: its prior values go back, unless changed since */
		st = restore_step(e, i, x, &ps, &seen, why);
		step_seen_release(&seen);
		if (st == ENGINE_ST_NO_JOURNAL) {
			*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
				    "rollback stopped: cannot write the journal: %s", e->prog.message);
			return RB_STOPPED;
		}
		if (st == ENGINE_ST_FORBIDDEN) {
			*r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
				    "rollback stopped, permission denied: %s", e->prog.message);
			return RB_STOPPED;
		}
		if (st != ENGINE_ST_OK)
			(*failed)++;
		return RB_GO_ON;
	}
	if (strcmp(seen.run, e->j.run) || !seen.managed) {
		/* existed before this run, or another run's: never ours to delete */
		step_seen_release(&seen);
		if (js->state != STEP_PENDING) {
			js->state = STEP_KEPT;
			util_strlcpy(js->message, "not created by this run", sizeof(js->message));
			set_step(e, i, js->id, "kept");
		}
		return RB_GO_ON;
	}
	step_seen_release(&seen);
	return rollback_delete(e, i, x, &ps, why, failed, r);
}

static engine_result run_rollback(engine *e)
{
	strbuf why;
	size_t i, failed = 0;
	engine_result r;

	sb_init(&why, 256);
	if (rollback_begin(e, &why, &r) == RB_STOPPED)
		goto out;
	set_phase(e, ENGINE_ROLLBACK);
	for (i = e->j.n_steps; i-- > 0;)
		if (rollback_step(e, i, &why, &failed, &r) == RB_STOPPED)
			goto out;
	if (failed)
		r = finish(e, ENGINE_FAILED, RUN_FAILED, ENGINE_NEXT_ROLLBACK_AGAIN,
			   "rollback incomplete: %zu objects could not be deleted or put back\n%s", failed,
			   why.buf);
	else
		r = finish(e, ENGINE_OK, RUN_ROLLED_BACK, 0,
			   "run %s rolled back: %zu deleted, %zu restored, %zu kept\n%s", e->j.run,
			   e->prog.deleted, e->prog.restored, e->prog.kept, why.buf);
out:
	sb_release(&why);
	return r;
}

/* ---- thread -------------------------------------------------------------------------- */

static void *engine_main(void *arg)
{
	engine *e = arg;
	engine_result r;

	pthread_mutex_lock(&e->mu);
	e->prog.run_started_ms = util_mono_ms();
	util_strlcpy(e->prog.run, e->j.run, sizeof(e->prog.run));
	e->prog.n_steps = e->j.n_steps;
	pthread_mutex_unlock(&e->mu);
	r = e->mode == MODE_ROLLBACK ? run_rollback(e) : run_apply(e);
	step_env_close(&e->env); /* e.g. a PostgreSQL session and its advisory lock */
	if (e->audit_ready) {
		audit_release(&e->audit);
		e->audit_ready = 0;
	}
	pthread_mutex_lock(&e->mu);
	e->prog.finished = 1;
	e->prog.result = r;
	e->prog.phase = ENGINE_FINISHED;
	pthread_mutex_unlock(&e->mu);
	publish(e);
	return NULL;
}

static engine_status start(engine *e)
{
	if (e->o.readonly)
		return ENGINE_ST_READONLY;
	if (pthread_create(&e->thread, NULL, engine_main, e) != 0)
		die("cannot start the engine thread");
	e->started = 1;
	return ENGINE_ST_OK;
}

engine_status engine_start_apply(engine *e, plan *p)
{
	char run[JOURNAL_RUN_SIZE];
	int64_t now_ms = util_now_ms();

	if (e->started)
		return ENGINE_ST_ALREADY;
	e->mode = MODE_APPLY;
	e->p = *p;
	memset(p, 0, sizeof(*p));
	e->have_plan = 1;
	journal_new_run_id(e->p.tcode, now_ms / 1000, run, sizeof(run));
	journal_from_plan(&e->j, &e->p, run, e->who, now_ms);
	e->have_journal = 1;
	return start(e);
}

engine_status engine_start_resume(engine *e, plan *p, journal *j)
{
	size_t i;

	if (e->started)
		return ENGINE_ST_ALREADY;
	e->mode = MODE_RESUME;
	e->p = *p;
	memset(p, 0, sizeof(*p));
	e->have_plan = 1;
	e->j = *j;
	memset(j, 0, sizeof(*j));
	e->have_journal = 1;
	/* the rebuilt plan must have the journal's steps, in order */
	if (e->p.n != e->j.n_steps)
		goto mismatch;
	for (i = 0; i < e->p.n; i++)
		if (strcmp(e->p.steps[i].id, e->j.steps[i].id))
			goto mismatch;
	return start(e);
mismatch:
	set_message(e, "run %s cannot be resumed: its plan no longer matches the journal (%zu steps recorded, %zu planned now)",
		    e->j.run, e->j.n_steps, e->p.n);
	util_strlcpy(e->prog.run, e->j.run, sizeof(e->prog.run));
	e->prog.finished = 1;
	e->prog.result = ENGINE_REFUSED;
	e->prog.next = ENGINE_NEXT_ROLLBACK;
	return ENGINE_ST_MISMATCH;
}

engine_status engine_start_rollback(engine *e, journal *j)
{
	if (e->started)
		return ENGINE_ST_ALREADY;
	e->mode = MODE_ROLLBACK;
	e->j = *j;
	memset(j, 0, sizeof(*j));
	e->have_journal = 1;
	return start(e);
}

engine_result engine_wait(engine *e)
{
	if (e->started) {
		pthread_join(e->thread, NULL);
		e->started = 0;
	}
	return e->prog.result;
}
