/* tui/form: validation as you type, focus movement, submit only when valid,
 * choice and checkbox keys, and the form drawn without a terminal. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/tui_testterm.h"
#include "tui/form.h"

TESTTERM_FIXTURE(70, 20)
static const char *const providers[] = {"aws", "gcp", "totvs"};


/* "T" and five digits */
static int code_ok(const char *v, char *msg, size_t msgsz, void *ctx)
{
	int *calls = ctx;

	(*calls)++;
	if (v[0] != 'T')
		return util_seterr(msg, msgsz, "must start with T, e.g. T12345");
	if (strlen(v) != 6)
		return util_seterr(msg, msgsz, "T and 5 digits (%zu so far)", strlen(v) > 0 ? strlen(v) - 1 : 0);
	for (int i = 1; i < 6; i++)
		if (!isdigit((unsigned char)v[i]))
			return util_seterr(msg, msgsz, "character %d is not a digit", i + 1);
	return 0;
}

static int calls;

static void make_form(tui_form *f, tui_form_field *ff)
{
	memset(ff, 0, 4 * sizeof(*ff));
	ff[0] = (tui_form_field){.kind = TUI_FORM_TEXT, .label = "TCODE", .validate = code_ok, .ctx = &calls};
	ff[1] = (tui_form_field){.kind = TUI_FORM_CHOICE, .label = "Provider", .choices = providers, .nchoices = 3};
	ff[2] = (tui_form_field){.kind = TUI_FORM_CHECK, .label = "Dev too"};
	ff[3] = (tui_form_field){.kind = TUI_FORM_TEXT, .label = "Customer name", .value = "ACME"};
	tui_form_init(f, ff, 4);
}

static void type(tui_form *f, const char *s)
{
	while (*s)
		tui_form_key(f, (unsigned char)*s++);
}

static void test_validation_as_you_type(void **state)
{
	tui_form f;
	tui_form_field ff[4];

	calls = 0;
	make_form(&f, ff);
	assert_int_equal(calls, 1);	  /* validated at init */
	assert_true(ff[0].invalid);	  /* empty */
	assert_false(ff[0].touched);	  /* but not shown yet */
	assert_false(ff[3].invalid);	  /* no validator */
	assert_int_equal(ff[3].cursor, 4); /* pre-filled: cursor at the end */

	assert_int_equal(tui_form_key(&f, 'x'), FORM_CHANGED);
	assert_true(ff[0].touched);
	assert_string_equal(ff[0].msg, "must start with T, e.g. T12345");
	tui_form_key(&f, KEY_BACKSPACE);
	type(&f, "T12");
	assert_string_equal(ff[0].value, "T12");
	assert_string_equal(ff[0].msg, "T and 5 digits (2 so far)");
	type(&f, "3a5");
	assert_string_equal(ff[0].msg, "character 5 is not a digit");
	/* edit in the middle: Left, Left, Backspace removes "3", "4" goes in */
	tui_form_key(&f, KEY_LEFT);
	tui_form_key(&f, KEY_LEFT);
	tui_form_key(&f, KEY_BACKSPACE);
	tui_form_key(&f, '4');
	assert_string_equal(ff[0].value, "T124a5");
	tui_form_key(&f, KEY_DC);
	tui_form_key(&f, KEY_END);
	tui_form_key(&f, '6');
	assert_string_equal(ff[0].value, "T12456");
	assert_false(ff[0].invalid);
	assert_string_equal(ff[0].msg, "");
	tui_form_key(&f, 0x15); /* ^U */
	assert_string_equal(ff[0].value, "");
	assert_true(ff[0].invalid);
	/* keys that are not text are not taken */
	assert_int_equal(tui_form_key(&f, KEY_F(5)), FORM_IGNORED);
	tui_form_set_text(&f, 0, "T00001");
	assert_false(ff[0].invalid);
}

static void test_focus_and_submit(void **state)
{
	tui_form f;
	tui_form_field ff[4];

	make_form(&f, ff);
	assert_int_equal(f.focus, 0);
	tui_form_key(&f, '\t');
	assert_int_equal(f.focus, 1);
	tui_form_key(&f, KEY_DOWN);
	assert_int_equal(f.focus, 2);
	tui_form_key(&f, KEY_DOWN);
	tui_form_key(&f, KEY_DOWN); /* wraps */
	assert_int_equal(f.focus, 0);
	tui_form_key(&f, KEY_BTAB);
	assert_int_equal(f.focus, 3);
	tui_form_key(&f, KEY_UP);
	assert_int_equal(f.focus, 2);

	/* Enter with the TCODE empty: refused, focus on it, its message shown */
	assert_int_equal(tui_form_key(&f, '\n'), FORM_INVALID);
	assert_int_equal(f.focus, 0);
	assert_true(ff[0].touched);
	type(&f, "T12345");
	assert_int_equal(tui_form_key(&f, KEY_ENTER), FORM_SUBMIT);
	/* a value made invalid again stops the submit */
	tui_form_key(&f, KEY_BACKSPACE);
	f.focus = 3;
	assert_int_equal(tui_form_key(&f, '\r'), FORM_INVALID);
	assert_int_equal(f.focus, 0);
	assert_int_equal(tui_form_key(&f, 27), FORM_CANCEL);
}

static void test_choice_and_checkbox(void **state)
{
	tui_form f;
	tui_form_field ff[4];

	make_form(&f, ff);
	f.focus = 1;
	assert_int_equal(tui_form_key(&f, KEY_RIGHT), FORM_CHANGED);
	assert_int_equal(ff[1].choice, 1);
	tui_form_key(&f, KEY_RIGHT);
	tui_form_key(&f, KEY_RIGHT);
	assert_int_equal(ff[1].choice, 0); /* wraps */
	tui_form_key(&f, KEY_LEFT);
	assert_int_equal(ff[1].choice, 2);
	assert_int_equal(tui_form_key(&f, 'x'), FORM_IGNORED);
	f.focus = 2;
	assert_int_equal(tui_form_key(&f, ' '), FORM_CHANGED);
	assert_true(ff[2].checked);
	tui_form_key(&f, ' ');
	assert_false(ff[2].checked);
}

static void test_draw(void **state)
{
	tui_form f;
	tui_form_field ff[4];
	tui_form_style st = {.label = A_NORMAL, .value = A_NORMAL, .focus = A_REVERSE, .error = A_BOLD};

	make_form(&f, ff);
	werase(stdscr);
	tui_form_draw(&f, stdscr, 1, 0, 10, 60, &st);
	assert_string_equal(row(1), "        TCODE: [                                        ]");
	assert_string_equal(row(2), ""); /* no message before typing */
	assert_string_equal(row(3), "     Provider: < aws >");
	assert_string_equal(row(4), "      Dev too: [ ]");
	assert_string_equal(row(5), "Customer name: [ACME                                    ]");
	assert_int_equal(f.cur_y, 1);
	assert_int_equal(f.cur_x, 16);
	assert_true(testterm_attr(stdscr, 1, 16) & A_REVERSE);

	type(&f, "T1");
	tui_form_key(&f, '\t');
	tui_form_key(&f, KEY_RIGHT);
	ff[1].as_list = 1;
	tui_form_key(&f, '\t');
	tui_form_key(&f, ' ');
	tui_form_set_text(&f, 3, "bad\x1b]0;x");
	tui_form_draw(&f, stdscr, 1, 0, 10, 60, &st);
	assert_true(util_starts_with(row(1), "        TCODE: [T1 "));
	assert_string_equal(row(2), "               T and 5 digits (1 so far)");
	assert_true(testterm_attr(stdscr, 2, 15) & A_BOLD);
	assert_string_equal(row(3), "     Provider: ( ) aws  (*) gcp  ( ) totvs");
	assert_string_equal(row(4), "      Dev too: [x]");
	assert_true(util_starts_with(row(5), "Customer name: [bad\\x1b]0;x "));
	assert_int_equal(f.cur_y, -1); /* no text cursor on a checkbox */

	/* a short area scrolls to keep the focused field in view */
	f.focus = 3;
	werase(stdscr);
	tui_form_draw(&f, stdscr, 0, 0, 2, 60, &st);
	assert_true(util_starts_with(row(0), "Customer name: [bad"));
	assert_int_equal(f.cur_y, 0);
}

/* A masked field keeps what is typed and draws one '*' a character (ASCII
 * terminal), never the characters; wiped, it is empty. */
static void test_masked(void **state)
{
	tui_form f;
	tui_form_field ff[1];
	tui_form_style st = {.label = A_NORMAL, .value = A_NORMAL, .focus = A_REVERSE, .error = A_BOLD, .ascii = 1};

	(void)state;
	memset(ff, 0, sizeof(ff));
	ff[0] = (tui_form_field){.kind = TUI_FORM_TEXT, .label = "Password", .masked = 1};
	tui_form_init(&f, ff, 1);
	type(&f, "s3cr3t!x");
	tui_form_key(&f, KEY_BACKSPACE);
	assert_string_equal(ff[0].value, "s3cr3t!");
	werase(stdscr);
	tui_form_draw(&f, stdscr, 0, 0, 4, 60, &st);
	assert_string_equal(row(0), "Password: [*******                                 ]");
	assert_null(strstr(row(0), "s3cr3t"));
	assert_int_equal(f.cur_x, 11 + 7); /* after the last bullet */
	tui_form_key(&f, KEY_LEFT);
	tui_form_draw(&f, stdscr, 0, 0, 4, 60, &st);
	assert_int_equal(f.cur_x, 11 + 6);
	tui_form_wipe(&f, 0);
	assert_string_equal(ff[0].value, "");
	assert_int_equal(ff[0].cursor, 0);
	tui_form_draw(&f, stdscr, 0, 0, 4, 60, &st);
	assert_string_equal(row(0), "Password: [                                        ]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation_as_you_type),
		cmocka_unit_test(test_focus_and_submit),
		cmocka_unit_test(test_choice_and_checkbox),
		cmocka_unit_test(test_draw),
		cmocka_unit_test(test_masked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
