/* Unit tests for core/journal (encode/decode, run ids) and the engine's
 * readiness rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/journal.h"
#include "core/plan_prior.h"
#include "util/util.h"

static void small_plan(plan *p)
{
	char err[120];
	const char *needs[] = {"prod/namespaces/t12345-prod", NULL};

	plan_init(p, "namespace", "T12345");
	plan_set_input(p, "tcode", "T12345");
	plan_set_input(p, "domain", "smart.example.com");
	plan_add(p, "prod", NULL, "namespaces", PLAN_WAIT_EXISTS,
		 cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"t12345-prod\"}}"),
		 NULL, err, sizeof(err));
	plan_add(p, "prod", "license", "deployments", PLAN_WAIT_READY,
		 cJSON_Parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"license\",\"namespace\":\"t12345-prod\"}}"),
		 needs, err, sizeof(err));
}

/* Two runs made within one second: the later first, whatever their run ids'
 * random ends say; a journal without createdMs, or with one outside the second
 * "created" names (edited by hand), counts from that second's start. */
static void test_newest_first(void **state)
{
	const char *docs[] = {
	    "{\"run\":\"t12345-20261128120000-ffff\",\"tcode\":\"T12345\",\"state\":\"done\","
	    "\"created\":\"2026-11-28T12:00:00Z\",\"createdMs\":1795867200100}",
	    "{\"run\":\"t12345-20261128120000-0001\",\"tcode\":\"T12345\",\"state\":\"done\","
	    "\"created\":\"2026-11-28T12:00:00Z\",\"createdMs\":1795867200900}",
	    "{\"run\":\"t12345-20261128120000-8888\",\"tcode\":\"T12345\",\"state\":\"done\","
	    "\"created\":\"2026-11-28T12:00:00Z\",\"createdMs\":1795867209999}",
	    "{\"run\":\"t12345-20261128115959-aaaa\",\"tcode\":\"T12345\",\"state\":\"done\","
	    "\"created\":\"2026-11-28T11:59:59Z\"}",
	};
	journal js[4];
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(journal_decode(docs[i], &js[i], err, sizeof(err)), 0);
	assert_int_equal(js[2].created_ms, 1795867200000LL);
	assert_int_equal(js[3].created_ms, 1795867199000LL);
	journal_sort_newest(js, 4);
	assert_string_equal(js[0].run, "t12345-20261128120000-0001");
	assert_string_equal(js[1].run, "t12345-20261128120000-ffff");
	assert_string_equal(js[2].run, "t12345-20261128120000-8888");
	assert_string_equal(js[3].run, "t12345-20261128115959-aaaa");
	for (i = 0; i < 4; i++)
		journal_release(&js[i]);
}

static void test_round_trip(void **state)
{
	plan p;
	journal j, k;
	strbuf a, b;
	char err[160];

	small_plan(&p);
	journal_from_plan(&j, &p, "t12345-20261128120000-beef", "olga@host:1", 1795000000250LL);
	assert_int_equal(j.n_steps, 2);
	assert_string_equal(j.steps[1].path, "/apis/apps/v1/namespaces/t12345-prod/deployments/license");
	assert_string_equal(j.steps[0].kind, "Namespace");
	j.state = RUN_FAILED;
	j.steps[0].state = STEP_APPLIED;
	j.steps[0].created = 1;
	util_strlcpy(j.steps[0].uid, "uid-1", sizeof(j.steps[0].uid));
	j.steps[0].started = 1795000001;
	j.steps[0].finished = 1795000002;
	j.steps[1].state = STEP_APPLYING;
	util_strlcpy(j.steps[1].message, "quote \" and\nnewline", sizeof(j.steps[1].message));
	journal_note(&j, "lease taken over from %s", "vera@h:2");
	util_strlcpy(j.message, "stopped", sizeof(j.message));
	sb_init(&a, 1024);
	sb_init(&b, 1024);
	journal_encode(&j, &a);
	assert_int_equal(journal_decode(a.buf, &k, err, sizeof(err)), 0);
	journal_encode(&k, &b);
	assert_string_equal(a.buf, b.buf);
	assert_int_equal(k.state, RUN_FAILED);
	assert_int_equal(k.steps[0].state, STEP_APPLIED);
	assert_true(k.steps[0].created);
	assert_false(k.steps[1].created);
	assert_int_equal(k.steps[0].finished, 1795000002);
	assert_int_equal(k.steps[1].finished, 0);
	assert_string_equal(k.steps[1].message, "quote \" and\nnewline");
	assert_string_equal(k.notes[0], "lease taken over from vera@h:2");
	assert_string_equal(k.inputs[1].key, "domain");
	assert_int_equal(k.created, 1795000000);
	assert_int_equal(k.created_ms, 1795000000250LL);
	journal_release(&k);
	sb_release(&a);
	sb_release(&b);
	journal_release(&j);
	plan_release(&p);
}

/* An update's prior state: exactly the applied paths, the changed leaves,
 * absent fields left out of the prior configuration. */
static void test_prior_record(void **state)
{
	cJSON *applied = cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"w\",\"labels\":{\"a\":\"1\",\"x.io/b\":\"2\"}},"
		"\"spec\":{\"rules\":[{\"host\":\"w.new\",\"port\":80}],\"tls\":[{\"hosts\":[\"w.new\",\"v.new\"]}],\"extra\":true}}");
	cJSON *live = cJSON_Parse(
		"{\"apiVersion\":\"v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"w\",\"uid\":\"u\",\"labels\":{\"a\":\"1\",\"x.io/b\":\"1\",\"other\":\"o\"}},"
		"\"spec\":{\"rules\":[{\"host\":\"w.old\",\"port\":80,\"defaulted\":1}],\"tls\":[{\"hosts\":[\"w.old\"]}]},\"status\":{}}");
	cJSON *prior = plan_prior_record(applied, live);
	const cJSON *config = plan_prior_config(prior), *ch;
	char *text, path[120];

	assert_non_null(prior);
	assert_true(plan_prior_valid(prior));
	/* the live values at the applied paths only: no uid, no status, no unlisted label,
	 * no field inside a list element that the configuration does not name */
	text = cJSON_PrintUnformatted(config);
	assert_string_equal(text, "{\"apiVersion\":\"v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":\"w\",\"labels\":{\"a\":\"1\",\"x.io/b\":\"1\"}},"
				  "\"spec\":{\"rules\":[{\"host\":\"w.old\",\"port\":80}],\"tls\":[{\"hosts\":[\"w.old\"]}]}}");
	cJSON_free(text);
	/* changed: the label, the host, the hosts list (another length: one value), extra (absent) */
	assert_int_equal(plan_prior_n_changed(prior), 4);
	ch = cJSON_GetObjectItem(prior, "changed");
	plan_prior_path_text(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 0), "path"), path, sizeof(path));
	assert_string_equal(path, "metadata.labels[\"x.io/b\"]");
	plan_prior_path_text(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 1), "path"), path, sizeof(path));
	assert_string_equal(path, "spec.rules[0].host");
	plan_prior_path_text(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 2), "path"), path, sizeof(path));
	assert_string_equal(path, "spec.tls[0].hosts");
	plan_prior_path_text(cJSON_GetObjectItem(cJSON_GetArrayItem(ch, 3), "path"), path, sizeof(path));
	assert_string_equal(path, "spec.extra");
	/* as before the update, as the update wrote it (extra fields do not matter), changed since */
	assert_int_equal(plan_prior_compare(prior, live, NULL, 0), PLAN_PRIOR_AS_BEFORE);
	assert_int_equal(plan_prior_compare(prior, applied, NULL, 0), PLAN_PRIOR_AS_WRITTEN);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(applied, "spec"), "rules"), 0),
				  "host", cJSON_CreateString("mine.example"));
	{
		char what[200];

		assert_int_equal(plan_prior_compare(prior, applied, what, sizeof(what)), PLAN_PRIOR_CHANGED);
		assert_string_equal(what, "spec.rules[0].host is \"mine.example\", not \"w.new\" as this run wrote it");
	}
	/* a field back at its prior value (the added one removed since) is no conflict:
	 * the restore puts the rest back */
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(applied, "spec"), "rules"), 0),
				  "host", cJSON_CreateString("w.new"));
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(applied, "spec"), "extra");
	assert_int_equal(plan_prior_compare(prior, applied, NULL, 0), PLAN_PRIOR_AS_WRITTEN);
	/* a field removed that the update had changed: changed since */
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(applied, "spec"), "tls");
	assert_int_equal(plan_prior_compare(prior, applied, NULL, 0), PLAN_PRIOR_CHANGED);
	/* nothing to change: no prior state */
	assert_null(plan_prior_record(live, live));
	assert_null(plan_prior_record(applied, NULL));
	cJSON_Delete(prior);
	cJSON_Delete(applied);
	cJSON_Delete(live);
}

/* The prior state goes through the journal as it is; a malformed one is refused. */
static void test_prior_in_journal(void **state)
{
	plan p;
	journal j, k;
	strbuf a, b;
	char err[160];

	small_plan(&p);
	journal_from_plan(&j, &p, "t12345-20261128120000-beef", "olga@host:1", 1795000000000LL);
	j.steps[1].state = STEP_RESTORING;
	j.steps[1].prior = cJSON_Parse("{\"config\":{\"spec\":{\"replicas\":3}},\"changed\":[{\"path\":[\"spec\",\"replicas\"],\"to\":1}]}");
	sb_init(&a, 1024);
	sb_init(&b, 1024);
	journal_encode(&j, &a);
	assert_int_equal(journal_encoded_size(&j), a.len);
	assert_int_equal(journal_decode(a.buf, &k, err, sizeof(err)), 0);
	assert_int_equal(k.steps[1].state, STEP_RESTORING);
	assert_null(k.steps[0].prior);
	assert_non_null(k.steps[1].prior);
	journal_encode(&k, &b);
	assert_string_equal(a.buf, b.buf);
	assert_string_equal(step_state_name(STEP_RESTORED), "restored");
	journal_release(&k);
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"T12345\",\"state\":\"done\",\"steps\":[{\"id\":\"a\",\"state\":\"applied\",\"path\":\"/x\",\"prior\":{\"changed\":[{\"path\":[{}],\"to\":1}],\"config\":{}}}]}",
					&k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "prior state"));
	sb_release(&a);
	sb_release(&b);
	journal_release(&j);
	plan_release(&p);
}

static void test_decode_refuses(void **state)
{
	journal j;
	char err[160];

	assert_int_equal(journal_decode("not json", &j, err, sizeof(err)), -1);
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"T12345\",\"state\":\"sideways\"}", &j, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "state"));
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"X\",\"state\":\"done\"}", &j, err, sizeof(err)), -1);
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"T12345\",\"state\":\"done\",\"steps\":[{\"id\":\"a\",\"state\":\"nope\",\"path\":\"/x\"}]}", &j, err, sizeof(err)), -1);
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"T12345\",\"state\":\"done\",\"steps\":[{\"id\":\"a\",\"state\":\"ready\",\"path\":\"/x\"}]}", &j, err, sizeof(err)), 0);
	assert_int_equal(j.n_steps, 1);
	assert_int_equal(j.steps[0].state, STEP_READY);
	journal_release(&j);
	/* found by fuzz/fuzz_journal: "inputs" an array (no keys) read a NULL key */
	assert_int_equal(journal_decode("{\"run\":\"r\",\"tcode\":\"T12345\",\"state\":\"done\",\"inputs\":[\"a\",\"b\"]}", &j, err, sizeof(err)), 0);
	assert_int_equal(j.n_inputs, 0);
	journal_release(&j);
}

static void test_notes_bounded(void **state)
{
	plan p;
	journal j;
	int i;

	small_plan(&p);
	journal_from_plan(&j, &p, "r", "o", 1000);
	for (i = 0; i < JOURNAL_MAX_NOTES + 3; i++)
		journal_note(&j, "note %d", i);
	assert_int_equal(j.n_notes, JOURNAL_MAX_NOTES);
	assert_string_equal(j.notes[0], "note 3");
	journal_release(&j);
	plan_release(&p);
}

static void test_run_ids(void **state)
{
	char a[JOURNAL_RUN_SIZE];

	journal_new_run_id("T12345", 1795000000, a, sizeof(a));
	assert_true(util_starts_with(a, "t12345-2026"));
	assert_int_equal(strlen(a), strlen("t12345-20261118110000-abcd"));
	assert_true(journal_run_id_valid(a));
	assert_false(journal_run_id_valid("T12345-x"));
	assert_false(journal_run_id_valid("a/b"));
	assert_false(journal_run_id_valid(""));
}

/* A journal is a ConfigMap anyone with write access can edit: its paths are
 * parsed strictly before a rollback touches anything. */
static void test_path_parse(void **state)
{
	static const char *const bad[] = {
	    "", "noslash", "/", "/api", "/api/v1", "/api/v1/namespaces", "/api/v1/namespaces/",
	    "/api/v1/namespaces/a/configmaps", "/api/v1/namespaces/a/configmaps/",
	    "/api/v1/namespaces/a/configmaps/b/extra", "/api/v1/namespaces/../configmaps/b",
	    "/api/v1/namespaces/a/configmaps/..", "/api/v1/namespaces/a/configmaps/B",
	    "/api/v1/namespaces/a/configmaps/b?dryRun=All", "/api/v1/namespaces/a//b",
	    "/apis/apps/v1", "/apis//v1/namespaces/a", "/apis/apps/v1/namespaces/a/deployments",
	    "/api/v1/pods/a/b", "api/v1/namespaces/a", "/apix/v1/namespaces/a",
	    "/api/v1/namespaces/a/config%6daps/b",
	    "/api/v1/namespaces/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	journal_object o;
	char err[300];
	size_t i;

	(void)state;
	assert_int_equal(journal_path_parse("/api/v1/namespaces/t12345-prod", &o, err, sizeof(err)), 0);
	assert_string_equal(o.api_version, "v1");
	assert_string_equal(o.plural, "namespaces");
	assert_string_equal(o.name, "t12345-prod");
	assert_string_equal(o.ns, "");
	assert_int_equal(journal_path_parse("/apis/apps/v1/namespaces/t12345-dev/deployments/license",
					    &o, err, sizeof(err)),
			 0);
	assert_string_equal(o.api_version, "apps/v1");
	assert_string_equal(o.group, "apps");
	assert_string_equal(o.ns, "t12345-dev");
	assert_string_equal(o.plural, "deployments");
	assert_string_equal(o.name, "license");
	assert_int_equal(journal_path_parse("/apis/networking.k8s.io/v1/namespaces/a/ingresses/web.x",
					    &o, err, sizeof(err)),
			 0);
	assert_string_equal(o.api_version, "networking.k8s.io/v1");
	assert_string_equal(o.name, "web.x");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (journal_path_parse(bad[i], &o, err, sizeof(err)) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(strstr(err, "is not the API path of one object"));
		assert_string_equal(o.name, "");
	}
	assert_int_equal(journal_path_parse(NULL, &o, err, sizeof(err)), -1);
}

/* A decoded journal with a step whose path has no '/' is refused by the check
 * a rollback makes first, naming the step. */
static void test_check_paths(void **state)
{
	static const char text[] =
	    "{\"run\":\"t12345-20261128153012-a1b2\",\"tcode\":\"T12345\",\"wizard\":\"namespace\","
	    "\"state\":\"done\",\"steps\":[{\"id\":\"prod/namespaces/t12345-prod\",\"kind\":\"Namespace\","
	    "\"path\":\"/api/v1/namespaces/t12345-prod\",\"state\":\"applied\",\"created\":true},"
	    "{\"id\":\"prod/configmaps/x\",\"kind\":\"ConfigMap\",\"path\":\"x\",\"state\":\"applied\","
	    "\"created\":true}]}";
	journal j;
	char err[300];

	(void)state;
	assert_int_equal(journal_decode(text, &j, err, sizeof(err)), 0);
	assert_int_equal(journal_check_paths(&j, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "step 1 (prod/configmaps/x)"));
	assert_non_null(strstr(err, "damaged"));
	j.n_steps = 1;
	assert_int_equal(journal_check_paths(&j, err, sizeof(err)), 0);
	j.n_steps = 2;
	journal_release(&j);
}

static void test_ready(void **state)
{
	cJSON *d = cJSON_Parse("{\"kind\":\"Deployment\",\"metadata\":{\"generation\":2},\"spec\":{\"replicas\":2},"
			       "\"status\":{\"observedGeneration\":2,\"readyReplicas\":1}}");
	int r, w;

	assert_false(engine_object_ready(d, &r, &w));
	assert_int_equal(r, 1);
	assert_int_equal(w, 2);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(d, "status"), "readyReplicas", cJSON_CreateNumber(2));
	assert_true(engine_object_ready(d, NULL, NULL));
	/* the controller has not seen the latest spec yet */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(d, "status"), "observedGeneration", cJSON_CreateNumber(1));
	assert_false(engine_object_ready(d, NULL, NULL));
	cJSON_Delete(d);
	d = cJSON_Parse("{\"kind\":\"ConfigMap\"}");
	assert_true(engine_object_ready(d, NULL, NULL));
	cJSON_Delete(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	 cmocka_unit_test(test_newest_first),
	    cmocka_unit_test(test_decode_refuses),
	    cmocka_unit_test(test_notes_bounded), cmocka_unit_test(test_run_ids),
	    cmocka_unit_test(test_ready),	 cmocka_unit_test(test_prior_record),
	    cmocka_unit_test(test_prior_in_journal), cmocka_unit_test(test_path_parse),
	    cmocka_unit_test(test_check_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
