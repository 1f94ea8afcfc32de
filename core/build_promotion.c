/* core/build_promotion.c — the last promotion of an env; its mark in the history. */
#include <string.h>

#include "core/build_promotion.h"
#include "core/tcode.h"
#include "util/util.h"

int build_promotion_last(k8s_client *c, const char *prefix, const char *tcode, const char *env,
			 char *run, size_t runsz, char *build, size_t bsz, k8s_err *err)
{
	journal *runs = NULL;
	size_t n = 0, i, k;
	int found = 0;

	if (journal_list(c, tcode, prefix, &runs, &n, err) < 0)
		return -1;
	for (i = 0; i < n && !found; i++) { /* newest first */
		const char *e = NULL, *b = NULL;

		if (strcmp(runs[i].wizard, "promote") || runs[i].state != RUN_DONE)
			continue;
		for (k = 0; k < runs[i].n_inputs; k++) {
			if (!strcmp(runs[i].inputs[k].key, "env"))
				e = runs[i].inputs[k].value;
			else if (!strcmp(runs[i].inputs[k].key, "build"))
				b = runs[i].inputs[k].value;
		}
		if (e && !strcmp(e, env)) {
			util_strlcpy(run, runs[i].run, runsz);
			util_strlcpy(build, b ? b : "", bsz);
			found = 1;
		}
	}
	for (i = 0; i < n; i++)
		journal_release(&runs[i]);
	free(runs);
	return found;
}

typedef struct mark {
	const char *id, *env, *by, *at;
	int clear;
} mark;

static int apply_mark(build_history *h, void *ctx)
{
	const mark *m = ctx;
	build_entry *e = build_history_find(h, m->id);
	build_promo *p;

	if (!e)
		return 0;
	p = !strcmp(m->env, "prod") ? &e->prod : &e->dev;
	if (m->clear) {
		if (!p->at[0])
			return 0;
		memset(p, 0, sizeof(*p));
		return 1;
	}
	util_strlcpy(p->at, m->at, sizeof(p->at));
	util_strlcpy(p->by, m->by, sizeof(p->by));
	return 1;
}

int build_promotion_record(k8s_client *c, const char *prefix, const char *tcode, const char *id,
			   const char *env, const char *by, const char *at, int clear, k8s_err *err)
{
	static const tcode_env envs[] = {TCODE_ENV_DEV, TCODE_ENV_PROD};
	mark m = {.id = id, .env = env, .by = by && by[0] ? by : "unknown", .at = at, .clear = clear};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(envs); k++) {
		char ns[TCODE_NS_SIZE];
		build_history h;
		int has;

		tcode_namespace(tcode, envs[k], ns, sizeof(ns));
		if (build_history_load(c, ns, &h, NULL, 0, err) < 0) {
			if (err->http == 404)
				continue;
			return -1;
		}
		has = build_history_find(&h, id) != NULL;
		build_history_release(&h);
		if (has)
			return build_history_update(c, prefix, tcode, tcode_env_name(envs[k]), ns,
						    apply_mark, &m, err);
	}
	k8s_err_clear(err);
	return 0;
}
