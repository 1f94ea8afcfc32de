/* Unit tests for k8s/jscan: list pages walked once, items built from kept members,
 * and the projections' keep lists giving the same records as whole objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/project.h"
#include "k8s/jscan.h"
#include "util/util.h"

static int page(const char *json, size_t **spans, size_t *n, cJSON **meta)
{
	return jscan_page(json, strlen(json), spans, n, meta);
}

static char *span_text(const char *json, const size_t *spans, size_t i)
{
	return xstrndup(json + spans[2 * i], spans[2 * i + 1] - spans[2 * i]);
}

static void test_page_items(void **state)
{
	const char *json =
	    " {\"kind\":\"PodList\",\"metadata\":{\"continue\":\"abc\",\"remainingItemCount\":3},"
	    "\"extra\":[{\"a\":\"]}\"},null,true,-1.5e3],"
	    "\"items\":[ {\"x\":\"q\\\"uo}te\\\\\"} , [1,{\"y\":[]}],\"s\",7 ]} \n";
	size_t *spans, n;
	cJSON *meta;
	char *t;

	assert_int_equal(page(json, &spans, &n, &meta), 0);
	assert_int_equal(n, 4);
	t = span_text(json, spans, 0);
	assert_string_equal(t, "{\"x\":\"q\\\"uo}te\\\\\"}");
	free(t);
	t = span_text(json, spans, 1);
	assert_string_equal(t, "[1,{\"y\":[]}]");
	free(t);
	t = span_text(json, spans, 3);
	assert_string_equal(t, "7");
	free(t);
	assert_string_equal(cJSON_GetObjectItem(meta, "continue")->valuestring, "abc");
	free(spans);
	cJSON_Delete(meta);
}

static void test_page_rows_and_empty(void **state)
{
	size_t *spans, n;
	cJSON *meta;

	/* a Table: rows; items win when both are there */
	assert_int_equal(page("{\"rows\":[{\"cells\":[1]},{}]}", &spans, &n, &meta), 0);
	assert_int_equal(n, 2);
	assert_null(meta);
	free(spans);
	assert_int_equal(page("{\"rows\":[1,2,3],\"items\":[4]}", &spans, &n, &meta), 0);
	assert_int_equal(n, 1);
	free(spans);
	assert_int_equal(page("{\"items\":[1],\"rows\":[2,3]}", &spans, &n, &meta), 0);
	assert_int_equal(n, 1);
	free(spans);
	assert_int_equal(page("{\"items\":[],\"metadata\":{}}", &spans, &n, &meta), 0);
	assert_int_equal(n, 0);
	cJSON_Delete(meta);
	free(spans);
	assert_int_equal(page("{\"items\":null}", &spans, &n, &meta), 0);
	assert_int_equal(n, 0);
	free(spans);
	assert_int_equal(page("{}", &spans, &n, &meta), 0);
	assert_int_equal(n, 0);
	free(spans);
}

static void test_page_malformed(void **state)
{
	static const char *bad[] = {
	    "",
	    "?\"items\":[]}",
	    "[1,2]",
	    "{\"items\":[{\"a\":1}",		      /* cut short */
	    "{\"items\":[{\"a\":\"x}]}",	      /* string never closed */
	    "{\"items\":[{\"a\":[1}]}",		      /* brackets crossed */
	    "{\"items\":[1 2]}",		      /* no comma between items */
	    "{\"items\":[1]} x",		      /* something after the end */
	    "{\"metadata\":{\"continue\":},\"items\":[]}", /* metadata is parsed: strict */
	    "{\"items\":[1],}",
	};
	size_t *spans, n, i;
	cJSON *meta;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(page(bad[i], &spans, &n, &meta), -1);
		assert_null(spans);
		assert_null(meta);
	}
}

static const jscan_keep keep_inner[] = {{"b", NULL}, {NULL, NULL}};
static const jscan_keep keep_test[] = {{"a", keep_inner}, {"name", NULL}, {NULL, NULL}};

/* Members one at a time: names and spans, objects read through a sub-iterator
 * or skipped, the syntax the builder checks. */
/* head(json's first len bytes, all of it when len is 0): its result, the token
 * in tok (or "" when NULL) */
static int head(const char *json, size_t len, char *tok, size_t toksz)
{
	char *t = NULL;
	int r = jscan_list_head(json, len ? len : strlen(json), &t);

	util_strlcpy(tok, t ? t : "", toksz);
	free(t);
	return r;
}

/* The continue token, told from the page's first bytes as they come in. */
static void test_list_head(void **state)
{
	const char *json = "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"n\":12,"
			   "\"metadata\":{\"resourceVersion\":\"7\",\"x\":{\"continue\":\"no\"},"
			   "\"continue\":\"tok2\"},\"rows\":[{\"cells\":[1]}]}";
	size_t meta_end = strstr(json, "},\"rows\"") - json + 1, len;
	char tok[32];

	(void)state;
	/* nothing to tell until the metadata has come whole; then its token */
	for (len = 1; len < meta_end; len++)
		assert_int_equal(head(json, len, tok, sizeof(tok)), 0);
	for (; len <= strlen(json); len++) {
		assert_int_equal(head(json, len, tok, sizeof(tok)), 1);
		assert_string_equal(tok, "tok2");
	}
	/* the last page: no token, or an empty one */
	assert_int_equal(head("{\"metadata\":{\"resourceVersion\":\"7\"},\"items\":[", 0, tok,
			      sizeof(tok)), 1);
	assert_string_equal(tok, "");
	assert_int_equal(head("{\"metadata\":{\"continue\":\"\"}", 0, tok, sizeof(tok)), 1);
	assert_string_equal(tok, "");
	/* the items first, or not a list's shape: only the whole page tells */
	assert_int_equal(head("{\"items\":[],\"metadata\":{\"continue\":\"t\"}}", 0, tok,
			      sizeof(tok)), -1);
	assert_int_equal(head("{\"rows\":[", 0, tok, sizeof(tok)), -1);
	assert_int_equal(head("[{\"metadata\":{}}]", 0, tok, sizeof(tok)), -1);
	assert_int_equal(head("{\"metadata\":\"x\",", 0, tok, sizeof(tok)), -1);
	assert_int_equal(head("{\"kind\" \"x\"", 0, tok, sizeof(tok)), -1);
	assert_int_equal(head("{\"kind\":\"x\"}", 0, tok, sizeof(tok)), -1);
	/* a number cut at the end of what came may go on */
	assert_int_equal(head("{\"n\":12", 0, tok, sizeof(tok)), 0);
	assert_int_equal(head("  ", 0, tok, sizeof(tok)), 0);
	assert_int_equal(head("{\"kind\":\"x\",\"metadata\":{\"continue\":\"t\"}", 0, tok, sizeof(tok)), 1);
	assert_string_equal(tok, "t");
}

static void test_iter(void **state)
{
	const char *json = "{ \"a\" : \"x\\\"y\" , \"b\":{\"c\":[1,{\"d\":2}],\"e\":null},"
			   "\"f\":[true, 12],\"g\\u0068\":-3 }";
	const char *end = json + strlen(json);
	jscan_iter it, sub, arr;
	jscan_member m, n;

	assert_int_equal(jscan_iter_init(&it, json, end), 0);
	assert_int_equal(jscan_iter_next(&it, &m), 1);
	assert_int_equal(m.key_len, 1);
	assert_memory_equal(m.key, "a", 1);
	assert_true(m.key_plain);
	assert_int_equal(m.val_end - m.val, 6); /* "x\"y" */
	assert_int_equal(jscan_plain(m.val, m.val_end), JSCAN_OTHER); /* an escape */
	/* b read through a sub-iterator, c within it skipped */
	assert_int_equal(jscan_iter_next(&it, &m), 1);
	assert_null(m.val_end);
	assert_int_equal(jscan_iter_sub(&it, &m, &sub), 0);
	assert_int_equal(jscan_iter_sub(&it, &m, &arr), -1); /* read already */
	assert_int_equal(jscan_iter_next(&sub, &n), 1);
	assert_memory_equal(n.key, "c", 1);
	assert_int_equal(jscan_iter_next(&sub, &n), 1);
	assert_memory_equal(n.key, "e", 1);
	assert_int_equal(jscan_plain(n.val, n.val_end), JSCAN_LITERAL);
	assert_int_equal(jscan_iter_next(&sub, &n), 0);
	/* f, an array, skipped by the next call */
	assert_int_equal(jscan_iter_next(&it, &m), 1);
	assert_int_equal(*m.val, '[');
	assert_int_equal(jscan_iter_next(&it, &m), 1);
	assert_false(m.key_plain); /* g\u0068: compared only unescaped */
	assert_int_equal(jscan_plain(m.val, m.val_end), JSCAN_INT);
	assert_int_equal(jscan_iter_next(&it, &m), 0);
	assert_ptr_equal(it.p, end);

	/* an array's elements; a sub-iterator left before its end stops the parent */
	json = "[\"s\",{\"k\":1},3]";
	end = json + strlen(json);
	assert_int_equal(jscan_iter_init(&arr, json, end), 0);
	assert_int_equal(jscan_iter_next(&arr, &m), 1);
	assert_null(m.key);
	assert_int_equal(jscan_plain(m.val, m.val_end), JSCAN_STRING);
	assert_int_equal(jscan_iter_next(&arr, &m), 1);
	assert_int_equal(jscan_iter_sub(&arr, &m, &sub), 0);
	assert_int_equal(jscan_iter_next(&arr, &m), -1);

	/* what build_object refuses: a trailing comma, a missing colon or comma */
	for (const char *const *bad = (const char *const[]){"{\"a\":1,}", "{\"a\" 1}",
							    "{\"a\":1 \"b\":2}", "[1,]", "{\"a\":}",
							    NULL};
	     *bad; bad++) {
		int r;
		assert_int_equal(jscan_iter_init(&it, *bad, *bad + strlen(*bad)), 0);
		while ((r = jscan_iter_next(&it, &m)) == 1)
			;
		assert_int_equal(r, -1);
	}
	json = "\"s\"";
	assert_int_equal(jscan_iter_init(&it, json, json + 3), -1);
	assert_int_equal(jscan_plain("-123456789012345", NULL), JSCAN_OTHER);
	json = "-12345678901234";
	assert_int_equal(jscan_plain(json, json + 15), JSCAN_INT);
	json = "-123456789012345";
	assert_int_equal(jscan_plain(json, json + 16), JSCAN_OTHER);
	json = "1.5";
	assert_int_equal(jscan_plain(json, json + 3), JSCAN_OTHER);
}

static void test_build_keep(void **state)
{
	const char *json = "{\"skip\":{\"deep\":[1,2,{\"x\":\"}\"}]},\"a\":[{\"b\":1,\"c\":2},"
			   "{\"c\":3},5],\"n\\u0061me\":\"v\\n\",\"name2\":1}";
	cJSON *v = jscan_build(json, json + strlen(json), keep_test), *all;
	char *s = cJSON_PrintUnformatted(v);

	assert_string_equal(s, "{\"a\":[{\"b\":1},{},5],\"name\":\"v\\n\"}");
	free(s);
	cJSON_Delete(v);
	all = jscan_build(json, json + strlen(json), NULL);
	v = cJSON_Parse(json);
	assert_true(cJSON_Compare(all, v, 1));
	cJSON_Delete(all);
	cJSON_Delete(v);
	/* kept values are parsed strictly */
	json = "{\"name\":tru,\"a\":[]}";
	assert_null(jscan_build(json, json + strlen(json), keep_test));
	json = "{\"name\":1} 2";
	assert_null(jscan_build(json, json + strlen(json), keep_test));
}

/* Value i made (or refused) as cJSON does: compared printed, since
 * cJSON_Compare finds a duplicate key's first member only. */
static void same_tree(size_t i, const char *how, const cJSON *ours, const cJSON *theirs)
{
	char *a = ours ? cJSON_PrintUnformatted(ours) : NULL;
	char *b = theirs ? cJSON_PrintUnformatted(theirs) : NULL;

	if (!a != !b || (a && strcmp(a, b)))
		fail_msg("value %zu%s: jscan %s, cJSON %s", i, how, a ? a : "refused",
			 b ? b : "refused");
	free(a);
	free(b);
}

/* Values kept whole are made as cJSON_Parse makes them: the plain ones here
 * (strings without escapes, short integers, literals), the rest by cJSON. */
static void test_build_whole_as_cjson(void **state)
{
	static const char *const values[] = {
	    "\"\"", "\"plain\"", "\"esc\\\"aped\\u00e9\\n\"", "\"caf\xc3\xa9\"", "0", "-0", "7",
	    "-42", "123456789012345", "1234567890123456", "12345678901234567890", "1.5", "-2e3",
	    "1E+2", "0123", "+1", "true", "false", "null", "[]", "{}", "[1,\"a\",[true,null]]",
	    " { \"k\" : [ 1 , 2 ] , \"k\" : \"dup\" } ", "{\"k\\u0061\":1,\"\":{\"x\":-0.5}}",
	    "{\"a\":\t\"b\"}\n", "{\"n\":2147483648}", "{\"n\":-2147483649}", "[-]", "tru",
	    "nul", "\"open", "{\"a\":1,}", "[1 2]", "12x", "{\"a\"\x01:1}", "[\x01 1]",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const char *s = values[i];
		cJSON *ours = jscan_build(s, s + strlen(s), NULL);
		cJSON *theirs = cJSON_ParseWithOpts(s, NULL, 1); /* all of it, as jscan */

		same_tree(i, "", ours, theirs);
		if (ours && cJSON_IsNumber(ours) &&
		    (ours->valueint != theirs->valueint || ours->valuedouble != theirs->valuedouble))
			fail_msg("%s: number %g/%d, cJSON %g/%d", s, ours->valuedouble, ours->valueint,
				 theirs->valuedouble, theirs->valueint);
		if (ours && ours->child && cJSON_IsNumber(ours->child) &&
		    ours->child->valueint != theirs->child->valueint)
			fail_msg("%s: valueint differs", s);
		cJSON_Delete(ours);
		cJSON_Delete(theirs);
		/* an answer read whole: what cJSON_ParseWithLength gives, trailing bytes too */
		ours = jscan_parse(s, strlen(s));
		theirs = cJSON_ParseWithLength(s, strlen(s));
		same_tree(i, " read whole", ours, theirs);
		cJSON_Delete(ours);
		cJSON_Delete(theirs);
	}
}

/* ---- the projections' keep lists: the same record from the kept members ---- */

static project_keys keys;

static cJSON *kept(const char *json, const jscan_keep *keep)
{
	cJSON *v = jscan_build(json, json + strlen(json), keep);

	assert_non_null(v);
	return v;
}

static const char ns_json[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"t12345-prod\","
    "\"uid\":\"u\",\"labels\":{\"smart.totvs.com/tcode\":\"T12345\",\"smart.totvs.com/env\":"
    "\"prod\",\"smart.totvs.com/product\":\"esocial\"},\"annotations\":{"
    "\"smart.totvs.com/customer-name\":\"Metal\\u00fargica \\\"Souza\\\"\","
    "\"smart.totvs.com/provider\":\"gcp\",\"smart.totvs.com/db\":\"oracle\","
    "\"smart.totvs.com/timezone\":\"America/Sao_Paulo\"},\"managedFields\":[{\"a\":1}]},"
    "\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}";

static const char row_json[] =
    "{\"cells\":[\"hypnus\",\"0/1\",0,0,\"53s\",\"hypnus\",\"img\",\"app=h\"],"
    "\"object\":{\"kind\":\"PartialObjectMetadata\",\"metadata\":{\"name\":\"hypnus\","
    "\"namespace\":\"t12345-prod\",\"labels\":{\"smart.totvs.com/tier\":\"proxy\","
    "\"smart.totvs.com/component\":\"hypnus\"},\"annotations\":{"
    "\"smart.totvs.com/hypnus-state\":\"sleeping\",\"smart.totvs.com/hypnus-idle-timeout\":"
    "\"900\",\"smart.totvs.com/hypnus-last-activity\":\"2026-11-28T11:59:00Z\","
    "\"smart.totvs.com/hypnus-last-wake\":\"2026-11-28T08:00:00Z\","
    "\"smart.totvs.com/hypnus-cold-start\":\"42\"}}}}";

static const char deploy_json[] =
    "{\"metadata\":{\"name\":\"appserver-erp\",\"namespace\":\"t12345-prod\",\"labels\":{"
    "\"smart.totvs.com/tier\":\"public\",\"smart.totvs.com/component\":\"appserver\","
    "\"smart.totvs.com/service\":\"webapp\"}},\"spec\":{\"replicas\":3,\"template\":{"
    "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\"}]}}},"
    "\"status\":{\"readyReplicas\":2,\"replicas\":3}}";

static const char ing_json[] =
    "{\"metadata\":{\"name\":\"webapp\",\"namespace\":\"t12345-prod\",\"labels\":{"
    "\"smart.totvs.com/service\":\"webapp\"}},\"spec\":{\"tls\":[{\"hosts\":[\"x\"]}],"
    "\"rules\":[{\"http\":{\"paths\":[]}},{\"host\":\"webapp-t12345.smart.example.com\","
    "\"http\":{}}]}}";

static const char pod_json[] =
    "{\"metadata\":{\"name\":\"license-7d9f-abcde\",\"namespace\":\"t12345-prod\","
    "\"creationTimestamp\":\"2026-11-28T10:00:00Z\",\"labels\":{"
    "\"smart.totvs.com/tier\":\"base\",\"smart.totvs.com/component\":\"license\","
    "\"smart.totvs.com/service\":\"x\"}},"
    "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"license\",\"env\":[]}]},"
    "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":"
    "\"True\"},{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"r\"}],"
    "\"containerStatuses\":[{\"name\":\"license\",\"ready\":false,\"restartCount\":7,"
    "\"image\":\"i\",\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\",\"message\":"
    "\"back-off 5m0s\"}},\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":"
    "\"ContractExpired\",\"message\":\"contract T12345 expired\"}}},"
    "{\"name\":\"sidecar\",\"ready\":true,\"restartCount\":1,\"state\":{\"terminated\":{"
    "\"reason\":\"Completed\"}}}]}}";

static const char event_json[] =
    "{\"metadata\":{\"name\":\"license.1\",\"namespace\":\"t12345-prod\",\"creationTimestamp\":"
    "\"2026-11-28T10:00:00Z\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"license-x\","
    "\"uid\":\"u\"},\"type\":\"Warning\",\"reason\":\"BackOff\",\"message\":\"Back-off\","
    "\"count\":4,\"firstTimestamp\":\"2026-11-28T09:00:00Z\",\"lastTimestamp\":"
    "\"2026-11-28T10:05:00Z\",\"source\":{\"component\":\"kubelet\"}}";

/* project(whole) and project(kept) as bytes: every field, padding filled alike by memset */
#define CHECK_SAME(type, call_whole, call_kept)                                                    \
	do {                                                                                       \
		type a_, b_;                                                                       \
		memset(&a_, 0, sizeof(a_));                                                        \
		memset(&b_, 0, sizeof(b_));                                                        \
		assert_int_equal(call_whole(&a_), 0);                                              \
		assert_int_equal(call_kept(&b_), 0);                                               \
		assert_memory_equal(&a_, &b_, sizeof(a_));                                         \
	} while (0)

static void test_keep_lists(void **state)
{
	cJSON *w, *k;

	project_keys_init(&keys, NULL);
#define PAIR(json, keep)                                                                           \
	w = cJSON_Parse(json);                                                                     \
	k = kept(json, keep);                                                                      \
	assert_non_null(w);                                                                        \
	assert_false(cJSON_Compare(w, k, 1)) /* something was left out */

	PAIR(ns_json, project_keep_namespace);
#define WHOLE(o) project_namespace(&keys, w, o)
#define KEPT(o) project_namespace(&keys, k, o)
	CHECK_SAME(project_ns, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);

	PAIR(row_json, project_keep_workload);
#define WHOLE(o) project_workload_from_row(&keys, w, PROJECT_DEPLOYMENT, o)
#define KEPT(o) project_workload_from_row(&keys, k, PROJECT_DEPLOYMENT, o)
	CHECK_SAME(project_workload, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);

	PAIR(deploy_json, project_keep_workload);
#define WHOLE(o) project_workload_from(&keys, w, PROJECT_DEPLOYMENT, o)
#define KEPT(o) project_workload_from(&keys, k, PROJECT_DEPLOYMENT, o)
	CHECK_SAME(project_workload, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);

	PAIR(ing_json, project_keep_ingress);
#define WHOLE(o) project_ingress_from(&keys, w, o)
#define KEPT(o) project_ingress_from(&keys, k, o)
	CHECK_SAME(project_ingress, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);

	PAIR(pod_json, project_keep_pod);
#define WHOLE(o) project_pod_from(&keys, w, o)
#define KEPT(o) project_pod_from(&keys, k, o)
	CHECK_SAME(project_pod, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);

	PAIR(event_json, project_keep_event);
#define WHOLE(o) project_event_from(w, o)
#define KEPT(o) project_event_from(k, o)
	CHECK_SAME(project_event, WHOLE, KEPT);
#undef WHOLE
#undef KEPT
	cJSON_Delete(w);
	cJSON_Delete(k);
#undef PAIR
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page_items),	   cmocka_unit_test(test_page_rows_and_empty),
	    cmocka_unit_test(test_page_malformed), cmocka_unit_test(test_build_keep),
	    cmocka_unit_test(test_keep_lists),	   cmocka_unit_test(test_build_whole_as_cjson),
	    cmocka_unit_test(test_iter),	   cmocka_unit_test(test_list_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
