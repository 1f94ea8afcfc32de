/* util/resolve.h: numeric hosts are their own address (v4 and v6, written back
 * in numeric form), at most max addresses are given, and a lookup that fails
 * says why. No test here asks a name server (names would make it depend on the
 * machine's resolver). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "util/resolve.h"
#include "util/util.h"

static void test_numeric_v4(void **state)
{
	char a[4][UTIL_ADDR_SIZE], err[128] = "";
	size_t n = 99;

	(void)state;
	assert_int_equal(util_resolve("127.0.0.1", 3000, a, 4, &n, err, sizeof(err)), UTIL_RESOLVE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "127.0.0.1");
	assert_string_equal(err, "");
}

static void test_numeric_v6(void **state)
{
	char a[4][UTIL_ADDR_SIZE];
	size_t n = 0;

	(void)state;
	assert_int_equal(util_resolve("0:0:0:0:0:0:0:1", 3000, a, 4, &n, NULL, 0), UTIL_RESOLVE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0], "::1"); /* the numeric form, shortened */
}

static void test_max_zero(void **state)
{
	char a[1][UTIL_ADDR_SIZE], err[128] = "";
	size_t n = 99;

	(void)state;
	/* no room for an address: said so, none given */
	assert_int_equal(util_resolve("10.1.2.3", 3000, a, 0, &n, err, sizeof(err)), UTIL_RESOLVE_FAILED);
	assert_int_equal(n, 0);
	assert_string_equal(err, "no address");
}

static void test_one_after_another(void **state)
{
	(void)state;
	/* one lookup after another, each its own answer (every thread let go) */
	for (int i = 0; i < 50; i++) {
		char host[32], a[2][UTIL_ADDR_SIZE];
		size_t n = 0;

		snprintf(host, sizeof(host), "10.0.%d.%d", i / 10, i % 10);
		assert_int_equal(util_resolve(host, 3000, a, 2, &n, NULL, 0), UTIL_RESOLVE_OK);
		assert_int_equal(n, 1);
		assert_string_equal(a[0], host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numeric_v4),
	    cmocka_unit_test(test_numeric_v6),
	    cmocka_unit_test(test_max_zero),
	    cmocka_unit_test(test_one_after_another),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
