/* Unit tests for cli/output (escaping, JSON strings, fitted tables) and the
 * tenant table and JSON of cli/tenants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cli/output.h"
#include "cli/tenants.h"
#include "util/util.h"

static char *escaped(const char *s)
{
	strbuf sb;

	sb_init(&sb, 16);
	output_escape(&sb, s);
	return sb_detach(&sb, NULL);
}

static char *json(const char *s)
{
	strbuf sb;

	sb_init(&sb, 16);
	output_json_string(&sb, s);
	return sb_detach(&sb, NULL);
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n')
			return 1;
		else if ((unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static void test_escape(void **state)
{
	char *s = escaped("a\x1b[2Jb\tc\x7f");

	assert_string_equal(s, "a\\x1b[2Jb\\x09c\\x7f");
	free(s);
	s = escaped("S\xc3\xa3o Paulo"); /* UTF-8 kept */
	assert_string_equal(s, "S\xc3\xa3o Paulo");
	free(s);
	s = escaped("x\xc2\x9b"
		    "31m"); /* C1 CSI as UTF-8 */
	assert_string_equal(s, "x\\x9b31m");
	free(s);
	s = escaped("bad\xff\xc3"); /* not UTF-8 */
	assert_string_equal(s, "bad??");
	free(s);
	s = escaped("\xe0\x80\x80"); /* overlong */
	assert_string_equal(s, "???");
	free(s);
	assert_int_equal(output_width("S\xc3\xa3o"), 3);
	assert_int_equal(output_width("\x1b"), 4);
}

/* Bidirectional controls reorder what the operator reads ("Trojan Source"):
 * every one of them is written as text, never raw. */
static void test_escape_bidi(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"a\xe2\x80\xaa", "a\\u202a"}, {"\xe2\x80\xab", "\\u202b"},
	    {"\xe2\x80\xac", "\\u202c"},  {"\xe2\x80\xad", "\\u202d"},
	    {"ok\xe2\x80\xaegnp.exe", "ok\\u202egnp.exe"},
	    {"\xe2\x81\xa6", "\\u2066"}, {"\xe2\x81\xa7", "\\u2067"},
	    {"\xe2\x81\xa8", "\\u2068"}, {"\xe2\x81\xa9", "\\u2069"},
	    {"\xe2\x80\x8e", "\\u200e"}, {"\xe2\x80\x8f", "\\u200f"},
	    {"\xd8\x9c", "\\u061c"},
	    {"\xe2\x80\xa9\xe2\x81\xaa", "\xe2\x80\xa9\xe2\x81\xaa"}, /* neighbours kept */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = escaped(cases[i].in);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
	assert_int_equal(output_width("\xe2\x80\xae"), 6);
	{
		char *s = json("x\xe2\x80\xaey");
		cJSON *o = cJSON_Parse(s);

		assert_string_equal(s, "\"x\\u202ey\"");
		assert_non_null(o);
		assert_string_equal(o->valuestring, "x\xe2\x80\xaey");
		cJSON_Delete(o);
		free(s);
	}
}

static void test_json_string(void **state)
{
	char *s = json("q\"b\\n\nesc\x1b[2J\x7f\xc2\x9b");
	cJSON *o;

	assert_string_equal(s, "\"q\\\"b\\\\n\\nesc\\u001b[2J\\u007f\\u009b\"");
	o = cJSON_Parse(s);
	assert_non_null(o);
	assert_string_equal(o->valuestring, "q\"b\\n\nesc\x1b[2J\x7f\xc2\x9b");
	cJSON_Delete(o);
	free(s);
	s = json("\xff");
	assert_string_equal(s, "\"\\ufffd\"");
	free(s);
}

static void test_fit(void **state)
{
	strbuf sb;

	sb_init(&sb, 16);
	output_fit(&sb, "abcdef", 4, 1);
	assert_string_equal(sb.buf, "abc~");
	sb_reset(&sb);
	output_fit(&sb, "ab", 4, 1);
	assert_string_equal(sb.buf, "ab  ");
	sb_reset(&sb);
	output_fit(&sb, "ab", 4, 0);
	assert_string_equal(sb.buf, "ab");
	sb_reset(&sb);
	/* An escape never gets cut in half. */
	output_fit(&sb,
		   "a\x1b"
		   "bc",
		   4, 1);
	assert_string_equal(sb.buf, "a~  ");
	sb_reset(&sb);
	output_fit(&sb, "\xc3\xa3\xc3\xa3\xc3\xa3", 2, 0);
	assert_string_equal(sb.buf, "\xc3\xa3~");
	sb_release(&sb);
}

/* Each line of text at most width columns. */
static void assert_lines_fit(const char *text, size_t width)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char *line;
		assert_non_null(nl);
		line = xstrndup(p, (size_t)(nl - p));
		if (output_width(line) > width)
			fail_msg("line wider than %zu: \"%s\"", width, line);
		assert_true(!*line || line[strlen(line) - 1] != ' ');
		free(line);
		p = nl + 1;
	}
}

static void test_table_fits(void **state)
{
	static const output_col cols[] = {
	    {"TCODE", 6, 0}, {"NAME", 8, 0}, {"N", 1, 1}, {"CAUSE", 10, 0}};
	output_table t;
	strbuf sb;
	const char *r1[] = {"T12345", "A very long customer name that goes on and on", "7",
			    "lockserver down (CrashLoopBackOff, 5 restarts); dbaccess, appserver "
			    "wait for it"};
	const char *r2[] = {"T00001", "Short", "12", NULL};

	output_table_init(&t, cols, ARRAY_SIZE(cols));
	output_table_row(&t, r1);
	output_table_row(&t, r2);
	sb_init(&sb, 256);
	output_table_render(&t, 80, &sb);
	assert_lines_fit(sb.buf, 80);
	assert_true(util_starts_with(sb.buf, "TCODE   NAME"));
	assert_non_null(strstr(sb.buf, "~"));	 /* something had to give */
	assert_non_null(strstr(sb.buf, " 7  ")); /* right-aligned */
	sb_reset(&sb);
	output_table_render(&t, 0, &sb); /* no limit: nothing cut */
	assert_null(strstr(sb.buf, "~"));
	assert_non_null(strstr(sb.buf, "wait for it\n"));
	sb_reset(&sb);
	output_table_render(&t, 40, &sb);
	assert_lines_fit(sb.buf, 40);
	sb_release(&sb);
	output_table_release(&t);
}

/* A small snapshot: one tenant whose customer annotation clears the screen. */
static fleet_snapshot *evil_snapshot(void)
{
	fleet_cluster_state st;
	project_ns ns[2];
	project_workload wl[2];
	int i;

	memset(&st, 0, sizeof(st));
	util_strlcpy(st.name, "prod-cluster", sizeof(st.name));
	memset(ns, 0, sizeof(ns));
	memset(wl, 0, sizeof(wl));
	for (i = 0; i < 2; i++) {
		snprintf(ns[i].m.name, sizeof(ns[i].m.name), "t12345-%s", i ? "dev" : "prod");
		util_strlcpy(ns[i].tcode, "T12345", sizeof(ns[i].tcode));
		ns[i].env = (uint8_t)i;
		ns[i].product = MODEL_PRODUCT_ERP;
		util_strlcpy(ns[i].customer, "Evil\x1b[2J\x1b]0;pwned\x07 Corp with a long name",
			     sizeof(ns[i].customer));
		util_strlcpy(wl[i].m.ns, ns[i].m.name, sizeof(wl[i].m.ns));
		util_strlcpy(wl[i].m.name, "lockserver", sizeof(wl[i].m.name));
		util_strlcpy(wl[i].component, "lockserver\x1b[31m", sizeof(wl[i].component));
		wl[i].tier = PROJECT_TIER_BASE;
		wl[i].desired = 1;
	}
	return fleet_snapshot_build(&st, ns, 2, wl, 2, NULL, 0, NULL, 0, NULL, NULL, NULL);
}

static void test_tenant_table_escapes(void **state)
{
	fleet_snapshot *s = evil_snapshot();
	strbuf sb;

	sb_init(&sb, 1024);
	tenants_render_table(s, NULL, 0, 80, &sb);
	assert_false(has_control(sb.buf));
	assert_lines_fit(sb.buf, 80);
	assert_non_null(strstr(sb.buf, "Evil\\x1b[2J"));
	assert_non_null(strstr(sb.buf, "T12345"));
	assert_non_null(strstr(sb.buf, "down"));
	sb_reset(&sb);
	tenants_render_table(s, NULL, 1, 0, &sb);
	assert_false(has_control(sb.buf));
	assert_non_null(strstr(sb.buf, "PROVIDER"));
	sb_reset(&sb);
	tenants_render_one(s, NULL, 0, &sb);
	assert_false(has_control(sb.buf));
	sb_release(&sb);
	fleet_snapshot_put(s);
}

static void test_tenant_json(void **state)
{
	fleet_snapshot *s = evil_snapshot();
	tenants_filter none = {"available", NULL}, erp = {"down,blocked", "erp"};
	const cJSON *items, *t, *envs, *e;
	cJSON *root;
	strbuf sb;

	sb_init(&sb, 1024);
	tenants_render_json(s, NULL, &sb);
	assert_false(has_control(sb.buf));
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	assert_null(memchr(sb.buf, '\n', sb.len - 1)); /* one line */
	root = cJSON_Parse(sb.buf);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "kind")->valuestring,
			    "TenantList");
	items = cJSON_GetObjectItemCaseSensitive(root, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	t = cJSON_GetArrayItem(items, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "tcode")->valuestring, "T12345");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "cluster")->valuestring,
			    "prod-cluster");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "product")->valuestring, "erp");
	assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(t, "customer")->valuestring,
			       "\x1b[2J")); /* the value round-trips */
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "health")->valuestring, "down");
	envs = cJSON_GetObjectItemCaseSensitive(t, "envs");
	assert_int_equal(cJSON_GetArraySize(envs), 2);
	e = cJSON_GetArrayItem(envs, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "env")->valuestring, "prod");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "namespace")->valuestring,
			    "t12345-prod");
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e, "base")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(e, "public")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "hypnus")));
	cJSON_Delete(root);

	sb_reset(&sb);
	tenants_render_json(s, &none, &sb);
	assert_non_null(strstr(sb.buf, "\"items\":[]"));
	sb_reset(&sb);
	tenants_render_json(s, &erp, &sb);
	assert_non_null(strstr(sb.buf, "\"tcode\":\"T12345\""));
	sb_release(&sb);
	fleet_snapshot_put(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_escape_bidi),
	    cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_fit),
	    cmocka_unit_test(test_table_fits),
	    cmocka_unit_test(test_tenant_table_escapes),
	    cmocka_unit_test(test_tenant_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
