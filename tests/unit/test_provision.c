/* Unit tests for core/provision_ns and core/appserver_ini: the namespace plan,
 * its order under the predecessor rules, contract and option checks, and the
 * rendered configuration files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/appserver_ini.h"
#include "core/provision_ns.h"
#include "util/util.h"

#define NOW 1795000000 /* 2026-11-18 */

static void entry(catalog_entry *e, const char *tcode, const char *products)
{
	memset(e, 0, sizeof(*e));
	util_strlcpy(e->tcode, tcode, sizeof(e->tcode));
	util_strlcpy(e->customer, "Comercial Silva Ltda", sizeof(e->customer));
	util_strlcpy(e->provider, "aws", sizeof(e->provider));
	util_strlcpy(e->timezone, "America/Sao_Paulo", sizeof(e->timezone));
	e->lic_prod = 120;
	e->lic_dev = 5;
	e->contract.known = 1;
	e->contract.model = MODEL_CONTRACT_SMART;
	util_strlcpy(e->contract.status, "active", sizeof(e->contract.status));
	e->contract.valid_until = NOW + 86400 * 100;
	util_strlcpy(e->contract.products, products, sizeof(e->contract.products));
}

static void opts(provision_ns_opts *o, const char *tcode)
{
	memset(o, 0, sizeof(*o));
	util_strlcpy(o->tcode, tcode, sizeof(o->tcode));
}

static const plan_step *find(const plan *p, const char *id)
{
	int i = plan_find(p, id);

	assert_true(i >= 0);
	return &p->steps[i];
}

static int needs(const plan *p, const char *a, const char *b)
{
	const plan_step *s = find(p, a);
	int j = plan_find(p, b);
	size_t k;

	for (k = 0; k < s->n_needs; k++)
		if ((int)s->needs[k] == j)
			return 1;
	return 0;
}

static const char *lbl(const plan_step *s, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(s->body, "metadata"), "labels"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_erp_plan(void **state)
{
	catalog_entry e;
	provision_ns_opts o;
	plan p;
	char err[200];
	size_t i;

	entry(&e, "T12345", "erp");
	opts(&o, "t12345");
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), 0);
	assert_string_equal(o.tcode, "T12345");
	assert_string_equal(o.roles, "webapp,rest");
	assert_int_equal(o.idle_timeout_s, PROVISION_NS_IDLE_DEFAULT);
	assert_int_equal(provision_ns_plan(&o, &e, NULL, &p, err, sizeof(err)), 0);
	/* per env: ns, quota, limits, 2 policies, sa, rolebinding, 3 base (cm+svc+deploy for
	 * license and dbaccess, svc+deploy for lockserver), 2 roles x 4, hypnus 3 */
	assert_int_equal(p.n, 2 * (7 + 3 + 2 + 3 + 8 + 3));
	assert_string_equal(p.steps[0].id, "prod/namespaces/t12345-prod");
	assert_string_equal(p.steps[p.n / 2].id, "dev/namespaces/t12345-dev");
	/* every step needs only earlier ones, and all but namespaces need something */
	for (i = 0; i < p.n; i++) {
		size_t k;

		for (k = 0; k < p.steps[i].n_needs; k++)
			assert_true(p.steps[i].needs[k] < i);
		if (strcmp(p.steps[i].plural, "namespaces"))
			assert_true(p.steps[i].n_needs > 0);
		/* ownership labels on everything */
		assert_string_equal(lbl(&p.steps[i], "app.kubernetes.io/managed-by"), "smartops");
		assert_string_equal(lbl(&p.steps[i], "smart.totvs.com/tcode"), "T12345");
		assert_non_null(lbl(&p.steps[i], "smart.totvs.com/env"));
	}
	/* the predecessor chain */
	assert_true(needs(&p, "prod/deployments/lockserver", "prod/deployments/license"));
	assert_true(needs(&p, "prod/deployments/dbaccess", "prod/deployments/lockserver"));
	assert_true(needs(&p, "prod/deployments/appserver-webapp", "prod/deployments/dbaccess"));
	assert_true(needs(&p, "prod/deployments/appserver-rest", "prod/deployments/dbaccess"));
	assert_true(needs(&p, "prod/deployments/hypnus", "prod/deployments/appserver-webapp"));
	assert_true(needs(&p, "prod/deployments/hypnus", "prod/deployments/appserver-rest"));
	assert_false(needs(&p, "dev/deployments/lockserver", "prod/deployments/license"));
	assert_int_equal(find(&p, "prod/deployments/license")->wait, PLAN_WAIT_READY);
	assert_int_equal(find(&p, "prod/configmaps/license-config")->wait, PLAN_WAIT_EXISTS);
	/* labels the fleet reads */
	assert_string_equal(lbl(find(&p, "prod/deployments/dbaccess"), "smart.totvs.com/tier"), "base");
	assert_string_equal(lbl(find(&p, "prod/deployments/appserver-rest"), "smart.totvs.com/service"), "rest");
	assert_string_equal(lbl(find(&p, "dev/deployments/hypnus"), "smart.totvs.com/component"), "hypnus");
	assert_string_equal(lbl(find(&p, "prod/namespaces/t12345-prod"), "smart.totvs.com/product"), "erp");
	/* replicas from the licences: 120 users, 50 per replica, size m caps at 3 */
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(find(&p, "prod/deployments/appserver-webapp")->body, "spec"), "replicas")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(find(&p, "dev/deployments/appserver-webapp")->body, "spec"), "replicas")->valueint, 1);
	/* ingress host from the TCODE and the domain */
	{
		char *text = cJSON_PrintUnformatted(find(&p, "dev/ingresses/rest")->body);

		assert_non_null(strstr(text, "\"host\":\"rest-t12345-dev.smart.example.com\""));
		free(text);
	}
	plan_release(&p);
}

static void test_esocial_shape(void **state)
{
	catalog_entry e;
	provision_ns_opts o;
	plan p;
	char err[200];
	char *text;
	const cJSON *ann;

	entry(&e, "T22222", "esocial");
	assert_true(provision_ns_is_esocial(&e));
	opts(&o, "T22222");
	assert_int_equal(provision_ns_validate(&o, 1, err, sizeof(err)), 0);
	assert_string_equal(o.roles, "esocial");
	assert_int_equal(provision_ns_plan(&o, &e, NULL, &p, err, sizeof(err)), 0);
	assert_true(plan_find(&p, "prod/deployments/appserver-esocial") >= 0);
	assert_true(plan_find(&p, "prod/deployments/appserver-webapp") < 0);
	ann = cJSON_GetObjectItem(cJSON_GetObjectItem(find(&p, "prod/namespaces/t22222-prod")->body, "metadata"), "annotations");
	assert_string_equal(cJSON_GetObjectItem(ann, "smart.totvs.com/db")->valuestring, "oracle");
	assert_string_equal(lbl(find(&p, "dev/namespaces/t22222-dev"), "smart.totvs.com/product"), "esocial");
	text = cJSON_PrintUnformatted(find(&p, "prod/configmaps/dbaccess-ini")->body);
	assert_non_null(strstr(text, "[ORACLE/t22222_prod]"));
	free(text);
	/* no file server, no custom build in an eSocial plan */
	assert_int_equal(plan_find(&p, "prod/persistentvolumeclaims/fileserver"), -1);
	text = cJSON_PrintUnformatted(find(&p, "prod/configmaps/appserver-esocial-ini")->body);
	assert_null(strstr(text, "CustomRpoPath"));
	free(text);
	plan_release(&p);
	/* ERP roles on an eSocial contract are refused */
	opts(&o, "T22222");
	util_strlcpy(o.roles, "webapp", sizeof(o.roles));
	assert_int_equal(provision_ns_validate(&o, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "eSocial"));
}

static void test_contract_checks(void **state)
{
	catalog_entry e;
	char err[200];

	entry(&e, "T12345", "erp");
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), 0);
	e.contract.valid_until = NOW - 86400;
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expired on"));
	entry(&e, "T12345", "erp");
	util_strlcpy(e.contract.status, "expired", sizeof(e.contract.status));
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "expired"));
	entry(&e, "T12345", "erp");
	e.contract.model = MODEL_CONTRACT_TRADITIONAL;
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the SMART model"));
	entry(&e, "T12345", "erp");
	util_strlcpy(e.contract.status, "suspended", sizeof(e.contract.status));
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "suspended"));
	entry(&e, "T12345", "erp");
	e.lic_dev = 0;
	assert_int_equal(provision_ns_check_contract(&e, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no licences for dev"));
}

static void test_option_checks(void **state)
{
	provision_ns_opts o;
	char err[200];

	opts(&o, "T12345");
	util_strlcpy(o.domain, "Bad_Domain", sizeof(o.domain));
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "domain"));
	opts(&o, "T12345");
	util_strlcpy(o.size, "xl", sizeof(o.size));
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "size"));
	opts(&o, "T12345");
	o.idle_timeout_s = 10;
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "idle timeout"));
	opts(&o, "T12345");
	util_strlcpy(o.roles, "webapp,bogus", sizeof(o.roles));
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bogus"));
	opts(&o, "T1234x");
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "TCODE"));
}

static void test_inputs_round_trip(void **state)
{
	catalog_entry e;
	provision_ns_opts o, back;
	plan p, q;
	char err[200];
	strbuf a, b;

	entry(&e, "T12345", "erp");
	opts(&o, "T12345");
	util_strlcpy(o.domain, "cloud.example.org", sizeof(o.domain));
	util_strlcpy(o.roles, "webapp,rest,job", sizeof(o.roles));
	o.idle_timeout_s = 600;
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), 0);
	assert_int_equal(provision_ns_plan(&o, &e, NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(provision_ns_opts_from_inputs(p.inputs, p.n_inputs, &back), 0);
	assert_int_equal(provision_ns_plan(&back, &e, NULL, &q, err, sizeof(err)), 0);
	sb_init(&a, 1024);
	sb_init(&b, 1024);
	plan_to_json(&p, 1, 0, &a);
	plan_to_json(&q, 1, 0, &b);
	assert_string_equal(a.buf, b.buf); /* same inputs, same plan: resume relies on it */
	/* a job role has no Ingress */
	assert_int_equal(plan_find(&p, "prod/ingresses/job"), -1);
	assert_true(plan_find(&p, "prod/deployments/appserver-job") >= 0);
	sb_release(&a);
	sb_release(&b);
	plan_release(&p);
	plan_release(&q);
}

static void test_custom_rules(void **state)
{
	catalog_entry e;
	provision_ns_opts o;
	plan p;
	rules r;
	char err[200];

	/* dbaccess straight after the licence, lockserver needed by the appservers */
	assert_int_equal(rules_parse(&r, "license:\nlockserver: license\ndbaccess: license\n"
					 "appserver: dbaccess lockserver\nhypnus: appserver\n",
				     err, sizeof(err)),
			 0);
	entry(&e, "T12345", "erp");
	opts(&o, "T12345");
	provision_ns_validate(&o, 0, err, sizeof(err));
	assert_int_equal(provision_ns_plan(&o, &e, &r, &p, err, sizeof(err)), 0);
	assert_true(needs(&p, "prod/deployments/dbaccess", "prod/deployments/license"));
	assert_false(needs(&p, "prod/deployments/dbaccess", "prod/deployments/lockserver"));
	assert_true(needs(&p, "prod/deployments/appserver-rest", "prod/deployments/lockserver"));
	plan_release(&p);
}

static void test_appserver_ini(void **state)
{
	ini_target t = {.tcode = "T12345", .env = "prod", .db_host = "db", .licences = 10};
	strbuf sb;

	sb_init(&sb, 1024);
	appserver_ini_render(&sb, &t, "rest");
	assert_non_null(strstr(sb.buf, "[PROTHEUS12]\n"));
	assert_non_null(strstr(sb.buf, "TopDatabase=POSTGRES\n"));
	assert_non_null(strstr(sb.buf, "TopAlias=t12345_prod\n"));
	assert_non_null(strstr(sb.buf, "[Drivers]\nActive=TCP\nMultiProtocolPort=1\n"));
	assert_non_null(strstr(sb.buf, "[LICENSECLIENT]\nServer=license\nPort=5555\n"));
	assert_non_null(strstr(sb.buf, "[HTTPREST]\nPort=8400\n"));
	assert_non_null(strstr(sb.buf, "[ONSTART]\nJobs=HTTPJOB\n"));
	assert_non_null(strstr(sb.buf, "PrepareIn=All\n"));
	assert_null(strstr(sb.buf, "[WEBAPP]"));
	sb_reset(&sb);
	t.env = "dev";
	appserver_ini_render(&sb, &t, "webapp");
	assert_non_null(strstr(sb.buf, "[WEBAPP]\nPort=8080\n"));
	assert_non_null(strstr(sb.buf, "ConsoleLog=1\n"));
	assert_null(strstr(sb.buf, "[HTTPREST]"));
	sb_reset(&sb);
	t.esocial = 1;
	dbaccess_ini_render(&sb, &t);
	assert_non_null(strstr(sb.buf, "[ORACLE/t12345_dev]\nServer=db\nPort=1521\n"));
	assert_null(strstr(sb.buf, "assword="));
	sb_reset(&sb);
	license_ini_render(&sb, &t);
	assert_non_null(strstr(sb.buf, "Contract=T12345\nEnvironment=dev\nLicences=10\n"));
	assert_int_equal(appserver_role_port("job"), 0);
	assert_int_equal(appserver_role_port("webapp"), 8080);
	assert_false(appserver_role_known("bogus"));
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_erp_plan),	    cmocka_unit_test(test_esocial_shape),
	    cmocka_unit_test(test_contract_checks), cmocka_unit_test(test_option_checks),
	    cmocka_unit_test(test_inputs_round_trip), cmocka_unit_test(test_custom_rules),
	    cmocka_unit_test(test_appserver_ini),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
