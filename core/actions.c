/* core/actions.c — the one gate every write on a tenant passes through. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/actions.h"
#include "core/db_rotate.h"
#include "core/hypnus.h"
#include "core/rules.h"
#include "util/termtext.h"
#include "util/util.h"

#define REVIEW_SLOTS 64

typedef struct review {
	char key[96]; /* "ns verb resource" */
	int allowed;
	char reason[256];
	int64_t at_ms; /* monotonic */
} review;

struct actions {
	k8s_client *client; /* borrowed */
	char cluster[64];
	char prefix[64];
	int readonly; /* fixed at creation */
	pthread_mutex_t mu;
	review reviews[REVIEW_SLOTS];
	size_t next_review;
	int user_resolved;
	char user[128];
};

static const char *const kind_names[] = {"wake", "sleep", "restart", "rotate-password"};
static const char *const status_names[] = {"ok",	  "nothing-to-do", "read-only",
					   "denied",	  "not-found",	   "unreachable",
					   "failed"};
static const char *const event_reasons[] = {"SmartopsWake", "SmartopsSleep", "SmartopsRestart",
					    "SmartopsRotatePassword"};
static const char *const base_services[] = {"license", "lockserver", "dbaccess"};

actions *actions_new(k8s_client *client, const char *cluster, const char *prefix, int readonly)
{
	actions *a = xcalloc(1, sizeof(*a));

	a->client = client;
	a->readonly = readonly || !client;
	util_strlcpy(a->cluster, cluster && *cluster ? cluster : "default", sizeof(a->cluster));
	util_strlcpy(a->prefix, prefix && *prefix ? prefix : TCODE_KEY_PREFIX_DEFAULT,
		     sizeof(a->prefix));
	pthread_mutex_init(&a->mu, NULL);
	return a;
}

void actions_free(actions *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->mu);
	free(a);
}

int actions_readonly(const actions *a)
{
	return a->readonly;
}

const char *actions_kind_name(actions_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

int actions_kind_parse(const char *s, actions_kind *k)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(kind_names); i++)
		if (!strcmp(s, kind_names[i])) {
			*k = (actions_kind)i;
			return 0;
		}
	return -1;
}

const char *actions_status_name(actions_status s)
{
	return (size_t)s < ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

static int is_base_service(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(base_services); i++)
		if (!strcmp(s, base_services[i]))
			return 1;
	return 0;
}

/* A label value we accept as a service role: lower-case DNS label, short. */
static int service_word_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= ACTIONS_SERVICE_SIZE || !islower((unsigned char)s[0]) || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int actions_request_parse(actions_kind kind, const char *tcode, const char *env,
			  const char *service, actions_request *out, char *err, size_t errsz)
{
	char why[160];
	strbuf sb;
	int ret;

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if ((size_t)kind >= ARRAY_SIZE(kind_names))
		return util_seterr(err, errsz, "unknown action");
	if (!tcode || !*tcode)
		return util_seterr(err, errsz, "a TCODE is required, e.g. smartops %s T12345 --env prod",
				   kind_names[kind]);
	if (tcode_parse(tcode, out->tcode, why, sizeof(why)) < 0) {
		sb_init(&sb, 64);
		termtext_escape(&sb, why);
		ret = util_seterr(err, errsz, "%s", sb.buf);
		sb_release(&sb);
		return ret;
	}
	if (!env || !*env)
		return util_seterr(err, errsz, "--env is required: --env prod or --env dev");
	if (tcode_env_parse(env, &out->env) < 0) {
		sb_init(&sb, 32);
		termtext_escape(&sb, env);
		ret = util_seterr(err, errsz, "--env takes prod or dev, not \"%.40s\"", sb.buf);
		sb_release(&sb);
		return ret;
	}
	if (kind != ACTIONS_RESTART) {
		if (service)
			return util_seterr(err, errsz, "--service only goes with restart");
		return 0;
	}
	if (!service || !*service)
		return util_seterr(err, errsz,
				   "--service is required: a public service role (e.g. webapp) "
				   "or license, lockserver, dbaccess");
	if (!service_word_ok(service)) {
		sb_init(&sb, 32);
		termtext_escape(&sb, service);
		ret = util_seterr(err, errsz,
				  "--service takes a public service role (e.g. webapp) or license, "
				  "lockserver, dbaccess, not \"%.40s\"",
				  sb.buf);
		sb_release(&sb);
		return ret;
	}
	util_strlcpy(out->service, service, sizeof(out->service));
	return 0;
}

/* ---- describe ---- */

static void add_roles(strbuf *sb, const actions_target *t)
{
	if (!t || !t->n_public) {
		sb_adds(sb, "the public services");
		return;
	}
	sb_adds(sb, t->n_public == 1 ? "the public service " : "the public services ");
	for (size_t i = 0; i < t->n_public; i++) {
		if (i)
			sb_adds(sb, ", ");
		termtext_escape(sb, t->public_roles[i]);
	}
}

/* The components that need comp (directly or not), by the default rules. */
static void add_dependents(strbuf *sb, const char *comp)
{
	rules r;
	int c, n = 0;

	rules_default(&r);
	c = rules_find(&r, comp);
	if (c < 0)
		return;
	for (size_t k = 0; k < r.n; k++) {
		size_t i = r.order[k];
		if (rules_needs(&r, i, (size_t)c)) {
			sb_adds(sb, n++ ? ", " : "; ");
			sb_adds(sb, r.comp[i].name);
		}
	}
	if (n)
		sb_addf(sb, " %s for it until it is ready again", n == 1 ? "waits" : "wait");
}

void actions_describe(const actions_request *r, const actions_target *t, char *buf, size_t size)
{
	int cold = t && t->cold_start_s > 0 ? t->cold_start_s : HYPNUS_DEFAULT_COLD_START_S;
	const char *env = tcode_env_name(r->env);
	strbuf sb;

	sb_init(&sb, 256);
	switch (r->kind) {
	case ACTIONS_WAKE:
		sb_addf(&sb, "Wake %s %s: Hypnus will scale ", r->tcode, env);
		add_roles(&sb, t);
		sb_addf(&sb, " from 0 and mark the environment waking; cold start about %d s.",
			cold);
		break;
	case ACTIONS_SLEEP:
		sb_addf(&sb, "Put %s %s to sleep: Hypnus will scale ", r->tcode, env);
		add_roles(&sb, t);
		sb_addf(&sb, " to 0 and mark the environment sleeping; open sessions end, and the "
			     "next request wakes it again (cold start about %d s).",
			cold);
		break;
	case ACTIONS_RESTART:
		sb_adds(&sb, "Restart ");
		termtext_escape(&sb, r->service);
		sb_addf(&sb, " of %s %s: a rollout restart replaces ", r->tcode, env);
		if (t && t->replicas > 0)
			sb_addf(&sb, "its %d pod%s", t->replicas, t->replicas == 1 ? "" : "s");
		else
			sb_adds(&sb, "its pods");
		sb_adds(&sb, " with new ones");
		if (is_base_service(r->service))
			add_dependents(&sb, r->service);
		else
			sb_adds(&sb, "; users connected to it lose their sessions");
		sb_addc(&sb, '.');
		break;
	case ACTIONS_ROTATE:
		sb_addf(&sb, "New database password for %s %s: the server gets a new SCRAM verifier "
			     "for the tenant's role, Secret db-credentials is updated, and DbAccess is "
			     "rolled to read it",
			r->tcode, env);
		if (t && t->hypnus == MODEL_HYPNUS_SLEEPING)
			sb_adds(&sb, " at the environment's next wake (it is asleep and is not woken)");
		sb_adds(&sb, "; the old password stops working at once. The password is never shown.");
		break;
	}
	util_strlcpy(buf, sb.buf, size);
	sb_release(&sb);
}

/* ---- reading the target ---- */

static const char *label(const cJSON *meta, const char *prefix, const char *name)
{
	char key[128];
	const cJSON *v;

	if (tcode_key(prefix, name, key, sizeof(key)) < 0)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "labels"), key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *annotation(const cJSON *meta, const char *prefix, const char *name)
{
	char key[128];
	const cJSON *v;

	if (tcode_key(prefix, name, key, sizeof(key)) < 0)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(meta, "annotations"),
					     key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

typedef struct scan {
	const actions *a;
	const actions_request *r;
	actions_target *t;
	const char *resource; /* "deployments" / "statefulsets" */
	int found_target;
	int found_hypnus;
} scan;

/* The service a request acts on: restart's, or DbAccess for a rotation; NULL for wake/sleep. */
static const char *target_service(const actions_request *r)
{
	return r->kind == ACTIONS_RESTART ? r->service : r->kind == ACTIONS_ROTATE ? "dbaccess" : NULL;
}

static int cmp_role(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

static int scan_item(void *ctx, const cJSON *item)
{
	scan *s = ctx;
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(meta, "name");
	const cJSON *reps = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(item, "spec"), "replicas");
	const char *tier = label(meta, s->a->prefix, "tier");
	const char *comp = label(meta, s->a->prefix, "component");
	const char *role = label(meta, s->a->prefix, "service");
	actions_target *t = s->t;
	int match = 0;

	if (!cJSON_IsString(name))
		return 0;
	if (eq(tier, "public") && role && service_word_ok(role) && t->n_public < MODEL_MAX_PUBLIC) {
		int dup = 0;
		for (size_t i = 0; i < t->n_public; i++)
			dup |= !strcmp(t->public_roles[i], role);
		if (!dup)
			util_strlcpy(t->public_roles[t->n_public++], role, ACTIONS_SERVICE_SIZE);
	}
	if (eq(comp, "hypnus") && !s->found_hypnus) {
		const char *cold = annotation(meta, s->a->prefix, "hypnus-cold-start-seconds");
		s->found_hypnus = 1;
		t->hypnus = hypnus_state_parse(annotation(meta, s->a->prefix, "hypnus-state"));
		t->cold_start_s = cold ? atoi(cold) : 0;
		if (!target_service(s->r))
			match = 1;
	}
	if (target_service(s->r) && !s->found_target) {
		const char *want = target_service(s->r);
		if (is_base_service(want))
			match = eq(tier, "base") && eq(comp, want);
		else
			match = eq(tier, "public") && eq(role, want);
	}
	if (match && !s->found_target) {
		s->found_target = 1;
		util_strlcpy(t->name, name->valuestring, sizeof(t->name));
		util_strlcpy(t->resource, s->resource, sizeof(t->resource));
		util_strlcpy(t->kind, !strcmp(s->resource, "deployments") ? "Deployment" : "StatefulSet",
			     sizeof(t->kind));
		t->replicas = cJSON_IsNumber(reps) ? (int)reps->valuedouble : 1;
	}
	return 0;
}

static actions_status from_err(const k8s_err *e)
{
	if (e->unreachable || !e->http)
		return ACTIONS_UNREACHABLE;
	if (e->http == 401 || e->http == 403)
		return ACTIONS_DENIED;
	if (e->http == 404)
		return ACTIONS_NOT_FOUND;
	return ACTIONS_FAILED;
}

static void set_msg(actions_outcome *o, actions_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(actions_outcome *o, actions_status st, const char *fmt, ...)
{
	va_list ap;

	o->status = st;
	va_start(ap, fmt);
	vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

static actions_status find_target(actions *a, const actions_request *r, actions_outcome *o)
{
	actions_target *t = &o->target;
	static const char *const resources[] = {"deployments", "statefulsets"};
	k8s_list_opts lo = {0};
	char sel[96], key[96];
	scan s = {a, r, t, NULL, 0, 0};
	cJSON *ns = NULL;
	k8s_err err;
	char *path;
	int rc;

	tcode_namespace(r->tcode, r->env, t->ns, sizeof(t->ns));
	path = k8s_path("", "v1", NULL, "namespaces", t->ns);
	rc = k8s_get(a->client, path, &ns, &err);
	free(path);
	if (rc < 0) {
		if (err.http == 404) {
			set_msg(o, ACTIONS_NOT_FOUND,
				"tenant %s has no %s namespace (%s) in cluster %s; check the TCODE "
				"with smartops tenants",
				r->tcode, tcode_env_name(r->env), t->ns, a->cluster);
			return o->status;
		}
		set_msg(o, from_err(&err), "cannot read namespace %s: %s", t->ns, err.msg);
		return o->status;
	}
	rc = eq(label(cJSON_GetObjectItemCaseSensitive(ns, "metadata"), a->prefix, "tcode"),
		r->tcode);
	{
		const char *db = annotation(cJSON_GetObjectItemCaseSensitive(ns, "metadata"), a->prefix, "db");
		util_strlcpy(t->db, db ? db : "", sizeof(t->db));
	}
	cJSON_Delete(ns);
	if (!rc) {
		set_msg(o, ACTIONS_NOT_FOUND,
			"namespace %s in cluster %s is not labelled as tenant %s; smartops acts only "
			"on tenant namespaces",
			t->ns, a->cluster, r->tcode);
		return o->status;
	}
	if (tcode_key(a->prefix, "tier", key, sizeof(key)) < 0)
		key[0] = '\0';
	util_strlcpy(sel, key, sizeof(sel));
	lo.label_selector = sel;
	for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
		s.resource = resources[i];
		path = k8s_path("apps", "v1", t->ns, resources[i], NULL);
		rc = k8s_list(a->client, path, &lo, scan_item, &s, NULL, 0, &err);
		free(path);
		if (rc < 0) {
			set_msg(o, from_err(&err), "cannot list %s in %s: %s", resources[i], t->ns,
				err.msg);
			return o->status;
		}
	}
	qsort(t->public_roles, t->n_public, sizeof(t->public_roles[0]), cmp_role);
	if (!target_service(r) && !s.found_hypnus) {
		set_msg(o, ACTIONS_NOT_FOUND,
			"%s %s has no Hypnus (no Deployment labelled component=hypnus in %s): it "
			"cannot be %s",
			r->tcode, tcode_env_name(r->env), t->ns,
			r->kind == ACTIONS_WAKE ? "woken" : "put to sleep");
		return o->status;
	}
	if (!s.found_target) {
		strbuf sb;
		sb_init(&sb, 64);
		for (size_t i = 0; i < t->n_public; i++)
			sb_addf(&sb, "%s, ", t->public_roles[i]);
		sb_adds(&sb, "license, lockserver, dbaccess");
		set_msg(o, ACTIONS_NOT_FOUND, "%s %s has no service %s; its services are %s",
			r->tcode, tcode_env_name(r->env), target_service(r), sb.buf);
		sb_release(&sb);
		return o->status;
	}
	return ACTIONS_OK;
}

/* ---- access review, cached ---- */

static int review_get(actions *a, const char *group, const char *resource, const char *ns,
		      int *allowed, char *reason, size_t rsize, k8s_err *err)
{
	char key[96];
	int64_t now = util_mono_ms();
	int hit = 0;

	snprintf(key, sizeof(key), "%s patch %s.%s", ns, resource, group);
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < REVIEW_SLOTS; i++) {
		review *v = &a->reviews[i];
		if (v->key[0] && !strcmp(v->key, key) &&
		    now - v->at_ms < ACTIONS_REVIEW_TTL_S * 1000) {
			*allowed = v->allowed;
			util_strlcpy(reason, v->reason, rsize);
			hit = 1;
			break;
		}
	}
	pthread_mutex_unlock(&a->mu);
	if (hit)
		return 0;
	if (k8s_can_i(a->client, "patch", group, resource, NULL, ns, NULL, allowed, reason, rsize,
		      err) < 0)
		return -1;
	pthread_mutex_lock(&a->mu);
	{
		review *v = &a->reviews[a->next_review++ % REVIEW_SLOTS];
		util_strlcpy(v->key, key, sizeof(v->key));
		v->allowed = *allowed;
		util_strlcpy(v->reason, reason, sizeof(v->reason));
		v->at_ms = now;
	}
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* ---- the user ---- */

static void config_user(const actions *a, char *buf, size_t size)
{
	const k8s_config *cfg = a->client ? k8s_client_config(a->client) : NULL;

	if (cfg && cfg->user_name && *cfg->user_name)
		util_strlcpy(buf, cfg->user_name, size);
	else if (cfg && cfg->context && *cfg->context)
		util_strlcpy(buf, cfg->context, size);
	else
		util_strlcpy(buf, a->cluster, size);
}

void actions_user(actions *a, char *buf, size_t size)
{
	char name[128] = "";
	cJSON *body, *out = NULL;
	k8s_err err;
	int done;

	pthread_mutex_lock(&a->mu);
	done = a->user_resolved;
	if (done)
		util_strlcpy(buf, a->user, size);
	pthread_mutex_unlock(&a->mu);
	if (done)
		return;
	if (a->client) {
		const cJSON *u;
		char *json;

		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "apiVersion", "authentication.k8s.io/v1");
		cJSON_AddStringToObject(body, "kind", "SelfSubjectReview");
		json = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
		if (k8s_create(a->client, "/apis/authentication.k8s.io/v1/selfsubjectreviews", json, 0,
			       &out, &err) == 0) {
			u = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(out, "status"), "userInfo"),
			    "username");
			if (cJSON_IsString(u) && *u->valuestring)
				util_strlcpy(name, u->valuestring, sizeof(name));
		}
		cJSON_Delete(out);
		free(json);
	}
	if (!name[0])
		config_user(a, name, sizeof(name));
	pthread_mutex_lock(&a->mu);
	if (!a->user_resolved) {
		util_strlcpy(a->user, name, sizeof(a->user));
		a->user_resolved = 1;
	}
	util_strlcpy(buf, a->user, size);
	pthread_mutex_unlock(&a->mu);
}

/* ---- check ---- */

static actions_status check_sense(const actions_request *r, actions_outcome *o)
{
	const actions_target *t = &o->target;
	const char *env = tcode_env_name(r->env);

	switch (r->kind) {
	case ACTIONS_WAKE:
		if (t->hypnus == MODEL_HYPNUS_ACTIVE)
			set_msg(o, ACTIONS_NOTHING, "%s %s is already active: nothing to do",
				r->tcode, env);
		else if (t->hypnus == MODEL_HYPNUS_WAKING)
			set_msg(o, ACTIONS_NOTHING, "%s %s is already waking: nothing to do",
				r->tcode, env);
		break;
	case ACTIONS_SLEEP:
		if (t->hypnus == MODEL_HYPNUS_SLEEPING)
			set_msg(o, ACTIONS_NOTHING, "%s %s is already sleeping: nothing to do",
				r->tcode, env);
		break;
	case ACTIONS_RESTART:
		if (t->replicas <= 0)
			set_msg(o, ACTIONS_NOTHING,
				"%s of %s %s runs no pods (0 replicas): nothing to restart%s",
				r->service, r->tcode, env,
				!is_base_service(r->service) && t->hypnus == MODEL_HYPNUS_SLEEPING
				    ? "; the environment is asleep, wake it instead"
				    : "");
		break;
	case ACTIONS_ROTATE:
		if (strcmp(t->db, "postgres-managed"))
			set_msg(o, ACTIONS_NOTHING,
				"%s %s's database is %s: only a managed PostgreSQL's password is rotated "
				"here",
				r->tcode, env,
				!strcmp(t->db, "postgres-container") ? "a container in its namespace"
				: !strcmp(t->db, "oracle")	     ? "Oracle, the DBA's"
								     : "not named on its namespace");
		break;
	}
	return o->status;
}

actions_status actions_check(actions *a, const actions_request *r, actions_outcome *o)
{
	char reason[256];
	int allowed = 0;
	k8s_err err;

	memset(o, 0, sizeof(*o));
	actions_describe(r, NULL, o->description, sizeof(o->description));
	if (a->readonly) {
		config_user(a, o->user, sizeof(o->user));
		set_msg(o, ACTIONS_READONLY, "read-only session: started with --readonly");
		return o->status;
	}
	actions_user(a, o->user, sizeof(o->user));
	if (find_target(a, r, o) != ACTIONS_OK)
		return o->status;
	actions_describe(r, &o->target, o->description, sizeof(o->description));
	for (int k = 0; k < (r->kind == ACTIONS_ROTATE ? 2 : 1); k++) {
		const char *group = k ? "" : "apps", *res = k ? "secrets" : o->target.resource;
		if (review_get(a, group, res, o->target.ns, &allowed, reason, sizeof(reason), &err) < 0) {
			set_msg(o, from_err(&err), "cannot ask the cluster what %s may do: %s", o->user,
				err.msg);
			return o->status;
		}
		if (!allowed) {
			set_msg(o, ACTIONS_DENIED,
				"denied: user %s may not patch %s in %s (cluster %s)%s%s; ask for the "
				"operator role or use another context",
				o->user, res, o->target.ns, a->cluster, reason[0] ? ": " : "", reason);
			return o->status;
		}
	}
	o->status = ACTIONS_OK;
	return check_sense(r, o);
}

/* ---- audit ---- */

char *actions_audit_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg == '/')
		return xasprintf("%s/smartops/audit.log", xdg);
	if (home && *home)
		return xasprintf("%s/.local/state/smartops/audit.log", home);
	return NULL;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* key="value": quotes and backslashes escaped with a backslash first, then
 * control characters as \xNN (so a literal backslash reads \\). */
static void kv(strbuf *sb, const char *key, const char *val)
{
	strbuf e;

	sb_init(&e, 64);
	for (const char *p = val; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addc(&e, '\\');
		sb_addc(&e, *p);
	}
	sb_addf(sb, " %s=\"", key);
	termtext_escape(sb, e.buf);
	sb_release(&e);
	sb_addc(sb, '"');
}

/* One line per attempt: when, who, where, what, result. Returns 0 or -1. */
static int audit_log(actions *a, const actions_request *r, const actions_outcome *o, int dry)
{
	char when[40], *path = actions_audit_path();
	strbuf sb;
	int fd, ret = -1;

	if (!path)
		return -1;
	util_rfc3339(util_now_ms() / 1000, when, sizeof(when));
	sb_init(&sb, 512);
	sb_adds(&sb, when);
	kv(&sb, "user", o->user);
	kv(&sb, "cluster", a->cluster);
	kv(&sb, "action", actions_kind_name(r->kind));
	kv(&sb, "tcode", r->tcode);
	kv(&sb, "env", tcode_env_name(r->env));
	if (r->kind == ACTIONS_RESTART)
		kv(&sb, "service", r->service);
	if (o->target.name[0]) {
		char obj[96];
		snprintf(obj, sizeof(obj), "%s/%s/%s", o->target.ns, o->target.resource,
			 o->target.name);
		kv(&sb, "object", obj);
	}
	kv(&sb, "result", dry && o->status == ACTIONS_OK ? "dry-run" : actions_status_name(o->status));
	kv(&sb, "message", o->message);
	sb_addc(&sb, '\n');
	pthread_mutex_lock(&a->mu);
	if (mkdirs(path) == 0) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			ret = write(fd, sb.buf, sb.len) == (ssize_t)sb.len ? 0 : -1;
			close(fd);
		}
	}
	pthread_mutex_unlock(&a->mu);
	sb_release(&sb);
	free(path);
	return ret;
}

static int audit_event(actions *a, const actions_request *r, const actions_outcome *o,
		       char *why, size_t whysz)
{
	char when[40], host[64] = "smartops", key[96], gen[80], *path, *json;
	cJSON *ev, *meta, *obj, *src;
	k8s_err err;
	int rc;

	if (gethostname(host, sizeof(host) - 1) < 0)
		util_strlcpy(host, "smartops", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	util_rfc3339(util_now_ms() / 1000, when, sizeof(when));
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	snprintf(gen, sizeof(gen), "%.50s.smartops-", o->target.name);
	cJSON_AddStringToObject(meta, "generateName", gen);
	cJSON_AddStringToObject(meta, "namespace", o->target.ns);
	if (tcode_key(a->prefix, "actor", key, sizeof(key)) == 0)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "annotations"), key, o->user);
	obj = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(obj, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(obj, "kind", o->target.kind);
	cJSON_AddStringToObject(obj, "namespace", o->target.ns);
	cJSON_AddStringToObject(obj, "name", o->target.name);
	cJSON_AddStringToObject(ev, "reason", event_reasons[r->kind]);
	cJSON_AddStringToObject(ev, "message", o->message);
	cJSON_AddStringToObject(ev, "type", "Normal");
	cJSON_AddStringToObject(ev, "action", actions_kind_name(r->kind));
	src = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(src, "component", "smartops");
	cJSON_AddStringToObject(src, "host", host);
	cJSON_AddStringToObject(ev, "reportingComponent", "smartops");
	cJSON_AddStringToObject(ev, "reportingInstance", host);
	cJSON_AddStringToObject(ev, "firstTimestamp", when);
	cJSON_AddStringToObject(ev, "lastTimestamp", when);
	cJSON_AddNumberToObject(ev, "count", 1);
	json = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	path = k8s_path("", "v1", o->target.ns, "events", NULL);
	rc = k8s_create(a->client, path, json, 0, NULL, &err);
	free(path);
	free(json);
	if (rc < 0)
		util_strlcpy(why, err.msg, whysz);
	return rc;
}

/* ---- run ---- */

static char *patch_body(const actions *a, const actions_request *r)
{
	char key[96], when[40];
	cJSON *root = cJSON_CreateObject(), *ann;
	char *json;

	if (r->kind == ACTIONS_RESTART) {
		/* Milliseconds, unlike kubectl's whole seconds: two restarts within one
		 * second still change the template, so each one replaces the pods. */
		int64_t ms = util_now_ms();
		util_rfc3339(ms / 1000, when, sizeof(when));
		if (strlen(when) == 20 && when[19] == 'Z')
			snprintf(when + 19, sizeof(when) - 19, ".%03dZ", (int)(ms % 1000));
		ann = cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(
			cJSON_AddObjectToObject(cJSON_AddObjectToObject(root, "spec"), "template"),
			"metadata"),
		    "annotations");
		cJSON_AddStringToObject(ann, "kubectl.kubernetes.io/restartedAt", when);
	} else {
		tcode_key(a->prefix, "hypnus-state", key, sizeof(key));
		ann = cJSON_AddObjectToObject(cJSON_AddObjectToObject(root, "metadata"),
					      "annotations");
		cJSON_AddStringToObject(ann, key, r->kind == ACTIONS_WAKE ? "waking" : "sleeping");
	}
	json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return json;
}

static void done_message(const actions_request *r, actions_outcome *o, int dry)
{
	const char *env = tcode_env_name(r->env);
	const char *would = dry ? "dry run, nothing changed: would " : "";

	switch (r->kind) {
	case ACTIONS_WAKE:
		set_msg(o, ACTIONS_OK, "%s%s %s %s: Hypnus marked waking by %s", would,
			dry ? "wake" : "woke", r->tcode, env, o->user);
		break;
	case ACTIONS_SLEEP:
		set_msg(o, ACTIONS_OK, "%sput %s %s to sleep: Hypnus marked sleeping by %s", would,
			r->tcode, env, o->user);
		break;
	case ACTIONS_RESTART:
		set_msg(o, ACTIONS_OK, "%s%s %s of %s %s (%s/%s) by %s", would,
			dry ? "restart" : "restarted", r->service, r->tcode, env,
			o->target.resource, o->target.name, o->user);
		break;
	case ACTIONS_ROTATE:
		set_msg(o, ACTIONS_OK, "%sgive %s %s's database a new password", would, r->tcode, env);
		break;
	}
}

/* A rotation: db_rotate_password holds the Lease and the server's lock, writes the
 * Secret, rolls DbAccess and audits itself ("rotate-password"). */
static actions_status run_rotate(actions *a, const actions_request *r, actions_outcome *out)
{
	db_rotate_opts ro = {.client = a->client, .prefix = a->prefix, .user = out->user,
			     .tcode = r->tcode, .env = r->env, .readonly = a->readonly};
	db_rotate_result res;
	static const actions_status map[] = {
	    [DB_ROTATE_OK] = ACTIONS_OK,		  [DB_ROTATE_REFUSED] = ACTIONS_FAILED,
	    [DB_ROTATE_READONLY] = ACTIONS_READONLY,	  [DB_ROTATE_UNREACHABLE] = ACTIONS_UNREACHABLE,
	    [DB_ROTATE_FAILED] = ACTIONS_FAILED};
	db_rotate_status st = db_rotate_password(&ro, &res);

	set_msg(out, map[st], "%s", res.msg);
	for (char *p = out->message; *p; p++) /* the message bar is one line */
		if (*p == '\n')
			*p = ' ';
	return out->status;
}

actions_status actions_run(actions *a, const actions_request *r, int flags, actions_outcome *out)
{
	int dry = flags & ACTIONS_DRY_RUN;
	char *path, *body, why[512];
	k8s_err err;
	int rc;

	if (actions_check(a, r, out) != ACTIONS_OK) {
		/* Refusals and failures are worth a line; "nothing to do" is not an attempt. */
		if (out->status != ACTIONS_NOTHING)
			audit_log(a, r, out, dry);
		return out->status;
	}
	if (r->kind == ACTIONS_ROTATE && !dry) {
		if (run_rotate(a, r, out) != ACTIONS_OK)
			audit_log(a, r, out, dry);
		return out->status;
	}
	if (r->kind == ACTIONS_ROTATE) {
		done_message(r, out, dry);
		audit_log(a, r, out, dry);
		return out->status;
	}
	path = k8s_path("apps", "v1", out->target.ns, out->target.resource, out->target.name);
	body = patch_body(a, r);
	rc = k8s_merge_patch(a->client, path, body, dry ? K8S_DRY_RUN : 0, NULL, &err);
	free(path);
	free(body);
	if (rc < 0) {
		set_msg(out, from_err(&err), "%s %s %s failed: %s", actions_kind_name(r->kind),
			r->tcode, tcode_env_name(r->env), err.msg);
		if (out->status == ACTIONS_NOT_FOUND)
			out->status = ACTIONS_FAILED; /* it was there a moment ago */
		audit_log(a, r, out, dry);
		return out->status;
	}
	done_message(r, out, dry);
	if (!dry && audit_event(a, r, out, why, sizeof(why)) < 0) {
		size_t n = strlen(out->message);
		snprintf(out->message + n, sizeof(out->message) - n,
			 " (warning: the audit Event could not be recorded: %s)", why);
	}
	if (audit_log(a, r, out, dry) < 0) {
		size_t n = strlen(out->message);
		snprintf(out->message + n, sizeof(out->message) - n,
			 " (warning: the local audit log could not be written)");
	}
	return out->status;
}
