/* The run journal (see core/journal.h). */
#include <ctype.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/plan_prior.h"
#include "core/step.h"
#include "core/tcode.h"
#include "k8s/retry.h"
#include "util/util.h"

#define WRITE_TRIES 5

const char *run_state_name(run_state s)
{
	static const char *const names[] = {"planned", "running", "done", "failed",
					    "paused", "rolling-back", "rolled-back"};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

const char *step_state_name(step_state s)
{
	static const char *const names[] = {"pending",	"applying", "applied", "ready",
					    "unchanged", "failed",   "deleting", "deleted",
					    "kept",	"restoring", "restored"};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static int state_parse(const char *s, const char *(*name)(int), int n)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(name(i), s))
			return i;
	return -1;
}

static const char *run_name_i(int i)
{
	return run_state_name((run_state)i);
}

static const char *step_name_i(int i)
{
	return step_state_name((step_state)i);
}

void journal_from_plan(journal *j, const plan *p, const char *run, const char *operator_id,
		       int64_t now_ms)
{
	size_t i;

	memset(j, 0, sizeof(*j));
	util_strlcpy(j->run, run, sizeof(j->run));
	util_strlcpy(j->tcode, p->tcode, sizeof(j->tcode));
	util_strlcpy(j->wizard, p->wizard, sizeof(j->wizard));
	util_strlcpy(j->operator_id, operator_id, sizeof(j->operator_id));
	util_strlcpy(j->last_operator, operator_id, sizeof(j->last_operator));
	j->state = RUN_PLANNED;
	j->created = j->updated = now_ms / 1000;
	j->created_ms = now_ms;
	j->n_inputs = p->n_inputs;
	memcpy(j->inputs, p->inputs, sizeof(p->inputs));
	j->n_steps = p->n;
	j->steps = xcalloc(p->n ? p->n : 1, sizeof(*j->steps));
	for (i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		const step_exec *x = step_exec_of(s);
		journal_step *js = &j->steps[i];

		util_strlcpy(js->id, s->id, sizeof(js->id));
		x->ref(s, js->path, sizeof(js->path));
		util_strlcpy(js->kind, s->kind, sizeof(js->kind));
		if (x != &step_k8s)
			util_strlcpy(js->exec, x->name, sizeof(js->exec));
		js->rollback = (uint8_t)s->rollback;
		js->secret = (uint8_t)!!s->secret;
	}
}

void journal_release(journal *j)
{
	for (size_t i = 0; j->steps && i < j->n_steps; i++)
		cJSON_Delete(j->steps[i].prior);
	free(j->steps);
	memset(j, 0, sizeof(*j));
}

void journal_note(journal *j, const char *fmt, ...)
{
	va_list ap;

	if (j->n_notes == JOURNAL_MAX_NOTES) {
		memmove(j->notes[0], j->notes[1], sizeof(j->notes[0]) * (JOURNAL_MAX_NOTES - 1));
		j->n_notes--;
	}
	va_start(ap, fmt);
	vsnprintf(j->notes[j->n_notes++], sizeof(j->notes[0]), fmt, ap);
	va_end(ap);
}

journal_step *journal_step_find(journal *j, const char *id)
{
	size_t i;

	for (i = 0; i < j->n_steps; i++)
		if (!strcmp(j->steps[i].id, id))
			return &j->steps[i];
	return NULL;
}

void journal_new_run_id(const char *tcode, int64_t now_s, char *buf, size_t size)
{
	char lower[8], stamp[32];
	struct timespec ts;
	time_t t = (time_t)now_s;
	struct tm tm;
	unsigned r;
	size_t i;

	snprintf(lower, sizeof(lower), "%s", tcode);
	for (i = 0; lower[i]; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	clock_gettime(CLOCK_REALTIME, &ts);
	r = (unsigned)(ts.tv_nsec ^ ((long)getpid() << 8)) & 0xffffu;
	snprintf(buf, size, "%s-%s-%04x", lower, stamp, r);
}

int journal_run_id_valid(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return 0;
	return n > 0 && n < JOURNAL_RUN_SIZE;
}

/* A segment of an object path: a DNS-1123 label or subdomain (lower case
 * letters, digits, '-', '.'; not "." or ".."), at most size - 1 bytes. */
static const char *path_segment(const char *p, char *out, size_t size)
{
	size_t n = strcspn(p, "/");
	size_t i;

	if (n == 0 || n >= size || (n <= 2 && strspn(p, ".") == n))
		return NULL;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)p[i]) || isdigit((unsigned char)p[i]) || p[i] == '-' ||
		      p[i] == '.'))
			return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return p + n;
}

int journal_path_parse(const char *path, journal_object *o, char *err, size_t errsz)
{
	const char *p = path;
	char seg[2][64];

	memset(o, 0, sizeof(*o));
	if (!path || !util_starts_with(path, "/api"))
		goto bad;
	if (util_starts_with(p, "/api/")) {
		p += 5;
	} else if (util_starts_with(p, "/apis/")) {
		p = path_segment(p + 6, o->group, sizeof(o->group));
		if (!p || *p != '/')
			goto bad;
		p++;
	} else {
		goto bad;
	}
	p = path_segment(p, o->version, sizeof(o->version));
	if (!p || *p != '/')
		goto bad;
	p = path_segment(p + 1, seg[0], sizeof(seg[0]));
	if (!p || *p != '/')
		goto bad;
	p = path_segment(p + 1, seg[1], sizeof(seg[1]));
	if (!p)
		goto bad;
	if (*p == '\0') { /* cluster-scoped: PLURAL/NAME */
		util_strlcpy(o->plural, seg[0], sizeof(o->plural));
		util_strlcpy(o->name, seg[1], sizeof(o->name));
	} else { /* namespaces/NS/PLURAL/NAME */
		if (strcmp(seg[0], "namespaces") || *p != '/')
			goto bad;
		util_strlcpy(o->ns, seg[1], sizeof(o->ns));
		p = path_segment(p + 1, o->plural, sizeof(o->plural));
		if (!p || *p != '/')
			goto bad;
		p = path_segment(p + 1, o->name, sizeof(o->name));
		if (!p || *p != '\0')
			goto bad;
	}
	if (strchr(o->plural, '.') || strchr(o->version, '.'))
		goto bad;
	if (o->group[0])
		snprintf(o->api_version, sizeof(o->api_version), "%s/%s", o->group, o->version);
	else
		util_strlcpy(o->api_version, o->version, sizeof(o->api_version));
	return 0;
bad:
	memset(o, 0, sizeof(*o));
	return util_seterr(err, errsz,
			   "\"%.120s\" is not the API path of one object (/api/v1/[namespaces/NS/]PLURAL/NAME or /apis/GROUP/VERSION/...)",
			   path ? path : "");
}

int journal_check_paths(const journal *j, char *err, size_t errsz)
{
	char why[200];
	size_t i;

	for (i = 0; i < j->n_steps; i++) {
		const step_exec *x = step_exec_find(j->steps[i].exec);

		if (!x)
			return util_seterr(err, errsz,
					   "run %s has steps of kind \"%.15s\" (step %zu, %.96s), which this version of smartops does not know",
					   j->run, j->steps[i].exec, i, j->steps[i].id);
		if (x->ref_check(j->steps[i].path, why, sizeof(why)) < 0)
			return util_seterr(err, errsz, "the journal of run %s is damaged: step %zu (%.96s): %s",
					   j->run, i, j->steps[i].id, why);
	}
	return 0;
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[40];

	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	util_rfc3339(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

void journal_encode(const journal *j, strbuf *out)
{
	cJSON *root = cJSON_CreateObject(), *in, *notes, *steps;
	char *text;
	size_t i;

	cJSON_AddStringToObject(root, "kind", "Run");
	cJSON_AddStringToObject(root, "apiVersion", "smartops/v1");
	cJSON_AddStringToObject(root, "run", j->run);
	cJSON_AddStringToObject(root, "tcode", j->tcode);
	cJSON_AddStringToObject(root, "wizard", j->wizard);
	cJSON_AddStringToObject(root, "operator", j->operator_id);
	cJSON_AddStringToObject(root, "lastOperator", j->last_operator);
	cJSON_AddStringToObject(root, "state", run_state_name(j->state));
	add_time(root, "created", j->created);
	if (j->created_ms)
		cJSON_AddNumberToObject(root, "createdMs", (double)j->created_ms);
	add_time(root, "updated", j->updated);
	cJSON_AddStringToObject(root, "message", j->message);
	in = cJSON_AddObjectToObject(root, "inputs");
	for (i = 0; i < j->n_inputs; i++)
		cJSON_AddStringToObject(in, j->inputs[i].key, j->inputs[i].value);
	notes = cJSON_AddArrayToObject(root, "notes");
	for (i = 0; i < j->n_notes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(j->notes[i]));
	steps = cJSON_AddArrayToObject(root, "steps");
	for (i = 0; i < j->n_steps; i++) {
		const journal_step *s = &j->steps[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(steps, o);
		cJSON_AddStringToObject(o, "id", s->id);
		cJSON_AddStringToObject(o, "kind", s->kind);
		if (s->exec[0])
			cJSON_AddStringToObject(o, "executor", s->exec);
		cJSON_AddStringToObject(o, "path", s->path);
		if (s->rollback != STEP_ROLLBACK_DELETE)
			cJSON_AddStringToObject(o, "rollback", step_rollback_name(s->rollback));
		if (s->secret)
			cJSON_AddTrueToObject(o, "secret");
		cJSON_AddStringToObject(o, "state", step_state_name(s->state));
		cJSON_AddBoolToObject(o, "created", s->created);
		cJSON_AddStringToObject(o, "uid", s->uid);
		add_time(o, "started", s->started);
		add_time(o, "finished", s->finished);
		cJSON_AddStringToObject(o, "message", s->message);
		if (s->prior)
			cJSON_AddItemToObject(o, "prior", cJSON_Duplicate(s->prior, 1));
	}
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		die("out of memory");
	sb_adds(out, text);
	cJSON_free(text);
}

size_t journal_encoded_size(const journal *j)
{
	strbuf sb;
	size_t n;

	sb_init(&sb, 4096);
	journal_encode(j, &sb);
	n = sb.len;
	sb_release(&sb);
	return n;
}

static void get_str(const cJSON *o, const char *key, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	util_strlcpy(buf, cJSON_IsString(v) ? v->valuestring : "", size);
}

static int64_t get_time(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t t = cJSON_IsString(v) ? util_parse_rfc3339(v->valuestring) : 0;

	return t < 0 ? 0 : t;
}

/* "createdMs" when it falls within the second "created" names (anything else,
 * an edited or older journal, counts as that second's start). */
static int64_t get_created_ms(const cJSON *o, int64_t created)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "createdMs");

	if (cJSON_IsNumber(v) && v->valuedouble >= (double)created * 1000.0 &&
	    v->valuedouble < (double)created * 1000.0 + 1000.0)
		return (int64_t)v->valuedouble;
	return created * 1000;
}

int journal_decode(const char *text, journal *j, char *err, size_t errsz)
{
	cJSON *root = cJSON_Parse(text), *v, *steps;
	char buf[32];
	int st;
	size_t i = 0;

	memset(j, 0, sizeof(*j));
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return util_seterr(err, errsz, "the journal is not a JSON object");
	}
	get_str(root, "run", j->run, sizeof(j->run));
	get_str(root, "tcode", j->tcode, sizeof(j->tcode));
	get_str(root, "wizard", j->wizard, sizeof(j->wizard));
	get_str(root, "operator", j->operator_id, sizeof(j->operator_id));
	get_str(root, "lastOperator", j->last_operator, sizeof(j->last_operator));
	get_str(root, "message", j->message, sizeof(j->message));
	get_str(root, "state", buf, sizeof(buf));
	st = state_parse(buf, run_name_i, RUN_STATE_COUNT);
	if (!j->run[0] || !tcode_is_valid(j->tcode) || st < 0) {
		cJSON_Delete(root);
		return util_seterr(err, errsz, "the journal lacks a run id, a TCODE or a known state");
	}
	j->state = (uint8_t)st;
	j->created = get_time(root, "created");
	j->created_ms = get_created_ms(root, j->created);
	j->updated = get_time(root, "updated");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "inputs"))
	{
		/* an object of strings; an array has no keys (v->string NULL) */
		if (j->n_inputs < PLAN_MAX_INPUTS && cJSON_IsString(v) && v->string) {
			util_strlcpy(j->inputs[j->n_inputs].key, v->string, sizeof(j->inputs[0].key));
			util_strlcpy(j->inputs[j->n_inputs].value, v->valuestring,
				     sizeof(j->inputs[0].value));
			j->n_inputs++;
		}
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "notes"))
	{
		if (j->n_notes < JOURNAL_MAX_NOTES && cJSON_IsString(v))
			util_strlcpy(j->notes[j->n_notes++], v->valuestring, sizeof(j->notes[0]));
	}
	steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
	j->n_steps = cJSON_IsArray(steps) ? (size_t)cJSON_GetArraySize(steps) : 0;
	j->steps = xcalloc(j->n_steps ? j->n_steps : 1, sizeof(*j->steps));
	cJSON_ArrayForEach(v, steps)
	{
		journal_step *s = &j->steps[i++];
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(v, "created");

		get_str(v, "id", s->id, sizeof(s->id));
		get_str(v, "kind", s->kind, sizeof(s->kind));
		get_str(v, "path", s->path, sizeof(s->path));
		get_str(v, "state", buf, sizeof(buf));
		st = state_parse(buf, step_name_i, STEP_STATE_COUNT);
		if (!s->id[0] || !s->path[0] || st < 0) {
			cJSON_Delete(root);
			journal_release(j);
			return util_seterr(err, errsz, "journal step %zu lacks an id or a known state",
					   i - 1);
		}
		s->state = (uint8_t)st;
		s->created = cJSON_IsTrue(c);
		get_str(v, "executor", s->exec, sizeof(s->exec));
		buf[0] = '\0';
		get_str(v, "rollback", buf, sizeof(buf));
		st = buf[0] ? step_rollback_parse(buf) : STEP_ROLLBACK_DELETE;
		if (st < 0) {
			cJSON_Delete(root);
			journal_release(j);
			return util_seterr(err, errsz, "journal step %zu has an unknown rollback policy",
					   i - 1);
		}
		s->rollback = (uint8_t)st;
		s->secret = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "secret"));
		get_str(v, "uid", s->uid, sizeof(s->uid));
		get_str(v, "message", s->message, sizeof(s->message));
		s->started = get_time(v, "started");
		s->finished = get_time(v, "finished");
		c = cJSON_GetObjectItemCaseSensitive(v, "prior");
		if (c && !plan_prior_valid(c)) {
			cJSON_Delete(root);
			journal_release(j);
			return util_seterr(err, errsz,
					   "journal step %zu has a prior state of an unknown shape", i - 1);
		}
		if (c)
			s->prior = cJSON_Duplicate(c, 1);
	}
	cJSON_Delete(root);
	return 0;
}

/* ---- in the cluster --------------------------------------------------------- */

int journal_ensure_namespace(k8s_client *c, k8s_err *err)
{
	static const char body[] = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{"
				   "\"name\":\"" JOURNAL_NAMESPACE "\",\"labels\":{"
				   "\"app.kubernetes.io/part-of\":\"smartops\"}}}";
	char *path = k8s_path("", "v1", NULL, "namespaces", JOURNAL_NAMESPACE);
	char *coll = k8s_path("", "v1", NULL, "namespaces", NULL);
	cJSON *out = NULL;
	k8s_retry rt;
	int rc;

	k8s_retry_init(&rt, 200, 3200, WRITE_TRIES, NULL);
	rc = k8s_get(c, path, &out, err);
	cJSON_Delete(out);
	out = NULL;
	while (rc < 0 && err->http == 404) {
		rc = k8s_create(c, coll, body, 0, NULL, err);
		if (rc < 0 && err->http == 409) /* made meanwhile */
			rc = 0;
		if (rc == 0 || !k8s_retry_transient(err) || k8s_retry_wait(&rt, err) != K8S_RETRY_AGAIN)
			break;
		rc = k8s_get(c, path, &out, err); /* the create may have taken */
		cJSON_Delete(out);
		out = NULL;
	}
	free(coll);
	free(path);
	return rc;
}

int journal_save(k8s_client *c, const journal *j, const char *prefix, k8s_err *err)
{
	cJSON *cm = cJSON_CreateObject(), *meta, *labels, *data;
	char key[96], name[64], *path, *body;
	strbuf sb;
	k8s_retry rt;
	int rc = -1, ensured = 0;

	sb_init(&sb, 4096);
	journal_encode(j, &sb);
	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	meta = cJSON_AddObjectToObject(cm, "metadata");
	snprintf(name, sizeof(name), "run-%s", j->run);
	cJSON_AddStringToObject(meta, "name", name);
	path = k8s_path("", "v1", JOURNAL_NAMESPACE, "configmaps", name);
	cJSON_AddStringToObject(meta, "namespace", JOURNAL_NAMESPACE);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	cJSON_AddStringToObject(labels, "app.kubernetes.io/component", "run-journal");
	tcode_key(prefix, "tcode", key, sizeof(key));
	cJSON_AddStringToObject(labels, key, j->tcode);
	tcode_key(prefix, "run", key, sizeof(key));
	cJSON_AddStringToObject(labels, key, j->run);
	tcode_key(prefix, "run-state", key, sizeof(key));
	cJSON_AddStringToObject(labels, key, run_state_name(j->state));
	data = cJSON_AddObjectToObject(cm, "data");
	cJSON_AddStringToObject(data, "journal", sb.buf);
	body = cJSON_PrintUnformatted(cm);
	cJSON_Delete(cm);
	/* server-side apply of the whole journal: idempotent, so safe to send again */
	k8s_retry_init(&rt, 150, 2400, WRITE_TRIES, NULL);
	for (;;) {
		rc = k8s_apply(c, path, body, K8S_FORCE, NULL, err);
		if (rc == 0)
			break;
		if (err->http == 404 && strstr(err->msg, "namespace") && !ensured) {
			ensured = 1;
			if (journal_ensure_namespace(c, err) < 0)
				break;
			continue;
		}
		if (!k8s_retry_transient(err) || k8s_retry_wait(&rt, err) != K8S_RETRY_AGAIN)
			break;
	}
	cJSON_free(body);
	free(path);
	sb_release(&sb);
	return rc;
}

static int decode_cm(const cJSON *cm, journal *j, k8s_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cm, "data"),
							  "journal");
	char why[200];

	if (!cJSON_IsString(v))
		return k8s_err_set(err, 0, "run ConfigMap has no data.journal");
	if (journal_decode(v->valuestring, j, why, sizeof(why)) < 0)
		return k8s_err_set(err, 0, "run journal unreadable: %s", why);
	return 0;
}

int journal_load(k8s_client *c, const char *run, journal *j, k8s_err *err)
{
	char name[64], *path;
	cJSON *cm = NULL;
	int rc;

	memset(j, 0, sizeof(*j));
	snprintf(name, sizeof(name), "run-%s", run);
	path = k8s_path("", "v1", JOURNAL_NAMESPACE, "configmaps", name);
	rc = k8s_get(c, path, &cm, err);
	free(path);
	if (rc == 0)
		rc = decode_cm(cm, j, err);
	cJSON_Delete(cm);
	return rc;
}

typedef struct list_ctx {
	journal *items;
	size_t n, cap;
} list_ctx;

static int list_item(void *vctx, const cJSON *item)
{
	list_ctx *lc = vctx;
	journal j;
	k8s_err e;

	if (decode_cm(item, &j, &e) < 0)
		return 0; /* someone else's or broken: skipped */
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 16;
		lc->items = xrealloc(lc->items, lc->cap * sizeof(*lc->items));
	}
	lc->items[lc->n++] = j;
	return 0;
}

static void list_restart(void *vctx)
{
	list_ctx *lc = vctx;

	while (lc->n)
		journal_release(&lc->items[--lc->n]);
}

static int newest_first(const void *a, const void *b)
{
	const journal *x = a, *y = b;

	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? 1 : -1;
	return strcmp(y->run, x->run);
}

void journal_sort_newest(journal *js, size_t n)
{
	if (n)
		qsort(js, n, sizeof(*js), newest_first);
}

int journal_list(k8s_client *c, const char *tcode, const char *prefix, journal **out, size_t *n,
		 k8s_err *err)
{
	char sel[160], key[96], *path = k8s_path("", "v1", JOURNAL_NAMESPACE, "configmaps", NULL);
	k8s_list_opts lo = {.label_selector = sel, .on_restart = list_restart};
	list_ctx lc = {0};
	int rc;

	if (tcode) {
		tcode_key(prefix, "tcode", key, sizeof(key));
		snprintf(sel, sizeof(sel), "app.kubernetes.io/component=run-journal,%s=%s", key,
			 tcode);
	} else {
		snprintf(sel, sizeof(sel), "app.kubernetes.io/component=run-journal");
	}
	rc = k8s_list(c, path, &lo, list_item, &lc, NULL, 0, err);
	free(path);
	if (rc < 0) {
		list_restart(&lc);
		free(lc.items);
		return -1;
	}
	journal_sort_newest(lc.items, lc.n);
	*out = lc.items;
	*n = lc.n;
	return 0;
}

size_t journal_steps_settled(const journal *j)
{
	size_t i, n = 0;

	for (i = 0; i < j->n_steps; i++) {
		step_state s = (step_state)j->steps[i].state;

		n += s == STEP_APPLIED || s == STEP_READY || s == STEP_UNCHANGED || s == STEP_DELETED ||
		     s == STEP_KEPT || s == STEP_RESTORED;
	}
	return n;
}
