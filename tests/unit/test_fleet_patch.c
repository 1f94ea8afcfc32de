/* core/fleet_patch: a snapshot patched with the environments whose records
 * changed is the snapshot a whole build of the same tables makes; what a
 * patch cannot follow is built whole; the last snapshot stays as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/fleet_int.h"

#define NT 70 /* three blocks of tenants, five of environments */
_Static_assert(NT > 2 * COW_BLOCK, "tenants in several blocks");

static const char *const base[] = {"license", "lockserver", "dbaccess"};

static void put_ns(cluster *c, int t, int env)
{
	project_ns ns;
	unsigned code = 10000u + (unsigned)t % NT; /* five digits, as a TCODE has */

	memset(&ns, 0, sizeof(ns));
	snprintf(ns.m.name, sizeof(ns.m.name), "t%05u-%s", code, env ? "dev" : "prod");
	snprintf(ns.tcode, sizeof(ns.tcode), "T%05u", code);
	ns.env = (uint8_t)env;
	ns.product = MODEL_PRODUCT_ERP;
	snprintf(ns.customer, sizeof(ns.customer), "Customer %d", t);
	fleet_tab_put(&c->tabs[K_NS], &ns);
}

/* As the informers do it: marked, then stored. */
static void put_wl(cluster *c, const char *ns, const char *name, int tier, const char *comp,
		   int desired, int ready)
{
	project_workload w;

	memset(&w, 0, sizeof(w));
	util_strlcpy(w.m.ns, ns, sizeof(w.m.ns));
	util_strlcpy(w.m.name, name, sizeof(w.m.name));
	w.tier = (uint8_t)tier;
	util_strlcpy(w.component, comp, sizeof(w.component));
	if (tier == PROJECT_TIER_PUBLIC)
		util_strlcpy(w.role, name, sizeof(w.role));
	w.desired = desired;
	w.ready = ready;
	fleet_patch_mark(c, ns);
	fleet_tab_put(&c->tabs[K_DEPLOY], &w);
}

static void put_pod(cluster *c, const char *ns, const char *name, const char *comp, int ready,
		    const char *reason)
{
	project_pod p;

	memset(&p, 0, sizeof(p));
	util_strlcpy(p.m.ns, ns, sizeof(p.m.ns));
	util_strlcpy(p.m.name, name, sizeof(p.m.name));
	p.tier = PROJECT_TIER_BASE;
	util_strlcpy(p.component, comp, sizeof(p.component));
	p.ready = (uint8_t)ready;
	util_strlcpy(p.waiting_reason, reason, sizeof(p.waiting_reason));
	fleet_patch_mark(c, ns);
	fleet_tab_put(&c->tabs[K_POD], &p);
}

static void del_pod(cluster *c, const char *ns, const char *name)
{
	project_meta m;

	memset(&m, 0, sizeof(m));
	util_strlcpy(m.ns, ns, sizeof(m.ns));
	util_strlcpy(m.name, name, sizeof(m.name));
	fleet_patch_mark_del(c, &c->tabs[K_POD], &m);
	fleet_tab_del(&c->tabs[K_POD], &m);
}

/* NT tenants, prod and dev, all up; one cluster, listed. */
static fleet *make_fleet(void)
{
	fleet_cluster_cfg cfg = {.name = "prod-sp"};
	fleet_opts o = {0};
	fleet *f = fleet_new(&cfg, 1, &o);
	cluster *c = &f->cl[0];
	int t, env;
	size_t i;

	for (t = 0; t < NT; t++)
		for (env = 0; env < 2; env++) {
			char ns[64], name[64];
			put_ns(c, t, env);
			snprintf(ns, sizeof(ns), "t%05d-%s", 10000 + t, env ? "dev" : "prod");
			for (i = 0; i < 3; i++) {
				put_wl(c, ns, base[i], PROJECT_TIER_BASE, base[i], 1, 1);
				snprintf(name, sizeof(name), "%s-0", base[i]);
				put_pod(c, ns, name, base[i], 1, "");
			}
			put_wl(c, ns, "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 2);
		}
	c->watching = 1;
	c->listed = WATCH_KINDS;
	c->meta_done = 1;
	return f;
}

/* s and a whole build of the same tables say the same. */
static void assert_as_whole(fleet *f, const fleet_snapshot *s)
{
	fleet_snapshot *w;
	size_t i;

	f->cl[0].full = 1;
	fleet_publish(f);
	w = fleet_snapshot_get(f);
	assert_int_equal(s->n_tenants, w->n_tenants);
	assert_int_equal(s->n_envs, w->n_envs);
	for (i = 0; i < s->n_envs; i++) {
		assert_memory_equal(fleet_env(s, i), fleet_env(w, i), sizeof(*fleet_env(s, i)));
		assert_int_equal(fleet_env_health(s, i)->state, fleet_env_health(w, i)->state);
		assert_string_equal(fleet_env_health(s, i)->cause, fleet_env_health(w, i)->cause);
		assert_int_equal(s->env_tenant[i], w->env_tenant[i]);
	}
	for (i = 0; i < s->n_tenants; i++) {
		assert_string_equal(fleet_tenant_at(s, i)->t.tcode, fleet_tenant_at(w, i)->t.tcode);
		assert_int_equal(fleet_tenant_at(s, i)->env[0], fleet_tenant_at(w, i)->env[0]);
		assert_int_equal(fleet_tenant_at(s, i)->env[1], fleet_tenant_at(w, i)->env[1]);
		assert_int_equal(fleet_tenant_at(s, i)->health.state, fleet_tenant_at(w, i)->health.state);
		assert_string_equal(fleet_tenant_at(s, i)->health.cause, fleet_tenant_at(w, i)->health.cause);
	}
	fleet_snapshot_put(w);
}

static const fleet_tenant *tenant(const fleet_snapshot *s, const char *tc)
{
	for (size_t i = 0; i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tc))
			return fleet_tenant_at(s, i);
	fail_msg("no tenant %s", tc);
	return NULL;
}

/* How many blocks of a's array are b's too. */
static size_t blocks_shared(const cow_arr *a, const cow_arr *b)
{
	size_t i, n = 0;

	for (i = 0; i < a->nb && i < b->nb; i++)
		n += a->b[i] == b->b[i];
	return n;
}

static void test_patch_is_whole_build(void **state)
{
	fleet *f = make_fleet();
	fleet_snapshot *old, *p;
	const fleet_tenant *t;

	(void)state;
	/* nothing built yet: no patch */
	assert_null(fleet_patch(f, NULL));
	fleet_publish(f);
	assert_int_equal(f->cl[0].full, 0);
	assert_int_equal(f->cl[0].dirty.n, 0);
	assert_int_equal(f->cl[0].env_idx.n, 2 * NT);
	old = fleet_snapshot_get(f);
	assert_int_equal(tenant(old, "T10007")->health.state, HEALTH_AVAILABLE);

	/* T10007's prod LicenseServer scaled to 0; T10011's dev AppServer half ready */
	put_wl(&f->cl[0], "t10007-prod", "license", PROJECT_TIER_BASE, "license", 0, 0);
	put_wl(&f->cl[0], "t10011-dev", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 1);
	assert_int_equal(f->cl[0].dirty.n, 2);
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_int_equal(f->cl[0].dirty.n, 0);
	t = tenant(p, "T10007");
	assert_int_equal(fleet_env_health(p, t->env[TCODE_ENV_PROD])->state, HEALTH_DOWN);
	assert_int_equal(t->health.state, HEALTH_DOWN);
	t = tenant(p, "T10011");
	assert_int_equal(fleet_env_health(p, t->env[TCODE_ENV_DEV])->state, HEALTH_DEGRADED);
	/* both tenants' health changed, in the first block of tenants: that one
	 * is p's own, the others the old snapshot's */
	assert_int_equal(old->tenant_arr.nb, 3);
	assert_ptr_not_equal(p->tenant_arr.b[0], old->tenant_arr.b[0]);
	assert_int_equal(blocks_shared(&p->tenant_arr, &old->tenant_arr), old->tenant_arr.nb - 1);
	assert_int_equal(cow_owned(&p->tenant_arr), 1);
	/* the old snapshot, still read by others, did not change */
	t = tenant(old, "T10007");
	assert_int_equal(t->health.state, HEALTH_AVAILABLE);
	assert_int_equal(fleet_env_health(old, t->env[TCODE_ENV_PROD])->state, HEALTH_AVAILABLE);
	assert_as_whole(f, p);
	fleet_snapshot_put(p);
	fleet_snapshot_put(old);
	fleet_free(f);
}

static void test_delete_moves_another_namespace(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *old, *p;
	const fleet_tenant *t;
	const model_env *e;

	(void)state;
	/* T10003's dev: two DbAccess pods waiting, the first one's reason shows */
	put_pod(c, "t10003-dev", "dbaccess-a", "dbaccess", 0, "CrashLoopBackOff");
	put_pod(c, "t10003-dev", "dbaccess-b", "dbaccess", 0, "ImagePullBackOff");
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	t = tenant(old, "T10003");
	e = fleet_env(old, t->env[TCODE_ENV_DEV]);
	assert_non_null(strstr(model_text(e, e->base[2].waiting_reason), "CrashLoop"));
	/* a pod of another tenant deleted: the last record (dbaccess-b) takes its
	 * place, before dbaccess-a, so a whole build now reads b first */
	del_pod(c, "t10001-prod", "license-0");
	p = fleet_patch(f, old);
	assert_non_null(p);
	t = tenant(p, "T10003");
	e = fleet_env(p, t->env[TCODE_ENV_DEV]);
	assert_non_null(strstr(model_text(e, e->base[2].waiting_reason), "ImagePull"));
	assert_as_whole(f, p);
	fleet_snapshot_put(p);
	fleet_snapshot_put(old);
	fleet_free(f);
}

static void test_whole_when_needed(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *old;

	(void)state;
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	assert_non_null(old);
	/* a namespace came or went, a relist, dependencies: whole */
	c->full = 1;
	assert_null(fleet_patch(f, old));
	c->full = 0;
	/* the cluster stopped answering */
	c->st.reach = FLEET_UNREACHABLE;
	assert_null(fleet_patch(f, old));
	c->st.reach = FLEET_OK;
	/* a kind not listed any more (loading) */
	c->listed &= ~(1u << K_POD);
	assert_null(fleet_patch(f, old));
	c->listed = WATCH_KINDS;
	/* the last whole build too long ago: what the clock alone changes */
	f->full_ms -= 60000;
	assert_null(fleet_patch(f, old));
	f->full_ms += 60000;
	fleet_snapshot_put(fleet_patch(f, old));
	fleet_snapshot_put(old);
	fleet_free(f);
}

/* A patch after the dependencies changed: every health is worked out again
 * (env e, marked blocked in old, is available again), as a whole build has it. */
static void assert_rehealed(fleet *f, const fleet_snapshot *old, int32_t e)
{
	fleet_snapshot *p = fleet_patch(f, old);

	assert_non_null(p);
	assert_int_equal(f->cl[0].rehealth, 0);
	assert_int_equal(fleet_env_health(p, e)->state, HEALTH_AVAILABLE);
	/* no environment built again: the last one's are shared, not copied;
	 * of the health, only the block of the one that changed is new */
	assert_int_equal(blocks_shared(&p->env_arr, &old->env_arr), old->env_arr.nb);
	assert_true(old->health_arr.nb > 1);
	assert_int_equal(blocks_shared(&p->health_arr, &old->health_arr), old->health_arr.nb - 1);
	assert_ptr_not_equal(p->health_arr.b[e / COW_BLOCK], old->health_arr.b[e / COW_BLOCK]);
	/* the tenant's health as before (only its env's was written in old):
	 * no tenant written, every block shared */
	assert_int_equal(blocks_shared(&p->tenant_arr, &old->tenant_arr), old->tenant_arr.nb);
	assert_as_whole(f, p);
	fleet_snapshot_put(p);
}

/* Shared environments outlive the snapshot they came from; a patch that
 * builds one again has its own. */
static void test_shared_envs_outlive_the_last(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *old, *p, *q;
	int32_t e;

	(void)state;
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	c->rehealth = 1;
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_int_equal(blocks_shared(&p->env_arr, &old->env_arr), old->env_arr.nb);
	assert_int_equal(blocks_shared(&p->tenant_arr, &old->tenant_arr), old->tenant_arr.nb);
	fleet_snapshot_put(old);
	c->full = 1;
	fleet_publish(f); /* the fleet lets go of old too: p alone has its envs */
	e = tenant(p, "T10020")->env[TCODE_ENV_DEV];
	assert_string_equal(fleet_env(p, e)->ns, "t10020-dev");
	put_wl(c, "t10020-dev", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 2);
	q = fleet_patch(f, p);
	assert_non_null(q);
	/* the block of the environment built again is q's own, the rest shared */
	assert_true(p->env_arr.nb > 1);
	assert_ptr_not_equal(q->env_arr.b[e / COW_BLOCK], p->env_arr.b[e / COW_BLOCK]);
	assert_int_equal(blocks_shared(&q->env_arr, &p->env_arr), p->env_arr.nb - 1);
	assert_int_equal(cow_owned(&q->env_arr), 1);
	/* its health did not change: no tenant written */
	assert_int_equal(blocks_shared(&q->tenant_arr, &p->tenant_arr), p->tenant_arr.nb);
	fleet_snapshot_put(p);
	assert_int_equal(cow_owned(&q->env_arr), q->env_arr.nb);
	assert_int_equal(cow_owned(&q->tenant_arr), q->tenant_arr.nb);
	assert_string_equal(fleet_env(q, e)->ns, "t10020-dev");
	assert_as_whole(f, q);
	/* T10040 (the second block of tenants) degraded: that block alone is
	 * the next one's own, T10040 as a whole build has it in it only */
	put_wl(c, "t10040-prod", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 1);
	p = fleet_patch(f, q);
	assert_non_null(p);
	assert_ptr_not_equal(p->tenant_arr.b[1], q->tenant_arr.b[1]);
	assert_int_equal(blocks_shared(&p->tenant_arr, &q->tenant_arr), q->tenant_arr.nb - 1);
	assert_int_equal(tenant(p, "T10040")->health.state, HEALTH_DEGRADED);
	assert_int_equal(tenant(q, "T10040")->health.state, HEALTH_AVAILABLE);
	assert_ptr_equal(tenant(p, "T10040"), cow_at(&p->tenant_arr, 40));
	fleet_snapshot_put(q);
	assert_as_whole(f, p);
	fleet_snapshot_put(p);
	fleet_free(f);
}

static void test_dependencies_rehealth(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *old, *p;
	const fleet_tenant *t;
	int32_t e;

	(void)state;
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	t = tenant(old, "T10020");
	e = t->env[TCODE_ENV_DEV];
	/* what the last snapshot says of an environment nothing touched is kept */
	fleet_health_w(old, e)->state = HEALTH_BLOCKED;
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_int_equal(fleet_env_health(p, e)->state, HEALTH_BLOCKED);
	fleet_snapshot_put(p);
	/* the dependencies changed: every health is worked out again */
	fleet_deps_changed(f); /* not watching: published at once */
	c->rehealth = 1;
	assert_rehealed(f, old, e);
	fleet_snapshot_put(old);
	fleet_free(f);
}

/* The dependencies of some environments changed (env_deps_take_changed):
 * their health alone is worked out again, the rest kept as the last has it. */
static void test_dependencies_recheck_named(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	env_deps *d = env_deps_new();
	fleet_snapshot *old, *p;
	int32_t e, other;

	(void)state;
	fleet_set_deps(f, d);
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	e = tenant(old, "T10020")->env[TCODE_ENV_DEV];
	other = tenant(old, "T10050")->env[TCODE_ENV_DEV];
	fleet_health_w(old, e)->state = HEALTH_BLOCKED;
	fleet_health_w(old, other)->state = HEALTH_BLOCKED;
	/* env_deps says nothing changed: nothing marked, nothing to apply */
	f->pub_running = 1; /* as under a watch: marked, published later */
	fleet_deps_changed(f);
	f->pub_running = 0;
	assert_int_equal(c->rehealth, 0);
	assert_int_equal(c->recheck.n, 0);
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_int_equal(fleet_env_health(p, e)->state, HEALTH_BLOCKED);
	fleet_snapshot_put(p);
	/* as fleet_deps_changed marks the envs env_deps says changed */
	fleet_patch_recheck(c, "t10020-dev");
	fleet_patch_recheck(c, "t99999-dev"); /* not (or no longer) listed */
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_int_equal(c->recheck.n, 0);
	assert_int_equal(fleet_env_health(p, e)->state, HEALTH_AVAILABLE);
	assert_int_equal(fleet_env_health(p, other)->state, HEALTH_BLOCKED); /* not named */
	assert_int_equal(blocks_shared(&p->env_arr, &old->env_arr), old->env_arr.nb);
	assert_int_equal(blocks_shared(&p->health_arr, &old->health_arr), old->health_arr.nb - 1);
	assert_int_equal(blocks_shared(&p->tenant_arr, &old->tenant_arr), old->tenant_arr.nb);
	fleet_snapshot_put(p);
	/* with the other one's too, the patch is what a whole build makes */
	fleet_patch_recheck(c, "t10050-dev");
	fleet_patch_recheck(c, "t10020-dev");
	p = fleet_patch(f, old);
	assert_non_null(p);
	assert_as_whole(f, p);
	fleet_snapshot_put(p);
	fleet_snapshot_put(old);
	fleet_free(f);
	env_deps_free(d);
}

/* A one-shot listing (`tenants`): only the dependencies' causes are patched;
 * anything else is built whole. */
static void test_one_shot_rehealth_only(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *old;
	int32_t e;

	(void)state;
	c->watching = 0;
	c->st.synced = 1; /* as a complete one-shot load leaves it */
	fleet_publish(f);
	old = fleet_snapshot_get(f);
	assert_null(fleet_patch(f, old)); /* nothing to apply */
	fleet_patch_mark(c, "t10020-dev");
	c->rehealth = 1;
	assert_null(fleet_patch(f, old)); /* a record changed: whole */
	fleet_tab_clear(&c->dirty);
	e = tenant(old, "T10020")->env[TCODE_ENV_DEV];
	fleet_health_w(old, e)->state = HEALTH_BLOCKED;
	assert_rehealed(f, old, e);
	fleet_snapshot_put(old);
	fleet_free(f);
}

/* What env_deps_check reads in an env of a built snapshot: its DbAccess not
 * ready, or a public service not ready outside eSocial. */
static int env_waits(const model_env *e, int *db, int *fs)
{
	size_t i;

	*db = *fs = 0;
	for (i = 0; i < e->n_base; i++)
		if (!strcmp(e->base[i].component, "dbaccess")) {
			*db = e->base[i].desired > 0 && e->base[i].ready < e->base[i].desired;
			break;
		}
	for (i = 0; i < e->n_public && e->product != MODEL_PRODUCT_ESOCIAL; i++)
		*fs |= e->pub[i].desired > 0 && e->pub[i].ready < e->pub[i].desired;
	return *db || *fs;
}

/* The envs the listed tables say wait (fleet_waiting_envs, known before any
 * build) are those the snapshot built from them says wait, in its order. */
static void test_waiting_from_tables(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_waiting w[16], one;
	fleet_snapshot *s;
	project_meta k;
	project_ns *ns;
	size_t n, i, m = 0;
	int db, fs;

	(void)state;
	put_wl(c, "t10003-prod", "dbaccess", PROJECT_TIER_BASE, "dbaccess", 1, 0);
	put_wl(c, "t10005-dev", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 1);
	put_wl(c, "t10007-prod", "dbaccess", PROJECT_TIER_BASE, "dbaccess", 2, 1);
	put_wl(c, "t10007-prod", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 0);
	put_wl(c, "t10009-dev", "webapp", PROJECT_TIER_PUBLIC, "appserver", 2, 0);
	put_wl(c, "t10011-prod", "dbaccess", PROJECT_TIER_BASE, "dbaccess", 0, 0); /* asleep */
	memset(&k, 0, sizeof(k));
	util_strlcpy(k.name, "t10009-dev", sizeof(k.name));
	ns = fleet_tab_find(&c->tabs[K_NS], &k);
	assert_non_null(ns);
	ns->product = MODEL_PRODUCT_ESOCIAL; /* eSocial has no file server */
	n = fleet_waiting_envs(f, w, ARRAY_SIZE(w));
	assert_int_equal(n, 3);
	c->full = 1;
	fleet_publish(f);
	s = fleet_snapshot_get(f);
	for (i = 0; i < s->n_envs; i++) {
		if (!env_waits(fleet_env(s, i), &db, &fs))
			continue;
		assert_true(m < n);
		assert_string_equal(w[m].ns, fleet_env(s, i)->ns);
		assert_int_equal(w[m].ci, 0);
		assert_int_equal(w[m].want_db, db);
		assert_int_equal(w[m].want_fs, fs);
		m++;
	}
	assert_int_equal(m, n);
	/* at most max, the first ones */
	assert_int_equal(fleet_waiting_envs(f, &one, 1), 1);
	assert_string_equal(one.ns, w[0].ns);
	/* a cluster that did not answer: nothing read there */
	c->st.reach = FLEET_UNREACHABLE;
	assert_int_equal(fleet_waiting_envs(f, w, ARRAY_SIZE(w)), 0);
	fleet_snapshot_put(s);
	fleet_free(f);
}

/* The last health seen (from the cache folder) shows while the lists load,
 * then is let go: a watch that has listed every kind is never loading again. */
static void test_last_seen_let_go_once_listed(void **state)
{
	fleet *f = make_fleet();
	cluster *c = &f->cl[0];
	fleet_snapshot *s;
	last_seen ls;
	int32_t e;

	(void)state;
	memset(&ls, 0, sizeof(ls));
	util_strlcpy(ls.m.name, "t10020-dev", sizeof(ls.m.name));
	ls.state = HEALTH_DOWN;
	util_strlcpy(ls.cause, "license down", sizeof(ls.cause));
	fleet_tab_put(&c->last, &ls);
	c->last_at = 1700000000;
	c->listed = WATCH_KINDS & ~(1u << K_POD);
	fleet_publish(f);
	s = fleet_snapshot_get(f);
	e = tenant(s, "T10020")->env[TCODE_ENV_DEV];
	assert_int_equal(fleet_env(s, e)->fresh.loading, 1);
	assert_int_equal(fleet_env(s, e)->fresh.seen_state, HEALTH_DOWN);
	assert_int_equal(c->last.n, 1);
	fleet_snapshot_put(s);
	c->listed = WATCH_KINDS;
	c->full = 1;
	fleet_publish(f);
	s = fleet_snapshot_get(f);
	assert_int_equal(fleet_env(s, e)->fresh.loading, 0);
	assert_int_equal(c->last.n, 0);
	fleet_snapshot_put(s);
	fleet_free(f);
}

/* A build of two clusters whose TCODEs interleave (one in both): the tenants
 * sorted by TCODE, then cluster, moved within their blocks, every
 * environment still pointing at its own tenant. */
#define NB 50 /* a cluster's tenants: two blocks */

static void test_two_clusters_sorted(void **state)
{
	project_ns *ns = xcalloc(2 * (NB + 1), sizeof(*ns));
	health_opts ho = {1700000000, 0};
	fleet_cluster_state st[2];
	fleet_snapshot *s;
	builder b;
	size_t i, n;
	int k;

	(void)state;
	fleet_builder_init(&b);
	for (k = 0; k < 2; k++) {
		cluster_data d;

		memset(&st[k], 0, sizeof(st[k]));
		snprintf(st[k].name, sizeof(st[k].name), "c%d", k);
		/* cluster 0 the even TCODEs, 1 the odd ones, both T10050, listed
		 * backwards with both environments */
		for (n = 0, i = NB; i-- > 0;) {
			unsigned code = 10000u + 2u * (unsigned)i + (unsigned)k;
			int env;
			for (env = 0; env < 2; env++, n++) {
				snprintf(ns[n].m.name, sizeof(ns[n].m.name), "t%05u-%s", code, env ? "dev" : "prod");
				snprintf(ns[n].tcode, sizeof(ns[n].tcode), "T%05u", code);
				ns[n].env = (uint8_t)env;
			}
		}
		snprintf(ns[n].m.name, sizeof(ns[n].m.name), "t10050-prod");
		snprintf(ns[n].tcode, sizeof(ns[n].tcode), "T10050");
		n++;
		memset(&d, 0, sizeof(d));
		d.ns = ns;
		d.n_ns = n;
		fleet_build_cluster(&b, &st[k], &d, &ho);
	}
	s = fleet_build_finish(&b);
	/* T10050 is even, in cluster 0's list already: 2 * NB + 1 tenants */
	assert_int_equal(s->n_tenants, 2 * NB + 1);
	assert_true(s->tenant_arr.nb > 2);
	for (i = 1; i < s->n_tenants; i++) {
		const fleet_tenant *p = fleet_tenant_at(s, i - 1), *q = fleet_tenant_at(s, i);
		int c = strcmp(p->t.tcode, q->t.tcode);
		assert_true(c < 0 || (c == 0 && p->cluster < q->cluster));
	}
	assert_string_equal(fleet_tenant_at(s, 0)->t.tcode, "T10000");
	assert_string_equal(fleet_tenant_at(s, 50)->t.tcode, "T10050");
	assert_int_equal(fleet_tenant_at(s, 50)->cluster, 0);
	assert_string_equal(fleet_tenant_at(s, 51)->t.tcode, "T10050");
	assert_int_equal(fleet_tenant_at(s, 51)->cluster, 1);
	assert_int_equal(fleet_tenant_at(s, 51)->env[TCODE_ENV_DEV], -1);
	for (i = 0; i < s->n_envs; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, s->env_tenant[i]);
		const model_env *e = fleet_env(s, i);
		assert_int_equal(t->env[e->env & 1], (int32_t)i);
		assert_int_equal(strncmp(e->ns + 1, t->t.tcode + 1, 5), 0);
		assert_string_equal(t->t.cluster, st[t->cluster].name);
	}
	fleet_snapshot_put(s);
	free(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_clusters_sorted),
	    cmocka_unit_test(test_patch_is_whole_build),
	    cmocka_unit_test(test_delete_moves_another_namespace),
	    cmocka_unit_test(test_whole_when_needed),
	    cmocka_unit_test(test_dependencies_rehealth),
	    cmocka_unit_test(test_one_shot_rehealth_only),
	    cmocka_unit_test(test_dependencies_recheck_named),
	    cmocka_unit_test(test_shared_envs_outlive_the_last),
	    cmocka_unit_test(test_last_seen_let_go_once_listed),
	    cmocka_unit_test(test_waiting_from_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
