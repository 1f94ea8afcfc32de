/* sim/platform.c — the platform's configuration objects; see platform.h. */
#include <errno.h>
#include <stdio.h>

#include "sim/platform.h"
#include "util/base64.h"
#include "util/util.h"

static int holds_password(const char *c)
{
	const char *at, *scheme;

	if (strstr(c, "password=") || strstr(c, "password ="))
		return 1;
	/* postgresql://user:secret@host */
	scheme = strstr(c, "://");
	if (!scheme)
		return 0;
	at = strchr(scheme + 3, '@');
	return at && memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) != NULL;
}

static int ensure_ns(sim_store *s, char *errbuf, size_t errsize)
{
	const sim_resource *r = sim_resource_find("", "v1", "namespaces");
	cJSON *o = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" SIM_PLATFORM_NS
			       "\",\"labels\":{\"app.kubernetes.io/part-of\":\"smartops\"}}}");
	sim_err err;
	int rc = sim_store_create(s, r, "", o, 0, NULL, &err);

	cJSON_Delete(o);
	if (rc < 0 && err.code != 409)
		return util_seterr(errbuf, errsize, "cannot create namespace %s: %s", SIM_PLATFORM_NS, err.message);
	return 0;
}

static int set_key_fn(cJSON *obj, void *ctx, sim_err *err)
{
	const char *const *kv = ctx;
	cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");

	if (!cJSON_IsObject(data)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "data");
		data = cJSON_AddObjectToObject(obj, "data");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(data, kv[0]);
	cJSON_AddStringToObject(data, kv[0], kv[1]);
	return 0;
}

/* Creates ns/name of res with data {key: value}, or sets that key in the one there. */
static int put_key(sim_store *s, const char *plural, const char *kind, const char *name, const char *key,
		   const char *value, char *errbuf, size_t errsize)
{
	const sim_resource *r = sim_resource_find("", "v1", plural);
	const char *kv[2] = {key, value};
	cJSON *o = cJSON_CreateObject(), *meta;
	sim_err err;
	int rc;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", kind);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"), "app.kubernetes.io/part-of", "smartops");
	if (!strcmp(kind, "Secret"))
		cJSON_AddStringToObject(o, "type", "Opaque");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), key, value);
	rc = sim_store_create(s, r, SIM_PLATFORM_NS, o, 0, NULL, &err);
	cJSON_Delete(o);
	if (rc < 0 && err.code == 409)
		rc = sim_store_mutate(s, r, SIM_PLATFORM_NS, name, set_key_fn, (void *)kv, 0, NULL, &err);
	if (rc < 0)
		return util_seterr(errbuf, errsize, "cannot write %s %s/%s: %s", kind, SIM_PLATFORM_NS, name,
				   err.message);
	return 0;
}

static int read_password(const char *path, char **out, char *errbuf, size_t errsize)
{
	FILE *f = fopen(path, "r");
	strbuf sb;
	char buf[256];
	size_t n;

	*out = NULL;
	if (!f)
		return util_seterr(errbuf, errsize, "--managed-postgres-password-file %s: %s", path, strerror(errno));
	sb_init(&sb, 64);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	explicit_bzero(buf, sizeof(buf));
	sb.len = strcspn(sb.buf, "\r\n");
	sb.buf[sb.len] = '\0';
	if (!sb.len) {
		sb_release(&sb);
		return util_seterr(errbuf, errsize, "--managed-postgres-password-file %s: the first line is empty", path);
	}
	*out = sb_detach(&sb, NULL);
	return 0;
}

int sim_platform_managed_postgres(sim_store *s, const char *conninfo, const char *password_file, char *errbuf,
				  size_t errsize)
{
	char *pw = NULL, *b64 = NULL;
	int rc = -1;

	if (!conninfo || !*conninfo)
		return util_seterr(errbuf, errsize, "--managed-postgres needs a libpq connection string, e.g. "
						    "\"host=pg.example port=5432 user=smartops_admin sslmode=verify-full\"");
	if (holds_password(conninfo))
		return util_seterr(errbuf, errsize, "--managed-postgres: the connection string holds a password; "
						    "give it with --managed-postgres-password-file instead");
	if (password_file && read_password(password_file, &pw, errbuf, errsize))
		return -1;
	if (ensure_ns(s, errbuf, errsize) ||
	    put_key(s, "configmaps", "ConfigMap", SIM_PLATFORM_CONFIGMAP, "postgres.conninfo", conninfo, errbuf, errsize))
		goto out;
	if (pw) {
		b64 = util_base64_encode(pw, strlen(pw));
		if (put_key(s, "secrets", "Secret", SIM_PLATFORM_PG_SECRET, "password", b64, errbuf, errsize))
			goto out;
	}
	rc = 0;
out:
	if (pw)
		explicit_bzero(pw, strlen(pw));
	if (b64)
		explicit_bzero(b64, strlen(b64));
	free(pw);
	free(b64);
	return rc;
}
