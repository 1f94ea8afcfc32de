/* A Deployment's ReplicaSets: the template key that tells an old template when a client
 * writes it back, and the ReplicaSet object's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/replicaset.h"
#include "util/util.h"

static uint64_t key_of(const char *json)
{
	cJSON *t = cJSON_Parse(json);
	uint64_t k;

	assert_non_null(t);
	k = sim_rs_template_key(t);
	cJSON_Delete(t);
	return k;
}

#define TMPL "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\"}]}}"

static void test_key_ignores_round_trip(void **state)
{
	uint64_t k = key_of(TMPL);

	/* as kubectl rollout undo writes it back from the ReplicaSet */
	assert_true(k == key_of("{\"spec\":{\"containers\":[{\"image\":\"nginx:1.25\",\"name\":\"nginx\","
				"\"resources\":{}}]},\"metadata\":{\"creationTimestamp\":null,"
				"\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"abcde12345\"}}}"));
	assert_true(k == key_of("{\"metadata\":{\"labels\":{\"app\":\"web\"},\"annotations\":{}},"
				"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\","
				"\"args\":[],\"workingDir\":\"\"}]}}"));
}

static void test_key_tells_changes(void **state)
{
	uint64_t k = key_of(TMPL);

	assert_true(k != key_of("{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
				"[{\"name\":\"nginx\",\"image\":\"nginx:1.26\"}]}}"));
	assert_true(k != key_of("{\"metadata\":{\"labels\":{\"app\":\"web2\"}},\"spec\":{\"containers\":"
				"[{\"name\":\"nginx\",\"image\":\"nginx:1.25\"}]}}"));
	/* an annotation (kubectl rollout restart) is a change */
	assert_true(k != key_of("{\"metadata\":{\"labels\":{\"app\":\"web\"},\"annotations\":{\"r\":\"1\"}},"
				"\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\"}]}}"));
	/* the order of containers matters, false and 0 are values */
	assert_true(key_of("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}") !=
		    key_of("{\"spec\":{\"containers\":[{\"name\":\"b\"},{\"name\":\"a\"}]}}"));
	assert_true(key_of("{\"spec\":{\"hostNetwork\":false}}") != key_of("{\"spec\":{}}"));
	assert_true(key_of("{\"spec\":{\"replicas\":0}}") != key_of("{\"spec\":{}}"));
}

static const char *str_at(const cJSON *o, const char *a, const char *b, const char *c)
{
	o = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		o = cJSON_GetObjectItemCaseSensitive(o, b);
	if (c)
		o = cJSON_GetObjectItemCaseSensitive(o, c);
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

/* UUID-shaped, the same for the same Deployment and hash, else different */
static void test_uid(void **state)
{
	char a[40], b[40], c[40], d[40];

	(void)state;
	sim_rs_uid("0c9a2f10-1b2c-4d3e-8f40-123456789abc", "abcde12345", a);
	sim_rs_uid("0c9a2f10-1b2c-4d3e-8f40-123456789abc", "abcde12345", b);
	sim_rs_uid("0c9a2f10-1b2c-4d3e-8f40-123456789abc", "abcde12346", c);
	sim_rs_uid("0c9a2f10-1b2c-4d3e-8f40-123456789abd", "abcde12345", d);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_int_equal(strlen(a), 36);
	assert_true(a[8] == '-' && a[13] == '-' && a[14] == '4' && a[18] == '-' && a[23] == '-');
}

static void test_new_shape(void **state)
{
	cJSON *d = cJSON_Parse("{\"metadata\":{\"name\":\"web\",\"uid\":\"u-1\",\"annotations\":{"
			       "\"kubernetes.io/change-cause\":\"image 1.25\",\"deployment.kubernetes.io/revision\":\"9\","
			       "\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\"}},\"spec\":{\"replicas\":3,"
			       "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" TMPL "}}");
	cJSON *rs = sim_rs_new(d, "abcde12345", 2, 3), *ref, *st;
	sim_rs_counts c = {3, 2};

	assert_string_equal(str_at(rs, "kind", NULL, NULL), "ReplicaSet");
	assert_string_equal(str_at(rs, "metadata", "name", NULL), "web-abcde12345");
	{ /* its uid is the one its pods name: the Deployment's and the hash's */
		char want[40];

		sim_rs_uid("u-1", "abcde12345", want);
		assert_string_equal(str_at(rs, "metadata", "uid", NULL), want);
	}
	assert_string_equal(str_at(rs, "metadata", "labels", "pod-template-hash"), "abcde12345");
	assert_string_equal(str_at(rs, "metadata", "labels", "app"), "web");
	assert_string_equal(str_at(rs, "metadata", "annotations", SIM_RS_REVISION), "2");
	assert_string_equal(str_at(rs, "metadata", "annotations", "kubernetes.io/change-cause"), "image 1.25");
	assert_null(str_at(rs, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"));
	assert_string_equal(str_at(rs, "metadata", "annotations", "deployment.kubernetes.io/desired-replicas"), "3");
	assert_string_equal(str_at(rs, "metadata", "annotations", "deployment.kubernetes.io/max-replicas"), "4");
	ref = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rs, "metadata"),
								  "ownerReferences"), 0);
	assert_string_equal(str_at(ref, "kind", NULL, NULL), "Deployment");
	assert_string_equal(str_at(ref, "uid", NULL, NULL), "u-1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "controller")));
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "selector", "matchLabels", "app"), "web");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "selector", "matchLabels",
				   "pod-template-hash"), "abcde12345");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "template"),
				   "metadata", "labels", "pod-template-hash"), "abcde12345");
	/* the Deployment's own template is not changed */
	assert_null(str_at(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "spec"), "template"),
			   "metadata", "labels", "pod-template-hash"));
	/* the key of the ReplicaSet's template is the Deployment's */
	assert_true(sim_rs_template_key(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "template")) ==
		    key_of(TMPL));

	sim_rs_set(rs, 5, 0, &(sim_rs_counts){0, 0});
	assert_string_equal(str_at(rs, "metadata", "annotations", SIM_RS_REVISION), "5");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rs, "spec"), "replicas")->valueint, 0);
	st = cJSON_GetObjectItemCaseSensitive(rs, "status");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "replicas")->valueint, 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(st, "readyReplicas")); /* omitted at 0, as the API does */
	sim_rs_set(rs, 5, 3, &c);
	st = cJSON_GetObjectItemCaseSensitive(rs, "status");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "readyReplicas")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "availableReplicas")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "replicas")->valueint, 3);
	cJSON_Delete(rs);
	cJSON_Delete(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_ignores_round_trip),
		cmocka_unit_test(test_key_tells_changes),
		cmocka_unit_test(test_new_shape),
		cmocka_unit_test(test_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
