/* core/fleet.c — tenants from projected cluster objects: the fleet, its last
 * good listing on disk, and publishing snapshots (see core/fleet_int.h for the
 * other files of the fleet). */
#include "core/fleet_int.h"

/* ---- the fleet ---- */

const size_t fleet_kind_size[K_COUNT] = {
    [K_NS] = sizeof(project_ns),	[K_DEPLOY] = sizeof(project_workload),
    [K_STS] = sizeof(project_workload), [K_ING] = sizeof(project_ingress),
    [K_POD] = sizeof(project_pod),	[K_EVENT] = sizeof(project_event),
};

const jscan_keep *const fleet_kind_keep[K_COUNT] = {
    [K_NS] = project_keep_namespace, [K_DEPLOY] = project_keep_workload,
    [K_STS] = project_keep_workload, [K_ING] = project_keep_ingress,
    [K_POD] = project_keep_pod,	     [K_EVENT] = project_keep_event,
};

size_t fleet_kind_keeps(int kind, const char *tcode)
{
	return kind == K_POD && !tcode ? PROJECT_POD_BRIEF : fleet_kind_size[kind];
}

/* snprintf that may cut (messages are longer than the fields that keep them). */
void __attribute__((format(printf, 3, 4))) fleet_setf(char *dst, size_t size, const char *fmt, ...)
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

char *fleet_dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

fleet *fleet_new(const fleet_cluster_cfg *clusters, size_t n, const fleet_opts *opts)
{
	fleet *f = xcalloc(1, sizeof(*f));
	size_t i;
	int k;

	if (opts) {
		f->tcode = fleet_dup_or_null(opts->tcode);
		f->cache_dir = fleet_dup_or_null(opts->cache_dir);
		f->prefix = fleet_dup_or_null(opts->prefix);
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
		c->catalog_url = fleet_dup_or_null(clusters[i].catalog_url);
		c->cfg_why = fleet_dup_or_null(clusters[i].why);
		c->client = clusters[i].client;
		if (clusters[i].server)
			c->server = xstrdup(clusters[i].server);
		else if (c->client && k8s_client_config(c->client)->server)
			c->server = xstrdup(k8s_client_config(c->client)->server);
		pthread_mutex_init(&c->mu, NULL);
		for (k = 0; k < K_COUNT; k++) {
			fleet_tab_init(&c->tabs[k], fleet_kind_keeps(k, f->tcode));
			c->src[k].c = c;
			c->src[k].kind = k;
		}
		fleet_tab_init(&c->last, sizeof(last_seen));
		fleet_tab_init(&c->env_idx, sizeof(env_key));
		fleet_tab_init(&c->dirty, sizeof(env_key));
		fleet_tab_init(&c->recheck, sizeof(env_key));
		c->full = 1;
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
	fleet_saver_join(f);
	fleet_watch_stop(f);
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		for (k = 0; k < K_COUNT; k++)
			fleet_tab_release(&c->tabs[k]);
		fleet_tab_release(&c->last);
		fleet_tab_release(&c->env_idx);
		fleet_tab_release(&c->dirty);
		fleet_tab_release(&c->recheck);
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
	cow_prepared_release(); /* what a build did not take */
	pthread_mutex_destroy(&f->snap_mu);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cond);
	free(f->tcode);
	free(f->cache_dir);
	free(f->prefix);
	free(f);
}

/* Projects one object of kind into rec; 0 when it belongs in the table. */
int fleet_project_any(const project_keys *keys, int kind, const cJSON *obj, void *rec)
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


int fleet_project_text(const project_keys *keys, int kind, const char *p, const char *end,
		       void *rec)
{
	if (kind == K_POD)
		return project_pod_text(keys, p, end, rec);
	if (kind != K_DEPLOY && kind != K_STS)
		return PROJECT_BUILD;
	return project_workload_row_text(keys, p, end,
					 kind == K_DEPLOY ? PROJECT_DEPLOYMENT : PROJECT_STATEFULSET,
					 rec);
}

/* ---- the last good listing on disk (core/fleet_cache.h) ---- */

/* Writes the cluster's tenant environments with the health each has in
 * snapshot s. Only from a complete listing; a failure is not worth a word
 * (the next start lists without a snapshot). */
static void fleet_last_save(const fleet *f, const fleet_snapshot *s, size_t ci)
{
	const cluster *c = &f->cl[ci];
	fleet_cache_row *rows;
	char err[256];
	size_t i, n = 0;

	if (!f->cache_dir || f->tcode || !c->server)
		return;
	rows = xcalloc(s->n_envs ? s->n_envs : 1, sizeof(*rows));
	for (i = 0; i < s->n_envs; i++) {
		const model_env *e = fleet_env(s, i);
		const fleet_tenant *t = fleet_tenant_at(s, s->env_tenant[i]);
		fleet_cache_row *r = &rows[n];
		if (t->cluster != ci)
			continue;
		util_strlcpy(r->ns, e->ns, sizeof(r->ns));
		util_strlcpy(r->tcode, t->t.tcode, sizeof(r->tcode));
		r->env = e->env;
		r->product = e->product;
		r->state = (uint8_t)fleet_env_health(s, i)->state;
		util_strlcpy(r->customer, t->t.customer, sizeof(r->customer));
		util_strlcpy(r->provider, t->provider, sizeof(r->provider));
		util_strlcpy(r->cause, fleet_env_health(s, i)->cause, sizeof(r->cause));
		n++;
	}
	(void)fleet_cache_write(f->cache_dir, c->server, c->name, rows, n, util_now_ms() / 1000,
				err, sizeof(err));
	free(rows);
}

void fleet_last_save_due(fleet *f, const fleet_snapshot *s, int at_end)
{
	size_t i;

	for (i = 0; f->cache_dir && i < f->n && i < s->n_clusters; i++) {
		cluster *c = &f->cl[i];
		int64_t now = util_mono_ms();
		if (s->clusters[i].reach != FLEET_OK || !s->clusters[i].synced ||
		    c->saved_v == s->version ||
		    (!at_end && c->saved_ms && now - c->saved_ms < 60000))
			continue;
		fleet_last_save(f, s, i);
		c->saved_ms = now;
		c->saved_v = s->version;
	}
}

/* Fills the namespace table (and the last health seen) from the cache; the
 * number of environments read. A snapshot that is there but unusable is
 * said in st.cache_warn. */
int fleet_last_load(const fleet *f, cluster *c)
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
	/* room for them all at once (growing by doubling was a copy each time) */
	fleet_tab_reserve(&c->tabs[K_NS], c->tabs[K_NS].n + n);
	fleet_tab_reserve(&c->last, c->last.n + n);
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
		fleet_tab_put(&c->tabs[K_NS], &ns);
		memset(&ls, 0, sizeof(ls));
		util_strlcpy(ls.m.name, r->ns, sizeof(ls.m.name));
		ls.state = r->state;
		util_strlcpy(ls.cause, r->cause, sizeof(ls.cause));
		fleet_tab_put(&c->last, &ls);
	}
	free(rows);
	return (int)n;
}

/* ---- publishing ---- */

/* Every cluster's tables made into a snapshot, from scratch. */
static fleet_snapshot *build_whole(fleet *f)
{
	health_opts ho = {util_now_ms() / 1000, f->tz_offset_min};
	fleet_snapshot *s;
	builder b;
	size_t i;
	int loading = 0;
	cow_stats before, after;

	cow_stats_get(&before);
	fleet_builder_init(&b);
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
		    .pod_size = c->tabs[K_POD].rsize,
		    .ev = (const project_event *)c->tabs[K_EVENT].recs,
		    .n_ev = c->tabs[K_EVENT].n,
		    .cat = &c->cat,
		    .r = &c->rules,
		    .keep_pods = f->tcode != NULL,
		    .last = &c->last,
		    .last_at = c->last_at,
		    .deps = f->deps,
		    .env_idx = &c->env_idx,
		};
		if (c->watching) {
			d.loading = (c->listed & WATCH_KINDS) != WATCH_KINDS || !c->meta_done;
			c->st.synced = !d.loading;
			c->st.snapshot_at = d.loading && c->cached ? c->last_at : 0;
			loading |= d.loading && c->client && !c->failing;
		}
		fleet_build_cluster(&b, &c->st, &d, &ho);
		/* the last health seen shows only while loading, and a watch that has
		 * listed every kind once is never loading again (10 MB at 20,000 tenants) */
		if (c->watching && !d.loading && c->last.n)
			fleet_tab_release(&c->last);
		/* what changed is in this one */
		fleet_tab_clear(&c->dirty);
		fleet_tab_clear(&c->recheck);
		c->full = c->rehealth = 0;
		pthread_mutex_unlock(&c->mu);
	}
	f->full_ms = util_mono_ms();
	s = fleet_build_finish(&b);
	cow_stats_get(&after);
	util_trace("whole build: loading=%d slabs made ahead taken=%zu", loading,
		   after.prepared_taken - before.prepared_taken);
	/* The slabs made ahead for a first listing (inf_sync) and not taken, once
	 * no cluster that answers is still in its first listing. A build while the
	 * other lists still come in (a large fleet's, once a second) takes them;
	 * they are not made again for the one that completes the listing: they
	 * would be a third snapshot's worth of memory at the peak (53 MB more at
	 * 20,000 tenants) */
	if (!loading)
		cow_prepared_release();
	return s;
}

/* A one-shot's saver thread: the last good listing of the snapshot published. */
static void *saver_main(void *arg)
{
	fleet *f = arg;
	fleet_snapshot *s;

	util_thread_name("cache-saver");
	s = fleet_snapshot_get(f);
	fleet_last_save_due(f, s, 0);
	fleet_snapshot_put(s);
	return NULL;
}

void fleet_saver_join(fleet *f)
{
	if (f->saving)
		pthread_join(f->saver, NULL);
	f->saving = 0;
}

/* A new snapshot: the last one with what changed built again when it can be
 * (a few environments of 10,000 cost far less than all of them), else whole. */
void fleet_publish(fleet *f)
{
	fleet_snapshot *old = fleet_snapshot_get(f), *s;
	int64_t t0 = util_trace_us();
	int patched;

	s = fleet_patch(f, old);
	fleet_snapshot_put(old);
	patched = s != NULL;
	if (!s)
		s = build_whole(f);
	s->version = ++f->version;
	util_trace("built v=%llu patched=%d us=%lld", (unsigned long long)s->version, patched,
		   (long long)(util_trace_us() - t0));
	/* The last good listing, for the next start (at most once a minute). */
	fleet_saver_join(f);
	if (!f->save_async)
		fleet_last_save_due(f, s, 0);
	pthread_mutex_lock(&f->snap_mu);
	old = f->snap;
	f->snap = s;
	pthread_mutex_unlock(&f->snap_mu);
	fleet_snapshot_put(old);
	if (f->save_async && f->cache_dir && !f->tcode) { /* (else nothing to write) */
		if (pthread_create(&f->saver, NULL, saver_main, f) == 0)
			f->saving = 1;
		else
			saver_main(f);
	}
}
