/* Unit tests for core/project_pod_text: a pod read from its text gives what the
 * built pod gives (project_keep_pod, then project_pod_from), or leaves the pod
 * to that path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/project.h"
#include "k8s/jscan.h"
#include "util/util.h"

static project_keys keys;

#define BUILT_NONE (-99) /* the built path refuses the text: malformed */

static int built(const char *text, project_pod *p)
{
	cJSON *pod = jscan_build(text, text + strlen(text), project_keep_pod);
	int rc;

	if (!pod)
		return BUILT_NONE;
	rc = project_pod_from(&keys, pod, p);
	cJSON_Delete(pod);
	return rc;
}

/* The text's answer: the built one, the same record when 0. fast: the walk
 * must answer itself (1) or leave the pod to the built path (0). *out gets
 * the built record. */
static int same(const char *text, int fast, project_pod *out)
{
	project_pod a, b;
	int ra, rb;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = project_pod_text(&keys, text, text + strlen(text), &a);
	rb = built(text, &b);
	if (fast)
		assert_int_not_equal(ra, PROJECT_BUILD);
	else
		assert_int_equal(ra, PROJECT_BUILD);
	if (ra != PROJECT_BUILD) {
		assert_int_equal(ra, rb);
		if (ra == 0)
			assert_memory_equal(&a, &b, sizeof(a));
	}
	if (out)
		*out = b;
	return rb;
}

#define META(name, labels)                                                                         \
	"\"metadata\":{\"name\":\"" name "\",\"namespace\":\"t10003-dev\",\"labels\":{" labels "},"   \
	"\"annotations\":{\"kubesim.io/log-profile\":\"license\"},\"generateName\":\"license-\","     \
	"\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"license-7c\",\"controller\":true}]," \
	"\"uid\":\"u-1\",\"resourceVersion\":\"5402\",\"creationTimestamp\":\"2026-11-04T05:00:00Z\"}"
#define LABELS                                                                                     \
	"\"app.kubernetes.io/name\":\"license\",\"smart.totvs.com/tier\":\"base\","                 \
	"\"smart.totvs.com/component\":\"license\",\"smart.totvs.com/tcode\":\"T10003\""
#define SPEC                                                                                       \
	"\"spec\":{\"containers\":[{\"name\":\"license\",\"image\":\"reg/license:1\","              \
	"\"ports\":[{\"containerPort\":5555}],\"env\":[{\"name\":\"A\",\"value\":\"x\\\"y\"}],"         \
	"\"resources\":{\"requests\":{\"cpu\":\"0.5\"}}}],\"restartPolicy\":\"Always\","             \
	"\"nodeName\":\"kubesim-node-1\"}"
#define COND(type, st)                                                                             \
	"{\"type\":\"" type "\",\"status\":\"" st "\",\"lastProbeTime\":null,"                      \
	"\"lastTransitionTime\":\"2026-11-04T05:00:05Z\",\"message\":\"a \\\"quoted\\\" one\"}"
#define RUNNING                                                                                    \
	"{\"name\":\"license\",\"state\":{\"running\":{\"startedAt\":\"2026-11-04T05:00:05Z\"}},"     \
	"\"lastState\":{},\"ready\":true,\"restartCount\":0,\"image\":\"reg/license:1\","           \
	"\"imageID\":\"\",\"containerID\":\"containerd://1\",\"started\":true}"
#define CRASHING                                                                                   \
	"{\"name\":\"license\",\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\","              \
	"\"message\":\"back-off 5m0s restarting failed container=license\"}},"                      \
	"\"lastState\":{\"terminated\":{\"exitCode\":3,\"reason\":\"ContractExpired\","             \
	"\"message\":\"contract expired\",\"startedAt\":\"2026-11-04T05:00:05Z\","                 \
	"\"finishedAt\":\"2026-11-04T05:00:09Z\",\"containerID\":\"containerd://2\"}},"             \
	"\"ready\":false,\"restartCount\":10,\"image\":\"reg/license:1\",\"started\":false}"
#define POD(labels, status) "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"," META("license-7c-x1", labels) "," SPEC ",\"status\":" status "}"
#define STATUS(conds, cs)                                                                          \
	"{\"phase\":\"Running\",\"conditions\":[" conds "],\"hostIP\":\"192.168.49.3\","             \
	"\"podIPs\":[{\"ip\":\"10.1.2.3\"}],\"startTime\":\"2026-11-04T05:00:00Z\","              \
	"\"containerStatuses\":[" cs "],\"qosClass\":\"Burstable\"}"

/* Pods as kubesim and kube-apiserver send them (escapes in what neither path
 * reads: a container's env, a condition's message): read from the text, the
 * same record as built. */
static void test_pods_read_from_text(void **state)
{
	project_pod p;

	(void)state;
	assert_int_equal(same(POD(LABELS, STATUS(COND("Initialized", "True") "," COND("Ready", "True"),
						  RUNNING)),
			      1, &p),
			 0);
	assert_string_equal(p.m.name, "license-7c-x1");
	assert_string_equal(p.m.ns, "t10003-dev");
	assert_int_equal(p.tier, PROJECT_TIER_BASE);
	assert_string_equal(p.component, "license");
	assert_int_equal(p.ready, 1);
	assert_int_equal(p.n_containers, 1);
	assert_int_equal(p.n_ready, 1);
	assert_string_equal(p.node, "kubesim-node-1");
	assert_string_equal(p.phase, "Running");
	assert_true(p.created > 0);

	assert_int_equal(same(POD(LABELS, STATUS(COND("Ready", "False"), CRASHING)), 1, &p), 0);
	assert_int_equal(p.ready, 0);
	assert_int_equal(p.restarts, 10);
	assert_string_equal(p.waiting_reason, "CrashLoopBackOff");
	assert_string_equal(p.terminated_reason, "ContractExpired");
	assert_string_equal(p.message, "back-off 5m0s restarting failed container=license");

	/* pending: no container statuses, no conditions */
	assert_int_equal(same("{\"kind\":\"Pod\"," META("p", LABELS) ",\"status\":{\"phase\":\"Pending\"}}", 1, &p),
			 0);
	assert_string_equal(p.phase, "Pending");
	assert_int_equal(p.n_containers, 0);
}

/* What several containers and conditions add up to: the first waiting reason,
 * a terminated message only without a waiting one, the last Ready condition,
 * restarts summed, numbers given as strings. */
static void test_order_of_containers(void **state)
{
	project_pod p;
	const char *two = POD(
	    LABELS,
	    STATUS(COND("Ready", "True") "," COND("Ready", "False"),
		   "{\"state\":{\"terminated\":{\"reason\":\"Error\",\"message\":\"exit 1\"}},"
		   "\"ready\":true,\"restartCount\":\"4\"},"
		   "{\"state\":{\"waiting\":{\"reason\":\"ImagePullBackOff\"}},\"ready\":false,"
		   "\"restartCount\":2}," CRASHING));

	(void)state;
	assert_int_equal(same(two, 1, &p), 0);
	assert_int_equal(p.ready, 0);
	assert_int_equal(p.n_containers, 3);
	assert_int_equal(p.n_ready, 1);
	assert_int_equal(p.restarts, 16);
	assert_string_equal(p.waiting_reason, "ImagePullBackOff");
	assert_string_equal(p.terminated_reason, "Error");
	assert_string_equal(p.message, "exit 1");
}

/* Pods that are not ours, or not a pod at all, the same either way. */
static void test_not_ours(void **state)
{
	project_pod p;

	(void)state;
	/* no name, an empty name: none */
	assert_int_equal(same("{\"metadata\":{\"namespace\":\"x\"},\"status\":{}}", 1, NULL), -1);
	assert_int_equal(same("{\"metadata\":{\"name\":\"\"}}", 1, NULL), -1);
	assert_int_equal(same("{\"kind\":\"Pod\"}", 1, NULL), -1);
	/* no tier, or another one; labels cut as the record holds them */
	assert_int_equal(same(POD("\"smart.totvs.com/tier\":\"whatever-else-entirely\"", STATUS("", "")), 1, &p), 0);
	assert_int_equal(p.tier, PROJECT_TIER_OTHER);
	assert_int_equal(same(POD("\"smart.totvs.com/component\":\"a-component-name-longer-than-sixteen\"",
				  STATUS("", "")),
			      1, &p),
			 0);
	assert_int_equal(p.tier, PROJECT_TIER_OTHER);
	assert_int_equal(strlen(p.component), sizeof(p.component) - 1);
}

/* What the walk is not sure of goes to the built path; what neither reads
 * does not. */
static void test_left_to_the_built_path(void **state)
{
	(void)state;
	/* an escape in a label, in a waiting reason, in the name */
	same(POD("\"smart.totvs.com/tier\":\"ba\\u0073e\"", STATUS("", RUNNING)), 0, NULL);
	same(POD(LABELS, STATUS("", "{\"state\":{\"waiting\":{\"reason\":\"Crash\\nLoop\"}}}")), 0, NULL);
	same("{\"metadata\":{\"name\":\"a\\\"b\"}}", 0, NULL);
	/* duplicate members the record reads */
	same("{\"metadata\":{\"name\":\"a\"},\"status\":{},\"status\":{}}", 0, NULL);
	same(POD(LABELS, STATUS("", "{\"ready\":true,\"ready\":false}")), 0, NULL);
	same(POD(LABELS, STATUS("", "{\"state\":{\"waiting\":{},\"waiting\":{}}}")), 0, NULL);
	/* a fraction, other shapes */
	same(POD(LABELS, STATUS("", "{\"restartCount\":1.5}")), 0, NULL);
	same(POD(LABELS, "{\"conditions\":{\"type\":\"Ready\"}}"), 0, NULL);
	same(POD(LABELS, "{\"containerStatuses\":[1,2]}"), 0, NULL);
	same(POD(LABELS, STATUS("", "{\"state\":{\"waiting\":null}}")), 0, NULL);
	same("[1,2]", 0, NULL);
	/* cut short, or more after the pod: the built path refuses it too */
	assert_int_equal(same("{\"metadata\":{\"name\":\"a\"}", 0, NULL), BUILT_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pods_read_from_text),
	    cmocka_unit_test(test_order_of_containers),
	    cmocka_unit_test(test_not_ours),
	    cmocka_unit_test(test_left_to_the_built_path),
	};

	project_keys_init(&keys, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
