#include <stdlib.h>
#include <string.h>

#include "core/hypnus_wakes.h"
#include "util/util.h"

const char *hypnus_wake_cause_name(hypnus_wake_cause c)
{
	static const char *const names[] = {"forecast", "request", "asked", "other"};

	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "other";
}

static hypnus_wake_cause cause_of(const char *message)
{
	if (util_starts_with(message, "forecast"))
		return HYPNUS_WAKE_FORECAST;
	if (util_starts_with(message, "request"))
		return HYPNUS_WAKE_REQUEST;
	if (util_starts_with(message, "wake requested"))
		return HYPNUS_WAKE_ASKED;
	return HYPNUS_WAKE_OTHER;
}

typedef struct mark {
	int64_t t;
	int awake; /* 0: HypnusWake, 1: HypnusAwake */
	hypnus_wake_cause cause;
} mark;

static int cmp_mark(const void *a, const void *b)
{
	const mark *p = a, *q = b;

	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return p->awake - q->awake; /* a wake before the awake of the same second */
}

size_t hypnus_wakes(const project_event *ev, const int32_t *ev_env, int32_t env, size_t n,
		    hypnus_wake_rec *out, size_t max)
{
	mark *m = xcalloc(n ? n : 1, sizeof(*m));
	size_t k = 0, got = 0;
	ssize_t i;
	int64_t ready = 0;

	for (size_t j = 0; j < n; j++) {
		int wake = !strcmp(ev[j].reason, "HypnusWake"), awake = !strcmp(ev[j].reason, "HypnusAwake");

		if ((ev_env && ev_env[j] != env) || (!wake && !awake) || strcmp(ev[j].object, "hypnus") ||
		    ev[j].last <= 0)
			continue;
		m[k++] = (mark){ev[j].last, awake, wake ? cause_of(ev[j].message) : HYPNUS_WAKE_OTHER};
	}
	qsort(m, k, sizeof(*m), cmp_mark);
	/* newest first: an awake seen (walking back) belongs to the next wake found */
	for (i = (ssize_t)k - 1; i >= 0 && got < max; i--) {
		if (m[i].awake) {
			ready = m[i].t;
			continue;
		}
		out[got++] = (hypnus_wake_rec){m[i].t, ready, m[i].cause};
		ready = 0;
	}
	free(m);
	return got;
}
