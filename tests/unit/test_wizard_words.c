/* views/wizard_words: a builder's refusal read for the console's form — the
 * input it is about (by its --flag, or by the key it begins with), and its
 * words with the options said as the form's fields; commands between
 * backquotes and flags the wizard does not have are left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "views/wizard_words.h"

static const wizard_input inputs[] = {
    {"tcode", "the TCODE", NULL, NULL, NULL, 0},
    {"env", "prod or dev", "prod", NULL, "prod,dev", 0},
    {"size", "a quantity", "m", NULL, NULL, 0},
    {"class", "a StorageClass", "", NULL, NULL, 0},
    {"idleTimeoutSeconds", "seconds", "1800", "idle-timeout", NULL, 0},
};
static const wizard wz = {"test", "Test", "a wizard for the tests", WIZARD_ERP, inputs, 5, NULL};

static void test_input(void **state)
{
	assert_int_equal(wizard_words_input(&wz, "size \"lots\" is not a Kubernetes quantity", "tcode"), 2);
	assert_int_equal(wizard_words_input(&wz, "env: must be prod or dev", "tcode"), 1);
	assert_int_equal(wizard_words_input(&wz, "provider gcp has several StorageClasses (a, b): choose one with --class",
					    "tcode"), 3);
	/* the CLI's flag, not the key */
	assert_int_equal(wizard_words_input(&wz, "give --idle-timeout 300 or more", "tcode"), 4);
	/* a longer flag that begins with one of ours is not ours */
	assert_int_equal(wizard_words_input(&wz, "unknown option --size-limit", "tcode"), -1);
	/* a word inside another, or the key not at the start */
	assert_int_equal(wizard_words_input(&wz, "sizeable trouble", "tcode"), -1);
	assert_int_equal(wizard_words_input(&wz, "the cluster does not answer", "tcode"), -1);
	/* the skipped input is never the answer */
	assert_int_equal(wizard_words_input(&wz, "--tcode T12345 is required", "tcode"), -1);
	assert_int_equal(wizard_words_input(&wz, "--tcode T12345 is required", NULL), 0);
}

static void test_console(void **state)
{
	char out[256];

	wizard_words_console(&wz, "claim exists with StorageClass a (give --class a, or roll it back)", "tcode",
			     out, sizeof(out));
	assert_string_equal(out, "claim exists with StorageClass a (set class to a, or roll it back)");
	wizard_words_console(&wz, "two classes: choose one with --class", "tcode", out, sizeof(out));
	assert_string_equal(out, "two classes: choose one with the class field");
	wizard_words_console(&wz, "give --idle-timeout 300 or more", "tcode", out, sizeof(out));
	assert_string_equal(out, "set idleTimeoutSeconds to 300 or more");
	/* a command to run stays as written */
	wizard_words_console(&wz, "make it first with `smartops apply namespace --tcode T1 --size m`", "tcode", out,
			     sizeof(out));
	assert_string_equal(out, "make it first with `smartops apply namespace --tcode T1 --size m`");
	/* flags the wizard does not have, and a longer name */
	wizard_words_console(&wz, "--roles belongs to another wizard; --size-limit too", "tcode", out, sizeof(out));
	assert_string_equal(out, "--roles belongs to another wizard; --size-limit too");
	/* the skipped input stays */
	wizard_words_console(&wz, "--tcode T12345 is required", "tcode", out, sizeof(out));
	assert_string_equal(out, "--tcode T12345 is required");
	/* cut to the buffer, terminated */
	wizard_words_console(&wz, "give --class x", "tcode", out, 8);
	assert_string_equal(out, "set cla");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_input),
	    cmocka_unit_test(test_console),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
