/* tui/logpane drawn on a screen without a terminal: follow and pause, scroll,
 * wrap and sideways scroll, search with highlight, escaping, dropped lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/logpane.h"

TESTTERM_FIXTURE(60, 12)
static const tui_logpane_style style = {A_NORMAL, A_REVERSE, 0};


static void push_n(tui_logring *r, int from, int to)
{
	char line[64];

	for (int i = from; i < to; i++) {
		int n = snprintf(line, sizeof(line), "line %d", i);
		tui_logring_push(r, line, (size_t)n);
	}
}

static void test_follow_pause_and_scroll(void **state)
{
	tui_logring r;
	tui_logpane p;

	tui_logring_init(&r, 1000, 1 << 20, 0);
	tui_logpane_init(&p, &r);
	push_n(&r, 0, 20);
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(1), "  line 15");
	assert_string_equal(row(5), "  line 19");
	assert_string_equal(row(0), "");
	assert_string_equal(row(6), "");

	/* following: new lines push the view */
	push_n(&r, 20, 22);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(5), "  line 21");

	/* up a line pauses; new lines no longer move the view */
	assert_int_equal(tui_logpane_key(&p, KEY_UP), LOGPANE_HANDLED);
	assert_int_equal(p.follow, 0);
	push_n(&r, 22, 30);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(1), "  line 16");
	assert_string_equal(row(5), "  line 20");

	/* a page down, then past the end stops at the last screenful */
	tui_logpane_key(&p, KEY_NPAGE);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(1), "  line 20");
	for (int i = 0; i < 5; i++)
		tui_logpane_key(&p, 'j');
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(5), "  line 29");
	assert_int_equal(p.follow, 0);

	/* home, then f resumes following */
	tui_logpane_key(&p, 'g');
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(1), "  line 0");
	tui_logpane_key(&p, 'f');
	push_n(&r, 30, 31);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(5), "  line 30");
	/* f again pauses where the screen is */
	tui_logpane_key(&p, 'f');
	push_n(&r, 31, 40);
	tui_logpane_draw(&p, stdscr, 1, 2, 5, 30, &style);
	assert_string_equal(row(5), "  line 30");
	assert_int_equal(tui_logpane_key(&p, 'x'), LOGPANE_IGNORED);

	tui_logpane_release(&p);
	tui_logring_release(&r);
}

static void test_paused_view_survives_dropped_lines(void **state)
{
	tui_logring r;
	tui_logpane p;
	strbuf sb;

	tui_logring_init(&r, 10, 1 << 20, 0);
	tui_logpane_init(&p, &r);
	push_n(&r, 0, 10);
	tui_logpane_key(&p, 'g');
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 0, 0, 3, 30, &style);
	assert_string_equal(row(0), "line 0");
	push_n(&r, 10, 25); /* lines 0..14 dropped */
	tui_logpane_draw(&p, stdscr, 0, 0, 3, 30, &style);
	assert_string_equal(row(0), "line 15");
	assert_string_equal(row(2), "line 17");
	sb_init(&sb, 64);
	tui_logpane_status(&p, &sb);
	assert_non_null(strstr(sb.buf, "PAUSED"));
	assert_non_null(strstr(sb.buf, "lines 1-3 of 10"));
	assert_non_null(strstr(sb.buf, "dropped 15"));
	sb_release(&sb);
	tui_logpane_release(&p);
	tui_logring_release(&r);
}

static void test_wrap_and_sideways_scroll(void **state)
{
	tui_logring r;
	tui_logpane p;
	char longline[80];

	for (int i = 0; i < 75; i++)
		longline[i] = (char)('a' + i % 26);
	longline[75] = '\0';
	tui_logring_init(&r, 100, 1 << 20, 0);
	tui_logpane_init(&p, &r);
	tui_logring_push(&r, "first", 5);
	tui_logring_push(&r, longline, 75);
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 0, 0, 4, 30, &style);
	assert_string_equal(row(0), "first");
	assert_string_equal(row(1), "abcdefghijklmnopqrstuvwxyzabcd");
	assert_string_equal(row(2), "");

	tui_logpane_key(&p, KEY_RIGHT);
	tui_logpane_draw(&p, stdscr, 0, 0, 4, 30, &style);
	assert_string_equal(row(0), "");
	assert_string_equal(row(1), "ijklmnopqrstuvwxyzabcdefghijkl");
	tui_logpane_key(&p, KEY_LEFT);
	tui_logpane_draw(&p, stdscr, 0, 0, 4, 30, &style);
	assert_string_equal(row(1), "abcdefghijklmnopqrstuvwxyzabcd");

	/* wrap: 75 columns take 3 rows of 30; following shows the end */
	tui_logpane_key(&p, 'w');
	tui_logpane_draw(&p, stdscr, 0, 0, 4, 30, &style);
	assert_string_equal(row(0), "first");
	assert_string_equal(row(1), "abcdefghijklmnopqrstuvwxyzabcd");
	assert_string_equal(row(2), "efghijklmnopqrstuvwxyzabcdefgh");
	assert_string_equal(row(3), "ijklmnopqrstuvw");
	/* a smaller pane: the last rows of the long line */
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 0, 0, 2, 30, &style);
	assert_string_equal(row(0), "efghijklmnopqrstuvwxyzabcdefgh");
	assert_string_equal(row(1), "ijklmnopqrstuvw");
	/* scrolling up goes row by row inside the wrapped line */
	tui_logpane_key(&p, 'k');
	tui_logpane_draw(&p, stdscr, 0, 0, 2, 30, &style);
	assert_string_equal(row(0), "abcdefghijklmnopqrstuvwxyzabcd");
	tui_logpane_key(&p, 'k');
	tui_logpane_draw(&p, stdscr, 0, 0, 2, 30, &style);
	assert_string_equal(row(0), "first");
	tui_logpane_release(&p);
	tui_logring_release(&r);
}

static void test_escaped_and_ascii(void **state)
{
	tui_logring r;
	tui_logpane p;
	tui_logpane_style ascii = style;
	const char *evil = "\x1b[2Jboom\x07 caf\xc3\xa9";

	ascii.ascii = 1;
	tui_logring_init(&r, 100, 1 << 20, 0);
	tui_logpane_init(&p, &r);
	tui_logring_push(&r, evil, strlen(evil));
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 0, 0, 1, 40, &style);
	assert_string_equal(row(0), "\\x1b[2Jboom\\x07 caf\xc3\xa9");
	tui_logpane_draw(&p, stdscr, 0, 0, 1, 40, &ascii);
	assert_string_equal(row(0), "\\x1b[2Jboom\\x07 caf?");
	tui_logpane_release(&p);
	tui_logring_release(&r);
}

static void test_search_highlight_and_next(void **state)
{
	tui_logring r;
	tui_logpane p;
	strbuf sb;

	tui_logring_init(&r, 1000, 1 << 20, 0);
	tui_logpane_init(&p, &r);
	push_n(&r, 0, 100);
	werase(stdscr);
	tui_logpane_draw(&p, stdscr, 0, 0, 5, 30, &style);
	/* following shows 95..99; a forward search from the top of the screen wraps */
	assert_int_equal(tui_logpane_search(&p, "LINE 4", 1), LOGPANE_HANDLED);
	assert_int_equal(p.match, 4);
	assert_int_equal(p.follow, 0);
	tui_logpane_draw(&p, stdscr, 0, 0, 5, 30, &style);
	assert_string_equal(row(0), "line 4");
	assert_string_equal(row(1), "line 5");
	/* every match on the screen is highlighted, the rest is not */
	assert_true(testterm_attr(stdscr, 0, 0) & A_REVERSE);
	assert_true(testterm_attr(stdscr, 0, 5) & A_REVERSE);
	assert_false(testterm_attr(stdscr, 1, 0) & A_REVERSE);
	/* next: 40 (brought to the top), then 41, ... 49, then wrap to 4 */
	assert_int_equal(tui_logpane_key(&p, 'n'), LOGPANE_HANDLED);
	assert_int_equal(p.match, 40);
	tui_logpane_draw(&p, stdscr, 0, 0, 5, 30, &style);
	assert_string_equal(row(0), "line 40");
	assert_true(testterm_attr(stdscr, 0, 0) & A_REVERSE);
	assert_true(testterm_attr(stdscr, 1, 5) & A_REVERSE);
	assert_false(testterm_attr(stdscr, 1, 6) & A_REVERSE);
	assert_int_equal(tui_logpane_key(&p, 'n'), LOGPANE_HANDLED);
	assert_int_equal(p.match, 41);
	tui_logpane_draw(&p, stdscr, 0, 0, 5, 30, &style);
	assert_string_equal(row(0), "line 40"); /* visible: the view stays */
	/* previous from 41: 40, then back past 4 wraps to 49 */
	tui_logpane_key(&p, 'N');
	assert_int_equal(p.match, 40);
	tui_logpane_search(&p, "line 4", -1);
	assert_int_equal(p.match, 4);
	tui_logpane_key(&p, 'N');
	assert_int_equal(p.match, 49);
	/* nothing found */
	assert_int_equal(tui_logpane_search(&p, "nowhere", 1), LOGPANE_NOT_FOUND);
	sb_init(&sb, 64);
	tui_logpane_status(&p, &sb);
	assert_non_null(strstr(sb.buf, "no match"));
	sb_release(&sb);
	/* an empty search clears the highlight */
	assert_int_equal(tui_logpane_search(&p, "", 1), LOGPANE_HANDLED);
	tui_logpane_draw(&p, stdscr, 0, 0, 5, 30, &style);
	assert_false(testterm_attr(stdscr, 0, 0) & A_REVERSE);
	tui_logpane_release(&p);
	tui_logring_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow_pause_and_scroll),
		cmocka_unit_test(test_paused_view_survives_dropped_lines),
		cmocka_unit_test(test_wrap_and_sideways_scroll),
		cmocka_unit_test(test_escaped_and_ascii),
		cmocka_unit_test(test_search_highlight_and_next),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
