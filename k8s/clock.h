/* k8s/clock.h — an estimate of a server's clock from the HTTP Date headers of
 * its answers. Objects carry times stamped by the server (creationTimestamp);
 * an age is "server now - creation", which differs from the local clock when
 * the clocks are skewed, or when the server's clock runs at another rate (a
 * simulator's sped-up clock).
 *
 * Pure values; k8s_client keeps one per client behind a lock. */
#ifndef K8S_CLOCK_H
#define K8S_CLOCK_H

#include <stdint.h>

typedef struct k8s_clock {
	int n;			/* samples seen (0: nothing known, the local clock is used) */
	int64_t first_local_ms; /* the first sample of the current run of agreeing ones */
	int64_t first_server_s;
	int64_t last_local_ms; /* the latest sample */
	int64_t last_server_s;
} k8s_clock;

/* Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); 0, or -1 if malformed. */
int k8s_http_date_parse(const char *s, int64_t *unix_s);

/* Records that the server said server_s at local time local_ms. Once the
 * samples span ten seconds, one far (more than a minute) from the estimate
 * starts it over (the server restarted, its clock was set). */
void k8s_clock_observe(k8s_clock *c, int64_t local_ms, int64_t server_s);

/* The server's time at local_ms (any clock that does not jump, the one given to
 * k8s_clock_observe), in unix seconds: the latest sample
 * moved on at the rate observed between the first and the latest (1 until
 * two seconds of samples are in). local_ms / 1000 when no sample was seen. */
int64_t k8s_clock_now(const k8s_clock *c, int64_t local_ms);

#endif
