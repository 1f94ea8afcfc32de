/* util/parallel.h — the same work over n items on a few threads at once. */
#ifndef UTIL_PARALLEL_H
#define UTIL_PARALLEL_H

#include <stddef.h>

/* Calls fn(ctx, i) once for every i < n, on up to `threads` threads (the
 * calling one among them, so that all is done even when none can be started),
 * each taking the next i as it is free. stop (or NULL) is asked before an i is
 * taken: once it answers non-zero, no further i is begun. Returns when every
 * call begun has ended. */
void util_parallel_for(size_t n, size_t threads, void (*fn)(void *ctx, size_t i), int (*stop)(void *ctx),
		       void *ctx);

#endif
