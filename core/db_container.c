/* core/db_container.c — a dev PostgreSQL's objects; see db_container.h. */
#include <stdio.h>
#include <string.h>

#include "core/db_container.h"
#include "core/db_password.h"
#include "core/db_secret.h"
#include "core/plan.h"
#include "core/tcode.h"
#include "util/base64.h"
#include "util/util.h"

static void putp(const db_container *d, cJSON *labels, const char *name, const char *value)
{
	char key[128];

	tcode_key(d->prefix, name, key, sizeof(key));
	cJSON_AddStringToObject(labels, key, value);
}

static cJSON *object(const db_container *d, const char *av, const char *kind, const char *name,
		     cJSON **labels)
{
	cJSON *o = cJSON_CreateObject(), *meta;

	cJSON_AddStringToObject(o, "apiVersion", av);
	cJSON_AddStringToObject(o, "kind", kind);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", d->ns);
	*labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(*labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	putp(d, *labels, "tcode", d->tcode);
	putp(d, *labels, "env", d->env);
	putp(d, *labels, "product", "erp");
	return o;
}

const char *db_container_size(const char *plan_size)
{
	if (!plan_size || !*plan_size || !strcmp(plan_size, "m"))
		return "20Gi";
	if (!strcmp(plan_size, "s"))
		return "10Gi";
	if (!strcmp(plan_size, "l"))
		return "50Gi";
	return NULL;
}

void db_container_host(const db_container *d, char *out, size_t size)
{
	snprintf(out, size, "%s.%s.svc", DB_CONTAINER_NAME, d->ns);
}

static void put_b64(cJSON *data, const char *k, const char *v)
{
	char *b = util_base64_encode(v, strlen(v));

	cJSON_AddStringToObject(data, k, b);
	db_password_wipe(b, strlen(b));
	free(b);
}

cJSON *db_container_secret(const db_container *d, const char *password)
{
	cJSON *labels, *o = object(d, "v1", "Secret", DB_SECRET_NAME, &labels), *data;
	char host[128];

	putp(d, labels, "component", "database");
	cJSON_AddStringToObject(o, "type", "Opaque");
	data = cJSON_AddObjectToObject(o, "data");
	db_container_host(d, host, sizeof(host));
	put_b64(data, "username", d->name);
	put_b64(data, "password", password);
	put_b64(data, "host", host);
	put_b64(data, "port", "5432");
	put_b64(data, "database", d->name);
	return o;
}

static cJSON *selector(const db_container *d)
{
	cJSON *m = cJSON_CreateObject();

	putp(d, m, "tcode", d->tcode);
	putp(d, m, "component", DB_CONTAINER_NAME);
	return m;
}

cJSON *db_container_service(const db_container *d)
{
	cJSON *labels, *o = object(d, "v1", "Service", DB_CONTAINER_NAME, &labels), *spec, *port;

	putp(d, labels, "component", DB_CONTAINER_NAME);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "clusterIP", "None");
	cJSON_AddItemToObject(spec, "selector", selector(d));
	port = cJSON_CreateObject();
	cJSON_AddStringToObject(port, "name", "postgres");
	cJSON_AddNumberToObject(port, "port", DB_CONTAINER_PORT);
	cJSON_AddNumberToObject(port, "targetPort", DB_CONTAINER_PORT);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "ports"), port);
	return o;
}

static void env_from_secret(cJSON *env, const char *name, const char *key)
{
	cJSON *e = cJSON_CreateObject(), *ref;

	cJSON_AddStringToObject(e, "name", name);
	ref = cJSON_AddObjectToObject(cJSON_AddObjectToObject(e, "valueFrom"), "secretKeyRef");
	cJSON_AddStringToObject(ref, "name", DB_SECRET_NAME);
	cJSON_AddStringToObject(ref, "key", key);
	cJSON_AddItemToArray(env, e);
}

cJSON *db_container_statefulset(const db_container *d)
{
	cJSON *labels, *o = object(d, "apps/v1", "StatefulSet", DB_CONTAINER_NAME, &labels);
	cJSON *spec, *tpl, *tmeta, *tlabels, *pspec, *c, *env, *e, *port, *probe, *cmd, *mount, *vct, *claim,
	    *cspec, *req, *modes;
	char check[160];

	putp(d, labels, "component", DB_CONTAINER_NAME);
	putp(d, labels, "tier", "base");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddNumberToObject(spec, "replicas", 1);
	cJSON_AddStringToObject(spec, "serviceName", DB_CONTAINER_NAME);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(spec, "selector"), "matchLabels", selector(d));
	tpl = cJSON_AddObjectToObject(spec, "template");
	tmeta = cJSON_AddObjectToObject(tpl, "metadata");
	tlabels = selector(d);
	putp(d, tlabels, "env", d->env);
	cJSON_AddItemToObject(tmeta, "labels", tlabels);
	pspec = cJSON_AddObjectToObject(tpl, "spec");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", DB_CONTAINER_NAME);
	cJSON_AddStringToObject(c, "image", DB_CONTAINER_IMAGE);
	env = cJSON_AddArrayToObject(c, "env");
	env_from_secret(env, "POSTGRES_USER", "username");
	env_from_secret(env, "POSTGRES_PASSWORD", "password");
	env_from_secret(env, "POSTGRES_DB", "database");
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "PGDATA");
	cJSON_AddStringToObject(e, "value", "/var/lib/postgresql/data/pgdata");
	cJSON_AddItemToArray(env, e);
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "name", "POSTGRES_INITDB_ARGS");
	cJSON_AddStringToObject(e, "value", "--encoding=WIN1252 --lc-collate=C --lc-ctype=C");
	cJSON_AddItemToArray(env, e);
	port = cJSON_CreateObject();
	cJSON_AddStringToObject(port, "name", "postgres");
	cJSON_AddNumberToObject(port, "containerPort", DB_CONTAINER_PORT);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "ports"), port);
	probe = cJSON_AddObjectToObject(c, "readinessProbe");
	cmd = cJSON_AddArrayToObject(cJSON_AddObjectToObject(probe, "exec"), "command");
	cJSON_AddItemToArray(cmd, cJSON_CreateString("sh"));
	cJSON_AddItemToArray(cmd, cJSON_CreateString("-c"));
	snprintf(check, sizeof(check), "pg_isready -h 127.0.0.1 -p %d -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"",
		 DB_CONTAINER_PORT);
	cJSON_AddItemToArray(cmd, cJSON_CreateString(check));
	cJSON_AddNumberToObject(probe, "periodSeconds", 5);
	mount = cJSON_CreateObject();
	cJSON_AddStringToObject(mount, "name", "data");
	cJSON_AddStringToObject(mount, "mountPath", "/var/lib/postgresql/data");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "volumeMounts"), mount);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pspec, "containers"), c);
	vct = cJSON_AddArrayToObject(spec, "volumeClaimTemplates");
	claim = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(claim, "metadata"), "name", "data");
	cspec = cJSON_AddObjectToObject(claim, "spec");
	modes = cJSON_AddArrayToObject(cspec, "accessModes");
	cJSON_AddItemToArray(modes, cJSON_CreateString("ReadWriteOnce"));
	req = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cspec, "resources"), "requests");
	cJSON_AddStringToObject(req, "storage", d->size);
	cJSON_AddItemToArray(vct, claim);
	return o;
}
