/* Unit tests for core/tenant_has: the words a wizard's tenant list shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/tenant_has.h"

static const char *words(const tenant_has *h)
{
	static char buf[64];

	tenant_has_words(h, buf, sizeof(buf));
	return buf;
}

static void test_words(void **state)
{
	tenant_has h = {.read = 1, .env = {1, 1}};

	(void)state;
	assert_string_equal(words(&h), "-");
	h.db[0] = h.db[1] = 1;
	assert_string_equal(words(&h), "db");
	h.fs[0] = 1;
	assert_string_equal(words(&h), "db fs:prod");
	h.rpo[1] = 1;
	assert_string_equal(words(&h), "db fs:prod rpo:dev");
	h.read = 0;
	assert_string_equal(words(&h), "?");
}

/* A tenant with one env: what that env has is what the tenant has. */
static void test_one_env(void **state)
{
	tenant_has h = {.read = 1, .env = {0, 1}, .fs = {1, 1}, .rpo = {0, 1}};

	(void)state;
	assert_string_equal(words(&h), "fs rpo");
	h.fs[1] = 0;
	h.db[1] = 1;
	assert_string_equal(words(&h), "db rpo");
}

static void test_truncated(void **state)
{
	tenant_has h = {.read = 1, .env = {1, 1}, .db = {1, 1}, .fs = {1, 1}, .rpo = {1, 1}};
	char buf[6];

	(void)state;
	tenant_has_words(&h, buf, sizeof(buf));
	assert_string_equal(buf, "db fs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words),
	    cmocka_unit_test(test_one_env),
	    cmocka_unit_test(test_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
