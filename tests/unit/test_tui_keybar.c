/* tui/bars key bar: two spaces between pairs when they fit, one when not, and
 * when even that is too wide the screen's own pairs give way from the end while
 * the global ones (help, quit) stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/bars.h"

TESTTERM_FIXTURE(80, 3)

static const tui_binding screen_b[] = {
	{27, 1, "Back", "back"},     {'r', 2, "Reload", "reload"}, {'h', 3, "Hypnus", "hypnus"},
	{'l', 4, "Logs", "logs"},    {'W', 5, "Wake", "wake"},     {'Z', 6, "Sleep", "sleep"},
	{'R', 7, "Restart", "rst"},  {'y', 8, "Copy", "copy"},     {'x', 9, NULL, "not on the bar"},
};
static const tui_binding global_b[] = {{'q', 10, "Quit", "quit"}, {'?', 11, "Help", "help"}};
static const tui_keymap screen_map = {"tenant", screen_b, sizeof(screen_b) / sizeof(screen_b[0])};
static const tui_keymap global_map = {"global", global_b, 2};
static const tui_keymap *const maps[] = {&screen_map, &global_map};

static void test_wide_two_spaces(void **state)
{
	(void)state;
	werase(stdscr);
	tui_keybar_draw(stdscr, 0, 80, &maps[1], 1);
	assert_string_equal(row(0), "q Quit  ? Help");
}

static void test_80_one_space_keeps_help(void **state)
{
	(void)state;
	werase(stdscr);
	tui_keybar_draw(stdscr, 0, 80, maps, 2);
	assert_string_equal(row(0),
			    "Esc Back r Reload h Hypnus l Logs W Wake Z Sleep R Restart y Copy q Quit ? Help");
}

static void test_narrow_drops_screen_keys_first(void **state)
{
	(void)state;
	werase(stdscr);
	tui_keybar_draw(stdscr, 0, 50, maps, 2);
	assert_string_equal(row(0), "Esc Back r Reload h Hypnus l Logs q Quit ? Help");
	werase(stdscr);
	tui_keybar_draw(stdscr, 0, 14, maps, 2);
	assert_string_equal(row(0), "q Quit ? Help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wide_two_spaces),
		cmocka_unit_test(test_80_one_space_keeps_help),
		cmocka_unit_test(test_narrow_drops_screen_keys_first),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
