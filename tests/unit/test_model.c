/* tests/unit/test_model.c — an environment's strings: kept, cut, left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/model.h"

static void test_set_and_read(void **state)
{
	model_env e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_string_equal(model_text(&e, e.base[0].message), "");
	model_text_set(&e, &e.base[0].waiting_reason, "CrashLoopBackOff", MODEL_REASON_MAX);
	model_text_set(&e, &e.base[0].terminated_reason, "", MODEL_TERMINATED_MAX);
	model_text_set(&e, &e.base[0].message, NULL, MODEL_MESSAGE_MAX);
	model_text_set(&e, &e.pub[0].host, "rest-t12345.smart.example.com", MODEL_HOST_MAX);
	assert_string_equal(model_text(&e, e.base[0].waiting_reason), "CrashLoopBackOff");
	assert_int_equal(e.base[0].terminated_reason, 0);
	assert_int_equal(e.base[0].message, 0);
	assert_string_equal(model_text(&e, e.pub[0].host), "rest-t12345.smart.example.com");
	assert_int_equal(e.text_len, strlen("CrashLoopBackOff") + 1 + strlen("rest-t12345.smart.example.com") + 1);
	/* a copy holds its strings */
	{
		model_env c = e;
		memset(&e, 0, sizeof(e));
		assert_string_equal(model_text(&c, c.pub[0].host), "rest-t12345.smart.example.com");
	}
	/* an offset past what is used reads as "" */
	assert_string_equal(model_text(&e, 200), "");
}

static void test_longest_kept(void **state)
{
	model_env e;
	char big[200];

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	model_text_set(&e, &e.base[1].message, big, MODEL_MESSAGE_MAX);
	assert_int_equal(strlen(model_text(&e, e.base[1].message)), MODEL_MESSAGE_MAX);
	model_text_set(&e, &e.pub[3].host, big, MODEL_HOST_MAX);
	assert_int_equal(strlen(model_text(&e, e.pub[3].host)), MODEL_HOST_MAX);
	assert_int_equal(strlen(model_text(&e, e.base[1].message)), MODEL_MESSAGE_MAX);
}

/* Past the room, a string is cut to what is left, then left out; what was set
 * before stays whole. */
static void test_full_text(void **state)
{
	model_env e;
	char msg[MODEL_MESSAGE_MAX + 1];
	size_t i, used;

	(void)state;
	memset(&e, 0, sizeof(e));
	for (i = 0; i < MODEL_MESSAGE_MAX; i++)
		msg[i] = (char)('a' + i % 26);
	msg[MODEL_MESSAGE_MAX] = '\0';
	/* three components failing at their longest fit, with room to spare */
	for (i = 0; i < 3; i++) {
		model_text_set(&e, &e.base[i].waiting_reason, msg, MODEL_REASON_MAX);
		model_text_set(&e, &e.base[i].terminated_reason, msg, MODEL_TERMINATED_MAX);
		model_text_set(&e, &e.base[i].message, msg, MODEL_MESSAGE_MAX);
	}
	assert_int_equal(e.text_len, 3 * (MODEL_REASON_MAX + MODEL_TERMINATED_MAX + MODEL_MESSAGE_MAX + 3));
	for (i = 0; i < 3; i++)
		assert_string_equal(model_text(&e, e.base[i].message), msg);
	for (i = 3; i < MODEL_MAX_BASE; i++)
		model_text_set(&e, &e.base[i].message, msg, MODEL_MESSAGE_MAX);
	used = e.text_len;
	assert_int_equal(used, MODEL_TEXT_SIZE);
	/* the fourth is cut to the room left, the fifth and sixth left out */
	assert_int_equal(strlen(model_text(&e, e.base[3].message)), MODEL_TEXT_SIZE - 456 - 1);
	assert_memory_equal(model_text(&e, e.base[3].message), msg, MODEL_TEXT_SIZE - 456 - 1);
	assert_int_equal(e.base[4].message, 0);
	assert_int_equal(e.base[5].message, 0);
	assert_string_equal(model_text(&e, e.base[5].message), "");
	model_text_set(&e, &e.pub[0].host, "late.example", MODEL_HOST_MAX);
	assert_int_equal(e.pub[0].host, 0);
	assert_int_equal(e.text_len, used);
	for (i = 0; i < 3; i++)
		assert_string_equal(model_text(&e, e.base[i].message), msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_and_read),
	    cmocka_unit_test(test_longest_kept),
	    cmocka_unit_test(test_full_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
