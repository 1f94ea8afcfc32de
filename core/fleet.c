/* core/fleet.c — tenants from projected cluster objects; one-shot loads,
 * informer-fed watches and immutable snapshots. */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog.h"
#include "core/env_deps.h"
#include "core/fleet.h"
#include "core/fleet_cache.h"
#include "core/rules_fetch.h"
#include "k8s/watch.h"
#include "util/util.h"

/* ---- a keyed table of projected records (each starts with project_meta) ---- */

typedef struct tab {
	size_t rsize, n, cap;
	unsigned char *recs;
	uint32_t *gen;	 /* listing generation that last saw each record */
	uint32_t *slots; /* open addressing: 0 empty, else index + 1 */
	size_t nslots;	 /* power of two */
	uint32_t cur_gen;
} tab;

static uint64_t key_hash(const project_meta *m)
{
	uint64_t h = 1469598103934665603ull;
	const unsigned char *p;

	for (p = (const unsigned char *)m->ns; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (p = (const unsigned char *)m->name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h ^ (h >> 29);
}

static project_meta *tab_at(const tab *t, size_t i)
{
	return (project_meta *)(t->recs + i * t->rsize);
}

static int same_key(const project_meta *a, const project_meta *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->ns, b->ns);
}

static void tab_init(tab *t, size_t rsize)
{
	memset(t, 0, sizeof(*t));
	t->rsize = rsize;
}

static void tab_release(tab *t)
{
	free(t->recs);
	free(t->gen);
	free(t->slots);
	tab_init(t, t->rsize);
}

static void tab_clear(tab *t)
{
	t->n = 0;
	if (t->slots)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

/* The slot holding key m, or the empty slot where it would go. */
static size_t tab_slot(const tab *t, const project_meta *m)
{
	size_t mask = t->nslots - 1, i = (size_t)key_hash(m) & mask;

	while (t->slots[i] && !same_key(tab_at(t, t->slots[i] - 1), m))
		i = (i + 1) & mask;
	return i;
}

static void tab_rehash(tab *t, size_t nslots)
{
	size_t i;

	free(t->slots);
	t->nslots = nslots;
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	for (i = 0; i < t->n; i++)
		t->slots[tab_slot(t, tab_at(t, i))] = (uint32_t)(i + 1);
}

static void *tab_find(const tab *t, const project_meta *m)
{
	size_t s;

	if (!t->nslots)
		return NULL;
	s = tab_slot(t, m);
	return t->slots[s] ? tab_at(t, t->slots[s] - 1) : NULL;
}

/* Inserts or replaces the record with rec's key. */
static void tab_put(tab *t, const void *rec)
{
	size_t s;

	if ((t->n + 1) * 2 > t->nslots)
		tab_rehash(t, t->nslots ? t->nslots * 2 : 64);
	s = tab_slot(t, rec);
	if (t->slots[s]) {
		memcpy(tab_at(t, t->slots[s] - 1), rec, t->rsize);
		t->gen[t->slots[s] - 1] = t->cur_gen;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->recs = xrealloc(t->recs, t->cap * t->rsize);
		t->gen = xrealloc(t->gen, t->cap * sizeof(*t->gen));
	}
	memcpy(tab_at(t, t->n), rec, t->rsize);
	t->gen[t->n] = t->cur_gen;
	t->slots[s] = (uint32_t)(++t->n);
}

/* Makes room for n records in all (a list says how long it is). */
static void tab_reserve(tab *t, size_t n)
{
	size_t nslots = t->nslots ? t->nslots : 64;

	if (n > t->cap) {
		t->cap = n;
		t->recs = xrealloc(t->recs, t->cap * t->rsize);
		t->gen = xrealloc(t->gen, t->cap * sizeof(*t->gen));
	}
	while ((n + 1) * 2 > nslots)
		nslots *= 2;
	if (nslots != t->nslots)
		tab_rehash(t, nslots);
}

/* Removes key m (if present): the last record moves into its place. */
static void tab_del(tab *t, const project_meta *m)
{
	size_t mask, i, j, k, idx, last;

	if (!t->nslots)
		return;
	mask = t->nslots - 1;
	i = tab_slot(t, m);
	if (!t->slots[i])
		return;
	idx = t->slots[i] - 1;
	t->slots[i] = 0;
	for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		k = (size_t)key_hash(tab_at(t, t->slots[j] - 1)) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = 0;
		i = j;
	}
	last = t->n - 1;
	if (idx != last) {
		memcpy(tab_at(t, idx), tab_at(t, last), t->rsize);
		t->gen[idx] = t->gen[last];
		t->slots[tab_slot(t, tab_at(t, idx))] = (uint32_t)(idx + 1);
	}
	t->n--;
}

/* Drops what the last listing did not deliver. */
static void tab_sweep(tab *t)
{
	size_t i = 0;

	while (i < t->n) {
		if (t->gen[i] != t->cur_gen)
			tab_del(t, tab_at(t, i)); /* moves another record into i */
		else
			i++;
	}
}

/* ---- the fleet ---- */

enum { K_NS, K_DEPLOY, K_STS, K_ING, K_POD, K_EVENT, K_COUNT };

static const size_t kind_size[K_COUNT] = {
    [K_NS] = sizeof(project_ns),	[K_DEPLOY] = sizeof(project_workload),
    [K_STS] = sizeof(project_workload), [K_ING] = sizeof(project_ingress),
    [K_POD] = sizeof(project_pod),	[K_EVENT] = sizeof(project_event),
};

typedef struct cluster cluster;

/* The last health seen of an environment, from the cache folder. */
typedef struct last_seen {
	project_meta m; /* name = namespace */
	uint8_t state;	/* health_state */
	char cause[96];
} last_seen;

/* The kinds a watch must have listed before any health is claimed. */
#define WATCH_KINDS                                                                          \
	((1u << K_NS) | (1u << K_DEPLOY) | (1u << K_STS) | (1u << K_ING) | (1u << K_POD))

typedef struct source {
	cluster *c;
	int kind;
} source;

struct cluster {
	struct fleet *f;
	size_t idx;
	char *name, *catalog_url, *cfg_why, *server;
	k8s_client *client;
	pthread_mutex_t mu;
	tab tabs[K_COUNT];
	rules rules;
	catalog cat;
	fleet_cluster_state st;
	uint32_t failing;  /* informers whose last attempt found no server */
	uint32_t answered; /* informers that listed or failed at least once */
	uint32_t listed;   /* informers whose first list is complete */
	int meta_done;	   /* rules and catalogue fetched (or given up) */
	int watching;	   /* fed by informers (not a one-shot load) */
	int cached;	   /* rows from the cache folder until the namespaces are listed */
	tab last;	   /* last_seen by namespace, from the cache folder */
	int64_t last_at;   /* when that snapshot was written (unix s), 0: none */
	int64_t saved_ms;  /* when the cache was last written (mono) */
	source src[K_COUNT];
	k8s_informer *inf[K_COUNT];
	pthread_t starter;
	int starter_running;
};

struct fleet {
	cluster *cl;
	size_t n;
	project_keys keys;
	char *tcode, *cache_dir, *prefix;
	int page_limit, tz_offset_min, min_interval_ms;

	pthread_mutex_t snap_mu;
	fleet_snapshot *snap;
	uint64_t version;
	struct env_deps *deps; /* borrowed: causes outside the workloads, or NULL */

	/* watch */
	pthread_t pub;
	int pub_running;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int dirty, stop;
	fleet_change_fn fn;
	void *fn_ctx;
	atomic_int cancel;
};

/* snprintf that may cut (messages are longer than the fields that keep them). */
static void __attribute__((format(printf, 3, 4))) setf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	strbuf sb;

	sb_init(&sb, 128);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	util_strlcpy(dst, sb.buf, size);
	sb_release(&sb);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

fleet *fleet_new(const fleet_cluster_cfg *clusters, size_t n, const fleet_opts *opts)
{
	fleet *f = xcalloc(1, sizeof(*f));
	size_t i;
	int k;

	if (opts) {
		f->tcode = dup_or_null(opts->tcode);
		f->cache_dir = dup_or_null(opts->cache_dir);
		f->prefix = dup_or_null(opts->prefix);
		f->page_limit = opts->page_limit;
		f->tz_offset_min = opts->tz_offset_min;
		f->min_interval_ms = opts->min_interval_ms;
	}
	if (f->min_interval_ms <= 0)
		f->min_interval_ms = 200;
	project_keys_init(&f->keys, f->prefix);
	pthread_mutex_init(&f->snap_mu, NULL);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cond, NULL);
	atomic_init(&f->cancel, 0);
	f->n = n;
	f->cl = xcalloc(n ? n : 1, sizeof(*f->cl));
	for (i = 0; i < n; i++) {
		cluster *c = &f->cl[i];
		c->f = f;
		c->idx = i;
		c->name = xstrdup(clusters[i].name ? clusters[i].name : "?");
		c->catalog_url = dup_or_null(clusters[i].catalog_url);
		c->cfg_why = dup_or_null(clusters[i].why);
		c->client = clusters[i].client;
		if (clusters[i].server)
			c->server = xstrdup(clusters[i].server);
		else if (c->client && k8s_client_config(c->client)->server)
			c->server = xstrdup(k8s_client_config(c->client)->server);
		pthread_mutex_init(&c->mu, NULL);
		for (k = 0; k < K_COUNT; k++) {
			tab_init(&c->tabs[k], kind_size[k]);
			c->src[k].c = c;
			c->src[k].kind = k;
		}
		tab_init(&c->last, sizeof(last_seen));
		rules_default(&c->rules);
		util_strlcpy(c->st.name, c->name, sizeof(c->st.name));
	}
	return f;
}

void fleet_free(fleet *f)
{
	size_t i;
	int k;

	if (!f)
		return;
	fleet_watch_stop(f);
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		for (k = 0; k < K_COUNT; k++)
			tab_release(&c->tabs[k]);
		tab_release(&c->last);
		catalog_release(&c->cat);
		pthread_mutex_destroy(&c->mu);
		free(c->name);
		free(c->catalog_url);
		free(c->cfg_why);
		free(c->server);
	}
	free(f->cl);
	if (f->snap)
		fleet_snapshot_put(f->snap);
	pthread_mutex_destroy(&f->snap_mu);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cond);
	free(f->tcode);
	free(f->cache_dir);
	free(f->prefix);
	free(f);
}

/* Projects one object of kind into rec; 0 when it belongs in the table. */
static int project_any(const project_keys *keys, int kind, const cJSON *obj, void *rec)
{
	switch (kind) {
	case K_NS:
		return project_namespace(keys, obj, rec);
	case K_DEPLOY:
	case K_STS: {
		int wk = kind == K_DEPLOY ? PROJECT_DEPLOYMENT : PROJECT_STATEFULSET;
		if (cJSON_GetObjectItemCaseSensitive(obj, "cells"))
			return project_workload_from_row(keys, obj, wk, rec);
		return project_workload_from(keys, obj, wk, rec);
	}
	case K_ING:
		return project_ingress_from(keys, obj, rec);
	case K_POD:
		return project_pod_from(keys, obj, rec);
	default:
		return project_event_from(obj, rec);
	}
}

/* Room for any projected record. */
typedef union any_rec {
	project_meta m;
	project_ns ns;
	project_workload wl;
	project_ingress ing;
	project_pod pod;
	project_event ev;
} any_rec;

/* ---- snapshot assembly ---- */

typedef struct cluster_data {
	const project_ns *ns;
	size_t n_ns;
	const project_workload *wl[2];
	size_t n_wl[2];
	const project_ingress *ing;
	size_t n_ing;
	const project_pod *pods;
	size_t n_pods;
	const project_event *ev;
	size_t n_ev;
	const catalog *cat;
	const rules *r;
	int keep_pods; /* copy pods and events into the snapshot */
	int loading;   /* the first listing is not complete: no health is known */
	const tab *last; /* last_seen (may be empty or NULL) */
	int64_t last_at; /* when last was written (unix s) */
	struct env_deps *deps; /* or NULL */
} cluster_data;

typedef struct builder {
	fleet_snapshot *s;
	size_t cap_t, cap_e, cap_p, cap_ev, cap_c;
} builder;

typedef struct env_key {
	project_meta m; /* name = namespace */
	int32_t idx;
} env_key;

static void builder_init(builder *b)
{
	memset(b, 0, sizeof(*b));
	b->s = xcalloc(1, sizeof(*b->s));
	b->s->refs = 1;
	b->s->built = util_now_ms() / 1000;
}

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 64;                                              \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                           \
		}                                                                                  \
	} while (0)

static int32_t env_lookup(const tab *idx, const char *ns)
{
	project_meta m;
	const env_key *k;

	m.ns[0] = '\0';
	util_strlcpy(m.name, ns, sizeof(m.name));
	k = tab_find(idx, &m);
	return k ? k->idx : -1;
}

typedef struct env_ref {
	char tcode[TCODE_SIZE];
	uint8_t env;
	int32_t idx;
	const project_ns *ns;
} env_ref;

static int cmp_env_ref(const void *a, const void *b)
{
	const env_ref *x = a, *y = b;
	int c = strcmp(x->tcode, y->tcode);

	return c ? c : (int)x->env - (int)y->env;
}

static void build_cluster(builder *b, const fleet_cluster_state *st, const cluster_data *d,
			  const health_opts *ho)
{
	fleet_snapshot *s = b->s;
	uint16_t ci = (uint16_t)s->n_clusters;
	size_t i, j, first_env = s->n_envs, first_t = s->n_tenants, ntn = 0;
	env_ref *refs = xcalloc(d->n_ns ? d->n_ns : 1, sizeof(*refs));
	size_t nrefs = 0;
	tab idx;
	int w;

	GROW(s->clusters, s->n_clusters, b->cap_c);
	s->clusters[s->n_clusters++] = *st;

	/* Room for every namespace at once: no doubling of the largest arrays. */
	if (b->cap_e < s->n_envs + d->n_ns) {
		b->cap_e = s->n_envs + d->n_ns;
		s->envs = xrealloc(s->envs, b->cap_e * sizeof(*s->envs));
	}
	tab_init(&idx, sizeof(env_key));
	tab_reserve(&idx, d->n_ns);
	for (i = 0; i < d->n_ns; i++) {
		const project_ns *p = &d->ns[i];
		model_env *e;
		env_key k;

		memset(&k, 0, sizeof(k));
		util_strlcpy(k.m.name, p->m.name, sizeof(k.m.name));
		if (tab_find(&idx, &k.m))
			continue;
		GROW(s->envs, s->n_envs, b->cap_e);
		e = &s->envs[s->n_envs];
		memset(e, 0, sizeof(*e));
		util_strlcpy(e->ns, p->m.name, sizeof(e->ns));
		e->env = p->env;
		e->product = p->product;
		if (st->reach != FLEET_OK) {
			e->fresh.stale = 1;
			/* since is on the local clock; health compares it with the
			 * cluster's (ho->now): carry it over as "that long ago" */
			e->fresh.unreachable_since =
			    st->since > 0 ? ho->now - (util_now_ms() / 1000 - st->since) : 0;
			util_strlcpy(e->fresh.why, st->why, sizeof(e->fresh.why));
		} else if (d->loading) {
			const last_seen *ls = d->last ? tab_find(d->last, &k.m) : NULL;
			e->fresh.loading = 1;
			if (ls && d->last_at > 0) {
				e->fresh.seen_at = d->last_at;
				e->fresh.seen_state = ls->state;
				setf(e->fresh.why, sizeof(e->fresh.why), "last seen %s: %s",
				     health_name((health_state)ls->state), ls->cause);
			}
		}
		k.idx = (int32_t)s->n_envs++;
		tab_put(&idx, &k);
		refs[nrefs].idx = k.idx;
		refs[nrefs].env = p->env;
		refs[nrefs].ns = p;
		util_strlcpy(refs[nrefs].tcode, p->tcode, sizeof(refs[nrefs].tcode));
		nrefs++;
	}
	for (w = 0; w < 2; w++)
		for (i = 0; i < d->n_wl[w]; i++) {
			int32_t ei = env_lookup(&idx, d->wl[w][i].m.ns);
			if (ei >= 0)
				project_env_add_workload(&s->envs[ei], &d->wl[w][i]);
		}
	for (i = 0; i < d->n_ing; i++) {
		int32_t ei = env_lookup(&idx, d->ing[i].m.ns);
		if (ei >= 0)
			project_env_add_ingress(&s->envs[ei], &d->ing[i]);
	}
	for (i = 0; i < d->n_pods; i++) {
		int32_t ei = env_lookup(&idx, d->pods[i].m.ns);
		if (ei < 0)
			continue;
		if (d->pods[i].tier == PROJECT_TIER_BASE)
			project_env_add_pod(&s->envs[ei], &d->pods[i]);
		if (d->keep_pods) {
			GROW(s->pods, s->n_pods, b->cap_p);
			s->pod_env = xrealloc(s->pod_env, b->cap_p * sizeof(*s->pod_env));
			s->pods[s->n_pods] = d->pods[i];
			s->pod_env[s->n_pods++] = ei;
		}
	}
	for (i = 0; d->keep_pods && i < d->n_ev; i++) {
		int32_t ei = env_lookup(&idx, d->ev[i].m.ns);
		if (ei < 0)
			continue;
		GROW(s->events, s->n_events, b->cap_ev);
		s->event_env = xrealloc(s->event_env, b->cap_ev * sizeof(*s->event_env));
		s->events[s->n_events] = d->ev[i];
		s->event_env[s->n_events++] = ei;
	}
	tab_release(&idx);

	/* Tenants: the environments grouped by TCODE. */
	qsort(refs, nrefs, sizeof(*refs), cmp_env_ref);
	for (i = 0, j = 0; i < nrefs; i++)
		j += !i || strcmp(refs[i].tcode, refs[i - 1].tcode);
	if (b->cap_t < s->n_tenants + j) {
		b->cap_t = s->n_tenants + j;
		s->tenants = xrealloc(s->tenants, b->cap_t * sizeof(*s->tenants));
	}
	s->env_tenant = xrealloc(s->env_tenant, (b->cap_e ? b->cap_e : 1) * sizeof(*s->env_tenant));
	s->env_health = xrealloc(s->env_health, (b->cap_e ? b->cap_e : 1) * sizeof(*s->env_health));
	for (i = 0; i < nrefs; i = j) {
		fleet_tenant *t;
		const catalog_entry *ce;
		const project_ns *src = NULL;
		const health_result *hr[2] = {NULL, NULL};

		GROW(s->tenants, s->n_tenants, b->cap_t);
		t = &s->tenants[s->n_tenants];
		memset(t, 0, sizeof(*t));
		t->env[0] = t->env[1] = -1;
		t->cluster = ci;
		util_strlcpy(t->t.tcode, refs[i].tcode, sizeof(t->t.tcode));
		util_strlcpy(t->t.cluster, st->name, sizeof(t->t.cluster));
		for (j = i; j < nrefs && !strcmp(refs[j].tcode, refs[i].tcode); j++) {
			if (t->env[refs[j].env & 1] < 0)
				t->env[refs[j].env & 1] = refs[j].idx;
			if (!src || (refs[j].env == TCODE_ENV_PROD && refs[j].ns->customer[0]))
				src = refs[j].ns;
			s->env_tenant[refs[j].idx] = (int32_t)s->n_tenants;
		}
		util_strlcpy(t->t.customer, src->customer, sizeof(t->t.customer));
		util_strlcpy(t->provider, src->provider, sizeof(t->provider));
		t->t.product = src->product;
		ce = catalog_find(d->cat, t->t.tcode);
		if (ce) {
			t->t.contract = ce->contract;
			if (!t->t.customer[0])
				util_strlcpy(t->t.customer, ce->customer, sizeof(t->t.customer));
			if (!t->provider[0])
				util_strlcpy(t->provider, ce->provider, sizeof(t->provider));
		}
		for (w = 0; w < 2; w++) {
			if (t->env[w] < 0)
				continue;
			health_env(&s->envs[t->env[w]], ce ? &t->t.contract : NULL, d->r, ho,
				   &s->env_health[t->env[w]]);
			if (d->deps)
				env_deps_apply(d->deps, ci, &s->envs[t->env[w]], &s->env_health[t->env[w]]);
			hr[w] = &s->env_health[t->env[w]];
		}
		health_tenant(hr[TCODE_ENV_PROD], hr[TCODE_ENV_DEV], &t->health);
		s->n_tenants++;
		ntn++;
	}
	s->clusters[ci].n_tenants = ntn;
	(void)first_env;
	(void)first_t;
	free(refs);
}

static int cmp_tenant(const void *a, const void *b)
{
	const fleet_tenant *x = a, *y = b;
	int c = strcmp(x->t.tcode, y->t.tcode);

	return c ? c : (int)x->cluster - (int)y->cluster;
}

typedef struct tagged {
	size_t old;
	const fleet_snapshot *s;
} tagged;

static int cmp_pod_tag(const void *a, const void *b)
{
	const tagged *x = a, *y = b;
	const project_pod *p = &x->s->pods[x->old], *q = &y->s->pods[y->old];
	int c = strcmp(p->m.ns, q->m.ns);

	return c ? c : strcmp(p->m.name, q->m.name);
}

static int cmp_event_tag(const void *a, const void *b)
{
	const tagged *x = a, *y = b;
	const project_event *p = &x->s->events[x->old], *q = &y->s->events[y->old];
	int c = strcmp(p->m.ns, q->m.ns);

	if (c)
		return c;
	if (p->last != q->last)
		return p->last < q->last ? -1 : 1;
	/* events of one second: an order that does not hang on their random names */
	if ((c = strcmp(p->object, q->object)) != 0 || (c = strcmp(p->reason, q->reason)) != 0)
		return c;
	return strcmp(p->m.name, q->m.name);
}

/* Sorts tenants (keeping env_tenant right), pods and events. */
static fleet_snapshot *build_finish(builder *b)
{
	fleet_snapshot *s = b->s;
	int32_t *map;
	tagged *tg;
	size_t i, n;

	for (i = 0; i < s->n_tenants; i++)
		s->tenants[i].health.cause[HEALTH_CAUSE_SIZE - 1] = '\0';
	/* Tag each tenant with its old index through env[]: sort, then remap. */
	map = xcalloc(s->n_tenants ? s->n_tenants : 1, sizeof(*map));
	{
		size_t *order = xmalloc((s->n_tenants ? s->n_tenants : 1) * sizeof(*order));
		if (s->n_tenants)
			qsort(s->tenants, s->n_tenants, sizeof(*s->tenants), cmp_tenant);
		/* tcode + cluster is unique: find each new slot's old index by its envs. */
		for (i = 0; i < s->n_tenants; i++) {
			const fleet_tenant *t = &s->tenants[i];
			int32_t e = t->env[0] >= 0 ? t->env[0] : t->env[1];
			order[i] = e >= 0 ? (size_t)s->env_tenant[e] : i;
		}
		for (i = 0; i < s->n_tenants; i++)
			map[order[i]] = (int32_t)i;
		for (i = 0; i < s->n_envs; i++)
			s->env_tenant[i] = map[s->env_tenant[i]];
		free(order);
	}
	free(map);

	n = s->n_pods > s->n_events ? s->n_pods : s->n_events;
	tg = xmalloc((n ? n : 1) * sizeof(*tg));
	if (s->n_pods) {
		project_pod *np = xmalloc(s->n_pods * sizeof(*np));
		int32_t *ne = xmalloc(s->n_pods * sizeof(*ne));
		for (i = 0; i < s->n_pods; i++)
			tg[i] = (tagged){i, s};
		qsort(tg, s->n_pods, sizeof(*tg), cmp_pod_tag);
		for (i = 0; i < s->n_pods; i++) {
			np[i] = s->pods[tg[i].old];
			ne[i] = s->pod_env[tg[i].old];
		}
		free(s->pods);
		free(s->pod_env);
		s->pods = np;
		s->pod_env = ne;
	}
	if (s->n_events) {
		project_event *nv = xmalloc(s->n_events * sizeof(*nv));
		int32_t *ne = xmalloc(s->n_events * sizeof(*ne));
		for (i = 0; i < s->n_events; i++)
			tg[i] = (tagged){i, s};
		qsort(tg, s->n_events, sizeof(*tg), cmp_event_tag);
		for (i = 0; i < s->n_events; i++) {
			nv[i] = s->events[tg[i].old];
			ne[i] = s->event_env[tg[i].old];
		}
		free(s->events);
		free(s->event_env);
		s->events = nv;
		s->event_env = ne;
	}
	free(tg);
	return s;
}

fleet_snapshot *fleet_snapshot_build(const fleet_cluster_state *cs, const project_ns *ns,
				     size_t n_ns, const project_workload *wl, size_t n_wl,
				     const project_ingress *ing, size_t n_ing,
				     const project_pod *pods, size_t n_pods,
				     const struct catalog *cat, const rules *r,
				     const health_opts *hopts)
{
	cluster_data d = {.ns = ns,
			  .n_ns = n_ns,
			  .wl = {wl, NULL},
			  .n_wl = {n_wl, 0},
			  .ing = ing,
			  .n_ing = n_ing,
			  .pods = pods,
			  .n_pods = n_pods,
			  .cat = cat,
			  .r = r,
			  .keep_pods = 1};
	builder b;

	builder_init(&b);
	build_cluster(&b, cs, &d, hopts);
	return build_finish(&b);
}

void fleet_snapshot_put(fleet_snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(s->clusters);
	free(s->tenants);
	free(s->envs);
	free(s->env_health);
	free(s->env_tenant);
	free(s->pods);
	free(s->pod_env);
	free(s->events);
	free(s->event_env);
	free(s);
}

fleet_snapshot *fleet_snapshot_get(fleet *f)
{
	fleet_snapshot *s;

	pthread_mutex_lock(&f->snap_mu);
	s = f->snap;
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&f->snap_mu);
	return s;
}

/* ---- the last good listing on disk (core/fleet_cache.h) ---- */

/* Writes the cluster's tenant environments with the health each has in
 * snapshot s. Only from a complete listing; a failure is not worth a word
 * (the next start lists without a snapshot). */
static void cache_save(const fleet *f, const fleet_snapshot *s, size_t ci)
{
	const cluster *c = &f->cl[ci];
	fleet_cache_row *rows;
	char err[256];
	size_t i, n = 0;

	if (!f->cache_dir || f->tcode || !c->server)
		return;
	rows = xcalloc(s->n_envs ? s->n_envs : 1, sizeof(*rows));
	for (i = 0; i < s->n_envs; i++) {
		const model_env *e = &s->envs[i];
		const fleet_tenant *t = &s->tenants[s->env_tenant[i]];
		fleet_cache_row *r = &rows[n];
		if (t->cluster != ci)
			continue;
		util_strlcpy(r->ns, e->ns, sizeof(r->ns));
		util_strlcpy(r->tcode, t->t.tcode, sizeof(r->tcode));
		r->env = e->env;
		r->product = e->product;
		r->state = (uint8_t)s->env_health[i].state;
		util_strlcpy(r->customer, t->t.customer, sizeof(r->customer));
		util_strlcpy(r->provider, t->provider, sizeof(r->provider));
		util_strlcpy(r->cause, s->env_health[i].cause, sizeof(r->cause));
		n++;
	}
	(void)fleet_cache_write(f->cache_dir, c->server, c->name, rows, n, util_now_ms() / 1000,
				err, sizeof(err));
	free(rows);
}

/* Fills the namespace table (and the last health seen) from the cache; the
 * number of environments read. A snapshot that is there but unusable is
 * said in st.cache_warn. */
static int cache_load(const fleet *f, cluster *c)
{
	fleet_cache_row *rows;
	size_t n, i;
	int64_t written;
	int rc;

	if (!f->cache_dir || f->tcode || !c->server)
		return 0;
	rc = fleet_cache_read(f->cache_dir, c->server, c->name, &rows, &n, &written,
			      c->st.cache_warn, sizeof(c->st.cache_warn));
	if (rc <= 0)
		return 0;
	/* The data is as old as the listing that wrote it. */
	if (written < c->st.since)
		c->st.since = written;
	c->last_at = written;
	for (i = 0; i < n; i++) {
		const fleet_cache_row *r = &rows[i];
		project_ns ns;
		last_seen ls;

		memset(&ns, 0, sizeof(ns));
		util_strlcpy(ns.m.name, r->ns, sizeof(ns.m.name));
		util_strlcpy(ns.tcode, r->tcode, sizeof(ns.tcode));
		ns.env = r->env;
		ns.product = r->product;
		util_strlcpy(ns.customer, r->customer, sizeof(ns.customer));
		util_strlcpy(ns.provider, r->provider, sizeof(ns.provider));
		tab_put(&c->tabs[K_NS], &ns);
		memset(&ls, 0, sizeof(ls));
		util_strlcpy(ls.m.name, r->ns, sizeof(ls.m.name));
		ls.state = r->state;
		util_strlcpy(ls.cause, r->cause, sizeof(ls.cause));
		tab_put(&c->last, &ls);
	}
	free(rows);
	return (int)n;
}

/* ---- publishing ---- */

static void publish(fleet *f)
{
	health_opts ho = {util_now_ms() / 1000, f->tz_offset_min};
	fleet_snapshot *old;
	builder b;
	size_t i;

	builder_init(&b);
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		cluster_data d;

		/* contract dates and "today" as the cluster's clock has them */
		ho.now = c->client ? k8s_client_server_now(c->client) : util_now_ms() / 1000;
		pthread_mutex_lock(&c->mu);
		d = (cluster_data){
		    .ns = (const project_ns *)c->tabs[K_NS].recs,
		    .n_ns = c->tabs[K_NS].n,
		    .wl = {(const project_workload *)c->tabs[K_DEPLOY].recs,
			   (const project_workload *)c->tabs[K_STS].recs},
		    .n_wl = {c->tabs[K_DEPLOY].n, c->tabs[K_STS].n},
		    .ing = (const project_ingress *)c->tabs[K_ING].recs,
		    .n_ing = c->tabs[K_ING].n,
		    .pods = (const project_pod *)c->tabs[K_POD].recs,
		    .n_pods = c->tabs[K_POD].n,
		    .ev = (const project_event *)c->tabs[K_EVENT].recs,
		    .n_ev = c->tabs[K_EVENT].n,
		    .cat = &c->cat,
		    .r = &c->rules,
		    .keep_pods = f->tcode != NULL,
		    .last = &c->last,
		    .last_at = c->last_at,
		    .deps = f->deps,
		};
		if (c->watching) {
			d.loading = (c->listed & WATCH_KINDS) != WATCH_KINDS || !c->meta_done;
			c->st.synced = !d.loading;
			c->st.snapshot_at = d.loading && c->cached ? c->last_at : 0;
		}
		build_cluster(&b, &c->st, &d, &ho);
		pthread_mutex_unlock(&c->mu);
	}
	b.s->version = ++f->version;
	build_finish(&b);
	/* The last good listing, for the next start (at most once a minute). */
	for (i = 0; f->cache_dir && i < f->n; i++) {
		cluster *c = &f->cl[i];
		int64_t now = util_mono_ms();
		if (b.s->clusters[i].reach != FLEET_OK || !b.s->clusters[i].synced ||
		    (c->saved_ms && now - c->saved_ms < 60000))
			continue;
		cache_save(f, b.s, i);
		c->saved_ms = now;
	}
	pthread_mutex_lock(&f->snap_mu);
	old = f->snap;
	f->snap = b.s;
	pthread_mutex_unlock(&f->snap_mu);
	fleet_snapshot_put(old);
}

/* ---- one-shot listing ---- */

typedef struct job {
	cluster *c;
	int kind; /* K_*, or -1 rules, -2 catalogue */
	char *path;
	char *label_sel, *field_sel;
	const char *accept; /* a server-side Table, or NULL */
	int rc;
	k8s_err err;
	pthread_t th;
} job;

static void job_restart(void *ctx)
{
	job *j = ctx;

	tab_clear(&j->c->tabs[j->kind]);
}

static void job_total(void *ctx, size_t total)
{
	job *j = ctx;

	tab_reserve(&j->c->tabs[j->kind], j->c->tabs[j->kind].n + total);
}

static const jscan_keep *const kind_keep[K_COUNT] = {
    [K_NS] = project_keep_namespace, [K_DEPLOY] = project_keep_workload,
    [K_STS] = project_keep_workload, [K_ING] = project_keep_ingress,
    [K_POD] = project_keep_pod,	     [K_EVENT] = project_keep_event,
};

static int job_item(void *ctx, const cJSON *item)
{
	job *j = ctx;
	any_rec rec;

	if (project_any(&j->c->f->keys, j->kind, item, &rec) == 0)
		tab_put(&j->c->tabs[j->kind], &rec);
	return 0;
}

static void fetch_rules(cluster *c, k8s_err *err)
{
	char note[sizeof(c->st.note)];
	rules r;
	int rc = rules_fetch(c->client, &r, note, sizeof(note), err);

	/* Watches may be publishing already. */
	pthread_mutex_lock(&c->mu);
	if (rc == 1) {
		c->rules = r;
		c->st.rules_custom = 1;
	} else if (note[0]) {
		setf(c->st.note, sizeof(c->st.note), "%s", note);
	}
	pthread_mutex_unlock(&c->mu);
}

static void *job_run(void *arg)
{
	job *j = arg;
	cluster *c = j->c;
	k8s_list_opts lo = {.label_selector = j->label_sel,
			    .field_selector = j->field_sel,
			    .limit = c->f->page_limit,
			    .on_restart = job_restart,
			    .cancel = &c->f->cancel,
			    .accept = j->accept,
			    .keep = j->kind >= 0 ? kind_keep[j->kind] : NULL,
			    .on_total = j->kind >= 0 ? job_total : NULL};

	k8s_err_clear(&j->err);
	if (j->kind == -1) {
		fetch_rules(c, &j->err);
		j->rc = 0;
	} else if (j->kind == -2) {
		if (catalog_fetch(c->client, c->catalog_url, &c->cat, &j->err) < 0) {
			/* The catalogue is advisory: contracts then stay unknown. */
			j->rc = 0;
			j->err.http = -2;
		}
	} else {
		j->rc = k8s_list(c->client, j->path, &lo, job_item, j, NULL, 0, &j->err);
	}
	return NULL;
}

static void add_job(job **jobs, size_t *n, size_t *cap, cluster *c, int kind, char *path,
		    const char *label_sel, const char *field_sel)
{
	job *j;

	GROW(*jobs, *n, *cap);
	j = &(*jobs)[(*n)++];
	memset(j, 0, sizeof(*j));
	j->c = c;
	j->kind = kind;
	j->path = path;
	j->label_sel = dup_or_null(label_sel);
	j->field_sel = dup_or_null(field_sel);
}

#define TABLE_ACCEPT                                                                        \
	"application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

static char *table_path(const char *plural)
{
	char *p = k8s_path("apps", "v1", NULL, plural, NULL);
	char *q = xasprintf("%s?includeObject=Metadata", p);

	free(p);
	return q;
}

/* The jobs that list one cluster: the whole fleet, or one tenant's namespaces. */
static size_t plan_jobs(cluster *c, job **jobs)
{
	const project_keys *k = &c->f->keys;
	size_t n = 0, cap = 0;
	char sel[96], fsel[96], ns[TCODE_NS_SIZE];
	int e;

	add_job(jobs, &n, &cap, c, -1, NULL, NULL, NULL);
	if (c->catalog_url)
		add_job(jobs, &n, &cap, c, -2, NULL, NULL, NULL);
	if (!c->f->tcode) {
		snprintf(sel, sizeof(sel), "%s=base", k->tier);
		add_job(jobs, &n, &cap, c, K_NS, k8s_path(NULL, "v1", NULL, "namespaces", NULL),
			k->tcode, NULL);
		/* Workloads as kubectl reads them: a Table of ready counts with metadata
		 * (labels, Hypnus annotations), a fraction of the whole objects' bytes. A
		 * server without Tables answers a plain list, which projects the same. */
		add_job(jobs, &n, &cap, c, K_DEPLOY, table_path("deployments"), k->tier, NULL);
		(*jobs)[n - 1].accept = TABLE_ACCEPT;
		add_job(jobs, &n, &cap, c, K_STS, table_path("statefulsets"), k->tier, NULL);
		(*jobs)[n - 1].accept = TABLE_ACCEPT;
		add_job(jobs, &n, &cap, c, K_ING,
			k8s_path("networking.k8s.io", "v1", NULL, "ingresses", NULL), k->tcode,
			NULL);
		add_job(jobs, &n, &cap, c, K_POD, k8s_path(NULL, "v1", NULL, "pods", NULL), sel,
			NULL);
		return n;
	}
	for (e = 0; e < 2; e++) {
		if (tcode_namespace(c->f->tcode, (tcode_env)e, ns, sizeof(ns)) < 0)
			continue;
		snprintf(fsel, sizeof(fsel), "metadata.name=%s", ns);
		add_job(jobs, &n, &cap, c, K_NS, k8s_path(NULL, "v1", NULL, "namespaces", NULL),
			NULL, fsel);
		add_job(jobs, &n, &cap, c, K_DEPLOY,
			k8s_path("apps", "v1", ns, "deployments", NULL), NULL, NULL);
		add_job(jobs, &n, &cap, c, K_STS, k8s_path("apps", "v1", ns, "statefulsets", NULL),
			NULL, NULL);
		add_job(jobs, &n, &cap, c, K_ING,
			k8s_path("networking.k8s.io", "v1", ns, "ingresses", NULL), NULL, NULL);
		add_job(jobs, &n, &cap, c, K_POD, k8s_path(NULL, "v1", ns, "pods", NULL), NULL,
			NULL);
		add_job(jobs, &n, &cap, c, K_EVENT, k8s_path(NULL, "v1", ns, "events", NULL), NULL,
			NULL);
	}
	return n;
}

/* A one-shot load: jobs of one kind share a table, so one tenant's two
 * namespaces are listed one after the other; kinds run in parallel. */
typedef struct kind_runner {
	job *jobs;
	size_t n;
	int kind;
	pthread_t th;
} kind_runner;

static void *runner_run(void *arg)
{
	kind_runner *r = arg;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->jobs[i].kind == r->kind) {
			job_run(&r->jobs[i]);
			if (r->jobs[i].rc < 0)
				break;
		}
	return NULL;
}

static void *cluster_load(void *arg)
{
	cluster *c = arg;
	job *jobs = NULL;
	size_t n, i;
	kind_runner runners[K_COUNT + 2];
	int nr = 0, k, failed = 0;
	const job *bad = NULL;

	if (!c->client) {
		c->st.reach = FLEET_UNREACHABLE;
		c->st.since = util_now_ms() / 1000;
		util_strlcpy(c->st.why, c->cfg_why ? c->cfg_why : "no client", sizeof(c->st.why));
		cache_load(c->f, c);
		return NULL;
	}
	n = plan_jobs(c, &jobs);
	for (k = -2; k < K_COUNT; k++) {
		for (i = 0; i < n; i++)
			if (jobs[i].kind == k)
				break;
		if (i == n)
			continue;
		runners[nr] = (kind_runner){jobs, n, k, 0};
		if (pthread_create(&runners[nr].th, NULL, runner_run, &runners[nr]) != 0)
			runner_run(&runners[nr]);
		else
			nr++;
	}
	for (k = 0; k < nr; k++)
		pthread_join(runners[k].th, NULL);
	for (i = 0; i < n; i++) {
		if (jobs[i].rc < 0 && (!bad || (jobs[i].err.unreachable && !bad->err.unreachable)))
			bad = &jobs[i];
		if (jobs[i].kind == -2 && jobs[i].err.http == -2)
			setf(c->st.note, sizeof(c->st.note),
			     "catalogue unavailable, contracts not checked: %s", jobs[i].err.msg);
	}
	if (bad) {
		failed = 1;
		c->st.reach = bad->err.unreachable ? FLEET_UNREACHABLE : FLEET_FAILED;
		c->st.since = util_now_ms() / 1000;
		setf(c->st.why, sizeof(c->st.why), "%s%s",
		     bad->err.unreachable ? "cluster unreachable: " : "", bad->err.msg);
	} else {
		c->st.reach = FLEET_OK;
		c->st.synced = 1;
	}
	if (failed) {
		/* Half a listing is worse than none: keep only what the cache knew. */
		for (k = 0; k < K_COUNT; k++)
			tab_clear(&c->tabs[k]);
		cache_load(c->f, c);
	}
	for (i = 0; i < n; i++) {
		free(jobs[i].path);
		free(jobs[i].label_sel);
		free(jobs[i].field_sel);
	}
	free(jobs);
	return NULL;
}

int fleet_load(fleet *f)
{
	pthread_t *th = xcalloc(f->n ? f->n : 1, sizeof(*th));
	int *started = xcalloc(f->n ? f->n : 1, sizeof(*started));
	size_t i;
	int ok = 0;

	for (i = 0; i < f->n; i++) {
		started[i] = pthread_create(&th[i], NULL, cluster_load, &f->cl[i]) == 0;
		if (!started[i])
			cluster_load(&f->cl[i]);
	}
	for (i = 0; i < f->n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (i = 0; i < f->n; i++)
		ok += f->cl[i].st.reach == FLEET_OK;
	free(th);
	free(started);
	publish(f);
	return ok;
}

/* ---- watching ---- */

static void mark_dirty(fleet *f)
{
	pthread_mutex_lock(&f->mu);
	f->dirty = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

void fleet_set_deps(fleet *f, struct env_deps *d)
{
	f->deps = d;
}

void fleet_deps_changed(fleet *f)
{
	if (f->pub_running)
		mark_dirty(f);
	else
		publish(f);
}

/* An informer heard from the server: it answers again. */
static void heard(cluster *c, int kind)
{
	c->answered |= 1u << kind;
	c->failing &= ~(1u << kind);
	if (!c->failing && c->st.reach != FLEET_OK) {
		c->st.reach = FLEET_OK;
		c->st.since = 0;
		c->st.why[0] = '\0';
	}
}

static void inf_upsert(void *ctx, const cJSON *obj)
{
	source *s = ctx;
	any_rec rec;
	int rc = project_any(&s->c->f->keys, s->kind, obj, &rec);
	uint32_t listed;

	pthread_mutex_lock(&s->c->mu);
	if (rc == 0)
		tab_put(&s->c->tabs[s->kind], &rec);
	else if (rc == 1) /* lost its labels: no longer ours */
		tab_del(&s->c->tabs[s->kind], &rec.m);
	heard(s->c, s->kind);
	listed = s->c->listed & (1u << s->kind);
	pthread_mutex_unlock(&s->c->mu);
	if (listed) /* a first list republishes once, when complete */
		mark_dirty(s->c->f);
}

static void inf_delete(void *ctx, const cJSON *obj)
{
	source *s = ctx;
	any_rec rec;

	if (project_any(&s->c->f->keys, s->kind, obj, &rec) < 0)
		return;
	pthread_mutex_lock(&s->c->mu);
	tab_del(&s->c->tabs[s->kind], &rec.m);
	heard(s->c, s->kind);
	pthread_mutex_unlock(&s->c->mu);
	mark_dirty(s->c->f);
}

static void inf_list_begin(void *ctx)
{
	source *s = ctx;

	pthread_mutex_lock(&s->c->mu);
	s->c->tabs[s->kind].cur_gen++;
	pthread_mutex_unlock(&s->c->mu);
}

static void inf_sync(void *ctx, int relisted)
{
	source *s = ctx;
	cluster *c = s->c;

	pthread_mutex_lock(&c->mu);
	tab_sweep(&c->tabs[s->kind]);
	heard(c, s->kind);
	c->listed |= 1u << s->kind;
	pthread_mutex_unlock(&c->mu);
	mark_dirty(c->f);
}

static void inf_error(void *ctx, const k8s_err *err)
{
	source *s = ctx;
	cluster *c = s->c;

	static const char *const what[K_COUNT] = {"namespaces", "deployments", "statefulsets",
						  "ingresses",	"pods",	       "events"};

	pthread_mutex_lock(&c->mu);
	c->answered |= 1u << s->kind;
	if (err->unreachable) {
		if (!c->failing) {
			c->st.since = util_now_ms() / 1000;
			c->st.reach = FLEET_UNREACHABLE;
			setf(c->st.why, sizeof(c->st.why), "cluster unreachable: %s", err->msg);
		}
		c->failing |= 1u << s->kind;
	} else if (!(c->listed & (1u << s->kind))) {
		/* Never listed: what it would tell is not known, so nothing is claimed. */
		if (!c->failing) {
			c->st.since = util_now_ms() / 1000;
			c->st.reach = FLEET_FAILED;
			setf(c->st.why, sizeof(c->st.why), "cannot list %s: %s", what[s->kind],
			     err->msg);
		}
		c->failing |= 1u << s->kind;
	}
	pthread_mutex_unlock(&c->mu);
	mark_dirty(c->f);
}

/* A watch opened or a bookmark came: the server answers again, even when
 * nothing changed (without this a brief outage left the cluster unreachable
 * until some object of each kind happened to change). */
static void inf_alive(void *ctx)
{
	source *s = ctx;
	cluster *c = s->c;
	int was;

	pthread_mutex_lock(&c->mu);
	was = (c->failing & (1u << s->kind)) != 0;
	if (was)
		heard(c, s->kind);
	pthread_mutex_unlock(&c->mu);
	if (was)
		mark_dirty(c->f);
}

static const k8s_informer_cb inf_cb = {
    .on_alive = inf_alive,
    .on_add = inf_upsert,
    .on_update = inf_upsert,
    .on_delete = inf_delete,
    .on_list_begin = inf_list_begin,
    .on_sync = inf_sync,
    .on_error = inf_error,
};

/* Per cluster: the informers (namespaces first: the rows of a first frame),
 * then rules and catalogue once, while the lists run. */
static void *cluster_start(void *arg)
{
	cluster *c = arg;
	const project_keys *k = &c->f->keys;
	static const struct {
		int kind;
		const char *group, *plural;
	} what[] = {
	    {K_NS, NULL, "namespaces"},	     {K_DEPLOY, "apps", "deployments"},
	    {K_STS, "apps", "statefulsets"}, {K_ING, "networking.k8s.io", "ingresses"},
	    {K_POD, NULL, "pods"},
	};
	char base_sel[96];
	k8s_err err;
	catalog cat;
	size_t i;

	snprintf(base_sel, sizeof(base_sel), "%s=base", k->tier);
	for (i = 0; i < ARRAY_SIZE(what) && !atomic_load(&c->f->cancel); i++) {
		k8s_informer_opts io = {.page_limit = c->f->page_limit};
		const char *sel = what[i].kind == K_POD				    ? base_sel
				  : (what[i].kind == K_NS || what[i].kind == K_ING) ? k->tcode
										    : k->tier;
		char *path = k8s_path(what[i].group, "v1", NULL, what[i].plural, NULL);
		k8s_informer *inf;

		io.label_selector = sel;
		inf = k8s_informer_start(c->client, path, &io, &inf_cb, &c->src[what[i].kind]);
		free(path);
		pthread_mutex_lock(&c->mu);
		c->inf[what[i].kind] = inf;
		pthread_mutex_unlock(&c->mu);
	}
	fetch_rules(c, &err);
	if (c->catalog_url) {
		if (catalog_fetch(c->client, c->catalog_url, &cat, &err) == 0) {
			pthread_mutex_lock(&c->mu);
			catalog_release(&c->cat);
			c->cat = cat;
			pthread_mutex_unlock(&c->mu);
		} else {
			pthread_mutex_lock(&c->mu);
			setf(c->st.note, sizeof(c->st.note),
			     "catalogue unavailable, contracts not checked: %s", err.msg);
			pthread_mutex_unlock(&c->mu);
		}
	}
	pthread_mutex_lock(&c->mu);
	c->meta_done = 1;
	pthread_mutex_unlock(&c->mu);
	mark_dirty(c->f);
	return NULL;
}

/* A snapshot may go out once every cluster's tenants are known: its
 * namespaces listed (or cached), or the cluster not answering. */
static int rows_known(fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		int known;
		if (!c->client)
			continue;
		pthread_mutex_lock(&c->mu);
		known = (c->listed & (1u << K_NS)) || c->failing || c->cached;
		pthread_mutex_unlock(&c->mu);
		if (!known)
			return 0;
	}
	return 1;
}

static void *publisher(void *arg)
{
	fleet *f = arg;
	int64_t last = 0;

	pthread_mutex_lock(&f->mu);
	while (!f->stop) {
		struct timespec ts;
		int64_t now = util_mono_ms(), wait_ms = f->min_interval_ms;

		if (f->dirty && now - last >= f->min_interval_ms) {
			size_t i;
			for (i = 0; i < f->n; i++) /* starters done? */
				if (f->cl[i].starter_running &&
				    pthread_tryjoin_np(f->cl[i].starter, NULL) == 0)
					f->cl[i].starter_running = 0;
			if (rows_known(f)) {
				f->dirty = 0;
				pthread_mutex_unlock(&f->mu);
				publish(f);
				last = util_mono_ms();
				if (f->fn)
					f->fn(f->fn_ctx);
				pthread_mutex_lock(&f->mu);
				continue;
			}
		} else if (f->dirty) {
			wait_ms = f->min_interval_ms - (now - last);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		ts.tv_sec += wait_ms / 1000 + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&f->cond, &f->mu, &ts);
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

int fleet_watch_start(fleet *f, fleet_change_fn fn, void *ctx)
{
	size_t i;
	int cached = 0;

	if (f->pub_running || f->tcode)
		return -1;
	f->fn = fn;
	f->fn_ctx = ctx;
	f->stop = 0;
	atomic_store(&f->cancel, 0);
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		c->watching = 1;
		if (c->client && cache_load(f, c) > 0)
			cached = c->cached = 1;
	}
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		if (!c->client) {
			c->st.reach = FLEET_UNREACHABLE;
			c->st.since = util_now_ms() / 1000;
			util_strlcpy(c->st.why, c->cfg_why ? c->cfg_why : "no client",
				     sizeof(c->st.why));
			continue;
		}
		c->starter_running = pthread_create(&c->starter, NULL, cluster_start, c) == 0;
		if (!c->starter_running)
			cluster_start(c);
	}
	if (cached) {
		/* The last listing's rows at once, health "loading" until the lists
		 * are in; published while the lists are already asked for (the
		 * publisher thread, which alone publishes from now on, starts below). */
		publish(f);
		if (fn)
			fn(ctx);
	}
	f->dirty = 1;
	if (pthread_create(&f->pub, NULL, publisher, f) != 0)
		return -1;
	f->pub_running = 1;
	return 0;
}

void fleet_watch_stop(fleet *f)
{
	size_t i;
	int k;

	if (!f->pub_running)
		return;
	atomic_store(&f->cancel, 1);
	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->pub, NULL);
	f->pub_running = 0;
	/* every watch asked first, then waited for: the slowest, not the sum */
	for (i = 0; i < f->n; i++) {
		pthread_mutex_lock(&f->cl[i].mu);
		for (k = 0; k < K_COUNT; k++)
			k8s_informer_cancel(f->cl[i].inf[k]);
		pthread_mutex_unlock(&f->cl[i].mu);
	}
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		if (c->starter_running) {
			pthread_join(c->starter, NULL);
			c->starter_running = 0;
		}
		for (k = 0; k < K_COUNT; k++) {
			k8s_informer *inf;
			pthread_mutex_lock(&c->mu);
			inf = c->inf[k];
			c->inf[k] = NULL;
			pthread_mutex_unlock(&c->mu);
			if (inf)
				k8s_informer_stop(inf);
		}
	}
}
