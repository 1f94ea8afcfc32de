/* core/fleet_snapshot.c — immutable snapshots assembled from the tables (see
 * core/fleet_int.h). */
#include "core/fleet_int.h"

/* ---- snapshot assembly ---- */




void fleet_builder_init(builder *b)
{
	memset(b, 0, sizeof(*b));
	b->s = xcalloc(1, sizeof(*b->s));
	b->s->refs = 1;
	cow_init(&b->s->tenant_arr, sizeof(fleet_tenant));
	cow_init(&b->s->env_arr, sizeof(model_env));
	cow_init(&b->s->health_arr, sizeof(health_result));
	b->s->built = util_now_ms() / 1000;
}


static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void fleet_prepare_count(const tab *ns, size_t *envs, size_t *tenants)
{
	size_t n = ns->n, i;
	const char **tc;

	*envs = n;
	*tenants = 0;
	if (n < 2 * COW_BLOCK)
		return;
	tc = xmalloc(n * sizeof(*tc));
	for (i = 0; i < n; i++)
		tc[i] = ((const project_ns *)(const void *)(ns->recs + i * ns->rsize))->tcode;
	qsort(tc, n, sizeof(*tc), cmp_str_ptr);
	for (i = 0; i < n; i++)
		*tenants += !i || strcmp(tc[i], tc[i - 1]);
	free(tc);
}

void fleet_prepare_make(size_t envs, size_t tenants)
{
	if (envs < 2 * COW_BLOCK)
		return;
	cow_prepare(sizeof(model_env), envs);
	cow_prepare(sizeof(health_result), envs);
	cow_prepare(sizeof(fleet_tenant), tenants);
}

void fleet_prepare_build(const tab *ns)
{
	size_t envs, tenants;

	fleet_prepare_count(ns, &envs, &tenants);
	fleet_prepare_make(envs, tenants);
}

static int32_t env_lookup(const tab *idx, const char *ns)
{
	const env_key *k = fleet_tab_find_name(idx, ns);

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

void fleet_build_cluster(builder *b, const fleet_cluster_state *st, const cluster_data *d,
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

	/* every namespace's room at once: one slab, huge pages (util/cow.h) */
	cow_reserve(&s->env_arr, s->n_envs + d->n_ns);
	cow_reserve(&s->health_arr, s->n_envs + d->n_ns);
	fleet_tab_init(&idx, sizeof(env_key));
	fleet_tab_reserve(&idx, d->n_ns);
	for (i = 0; i < d->n_ns; i++) {
		const project_ns *p = &d->ns[i];
		model_env *e;
		env_key k;

		memset(&k, 0, sizeof(k));
		util_strlcpy(k.m.name, p->m.name, sizeof(k.m.name));
		if (fleet_tab_find(&idx, &k.m))
			continue;
		e = cow_push(&s->env_arr);
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
			const last_seen *ls = d->last ? fleet_tab_find(d->last, &k.m) : NULL;
			e->fresh.loading = 1;
			if (ls && d->last_at > 0) {
				e->fresh.seen_at = d->last_at;
				e->fresh.seen_state = ls->state;
				fleet_setf(e->fresh.why, sizeof(e->fresh.why), "last seen %s: %s",
				     health_name((health_state)ls->state), ls->cause);
			}
		}
		k.idx = (int32_t)s->n_envs++;
		fleet_tab_put(&idx, &k);
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
				project_env_add_workload(fleet_env_w(s, ei), &d->wl[w][i]);
		}
	for (i = 0; i < d->n_ing; i++) {
		int32_t ei = env_lookup(&idx, d->ing[i].m.ns);
		if (ei >= 0)
			project_env_add_ingress(fleet_env_w(s, ei), &d->ing[i]);
	}
	for (i = 0; i < d->n_pods; i++) {
		const project_pod *pod =
		    (const project_pod *)(const void *)((const char *)d->pods + i * d->pod_size);
		int32_t ei = env_lookup(&idx, pod->m.ns);
		if (ei < 0)
			continue;
		if (pod->tier == PROJECT_TIER_BASE)
			project_env_add_pod(fleet_env_w(s, ei), pod);
		if (d->keep_pods && d->pod_size == sizeof(*pod)) {
			GROW(s->pods, s->n_pods, b->cap_p);
			s->pod_env = xrealloc(s->pod_env, b->cap_p * sizeof(*s->pod_env));
			s->pods[s->n_pods] = *pod;
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
	if (d->env_idx) {
		fleet_tab_release(d->env_idx);
		*d->env_idx = idx;
	} else {
		fleet_tab_release(&idx);
	}

	/* Tenants: the environments grouped by TCODE. */
	qsort(refs, nrefs, sizeof(*refs), cmp_env_ref);
	for (i = 0, j = 0; i < nrefs; i++)
		j += !i || strcmp(refs[i].tcode, refs[i - 1].tcode);
	/* the cluster's tenants in one slab, sorted with the others' in place
	 * (fleet_build_finish) */
	cow_reserve(&s->tenant_arr, s->n_tenants + j);
	if (b->cap_e < s->n_envs) {
		b->cap_e = s->n_envs + s->n_envs / 4;
		s->env_tenant = xrealloc(s->env_tenant, b->cap_e * sizeof(*s->env_tenant));
	}
	while (s->health_arr.n < s->n_envs)
		cow_push(&s->health_arr);
	for (i = 0; i < nrefs; i = j) {
		fleet_tenant *t;
		const catalog_entry *ce;
		const project_ns *src = NULL;
		const health_result *hr[2] = {NULL, NULL};

		t = cow_push(&s->tenant_arr);
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
			health_result *h = fleet_health_w(s, t->env[w]);
			health_env(fleet_env(s, t->env[w]), ce ? &t->t.contract : NULL, d->r, ho, h);
			if (d->deps)
				env_deps_apply(d->deps, ci, fleet_env(s, t->env[w]), h);
			hr[w] = h;
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

typedef struct tenant_tag {
	const fleet_tenant *t;
	size_t old; /* its index as built */
} tenant_tag;

static int cmp_tenant_tag(const void *a, const void *b)
{
	const fleet_tenant *x = ((const tenant_tag *)a)->t, *y = ((const tenant_tag *)b)->t;
	int c = strcmp(x->t.tcode, y->t.tcode);

	return c ? c : (int)x->cluster - (int)y->cluster;
}

/* The tenants by tcode, then cluster, moved within their blocks (no second
 * copy of them: 9.6 MB at 20,000 tenants, each whole build); env_tenant
 * follows. */
static void sort_tenants(fleet_snapshot *s)
{
	size_t i, j, k, n = s->n_tenants;
	tenant_tag *tg = xmalloc((n ? n : 1) * sizeof(*tg));
	int32_t *map = xmalloc((n ? n : 1) * sizeof(*map));
	fleet_tenant tmp;

	for (i = 0; i < n; i++)
		tg[i] = (tenant_tag){fleet_tenant_at(s, i), i};
	qsort(tg, n, sizeof(*tg), cmp_tenant_tag);
	for (i = 0; i < n; i++)
		map[tg[i].old] = (int32_t)i;
	for (i = 0; i < s->n_envs; i++)
		s->env_tenant[i] = map[s->env_tenant[i]];
	/* slot i takes the tenant built at tg[i].old: cycle by cycle, a slot
	 * done marked as taking its own */
	for (i = 0; i < n; i++) {
		if (tg[i].old == i)
			continue;
		tmp = *fleet_tenant_at(s, i);
		for (j = i; (k = tg[j].old) != i; j = k) {
			*fleet_tenant_w(s, j) = *fleet_tenant_at(s, k);
			tg[j].old = j;
		}
		*fleet_tenant_w(s, j) = tmp;
		tg[j].old = j;
	}
	free(map);
	free(tg);
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
fleet_snapshot *fleet_build_finish(builder *b)
{
	fleet_snapshot *s = b->s;
	tagged *tg;
	size_t i, n;

	for (i = 0; i < s->n_tenants; i++)
		fleet_tenant_w(s, i)->health.cause[HEALTH_CAUSE_SIZE - 1] = '\0';
	sort_tenants(s);

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
			  .pod_size = sizeof(*pods),
			  .cat = cat,
			  .r = r,
			  .keep_pods = 1};
	builder b;

	fleet_builder_init(&b);
	fleet_build_cluster(&b, cs, &d, hopts);
	return fleet_build_finish(&b);
}

void fleet_snapshot_put(fleet_snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(s->clusters);
	cow_release(&s->tenant_arr);
	cow_release(&s->env_arr);
	cow_release(&s->health_arr);
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
