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
#include "core/tcode.h"
#include "util/util.h"

#define WRITE_TRIES 5
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

static const char *label(const cJSON *obj, const char *key)
{
	return jstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
						     "labels"),
		    key);
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

/* Worth asking again: no answer, a cut or garbled answer (a 2xx we could not
 * read), throttling, or a server error. */
static int transient(const k8s_err *err)
{
	return err->http == 0 || (err->http >= 200 && err->http < 300) || err->http == 429 ||
	       (err->http >= 500 && err->http != 501);
}

/* GET an object; *live NULL when absent. 0 or -1 (err). */
static int observe(engine *e, const char *path, cJSON **live, k8s_err *err)
{
	*live = NULL;
	if (k8s_get(e->o.client, path, live, err) == 0)
		return 0;
	if (err->http == 404) {
		*live = NULL;
		return 0;
	}
	return -1;
}

/* The configuration to apply: the plan's body, plus the run label (this run's,
 * or the one the object already carries), without the replica count another
 * manager owns. */
static cJSON *apply_tree(engine *e, const plan_step *s, const cJSON *live)
{
	cJSON *b = cJSON_Duplicate(s->body, 1);
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "metadata"),
							 "labels");
	const char *have = live ? label(live, e->run_label) : NULL;

	if (!labels)
		labels = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(b, "metadata"),
						 "labels");
	cJSON_DeleteItemFromObjectCaseSensitive(labels, e->run_label);
	cJSON_AddStringToObject(labels, e->run_label, have ? have : e->j.run);
	if (live ? plan_replicas_owned_elsewhere(live) : s->replicas_not_ours) /* Hypnus's count */
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "spec"),
							"replicas");
	return b;
}

static char *print_tree(const cJSON *b)
{
	char *text = cJSON_PrintUnformatted(b), *ret;

	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}

/* apply_tree as text (malloc'd). */
static char *apply_body(engine *e, const plan_step *s, const cJSON *live)
{
	cJSON *b = apply_tree(e, s, live);
	char *ret = print_tree(b);

	cJSON_Delete(b);
	return ret;
}

/* The length of the prior state an update of s over live would journal. */
static size_t prior_size(engine *e, const plan_step *s, const cJSON *live)
{
	cJSON *b = apply_tree(e, s, live), *prior = plan_prior_record(b, live);
	char *text = prior ? cJSON_PrintUnformatted(prior) : NULL;
	size_t n = text ? strlen(text) : 0;

	cJSON_free(text);
	cJSON_Delete(prior);
	cJSON_Delete(b);
	return n;
}

static int save(engine *e, k8s_err *err)
{
	e->j.updated = util_now_ms() / 1000;
	util_strlcpy(e->j.last_operator, e->who, sizeof(e->j.last_operator));
	return journal_save(e->o.client, &e->j, e->prefix, err);
}

/* Ends the run: state, message, journal, lease. */
static engine_result finish(engine *e, engine_result r, run_state st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static engine_result finish(engine *e, engine_result r, run_state st, const char *fmt, ...)
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
	{
		size_t len = strlen(e->prog.message);

		while (len && e->prog.message[len - 1] == '\n')
			e->prog.message[--len] = '\0';
	}
	pthread_mutex_unlock(&e->mu);
	if (e->have_journal && r != ENGINE_REFUSED) {
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

typedef struct access_need {
	const char *verb;
	char group[48], plural[40], ns[64];
} access_need;

static int check_access(engine *e, strbuf *why)
{
	access_need need[128];
	size_t n = 0, i;
	int denied = 0;

	for (i = 0; i < e->p.n; i++) {
		const plan_step *s = &e->p.steps[i];
		const char *verb;
		size_t m;

		if (s->diff == PLAN_DIFF_CREATE)
			verb = "create";
		else if (s->diff == PLAN_DIFF_CHANGE)
			verb = "patch";
		else
			continue;
		for (m = 0; m < n; m++)
			if (!strcmp(need[m].verb, verb) && !strcmp(need[m].group, s->group) &&
			    !strcmp(need[m].plural, s->plural) && !strcmp(need[m].ns, s->ns))
				break;
		if (m < n || n + 3 >= ARRAY_SIZE(need))
			continue;
		need[n].verb = verb;
		util_strlcpy(need[n].group, s->group, sizeof(need[n].group));
		util_strlcpy(need[n].plural, s->plural, sizeof(need[n].plural));
		util_strlcpy(need[n].ns, s->ns, sizeof(need[n].ns));
		n++;
	}
	/* the run's own records */
	if (n + 3 <= ARRAY_SIZE(need)) {
		need[n++] = (access_need){"create", "", "configmaps", JOURNAL_NAMESPACE};
		need[n++] = (access_need){"create", "coordination.k8s.io", "leases",
					  JOURNAL_NAMESPACE};
		need[n++] = (access_need){"create", "", "events", JOURNAL_NAMESPACE};
	}
	for (i = 0; i < n; i++) {
		int allowed = 0;
		char reason[256];
		k8s_err err;

		int tries, rc;

		/* an access review changes nothing: safe to ask again after a 5xx */
		for (tries = 0;; tries++) {
			rc = k8s_can_i(e->o.client, need[i].verb, need[i].group, need[i].plural, NULL,
				       need[i].ns[0] ? need[i].ns : NULL, NULL, &allowed, reason,
				       sizeof(reason), &err);
			if (rc == 0 || !transient(&err) || tries >= WRITE_TRIES)
				break;
			usleep(100000u << (tries < 4 ? tries : 4));
		}
		if (rc < 0) {
			sb_addf(why, "cannot check access to %s: %s\n", need[i].plural, err.msg);
			return -2;
		}
		if (!allowed && denied++ < 6)
			sb_addf(why, "  not allowed: %s %s%s%s %s%s\n", need[i].verb, need[i].plural,
				need[i].group[0] ? "." : "", need[i].group,
				need[i].ns[0] ? "in namespace " : "(cluster-wide)", need[i].ns);
	}
	if (denied > 6)
		sb_addf(why, "  ... and %d more\n", denied - 6);
	return denied ? -1 : 0;
}

static int dry_run(engine *e, strbuf *why)
{
	size_t i, k;
	int bad = 0;

	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];
		char *path, *body;
		k8s_err err;
		int rc, skip = 0;

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
		path = plan_step_path(s);
		body = apply_body(e, s, NULL);
		for (k = 0;; k++) {
			rc = k8s_apply(e->o.client, path, body, K8S_DRY_RUN, NULL, &err);
			if (rc == 0 || !transient(&err) || k >= WRITE_TRIES)
				break;
			usleep(100000u << (k < 4 ? k : 4));
		}
		free(path);
		free(body);
		if (rc < 0) {
			if (err.http == 403 && strstr(err.msg, "being terminated")) {
				sb_addf(why, "  %s: namespace %s is being deleted (Terminating): wait until it is gone, then try again\n",
					s->id, s->ns);
			} else {
				sb_addf(why, "  %s: %s\n", s->id, err.msg);
			}
			bad++;
		}
	}
	return bad ? -1 : 0;
}

/* Observes every step and refuses what is not ours, and a set of updates whose
 * prior states would not fit in the journal. */
static int observe_all(engine *e, strbuf *why)
{
	size_t i, priors = 0, n_changes = 0;
	int bad = 0;

	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];
		char *path = plan_step_path(s);
		cJSON *live = NULL;
		k8s_err err;

		if (observe(e, path, &live, &err) < 0) {
			free(path);
			sb_addf(why, "cannot read %s: %s\n", s->id, err.msg);
			return -1;
		}
		free(path);
		s->diff = plan_classify(s, live, e->prefix, e->p.tcode, s->reason, sizeof(s->reason));
		s->replicas_not_ours = live && plan_replicas_owned_elsewhere(live);
		if (s->diff == PLAN_DIFF_CONFLICT || s->diff == PLAN_DIFF_TERMINATING) {
			if (bad++ < 8)
				sb_addf(why, "  %s\n", s->reason);
		}
		if (s->diff == PLAN_DIFF_CHANGE) {
			priors += prior_size(e, s, live);
			n_changes++;
		}
		cJSON_Delete(live);
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
	return bad ? -1 : 0;
}

int engine_preflight(k8s_client *c, const char *prefix, const char *user, plan *p, strbuf *why)
{
	engine_opts o = {.client = c, .prefix = prefix, .user = user, .kill_after = -1,
			 .kill_at_intent = -1};
	engine *e = engine_new(&o);
	int rc;

	e->p = *p; /* borrowed: handed back below */
	util_strlcpy(e->j.run, "dry-run", sizeof(e->j.run));
	rc = observe_all(e, why);
	if (rc == 0) {
		rc = check_access(e, why);
		if (rc == -1)
			sb_addf(why, "no permission for this plan (user %s)\n", user ? user : "?");
	}
	if (rc == 0)
		rc = dry_run(e, why);
	*p = e->p;
	memset(&e->p, 0, sizeof(e->p));
	engine_free(e);
	return rc < 0 ? -1 : 0;
}

/* ---- apply --------------------------------------------------------------------------- */

/* Waits until step i is ready. 0, 1 when cancelled, -1 on timeout/error, -3 when
 * reading is forbidden (message set). */
static int wait_ready(engine *e, size_t i, size_t for_step)
{
	const plan_step *s = &e->p.steps[i];
	char *path = plan_step_path(s), what[400];
	int64_t start = util_mono_ms(), deadline = start + (int64_t)e->o.wait_timeout_s * 1000;
	useconds_t pause = 100000;
	int ready = 0, desired = 0, rc = -1;
	char last_err[256] = "";

	for (;;) {
		cJSON *live = NULL;
		k8s_err err;

		if (atomic_load(&e->cancel)) {
			rc = 1;
			break;
		}
		if (observe(e, path, &live, &err) == 0 && live) {
			int ok = engine_object_ready(live, &ready, &desired);

			cJSON_Delete(live);
			if (ok) {
				rc = 0;
				break;
			}
		} else if (err.http == 403) {
			set_message(e, "%s: %s", e->p.steps[for_step].id, err.msg);
			rc = -3;
			break;
		} else if (!live) {
			snprintf(last_err, sizeof(last_err), "%.200s",
				 err.http == 404 || err.msg[0] == '\0' ? "it does not exist" : err.msg);
		}
		if (for_step == i)
			snprintf(what, sizeof(what), "%s %s/%s ready (%d/%d)", s->kind, s->ns, s->name,
				 ready, desired);
		else
			snprintf(what, sizeof(what), "%s %s/%s ready (%d/%d), needed by %s", s->kind,
				 s->ns, s->name, ready, desired, e->p.steps[for_step].id);
		set_waiting(e, what);
		if (util_mono_ms() >= deadline) {
			set_message(e,
				    "timed out after %d s waiting for %s %s/%s to be ready (%d/%d replicas ready%s%s), needed by %s",
				    e->o.wait_timeout_s, s->kind, s->ns, s->name, ready, desired,
				    last_err[0] ? "; " : "", last_err, e->p.steps[for_step].id);
			break;
		}
		usleep(pause);
		if (pause < 1000000)
			pause += 100000;
	}
	free(path);
	return rc;
}

static void maybe_die(engine *e, size_t i)
{
	if (e->o.kill_after >= 0 && (size_t)e->o.kill_after == i) {
		fflush(NULL);
		raise(SIGKILL);
	}
}

/* Applies step i. 0 ok; -1 stop (message set; *forbidden for a 403). */
static int apply_step(engine *e, size_t i, int *forbidden)
{
	plan_step *s = &e->p.steps[i];
	journal_step *js = &e->j.steps[i];
	char *path = plan_step_path(s), *body = NULL, reason[200];
	cJSON *live = NULL, *out = NULL, *tree = NULL;
	k8s_err err;
	plan_diff d;
	int tries, ret = -1;
	const char *action;

	*forbidden = 0;
	if (observe(e, path, &live, &err) < 0) {
		set_message(e, "cannot read %s: %s", s->id, err.msg);
		*forbidden = err.http == 403;
		goto out;
	}
	d = plan_classify(s, live, e->prefix, e->p.tcode, reason, sizeof(reason));
	if (d == PLAN_DIFF_CONFLICT || d == PLAN_DIFF_TERMINATING) {
		set_message(e, "%s: %s", s->id, reason);
		js->state = STEP_FAILED;
		util_strlcpy(js->message, reason, sizeof(js->message));
		goto out;
	}
	if (d == PLAN_DIFF_UNCHANGED) {
		const char *run = label(live, e->run_label);
		const char *uid = jstr(cJSON_GetObjectItemCaseSensitive(live, "metadata"), "uid");

		js->created = run && !strcmp(run, e->j.run);
		if (uid)
			util_strlcpy(js->uid, uid, sizeof(js->uid));
		if (js->state == STEP_PENDING)
			js->state = STEP_UNCHANGED;
		else if (js->state != STEP_READY && js->state != STEP_UNCHANGED)
			js->state = STEP_APPLIED; /* an earlier attempt did take */
		if (!js->finished)
			js->finished = util_now_ms() / 1000;
		set_step(e, i, s->id, js->created ? "recorded" : "unchanged");
		ret = 0;
		goto out;
	}
	action = d == PLAN_DIFF_CREATE ? "create" : "update";
	tree = apply_tree(e, s, live);
	/* an update: what it is about to change goes into the journal with the intent, so
	 * a rollback can put it back; the first record of the run is kept (a step tried
	 * again after a failure or a crash finds its own change, or none, in the cluster) */
	if (d == PLAN_DIFF_CHANGE && !js->prior) {
		js->prior = plan_prior_record(tree, live);
		if (js->prior && journal_encoded_size(&e->j) > e->o.journal_max) {
			size_t need = journal_encoded_size(&e->j);

			cJSON_Delete(js->prior);
			js->prior = NULL;
			set_message(e,
				    "%s: not updated: its prior values (needed to undo it) would make the run's journal %zu bytes, over the limit of %zu (a ConfigMap holds at most 1 MiB); nothing was changed for this step",
				    s->id, need, e->o.journal_max);
			js->state = STEP_FAILED;
			util_strlcpy(js->message, "not updated: its prior values do not fit in the journal",
				     sizeof(js->message));
			if (save(e, &err) < 0)
				*forbidden = err.http == 403;
			goto out;
		}
	}
	/* intent first, so a crash between here and the answer is re-observed */
	js->state = STEP_APPLYING;
	js->started = util_now_ms() / 1000;
	js->message[0] = '\0';
	if (save(e, &err) < 0) {
		set_message(e, "cannot write the journal before %s: %s", s->id, err.msg);
		*forbidden = err.http == 403;
		goto out;
	}
	if (e->o.kill_at_intent >= 0 && (size_t)e->o.kill_at_intent == i)
		raise(SIGKILL);
	set_step(e, i, s->id, action);
	body = print_tree(tree);
	for (tries = 0;; tries++) {
		cJSON *again = NULL;

		if (k8s_apply(e->o.client, path, body, 0, &out, &err) == 0)
			break;
		if (err.http == 403) {
			*forbidden = 1;
			set_message(e, "%s: %s", s->id, err.msg);
			break;
		}
		if (!transient(&err) || tries >= WRITE_TRIES) {
			set_message(e, "%s: %s", s->id, err.msg);
			break;
		}
		/* the write may or may not have taken: look before trying again */
		usleep(200000u << (tries < 4 ? tries : 4));
		if (observe(e, path, &again, &err) == 0 && again &&
		    plan_classify(s, again, e->prefix, e->p.tcode, NULL, 0) == PLAN_DIFF_UNCHANGED) {
			out = again;
			break;
		}
		cJSON_Delete(again);
	}
	if (!out) {
		js->state = STEP_FAILED;
		util_strlcpy(js->message, e->prog.message, sizeof(js->message));
		audit_record(&e->audit, action, s, e->prog.message);
		goto out;
	}
	{
		const char *run = label(out, e->run_label);
		const char *uid = jstr(cJSON_GetObjectItemCaseSensitive(out, "metadata"), "uid");

		js->created = run && !strcmp(run, e->j.run);
		if (uid)
			util_strlcpy(js->uid, uid, sizeof(js->uid));
	}
	js->state = STEP_APPLIED;
	js->finished = util_now_ms() / 1000;
	audit_record(&e->audit, action, s, "ok");
	ret = 0;
out:
	if (ret == 0 && js->state != STEP_FAILED) {
		if (save(e, &err) < 0) {
			set_message(e, "%s was applied but the journal could not record it: %s",
				    s->id, err.msg);
			*forbidden = err.http == 403;
			ret = -1;
		}
	}
	cJSON_Delete(live);
	cJSON_Delete(out);
	cJSON_Delete(tree);
	free(body);
	free(path);
	return ret;
}

static engine_result run_apply(engine *e)
{
	strbuf why;
	k8s_err err;
	char taken[256], holder[320];
	size_t i, k;
	engine_result r;
	int forbidden, rc;

	sb_init(&why, 256);
	set_phase(e, ENGINE_OBSERVE);
	if (observe_all(e, &why) < 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED, "refused, nothing changed:\n%s", why.buf);
		goto out;
	}
	set_phase(e, ENGINE_ACCESS);
	rc = check_access(e, &why);
	if (rc == -2) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED, "refused, nothing changed: %s", why.buf);
		goto out;
	}
	if (rc < 0) {
		r = finish(e, ENGINE_DENIED, RUN_FAILED,
			   "refused, nothing changed: no permission for this plan (user %s):\n%sask for the operator role",
			   e->o.user ? e->o.user : "?", why.buf);
		goto out;
	}
	set_phase(e, ENGINE_DRY_RUN);
	if (dry_run(e, &why) < 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED,
			   "refused, nothing changed: the server's dry run rejected steps:\n%s",
			   why.buf);
		goto out;
	}
	set_phase(e, ENGINE_LEASE);
	snprintf(holder, sizeof(holder), "%s run=%s", e->who, e->j.run);
	rc = lease_acquire(e->o.client, e->p.tcode, holder, e->o.lease_duration_s, &e->lease, taken,
			   sizeof(taken), why.buf, why.cap);
	if (rc != 0) {
		why.len = strlen(why.buf);
		r = finish(e, ENGINE_REFUSED, RUN_FAILED, "refused, nothing changed: %s", why.buf);
		goto out;
	}
	audit_init(&e->audit, e->o.client, e->who, e->j.run);
	e->audit_ready = 1;
	if (taken[0]) {
		journal_note(&e->j, "lease taken over from %s by %s", taken, e->who);
		audit_record(&e->audit, "takeover", NULL, taken);
	}
	if (e->mode == MODE_RESUME)
		journal_note(&e->j, "resumed by %s", e->who);
	e->j.state = RUN_RUNNING;
	if (save(e, &err) < 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED,
			   "refused, nothing changed: cannot write the run journal: %s", err.msg);
		goto out;
	}
	set_phase(e, ENGINE_APPLY);
	for (i = 0; i < e->p.n; i++) {
		plan_step *s = &e->p.steps[i];

		if (atomic_load(&e->cancel)) {
			r = finish(e, ENGINE_PAUSED, RUN_PAUSED,
				   "paused before %s: resume with `smartops runs resume %s` or undo with `smartops runs rollback %s`",
				   s->id, e->j.run, e->j.run);
			goto out;
		}
		if (lease_lost(e->lease)) {
			r = finish(e, ENGINE_FAILED, RUN_FAILED,
				   "stopped before %s: the tenant's lease was taken by someone else",
				   s->id);
			goto out;
		}
		for (k = 0; k < s->n_needs; k++) {
			size_t n = s->needs[k];

			if (e->p.steps[n].wait != PLAN_WAIT_READY || e->j.steps[n].state == STEP_READY)
				continue;
			set_phase(e, ENGINE_WAIT);
			rc = wait_ready(e, n, i);
			if (rc == 1) {
				r = finish(e, ENGINE_PAUSED, RUN_PAUSED,
					   "paused before %s: resume with `smartops runs resume %s` or undo with `smartops runs rollback %s`",
					   s->id, e->j.run, e->j.run);
				goto out;
			}
			if (rc == -3) {
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "stopped, permission denied: %s\nundo what this run created with `smartops runs rollback %s`",
					   e->prog.message, e->j.run);
				goto out;
			}
			if (rc < 0) {
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "%s\nfix the cause, then `smartops runs resume %s`, or undo with `smartops runs rollback %s`",
					   e->prog.message, e->j.run, e->j.run);
				goto out;
			}
			e->j.steps[n].state = STEP_READY;
			set_phase(e, ENGINE_APPLY);
		}
		if (apply_step(e, i, &forbidden) < 0) {
			if (forbidden)
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "stopped, permission denied: %s\nundo what this run created with `smartops runs rollback %s`",
					   e->prog.message, e->j.run);
			else
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "stopped at %s\nthe journal is kept: `smartops runs resume %s` re-observes and continues, `smartops runs rollback %s` undoes",
					   e->prog.message, e->j.run, e->j.run);
			goto out;
		}
		maybe_die(e, i);
	}
	/* the last workloads, e.g. Hypnus, are needed by nobody: wait for them too */
	for (i = 0; i < e->p.n; i++) {
		if (e->p.steps[i].wait != PLAN_WAIT_READY || e->j.steps[i].state == STEP_READY)
			continue;
		set_phase(e, ENGINE_WAIT);
		rc = wait_ready(e, i, i);
		if (rc != 0) {
			r = finish(e, rc == 1 ? ENGINE_PAUSED : ENGINE_FAILED,
				   rc == 1 ? RUN_PAUSED : RUN_FAILED, "%s\n`smartops runs resume %s` waits again",
				   rc == 1 ? "paused while waiting" : e->prog.message, e->j.run);
			goto out;
		}
		e->j.steps[i].state = STEP_READY;
	}
	r = finish(e, ENGINE_OK, RUN_DONE, "run %s done: %zu created, %zu updated, %zu unchanged",
		   e->j.run, e->prog.created, e->prog.updated, e->prog.unchanged);
out:
	sb_release(&why);
	return r;
}

/* ---- rollback ---------------------------------------------------------------------- */

static int list_any(void *ctx, const cJSON *item)
{
	char *first = ctx;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const char *name = jstr(meta, "name");

	snprintf(first, 128, "%s", name ? name : "?");
	return 1;
}

/* 1 (and what) if namespace ns still holds objects (this run's are gone by now). */
static int namespace_holds_others(engine *e, const char *ns, char *what, size_t size)
{
	static const char *const kinds[][3] = {
	    {"", "v1", "configmaps"},	     {"", "v1", "secrets"},
	    {"", "v1", "services"},	     {"", "v1", "persistentvolumeclaims"},
	    {"apps", "v1", "deployments"},   {"apps", "v1", "statefulsets"},
	    {"batch", "v1", "jobs"},	     {"networking.k8s.io", "v1", "ingresses"},
	    {"networking.k8s.io", "v1", "networkpolicies"},
	    {"", "v1", "serviceaccounts"},   {"rbac.authorization.k8s.io", "v1", "rolebindings"},
	    {"", "v1", "resourcequotas"},    {"", "v1", "limitranges"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *path = k8s_path(kinds[i][0], kinds[i][1], ns, kinds[i][2], NULL);
		k8s_list_opts lo = {.limit = 5};
		char first[128] = "";
		k8s_err err;
		int rc = k8s_list(e->o.client, path, &lo, list_any, first, NULL, 0, &err);

		free(path);
		if (rc == 1 || first[0]) {
			snprintf(what, size, "%s/%s", kinds[i][2], first);
			return 1;
		}
	}
	return 0;
}

/* Puts back the prior values of step i, an update of this run, over live (the
 * object as it is now): restored, or kept when nothing of the run's change is
 * there or someone changed it since (why gets a line). 0; -1 when the write
 * failed (try again later); -2 the journal could not be written; -3 forbidden
 * (message set for -2/-3). */
static int restore_step(engine *e, size_t i, const plan_step *ps, const cJSON *live, strbuf *why)
{
	journal_step *js = &e->j.steps[i];
	const cJSON *config = plan_prior_config(js->prior);
	char what[200], *body;
	k8s_err err;
	int tries, rc;

	switch (plan_prior_compare(js->prior, live, what, sizeof(what))) {
	case PLAN_PRIOR_AS_BEFORE:
		if (js->state == STEP_RESTORING || js->state == STEP_RESTORED) {
			js->state = STEP_RESTORED; /* put back before an interruption */
		} else {
			js->state = STEP_KEPT;
			util_strlcpy(js->message, "this run's update had not taken: nothing to put back",
				     sizeof(js->message));
			set_step(e, i, js->id, "kept");
		}
		return 0;
	case PLAN_PRIOR_CHANGED:
		js->state = STEP_KEPT;
		snprintf(js->message, sizeof(js->message), "kept: changed since this run: %.150s",
			 what);
		set_step(e, i, js->id, "kept");
		sb_addf(why, "%s kept, not put back: changed since this run (%s)\n", js->id, what);
		return 0;
	case PLAN_PRIOR_AS_WRITTEN:
		break;
	}
	if (!config) {
		set_message(e, "%s: the journal holds no prior configuration", js->id);
		return -1;
	}
	js->state = STEP_RESTORING;
	js->message[0] = '\0';
	if (save(e, &err) < 0) {
		set_message(e, "%s", err.msg);
		return -2;
	}
	set_step(e, i, js->id, "restore");
	body = print_tree(config);
	for (tries = 0;; tries++) {
		/* the same field manager, no force: a field someone else owns now is a
		 * conflict, and the object is left as it is */
		rc = k8s_apply(e->o.client, js->path, body, 0, NULL, &err);
		if (rc == 0 || !transient(&err) || tries >= WRITE_TRIES)
			break;
		usleep(200000u << (tries < 4 ? tries : 4));
	}
	free(body);
	if (rc == 0) {
		js->state = STEP_RESTORED;
		js->finished = util_now_ms() / 1000;
		audit_record(&e->audit, "restore", ps, "ok");
	} else if (err.http == 409) {
		js->state = STEP_KEPT;
		snprintf(js->message, sizeof(js->message), "kept: %.180s", err.msg);
		audit_record(&e->audit, "restore", ps, err.msg);
		sb_addf(why, "%s kept, not put back: %s\n", js->id, err.msg);
	} else {
		js->state = STEP_FAILED;
		util_strlcpy(js->message, err.msg, sizeof(js->message));
		audit_record(&e->audit, "restore", ps, err.msg);
		if (err.http == 403) {
			set_message(e, "%s: %s", js->id, err.msg);
			return -3;
		}
	}
	if (save(e, &err) < 0) {
		set_message(e, "%s", err.msg);
		return -2;
	}
	return js->state == STEP_FAILED ? -1 : 0;
}

static engine_result run_rollback(engine *e)
{
	strbuf why;
	k8s_err err;
	char taken[256], holder[320];
	size_t i, failed = 0;
	engine_result r;
	int rc;

	sb_init(&why, 256);
	/* a journal anyone with write access can edit: every path must name one
	 * object before anything is written (the objects' labels decide the rest) */
	if (journal_check_paths(&e->j, why.buf, why.cap) < 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED, "refused, nothing changed: %s", why.buf);
		goto out;
	}
	set_phase(e, ENGINE_LEASE);
	snprintf(holder, sizeof(holder), "%s run=%s", e->who, e->j.run);
	rc = lease_acquire(e->o.client, e->j.tcode, holder, e->o.lease_duration_s, &e->lease, taken,
			   sizeof(taken), why.buf, why.cap);
	if (rc != 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED, "refused, nothing changed: %s", why.buf);
		goto out;
	}
	audit_init(&e->audit, e->o.client, e->who, e->j.run);
	e->audit_ready = 1;
	if (taken[0])
		journal_note(&e->j, "lease taken over from %s by %s", taken, e->who);
	journal_note(&e->j, "rollback by %s", e->who);
	e->j.state = RUN_ROLLING_BACK;
	if (save(e, &err) < 0) {
		r = finish(e, ENGINE_REFUSED, RUN_FAILED,
			   "refused, nothing changed: cannot write the run journal: %s", err.msg);
		goto out;
	}
	set_phase(e, ENGINE_ROLLBACK);
	for (i = e->j.n_steps; i-- > 0;) {
		journal_step *js = &e->j.steps[i];
		plan_step ps;
		cJSON *live = NULL;
		const char *run;
		char what[160];
		journal_object obj;
		int tries, is_ns;

		memset(&ps, 0, sizeof(ps));
		if (journal_path_parse(js->path, &obj, NULL, 0) < 0) { /* checked above */
			r = finish(e, ENGINE_FAILED, RUN_FAILED, "rollback stopped at %s: bad path",
				   js->id);
			goto out;
		}
		util_strlcpy(ps.kind, js->kind, sizeof(ps.kind));
		util_strlcpy(ps.name, obj.name, sizeof(ps.name));
		util_strlcpy(ps.api_version, obj.api_version, sizeof(ps.api_version));
		util_strlcpy(ps.ns, obj.ns, sizeof(ps.ns));
		is_ns = !obj.ns[0] && !obj.group[0] && !strcmp(obj.plural, "namespaces");
		if (atomic_load(&e->cancel)) {
			r = finish(e, ENGINE_PAUSED, RUN_PAUSED,
				   "rollback paused before %s: run `smartops runs rollback %s` again to finish",
				   js->id, e->j.run);
			goto out;
		}
		if (observe(e, js->path, &live, &err) < 0) {
			r = finish(e, ENGINE_FAILED, RUN_FAILED, "rollback stopped at %s: %s", js->id,
				   err.msg);
			goto out;
		}
		if (!live) {
			if (js->state == STEP_DELETING || (js->created && js->state != STEP_PENDING))
				js->state = STEP_DELETED;
			else if (js->prior && js->state != STEP_PENDING) {
				js->state = STEP_KEPT;
				util_strlcpy(js->message, "updated by this run, deleted since: nothing to put back",
					     sizeof(js->message));
				set_step(e, i, js->id, "kept");
			}
			cJSON_Delete(live);
			continue;
		}
		run = label(live, e->run_label);
		if ((!run || strcmp(run, e->j.run)) && js->prior && js->state != STEP_PENDING) {
			/* updated by this run: its prior values go back, unless changed since */
			rc = restore_step(e, i, &ps, live, &why);
			cJSON_Delete(live);
			if (rc == -2) {
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "rollback stopped: cannot write the journal: %s", e->prog.message);
				goto out;
			}
			if (rc == -3) {
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "rollback stopped, permission denied: %s", e->prog.message);
				goto out;
			}
			if (rc < 0)
				failed++;
			continue;
		}
		if (!run || strcmp(run, e->j.run) || !label(live, PLAN_LABEL_MANAGED)) {
			/* existed before this run, or another run's: never ours to delete */
			if (js->state != STEP_PENDING) {
				js->state = STEP_KEPT;
				util_strlcpy(js->message, "not created by this run", sizeof(js->message));
				set_step(e, i, js->id, "kept");
			}
			cJSON_Delete(live);
			continue;
		}
		cJSON_Delete(live);
		if (is_ns && namespace_holds_others(e, ps.name, what, sizeof(what))) {
			js->state = STEP_KEPT;
			snprintf(js->message, sizeof(js->message),
				 "kept: it holds %.120s, which this run did not create", what);
			set_step(e, i, js->id, "kept");
			sb_addf(&why, "namespace %s kept: it holds %s, which this run did not create\n",
				ps.name, what);
			continue;
		}
		js->state = STEP_DELETING;
		if (save(e, &err) < 0) {
			r = finish(e, ENGINE_FAILED, RUN_FAILED,
				   "rollback stopped: cannot write the journal: %s", err.msg);
			goto out;
		}
		set_step(e, i, js->id, "delete");
		for (tries = 0;; tries++) {
			rc = k8s_delete(e->o.client, js->path, 0, &err);
			if (rc == 0 || err.http == 404) {
				rc = 0;
				break;
			}
			if (!transient(&err) || tries >= WRITE_TRIES)
				break;
			usleep(200000u << (tries < 4 ? tries : 4));
		}
		if (rc < 0) {
			js->state = STEP_FAILED;
			util_strlcpy(js->message, err.msg, sizeof(js->message));
			audit_record(&e->audit, "delete", &ps, err.msg);
			failed++;
			if (err.http == 403) {
				r = finish(e, ENGINE_FAILED, RUN_FAILED,
					   "rollback stopped, permission denied: %s: %s", js->id,
					   err.msg);
				goto out;
			}
		} else {
			js->state = STEP_DELETED;
			js->finished = util_now_ms() / 1000;
			audit_record(&e->audit, "delete", &ps, "ok");
		}
		if (save(e, &err) < 0) {
			r = finish(e, ENGINE_FAILED, RUN_FAILED,
				   "rollback stopped: cannot write the journal: %s", err.msg);
			goto out;
		}
	}
	if (failed)
		r = finish(e, ENGINE_FAILED, RUN_FAILED,
			   "rollback incomplete: %zu objects could not be deleted or put back; run it again",
			   failed);
	else
		r = finish(e, ENGINE_OK, RUN_ROLLED_BACK,
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

static int start(engine *e)
{
	if (e->o.readonly)
		return -2;
	if (pthread_create(&e->thread, NULL, engine_main, e) != 0)
		die("cannot start the engine thread");
	e->started = 1;
	return 0;
}

int engine_start_apply(engine *e, plan *p)
{
	char run[JOURNAL_RUN_SIZE];
	int64_t now = util_now_ms() / 1000;

	if (e->started)
		return -1;
	e->mode = MODE_APPLY;
	e->p = *p;
	memset(p, 0, sizeof(*p));
	e->have_plan = 1;
	journal_new_run_id(e->p.tcode, now, run, sizeof(run));
	journal_from_plan(&e->j, &e->p, run, e->who, now);
	e->have_journal = 1;
	return start(e);
}

int engine_start_resume(engine *e, plan *p, journal *j)
{
	size_t i;

	if (e->started)
		return -1;
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
	set_message(e, "run %s cannot be resumed: its plan no longer matches the journal (%zu steps recorded, %zu planned now); roll it back instead",
		    e->j.run, e->j.n_steps, e->p.n);
	e->prog.finished = 1;
	e->prog.result = ENGINE_REFUSED;
	return -1;
}

int engine_start_rollback(engine *e, journal *j)
{
	if (e->started)
		return -1;
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
