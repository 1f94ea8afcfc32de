/* The PostgreSQL step executors (see core/step_pg.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/db_access.h"
#include "core/db_database.h"
#include "core/db_lock.h"
#include "core/db_password.h"
#include "core/db_role.h"
#include "core/db_secret.h"
#include "core/db_tenant.h"
#include "core/pg_conn.h"
#include "core/step_pg.h"
#include "core/tcode.h"
#include "util/util.h"

/* ---- the server and the session ------------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int step_pg_platform_conninfo(k8s_client *c, char *out, size_t size, k8s_err *err)
{
	char *path = k8s_path("", "v1", STEP_PG_PLATFORM_NS, "configmaps", STEP_PG_PLATFORM_CM);
	cJSON *cm = NULL;
	const char *v;
	int rc = k8s_get(c, path, &cm, err);

	free(path);
	out[0] = '\0';
	if (rc < 0)
		return err->http == 404 ? 1 : -1;
	v = jstr(cJSON_GetObjectItemCaseSensitive(cm, "data"), STEP_PG_PLATFORM_KEY);
	if (v) {
		while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
			v++;
		util_strlcpy(out, v, size);
		while (*out && strchr(" \t\r\n", out[strlen(out) - 1]))
			out[strlen(out) - 1] = '\0';
	}
	cJSON_Delete(cm);
	return out[0] ? 0 : 1;
}

int step_pg_server(const char *conninfo, char *host, size_t hsize, char *port, size_t psize, char *err,
		   size_t errsz)
{
	PQconninfoOption *opts, *o;
	char *why = NULL;
	db_err derr;

	if (pg_conn_check(conninfo, &derr) != DB_OK)
		return util_seterr(err, errsz, "%s", derr.msg);
	opts = PQconninfoParse(conninfo, &why);
	if (!opts) {
		util_seterr(err, errsz, "the connection string does not parse: %s", why ? why : "out of memory");
		PQfreemem(why);
		return -1;
	}
	util_strlcpy(host, "localhost", hsize);
	util_strlcpy(port, "5432", psize);
	for (o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "host") || (!strcmp(o->keyword, "hostaddr") && !strcmp(host, "localhost")))
			util_strlcpy(host, o->val, hsize);
		else if (!strcmp(o->keyword, "port"))
			util_strlcpy(port, o->val, psize);
	}
	PQconninfoFree(opts);
	return 0;
}

PGconn *step_pg_connect(k8s_client *c, const char *conninfo, const char *tcode, char **admin_password,
			db_err *err)
{
	char platform[512] = "", pw[256] = "";
	pg_conn_opts o = {.conninfo = conninfo};
	k8s_err kerr;
	PGconn *conn;

	if (admin_password)
		*admin_password = NULL;
	/* the platform's Secret goes to the platform's server only: a conninfo typed
	 * for one run gets its password from libpq's own files */
	int unread = 0;

	if (c && step_pg_platform_conninfo(c, platform, sizeof(platform), &kerr) == 0 && !strcmp(platform, conninfo)) {
		int rc = db_secret_password(c, STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_SECRET, pw, sizeof(pw), &kerr);

		if (rc == 0)
			o.password = pw;
		unread = rc < 0;
	}
	conn = pg_conn_open(&o, err);
	if (!conn && unread) { /* say why the platform's password was not there to give */
		size_t len = strlen(err->msg);

		snprintf(err->msg + len, sizeof(err->msg) - len, " (Secret %s/%s could not be read: %.200s)",
			 STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_SECRET, kerr.msg);
	}
	if (conn && tcode && db_lock_tenant(conn, tcode, err) != DB_OK) {
		PQfinish(conn);
		conn = NULL;
	}
	if (conn && admin_password && pw[0])
		*admin_password = xstrdup(pw);
	db_password_wipe(pw, sizeof(pw));
	return conn;
}

typedef struct pg_session {
	PGconn *c;
	char conninfo[STEP_PG_CONNINFO_MAX + 1];
	char *password; /* the admin's, when it came from the platform's Secret */
} pg_session;

static void session_close(void *p)
{
	pg_session *s = p;

	if (s->c)
		PQfinish(s->c); /* the advisory lock goes with the session */
	if (s->password) {
		db_password_wipe(s->password, strlen(s->password));
		free(s->password);
	}
	free(s);
}

/* The executor's session to conninfo, opened (again) when needed. */
static pg_session *session(step_env *env, const char *conninfo, db_err *err)
{
	pg_session *s = env->conn_close == session_close ? env->conn : NULL;

	if (s && !strcmp(s->conninfo, conninfo) && s->c && PQstatus(s->c) == CONNECTION_OK)
		return s;
	step_env_close(env);
	s = xcalloc(1, sizeof(*s));
	util_strlcpy(s->conninfo, conninfo, sizeof(s->conninfo));
	s->c = step_pg_connect(env->client, conninfo, env->tcode, &s->password, err);
	if (!s->c) {
		free(s);
		return NULL;
	}
	env->conn = s;
	env->conn_close = session_close;
	return s;
}

static void fail_db(step_env *env, const char *id, const db_err *err)
{
	step_fail(env, NULL, "%s: %s", id, err->msg);
	env->http = err->status == DB_UNREACHABLE ? 0 : 500;
}

/* ---- specs, bodies, references ----------------------------------------------------- */

static const char *const kinds[] = {"lock", "role", "database", "access"};

cJSON *step_pg_body(const db_spec *s, db_step st, const char *conninfo, const char *ns)
{
	cJSON *b = cJSON_CreateObject(), *stm;
	char host[256], port[16], why[200], server[300];
	strbuf sql;
	db_err err;
	const char *p, *nl;

	if (step_pg_server(conninfo, host, sizeof(host), port, sizeof(port), why, sizeof(why)) < 0)
		util_strlcpy(host, "?", sizeof(host));
	snprintf(server, sizeof(server), "%s:%s", host, port);
	cJSON_AddStringToObject(b, "server", server);
	cJSON_AddStringToObject(b, "conninfo", conninfo);
	cJSON_AddStringToObject(b, "name", s->name);
	if (st == DB_STEP_ROLE) {
		char secret[128];

		snprintf(secret, sizeof(secret), "%s/%s", ns, DB_SECRET_NAME);
		cJSON_AddNumberToObject(b, "connectionLimit", s->conn_limit);
		cJSON_AddStringToObject(b, "password", "generated; sent only as a SCRAM-SHA-256 verifier, kept only in the Secret");
		cJSON_AddStringToObject(b, "secret", secret);
	}
	if (st == DB_STEP_DATABASE) {
		cJSON_AddStringToObject(b, "owner", s->name);
		cJSON_AddStringToObject(b, "encoding", s->encoding);
		cJSON_AddStringToObject(b, "collate", s->collate);
		cJSON_AddStringToObject(b, "ctype", s->ctype);
	}
	stm = cJSON_AddArrayToObject(b, "statements");
	sb_init(&sql, 256);
	if (db_plan_step(s, st, &sql, &err) == DB_OK)
		for (p = sql.buf; *p; p = *nl ? nl + 1 : nl) {
			char *line;

			nl = p + strcspn(p, "\n");
			line = xstrndup(p, (size_t)(nl - p));
			if (!strncmp(line, "COMMENT ON ", 11) && !s->run[0] && nl > p && nl[-1] == '\'') {
				/* apply names its run in the mark */
				strbuf m;

				sb_init(&m, 128);
				sb_add(&m, line, strlen(line) - 1);
				sb_adds(&m, " run <run id>'");
				cJSON_AddItemToArray(stm, cJSON_CreateString(m.buf));
				sb_release(&m);
			} else {
				cJSON_AddItemToArray(stm, cJSON_CreateString(line));
			}
			free(line);
		}
	sb_release(&sql);
	return b;
}

void step_pg_ref_make(const char *kind, const char *env, const char *name, const char *conninfo,
		      char *out, size_t size)
{
	snprintf(out, size, "pg:%s/%s/%s %s", env, kind, name, conninfo);
}

int step_pg_ref_parse(const char *ref, char kind[16], char env[8], char name[DB_NAME_SIZE],
		      char *conninfo, size_t csize, char *err, size_t errsz)
{
	const char *p = ref, *slash, *sp;
	char why[200];
	tcode_env e;
	db_err derr;
	size_t n, i;

	if (strncmp(p, "pg:", 3))
		return util_seterr(err, errsz, "not a PostgreSQL reference (pg:ENV/KIND/NAME CONNINFO)");
	p += 3;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : 0;
	if (!slash || n == 0 || n >= 8)
		return util_seterr(err, errsz, "no environment in the reference");
	memcpy(env, p, n);
	env[n] = '\0';
	if (tcode_env_parse(env, &e) < 0 || strcmp(env, tcode_env_name(e)))
		return util_seterr(err, errsz, "environment \"%.8s\" is not prod or dev", env);
	p = slash + 1;
	slash = strchr(p, '/');
	n = slash ? (size_t)(slash - p) : 0;
	if (!slash || n == 0 || n >= 16)
		return util_seterr(err, errsz, "no kind in the reference");
	memcpy(kind, p, n);
	kind[n] = '\0';
	for (i = 1; i < ARRAY_SIZE(kinds) && strcmp(kind, kinds[i]); i++)
		;
	if (i == ARRAY_SIZE(kinds))
		return util_seterr(err, errsz, "kind \"%.16s\" is not role, database or access", kind);
	p = slash + 1;
	sp = strchr(p, ' ');
	n = sp ? (size_t)(sp - p) : 0;
	if (!sp || n == 0 || n >= DB_NAME_SIZE)
		return util_seterr(err, errsz, "no name in the reference");
	memcpy(name, p, n);
	name[n] = '\0';
	if (db_name_valid(name, why, sizeof(why)) < 0)
		return util_seterr(err, errsz, "%s", why);
	p = sp + 1;
	if (!*p || strlen(p) >= csize)
		return util_seterr(err, errsz, "no connection string in the reference");
	if (pg_conn_check(p, &derr) != DB_OK)
		return util_seterr(err, errsz, "%s", derr.msg);
	util_strlcpy(conninfo, p, csize);
	return 0;
}

/* The spec of a step of tenant env->tcode in environment envname, named name;
 * the encoding and collation from body when given. */
static int spec_of(step_env *env, const char *envname, const char *name, const cJSON *body, db_spec *s,
		   const char *id)
{
	tcode_env e;
	db_err err;
	const cJSON *v;

	if (tcode_env_parse(envname, &e) < 0) {
		step_fail(env, NULL, "%s: environment \"%s\" is not prod or dev", id, envname);
		return -1;
	}
	if (db_spec_init(s, env->tcode, e, &err) != DB_OK) {
		fail_db(env, id, &err);
		return -1;
	}
	if (strcmp(s->name, name)) {
		step_fail(env, NULL, "%s: %s is not the name of %s's %s database (%s)", id, name, env->tcode,
			  envname, s->name);
		return -1;
	}
	if (body) {
		if (jstr(body, "encoding"))
			util_strlcpy(s->encoding, jstr(body, "encoding"), sizeof(s->encoding));
		if (jstr(body, "collate"))
			util_strlcpy(s->collate, jstr(body, "collate"), sizeof(s->collate));
		if (jstr(body, "ctype"))
			util_strlcpy(s->ctype, jstr(body, "ctype"), sizeof(s->ctype));
		v = cJSON_GetObjectItemCaseSensitive(body, "connectionLimit");
		if (cJSON_IsNumber(v))
			s->conn_limit = v->valueint;
	}
	if (env->run && journal_run_id_valid(env->run) && strlen(env->run) < sizeof(s->run))
		util_strlcpy(s->run, env->run, sizeof(s->run));
	if (db_spec_check(s, &err) != DB_OK) {
		fail_db(env, id, &err);
		return -1;
	}
	return 0;
}

/* What a step works on: its spec and session. */
typedef struct pg_target {
	db_spec spec;
	char ns[TCODE_NS_SIZE];
	char conninfo[STEP_PG_CONNINFO_MAX + 1];
	char host[256], port[16];
} pg_target;

static int target_of_plan(step_env *env, const plan_step *s, pg_target *t)
{
	const char *ci = jstr(s->body, "conninfo");
	char why[200];

	memset(t, 0, sizeof(*t));
	if (!ci || strlen(ci) > STEP_PG_CONNINFO_MAX) {
		step_fail(env, NULL, "%s: the step names no server (conninfo)", s->id);
		return -1;
	}
	util_strlcpy(t->conninfo, ci, sizeof(t->conninfo));
	if (step_pg_server(ci, t->host, sizeof(t->host), t->port, sizeof(t->port), why, sizeof(why)) < 0) {
		step_fail(env, NULL, "%s: %s", s->id, why);
		return -1;
	}
	if (spec_of(env, s->env, s->name, s->body, &t->spec, s->id) < 0)
		return -1;
	tcode_namespace(env->tcode, t->spec.env, t->ns, sizeof(t->ns));
	return 0;
}

static int target_of_journal(step_env *env, const journal_step *js, char kind[16], pg_target *t)
{
	char envname[8], name[DB_NAME_SIZE], why[200];

	memset(t, 0, sizeof(*t));
	if (step_pg_ref_parse(js->path, kind, envname, name, t->conninfo, sizeof(t->conninfo), why,
			      sizeof(why)) < 0) {
		step_fail(env, NULL, "%s: %s", js->id, why);
		return -1;
	}
	step_pg_server(t->conninfo, t->host, sizeof(t->host), t->port, sizeof(t->port), why, sizeof(why));
	if (spec_of(env, envname, name, NULL, &t->spec, js->id) < 0)
		return -1;
	/* what a rollback touches was made by this run: its comment names it */
	tcode_namespace(env->tcode, t->spec.env, t->ns, sizeof(t->ns));
	return 0;
}

/* Runs the statements (the variadic part, which sets err) on the session, and
 * once more on a fresh session when the first was lost. */
#define WITH_SESSION(env, t, sess, err, ...)                                                      \
	do {                                                                                       \
		int try_;                                                                          \
		for (try_ = 0; try_ < 2; try_++) {                                                  \
			db_err_clear(err);                                                         \
			if (!((sess) = session((env), (t)->conninfo, (err))))                          \
				break;                                                             \
			__VA_ARGS__;                                                               \
			if ((err)->status != DB_UNREACHABLE)                                        \
				break;                                                             \
		}                                                                                  \
	} while (0)

/* ---- observe ----------------------------------------------------------------------- */

static void seen_mark(step_seen *out, const char *name, const pg_target *t, const char *run)
{
	snprintf(out->uid, sizeof(out->uid), "%.20s@%.26s", name, t->host);
	util_strlcpy(out->run, run, sizeof(out->run));
	out->managed = 1;
}

/* The Secret as the role step wants it: ours, naming this server, role and database. */
static int secret_current(const db_secret_obs *so, const pg_target *t)
{
	return so->exists && so->ours && so->has_password && !strcmp(so->username, t->spec.name) &&
	       !strcmp(so->database, t->spec.name) && !strcmp(so->host, t->host) && !strcmp(so->port, t->port);
}

static int role_observe(step_env *env, const plan_step *s, step_seen *out)
{
	pg_target t;
	pg_session *sess = NULL;
	db_role_obs o;
	db_secret_obs so;
	db_err err;
	k8s_err kerr;

	memset(out, 0, sizeof(*out));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return -1;
	WITH_SESSION(env, &t, sess, &err, db_role_observe(sess->c, &t.spec, &o, &err));
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		return -1;
	}
	if (db_secret_read(env->client, env->prefix, t.ns, env->tcode, &so, &kerr) < 0) {
		step_fail(env, &kerr, "%s: cannot read Secret %s/%s: %s", s->id, t.ns, DB_SECRET_NAME, kerr.msg);
		return -1;
	}
	if (so.exists && !so.ours) {
		out->diff = PLAN_DIFF_CONFLICT;
		util_seterr(out->reason, sizeof(out->reason), "Secret %s/%s exists and was not made by smartops",
			 t.ns, DB_SECRET_NAME);
		return 0;
	}
	if (!o.exists) {
		out->diff = PLAN_DIFF_CREATE;
		return 0;
	}
	if (!o.ours) {
		out->diff = PLAN_DIFF_CONFLICT;
		util_seterr(out->reason, sizeof(out->reason), "role %s on %s:%s exists and is not %s's (comment \"%.40s\")",
			 t.spec.name, t.host, t.port, env->tcode, o.comment);
		return 0;
	}
	seen_mark(out, t.spec.name, &t, o.run);
	if (secret_current(&so, &t)) {
		out->diff = PLAN_DIFF_UNCHANGED;
	} else {
		out->diff = PLAN_DIFF_CHANGE;
		util_seterr(out->reason, sizeof(out->reason),
			 "Secret %s/%s %s: the role gets a new password, written there", t.ns, DB_SECRET_NAME,
			 so.exists ? "names another server, role or database" : "is missing");
	}
	return 0;
}

static int database_observe(step_env *env, const plan_step *s, step_seen *out)
{
	pg_target t;
	pg_session *sess = NULL;
	db_database_obs o;
	db_err err;

	memset(out, 0, sizeof(*out));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return -1;
	WITH_SESSION(env, &t, sess, &err, db_database_observe(sess->c, &t.spec, &o, &err));
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		return -1;
	}
	if (!o.exists) {
		out->diff = PLAN_DIFF_CREATE;
		return 0;
	}
	if (!o.ours) {
		out->diff = PLAN_DIFF_CONFLICT;
		util_seterr(out->reason, sizeof(out->reason), "database %s on %s:%s exists, owned by %s, and is not %s's",
			 t.spec.name, t.host, t.port, o.owner, env->tcode);
		return 0;
	}
	if (strcasecmp(o.encoding, t.spec.encoding) || strcmp(o.collate, t.spec.collate) ||
	    strcmp(o.ctype, t.spec.ctype)) {
		out->diff = PLAN_DIFF_CONFLICT;
		util_seterr(out->reason, sizeof(out->reason),
			 "database %s exists with encoding %s and collation %s/%s, the plan wants %s and %s/%s",
			 t.spec.name, o.encoding, o.collate, o.ctype, t.spec.encoding, t.spec.collate, t.spec.ctype);
		return 0;
	}
	seen_mark(out, t.spec.name, &t, o.run);
	out->diff = o.marked ? PLAN_DIFF_UNCHANGED : PLAN_DIFF_CHANGE;
	if (!o.marked)
		util_seterr(out->reason, sizeof(out->reason), "database %s is not marked as %s's yet", t.spec.name,
			 env->tcode);
	return 0;
}

static int access_observe(step_env *env, const plan_step *s, step_seen *out)
{
	pg_target t;
	pg_session *sess = NULL;
	db_access_obs o;
	db_database_obs d;
	db_err err;

	memset(out, 0, sizeof(*out));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return -1;
	WITH_SESSION(env, &t, sess, &err, {
		if (db_access_observe(sess->c, &t.spec, &o, &err) == DB_OK)
			db_database_observe(sess->c, &t.spec, &d, &err);
	});
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		return -1;
	}
	if (!o.db_exists || o.public_any || !o.role_connect) {
		out->diff = PLAN_DIFF_CREATE;
		return 0;
	}
	seen_mark(out, t.spec.name, &t, d.run);
	out->diff = PLAN_DIFF_UNCHANGED;
	return 0;
}

/* ---- checks before the first change --------------------------------------------------- */

static void role_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	static const char *const verbs[] = {"create", "patch"};
	tcode_env e;
	size_t i;

	(void)d; /* a Secret of ours already there is patched, a missing one created */
	if (tcode_env_parse(s->env, &e) < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(verbs) && *n < max; i++) {
		need[*n].verb = verbs[i];
		need[*n].group[0] = '\0';
		util_strlcpy(need[*n].resource, "secrets", sizeof(need[*n].resource));
		/* "t12345_prod": the namespace is t12345-prod */
		snprintf(need[*n].ns, sizeof(need[*n].ns), "%.6s-%.4s", s->name, s->env);
		(*n)++;
	}
}

static void no_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	(void)s, (void)d, (void)need, (void)n, (void)max; /* nothing in the cluster */
}

/* The server lets the session's user make what the plan makes. */
static int pg_dry_run(step_env *env, const plan_step *s)
{
	pg_target t;
	pg_session *sess = NULL;
	db_tenant_obs o;
	db_err err;
	db_status st = DB_OK;

	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return -1;
	WITH_SESSION(env, &t, sess, &err, st = db_tenant_preflight(sess->c, &t.spec, &o, &err));
	/* the engine names the step before what is said here */
	if (!sess || st != DB_OK) {
		step_fail(env, NULL, "%s", err.msg);
		env->http = err.status == DB_UNREACHABLE ? 0 : 500;
		return -1;
	}
	if (s->exec == &step_pg_role && !o.admin_can_create) {
		/* a new password needs CREATEROLE even when the role exists */
		step_fail(env, NULL, "PostgreSQL user %s may not change roles (it needs CREATEROLE)", o.admin);
		return -1;
	}
	return 0;
}

/* ---- apply ------------------------------------------------------------------------- */

static engine_status status_of(const db_err *err)
{
	return err->status == DB_CONFLICT || err->status == DB_REFUSED || err->status == DB_INVALID
		   ? ENGINE_ST_REFUSED
		   : ENGINE_ST_FAILED;
}

static engine_status role_apply(step_env *env, const plan_step *s, const step_seen *seen, step_seen *after)
{
	char password[DB_PASSWORD_SIZE] = "";
	pg_target t;
	pg_session *sess = NULL;
	db_role_obs o;
	db_secret_obs so;
	db_err err;
	k8s_err kerr;
	int created = 0;
	engine_status ret = ENGINE_ST_FAILED;

	(void)seen;
	memset(after, 0, sizeof(*after));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return ENGINE_ST_FAILED;
	if (db_secret_read(env->client, env->prefix, t.ns, env->tcode, &so, &kerr) < 0) {
		step_fail(env, &kerr, "%s: cannot read Secret %s/%s: %s", s->id, t.ns, DB_SECRET_NAME, kerr.msg);
		return kerr.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
	}
	/* made, or found made (a lost answer); a role of ours whose password is not in
	 * the Secret (a run that died between the two) gets a new one */
	WITH_SESSION(env, &t, sess, &err, {
		if (db_role_apply(sess->c, &t.spec, password, &created, &err) == DB_OK && !created &&
		    !secret_current(&so, &t))
			db_role_rotate(sess->c, &t.spec, password, &err);
	});
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		ret = status_of(&err);
		goto out;
	}
	if (password[0]) {
		db_secret_fields f = {.username = t.spec.name, .password = password, .host = t.host,
				      .port = t.port, .database = t.spec.name};

		if (db_secret_write(env->client, env->prefix, t.ns, env->tcode, s->env, env->run, &f, 0,
				    &kerr) < 0) {
			step_fail(env, &kerr,
				  "%s: role %s has a new password but Secret %s/%s could not be written (%s); a resume sets another and writes it",
				  s->id, t.spec.name, t.ns, DB_SECRET_NAME, kerr.msg);
			ret = kerr.http == 403 ? ENGINE_ST_FORBIDDEN : kerr.http == 409 ? ENGINE_ST_REFUSED
										 : ENGINE_ST_FAILED;
			goto out;
		}
	}
	if (db_role_observe(sess->c, &t.spec, &o, &err) != DB_OK) {
		fail_db(env, s->id, &err);
		goto out;
	}
	seen_mark(after, t.spec.name, &t, o.run);
	after->diff = PLAN_DIFF_UNCHANGED;
	ret = ENGINE_ST_OK;
out:
	db_password_wipe(password, sizeof(password));
	return ret;
}

static engine_status database_apply(step_env *env, const plan_step *s, const step_seen *seen,
				    step_seen *after)
{
	pg_target t;
	pg_session *sess = NULL;
	db_database_obs o;
	db_err err;
	int created = 0;

	(void)seen;
	memset(after, 0, sizeof(*after));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return ENGINE_ST_FAILED;
	WITH_SESSION(env, &t, sess, &err, {
		if (db_database_apply(sess->c, &t.spec, &created, &err) == DB_OK)
			db_database_observe(sess->c, &t.spec, &o, &err);
	});
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		return status_of(&err);
	}
	seen_mark(after, t.spec.name, &t, o.run);
	after->diff = PLAN_DIFF_UNCHANGED;
	return ENGINE_ST_OK;
}

static engine_status access_apply(step_env *env, const plan_step *s, const step_seen *seen,
				  step_seen *after)
{
	pg_target t;
	pg_session *sess = NULL;
	db_err err;
	int changed = 0;

	(void)seen;
	memset(after, 0, sizeof(*after));
	db_err_clear(&err);
	if (target_of_plan(env, s, &t) < 0)
		return ENGINE_ST_FAILED;
	WITH_SESSION(env, &t, sess, &err, db_access_apply(sess->c, &t.spec, &changed, &err));
	if (!sess || err.status != DB_OK) {
		fail_db(env, s->id, &err);
		return status_of(&err);
	}
	seen_mark(after, t.spec.name, &t, env->run);
	after->diff = PLAN_DIFF_UNCHANGED;
	return ENGINE_ST_OK;
}

static step_wait_state pg_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	(void)env, (void)s, (void)what, (void)size;
	return STEP_WAIT_DONE; /* made when the statement returned */
}

/* ---- the journal's form ---------------------------------------------------------------- */

static void pg_ref(const plan_step *s, char *out, size_t size)
{
	const char *ci = jstr(s->body, "conninfo");
	const char *kind = s->exec == &step_pg_role ? "role" : s->exec == &step_pg_database ? "database" : "access";

	step_pg_ref_make(kind, s->env, s->name, ci ? ci : "", out, size);
}

static int pg_ref_check(const char *ref, char *err, size_t errsz)
{
	char kind[16], env[8], name[DB_NAME_SIZE], ci[STEP_PG_CONNINFO_MAX + 1];

	return step_pg_ref_parse(ref, kind, env, name, ci, sizeof(ci), err, errsz);
}

/* ---- undo ---------------------------------------------------------------------------- */

static void role_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	char kind[16], env[8], name[DB_NAME_SIZE], ci[STEP_PG_CONNINFO_MAX + 1];

	if (*n >= max || step_pg_ref_parse(js->path, kind, env, name, ci, sizeof(ci), NULL, 0) < 0)
		return;
	need[*n].verb = "delete";
	need[*n].group[0] = '\0';
	util_strlcpy(need[*n].resource, "secrets", sizeof(need[*n].resource));
	snprintf(need[*n].ns, sizeof(need[*n].ns), "%.6s-%s", name, env);
	(*n)++;
}

static int pg_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	char kind[16];
	pg_target t;
	pg_session *sess = NULL;
	db_role_obs ro;
	db_database_obs dob;
	db_err err;

	memset(out, 0, sizeof(*out));
	db_err_clear(&err);
	if (target_of_journal(env, js, kind, &t) < 0)
		return -1;
	if (!strcmp(kind, "access"))
		return 0; /* the grants go with the database: nothing of its own */
	WITH_SESSION(env, &t, sess, &err, {
		if (!strcmp(kind, "role"))
			db_role_observe(sess->c, &t.spec, &ro, &err);
		else
			db_database_observe(sess->c, &t.spec, &dob, &err);
	});
	if (!sess || err.status != DB_OK) {
		fail_db(env, js->id, &err);
		return -1;
	}
	if (!strcmp(kind, "role") && ro.exists) {
		snprintf(out->uid, sizeof(out->uid), "%.20s@%.26s", t.spec.name, t.host);
		if (ro.ours) /* another's role of that name is never ours to drop */
			seen_mark(out, t.spec.name, &t, ro.run);
	} else if (!strcmp(kind, "database") && dob.exists) {
		snprintf(out->uid, sizeof(out->uid), "%.20s@%.26s", t.spec.name, t.host);
		if (dob.ours && dob.marked) {
			seen_mark(out, t.spec.name, &t, dob.run);
		} else if (dob.ours) {
			/* made, then the run died before its comment: CREATE DATABASE ... OWNER
			 * and COMMENT ON cannot share a transaction. The tenant's role owns it;
			 * the run that made that role made the database. */
			WITH_SESSION(env, &t, sess, &err, db_role_observe(sess->c, &t.spec, &ro, &err));
			if (!sess || err.status != DB_OK) {
				fail_db(env, js->id, &err);
				return -1;
			}
			if (ro.exists && ro.ours)
				seen_mark(out, t.spec.name, &t, ro.run);
		}
	}
	return 0;
}

/* A role that still owns its database (kept by the rollback: it holds tables) stays. */
static int role_holds_others(step_env *env, const journal_step *js, char *what, size_t size)
{
	char kind[16];
	pg_target t;
	pg_session *sess = NULL;
	db_role_obs ro;
	db_err err;

	db_err_clear(&err);
	if (target_of_journal(env, js, kind, &t) < 0)
		return 0;
	WITH_SESSION(env, &t, sess, &err, db_role_observe(sess->c, &t.spec, &ro, &err));
	if (!sess || err.status != DB_OK || !ro.owns_db[0])
		return 0;
	snprintf(what, size, "database %s", ro.owns_db);
	return 1;
}

static engine_status pg_remove(step_env *env, const journal_step *js)
{
	char kind[16];
	pg_target t;
	pg_session *sess = NULL;
	db_err err;
	k8s_err kerr;
	int dropped = 0;

	db_err_clear(&err);
	if (target_of_journal(env, js, kind, &t) < 0)
		return ENGINE_ST_FAILED;
	if (!strcmp(kind, "access"))
		return ENGINE_ST_OK; /* goes with the database */
	if (!strcmp(kind, "database")) {
		int confirmed = env->confirm_tcode && !strcasecmp(env->confirm_tcode, env->tcode);

		WITH_SESSION(env, &t, sess, &err, {
			pg_conn_opts admin = {.conninfo = t.conninfo, .password = sess->password};

			db_database_undo(sess->c, &admin, &t.spec, confirmed, &dropped, &err);
		});
	} else {
		WITH_SESSION(env, &t, sess, &err, db_role_undo(sess->c, &t.spec, &dropped, &err));
		if (sess && err.status == DB_OK &&
		    db_secret_delete(env->client, env->prefix, t.ns, env->tcode, &kerr) < 0) {
			step_fail(env, &kerr, "%s: role %s dropped, Secret %s/%s not deleted: %s", js->id, t.spec.name,
				  t.ns, DB_SECRET_NAME, kerr.msg);
			return kerr.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
		}
	}
	if (!sess || err.status != DB_OK) {
		fail_db(env, js->id, &err);
		return ENGINE_ST_FAILED;
	}
	return ENGINE_ST_OK;
}

const step_exec step_pg_role = {
    .name = "pg-role",
    .body_public = 1, /* the statements, the verifier elided */
    .observe = role_observe,
    .access = role_access,
    .dry_run = pg_dry_run,
    .apply = role_apply,
    .check = pg_check,
    .prior = NULL,
    .ref = pg_ref,
    .ref_check = pg_ref_check,
    .undo_access = role_undo_access,
    .observe_ref = pg_observe_ref,
    .holds_others = role_holds_others,
    .remove = pg_remove,
    .restore = NULL,
};

const step_exec step_pg_database = {
    .name = "pg-database",
    .body_public = 1, /* the statements, the verifier elided */
    .observe = database_observe,
    .access = no_access,
    .dry_run = pg_dry_run,
    .apply = database_apply,
    .check = pg_check,
    .prior = NULL,
    .ref = pg_ref,
    .ref_check = pg_ref_check,
    .undo_access = NULL,
    .observe_ref = pg_observe_ref,
    .holds_others = NULL,
    .remove = pg_remove,
    .restore = NULL,
};

const step_exec step_pg_access = {
    .name = "pg-access",
    .body_public = 1, /* the statements, the verifier elided */
    .observe = access_observe,
    .access = no_access,
    .dry_run = pg_dry_run,
    .apply = access_apply,
    .check = pg_check,
    .prior = NULL,
    .ref = pg_ref,
    .ref_check = pg_ref_check,
    .undo_access = NULL,
    .observe_ref = pg_observe_ref,
    .holds_others = NULL,
    .remove = pg_remove,
    .restore = NULL,
};
