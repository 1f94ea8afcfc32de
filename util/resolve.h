/* util/resolve.h — a host name's addresses, looked up within a time limit.
 *
 * getaddrinfo() has no time limit of its own: a resolver that drops a query
 * holds it for its own timeout and attempts (5 s each by default), whatever
 * the connect timeout of the caller. Here the lookup runs on a thread of its
 * own; past timeout_ms the caller goes on without it (the thread ends on its
 * own and frees what it holds). Thread-safe.
 */
#ifndef UTIL_RESOLVE_H
#define UTIL_RESOLVE_H

#include <stddef.h>

#define UTIL_ADDR_SIZE 46 /* INET6_ADDRSTRLEN */

enum {
	UTIL_RESOLVE_OK = 0,
	UTIL_RESOLVE_FAILED = -1,  /* the name has no address: why in err */
	UTIL_RESOLVE_TIMEOUT = -2, /* no answer within timeout_ms */
};

/* Up to max numeric addresses of host (TCP; IPv4 and IPv6, in the order the
 * resolver gives them) into addrs, their count in *n. err (may be NULL) gets
 * why it failed. A numeric host is its own address. */
int util_resolve(const char *host, int timeout_ms, char (*addrs)[UTIL_ADDR_SIZE], size_t max, size_t *n,
		 char *err, size_t errsize);

#endif
