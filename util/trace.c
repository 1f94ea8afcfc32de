/* util/trace.c — timestamps for benchmarks (see util/trace.h). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/trace.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static FILE *out;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void open_once(void)
{
	const char *path = getenv("SMARTOPS_TRACE");

	if (path && *path)
		out = fopen(path, "ae");
}

int util_trace_on(void)
{
	pthread_once(&once, open_once);
	return out != NULL;
}

int64_t util_trace_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void util_trace(const char *fmt, ...)
{
	va_list ap;
	int64_t now;

	if (!util_trace_on())
		return;
	now = util_trace_us();
	pthread_mutex_lock(&mu);
	fprintf(out, "%lld ", (long long)now);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&mu);
}
