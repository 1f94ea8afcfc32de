/* k8s/retry: backoff with jitter, Retry-After, tries, deadline, cancellation;
 * the pauses are recorded by a fake nap, nothing sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "k8s/retry.h"
#include "util/util.h"

typedef struct naps {
	int64_t ms[32];
	int n;
	atomic_int *cancel_at_nap; /* set during the nap of index cancel_nap */
	int cancel_nap;
} naps;

static int fake_nap(void *ctx, int64_t ms)
{
	naps *n = ctx;

	if (n->n < 32)
		n->ms[n->n] = ms;
	if (n->cancel_at_nap && n->n == n->cancel_nap) {
		atomic_store(n->cancel_at_nap, 1);
		n->n++;
		return 1;
	}
	n->n++;
	return 0;
}

static void with_naps(k8s_retry *r, naps *n)
{
	r->nap = fake_nap;
	r->nap_ctx = n;
}

static void test_backoff_grows_capped_jittered(void **state)
{
	k8s_retry r;
	naps n = {0};
	int i;

	(void)state;
	k8s_retry_init(&r, 100, 1000, 0, NULL);
	with_naps(&r, &n);
	for (i = 0; i < 8; i++)
		assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_int_equal(n.n, 8);
	/* base * 2^i plus at most 25% jitter, never above the cap */
	assert_in_range(n.ms[0], 100, 125);
	assert_in_range(n.ms[1], 200, 250);
	assert_in_range(n.ms[2], 400, 500);
	assert_in_range(n.ms[3], 800, 1000);
	for (i = 4; i < 8; i++)
		assert_in_range(n.ms[i], 1000, 1000);
	assert_int_equal(r.attempt, 9);
}

static void test_tries_run_out(void **state)
{
	k8s_retry r;
	naps n = {0};

	(void)state;
	k8s_retry_init(&r, 50, 400, 3, NULL); /* three attempts: two pauses */
	with_naps(&r, &n);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_EXHAUSTED);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_EXHAUSTED);
	assert_int_equal(n.n, 2);
}

static void test_retry_after(void **state)
{
	k8s_retry r;
	naps n = {0};
	k8s_err err;

	(void)state;
	k8s_err_clear(&err);
	err.http = 429;
	err.retry_after_ms = 7000; /* longer than the cap: the server's word counts */
	k8s_retry_init(&r, 100, 1000, 0, NULL);
	with_naps(&r, &n);
	assert_int_equal(k8s_retry_wait(&r, &err), K8S_RETRY_AGAIN);
	assert_int_equal(n.ms[0], 7000);
	err.retry_after_ms = 3600 * 1000; /* an hour: cut to the most we wait */
	assert_int_equal(k8s_retry_wait(&r, &err), K8S_RETRY_AGAIN);
	assert_int_equal(n.ms[1], K8S_RETRY_AFTER_MAX_MS);
	err.retry_after_ms = 0; /* none: backoff again, at the third step */
	assert_int_equal(k8s_retry_wait(&r, &err), K8S_RETRY_AGAIN);
	assert_in_range(n.ms[2], 400, 500);
	assert_int_equal(r.last_ms, n.ms[2]);
}

static void test_deadline(void **state)
{
	k8s_retry r;
	naps n = {0};

	(void)state;
	k8s_retry_init(&r, 100, 60000, 0, NULL);
	with_naps(&r, &n);
	k8s_retry_deadline(&r, 60000);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_in_range(n.ms[0], 100, 125);
	/* a pause never goes past the deadline: backoff says 51 s, 10 s are left */
	k8s_retry_deadline(&r, 10000);
	r.attempt = 10;
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_in_range(n.ms[1], 1, 10000);
	/* and none starts after it */
	r.deadline_ms = util_mono_ms() - 1;
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_EXHAUSTED);
	assert_int_equal(n.n, 2);
}

static void test_cancel(void **state)
{
	k8s_retry r;
	naps n = {0};
	atomic_int cancel;

	(void)state;
	atomic_init(&cancel, 0);
	k8s_retry_init(&r, 100, 1000, 0, &cancel);
	with_naps(&r, &n);
	n.cancel_at_nap = &cancel;
	n.cancel_nap = 1;
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	/* cancelled during the second pause */
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_CANCELLED);
	/* and at once from then on, without a pause */
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_CANCELLED);
	assert_int_equal(n.n, 2);
}

/* The real sleep sees cancel within a slice, not after the whole pause. */
static void test_real_sleep_cancelled(void **state)
{
	k8s_retry r;
	atomic_int cancel;
	int64_t t0;

	(void)state;
	atomic_init(&cancel, 1);
	k8s_retry_init(&r, 5000, 5000, 0, &cancel);
	t0 = util_mono_ms();
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_CANCELLED);
	assert_true(util_mono_ms() - t0 < 1000);
	atomic_store(&cancel, 0);
	k8s_retry_init(&r, 20, 20, 2, &cancel);
	assert_int_equal(k8s_retry_wait(&r, NULL), K8S_RETRY_AGAIN);
	assert_in_range(r.last_ms, 20, 20);
}

static void test_transient(void **state)
{
	static const struct {
		int http, want;
	} cases[] = {
	    {0, 1},   {200, 1}, {201, 1}, {429, 1}, {500, 1}, {502, 1}, {503, 1}, {504, 1},
	    {501, 0}, {400, 0}, {401, 0}, {403, 0}, {404, 0}, {409, 0}, {410, 0}, {422, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		k8s_err err;

		k8s_err_clear(&err);
		err.http = cases[i].http;
		if (k8s_retry_transient(&err) != cases[i].want)
			fail_msg("HTTP %d: transient %d, wanted %d", cases[i].http,
				 k8s_retry_transient(&err), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_grows_capped_jittered),
	    cmocka_unit_test(test_tries_run_out),
	    cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_deadline),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_real_sleep_cancelled),
	    cmocka_unit_test(test_transient),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
