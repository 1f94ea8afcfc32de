/* core/db_handoff.c — see db_handoff.h. */
#include <stdio.h>
#include <string.h>

#include "core/db_handoff.h"
#include "core/db_password.h"
#include "core/db_secret.h"
#include "core/oracle_handoff.h"
#include "core/step_roll.h"
#include "util/base64.h"

static int failed(const k8s_err *e, char *err, size_t errsz, int *unreachable, const char *what)
{
	if (unreachable)
		*unreachable = e->http == 0;
	return util_seterr(err, errsz, "%s: %s", what, e->msg);
}

int db_handoff_script(k8s_client *c, const char *ns, strbuf *out, char *err, size_t errsz, int *unreachable)
{
	char *path = k8s_path("", "v1", ns, "configmaps", ORACLE_HANDOFF_CM);
	cJSON *cm = NULL;
	const cJSON *v;
	k8s_err e;
	int rc = k8s_get(c, path, &cm, &e);

	free(path);
	if (unreachable)
		*unreachable = 0;
	if (rc < 0 && e.http == 404)
		return util_seterr(err, errsz, "%s has no ConfigMap %s: no Oracle hand-off was planned for it (smartops apply database)",
				   ns, ORACLE_HANDOFF_CM);
	if (rc < 0)
		return failed(&e, err, errsz, unreachable, "cannot read the DBA's script");
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "data"), ORACLE_HANDOFF_KEY);
	if (!cJSON_IsString(v)) {
		cJSON_Delete(cm);
		return util_seterr(err, errsz, "ConfigMap %s/%s has no key %s", ns, ORACLE_HANDOFF_CM, ORACLE_HANDOFF_KEY);
	}
	sb_adds(out, v->valuestring);
	cJSON_Delete(cm);
	return 0;
}

int db_handoff_done(k8s_client *c, const char *prefix, const char *ns, char *err, size_t errsz, int *unreachable)
{
	char *path = k8s_path("", "v1", NULL, "namespaces", ns), key[96], *text;
	cJSON *o = NULL, *ann;
	const char *have;
	k8s_err e;
	int rc;

	if (unreachable)
		*unreachable = 0;
	rc = k8s_get(c, path, &o, &e);
	if (rc < 0) {
		free(path);
		return failed(&e, err, errsz, unreachable, "cannot read the namespace");
	}
	tcode_key(prefix, ORACLE_HANDOFF_ANNOTATION, key, sizeof(key));
	have = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "annotations"), key));
	rc = have && (!strcmp(have, "pending") || !strcmp(have, "done"));
	cJSON_Delete(o);
	if (!rc) {
		free(path);
		return util_seterr(err, errsz, "namespace %s has no Oracle hand-off (annotation %s): nothing to mark done", ns, key);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Namespace");
	ann = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(ann, "name", ns);
	ann = cJSON_AddObjectToObject(ann, "annotations");
	cJSON_AddStringToObject(ann, key, "done");
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rc = k8s_apply_as(c, path, text, STEP_ROLL_MANAGER, 0, NULL, &e);
	cJSON_free(text);
	free(path);
	return rc < 0 ? failed(&e, err, errsz, unreachable, "cannot mark the hand-off done") : 0;
}

int db_handoff_password(k8s_client *c, const char *prefix, const char *ns, const char *tcode, const char *password,
			char *err, size_t errsz, int *unreachable)
{
	db_secret_obs so;
	char *path, *b64, *text;
	cJSON *patch;
	k8s_err e;
	int rc;

	if (unreachable)
		*unreachable = 0;
	if (db_secret_read(c, prefix, ns, tcode, &so, &e) < 0)
		return failed(&e, err, errsz, unreachable, "cannot read Secret db-credentials");
	if (!so.exists || !so.ours)
		return util_seterr(err, errsz, "Secret %s/%s %s: plan the database first (smartops apply database)", ns,
				   DB_SECRET_NAME, so.exists ? "was not made by smartops" : "does not exist");
	patch = cJSON_CreateObject();
	b64 = util_base64_encode(password, strlen(password));
	cJSON_AddStringToObject(cJSON_AddObjectToObject(patch, "data"), "password", b64);
	db_password_wipe(b64, strlen(b64));
	free(b64);
	text = cJSON_PrintUnformatted(patch);
	{
		cJSON *pw = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(patch, "data"), "password");
		db_password_wipe(pw->valuestring, strlen(pw->valuestring));
	}
	cJSON_Delete(patch);
	path = k8s_path("", "v1", ns, "secrets", DB_SECRET_NAME);
	rc = k8s_merge_patch(c, path, text, 0, NULL, &e);
	db_password_wipe(text, strlen(text));
	cJSON_free(text);
	free(path);
	return rc < 0 ? failed(&e, err, errsz, unreachable, "cannot write Secret db-credentials") : 0;
}
