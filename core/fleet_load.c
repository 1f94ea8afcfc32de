/* core/fleet_load.c — the one-shot listing: every kind paged in parallel, per
 * cluster (see core/fleet_int.h). */
#include <malloc.h>

#include "core/fleet_int.h"

/* ---- one-shot listing ---- */

typedef struct job {
	cluster *c;
	int kind; /* K_*, or -1 rules, -2 catalogue */
	char *path;
	char *label_sel, *field_sel;
	const char *accept; /* a server-side Table, or NULL */
	int append;	    /* its table was empty: records are appended (fleet_tab_append) */
	int rc;
	k8s_err err;
	pthread_t th;
} job;

static void job_restart(void *ctx)
{
	job *j = ctx;

	fleet_tab_clear(&j->c->tabs[j->kind]);
}

static void job_total(void *ctx, size_t total)
{
	job *j = ctx;
	tab *t = &j->c->tabs[j->kind];

	fleet_tab_reserve(t, t->n + total);
	fleet_tab_populate(t, total);
}


/* A record listed into its table: appended when the list began on an empty
 * table, its key then looked for only once it is first needed (the one-shot
 * never looks up these kinds, and a key is listed once: a tenth of a list's
 * time went to the lookups) */
static void job_store(job *j, const any_rec *rec)
{
	if (j->append)
		fleet_tab_append(&j->c->tabs[j->kind], rec);
	else
		fleet_tab_put(&j->c->tabs[j->kind], rec);
}

static int job_item(void *ctx, const cJSON *item)
{
	job *j = ctx;
	any_rec rec;

	if (fleet_project_any(&j->c->f->keys, j->kind, item, &rec) == 0)
		job_store(j, &rec);
	return 0;
}

/* A workload's Table row or a pod read from its text (fleet_project_text);
 * the rest, and what the walk leaves, are built. */
static int job_item_text(void *ctx, const char *p, const char *end)
{
	job *j = ctx;
	any_rec rec;
	int rc = fleet_project_text(&j->c->f->keys, j->kind, p, end, &rec);

	if (rc == PROJECT_BUILD)
		return 0;
	if (rc == 0)
		job_store(j, &rec);
	return 1;
}

void fleet_fetch_rules(cluster *c, k8s_err *err)
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
		fleet_setf(c->st.note, sizeof(c->st.note), "%s", note);
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
			    .keep = j->kind >= 0 ? fleet_kind_keep[j->kind] : NULL,
			    .on_total = j->kind >= 0 ? job_total : NULL,
			    .item_text = j->kind >= 0 ? job_item_text : NULL};

	k8s_err_clear(&j->err);
	if (j->kind == -1) {
		fleet_fetch_rules(c, &j->err);
		j->rc = 0;
	} else if (j->kind == -2) {
		if (catalog_fetch(c->client, c->catalog_url, &c->cat, &j->err) < 0) {
			/* The catalogue is advisory: contracts then stay unknown. */
			j->rc = 0;
			j->err.http = -2;
		}
	} else {
		/* the namespaces' table may hold the cache's rows, and it is looked
		 * up while the other lists come in (fleet_waiting_envs) */
		j->append = j->kind != K_NS && c->tabs[j->kind].n == 0;
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
	j->label_sel = fleet_dup_or_null(label_sel);
	j->field_sel = fleet_dup_or_null(field_sel);
}

static char *table_path(const char *plural)
{
	char *p = k8s_path("apps", "v1", NULL, plural, NULL);
	char *q = xasprintf("%s?" FLEET_TABLE_QUERY, p);

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
		add_job(jobs, &n, &cap, c, K_DEPLOY, table_path("deployments"), k->tier, NULL);
		(*jobs)[n - 1].accept = FLEET_TABLE_ACCEPT;
		add_job(jobs, &n, &cap, c, K_STS, table_path("statefulsets"), k->tier, NULL);
		(*jobs)[n - 1].accept = FLEET_TABLE_ACCEPT;
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

	util_thread_name("lister");
	for (i = 0; i < r->n; i++)
		if (r->jobs[i].kind == r->kind) {
			job_run(&r->jobs[i]);
			if (r->jobs[i].rc < 0)
				break;
		}
	util_trace("listed kind=%d", r->kind);
	/* the namespaces come whole long before the workloads: the build's room
	 * made meanwhile, off its path */
	if (r->kind == K_NS && i == r->n) {
		fleet_prepare_build(&r->jobs[0].c->tabs[K_NS]);
		util_trace("build prepared");
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
		fleet_last_load(c->f, c);
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
			fleet_setf(c->st.note, sizeof(c->st.note),
			     "catalogue unavailable, contracts not checked: %s", jobs[i].err.msg);
	}
	if (bad) {
		failed = 1;
		c->st.reach = bad->err.unreachable ? FLEET_UNREACHABLE : FLEET_FAILED;
		c->st.since = util_now_ms() / 1000;
		fleet_setf(c->st.why, sizeof(c->st.why), "%s%s",
		     bad->err.unreachable ? "cluster unreachable: " : "", bad->err.msg);
	} else {
		c->st.reach = FLEET_OK;
		c->st.synced = 1;
	}
	if (failed) {
		/* Half a listing is worse than none: keep only what the cache knew. */
		for (k = 0; k < K_COUNT; k++)
			fleet_tab_clear(&c->tabs[k]);
		fleet_last_load(c->f, c);
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
	int ok = fleet_load_lists(f);

	fleet_load_build(f);
	return ok;
}

int fleet_load_lists(fleet *f)
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
	return ok;
}

void fleet_load_build(fleet *f)
{
	/* the listing threads' arenas keep the pages they parsed: given back
	 * before the snapshot is built, the peak is the tables and the snapshot */
	malloc_trim(0);
	f->save_async = 1;
	fleet_publish(f);
}

/* ---- what the tables say waits (fleet_waiting_envs) ---- */

/* A namespace's workloads as an environment's health adds them up. */
typedef struct wait_sum {
	int32_t db_desired, db_ready; /* DbAccess, its workloads added up */
	uint8_t public_waits;
} wait_sum;

/* The sum of the namespace named ns (its index in the namespaces' table), or
 * NULL for a workload in a namespace that is not a tenant's. */
static wait_sum *wait_sum_of(const tab *nss, wait_sum *sums, const char *ns)
{
	const unsigned char *r = fleet_tab_find_name(nss, ns);

	if (!r)
		return NULL;
	return &sums[(size_t)(r - nss->recs) / nss->rsize];
}

size_t fleet_waiting_envs(const fleet *f, fleet_waiting *out, size_t max)
{
	size_t ci, i, n = 0;
	int w;

	for (ci = 0; ci < f->n && n < max; ci++) {
		const cluster *c = &f->cl[ci];
		const tab *nst = &c->tabs[K_NS];
		const project_ns *nss = (const project_ns *)(const void *)nst->recs;
		wait_sum *sums, *r;

		if (c->st.reach != FLEET_OK || !nst->n) /* (env_deps_read skips a cluster without a client) */
			continue;
		sums = xcalloc(nst->n, sizeof(*sums));
		/* as project_env_add_workload adds them up */
		for (w = 0; w < 2; w++) {
			const tab *t = &c->tabs[w ? K_STS : K_DEPLOY];
			const project_workload *wl = (const project_workload *)(const void *)t->recs;
			for (i = 0; i < t->n; i++) {
				const project_workload *x = &wl[i];
				if (x->tier == PROJECT_TIER_BASE && !strcmp(x->component, "dbaccess")) {
					if ((r = wait_sum_of(nst, sums, x->m.ns)) != NULL) {
						r->db_desired += project_env_count(x->desired);
						r->db_ready += project_env_count(x->ready);
					}
				} else if (x->tier == PROJECT_TIER_PUBLIC && x->desired > 0 &&
					   x->ready < x->desired) {
					if ((r = wait_sum_of(nst, sums, x->m.ns)) != NULL)
						r->public_waits = 1;
				}
			}
		}
		/* the table holds a namespace once: one environment each */
		for (i = 0; i < nst->n && n < max; i++) {
			r = &sums[i];
			out[n].want_db = r->db_desired > 0 && r->db_ready < r->db_desired;
			out[n].want_fs = r->public_waits && nss[i].product != MODEL_PRODUCT_ESOCIAL;
			if (!out[n].want_db && !out[n].want_fs)
				continue;
			out[n].ci = ci;
			util_strlcpy(out[n].ns, nss[i].m.name, sizeof(out[n].ns));
			out[n].db_listed = 1;
			util_strlcpy(out[n].db, nss[i].db, sizeof(out[n].db));
			n++;
		}
		free(sums);
	}
	return n;
}
