/* tui/menu: moving, picking, greyed items answer MENU_GREYED, hot keys, the
 * box drawn with labels and notes escaped, scrolling when it is long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/keymap.h"
#include "tui/menu.h"

TESTTERM_FIXTURE(80, 24)

static void test_keys(void **state)
{
	tui_menu m;
	int picked;

	tui_menu_init(&m, "Wake T12345: which environment?");
	assert_int_equal(tui_menu_add(&m, "prod", "now sleeping", 'p', 0), 0);
	assert_int_equal(tui_menu_add(&m, "dev", "already active: nothing to do", 'd', 1), 1);
	assert_int_equal(tui_menu_key(&m, TUI_KEY_ENTER, &picked), MENU_PICKED);
	assert_int_equal(picked, 0);
	assert_int_equal(tui_menu_key(&m, TUI_KEY_FN(KEY_DOWN), &picked), MENU_HANDLED);
	assert_int_equal(m.sel, 1);
	assert_int_equal(tui_menu_key(&m, TUI_KEY_FN(KEY_DOWN), &picked), MENU_HANDLED);
	assert_int_equal(m.sel, 1); /* stays on the last */
	assert_int_equal(tui_menu_key(&m, TUI_KEY_ENTER, &picked), MENU_GREYED);
	assert_int_equal(picked, 1);
	assert_int_equal(tui_menu_key(&m, 'p', &picked), MENU_PICKED);
	assert_int_equal(picked, 0);
	assert_int_equal(tui_menu_key(&m, 'd', &picked), MENU_GREYED);
	assert_int_equal(tui_menu_key(&m, 'x', &picked), MENU_HANDLED);
	assert_int_equal(picked, -1);
	assert_int_equal(tui_menu_key(&m, TUI_KEY_ESC, &picked), MENU_CLOSED);
}

static void test_full(void **state)
{
	tui_menu m;
	int i;

	tui_menu_init(&m, "many");
	for (i = 0; i < TUI_MENU_MAX_ITEMS; i++)
		assert_int_equal(tui_menu_add(&m, "x", NULL, 0, 0), i);
	assert_int_equal(tui_menu_add(&m, "one too many", NULL, 0, 0), -1);
	assert_int_equal(m.n, TUI_MENU_MAX_ITEMS);
}

static void test_draw(void **state)
{
	tui_menu m;
	tui_menu_style st = {.selected = A_REVERSE};

	tui_menu_init(&m, "Copy from T12345");
	tui_menu_add(&m, "t12345-prod", "namespace", 'p', 0);
	tui_menu_add(&m, "pod\x1b[2Jevil", "pod, prod", 0, 0);
	werase(stdscr);
	tui_menu_draw(&m, stdscr, &st);
	assert_true(testterm_has(stdscr, "\xe2\x94\x8c\xe2\x94\x80 Copy from T12345 \xe2\x94\x80"));
	assert_true(testterm_has(stdscr, "p   t12345-prod"));
	assert_true(testterm_has(stdscr, "namespace"));
	assert_true(testterm_has(stdscr, "pod\\x1b[2Jevil"));
	assert_true(testterm_has(stdscr, "Enter pick  Esc cancel"));
}

static void test_scroll(void **state)
{
	tui_menu m;
	tui_menu_style st = {.ascii = 1};
	char label[16];
	int i, picked;

	tui_menu_init(&m, "pods");
	for (i = 0; i < 40; i++) {
		snprintf(label, sizeof(label), "pod-%02d", i);
		tui_menu_add(&m, label, NULL, 0, 0);
	}
	werase(stdscr);
	tui_menu_draw(&m, stdscr, &st);
	assert_true(testterm_has(stdscr, "pod-00"));
	assert_false(testterm_has(stdscr, "pod-39"));
	tui_menu_key(&m, TUI_KEY_FN(KEY_END), &picked);
	werase(stdscr);
	tui_menu_draw(&m, stdscr, &st);
	assert_true(testterm_has(stdscr, "pod-39"));
	assert_false(testterm_has(stdscr, "pod-00"));
	assert_true(testterm_has(stdscr, "+- pods -"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
