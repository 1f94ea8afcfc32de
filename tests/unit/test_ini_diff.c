/* Unit tests for core/ini_diff: Protheus .ini files compared by section and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/ini_diff.h"
#include "util/util.h"

static void parse(const char *s, ini_file *f)
{
	ini_parse(s, strlen(s), f);
}

static void test_parse(void **state)
{
	ini_file f;

	parse("; appserver.ini\n"
	      "[General]\n"
	      "  MaxStringSize = 10 \r\n"
	      "# a comment\n"
	      "[PROTHEUS12]\n"
	      "SourcePath=/totvs/apo\n"
	      "RpoCustom=s3://a/custom.rpo\n"
	      "rpocustom=s3://b/custom.rpo\n" /* the last one counts, whatever the case */
	      "no equals sign here\n"
	      "=no key\n"
	      "[ webapp ]\n"
	      "Port=8080",
	      &f);
	assert_int_equal(f.n, 4);
	assert_false(f.truncated);
	assert_string_equal(ini_get(&f, "general", "MAXSTRINGSIZE"), "10");
	assert_string_equal(ini_get(&f, "PROTHEUS12", "RPOCustom"), "s3://b/custom.rpo");
	assert_string_equal(ini_get(&f, "WEBAPP", "port"), "8080");
	assert_null(ini_get(&f, "PROTHEUS12", "Port"));
	ini_free(&f);

	parse("", &f);
	assert_int_equal(f.n, 0);
	ini_free(&f);
}

static void test_bounds(void **state)
{
	strbuf sb;
	ini_file f;
	int i;

	sb_init(&sb, 1 << 16);
	sb_adds(&sb, "[S]\nlong=");
	for (i = 0; i < INI_MAX_LINE; i++)
		sb_adds(&sb, "x");
	sb_adds(&sb, "\nshort=1\n");
	for (i = 0; i < INI_MAX_ENTRIES + 10; i++)
		sb_addf(&sb, "k%d=%d\n", i, i);
	ini_parse(sb.buf, sb.len, &f);
	assert_true(f.truncated);
	assert_int_equal(f.n, INI_MAX_ENTRIES);
	assert_null(ini_get(&f, "S", "long"));
	assert_string_equal(ini_get(&f, "S", "short"), "1");
	ini_free(&f);
	sb_release(&sb);
}

static void test_diff(void **state)
{
	ini_file a, b;
	ini_change *c;
	size_t n;

	parse("[PROTHEUS12]\nSourcePath=/totvs/apo\nRPOCustom=s3://r/1/custom.rpo\nTopDatabase=t1_prod\n"
	      "[WEBAPP]\nPort=8080\n[HTTPREST]\nPort=8400\n",
	      &a);
	/* same meaning written differently, one change, one key gone, one added, one section added */
	parse("[webapp]\nport = 8080\n[protheus12]\nsourcepath=/totvs/apo\nRPOCustom=s3://r/2/custom.rpo\n"
	      "TopAlias=t1_dev\n[LOCKSERVER]\nEnable=1\n[HTTPREST]\nPort=8400\n",
	      &b);
	n = ini_diff(&a, &b, &c);
	assert_int_equal(n, 4);
	assert_int_equal(c[0].kind, INI_CHANGED);
	assert_string_equal(c[0].section, "PROTHEUS12");
	assert_string_equal(c[0].key, "RPOCustom");
	assert_string_equal(c[0].a, "s3://r/1/custom.rpo");
	assert_string_equal(c[0].b, "s3://r/2/custom.rpo");
	assert_int_equal(c[1].kind, INI_ONLY_A);
	assert_string_equal(c[1].key, "TopDatabase");
	assert_null(c[1].b);
	assert_int_equal(c[2].kind, INI_ONLY_B);
	assert_string_equal(c[2].section, "PROTHEUS12");
	assert_string_equal(c[2].key, "TopAlias");
	assert_null(c[2].a);
	assert_int_equal(c[3].kind, INI_ONLY_B);
	assert_string_equal(c[3].section, "LOCKSERVER");
	assert_string_equal(c[3].key, "Enable");
	free(c);

	/* a file against itself: nothing */
	n = ini_diff(&a, &a, &c);
	assert_int_equal(n, 0);
	free(c);
	ini_free(&a);
	ini_free(&b);

	/* against an empty file: everything, one side */
	parse("[S]\nk=v\n", &a);
	parse("", &b);
	n = ini_diff(&b, &a, &c);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].kind, INI_ONLY_B);
	free(c);
	ini_free(&a);
	ini_free(&b);
}

/* A section met twice in a file is one section; files at the entry limit, each
 * key in its own section, found by the index (as many sections as entries). */
static void test_diff_sections_and_size(void **state)
{
	ini_file a, b;
	ini_change *c;
	strbuf sa, sb;
	size_t n, i;

	parse("[S1]\nk=1\n[s2]\nk=2\n[S1]\nj=3\n", &a);
	parse("[s2]\nK=9\n[S3]\nx=1\n[s1]\nK=1\n", &b);
	n = ini_diff(&a, &b, &c);
	assert_int_equal(n, 3);
	assert_int_equal(c[0].kind, INI_ONLY_A); /* S1 first, both its keys together */
	assert_string_equal(c[0].key, "j");
	assert_int_equal(c[1].kind, INI_CHANGED);
	assert_string_equal(c[1].section, "s2");
	assert_string_equal(c[1].b, "9");
	assert_int_equal(c[2].kind, INI_ONLY_B);
	assert_string_equal(c[2].section, "S3");
	free(c);
	ini_free(&a);
	ini_free(&b);

	sb_init(&sa, 1 << 16);
	sb_init(&sb, 1 << 16);
	for (i = 0; i < INI_MAX_ENTRIES + 10; i++) {
		sb_addf(&sa, "[Sec%zu]\nKey%zu=%zu\n", i, i, i);
		sb_addf(&sb, "[sec%zu]\nkey%zu=%zu\n", INI_MAX_ENTRIES + 9 - i,
			INI_MAX_ENTRIES + 9 - i, (INI_MAX_ENTRIES + 9 - i) % 7 ? INI_MAX_ENTRIES + 9 - i : 0);
	}
	ini_parse(sa.buf, sa.len, &a);
	ini_parse(sb.buf, sb.len, &b);
	assert_int_equal(a.n, INI_MAX_ENTRIES);
	assert_true(a.truncated);
	assert_string_equal(ini_get(&a, "SEC1000", "KEY1000"), "1000");
	assert_string_equal(ini_get(&b, "Sec1000", "Key1000"), "1000");
	assert_null(ini_get(&a, "Sec1030", "Key1030"));
	n = ini_diff(&a, &b, &c);
	/* a keeps 0..1023, b keeps 1033 down to 10: 10 only in a, 10 only in b, and
	 * the multiples of 7 in 10..1023 changed (to 0), 0 itself being in a only */
	{
		size_t only_a = 0, only_b = 0, changed = 0, want_changed = 0;
		for (i = 10; i < INI_MAX_ENTRIES; i++)
			want_changed += i % 7 == 0;
		for (i = 0; i < n; i++) {
			only_a += c[i].kind == INI_ONLY_A;
			only_b += c[i].kind == INI_ONLY_B;
			changed += c[i].kind == INI_CHANGED;
		}
		assert_int_equal(only_a, 10);
		assert_int_equal(only_b, 10);
		assert_int_equal(changed, want_changed);
	}
	free(c);
	ini_free(&a);
	ini_free(&b);
	sb_release(&sa);
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_diff), cmocka_unit_test(test_diff_sections_and_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
