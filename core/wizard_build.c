/* The custom-build wizard (see core/wizard_build.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/build_history.h"
#include "core/catalog.h"
#include "core/git_ref.h"
#include "core/provision_ns.h"
#include "core/step_job.h"
#include "core/tcode.h"
#include "core/wizard_build.h"
#include "core/wizard_ns.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

static const wizard_input inputs[] = {
    {"tcode", "the customer's TCODE, e.g. T12345 (an ERP tenant)", NULL, NULL, NULL, 0},
    {"ref", "the branch, tag or full 40-hex commit to build (pinned to its commit)", NULL, NULL,
     NULL, 0},
    {"repo", "the customer's git repository; default: the namespace's custom-repo annotation", "",
     NULL, NULL, 0},
    {"env", "dev or prod: where the build runs", "dev", NULL, "dev,prod", 0},
    {"wait", "complete: wait for the build's end; started: only start it", "complete", NULL,
     "complete,started", 0},
};

static const char *const stages[] = {"checkout", "sonarqube", "compile", "upload"};

/* ---- pure parts ---- */

int build_rpo_bucket(const char *provider, const char *configured, char *out, size_t size,
		     char *err, size_t errsz)
{
	const char *scheme = !strcmp(provider, "aws")   ? "s3://"
			     : !strcmp(provider, "gcp") ? "gs://"
			     : !strcmp(provider, "totvs") ? "https://"
							  : NULL;
	size_t n;

	if (!scheme)
		return util_seterr(err, errsz, "provider \"%s\" is not one of aws, gcp, totvs", provider);
	if (!configured || !*configured)
		return util_seterr(err, errsz,
				   "ConfigMap %s/%s names no RPO bucket for provider %s (key rpo.%s, e.g. %ssmart-rpo): ask the platform team to set it; nothing was changed",
				   BUILD_PLATFORM_NS, BUILD_PLATFORM_CM, provider, provider,
				   !strcmp(provider, "totvs") ? "https://store.totvs.example/" : scheme);
	n = strlen(configured);
	while (n && (configured[n - 1] == '/' || isspace((unsigned char)configured[n - 1])))
		n--;
	if (strncmp(configured, scheme, strlen(scheme)) || n <= strlen(scheme))
		return util_seterr(err, errsz,
				   "rpo.%s in ConfigMap %s/%s is \"%s\": a %s bucket is a %s URL",
				   provider, BUILD_PLATFORM_NS, BUILD_PLATFORM_CM, configured, provider,
				   scheme);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)configured[i] <= ' ')
			return util_seterr(err, errsz, "rpo.%s holds a blank or control character",
					   provider);
	if (n >= size)
		return util_seterr(err, errsz, "rpo.%s is too long", provider);
	memcpy(out, configured, n);
	out[n] = '\0';
	return 0;
}

void build_rpo_location(const char *bucket, const char *tcode, const char *env, char *out,
			size_t size)
{
	char lower[TCODE_SIZE];
	size_t i;

	for (i = 0; tcode[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)tcode[i]);
	lower[i] = '\0';
	snprintf(out, size, "%s/%s/%s", bucket, lower, env);
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

typedef struct bw_build {
	const wizard_ctx *c;
	char tcode[TCODE_SIZE];
	char env[8];
	char ns[TCODE_NS_SIZE];
	char provider[16];
	char repo[GIT_URL_MAX + 1];
	char ref[GIT_REF_MAX + 1];
	char commit[GIT_SHA_SIZE];
	char id[BUILD_ID_SIZE];
	char by[96];
	char bucket[160];
	char image[160];
	char rpo[256];
	int no_wait;
	char *err;
	size_t errsz;
	wizard_fail *fail;
	k8s_err *kerr;
} bw_build;

#define refuse(b, ...) (*(b)->fail = WIZARD_FAIL_REFUSED, util_seterr((b)->err, (b)->errsz, __VA_ARGS__))

/* GET path: 0 found, 1 absent, -1 no answer (fail CLUSTER). */
static int get(bw_build *b, const char *path, cJSON **out)
{
	return wizard_get(b->c, path, out, b->fail, b->kerr, b->err, b->errsz);
}

static const char *annotation(const bw_build *b, const cJSON *obj, const char *name)
{
	char key[96];

	tcode_key(b->c->prefix, name, key, sizeof(key));
	return jstr(jget(jget(obj, "metadata"), "annotations"), key);
}

/* The provider and the default repository, from the env's namespace. */
static int read_namespace(bw_build *b, const char *typed_repo)
{
	char path[96];
	cJSON *ns;
	const char *v;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s", b->ns);
	rc = get(b, path, &ns);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return refuse(b,
			      "namespace %s does not exist: make it first with `smartops apply namespace --tcode %s`",
			      b->ns, b->tcode);
	v = annotation(b, ns, "provider");
	util_strlcpy(b->provider, v ? v : "", sizeof(b->provider));
	v = annotation(b, ns, "custom-repo");
	if (typed_repo && *typed_repo)
		v = typed_repo;
	if (v && strlen(v) > GIT_URL_MAX) {
		cJSON_Delete(ns);
		return refuse(b, "the repository URL is longer than %d characters", GIT_URL_MAX);
	}
	util_strlcpy(b->repo, v ? v : "", sizeof(b->repo));
	cJSON_Delete(ns);
	if (!b->provider[0])
		return refuse(b, "namespace %s has no provider annotation: the RPO bucket is unknown",
			      b->ns);
	if (!b->repo[0])
		return refuse(b,
			      "no repository: namespace %s has no custom-repo annotation; give --repo URL",
			      b->ns);
	return 0;
}

/* The bucket and the builder image from smart-platform. */
static int read_platform(bw_build *b)
{
	cJSON *cm;
	const cJSON *data;
	char key[32];
	int rc = get(b, "/api/v1/namespaces/" BUILD_PLATFORM_NS "/configmaps/" BUILD_PLATFORM_CM, &cm);

	if (rc < 0)
		return -1;
	data = jget(cm, "data");
	snprintf(key, sizeof(key), "rpo.%s", b->provider);
	if (build_rpo_bucket(b->provider, jstr(data, key), b->bucket, sizeof(b->bucket), b->err,
			     b->errsz) < 0) {
		cJSON_Delete(cm);
		*b->fail = WIZARD_FAIL_REFUSED;
		return -1;
	}
	util_strlcpy(b->image, jstr(data, "build.image") ? jstr(data, "build.image") : BUILD_IMAGE_DEFAULT,
		     sizeof(b->image));
	cJSON_Delete(cm);
	return 0;
}

static int job_ended(const cJSON *job)
{
	job_progress p;

	job_progress_read(job, NULL, &p);
	return p.state != JOB_RUNNING;
}

/* 1 for the ids smartops gives (numbers); builds made by other means may
 * have others, which do not count. */
static int numeric(const char *id)
{
	return *id && strlen(id) < 10 && strspn(id, "0123456789") == strlen(id);
}

/* One build per tenant at a time: a running build Job in either env refuses
 * this one (except the build being resumed). The next id: one past every id
 * seen in the Jobs and the histories of both envs. */
static int check_running_and_next_id(bw_build *b, const char *resumed)
{
	static const tcode_env envs[] = {TCODE_ENV_DEV, TCODE_ENV_PROD};
	unsigned long max = 0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(envs); k++) {
		char ns[TCODE_NS_SIZE], path[160], key[96];
		cJSON *list;
		const cJSON *job;
		build_history h;
		k8s_err e;
		size_t i;
		int rc;

		tcode_namespace(b->tcode, envs[k], ns, sizeof(ns));
		tcode_key(b->c->prefix, "component", key, sizeof(key));
		snprintf(path, sizeof(path), "/apis/batch/v1/namespaces/%s/jobs", ns);
		rc = get(b, path, &list);
		if (rc < 0)
			return -1;
		cJSON_ArrayForEach(job, jget(list, "items"))
		{
			const char *comp = jstr(jget(jget(job, "metadata"), "labels"), key);
			const char *id = annotation(b, job, "build-id");
			const char *by = annotation(b, job, "by");

			if (!comp || strcmp(comp, "custombuild") || !id)
				continue;
			if (numeric(id) && strtoul(id, NULL, 10) > max)
				max = strtoul(id, NULL, 10);
			if (job_ended(job) || (resumed && !strcmp(id, resumed)))
				continue;
			rc = refuse(b,
				    "build %s of %s is running in %s (Job %s/%s, started by %s): one build per tenant at a time; follow it with `smartops builds %s`",
				    id, b->tcode, tcode_env_name(envs[k]), ns,
				    jstr(jget(job, "metadata"), "name") ? jstr(jget(job, "metadata"), "name") : "?",
				    by && *by ? by : "someone", b->tcode);
			cJSON_Delete(list);
			return rc;
		}
		cJSON_Delete(list);
		if (build_history_load(b->c->client, ns, &h, NULL, 0, &e) < 0) {
			*b->kerr = e;
			*b->fail = WIZARD_FAIL_CLUSTER;
			return util_seterr(b->err, b->errsz, "cannot read the build history of %s: %s", ns,
					   e.msg);
		}
		for (i = 0; i < h.n; i++)
			if (numeric(h.v[i].id) && strtoul(h.v[i].id, NULL, 10) > max)
				max = strtoul(h.v[i].id, NULL, 10);
		build_history_release(&h);
	}
	snprintf(b->id, sizeof(b->id), "%lu", max + 1);
	return 0;
}

/* ---- the plan ---- */

static void putp(const bw_build *b, cJSON *obj, const char *name, const char *value)
{
	char key[96];

	tcode_key(b->c->prefix, name, key, sizeof(key));
	cJSON_AddStringToObject(obj, key, value);
}

static cJSON *env_var(const char *name, const char *value)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "value", value);
	return o;
}

/* A stage (or the main container, finish): the build's four variables each. */
static cJSON *container(const bw_build *b, const char *name)
{
	cJSON *c = cJSON_CreateObject(), *args, *env, *mounts, *m;

	cJSON_AddStringToObject(c, "name", name);
	cJSON_AddStringToObject(c, "image", b->image);
	args = cJSON_AddArrayToObject(c, "args");
	cJSON_AddItemToArray(args, cJSON_CreateString(name));
	env = cJSON_AddArrayToObject(c, "env");
	cJSON_AddItemToArray(env, env_var("REPO", b->repo));
	cJSON_AddItemToArray(env, env_var("COMMIT", b->commit));
	cJSON_AddItemToArray(env, env_var("BUILD_ID", b->id));
	cJSON_AddItemToArray(env, env_var("RPO_LOCATION", b->rpo));
	/* the stage's verdict as the container's termination message, as Kubernetes reads it */
	cJSON_AddStringToObject(c, "terminationMessagePolicy", "FallbackToLogsOnError");
	mounts = cJSON_AddArrayToObject(c, "volumeMounts");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "name", "work");
	cJSON_AddStringToObject(m, "mountPath", "/work");
	cJSON_AddItemToArray(mounts, m);
	return c;
}

static cJSON *job_body(const bw_build *b)
{
	cJSON *o = cJSON_CreateObject(), *meta, *labels, *ann, *spec, *tmpl, *tmeta, *pspec, *inits,
	      *vols, *vol;
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), BUILD_JOB_PREFIX "%s", b->id);
	cJSON_AddStringToObject(o, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(o, "kind", "Job");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", b->ns);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	putp(b, labels, "tcode", b->tcode);
	putp(b, labels, "env", b->env);
	putp(b, labels, "product", "erp");
	putp(b, labels, "component", "custombuild");
	putp(b, labels, "build-id", b->id);
	ann = cJSON_AddObjectToObject(meta, "annotations");
	putp(b, ann, "build-id", b->id);
	putp(b, ann, "commit", b->commit);
	putp(b, ann, "repo", b->repo);
	putp(b, ann, "ref", b->ref);
	putp(b, ann, "rpo-location", b->rpo);
	putp(b, ann, "by", b->by);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddNumberToObject(spec, "backoffLimit", 0);
	cJSON_AddNumberToObject(spec, "ttlSecondsAfterFinished", BUILD_TTL_S);
	cJSON_AddNumberToObject(spec, "activeDeadlineSeconds", BUILD_DEADLINE_S);
	tmpl = cJSON_AddObjectToObject(spec, "template");
	tmeta = cJSON_AddObjectToObject(tmpl, "metadata");
	labels = cJSON_AddObjectToObject(tmeta, "labels");
	putp(b, labels, "tcode", b->tcode);
	putp(b, labels, "env", b->env);
	putp(b, labels, "component", "custombuild");
	putp(b, labels, "build-id", b->id);
	pspec = cJSON_AddObjectToObject(tmpl, "spec");
	cJSON_AddStringToObject(pspec, "restartPolicy", "Never");
	inits = cJSON_AddArrayToObject(pspec, "initContainers");
	for (i = 0; i < ARRAY_SIZE(stages); i++)
		cJSON_AddItemToArray(inits, container(b, stages[i]));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pspec, "containers"), container(b, "finish"));
	vols = cJSON_AddArrayToObject(pspec, "volumes");
	vol = cJSON_CreateObject();
	cJSON_AddStringToObject(vol, "name", "work");
	cJSON_AddObjectToObject(vol, "emptyDir");
	cJSON_AddItemToArray(vols, vol);
	return o;
}


/* The commit: the journal's on a resume (the plan must not move with a
 * branch), else the ref asked of the repository. */
static int pin(bw_build *b, const char *resumed_commit, char *note, size_t notesz)
{
	git_ref_result r;
	char err[512];

	if (resumed_commit && *resumed_commit) {
		if (!git_ref_is_sha(resumed_commit))
			return refuse(b, "the run's commit \"%s\" is not a 40-hex commit", resumed_commit);
		util_strlcpy(b->commit, resumed_commit, sizeof(b->commit));
		return 0;
	}
	switch (git_ref_resolve(b->repo, b->ref, 0, &r, err, sizeof(err))) {
	case GIT_REF_OK:
		util_strlcpy(b->commit, r.sha, sizeof(b->commit));
		if (note && notesz)
			snprintf(note, notesz, "%s %s%s%s%s%s", git_ref_kind_name(r.kind), b->ref,
				 r.kind == GIT_REF_COMMIT ? "" : " is commit ",
				 r.kind == GIT_REF_COMMIT ? "" : r.sha, r.note[0] ? "; " : "", r.note);
		return 0;
	case GIT_REF_BAD_INPUT:
		return refuse(b, "%s", err);
	case GIT_REF_UNKNOWN:
		return refuse(b, "%s; nothing was changed", err);
	default:
		return refuse(b, "%s; nothing was changed", err);
	}
}

static int build(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err,
		 size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz)
{
	bw_build b = {.c = c, .err = err, .errsz = errsz, .fail = fail, .kerr = kerr};
	const char *v, *resumed = plan_inputs_find(in, n, "build");
	catalog_entry e;
	tcode_env env;
	char pin_note[400] = "";
	int k;

	memset(out, 0, sizeof(*out));
	if (note && notesz)
		note[0] = '\0';
	k8s_err_clear(kerr);
	*fail = WIZARD_FAIL_REFUSED;
	v = plan_inputs_find(in, n, "tcode");
	if (!v || tcode_parse(v, b.tcode, err, errsz) < 0)
		return v ? -1 : util_seterr(err, errsz, "--tcode T12345 is required");
	v = plan_inputs_find(in, n, "env");
	if (tcode_env_parse(v && *v ? v : "dev", &env) < 0)
		return util_seterr(err, errsz, "env \"%s\" is not dev or prod", v);
	util_strlcpy(b.env, tcode_env_name(env), sizeof(b.env));
	tcode_namespace(b.tcode, env, b.ns, sizeof(b.ns));
	v = plan_inputs_find(in, n, "ref");
	if (git_ref_name_check(v, err, errsz) < 0)
		return -1;
	util_strlcpy(b.ref, v, sizeof(b.ref));
	v = plan_inputs_find(in, n, "wait");
	if (v && *v && strcmp(v, "complete") && strcmp(v, "started"))
		return util_seterr(err, errsz, "wait \"%s\" is not complete or started", v);
	b.no_wait = v && !strcmp(v, "started");
	v = plan_inputs_find(in, n, "repo");
	if (v && *v && git_ref_url_check(v, err, errsz) < 0)
		return -1;
	if (resumed && (!*resumed || strspn(resumed, "0123456789") != strlen(resumed) ||
			strlen(resumed) > 9))
		return util_seterr(err, errsz, "the run's build id \"%s\" is not a number", resumed);

	if (wizard_ns_contract(c, b.tcode, &e, err, errsz, fail, kerr) < 0)
		return -1;
	*fail = WIZARD_FAIL_REFUSED;
	if (provision_ns_is_esocial(&e))
		return util_seterr(err, errsz,
				   "%s is a Smart eSocial tenant: eSocial has no custom builds (only SMART ERP tenants have custom sources); nothing was changed",
				   b.tcode);
	if (read_namespace(&b, plan_inputs_find(in, n, "repo")) < 0)
		return -1;
	if (git_ref_url_check(b.repo, err, errsz) < 0)
		return -1;
	if (read_platform(&b) < 0)
		return -1;
	if (check_running_and_next_id(&b, resumed) < 0)
		return -1;
	if (resumed)
		util_strlcpy(b.id, resumed, sizeof(b.id));
	v = plan_inputs_find(in, n, "by");
	if (v && *v)
		util_strlcpy(b.by, v, sizeof(b.by));
	else {
		const k8s_config *cfg = k8s_client_config(c->client);

		util_strlcpy(b.by, cfg && cfg->user_name ? cfg->user_name : "unknown", sizeof(b.by));
	}
	if (pin(&b, plan_inputs_find(in, n, "commit"), pin_note, sizeof(pin_note)) < 0)
		return -1;
	build_rpo_location(b.bucket, b.tcode, b.env, b.rpo, sizeof(b.rpo));

	plan_init(out, "build", b.tcode);
	k = plan_add(out, b.env, "custombuild", "jobs", b.no_wait ? PLAN_WAIT_EXISTS : PLAN_WAIT_COMPLETE,
		     job_body(&b), NULL, err, errsz);
	if (k < 0) {
		plan_release(out);
		return -1;
	}
	out->steps[k].exec = &step_custombuild;
	if (c->prefix && *c->prefix)
		plan_set_input(out, "prefix", c->prefix);
	plan_set_input(out, "tcode", b.tcode);
	plan_set_input(out, "env", b.env);
	plan_set_input(out, "ref", b.ref);
	plan_set_input(out, "repo", b.repo);
	plan_set_input(out, "wait", b.no_wait ? "started" : "complete");
	plan_set_input(out, "commit", b.commit);
	plan_set_input(out, "build", b.id);
	plan_set_input(out, "by", b.by);
	if (note && notesz)
		snprintf(note, notesz, "build %s of %s in %s: %s; RPO to %s/%s/custom.rpo", b.id,
			 b.tcode, b.env, pin_note[0] ? pin_note : b.commit, b.rpo, b.id);
	*fail = WIZARD_FAIL_NONE;
	return 0;
}

const wizard wizard_build = {
    .name = "build",
    .title = "Custom build",
    .about = "the customer's git ref pinned to a commit, analysed (SonarQube) and compiled into a custom RPO in a Job",
    .products = WIZARD_ERP,
    .inputs = inputs,
    .n_inputs = ARRAY_SIZE(inputs),
    .build = build,
};

/* ---- the executor: the Job's, and the history ---- */

typedef struct record_ctx {
	const build_entry *e;
} record_ctx;

static int record_new(build_history *h, void *vctx)
{
	record_ctx *r = vctx;
	build_entry *have = build_history_find(h, r->e->id);

	if (have) { /* a resumed run: keep what is known, note the run */
		if (!have->run[0])
			util_strlcpy(have->run, r->e->run, sizeof(have->run));
		return 1;
	}
	build_history_add(h, r->e);
	return 1;
}

static void record_start(step_env *env, const plan_step *s, const cJSON *live)
{
	build_entry e;
	record_ctx r = {.e = &e};
	k8s_err err;

	memset(&e, 0, sizeof(e));
	build_entry_from_job(live, NULL, env->prefix, &e);
	util_strlcpy(e.run, env->run, sizeof(e.run));
	if (!e.env[0])
		util_strlcpy(e.env, s->env, sizeof(e.env));
	/* best effort: a history not written now is made true from the Job later */
	(void)build_history_update(env->client, env->prefix, env->tcode, s->env, s->ns, record_new, &r,
				   &err);
}

static engine_status cb_apply(step_env *env, const plan_step *s, const step_seen *seen,
			      step_seen *after)
{
	engine_status st = step_job.apply(env, s, seen, after);

	if (st == ENGINE_ST_OK)
		record_start(env, s, after->live ? after->live : s->body);
	return st;
}

static step_wait_state cb_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	step_wait_state st = step_job.check(env, s, what, size);

	if (st == STEP_WAIT_DONE || st == STEP_WAIT_FAILED) {
		build_history h;
		k8s_err err;
		char msg[sizeof(env->msg)];
		int http = env->http;

		util_strlcpy(msg, env->msg, sizeof(msg));
		if (build_history_sync(env->client, env->prefix, env->tcode, s->env, s->ns, 1, &h, &err) == 0)
			build_history_release(&h);
		util_strlcpy(env->msg, msg, sizeof(env->msg));
		env->http = http;
	}
	return st;
}

static int cb_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_job.observe(env, s, out);
}

/* The Job's, and the history's ConfigMap in the same namespace. */
static void cb_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	static const char *const verbs[] = {"create", "update"};
	size_t i;

	step_job.access(s, d, need, n, max);
	for (i = 0; i < ARRAY_SIZE(verbs) && *n < max; i++) {
		need[*n].verb = verbs[i];
		need[*n].group[0] = '\0';
		util_strlcpy(need[*n].resource, "configmaps", sizeof(need[*n].resource));
		util_strlcpy(need[*n].ns, s->ns, sizeof(need[*n].ns));
		(*n)++;
	}
}

static int cb_dry_run(step_env *env, const plan_step *s)
{
	return step_job.dry_run(env, s);
}

static cJSON *cb_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	return step_job.prior(env, s, seen);
}

static void cb_ref(const plan_step *s, char *out, size_t size)
{
	step_job.ref(s, out, size);
}

static int cb_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_job.ref_check(ref, err, errsz);
}

static void cb_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_job.undo_access(js, need, n, max);
}

static int cb_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_job.observe_ref(env, js, out);
}

static engine_status cb_remove(step_env *env, const journal_step *js)
{
	return step_job.remove(env, js);
}

static engine_status cb_restore(step_env *env, const journal_step *js)
{
	return step_job.restore(env, js);
}

const step_exec step_custombuild = {
    .name = BUILD_EXEC,
    .observe = cb_observe,
    .access = cb_access,
    .dry_run = cb_dry_run,
    .apply = cb_apply,
    .check = cb_check,
    .prior = cb_prior,
    .ref = cb_ref,
    .ref_check = cb_ref_check,
    .undo_access = cb_undo_access,
    .observe_ref = cb_observe_ref,
    .holds_others = NULL,
    .remove = cb_remove,
    .restore = cb_restore,
};
