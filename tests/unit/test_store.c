/* Unit tests for sim/store.c: CRUD, dry run, namespaces, mutate, paging, watches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/store.h"
#include "util/util.h"

static int64_t fixed_clock(void *ctx)
{
	return *(int64_t *)ctx;
}

static int64_t clock_value = 1795867200; /* 2026-11-28T12:00:00Z */

static sim_store *new_store(size_t window)
{
	sim_store *s = sim_store_new(window);

	sim_store_set_clock(s, fixed_clock, &clock_value);
	return s;
}

static const sim_resource *R(const char *group, const char *plural)
{
	const sim_resource *r = sim_resource_find(group, "v1", plural);

	assert_non_null(r);
	return r;
}

static cJSON *J(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	assert_non_null(j);
	return j;
}

/* Creates from JSON text; asserts success. */
static void put(sim_store *s, const char *group, const char *plural, const char *ns, const char *text)
{
	cJSON *j = J(text);
	sim_err err = {0};
	int rc = sim_store_create(s, R(group, plural), ns, j, 0, NULL, &err);

	if (rc)
		fail_msg("create failed: %s", err.message);
	cJSON_Delete(j);
}

static void put_ns(sim_store *s, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\"}}", name);
	put(s, "", "namespaces", NULL, buf);
}

static void put_cm(sim_store *s, const char *ns, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"v\"}}", name);
	put(s, "", "configmaps", ns, buf);
}

static const char *jpath(const cJSON *tree, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(tree, a);

	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static double jnum(const cJSON *tree, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, a), b);

	return cJSON_IsNumber(x) ? x->valuedouble : -1;
}

static void test_create_get(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	cJSON *body = J("{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"x\":1}}");
	sim_obj *o = NULL, *g;
	cJSON *t;
	const char *uid;

	put_ns(s, "t1-prod");
	assert_int_equal(sim_store_rv(s), 1);
	assert_int_equal(sim_store_create(s, R("", "pods"), "t1-prod", body, 0, &o, &err), 0);
	assert_int_equal(o->rv, 2);
	assert_string_equal(o->ns, "t1-prod");
	assert_string_equal(o->name, "web");
	assert_string_equal(sim_obj_label(o, "app"), "web");
	assert_null(sim_obj_label(o, "nope"));
	assert_int_equal(o->created_s, clock_value);
	t = sim_obj_parse(o);
	assert_string_equal(jpath(t, "apiVersion", NULL), "v1");
	assert_string_equal(jpath(t, "kind", NULL), "Pod");
	assert_string_equal(jpath(t, "metadata", "namespace"), "t1-prod");
	assert_string_equal(jpath(t, "metadata", "resourceVersion"), "2");
	assert_string_equal(jpath(t, "metadata", "creationTimestamp"), "2026-11-28T12:00:00Z");
	assert_true(jnum(t, "metadata", "generation") == 1);
	uid = jpath(t, "metadata", "uid");
	assert_non_null(uid);
	assert_int_equal(strlen(uid), 36);
	assert_int_equal(uid[14], '4');
	cJSON_Delete(t);

	g = sim_store_get(s, R("", "pods"), "t1-prod", "web", &err);
	assert_ptr_equal(g, o);
	sim_obj_unref(g);
	assert_null(sim_store_get(s, R("", "pods"), "t1-prod", "nope", &err));
	assert_int_equal(err.code, 404);
	assert_string_equal(err.reason, "NotFound");
	assert_string_equal(err.message, "pods \"nope\" not found");
	assert_string_equal(err.kind, "pods");
	assert_string_equal(err.name, "nope");
	assert_null(sim_store_get(s, R("apps", "deployments"), "t1-prod", "web", &err));
	assert_string_equal(err.message, "deployments.apps \"web\" not found");

	/* the namespace got an Active phase */
	g = sim_store_get(s, R("", "namespaces"), NULL, "t1-prod", &err);
	assert_non_null(g);
	t = sim_obj_parse(g);
	assert_string_equal(jpath(t, "status", "phase"), "Active");
	assert_null(jpath(t, "metadata", "namespace"));
	assert_string_equal(g->ns, "");
	cJSON_Delete(t);
	sim_obj_unref(g);

	/* uids differ */
	put_cm(s, "t1-prod", "c1");
	g = sim_store_get(s, R("", "configmaps"), "t1-prod", "c1", &err);
	t = sim_obj_parse(g);
	{
		cJSON *t2 = sim_obj_parse(o);
		assert_string_not_equal(jpath(t, "metadata", "uid"), jpath(t2, "metadata", "uid"));
		cJSON_Delete(t2);
	}
	cJSON_Delete(t);
	sim_obj_unref(g);
	sim_obj_unref(o);
	cJSON_Delete(body);
	sim_store_free(s);
}

static void test_create_errors(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	cJSON *pod = J("{\"metadata\":{\"name\":\"p\"}}");
	cJSON *anon = J("{\"metadata\":{}}");
	cJSON *badns = J("{\"metadata\":{\"name\":\"Bad_NS\"}}");

	assert_int_equal(sim_store_create(s, R("", "pods"), "ghost", pod, 0, NULL, &err), -1);
	assert_int_equal(err.code, 404);
	assert_string_equal(err.message, "namespaces \"ghost\" not found");
	assert_string_equal(err.kind, "namespaces");
	assert_string_equal(err.name, "ghost");
	assert_int_equal(sim_store_rv(s), 0);

	put_ns(s, "a");
	assert_int_equal(sim_store_create(s, R("", "pods"), "a", pod, 0, NULL, &err), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_store_create(s, R("", "pods"), "a", pod, 0, NULL, &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "AlreadyExists");
	assert_string_equal(err.message, "pods \"p\" already exists");
	assert_string_equal(err.name, "p");

	assert_int_equal(sim_store_create(s, R("", "pods"), "a", anon, 0, NULL, &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "metadata.name");

	assert_int_equal(sim_store_create(s, R("", "namespaces"), NULL, badns, 0, NULL, &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(sim_store_rv(s), 2);
	assert_int_equal(sim_store_count(s, R("", "pods")), 1);

	cJSON_Delete(pod);
	cJSON_Delete(anon);
	cJSON_Delete(badns);
	sim_store_free(s);
}

/* sim_store_create_owned takes the tree on every path (ASan/valgrind see a leak or a
 * double free otherwise), may take the namespace from the body, and stores an object
 * whose text does not fit the printer's stack buffer whole. */
static void test_create_owned(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL;
	cJSON *t, *big;
	char *val;
	size_t n = 40000;

	put_ns(s, "t1-prod");
	/* namespace from the body, the tree's own string replaced while storing */
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), NULL,
						J("{\"metadata\":{\"name\":\"c\",\"namespace\":\"t1-prod\"}}"), 0, &o,
						&err), 0);
	assert_string_equal(o->ns, "t1-prod");
	t = sim_obj_parse(o);
	assert_string_equal(jpath(t, "metadata", "namespace"), "t1-prod");
	assert_string_equal(jpath(t, "metadata", "resourceVersion"), "2");
	cJSON_Delete(t);
	sim_obj_unref(o);

	/* errors free the tree too */
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), "t1-prod",
						J("{\"metadata\":{\"name\":\"c\"}}"), 0, NULL, &err), -1);
	assert_int_equal(err.code, 409);
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), "t1-prod", J("[1]"), 0, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), "t1-prod", NULL, 0, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), NULL, J("{\"metadata\":{\"name\":\"d\"}}"),
						0, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(sim_store_rv(s), 2);

	/* a 40 KB value: printed on the heap, stored whole */
	val = xmalloc(n + 1);
	memset(val, 'x', n);
	val[n] = '\0';
	big = J("{\"metadata\":{\"name\":\"big\"},\"data\":{}}");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(big, "data"), "v", val);
	assert_int_equal(sim_store_create_owned(s, R("", "configmaps"), "t1-prod", big, 0, &o, &err), 0);
	assert_true(o->len > n);
	assert_int_equal(strlen(o->json), o->len);
	t = sim_obj_parse(o);
	assert_string_equal(jpath(t, "data", "v"), val);
	cJSON_Delete(t);
	sim_obj_unref(o);
	free(val);
	sim_store_free(s);
}

static void test_update_and_conflict(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL, *u = NULL;
	cJSON *t, *body;
	char uid[64];

	put_ns(s, "a");
	put(s, "apps", "deployments", "a", "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":1}}");
	o = sim_store_get(s, R("apps", "deployments"), "a", "d", &err);
	t = sim_obj_parse(o);
	util_strlcpy(uid, jpath(t, "metadata", "uid"), sizeof(uid));
	cJSON_Delete(t);

	/* spec change with the right rv: new rv, generation 2, uid kept */
	body = J("{\"metadata\":{\"name\":\"d\",\"resourceVersion\":\"2\"},\"spec\":{\"replicas\":3}}");
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "d", body, 0, &u, &err), 0);
	assert_int_equal(u->rv, 3);
	t = sim_obj_parse(u);
	assert_string_equal(jpath(t, "metadata", "uid"), uid);
	assert_true(jnum(t, "metadata", "generation") == 2);
	assert_string_equal(jpath(t, "kind", NULL), "Deployment");
	assert_string_equal(jpath(t, "apiVersion", NULL), "apps/v1");
	cJSON_Delete(t);
	sim_obj_unref(u);

	/* the same body again carries a stale rv: Conflict */
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "d", body, 0, &u, &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "Conflict");
	assert_string_equal(err.message,
			    "Operation cannot be fulfilled on deployments.apps \"d\": the object has been modified; "
			    "please apply your changes to the latest version and try again");
	assert_int_equal(sim_store_rv(s), 3);
	cJSON_Delete(body);

	/* no rv: unconditional; same content: no write */
	body = J("{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":3}}");
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "d", body, 0, &u, &err), 0);
	assert_int_equal(u->rv, 3);
	assert_int_equal(sim_store_rv(s), 3);
	sim_obj_unref(u);
	cJSON_Delete(body);

	/* labels only: new rv, generation unchanged */
	body = J("{\"metadata\":{\"name\":\"d\",\"labels\":{\"x\":\"y\"}},\"spec\":{\"replicas\":3}}");
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "d", body, 0, &u, &err), 0);
	assert_int_equal(u->rv, 4);
	assert_string_equal(sim_obj_label(u, "x"), "y");
	t = sim_obj_parse(u);
	assert_true(jnum(t, "metadata", "generation") == 2);
	cJSON_Delete(t);
	sim_obj_unref(u);
	cJSON_Delete(body);

	/* mismatched name, absent object */
	body = J("{\"metadata\":{\"name\":\"other\"}}");
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "d", body, 0, &u, &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(sim_store_update(s, R("apps", "deployments"), "a", "other", body, 0, &u, &err), -1);
	assert_int_equal(err.code, 404);
	cJSON_Delete(body);

	/* the old reference still shows the old state */
	assert_int_equal(o->rv, 2);
	sim_obj_unref(o);
	sim_store_free(s);
}

static void test_delete(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL;
	sim_list l = {0};

	put_ns(s, "a");
	put_cm(s, "a", "c");
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c", 0, &o, &err), 0);
	assert_non_null(o);
	assert_string_equal(o->name, "c");
	assert_int_equal(o->rv, 3);
	assert_int_equal(sim_store_rv(s), 3);
	sim_obj_unref(o);
	assert_null(sim_store_get(s, R("", "configmaps"), "a", "c", &err));
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c", 0, &o, &err), -1);
	assert_int_equal(err.code, 404);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 0);
	/* the name can be used again */
	put_cm(s, "a", "c");
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 1);

	/* lists after deletions alone (no re-sort) do not show the dead */
	put_ns(s, "b");
	put_cm(s, "b", "x");
	put_cm(s, "b", "y");
	put_cm(s, "b", "z");
	assert_int_equal(sim_store_list(s, R("", "configmaps"), "b", NULL, NULL, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, 3);
	sim_list_release(&l);
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "b", "y", 0, NULL, &err), 0);
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c", 0, NULL, &err), 0);
	assert_int_equal(sim_store_list(s, R("", "configmaps"), "b", NULL, NULL, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0]->name, "x");
	assert_string_equal(l.items[1]->name, "z");
	sim_list_release(&l);
	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, 2);
	sim_list_release(&l);
	/* and a namespace delete skips them */
	assert_int_equal(sim_store_delete(s, R("", "namespaces"), NULL, "b", 0, NULL, &err), 0);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 0);
	sim_store_free(s);
}

static void test_dry_run(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL;
	cJSON *body = J("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"1\"}}");
	cJSON *body2 = J("{\"metadata\":{\"name\":\"c\"},\"data\":{\"a\":\"2\"}}");
	sim_watch *w;
	sim_event ev;

	put_ns(s, "a");
	w = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, sim_store_rv(s), &err);
	assert_non_null(w);
	assert_int_equal(sim_store_create(s, R("", "configmaps"), "a", body, SIM_DRY_RUN, &o, &err), 0);
	assert_non_null(o);
	assert_string_equal(o->name, "c");
	sim_obj_unref(o);
	assert_int_equal(sim_store_rv(s), 1);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 0);
	assert_null(sim_store_get(s, R("", "configmaps"), "a", "c", &err));
	/* dry run still validates */
	assert_int_equal(sim_store_create(s, R("", "configmaps"), "zz", body, SIM_DRY_RUN, &o, &err), -1);
	assert_int_equal(err.code, 404);

	put_cm(s, "a", "c");
	assert_int_equal(sim_store_create(s, R("", "configmaps"), "a", body, SIM_DRY_RUN, &o, &err), -1);
	assert_int_equal(err.code, 409);
	assert_int_equal(sim_store_update(s, R("", "configmaps"), "a", "c", body2, SIM_DRY_RUN, &o, &err), 0);
	assert_non_null(strstr(o->json, "\"a\":\"2\""));
	sim_obj_unref(o);
	o = sim_store_get(s, R("", "configmaps"), "a", "c", &err);
	assert_null(strstr(o->json, "\"a\":\"2\""));
	sim_obj_unref(o);
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c", SIM_DRY_RUN, &o, &err), 0);
	sim_obj_unref(o);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 1);
	assert_int_equal(sim_store_rv(s), 2);
	assert_int_equal(sim_store_delete(s, R("", "namespaces"), NULL, "a", SIM_DRY_RUN, NULL, &err), 0);
	assert_int_equal(sim_store_count(s, R("", "namespaces")), 1);
	assert_int_equal(sim_store_rv(s), 2);

	/* exactly one event: the real create */
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_int_equal(ev.type, SIM_ADDED);
	assert_int_equal(ev.rv, 2);
	sim_event_release(&ev);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 0);
	sim_watch_close(w);
	cJSON_Delete(body);
	cJSON_Delete(body2);
	sim_store_free(s);
}

static void test_generate_name(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	cJSON *body = J("{\"metadata\":{\"generateName\":\"web-\"}}");
	sim_obj *a = NULL, *b = NULL;

	put_ns(s, "a");
	assert_int_equal(sim_store_create(s, R("", "pods"), "a", body, 0, &a, &err), 0);
	assert_int_equal(sim_store_create(s, R("", "pods"), "a", body, 0, &b, &err), 0);
	assert_int_equal(strlen(a->name), 9);
	assert_true(util_starts_with(a->name, "web-"));
	for (size_t i = 4; i < 9; i++)
		assert_non_null(strchr("bcdfghjklmnpqrstvwxz2456789", a->name[i]));
	assert_string_not_equal(a->name, b->name);
	assert_non_null(strstr(a->json, a->name));
	sim_obj_unref(a);
	sim_obj_unref(b);
	assert_int_equal(sim_store_count(s, R("", "pods")), 2);
	cJSON_Delete(body);
	sim_store_free(s);
}

static int set_terminating(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_AddStringToObject(m, "deletionTimestamp", "2026-11-28T12:00:00Z");
	return 0;
}

static void test_namespace_cascade(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL;
	sim_watch *wns, *wall;
	sim_event ev;
	cJSON *t;
	uint64_t rv0;

	put_ns(s, "doomed");
	put_ns(s, "keep");
	put_cm(s, "doomed", "c1");
	put_cm(s, "doomed", "c2");
	put(s, "", "pods", "doomed", "{\"metadata\":{\"name\":\"p\",\"finalizers\":[\"x/y\"]}}");
	put_cm(s, "keep", "c1");
	rv0 = sim_store_rv(s);
	wns = sim_watch_open(s, R("", "namespaces"), NULL, NULL, NULL, rv0, &err);
	wall = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, rv0, &err);
	assert_non_null(wns);
	assert_non_null(wall);

	assert_int_equal(sim_store_delete(s, R("", "namespaces"), NULL, "doomed", 0, &o, &err), 0);
	t = sim_obj_parse(o);
	assert_string_equal(jpath(t, "status", "phase"), "Terminating");
	assert_non_null(jpath(t, "metadata", "deletionTimestamp"));
	cJSON_Delete(t);
	sim_obj_unref(o);
	/* MODIFIED + 3 objects + namespace */
	assert_int_equal(sim_store_rv(s), rv0 + 5);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 1);
	assert_int_equal(sim_store_count(s, R("", "pods")), 0);
	assert_int_equal(sim_store_count(s, R("", "namespaces")), 1);

	assert_int_equal(sim_watch_next(wns, 0, &ev, &err), 1);
	assert_int_equal(ev.type, SIM_MODIFIED);
	assert_int_equal(ev.rv, rv0 + 1);
	assert_non_null(strstr(ev.obj->json, "Terminating"));
	sim_event_release(&ev);
	assert_int_equal(sim_watch_next(wns, 0, &ev, &err), 1);
	assert_int_equal(ev.type, SIM_DELETED);
	assert_int_equal(ev.rv, rv0 + 5);
	assert_string_equal(ev.obj->name, "doomed");
	sim_event_release(&ev);
	assert_int_equal(sim_watch_next(wns, 0, &ev, &err), 0);

	for (int i = 0; i < 2; i++) {
		assert_int_equal(sim_watch_next(wall, 0, &ev, &err), 1);
		assert_int_equal(ev.type, SIM_DELETED);
		assert_string_equal(ev.obj->ns, "doomed");
		assert_int_equal(ev.obj->rv, ev.rv);
		sim_event_release(&ev);
	}
	assert_int_equal(sim_watch_next(wall, 0, &ev, &err), 0);
	assert_int_equal(sim_watch_rv(wall), rv0 + 5);
	sim_watch_close(wns);
	sim_watch_close(wall);

	/* a terminating namespace refuses new content */
	assert_int_equal(sim_store_mutate(s, R("", "namespaces"), NULL, "keep", set_terminating, NULL, 0, NULL,
					  &err), 0);
	{
		cJSON *body = J("{\"metadata\":{\"name\":\"new\"}}");
		assert_int_equal(sim_store_create(s, R("", "configmaps"), "keep", body, 0, NULL, &err), -1);
		assert_int_equal(err.code, 403);
		assert_string_equal(err.reason, "Forbidden");
		assert_string_equal(err.message,
				    "unable to create new content in namespace keep because it is being terminated");
		cJSON_Delete(body);
	}
	sim_store_free(s);
}

static int set_data(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");

	cJSON_ReplaceItemInObjectCaseSensitive(data, "k", cJSON_CreateString((const char *)ctx));
	return 0;
}

static int tamper(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_ReplaceItemInObjectCaseSensitive(m, "name", cJSON_CreateString("evil"));
	cJSON_ReplaceItemInObjectCaseSensitive(m, "uid", cJSON_CreateString("evil"));
	cJSON_AddStringToObject(obj, "extra", "1");
	return 0;
}

static int stale(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_ReplaceItemInObjectCaseSensitive(m, "resourceVersion", cJSON_CreateString("1"));
	cJSON_AddStringToObject(obj, "extra", "1");
	return 0;
}

static int refuse(cJSON *obj, void *ctx, sim_err *err)
{
	return sim_err_set(err, 422, "Invalid", "no");
}

static void test_mutate(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_obj *o = NULL, *cur;
	uint64_t rv;

	put_ns(s, "a");
	put_cm(s, "a", "c");
	cur = sim_store_get(s, R("", "configmaps"), "a", "c", &err);
	rv = sim_store_rv(s);

	/* no change: same object, same rv */
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", set_data, (void *)"v", 0, &o, &err), 0);
	assert_ptr_equal(o, cur);
	assert_int_equal(sim_store_rv(s), rv);
	sim_obj_unref(o);

	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", set_data, (void *)"w", 0, &o, &err), 0);
	assert_int_equal(o->rv, rv + 1);
	assert_non_null(strstr(o->json, "\"k\":\"w\""));
	sim_obj_unref(o);

	/* identity is restored */
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", tamper, NULL, 0, &o, &err), 0);
	assert_string_equal(o->name, "c");
	assert_null(strstr(o->json, "evil"));
	assert_non_null(strstr(o->json, "\"extra\":\"1\""));
	sim_obj_unref(o);

	/* stale resourceVersion: Conflict, nothing written */
	rv = sim_store_rv(s);
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", stale, NULL, 0, &o, &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "Conflict");
	assert_int_equal(sim_store_rv(s), rv);

	/* fn refuses */
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", refuse, NULL, 0, &o, &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "zz", refuse, NULL, 0, &o, &err), -1);
	assert_int_equal(err.code, 404);
	assert_int_equal(sim_store_rv(s), rv);
	sim_obj_unref(cur);
	sim_store_free(s);
}

static void test_paging_snapshot(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_list l = {0};
	char name[32], *cont;
	size_t total = 0;
	uint64_t rv;
	const char *last = "";
	char lastbuf[32] = "";

	put_ns(s, "a");
	for (int i = 1; i <= 10; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		put_cm(s, "a", name);
	}
	assert_int_equal(sim_store_list(s, R("", "configmaps"), "a", NULL, NULL, 3, NULL, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.remaining, 7);
	assert_non_null(l.cont);
	assert_string_equal(l.items[0]->name, "c01");
	rv = l.rv;
	assert_int_equal(rv, 11);
	total = l.n;
	util_strlcpy(lastbuf, l.items[2]->name, sizeof(lastbuf));
	cont = xstrdup(l.cont);
	sim_list_release(&l);

	/* writes between pages are not seen */
	put_cm(s, "a", "c00");
	put_cm(s, "a", "c99");
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c05", 0, NULL, &err), 0);

	while (cont) {
		assert_int_equal(sim_store_list(s, R("", "configmaps"), "a", NULL, NULL, 3, cont, &l, &err), 0);
		free(cont);
		cont = l.cont ? xstrdup(l.cont) : NULL;
		assert_int_equal(l.rv, rv);
		for (size_t i = 0; i < l.n; i++) {
			last = l.items[i]->name;
			assert_true(strcmp(lastbuf, last) < 0);
			util_strlcpy(lastbuf, last, sizeof(lastbuf));
		}
		total += l.n;
		sim_list_release(&l);
	}
	assert_int_equal(total, 10);
	assert_string_equal(lastbuf, "c10");

	/* a fresh list sees the changes */
	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, 11);
	assert_string_equal(l.items[0]->name, "c00");
	assert_null(l.cont);
	assert_int_equal(l.rv, sim_store_rv(s));
	sim_list_release(&l);
	sim_store_free(s);
}

static void test_expired_and_bad_tokens(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_list l = {0};
	char *cont;

	put_ns(s, "a");
	put_cm(s, "a", "x");
	put_cm(s, "a", "y");
	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 1, NULL, &l, &err), 0);
	cont = xstrdup(l.cont);
	sim_list_release(&l);

	/* wrong resource for this token */
	assert_int_equal(sim_store_list(s, R("", "secrets"), NULL, NULL, NULL, 1, cont, &l, &err), -1);
	assert_int_equal(err.code, 400);

	sim_store_expire_snapshots(s);
	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 1, cont, &l, &err), -1);
	assert_int_equal(err.code, 410);
	assert_string_equal(err.reason, "Expired");
	assert_true(util_starts_with(err.message, "The provided continue parameter is too old"));
	free(cont);

	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 1, "!!not-base64!!", &l, &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.reason, "BadRequest");
	/* base64 of "hello": decodes, but is no token */
	assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 1, "aGVsbG8=", &l, &err), -1);
	assert_int_equal(err.code, 400);
	sim_store_free(s);
}

static void test_large_paged_list(void **state)
{
	sim_store *s = new_store(1000);
	sim_err err = {0};
	sim_list l = {0};
	char ns[32], name[32], prev_ns[32] = "", prev_name[32] = "";
	char *cont = NULL;
	size_t total = 0, pages = 0;
	const int n_ns = 100, per_ns = 500;

	/* created in an order unlike the sorted one */
	for (int i = n_ns - 1; i >= 0; i--) {
		snprintf(ns, sizeof(ns), "t%05d-prod", (i * 37) % n_ns);
		put_ns(s, ns);
	}
	for (int j = 0; j < per_ns; j++) {
		for (int i = 0; i < n_ns; i++) {
			cJSON *body = cJSON_CreateObject();
			cJSON *m = cJSON_AddObjectToObject(body, "metadata");

			snprintf(ns, sizeof(ns), "t%05d-prod", i);
			snprintf(name, sizeof(name), "cm-%d", (j * 7919) % per_ns);
			cJSON_AddStringToObject(m, "name", name);
			cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "n", "x");
			assert_int_equal(sim_store_create(s, R("", "configmaps"), ns, body, 0, NULL, &err), 0);
			cJSON_Delete(body);
		}
	}
	assert_int_equal(sim_store_count(s, R("", "configmaps")), 50000);

	do {
		assert_int_equal(sim_store_list(s, R("", "configmaps"), NULL, NULL, NULL, 500, cont, &l, &err), 0);
		free(cont);
		cont = l.cont ? xstrdup(l.cont) : NULL;
		assert_true(l.n == 500);
		for (size_t i = 0; i < l.n; i++) {
			int c = strcmp(prev_ns, l.items[i]->ns);

			assert_true(c < 0 || (c == 0 && strcmp(prev_name, l.items[i]->name) < 0));
			util_strlcpy(prev_ns, l.items[i]->ns, sizeof(prev_ns));
			util_strlcpy(prev_name, l.items[i]->name, sizeof(prev_name));
		}
		total += l.n;
		pages++;
		if (cont)
			assert_int_equal(l.remaining, 50000 - total);
		sim_list_release(&l);
	} while (cont);
	assert_int_equal(total, 50000);
	assert_int_equal(pages, 100);

	/* one namespace: exactly its objects */
	assert_int_equal(sim_store_list(s, R("", "configmaps"), "t00042-prod", NULL, NULL, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, per_ns);
	for (size_t i = 0; i < l.n; i++)
		assert_string_equal(l.items[i]->ns, "t00042-prod");
	sim_list_release(&l);
	sim_store_free(s);
}

/* Lists of one namespace, and of all, between creations and deletions: the view
 * and the creations since its last merge read together, in order, the deleted
 * left out; two stretches without lists pass FRESH_MAX (8,192) creations, so
 * the lists after them merge into the view. */
static void test_list_while_creating(void **state)
{
	enum { N = 20000, NS = 20 };
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_list l = {0};
	static char alive[N];
	char ns[32], name[32];

	for (int i = 0; i < NS; i++) {
		snprintf(ns, sizeof(ns), "n%02d", (i * 7) % NS);
		put_ns(s, ns);
	}
	for (int k = 0; k < N; k++) {
		int key = (int)(((long)k * 7919) % N); /* a permutation: names out of order */

		snprintf(ns, sizeof(ns), "n%02d", key % NS);
		snprintf(name, sizeof(name), "c%05d", key);
		put_cm(s, ns, name);
		alive[key] = 1;
		if (k % 7 == 6) { /* and some go */
			int gone = (int)(((long)(k - 5) * 7919) % N);

			snprintf(ns, sizeof(ns), "n%02d", gone % NS);
			snprintf(name, sizeof(name), "c%05d", gone);
			assert_int_equal(sim_store_delete(s, R("", "configmaps"), ns, name, 0, NULL, &err), 0);
			alive[gone] = 0;
		}
		if ((k % 13 == 0 && (k < 500 || (k >= 9000 && k < 9100) || k >= 18000)) || k == N - 1) {
			const char *one = k % 2 ? NULL : ns; /* one namespace, or all */
			int want = 0, prev = -1;

			for (int x = 0; x < N; x++)
				want += alive[x] && (!one || x % NS == atoi(one + 1));
			assert_int_equal(sim_store_list(s, R("", "configmaps"), one, NULL, NULL, 0, NULL, &l, &err), 0);
			assert_int_equal(l.n, want);
			for (size_t i = 0; i < l.n; i++) {
				int got = atoi(l.items[i]->name + 1);
				int order = atoi(l.items[i]->ns + 1) * N + got;

				assert_true(alive[got]);
				assert_int_equal(got % NS, atoi(l.items[i]->ns + 1));
				assert_true(order > prev); /* by namespace, then name */
				prev = order;
			}
			sim_list_release(&l);
		}
	}
	sim_store_free(s);
}

static void test_watch_in_order(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_watch *w;
	sim_event ev;
	cJSON *body = J("{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"2\"}}");
	uint64_t start;

	put_ns(s, "a");
	put_ns(s, "b");
	start = sim_store_rv(s);
	put_cm(s, "a", "c");
	put_cm(s, "b", "c");
	assert_int_equal(sim_store_update(s, R("", "configmaps"), "a", "c", body, 0, NULL, &err), 0);
	assert_int_equal(sim_store_delete(s, R("", "configmaps"), "a", "c", 0, NULL, &err), 0);

	/* all namespaces, from start */
	w = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, start, &err);
	assert_non_null(w);
	{
		sim_event_type want[] = {SIM_ADDED, SIM_ADDED, SIM_MODIFIED, SIM_DELETED};
		for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
			assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
			assert_int_equal(ev.type, want[i]);
			assert_int_equal(ev.rv, start + 1 + i);
			assert_int_equal(ev.obj->rv, ev.rv);
			sim_event_release(&ev);
		}
	}
	assert_int_equal(sim_watch_next(w, 50, &ev, &err), 0);
	sim_watch_close(w);

	/* namespace b only */
	w = sim_watch_open(s, R("", "configmaps"), "b", NULL, NULL, start, &err);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_string_equal(ev.obj->ns, "b");
	sim_event_release(&ev);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 0);
	sim_watch_close(w);

	/* 0 = from now */
	w = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, 0, &err);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 0);
	put_cm(s, "b", "d");
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_string_equal(ev.obj->name, "d");
	sim_event_release(&ev);
	sim_watch_close(w);
	cJSON_Delete(body);
	sim_store_free(s);
}

static void test_watch_too_old(void **state)
{
	sim_store *s = new_store(8);
	sim_err err = {0};
	sim_watch *w, *slow;
	sim_event ev;
	char name[16];

	put_ns(s, "a");
	slow = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, 1, &err);
	assert_non_null(slow);
	for (int i = 0; i < 19; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		put_cm(s, "a", name);
	}
	/* rv 20, events 13..20 kept: 12 is the oldest resumable version */
	assert_null(sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, 5, &err));
	assert_int_equal(err.code, 410);
	assert_string_equal(err.reason, "Expired");
	assert_string_equal(err.message, "too old resource version: 5 (12)");
	w = sim_watch_open(s, R("", "configmaps"), NULL, NULL, NULL, 12, &err);
	assert_non_null(w);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_int_equal(ev.rv, 13);
	sim_event_release(&ev);
	sim_watch_close(w);

	/* a watcher whose position was overwritten */
	assert_int_equal(sim_watch_next(slow, 0, &ev, &err), -1);
	assert_int_equal(err.code, 410);
	assert_string_equal(err.reason, "Expired");
	sim_watch_close(slow);
	sim_store_free(s);
}

static int drop_label(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_DeleteItemFromObjectCaseSensitive(m, "labels");
	if (ctx)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "app", "web");
	return 0;
}

static void test_watch_selector_transitions(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_selector *sel;
	sim_watch *w;
	sim_event ev;

	put_ns(s, "a");
	put(s, "", "configmaps", "a", "{\"metadata\":{\"name\":\"c\",\"labels\":{\"app\":\"web\"}}}");
	put(s, "", "configmaps", "a", "{\"metadata\":{\"name\":\"other\",\"labels\":{\"app\":\"db\"}}}");
	sel = sim_selector_parse_labels("app=web", &err);
	assert_non_null(sel);
	w = sim_watch_open(s, R("", "configmaps"), "a", sel, NULL, sim_store_rv(s), &err);
	assert_non_null(w);

	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "other", drop_label, NULL, 0, NULL, &err), 0);
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", drop_label, NULL, 0, NULL, &err), 0);
	assert_int_equal(sim_store_mutate(s, R("", "configmaps"), "a", "c", drop_label, (void *)1, 0, NULL, &err), 0);

	/* leaving the selector: DELETED with the previous content at the new rv */
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_int_equal(ev.type, SIM_DELETED);
	assert_string_equal(ev.obj->name, "c");
	assert_string_equal(sim_obj_label(ev.obj, "app"), "web");
	assert_int_equal(ev.obj->rv, ev.rv);
	assert_int_equal(ev.rv, 5);
	sim_event_release(&ev);
	/* entering it again: ADDED */
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 1);
	assert_int_equal(ev.type, SIM_ADDED);
	assert_int_equal(ev.rv, 6);
	sim_event_release(&ev);
	assert_int_equal(sim_watch_next(w, 0, &ev, &err), 0);
	sim_watch_close(w);
	sim_store_free(s);
}

static void test_field_selectors_in_lists(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	sim_list l = {0};
	sim_selector *f;

	put_ns(s, "a");
	put_ns(s, "b");
	put(s, "", "pods", "a", "{\"metadata\":{\"name\":\"p1\"},\"status\":{\"phase\":\"Running\"}}");
	put(s, "", "pods", "a", "{\"metadata\":{\"name\":\"p2\"},\"status\":{\"phase\":\"Pending\"}}");
	put(s, "", "pods", "b", "{\"metadata\":{\"name\":\"p3\"},\"status\":{\"phase\":\"Running\"}}");

	f = sim_selector_parse_fields("status.phase=Running", &err);
	assert_non_null(f);
	assert_int_equal(sim_store_list(s, R("", "pods"), NULL, NULL, f, 0, NULL, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0]->name, "p1");
	assert_string_equal(l.items[1]->name, "p3");
	sim_list_release(&l);
	/* the same field is not supported for deployments */
	assert_int_equal(sim_store_list(s, R("apps", "deployments"), NULL, NULL, f, 0, NULL, &l, &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message, "field label not supported: status.phase");
	sim_selector_free(f);
	assert_null(sim_watch_open(s, R("apps", "deployments"), NULL, NULL,
				   sim_selector_parse_fields("status.phase=Running", &err), 0, &err));
	assert_int_equal(err.code, 400);

	f = sim_selector_parse_fields("metadata.namespace!=a", &err);
	assert_int_equal(sim_store_list(s, R("", "pods"), NULL, NULL, f, 1, NULL, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0]->name, "p3");
	assert_null(l.cont);
	sim_list_release(&l);
	sim_selector_free(f);
	sim_store_free(s);
}

struct waiter {
	sim_watch *w;
	int rc;
	sim_err err;
};

static void *wait_long(void *arg)
{
	struct waiter *wt = arg;
	sim_event ev;

	wt->rc = sim_watch_next(wt->w, 30000, &ev, &wt->err);
	if (wt->rc == 1)
		sim_event_release(&ev);
	return NULL;
}

static void test_shutdown_wakes(void **state)
{
	sim_store *s = new_store(100);
	sim_err err = {0};
	struct waiter wt = {0};
	pthread_t th;
	sim_event ev;
	int64_t t0 = util_mono_ms();

	wt.w = sim_watch_open(s, R("", "pods"), NULL, NULL, NULL, 0, &err);
	assert_non_null(wt.w);
	pthread_create(&th, NULL, wait_long, &wt);
	usleep(50 * 1000);
	sim_store_shutdown(s);
	pthread_join(th, NULL);
	assert_true(util_mono_ms() - t0 < 10000);
	assert_int_equal(wt.rc, -1);
	assert_int_equal(wt.err.code, 503);
	assert_int_equal(sim_watch_next(wt.w, 0, &ev, &err), -1);
	sim_watch_close(wt.w);
	sim_store_free(s);
}

/* A watch asleep in sim_watch_next is not woken by other kinds' or other namespaces'
 * events, yet it moves on over them as if it had read them: the window overrun by them
 * answers it no 410, its own event comes, and a wait that times out leaves it at the
 * last version (a BOOKMARK's). */
struct sleeper {
	sim_watch *w;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, rc;
	sim_event ev;
	sim_err err;
};

static void *sleep_for_pod(void *arg)
{
	struct sleeper *sl = arg;

	pthread_mutex_lock(&sl->mu);
	sl->started = 1;
	pthread_cond_signal(&sl->cv);
	pthread_mutex_unlock(&sl->mu);
	sl->rc = sim_watch_next(sl->w, 30000, &sl->ev, &sl->err);
	return NULL;
}

static void test_watch_sleeps_through_others(void **state)
{
	sim_store *s = new_store(8);
	sim_err err = {0};
	struct sleeper sl = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	cJSON *pod = cJSON_Parse("{\"metadata\":{\"name\":\"p\"}}");
	sim_watch *quiet;
	sim_event ev;
	pthread_t th;
	char name[16];

	put_ns(s, "a");
	put_ns(s, "b");
	sl.w = sim_watch_open(s, R("", "pods"), NULL, NULL, NULL, sim_store_rv(s), &err);
	assert_non_null(sl.w);
	pthread_create(&th, NULL, sleep_for_pod, &sl);
	pthread_mutex_lock(&sl.mu);
	while (!sl.started)
		pthread_cond_wait(&sl.cv, &sl.mu);
	pthread_mutex_unlock(&sl.mu);
	usleep(50 * 1000); /* into its wait */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		put_cm(s, "a", name);
	}
	assert_int_equal(sim_store_create(s, R("", "pods"), "b", pod, 0, NULL, &err), 0);
	pthread_join(th, NULL);
	assert_int_equal(sl.rc, 1);
	assert_int_equal(sl.ev.rv, sim_store_rv(s));
	assert_string_equal(sl.ev.obj->name, "p");
	sim_event_release(&sl.ev);
	sim_watch_close(sl.w);

	/* namespace b's ConfigMaps: a's are not its events, and a timed-out wait ends at the
	 * last version */
	quiet = sim_watch_open(s, R("", "configmaps"), "b", NULL, NULL, sim_store_rv(s), &err);
	assert_non_null(quiet);
	put_cm(s, "a", "late");
	assert_int_equal(sim_watch_next(quiet, 20, &ev, &err), 0);
	assert_int_equal(sim_watch_rv(quiet), sim_store_rv(s));
	put_cm(s, "b", "mine");
	assert_int_equal(sim_watch_next(quiet, 20, &ev, &err), 1);
	assert_string_equal(ev.obj->name, "mine");
	sim_event_release(&ev);
	sim_watch_close(quiet);
	cJSON_Delete(pod);
	sim_store_free(s);
}

#define WRITERS 4
#define WRITES 200
#define WATCHERS 100

struct counter {
	sim_watch *w;
	int seen;
	uint64_t last_rv;
	int order_ok;
};

static void *count_events(void *arg)
{
	struct counter *c = arg;
	sim_event ev;
	sim_err err;

	c->order_ok = 1;
	while (c->seen < WRITERS * WRITES) {
		int rc = sim_watch_next(c->w, 5000, &ev, &err);

		if (rc != 1)
			break;
		if (ev.rv <= c->last_rv)
			c->order_ok = 0;
		c->last_rv = ev.rv;
		c->seen++;
		sim_event_release(&ev);
	}
	return NULL;
}

struct writer {
	sim_store *s;
	int id;
	int failures;
};

static void *write_many(void *arg)
{
	struct writer *wr = arg;
	sim_err err;
	char name[32];

	for (int i = 0; i < WRITES; i++) {
		cJSON *body = cJSON_CreateObject();
		cJSON *m = cJSON_AddObjectToObject(body, "metadata");

		/* every third write updates the previous object */
		if (i % 3 == 2) {
			snprintf(name, sizeof(name), "w%d-%d", wr->id, i - 1);
			cJSON_AddStringToObject(m, "name", name);
			cJSON_AddNumberToObject(body, "data", i);
			if (sim_store_update(wr->s, R("", "configmaps"), "a", name, body, 0, NULL, &err))
				wr->failures++;
		} else {
			snprintf(name, sizeof(name), "w%d-%d", wr->id, i);
			cJSON_AddStringToObject(m, "name", name);
			if (sim_store_create(wr->s, R("", "configmaps"), "a", body, 0, NULL, &err))
				wr->failures++;
		}
		cJSON_Delete(body);
	}
	return NULL;
}

static void test_concurrency(void **state)
{
	sim_store *s = new_store(WRITERS * WRITES + 16);
	sim_err err = {0};
	struct counter counters[WATCHERS];
	struct writer writers[WRITERS];
	pthread_t wt[WATCHERS], wr[WRITERS];
	uint64_t start;

	put_ns(s, "a");
	start = sim_store_rv(s);
	for (int i = 0; i < WATCHERS; i++) {
		memset(&counters[i], 0, sizeof(counters[i]));
		counters[i].w = sim_watch_open(s, R("", "configmaps"), i % 2 ? "a" : NULL, NULL, NULL, start, &err);
		assert_non_null(counters[i].w);
		pthread_create(&wt[i], NULL, count_events, &counters[i]);
	}
	for (int i = 0; i < WRITERS; i++) {
		writers[i] = (struct writer){s, i, 0};
		pthread_create(&wr[i], NULL, write_many, &writers[i]);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(wr[i], NULL);
		assert_int_equal(writers[i].failures, 0);
	}
	for (int i = 0; i < WATCHERS; i++) {
		pthread_join(wt[i], NULL);
		assert_int_equal(counters[i].seen, WRITERS * WRITES);
		assert_true(counters[i].order_ok);
		assert_int_equal(counters[i].last_rv, sim_store_rv(s));
		sim_watch_close(counters[i].w);
	}
	assert_int_equal(sim_store_rv(s), start + WRITERS * WRITES);
	assert_int_equal(sim_store_count(s, R("", "configmaps")), WRITERS * (WRITES - WRITES / 3));
	sim_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_get),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_create_owned),
		cmocka_unit_test(test_update_and_conflict),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_generate_name),
		cmocka_unit_test(test_namespace_cascade),
		cmocka_unit_test(test_mutate),
		cmocka_unit_test(test_paging_snapshot),
		cmocka_unit_test(test_expired_and_bad_tokens),
		cmocka_unit_test(test_large_paged_list),
		cmocka_unit_test(test_list_while_creating),
		cmocka_unit_test(test_watch_in_order),
		cmocka_unit_test(test_watch_too_old),
		cmocka_unit_test(test_watch_selector_transitions),
		cmocka_unit_test(test_field_selectors_in_lists),
		cmocka_unit_test(test_shutdown_wakes),
		cmocka_unit_test(test_watch_sleeps_through_others),
		cmocka_unit_test(test_concurrency),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
