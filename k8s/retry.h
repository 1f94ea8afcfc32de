/* k8s/retry.h — one way to wait before trying again: exponential backoff with
 * jitter, the server's Retry-After, a number of tries, a deadline, and
 * cancellation (after client-go's wait.Backoff). It makes no request: the
 * caller tries, and asks k8s_retry_wait whether (and after what pause) to try
 * again. A k8s_retry is one loop's state, owned by that loop's thread.
 *
 *   k8s_retry r;
 *   k8s_retry_init(&r, 200, 5000, 6, NULL);
 *   while (k8s_apply(...) < 0 && k8s_retry_transient(&err) &&
 *          k8s_retry_wait(&r, &err) == K8S_RETRY_AGAIN)
 *           ;
 */
#ifndef K8S_RETRY_H
#define K8S_RETRY_H

#include <stdatomic.h>
#include <stdint.h>

#include "k8s/status.h"

/* The longest pause a Retry-After may ask for; a longer one is cut to this. */
#define K8S_RETRY_AFTER_MAX_MS 30000

typedef struct k8s_retry {
	int64_t base_ms;	  /* the first pause */
	int64_t cap_ms;		  /* the longest pause backoff gives (Retry-After aside) */
	int max_tries;		  /* attempts in all, the first included; 0: no limit */
	int64_t deadline_ms;	  /* util_mono_ms() past which no pause starts; 0: none */
	const atomic_int *cancel; /* non-zero: stop, even during a pause; or NULL */
	/* for tests: sleeps ms (NULL: a real sleep, woken every 50 ms to look at
	 * cancel); returns 1 when cancelled meanwhile */
	int (*nap)(void *ctx, int64_t ms);
	void *nap_ctx;
	/* state */
	int attempt;	      /* attempts made so far (pauses taken + 1) */
	int64_t last_ms;      /* the last pause, for messages and tests */
	unsigned seed;	      /* jitter */
} k8s_retry;

typedef enum k8s_retry_verdict {
	K8S_RETRY_AGAIN,     /* paused: make the next attempt */
	K8S_RETRY_EXHAUSTED, /* no more tries, or the deadline came: give up */
	K8S_RETRY_CANCELLED, /* *cancel was set: give up at once */
} k8s_retry_verdict;

/* A fresh loop: base and cap of the pauses (0: 100 ms and 5 s), max_tries
 * attempts in all (0: until the deadline or cancel), no deadline. */
void k8s_retry_init(k8s_retry *r, int64_t base_ms, int64_t cap_ms, int max_tries,
		    const atomic_int *cancel);
/* Gives the loop a deadline: the pause is cut so as not to pass it, and no
 * pause starts after it. */
void k8s_retry_deadline(k8s_retry *r, int64_t ms_from_now);

/* Called after a failed attempt (err: why, or NULL when polling for a
 * condition): pauses base * 2^n (capped, plus up to 25% jitter), or what the
 * answer's Retry-After asked (err->retry_after_ms, at most
 * K8S_RETRY_AFTER_MAX_MS), then says whether to try again. */
k8s_retry_verdict k8s_retry_wait(k8s_retry *r, const k8s_err *err);

/* Whether a failed request is worth making again: no answer came (a cut or
 * refused connection, a timeout), a 2xx that could not be read, 429, or a
 * 5xx other than 501. A write may have taken effect all the same: read before
 * writing again unless the write is idempotent. */
int k8s_retry_transient(const k8s_err *err);

#endif
