/* The server's clock from Date headers: parsing, skew, a faster clock, a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "k8s/clock.h"

static void test_date_parse(void **state)
{
	int64_t t = 0;

	(void)state;
	assert_int_equal(k8s_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	assert_int_equal(t, 784111777);
	assert_int_equal(k8s_http_date_parse(" Thu, 01 Jan 1970 00:00:00 GMT\r\n", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(k8s_http_date_parse("Sat, 29 Feb 2028 23:59:59 GMT", &t), 0);
	assert_int_equal(t, 1835481599);
	assert_int_equal(k8s_http_date_parse("Sun, 06 Nov 1994 08:49:37 CET", &t), -1);
	assert_int_equal(k8s_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
	assert_int_equal(k8s_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), -1);
	assert_int_equal(k8s_http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t), -1);
	assert_int_equal(k8s_http_date_parse("", &t), -1);
}

static void test_no_sample_is_local(void **state)
{
	k8s_clock c = {0};

	(void)state;
	assert_int_equal(k8s_clock_now(&c, 5000123), 5000);
}

static void test_skew(void **state)
{
	k8s_clock c = {0};

	(void)state;
	/* The server is 300 s ahead and runs at our rate. */
	k8s_clock_observe(&c, 1000, 1300);
	assert_int_equal(k8s_clock_now(&c, 1000), 1300);
	assert_int_equal(k8s_clock_now(&c, 4000), 1303); /* rate 1 before 10 s of samples */
	k8s_clock_observe(&c, 21000, 1320);
	assert_int_equal(k8s_clock_now(&c, 31000), 1330);
}

static void test_faster_clock(void **state)
{
	k8s_clock c = {0};

	(void)state;
	/* A simulator at 60x: 20 s of ours are 1200 s of its. */
	k8s_clock_observe(&c, 0, 100000);
	assert_int_equal(k8s_clock_now(&c, 1000), 100001); /* rate 1 until 2 s of samples */
	k8s_clock_observe(&c, 5000, 100300); /* not judged off before 10 s: a rate of 60 */
	assert_int_equal(c.n, 2);
	assert_int_equal(k8s_clock_now(&c, 5500), 100330);
	k8s_clock_observe(&c, 5500, 100330);
	k8s_clock_observe(&c, 10000, 100600);
	k8s_clock_observe(&c, 16000, 100960);
	assert_int_equal(c.n, 5);
	assert_int_equal(k8s_clock_now(&c, 17000), 101020);
}

static void test_server_restart(void **state)
{
	k8s_clock c = {0};

	(void)state;
	k8s_clock_observe(&c, 0, 5000);
	k8s_clock_observe(&c, 20000, 5020);
	k8s_clock_observe(&c, 21000, 9000); /* the clock jumped: the estimate starts over */
	assert_int_equal(c.n, 1);
	assert_int_equal(k8s_clock_now(&c, 22000), 9001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_parse),	   cmocka_unit_test(test_no_sample_is_local),
	    cmocka_unit_test(test_skew),	   cmocka_unit_test(test_faster_clock),
	    cmocka_unit_test(test_server_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
