/* Unit tests for core/rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/rules.h"
#include "util/util.h"

/* The order as "a b c". */
static void order_str(const rules *r, char *buf, size_t size)
{
	strbuf sb;
	size_t i;

	sb_init(&sb, 64);
	for (i = 0; i < r->n; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", r->comp[r->order[i]].name);
	util_strlcpy(buf, sb.buf, size);
	sb_release(&sb);
}

static void test_defaults(void **state)
{
	rules r;
	char buf[256];

	rules_default(&r);
	assert_int_equal(r.n, 5);
	order_str(&r, buf, sizeof(buf));
	assert_string_equal(buf, "license lockserver dbaccess appserver hypnus");
	assert_true(rules_needs(&r, (size_t)rules_find(&r, "appserver"),
				(size_t)rules_find(&r, "license")));
	assert_true(rules_needs(&r, (size_t)rules_find(&r, "dbaccess"),
				(size_t)rules_find(&r, "lockserver")));
	assert_false(
	    rules_needs(&r, (size_t)rules_find(&r, "license"), (size_t)rules_find(&r, "dbaccess")));
	assert_false(
	    rules_needs(&r, (size_t)rules_find(&r, "license"), (size_t)rules_find(&r, "license")));
	assert_int_equal(rules_find(&r, "nope"), -1);
	rules_format(&r, buf, sizeof(buf));
	assert_string_equal(
	    buf, "license:\nlockserver: license\ndbaccess: lockserver\nappserver: dbaccess\n"
		 "hypnus: appserver\n");
}

static void test_order_not_text_order(void **state)
{
	rules r;
	char buf[256], err[128];

	/* written leaves first; order must still put predecessors first */
	assert_int_equal(rules_parse(&r,
				     "# custom\n"
				     "  appserver : dbaccess, license   # two needs\n"
				     "dbaccess: postgres lockserver\n"
				     "\n"
				     "lockserver: license\n"
				     "license:\n",
				     err, sizeof(err)),
			 0);
	order_str(&r, buf, sizeof(buf));
	/* postgres has no rule of its own: an unknown name, allowed, needing nothing */
	assert_int_equal(rules_find(&r, "postgres") >= 0, 1);
	assert_false(r.comp[rules_find(&r, "postgres")].has_rule);
	assert_string_equal(buf, "license postgres lockserver dbaccess appserver");
}

static void test_cycle_named(void **state)
{
	rules r;
	char err[128];

	assert_int_equal(
	    rules_parse(&r, "license: dbaccess\nlockserver: license\ndbaccess: lockserver\n", err,
			sizeof(err)),
	    -1);
	assert_string_equal(err, "cycle: license -> dbaccess -> lockserver -> license");

	assert_int_equal(rules_parse(&r, "a:\nb: b\n", err, sizeof(err)), -1);
	assert_string_equal(err, "cycle: b -> b");

	/* a cycle not reachable from the first component */
	assert_int_equal(rules_parse(&r, "a:\nb: a c\nc: d\nd: c\n", err, sizeof(err)), -1);
	assert_string_equal(err, "cycle: c -> d -> c");
}

static void test_refusals(void **state)
{
	rules r;
	char err[128];

	assert_int_equal(
	    rules_parse(&r, "license:\nlockserver: license\nlicense: x\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 3: duplicate rule for license (first on line 1)");

	assert_int_equal(rules_parse(&r, "license\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: expected \"component: needs...\", got \"license\"");

	assert_int_equal(rules_parse(&r, "a:\n: a\n", err, sizeof(err)), -1);
	assert_true(util_starts_with(err, "line 2: expected"));

	assert_int_equal(rules_parse(&r, "a: b; c\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: bad character ';' in the needs of a");

	assert_int_equal(rules_parse(&r, "a: b b\n", err, sizeof(err)), -1);
	assert_string_equal(err, "line 1: a needs b twice");

	assert_int_equal(rules_parse(&r, "# nothing\n\n", err, sizeof(err)), -1);
	assert_string_equal(err, "no rules");

	assert_int_equal(
	    rules_parse(&r, "a: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n", err, sizeof(err)), -1);
	assert_true(util_starts_with(err, "line 1: name \"bbbb"));
}

static void test_limits(void **state)
{
	rules r;
	strbuf sb;
	char err[128];
	int i;

	sb_init(&sb, 512);
	for (i = 0; i < RULES_MAX; i++)
		sb_addf(&sb, "c%d:%s\n", i, i ? " c" : "");
	/* c1.. each need "c", which makes RULES_MAX + 1 names */
	assert_int_equal(rules_parse(&r, sb.buf, err, sizeof(err)), -1);
	assert_true(strstr(err, "more than 32 components") != NULL);
	sb_reset(&sb);
	for (i = 0; i < RULES_MAX; i++)
		sb_addf(&sb, "c%d:\n", i);
	assert_int_equal(rules_parse(&r, sb.buf, err, sizeof(err)), 0);
	assert_int_equal(r.n, RULES_MAX);
	sb_release(&sb);
}

static void test_first_failing(void **state)
{
	rules r;
	unsigned char failing[RULES_MAX] = {0};
	int ls, db, app, lic;

	rules_default(&r);
	lic = rules_find(&r, "license");
	ls = rules_find(&r, "lockserver");
	db = rules_find(&r, "dbaccess");
	app = rules_find(&r, "appserver");
	assert_int_equal(rules_first_failing(&r, failing), -1);

	failing[ls] = failing[db] = failing[app] = 1;
	assert_int_equal(rules_first_failing(&r, failing), ls);

	failing[ls] = 0;
	assert_int_equal(rules_first_failing(&r, failing), db);

	failing[lic] = 1;
	assert_int_equal(rules_first_failing(&r, failing), lic);
}

static void test_first_failing_custom_chain(void **state)
{
	rules r;
	unsigned char failing[RULES_MAX] = {0};
	char err[128];

	/* dbaccess first, then license: the chain order follows the data */
	assert_int_equal(
	    rules_parse(&r, "dbaccess:\nlicense: dbaccess\nappserver: license\n", err, sizeof(err)),
	    0);
	failing[rules_find(&r, "license")] = 1;
	failing[rules_find(&r, "dbaccess")] = 1;
	assert_int_equal(rules_first_failing(&r, failing), rules_find(&r, "dbaccess"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_order_not_text_order),
	    cmocka_unit_test(test_cycle_named),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_first_failing),
	    cmocka_unit_test(test_first_failing_custom_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
