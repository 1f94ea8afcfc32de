/* The database wizard (see core/wizard_db.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/db_container.h"
#include "core/db_password.h"
#include "core/db_secret.h"
#include "core/oracle_handoff.h"
#include "core/db_plan.h"
#include "core/db_spec.h"
#include "core/dbaccess_ini.h"
#include "core/pg_conn.h"
#include "core/provision_ns.h"
#include "core/step_pg.h"
#include "core/step_roll.h"
#include "core/tcode.h"
#include "core/wizard_db.h"
#include "core/wizard_ns.h"
#include "util/base64.h"
#include "util/util.h"

static const wizard_input inputs[] = {
    {"tcode", "the customer's TCODE, e.g. T12345 (a SMART ERP tenant)", NULL, NULL, NULL, 0},
    {"env", "prod (the managed PostgreSQL) or dev (PostgreSQL as a container)", "prod", NULL, "prod,dev", 0},
    {"pgConninfo",
     "the PostgreSQL server for this run, a libpq connection string with no password; default: "
     "ConfigMap smart-platform, key postgres.conninfo, in smartops-system",
     "", "pg-conninfo", NULL, WIZARD_INPUT_ONLY_ERP},
    {"size", "dev: the database's claim, s 10Gi, m 20Gi, l 50Gi", "m", NULL, "s,m,l", WIZARD_INPUT_ONLY_ERP},
    {"oracleHost", "eSocial: the Oracle server's host (Oracle is handed off to the DBA)", "", "oracle-host", NULL, WIZARD_INPUT_ONLY_ESOCIAL},
    {"oraclePort", "eSocial: its port", ORACLE_DEFAULT_PORT, "oracle-port", NULL, WIZARD_INPUT_ONLY_ESOCIAL},
    {"oracleService", "eSocial: the database's service name, e.g. ESOCIAL", "", "oracle-service", NULL, WIZARD_INPUT_ONLY_ESOCIAL},
    {"oracleUser", "eSocial: the Oracle user; default the alias in capitals, e.g. T12345_PROD", "", "oracle-user", NULL, WIZARD_INPUT_ONLY_ESOCIAL},
    {"oraclePassword",
     "eSocial: the Oracle user's password, typed once (masked) into Secret db-credentials; left empty, the DBA "
     "chooses it (smartops db set-password)",
     "", "oracle-password", NULL, WIZARD_INPUT_SECRET | WIZARD_INPUT_ONLY_ESOCIAL},
};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

typedef struct db_build {
	const wizard_ctx *c;
	char tcode[TCODE_SIZE];
	char env[8];
	tcode_env tenv;
	char ns[TCODE_NS_SIZE];
	char conninfo[STEP_PG_CONNINFO_MAX + 1];
	int conninfo_typed;
	char host[256], port[16];
	db_spec spec;
	cJSON *ini_cm;	 /* ConfigMap dbaccess-ini as read (owned) */
	char *ini_text;	 /* dbaccess.ini as it will be (owned) */
	int sleeping;	 /* Hypnus has the env asleep */
	int db_replicas; /* DbAccess's replica count */
	int container;	 /* PostgreSQL as a container in the namespace (dev) */
	const char *size; /* its claim's size */
	char size_in[4];  /* the plan size typed: s, m, l */
	int oracle;	  /* eSocial: Oracle handed off */
	oracle_target ora;
	char ora_user[64];
	const char *ora_password; /* typed in the console (a secret input), or NULL: the DBA's */
	char handoff[16]; /* the namespace's db-handoff annotation: "", pending, done */
	char *err;
	size_t errsz;
	wizard_fail *fail;
	k8s_err *kerr;
} db_build;

#define refuse(b, ...) (*(b)->fail = WIZARD_FAIL_REFUSED, util_seterr((b)->err, (b)->errsz, __VA_ARGS__))

/* GET path: 0 (found), 1 (404), -1 (no answer: fail CLUSTER). */
static int get(db_build *b, const char *path, cJSON **out)
{
	return wizard_get(b->c, path, out, b->fail, b->kerr, b->err, b->errsz);
}

/* The namespace must exist and say its database is the managed PostgreSQL. */
static int read_namespace(db_build *b)
{
	char path[128], key[96];
	cJSON *ns;
	const char *mode;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s", b->ns);
	if ((rc = get(b, path, &ns)) < 0)
		return -1;
	if (rc > 0)
		return refuse(b, "namespace %s does not exist: make it first with `smartops apply namespace --tcode %s`",
			      b->ns, b->tcode);
	tcode_key(b->c->prefix, "db", key, sizeof(key));
	mode = jstr(jget(jget(ns, "metadata"), "annotations"), key);
	rc = 0;
	b->container = !b->oracle && (mode ? !strcmp(mode, "postgres-container") : b->tenv == TCODE_ENV_DEV);
	{
		char hk[96];
		const char *h;

		tcode_key(b->c->prefix, ORACLE_HANDOFF_ANNOTATION, hk, sizeof(hk));
		h = jstr(jget(jget(ns, "metadata"), "annotations"), hk);
		util_strlcpy(b->handoff, h ? h : "", sizeof(b->handoff));
	}
	if (b->oracle && mode && strcmp(mode, "oracle"))
		rc = refuse(b, "namespace %s has %s=%.40s, but an eSocial tenant's database is Oracle; nothing was changed",
			    b->ns, key, mode);
	else if (b->oracle)
		rc = 0;
	else if (mode && !strcmp(mode, "oracle"))
		rc = refuse(b, "namespace %s uses Oracle (%s=oracle), which only eSocial tenants have; nothing was changed",
			    b->ns, key);
	else if (mode && strcmp(mode, "postgres-managed") && strcmp(mode, "postgres-container"))
		rc = refuse(b, "namespace %s has %s=\"%.40s\", not postgres-managed nor postgres-container; nothing was changed",
			    b->ns, key, mode);
	cJSON_Delete(ns);
	return rc;
}

/* The server: typed for this run, else the platform's. */
static int pick_server(db_build *b, const char *typed)
{
	char why[300];
	k8s_err e;
	int rc;

	if (typed && *typed) {
		/* a run's inputs keep at most 127 characters (a longer value would have
		 * been cut short on its way here) */
		if (strlen(typed) >= sizeof(((plan_input *)0)->value) - 1)
			return refuse(b, "--pg-conninfo is too long (at most %zu characters): name a service (service=NAME) instead",
				      sizeof(((plan_input *)0)->value) - 2);
		util_strlcpy(b->conninfo, typed, sizeof(b->conninfo));
		b->conninfo_typed = 1;
	} else {
		char buf[1024];

		rc = step_pg_platform_conninfo(b->c->client, buf, sizeof(buf), &e);
		if (rc < 0) {
			*b->kerr = e;
			*b->fail = WIZARD_FAIL_CLUSTER;
			return util_seterr(b->err, b->errsz, "cannot read ConfigMap %s/%s: %s", STEP_PG_PLATFORM_NS,
					   STEP_PG_PLATFORM_CM, e.msg);
		}
		if (rc > 0)
			return refuse(b,
				      "no managed PostgreSQL is configured: ConfigMap %s/%s has no key %s; set it (a libpq connection string with no password) or give --pg-conninfo",
				      STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_CM, STEP_PG_PLATFORM_KEY);
		if (strlen(buf) > STEP_PG_CONNINFO_MAX)
			return refuse(b, "%s in ConfigMap %s/%s is longer than %d characters: name a service (service=NAME) instead",
				      STEP_PG_PLATFORM_KEY, STEP_PG_PLATFORM_NS, STEP_PG_PLATFORM_CM, STEP_PG_CONNINFO_MAX);
		util_strlcpy(b->conninfo, buf, sizeof(b->conninfo));
	}
	if (step_pg_server(b->conninfo, b->host, sizeof(b->host), b->port, sizeof(b->port), why, sizeof(why)) < 0)
		return refuse(b, "%s: %s", b->conninfo_typed ? "--pg-conninfo" : STEP_PG_PLATFORM_KEY, why);
	return 0;
}

/* dbaccess.ini as it will be: [POSTGRES/<alias>] naming the server, database and user. */
static int read_dbaccess(db_build *b)
{
	char *path = k8s_path("", "v1", b->ns, "configmaps", "dbaccess-ini"), section[96], oracle[96];
	const char *text;
	int rc = get(b, path, &b->ini_cm);
	dbaccess_kv kv[4] = {{"Server", b->host}, {"Port", b->port}, {"Database", b->spec.name},
			     {"User", b->spec.name}};
	const char *drop[2] = {oracle, NULL};

	free(path);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return refuse(b, "ConfigMap %s/dbaccess-ini does not exist: make the namespace first with `smartops apply namespace --tcode %s`",
			      b->ns, b->tcode);
	text = jstr(jget(b->ini_cm, "data"), "dbaccess.ini");
	if (!text)
		return refuse(b, "ConfigMap %s/dbaccess-ini has no key dbaccess.ini", b->ns);
	snprintf(section, sizeof(section), "POSTGRES/%s", b->spec.name);
	snprintf(oracle, sizeof(oracle), "ORACLE/%s", b->spec.name);
	if (b->oracle) {
		dbaccess_kv okv[4] = {{"Server", b->ora.host}, {"Port", b->ora.port}, {"Service", b->ora.service},
				      {"User", b->ora.user}};
		const char *pdrop[2] = {section, NULL};

		b->ini_text = dbaccess_ini_set(text, oracle, okv, 4, pdrop);
		return 0;
	}
	b->ini_text = dbaccess_ini_set(text, section, kv, 4, drop);
	return 0;
}

/* DbAccess must exist; Hypnus's state says whether the env is asleep. */
static int read_workloads(db_build *b)
{
	char *path = k8s_path("apps", "v1", b->ns, "deployments", "dbaccess"), key[96];
	cJSON *d;
	const char *st;
	int rc = get(b, path, &d);

	free(path);
	if (rc < 0)
		return -1;
	{
		const cJSON *r = jget(jget(d, "spec"), "replicas");

		b->db_replicas = cJSON_IsNumber(r) ? r->valueint : 1;
	}
	cJSON_Delete(d);
	if (rc > 0)
		return refuse(b, "Deployment %s/dbaccess does not exist: make the namespace first with `smartops apply namespace --tcode %s`",
			      b->ns, b->tcode);
	path = k8s_path("apps", "v1", b->ns, "deployments", "hypnus");
	rc = get(b, path, &d);
	free(path);
	if (rc < 0)
		return -1;
	tcode_key(b->c->prefix, "hypnus-state", key, sizeof(key));
	st = jstr(jget(jget(d, "metadata"), "annotations"), key);
	b->sleeping = st && !strcmp(st, "sleeping");
	cJSON_Delete(d);
	return 0;
}

static cJSON *ini_body(const db_build *b)
{
	const cJSON *meta = jget(b->ini_cm, "metadata"), *l;
	cJSON *o = cJSON_CreateObject(), *m, *labels;
	char run_label[96];

	plan_run_label(b->c->prefix, run_label, sizeof(run_label));
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "ConfigMap");
	m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", "dbaccess-ini");
	cJSON_AddStringToObject(m, "namespace", b->ns);
	labels = cJSON_AddObjectToObject(m, "labels");
	/* its labels as they are (the run label is the engine's), so the apply keeps them */
	cJSON_ArrayForEach(l, jget(meta, "labels"))
		if (cJSON_IsString(l) && strcmp(l->string, run_label))
			cJSON_AddStringToObject(labels, l->string, l->valuestring);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), "dbaccess.ini", b->ini_text);
	return o;
}

static cJSON *roll_body(const db_build *b)
{
	cJSON *o = cJSON_CreateObject(), *m, *ann;
	char key[96], hash[17];

	cJSON_AddStringToObject(o, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(o, "kind", "Deployment");
	m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", "dbaccess");
	cJSON_AddStringToObject(m, "namespace", b->ns);
	ann = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "template"),
				    "metadata"),
	    "annotations");
	tcode_key(b->c->prefix, WIZARD_DB_ROLL_ANNOTATION, key, sizeof(key));
	dbaccess_ini_hash(b->ini_text, hash);
	cJSON_AddStringToObject(ann, key, hash);
	return o;
}

static int managed_plan(db_build *b, plan *out)
{
	char id_role[PLAN_ID_SIZE], id_db[PLAN_ID_SIZE], id_acc[PLAN_ID_SIZE], id_ini[PLAN_ID_SIZE];
	const char *n_role[2] = {id_role, NULL}, *n_db[2] = {id_db, NULL}, *n_acc[2] = {id_acc, NULL},
		   *n_ini[2] = {id_ini, NULL};
	int k;

	plan_init(out, "database", b->tcode);
	k = plan_add_exec(out, &step_pg_role, b->env, "database", "PostgreSQLRole", b->spec.name,
			  PLAN_WAIT_EXISTS, step_pg_body(&b->spec, DB_STEP_ROLE, b->conninfo, b->ns), NULL,
			  b->err, b->errsz);
	if (k < 0)
		return -1;
	plan_step_set_secret(out, (size_t)k, 1);
	util_strlcpy(id_role, out->steps[k].id, sizeof(id_role));
	k = plan_add_exec(out, &step_pg_database, b->env, "database", "PostgreSQLDatabase", b->spec.name,
			  PLAN_WAIT_EXISTS, step_pg_body(&b->spec, DB_STEP_DATABASE, b->conninfo, b->ns), n_role,
			  b->err, b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_db, out->steps[k].id, sizeof(id_db));
	k = plan_add_exec(out, &step_pg_access, b->env, "database", "PostgreSQLAccess", b->spec.name,
			  PLAN_WAIT_EXISTS, step_pg_body(&b->spec, DB_STEP_ACCESS, b->conninfo, b->ns), n_db,
			  b->err, b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_acc, out->steps[k].id, sizeof(id_acc));
	k = plan_add(out, b->env, "dbaccess", "configmaps", PLAN_WAIT_EXISTS, ini_body(b), n_acc, b->err,
		     b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_ini, out->steps[k].id, sizeof(id_ini));
	k = plan_add(out, b->env, "dbaccess", "deployments", PLAN_WAIT_READY,
		     roll_body(b), n_ini, b->err, b->errsz);
	if (k < 0)
		return -1;
	out->steps[k].exec = &step_roll;
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
	if (b->c->prefix && *b->c->prefix)
		plan_set_input(out, "prefix", b->c->prefix);
	plan_set_input(out, "tcode", b->tcode);
	plan_set_input(out, "env", b->env);
	if (b->conninfo_typed)
		plan_set_input(out, "pgConninfo", b->conninfo);
	return 0;
}

/* dev: Secret, headless Service, StatefulSet, then dbaccess.ini and the roll. */
static int container_plan(db_build *b, plan *out)
{
	char id_sec[PLAN_ID_SIZE], id_svc[PLAN_ID_SIZE], id_sts[PLAN_ID_SIZE], id_ini[PLAN_ID_SIZE];
	char password[DB_PASSWORD_SIZE];
	const char *n_sts[3] = {id_sec, id_svc, NULL}, *n_ini[2] = {id_sts, NULL}, *n_roll[2] = {id_ini, NULL};
	db_container d = {.prefix = b->c->prefix, .tcode = b->tcode, .env = b->env, .ns = b->ns,
			  .name = b->spec.name, .size = b->size};
	cJSON *secret;
	int k;

	plan_init(out, "database", b->tcode);
	if (db_password_generate(password) < 0)
		return refuse(b, "cannot read the kernel's random source to make a password");
	secret = db_container_secret(&d, password); /* a secret step's body: never shown nor journalled */
	db_password_wipe(password, sizeof(password));
	k = plan_add(out, b->env, "database", "secrets", PLAN_WAIT_EXISTS, secret, NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	plan_step_set_secret(out, (size_t)k, 1);
	util_strlcpy(id_sec, out->steps[k].id, sizeof(id_sec));
	k = plan_add(out, b->env, "database", "services", PLAN_WAIT_EXISTS, db_container_service(&d), NULL, b->err,
		     b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_svc, out->steps[k].id, sizeof(id_svc));
	k = plan_add(out, b->env, "database", "statefulsets", PLAN_WAIT_READY, db_container_statefulset(&d), n_sts,
		     b->err, b->errsz);
	if (k < 0)
		return -1;
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED); /* its data */
	util_strlcpy(id_sts, out->steps[k].id, sizeof(id_sts));
	k = plan_add(out, b->env, "dbaccess", "configmaps", PLAN_WAIT_EXISTS, ini_body(b), n_ini, b->err, b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_ini, out->steps[k].id, sizeof(id_ini));
	k = plan_add(out, b->env, "dbaccess", "deployments", PLAN_WAIT_READY, roll_body(b), n_roll, b->err,
		     b->errsz);
	if (k < 0)
		return -1;
	out->steps[k].exec = &step_roll;
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
	if (b->c->prefix && *b->c->prefix)
		plan_set_input(out, "prefix", b->c->prefix);
	plan_set_input(out, "tcode", b->tcode);
	plan_set_input(out, "env", b->env);
	plan_set_input(out, "size", b->size_in);
	return 0;
}

static cJSON *plain_object(const db_build *b, const char *kind, const char *name, cJSON **labels)
{
	cJSON *o = cJSON_CreateObject(), *m;
	char key[96];

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", kind);
	m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "namespace", b->ns);
	*labels = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(*labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	tcode_key(b->c->prefix, "tcode", key, sizeof(key));
	cJSON_AddStringToObject(*labels, key, b->tcode);
	tcode_key(b->c->prefix, "env", key, sizeof(key));
	cJSON_AddStringToObject(*labels, key, b->env);
	tcode_key(b->c->prefix, "product", key, sizeof(key));
	cJSON_AddStringToObject(*labels, key, "esocial");
	tcode_key(b->c->prefix, "component", key, sizeof(key));
	cJSON_AddStringToObject(*labels, key, "database");
	return o;
}

static void put64(cJSON *data, const char *k, const char *v)
{
	char *e = util_base64_encode(v, strlen(v));

	cJSON_AddStringToObject(data, k, e);
	free(e);
}

/* eSocial: dbaccess.ini, the Secret (no password: the DBA's), the DBA's script,
 * the namespace's hand-off annotation, DbAccess rolled. */
static int oracle_plan(db_build *b, plan *out)
{
	char id_ini[PLAN_ID_SIZE], id_sec[PLAN_ID_SIZE], key[96];
	const char *n_roll[3] = {id_ini, id_sec, NULL};
	cJSON *labels, *o, *data, *ann;
	strbuf sql;
	int k;

	plan_init(out, "database", b->tcode);
	k = plan_add(out, b->env, "dbaccess", "configmaps", PLAN_WAIT_EXISTS, ini_body(b), NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	util_strlcpy(id_ini, out->steps[k].id, sizeof(id_ini));
	o = plain_object(b, "Secret", DB_SECRET_NAME, &labels);
	cJSON_AddStringToObject(o, "type", "Opaque");
	data = cJSON_AddObjectToObject(o, "data");
	put64(data, "username", b->ora.user);
	/* typed once in the console, else the DBA's to choose: smartops db set-password */
	put64(data, "password", b->ora_password ? b->ora_password : "");
	put64(data, "host", b->ora.host);
	put64(data, "port", b->ora.port);
	put64(data, "database", b->ora.service);
	k = plan_add(out, b->env, "database", "secrets", PLAN_WAIT_EXISTS, o, NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	plan_step_set_secret(out, (size_t)k, 1);
	util_strlcpy(id_sec, out->steps[k].id, sizeof(id_sec));
	o = plain_object(b, "ConfigMap", ORACLE_HANDOFF_CM, &labels);
	sb_init(&sql, 1024);
	oracle_dba_script(&b->ora, b->ns, &sql);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), ORACLE_HANDOFF_KEY, sql.buf);
	sb_release(&sql);
	k = plan_add(out, b->env, "database", "configmaps", PLAN_WAIT_EXISTS, o, NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "Namespace");
	ann = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "metadata"), "annotations");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "name", b->ns);
	tcode_key(b->c->prefix, ORACLE_HANDOFF_ANNOTATION, key, sizeof(key));
	cJSON_AddStringToObject(ann, key, !strcmp(b->handoff, "done") ? "done" : "pending");
	k = plan_add(out, b->env, "database", "namespaces", PLAN_WAIT_EXISTS, o, NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	out->steps[k].exec = &step_roll; /* one annotation, as a manager of its own */
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
	k = plan_add(out, b->env, "dbaccess", "deployments", PLAN_WAIT_READY, roll_body(b), n_roll, b->err,
		     b->errsz);
	if (k < 0)
		return -1;
	out->steps[k].exec = &step_roll;
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
	if (b->c->prefix && *b->c->prefix)
		plan_set_input(out, "prefix", b->c->prefix);
	plan_set_input(out, "tcode", b->tcode);
	plan_set_input(out, "env", b->env);
	plan_set_input(out, "oracleHost", b->ora.host);
	plan_set_input(out, "oraclePort", b->ora.port);
	plan_set_input(out, "oracleService", b->ora.service);
	plan_set_input(out, "oracleUser", b->ora.user);
	return 0;
}


static int build(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err, size_t errsz,
		 wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz)
{
	db_build b = {.c = c, .err = err, .errsz = errsz, .fail = fail, .kerr = kerr};
	catalog_entry e;
	db_err derr;
	const char *v;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (note && notesz)
		note[0] = '\0';
	k8s_err_clear(kerr);
	*fail = WIZARD_FAIL_REFUSED;
	v = plan_inputs_find(in, n, "tcode");
	if (!v || tcode_parse(v, b.tcode, err, errsz) < 0)
		return v ? -1 : util_seterr(err, errsz, "--tcode T12345 is required");
	v = plan_inputs_find(in, n, "env");
	if (tcode_env_parse(v && *v ? v : "prod", &b.tenv) < 0)
		return util_seterr(err, errsz, "env \"%.20s\" is not prod or dev", v);
	util_strlcpy(b.env, tcode_env_name(b.tenv), sizeof(b.env));
	tcode_namespace(b.tcode, b.tenv, b.ns, sizeof(b.ns));
	if (db_spec_init(&b.spec, b.tcode, b.tenv, &derr) != DB_OK)
		return util_seterr(err, errsz, "%s", derr.msg);
	v = plan_inputs_find(in, n, "size");
	if (!v || !*v)
		v = "m";
	if (strlen(v) >= sizeof(b.size_in) || !(b.size = db_container_size(v)))
		return util_seterr(err, errsz, "size \"%.20s\" is not s, m or l", v);
	util_strlcpy(b.size_in, v, sizeof(b.size_in));
	v = plan_inputs_find(in, n, "pgConninfo");
	if (v && *v && pg_conn_check(v, &derr) != DB_OK)
		return util_seterr(err, errsz, "--pg-conninfo: %s", derr.msg);

	if (wizard_ns_contract(c, b.tcode, &e, err, errsz, fail, kerr) < 0)
		return -1;
	*fail = WIZARD_FAIL_REFUSED;
	b.oracle = provision_ns_is_esocial(&e);
	if (b.oracle) {
		const char *u = plan_inputs_find(in, n, "oracleUser");

		b.ora = (oracle_target){.tcode = b.tcode, .env = b.env, .host = plan_inputs_find(in, n, "oracleHost"),
					.port = plan_inputs_find(in, n, "oraclePort"), .service = plan_inputs_find(in, n, "oracleService")};
		if (!b.ora.port || !*b.ora.port)
			b.ora.port = ORACLE_DEFAULT_PORT;
		if (u && *u)
			util_strlcpy(b.ora_user, u, sizeof(b.ora_user));
		else
			oracle_default_user(b.tcode, b.env, b.ora_user, sizeof(b.ora_user));
		b.ora.user = b.ora_user;
		if (!b.ora.host || !*b.ora.host)
			return util_seterr(err, errsz,
					   "%s is a Smart eSocial tenant: its database is Oracle, handed off to the DBA; give --oracle-host and --oracle-service (and --oracle-port, --oracle-user if not 1521 and %s)",
					   b.tcode, b.ora_user);
		if (oracle_target_check(&b.ora, err, errsz) < 0)
			return -1;
		b.ora_password = plan_inputs_find(in, n, "oraclePassword");
		if (b.ora_password && !*b.ora_password)
			b.ora_password = NULL;
		if (b.ora_password && oracle_password_check(b.ora_password, err, errsz) < 0)
			return -1;
		if (v && *v)
			return util_seterr(err, errsz, "--pg-conninfo is for PostgreSQL: %s's database is Oracle", b.tcode);
	} else if (plan_inputs_find(in, n, "oracleHost") && *plan_inputs_find(in, n, "oracleHost")) {
		return util_seterr(err, errsz, "--oracle-host is for eSocial tenants: %s's database is PostgreSQL", b.tcode);
	} else if (plan_inputs_find(in, n, "oraclePassword") && *plan_inputs_find(in, n, "oraclePassword")) {
		return util_seterr(err, errsz,
				   "--oracle-password is for eSocial tenants: %s's database is PostgreSQL, whose password smartops makes",
				   b.tcode);
	}
	if (read_namespace(&b) < 0)
		goto out;
	if (b.oracle && b.ora_password) {
		/* the Secret step makes it only when absent: a password typed would be lost */
		char *path = k8s_path("", "v1", b.ns, "secrets", DB_SECRET_NAME);
		cJSON *sec;
		int rc = get(&b, path, &sec);

		free(path);
		cJSON_Delete(sec);
		if (rc < 0)
			goto out;
		if (rc == 0) {
			refuse(&b, "--oracle-password: Secret %s/%s exists: a password typed here would not reach it; leave "
				   "it empty and use smartops db set-password",
			       b.ns, DB_SECRET_NAME);
			goto out;
		}
	}
	if (b.oracle) {
		/* nothing of PostgreSQL */
	} else if (b.container) {
		if (v && *v)
			return refuse(&b, "--pg-conninfo is for the managed PostgreSQL: %s runs it as a container", b.ns);
		db_container_host(&(db_container){.ns = b.ns}, b.host, sizeof(b.host));
		snprintf(b.port, sizeof(b.port), "%d", DB_CONTAINER_PORT);
	} else if (pick_server(&b, v) < 0) {
		goto out;
	}
	if (read_dbaccess(&b) < 0 || read_workloads(&b) < 0)
		goto out;
	if ((b.oracle ? oracle_plan(&b, out) : b.container ? container_plan(&b, out) : managed_plan(&b, out)) < 0) {
		plan_release(out);
		goto out;
	}
	if (note && notesz && b.oracle)
		snprintf(note, notesz,
			 "Oracle handed off to the DBA: script in ConfigMap %s/%s (smartops db handoff-script --tcode %s --env %s)",
			 b.ns, ORACLE_HANDOFF_CM, b.tcode, b.env);
	else if (note && notesz && b.container)
		snprintf(note, notesz,
			 "PostgreSQL as a container: StatefulSet %s/postgres (%s, claim data-postgres-0 of %s), host %s; password kept only in Secret %s/db-credentials",
			 b.ns, DB_CONTAINER_IMAGE, b.size, b.host, b.ns);
	else if (note && notesz)
		snprintf(note, notesz,
			 "PostgreSQL %s:%s%s: role and database %s, %s, collation %s/%s; password kept only in Secret %s/db-credentials%s",
			 b.host, b.port, b.conninfo_typed ? " (--pg-conninfo)" : "", b.spec.name, b.spec.encoding,
			 b.spec.collate, b.spec.ctype, b.ns,
			 !b.sleeping ? ""
			 : b.db_replicas == 0
			     ? "; the tenant is asleep and is not woken: DbAccess, scaled to zero, starts with the new dbaccess.ini at the next wake"
			     : "; the tenant is asleep and is not woken: only DbAccess rolls (the AppServers stay at zero until the next wake)");
	*fail = WIZARD_FAIL_NONE;
	ret = 0;
out:
	cJSON_Delete(b.ini_cm);
	free(b.ini_text);
	return ret;
}

const wizard wizard_database = {
    .name = "database",
    .title = "Database",
    .about = "the database: PostgreSQL (prod managed, dev a container) or Oracle handed off to the DBA",
    .products = WIZARD_ERP | WIZARD_ESOCIAL,
    .inputs = inputs,
    .n_inputs = ARRAY_SIZE(inputs),
    .build = build,
};
