/* Unit tests for k8s/jarena: the trees jscan_build makes come from the building
 * thread's arena, are the same trees as without it, and the arena is used again
 * only once every node made in it is freed. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "k8s/jarena.h"
#include "k8s/jscan.h"
#include "util/util.h"

static const jscan_keep keep_meta[] = {{"name", NULL}, {"labels", NULL}, {NULL, NULL}};
static const jscan_keep keep[] = {{"metadata", keep_meta}, {"cells", NULL}, {NULL, NULL}};

static const char item[] = "{\"metadata\":{\"name\":\"d1\",\"uid\":\"u\",\"labels\":{\"a\":\"b\","
			   "\"t\\u00e9\":\"x\\\"y\"}},\"cells\":[\"d1\",\"1/1\",3,null,true],"
			   "\"spec\":{\"replicas\":2}}";

static cJSON *build(const char *json)
{
	return jscan_build(json, json + strlen(json), keep);
}

/* What the same item gives parsed whole and cut to the kept members by hand. */
static char *expected(void)
{
	cJSON *t = cJSON_Parse(item);
	char *s;

	cJSON_DeleteItemFromObjectCaseSensitive(t, "spec");
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "metadata"),
						"uid");
	s = cJSON_PrintUnformatted(t);
	cJSON_Delete(t);
	return s;
}

static void check_tree(const cJSON *t)
{
	char *want = expected(), *got;

	assert_non_null(t);
	got = cJSON_PrintUnformatted(t);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static int setup(void **state)
{
	(void)state;
	jarena_install(); /* before any thread, as main does */
	return 0;
}

static void test_tree_in_arena_and_freed(void **state)
{
	cJSON *t;
	size_t used;

	(void)state;
	assert_int_equal(jarena_live(), 0);
	t = build(item);
	check_tree(t);
	assert_true(jarena_live() > 10); /* its nodes and strings */
	used = jarena_used();
	assert_true(used > 0);
	/* made outside jscan_build: malloc, not the arena */
	cJSON_Delete(cJSON_CreateString("elsewhere"));
	assert_int_equal(jarena_used(), used);
	cJSON_Delete(t);
	assert_int_equal(jarena_live(), 0);
	assert_int_equal(jarena_used(), 0); /* all freed: used again from its start */
}

/* A tree kept while the next is built: the block is not used again under it. */
static void test_tree_outlives_the_next(void **state)
{
	cJSON *a, *b;
	size_t used_a, live_a;
	char *before;

	(void)state;
	a = build(item);
	used_a = jarena_used();
	live_a = jarena_live();
	before = cJSON_PrintUnformatted(a);
	b = build(item);
	assert_true(jarena_used() > used_a);
	cJSON_Delete(b);
	assert_int_equal(jarena_live(), live_a);
	assert_true(jarena_used() > 0);
	/* a is untouched by b's making and freeing */
	check_tree(a);
	{
		char *after = cJSON_PrintUnformatted(a);
		assert_string_equal(after, before);
		free(after);
	}
	free(before);
	cJSON_Delete(a);
	assert_int_equal(jarena_live(), 0);
	assert_int_equal(jarena_used(), 0);
}

/* A tree larger than the arena: what does not fit comes from malloc; deleting the
 * mixed tree frees each node the way it was made. */
static void test_tree_larger_than_the_arena(void **state)
{
	strbuf sb;
	cJSON *t;

	(void)state;
	sb_init(&sb, 1 << 20);
	sb_adds(&sb, "{\"metadata\":{\"name\":\"big\",\"labels\":{");
	for (int i = 0; i < 20000; i++)
		sb_addf(&sb, "%s\"k%d\":\"value number %d\"", i ? "," : "", i, i);
	sb_adds(&sb, "}}}");
	t = build(sb.buf);
	assert_non_null(t);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
			     cJSON_GetObjectItemCaseSensitive(t, "metadata"), "labels")),
			 20000);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
						 cJSON_GetObjectItemCaseSensitive(t, "metadata"), "labels"),
					     "k19999")
		->valuestring,
	    "value number 19999");
	cJSON_Delete(t);
	assert_int_equal(jarena_live(), 0);
	sb_release(&sb);
}

static void *other_thread(void *arg)
{
	size_t *live = arg;
	cJSON *t = build(item);

	live[0] = jarena_live();
	check_tree(t);
	cJSON_Delete(t);
	live[1] = jarena_live();
	return NULL;
}

/* Each thread has its own arena: another thread's trees leave this one's alone. */
static void test_arena_per_thread(void **state)
{
	pthread_t th;
	size_t live[2] = {0, 0}, mine;
	cJSON *t;

	(void)state;
	t = build(item);
	mine = jarena_live();
	assert_int_equal(pthread_create(&th, NULL, other_thread, live), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(live[0] > 0);
	assert_int_equal(live[1], 0);
	assert_int_equal(jarena_live(), mine);
	check_tree(t);
	cJSON_Delete(t);
	assert_int_equal(jarena_live(), 0);
}

/* A malformed item makes no tree and leaves nothing alive in the arena. */
static void test_malformed_leaves_nothing(void **state)
{
	(void)state;
	assert_null(build("{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":}}}"));
	assert_null(build("{\"metadata\":{\"name\":\"x\"}} trailing"));
	assert_int_equal(jarena_live(), 0);
	assert_int_equal(jarena_used(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tree_in_arena_and_freed),
	    cmocka_unit_test(test_tree_outlives_the_next),
	    cmocka_unit_test(test_tree_larger_than_the_arena),
	    cmocka_unit_test(test_arena_per_thread),
	    cmocka_unit_test(test_malformed_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
