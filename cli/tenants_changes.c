/* cli/tenants_changes.c — the watch's events: what changed since the last print. */
#include <stdlib.h>
#include <string.h>

#include "cli/tenants_changes.h"

/* A tenant as last printed: "TCODE\0cluster\0object" in one allocation. */
typedef struct printed {
	char *tcode;
	const char *cluster;
	const char *json;
	size_t len;
} printed;

struct tenants_changes {
	int started;
	printed *items; /* by tcode, then cluster */
	size_t n;
	char **clusters; /* each cluster's object as last printed */
	size_t n_clusters;
};

tenants_changes *tenants_changes_new(void)
{
	return xcalloc(1, sizeof(tenants_changes));
}

static void clusters_free(tenants_changes *c)
{
	for (size_t i = 0; i < c->n_clusters; i++)
		free(c->clusters[i]);
	free(c->clusters);
	c->clusters = NULL;
	c->n_clusters = 0;
}

void tenants_changes_free(tenants_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].tcode);
	free(c->items);
	clusters_free(c);
	free(c);
}

static printed printed_make(const fleet_tenant *t, const strbuf *json)
{
	size_t lt = strlen(t->t.tcode) + 1, lc = strlen(t->t.cluster) + 1;
	char *m = xmalloc(lt + lc + json->len + 1);
	printed p;

	memcpy(m, t->t.tcode, lt);
	memcpy(m + lt, t->t.cluster, lc);
	memcpy(m + lt + lc, json->buf, json->len + 1);
	p.tcode = m;
	p.cluster = m + lt;
	p.json = m + lt + lc;
	p.len = json->len;
	return p;
}

static int key_cmp(const char *tcode_a, const char *cluster_a, const fleet_tenant *b)
{
	int c = strcmp(tcode_a, b->t.tcode);

	return c ? c : strcmp(cluster_a, b->t.cluster);
}

static int order_cmp(const void *a, const void *b, void *ctx)
{
	const fleet_snapshot *s = ctx;
	const fleet_tenant *ta = fleet_tenant_at(s, *(const size_t *)a);

	return key_cmp(ta->t.tcode, ta->t.cluster, fleet_tenant_at(s, *(const size_t *)b));
}

/* The tenants of s by tcode, then cluster (the snapshot's own order, checked). */
static size_t *tenant_order(const fleet_snapshot *s)
{
	size_t *ord = xmalloc((s->n_tenants ? s->n_tenants : 1) * sizeof(*ord));
	int sorted = 1;

	for (size_t i = 0; i < s->n_tenants; i++) {
		ord[i] = i;
		if (i && sorted && order_cmp(&ord[i - 1], &ord[i], (void *)s) > 0)
			sorted = 0;
	}
	if (!sorted)
		qsort_r(ord, s->n_tenants, sizeof(*ord), order_cmp, (void *)s);
	return ord;
}

static void event(strbuf *out, const char *kind, const char *type, const char *json, size_t len)
{
	sb_adds(out, "{\"kind\":\"");
	sb_adds(out, kind);
	sb_adds(out, "\",\"type\":\"");
	sb_adds(out, type);
	sb_adds(out, "\",\"object\":");
	sb_add(out, json, len);
	sb_adds(out, "}\n");
}

/* The tenants of s against those last printed; with emit, their events into out. */
static void tenants_walk(tenants_changes *c, const fleet_snapshot *s, const tenants_filter *flt, int emit,
			 strbuf *out)
{
	size_t *ord = tenant_order(s), o = 0, nn = 0;
	printed *next = xmalloc((s->n_tenants ? s->n_tenants : 1) * sizeof(*next));
	strbuf cur;

	sb_init(&cur, 4096);
	for (size_t k = 0; k < s->n_tenants; k++) {
		const fleet_tenant *t = fleet_tenant_at(s, ord[k]);
		int have;

		/* printed last time, gone from the clusters since */
		for (; o < c->n && key_cmp(c->items[o].tcode, c->items[o].cluster, t) < 0; o++) {
			if (emit)
				event(out, "TenantEvent", "DELETED", c->items[o].json, c->items[o].len);
			free(c->items[o].tcode);
		}
		have = o < c->n && !key_cmp(c->items[o].tcode, c->items[o].cluster, t);
		if (!tenants_filter_matches(t, flt)) {
			if (have) { /* no longer passes the filter */
				if (emit)
					event(out, "TenantEvent", "DELETED", c->items[o].json, c->items[o].len);
				free(c->items[o++].tcode);
			}
			continue;
		}
		sb_reset(&cur);
		tenants_json_item(s, ord[k], &cur);
		if (have && c->items[o].len == cur.len && !memcmp(c->items[o].json, cur.buf, cur.len)) {
			next[nn++] = c->items[o++];
			continue;
		}
		if (emit)
			event(out, "TenantEvent", have ? "MODIFIED" : "ADDED", cur.buf, cur.len);
		if (have)
			free(c->items[o++].tcode);
		next[nn++] = printed_make(t, &cur);
	}
	for (; o < c->n; o++) {
		if (emit)
			event(out, "TenantEvent", "DELETED", c->items[o].json, c->items[o].len);
		free(c->items[o].tcode);
	}
	sb_release(&cur);
	free(ord);
	free(c->items);
	c->items = next;
	c->n = nn;
}

/* The clusters' entries (their state, their tenants' count) likewise. */
static void clusters_walk(tenants_changes *c, const fleet_snapshot *s, int emit, strbuf *out)
{
	strbuf cur;

	if (c->n_clusters != s->n_clusters) {
		clusters_free(c);
		c->n_clusters = s->n_clusters;
		c->clusters = xcalloc(s->n_clusters ? s->n_clusters : 1, sizeof(*c->clusters));
	}
	sb_init(&cur, 256);
	for (size_t i = 0; i < s->n_clusters; i++) {
		sb_reset(&cur);
		tenants_json_cluster(s, i, &cur);
		if (c->clusters[i] && !strcmp(c->clusters[i], cur.buf))
			continue;
		if (emit)
			event(out, "ClusterEvent", "MODIFIED", cur.buf, cur.len);
		free(c->clusters[i]);
		c->clusters[i] = xstrdup(cur.buf);
	}
	sb_release(&cur);
}

void tenants_changes_render(tenants_changes *c, const fleet_snapshot *s, const tenants_filter *flt,
			    strbuf *out)
{
	int emit = c->started;

	if (!c->started)
		tenants_render_json(s, flt, out);
	c->started = 1;
	clusters_walk(c, s, emit, out);
	tenants_walk(c, s, flt, emit, out);
}
