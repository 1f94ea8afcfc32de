/* Unit tests for core/plan: steps, dependency order, JSON, comparison with
 * live objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/plan.h"
#include "util/util.h"

static cJSON *obj(const char *json)
{
	cJSON *o = cJSON_Parse(json);

	assert_non_null(o);
	return o;
}

static void test_add_and_ids(void **state)
{
	plan p;
	char err[160];
	const char *needs[] = {"prod/namespaces/t12345-prod", NULL};
	const char *bad[] = {"prod/configmaps/nope", NULL};

	plan_init(&p, "namespace", "T12345");
	assert_int_equal(plan_add(&p, "prod", NULL, "namespaces", PLAN_WAIT_EXISTS,
				  obj("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"t12345-prod\"}}"),
				  NULL, err, sizeof(err)),
			 0);
	assert_int_equal(plan_add(&p, "prod", "license", "deployments", PLAN_WAIT_READY,
				  obj("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"license\",\"namespace\":\"t12345-prod\"}}"),
				  needs, err, sizeof(err)),
			 1);
	assert_string_equal(p.steps[1].id, "prod/deployments/license");
	assert_string_equal(p.steps[1].group, "apps");
	assert_string_equal(p.steps[1].version, "v1");
	assert_string_equal(p.steps[1].ns, "t12345-prod");
	assert_int_equal(p.steps[1].n_needs, 1);
	assert_int_equal(p.steps[1].needs[0], 0);
	assert_string_equal(p.steps[0].group, "");
	assert_string_equal(p.steps[0].ns, "");

	/* a need that is not planned before, a repeated id, a body without name */
	assert_int_equal(plan_add(&p, "prod", NULL, "configmaps", PLAN_WAIT_EXISTS,
				  obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"t12345-prod\"}}"),
				  bad, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not planned before it"));
	assert_int_equal(plan_add(&p, "prod", "license", "deployments", PLAN_WAIT_READY,
				  obj("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"license\",\"namespace\":\"t12345-prod\"}}"),
				  NULL, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "planned twice"));
	assert_int_equal(plan_add(&p, "prod", NULL, "configmaps", PLAN_WAIT_EXISTS,
				  obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}"),
				  NULL, err, sizeof(err)),
			 -1);
	assert_int_equal(p.n, 2);
	/* needs only point backwards */
	assert_int_equal(plan_add_need(&p, 0, 1), -1);
	assert_int_equal(plan_add_need(&p, 1, 0), 0);
	assert_int_equal(p.steps[1].n_needs, 1);
	{
		char *path = plan_step_path(&p.steps[1]);

		assert_string_equal(path, "/apis/apps/v1/namespaces/t12345-prod/deployments/license");
		free(path);
		path = plan_step_path(&p.steps[0]);
		assert_string_equal(path, "/api/v1/namespaces/t12345-prod");
		free(path);
	}
	plan_release(&p);
}

static void test_inputs(void **state)
{
	plan p;

	plan_init(&p, "namespace", "T12345");
	plan_set_input(&p, "domain", "a.example.com");
	plan_set_input(&p, "size", "m");
	plan_set_input(&p, "domain", "b.example.com");
	assert_int_equal(p.n_inputs, 2);
	assert_string_equal(plan_input_get(&p, "domain"), "b.example.com");
	assert_null(plan_input_get(&p, "nope"));
	plan_release(&p);
}

static void test_json_shape(void **state)
{
	plan p;
	strbuf sb;
	cJSON *root, *steps, *s1;
	char err[160];
	const char *needs[] = {"namespaces/ns1", NULL};

	plan_init(&p, "namespace", "T12345");
	plan_set_input(&p, "size", "s");
	plan_add(&p, "", NULL, "namespaces", PLAN_WAIT_EXISTS,
		 obj("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns1\"}}"),
		 NULL, err, sizeof(err));
	plan_add(&p, "", "x", "deployments", PLAN_WAIT_READY,
		 obj("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\",\"namespace\":\"ns1\"}}"),
		 needs, err, sizeof(err));
	p.steps[1].diff = PLAN_DIFF_CONFLICT;
	sb_init(&sb, 256);
	plan_to_json(&p, 1, 1, &sb);
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "kind")->valuestring, "Plan");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "inputs"), "size")->valuestring, "s");
	steps = cJSON_GetObjectItem(root, "steps");
	assert_int_equal(cJSON_GetArraySize(steps), 2);
	s1 = cJSON_GetArrayItem(steps, 1);
	assert_string_equal(cJSON_GetObjectItem(s1, "id")->valuestring, "deployments/d");
	assert_string_equal(cJSON_GetObjectItem(s1, "wait")->valuestring, "ready");
	assert_string_equal(cJSON_GetObjectItem(s1, "diff")->valuestring, "conflict");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(s1, "needs"), 0)->valuestring,
			    "namespaces/ns1");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "object"), "namespace")->valuestring,
			    "ns1");
	assert_non_null(cJSON_GetObjectItem(s1, "body"));
	cJSON_Delete(root);
	/* without bodies and diff */
	sb_reset(&sb);
	plan_to_json(&p, 0, 0, &sb);
	assert_null(strstr(sb.buf, "\"body\""));
	assert_null(strstr(sb.buf, "\"diff\""));
	sb_release(&sb);
	plan_release(&p);
}

static void test_subset(void **state)
{
	cJSON *want = obj("{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"1\"}},\"spec\":{\"replicas\":2,\"ports\":[{\"port\":80}]}}");
	cJSON *same = obj("{\"metadata\":{\"name\":\"a\",\"uid\":\"u\",\"labels\":{\"x\":\"1\",\"y\":\"2\"}},\"spec\":{\"replicas\":2,\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]},\"status\":{}}");
	cJSON *diff = obj("{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"1\"}},\"spec\":{\"replicas\":3,\"ports\":[{\"port\":80}]}}");
	cJSON *more = obj("{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"1\"}},\"spec\":{\"replicas\":2,\"ports\":[{\"port\":80},{\"port\":81}]}}");
	cJSON *nolabel = obj("{\"metadata\":{\"name\":\"a\"},\"spec\":{\"replicas\":2,\"ports\":[{\"port\":80}]}}");

	assert_true(plan_subset(want, same));
	assert_false(plan_subset(want, diff));
	assert_false(plan_subset(want, more));
	assert_false(plan_subset(want, nolabel));
	cJSON_Delete(want);
	cJSON_Delete(same);
	cJSON_Delete(diff);
	cJSON_Delete(more);
	cJSON_Delete(nolabel);
}

static void test_classify(void **state)
{
	plan p;
	char err[160], reason[160];
	cJSON *live;

	plan_init(&p, "namespace", "T12345");
	plan_add(&p, "prod", NULL, "configmaps", PLAN_WAIT_EXISTS,
		 obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"n\","
		     "\"labels\":{\"app.kubernetes.io/managed-by\":\"smartops\",\"smart.totvs.com/tcode\":\"T12345\"}},"
		     "\"data\":{\"k\":\"v\"}}"),
		 NULL, err, sizeof(err));
	assert_int_equal(plan_classify(&p.steps[0], NULL, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_CREATE);

	live = obj("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"labels\":{\"app.kubernetes.io/managed-by\":\"smartops\","
		   "\"smart.totvs.com/tcode\":\"T12345\",\"smart.totvs.com/run\":\"r1\"}},\"data\":{\"k\":\"v\"}}");
	assert_int_equal(plan_classify(&p.steps[0], live, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_UNCHANGED);
	cJSON_Delete(live);

	live = obj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"app.kubernetes.io/managed-by\":\"smartops\","
		   "\"smart.totvs.com/tcode\":\"T12345\"}},\"data\":{\"k\":\"other\"}}");
	assert_int_equal(plan_classify(&p.steps[0], live, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_CHANGE);
	cJSON_Delete(live);

	/* not ours: no managed-by label */
	live = obj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"smart.totvs.com/tcode\":\"T12345\"}},\"data\":{\"k\":\"v\"}}");
	assert_int_equal(plan_classify(&p.steps[0], live, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_CONFLICT);
	assert_non_null(strstr(reason, "not created by smartops"));
	cJSON_Delete(live);

	/* another tenant's */
	live = obj("{\"metadata\":{\"name\":\"c\",\"labels\":{\"app.kubernetes.io/managed-by\":\"smartops\","
		   "\"smart.totvs.com/tcode\":\"T54321\"}}}");
	assert_int_equal(plan_classify(&p.steps[0], live, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_CONFLICT);
	assert_non_null(strstr(reason, "belongs to tenant T54321"));
	cJSON_Delete(live);

	/* ours but being deleted */
	live = obj("{\"metadata\":{\"name\":\"c\",\"deletionTimestamp\":\"2026-01-01T00:00:00Z\","
		   "\"labels\":{\"app.kubernetes.io/managed-by\":\"smartops\",\"smart.totvs.com/tcode\":\"T12345\"}}}");
	assert_int_equal(plan_classify(&p.steps[0], live, NULL, "T12345", reason, sizeof(reason)),
			 PLAN_DIFF_TERMINATING);
	assert_non_null(strstr(reason, "Terminating"));
	cJSON_Delete(live);
	plan_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_and_ids),
	    cmocka_unit_test(test_inputs),
	    cmocka_unit_test(test_json_shape),
	    cmocka_unit_test(test_subset),
	    cmocka_unit_test(test_classify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
