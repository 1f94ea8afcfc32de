/* views/fleet_seen.c — the fleet screen's rows in sight, as drawn last. */
#include <string.h>

#include "util/util.h"
#include "views/fleet_seen.h"

/* FNV-1a, 64 bits, over bytes and then a separator. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	h ^= 0xff;
	return h * 1099511628211ULL;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	return mix(h, s, strlen(s));
}

static uint64_t mix_int(uint64_t h, int64_t v)
{
	return mix(h, &v, sizeof(v));
}

/* An environment as the PROD and DEV columns show it: the health now, the one
 * seen by an earlier run (dim), absent, or not listed yet. */
static uint64_t mix_env(uint64_t h, const fleet_snapshot *s, const fleet_tenant *t, int env)
{
	int32_t e = t->env[env];

	if (e < 0)
		return mix_int(h, fleet_env_pending(s, t, env) ? -2 : -1);
	if (fleet_env_from_snapshot(s, e))
		return mix_int(mix_int(h, 1000), fleet_env(s, e)->fresh.seen_state);
	return mix_int(h, fleet_env_health(s, e)->state);
}

uint64_t view_fleet_seen_row(const fleet_snapshot *s, const fleet_tenant *t)
{
	uint64_t h = 14695981039346656037ULL;
	int32_t hy = t->env[TCODE_ENV_PROD] >= 0 ? t->env[TCODE_ENV_PROD] : t->env[TCODE_ENV_DEV];
	int env;

	h = mix_str(h, t->t.tcode);
	h = mix_str(h, t->t.cluster);
	h = mix_str(h, t->t.customer);
	h = mix_int(h, t->t.product);
	h = mix_int(h, t->health.state);
	h = mix(h, t->health.cause, strnlen(t->health.cause, sizeof(t->health.cause)));
	for (env = 0; env < 2; env++)
		h = mix_env(h, s, t, env);
	/* the Hypnus column: prod's, else dev's */
	if (hy >= 0 && fleet_env(s, hy)->hypnus.present)
		h = mix_int(h, fleet_env(s, hy)->hypnus.state);
	else
		h = mix_int(h, -1);
	return h;
}

void view_fleet_seen_record(view_fleet_seen *v, const fleet_snapshot *s, const uint32_t *rows,
			    size_t first, size_t n, size_t cursor)
{
	size_t i;

	if (v->cap < n) {
		v->cap = n;
		v->sig = xrealloc(v->sig, v->cap * sizeof(*v->sig));
	}
	for (i = 0; i < n; i++)
		v->sig[i] = view_fleet_seen_row(s, fleet_tenant_at(s, rows[first + i]));
	v->n = n;
	v->cursor = cursor >= first && cursor < first + n ? cursor - first : n;
	v->drawn = 1;
}

int view_fleet_seen_changed(const view_fleet_seen *v, const fleet_snapshot *s,
			    const uint32_t *rows, size_t first, size_t n, size_t cursor)
{
	size_t i, line = cursor >= first && cursor < first + n ? cursor - first : n;

	if (!v->drawn)
		return 0;
	if (n != v->n || line != v->cursor)
		return 1;
	for (i = 0; i < n; i++)
		if (v->sig[i] != view_fleet_seen_row(s, fleet_tenant_at(s, rows[first + i])))
			return 1;
	return 0;
}

void view_fleet_seen_release(view_fleet_seen *v)
{
	free(v->sig);
	memset(v, 0, sizeof(*v));
}
