/* Unit tests for core/tenant_has: the words a wizard's tenant list shows, and
 * the loader's bookkeeping (what it keeps, reads again, forgets). */
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/tenant_has.h"
#include "util/util.h"

static atomic_int wakes;

static void count_wake(void)
{
	atomic_fetch_add(&wakes, 1);
}

/* Waits (for a condition, not a time) until l has read what it was asked. */
static void wait_idle(tenant_has_loader *l)
{
	struct timespec ts = {0, 1000000};

	while (tenant_has_loader_busy(l))
		nanosleep(&ts, NULL);
}

/* Tenants on a cluster that cannot be used (no client): read at once as
 * unknown, kept, not read again; forget drops them. */
static void test_loader(void **state)
{
	tenant_has_ref r[2];
	tenant_has h;
	tenant_has_loader *l = tenant_has_loader_new(NULL, count_wake);

	(void)state;
	memset(r, 0, sizeof(r));
	util_strlcpy(r[0].cluster, "a", sizeof(r[0].cluster));
	util_strlcpy(r[0].tcode, "T10007", sizeof(r[0].tcode));
	util_strlcpy(r[0].ns[0], "t10007-prod", sizeof(r[0].ns[0]));
	r[1] = r[0];
	util_strlcpy(r[1].cluster, "b", sizeof(r[1].cluster));
	assert_false(tenant_has_loader_get(l, "a", "T10007", &h));
	tenant_has_loader_want(l, r, 2, 0);
	wait_idle(l);
	assert_true(tenant_has_loader_get(l, "a", "T10007", &h));
	assert_int_equal(h.read, 0);
	assert_int_equal(h.env[0], 1);
	assert_int_equal(h.env[1], 0);
	assert_true(tenant_has_loader_get(l, "b", "T10007", &h));
	assert_false(tenant_has_loader_get(l, "c", "T10007", &h));
	assert_true(tenant_has_loader_version(l) == 2);
	assert_int_equal(atomic_load(&wakes), 2);
	tenant_has_loader_want(l, r, 1, 0); /* kept: not read again */
	assert_false(tenant_has_loader_busy(l));
	assert_true(tenant_has_loader_version(l) == 2);
	tenant_has_loader_want(l, NULL, 0, 1); /* forget */
	assert_false(tenant_has_loader_get(l, "a", "T10007", &h));
	tenant_has_loader_want(l, r, 1, 0);
	wait_idle(l);
	assert_true(tenant_has_loader_get(l, "a", "T10007", &h));
	assert_false(tenant_has_loader_get(l, "b", "T10007", &h));
	tenant_has_loader_free(l);
}

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
	    cmocka_unit_test(test_loader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
