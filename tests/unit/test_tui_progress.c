/* tui/progress: elapsed time text, spinner phases, bars in ASCII and UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/progress.h"

TESTTERM_FIXTURE(80, 5)


static void test_elapsed(void **state)
{
	char b[16];

	tui_progress_elapsed(0, b, sizeof(b));
	assert_string_equal(b, "0s");
	tui_progress_elapsed(59999, b, sizeof(b));
	assert_string_equal(b, "59s");
	tui_progress_elapsed(60000, b, sizeof(b));
	assert_string_equal(b, "1m00s");
	tui_progress_elapsed(3599000, b, sizeof(b));
	assert_string_equal(b, "59m59s");
	tui_progress_elapsed(3720000, b, sizeof(b));
	assert_string_equal(b, "1h02m");
	tui_progress_elapsed(-5, b, sizeof(b));
	assert_string_equal(b, "0s");
}

static void test_spinner(void **state)
{
	assert_string_equal(tui_progress_spinner(0, 1), "|");
	assert_string_equal(tui_progress_spinner(1, 1), "/");
	assert_string_equal(tui_progress_spinner(4, 1), "|");
	assert_string_equal(tui_progress_spinner(0, 0), "\xe2\xa0\x8b");
	assert_string_not_equal(tui_progress_spinner(1, 0), tui_progress_spinner(0, 0));
}

static void test_bars(void **state)
{
	tui_progress_style st = {.bar = A_BOLD, .ascii = 1};

	werase(stdscr);
	tui_progress_draw_bar(stdscr, 0, 0, 12, 0.5, &st);
	assert_string_equal(row(0), "[#####.....]");
	assert_true(testterm_attr(stdscr, 0, 1) & A_BOLD);
	assert_false(testterm_attr(stdscr, 0, 6) & A_BOLD);
	tui_progress_draw_bar(stdscr, 0, 0, 12, 7, &st); /* clamped */
	assert_string_equal(row(0), "[##########]");
	st.ascii = 0;
	werase(stdscr);
	tui_progress_draw_bar(stdscr, 1, 0, 4, 0.5, &st); /* 16 of 32 eighths */
	assert_string_equal(row(1), "\xe2\x96\x88\xe2\x96\x88");
	tui_progress_draw_bar(stdscr, 1, 0, 4, 0.3, &st); /* 10 eighths: a full cell and a quarter */
	assert_string_equal(row(1), "\xe2\x96\x88\xe2\x96\x8e");
}

static void test_draw_line(void **state)
{
	tui_progress p;
	tui_progress_style st = {.ascii = 1};

	tui_progress_init(&p, "creating namespace t12345-dev", 1000);
	werase(stdscr);
	tui_progress_draw(&p, stdscr, 0, 0, 60, 66000, &st);
	assert_string_equal(row(0), "| creating namespace t12345-dev  1m05s");
	tui_progress_tick(&p);
	p.fraction = 0.25;
	tui_progress_draw(&p, stdscr, 0, 0, 60, 3000, &st);
	/* label, a bar filling the rest, percentage and time at the end */
	assert_true(util_starts_with(row(0), "/ creating namespace t12345-dev  [#"));
	assert_true(strstr(row(0), "]  25%  2s") != NULL);
	assert_int_equal((int)strlen(row(0)), 60);
	p.fraction = 1;
	p.label = "done\x1b[H";
	tui_progress_draw(&p, stdscr, 0, 0, 40, 3000, &st);
	assert_true(util_starts_with(row(0), "+ done\\x1b[H  [#"));
	assert_true(strstr(row(0), "#] 100%  2s") != NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elapsed),
		cmocka_unit_test(test_spinner),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_draw_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
