/* util/resolve.c — a host name's addresses within a time limit; see resolve.h. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "util/resolve.h"
#include "util/util.h"

/* One lookup, shared by the caller and the thread; the last to let go frees it. */
typedef struct lookup {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	int done;
	int rc; /* getaddrinfo's */
	struct addrinfo *res;
	char host[];
} lookup;

static void lookup_put(lookup *l)
{
	int last;

	pthread_mutex_lock(&l->mu);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	if (l->res)
		freeaddrinfo(l->res);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

static void *lookup_run(void *arg)
{
	lookup *l = arg;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(l->host, NULL, &hints, &res);

	pthread_mutex_lock(&l->mu);
	l->rc = rc;
	l->res = rc == 0 ? res : NULL;
	l->done = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	lookup_put(l);
	return NULL;
}

/* The numeric form of each address of res, no two the same. */
static size_t numeric(const struct addrinfo *res, char (*addrs)[UTIL_ADDR_SIZE], size_t max)
{
	size_t n = 0;

	for (const struct addrinfo *a = res; a && n < max; a = a->ai_next) {
		size_t k;

		if (getnameinfo(a->ai_addr, a->ai_addrlen, addrs[n], UTIL_ADDR_SIZE, NULL, 0, NI_NUMERICHOST))
			continue;
		for (k = 0; k < n && strcmp(addrs[k], addrs[n]); k++)
			;
		n += k == n;
	}
	return n;
}

int util_resolve(const char *host, int timeout_ms, char (*addrs)[UTIL_ADDR_SIZE], size_t max, size_t *n,
		 char *err, size_t errsize)
{
	size_t len = strlen(host);
	lookup *l = xcalloc(1, sizeof(*l) + len + 1);
	pthread_attr_t attr;
	pthread_t th;
	struct timespec ts;
	int rc, started;

	*n = 0;
	memcpy(l->host, host, len + 1);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	started = pthread_create(&th, &attr, lookup_run, l) == 0;
	pthread_attr_destroy(&attr);
	if (!started) { /* no thread: the lookup here, without a limit */
		struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
		struct addrinfo *res = NULL;

		l->refs = 1;
		lookup_put(l);
		rc = getaddrinfo(host, NULL, &hints, &res);
		if (rc) {
			if (err)
				snprintf(err, errsize, "%s", gai_strerror(rc));
			return UTIL_RESOLVE_FAILED;
		}
		*n = numeric(res, addrs, max);
		freeaddrinfo(res);
		if (!*n && err)
			snprintf(err, errsize, "no address");
		return *n ? UTIL_RESOLVE_OK : UTIL_RESOLVE_FAILED;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&l->mu);
	while (!l->done)
		if (pthread_cond_timedwait(&l->cv, &l->mu, &ts) == ETIMEDOUT)
			break;
	if (!l->done) {
		rc = UTIL_RESOLVE_TIMEOUT;
		if (err)
			snprintf(err, errsize, "no answer from the name servers within %d ms", timeout_ms);
	} else if (l->rc) {
		rc = UTIL_RESOLVE_FAILED;
		if (err)
			snprintf(err, errsize, "%s", gai_strerror(l->rc));
	} else {
		*n = numeric(l->res, addrs, max);
		rc = *n ? UTIL_RESOLVE_OK : UTIL_RESOLVE_FAILED;
		if (!*n && err)
			snprintf(err, errsize, "no address");
	}
	pthread_mutex_unlock(&l->mu);
	lookup_put(l);
	return rc;
}
