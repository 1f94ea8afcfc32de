/* Unit tests for core/project: Kubernetes JSON fixtures into compact records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/project.h"
#include "util/util.h"

static project_keys keys;

static cJSON *parse(const char *json)
{
	cJSON *o = cJSON_Parse(json);

	assert_non_null(o);
	return o;
}

static const char ns_json[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"t12345-prod\","
    "\"labels\":{\"smart.totvs.com/tcode\":\"T12345\",\"smart.totvs.com/env\":\"prod\","
    "\"smart.totvs.com/product\":\"esocial\"},\"annotations\":{"
    "\"smart.totvs.com/customer-name\":\"Metalurgica Souza Ltda\","
    "\"smart.totvs.com/provider\":\"gcp\",\"smart.totvs.com/db\":\"oracle\","
    "\"smart.totvs.com/timezone\":\"America/Sao_Paulo\"}}}";

static void test_namespace(void **state)
{
	cJSON *o = parse(ns_json);
	project_ns ns;

	assert_int_equal(project_namespace(&keys, o, &ns), 0);
	assert_string_equal(ns.m.name, "t12345-prod");
	assert_string_equal(ns.m.ns, "");
	assert_string_equal(ns.tcode, "T12345");
	assert_int_equal(ns.env, TCODE_ENV_PROD);
	assert_int_equal(ns.product, MODEL_PRODUCT_ESOCIAL);
	assert_string_equal(ns.customer, "Metalurgica Souza Ltda");
	assert_string_equal(ns.provider, "gcp");
	assert_string_equal(ns.db, "oracle");
	assert_string_equal(ns.timezone, "America/Sao_Paulo");
	assert_true(sizeof(project_ns) < 1024);
	cJSON_Delete(o);
}

static void test_namespace_not_ours(void **state)
{
	cJSON *plain = parse("{\"metadata\":{\"name\":\"kube-system\"}}");
	cJSON *bad = parse("{\"metadata\":{\"name\":\"x\",\"labels\":{\"smart.totvs.com/tcode\":"
			   "\"T12\",\"smart.totvs.com/env\":\"prod\"}}}");
	cJSON *named = parse("{\"metadata\":{\"name\":\"t00042-dev\"}}");
	cJSON *noname = parse("{\"metadata\":{}}");
	cJSON *arr = parse("[1,2]");
	project_ns ns;

	assert_int_equal(project_namespace(&keys, plain, &ns), 1);
	assert_int_equal(project_namespace(&keys, bad, &ns), 1);
	/* No labels, but the name follows the convention. */
	assert_int_equal(project_namespace(&keys, named, &ns), 0);
	assert_string_equal(ns.tcode, "T00042");
	assert_int_equal(ns.env, TCODE_ENV_DEV);
	assert_int_equal(ns.product, MODEL_PRODUCT_UNKNOWN);
	assert_int_equal(project_namespace(&keys, noname, &ns), -1);
	assert_int_equal(project_namespace(&keys, arr, &ns), -1);
	cJSON_Delete(plain);
	cJSON_Delete(bad);
	cJSON_Delete(named);
	cJSON_Delete(noname);
	cJSON_Delete(arr);
}

static void test_custom_prefix(void **state)
{
	cJSON *o = parse("{\"metadata\":{\"name\":\"a\",\"labels\":{\"acme.io/tcode\":\"t00007\","
			 "\"acme.io/env\":\"DEV\"}}}");
	project_keys k;
	project_ns ns;

	project_keys_init(&k, "acme.io/");
	assert_string_equal(k.hypnus_state, "acme.io/hypnus-state");
	assert_int_equal(project_namespace(&k, o, &ns), 0);
	assert_string_equal(ns.tcode, "T00007");
	assert_int_equal(ns.env, TCODE_ENV_DEV);
	assert_int_equal(project_namespace(&keys, o, &ns), 1);
	cJSON_Delete(o);
}

static const char hypnus_json[] =
    "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"hypnus\",\"namespace\":\"t12345-dev\","
    "\"labels\":{\"smart.totvs.com/tier\":\"proxy\",\"smart.totvs.com/component\":\"hypnus\"},"
    "\"annotations\":{\"smart.totvs.com/hypnus-state\":\"sleeping\","
    "\"smart.totvs.com/hypnus-last-activity\":\"2026-11-28T12:00:00Z\","
    "\"smart.totvs.com/hypnus-idle-timeout\":\"900\","
    "\"smart.totvs.com/hypnus-last-wake\":\"2026-11-28T08:00:00Z\","
    "\"smart.totvs.com/hypnus-cold-start-seconds\":\"42\"}},"
    "\"spec\":{\"replicas\":1},\"status\":{\"replicas\":1,\"readyReplicas\":1}}";

static void test_workloads(void **state)
{
	cJSON *base = parse("{\"metadata\":{\"name\":\"license\",\"namespace\":\"t12345-prod\","
			    "\"labels\":{\"smart.totvs.com/tier\":\"base\","
			    "\"smart.totvs.com/component\":\"license\"}},"
			    "\"spec\":{\"replicas\":2},\"status\":{\"readyReplicas\":1}}");
	cJSON *pub = parse("{\"metadata\":{\"name\":\"appserver-webapp\",\"namespace\":\"n\","
			   "\"labels\":{\"smart.totvs.com/tier\":\"public\","
			   "\"smart.totvs.com/component\":\"appserver\","
			   "\"smart.totvs.com/service\":\"webapp\"}},\"spec\":{},\"status\":{}}");
	cJSON *hyp = parse(hypnus_json);
	cJSON *untiered = parse("{\"metadata\":{\"name\":\"x\",\"namespace\":\"n\"}}");
	project_workload w;

	assert_int_equal(project_workload_from(&keys, base, PROJECT_DEPLOYMENT, &w), 0);
	assert_string_equal(w.m.ns, "t12345-prod");
	assert_int_equal(w.tier, PROJECT_TIER_BASE);
	assert_string_equal(w.component, "license");
	assert_int_equal(w.desired, 2);
	assert_int_equal(w.ready, 1);
	assert_int_equal(w.hypnus.present, 0);

	assert_int_equal(project_workload_from(&keys, pub, PROJECT_STATEFULSET, &w), 0);
	assert_int_equal(w.kind, PROJECT_STATEFULSET);
	assert_int_equal(w.tier, PROJECT_TIER_PUBLIC);
	assert_string_equal(w.role, "webapp");
	assert_int_equal(w.desired, 1); /* replicas absent: 1 */
	assert_int_equal(w.ready, 0);

	assert_int_equal(project_workload_from(&keys, hyp, PROJECT_DEPLOYMENT, &w), 0);
	assert_int_equal(w.tier, PROJECT_TIER_PROXY);
	assert_int_equal(w.hypnus.present, 1);
	assert_int_equal(w.hypnus.state, MODEL_HYPNUS_SLEEPING);
	assert_int_equal(w.hypnus.idle_timeout_s, 900);
	assert_int_equal(w.hypnus.cold_start_s, 42);
	assert_int_equal(w.hypnus.last_activity, util_parse_rfc3339("2026-11-28T12:00:00Z"));
	assert_int_equal(w.hypnus.last_wake, util_parse_rfc3339("2026-11-28T08:00:00Z"));

	assert_int_equal(project_workload_from(&keys, untiered, PROJECT_DEPLOYMENT, &w), 1);
	assert_true(sizeof(project_workload) < 1024);
	cJSON_Delete(base);
	cJSON_Delete(pub);
	cJSON_Delete(hyp);
	cJSON_Delete(untiered);
}

/* A row of a server-side Table (includeObject=Metadata), as kube-apiserver and kubesim
 * send them: READY in cells[1], labels and annotations in the row's object. */
static void test_workload_rows(void **state)
{
	cJSON *row = parse("{\"cells\":[\"hypnus\",\"0/3\",0,0,\"5m\"],\"object\":{"
			   "\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\","
			   "\"metadata\":{\"name\":\"hypnus\",\"namespace\":\"t12345-dev\","
			   "\"labels\":{\"smart.totvs.com/tier\":\"proxy\","
			   "\"smart.totvs.com/component\":\"hypnus\"},"
			   "\"annotations\":{\"smart.totvs.com/hypnus-state\":\"waking\","
			   "\"smart.totvs.com/hypnus-idle-timeout\":\"1200\"}}}}");
	cJSON *bad_ready = parse("{\"cells\":[\"x\",\"3\"],\"object\":{\"metadata\":"
				 "{\"name\":\"x\",\"namespace\":\"n\"}}}");
	cJSON *no_object = parse("{\"cells\":[\"x\",\"1/1\"]}");
	project_workload w;

	assert_int_equal(project_workload_from_row(&keys, row, PROJECT_DEPLOYMENT, &w), 0);
	assert_string_equal(w.m.ns, "t12345-dev");
	assert_string_equal(w.component, "hypnus");
	assert_int_equal(w.ready, 0);
	assert_int_equal(w.desired, 3);
	assert_int_equal(w.hypnus.present, 1);
	assert_int_equal(w.hypnus.state, MODEL_HYPNUS_WAKING);
	assert_int_equal(w.hypnus.idle_timeout_s, 1200);
	assert_int_equal(project_workload_from_row(&keys, bad_ready, PROJECT_DEPLOYMENT, &w), -1);
	assert_int_equal(project_workload_from_row(&keys, no_object, PROJECT_DEPLOYMENT, &w), -1);
	cJSON_Delete(row);
	cJSON_Delete(bad_ready);
	cJSON_Delete(no_object);
}

static void test_ingress(void **state)
{
	cJSON *o =
	    parse("{\"metadata\":{\"name\":\"rest\",\"namespace\":\"n\",\"labels\":{"
		  "\"smart.totvs.com/service\":\"rest\"}},\"spec\":{\"rules\":[{\"http\":{}},"
		  "{\"host\":\"rest-t12345.smart.example.com\"}]}}");
	cJSON *bare = parse("{\"metadata\":{\"name\":\"webapp\",\"namespace\":\"n\"},\"spec\":{}}");
	project_ingress ing;

	assert_int_equal(project_ingress_from(&keys, o, &ing), 0);
	assert_string_equal(ing.role, "rest");
	assert_string_equal(ing.host, "rest-t12345.smart.example.com");
	assert_int_equal(project_ingress_from(&keys, bare, &ing), 0);
	assert_string_equal(ing.role, "webapp");
	assert_string_equal(ing.host, "");
	cJSON_Delete(o);
	cJSON_Delete(bare);
}

static const char pod_json[] =
    "{\"metadata\":{\"name\":\"license-7d9f-abcde\",\"namespace\":\"t12345-prod\","
    "\"creationTimestamp\":\"2026-11-28T10:00:00Z\",\"labels\":{"
    "\"smart.totvs.com/tier\":\"base\",\"smart.totvs.com/component\":\"license\"}},"
    "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"license\"}]},"
    "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}],"
    "\"containerStatuses\":[{\"name\":\"license\",\"ready\":false,\"restartCount\":7,"
    "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\",\"message\":\"back-off 5m0s\"}},"
    "\"lastState\":{\"terminated\":{\"exitCode\":1,\"reason\":\"ContractExpired\","
    "\"message\":\"contract T12345 expired on 2026-10-01\"}}},"
    "{\"name\":\"sidecar\",\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}}}]}}";

static void test_pod(void **state)
{
	cJSON *o = parse(pod_json);
	cJSON *ready = parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"},\"status\":{"
			     "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\","
			     "\"status\":\"True\"}],\"containerStatuses\":[{\"ready\":true,"
			     "\"restartCount\":0,\"state\":{\"running\":{}}}]}}");
	project_pod p;

	assert_int_equal(project_pod_from(&keys, o, &p), 0);
	assert_string_equal(p.m.name, "license-7d9f-abcde");
	assert_int_equal(p.tier, PROJECT_TIER_BASE);
	assert_string_equal(p.component, "license");
	assert_string_equal(p.phase, "Running");
	assert_int_equal(p.ready, 0);
	assert_int_equal(p.n_containers, 2);
	assert_int_equal(p.n_ready, 1);
	assert_int_equal(p.restarts, 8);
	assert_string_equal(p.waiting_reason, "CrashLoopBackOff");
	assert_string_equal(p.terminated_reason, "ContractExpired");
	assert_string_equal(p.message, "back-off 5m0s");
	assert_string_equal(p.node, "node-1");
	assert_int_equal(p.created, util_parse_rfc3339("2026-11-28T10:00:00Z"));
	assert_true(sizeof(project_pod) < 1024);

	assert_int_equal(project_pod_from(&keys, ready, &p), 0);
	assert_int_equal(p.ready, 1);
	assert_int_equal(p.tier, PROJECT_TIER_OTHER);
	assert_string_equal(p.waiting_reason, "");
	cJSON_Delete(o);
	cJSON_Delete(ready);
}

static void test_event(void **state)
{
	cJSON *o = parse("{\"metadata\":{\"name\":\"license.1\",\"namespace\":\"t12345-prod\"},"
			 "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"license-x\"},"
			 "\"type\":\"Warning\",\"reason\":\"BackOff\",\"message\":\"Back-off "
			 "restarting\\u001b[2J\",\"count\":4,"
			 "\"firstTimestamp\":\"2026-11-28T10:00:00Z\","
			 "\"lastTimestamp\":\"2026-11-28T10:05:00Z\"}");
	project_event e;

	assert_int_equal(project_event_from(o, &e), 0);
	assert_string_equal(e.kind, "Pod");
	assert_string_equal(e.object, "license-x");
	assert_string_equal(e.type, "Warning");
	assert_string_equal(e.reason, "BackOff");
	/* Copied as is: escaping is the printer's job. */
	assert_string_equal(e.message, "Back-off restarting\x1b[2J");
	assert_int_equal(e.count, 4);
	assert_int_equal(e.last, util_parse_rfc3339("2026-11-28T10:05:00Z"));
	cJSON_Delete(o);
}

static void test_truncation(void **state)
{
	char json[1024], name[300];
	cJSON *o;
	project_ns ns;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(json, sizeof(json),
		 "{\"metadata\":{\"name\":\"t12345-dev\",\"annotations\":{"
		 "\"smart.totvs.com/customer-name\":\"%s\"}}}",
		 name);
	o = parse(json);
	assert_int_equal(project_namespace(&keys, o, &ns), 0);
	assert_int_equal(strlen(ns.customer), sizeof(ns.customer) - 1);
	cJSON_Delete(o);
}

static void test_rules(void **state)
{
	cJSON *cm = parse("{\"data\":{\"rules\":\"lockserver: license\\ndbaccess: "
			  "lockserver\\nappserver: dbaccess\\n\"}}");
	cJSON *nokey = parse("{\"data\":{}}");
	cJSON *cycle = parse("{\"data\":{\"rules\":\"a: b\\nb: a\\n\"}}");
	char err[160];
	rules r;

	assert_int_equal(project_rules(cm, &r, err, sizeof(err)), 0);
	assert_true(rules_find(&r, "dbaccess") >= 0);
	assert_int_equal(project_rules(nokey, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "rules"));
	assert_int_equal(project_rules(cycle, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cycle"));
	cJSON_Delete(cm);
	cJSON_Delete(nokey);
	cJSON_Delete(cycle);
}

static void test_env_assembly(void **state)
{
	cJSON *lic = parse("{\"metadata\":{\"name\":\"license\",\"namespace\":\"n\",\"labels\":{"
			   "\"smart.totvs.com/tier\":\"base\",\"smart.totvs.com/component\":"
			   "\"license\"}},\"spec\":{\"replicas\":1},\"status\":{}}");
	cJSON *web = parse("{\"metadata\":{\"name\":\"appserver-webapp\",\"namespace\":\"n\","
			   "\"labels\":{\"smart.totvs.com/tier\":\"public\","
			   "\"smart.totvs.com/service\":\"webapp\"}},\"spec\":{\"replicas\":2},"
			   "\"status\":{\"readyReplicas\":2}}");
	cJSON *ing = parse("{\"metadata\":{\"name\":\"webapp\",\"namespace\":\"n\"},\"spec\":{"
			   "\"rules\":[{\"host\":\"webapp.example\"}]}}");
	cJSON *pod = parse(pod_json), *hyp = parse(hypnus_json);
	project_workload w;
	project_ingress in;
	project_pod p;
	model_env e;

	memset(&e, 0, sizeof(e));
	assert_int_equal(project_workload_from(&keys, lic, PROJECT_DEPLOYMENT, &w), 0);
	assert_int_equal(project_env_add_workload(&e, &w), 0);
	assert_int_equal(project_workload_from(&keys, web, PROJECT_DEPLOYMENT, &w), 0);
	assert_int_equal(project_env_add_workload(&e, &w), 0);
	assert_int_equal(project_workload_from(&keys, hyp, PROJECT_DEPLOYMENT, &w), 0);
	assert_int_equal(project_env_add_workload(&e, &w), 0);
	assert_int_equal(project_ingress_from(&keys, ing, &in), 0);
	project_env_add_ingress(&e, &in);
	assert_int_equal(project_pod_from(&keys, pod, &p), 0);
	project_env_add_pod(&e, &p);

	assert_int_equal(e.n_base, 1);
	assert_string_equal(e.base[0].component, "license");
	assert_int_equal(e.base[0].desired, 1);
	assert_int_equal(e.base[0].ready, 0);
	assert_int_equal(e.base[0].restarts, 8);
	assert_string_equal(model_text(&e, e.base[0].waiting_reason), "CrashLoopBackOff");
	assert_string_equal(model_text(&e, e.base[0].terminated_reason), "ContractExpired");
	assert_int_equal(e.n_public, 1);
	assert_string_equal(e.pub[0].role, "webapp");
	assert_int_equal(e.pub[0].ready, 2);
	assert_string_equal(model_text(&e, e.pub[0].host), "webapp.example");
	assert_int_equal(e.hypnus.present, 1);
	assert_int_equal(e.hypnus.state, MODEL_HYPNUS_SLEEPING);
	cJSON_Delete(lic);
	cJSON_Delete(web);
	cJSON_Delete(ing);
	cJSON_Delete(pod);
	cJSON_Delete(hyp);
}

static void test_env_full(void **state)
{
	project_workload w;
	model_env e;
	int i;

	memset(&e, 0, sizeof(e));
	memset(&w, 0, sizeof(w));
	w.tier = PROJECT_TIER_BASE;
	for (i = 0; i < MODEL_MAX_BASE; i++) {
		snprintf(w.component, sizeof(w.component), "c%d", i);
		assert_int_equal(project_env_add_workload(&e, &w), 0);
	}
	snprintf(w.component, sizeof(w.component), "extra");
	assert_int_equal(project_env_add_workload(&e, &w), -1);
	assert_int_equal(e.n_base, MODEL_MAX_BASE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_namespace),	  cmocka_unit_test(test_namespace_not_ours),
	    cmocka_unit_test(test_custom_prefix), cmocka_unit_test(test_workloads),
	    cmocka_unit_test(test_ingress),	  cmocka_unit_test(test_pod),
	    cmocka_unit_test(test_event),	  cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_rules),	  cmocka_unit_test(test_env_assembly),
	    cmocka_unit_test(test_env_full),	  cmocka_unit_test(test_workload_rows),
	};

	project_keys_init(&keys, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
