/* Unit tests for sim/patch: RFC 7386, RFC 6902, strategic merge patch, server-side apply. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/patch.h"
#include "util/util.h"

#define GET cJSON_GetObjectItemCaseSensitive

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	if (!j)
		fail_msg("bad JSON in test: %s", s);
	return j;
}

/* Asserts that two JSON texts/trees are equal, printing both when not. */
static void assert_json_eq(const cJSON *got, const char *want_text)
{
	cJSON *want = parse(want_text);

	if (!cJSON_Compare(got, want, 1)) {
		char *g = cJSON_PrintUnformatted(got);
		print_error("got:  %s\nwant: %s\n", g, want_text);
		cJSON_free(g);
		cJSON_Delete(want);
		fail();
	}
	cJSON_Delete(want);
}

/* ---- RFC 7386 appendix A ---- */

static void check_merge(const char *orig, const char *patch, const char *want)
{
	cJSON *t = parse(orig), *p = parse(patch);
	sim_err err = {0};

	assert_int_equal(sim_patch_merge(t, p, &err), 0);
	assert_json_eq(t, want);
	cJSON_Delete(t);
	cJSON_Delete(p);
}

static void test_merge_rfc7386(void **state)
{
	(void)state;
	check_merge("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	check_merge("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
	check_merge("{\"a\":\"b\"}", "{\"a\":null}", "{}");
	check_merge("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
	check_merge("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	check_merge("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
	check_merge("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
	check_merge("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
	check_merge("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
	check_merge("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
	check_merge("{\"a\":\"foo\"}", "null", "null");
	check_merge("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
	check_merge("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
	check_merge("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
	check_merge("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

/* ---- RFC 6902 ---- */

static int run_json(const char *doc, const char *ops, const char *want, sim_err *err)
{
	cJSON *t = parse(doc), *p = parse(ops);
	int rc = sim_patch_json(t, p, err);

	if (rc == 0 && want)
		assert_json_eq(t, want);
	cJSON_Delete(t);
	cJSON_Delete(p);
	return rc;
}

static void test_json_ops(void **state)
{
	sim_err err = {0};

	(void)state;
	/* RFC 6902 appendix A examples */
	assert_int_equal(run_json("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
				  "{\"foo\":\"bar\",\"baz\":\"qux\"}", &err), 0);
	assert_int_equal(run_json("{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
				  "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", &err), 0);
	assert_int_equal(run_json("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
				  "{\"foo\":\"bar\"}", &err), 0);
	assert_int_equal(run_json("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
				  "{\"foo\":[\"bar\",\"baz\"]}", &err), 0);
	assert_int_equal(run_json("{\"baz\":\"qux\",\"foo\":\"bar\"}",
				  "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
				  "{\"baz\":\"boo\",\"foo\":\"bar\"}", &err), 0);
	assert_int_equal(run_json("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
				  "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
				  "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", &err), 0);
	assert_int_equal(run_json("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
				  "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
				  "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", &err), 0);
	assert_int_equal(run_json("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
				  "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
				  "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
				  "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", &err), 0);
	assert_int_equal(run_json("{\"foo\":\"bar\"}",
				  "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
				  "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", &err), 0);
	assert_int_equal(run_json("{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
				  "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", &err), 0);
	assert_int_equal(run_json("{\"foo\":null}", "[{\"op\":\"test\",\"path\":\"/foo\",\"value\":null}]",
				  "{\"foo\":null}", &err), 0);
	/* copy, and add at the root */
	assert_int_equal(run_json("{\"a\":{\"x\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
				  "{\"a\":{\"x\":1},\"b\":{\"x\":1}}", &err), 0);
	assert_int_equal(run_json("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"z\":2}}]",
				  "{\"z\":2}", &err), 0);
	/* escaping: ~1 is '/', ~0 is '~' (RFC 6901) */
	assert_int_equal(run_json("{\"metadata\":{\"labels\":{\"smart.totvs.com/tcode\":\"T1\",\"m~n\":\"x\"}}}",
				  "[{\"op\":\"replace\",\"path\":\"/metadata/labels/smart.totvs.com~1tcode\",\"value\":\"T2\"},"
				  "{\"op\":\"remove\",\"path\":\"/metadata/labels/m~0n\"}]",
				  "{\"metadata\":{\"labels\":{\"smart.totvs.com/tcode\":\"T2\"}}}", &err), 0);
}

static void test_json_errors(void **state)
{
	sim_err err = {0};

	(void)state;
	/* a failed test is a conflict and nothing after it runs */
	assert_int_equal(run_json("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
				  NULL, &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "Conflict");

	/* RFC A.12: adding to a nonexistent target */
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
				  NULL, &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "/baz/bat");

	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/5\"}]", NULL, &err), -1);
	assert_int_equal(err.code, 422);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":2}]", NULL, &err), -1);
	assert_int_equal(err.code, 422);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{\"a\":{}}", "[{\"op\":\"replace\",\"path\":\"/a/b\",\"value\":2}]", NULL, &err), -1);
	assert_int_equal(err.code, 422);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]",
				  NULL, &err), -1);
	assert_int_equal(err.code, 422);

	/* malformed patches: 400 */
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "{\"op\":\"add\"}", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_json("{}", "[{\"op\":\"move\",\"path\":\"/a\"}]", NULL, &err), -1);
	assert_int_equal(err.code, 400);
}

/* ---- strategic merge patch ---- */

static int run_smp(const char *doc, const char *patch, const char *kind, const char *want, sim_err *err)
{
	cJSON *t = parse(doc), *p = parse(patch);
	int rc = sim_patch_strategic(t, p, kind, err);

	if (rc == 0 && want)
		assert_json_eq(t, want);
	cJSON_Delete(t);
	cJSON_Delete(p);
	return rc;
}

static const char *pod =
	"{\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"finalizers\":[\"f1\"]},"
	"\"spec\":{\"containers\":["
	"{\"name\":\"app\",\"image\":\"app:1\",\"args\":[\"-x\",\"-y\"],"
	"\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}],"
	"\"ports\":[{\"containerPort\":1234,\"name\":\"tcp\"},{\"containerPort\":8080,\"name\":\"web\"}]},"
	"{\"name\":\"side\",\"image\":\"side:1\"}],"
	"\"tolerations\":[{\"key\":\"k\"}]}}";

static void test_smp_merge_keys(void **state)
{
	sim_err err = {0};

	(void)state;
	/* containers by name, env by name, ports by containerPort; args (primitives) replaced */
	assert_int_equal(run_smp(pod,
		"{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:2\",\"args\":[\"-z\"],"
		"\"env\":[{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}],"
		"\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}]}]}}", "Pod",
		"{\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"finalizers\":[\"f1\"]},"
		"\"spec\":{\"containers\":["
		"{\"name\":\"app\",\"image\":\"app:2\",\"args\":[\"-z\"],"
		"\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}],"
		"\"ports\":[{\"containerPort\":1234,\"name\":\"tcp\"},{\"containerPort\":8080,\"name\":\"web\",\"protocol\":\"TCP\"}]},"
		"{\"name\":\"side\",\"image\":\"side:1\"}],"
		"\"tolerations\":[{\"key\":\"k\"}]}}", &err), 0);

	/* null deletes a key; tolerations replace; finalizers merge as a set */
	assert_int_equal(run_smp(pod,
		"{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"},\"finalizers\":[\"f2\",\"f1\"]},"
		"\"spec\":{\"tolerations\":[{\"key\":\"j\"}]}}", "Pod",
		NULL, &err), 0);
	{
		cJSON *t = parse(pod), *p = parse("{\"metadata\":{\"labels\":{\"a\":null,\"c\":\"3\"},"
						  "\"finalizers\":[\"f2\",\"f1\"]},\"spec\":{\"tolerations\":[{\"key\":\"j\"}]}}");
		assert_int_equal(sim_patch_strategic(t, p, "Pod", &err), 0);
		assert_json_eq(GET(GET(t, "metadata"), "labels"), "{\"b\":\"2\",\"c\":\"3\"}");
		assert_json_eq(GET(GET(t, "metadata"), "finalizers"), "[\"f1\",\"f2\"]");
		assert_json_eq(GET(GET(t, "spec"), "tolerations"), "[{\"key\":\"j\"}]");
		cJSON_Delete(t);
		cJSON_Delete(p);
	}

	/* Service ports merge by port, not containerPort */
	assert_int_equal(run_smp("{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":443}]}}",
				 "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}", "Service",
				 "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090},{\"port\":443}]}}", &err), 0);
	/* the same list under another kind is replaced */
	assert_int_equal(run_smp("{\"spec\":{\"ports\":[{\"port\":80},{\"port\":443}]}}",
				 "{\"spec\":{\"ports\":[{\"port\":80,\"x\":1}]}}", "NetworkPolicy",
				 "{\"spec\":{\"ports\":[{\"port\":80,\"x\":1}]}}", &err), 0);
	/* Deployment template containers, volumeMounts by mountPath */
	assert_int_equal(run_smp(
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"volumeMounts\":"
		"[{\"name\":\"v\",\"mountPath\":\"/x\"},{\"name\":\"v\",\"mountPath\":\"/y\"}]}]}}}}",
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"volumeMounts\":"
		"[{\"mountPath\":\"/y\",\"readOnly\":true}]}]}}}}", "Deployment",
		"{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"volumeMounts\":"
		"[{\"name\":\"v\",\"mountPath\":\"/x\"},{\"name\":\"v\",\"mountPath\":\"/y\",\"readOnly\":true}]}]}}}}",
		&err), 0);
}

static void test_smp_directives(void **state)
{
	sim_err err = {0};

	(void)state;
	/* $patch: delete of a list element */
	assert_int_equal(run_smp("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
				 "{\"spec\":{\"containers\":[{\"name\":\"a\",\"$patch\":\"delete\"}]}}", "Pod",
				 "{\"spec\":{\"containers\":[{\"name\":\"b\"}]}}", &err), 0);
	/* $patch: delete of a map, $patch: replace of a map */
	assert_int_equal(run_smp("{\"a\":{\"x\":1},\"b\":{\"y\":1,\"z\":2}}",
				 "{\"a\":{\"$patch\":\"delete\"},\"b\":{\"$patch\":\"replace\",\"w\":3}}", NULL,
				 "{\"b\":{\"w\":3}}", &err), 0);
	/* $patch: replace of a merge list */
	assert_int_equal(run_smp("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
				 "{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"$patch\":\"replace\"}]}}", "Pod",
				 "{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}", &err), 0);
	/* $setElementOrder with merge keys: listed first, in order, the rest after */
	assert_int_equal(run_smp("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}}",
				 "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"}],"
				 "\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}", "Pod",
				 "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"},{\"name\":\"a\"},{\"name\":\"b\"}]}}",
				 &err), 0);
	/* $setElementOrder of a primitive set, $deleteFromPrimitiveList */
	assert_int_equal(run_smp("{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
				 "{\"metadata\":{\"$setElementOrder/finalizers\":[\"c\",\"b\"],"
				 "\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}", NULL,
				 "{\"metadata\":{\"finalizers\":[\"c\",\"b\"]}}", &err), 0);
	/* $retainKeys: only the listed keys remain */
	assert_int_equal(run_smp("{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}",
				 "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}", "Deployment",
				 "{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}", &err), 0);
	/* errors: missing merge key, unknown directive value */
	assert_int_equal(run_smp("{\"spec\":{\"containers\":[]}}", "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}",
				 "Pod", NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_smp("{}", "{\"a\":{\"$patch\":\"explode\"}}", NULL, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(run_smp("{}", "[1]", NULL, NULL, &err), -1);
	assert_int_equal(err.code, 400);
}

/* The patch `kubectl apply` (client side) computes when the last-applied configuration
 * had image app:1 and env A, B and the new one has image app:2 and env A only. */
static void test_smp_kubectl_apply_shape(void **state)
{
	const char *deploy =
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"appserver\","
		"\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{}\"}},"
		"\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"appserver\","
		"\"image\":\"app:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]},"
		"{\"name\":\"sidecar\",\"image\":\"s:1\"}]}}}}";
	const char *patch =
		"{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"new\\\":1}\"}},"
		"\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"appserver\"},{\"name\":\"sidecar\"}],"
		"\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"A\"}],\"env\":[{\"$patch\":\"delete\",\"name\":\"B\"}],"
		"\"image\":\"app:2\",\"name\":\"appserver\"}]}}}}";
	sim_err err = {0};

	(void)state;
	assert_int_equal(run_smp(deploy, patch, "Deployment",
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"appserver\","
		"\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"new\\\":1}\"}},"
		"\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"appserver\","
		"\"image\":\"app:2\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}]},"
		"{\"name\":\"sidecar\",\"image\":\"s:1\"}]}}}}", &err), 0);
}

/* ---- server-side apply ---- */

static const cJSON *find_entry(const cJSON *target, const char *manager)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, GET(GET(target, "metadata"), "managedFields")) {
		const cJSON *m = GET(e, "manager");
		if (cJSON_IsString(m) && !strcmp(m->valuestring, manager))
			return e;
	}
	return NULL;
}

static const char *cfg_v1 =
	"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"t1-dev\","
	"\"labels\":{\"app\":\"web\",\"tier\":\"public\"}},"
	"\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
	"[{\"name\":\"nginx\",\"image\":\"nginx:1\"}]}}}}";

static cJSON *apply_new(const char *cfg, const char *manager)
{
	cJSON *t = parse("{\"metadata\":{\"name\":\"web\",\"namespace\":\"t1-dev\"}}");
	cJSON *a = parse(cfg);
	sim_err err = {0};

	assert_int_equal(sim_patch_apply(t, a, manager, 0, "Deployment", &err), 0);
	cJSON_Delete(a);
	return t;
}

static void test_apply_create_and_noop(void **state)
{
	cJSON *t = apply_new(cfg_v1, "kubectl"), *a = parse(cfg_v1), *copy;
	const cJSON *entry = find_entry(t, "kubectl");
	sim_err err = {0};

	(void)state;
	assert_non_null(entry);
	assert_string_equal(GET(entry, "operation")->valuestring, "Apply");
	assert_string_equal(GET(entry, "fieldsType")->valuestring, "FieldsV1");
	assert_string_equal(GET(entry, "apiVersion")->valuestring, "apps/v1");
	assert_true(cJSON_IsString(GET(entry, "time")));
	assert_json_eq(GET(entry, "fieldsV1"),
		"{\"f:metadata\":{\"f:labels\":{\"f:app\":{},\"f:tier\":{}}},"
		"\"f:spec\":{\"f:replicas\":{},\"f:selector\":{\"f:matchLabels\":{\"f:app\":{}}},"
		"\"f:template\":{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}},\"f:spec\":{\"f:containers\":"
		"{\"k:{\\\"name\\\":\\\"nginx\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{}}}}}}}");
	assert_int_equal(GET(GET(t, "spec"), "replicas")->valueint, 2);
	assert_string_equal(GET(t, "kind")->valuestring, "Deployment");

	/* re-applying the same configuration changes nothing, time included */
	copy = cJSON_Duplicate(t, 1);
	assert_int_equal(sim_patch_apply(t, a, "kubectl", 0, "Deployment", &err), 0);
	assert_true(cJSON_Compare(t, copy, 1));
	cJSON_Delete(copy);
	cJSON_Delete(a);
	cJSON_Delete(t);
}

static void test_apply_removes_dropped_fields(void **state)
{
	cJSON *t = apply_new(cfg_v1, "kubectl");
	cJSON *a = parse(
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
		"\"labels\":{\"app\":\"web\"}},"
		"\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
		"[{\"name\":\"nginx\",\"image\":\"nginx:2\"}]}}}}");
	sim_err err = {0};

	(void)state;
	assert_int_equal(sim_patch_apply(t, a, "kubectl", 0, "Deployment", &err), 0);
	assert_null(GET(GET(t, "spec"), "replicas"));
	assert_null(GET(GET(GET(t, "metadata"), "labels"), "tier"));
	assert_non_null(GET(GET(GET(t, "metadata"), "labels"), "app"));
	assert_json_eq(GET(GET(GET(t, "spec"), "template"), "spec"),
		       "{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:2\"}]}");
	assert_null(GET(GET(GET(find_entry(t, "kubectl"), "fieldsV1"), "f:spec"), "f:replicas"));
	cJSON_Delete(a);
	cJSON_Delete(t);
}

/* Found by fuzz/fuzz_sim_http: an apply that once carried metadata.managedFields
 * (or whose stored entry claims them, or the whole metadata) and then does not
 * removed the managedFields array it was reading: a use after free. The
 * metadata, its managedFields and the server's members stay. */
static void test_apply_never_removes_managed_fields(void **state)
{
	static const char *const firsts[] = {
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
	    "\"managedFields\":[{\"manager\":\"x\"}]},\"data\":{\"a\":\"b\"}}",
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
	    "\"labels\":{\"l\":\"v\"}},\"data\":{\"a\":\"b\"}}",
	};
	const char *second = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"c\":\"d\"}}";

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		cJSON *t = apply_new(firsts[i], "kubectl"), *a = parse(second);
		cJSON *meta;
		sim_err err = {0};

		assert_int_equal(sim_patch_apply(t, a, "kubectl", 0, "ConfigMap", &err), 0);
		meta = GET(t, "metadata");
		assert_non_null(meta);
		assert_string_equal(GET(meta, "name")->valuestring, "web");
		assert_true(cJSON_IsArray(GET(meta, "managedFields")));
		assert_non_null(find_entry(t, "kubectl"));
		assert_null(GET(meta, "labels")); /* what it no longer applies does go */
		assert_null(GET(GET(t, "data"), "a"));
		assert_string_equal(GET(GET(t, "data"), "c")->valuestring, "d");
		cJSON_Delete(a);
		cJSON_Delete(t);
	}
}

static void test_apply_conflict_and_force(void **state)
{
	cJSON *t = apply_new(cfg_v1, "kubectl");
	cJSON *other = parse(
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
		"\"spec\":{\"replicas\":5}}");
	cJSON *same = parse(
		"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
		"\"labels\":{\"tier\":\"public\"}}}");
	cJSON *copy = cJSON_Duplicate(t, 1);
	sim_err err = {0};

	(void)state;
	/* same value: shared ownership, no conflict */
	assert_int_equal(sim_patch_apply(t, same, "labeller", 0, "Deployment", &err), 0);
	assert_non_null(find_entry(t, "labeller"));
	/* different value: conflict naming the field and the owner */
	assert_int_equal(sim_patch_apply(t, other, "hpa", 0, "Deployment", &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.reason, "Conflict");
	assert_string_equal(err.message, "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
	cJSON_Delete(copy);

	/* forced: the value changes and ownership moves */
	assert_int_equal(sim_patch_apply(t, other, "hpa", 1, "Deployment", &err), 0);
	assert_int_equal(GET(GET(t, "spec"), "replicas")->valueint, 5);
	assert_null(GET(GET(GET(find_entry(t, "kubectl"), "fieldsV1"), "f:spec"), "f:replicas"));
	assert_non_null(GET(GET(GET(find_entry(t, "hpa"), "fieldsV1"), "f:spec"), "f:replicas"));
	/* the label both own survives when kubectl stops applying it */
	{
		cJSON *less = parse(
			"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
			"\"labels\":{\"app\":\"web\"}},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
			"\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
			"[{\"name\":\"nginx\",\"image\":\"nginx:1\"}]}}}}");
		assert_int_equal(sim_patch_apply(t, less, "kubectl", 0, "Deployment", &err), 0);
		assert_string_equal(GET(GET(GET(t, "metadata"), "labels"), "tier")->valuestring, "public");
		assert_int_equal(GET(GET(t, "spec"), "replicas")->valueint, 5);
		cJSON_Delete(less);
	}
	/* a container the manager drops goes away */
	{
		cJSON *two = parse(
			"{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
			"\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"s:1\"}]}}}}");
		cJSON *none = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"}}");
		const cJSON *cs;

		assert_int_equal(sim_patch_apply(t, two, "sidecar-injector", 0, "Deployment", &err), 0);
		cs = GET(GET(GET(GET(t, "spec"), "template"), "spec"), "containers");
		assert_int_equal(cJSON_GetArraySize(cs), 2);
		assert_int_equal(sim_patch_apply(t, none, "sidecar-injector", 0, "Deployment", &err), 0);
		cs = GET(GET(GET(GET(t, "spec"), "template"), "spec"), "containers");
		assert_int_equal(cJSON_GetArraySize(cs), 1);
		assert_string_equal(GET(cJSON_GetArrayItem(cs, 0), "name")->valuestring, "nginx");
		cJSON_Delete(two);
		cJSON_Delete(none);
	}
	cJSON_Delete(other);
	cJSON_Delete(same);
	cJSON_Delete(t);
}

/* A controller's update (Hypnus scaling to 0) takes the field from the applier: a
 * re-apply without it keeps the value, one with another value conflicts with the
 * updater, named with its API version. */
static void test_update_takes_ownership(void **state)
{
	static const char *const replicas[] = {"spec", "replicas"};
	cJSON *t = apply_new(cfg_v1, "smartops");
	cJSON *without = parse(cfg_v1), *with3 = parse(cfg_v1);
	sim_err err = {0};

	(void)state;
	cJSON_DeleteItemFromObjectCaseSensitive(GET(without, "spec"), "replicas");
	cJSON_ReplaceItemInObjectCaseSensitive(GET(with3, "spec"), "replicas", cJSON_CreateNumber(3));
	cJSON_ReplaceItemInObjectCaseSensitive(GET(t, "spec"), "replicas", cJSON_CreateNumber(0));
	sim_patch_take_field(t, "hypnus", "apps/v1", replicas, 2);
	assert_null(GET(GET(GET(find_entry(t, "smartops"), "fieldsV1"), "f:spec"), "f:replicas"));
	assert_non_null(GET(GET(GET(find_entry(t, "smartops"), "fieldsV1"), "f:spec"), "f:selector"));
	assert_string_equal(GET(find_entry(t, "hypnus"), "operation")->valuestring, "Update");
	assert_non_null(GET(GET(GET(find_entry(t, "hypnus"), "fieldsV1"), "f:spec"), "f:replicas"));

	assert_int_equal(sim_patch_apply(t, without, "smartops", 0, "Deployment", &err), 0);
	assert_int_equal(GET(GET(t, "spec"), "replicas")->valueint, 0);
	assert_int_equal(sim_patch_apply(t, with3, "smartops", 0, "Deployment", &err), -1);
	assert_int_equal(err.code, 409);
	assert_string_equal(err.message,
			    "Apply failed with 1 conflict: conflict with \"hypnus\" using apps/v1: .spec.replicas");
	/* taking a field that was the only one of an entry drops the entry */
	sim_patch_take_field(t, "smartops-scaler", "apps/v1", replicas, 2);
	assert_null(find_entry(t, "hypnus"));
	cJSON_Delete(without);
	cJSON_Delete(with3);
	cJSON_Delete(t);
}

static void test_apply_bad_input(void **state)
{
	cJSON *t = parse("{}"), *a = parse("[1]"), *ok = parse("{\"a\":1}");
	sim_err err = {0};

	(void)state;
	assert_int_equal(sim_patch_apply(t, a, "m", 0, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_patch_apply(t, ok, "", 0, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	cJSON_Delete(t);
	cJSON_Delete(a);
	cJSON_Delete(ok);
}

/* An apply whose metadata is not an object is refused (found by fuzz_sim_http:
 * "metadata":"b" over an object this manager had applied replaced the metadata
 * holding its managedFields entry, then wrote through the freed entry), and so
 * is a null one, which would drop the metadata the same way; the object is
 * left as it was. */
static void test_apply_metadata_not_object(void **state)
{
	static const char *const bad[] = {
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":\"b\"}",
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":null}",
	    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":[1]}",
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		cJSON *t = apply_new(cfg_v1, "kubectl"), *copy = cJSON_Duplicate(t, 1), *a = parse(bad[i]);
		sim_err err = {0};

		assert_int_equal(sim_patch_apply(t, a, "kubectl", 1, "Deployment", &err), -1);
		assert_int_equal(err.code, 400);
		assert_non_null(strstr(err.message, "metadata"));
		assert_true(cJSON_Compare(t, copy, 1));
		cJSON_Delete(a);
		cJSON_Delete(copy);
		cJSON_Delete(t);
	}
	{ /* a metadata the merge replaces whole: this manager's entry is made again */
		cJSON *t = apply_new(cfg_v1, "kubectl");
		cJSON *a = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":"
				 "{\"$patch\":\"replace\",\"name\":\"web\",\"namespace\":\"t1-dev\"},"
				 "\"spec\":{\"replicas\":3}}");
		sim_err err = {0};

		assert_int_equal(sim_patch_apply(t, a, "kubectl", 1, "Deployment", &err), 0);
		assert_non_null(find_entry(t, "kubectl"));
		assert_int_equal(GET(GET(t, "spec"), "replicas")->valueint, 3);
		cJSON_Delete(a);
		cJSON_Delete(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_rfc7386),
		cmocka_unit_test(test_json_ops),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_smp_merge_keys),
		cmocka_unit_test(test_smp_directives),
		cmocka_unit_test(test_smp_kubectl_apply_shape),
		cmocka_unit_test(test_apply_create_and_noop),
		cmocka_unit_test(test_apply_removes_dropped_fields),
		cmocka_unit_test(test_apply_never_removes_managed_fields),
		cmocka_unit_test(test_apply_conflict_and_force),
		cmocka_unit_test(test_update_takes_ownership),
		cmocka_unit_test(test_apply_bad_input),
		cmocka_unit_test(test_apply_metadata_not_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
