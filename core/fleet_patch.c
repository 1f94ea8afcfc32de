/* core/fleet_patch.c — the next snapshot as the last one with only the
 * environments whose records changed built again (see core/fleet_int.h).
 *
 * A watched fleet changes a few Deployments or pods at a time; building all
 * 10,000 environments of 5,000 tenants for each costs a hundred milliseconds
 * and more on a busy machine, and holds the clusters' locks (the informers
 * wait) all the while. The informers mark the namespaces whose workloads,
 * ingresses or pods they change (fleet_patch_mark); a patch copies the last
 * snapshot (the old one stays as it is for its readers; the blocks of
 * tenants, environments and health it does not change are shared,
 * util/cow.h), builds those environments again from the tables in the same
 * order a whole build takes them, and their health and their tenants' health
 * (written only where it changed). The result is the snapshot a whole build
 * would make. When the dependencies (core/env_deps.h)
 * changed, every environment's health is worked out again, from the
 * environments as they are (after a one-shot listing too: `tenants` applies
 * what its waiting envs wait for this way). Anything else that changed (namespaces, a relist,
 * a cluster's state, rules, catalogue, a snapshot of the cache being
 * replaced) is built whole, and so is one every PATCH_FULL_MS,
 * for what depends on the clock alone (a contract that expires).
 */
#include "core/fleet_int.h"

#define PATCH_FULL_MS 30000

/* Namespace ns in t (an env_key table), once. */
static void mark_in(tab *t, const char *ns)
{
	env_key k;

	memset(&k, 0, sizeof(k));
	util_strlcpy(k.m.name, ns, sizeof(k.m.name));
	k.idx = -1;
	if (!fleet_tab_find(t, &k.m))
		fleet_tab_put(t, &k);
}

void fleet_patch_mark(cluster *c, const char *ns)
{
	if (!c->full)
		mark_in(&c->dirty, ns);
}

void fleet_patch_recheck(cluster *c, const char *ns)
{
	mark_in(&c->recheck, ns);
}

void fleet_patch_mark_del(cluster *c, const tab *t, const project_meta *m)
{
	const project_meta *last;

	if (!fleet_tab_find(t, m))
		return;
	fleet_patch_mark(c, m->ns);
	last = (const project_meta *)(const void *)(t->recs + (t->n - 1) * t->rsize);
	fleet_patch_mark(c, last->ns);
}

/* Under c->mu: is c's part of the last snapshot (was) still right but for
 * the marked namespaces? */
static int patchable(const fleet *f, const cluster *c, const fleet_cluster_state *was)
{
	const fleet_cluster_state *st = &c->st;

	if (c->full || f->tcode || !c->env_idx.n)
		return 0;
	if (!c->watching) {
		/* a one-shot listing marks nothing: only its dependencies' causes
		 * (fleet_deps_changed) can be applied again */
		if (c->dirty.n || (!c->rehealth && !c->recheck.n))
			return 0;
	} else if ((c->listed & WATCH_KINDS) != WATCH_KINDS || !c->meta_done) { /* loading */
		return 0;
	}
	return was->synced && !was->snapshot_at && st->reach == was->reach &&
	       st->rules_custom == was->rules_custom && st->since == was->since &&
	       !strcmp(st->name, was->name) && !strcmp(st->why, was->why) &&
	       !strcmp(st->note, was->note) && !strcmp(st->cache_warn, was->cache_warn);
}

static void *dup_array(const void *p, size_t n, size_t size)
{
	void *q = xmalloc(n ? n * size : 1);

	if (n)
		memcpy(q, p, n * size);
	return q;
}

/* The last snapshot's arrays, copied: it stays as it is for its readers. Its
 * tenants, environments and their health are shared, a block copied when a
 * patch writes to it: at 20,000 tenants a whole copy was 89 MB more for the
 * environments, 9.6 MB for the tenants (each patch's, and the allocator kept
 * the copies it got back). */
static fleet_snapshot *copy_of(const fleet_snapshot *old)
{
	fleet_snapshot *s = xcalloc(1, sizeof(*s));

	/* all but its count, which another thread may be raising (fleet_snapshot_get) */
	_Static_assert(sizeof(fleet_snapshot) - offsetof(fleet_snapshot, refs) <
			   sizeof(int) + _Alignof(fleet_snapshot),
		       "refs is the snapshot's last member");
	memcpy(s, old, offsetof(fleet_snapshot, refs));
	s->refs = 1;
	s->built = util_now_ms() / 1000;
	s->clusters = dup_array(old->clusters, old->n_clusters, sizeof(*s->clusters));
	cow_share(&s->tenant_arr, &old->tenant_arr);
	cow_share(&s->env_arr, &old->env_arr);
	cow_share(&s->health_arr, &old->health_arr);
	s->env_tenant = dup_array(old->env_tenant, old->n_envs, sizeof(*s->env_tenant));
	s->pods = NULL;
	s->pod_env = NULL;
	s->events = NULL;
	s->event_env = NULL;
	s->n_pods = s->n_events = 0;
	return s;
}

/* The environment of a marked namespace, or -1. */
static int32_t marked_env(const cluster *c, const char *ns)
{
	const env_key *k = fleet_tab_find_name(&c->dirty, ns);

	return k ? k->idx : -1;
}

/* An environment as a whole build starts it: what its namespace says. */
static void reset_env(model_env *e)
{
	model_env was = *e;

	memset(e, 0, sizeof(*e));
	memcpy(e->ns, was.ns, sizeof(e->ns));
	e->env = was.env;
	e->product = was.product;
}

/* The environment of cluster ci that namespace m had in the last full build,
 * when s still holds it there; else -1. */
static int32_t env_in(const cluster *c, uint16_t ci, const fleet_snapshot *s, const project_meta *m)
{
	const env_key *e = fleet_tab_find(&c->env_idx, m);

	return e && e->idx >= 0 && (size_t)e->idx < s->n_envs &&
		       fleet_tenant_at(s, s->env_tenant[e->idx])->cluster == ci
		   ? e->idx
		   : -1;
}

static env_key *dirty_at(const cluster *c, size_t j)
{
	return (env_key *)(void *)(c->dirty.recs + j * c->dirty.rsize);
}

static int same_health(const health_result *a, const health_result *b)
{
	return a->state == b->state && !strcmp(a->cause, b->cause);
}

/* Environment ei's health, as fleet_build_cluster has it; written (its
 * block copied) only when it changed. */
static void env_health(fleet *f, const cluster *c, uint16_t ci, fleet_snapshot *s, int32_t ei,
		       const health_opts *ho)
{
	const fleet_tenant *t = fleet_tenant_at(s, s->env_tenant[ei]);
	const catalog_entry *ce = catalog_find(&c->cat, t->t.tcode);
	health_result h;

	memset(&h, 0, sizeof(h));
	health_env(fleet_env(s, ei), ce ? &t->t.contract : NULL, &c->rules, ho, &h);
	if (f->deps)
		env_deps_apply(f->deps, ci, fleet_env(s, ei), &h);
	if (!same_health(&h, fleet_env_health(s, ei)))
		*fleet_health_w(s, ei) = h;
}

/* Tenant ti's health from its environments'; written (its block copied)
 * only when it changed. */
static void tenant_health(fleet_snapshot *s, size_t ti)
{
	const fleet_tenant *t = fleet_tenant_at(s, ti);
	const health_result *hr[2] = {NULL, NULL};
	health_result h;
	int w;

	for (w = 0; w < 2; w++)
		if (t->env[w] >= 0)
			hr[w] = fleet_env_health(s, t->env[w]);
	memset(&h, 0, sizeof(h));
	health_tenant(hr[TCODE_ENV_PROD], hr[TCODE_ENV_DEV], &h);
	h.cause[HEALTH_CAUSE_SIZE - 1] = '\0';
	if (!same_health(&h, &t->health))
		fleet_tenant_w(s, ti)->health = h;
}

/* Under c->mu: cluster ci's marked environments in s built again from the
 * tables, in the order fleet_build_cluster takes the records. */
static void patch_cluster(fleet *f, cluster *c, uint16_t ci, fleet_snapshot *s)
{
	health_opts ho = {util_now_ms() / 1000, f->tz_offset_min};
	const project_workload *wl;
	const project_ingress *ing;
	const project_pod *pod;
	size_t j, n;
	int w;

	if (!c->dirty.n && !c->rehealth && !c->recheck.n)
		return;
	ho.now = c->client ? k8s_client_server_now(c->client) : ho.now;
	for (j = 0; j < c->dirty.n; j++) {
		env_key *k = dirty_at(c, j);
		k->idx = env_in(c, ci, s, &k->m);
		if (k->idx >= 0)
			reset_env(fleet_env_w(s, k->idx));
	}
	for (w = 0; w < 2; w++) {
		const tab *t = &c->tabs[w ? K_STS : K_DEPLOY];
		wl = (const project_workload *)(const void *)t->recs;
		for (j = 0, n = t->n; j < n; j++) {
			int32_t ei = marked_env(c, wl[j].m.ns);
			if (ei >= 0)
				project_env_add_workload(fleet_env_w(s, ei), &wl[j]);
		}
	}
	ing = (const project_ingress *)(const void *)c->tabs[K_ING].recs;
	for (j = 0, n = c->tabs[K_ING].n; j < n; j++) {
		int32_t ei = marked_env(c, ing[j].m.ns);
		if (ei >= 0)
			project_env_add_ingress(fleet_env_w(s, ei), &ing[j]);
	}
	for (j = 0, n = c->tabs[K_POD].n; j < n; j++) {
		int32_t ei;
		/* only what health reads of each pod is kept (PROJECT_POD_BRIEF) */
		pod = (const project_pod *)(const void *)(c->tabs[K_POD].recs +
							  j * c->tabs[K_POD].rsize);
		if (pod->tier != PROJECT_TIER_BASE)
			continue;
		if ((ei = marked_env(c, pod->m.ns)) >= 0)
			project_env_add_pod(fleet_env_w(s, ei), pod);
	}
	/* their health, then their tenants'; every one of the cluster's when the
	 * dependencies changed */
	n = c->rehealth ? s->n_envs : c->dirty.n;
	for (j = 0; j < n; j++) {
		int32_t ei = c->rehealth ? (int32_t)j : dirty_at(c, j)->idx;
		if (ei >= 0 && fleet_tenant_at(s, s->env_tenant[ei])->cluster == ci)
			env_health(f, c, ci, s, ei, &ho);
	}
	for (j = 0; j < n; j++) {
		int32_t ei = c->rehealth ? (int32_t)j : dirty_at(c, j)->idx;
		if (ei >= 0 && fleet_tenant_at(s, s->env_tenant[ei])->cluster == ci)
			tenant_health(s, (size_t)s->env_tenant[ei]);
	}
	/* the envs whose dependencies changed (all of them were, on rehealth) */
	for (j = 0, n = c->rehealth ? 0 : c->recheck.n; j < n; j++) {
		const env_key *k = (const env_key *)(const void *)(c->recheck.recs + j * c->recheck.rsize);
		int32_t ei = env_in(c, ci, s, &k->m);
		if (ei < 0)
			continue;
		env_health(f, c, ci, s, ei, &ho);
		tenant_health(s, (size_t)s->env_tenant[ei]);
	}
	fleet_tab_clear(&c->dirty);
	fleet_tab_clear(&c->recheck);
	c->rehealth = 0;
}

fleet_snapshot *fleet_patch(fleet *f, const fleet_snapshot *old)
{
	fleet_snapshot *s = NULL;
	size_t i;
	int ok = 1;

	if (!old || old->n_clusters != f->n || f->tcode || old->n_pods || old->n_events ||
	    util_mono_ms() - f->full_ms >= PATCH_FULL_MS)
		return NULL;
	/* all clusters at once: the snapshot is of one moment */
	for (i = 0; i < f->n; i++) {
		pthread_mutex_lock(&f->cl[i].mu);
		ok = ok && patchable(f, &f->cl[i], &old->clusters[i]);
	}
	if (ok) {
		s = copy_of(old);
		for (i = 0; i < f->n; i++)
			patch_cluster(f, &f->cl[i], (uint16_t)i, s);
	}
	for (i = f->n; i-- > 0;)
		pthread_mutex_unlock(&f->cl[i].mu);
	return s;
}
