/* tui/heatmap: level bucketing, cell width fitting, the grid drawn in UTF-8
 * and ASCII with marks, labels escaped, too narrow refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/heatmap.h"

TESTTERM_FIXTURE(80, 24)
static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};


static void test_levels(void **state)
{
	assert_int_equal(tui_heatmap_levels(0), 5);
	assert_int_equal(tui_heatmap_levels(1), 10);
	assert_int_equal(tui_heatmap_level(0, 100, 5), 0);
	assert_int_equal(tui_heatmap_level(-3, 100, 5), 0);
	assert_int_equal(tui_heatmap_level(0.01, 100, 5), 1); /* any activity shows */
	assert_int_equal(tui_heatmap_level(25, 100, 5), 1);
	assert_int_equal(tui_heatmap_level(26, 100, 5), 2);
	assert_int_equal(tui_heatmap_level(50, 100, 5), 2);
	assert_int_equal(tui_heatmap_level(75, 100, 5), 3);
	assert_int_equal(tui_heatmap_level(76, 100, 5), 4);
	assert_int_equal(tui_heatmap_level(100, 100, 5), 4);
	assert_int_equal(tui_heatmap_level(500, 100, 5), 4);
	assert_int_equal(tui_heatmap_level(5, 0, 5), 4); /* no scale: any value is the top */
	assert_int_equal(tui_heatmap_level(1, 9, 10), 1);
	assert_int_equal(tui_heatmap_level(8.5, 9, 10), 9);
	assert_string_equal(tui_heatmap_glyph(0, 1), " ");
	assert_string_equal(tui_heatmap_glyph(9, 1), "@");
	assert_string_equal(tui_heatmap_glyph(4, 0), "\xe2\x96\x88");
	assert_string_equal(tui_heatmap_glyph(99, 1), "@");
}

static void fill(tui_heatmap *h)
{
	memset(h, 0, sizeof(*h));
	for (int r = 0; r < TUI_HEATMAP_ROWS; r++)
		h->row_label[r] = days[r];
	/* Monday 9..17 busy, peak at 12 */
	for (int c = 9; c <= 17; c++)
		h->value[1][c] = 40;
	h->value[1][12] = 100;
	h->value[3][0] = 1;
	h->mark[1][8] = 1;
	h->mark[1][9] = 1;
}

static void test_width_fits_80(void **state)
{
	tui_heatmap h;

	fill(&h);
	assert_int_equal(tui_heatmap_label_width(&h), 4);
	assert_int_equal(tui_heatmap_cell_width(&h, 80), 3);
	assert_int_equal(tui_heatmap_cell_width(&h, 76), 3);
	assert_int_equal(tui_heatmap_cell_width(&h, 75), 2);
	assert_int_equal(tui_heatmap_cell_width(&h, 52), 2);
	assert_int_equal(tui_heatmap_cell_width(&h, 51), 0);
	werase(stdscr);
	assert_int_equal(tui_heatmap_draw(&h, stdscr, 0, 0, 51, &(tui_heatmap_style){0}), -1);
	assert_string_equal(row(0), "");
}

static void test_draw_utf8_with_marks(void **state)
{
	tui_heatmap h;
	tui_heatmap_style st = {0};
	char want[256];

	st.mark = A_BOLD;
	st.level[4] = A_REVERSE;
	fill(&h);
	werase(stdscr);
	assert_int_equal(tui_heatmap_draw(&h, stdscr, 2, 1, 79, &st), 8);
	assert_string_equal(row(2), "     00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23");
	assert_string_equal(row(3), " Sun");
	/* Monday: a mark at 8 on an empty cell, 9 marked and busy, 12 the peak */
	snprintf(want, sizeof(want), " Mon%*s  \xe2\x80\xa2\xe2\x96\x92\xe2\x96\x92\xe2\x80\xa2", 25, "");
	assert_true(util_starts_with(row(4), want));
	assert_non_null(strstr(row(4), "\xe2\x96\x88\xe2\x96\x88 "));
	assert_string_equal(row(6), " Wed \xe2\x96\x91\xe2\x96\x91");
	assert_string_equal(row(9), " Sat");
	/* attributes: the peak cell in its level's attribute, marks bold */
	assert_true(testterm_attr(stdscr, 4, 5 + 12 * 3) & A_REVERSE);
	assert_false(testterm_attr(stdscr, 4, 5 + 11 * 3) & A_REVERSE);
	assert_true(testterm_attr(stdscr, 4, 5 + 9 * 3) & A_BOLD);
	assert_true(testterm_attr(stdscr, 4, 5 + 9 * 3 + 2) & A_BOLD);
	assert_false(testterm_attr(stdscr, 4, 5 + 10 * 3) & A_BOLD);

	tui_heatmap_draw_legend(stdscr, 11, 1, 60, "forecast", &st);
	assert_string_equal(row(11), " low \xe2\x96\x91\xe2\x96\x92\xe2\x96\x93\xe2\x96\x88 high  \xe2\x80\xa2 forecast");
}

static void test_draw_ascii_narrow(void **state)
{
	tui_heatmap h;
	tui_heatmap_style st = {0};
	char want[256];

	st.ascii = 1;
	fill(&h);
	h.row_label[2] = "T\x1b[1mue"; /* outside text: escaped, cut to the label width */
	werase(stdscr);
	assert_int_equal(tui_heatmap_draw(&h, stdscr, 0, 0, 70, &st), 8);
	/* label width grows with the escaped label: 11 + 48 fits 70 in 2-column cells */
	assert_int_equal(tui_heatmap_cell_width(&h, 70), 2);
	snprintf(want, sizeof(want), "%*s00    03    06    09    12    15    18    21", 11, "");
	assert_string_equal(row(0), want);
	assert_string_equal(row(3), "T\\x1b[1mue");
	/* 40 of 100 in 10 levels is level 4 "=", 100 is "@", 1 is "." */
	snprintf(want, sizeof(want), "Mon%*s^=^= = @ = = = = =", 8 + 16 + 1, "");
	assert_string_equal(row(2), want);
	assert_string_equal(row(4), "Wed        .");
	h.max = 1; /* a fixed scale: everything at or above 1 is the top */
	tui_heatmap_draw(&h, stdscr, 0, 0, 70, &st);
	assert_string_equal(row(4), "Wed        @");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_width_fits_80),
		cmocka_unit_test(test_draw_utf8_with_marks),
		cmocka_unit_test(test_draw_ascii_narrow),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
