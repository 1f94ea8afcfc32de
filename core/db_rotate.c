/* core/db_rotate.c — a new password for a tenant's role; see db_rotate.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/db_password.h"
#include "core/db_role.h"
#include "core/db_rotate.h"
#include "core/db_secret.h"
#include "core/engine.h"
#include "core/lease.h"
#include "core/step_pg.h"
#include "core/step_roll.h"
#include "core/wizard_db.h"
#include "k8s/retry.h"
#include "util/util.h"

#define WAIT_DEFAULT_S 180
#define ROTATE_ANNOTATION "dbaccess-password"

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define say(out, ...) snprintf((out)->msg, sizeof((out)->msg), __VA_ARGS__)

/* The namespace says managed PostgreSQL; the Secret is ours and names the server. */
static db_rotate_status check_target(const db_rotate_opts *o, const char *ns, const char *conninfo,
				     db_secret_obs *so, db_rotate_result *out)
{
	char path[128], key[96], host[256], port[16], why[200];
	cJSON *nsobj = NULL;
	const char *mode;
	k8s_err e;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s", ns);
	if (k8s_get(o->client, path, &nsobj, &e) < 0) {
		say(out, "cannot read namespace %s: %s", ns, e.msg);
		return e.http == 404 ? DB_ROTATE_REFUSED : e.http == 0 ? DB_ROTATE_UNREACHABLE : DB_ROTATE_REFUSED;
	}
	tcode_key(o->prefix, "db", key, sizeof(key));
	mode = jstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(nsobj, "metadata"),
						     "annotations"),
		    key);
	if (!mode || strcmp(mode, "postgres-managed")) {
		say(out, "namespace %s's database is %s, not the managed PostgreSQL: nothing was changed", ns,
		    mode ? mode : "not named");
		cJSON_Delete(nsobj);
		return DB_ROTATE_REFUSED;
	}
	cJSON_Delete(nsobj);
	if (db_secret_read(o->client, o->prefix, ns, o->tcode, so, &e) < 0) {
		say(out, "cannot read Secret %s/%s: %s", ns, DB_SECRET_NAME, e.msg);
		return e.http == 0 ? DB_ROTATE_UNREACHABLE : DB_ROTATE_REFUSED;
	}
	if (!so->exists || !so->ours) {
		say(out, "Secret %s/%s %s: make the database first (`smartops apply database --tcode %s --env %s`); nothing was changed",
		    ns, DB_SECRET_NAME, so->exists ? "was not made by smartops" : "does not exist", o->tcode,
		    tcode_env_name(o->env));
		return DB_ROTATE_REFUSED;
	}
	if (step_pg_server(conninfo, host, sizeof(host), port, sizeof(port), why, sizeof(why)) < 0) {
		say(out, "%s", why);
		return DB_ROTATE_REFUSED;
	}
	if (strcmp(host, so->host) || strcmp(port, so->port)) {
		say(out, "Secret %s/%s names server %s:%s, the platform's is %s:%s: nothing was changed", ns,
		    DB_SECRET_NAME, so->host, so->port, host, port);
		return DB_ROTATE_REFUSED;
	}
	return DB_ROTATE_OK;
}

/* DbAccess's template gets a new value of the rotation annotation. */
static int roll_dbaccess(const db_rotate_opts *o, const char *ns, db_rotate_result *out, k8s_err *e)
{
	char *path = k8s_path("apps", "v1", ns, "deployments", "dbaccess"), key[96], stamp[40], *text;
	cJSON *body = cJSON_CreateObject(), *meta, *ann;
	k8s_retry rt;
	int rc;

	cJSON_AddStringToObject(body, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(body, "kind", "Deployment");
	meta = cJSON_AddObjectToObject(body, "metadata");
	cJSON_AddStringToObject(meta, "name", "dbaccess");
	cJSON_AddStringToObject(meta, "namespace", ns);
	ann = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(body, "spec"), "template"),
				    "metadata"),
	    "annotations");
	tcode_key(o->prefix, ROTATE_ANNOTATION, key, sizeof(key));
	util_rfc3339(k8s_client_server_now(o->client), stamp, sizeof(stamp));
	cJSON_AddStringToObject(ann, key, stamp);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	k8s_retry_init(&rt, 200, 3200, 6, NULL);
	do
		rc = k8s_apply_as(o->client, path, text, STEP_ROLL_MANAGER, 0, NULL, e);
	while (rc < 0 && k8s_retry_transient(e) && k8s_retry_wait(&rt, e) == K8S_RETRY_AGAIN);
	cJSON_free(text);
	free(path);
	if (rc == 0)
		out->rolled = 1;
	return rc;
}

/* Whether Hypnus has the env asleep. */
static int asleep(const db_rotate_opts *o, const char *ns)
{
	char *path = k8s_path("apps", "v1", ns, "deployments", "hypnus"), key[96];
	cJSON *d = NULL;
	k8s_err e;
	const char *st;
	int ret = 0;

	if (k8s_get(o->client, path, &d, &e) == 0) {
		tcode_key(o->prefix, "hypnus-state", key, sizeof(key));
		st = jstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "metadata"),
							   "annotations"),
			  key);
		ret = st && !strcmp(st, "sleeping");
	}
	cJSON_Delete(d);
	free(path);
	return ret;
}

static int wait_ready(const db_rotate_opts *o, const char *ns, char *why, size_t size)
{
	char *path = k8s_path("apps", "v1", ns, "deployments", "dbaccess");
	k8s_retry rt;
	int ret = -1, ready = 0, want = 0;

	k8s_retry_init(&rt, 100, 1000, 0, NULL);
	k8s_retry_deadline(&rt, (int64_t)(o->wait_timeout_s > 0 ? o->wait_timeout_s : WAIT_DEFAULT_S) * 1000);
	for (;;) {
		cJSON *d = NULL;
		k8s_err e;

		if (k8s_get(o->client, path, &d, &e) == 0) {
			int ok = engine_object_ready(d, &ready, &want);

			cJSON_Delete(d);
			if (ok) {
				ret = 0;
				break;
			}
		}
		if (k8s_retry_wait(&rt, NULL) != K8S_RETRY_AGAIN) {
			snprintf(why, size, "DbAccess %s/dbaccess not ready (%d/%d)", ns, ready, want);
			break;
		}
	}
	free(path);
	return ret;
}

db_rotate_status db_rotate_password(const db_rotate_opts *o, db_rotate_result *out)
{
	char ns[TCODE_NS_SIZE], conninfo[1024], who[192], holder[320], run[64], taken[256], err[512];
	char password[DB_PASSWORD_SIZE] = "", why[200];
	db_secret_obs so;
	db_spec spec;
	db_err derr;
	k8s_err e;
	lease *l = NULL;
	audit au;
	PGconn *c = NULL;
	db_rotate_status st;
	int audited = 0;

	memset(out, 0, sizeof(*out));
	if (o->readonly) {
		say(out, "read-only session: started with --readonly; nothing was changed");
		return DB_ROTATE_READONLY;
	}
	if (db_spec_init(&spec, o->tcode, o->env, &derr) != DB_OK) {
		say(out, "%s", derr.msg);
		return DB_ROTATE_REFUSED;
	}
	tcode_namespace(spec.tcode, o->env, ns, sizeof(ns));
	if (o->conninfo && *o->conninfo) {
		util_strlcpy(conninfo, o->conninfo, sizeof(conninfo));
	} else {
		int rc = step_pg_platform_conninfo(o->client, conninfo, sizeof(conninfo), &e);

		if (rc != 0) {
			if (rc < 0)
				say(out, "cannot read ConfigMap %s/%s: %s", STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_CM, e.msg);
			else
				say(out, "no managed PostgreSQL is configured (ConfigMap %s/%s, key %s): nothing was changed",
				    STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_CM, STEP_PG_PLATFORM_KEY);
			return rc < 0 && e.http == 0 ? DB_ROTATE_UNREACHABLE : DB_ROTATE_REFUSED;
		}
	}
	if ((st = check_target(o, ns, conninfo, &so, out)) != DB_ROTATE_OK)
		return st;
	/* one change per tenant at a time: the engine's Lease, then the server's lock */
	lease_holder_self(o->user, who, sizeof(who));
	snprintf(run, sizeof(run), "rotate-%s", ns);
	snprintf(holder, sizeof(holder), "%s run=%s", who, run);
	if (lease_acquire(o->client, spec.tcode, holder, LEASE_DURATION_S, &l, taken, sizeof(taken), err, sizeof(err)) != 0) {
		say(out, "refused, nothing changed: %s", err);
		return DB_ROTATE_REFUSED;
	}
	c = step_pg_connect(o->client, conninfo, spec.tcode, NULL, &derr);
	if (!c) {
		say(out, "refused, nothing changed: %s", derr.msg);
		st = DB_ROTATE_REFUSED;
		goto out;
	}
	audit_init(&au, o->client, who, run);
	audited = 1;
	if (db_role_rotate(c, &spec, password, &derr) != DB_OK) {
		say(out, "refused, nothing changed: %s", derr.msg);
		audit_record(&au, "rotate-password", NULL, derr.msg);
		st = DB_ROTATE_REFUSED;
		goto out;
	}
	{
		db_secret_fields f = {.username = spec.name, .password = password, .host = so.host, .port = so.port,
				      .database = spec.name};
		k8s_retry rt;
		int rc;

		k8s_retry_init(&rt, 200, 3200, 6, NULL);
		do
			rc = db_secret_write(o->client, o->prefix, ns, spec.tcode, tcode_env_name(o->env), NULL, &f, 0, &e);
		while (rc < 0 && k8s_retry_transient(&e) && k8s_retry_wait(&rt, &e) == K8S_RETRY_AGAIN);
		db_password_wipe(password, sizeof(password));
		if (rc < 0) {
			say(out,
			    "role %s has a new password but Secret %s/%s could not be written (%s): DbAccess cannot log in until this succeeds; run `smartops db rotate-password --tcode %s --env %s` again",
			    spec.name, ns, DB_SECRET_NAME, e.msg, spec.tcode, tcode_env_name(o->env));
			audit_record(&au, "rotate-password", NULL, out->msg);
			st = DB_ROTATE_FAILED;
			goto out;
		}
	}
	out->sleeping = asleep(o, ns);
	if (roll_dbaccess(o, ns, out, &e) < 0) {
		say(out, "role %s has a new password, in Secret %s/%s; DbAccess could not be rolled (%s): restart it with `smartops restart %s --env %s --service dbaccess`",
		    spec.name, ns, DB_SECRET_NAME, e.msg, spec.tcode, tcode_env_name(o->env));
		audit_record(&au, "rotate-password", NULL, out->msg);
		st = DB_ROTATE_FAILED;
		goto out;
	}
	if (wait_ready(o, ns, why, sizeof(why)) < 0) {
		say(out, "role %s has a new password, in Secret %s/%s; DbAccess rolled but %s", spec.name, ns,
		    DB_SECRET_NAME, why);
		audit_record(&au, "rotate-password", NULL, out->msg);
		st = DB_ROTATE_FAILED;
		goto out;
	}
	say(out, "role %s has a new password, in Secret %s/%s; the old one no longer logs in; DbAccess rolled%s",
	    spec.name, ns, DB_SECRET_NAME,
	    out->sleeping ? " (the tenant is asleep and was not woken: its AppServers start at the next wake)" : " and ready");
	audit_record(&au, "rotate-password", NULL, "ok");
	st = DB_ROTATE_OK;
out:
	db_password_wipe(password, sizeof(password));
	if (c)
		PQfinish(c);
	if (audited)
		audit_release(&au);
	lease_release(l);
	return st;
}
