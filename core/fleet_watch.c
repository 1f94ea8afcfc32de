/* core/fleet_watch.c — the fleet fed by informers, published as it changes (see
 * core/fleet_int.h). */
#include <malloc.h>

#include "core/fleet_int.h"

/* ---- watching ---- */

static void mark_dirty(fleet *f)
{
	pthread_mutex_lock(&f->mu);
	if (!f->dirty)
		f->dirty_us = util_trace_us();
	f->dirty = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

void fleet_set_deps(fleet *f, struct env_deps *d)
{
	f->deps = d;
}

/* Under c->mu: the next snapshot is built whole. */
static void needs_full(cluster *c, const char *why)
{
	if (!c->full)
		util_trace("whole next: %s", why);
	c->full = 1;
	fleet_tab_clear(&c->dirty);
}

void fleet_deps_changed(fleet *f)
{
	env_deps_key k[ENV_DEPS_CHANGED_MAX];
	int n = f->deps ? env_deps_take_changed(f->deps, k) : -1, j;
	size_t i;

	/* the causes outside the workloads: of the envs whose dependencies
	 * changed, or of all when more changed than env_deps kept */
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		pthread_mutex_lock(&c->mu);
		if (n < 0)
			c->rehealth = 1;
		for (j = 0; j < n; j++)
			if (k[j].ci == i)
				fleet_patch_recheck(c, k[j].ns);
		pthread_mutex_unlock(&c->mu);
	}
	if (f->pub_running)
		mark_dirty(f);
	else
		fleet_publish(f);
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

static void upsert(source *s, int rc, const any_rec *rec);

static void inf_upsert(void *ctx, const cJSON *obj)
{
	source *s = ctx;
	any_rec rec;

	upsert(s, fleet_project_any(&s->c->f->keys, s->kind, obj, &rec), &rec);
}

/* A listed Deployment's or StatefulSet's Table row, read from its text. */
static int inf_add_text(void *ctx, const char *p, const char *end)
{
	source *s = ctx;
	any_rec rec;
	int rc = fleet_project_text(&s->c->f->keys, s->kind, p, end, &rec);

	if (rc == PROJECT_BUILD)
		return 0;
	upsert(s, rc, &rec);
	return 1;
}

/* A record projected (rc as fleet_project_any says) into its table. */
static void upsert(source *s, int rc, const any_rec *rec)
{
	uint32_t listed;
	int64_t t0 = util_trace_on() ? util_trace_us() : 0;

	pthread_mutex_lock(&s->c->mu);
	if (s->kind == K_NS && rc >= 0)
		needs_full(s->c, "namespace");
	if (rc == 0) {
		fleet_patch_mark(s->c, rec->m.ns);
		if (s->append)
			fleet_tab_append(&s->c->tabs[s->kind], rec);
		else
			fleet_tab_put(&s->c->tabs[s->kind], rec);
	} else if (rc == 1) { /* lost its labels: no longer ours */
		fleet_patch_mark_del(s->c, &s->c->tabs[s->kind], &rec->m);
		fleet_tab_del(&s->c->tabs[s->kind], &rec->m);
	}
	heard(s->c, s->kind);
	listed = s->c->listed & (1u << s->kind);
	pthread_mutex_unlock(&s->c->mu);
	if (t0)
		util_trace("stored kind=%d wait_us=%lld", s->kind, (long long)(util_trace_us() - t0));
	if (listed) /* a first list republishes once, when complete */
		mark_dirty(s->c->f);
}

static void inf_delete(void *ctx, const cJSON *obj)
{
	source *s = ctx;
	any_rec rec;

	if (fleet_project_any(&s->c->f->keys, s->kind, obj, &rec) < 0)
		return;
	pthread_mutex_lock(&s->c->mu);
	if (s->kind == K_NS)
		needs_full(s->c, "namespace gone");
	fleet_patch_mark_del(s->c, &s->c->tabs[s->kind], &rec.m);
	fleet_tab_del(&s->c->tabs[s->kind], &rec.m);
	heard(s->c, s->kind);
	pthread_mutex_unlock(&s->c->mu);
	mark_dirty(s->c->f);
}

static void inf_list_begin(void *ctx)
{
	source *s = ctx;

	pthread_mutex_lock(&s->c->mu);
	s->c->tabs[s->kind].cur_gen++;
	/* A first list into an empty table appends: its keys are looked up once the
	 * watch changes one (fleet_tab.c), not as 65,000 Deployments come in. The
	 * namespaces' table is looked up meanwhile (fleet_waiting_envs). A list
	 * started over appends its records again; the later of each key stays. */
	s->append = s->kind != K_NS && s->c->tabs[s->kind].n == 0;
	pthread_mutex_unlock(&s->c->mu);
}

/* Room for the whole list at once, and an eighth more for what the watch
 * adds (room not written to is not resident): the table grew by doubling,
 * each time a copy of all it held and its pages touched anew (a sixth of the
 * console's CPU as its lists came in, at 5,000 tenants). */
static void inf_list_total(void *ctx, size_t total)
{
	source *s = ctx;
	tab *t = &s->c->tabs[s->kind];

	pthread_mutex_lock(&s->c->mu);
	fleet_tab_reserve(t, total + total / 8);
	if (t->n == 0) /* (a relist mostly replaces the records it has) */
		fleet_tab_populate(t, total);
	pthread_mutex_unlock(&s->c->mu);
}

static void inf_sync(void *ctx, int relisted)
{
	source *s = ctx;
	cluster *c = s->c;
	size_t envs = 0, tenants = 0;

	pthread_mutex_lock(&c->mu);
	needs_full(c, "listed");
	/* a list appended into an empty table left nothing older to sweep */
	if (!s->append)
		fleet_tab_sweep(&c->tabs[s->kind]);
	s->append = 0;
	heard(c, s->kind);
	/* The namespaces, listed first, come whole long before the Deployments:
	 * the slabs of the build that completes the listing are made meanwhile,
	 * on this thread, off the publisher's path (as the one-shot's lister does) */
	if (s->kind == K_NS && (c->listed & WATCH_KINDS) != WATCH_KINDS)
		fleet_prepare_count(&c->tabs[K_NS], &envs, &tenants);
	c->listed |= 1u << s->kind;
	pthread_mutex_unlock(&c->mu);
	util_trace("listed kind=%d relisted=%d", s->kind, relisted);
	if (envs) {
		fleet_prepare_make(envs, tenants);
		util_trace("build prepared");
	}
	pthread_mutex_lock(&c->f->mu);
	c->f->trim = 1;
	pthread_mutex_unlock(&c->f->mu);
	mark_dirty(c->f);
}

static void inf_error(void *ctx, const k8s_err *err)
{
	source *s = ctx;
	cluster *c = s->c;

	static const char *const what[K_COUNT] = {"namespaces", "deployments", "statefulsets",
						  "ingresses",	"pods",	       "events"};

	pthread_mutex_lock(&c->mu);
	needs_full(c, "watch error");
	c->answered |= 1u << s->kind;
	if (err->unreachable) {
		if (!c->failing) {
			c->st.since = util_now_ms() / 1000;
			c->st.reach = FLEET_UNREACHABLE;
			fleet_setf(c->st.why, sizeof(c->st.why), "cluster unreachable: %s", err->msg);
		}
		c->failing |= 1u << s->kind;
	} else if (!(c->listed & (1u << s->kind))) {
		/* Never listed: what it would tell is not known, so nothing is claimed. */
		if (!c->failing) {
			c->st.since = util_now_ms() / 1000;
			c->st.reach = FLEET_FAILED;
			fleet_setf(c->st.why, sizeof(c->st.why), "cannot list %s: %s", what[s->kind],
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
	if (was) {
		heard(c, s->kind);
		needs_full(c, "answers again");
	}
	pthread_mutex_unlock(&c->mu);
	if (was)
		mark_dirty(c->f);
}

static const k8s_informer_cb inf_cb = {
    .on_alive = inf_alive,
    .on_add = inf_upsert,
    .on_update = inf_upsert,
    .on_delete = inf_delete,
    .on_add_text = inf_add_text,
    .on_list_begin = inf_list_begin,
    .on_list_total = inf_list_total,
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
	k8s_informer *inf[ARRAY_SIZE(what)] = {NULL};
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

		io.label_selector = sel;
		io.list_keep = fleet_kind_keep[what[i].kind];
		if (what[i].kind == K_DEPLOY || what[i].kind == K_STS) {
			io.list_accept = FLEET_TABLE_ACCEPT;
			io.list_query = FLEET_TABLE_QUERY;
		}
		inf[i] = k8s_informer_start(c->client, path, &io, &inf_cb, &c->src[what[i].kind]);
		free(path);
	}
	/* All asked for before the cluster's lock is taken: the cached frame is
	 * built under it as they start (fleet_watch_start) */
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < ARRAY_SIZE(what); i++)
		c->inf[what[i].kind] = inf[i];
	pthread_mutex_unlock(&c->mu);
	fleet_fetch_rules(c, &err);
	if (c->catalog_url) {
		if (catalog_fetch(c->client, c->catalog_url, &cat, &err) == 0) {
			pthread_mutex_lock(&c->mu);
			catalog_release(&c->cat);
			c->cat = cat;
			pthread_mutex_unlock(&c->mu);
		} else {
			pthread_mutex_lock(&c->mu);
			fleet_setf(c->st.note, sizeof(c->st.note),
			     "catalogue unavailable, contracts not checked: %s", err.msg);
			pthread_mutex_unlock(&c->mu);
		}
	}
	pthread_mutex_lock(&c->mu);
	c->meta_done = 1;
	needs_full(c, "rules and catalogue");
	pthread_mutex_unlock(&c->mu);
	mark_dirty(c->f);
	return NULL;
}

/* A snapshot may go out once every cluster's tenants are known, in part at
 * least: its namespaces' first page in (or all of them listed, or cached), or
 * the cluster not answering. */
static int rows_known(fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		int known;
		if (!c->client)
			continue;
		pthread_mutex_lock(&c->mu);
		/* rows as the namespaces' first pages arrive: the fleet grows page by
		 * page, each row's health pending until its chain is in */
		known = (c->listed & (1u << K_NS)) || c->failing || c->cached || c->tabs[K_NS].n;
		pthread_mutex_unlock(&c->mu);
		if (!known)
			return 0;
	}
	return 1;
}

/* While a cluster that answers is still in its first listing, a snapshot is a
 * whole build that holds the cluster's lock (its informers wait) and CPU the
 * listing needs, and shows little new: the rows are known (from the cache or
 * the namespaces), their health only once every kind is in. Such snapshots go
 * out at most every LOADING_INTERVAL_MS; the one that completes a listing at once.
 * A build holds the clusters' locks, and the informers wait on them: while
 * loading, the gap is also at least LOADING_COST_TIMES the last build's time
 * (a whole build of 20,000 tenants takes 0.3-1 s, and at one a second the
 * lists spent half their time waiting). */
#define LOADING_INTERVAL_MS 1000
#define LOADING_COST_TIMES 4

static int listing_under_way(fleet *f)
{
	size_t i;
	int busy = 0;

	for (i = 0; i < f->n && !busy; i++) {
		cluster *c = &f->cl[i];
		if (!c->client)
			continue;
		pthread_mutex_lock(&c->mu);
		busy = !c->failing && c->st.reach == FLEET_OK &&
		       ((c->listed & WATCH_KINDS) != WATCH_KINDS || !c->meta_done);
		pthread_mutex_unlock(&c->mu);
	}
	return busy;
}

static void *publisher(void *arg)
{
	fleet *f = arg;
	int64_t last = 0, cost_ms = 0;

	util_thread_name("publisher");
	pthread_mutex_lock(&f->mu);
	if (f->version > 0) /* the cache's snapshot is out: the pace holds from it */
		last = util_mono_ms();
	while (!f->stop) {
		struct timespec ts;
		int64_t now = util_mono_ms(), gap = f->min_interval_ms, wait_ms;

		if (f->dirty && f->version > 0 && gap < LOADING_INTERVAL_MS && listing_under_way(f))
			gap = LOADING_INTERVAL_MS > LOADING_COST_TIMES * cost_ms
				  ? LOADING_INTERVAL_MS
				  : LOADING_COST_TIMES * cost_ms;
		wait_ms = gap;
		if (f->dirty && now - last >= gap) {
			size_t i;
			for (i = 0; i < f->n; i++) /* starters done? */
				if (f->cl[i].starter_running &&
				    pthread_tryjoin_np(f->cl[i].starter, NULL) == 0)
					f->cl[i].starter_running = 0;
			if (rows_known(f)) {
				int64_t t0 = util_trace_us(), dirty_us = f->dirty_us;
				int trim = f->trim;

				f->dirty = f->trim = 0;
				pthread_mutex_unlock(&f->mu);
				fleet_publish(f);
				cost_ms = util_mono_ms() - now;
				last = util_mono_ms();
				util_trace("published v=%llu dirty_age_us=%lld build_us=%lld",
					   (unsigned long long)f->version, (long long)(t0 - dirty_us),
					   (long long)(util_trace_us() - t0));
				if (f->fn)
					f->fn(f->fn_ctx);
				/* A list's pages and the snapshot it replaced were freed in a
				 * burst; the allocator keeps such pages (resident memory grew
				 * by them over an hour of relists) unless told to give them
				 * back. Once a list, not once a change. */
				if (trim)
					malloc_trim(0);
				pthread_mutex_lock(&f->mu);
				continue;
			}
		} else if (f->dirty) {
			wait_ms = gap - (now - last);
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
	/* the last good listing is written beside the publisher, not before the
	 * frame it publishes: the first complete one waited 40-60 ms for it at
	 * 5,000 tenants (the saver joined before the next save and at the stop) */
	f->save_async = 1;
	atomic_store(&f->cancel, 0);
	for (i = 0; i < f->n; i++) {
		cluster *c = &f->cl[i];
		c->watching = 1;
		if (c->client && fleet_last_load(f, c) > 0)
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
		fleet_publish(f);
		if (fn)
			fn(ctx);
	}
	f->dirty = 1;
	if (pthread_create(&f->pub, NULL, publisher, f) != 0)
		return -1;
	f->pub_running = 1;
	return 0;
}

/* The cache's snapshot of each cluster as the last one published shows it,
 * when it is newer than the one written (at most once a minute while
 * watching): the next start shows what this one showed last, not what it
 * saw as its lists came in (pods not ready yet, say). */
static void save_last(fleet *f)
{
	fleet_snapshot *s = fleet_snapshot_get(f);

	fleet_saver_join(f);
	if (s)
		fleet_last_save_due(f, s, 1);
	fleet_snapshot_put(s);
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
	save_last(f);
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
