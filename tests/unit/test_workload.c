/* The workload controller against a real store on a fast clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/replicaset.h"
#include "sim/resource.h"
#include "sim/store.h"
#include "sim/workload.h"
#include "util/util.h"

#define SCALE 50      /* store seconds per wall second */
#define WAIT_MS 10000 /* wall time a condition may take */

typedef struct fixture {
	sim_store *s;
	sim_workload *w;
	int64_t base_s, start_mono;
	int crash, not_ready; /* policy switches */
	int asked;
	int stopped; /* the store clock stands still */
	int hold, held; /* hold: the policy keeps the controller on a pod of app=gate
			   (held: it is there) until hold is 0 again */
} fixture;

static int64_t fast_clock(void *ctx)
{
	fixture *f = ctx;

	if (__atomic_load_n(&f->stopped, __ATOMIC_SEQ_CST))
		return f->base_s;
	return f->base_s + (util_mono_ms() - f->start_mono) * SCALE / 1000;
}

static const sim_resource *res(const char *plural)
{
	static const char *const groups[] = {"", "apps", "batch", "storage.k8s.io"};

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		const sim_resource *r = sim_resource_find(groups[i], "v1", plural);

		if (r)
			return r;
	}
	fail_msg("no resource %s", plural);
	return NULL;
}

static void create(fixture *f, const char *plural, const char *ns, const char *json)
{
	cJSON *o = cJSON_Parse(json);
	sim_err err;

	assert_non_null(o);
	if (sim_store_create(f->s, res(plural), ns, o, 0, NULL, &err) < 0)
		fail_msg("create %s: %s", plural, err.message);
	cJSON_Delete(o);
}

static sim_pod_verdict policy(void *ctx, const cJSON *pod, char *reason, size_t rsize,
			      char *message, size_t msize)
{
	fixture *f = ctx;
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "labels");
	const cJSON *app = cJSON_GetObjectItemCaseSensitive(labels, "app");

	__atomic_add_fetch(&f->asked, 1, __ATOMIC_SEQ_CST);
	if (!cJSON_IsString(app))
		return SIM_POD_OK;
	if (!strcmp(app->valuestring, "gate") && __atomic_load_n(&f->hold, __ATOMIC_SEQ_CST)) {
		int64_t until = util_mono_ms() + WAIT_MS;

		__atomic_store_n(&f->held, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&f->hold, __ATOMIC_SEQ_CST) && util_mono_ms() < until)
			usleep(1000);
	}
	if (!strcmp(app->valuestring, "crash") && __atomic_load_n(&f->crash, __ATOMIC_SEQ_CST)) {
		snprintf(reason, rsize, "LicenseInvalid");
		snprintf(message, msize, "no licence for this environment");
		return SIM_POD_CRASHLOOP;
	}
	if (!strcmp(app->valuestring, "slow") && __atomic_load_n(&f->not_ready, __ATOMIC_SEQ_CST)) {
		snprintf(reason, rsize, "WaitingForDbAccess");
		snprintf(message, msize, "dbaccess is not ready");
		return SIM_POD_NOT_READY;
	}
	return SIM_POD_OK;
}

static int setup_opts(void **state, int max_events, size_t window)
{
	fixture *f = xcalloc(1, sizeof(*f));
	sim_workload_opts o = {.start_delay_ms = 300, .ready_delay_ms = 300, .max_events = max_events};

	f->s = sim_store_new(window);
	f->base_s = 1800000000;
	f->start_mono = util_mono_ms();
	sim_store_set_clock(f->s, fast_clock, f);
	create(f, "namespaces", "", "{\"metadata\":{\"name\":\"t1\"}}");
	f->w = sim_workload_start(f->s, &o);
	assert_non_null(f->w);
	sim_workload_set_policy(f->w, policy, f);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_opts(state, 0, 100000);
}

static int setup_few_events(void **state)
{
	return setup_opts(state, 6, 100000);
}

/* A watch window of 32 events: a controller kept from its watches for more
 * is answered 410 Gone and lists again. */
static int setup_small_window(void **state)
{
	return setup_opts(state, -1, 32);
}

static int teardown(void **state)
{
	fixture *f = *state;

	sim_workload_stop(f->w);
	sim_store_free(f->s);
	free(f);
	return 0;
}

/* ---- reading the store ---- */

static cJSON *get(fixture *f, const char *plural, const char *name)
{
	sim_err err;
	sim_obj *o = sim_store_get(f->s, res(plural), "t1", name, &err);
	cJSON *root;

	if (!o)
		return NULL;
	root = sim_obj_parse(o);
	sim_obj_unref(o);
	return root;
}

static const cJSON *path(const cJSON *o, const char *a, const char *b, const char *c)
{
	o = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	if (c)
		o = cJSON_GetObjectItemCaseSensitive(o, c);
	return o;
}

static int num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = path(o, a, b, NULL);

	return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* Pods matching a label selector, as a list the caller releases. */
static void pods(fixture *f, const char *selector, sim_list *l)
{
	sim_err err;
	sim_selector *sel = sim_selector_parse_labels(selector, &err);

	assert_non_null(sel);
	assert_int_equal(sim_store_list(f->s, res("pods"), "t1", sel, NULL, 0, NULL, l, &err), 0);
	sim_selector_free(sel);
}

static size_t count_pods(fixture *f, const char *selector)
{
	sim_list l;
	size_t n;

	pods(f, selector, &l);
	n = l.n;
	sim_list_release(&l);
	return n;
}

static int status_num(fixture *f, const char *plural, const char *name, const char *field)
{
	cJSON *o = get(f, plural, name);
	int v = o ? num(o, "status", field) : -1;

	cJSON_Delete(o);
	return v;
}

typedef int (*cond_fn)(fixture *f, const void *arg);

static int wait_for(fixture *f, cond_fn fn, const void *arg)
{
	int64_t end = util_mono_ms() + WAIT_MS;

	while (util_mono_ms() < end) {
		if (fn(f, arg))
			return 1;
		usleep(5000);
	}
	return fn(f, arg);
}

typedef struct want {
	const char *plural, *name, *field, *selector;
	int value;
	size_t n_pods;
} want;

/* status.field == value and (if selector) exactly n_pods pods. */
static int status_is(fixture *f, const void *arg)
{
	const want *wt = arg;

	if (status_num(f, wt->plural, wt->name, wt->field) != wt->value)
		return 0;
	return !wt->selector || count_pods(f, wt->selector) == wt->n_pods;
}

#define DEPLOY_JSON \
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"%s\"}," \
	"\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"%s\"}}," \
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"%s\"}}," \
	"\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:1.27\"}]}}}}"

static void add_deploy(fixture *f, const char *name, int replicas)
{
	char json[1024];

	snprintf(json, sizeof(json), DEPLOY_JSON, name, replicas, name, name);
	create(f, "deployments", "t1", json);
}

typedef struct edit {
	const char *field; /* "replicas" or "restart" */
	int value;
} edit;

static int edit_fn(cJSON *obj, void *ctx, sim_err *err)
{
	const edit *e = ctx;
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");

	if (!strcmp(e->field, "replicas")) {
		cJSON_ReplaceItemInObjectCaseSensitive(spec, "replicas", cJSON_CreateNumber(e->value));
	} else {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(spec, "template"), "metadata");
		cJSON *ann = cJSON_AddObjectToObject(meta, "annotations");

		cJSON_AddStringToObject(ann, "kubectl.kubernetes.io/restartedAt", "2027-01-01T00:00:00Z");
	}
	return 0;
}

static void edit_owner(fixture *f, const char *plural, const char *name, const char *field, int v)
{
	edit e = {field, v};
	sim_err err;

	assert_int_equal(sim_store_mutate(f->s, res(plural), "t1", name, edit_fn, &e, 0, NULL, &err), 0);
}

/* ---- tests ---- */

static void test_deployment_becomes_ready(void **state)
{
	fixture *f = *state;
	want wt = {"deployments", "web", "readyReplicas", "app=web", 3, 3};
	cJSON *d, *p;
	sim_list l;
	const cJSON *c, *ref;
	const char *hash, *uid;
	char rsuid[40], rsname[64];
	int available = 0;

	add_deploy(f, "web", 3);
	assert_true(wait_for(f, status_is, &wt));
	d = get(f, "deployments", "web");
	assert_int_equal(num(d, "status", "replicas"), 3);
	assert_int_equal(num(d, "status", "availableReplicas"), 3);
	assert_int_equal(num(d, "status", "updatedReplicas"), 3);
	assert_int_equal(num(d, "status", "observedGeneration"), num(d, "metadata", "generation"));
	cJSON_ArrayForEach(c, path(d, "status", "conditions", NULL))
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(c, "type")->valuestring, "Available"))
			available = !strcmp(cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring, "True") &&
				    !strcmp(cJSON_GetObjectItemCaseSensitive(c, "reason")->valuestring,
					    "MinimumReplicasAvailable");
	assert_true(available);
	uid = path(d, "metadata", "uid", NULL)->valuestring;

	pods(f, "app=web", &l);
	assert_int_equal(l.n, 3);
	for (size_t i = 0; i < l.n; i++) {
		p = sim_obj_parse(l.items[i]);
		hash = sim_obj_label(l.items[i], "pod-template-hash");
		assert_non_null(hash);
		assert_int_equal(strlen(hash), 10);
		/* web-HASH-xxxxx */
		assert_true(util_starts_with(l.items[i]->name, "web-"));
		assert_int_equal(strlen(l.items[i]->name), 4 + 10 + 1 + 5);
		/* owned by the current ReplicaSet web-HASH, whose uid is the Deployment's and
		 * the hash's (the ReplicaSet is written when a client reads it) */
		ref = cJSON_GetArrayItem(path(p, "metadata", "ownerReferences", NULL), 0);
		sim_rs_uid(uid, hash, rsuid);
		snprintf(rsname, sizeof(rsname), "web-%s", hash);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(ref, "kind")->valuestring, "ReplicaSet");
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(ref, "name")->valuestring, rsname);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(ref, "uid")->valuestring, rsuid);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller")));
		assert_string_equal(path(p, "status", "phase", NULL)->valuestring, "Running");
		assert_true(util_starts_with(path(p, "status", "podIP", NULL)->valuestring, "10."));
		assert_true(util_starts_with(path(p, "spec", "nodeName", NULL)->valuestring, "kubesim-node-"));
		c = cJSON_GetArrayItem(path(p, "status", "containerStatuses", NULL), 0);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ready")));
		assert_non_null(path(c, "state", "running", "startedAt"));
		cJSON_Delete(p);
	}
	sim_list_release(&l);
	/* read, the ReplicaSet is written with the uid its pods name */
	sim_rs_materialize(f->s, "t1");
	p = get(f, "replicasets", rsname);
	assert_non_null(p);
	assert_string_equal(path(p, "metadata", "uid", NULL)->valuestring, rsuid);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetArrayItem(path(p, "metadata", "ownerReferences", NULL), 0), "uid")->valuestring,
			    uid);
	cJSON_Delete(p);
	cJSON_Delete(d);
}

static int status_ready_99(cJSON *obj, void *ctx, sim_err *err)
{
	(void)ctx;
	(void)err;
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "status"), "readyReplicas",
					       cJSON_CreateNumber(99));
	return 0;
}

static int min_ready_5(cJSON *obj, void *ctx, sim_err *err)
{
	(void)ctx;
	(void)err;
	cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(obj, "spec"), "minReadySeconds", 5);
	return 0;
}

/* status.observedGeneration is metadata.generation, readyReplicas 3 */
static int observed_ready(fixture *f, const void *arg)
{
	cJSON *o = get(f, "deployments", "web");
	int ok = o && num(o, "status", "observedGeneration") == num(o, "metadata", "generation") &&
		 num(o, "status", "readyReplicas") == 3;

	(void)arg;
	cJSON_Delete(o);
	return ok;
}

/* The controller leaves a status as it is while its counts hold and nothing
 * else wrote the object. A status someone else wrote is written over on the
 * next reconcile, though the counts have not moved. */
static void test_status_written_over(void **state)
{
	fixture *f = *state;
	want ready = {"deployments", "web", "readyReplicas", "app=web", 3, 3};
	sim_err err;

	add_deploy(f, "web", 3);
	assert_true(wait_for(f, status_is, &ready));
	assert_int_equal(sim_store_mutate(f->s, res("deployments"), "t1", "web", status_ready_99, NULL, 0,
					  NULL, &err),
			 0);
	/* the next reconcile (a spec change that leaves the counts as they are)
	 * puts the status right, and observes the new generation */
	assert_int_equal(sim_store_mutate(f->s, res("deployments"), "t1", "web", min_ready_5, NULL, 0, NULL, &err),
			 0);
	assert_true(wait_for(f, observed_ready, NULL));
}

/* A container's start and readiness are physical: with the store clock standing still (a
 * --time-scale near 0) a Deployment made well past the first second still comes up. */
/* A new controller over a store that has a Deployment's pods (as after a restart, or a
 * relist) takes them back through their ReplicaSet: none made again, the same pods. */
static void test_pods_taken_back_through_their_replicaset(void **state)
{
	fixture *f = *state;
	want wt = {"deployments", "web", "readyReplicas", "app=web", 2, 2};
	sim_workload_opts o = {.start_delay_ms = 300, .ready_delay_ms = 300};
	char before[2][128];
	sim_list l;

	add_deploy(f, "web", 2);
	assert_true(wait_for(f, status_is, &wt));
	pods(f, "app=web", &l);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < 2; i++)
		util_strlcpy(before[i], l.items[i]->name, sizeof(before[i]));
	sim_list_release(&l);

	sim_workload_stop(f->w);
	f->w = sim_workload_start(f->s, &o);
	assert_non_null(f->w);
	sim_workload_set_policy(f->w, policy, f);
	/* one more: had it not taken the two back, it would make three of its own (five) */
	edit_owner(f, "deployments", "web", "replicas", 3);
	wt.value = 3;
	wt.n_pods = 3;
	assert_true(wait_for(f, status_is, &wt));
	pods(f, "app=web", &l);
	assert_int_equal(l.n, 3);
	for (size_t k = 0; k < 2; k++) {
		int found = 0;

		for (size_t i = 0; i < l.n; i++)
			found |= !strcmp(l.items[i]->name, before[k]);
		assert_true(found);
	}
	sim_list_release(&l);
}

static void test_stopped_clock_still_starts_pods(void **state)
{
	fixture *f = *state;
	want wt = {"deployments", "late", "readyReplicas", "app=late", 2, 2};
	cJSON *d;

	__atomic_store_n(&f->stopped, 1, __ATOMIC_SEQ_CST);
	usleep(1500 * 1000); /* past what the store second's fraction can account for */
	add_deploy(f, "late", 2);
	assert_true(wait_for(f, status_is, &wt));
	d = get(f, "deployments", "late");
	assert_int_equal(num(d, "status", "availableReplicas"), 2);
	cJSON_Delete(d);
}

static int no_pods(fixture *f, const void *selector)
{
	return count_pods(f, selector) == 0;
}

/* A pod of back's deleted by hand comes back under another name: back holds
 * again, with none of its pods the one deleted. */
static void pod_deleted_comes_back(fixture *f, const want *back)
{
	char gone[256];
	sim_list l;
	sim_err err;

	pods(f, back->selector, &l);
	assert_int_equal(l.n, back->n_pods);
	util_strlcpy(gone, l.items[0]->name, sizeof(gone));
	sim_list_release(&l);
	assert_int_equal(sim_store_delete(f->s, res("pods"), "t1", gone, 0, NULL, &err), 0);
	assert_true(wait_for(f, status_is, back));
	pods(f, back->selector, &l);
	assert_int_equal(l.n, back->n_pods);
	for (size_t i = 0; i < l.n; i++)
		assert_string_not_equal(l.items[i]->name, gone);
	sim_list_release(&l);
}

static void test_scale_down_and_replace(void **state)
{
	fixture *f = *state;
	want three = {"deployments", "api", "readyReplicas", "app=api", 3, 3};
	want one = {"deployments", "api", "replicas", "app=api", 1, 1};
	want back = {"deployments", "api", "readyReplicas", "app=api", 1, 1};
	sim_err err;

	add_deploy(f, "api", 3);
	assert_true(wait_for(f, status_is, &three));
	edit_owner(f, "deployments", "api", "replicas", 1);
	assert_true(wait_for(f, status_is, &one));

	pod_deleted_comes_back(f, &back);

	/* deleting the owner takes its pods along */
	assert_int_equal(sim_store_delete(f->s, res("deployments"), "t1", "api", 0, NULL, &err), 0);
	assert_true(wait_for(f, no_pods, "app=api"));
}

static int is_held(fixture *f, const void *arg)
{
	(void)arg;
	return __atomic_load_n(&f->held, __ATOMIC_SEQ_CST);
}

/* A controller that fell behind its watches lists everything again: the
 * owners it knew stay its own (a pod of one deleted afterwards is made again),
 * and what changed while it was away is read. */
static void test_relist_keeps_owners(void **state)
{
	fixture *f = *state;
	want two = {"deployments", "web", "readyReplicas", "app=web", 2, 2};
	want scaled = {"deployments", "api", "readyReplicas", "app=api", 2, 2};
	char name[32];

	add_deploy(f, "web", 2);
	add_deploy(f, "api", 1);
	assert_true(wait_for(f, status_is, &two));
	/* the controller kept on a pod of gate while 60 Deployment events go by */
	__atomic_store_n(&f->hold, 1, __ATOMIC_SEQ_CST);
	add_deploy(f, "gate", 1);
	assert_true(wait_for(f, is_held, NULL));
	for (int i = 0; i < 58; i++) {
		snprintf(name, sizeof(name), "filler-%d", i);
		add_deploy(f, name, 0);
	}
	edit_owner(f, "deployments", "api", "replicas", 2);
	edit_owner(f, "deployments", "web", "replicas", 2); /* the same: no event */
	__atomic_store_n(&f->hold, 0, __ATOMIC_SEQ_CST);
	assert_true(wait_for(f, status_is, &scaled));

	pod_deleted_comes_back(f, &two);
}

typedef struct hash_want {
	const char *old_hash;
} hash_want;

static int all_new_and_ready(fixture *f, const void *arg)
{
	const hash_want *hw = arg;
	sim_list l;
	int ok;

	pods(f, "app=roll", &l);
	ok = l.n == 2;
	for (size_t i = 0; ok && i < l.n; i++)
		ok = strcmp(sim_obj_label(l.items[i], "pod-template-hash"), hw->old_hash) != 0;
	sim_list_release(&l);
	return ok && status_num(f, "deployments", "roll", "readyReplicas") == 2 &&
	       status_num(f, "deployments", "roll", "updatedReplicas") == 2;
}

static void test_template_change_replaces_pods(void **state)
{
	fixture *f = *state;
	want ready = {"deployments", "roll", "readyReplicas", "app=roll", 2, 2};
	sim_list l;
	hash_want hw;
	char old[32];

	add_deploy(f, "roll", 2);
	assert_true(wait_for(f, status_is, &ready));
	pods(f, "app=roll", &l);
	util_strlcpy(old, sim_obj_label(l.items[0], "pod-template-hash"), sizeof(old));
	sim_list_release(&l);
	edit_owner(f, "deployments", "roll", "restart", 0);
	hw.old_hash = old;
	assert_true(wait_for(f, all_new_and_ready, &hw));
}

static int sts_names(fixture *f, const void *arg)
{
	const char *want_names = arg;
	sim_list l;
	strbuf names;
	int ok;

	sb_init(&names, 64);
	pods(f, "app=db", &l);
	for (size_t i = 0; i < l.n; i++)
		sb_addf(&names, "%s%s", i ? " " : "", l.items[i]->name);
	ok = !strcmp(names.buf, want_names);
	sim_list_release(&l);
	sb_release(&names);
	return ok;
}

static void test_statefulset_ordinals(void **state)
{
	fixture *f = *state;
	want ready = {"statefulsets", "db", "readyReplicas", "app=db", 3, 3};
	want one = {"statefulsets", "db", "replicas", "app=db", 1, 1};
	cJSON *s;

	create(f, "statefulsets", "t1",
	       "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\"},"
	       "\"spec\":{\"replicas\":3,\"serviceName\":\"db\",\"selector\":{\"matchLabels\":{\"app\":\"db\"}},"
	       "\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"}},"
	       "\"spec\":{\"containers\":[{\"name\":\"pg\",\"image\":\"postgres:15\"}]}}}}");
	assert_true(wait_for(f, status_is, &ready));
	assert_true(sts_names(f, "db-0 db-1 db-2"));
	s = get(f, "statefulsets", "db");
	assert_int_equal(num(s, "status", "currentReplicas"), 3);
	assert_int_equal(num(s, "status", "availableReplicas"), 3);
	cJSON_Delete(s);
	edit_owner(f, "statefulsets", "db", "replicas", 1);
	assert_true(wait_for(f, status_is, &one));
	assert_true(sts_names(f, "db-0"));
}

typedef struct crash_want {
	int restarts;
} crash_want;

static int crashing(fixture *f, const void *arg)
{
	const crash_want *cw = arg;
	sim_list l;
	int ok = 0;

	pods(f, "app=crash", &l);
	if (l.n == 1) {
		cJSON *p = sim_obj_parse(l.items[0]);
		const cJSON *c = cJSON_GetArrayItem(path(p, "status", "containerStatuses", NULL), 0);
		const cJSON *why = path(c, "state", "waiting", "reason");

		ok = cJSON_IsString(why) && !strcmp(why->valuestring, "CrashLoopBackOff") &&
		     num(c, "restartCount", NULL) >= cw->restarts;
		cJSON_Delete(p);
	}
	sim_list_release(&l);
	return ok;
}

static int has_event(fixture *f, const char *involved, const char *reason, const char *type)
{
	sim_list l;
	sim_err err;
	int found = 0;

	assert_int_equal(sim_store_list(f->s, res("events"), "t1", NULL, NULL, 0, NULL, &l, &err), 0);
	for (size_t i = 0; i < l.n && !found; i++) {
		cJSON *e = sim_obj_parse(l.items[i]);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "reason");
		const cJSON *n = path(e, "involvedObject", "name", NULL);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");

		found = cJSON_IsString(r) && !strcmp(r->valuestring, reason) && cJSON_IsString(n) &&
			util_starts_with(n->valuestring, involved) && cJSON_IsString(t) &&
			!strcmp(t->valuestring, type) && num(e, "count", NULL) >= 1 &&
			path(e, "source", "component", NULL) && path(e, "firstTimestamp", NULL, NULL) &&
			util_starts_with(l.items[i]->name, n->valuestring) &&
			l.items[i]->name[strlen(n->valuestring)] == '.';
		cJSON_Delete(e);
	}
	sim_list_release(&l);
	return found;
}

static void test_crashloop(void **state)
{
	fixture *f = *state;
	crash_want first = {1}, more = {3};
	want ready = {"deployments", "crash", "readyReplicas", "app=crash", 1, 1};
	sim_list l;
	cJSON *p;
	const cJSON *c;

	__atomic_store_n(&f->crash, 1, __ATOMIC_SEQ_CST);
	add_deploy(f, "crash", 1);
	assert_true(wait_for(f, crashing, &first));
	/* back-offs 10 s, 20 s: two more restarts within ~35 s of store time */
	assert_true(wait_for(f, crashing, &more));
	assert_int_equal(status_num(f, "deployments", "crash", "readyReplicas"), 0);
	pods(f, "app=crash", &l);
	p = sim_obj_parse(l.items[0]);
	c = cJSON_GetArrayItem(path(p, "status", "containerStatuses", NULL), 0);
	assert_int_equal(num(path(c, "lastState", "terminated", NULL), "exitCode", NULL), 1);
	assert_string_equal(path(c, "lastState", "terminated", "reason")->valuestring, "LicenseInvalid");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ready")));
	cJSON_Delete(p);
	sim_list_release(&l);
	assert_true(has_event(f, "crash-", "BackOff", "Warning"));
	/* the licence comes back: the next restart works */
	__atomic_store_n(&f->crash, 0, __ATOMIC_SEQ_CST);
	assert_true(wait_for(f, status_is, &ready));
}

static int ready_reason(fixture *f, const void *arg)
{
	sim_list l;
	int ok = 0;

	pods(f, "app=slow", &l);
	if (l.n == 1) {
		cJSON *p = sim_obj_parse(l.items[0]);
		const cJSON *c;

		cJSON_ArrayForEach(c, path(p, "status", "conditions", NULL)) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");
			const cJSON *r = cJSON_GetObjectItemCaseSensitive(c, "reason");

			if (!strcmp(t->valuestring, "Ready"))
				ok = cJSON_IsString(r) && !strcmp(r->valuestring, arg) &&
				     !strcmp(cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring, "False");
		}
		ok = ok && !strcmp(path(p, "status", "phase", NULL)->valuestring, "Running");
		cJSON_Delete(p);
	}
	sim_list_release(&l);
	return ok;
}

static void test_not_ready_then_kick(void **state)
{
	fixture *f = *state;
	want ready = {"deployments", "slow", "readyReplicas", "app=slow", 1, 1};

	__atomic_store_n(&f->not_ready, 1, __ATOMIC_SEQ_CST);
	add_deploy(f, "slow", 1);
	assert_true(wait_for(f, ready_reason, "WaitingForDbAccess"));
	usleep(100 * 1000);
	assert_int_equal(status_num(f, "deployments", "slow", "readyReplicas"), 0);
	__atomic_store_n(&f->not_ready, 0, __ATOMIC_SEQ_CST);
	sim_workload_kick_ns(f->w, "t1");
	assert_true(wait_for(f, status_is, &ready));
}

static int job_has(fixture *f, const void *arg)
{
	const char *const *a = arg; /* name, condition type */
	cJSON *j = get(f, "jobs", a[0]);
	const cJSON *c;
	int ok = 0;

	cJSON_ArrayForEach(c, path(j, "status", "conditions", NULL))
		ok |= !strcmp(cJSON_GetObjectItemCaseSensitive(c, "type")->valuestring, a[1]) &&
		      !strcmp(cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring, "True");
	cJSON_Delete(j);
	return ok;
}

/* spec: more members of the Job's spec ("" or "\"backoffLimit\":0,") */
static void add_job_spec(fixture *f, const char *name, const char *annotations, const char *spec)
{
	char json[1024];

	snprintf(json, sizeof(json),
		"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
		"\"annotations\":{%s}},\"spec\":{%s\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
		"\"containers\":[{\"name\":\"build\",\"image\":\"builder:1\"}]}}}}",
		name, annotations, spec);
	create(f, "jobs", "t1", json);
}

static void add_job(fixture *f, const char *name, const char *annotations)
{
	add_job_spec(f, name, annotations, "");
}

static void test_jobs(void **state)
{
	fixture *f = *state;
	const char *ok[] = {"build-ok", "Complete"}, *bad[] = {"build-bad", "Failed"};
	cJSON *j;
	sim_list l;

	add_job(f, "build-ok", "\"kubesim.io/duration-seconds\":\"20\"");
	add_job_spec(f, "build-bad", "\"kubesim.io/outcome\":\"failed\"", "\"backoffLimit\":0,");
	assert_true(wait_for(f, job_has, ok));
	j = get(f, "jobs", "build-ok");
	assert_int_equal(num(j, "status", "succeeded"), 1);
	assert_int_equal(num(j, "status", "active"), 0);
	assert_non_null(path(j, "status", "completionTime", NULL));
	assert_non_null(path(j, "status", "startTime", NULL));
	/* it ran about 20 s of store time */
	assert_true(util_parse_rfc3339(path(j, "status", "completionTime", NULL)->valuestring) -
			    util_parse_rfc3339(path(j, "status", "startTime", NULL)->valuestring) >= 19);
	cJSON_Delete(j);
	pods(f, "job-name=build-ok", &l);
	assert_int_equal(l.n, 1);
	assert_true(util_starts_with(l.items[0]->name, "build-ok-"));
	assert_int_equal(strlen(l.items[0]->name), strlen("build-ok-") + 5);
	assert_non_null(sim_obj_label(l.items[0], "controller-uid"));
	assert_non_null(strstr(l.items[0]->json, "\"Succeeded\""));
	sim_list_release(&l);
	assert_true(wait_for(f, job_has, bad));
	j = get(f, "jobs", "build-bad");
	assert_int_equal(num(j, "status", "failed"), 1);
	assert_int_equal(num(j, "status", "succeeded"), 0);
	cJSON_Delete(j);
	assert_true(has_event(f, "build-ok", "SuccessfulCreate", "Normal"));
	assert_true(has_event(f, "build-ok", "Completed", "Normal"));
}

/* backoffLimit 1: the failed pod is replaced once after the back-off, then the Job fails. */
static void test_job_backoff_limit(void **state)
{
	fixture *f = *state;
	const char *bad[] = {"retry", "Failed"};
	cJSON *j;

	add_job_spec(f, "retry", "\"kubesim.io/outcome\":\"failed\",\"kubesim.io/duration-seconds\":\"2\"",
		     "\"backoffLimit\":1,");
	assert_true(wait_for(f, job_has, bad));
	j = get(f, "jobs", "retry");
	assert_int_equal(num(j, "status", "failed"), 2);
	assert_int_equal(num(j, "status", "active"), 0);
	assert_null(path(j, "status", "completionTime", NULL));
	cJSON_Delete(j);
	assert_int_equal(count_pods(f, "job-name=retry"), 2);
}

static int job_gone(fixture *f, const void *arg)
{
	cJSON *j = get(f, "jobs", arg);

	cJSON_Delete(j);
	return !j && count_pods(f, "job-name=short-lived") == 0;
}

/* ttlSecondsAfterFinished: the Job and its pod are deleted that long (store time) after. */
static void test_job_ttl(void **state)
{
	fixture *f = *state;
	const char *ok[] = {"short-lived", "Complete"};
	cJSON *j;

	add_job_spec(f, "short-lived", "\"kubesim.io/duration-seconds\":\"2\"",
		     "\"ttlSecondsAfterFinished\":30,");
	assert_true(wait_for(f, job_has, ok));
	j = get(f, "jobs", "short-lived");
	assert_non_null(j); /* not at once */
	cJSON_Delete(j);
	assert_true(wait_for(f, job_gone, "short-lived"));
}

/* A Job whose init containers are a build's stages, on a simulated repository, the
 * fleet's failure annotation failing it at compile. */
#define BUILD_ENV "\"env\":[{\"name\":\"REPO\",\"value\":\"https://git.example.com/c.git\"}," \
	"{\"name\":\"COMMIT\",\"value\":\"0123456789abcdef0123456789abcdef01234567\"}," \
	"{\"name\":\"BUILD_ID\",\"value\":\"b7\"},{\"name\":\"RPO_LOCATION\",\"value\":\"s3://b/t1/\"}]"

static void add_build(fixture *f, const char *name, const char *fail_stage)
{
	char json[4096];

	snprintf(json, sizeof(json),
		"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
		"\"annotations\":{\"kubesim.io/fail-stage\":\"%s\"}},\"spec\":{\"backoffLimit\":0,"
		"\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"initContainers\":["
		"{\"name\":\"checkout\",\"image\":\"b:1\"," BUILD_ENV "},"
		"{\"name\":\"sonarqube\",\"image\":\"s:1\"," BUILD_ENV "},"
		"{\"name\":\"compile\",\"image\":\"b:1\"," BUILD_ENV "},"
		"{\"name\":\"upload\",\"image\":\"b:1\"," BUILD_ENV "}],"
		"\"containers\":[{\"name\":\"finish\",\"image\":\"b:1\"," BUILD_ENV "}]}}}}",
		name, fail_stage);
	create(f, "jobs", "t1", json);
}

/* The terminated state of a pod's init container i, or NULL. */
static const cJSON *init_term(const cJSON *pod, int i)
{
	const cJSON *cs = cJSON_GetArrayItem(path(pod, "status", "initContainerStatuses", NULL), i);

	return path(cs, "state", "terminated", NULL);
}

static void test_build_job_stages(void **state)
{
	fixture *f = *state;
	const char *ok[] = {"good", "Complete"}, *bad[] = {"bad", "Failed"};
	sim_list l;
	cJSON *pod;
	const cJSON *t;

	add_build(f, "good", "none");
	add_build(f, "bad", "compile");
	assert_true(wait_for(f, job_has, ok));
	pods(f, "job-name=good", &l);
	assert_int_equal(l.n, 1);
	pod = sim_obj_parse(l.items[0]);
	sim_list_release(&l);
	assert_string_equal(path(pod, "status", "phase", NULL)->valuestring, "Succeeded");
	assert_int_equal(cJSON_GetArraySize(path(pod, "status", "initContainerStatuses", NULL)), 4);
	assert_string_equal(path(init_term(pod, 1), "message", NULL, NULL)->valuestring, "quality gate OK");
	assert_string_equal(path(init_term(pod, 3), "message", NULL, NULL)->valuestring,
			    "s3://b/t1/b7/custom.rpo");
	/* each stage starts when the one before it finished */
	for (int i = 1; i < 4; i++)
		assert_true(util_parse_rfc3339(path(init_term(pod, i), "startedAt", NULL, NULL)->valuestring) >=
			    util_parse_rfc3339(path(init_term(pod, i - 1), "finishedAt", NULL, NULL)->valuestring));
	cJSON_Delete(pod);

	assert_true(wait_for(f, job_has, bad));
	pods(f, "job-name=bad", &l);
	assert_int_equal(l.n, 1);
	pod = sim_obj_parse(l.items[0]);
	sim_list_release(&l);
	assert_string_equal(path(pod, "status", "phase", NULL)->valuestring, "Failed");
	t = init_term(pod, 2);
	assert_int_equal(path(t, "exitCode", NULL, NULL)->valueint, 1);
	assert_string_equal(path(t, "reason", NULL, NULL)->valuestring, "Error");
	assert_true(util_starts_with(path(t, "message", NULL, NULL)->valuestring, "compile failed: "));
	assert_null(init_term(pod, 3)); /* upload never started */
	cJSON_Delete(pod);
}

static void test_events(void **state)
{
	fixture *f = *state;
	want ready = {"deployments", "ev", "readyReplicas", "app=ev", 1, 1};

	add_deploy(f, "ev", 1);
	assert_true(wait_for(f, status_is, &ready));
	assert_true(has_event(f, "ev", "ScalingReplicaSet", "Normal"));
	assert_true(has_event(f, "ev-", "Scheduled", "Normal"));
	assert_true(has_event(f, "ev-", "Pulled", "Normal"));
	assert_true(has_event(f, "ev-", "Created", "Normal"));
	assert_true(has_event(f, "ev-", "Started", "Normal"));
	edit_owner(f, "deployments", "ev", "replicas", 0);
	ready.field = "replicas";
	ready.value = 0;
	ready.n_pods = 0;
	assert_true(wait_for(f, status_is, &ready));
	assert_true(has_event(f, "ev-", "Killing", "Normal"));
}

static void test_events_bounded(void **state)
{
	fixture *f = *state;
	want ready = {"deployments", "many", "readyReplicas", "app=many", 4, 4};

	/* 4 pods emit 16+ events; only 6 may stay */
	add_deploy(f, "many", 4);
	assert_true(wait_for(f, status_is, &ready));
	usleep(50 * 1000);
	assert_true(sim_store_count(f->s, res("events")) <= 6);
	assert_true(sim_store_count(f->s, res("events")) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deployment_becomes_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pods_taken_back_through_their_replicaset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_written_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_clock_still_starts_pods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scale_down_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relist_keeps_owners, setup_small_window, teardown),
		cmocka_unit_test_setup_teardown(test_template_change_replaces_pods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statefulset_ordinals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crashloop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ready_then_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_backoff_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_ttl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_job_stages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_bounded, setup_few_events, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
