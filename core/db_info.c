/* core/db_info.c — a tenant environment's database as shown; see db_info.h. */
#include <stdio.h>

#include "core/db_info.h"
#include "core/db_password.h"
#include "core/db_state.h"
#include "core/oracle_handoff.h"
#include "core/tcode.h"
#include "util/base64.h"
#include "util/util.h"

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A Secret's data value decoded into buf ("" when absent or not base64). */
static void secret_value(const cJSON *secret, const char *key, char *buf, size_t size)
{
	const cJSON *v = jget(jget(secret, "data"), key);
	size_t n = 0;
	char *d;

	buf[0] = '\0';
	if (!cJSON_IsString(v) || !(d = util_base64_decode(v->valuestring, strlen(v->valuestring), &n, UTIL_B64_STRICT)))
		return;
	if (n < size && !memchr(d, '\0', n))
		util_strlcpy(buf, d, size);
	db_password_wipe(d, n);
	free(d);
}

static void container_state(k8s_client *c, const char *ns, db_info *out)
{
	char *path = k8s_path("apps", "v1", ns, "statefulsets", "postgres");
	cJSON *sts = NULL;
	k8s_err err;

	if (k8s_get(c, path, &sts, &err) < 0) {
		out->state = err.http == 404 ? "missing" : "unknown";
		snprintf(out->detail, sizeof(out->detail), "%s",
			 err.http == 404 ? "StatefulSet postgres does not exist" : err.msg);
	} else {
		const cJSON *r = jget(jget(sts, "spec"), "replicas"), *rr = jget(jget(sts, "status"), "readyReplicas");
		int want = cJSON_IsNumber(r) ? r->valueint : 1, ready = cJSON_IsNumber(rr) ? rr->valueint : 0;

		out->state = want > 0 && ready >= want ? "ready" : "unreachable";
		snprintf(out->detail, sizeof(out->detail), "StatefulSet postgres %d/%d ready%s", ready, want,
			 want == 0 ? " (scaled to zero)" : "");
	}
	cJSON_Delete(sts);
	free(path);
}

static void managed_state(const cJSON *secret, int timeout_s, db_info *out)
{
	char pw[256], port[16];
	db_creds t;
	db_state_result r;

	secret_value(secret, "password", pw, sizeof(pw));
	snprintf(port, sizeof(port), "%d", out->port);
	t = (db_creds){.host = out->host, .port = port, .database = out->name, .user = out->user, .password = pw};
	db_state_check(&t, NULL, timeout_s > 0 ? timeout_s : 5, &r);
	db_password_wipe(pw, sizeof(pw));
	out->state = db_state_name(r.state);
	util_strlcpy(out->detail, r.detail, sizeof(out->detail));
}

/* Oracle: handed off to the DBA until an operator marks it done (the namespace's
 * <prefix>db-handoff, pending or done, core/db_handoff.h); smartops has no Oracle
 * client, so a database marked done is taken as the DBA's word, not checked. */
static void oracle_state(const cJSON *nsobj, const char *prefix, int have_secret, db_info *out)
{
	char key[128], where[400] = "";
	const cJSON *h;

	tcode_key(prefix, ORACLE_HANDOFF_ANNOTATION, key, sizeof(key));
	h = jget(jget(jget(nsobj, "metadata"), "annotations"), key);
	/* where it is, once the wizard handed it off (a namespace without the annotation
	 * predates the hand-off's record: said as before) */
	if (cJSON_IsString(h) && out->host[0])
		snprintf(where, sizeof(where), ": service %.64s on %.200s:%d, user %.64s", out->name[0] ? out->name : "-",
			 out->host, out->port, out->user[0] ? out->user : "-");
	if (cJSON_IsString(h) && !strcmp(h->valuestring, "done")) {
		out->state = "ready";
		snprintf(out->detail, sizeof(out->detail),
			 "Oracle, made by the DBA (hand-off marked done)%s; not checked live", where);
		return;
	}
	out->state = "handed-off";
	snprintf(out->detail, sizeof(out->detail), "Oracle, handed off to the DBA%s%s", where,
		 !have_secret ? " (Secret db-credentials not written yet)"
		 : cJSON_IsString(h) && !strcmp(h->valuestring, "pending")
		     ? "; an operator marks it done once the DBA has made it (smartops db handoff-done)"
		     : "");
}

void db_info_read(k8s_client *c, const char *prefix, const char *ns, int timeout_s, db_info *out)
{
	db_info_read_listed(c, prefix, ns, NULL, timeout_s, out);
}

void db_info_read_listed(k8s_client *c, const char *prefix, const char *ns, const char *db_kind,
			 int timeout_s, db_info *out)
{
	char key[128], port[16], *path;
	cJSON *nsobj = NULL, *secret = NULL;
	/* an Oracle database's hand-off is told by the namespace's other
	 * annotations: it is read all the same */
	const char *kind = db_kind && strcmp(db_kind, "oracle") ? db_kind : NULL;
	k8s_err err;
	int have_secret;

	memset(out, 0, sizeof(*out));
	out->state = "unknown";
	tcode_key(prefix, "db", key, sizeof(key));
	if (!kind) {
		const cJSON *kind_item;

		path = k8s_path(NULL, "v1", NULL, "namespaces", ns);
		if (k8s_get(c, path, &nsobj, &err) < 0) {
			free(path);
			snprintf(out->detail, sizeof(out->detail), "namespace %.64s cannot be read: %.400s",
				 ns, err.msg);
			return;
		}
		free(path);
		kind_item = jget(jget(jget(nsobj, "metadata"), "annotations"), key);
		kind = cJSON_IsString(kind_item) ? kind_item->valuestring : "";
	}
	if (!strcmp(kind, "postgres-managed") || !strcmp(kind, "postgres-container")) {
		out->engine = "postgresql";
		out->mode = kind[9] == 'm' ? "managed" : "container";
	} else if (!strcmp(kind, "oracle")) {
		out->engine = "oracle";
		out->mode = "handoff";
	} else {
		snprintf(out->detail, sizeof(out->detail), "namespace %s names no database (annotation %s)", ns, key);
		goto out;
	}
	path = k8s_path(NULL, "v1", ns, "secrets", "db-credentials");
	have_secret = k8s_get(c, path, &secret, &err) == 0;
	free(path);
	if (!have_secret && err.http != 404) {
		snprintf(out->detail, sizeof(out->detail), "Secret db-credentials cannot be read: %.400s", err.msg);
		goto out;
	}
	secret_value(secret, "username", out->user, sizeof(out->user));
	secret_value(secret, "host", out->host, sizeof(out->host));
	secret_value(secret, "database", out->name, sizeof(out->name));
	secret_value(secret, "port", port, sizeof(port));
	out->port = atoi(port) > 0 ? atoi(port) : !strcmp(out->engine, "oracle") ? 1521 : 5432;
	if (!out->name[0])
		util_strlcpy(out->name, out->user, sizeof(out->name));
	if (!out->host[0] && !strcmp(out->mode, "container"))
		snprintf(out->host, sizeof(out->host), "postgres.%s.svc", ns);
	if (!strcmp(out->mode, "handoff")) {
		oracle_state(nsobj, prefix, have_secret, out);
	} else if (!strcmp(out->mode, "container")) {
		container_state(c, ns, out);
	} else if (!have_secret) {
		out->state = "missing";
		snprintf(out->detail, sizeof(out->detail), "Secret db-credentials does not exist: the database was "
							   "not provisioned");
	} else if (!out->host[0] || !out->user[0]) {
		snprintf(out->detail, sizeof(out->detail), "Secret db-credentials lacks the host or username");
	} else if (timeout_s < 0) {
		snprintf(out->detail, sizeof(out->detail), "not checked live");
	} else {
		managed_state(secret, timeout_s, out);
	}
out:
	cJSON_Delete(nsobj);
	cJSON_Delete(secret);
}
