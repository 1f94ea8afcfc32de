/* Waiting before trying again (see k8s/retry.h). */
#include <string.h>
#include <time.h>

#include "k8s/retry.h"
#include "util/util.h"

#define BASE_DEFAULT_MS 100
#define CAP_DEFAULT_MS 5000
#define NAP_SLICE_MS 50

void k8s_retry_init(k8s_retry *r, int64_t base_ms, int64_t cap_ms, int max_tries,
		    const atomic_int *cancel)
{
	memset(r, 0, sizeof(*r));
	r->base_ms = base_ms > 0 ? base_ms : BASE_DEFAULT_MS;
	r->cap_ms = cap_ms > 0 ? cap_ms : CAP_DEFAULT_MS;
	if (r->cap_ms < r->base_ms)
		r->cap_ms = r->base_ms;
	r->max_tries = max_tries > 0 ? max_tries : 0;
	r->cancel = cancel;
	r->attempt = 1;
	r->seed = (unsigned)util_mono_ms() ^ (unsigned)(uintptr_t)r;
}

void k8s_retry_deadline(k8s_retry *r, int64_t ms_from_now)
{
	r->deadline_ms = util_mono_ms() + (ms_from_now > 0 ? ms_from_now : 0);
}

static int cancelled(const k8s_retry *r)
{
	return r->cancel && atomic_load(r->cancel);
}

/* A real sleep of ms, in slices so that cancel is seen within one. */
static int sleep_ms(const k8s_retry *r, int64_t ms)
{
	int64_t end = util_mono_ms() + ms;

	for (;;) {
		int64_t left = end - util_mono_ms();
		struct timespec ts;

		if (cancelled(r))
			return 1;
		if (left <= 0)
			return 0;
		if (left > NAP_SLICE_MS)
			left = NAP_SLICE_MS;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

k8s_retry_verdict k8s_retry_wait(k8s_retry *r, const k8s_err *err)
{
	int64_t pause;

	if (cancelled(r))
		return K8S_RETRY_CANCELLED;
	if (r->max_tries && r->attempt >= r->max_tries)
		return K8S_RETRY_EXHAUSTED;
	pause = k8s_backoff_ms(r->attempt - 1, r->base_ms, r->cap_ms, &r->seed);
	if (err && err->retry_after_ms > 0)
		pause = err->retry_after_ms < K8S_RETRY_AFTER_MAX_MS ? err->retry_after_ms
								     : K8S_RETRY_AFTER_MAX_MS;
	if (r->deadline_ms) {
		int64_t left = r->deadline_ms - util_mono_ms();

		if (left <= 0)
			return K8S_RETRY_EXHAUSTED;
		if (pause > left)
			pause = left;
	}
	r->last_ms = pause;
	if (r->nap ? r->nap(r->nap_ctx, pause) : sleep_ms(r, pause))
		return K8S_RETRY_CANCELLED;
	if (cancelled(r))
		return K8S_RETRY_CANCELLED;
	r->attempt++;
	return K8S_RETRY_AGAIN;
}

int k8s_retry_transient(const k8s_err *err)
{
	return err->http == 0 || (err->http >= 200 && err->http < 300) || err->http == 429 ||
	       (err->http >= 500 && err->http != 501);
}
