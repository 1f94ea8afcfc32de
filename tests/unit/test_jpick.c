/* sim/jpick: members picked out of compact JSON text, the metadata span, and every text
 * not in the form cJSON prints refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/jpick.h"
#include "util/util.h"

/* Picks keep out of text (which must be accepted) and returns the kept tree printed. */
static char *pick(const char *text, const char *const *keep, sim_jpick *pk)
{
	char *out;

	assert_int_equal(sim_jpick_read(text, keep, pk), 0);
	assert_non_null(pk->tree);
	out = cJSON_PrintUnformatted(pk->tree);
	assert_non_null(out);
	return out;
}

static void expect_pick(const char *text, const char *const *keep, const char *want)
{
	sim_jpick pk;
	char *got = pick(text, keep, &pk);

	assert_string_equal(got, want);
	free(got);
	cJSON_Delete(pk.tree);
}

static void expect_refused(const char *text)
{
	static const char *const keep[] = {"a", NULL};
	sim_jpick pk;

	if (sim_jpick_read(text, keep, &pk) != -1)
		fail_msg("accepted: %s", text ? text : "(null)");
	assert_null(pk.tree);
	assert_null(pk.meta);
}

static void test_keeps_only_the_paths(void **state)
{
	static const char *const keep[] = {
	    "metadata.name", "spec.replicas", "spec.template.spec.containers.*.name",
	    "spec.template.spec.containers.*.image", "status.readyReplicas", NULL};
	const char *text =
	    "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"y\"}},"
	    "\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c1\","
	    "\"image\":\"i1\",\"env\":[{\"name\":\"E\",\"value\":\"v\"}]},{\"name\":\"c2\"},"
	    "{\"image\":\"i3\"},{}]}}},\"status\":{\"replicas\":3}}";

	(void)state;
	/* status holds nothing asked for: kept as an empty object, as the path goes into it */
	expect_pick(text, keep,
		    "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"replicas\":3,\"template\":{\"spec\":"
		    "{\"containers\":[{\"name\":\"c1\",\"image\":\"i1\"},{\"name\":\"c2\"},"
		    "{\"image\":\"i3\"},{}]}}},\"status\":{}}");
}

static void test_path_end_keeps_the_whole_value(void **state)
{
	static const char *const keep[] = {"spec.selector", "data.*", NULL};

	(void)state;
	expect_pick("{\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":"
		    "[{\"key\":\"k\",\"operator\":\"In\",\"values\":[\"x\",\"y\"]}]},\"replicas\":1},"
		    "\"data\":{\"x\":\"1\",\"y\":{\"z\":[true,false,null]}}}",
		    keep,
		    "{\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":"
		    "[{\"key\":\"k\",\"operator\":\"In\",\"values\":[\"x\",\"y\"]}]}},"
		    "\"data\":{\"x\":\"1\",\"y\":{\"z\":[true,false,null]}}}");
}

static void test_scalars_on_the_way_are_kept(void **state)
{
	static const char *const keep[] = {"spec.replicas", "l.*.n", NULL};

	(void)state;
	/* a lookup through them fails on the whole tree and on the kept one alike */
	expect_pick("{\"spec\":\"text\",\"l\":[1,\"a\",{\"n\":\"x\",\"m\":1},[2]],\"o\":0}", keep,
		    "{\"spec\":\"text\",\"l\":[1,\"a\",{\"n\":\"x\"},[]]}");
}

static void test_missing_fields(void **state)
{
	static const char *const keep[] = {"metadata.name", "status.phase", NULL};
	sim_jpick pk;
	char *got;

	(void)state;
	expect_pick("{\"spec\":{\"a\":1}}", keep, "{}");
	got = pick("{}", keep, &pk);
	assert_string_equal(got, "{}");
	assert_null(pk.meta);
	free(got);
	cJSON_Delete(pk.tree);
	expect_pick("{\"metadata\":{}}", keep, "{\"metadata\":{}}");
	/* no keep list: nothing kept, the text still checked */
	got = pick("{\"metadata\":{\"name\":\"a\"}}", NULL, &pk);
	assert_string_equal(got, "{}");
	assert_int_equal(pk.meta_len, strlen("{\"name\":\"a\"}"));
	free(got);
	cJSON_Delete(pk.tree);
}

static void test_duplicates_keep_order(void **state)
{
	static const char *const keep[] = {"a", NULL};
	sim_jpick pk;
	char *got;

	(void)state;
	got = pick("{\"a\":1,\"b\":2,\"a\":3}", keep, &pk);
	assert_string_equal(got, "{\"a\":1,\"a\":3}");
	/* the first one is found, as in the whole tree */
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(pk.tree, "a")->valueint, 1);
	free(got);
	cJSON_Delete(pk.tree);
}

static void test_escaped_quotes_and_brackets(void **state)
{
	static const char *const keep[] = {"metadata.name", "x", NULL};
	const char *text = "{\"metadata\":{\"name\":\"a\\\"b\\\\c\",\"annotations\":{\"k\\\"}\":"
			   "\"v{\\\"x\\\":1}]\"}},\"x\":\"]}\\\\\",\"y\":[\"\\\"\",\"}\"]}";
	const char *meta = "{\"name\":\"a\\\"b\\\\c\",\"annotations\":{\"k\\\"}\":"
			   "\"v{\\\"x\\\":1}]\"}}";
	sim_jpick pk;
	char *got;

	(void)state;
	got = pick(text, keep, &pk);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(pk.tree, "metadata"), "name")
				->valuestring,
			    "a\"b\\c");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(pk.tree, "x")->valuestring, "]}\\");
	assert_non_null(pk.meta);
	assert_int_equal(pk.meta_len, strlen(meta));
	assert_memory_equal(pk.meta, meta, pk.meta_len);
	free(got);
	cJSON_Delete(pk.tree);
}

static void test_escapes(void **state)
{
	static const char *const keep[] = {"s", NULL};
	sim_jpick pk;
	char *got;

	(void)state;
	got = pick("{\"s\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u000b é/\x7f\"}", keep, &pk);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(pk.tree, "s")->valuestring,
			    "\b\f\n\r\t\x01\x1f\x0b é/\x7f");
	free(got);
	cJSON_Delete(pk.tree);
	/* escaped keys are matched by their value, and kept unescaped */
	static const char *const star[] = {"*", NULL};
	got = pick("{\"k\\\"\\u0002\":1}", star, &pk);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(pk.tree, "k\"\x02"));
	free(got);
	cJSON_Delete(pk.tree);
	/* escapes cJSON never writes: it would print these back differently */
	expect_refused("{\"s\":\"\\u00e9\"}");	   /* é: printed raw */
	expect_refused("{\"s\":\"\\u001F\"}");	   /* uppercase hex */
	expect_refused("{\"s\":\"\\u000a\"}");	   /* printed as \n */
	expect_refused("{\"s\":\"\\u0000\"}");	   /* cuts the string */
	expect_refused("{\"s\":\"\\ud83d\\ude00\"}"); /* a surrogate pair */
	expect_refused("{\"s\":\"\\/\"}");	   /* '/' printed raw */
	expect_refused("{\"s\":\"\\x\"}");
	expect_refused("{\"s\":\"\\u00\"}");
	expect_refused("{\"s\":\"a\tb\"}"); /* a raw control byte */
	expect_refused("{\"s\":\"abc");	    /* no closing quote */
	expect_refused("{\"s\":\"abc\\");
}

static void test_numbers(void **state)
{
	static const char *const keep[] = {"*", NULL};
	sim_jpick pk;
	char *got;

	(void)state;
	got = pick("{\"a\":0,\"b\":-1,\"c\":2147483647,\"d\":-2147483648,\"e\":42}", keep, &pk);
	assert_string_equal(got, "{\"a\":0,\"b\":-1,\"c\":2147483647,\"d\":-2147483648,\"e\":42}");
	assert_true(cJSON_GetObjectItemCaseSensitive(pk.tree, "d")->valuedouble == -2147483648.0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(pk.tree, "e")->valueint, 42);
	free(got);
	cJSON_Delete(pk.tree);
	/* printed otherwise by cJSON, or not numbers at all */
	expect_refused("{\"a\":2147483648}");
	expect_refused("{\"a\":-2147483649}");
	expect_refused("{\"a\":12345678901}");
	expect_refused("{\"a\":1.5}");
	expect_refused("{\"a\":1e3}");
	expect_refused("{\"a\":01}");
	expect_refused("{\"a\":-0}");
	expect_refused("{\"a\":-}");
	expect_refused("{\"a\":+1}");
	/* also where nothing is kept: the whole text is checked */
	expect_refused("{\"z\":{\"y\":[1.5]}}");
}

static void test_malformed_and_loose_text(void **state)
{
	(void)state;
	expect_refused(NULL);
	expect_refused("");
	expect_refused("[1]");
	expect_refused("\"s\"");
	expect_refused("{ \"a\":1}");
	expect_refused("{\"a\": 1}");
	expect_refused("{\"a\":1} ");
	expect_refused("{\"a\":1}x");
	expect_refused("{\"a\":1}{}");
	expect_refused("{\"a\":1");
	expect_refused("{\"a\":}");
	expect_refused("{\"a\":1,}");
	expect_refused("{\"a\":[1,]}");
	expect_refused("{\"a\":[1 ]}");
	expect_refused("{\"a\"}");
	expect_refused("{a:1}");
	expect_refused("{\"a\":tru}");
	expect_refused("{\"a\":nul}");
	expect_refused("{\"a\":{\"b\":1]}");
	expect_refused("{\"a\":[{\"b\":1}}");
	expect_refused("{\"b\":{\"c\":falsey}}");
}

static char *nested(int depth)
{
	strbuf sb;

	sb_init(&sb, 16);
	sb_adds(&sb, "{\"a\":");
	for (int i = 0; i < depth; i++)
		sb_addc(&sb, '[');
	for (int i = 0; i < depth; i++)
		sb_addc(&sb, ']');
	sb_addc(&sb, '}');
	return sb_detach(&sb, NULL);
}

static void test_depth(void **state)
{
	static const char *const keep[] = {"a", NULL};
	sim_jpick pk;
	char *t = nested(100);

	(void)state;
	assert_int_equal(sim_jpick_read(t, keep, &pk), 0);
	cJSON_Delete(pk.tree);
	free(t);
	t = nested(5000);
	expect_refused(t);
	free(t);
}

static void test_keep_limits(void **state)
{
	const char *many[SIM_JPICK_MAX_PATHS + 2];
	char longp[SIM_JPICK_MAX_PATH + 8];
	const char *one_long[] = {longp, NULL};
	sim_jpick pk;

	(void)state;
	for (int i = 0; i <= SIM_JPICK_MAX_PATHS; i++)
		many[i] = "a";
	many[SIM_JPICK_MAX_PATHS + 1] = NULL;
	assert_int_equal(sim_jpick_read("{\"a\":1}", many, &pk), -1);
	many[SIM_JPICK_MAX_PATHS] = NULL;
	assert_int_equal(sim_jpick_read("{\"a\":1}", many, &pk), 0);
	cJSON_Delete(pk.tree);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(sim_jpick_read("{\"a\":1}", one_long, &pk), -1);
}

/* Text printed by cJSON is always accepted; keeping everything gives it back, and the
 * metadata span is the metadata printed. */
static void test_cjson_text_round_trips(void **state)
{
	static const char *const all[] = {"*", NULL};
	static const char *const src[] = {
	    "{}",
	    "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a/b\":\"c\"},\"generation\":7},\"x\":[]}",
	    "{\"a\":\"\\u0001\\b\\n\\\"\\\\ é \\u00e9 \\/ \\u001f\",\"metadata\":\"str\"}",
	    "{\"n\":[0,-5,2147483647,-2147483648,true,false,null,{},[[]]],\"k\\n\":{\"\":\"\"}}",
	    "{\"metadata\":{\"a\":{\"b\":{\"c\":[{\"d\":\"}\"}]}}},\"metadata\":{\"second\":1}}",
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(src); i++) {
		cJSON *t = cJSON_Parse(src[i]);
		char *text, *got, *meta = NULL;
		sim_jpick pk;

		assert_non_null(t);
		text = cJSON_PrintUnformatted(t);
		got = pick(text, all, &pk);
		assert_string_equal(got, text);
		if (cJSON_GetObjectItemCaseSensitive(t, "metadata"))
			meta = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(t, "metadata"));
		if (meta) {
			assert_non_null(pk.meta);
			assert_int_equal(pk.meta_len, strlen(meta));
			assert_memory_equal(pk.meta, meta, pk.meta_len);
		} else {
			assert_null(pk.meta);
		}
		free(meta);
		free(got);
		free(text);
		cJSON_Delete(pk.tree);
		cJSON_Delete(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keeps_only_the_paths),
	    cmocka_unit_test(test_path_end_keeps_the_whole_value),
	    cmocka_unit_test(test_scalars_on_the_way_are_kept),
	    cmocka_unit_test(test_missing_fields),
	    cmocka_unit_test(test_duplicates_keep_order),
	    cmocka_unit_test(test_escaped_quotes_and_brackets),
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_malformed_and_loose_text),
	    cmocka_unit_test(test_depth),
	    cmocka_unit_test(test_keep_limits),
	    cmocka_unit_test(test_cjson_text_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
