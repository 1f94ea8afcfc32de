/* Unit tests for sim/catalog: contracts of the seeded fleet and of customers to onboard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleet.h"
#include "sim/store.h"
#include "util/util.h"

static int64_t the_time;

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

static int setup(void **state)
{
	sim_store *s = sim_store_new(1000);
	sim_err err;

	the_time = util_parse_rfc3339("2026-11-25T13:00:00Z");
	sim_store_set_clock(s, fixed_now, &the_time);
	if (sim_fleet_seed(s, 80, 31337, NULL, &err) < 0)
		fail_msg("seed: %s", err.message);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	sim_store_free(*state);
	sim_fleet_reset();
	return 0;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_list(void **state)
{
	char *json = sim_catalog_list_json();
	cJSON *list = cJSON_Parse(json);
	const cJSON *it;
	int provisioned = 0, waiting = 0, traditional = 0, expired = 0, expired_seeded = 0;
	int esocial = 0;

	assert_non_null(list);
	assert_string_equal(str(list, "kind"), "ContractList");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items")) {
		const char *tcode = str(it, "tcode");
		const sim_tenant *t = sim_fleet_find(tcode);
		int prov = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "provisioned"));
		const cJSON *lic = cJSON_GetObjectItemCaseSensitive(it, "licences");

		assert_true(sim_catalog_tcode_valid(tcode));
		assert_non_null(str(it, "customer"));
		assert_non_null(str(it, "timezone"));
		assert_int_equal(strlen(str(it, "valid_until")), 10);
		assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(lic, "prod")));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(lic, "dev")));
		assert_int_equal(prov, t != NULL);
		if (t) {
			provisioned++;
			assert_string_equal(str(it, "model"), "smart");
			assert_string_equal(str(it, "provider"), t->provider);
			assert_string_equal(str(it, "customer"), t->customer);
			assert_string_equal(str(it, "status"), t->contract_expired ? "expired" : "active");
			assert_string_equal(
				cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it, "products"), 0)->valuestring,
				t->esocial ? "esocial" : "erp");
			expired_seeded += t->contract_expired;
		} else {
			const char *product =
				cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it, "products"), 0)->valuestring;

			waiting++;
			traditional += !strcmp(str(it, "model"), "traditional");
			expired += !strcmp(str(it, "status"), "expired");
			if (!strcmp(product, "esocial")) {
				/* active SMART eSocial contracts, after every ERP one */
				esocial++;
				assert_string_equal(str(it, "model"), "smart");
				assert_string_equal(str(it, "status"), "active");
				assert_true(cJSON_GetObjectItemCaseSensitive(lic, "prod")->valuedouble > 0);
				assert_true(cJSON_GetObjectItemCaseSensitive(lic, "dev")->valuedouble > 0);
			} else {
				assert_int_equal(esocial, 0);
			}
		}
	}
	assert_int_equal(esocial, SIM_CATALOG_ESOCIAL);
	assert_int_equal(provisioned, 80);
	assert_true(waiting >= 8);
	assert_true(traditional > 0);
	assert_true(expired > 0);
	assert_true(waiting - traditional - expired > 0); /* SMART contracts ready to onboard */
	cJSON_Delete(list);
	free(json);
	(void)expired_seeded;
}

static void test_get(void **state)
{
	const sim_tenant *t = sim_fleet_tenant(3);
	char lower[8], *json;
	cJSON *o;
	sim_err err;

	json = sim_catalog_get_json(t->tcode, &err);
	assert_non_null(json);
	o = cJSON_Parse(json);
	assert_string_equal(str(o, "tcode"), t->tcode);
	assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(
				 cJSON_GetObjectItemCaseSensitive(o, "licences"), "prod")->valuedouble,
			 t->envs[SIM_ENV_PROD].licences);
	cJSON_Delete(o);
	free(json);
	/* lower case is accepted */
	memcpy(lower, t->lower, sizeof(lower));
	json = sim_catalog_get_json(lower, &err);
	assert_non_null(json);
	free(json);

	memset(&err, 0, sizeof(err));
	assert_null(sim_catalog_get_json("X12345", &err));
	assert_int_equal(err.code, 400);
	assert_null(sim_catalog_get_json("T1234", &err));
	assert_int_equal(err.code, 400);
	assert_null(sim_catalog_get_json("T123456", &err));
	assert_int_equal(err.code, 400);
	/* a well-formed TCODE nobody has */
	for (unsigned code = 10000; code < 100000; code++) {
		char tc[8];

		snprintf(tc, sizeof(tc), "T%05u", code);
		if (!sim_catalog_find(tc)) {
			assert_null(sim_catalog_get_json(tc, &err));
			assert_int_equal(err.code, 404);
			return;
		}
	}
	fail_msg("every TCODE is taken");
}

static void test_check(void **state)
{
	char reason[64], msg[256];
	int blocked = 0;

	for (size_t i = 0; i < sim_fleet_count(); i++) {
		const sim_tenant *t = sim_fleet_tenant(i);

		for (int e = 0; e < SIM_ENV_COUNT; e++) {
			int rc = sim_catalog_check(t->tcode, t->envs[e].env, the_time, reason,
						   sizeof(reason), msg, sizeof(msg));

			if (t->envs[e].scenario != SIM_SCN_BLOCKED) {
				assert_int_equal(rc, 0);
				continue;
			}
			blocked++;
			assert_int_equal(rc, -1);
			assert_non_null(strstr(msg, t->tcode));
			if (t->contract_expired) {
				char want[128];

				assert_string_equal(reason, "ContractExpired");
				snprintf(want, sizeof(want), "contract %s expired on %s", t->tcode,
					 t->valid_until);
				assert_string_equal(msg, want);
			} else {
				assert_string_equal(reason, "ContractInvalid");
				assert_int_equal(t->envs[e].licences, 0);
			}
		}
	}
	assert_true(blocked > 0);
	/* traditional contracts cannot run SMART environments */
	for (size_t i = 0; i < sim_catalog_count(); i++) {
		const sim_contract *c = sim_catalog_at(i);

		if (c->traditional) {
			assert_int_equal(sim_catalog_check(c->tcode, "prod", the_time, reason,
							   sizeof(reason), msg, sizeof(msg)), -1);
			assert_string_equal(reason, "ContractInvalid");
		}
	}
	/* an active contract expires after its date */
	{
		const sim_tenant *t = NULL;

		for (size_t i = 0; i < sim_fleet_count() && !t; i++)
			if (!sim_fleet_tenant(i)->contract_expired &&
			    sim_fleet_tenant(i)->envs[0].scenario == SIM_SCN_AVAILABLE)
				t = sim_fleet_tenant(i);
		assert_non_null(t);
		assert_int_equal(sim_catalog_check(t->tcode, "prod", the_time + 5 * 365 * 86400LL,
						   reason, sizeof(reason), msg, sizeof(msg)), -1);
		assert_string_equal(reason, "ContractExpired");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
