/* tui/dialog: No is the default, keys, word wrap, the box drawn centred
 * with line drawing or ASCII, message escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/dialog.h"

TESTTERM_FIXTURE(80, 24)


static void test_default_is_no(void **state)
{
	tui_dialog d;

	tui_dialog_confirm_init(&d, "Restart", "Restarts appserver", "Restart");
	assert_false(d.yes_focused);
	assert_int_equal(tui_dialog_key(&d, '\n'), DIALOG_NO);
	assert_int_equal(tui_dialog_key(&d, 'x'), DIALOG_HANDLED); /* modal: taken, nothing happens */
	assert_int_equal(tui_dialog_key(&d, KEY_LEFT), DIALOG_HANDLED);
	assert_true(d.yes_focused);
	assert_int_equal(tui_dialog_key(&d, KEY_ENTER), DIALOG_YES);
	assert_int_equal(tui_dialog_key(&d, '\t'), DIALOG_HANDLED);
	assert_int_equal(tui_dialog_key(&d, '\r'), DIALOG_NO);
	assert_int_equal(tui_dialog_key(&d, 'y'), DIALOG_YES);
	assert_int_equal(tui_dialog_key(&d, 27), DIALOG_NO);
	assert_int_equal(tui_dialog_key(&d, 'n'), DIALOG_NO);

	tui_dialog_message_init(&d, "Done", "Woken");
	assert_int_equal(tui_dialog_key(&d, 'y'), DIALOG_HANDLED);
	assert_int_equal(tui_dialog_key(&d, '\n'), DIALOG_CLOSED);
	assert_int_equal(tui_dialog_key(&d, 27), DIALOG_CLOSED);
}

typedef struct lines {
	char text[8][64];
	int n;
} lines;

static void keep(const char *line, void *ctx)
{
	lines *l = ctx;

	if (l->n < 8)
		util_strlcpy(l->text[l->n], line, sizeof(l->text[0]));
	l->n++;
}

static void test_wrap(void **state)
{
	lines l = {0};

	assert_int_equal(tui_dialog_wrap("the quick brown fox jumps over", 10, 0, keep, &l), 3);
	assert_string_equal(l.text[0], "the quick");
	assert_string_equal(l.text[1], "brown fox");
	assert_string_equal(l.text[2], "jumps over"); /* exactly the width */
	memset(&l, 0, sizeof(l));
	/* a word longer than the width is cut; "\n" starts a paragraph; controls escaped */
	assert_int_equal(tui_dialog_wrap("abcdefghijklm\n\nx\x1by", 7, 0, keep, &l), 4);
	assert_string_equal(l.text[0], "abcdefg");
	assert_string_equal(l.text[1], "hijklm");
	assert_string_equal(l.text[2], "");
	assert_string_equal(l.text[3], "x\\x1by");
}

static void test_draw_confirm(void **state)
{
	tui_dialog d;
	tui_dialog_style st = {.button_focus = A_REVERSE};
	int top = -1;

	tui_dialog_confirm_init(&d, "Restart appserver",
			    "Restarts the Deployment appserver-rest in t12345-prod (rollout restart): "
			    "its pods are replaced one by one.\nUsers of this service may be disconnected.",
			    "Restart");
	werase(stdscr);
	tui_dialog_draw(&d, stdscr, &st);
	for (int y = 0; y < 24 && top < 0; y++)
		if (strstr(row(y), "\xe2\x94\x8c"))
			top = y;
	assert_true(top > 4 && top < 12); /* centred vertically */
	assert_non_null(strstr(row(top), "\xe2\x94\x8c\xe2\x94\x80 Restart appserver \xe2\x94\x80"));
	assert_true(testterm_has(stdscr, "Restarts the Deployment appserver-rest in t12345-prod"));
	assert_true(testterm_has(stdscr, "Users of this service may be disconnected."));
	assert_true(testterm_has(stdscr, "  Restart    [ No ]"));
	/* centred horizontally: as many blanks left of the box as right (within one) */
	{
		const char *r = row(top);
		int left = (int)(strstr(r, "\xe2\x94\x8c") - r);
		int width = 0;
		for (const char *p = r + left; *p; p = tui_wtext_skip(p, 1))
			width++;
		assert_true(abs(80 - (left + width) - left) <= 1);
	}
	tui_dialog_key(&d, KEY_LEFT);
	tui_dialog_draw(&d, stdscr, &st);
	assert_true(testterm_has(stdscr, "[ Restart ]    No"));
}

static void test_draw_ascii_message(void **state)
{
	tui_dialog d;
	tui_dialog_style st = {.ascii = 1};

	tui_dialog_message_init(&d, "Error \x1b[31m", "cannot reach cluster: conn\x07 refused");
	werase(stdscr);
	tui_dialog_draw(&d, stdscr, &st);
	assert_true(testterm_has(stdscr, "+- Error \\x1b[31m -"));
	assert_true(testterm_has(stdscr, "| cannot reach cluster: conn\\x07 refused"));
	assert_true(testterm_has(stdscr, "[ OK ]"));
	assert_false(testterm_has(stdscr, "No"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_no),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_draw_confirm),
		cmocka_unit_test(test_draw_ascii_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
