/* util/trace.h — timestamps along the way a change in the cluster takes to the
 * screen (watch event, store, snapshot, wake, frame), for benchmarks: with
 * SMARTOPS_TRACE naming a file, util_trace appends "<monotonic us> <text>" to
 * it, one line per call, from any thread; without it, nothing is written and a
 * call costs a test of a flag. The file is opened on the first call.
 */
#ifndef UTIL_TRACE_H
#define UTIL_TRACE_H

#include <stdint.h>

/* 1 when SMARTOPS_TRACE is set (and its file could be opened). */
int util_trace_on(void);
/* CLOCK_MONOTONIC in microseconds. */
int64_t util_trace_us(void);
void __attribute__((format(printf, 1, 2))) util_trace(const char *fmt, ...);

#endif
