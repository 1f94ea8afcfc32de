/* views/copy: the OSC 52 sequence, plain and in tmux's passthrough; text with
 * control characters, not UTF-8, empty or too long is refused with nothing
 * appended. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "views/copy.h"

static void test_plain(void **state)
{
	strbuf sb;
	char err[160];

	sb_init(&sb, 64);
	assert_int_equal(view_copy_osc52("T12345", 0, &sb, err, sizeof(err)), 0);
	assert_string_equal(sb.buf, "\033]52;c;VDEyMzQ1\a");
	sb_reset(&sb);
	assert_int_equal(view_copy_osc52("t12345-prod", 0, &sb, err, sizeof(err)), 0);
	assert_string_equal(sb.buf, "\033]52;c;dDEyMzQ1LXByb2Q=\a");
	sb_reset(&sb);
	/* UTF-8 is fine */
	assert_int_equal(view_copy_osc52("S\xc3\xa3o", 0, &sb, err, sizeof(err)), 0);
	assert_string_equal(sb.buf, "\033]52;c;U8Ojbw==\a");
	sb_release(&sb);
}

static void test_tmux(void **state)
{
	strbuf sb;
	char err[160];

	sb_init(&sb, 64);
	assert_int_equal(view_copy_osc52("T12345", 1, &sb, err, sizeof(err)), 0);
	assert_string_equal(sb.buf, "\033Ptmux;\033\033]52;c;VDEyMzQ1\a\033\\");
	sb_release(&sb);
}

static void test_refused(void **state)
{
	strbuf sb;
	char err[160], big[VIEW_COPY_MAX + 2];

	sb_init(&sb, 64);
	assert_int_equal(view_copy_osc52("pod\x1b]52;c;x\a", 0, &sb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control characters"));
	assert_int_equal(view_copy_osc52("a\x9b" "b", 0, &sb, err, sizeof(err)), -1);
	assert_int_equal(view_copy_osc52("a\xc2\x9b" "b", 0, &sb, err, sizeof(err)), -1); /* C1 CSI */
	assert_non_null(strstr(err, "control characters"));
	assert_int_equal(view_copy_osc52("tab\there", 0, &sb, err, sizeof(err)), -1);
	assert_int_equal(view_copy_osc52("", 0, &sb, err, sizeof(err)), -1);
	assert_string_equal(err, "nothing to copy");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(view_copy_osc52(big, 0, &sb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(sb.len, 0); /* nothing appended on refusal */
	big[VIEW_COPY_MAX] = '\0';
	assert_int_equal(view_copy_osc52(big, 0, &sb, err, sizeof(err)), 0);
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_tmux),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
