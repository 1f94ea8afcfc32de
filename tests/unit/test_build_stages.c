/* Unit tests for core/build_stages: a build's stages from its pod's init
 * container statuses, and from its history entry when the pod is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/build_stages.h"
#include "util/util.h"

#define POD(statuses)                                                                            \
	"{\"metadata\":{\"name\":\"custombuild-7-x2k9p\"},\"spec\":{\"initContainers\":["           \
	"{\"name\":\"checkout\"},{\"name\":\"sonarqube\"},{\"name\":\"compile\"},{\"name\":\"upload\"}]," \
	"\"containers\":[{\"name\":\"finish\"}]},\"status\":{\"initContainerStatuses\":[" statuses "]}}"
#define DONE(n, msg)                                                                             \
	"{\"name\":\"" n "\",\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\","  \
	"\"message\":\"" msg "\"}}}"
#define FAILED(n, reason, msg)                                                                   \
	"{\"name\":\"" n "\",\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"" reason "\","  \
	"\"message\":\"" msg "\"}}}"
#define RUNNING(n) "{\"name\":\"" n "\",\"state\":{\"running\":{\"startedAt\":\"2026-11-04T05:00:10Z\"}}}"
#define WAITING(n) "{\"name\":\"" n "\",\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}"

static void from_pod(const char *json, build_stages *out)
{
	cJSON *pod = cJSON_Parse(json);

	assert_non_null(pod);
	build_stages_from_pod(pod, out);
	cJSON_Delete(pod);
}

static void test_pod_running(void **state)
{
	build_stages s;

	(void)state;
	from_pod(POD(DONE("checkout", "checked out 1a2b") "," RUNNING("sonarqube") "," WAITING("compile")), &s);
	assert_string_equal(s.pod, "custombuild-7-x2k9p");
	assert_int_equal(s.n, 4);
	assert_false(s.from_history);
	assert_string_equal(s.st[0].name, "checkout");
	assert_int_equal(s.st[0].state, BUILD_STAGE_SUCCEEDED);
	assert_string_equal(s.st[0].message, "checked out 1a2b");
	assert_int_equal(s.st[1].state, BUILD_STAGE_RUNNING);
	assert_int_equal(s.st[2].state, BUILD_STAGE_PENDING);
	assert_string_equal(s.st[2].reason, "PodInitializing");
	assert_int_equal(s.st[3].state, BUILD_STAGE_PENDING); /* no status yet */
	assert_string_equal(s.st[3].reason, "");
}

static void test_pod_failed(void **state)
{
	build_stages s;

	(void)state;
	from_pod(POD(DONE("checkout", "ok") "," FAILED("sonarqube", "Error", "quality gate ERROR: new bugs 3 > 0\\nmore")),
		 &s);
	assert_int_equal(s.st[1].state, BUILD_STAGE_FAILED);
	assert_string_equal(s.st[1].reason, "Error");
	assert_string_equal(s.st[1].message, "quality gate ERROR: new bugs 3 > 0 more"); /* one line */
	assert_int_equal(s.st[2].state, BUILD_STAGE_PENDING);
	assert_string_equal(build_stage_state_name(s.st[1].state), "failed");
}

static void test_from_history(void **state)
{
	build_entry e;
	build_stages s;

	(void)state;
	memset(&e, 0, sizeof(e));
	util_strlcpy(e.id, "2", sizeof(e.id));
	util_strlcpy(e.state, "failed", sizeof(e.state));
	util_strlcpy(e.stage, "compile", sizeof(e.stage));
	util_strlcpy(e.reason, "compile failed: FAT001.prw(12)", sizeof(e.reason));
	build_stages_from_entry(&e, &s);
	assert_true(s.from_history);
	assert_string_equal(s.pod, "");
	assert_int_equal(s.n, 4);
	assert_int_equal(s.st[0].state, BUILD_STAGE_SUCCEEDED);
	assert_int_equal(s.st[1].state, BUILD_STAGE_SUCCEEDED);
	assert_int_equal(s.st[2].state, BUILD_STAGE_FAILED);
	assert_string_equal(s.st[2].message, "compile failed: FAT001.prw(12)");
	assert_int_equal(s.st[3].state, BUILD_STAGE_PENDING);

	util_strlcpy(e.state, "succeeded", sizeof(e.state));
	util_strlcpy(e.stage, "upload", sizeof(e.stage));
	build_stages_from_entry(&e, &s);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.st[i].state, BUILD_STAGE_SUCCEEDED);

	/* a running build whose stage the history does not name: unknown, not invented */
	util_strlcpy(e.state, "running", sizeof(e.state));
	e.stage[0] = '\0';
	build_stages_from_entry(&e, &s);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.st[i].state, BUILD_STAGE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pod_running),
	    cmocka_unit_test(test_pod_failed),
	    cmocka_unit_test(test_from_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
