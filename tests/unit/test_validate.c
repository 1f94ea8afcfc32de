/* Unit tests for sim/validate: names, labels, annotations and per-kind rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/validate.h"
#include "util/util.h"

static const sim_resource *res(const char *group, const char *plural)
{
	const sim_resource *r = sim_resource_find(group, "v1", plural);

	assert_non_null(r);
	return r;
}

/* Validates text as a create (name NULL) or update; fills err. */
static int check(const sim_resource *r, const char *ns, const char *name, const char *text, sim_err *err)
{
	cJSON *obj = cJSON_Parse(text);
	int rc;

	if (!obj)
		fail_msg("bad JSON in test: %s", text);
	memset(err, 0, sizeof(*err));
	rc = sim_validate_object(r, ns, name, obj, err);
	cJSON_Delete(obj);
	return rc;
}

static void test_dns1123(void **state)
{
	char longer[300];

	(void)state;
	assert_true(sim_validate_dns1123_label("t12345-prod"));
	assert_true(sim_validate_dns1123_label("a"));
	assert_true(sim_validate_dns1123_label("0a9"));
	assert_false(sim_validate_dns1123_label(""));
	assert_false(sim_validate_dns1123_label("-a"));
	assert_false(sim_validate_dns1123_label("a-"));
	assert_false(sim_validate_dns1123_label("A"));
	assert_false(sim_validate_dns1123_label("a.b"));
	assert_false(sim_validate_dns1123_label("a_b"));
	memset(longer, 'a', 63);
	longer[63] = '\0';
	assert_true(sim_validate_dns1123_label(longer));
	longer[63] = 'a';
	longer[64] = '\0';
	assert_false(sim_validate_dns1123_label(longer));

	assert_true(sim_validate_dns1123_subdomain("smart.totvs.com"));
	assert_true(sim_validate_dns1123_subdomain(longer)); /* 64 is fine for a subdomain */
	assert_false(sim_validate_dns1123_subdomain("a..b"));
	assert_false(sim_validate_dns1123_subdomain(".a"));
	assert_false(sim_validate_dns1123_subdomain("a."));
	assert_false(sim_validate_dns1123_subdomain("a.-b"));
	assert_false(sim_validate_dns1123_subdomain("Foo_1"));
	assert_false(sim_validate_dns1123_subdomain(""));
	memset(longer, 'a', 254);
	longer[254] = '\0';
	for (int i = 60; i < 254; i += 61)
		longer[i] = '.';
	assert_false(sim_validate_dns1123_subdomain(longer));
	longer[253] = '\0';
	assert_true(sim_validate_dns1123_subdomain(longer));
}

static void test_api_version_kind(void **state)
{
	const sim_resource *cm = res("", "configmaps"), *dep = res("apps", "deployments");
	sim_err err;

	(void)state;
	assert_int_equal(check(cm, "ns", NULL, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}",
			       &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\"}}", &err), 0);
	assert_int_equal(check(dep, "ns", NULL, "{\"apiVersion\":\"apps/v1beta1\",\"metadata\":{\"name\":\"d\"}}", &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message,
			    "the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)");
	assert_int_equal(check(cm, "ns", NULL, "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"c\"}}", &err), -1);
	assert_int_equal(err.code, 400);
	assert_non_null(strstr(err.message, "Secret"));
	assert_int_equal(check(cm, "ns", NULL, "[1]", &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":\"x\"}", &err), -1);
	assert_int_equal(err.code, 400);
}

static void test_names(void **state)
{
	const sim_resource *pod = res("", "pods"), *svc = res("", "services"), *ns = res("", "namespaces");
	const sim_resource *cm = res("", "configmaps"), *role = res("rbac.authorization.k8s.io", "roles");
	sim_err err;

	(void)state;
	/* missing name */
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.reason, "Invalid");
	assert_string_equal(err.field, "metadata.name");
	assert_non_null(strstr(err.message, "name or generateName is required"));
	assert_int_equal(check(cm, "ns", NULL, "{}", &err), -1);
	assert_int_equal(err.code, 422);
	/* generateName stands in on create, with its trailing dash */
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"generateName\":\"build-\"}}", &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"generateName\":\"Build_\"}}", &err), -1);
	assert_string_equal(err.field, "metadata.generateName");

	/* the Kubernetes message for a bad subdomain */
	assert_int_equal(check(pod, "ns", NULL,
			       "{\"metadata\":{\"name\":\"Foo_1\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}}",
			       &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "metadata.name");
	assert_string_equal(err.kind, "Pod");
	assert_string_equal(err.name, "Foo_1");
	assert_true(util_starts_with(err.message,
		"Pod \"Foo_1\" is invalid: metadata.name: Invalid value: \"Foo_1\": a lowercase RFC 1123 subdomain "
		"must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
		"alphanumeric character"));

	/* dots: fine for a ConfigMap, not for a Service or Namespace (labels) */
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"appserver.ini\"}}", &err), 0);
	assert_int_equal(check(svc, "ns", NULL, "{\"metadata\":{\"name\":\"app.rest\"}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "RFC 1123 label"));
	assert_int_equal(check(svc, "ns", NULL, "{\"metadata\":{\"name\":\"app-rest\"}}", &err), 0);
	assert_int_equal(check(ns, NULL, NULL, "{\"metadata\":{\"name\":\"t1.prod\"}}", &err), -1);
	assert_int_equal(check(ns, NULL, NULL, "{\"metadata\":{\"name\":\"t1-prod\"}}", &err), 0);
	/* roles take path-segment names */
	assert_int_equal(check(role, "ns", NULL, "{\"metadata\":{\"name\":\"system:reader\"}}", &err), 0);
	assert_int_equal(check(role, "ns", NULL, "{\"metadata\":{\"name\":\"a/b\"}}", &err), -1);
	assert_int_equal(err.code, 422);

	/* update: the body's name must be the URL's */
	assert_int_equal(check(cm, "ns", "c", "{\"metadata\":{\"name\":\"c\"}}", &err), 0);
	assert_int_equal(check(cm, "ns", "c", "{\"metadata\":{\"name\":\"d\"}}", &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message, "the name of the object (d) does not match the name on the URL (c)");
	assert_int_equal(check(cm, "ns", "c", "{\"metadata\":{\"generateName\":\"c\"}}", &err), -1);
	assert_int_equal(err.code, 400);

	/* namespace must match the request's */
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"namespace\":\"ns\"}}", &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"namespace\":\"other\"}}", &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message,
			    "the namespace of the provided object does not match the namespace sent on the request");
}

static void test_labels_annotations(void **state)
{
	const sim_resource *cm = res("", "configmaps");
	char *big;
	size_t n = 256 * 1024 + 10;
	sim_err err;

	(void)state;
	assert_int_equal(check(cm, "ns", NULL,
			       "{\"metadata\":{\"name\":\"c\",\"labels\":{\"smart.totvs.com/tcode\":\"T12345\","
			       "\"app\":\"\",\"a_b.c-d\":\"x_y.z-1\"}}}", &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"labels\":{\"bad key!\":\"v\"}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "metadata.labels");
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"labels\":{\"Bad_Prefix/k\":\"v\"}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"labels\":{\"k\":\"-v\"}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"labels\":{\"k\":1}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_int_equal(check(cm, "ns", NULL,
			       "{\"metadata\":{\"name\":\"c\",\"labels\":{\"k\":"
			       "\"0123456789012345678901234567890123456789012345678901234567890123\"}}}", &err), -1);
	assert_int_equal(err.code, 422);

	assert_int_equal(check(cm, "ns", NULL,
			       "{\"metadata\":{\"name\":\"c\",\"annotations\":{\"smart.totvs.com/customer-name\":"
			       "\"ACME Ltda. (any text!)\"}}}", &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\",\"annotations\":{\"a\":2}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "metadata.annotations");

	big = xmalloc(n + 100);
	snprintf(big, n + 100, "{\"metadata\":{\"name\":\"c\",\"annotations\":{\"a\":\"");
	memset(big + strlen(big), 'x', n);
	big[strlen("{\"metadata\":{\"name\":\"c\",\"annotations\":{\"a\":\"") + n] = '\0';
	util_strlcpy(big + strlen(big), "\"}}}", 8);
	assert_int_equal(check(cm, "ns", NULL, big, &err), -1);
	assert_int_equal(err.code, 422);
	assert_non_null(strstr(err.message, "Too long"));
	free(big);
}

static void test_pod(void **state)
{
	const sim_resource *pod = res("", "pods");
	sim_err err;

	(void)state;
	assert_int_equal(check(pod, "ns", NULL,
			       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"appserver\",\"image\":\"i:1\"}]}}",
			       &err), 0);
	assert_int_equal(check(pod, "ns", NULL, "{\"metadata\":{\"name\":\"p\"},\"spec\":{}}", &err), -1);
	assert_string_equal(err.field, "spec.containers");
	assert_int_equal(check(pod, "ns", NULL, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}", &err), -1);
	assert_string_equal(err.field, "spec.containers");
	assert_int_equal(check(pod, "ns", NULL,
			       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"},"
			       "{\"name\":\"Bad.Name\",\"image\":\"i\"}]}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "spec.containers[1].name");
	assert_int_equal(check(pod, "ns", NULL,
			       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":3}]}}", &err),
			 -1);
	assert_string_equal(err.field, "spec.containers[0].image");
}

static void test_workloads(void **state)
{
	const sim_resource *dep = res("apps", "deployments"), *sts = res("apps", "statefulsets");
	const sim_resource *job = res("batch", "jobs");
	sim_err err;

	(void)state;
	assert_int_equal(check(dep, "ns", NULL,
		"{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\",\"extra\":\"y\"}}}}}", &err), 0);
	assert_int_equal(check(dep, "ns", NULL,
		"{\"metadata\":{\"name\":\"d\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"y\"}}}}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "spec.template.metadata.labels");
	assert_non_null(strstr(err.message, "`selector` does not match template `labels`"));
	assert_int_equal(check(dep, "ns", NULL, "{\"metadata\":{\"name\":\"d\"},\"spec\":{}}", &err), -1);
	assert_string_equal(err.field, "spec.selector");
	assert_int_equal(check(dep, "ns", NULL,
		"{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":-1,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}}}}}", &err), -1);
	assert_string_equal(err.field, "spec.replicas");
	assert_int_equal(check(dep, "ns", NULL,
		"{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":1.5,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}}}}}", &err), -1);
	assert_string_equal(err.field, "spec.replicas");
	/* matchExpressions */
	assert_int_equal(check(sts, "ns", NULL,
		"{\"metadata\":{\"name\":\"s\"},\"spec\":{\"selector\":{\"matchExpressions\":[{\"key\":\"app\","
		"\"operator\":\"In\",\"values\":[\"pg\",\"db\"]},{\"key\":\"gone\",\"operator\":\"DoesNotExist\"}]},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"pg\"}}}}}", &err), 0);
	assert_int_equal(check(sts, "ns", NULL,
		"{\"metadata\":{\"name\":\"s\"},\"spec\":{\"selector\":{\"matchExpressions\":[{\"key\":\"app\","
		"\"operator\":\"NotIn\",\"values\":[\"pg\"]}]},"
		"\"template\":{\"metadata\":{\"labels\":{\"app\":\"pg\"}}}}}", &err), -1);
	assert_string_equal(err.field, "spec.template.metadata.labels");

	assert_int_equal(check(job, "ns", NULL,
		"{\"metadata\":{\"name\":\"j\"},\"spec\":{\"template\":{\"spec\":{\"containers\":"
		"[{\"name\":\"build\",\"image\":\"b:1\"}]}}}}", &err), 0);
	assert_int_equal(check(job, "ns", NULL, "{\"metadata\":{\"name\":\"j\"},\"spec\":{}}", &err), -1);
	assert_string_equal(err.field, "spec.template");
	assert_int_equal(check(job, "ns", NULL,
		"{\"metadata\":{\"name\":\"j\"},\"spec\":{\"template\":{\"spec\":{}}}}", &err), -1);
	assert_string_equal(err.field, "spec.template.spec.containers");
}

static void test_service_configmap_secret(void **state)
{
	const sim_resource *svc = res("", "services"), *cm = res("", "configmaps"), *sec = res("", "secrets");
	sim_err err;

	(void)state;
	assert_int_equal(check(svc, "ns", NULL,
			       "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":1234},{\"port\":65535}]}}", &err), 0);
	assert_int_equal(check(svc, "ns", NULL,
			       "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":1234},{\"port\":70000}]}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "spec.ports[1].port");
	assert_int_equal(check(svc, "ns", NULL, "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":0}]}}", &err), -1);
	assert_int_equal(check(svc, "ns", NULL, "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":\"80\"}]}}", &err), -1);
	assert_string_equal(err.field, "spec.ports[0].port");

	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\"},\"data\":{\"appserver.ini\":\"[General]\"}}", &err), 0);
	assert_int_equal(check(cm, "ns", NULL, "{\"metadata\":{\"name\":\"c\"},\"data\":{\"n\":1}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "data[n]");

	assert_int_equal(check(sec, "ns", NULL,
			       "{\"metadata\":{\"name\":\"db-credentials\"},\"data\":{\"user\":\"cHJvdGhldXM=\",\"e\":\"\"},"
			       "\"stringData\":{\"password\":\"s3cret\"}}", &err), 0);
	assert_int_equal(check(sec, "ns", NULL, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"user\":\"not base64!\"}}", &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "data[user]");
	assert_int_equal(check(sec, "ns", NULL, "{\"metadata\":{\"name\":\"s\"},\"data\":{\"user\":\"abc\"}}", &err), -1);
	assert_int_equal(check(sec, "ns", NULL, "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"p\":true}}", &err), -1);
	assert_string_equal(err.field, "stringData[p]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns1123),
		cmocka_unit_test(test_api_version_kind),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_labels_annotations),
		cmocka_unit_test(test_pod),
		cmocka_unit_test(test_workloads),
		cmocka_unit_test(test_service_configmap_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
