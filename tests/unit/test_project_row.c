/* Unit tests for core/project_row: a workload's Table row read from its text
 * gives what the built row gives (project_keep_workload, then
 * project_workload_from_row), or leaves the row to that path. */
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

static int built(const char *text, project_workload *w)
{
	cJSON *row = jscan_build(text, text + strlen(text), project_keep_workload);
	int rc;

	if (!row)
		return BUILT_NONE;
	rc = project_workload_from_row(&keys, row, PROJECT_DEPLOYMENT, w);
	cJSON_Delete(row);
	return rc;
}

/* The text's answer: the built one, the same record when 0. fast: the walk
 * must answer itself (1) or leave the row to the built path (0). */
static int same(const char *text, int fast)
{
	project_workload a, b;
	int ra, rb;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = project_workload_row_text(&keys, text, text + strlen(text), PROJECT_DEPLOYMENT, &a);
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
	return rb;
}

#define ROW(cells, labels, ann)                                                                    \
	"{\"cells\":[" cells "],\"object\":{\"kind\":\"PartialObjectMetadata\",\"metadata\":{"       \
	"\"name\":\"hypnus\",\"labels\":{" labels "},\"annotations\":{" ann "},"                   \
	"\"namespace\":\"t10003-dev\",\"uid\":\"u-1\",\"generation\":1,"                          \
	"\"creationTimestamp\":\"2026-11-04T05:00:00Z\"}}}"
#define LABELS                                                                                     \
	"\"app.kubernetes.io/name\":\"hypnus\",\"smart.totvs.com/tier\":\"proxy\","                 \
	"\"smart.totvs.com/component\":\"hypnus\",\"smart.totvs.com/tcode\":\"T10003\""
#define HYPNUS                                                                                     \
	"\"deployment.kubernetes.io/revision\":\"1\",\"smart.totvs.com/hypnus-state\":\"sleeping\","   \
	"\"smart.totvs.com/hypnus-idle-timeout\":\"1200\","                                         \
	"\"smart.totvs.com/hypnus-cold-start-seconds\":58,"                                         \
	"\"smart.totvs.com/hypnus-last-activity\":\"2026-11-03T22:31:01Z\","                        \
	"\"smart.totvs.com/hypnus-last-wake\":\"2026-11-03T16:14:53Z\""

/* Rows as kubesim and kube-apiserver send them: read from the text, and the
 * same record as built. */
static void test_rows_read_from_text(void **state)
{
	project_workload w;
	const char *hyp = ROW("\"hypnus\",\"2/3\",3,2,\"27m\",\"hypnus\",\"img:1\",\"app=h\"", LABELS,
			      HYPNUS);

	assert_int_equal(same(hyp, 1), 0);
	assert_int_equal(project_workload_row_text(&keys, hyp, hyp + strlen(hyp),
						   PROJECT_STATEFULSET, &w),
			 0);
	assert_string_equal(w.m.name, "hypnus");
	assert_string_equal(w.m.ns, "t10003-dev");
	assert_int_equal(w.kind, PROJECT_STATEFULSET);
	assert_int_equal(w.tier, PROJECT_TIER_PROXY);
	assert_string_equal(w.component, "hypnus");
	assert_int_equal(w.ready, 2);
	assert_int_equal(w.desired, 3);
	assert_int_equal(w.hypnus.present, 1);
	assert_int_equal(w.hypnus.state, MODEL_HYPNUS_SLEEPING);
	assert_int_equal(w.hypnus.idle_timeout_s, 1200);
	assert_int_equal(w.hypnus.cold_start_s, 58);
	assert_int_equal(w.hypnus.last_activity, util_parse_rfc3339("2026-11-03T22:31:01Z"));
	assert_true(w.hypnus.last_wake > 0);
	/* an appserver: role from the service label, no Hypnus */
	assert_int_equal(same(ROW("\"appserver-erp\",\"0/1\",1,0,\"1h\"",
				  "\"smart.totvs.com/tier\":\"public\","
				  "\"smart.totvs.com/component\":\"appserver\","
				  "\"smart.totvs.com/service\":\"erp\"",
				  "\"smart.totvs.com/hypnus-replicas\":\"1\""),
			      1),
			 0);
	/* whitespace as a pretty printer leaves it, annotations absent */
	assert_int_equal(same("{ \"cells\" : [ \"db\" , \"1/1\" ] ,\n \"object\" : { \"metadata\" :"
			      " { \"name\" : \"dbaccess\" , \"labels\" : { "
			      "\"smart.totvs.com/tier\" : \"base\" } } } }\n",
			      1),
			 0);
	/* hypnus annotations that say nothing usable: the same defaults */
	assert_int_equal(same(ROW("\"h\",\"0/0\"", LABELS,
				  "\"smart.totvs.com/hypnus-idle-timeout\":\"12x\","
				  "\"smart.totvs.com/hypnus-cold-start-seconds\":true,"
				  "\"smart.totvs.com/hypnus-last-wake\":\"yesterday\","
				  "\"smart.totvs.com/hypnus-state\":7"),
			      1),
			 0);
	/* the first of two members of the same name in labels, as cJSON reads it */
	assert_int_equal(same(ROW("\"h\",\"1/1\"",
				  "\"smart.totvs.com/tier\":\"base\",\"smart.totvs.com/tier\":\"public\"",
				  ""),
			      1),
			 0);
	/* a name longer than the record's field: cut the same way */
	assert_int_equal(same("{\"cells\":[\"x\",\"1/1\"],\"object\":{\"metadata\":{\"name\":"
			      "\"a123456789b123456789c123456789d123456789e123456789f123456789g1234\","
			      "\"labels\":{\"smart.totvs.com/tier\":\"base\","
			      "\"smart.totvs.com/component\":\"licenseserver-with-a-long-name\"}}}}",
			      1),
			 0);
	/* members it does not read may hold anything the scan accepts */
	assert_int_equal(same("{\"cells\":[\"x\",\"1/2\"],\"extra\":{\"a\\\"b\":[1.5e3,\"\\u00e9\"]},"
			      "\"object\":{\"kind\":\"P\\u0061\",\"metadata\":{\"uid\":\"\\n\","
			      "\"name\":\"n\",\"labels\":{\"smart.totvs.com/tier\":\"base\"}}}}",
			      1),
			 0);
}

/* The answers other than a record come from the text too: not ours (1) and
 * malformed rows (-1), as the built path says. */
static void test_rows_refused_from_text(void **state)
{
	/* no tier label: not ours */
	assert_int_equal(same(ROW("\"h\",\"1/1\"", "\"app\":\"x\"", ""), 1), 1);
	assert_int_equal(same(ROW("\"h\",\"1/1\"", "\"smart.totvs.com/tier\":3", ""), 1), 1);
	/* READY that is not ready/desired, or missing */
	assert_int_equal(same(ROW("\"h\",\"x/1\"", LABELS, ""), 1), -1);
	assert_int_equal(same(ROW("\"h\",\"1/2/3\"", LABELS, ""), 1), -1);
	assert_int_equal(same(ROW("\"h\",\"-1/2\"", LABELS, ""), 1), -1);
	assert_int_equal(same(ROW("\"h\",5", LABELS, ""), 1), -1);
	assert_int_equal(same(ROW("\"h\"", LABELS, ""), 1), -1);
	/* no object, no name, an empty name */
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"]}", 1), -1);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"object\":{}}", 1), -1);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"object\":{\"metadata\":{\"name\":\"\"}}}",
			      1),
			 -1);
}

/* What the walk leaves to the built path; the built path then answers. */
static void test_rows_left_to_build(void **state)
{
	/* escapes in what it reads: cJSON unescapes them */
	assert_int_equal(same(ROW("\"h\",\"1/1\"", "\"smart.totvs.com/ti\\u0065r\":\"base\"", ""), 0),
			 0);
	assert_int_equal(same(ROW("\"h\",\"1/1\"", "\"smart.totvs.com/tier\":\"ba\\u0073e\"", ""), 0),
			 0);
	/* two cells members, two objects, spec beside metadata */
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"cells\":[],\"object\":{}}", 0), -1);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"object\":{},\"object\":{}}", 0), -1);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"object\":{\"metadata\":{\"name\":\"n\","
			      "\"labels\":{\"smart.totvs.com/tier\":\"base\"}},\"spec\":{\"replicas\":4}}}",
			      0),
			 0);
	/* a fraction among the cells, a label value that is an object */
	assert_int_equal(same(ROW("\"h\",\"1/1\",1.5", LABELS, ""), 0), 0);
	assert_int_equal(same(ROW("\"h\",\"1/1\"", "\"a\":{\"b\":1}," LABELS, ""), 0), 0);
	/* not a row: a whole object, or no object at all */
	assert_int_equal(same("{\"metadata\":{\"name\":\"n\"}}", 0), -1);
	assert_int_equal(same("[1,2]", 0), -1);
	/* malformed where the built path reads: it refuses the row */
	assert_int_equal(same(ROW("\"h\",\"1/1\",", LABELS, ""), 0), BUILT_NONE);
	assert_int_equal(same(ROW("\"h\",\"1/1\"", LABELS ",", ""), 0), BUILT_NONE);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"] \"object\":{}}", 0), BUILT_NONE);
	assert_int_equal(same("{\"cells\":[\"h\",\"1/1\"],\"object\":{}} x", 0), BUILT_NONE);
	assert_int_equal(same(ROW("\"h\",\"1/1\",truex", LABELS, ""), 0), BUILT_NONE);
}

/* A page of rows as jscan_page finds them: every row read from its text. */
static void test_page_of_rows(void **state)
{
	strbuf sb;
	size_t *spans = NULL, n = 0, i;
	cJSON *meta = NULL;
	char row[1024];

	sb_init(&sb, 0);
	sb_adds(&sb, "{\"kind\":\"Table\",\"metadata\":{\"continue\":\"x\"},\"rows\":[");
	for (i = 0; i < 50; i++) {
		snprintf(row, sizeof(row),
			 ROW("\"appserver-%zu\",\"%zu/%zu\",1,1,\"5m\"",
			     "\"smart.totvs.com/tier\":\"%s\",\"smart.totvs.com/component\":\"c%zu\"",
			     "\"a\":\"%zu\""),
			 i, i % 3, i % 4, i % 2 ? "public" : "base", i, i);
		sb_addf(&sb, "%s%s", i ? "," : "", row);
	}
	sb_adds(&sb, "]}");
	assert_int_equal(jscan_page(sb.buf, sb.len, &spans, &n, &meta), 0);
	assert_int_equal(n, 50);
	for (i = 0; i < n; i++) {
		char *text = strndup(sb.buf + spans[2 * i], spans[2 * i + 1] - spans[2 * i]);
		assert_int_equal(same(text, 1), 0);
		free(text);
	}
	free(spans);
	cJSON_Delete(meta);
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_read_from_text),
	    cmocka_unit_test(test_rows_refused_from_text),
	    cmocka_unit_test(test_rows_left_to_build),
	    cmocka_unit_test(test_page_of_rows),
	};

	project_keys_init(&keys, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
