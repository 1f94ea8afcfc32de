/* util: strbuf, base64, error helpers, RFC 3339 times. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/base64.h"
#include "util/util.h"

static void test_base64_rfc4648_vectors(void **state)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		char *e = util_base64_encode(plain[i], strlen(plain[i]));
		size_t n = 99;
		char *d = util_base64_decode(e, strlen(e), &n, UTIL_B64_STRICT);
		assert_string_equal(e, enc[i]);
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(d, plain[i], n);
		free(e);
		free(d);
	}
}

static void test_base64_binary_round_trip(void **state)
{
	unsigned char bin[256];
	char *e, *d;
	size_t n;

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(255 - i);
	e = util_base64_encode(bin, sizeof(bin));
	d = util_base64_decode(e, strlen(e), &n, UTIL_B64_STRICT);
	assert_non_null(d);
	assert_int_equal(n, sizeof(bin));
	assert_memory_equal(d, bin, sizeof(bin));
	free(e);
	free(d);
}

static void test_base64_strict_and_lenient(void **state)
{
	size_t n;
	char *d;

	/* strict: padding, standard alphabet, nothing else */
	assert_null(util_base64_decode("Zg", 2, &n, UTIL_B64_STRICT));
	assert_null(util_base64_decode("Zm9v\n", 5, &n, UTIL_B64_STRICT));
	assert_null(util_base64_decode("-_-_", 4, &n, UTIL_B64_STRICT));
	assert_null(util_base64_decode("Zg==Zg==", 8, &n, UTIL_B64_STRICT));
	assert_null(util_base64_decode("Z===", 4, &n, UTIL_B64_STRICT));
	assert_null(util_base64_decode("Zm9v!", 5, &n, UTIL_B64_LENIENT));
	/* lenient: whitespace, URL alphabet, missing padding */
	d = util_base64_decode("Zm9v\nYmFy\n", 10, &n, UTIL_B64_LENIENT);
	assert_non_null(d);
	assert_string_equal(d, "foobar");
	free(d);
	d = util_base64_decode("Zg", 2, &n, UTIL_B64_LENIENT);
	assert_non_null(d);
	assert_string_equal(d, "f");
	free(d);
	d = util_base64_decode("-_8", 3, &n, UTIL_B64_LENIENT);
	assert_non_null(d);
	assert_int_equal(n, 2);
	assert_int_equal((unsigned char)d[0], 0xfb);
	assert_int_equal((unsigned char)d[1], 0xff);
	free(d);
}

static void test_seterr(void **state)
{
	char err[8];

	assert_int_equal(util_seterr(err, sizeof(err), "n=%d %s", 42, "long text"), -1);
	assert_string_equal(err, "n=42 lo");
	assert_int_equal(util_seterr(NULL, 0, "nothing"), -1);
}

static void test_strbuf_detach_and_reuse(void **state)
{
	strbuf sb;
	size_t len;
	char *a;

	sb_init(&sb, 4);
	sb_addf(&sb, "%s-%d", "abc", 12345);
	a = sb_detach(&sb, &len);
	assert_string_equal(a, "abc-12345");
	assert_int_equal(len, 9);
	sb_reset(&sb);
	sb_adds(&sb, "again");
	assert_string_equal(sb.buf, "again");
	sb_release(&sb);
	free(a);
	a = xasprintf("%05d", 7);
	assert_string_equal(a, "00007");
	free(a);
}

/* Pages made present keep what they held: written ones, fresh zero ones, the
 * bytes around a range that starts and ends inside a page. */
static void test_populate(void **state)
{
	size_t n = 3 * 1024 * 1024 + 100, i;
	unsigned char *p = xcalloc(1, n);

	(void)state;
	for (i = 0; i < 64 * 1024; i++)
		p[i] = (unsigned char)(i * 7);
	util_populate(p + 10, n - 20);
	util_populate(NULL, 4096);
	util_populate(p, 100); /* inside one page: nothing to do */
	for (i = 0; i < 64 * 1024; i++)
		assert_int_equal(p[i], (unsigned char)(i * 7));
	for (; i < n; i++)
		if (p[i])
			fail_msg("byte %zu is %d after util_populate", i, p[i]);
	free(p);
}

/* A thread named for top -H: its first 15 bytes (the kernel's limit), not a
 * refusal of the whole name. */
static void *named(void *arg)
{
	char *got = arg;

	util_thread_name("w:persistentvolumeclaims");
	if (pthread_getname_np(pthread_self(), got, 16))
		got[0] = '\0';
	return NULL;
}

static void test_thread_name(void **state)
{
	char got[16] = "";
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, named, got), 0);
	pthread_join(th, NULL);
	assert_string_equal(got, "w:persistentvol");
}

/* The calendar's arithmetic against the C library's, across leap years, the
 * century rules (2000 is leap, 1900 and 2100 are not) and times before 1970. */
static void test_rfc3339_as_libc(void **state)
{
	static const int64_t edges[] = {-1, 0, 59, 86399, 86400, 951782399, 951782400,
					951868800, 4107542399, 4107542400, -2208988800 - 1,
					-2208988800, 253402300799};
	char got[32], want[32];
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		time_t tt = (time_t)edges[i];
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		util_rfc3339(edges[i], got, sizeof(got));
		assert_string_equal(got, want);
	}
	/* 1600 to 2400, every 7 days and 3,671 s (each hour, minute and second) */
	for (t = -11676096000; t < 13569465600; t += 7 * 86400 + 3671) {
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		util_rfc3339(t, got, sizeof(got));
		if (strcmp(got, want))
			fail_msg("%lld: %s, the C library says %s", (long long)t, got, want);
	}
	util_rfc3339(951782400, got, 12); /* too short: cut, still a string */
	assert_int_equal(strlen(got) < 12, 1);
}

static void test_rfc3339(void **state)
{
	char buf[32];

	util_rfc3339(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(util_parse_rfc3339("2026-11-28T12:00:00Z"), 1795867200);
	assert_int_equal(util_parse_rfc3339("2026-11-28T09:00:00.123-03:00"), 1795867200);
	assert_int_equal(util_parse_rfc3339("2026-11-28T12:00:00"), -1);
	assert_int_equal(util_parse_rfc3339("yesterday"), -1);
	/* offsets cut short or out of range: refused, and never read past the end
	 * (each is a heap copy of its exact length, so AddressSanitizer sees an
	 * overread; the first is what fuzz_journal found in a journal's "updated") */
	{
		static const char *const bad[] = {"2026-11-08T05:01:59-1:1", "2026-11-28T12:00:00+03",
						  "2026-11-28T12:00:00+03:", "2026-11-28T12:00:00+3:00",
						  "2026-11-28T12:00:00+24:00", "2026-11-28T12:00:00-03:60",
						  "2026-11-28T12:00:00+", "2026-11-28T12:00:00+03:00Z"};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *copy = xstrdup(bad[i]);

			assert_int_equal(util_parse_rfc3339(copy), -1);
			free(copy);
		}
	}
	assert_int_equal(util_parse_rfc3339("2026-11-28T15:30:00+03:30"), 1795867200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648_vectors),
		cmocka_unit_test(test_base64_binary_round_trip),
		cmocka_unit_test(test_base64_strict_and_lenient),
		cmocka_unit_test(test_seterr),
		cmocka_unit_test(test_strbuf_detach_and_reuse),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_rfc3339_as_libc),
		cmocka_unit_test(test_populate),
		cmocka_unit_test(test_thread_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
