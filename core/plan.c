/* Plans as data (see core/plan.h). */
#include <stdio.h>

#include "core/plan.h"
#include "core/step.h"
#include "core/tcode.h"
#include "util/util.h"

void plan_init(plan *p, const char *wizard, const char *tcode)
{
	memset(p, 0, sizeof(*p));
	util_strlcpy(p->wizard, wizard ? wizard : "", sizeof(p->wizard));
	util_strlcpy(p->tcode, tcode ? tcode : "", sizeof(p->tcode));
}

/* Every string of a secret step's body wiped before it is freed (a password,
 * generated or typed, lives there and nowhere else). */
static void wipe_strings(cJSON *o)
{
	cJSON *c;

	if (cJSON_IsString(o) && o->valuestring)
		explicit_bzero(o->valuestring, strlen(o->valuestring));
	cJSON_ArrayForEach(c, o)
		wipe_strings(c);
}

void plan_release(plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->steps[i].secret)
			wipe_strings(p->steps[i].body);
		cJSON_Delete(p->steps[i].body);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

void plan_set_input(plan *p, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < p->n_inputs; i++)
		if (!strcmp(p->inputs[i].key, key))
			break;
	if (i == p->n_inputs) {
		if (p->n_inputs == PLAN_MAX_INPUTS)
			return;
		p->n_inputs++;
	}
	util_strlcpy(p->inputs[i].key, key, sizeof(p->inputs[i].key));
	util_strlcpy(p->inputs[i].value, value ? value : "", sizeof(p->inputs[i].value));
}

const char *plan_inputs_find(const plan_input *in, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(in[i].key, key))
			return in[i].value;
	return NULL;
}

const char *plan_input_get(const plan *p, const char *key)
{
	return plan_inputs_find(p->inputs, p->n_inputs, key);
}

int plan_find(const plan *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->steps[i].id, id))
			return (int)i;
	return -1;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int plan_add(plan *p, const char *env, const char *component, const char *plural, plan_wait wait,
	     cJSON *body, const char *const *needs, char *err, size_t errsz)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(body, "metadata");
	const char *av = jstr(body, "apiVersion"), *kind = jstr(body, "kind");
	const char *name = jstr(meta, "name"), *ns = jstr(meta, "namespace"), *slash;
	plan_step *s;
	char id[PLAN_ID_SIZE];

	if (!av || !kind || !name || !*name) {
		cJSON_Delete(body);
		return util_seterr(err, errsz, "step body without apiVersion, kind or name");
	}
	snprintf(id, sizeof(id), "%s%s%s/%s", env && *env ? env : "", env && *env ? "/" : "",
		 plural, name);
	if (plan_find(p, id) >= 0) {
		cJSON_Delete(body);
		return util_seterr(err, errsz, "step %s planned twice", id);
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->steps = xrealloc(p->steps, p->cap * sizeof(*p->steps));
	}
	s = &p->steps[p->n];
	memset(s, 0, sizeof(*s));
	util_strlcpy(s->id, id, sizeof(s->id));
	util_strlcpy(s->env, env ? env : "", sizeof(s->env));
	util_strlcpy(s->component, component ? component : "", sizeof(s->component));
	util_strlcpy(s->api_version, av, sizeof(s->api_version));
	slash = strchr(av, '/');
	if (slash) {
		snprintf(s->group, sizeof(s->group), "%.*s", (int)(slash - av), av);
		util_strlcpy(s->version, slash + 1, sizeof(s->version));
	} else {
		util_strlcpy(s->version, av, sizeof(s->version));
	}
	util_strlcpy(s->kind, kind, sizeof(s->kind));
	util_strlcpy(s->plural, plural, sizeof(s->plural));
	util_strlcpy(s->ns, ns ? ns : "", sizeof(s->ns));
	util_strlcpy(s->name, name, sizeof(s->name));
	s->wait = wait;
	s->body = body;
	for (; needs && *needs; needs++) {
		int j = plan_find(p, *needs);

		if (j < 0 || s->n_needs == PLAN_MAX_NEEDS) {
			cJSON_Delete(body);
			return util_seterr(err, errsz, "step %s needs %s, which is not planned before it",
					   id, *needs);
		}
		s->needs[s->n_needs++] = (size_t)j;
	}
	return (int)p->n++;
}

int plan_add_need(plan *p, size_t i, size_t need)
{
	plan_step *s;
	size_t k;

	if (i >= p->n || need >= i)
		return -1;
	s = &p->steps[i];
	for (k = 0; k < s->n_needs; k++)
		if (s->needs[k] == need)
			return 0;
	if (s->n_needs == PLAN_MAX_NEEDS)
		return -1;
	s->needs[s->n_needs++] = need;
	return 0;
}

char *plan_step_path(const plan_step *s)
{
	return k8s_path(s->group, s->version, s->ns, s->plural, s->name);
}

const char *plan_diff_name(plan_diff d)
{
	static const char *const names[] = {"unknown", "create", "unchanged", "change",
					    "conflict", "terminating"};

	return (unsigned)d < ARRAY_SIZE(names) ? names[d] : "unknown";
}

const char *plan_wait_name(plan_wait w)
{
	static const char *const names[] = {"exists", "ready", "complete", "bound"};

	return (unsigned)w < ARRAY_SIZE(names) ? names[w] : "exists";
}

void plan_step_set_secret(plan *p, size_t i, int secret)
{
	if (i < p->n)
		p->steps[i].secret = !!secret;
}

void plan_step_set_rollback(plan *p, size_t i, step_rollback r)
{
	if (i < p->n)
		p->steps[i].rollback = r;
}

int plan_add_exec(plan *p, const struct step_exec *x, const char *env, const char *component,
		  const char *kind, const char *name, plan_wait wait, cJSON *body,
		  const char *const *needs, char *err, size_t errsz)
{
	cJSON *meta = cJSON_CreateObject();
	const char *xname = x ? x->name : "";
	int i;

	/* plan_add reads the identity from a Kubernetes-shaped body: give it one,
	 * then put the executor's own body in its place */
	cJSON_AddStringToObject(meta, "name", name ? name : "");
	{
		cJSON *shell = cJSON_CreateObject();

		cJSON_AddStringToObject(shell, "apiVersion", "smartops/v1");
		cJSON_AddStringToObject(shell, "kind", kind ? kind : "");
		cJSON_AddItemToObject(shell, "metadata", meta);
		i = plan_add(p, env, component, xname, wait, shell, needs, err, errsz);
	}
	if (i < 0) {
		cJSON_Delete(body);
		return -1;
	}
	cJSON_Delete(p->steps[i].body);
	p->steps[i].body = body ? body : cJSON_CreateObject();
	p->steps[i].exec = x;
	p->steps[i].api_version[0] = p->steps[i].group[0] = p->steps[i].version[0] = '\0';
	return i;
}

void plan_to_json(const plan *p, int with_bodies, int with_diff, strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *inputs, *steps;
	char *text;
	size_t i, k;

	cJSON_AddStringToObject(root, "kind", "Plan");
	cJSON_AddStringToObject(root, "apiVersion", "smartops/v1");
	cJSON_AddStringToObject(root, "wizard", p->wizard);
	cJSON_AddStringToObject(root, "tcode", p->tcode);
	inputs = cJSON_AddObjectToObject(root, "inputs");
	for (i = 0; i < p->n_inputs; i++)
		cJSON_AddStringToObject(inputs, p->inputs[i].key, p->inputs[i].value);
	steps = cJSON_AddArrayToObject(root, "steps");
	for (i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		cJSON *o = cJSON_CreateObject(), *obj, *needs;

		cJSON_AddItemToArray(steps, o);
		cJSON_AddNumberToObject(o, "index", (double)i);
		cJSON_AddStringToObject(o, "id", s->id);
		cJSON_AddStringToObject(o, "env", s->env);
		cJSON_AddStringToObject(o, "component", s->component);
		obj = cJSON_AddObjectToObject(o, "object");
		cJSON_AddStringToObject(obj, "apiVersion", s->api_version);
		cJSON_AddStringToObject(obj, "kind", s->kind);
		cJSON_AddStringToObject(obj, "namespace", s->ns);
		cJSON_AddStringToObject(obj, "name", s->name);
		cJSON_AddStringToObject(o, "wait", plan_wait_name(s->wait));
		needs = cJSON_AddArrayToObject(o, "needs");
		for (k = 0; k < s->n_needs; k++)
			cJSON_AddItemToArray(needs, cJSON_CreateString(p->steps[s->needs[k]].id));
		if (with_diff) {
			cJSON_AddStringToObject(o, "diff", plan_diff_name(s->diff));
			cJSON_AddStringToObject(o, "reason", s->reason);
		}
		if (s->rollback != STEP_ROLLBACK_DELETE)
			cJSON_AddStringToObject(o, "rollback", s->rollback == STEP_ROLLBACK_RESTORE
								   ? "restore"
								   : "keep-unless-confirmed");
		if (s->secret) /* never its body, unless its executor says the body only
				* describes the step (the secret is made at apply) */
			cJSON_AddTrueToObject(o, "secret");
		if ((!s->secret || (s->exec && s->exec->body_public)) && with_bodies && s->body)
			cJSON_AddItemToObject(o, "body", cJSON_Duplicate(s->body, 1));
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		die("out of memory");
	sb_adds(out, text);
	sb_addc(out, '\n');
	cJSON_free(text);
}

static int subset(const cJSON *want, const cJSON *have, int top)
{
	const cJSON *w, *h;

	if (!have)
		return 0;
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(have))
			return 0;
		cJSON_ArrayForEach(w, want)
		{
			if (top && !strcmp(w->string, "metadata")) {
				const char *keys[] = {"labels", "annotations"};
				size_t i;

				for (i = 0; i < ARRAY_SIZE(keys); i++) {
					const cJSON *wm = cJSON_GetObjectItemCaseSensitive(w, keys[i]);

					if (wm && !subset(wm, cJSON_GetObjectItemCaseSensitive(
								  cJSON_GetObjectItemCaseSensitive(
								      have, "metadata"),
								  keys[i]),
							  0))
						return 0;
				}
				continue;
			}
			h = cJSON_GetObjectItemCaseSensitive(have, w->string);
			if (!subset(w, h, 0))
				return 0;
		}
		return 1;
	}
	if (cJSON_IsArray(want)) {
		if (!cJSON_IsArray(have) || cJSON_GetArraySize(want) != cJSON_GetArraySize(have))
			return 0;
		h = have->child;
		cJSON_ArrayForEach(w, want)
		{
			if (!subset(w, h, 0))
				return 0;
			h = h->next;
		}
		return 1;
	}
	if (cJSON_IsString(want))
		return cJSON_IsString(have) && !strcmp(want->valuestring, have->valuestring);
	if (cJSON_IsNumber(want))
		return cJSON_IsNumber(have) && want->valuedouble == have->valuedouble;
	if (cJSON_IsBool(want))
		return cJSON_IsBool(have) && cJSON_IsTrue(want) == cJSON_IsTrue(have);
	return cJSON_IsNull(want) ? cJSON_IsNull(have) : 0;
}

int plan_subset(const cJSON *want, const cJSON *have)
{
	return subset(want, have, 1);
}

int plan_json_within(const cJSON *want, const cJSON *have)
{
	if (!want || !have)
		return !want && !have;
	return subset(want, have, 0);
}

void plan_run_label(const char *prefix, char *buf, size_t size)
{
	tcode_key(prefix, "run", buf, size);
}

int plan_replicas_owned_elsewhere(const cJSON *live)
{
	const cJSON *mf = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(live, "metadata"), "managedFields");
	const cJSON *e;

	cJSON_ArrayForEach(e, mf)
	{
		const char *m = jstr(e, "manager");
		const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(e, "fieldsV1"), "f:spec");

		if (m && strcmp(m, PLAN_MANAGER) && cJSON_GetObjectItemCaseSensitive(spec, "f:replicas"))
			return 1;
	}
	return 0;
}

plan_diff plan_classify(const plan_step *s, const cJSON *live, const char *prefix,
			const char *tcode, char *reason, size_t rsize)
{
	const cJSON *meta, *labels;
	const char *managed, *owner;
	char key[96];

	if (reason && rsize)
		reason[0] = '\0';
	if (!live)
		return PLAN_DIFF_CREATE;
	meta = cJSON_GetObjectItemCaseSensitive(live, "metadata");
	labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	tcode_key(prefix, "tcode", key, sizeof(key));
	owner = jstr(labels, key);
	managed = jstr(labels, PLAN_LABEL_MANAGED);
	if (owner && strcmp(owner, tcode)) {
		util_seterr(reason, rsize, "%s %s%s%s belongs to tenant %s", s->kind,
			    s->ns, *s->ns ? "/" : "", s->name, owner);
		return PLAN_DIFF_CONFLICT;
	}
	if (!managed || strcmp(managed, PLAN_MANAGER) || !owner) {
		util_seterr(reason, rsize, "%s %s%s%s exists and was not created by smartops",
			    s->kind, s->ns, *s->ns ? "/" : "", s->name);
		return PLAN_DIFF_CONFLICT;
	}
	if (jstr(meta, "deletionTimestamp")) {
		util_seterr(reason, rsize, "%s %s%s%s is being deleted (Terminating); wait until it is gone",
			    s->kind, s->ns, *s->ns ? "/" : "", s->name);
		return PLAN_DIFF_TERMINATING;
	}
	if (s->secret) /* made once: what it holds is not the plan's to compare or renew */
		return PLAN_DIFF_UNCHANGED;
	if (plan_replicas_owned_elsewhere(live)) {
		cJSON *want = cJSON_Duplicate(s->body, 1);
		int same;

		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(want, "spec"),
							"replicas");
		same = plan_subset(want, live);
		cJSON_Delete(want);
		if (same)
			return PLAN_DIFF_UNCHANGED;
	} else if (plan_subset(s->body, live)) {
		return PLAN_DIFF_UNCHANGED;
	}
	util_seterr(reason, rsize, "differs from the plan");
	return PLAN_DIFF_CHANGE;
}

/* A step of another executor (a PostgreSQL role...) is observed by it. */
static int diff_exec(plan *p, plan_step *s, step_env *env, k8s_err *err)
{
	step_seen seen;

	if (s->exec->observe(env, s, &seen) < 0) {
		if (err) {
			k8s_err_clear(err);
			err->http = env->http ? env->http : 500; /* answered: not "unreachable" */
			util_strlcpy(err->msg, env->msg, sizeof(err->msg));
		}
		return -1;
	}
	(void)p;
	s->diff = seen.diff;
	util_strlcpy(s->reason, seen.reason, sizeof(s->reason));
	step_seen_release(&seen);
	return 0;
}

int plan_diff_cluster(plan *p, k8s_client *c, const char *prefix, k8s_err *err)
{
	char run_label[96];
	step_env env;
	size_t i;
	int ret = 0;

	plan_run_label(prefix, run_label, sizeof(run_label));
	memset(&env, 0, sizeof(env));
	env.client = c;
	env.prefix = prefix ? prefix : "";
	env.tcode = p->tcode;
	env.run = "";
	env.run_label = run_label;
	for (i = 0; i < p->n && ret == 0; i++) {
		plan_step *s = &p->steps[i];
		char *path;
		cJSON *live = NULL;
		k8s_err e;
		int rc;

		if (s->exec && s->exec != &step_k8s) {
			ret = diff_exec(p, s, &env, err);
			continue;
		}
		path = plan_step_path(s);
		rc = k8s_get(c, path, &live, &e);

		free(path);
		if (rc < 0 && e.http != 404) {
			if (err)
				*err = e;
			ret = -1;
			break;
		}
		s->diff = plan_classify(s, rc < 0 ? NULL : live, prefix, p->tcode, s->reason,
					sizeof(s->reason));
		cJSON_Delete(live);
	}
	step_env_close(&env);
	return ret;
}
