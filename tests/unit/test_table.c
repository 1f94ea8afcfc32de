/* Server-side Tables: columns and cells per type, ages, row objects, list metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/resource.h"
#include "sim/table.h"
#include "util/util.h"

#define NOW 1800000000 /* 2027-01-15T08:00:00Z */

/* A table of n objects rendered and parsed. */
static cJSON *render(const char *group, const char *plural, const char *const *objs, size_t n,
		     const char *include)
{
	const sim_resource *r = sim_resource_find(group, "v1", plural);
	char *text;
	cJSON *t;

	assert_non_null(r);
	text = sim_table_render(r, objs, n, include, "42", NULL, 0, NOW);
	assert_non_null(text);
	t = cJSON_Parse(text);
	free(text);
	assert_non_null(t);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "kind")->valuestring, "Table");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "apiVersion")->valuestring,
			    "meta.k8s.io/v1");
	return t;
}

static const cJSON *row(const cJSON *t, int i)
{
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "rows"), i);

	assert_non_null(r);
	return r;
}

/* Index of the column named `name`, checking its priority. */
static int column(const cJSON *t, const char *name, int priority)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t, "columnDefinitions"), *d;
	int i = 0;

	cJSON_ArrayForEach(d, defs)
	{
		if (!strcmp(cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring, name)) {
			assert_int_equal(cJSON_GetObjectItemCaseSensitive(d, "priority")->valueint,
					 priority);
			assert_non_null(cJSON_GetObjectItemCaseSensitive(d, "type"));
			assert_non_null(cJSON_GetObjectItemCaseSensitive(d, "format"));
			return i;
		}
		i++;
	}
	fail_msg("no column %s", name);
	return -1;
}

static const char *cell_str(const cJSON *t, int r, const char *col, int priority)
{
	const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row(t, r), "cells");
	const cJSON *c = cJSON_GetArrayItem(cells, column(t, col, priority));

	assert_true(cJSON_IsString(c));
	return c->valuestring;
}

static int64_t cell_int(const cJSON *t, int r, const char *col)
{
	const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row(t, r), "cells");
	const cJSON *c = cJSON_GetArrayItem(cells, column(t, col, 0));

	assert_true(cJSON_IsNumber(c));
	return (int64_t)c->valuedouble;
}

static void test_human_duration(void **state)
{
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {
	    {-5, "<invalid>"},
	    {-1, "0s"},
	    {0, "0s"},
	    {5, "5s"},
	    {119, "119s"},
	    {120, "2m"},
	    {123, "2m3s"},
	    {599, "9m59s"},
	    {600, "10m"},
	    {15 * 60 + 30, "15m"},
	    {179 * 60, "179m"},
	    {3 * 3600, "3h"},
	    {3 * 3600 + 4 * 60, "3h4m"},
	    {7 * 3600 + 59 * 60, "7h59m"},
	    {8 * 3600 + 30 * 60, "8h"},
	    {47 * 3600, "47h"},
	    {48 * 3600, "2d"},
	    {5 * 86400 + 3 * 3600, "5d3h"},
	    {8 * 86400, "8d"},
	    {400 * 86400, "400d"},
	    {730 * 86400, "2y"},
	    {(730 + 45) * 86400, "2y45d"},
	    {9 * 365 * 86400, "9y"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		sim_table_human_duration(cases[i].s, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want))
			fail_msg("%lld s: got %s, want %s", (long long)cases[i].s, buf,
				 cases[i].want);
	}
}

static const char crashing_pod[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"appserver-1\","
    "\"namespace\":\"t1-prod\",\"labels\":{\"app\":\"x\"},"
    "\"creationTimestamp\":\"2027-01-15T07:57:57Z\"},"
    "\"spec\":{\"nodeName\":\"node-2\",\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
    "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.1.2.3\",\"containerStatuses\":["
    "{\"name\":\"a\",\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}}},"
    "{\"name\":\"b\",\"ready\":false,\"restartCount\":3,"
    "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}";

static const char ready_pod[] =
    "{\"metadata\":{\"name\":\"license-0\",\"namespace\":\"t1-dev\","
    "\"creationTimestamp\":\"2027-01-12T08:00:00Z\"},"
    "\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
    "\"status\":{\"phase\":\"Running\",\"containerStatuses\":["
    "{\"name\":\"a\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}";

static const char creating_pod[] =
    "{\"metadata\":{\"name\":\"new\",\"namespace\":\"t1-dev\","
    "\"creationTimestamp\":\"2027-01-15T07:59:55Z\"},"
    "\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
    "\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":false,"
    "\"restartCount\":0,\"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}}}]}}";

static const char deleting_pod[] =
    "{\"metadata\":{\"name\":\"old\",\"namespace\":\"t1-dev\","
    "\"creationTimestamp\":\"2027-01-15T05:00:00Z\","
    "\"deletionTimestamp\":\"2027-01-15T07:59:00Z\"},"
    "\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
    "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,"
    "\"restartCount\":0,\"state\":{\"running\":{}}}]}}";

static void test_pod_table(void **state)
{
	const char *objs[] = {crashing_pod, ready_pod, creating_pod, deleting_pod};
	cJSON *t = render("", "pods", objs, ARRAY_SIZE(objs), NULL);
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t, "columnDefinitions");

	(void)state;
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "rows")), 4);
	assert_int_equal(column(t, "Name", 0), 0);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(defs, 0), "format")->valuestring,
	    "name");
	column(t, "Nominated Node", 1);
	column(t, "Readiness Gates", 1);

	assert_string_equal(cell_str(t, 0, "Name", 0), "appserver-1");
	assert_string_equal(cell_str(t, 0, "Ready", 0), "1/2");
	assert_string_equal(cell_str(t, 0, "Status", 0), "CrashLoopBackOff");
	assert_int_equal(cell_int(t, 0, "Restarts"), 4);
	assert_string_equal(cell_str(t, 0, "Age", 0), "2m3s");
	assert_string_equal(cell_str(t, 0, "IP", 1), "10.1.2.3");
	assert_string_equal(cell_str(t, 0, "Node", 1), "node-2");

	assert_string_equal(cell_str(t, 1, "Ready", 0), "1/1");
	assert_string_equal(cell_str(t, 1, "Status", 0), "Running");
	assert_int_equal(cell_int(t, 1, "Restarts"), 0);
	assert_string_equal(cell_str(t, 1, "Age", 0), "3d");
	assert_string_equal(cell_str(t, 1, "IP", 1), "<none>");

	assert_string_equal(cell_str(t, 2, "Ready", 0), "0/1");
	assert_string_equal(cell_str(t, 2, "Status", 0), "ContainerCreating");
	assert_string_equal(cell_str(t, 2, "Age", 0), "5s");

	assert_string_equal(cell_str(t, 3, "Status", 0), "Terminating");
	assert_string_equal(cell_str(t, 3, "Age", 0), "3h");
	cJSON_Delete(t);
}

static void test_pod_init_and_exit_codes(void **state)
{
	const char *objs[] = {
	    "{\"metadata\":{\"name\":\"i\"},\"spec\":{\"initContainers\":[{\"name\":\"x\"},"
	    "{\"name\":\"y\"}],\"containers\":[{\"name\":\"a\"}]},\"status\":{\"phase\":"
	    "\"Pending\","
	    "\"initContainerStatuses\":[{\"name\":\"x\",\"state\":{\"terminated\":{\"exitCode\":0}}"
	    "},"
	    "{\"name\":\"y\",\"state\":{\"running\":{}}}]}}",
	    "{\"metadata\":{\"name\":\"e\"},\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
	    "\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":"
	    "false,"
	    "\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":137}}}]}}",
	    "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"containers\":[{\"name\":\"a\"}]},"
	    "\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":"
	    "false,"
	    "\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}"
	    "}}]}}",
	};
	cJSON *t = render("", "pods", objs, ARRAY_SIZE(objs), "None");

	(void)state;
	assert_string_equal(cell_str(t, 0, "Status", 0), "Init:1/2");
	assert_string_equal(cell_str(t, 1, "Status", 0), "ExitCode:137");
	assert_string_equal(cell_str(t, 2, "Status", 0), "Completed");
	assert_string_equal(cell_str(t, 2, "Age", 0), "<unknown>");
	cJSON_Delete(t);
}

static void test_deployment_table(void **state)
{
	const char *objs[] = {
	    "{\"metadata\":{\"name\":\"appserver-rest\",\"namespace\":\"t1-prod\","
	    "\"creationTimestamp\":\"2027-01-15T04:56:00Z\"},"
	    "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"rest\",\"tier\":"
	    "\"public\"}},"
	    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"appserver\",\"image\":\"protheus:"
	    "12\"},"
	    "{\"name\":\"sidecar\",\"image\":\"log:1\"}]}}},"
	    "\"status\":{\"replicas\":3,\"readyReplicas\":2,\"updatedReplicas\":3,"
	    "\"availableReplicas\":2}}",
	    "{\"metadata\":{\"name\":\"hypnus\",\"creationTimestamp\":\"2027-01-15T07:00:00Z\"},"
	    "\"spec\":{\"replicas\":0,\"template\":{\"spec\":{\"containers\":[]}}},\"status\":{}}",
	};
	cJSON *t = render("apps", "deployments", objs, ARRAY_SIZE(objs), "Metadata");

	(void)state;
	assert_string_equal(cell_str(t, 0, "Name", 0), "appserver-rest");
	assert_string_equal(cell_str(t, 0, "Ready", 0), "2/3");
	assert_int_equal(cell_int(t, 0, "Up-to-date"), 3);
	assert_int_equal(cell_int(t, 0, "Available"), 2);
	assert_string_equal(cell_str(t, 0, "Age", 0), "3h4m");
	assert_string_equal(cell_str(t, 0, "Containers", 1), "appserver,sidecar");
	assert_string_equal(cell_str(t, 0, "Images", 1), "protheus:12,log:1");
	assert_string_equal(cell_str(t, 0, "Selector", 1), "app=rest,tier=public");
	assert_string_equal(cell_str(t, 1, "Ready", 0), "0/0");
	assert_int_equal(cell_int(t, 1, "Available"), 0);
	assert_string_equal(cell_str(t, 1, "Age", 0), "60m");
	assert_string_equal(cell_str(t, 1, "Selector", 1), "<none>");
	cJSON_Delete(t);
}

static void test_namespace_table(void **state)
{
	const char *objs[] = {
	    "{\"metadata\":{\"name\":\"t12345-prod\",\"creationTimestamp\":\"2026-01-15T08:00:"
	    "00Z\"},"
	    "\"status\":{\"phase\":\"Active\"}}",
	    "{\"metadata\":{\"name\":\"t12345-dev\",\"creationTimestamp\":\"2027-01-15T07:59:00Z\","
	    "\"deletionTimestamp\":\"2027-01-15T07:59:30Z\"},\"status\":{\"phase\":\"Terminating\"}"
	    "}",
	};
	cJSON *t = render("", "namespaces", objs, ARRAY_SIZE(objs), NULL);
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(t, "columnDefinitions");

	(void)state;
	assert_int_equal(cJSON_GetArraySize(defs), 3);
	assert_string_equal(cell_str(t, 0, "Name", 0), "t12345-prod");
	assert_string_equal(cell_str(t, 0, "Status", 0), "Active");
	assert_string_equal(cell_str(t, 0, "Age", 0), "365d");
	assert_string_equal(cell_str(t, 1, "Status", 0), "Terminating");
	assert_string_equal(cell_str(t, 1, "Age", 0), "60s");
	cJSON_Delete(t);
}

static void test_other_types(void **state)
{
	const char *svc[] = {
	    "{\"metadata\":{\"name\":\"rest\"},\"spec\":{\"type\":\"NodePort\","
	    "\"clusterIP\":\"10.96.0.10\",\"ports\":[{\"port\":8400,\"nodePort\":30400,"
	    "\"protocol\":\"TCP\"},{\"port\":1234}]}}"};
	const char *cm[] = {
	    "{\"metadata\":{\"name\":\"appserver-ini\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}"};
	const char *ev[] = {
	    "{\"metadata\":{\"name\":\"e1\"},\"type\":\"Warning\",\"reason\":\"BackOff\","
	    "\"message\":\"Back-off restarting\",\"count\":4,"
	    "\"lastTimestamp\":\"2027-01-15T07:59:50Z\","
	    "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"appserver-1\"}}"};
	const char *role[] = {
	    "{\"metadata\":{\"name\":\"viewer\",\"creationTimestamp\":\"2027-01-15T07:00:00Z\"}}"};
	cJSON *t;

	(void)state;
	t = render("", "services", svc, 1, NULL);
	assert_string_equal(cell_str(t, 0, "Type", 0), "NodePort");
	assert_string_equal(cell_str(t, 0, "Cluster-IP", 0), "10.96.0.10");
	assert_string_equal(cell_str(t, 0, "External-IP", 0), "<none>");
	assert_string_equal(cell_str(t, 0, "Port(s)", 0), "8400:30400/TCP,1234/TCP");
	cJSON_Delete(t);

	t = render("", "configmaps", cm, 1, NULL);
	assert_int_equal(cell_int(t, 0, "Data"), 2);
	cJSON_Delete(t);

	t = render("", "events", ev, 1, NULL);
	assert_string_equal(cell_str(t, 0, "Last Seen", 0), "10s");
	assert_string_equal(cell_str(t, 0, "Object", 0), "pod/appserver-1");
	assert_string_equal(cell_str(t, 0, "Reason", 0), "BackOff");
	cJSON_Delete(t);

	t = render("rbac.authorization.k8s.io", "roles", role, 1, NULL);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "columnDefinitions")), 2);
	assert_string_equal(cell_str(t, 0, "Name", 0), "viewer");
	assert_string_equal(cell_str(t, 0, "Age", 0), "60m");
	cJSON_Delete(t);
}

static void test_row_objects(void **state)
{
	const char *objs[] = {crashing_pod};
	cJSON *t;
	const cJSON *o, *meta;

	(void)state;
	t = render("", "pods", objs, 1, "Metadata");
	o = cJSON_GetObjectItemCaseSensitive(row(t, 0), "object");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "kind")->valuestring,
			    "PartialObjectMetadata");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "apiVersion")->valuestring,
			    "meta.k8s.io/v1");
	meta = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "namespace")->valuestring,
			    "t1-prod");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "name")->valuestring,
			    "appserver-1");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "spec"));
	cJSON_Delete(t);

	t = render("", "pods", objs, 1, "None");
	assert_null(cJSON_GetObjectItemCaseSensitive(row(t, 0), "object"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(row(t, 0), "cells"));
	cJSON_Delete(t);

	t = render("", "pods", objs, 1, "Object");
	o = cJSON_GetObjectItemCaseSensitive(row(t, 0), "object");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "kind")->valuestring, "Pod");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "spec"));
	cJSON_Delete(t);
}

static void test_list_metadata_and_bad_rows(void **state)
{
	const sim_resource *r = sim_resource_find("", "v1", "pods");
	const char *objs[] = {"not json", ready_pod, NULL, "[1,2]"};
	char *text;
	cJSON *t, *meta;

	(void)state;
	text = sim_table_render(r, objs, ARRAY_SIZE(objs), "Metadata", "77", "tok", 5, NOW);
	t = cJSON_Parse(text);
	free(text);
	assert_non_null(t);
	meta = cJSON_GetObjectItemCaseSensitive(t, "metadata");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion")->valuestring,
			    "77");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(meta, "continue")->valuestring, "tok");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(meta, "remainingItemCount")->valueint, 5);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "rows")), 1);
	assert_string_equal(cell_str(t, 0, "Name", 0), "license-0");
	cJSON_Delete(t);

	/* an empty page still carries the columns; no continue, no remaining count */
	text = sim_table_render(r, NULL, 0, NULL, "78", NULL, 0, NOW);
	t = cJSON_Parse(text);
	free(text);
	meta = cJSON_GetObjectItemCaseSensitive(t, "metadata");
	assert_null(cJSON_GetObjectItemCaseSensitive(meta, "continue"));
	assert_null(cJSON_GetObjectItemCaseSensitive(meta, "remainingItemCount"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "rows")), 0);
	assert_int_equal(
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "columnDefinitions")), 9);
	cJSON_Delete(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_human_duration),
	    cmocka_unit_test(test_pod_table),
	    cmocka_unit_test(test_pod_init_and_exit_codes),
	    cmocka_unit_test(test_deployment_table),
	    cmocka_unit_test(test_namespace_table),
	    cmocka_unit_test(test_other_types),
	    cmocka_unit_test(test_row_objects),
	    cmocka_unit_test(test_list_metadata_and_bad_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
