/* Unit tests for sim/selector.c: label and field selector grammar, validation, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/store.h"
#include "util/util.h"

struct fixture {
	sim_store *s;
	sim_obj *web, *db, *bare, *ev, *pod;
};

static sim_obj *make(sim_store *s, const char *plural, const char *ns, const char *text)
{
	const sim_resource *r = sim_resource_find("", "v1", plural);
	cJSON *j = cJSON_Parse(text);
	sim_obj *o = NULL;
	sim_err err = {0};

	assert_non_null(j);
	if (sim_store_create(s, r, ns, j, 0, &o, &err))
		fail_msg("create: %s", err.message);
	cJSON_Delete(j);
	return o;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->s = sim_store_new(16);
	sim_obj_unref(make(f->s, "namespaces", NULL, "{\"metadata\":{\"name\":\"ns1\"}}"));
	f->web = make(f->s, "pods", "ns1",
		      "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\",\"tier\":\"public\","
		      "\"smart.totvs.com/tcode\":\"T1\"}},\"spec\":{\"nodeName\":\"n1\"},"
		      "\"status\":{\"phase\":\"Running\"}}");
	f->db = make(f->s, "pods", "ns1",
		     "{\"metadata\":{\"name\":\"db\",\"labels\":{\"app\":\"db\",\"tier\":\"base\"}},"
		     "\"status\":{\"phase\":\"Pending\"}}");
	f->bare = make(f->s, "pods", "ns1", "{\"metadata\":{\"name\":\"bare\"}}");
	f->ev = make(f->s, "events", "ns1",
		     "{\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web\","
		     "\"namespace\":\"ns1\",\"uid\":\"u-1\"},\"reason\":\"Started\",\"type\":\"Normal\"}");
	f->pod = f->web;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sim_obj_unref(f->web);
	sim_obj_unref(f->db);
	sim_obj_unref(f->bare);
	sim_obj_unref(f->ev);
	sim_store_free(f->s);
	free(f);
	return 0;
}

/* Bit i set when object i of (web, db, bare) matches the label selector. */
static int lmask(struct fixture *f, const char *text)
{
	sim_err err = {0};
	sim_selector *sel = sim_selector_parse_labels(text, &err);
	int m;

	if (!sel)
		fail_msg("parse \"%s\": %s", text, err.message);
	m = sim_selector_match(sel, f->web) | sim_selector_match(sel, f->db) << 1 |
	    sim_selector_match(sel, f->bare) << 2;
	sim_selector_free(sel);
	return m;
}

static void test_label_operators(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(lmask(f, ""), 7);
	assert_int_equal(lmask(f, "app=web"), 1);
	assert_int_equal(lmask(f, "app==db"), 2);
	assert_int_equal(lmask(f, "app!=web"), 6); /* objects without the label match != */
	assert_int_equal(lmask(f, "app in (web,db)"), 3);
	assert_int_equal(lmask(f, "app in (web)"), 1);
	assert_int_equal(lmask(f, "app notin (web)"), 6);
	assert_int_equal(lmask(f, "app"), 3);
	assert_int_equal(lmask(f, "!app"), 4);
	assert_int_equal(lmask(f, "app,tier=base"), 2);
	assert_int_equal(lmask(f, "app=web,tier=base"), 0);
	assert_int_equal(lmask(f, "  app = web ,  tier in ( public , x )  "), 1);
	assert_int_equal(lmask(f, "smart.totvs.com/tcode=T1"), 1);
	assert_int_equal(lmask(f, "smart.totvs.com/tcode notin (T2)"), 7);
	assert_int_equal(lmask(f, "app="), 0); /* empty value: present and empty */
	assert_int_equal(lmask(f, "nothere!="), 7);
	assert_int_equal(sim_selector_match(NULL, f->bare), 1);
}

static void expect_label_error(const char *text, const char *fragment)
{
	sim_err err = {0};
	sim_selector *sel = sim_selector_parse_labels(text, &err);

	if (sel)
		fail_msg("\"%s\" parsed, expected an error", text);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.reason, "BadRequest");
	if (!strstr(err.message, fragment))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.message, fragment);
}

static void test_label_errors(void **state)
{
	expect_label_error("(", "found '(', expected: !, identifier");
	expect_label_error("a in (x", "found ''");
	expect_label_error("a in ()", "values set can't be empty");
	expect_label_error("a in x", "found 'x', expected: '('");
	expect_label_error("a b", "found 'b'");
	expect_label_error("a=b c", "found 'c'");
	expect_label_error("a=b,", "found ''");
	expect_label_error("a>1", "found '>'");
	expect_label_error("!", "expected: identifier");
	expect_label_error("-bad=x", "invalid label key \"-bad\"");
	expect_label_error("Bad_Prefix.com/x=y", "prefix part");
	expect_label_error("a=-v", "invalid label value");
	expect_label_error("a=x/y", "invalid label value");
	expect_label_error("a=(x)", "found '('");
	{
		char key[80];
		memset(key, 'k', 64);
		key[64] = '\0';
		expect_label_error(key, "at most 63");
	}
}

static int fmatch(sim_obj *o, const char *text)
{
	sim_err err = {0};
	sim_selector *sel = sim_selector_parse_fields(text, &err);
	int m;

	if (!sel)
		fail_msg("parse \"%s\": %s", text, err.message);
	m = sim_selector_match(sel, o);
	sim_selector_free(sel);
	return m;
}

static void test_field_selectors(void **state)
{
	struct fixture *f = *state;
	sim_err err = {0};
	sim_selector *sel;

	assert_true(fmatch(f->web, "metadata.name=web"));
	assert_true(fmatch(f->web, "metadata.name==web"));
	assert_false(fmatch(f->web, "metadata.name!=web"));
	assert_true(fmatch(f->web, "metadata.namespace=ns1,metadata.name=web"));
	assert_false(fmatch(f->db, "metadata.namespace=ns1,metadata.name=web"));
	assert_true(fmatch(f->web, " metadata.name = web "));
	assert_true(fmatch(f->web, "status.phase=Running"));
	assert_false(fmatch(f->db, "status.phase=Running"));
	assert_true(fmatch(f->web, "spec.nodeName=n1"));
	assert_true(fmatch(f->bare, "spec.nodeName=")); /* absent reads as empty */
	assert_true(fmatch(f->db, "status.phase!=Running"));
	assert_true(fmatch(f->ev, "involvedObject.name=web,involvedObject.kind=Pod"));
	assert_true(fmatch(f->ev, "involvedObject.namespace=ns1,involvedObject.uid=u-1"));
	assert_true(fmatch(f->ev, "reason=Started,type=Normal"));
	assert_false(fmatch(f->ev, "type=Warning"));
	assert_true(fmatch(f->web, "metadata.name!=a\\,b"));
	assert_true(fmatch(f->web, ""));

	sel = sim_selector_parse_fields("spec.foo=bar", &err);
	assert_null(sel);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message, "field label not supported: spec.foo");
	assert_null(sim_selector_parse_fields("metadata.name", &err));
	assert_int_equal(err.code, 400);
	assert_non_null(strstr(err.message, "metadata.name"));
	assert_null(sim_selector_parse_fields("metadata.name=a,,", &err));
	assert_int_equal(err.code, 400);
	assert_null(sim_selector_parse_fields("metadata.name=a\\q", &err));
	assert_int_equal(err.code, 400);

	/* supported per resource */
	sel = sim_selector_parse_fields("involvedObject.name=web", &err);
	assert_non_null(sel);
	assert_int_equal(sim_selector_check_fields(sel, sim_resource_find("", "v1", "events"), &err), 0);
	assert_int_equal(sim_selector_check_fields(sel, sim_resource_find("", "v1", "pods"), &err), -1);
	assert_string_equal(err.message, "field label not supported: involvedObject.name");
	sim_selector_free(sel);
	sel = sim_selector_parse_labels("x=y", &err);
	assert_int_equal(sim_selector_check_fields(sel, sim_resource_find("", "v1", "pods"), &err), 0);
	sim_selector_free(sel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_label_operators, setup, teardown),
		cmocka_unit_test(test_label_errors),
		cmocka_unit_test_setup_teardown(test_field_selectors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
