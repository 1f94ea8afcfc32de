/* Unit tests for core/tcode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/tcode.h"
#include "util/util.h"

static void test_parse_normalises(void **state)
{
	char t[TCODE_SIZE], err[128];

	assert_int_equal(tcode_parse("T12345", t, err, sizeof(err)), 0);
	assert_string_equal(t, "T12345");
	assert_int_equal(tcode_parse("  t00042\t\n", t, err, sizeof(err)), 0);
	assert_string_equal(t, "T00042");
	assert_int_equal(tcode_parse("T99999", t, NULL, 0), 0);
	assert_string_equal(t, "T99999");
	assert_int_equal(tcode_parse("t00001", t, NULL, 0), 0);
	assert_string_equal(t, "T00001");
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
	    "",	      "   ",	"T1234",  "T123456", "12345",	"X12345",  "T12 45",
	    "T1234a", "TT1234", "T-1234", "T00000",  "T12345x", "T１2345",
	};
	char t[TCODE_SIZE], err[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(tcode_parse(bad[i], t, err, sizeof(err)), -1);
		assert_true(util_starts_with(
		    err, "TCODE must be a T followed by 5 digits, e.g. T12345: got \""));
	}
	assert_int_equal(tcode_parse(NULL, t, err, sizeof(err)), -1);
}

static void test_error_wording(void **state)
{
	char t[TCODE_SIZE], err[128];

	assert_int_equal(tcode_parse("t12a45", t, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "TCODE must be a T followed by 5 digits, e.g. T12345: got \"t12a45\"");
	/* the echo is trimmed */
	assert_int_equal(tcode_parse("  t1 ", t, err, sizeof(err)), -1);
	assert_string_equal(err, "TCODE must be a T followed by 5 digits, e.g. T12345: got \"t1\"");
	/* a tiny buffer is still terminated */
	assert_int_equal(tcode_parse("bad", t, err, 8), -1);
	assert_int_equal(strlen(err), 7);
}

static void test_is_valid(void **state)
{
	assert_true(tcode_is_valid("T12345"));
	assert_false(tcode_is_valid("t12345"));
	assert_false(tcode_is_valid(" T12345"));
	assert_false(tcode_is_valid("T1234"));
	assert_false(tcode_is_valid(NULL));
}

static void test_namespace(void **state)
{
	char ns[TCODE_NS_SIZE], small[8];

	assert_int_equal(tcode_namespace("T12345", TCODE_ENV_PROD, ns, sizeof(ns)), 0);
	assert_string_equal(ns, "t12345-prod");
	assert_int_equal(tcode_namespace(" t54321 ", TCODE_ENV_DEV, ns, sizeof(ns)), 0);
	assert_string_equal(ns, "t54321-dev");
	assert_int_equal(tcode_namespace("T1", TCODE_ENV_DEV, ns, sizeof(ns)), -1);
	assert_int_equal(tcode_namespace("T12345", (tcode_env)7, ns, sizeof(ns)), -1);
	assert_int_equal(tcode_namespace("T12345", TCODE_ENV_PROD, small, sizeof(small)), -1);
}

static void test_from_namespace(void **state)
{
	char t[TCODE_SIZE];
	tcode_env env = TCODE_ENV_PROD;

	assert_int_equal(tcode_from_namespace("t12345-dev", t, &env), 0);
	assert_string_equal(t, "T12345");
	assert_int_equal(env, TCODE_ENV_DEV);
	assert_int_equal(tcode_from_namespace("t00007-prod", t, &env), 0);
	assert_string_equal(t, "T00007");
	assert_int_equal(env, TCODE_ENV_PROD);
	assert_int_equal(tcode_from_namespace("t00007-prod", NULL, NULL), 0);

	assert_int_equal(tcode_from_namespace("T12345-prod", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t12345-staging", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t12345-prodx", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t12345", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t1234-dev", t, &env), -1);
	assert_int_equal(tcode_from_namespace("kube-system", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t", t, &env), -1);
	assert_int_equal(tcode_from_namespace("", t, &env), -1);
	assert_int_equal(tcode_from_namespace("t00000-dev", t, &env), -1);
}

static void test_round_trip(void **state)
{
	static const char *const codes[] = {"T00001", "T12345", "T99999", "T50000"};
	char ns[TCODE_NS_SIZE], t[TCODE_SIZE];
	tcode_env env, back;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		for (env = TCODE_ENV_PROD; env <= TCODE_ENV_DEV; env++) {
			assert_int_equal(tcode_namespace(codes[i], env, ns, sizeof(ns)), 0);
			assert_int_equal(tcode_from_namespace(ns, t, &back), 0);
			assert_string_equal(t, codes[i]);
			assert_int_equal(back, env);
		}
	}
}

static void test_env_names(void **state)
{
	tcode_env e;

	assert_string_equal(tcode_env_name(TCODE_ENV_PROD), "prod");
	assert_string_equal(tcode_env_name(TCODE_ENV_DEV), "dev");
	assert_int_equal(tcode_env_parse("DEV", &e), 0);
	assert_int_equal(e, TCODE_ENV_DEV);
	assert_int_equal(tcode_env_parse("prod", &e), 0);
	assert_int_equal(e, TCODE_ENV_PROD);
	assert_int_equal(tcode_env_parse("qa", &e), -1);
	assert_int_equal(tcode_env_parse(NULL, &e), -1);
}

static void test_key(void **state)
{
	char k[64], tiny[10];

	assert_int_equal(tcode_key(NULL, "tcode", k, sizeof(k)), 0);
	assert_string_equal(k, "smart.totvs.com/tcode");
	assert_int_equal(tcode_key("", "hypnus-state", k, sizeof(k)), 0);
	assert_string_equal(k, "smart.totvs.com/hypnus-state");
	assert_int_equal(tcode_key("example.org/", "env", k, sizeof(k)), 0);
	assert_string_equal(k, "example.org/env");
	assert_int_equal(tcode_key(NULL, "tcode", tiny, sizeof(tiny)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_normalises),
	    cmocka_unit_test(test_parse_refuses),
	    cmocka_unit_test(test_error_wording),
	    cmocka_unit_test(test_is_valid),
	    cmocka_unit_test(test_namespace),
	    cmocka_unit_test(test_from_namespace),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_env_names),
	    cmocka_unit_test(test_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
