/* core/db_secret.c — Secret db-credentials; see db_secret.h. */
#include <stdio.h>
#include <string.h>

#include "core/db_password.h"
#include "core/db_secret.h"
#include "core/plan.h"
#include "core/tcode.h"
#include "util/base64.h"
#include "util/util.h"

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void key(const char *prefix, const char *name, char *buf, size_t size)
{
	tcode_key(prefix, name, buf, size);
}

static char *secret_path(const char *ns, const char *name)
{
	return k8s_path("", "v1", ns, "secrets", name);
}

/* A data key decoded into out ("" when absent). */
static void data_key(const cJSON *data, const char *k, char *out, size_t size)
{
	const char *v = jstr(data, k);
	size_t n = 0;
	char *d;

	out[0] = '\0';
	if (!v)
		return;
	d = util_base64_decode(v, strlen(v), &n, 0);
	if (!d)
		return;
	util_strlcpy(out, d, size);
	db_password_wipe(d, n);
	free(d);
}

int db_secret_read(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		   db_secret_obs *o, k8s_err *err)
{
	char *path = secret_path(ns, DB_SECRET_NAME), k[128], run_label[96];
	cJSON *live = NULL, *labels, *data;
	const char *v;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = k8s_get(c, path, &live, err);
	free(path);
	if (rc < 0)
		return err->http == 404 ? 0 : -1;
	o->exists = 1;
	labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "metadata"),
						  "labels");
	key(prefix, "tcode", k, sizeof(k));
	o->ours = (v = jstr(labels, PLAN_LABEL_MANAGED)) && !strcmp(v, PLAN_MANAGER) &&
		  (v = jstr(labels, k)) && !strcmp(v, tcode);
	plan_run_label(prefix, run_label, sizeof(run_label));
	util_strlcpy(o->run, (v = jstr(labels, run_label)) ? v : "", sizeof(o->run));
	v = jstr(cJSON_GetObjectItemCaseSensitive(live, "metadata"), "uid");
	util_strlcpy(o->uid, v ? v : "", sizeof(o->uid));
	data = cJSON_GetObjectItemCaseSensitive(live, "data");
	data_key(data, "username", o->username, sizeof(o->username));
	data_key(data, "host", o->host, sizeof(o->host));
	data_key(data, "port", o->port, sizeof(o->port));
	data_key(data, "database", o->database, sizeof(o->database));
	v = jstr(data, "password");
	o->has_password = v && *v;
	/* the password's base64 text was in the answer: wipe it before freeing */
	{
		cJSON *pw = cJSON_GetObjectItemCaseSensitive(data, "password");

		if (cJSON_IsString(pw))
			db_password_wipe(pw->valuestring, strlen(pw->valuestring));
	}
	cJSON_Delete(live);
	return 0;
}

static void put_data(cJSON *data, const char *k, const char *v)
{
	char *b = util_base64_encode(v ? v : "", v ? strlen(v) : 0);

	cJSON_AddStringToObject(data, k, b);
	db_password_wipe(b, strlen(b));
	free(b);
}

/* The Secret as JSON text (wipe and free it). */
static char *secret_text(const char *prefix, const char *ns, const char *tcode, const char *env,
			 const char *run, const db_secret_fields *f, int with_labels)
{
	cJSON *o = cJSON_CreateObject(), *meta, *labels, *data, *pw;
	char k[128], *text, *ret;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Secret");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", DB_SECRET_NAME);
	cJSON_AddStringToObject(meta, "namespace", ns);
	if (with_labels) {
		labels = cJSON_AddObjectToObject(meta, "labels");
		cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
		key(prefix, "tcode", k, sizeof(k));
		cJSON_AddStringToObject(labels, k, tcode);
		key(prefix, "env", k, sizeof(k));
		cJSON_AddStringToObject(labels, k, env);
		key(prefix, "component", k, sizeof(k));
		cJSON_AddStringToObject(labels, k, "database");
		if (run && *run) {
			plan_run_label(prefix, k, sizeof(k));
			cJSON_AddStringToObject(labels, k, run);
		}
	}
	cJSON_AddStringToObject(o, "type", "Opaque");
	data = cJSON_AddObjectToObject(o, "data");
	put_data(data, "username", f->username);
	put_data(data, "password", f->password);
	put_data(data, "host", f->host);
	put_data(data, "port", f->port);
	put_data(data, "database", f->database);
	text = cJSON_PrintUnformatted(o);
	pw = cJSON_GetObjectItemCaseSensitive(data, "password");
	db_password_wipe(pw->valuestring, strlen(pw->valuestring));
	cJSON_Delete(o);
	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	db_password_wipe(text, strlen(text));
	cJSON_free(text);
	return ret;
}

int db_secret_write(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		    const char *env, const char *run, const db_secret_fields *f, int dry_run,
		    k8s_err *err)
{
	db_secret_obs o;
	char *path, *text;
	int rc, flags = dry_run ? K8S_DRY_RUN : 0;

	if (db_secret_read(c, prefix, ns, tcode, &o, err) < 0)
		return -1;
	if (o.exists && !o.ours) {
		k8s_err_clear(err);
		err->http = 409;
		snprintf(err->msg, sizeof(err->msg),
			 "Secret %s/%s exists and is not smartops's (no managed-by label for %s): it is left alone",
			 ns, DB_SECRET_NAME, tcode);
		return -1;
	}
	if (o.exists) {
		/* ours: only its keys change (a merge patch of data), its labels stay */
		cJSON *patch = cJSON_CreateObject(), *data = cJSON_AddObjectToObject(patch, "data");
		char *t;

		put_data(data, "username", f->username);
		put_data(data, "password", f->password);
		put_data(data, "host", f->host);
		put_data(data, "port", f->port);
		put_data(data, "database", f->database);
		t = cJSON_PrintUnformatted(patch);
		{
			cJSON *pw = cJSON_GetObjectItemCaseSensitive(data, "password");
			db_password_wipe(pw->valuestring, strlen(pw->valuestring));
		}
		cJSON_Delete(patch);
		if (!t)
			die("out of memory");
		path = secret_path(ns, DB_SECRET_NAME);
		rc = k8s_merge_patch(c, path, t, flags, NULL, err);
		db_password_wipe(t, strlen(t));
		cJSON_free(t);
		free(path);
		return rc;
	}
	text = secret_text(prefix, ns, tcode, env, run, f, 1);
	path = k8s_path("", "v1", ns, "secrets", NULL);
	rc = k8s_create(c, path, text, flags, NULL, err);
	db_password_wipe(text, strlen(text));
	free(text);
	free(path);
	return rc;
}

int db_secret_delete(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		     k8s_err *err)
{
	db_secret_obs o;
	char *path;
	int rc;

	if (db_secret_read(c, prefix, ns, tcode, &o, err) < 0)
		return -1;
	if (!o.exists || !o.ours)
		return 0;
	path = secret_path(ns, DB_SECRET_NAME);
	rc = k8s_delete(c, path, 0, err);
	free(path);
	return rc < 0 && err->http != 404 ? -1 : 0;
}

int db_secret_password(k8s_client *c, const char *ns, const char *name, char *out, size_t size,
		       k8s_err *err)
{
	char *path = secret_path(ns, name);
	cJSON *live = NULL, *pw;
	int rc;

	out[0] = '\0';
	rc = k8s_get(c, path, &live, err);
	free(path);
	if (rc < 0)
		return err->http == 404 ? 1 : -1;
	pw = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "data"), "password");
	if (cJSON_IsString(pw)) {
		data_key(cJSON_GetObjectItemCaseSensitive(live, "data"), "password", out, size);
		db_password_wipe(pw->valuestring, strlen(pw->valuestring));
	}
	cJSON_Delete(live);
	out[strcspn(out, "\r\n")] = '\0';
	return out[0] ? 0 : 1;
}
