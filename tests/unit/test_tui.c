/* tui: theme files and their parser, key names, table column fitting, test scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/keymap.h"
#include "tui/script.h"
#include "tui/table.h"
#include "tui/term.h"
#include "tui/theme.h"
#include "util/util.h"

static const char *const theme_names[] = {"default", "dark", "light", "high-contrast", "mono"};

/* The themes folder of the source tree: the binary is BUILD/tests/test_tui. */
static char *themes_dir(void)
{
	char exe[1024], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	return xasprintf("%s/../../themes", exe);
}

static int same_style(const tui_style *a, const tui_style *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs;
}

static void test_every_theme_keeps_health_apart(void **state)
{
	char *dir = themes_dir(), err[256];
	size_t i;

	setenv("SMARTOPS_THEMES", dir, 1);
	for (i = 0; i < ARRAY_SIZE(theme_names); i++) {
		tui_theme t;
		int a, b;
		if (tui_theme_load(&t, theme_names[i], err, sizeof(err)) < 0)
			fail_msg("theme %s: %s", theme_names[i], err);
		assert_string_equal(t.name, theme_names[i]);
		for (a = TUI_ROLE_AVAILABLE; a <= TUI_ROLE_UNKNOWN; a++)
			for (b = a + 1; b <= TUI_ROLE_UNKNOWN; b++) {
				if (same_style(&t.role[a], &t.role[b]))
					fail_msg("theme %s: %s and %s look the same", theme_names[i],
						 tui_role_name((tui_role)a), tui_role_name((tui_role)b));
				if (t.mono[a] == t.mono[b])
					fail_msg("theme %s: %s and %s look the same without colour",
						 theme_names[i], tui_role_name((tui_role)a),
						 tui_role_name((tui_role)b));
			}
	}
	unsetenv("SMARTOPS_THEMES");
	free(dir);
}

static void test_theme_parse_errors_name_the_line(void **state)
{
	tui_theme t;
	char err[256];

	tui_theme_default(&t);
	assert_int_equal(tui_theme_parse(&t, "normal red blue\nbogus red blue\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(tui_theme_parse(&t, "title purple blue\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1"));
	assert_int_equal(tui_theme_parse(&t, "title red blue blink\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "blink"));
	assert_int_equal(tui_theme_parse(&t, "title red\n", err, sizeof(err)), -1);
	assert_int_equal(tui_theme_parse(&t, "# only a comment\n\nhealth-down 196 bright-black bold mono reverse\n",
					 err, sizeof(err)), 0);
	assert_int_equal(t.role[TUI_ROLE_DOWN].fg, 196);
	assert_int_equal(t.role[TUI_ROLE_DOWN].bg, 8);
	assert_int_equal(t.role[TUI_ROLE_DOWN].attrs, TUI_A_BOLD);
	assert_int_equal(t.mono[TUI_ROLE_DOWN], TUI_A_REVERSE);
}

static void test_theme_load_refuses_unknown_names(void **state)
{
	tui_theme t;
	char err[256];

	setenv("SMARTOPS_THEMES", "/nonexistent", 1);
	assert_int_equal(tui_theme_load(&t, "nosuch", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no theme named \"nosuch\""));
	assert_int_equal(tui_theme_load(&t, "Bad Name", err, sizeof(err)), -1);
	assert_int_equal(tui_theme_load(&t, "/nonexistent/x.theme", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read"));
	unsetenv("SMARTOPS_THEMES");
}

static void test_key_names_round_trip(void **state)
{
	const char *s = "a<Enter><Down><C-l><Lt>é<PgDn>";
	char buf[16];

	assert_int_equal(tui_key_parse(&s), 'a');
	assert_int_equal(tui_key_parse(&s), TUI_KEY_ENTER);
	assert_int_equal(tui_key_parse(&s), TUI_KEY_FN(KEY_DOWN));
	assert_int_equal(tui_key_parse(&s), TUI_KEY_CTRL('l'));
	assert_int_equal(tui_key_parse(&s), '<');
	assert_int_equal(tui_key_parse(&s), 0xe9);
	assert_int_equal(tui_key_parse(&s), TUI_KEY_FN(KEY_NPAGE));
	assert_int_equal(tui_key_parse(&s), 0);
	s = "<Nope>";
	assert_int_equal(tui_key_parse(&s), -1);
	assert_string_equal(tui_key_name(TUI_KEY_ENTER, buf, sizeof(buf)), "Enter");
	assert_string_equal(tui_key_name(TUI_KEY_CTRL('l'), buf, sizeof(buf)), "^L");
	assert_string_equal(tui_key_name('/', buf, sizeof(buf)), "/");
}

static void test_keymap_finds_requests(void **state)
{
	static const tui_binding b[] = {{'q', 1, "Quit", "quit"}, {'/', 2, NULL, "filter"}};
	static const tui_keymap m = {"t", b, 2};

	assert_int_equal(tui_keymap_find(&m, '/'), 2);
	assert_int_equal(tui_keymap_find(&m, 'x'), -1);
}

static void test_table_widths_fit_and_flex(void **state)
{
	static const tui_column cols[] = {
	    {"A", 6, 6, 0}, {"B", 24, 12, 0}, {"C", 9, 9, 0}, {"D", 60, 20, 1}};
	int w[4], total;

	tui_table_widths(cols, 4, 80, w);
	total = w[0] + w[1] + w[2] + w[3] + 3;
	assert_int_equal(total, 80);
	assert_int_equal(w[0], 6);
	assert_int_equal(w[2], 9);
	assert_true(w[1] >= 12 && w[3] >= 20);
	tui_table_widths(cols, 4, 200, w);
	assert_int_equal(w[1], 24);
	assert_int_equal(w[3], 200 - 6 - 24 - 9 - 3); /* the flex column takes the rest */
	tui_table_widths(cols, 4, 30, w);
	assert_int_equal(w[1], 12); /* never below min, even if the line overflows */
	assert_int_equal(w[3], 20);
}

static void test_script_steps(void **state)
{
	FILE *fp = fopen("s.keys", "w");
	tui_script *s;
	tui_step st;
	char err[256];

	fputs("# comment\n\n/ab<Enter>\n:save-display out.txt\n:resize 100x30\n"
	      ":wait-for \"cluster x\" 5\n:sleep 20\n:tenant T12345\n<Colon>q\n<Bad>\n", fp);
	fclose(fp);
	s = tui_script_open("s.keys", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(tui_script_next(s, &st, err, sizeof(err)), 0);
	assert_int_equal(st.kind, TUI_STEP_KEY);
	assert_int_equal(st.key, '/');
	assert_int_equal(st.line, 3);
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.key, 'a');
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.key, 'b');
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.key, TUI_KEY_ENTER);
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.kind, TUI_STEP_SAVE);
	assert_string_equal(st.arg, "out.txt");
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.kind, TUI_STEP_RESIZE);
	assert_int_equal(st.cols, 100);
	assert_int_equal(st.lines, 30);
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.kind, TUI_STEP_WAIT_FOR);
	assert_string_equal(st.arg, "cluster x");
	assert_int_equal(st.ms, 5000);
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.kind, TUI_STEP_SLEEP);
	assert_int_equal(st.ms, 20);
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.kind, TUI_STEP_COMMAND);
	assert_string_equal(st.arg, "tenant T12345");
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.key, ':');
	tui_script_next(s, &st, err, sizeof(err));
	assert_int_equal(st.key, 'q');
	assert_int_equal(tui_script_next(s, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 10"));
	tui_script_free(s);
	assert_null(tui_script_open("missing.keys", err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_theme_keeps_health_apart),
	    cmocka_unit_test(test_theme_parse_errors_name_the_line),
	    cmocka_unit_test(test_theme_load_refuses_unknown_names),
	    cmocka_unit_test(test_key_names_round_trip),
	    cmocka_unit_test(test_keymap_finds_requests),
	    cmocka_unit_test(test_table_widths_fit_and_flex),
	    cmocka_unit_test(test_script_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
