/* k8s/status.h — errors from the API server and the transport, as one readable line;
 * retry/backoff arithmetic shared by requests and watches. No state, thread-safe. */
#ifndef K8S_STATUS_H
#define K8S_STATUS_H

#include <stddef.h>
#include <stdint.h>

typedef struct k8s_err {
	int http;	 /* HTTP status, 0 when no response came back */
	int unreachable; /* 1: connect/DNS/TLS/timeout failure, the server never answered */
	char reason[64]; /* Status reason ("NotFound", "Expired") or "" */
	char msg[512];	 /* one line, already redacted */
	int64_t retry_after_ms; /* the error answer's Retry-After in ms, 0 when none */
} k8s_err;

/* Clears err (may be NULL). */
void k8s_err_clear(k8s_err *err);
/* Formats the message (redacted), sets err->http, returns -1. err may be NULL. */
int k8s_err_set(k8s_err *err, int http, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Decodes an error response. A Kubernetes Status body becomes
 * `deployments.apps "x" not found (404 NotFound)`; anything else
 * `HTTP 502: <first line of the body>`. Returns -1. */
int k8s_status_decode(int http, const char *body, size_t len, k8s_err *err);

/* Exponential backoff: base_ms * 2^attempt capped at cap_ms, plus up to 25% jitter
 * (never above cap_ms). `seed` is the caller's rand_r state. attempt >= 0. */
int64_t k8s_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms, unsigned *seed);

/* A Retry-After header value (delta seconds or an HTTP-date) in ms from now_s;
 * -1 when absent or unreadable. */
int64_t k8s_retry_after_ms(const char *value, int64_t now_s);

/* 1 for statuses a read may retry: 429 and 5xx (but not 501). */
int k8s_status_retryable(int http);

#endif
