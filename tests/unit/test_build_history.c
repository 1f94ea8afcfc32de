/* Unit tests for the pure parts of the custom builds: the stage read from a
 * build pod's init container statuses, the quality gate's verdict, the
 * history's bound and JSON, the RPO bucket per provider. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/build_history.h"
#include "core/step_job.h"
#include "core/wizard_build.h"
#include "util/util.h"

#define SPEC                                                                                     \
	"\"spec\":{\"initContainers\":[{\"name\":\"checkout\"},{\"name\":\"sonarqube\"},"       \
	"{\"name\":\"compile\"},{\"name\":\"upload\"}],\"containers\":[{\"name\":\"finish\"}]}"
#define DONE(n, msg)                                                                             \
	"{\"name\":\"" n "\",\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\","  \
	"\"message\":\"" msg "\"}}}"
#define WAITING(n) "{\"name\":\"" n "\",\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}"
#define RUNNING(n) "{\"name\":\"" n "\",\"state\":{\"running\":{\"startedAt\":\"2026-11-04T05:00:10Z\"}}}"
#define GATE_ERR "quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%"

static cJSON *parse(const char *s)
{
	cJSON *o = cJSON_Parse(s);

	assert_non_null(o);
	return o;
}

static cJSON *job_with(const char *cond)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"custombuild-7\",\"creationTimestamp\":\"2026-11-04T05:00:00Z\","
		 "\"labels\":{\"smart.totvs.com/env\":\"dev\"},"
		 "\"annotations\":{\"smart.totvs.com/build-id\":\"7\",\"smart.totvs.com/commit\":\"%s\","
		 "\"smart.totvs.com/repo\":\"file:///srv/x.git\",\"smart.totvs.com/ref\":\"main\","
		 "\"smart.totvs.com/by\":\"olga\",\"smart.totvs.com/rpo-location\":\"s3://smart-rpo/t12345/dev\"}},"
		 "\"status\":{%s}}",
		 "1111111111111111111111111111111111111111", cond ? cond : "");
	return parse(buf);
}

#define COMPLETE "\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\",\"lastTransitionTime\":\"2026-11-04T05:01:40Z\"}]"
#define FAILED "\"conditions\":[{\"type\":\"Failed\",\"status\":\"True\",\"lastTransitionTime\":\"2026-11-04T05:01:00Z\"}]"

static void test_stage_running(void **state)
{
	cJSON *job = job_with(NULL);
	cJSON *pod = parse("{" SPEC ",\"status\":{\"initContainerStatuses\":[" DONE("checkout", "checked out")
			   "," RUNNING("sonarqube") "," WAITING("compile") "," WAITING("upload") "]}}");
	job_progress p;
	char line[200];

	(void)state;
	job_progress_read(job, pod, &p);
	assert_int_equal(p.state, JOB_RUNNING);
	assert_string_equal(p.stage, "sonarqube");
	assert_int_equal(p.stage_no, 2);
	assert_int_equal(p.n_stages, 4);
	job_progress_line(&p, "t12345-dev", "custombuild-7", line, sizeof(line));
	assert_string_equal(line, "Job t12345-dev/custombuild-7 complete (stage sonarqube 2/4)");
	cJSON_Delete(pod);
	/* no pod yet */
	job_progress_read(job, NULL, &p);
	assert_int_equal(p.state, JOB_RUNNING);
	assert_string_equal(p.stage, "");
	cJSON_Delete(job);
}

static void test_stage_failed_gate(void **state)
{
	cJSON *job = job_with(FAILED);
	cJSON *pod = parse("{" SPEC ",\"status\":{\"initContainerStatuses\":[" DONE("checkout", "checked out")
			   ",{\"name\":\"sonarqube\",\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\","
			   "\"message\":\"" GATE_ERR "\"}}}," WAITING("compile") "," WAITING("upload") "]}}");
	job_progress p;
	build_entry e;

	(void)state;
	job_progress_read(job, pod, &p);
	assert_int_equal(p.state, JOB_FAILED);
	assert_string_equal(p.stage, "sonarqube");
	assert_string_equal(p.reason, "Error");
	assert_string_equal(p.message, GATE_ERR);
	assert_string_equal(p.finished, "2026-11-04T05:01:00Z");
	assert_string_equal(job_stage_message(pod, "sonarqube"), GATE_ERR);
	memset(&e, 0, sizeof(e));
	build_entry_from_job(job, pod, NULL, &e);
	assert_string_equal(e.id, "7");
	assert_string_equal(e.env, "dev");
	assert_string_equal(e.state, "failed");
	assert_string_equal(e.stage, "sonarqube");
	assert_string_equal(e.gate, "ERROR");
	assert_string_equal(e.conditions, "new bugs 3 > 0; coverage 41% < 60%");
	assert_string_equal(e.by, "olga");
	assert_string_equal(e.ref, "main");
	assert_string_equal(e.finished, "2026-11-04T05:01:00Z");
	cJSON_Delete(pod);
	cJSON_Delete(job);
}

static void test_stage_failed_compile_and_succeeded(void **state)
{
	cJSON *job = job_with(FAILED);
	cJSON *pod = parse("{" SPEC ",\"status\":{\"initContainerStatuses\":[" DONE("checkout", "ok") ","
			   DONE("sonarqube", "quality gate OK")
			   ",{\"name\":\"compile\",\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\","
			   "\"message\":\"compile failed: src/a.prw(12): error C2001\\nsyntax error\"}}},"
			   WAITING("upload") "]}}");
	build_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	build_entry_from_job(job, pod, NULL, &e);
	assert_string_equal(e.state, "failed");
	assert_string_equal(e.stage, "compile");
	assert_string_equal(e.gate, "OK");
	/* the message on one line, after the reason */
	assert_string_equal(e.reason, "Error: compile failed: src/a.prw(12): error C2001 syntax error");
	cJSON_Delete(pod);
	cJSON_Delete(job);

	job = job_with(COMPLETE);
	pod = parse("{" SPEC ",\"status\":{\"initContainerStatuses\":[" DONE("checkout", "ok") ","
		    DONE("sonarqube", "quality gate OK") "," DONE("compile", "compiled 3 sources") ","
		    DONE("upload", "s3://smart-rpo/t12345/dev/7/custom.rpo") "]}}");
	memset(&e, 0, sizeof(e));
	build_entry_from_job(job, pod, NULL, &e);
	assert_string_equal(e.state, "succeeded");
	assert_string_equal(e.stage, "");
	assert_string_equal(e.rpo, "s3://smart-rpo/t12345/dev/7/custom.rpo");
	assert_string_equal(e.finished, "2026-11-04T05:01:40Z");
	cJSON_Delete(pod);
	/* without a pod (gone): the RPO from the annotation and the id */
	memset(&e, 0, sizeof(e));
	build_entry_from_job(job, NULL, NULL, &e);
	assert_string_equal(e.rpo, "s3://smart-rpo/t12345/dev/7/custom.rpo");
	assert_string_equal(e.state, "succeeded");
	cJSON_Delete(job);
}

static void test_gate_parse(void **state)
{
	char g[8], c[256];

	(void)state;
	assert_int_equal(build_gate_parse("quality gate OK", g, sizeof(g), c, sizeof(c)), 0);
	assert_string_equal(g, "OK");
	assert_string_equal(c, "");
	assert_int_equal(build_gate_parse(GATE_ERR, g, sizeof(g), c, sizeof(c)), 0);
	assert_string_equal(g, "ERROR");
	assert_string_equal(c, "new bugs 3 > 0; coverage 41% < 60%");
	assert_int_equal(build_gate_parse("checked out", g, sizeof(g), c, sizeof(c)), -1);
	assert_string_equal(g, "");
	assert_int_equal(build_gate_parse(NULL, g, sizeof(g), c, sizeof(c)), -1);
}

static void test_history_bound_and_json(void **state)
{
	build_history h = {0}, back;
	build_entry e;
	char *text;
	cJSON *arr, *item;
	int i;

	(void)state;
	for (i = 1; i <= BUILD_HISTORY_MAX + 20; i++) {
		memset(&e, 0, sizeof(e));
		snprintf(e.id, sizeof(e.id), "%d", i);
		util_strlcpy(e.state, i % 3 ? "succeeded" : "failed", sizeof(e.state));
		util_strlcpy(e.env, "dev", sizeof(e.env));
		if (i == BUILD_HISTORY_MAX + 20) {
			util_strlcpy(e.gate, "ERROR", sizeof(e.gate));
			util_strlcpy(e.conditions, "new bugs 3 > 0; coverage 41% < 60%", sizeof(e.conditions));
			util_strlcpy(e.dev.at, "2026-11-04T06:00:00Z", sizeof(e.dev.at));
			util_strlcpy(e.dev.by, "olga", sizeof(e.dev.by));
			util_strlcpy(e.run, "t12345-20261104050000-abcd", sizeof(e.run));
		}
		build_history_add(&h, &e);
	}
	assert_int_equal(h.n, BUILD_HISTORY_MAX);
	assert_string_equal(h.v[0].id, "120");			 /* newest first */
	assert_string_equal(h.v[BUILD_HISTORY_MAX - 1].id, "21"); /* the oldest 20 dropped */
	assert_null(build_history_find(&h, "20"));
	assert_non_null(build_history_find(&h, "21"));

	text = build_history_encode(&h);
	assert_int_equal(build_history_parse(text, &back), 0);
	assert_int_equal(back.n, BUILD_HISTORY_MAX);
	assert_string_equal(back.v[0].conditions, "new bugs 3 > 0; coverage 41% < 60%");
	assert_string_equal(back.v[0].dev.by, "olga");
	assert_string_equal(back.v[0].run, "t12345-20261104050000-abcd");
	assert_string_equal(back.v[0].prod.at, "");
	arr = cJSON_Parse(text);
	item = cJSON_GetArrayItem(arr, 0);
	/* the public item's shape */
	assert_string_equal(cJSON_GetObjectItem(item, "state")->valuestring, "failed");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(item, "conditions")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(item, "conditions"), 1)->valuestring,
			    "coverage 41% < 60%");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(item, "promoted"), "prod")));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(item, "promoted"), "dev"), "by")->valuestring,
			    "olga");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(item, "rpo")));
	cJSON_Delete(arr);
	free(text);
	build_history_release(&back);
	build_history_release(&h);

	/* a damaged history: not an array is refused; odd entries are skipped */
	assert_int_equal(build_history_parse("{\"id\":\"1\"}", &back), -1);
	assert_int_equal(build_history_parse("[1,{\"state\":\"x\"},{\"id\":\"4\",\"conditions\":[2,\"a\"]}]", &back), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].id, "4");
	assert_string_equal(back.v[0].conditions, "a");
	build_history_release(&back);
	assert_int_equal(build_history_parse("", &back), 0);
	assert_int_equal(back.n, 0);
}

static void test_rpo_bucket(void **state)
{
	char out[160], err[300];

	(void)state;
	assert_int_equal(build_rpo_bucket("aws", "s3://smart-rpo/", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "s3://smart-rpo");
	assert_int_equal(build_rpo_bucket("gcp", "gs://smart-rpo", out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(build_rpo_bucket("totvs", "https://store.totvs.example/rpo", out, sizeof(out), err, sizeof(err)), 0);
	assert_int_equal(build_rpo_bucket("aws", "gs://smart-rpo", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a aws bucket is a s3:// URL"));
	assert_int_equal(build_rpo_bucket("gcp", NULL, out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "key rpo.gcp"));
	assert_int_equal(build_rpo_bucket("aws", "s3://", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(build_rpo_bucket("azure", "s3://x", out, sizeof(out), err, sizeof(err)), -1);
	build_rpo_location("s3://smart-rpo", "T12345", "dev", out, sizeof(out));
	assert_string_equal(out, "s3://smart-rpo/t12345/dev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stage_running),
	    cmocka_unit_test(test_stage_failed_gate),
	    cmocka_unit_test(test_stage_failed_compile_and_succeeded),
	    cmocka_unit_test(test_gate_parse),
	    cmocka_unit_test(test_history_bound_and_json),
	    cmocka_unit_test(test_rpo_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
