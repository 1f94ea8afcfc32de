/* Promoting a custom build (see core/promote.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/build_history.h"
#include "core/catalog.h"
#include "core/engine.h"
#include "core/ini_diff.h"
#include "core/promote.h"
#include "core/provision_ns.h"
#include "core/step_rpo.h"
#include "core/tcode.h"
#include "core/wizard_ns.h"
#include "util/util.h"

#define MAX_APPSERVERS 16

static const wizard_input inputs[] = {
    {"tcode", "the customer's TCODE, e.g. T12345 (an ERP tenant)", NULL, NULL, NULL, 0},
    {"build", "the build to promote (its id in smartops builds T)", NULL, NULL, NULL, 0},
    {"env", "dev, then prod once dev is ready with the build", NULL, NULL, "dev,prod", 0},
};

/* ---- the ini ---- */

/* The bounds of the environment section: the [section] holding SourcePath. */
static int env_section(const char *ini, const char **start, const char **end)
{
	const char *p = ini, *sec = NULL;
	int has_source = 0;

	*start = *end = NULL;
	while (*p) {
		const char *eol = p + strcspn(p, "\n"), *q = p;

		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (*q == '[') {
			if (sec && has_source) {
				*start = sec;
				*end = p;
				return 0;
			}
			sec = eol + (*eol == '\n');
			has_source = 0;
		} else if (sec && !strncasecmp(q, "SourcePath", 10) &&
			   (q[10] == '=' || q[10] == ' ' || q[10] == '\t')) {
			has_source = 1;
		}
		p = eol + (*eol == '\n');
	}
	if (sec && has_source) {
		*start = sec;
		*end = p;
		return 0;
	}
	return -1;
}

/* 1 when the line at q (blanks skipped) sets key. */
static int line_is(const char *q, const char *eol, const char *key)
{
	size_t n = strlen(key);

	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	if ((size_t)(eol - q) < n || strncasecmp(q, key, n))
		return 0;
	q += n;
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	return q < eol && *q == '=';
}

char *promote_ini_set(const char *ini, const char *value, char *err, size_t errsz)
{
	const char *start, *end, *p, *at = NULL, *after_path = NULL, *last = NULL;
	strbuf sb;

	if (!ini || env_section(ini, &start, &end) < 0) {
		util_seterr(err, errsz, "the appserver.ini has no environment section (one with SourcePath)");
		return NULL;
	}
	for (p = start; p < end;) {
		const char *eol = p + strcspn(p, "\n");
		const char *q = p;

		if (eol > end)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (line_is(p, eol, "RPOCustom") && !at)
			at = p;
		if (line_is(p, eol, "CustomRpoPath"))
			after_path = eol + (*eol == '\n');
		if (q < eol && *q != ';' && *q != '#')
			last = eol + (*eol == '\n'); /* after the section's last setting */
		p = eol + (*eol == '\n');
	}
	sb_init(&sb, strlen(ini) + 128);
	if (at) { /* replace the line */
		const char *eol = at + strcspn(at, "\n");

		sb_add(&sb, ini, (size_t)(at - ini));
		sb_addf(&sb, "RPOCustom=%s", value);
		sb_adds(&sb, eol);
	} else {
		const char *pos = after_path ? after_path : last ? last : start;
		int nl = pos > ini && pos[-1] != '\n';

		sb_add(&sb, ini, (size_t)(pos - ini));
		sb_addf(&sb, "%sRPOCustom=%s\n", nl ? "\n" : "", value);
		sb_adds(&sb, pos);
	}
	return sb_detach(&sb, NULL);
}

void promote_rpo_path(const char *ini, const char *id, char *out, size_t size)
{
	ini_file f;
	const char *dir = NULL;
	size_t i;
	char d[200];

	ini_parse(ini ? ini : "", ini ? strlen(ini) : 0, &f);
	for (i = 0; i < f.n; i++)
		if (!strcasecmp(f.v[i].key, "CustomRpoPath") && f.v[i].value[0] == '/')
			dir = f.v[i].value;
	util_strlcpy(d, dir ? dir : PROMOTE_RPO_DIR_DEFAULT, sizeof(d));
	while (strlen(d) > 1 && d[strlen(d) - 1] == '/')
		d[strlen(d) - 1] = '\0';
	snprintf(out, size, "%s/%s/custom.rpo", d, id);
	ini_free(&f);
}

/* ---- reading the cluster ---- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

typedef struct pr_build {
	const wizard_ctx *c;
	char tcode[TCODE_SIZE];
	char env[8];
	char ns[TCODE_NS_SIZE];
	build_entry b;		 /* the build */
	char *err;
	size_t errsz;
	wizard_fail *fail;
	k8s_err *kerr;
} pr_build;

#define refuse(b, ...) (*(b)->fail = WIZARD_FAIL_REFUSED, util_seterr((b)->err, (b)->errsz, __VA_ARGS__))

static int get(pr_build *b, const char *path, cJSON **out)
{
	return wizard_get(b->c, path, out, b->fail, b->kerr, b->err, b->errsz);
}

static const char *tmpl_ann(const pr_build *b, const cJSON *dep, const char *name)
{
	char key[96];

	tcode_key(b->c->prefix, name, key, sizeof(key));
	return jstr(jget(jget(jget(jget(dep, "spec"), "template"), "metadata"), "annotations"), key);
}

/* The build, from the histories of both envs (made true from the Jobs). */
static int find_build(pr_build *b, const char *id)
{
	static const tcode_env envs[] = {TCODE_ENV_DEV, TCODE_ENV_PROD};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(envs); k++) {
		char ns[TCODE_NS_SIZE];
		build_history h;
		build_entry *e;
		k8s_err ke;

		tcode_namespace(b->tcode, envs[k], ns, sizeof(ns));
		if (build_history_sync(b->c->client, b->c->prefix, b->tcode, tcode_env_name(envs[k]), ns, 0,
				       &h, &ke) < 0) {
			*b->kerr = ke;
			*b->fail = WIZARD_FAIL_CLUSTER;
			return util_seterr(b->err, b->errsz, "cannot read the builds of %s: %s", ns, ke.msg);
		}
		e = build_history_find(&h, id);
		if (e) {
			b->b = *e;
			build_history_release(&h);
			return 0;
		}
		build_history_release(&h);
	}
	return refuse(b, "%s has no build %s: see `smartops builds %s`", b->tcode, id, b->tcode);
}

static int check_build(pr_build *b)
{
	const build_entry *e = &b->b;

	if (!strcmp(e->state, "running"))
		return refuse(b, "build %s of %s is still running (stage %s): promote it once it succeeded",
			      e->id, b->tcode, e->stage[0] ? e->stage : "not started");
	if (!strcmp(e->state, "failed") && !strcmp(e->gate, "ERROR"))
		return refuse(b,
			      "build %s of %s failed its quality gate (%s): a build that failed is never promoted",
			      e->id, b->tcode, e->conditions);
	if (strcmp(e->state, "succeeded"))
		return refuse(b, "build %s of %s failed%s%s%s%s: a build that failed is never promoted",
			      e->id, b->tcode, e->stage[0] ? " at stage " : "", e->stage,
			      e->reason[0] ? ": " : "", e->reason);
	if (!e->rpo[0])
		return refuse(b, "build %s of %s names no RPO location", e->id, b->tcode);
	return 0;
}

typedef struct appserver {
	cJSON *dep; /* the Deployment as read (owned) */
	cJSON *cm;  /* its appserver.ini ConfigMap as read (owned) */
} appserver;

static int by_name(const void *x, const void *y)
{
	const appserver *a = x, *b = y;

	return strcmp(jstr(jget(a->dep, "metadata"), "name"), jstr(jget(b->dep, "metadata"), "name"));
}

static void appservers_release(appserver *as, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(as[i].dep);
		cJSON_Delete(as[i].cm);
	}
}

/* The AppServer Deployments of namespace ns, by name, each with its
 * appserver.ini ConfigMap (the first configMap volume it mounts). */
static int read_appservers(pr_build *b, const char *ns, appserver *out, size_t *n, int with_ini)
{
	char path[160], key[96];
	cJSON *list;
	const cJSON *it;
	int rc;

	*n = 0;
	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/deployments", ns);
	rc = get(b, path, &list);
	if (rc != 0)
		return rc < 0 ? -1 : refuse(b, "namespace %s does not exist", ns);
	tcode_key(b->c->prefix, "component", key, sizeof(key));
	cJSON_ArrayForEach(it, jget(list, "items"))
	{
		const char *comp = jstr(jget(jget(it, "metadata"), "labels"), key);

		if (!comp || strcmp(comp, "appserver"))
			continue;
		if (*n == MAX_APPSERVERS) {
			cJSON_Delete(list);
			return refuse(b, "namespace %s has more than %d AppServer Deployments", ns, MAX_APPSERVERS);
		}
		memset(&out[*n], 0, sizeof(out[*n]));
		out[(*n)++].dep = cJSON_Duplicate(it, 1);
	}
	cJSON_Delete(list);
	qsort(out, *n, sizeof(*out), by_name);
	for (size_t i = 0; with_ini && i < *n; i++) {
		const cJSON *v;
		const char *cm = NULL, *dep = jstr(jget(out[i].dep, "metadata"), "name");

		cJSON_ArrayForEach(v, jget(jget(jget(jget(out[i].dep, "spec"), "template"), "spec"), "volumes"))
			if (!cm && jstr(jget(v, "configMap"), "name"))
				cm = jstr(jget(v, "configMap"), "name");
		if (!cm)
			return refuse(b, "Deployment %s/%s mounts no appserver.ini ConfigMap", ns, dep);
		snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/%s", ns, cm);
		rc = get(b, path, &out[i].cm);
		if (rc < 0)
			return -1;
		if (rc > 0 || !jstr(jget(out[i].cm, "data"), "appserver.ini"))
			return refuse(b, "ConfigMap %s/%s (the appserver.ini of %s) does not exist or holds no appserver.ini",
				      ns, cm, dep);
	}
	return 0;
}

/* Prod only after dev runs the build and is ready with it. */
static int check_dev_ready(pr_build *b)
{
	char ns[TCODE_NS_SIZE];
	appserver as[MAX_APPSERVERS];
	size_t n = 0, i;
	int rc = 0;

	tcode_namespace(b->tcode, TCODE_ENV_DEV, ns, sizeof(ns));
	if (read_appservers(b, ns, as, &n, 0) < 0) {
		appservers_release(as, n);
		return -1;
	}
	for (i = 0; i < n && !rc; i++) {
		const char *name = jstr(jget(as[i].dep, "metadata"), "name");
		const char *build = tmpl_ann(b, as[i].dep, "rpo-build");
		int ready = 0, desired = 0;

		if (!build || strcmp(build, b->b.id))
			rc = refuse(b,
				    "build %s is not in dev yet (%s/%s runs %s%s): promote it to dev first with `smartops promote %s %s --env dev`",
				    b->b.id, ns, name, build ? "build " : "no custom build", build ? build : "",
				    b->tcode, b->b.id);
		else if (!engine_object_ready(as[i].dep, &ready, &desired))
			rc = refuse(b, "dev is not ready with build %s yet (%s/%s ready %d/%d): promote to prod once it is",
				    b->b.id, ns, name, ready, desired);
		else if (desired == 0)
			rc = refuse(b, "dev sleeps (%s/%s has 0 replicas): it has not run build %s yet; wake it with `smartops wake %s --env dev` and promote to prod once it is ready",
				    ns, name, b->b.id, b->tcode);
	}
	if (!rc && !n)
		rc = refuse(b, "dev (%s) has no AppServer Deployments to have run build %s", ns, b->b.id);
	appservers_release(as, n);
	return rc;
}

/* ---- the plan ---- */

static void putp(const pr_build *b, cJSON *obj, const char *name, const char *value)
{
	char key[96];

	tcode_key(b->c->prefix, name, key, sizeof(key));
	cJSON_AddStringToObject(obj, key, value);
}

/* The ConfigMap as it is (what smartops applied: labels, annotations, data),
 * but RPOCustom= in its appserver.ini. */
static cJSON *ini_body(pr_build *b, const cJSON *cm, const char *rpo_path)
{
	const cJSON *meta = jget(cm, "metadata");
	cJSON *o = cJSON_CreateObject(), *m, *data;
	char *text = promote_ini_set(jstr(jget(cm, "data"), "appserver.ini"), rpo_path, b->err, b->errsz);

	if (!text) {
		cJSON_Delete(o);
		*b->fail = WIZARD_FAIL_REFUSED;
		return NULL;
	}
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "ConfigMap");
	m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", jstr(meta, "name"));
	cJSON_AddStringToObject(m, "namespace", b->ns);
	if (jget(meta, "labels"))
		cJSON_AddItemToObject(m, "labels", cJSON_Duplicate(jget(meta, "labels"), 1));
	{
		char run[96];

		plan_run_label(b->c->prefix, run, sizeof(run));
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "labels"), run);
	}
	data = cJSON_Duplicate(jget(cm, "data"), 1);
	cJSON_ReplaceItemInObjectCaseSensitive(data, "appserver.ini", cJSON_CreateString(text));
	cJSON_AddItemToObject(o, "data", data);
	free(text);
	return o;
}

/* The Deployment's fields the RPO executor applies, the lists whole for the
 * comparison: the template's rpo annotations, the containers by name, the
 * first one's env with RPO_CUSTOM. */
static cJSON *rpo_body(pr_build *b, const cJSON *dep, const char *previous)
{
	const cJSON *lspec = jget(jget(jget(dep, "spec"), "template"), "spec"), *ct, *v;
	cJSON *o = cJSON_CreateObject(), *meta, *tmpl, *ann, *cts;
	int first = 1;

	cJSON_AddStringToObject(o, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(o, "kind", "Deployment");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(jget(dep, "metadata"), "name"));
	cJSON_AddStringToObject(meta, "namespace", b->ns);
	tmpl = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "template");
	ann = cJSON_AddObjectToObject(cJSON_AddObjectToObject(tmpl, "metadata"), "annotations");
	putp(b, ann, "rpo", b->b.rpo);
	putp(b, ann, "rpo-build", b->b.id);
	putp(b, ann, "rpo-commit", b->b.commit);
	if (previous && *previous)
		putp(b, ann, "rpo-previous", previous);
	cts = cJSON_AddArrayToObject(cJSON_AddObjectToObject(tmpl, "spec"), "containers");
	cJSON_ArrayForEach(ct, jget(lspec, "containers"))
	{
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", jstr(ct, "name") ? jstr(ct, "name") : "");
		if (first) {
			cJSON *env = cJSON_AddArrayToObject(c, "env"), *e;

			cJSON_ArrayForEach(v, jget(ct, "env"))
				if (!jstr(v, "name") || strcmp(jstr(v, "name"), STEP_RPO_ENV))
					cJSON_AddItemToArray(env, cJSON_Duplicate(v, 1));
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", STEP_RPO_ENV);
			cJSON_AddStringToObject(e, "value", b->b.rpo);
			cJSON_AddItemToArray(env, e);
			first = 0;
		}
		cJSON_AddItemToArray(cts, c);
	}
	return o;
}


static int asleep(const cJSON *dep)
{
	const cJSON *r = jget(jget(dep, "spec"), "replicas");

	return cJSON_IsNumber(r) && r->valuedouble == 0;
}

static int build(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err,
		 size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz)
{
	pr_build b = {.c = c, .err = err, .errsz = errsz, .fail = fail, .kerr = kerr};
	appserver as[MAX_APPSERVERS];
	size_t n_as = 0, i, sleeping = 0;
	const char *v, *id, *previous;
	catalog_entry e;
	tcode_env env;
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
	if (!v || tcode_env_parse(v, &env) < 0)
		return util_seterr(err, errsz, "--env dev or --env prod is required (dev first)");
	util_strlcpy(b.env, tcode_env_name(env), sizeof(b.env));
	tcode_namespace(b.tcode, env, b.ns, sizeof(b.ns));
	id = plan_inputs_find(in, n, "build");
	if (!id || !*id || strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz-") != strlen(id) ||
	    strlen(id) >= BUILD_ID_SIZE)
		return util_seterr(err, errsz, "--build takes a build id, e.g. 7 (see smartops builds %s)",
				   b.tcode);
	if (wizard_ns_contract(c, b.tcode, &e, err, errsz, fail, kerr) < 0)
		return -1;
	*fail = WIZARD_FAIL_REFUSED;
	if (provision_ns_is_esocial(&e))
		return util_seterr(err, errsz,
				   "%s is a Smart eSocial tenant: eSocial has no custom builds to promote; nothing was changed",
				   b.tcode);
	if (find_build(&b, id) < 0 || check_build(&b) < 0)
		return -1;
	if (env == TCODE_ENV_PROD && check_dev_ready(&b) < 0)
		return -1;
	if (read_appservers(&b, b.ns, as, &n_as, 1) < 0)
		goto out;
	if (!n_as) {
		refuse(&b, "%s has no AppServer Deployments to run build %s", b.ns, b.b.id);
		goto out;
	}
	/* the RPO before this promotion: the journal's on a resume (it moved since) */
	previous = plan_inputs_find(in, n, "previous");
	if (!previous) {
		const char *now = tmpl_ann(&b, as[0].dep, "rpo");
		const char *now_build = tmpl_ann(&b, as[0].dep, "rpo-build");

		previous = now && (!now_build || strcmp(now_build, b.b.id)) ? now
			   : tmpl_ann(&b, as[0].dep, "rpo-previous") ? tmpl_ann(&b, as[0].dep, "rpo-previous")
								     : "";
	}
	plan_init(out, "promote", b.tcode);
	for (i = 0; i < n_as; i++) {
		char rpo_path[256], id_cm[PLAN_ID_SIZE];
		const char *needs[2] = {id_cm, NULL};
		cJSON *body;
		int k;

		promote_rpo_path(jstr(jget(as[i].cm, "data"), "appserver.ini"), b.b.id, rpo_path,
				 sizeof(rpo_path));
		body = ini_body(&b, as[i].cm, rpo_path);
		if (!body)
			goto fail;
		k = plan_add(out, b.env, "appserver", "configmaps", PLAN_WAIT_EXISTS, body, NULL, err, errsz);
		if (k < 0)
			goto fail;
		plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
		util_strlcpy(id_cm, out->steps[k].id, sizeof(id_cm));
		k = plan_add(out, b.env, "appserver", "deployments", PLAN_WAIT_READY,
			     rpo_body(&b, as[i].dep, previous), needs, err, errsz);
		if (k < 0)
			goto fail;
		out->steps[k].exec = &step_rpo;
		plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
		sleeping += asleep(as[i].dep);
	}
	if (c->prefix && *c->prefix)
		plan_set_input(out, "prefix", c->prefix);
	plan_set_input(out, "tcode", b.tcode);
	plan_set_input(out, "build", b.b.id);
	plan_set_input(out, "env", b.env);
	plan_set_input(out, "previous", previous);
	if (note && notesz)
		snprintf(note, notesz, "build %s (commit %.12s, RPO %s) to %s%s%s%s", b.b.id, b.b.commit,
			 b.b.rpo, b.env, previous[0] ? "; previous RPO " : "", previous,
			 sleeping ? "; the env sleeps (Hypnus): it is not woken, its AppServers take the new RPO at their next wake" : "");
	*fail = WIZARD_FAIL_NONE;
	ret = 0;
	goto out;
fail:
	*fail = WIZARD_FAIL_REFUSED;
	plan_release(out);
out:
	appservers_release(as, n_as);
	return ret;
}

const wizard wizard_promote = {
    .name = "promote",
    .title = "Promote a build",
    .about = "a succeeded custom build's RPO rolled into an env's AppServers (dev, then prod)",
    .products = WIZARD_ERP,
    .inputs = inputs,
    .n_inputs = ARRAY_SIZE(inputs),
    .build = build,
};
