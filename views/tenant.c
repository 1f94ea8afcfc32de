/* views/tenant.c — one tenant, both environments. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "core/hypnus.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/builds.h"
#include "views/health_role.h"
#include "views/hypnus.h"
#include "views/logs.h"
#include "views/tenant_deps.h"
#include "views/tenant.h"
#include "views/wizard_form.h"
#include "util/util.h"

#define RELOAD_MS 5000
#define MAX_EVENTS 6
#define SIDE_BY_SIDE_WIDTH 110

enum { REQ_BACK, REQ_RELOAD, REQ_HYPNUS, REQ_LOGS, REQ_BUILDS, REQ_NEW };

static const tui_binding tenant_bindings[] = {
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the fleet"},
    {TUI_KEY_FN(KEY_LEFT), REQ_BACK, NULL, "back to the fleet"},
    {'r', REQ_RELOAD, "Reload", "load pods and events again now"},
    {'h', REQ_HYPNUS, "Hypnus", "Hypnus panel: usage heat map and predicted wakes (prod)"},
    {'l', REQ_LOGS, "Logs", "follow a pod's log (pick the pod)"},
    {'b', REQ_BUILDS, "Builds", "custom builds: history, stages and logs, promote and roll back"},
    {'n', REQ_NEW, NULL, "a wizard on this tenant: file server and the others (pick one)"},
};
static const tui_keymap tenant_keymap = {"tenant", tenant_bindings, ARRAY_SIZE(tenant_bindings)};

/* ---- the worker ---- */

typedef struct worker {
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char want[TCODE_SIZE]; /* "" : nothing open */
	uint64_t want_gen;     /* grows with each request */
	uint64_t done_gen;     /* request the last result answers */
	fleet_snapshot *result;
	int64_t result_ms; /* when it was loaded (wall clock) */
	tenant_deps result_deps;  /* the database and file server of want's envs, after result */
	int deps_new;	   /* result_deps not taken yet */
	char deps_tcode[TCODE_SIZE]; /* whose they are */
	tenant_deps last_deps;	   /* the worker's own copy of the last, for its recent checks */
	/* read-only after start */
	const fleet_cluster_cfg *cfg;
	size_t n_cfg;
	const char *prefix;
} worker;

typedef struct view_tenant {
	worker w;
	char tcode[TCODE_SIZE];
	fleet_snapshot *detail; /* the worker's last result for tcode, or NULL */
	tenant_deps dd;		/* the database and file server of tcode's envs, by namespace */
	int dd_ready;		/* dd is tcode's */
	uint64_t detail_gen;
	int64_t detail_ms;
	int scroll;
	int lines; /* lines in the last drawing */
	int page;
} view_tenant;

static void *worker_run(void *arg)
{
	worker *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		char tcode[TCODE_SIZE];
		uint64_t gen;
		fleet_opts fo = {0};
		fleet_snapshot *s;
		fleet *f;
		tenant_env_ref *refs;
		size_t n_refs;

		if (!w->want[0] || w->done_gen == w->want_gen) {
			struct timespec ts;
			int rc;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += RELOAD_MS / 1000;
			rc = pthread_cond_timedwait(&w->cv, &w->mu, &ts);
			if (w->stop)
				break;
			if (rc != 0 && w->want[0] && w->done_gen == w->want_gen)
				w->want_gen++; /* time to refresh */
			continue;
		}
		util_strlcpy(tcode, w->want, sizeof(tcode));
		gen = w->want_gen;
		pthread_mutex_unlock(&w->mu);

		fo.prefix = w->prefix;
		fo.tcode = tcode;
		f = fleet_new(w->cfg, w->n_cfg, &fo);
		fleet_load(f);
		s = fleet_snapshot_get(f);
		fleet_free(f);
		refs = tenant_deps_refs(s, w->cfg, w->n_cfg);
		n_refs = s->n_envs;

		pthread_mutex_lock(&w->mu);
		if (!strcmp(tcode, w->want)) {
			if (w->result)
				fleet_snapshot_put(w->result);
			w->result = s;
			w->result_ms = util_now_ms();
			w->done_gen = gen;
			s = NULL;
		}
		pthread_mutex_unlock(&w->mu);
		tui_loop_wake();
		/* then what lies beside the workloads: slower (a live database check) */
		{
			tenant_deps nd, copy;

			tenant_deps_load(refs, n_refs, w->prefix, &w->last_deps, &nd);
			tenant_deps_release(&w->last_deps);
			w->last_deps = nd;
			tenant_deps_copy(&nd, &copy);
			pthread_mutex_lock(&w->mu);
			if (!strcmp(tcode, w->want)) {
				tenant_deps_release(&w->result_deps);
				w->result_deps = copy;
				w->deps_new = 1;
				util_strlcpy(w->deps_tcode, tcode, sizeof(w->deps_tcode));
			} else {
				tenant_deps_release(&copy);
			}
			pthread_mutex_unlock(&w->mu);
		}
		free(refs);
		if (s)
			fleet_snapshot_put(s);
		tui_loop_wake();
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void view_tenant_init(app *a)
{
	view_tenant *v = xcalloc(1, sizeof(*v));

	a->vt = v;
	pthread_mutex_init(&v->w.mu, NULL);
	pthread_cond_init(&v->w.cv, NULL);
	v->w.cfg = a->o->clusters;
	v->w.n_cfg = a->o->n_clusters;
	v->w.prefix = a->o->prefix;
	v->w.started = pthread_create(&v->w.th, NULL, worker_run, &v->w) == 0;
	if (!v->w.started)
		die("cannot start a thread");
}

void view_tenant_release(app *a)
{
	view_tenant *v = a->vt;

	if (!v)
		return;
	pthread_mutex_lock(&v->w.mu);
	v->w.stop = 1;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
	if (v->w.started)
		pthread_join(v->w.th, NULL);
	if (v->w.result)
		fleet_snapshot_put(v->w.result);
	if (v->detail)
		fleet_snapshot_put(v->detail);
	tenant_deps_release(&v->w.result_deps);
	tenant_deps_release(&v->w.last_deps);
	tenant_deps_release(&v->dd);
	pthread_mutex_destroy(&v->w.mu);
	pthread_cond_destroy(&v->w.cv);
	free(v);
	a->vt = NULL;
}

void view_tenant_open(app *a, const char *tcode)
{
	view_tenant *v = a->vt;

	if (strcmp(v->tcode, tcode)) {
		if (v->detail)
			fleet_snapshot_put(v->detail);
		v->detail = NULL;
		tenant_deps_release(&v->dd);
		v->dd_ready = 0;
		v->scroll = 0;
	}
	util_strlcpy(v->tcode, tcode, sizeof(v->tcode));
	pthread_mutex_lock(&v->w.mu);
	if (strcmp(v->w.want, tcode)) {
		util_strlcpy(v->w.want, tcode, sizeof(v->w.want));
		v->w.want_gen++;
		pthread_cond_signal(&v->w.cv);
	}
	pthread_mutex_unlock(&v->w.mu);
}

void view_tenant_reload(app *a)
{
	view_tenant *v = a->vt;

	pthread_mutex_lock(&v->w.mu);
	v->w.want_gen++;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
}

int view_tenant_update(app *a)
{
	view_tenant *v = a->vt;
	int changed = 0;

	pthread_mutex_lock(&v->w.mu);
	if (a->screen != APP_TENANT && a->back != APP_TENANT)
		v->w.want[0] = '\0'; /* closed: no more reloads */
	if (v->w.result && v->w.done_gen != v->detail_gen && !strcmp(v->w.want, v->tcode)) {
		if (v->detail)
			fleet_snapshot_put(v->detail);
		v->detail = v->w.result;
		v->w.result = NULL;
		v->detail_gen = v->w.done_gen;
		v->detail_ms = v->w.result_ms;
		changed = 1;
	}
	if (v->w.deps_new && !strcmp(v->w.deps_tcode, v->tcode)) {
		tenant_deps_release(&v->dd);
		v->dd = v->w.result_deps;
		memset(&v->w.result_deps, 0, sizeof(v->w.result_deps));
		v->w.deps_new = 0;
		v->dd_ready = 1;
		changed = 1;
	}
	pthread_mutex_unlock(&v->w.mu);
	return changed ? TUI_REDRAW : 0;
}

int view_tenant_busy(app *a)
{
	view_tenant *v = a->vt;
	int busy;

	if (a->screen != APP_TENANT)
		return 0;
	pthread_mutex_lock(&v->w.mu);
	busy = v->w.want[0] && v->w.done_gen != v->w.want_gen && !v->detail;
	busy |= v->w.want[0] && !v->dd_ready; /* the first database check still runs */
	busy |= v->w.deps_new;
	pthread_mutex_unlock(&v->w.mu);
	return busy || (!v->detail && v->w.result);
}

const char *view_tenant_tcode(const app *a)
{
	return a->vt->tcode;
}

const fleet_snapshot *view_tenant_detail(const app *a)
{
	return a->vt->detail;
}

const tui_keymap *view_tenant_keymap(void)
{
	return &tenant_keymap;
}

/* ---- the page as lines of segments ---- */

#define SEG_MAX 12

typedef struct seg {
	char text[200];
	int attrs;
	int raw; /* our own text (glyphs allowed), else escaped */
} seg;

typedef struct line {
	seg s[SEG_MAX];
	int n;
} line;

typedef struct page {
	line *l;
	size_t n, cap;
	const fleet_snapshot *snap; /* the snapshot the header reads */
} page;

static line *new_line(page *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->l = xrealloc(p->l, p->cap * sizeof(*p->l));
	}
	memset(&p->l[p->n], 0, sizeof(p->l[0]));
	return &p->l[p->n++];
}

static void add(line *l, int raw, int attrs, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(line *l, int raw, int attrs, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= SEG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(l->s[l->n].text, sizeof(l->s[0].text), fmt, ap);
	va_end(ap);
	l->s[l->n].attrs = attrs;
	l->s[l->n].raw = raw;
	l->n++;
}

static void fmt_age(int64_t secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, size, "%ds", (int)secs);
	else if (secs < 7200)
		snprintf(buf, size, "%dm", (int)(secs / 60));
	else if (secs < 2 * 86400)
		snprintf(buf, size, "%dh", (int)(secs / 3600));
	else
		snprintf(buf, size, "%dd", (int)(secs / 86400));
}

static void fmt_clock(int64_t t, char *buf, size_t size)
{
	char full[40];

	util_rfc3339(t, full, sizeof(full));
	snprintf(buf, size, "%.8s", full + 11);
}

/* The component a cause names first ("lockserver down (...)"), or "". */
static void first_failure(const health_result *h, char *buf, size_t size)
{
	const char *sp = strstr(h->cause, " down");

	buf[0] = '\0';
	if (h->state == HEALTH_BLOCKED)
		util_strlcpy(buf, HEALTH_LICENSE_COMPONENT, size);
	else if (h->state == HEALTH_DOWN && sp && (size_t)(sp - h->cause) < size) {
		memcpy(buf, h->cause, (size_t)(sp - h->cause));
		buf[sp - h->cause] = '\0';
	}
}

static const model_base *find_base(const model_env *e, const char *comp)
{
	size_t i;

	for (i = 0; i < e->n_base && i < MODEL_MAX_BASE; i++)
		if (!strcmp(e->base[i].component, comp))
			return &e->base[i];
	return NULL;
}

static void chain_line(page *p, const model_env *e, const health_result *h)
{
	static const char *const chain[] = {"license", "lockserver", "dbaccess", "appserver"};
	char fail[32];
	line *l = new_line(p);
	int after_fail = 0;
	size_t i, k;

	first_failure(h, fail, sizeof(fail));
	add(l, 1, tui_theme_attr(TUI_ROLE_SECTION), "  chain  ");
	for (i = 0; i < ARRAY_SIZE(chain); i++) {
		int ready = 0, desired = 0, attrs, present = 1;
		const model_base *b;
		if (i)
			add(l, 1, tui_theme_attr(TUI_ROLE_DIM), " %s ", tui_glyph_str(TUI_G_ARROW));
		if (i < 3) {
			b = find_base(e, chain[i]);
			present = b != NULL;
			if (b)
				ready = b->ready, desired = b->desired;
		} else {
			for (k = 0; k < e->n_public && k < MODEL_MAX_PUBLIC; k++)
				ready += e->pub[k].ready, desired += e->pub[k].desired;
			present = e->n_public > 0;
		}
		if (!strcmp(fail, chain[i]))
			attrs = tui_theme_attr(TUI_ROLE_HIGHLIGHT), after_fail = 1;
		else if (after_fail || !present)
			attrs = tui_theme_attr(TUI_ROLE_DIM);
		else if (desired == 0)
			attrs = tui_theme_attr(TUI_ROLE_SLEEPING);
		else if (ready >= desired)
			attrs = tui_theme_attr(TUI_ROLE_AVAILABLE);
		else
			attrs = tui_theme_attr(TUI_ROLE_DEGRADED);
		if (present)
			add(l, 1, attrs, "%s %d/%d", chain[i], ready, desired);
		else
			add(l, 1, attrs, "%s -", chain[i]);
	}
}

static tui_role db_role(const char *state)
{
	return !strcmp(state, "ready")	      ? TUI_ROLE_AVAILABLE
	       : !strcmp(state, "handed-off") ? TUI_ROLE_SLEEPING
	       : !strcmp(state, "unknown")    ? TUI_ROLE_UNKNOWN
					      : TUI_ROLE_DOWN;
}

/* "  database  managed PostgreSQL, external to dbaccess: t12345_prod on pg:5432 ready · size ..., 12s ago" */
static void db_line(page *p, const db_info *db, int64_t checked_ms)
{
	int sec = tui_theme_attr(TUI_ROLE_SECTION), dim = tui_theme_attr(TUI_ROLE_DIM);
	char age[16];
	line *l = new_line(p);

	add(l, 1, sec, "  database ");
	if (!db) {
		add(l, 1, dim, " checking...");
		return;
	}
	add(l, 1, tui_theme_attr(db_role(db->state)), " %s ", db->state);
	if (db->engine) {
		if (!strcmp(db->engine, "oracle"))
			add(l, 1, 0, " Oracle");
		else
			add(l, 1, 0, " %s PostgreSQL", db->mode ? db->mode : "-");
		if (db->mode && !strcmp(db->mode, "managed"))
			add(l, 1, dim, " (external, dbaccess needs it)");
		add(l, 0, 0, " %s", db->name[0] ? db->name : "-");
		if (db->host[0])
			add(l, 0, dim, " on %s:%d", db->host, db->port);
	}
	l = new_line(p);
	add(l, 1, 0, "    ");
	add(l, 0, dim, "%s", db->detail);
	if (checked_ms > 0) {
		fmt_age((util_now_ms() - checked_ms) / 1000, age, sizeof(age));
		add(l, 1, dim, ", checked %s ago", age);
	}
}

/* "  files  totvs totvs-nfs Bound 100Gi; mounted by rest, webapp" and a flag for
 * an AppServer that does not mount what its siblings do. */
static void fs_line(page *p, const fs_info *fs)
{
	int sec = tui_theme_attr(TUI_ROLE_SECTION), dim = tui_theme_attr(TUI_ROLE_DIM);
	line *l = new_line(p);

	add(l, 1, sec, "  files    ");
	if (!fs) {
		add(l, 1, dim, " checking...");
		return;
	}
	if (!fs->present) {
		add(l, 1, fs->n_mounted ? tui_theme_attr(TUI_ROLE_DOWN) : dim, " %s", fs->detail);
		return;
	}
	add(l, 0, tui_theme_attr(!strcmp(fs->phase, "Bound") ? TUI_ROLE_AVAILABLE : TUI_ROLE_DOWN), " %s ",
	    fs->phase);
	add(l, 0, 0, " %s", fs->capacity[0] ? fs->capacity : fs->requested[0] ? fs->requested : "");
	add(l, 0, dim, " %s %s", fs->provider[0] ? fs->provider : "-", fs->cls[0] ? fs->cls : "-");
	l = new_line(p);
	add(l, 1, 0, "    ");
	if (fs->n_mounted) {
		char roles[160] = "";
		for (size_t i = 0; i < fs->n_mounted; i++)
			snprintf(roles + strlen(roles), sizeof(roles) - strlen(roles), "%s%s", i ? ", " : "",
				 fs->mounted_by[i]);
		add(l, 0, dim, "mounted by %s at %s", roles, fs->path[0] ? fs->path : "-");
	} else {
		add(l, 1, tui_theme_attr(TUI_ROLE_DEGRADED), "mounted by no AppServer");
	}
	for (size_t i = 0; i < fs->n_unmounted; i++) {
		l = new_line(p);
		add(l, 1, tui_theme_attr(TUI_ROLE_DEGRADED), "    %s ", tui_glyph_str(TUI_G_CROSS));
		add(l, 0, tui_theme_attr(TUI_ROLE_DEGRADED), "%s does not mount the claim its siblings mount",
		    fs->unmounted[i]);
	}
}

static void env_panel(page *p, const fleet_snapshot *s, int32_t ei, const health_result *eh,
		      const fleet_snapshot *d, int32_t di, const tenant_deps *dd, int64_t now)
{
	const model_env *e = fleet_env(s, ei);
	int dk = tenant_deps_find(dd, e->ns);
	const db_info *db = dk >= 0 ? &dd->db[dk] : NULL;
	const fs_info *fs = dk >= 0 && e->product != MODEL_PRODUCT_ESOCIAL ? &dd->fs[dk] : NULL;
	const health_result *h = eh;
	int sec = tui_theme_attr(TUI_ROLE_SECTION), dim = tui_theme_attr(TUI_ROLE_DIM);
	char buf[64], age[16];
	line *l;
	size_t k, n;

	l = new_line(p);
	add(l, 1, tui_theme_attr(TUI_ROLE_HEADER), "%s", e->env == TCODE_ENV_PROD ? "PROD" : "DEV");
	add(l, 1, 0, " ");
	add(l, 0, 0, "%s", e->ns);
	add(l, 1, 0, "  ");
	add(l, 1, tui_theme_attr(view_health_role(h->state)), "%s", health_name(h->state));
	l = new_line(p);
	add(l, 1, 0, "  ");
	add(l, 0, tui_theme_attr(view_health_role(h->state)), "%s", h->cause);
	if (e->fresh.stale && h->state != HEALTH_UNKNOWN) {
		l = new_line(p);
		add(l, 1, tui_theme_attr(TUI_ROLE_BANNER), "  data stale: ");
		add(l, 0, tui_theme_attr(TUI_ROLE_BANNER), "%s", e->fresh.why);
	}
	chain_line(p, e, h);
	if (!db && e->fresh.stale) { /* nothing to ask while the cluster does not answer */
		add(new_line(p), 1, dim, "  database  not known while the cluster does not answer");
	} else {
		db_line(p, db, db ? dd->db_ms[dk] : 0);
		if (e->product != MODEL_PRODUCT_ESOCIAL)
			fs_line(p, fs);
	}
	l = new_line(p);
	add(l, 1, sec, "  public services");
	if (!e->n_public)
		add(new_line(p), 1, dim, "    none");
	for (k = 0; k < e->n_public && k < MODEL_MAX_PUBLIC; k++) {
		const model_public *pub = &e->pub[k];
		int ok = pub->ready >= pub->desired && pub->desired > 0;
		l = new_line(p);
		add(l, 1, 0, "    ");
		add(l, 0, 0, "%-12.40s", pub->role);
		add(l, 1,
		    tui_theme_attr(pub->desired == 0 ? TUI_ROLE_SLEEPING
				   : ok		     ? TUI_ROLE_AVAILABLE
						     : TUI_ROLE_DEGRADED),
		    " %d/%d ", pub->ready, pub->desired);
		add(l, 0, dim, " %s", pub->host ? model_text(e, pub->host) : "-");
	}
	l = new_line(p);
	add(l, 1, sec, "  hypnus ");
	if (!e->hypnus.present) {
		add(l, 1, dim, " none");
	} else {
		add(l, 1, 0, " %s", hypnus_state_name((model_hypnus_state)e->hypnus.state));
		if (e->hypnus.idle_timeout_s > 0)
			add(l, 1, dim, ", idle timeout %dm", (int)(e->hypnus.idle_timeout_s / 60));
		if (e->hypnus.last_activity > 0) {
			fmt_clock(e->hypnus.last_activity, buf, sizeof(buf));
			add(l, 1, dim, ", last request %s UTC", buf);
		}
		if (e->hypnus.cold_start_s > 0)
			add(l, 1, dim, ", cold start %ds", (int)e->hypnus.cold_start_s);
	}
	l = new_line(p);
	add(l, 1, sec, "  pods");
	if (!d) {
		add(new_line(p), 1, dim, "    loading...");
		return;
	}
	for (k = 0, n = 0; k < d->n_pods; k++) {
		const project_pod *pod = &d->pods[k];
		if (d->pod_env[k] != di)
			continue;
		n++;
		l = new_line(p);
		add(l, 1, 0, "    ");
		add(l, 0, 0, "%-34.64s", pod->m.name);
		add(l, 1, tui_theme_attr(pod->ready ? TUI_ROLE_AVAILABLE : TUI_ROLE_DEGRADED), " %-9s",
		    pod->ready ? "ready" : "not ready");
		add(l, 1, pod->restarts ? tui_theme_attr(TUI_ROLE_DEGRADED) : dim, " %3d restarts",
		    (int)pod->restarts);
		fmt_age(pod->created > 0 && now > pod->created ? now - pod->created : 0, age,
			sizeof(age));
		add(l, 1, dim, " %5s", pod->created > 0 ? age : "-");
		if (pod->waiting_reason[0] || pod->terminated_reason[0])
			add(l, 0, tui_theme_attr(TUI_ROLE_DOWN), "  %s",
			    pod->waiting_reason[0] ? pod->waiting_reason : pod->terminated_reason);
	}
	if (!n)
		add(new_line(p), 1, dim, "    none");
	l = new_line(p);
	add(l, 1, sec, "  recent events");
	for (k = 0, n = 0; k < d->n_events; k++)
		n += d->event_env[k] == di;
	if (!n)
		add(new_line(p), 1, dim, "    none");
	{
		size_t skip = n > MAX_EVENTS ? n - MAX_EVENTS : 0;
		for (k = 0; k < d->n_events; k++) {
			const project_event *ev = &d->events[k];
			if (d->event_env[k] != di || (skip && skip--))
				continue;
			l = new_line(p);
			fmt_clock(ev->last, buf, sizeof(buf));
			add(l, 1, dim, "    %s ", ev->last > 0 ? buf : "--:--:--");
			add(l, 0, tui_theme_attr(strcmp(ev->type, "Normal") ? TUI_ROLE_DEGRADED : TUI_ROLE_NORMAL), "%s", ev->reason);
			add(l, 1, 0, " ");
			add(l, 0, 0, "%s: %s", ev->object, ev->message);
		}
	}
}

static const fleet_tenant *find_tenant(const fleet_snapshot *s, const char *tcode)
{
	size_t i;

	for (i = 0; s && i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tcode))
			return fleet_tenant_at(s, i);
	return NULL;
}

static void header(page *p, const fleet_tenant *t, const health_result *th, const health_result *eh)
{
	const model_contract *c = &t->t.contract;
	line *l = new_line(p);
	char date[40] = "open-ended";
	int e;

	add(l, 0, tui_theme_attr(view_health_role(th->state)) | A_BOLD, "%s", t->t.tcode);
	add(l, 1, 0, "  ");
	add(l, 0, A_BOLD, "%s", t->t.customer);
	add(l, 0, tui_theme_attr(TUI_ROLE_DIM), "  %s, %s, cluster %s",
	    t->t.product == MODEL_PRODUCT_ESOCIAL ? "esocial" : t->t.product == MODEL_PRODUCT_ERP ? "erp" : "-",
	    t->provider[0] ? t->provider : "-", t->t.cluster);
	l = new_line(p);
	add(l, 1, tui_theme_attr(TUI_ROLE_SECTION), "contract ");
	if (c->known) {
		if (c->valid_until > 0)
			util_rfc3339(c->valid_until, date, sizeof(date));
		add(l, 0, strcmp(c->status, "active") ? tui_theme_attr(TUI_ROLE_BLOCKED) : 0, "%s", c->status);
		add(l, 0, 0, " until %.10s, %d licences, products %s", date, (int)c->licences,
		    c->products[0] ? c->products : "-");
	} else {
		add(l, 1, tui_theme_attr(TUI_ROLE_DIM), "not known (no catalogue answer)");
	}
	l = new_line(p);
	add(l, 1, tui_theme_attr(TUI_ROLE_SECTION), "health   ");
	add(l, 1, tui_theme_attr(view_health_role(th->state)), "%s", health_name(th->state));
	add(l, 1, 0, ": ");
	add(l, 0, 0, "%s", th->cause);
	l = new_line(p);
	add(l, 1, tui_theme_attr(TUI_ROLE_SECTION), "envs     ");
	for (e = 0; e < 2; e++) {
		health_state hs;
		if (t->env[e] < 0)
			continue;
		hs = eh[e].state;
		add(l, 1, 0, "%s ", e == TCODE_ENV_PROD ? "prod" : "  dev");
		add(l, 1, tui_theme_attr(view_health_role(hs)), "%s", health_name(hs));
	}
	new_line(p);
}

/* The custom RPO each ERP env runs (views/builds.h), under the envs line. */
static void rpo_lines(page *p, app *a, const fleet_tenant *t)
{
	char buf[300];
	int attrs = 0, e, any = 0;
	line *l;

	for (e = 0; e < 2; e++) {
		if (view_builds_rpo_line(a, t->t.tcode, e, buf, sizeof(buf), &attrs) < 0)
			continue;
		if (!any++ && p->n)
			p->n--; /* before the blank line that ends the header */
		l = new_line(p);
		add(l, 1, tui_theme_attr(TUI_ROLE_SECTION), "%s", e == TCODE_ENV_PROD ? "rpo prod " : "rpo  dev ");
		add(l, 0, attrs, "%s", buf);
	}
	if (any)
		new_line(p);
}

/* The detail env matching the summary env's namespace, or -1. */
static int32_t detail_env(const fleet_snapshot *d, const char *ns)
{
	size_t i;

	for (i = 0; d && i < d->n_envs; i++)
		if (!strcmp(fleet_env(d, i)->ns, ns))
			return (int32_t)i;
	return -1;
}

static void draw_line(const line *l, int y, int x, int width)
{
	int used = 0, i;

	for (i = 0; i < l->n && used < width; i++) {
		if (l->s[i].raw)
			used += tui_text_put_raw(stdscr, y, x + used, width - used, l->s[i].text,
						 l->s[i].attrs, 0);
		else
			used += tui_text_put(stdscr, y, x + used, width - used, l->s[i].text,
					     l->s[i].attrs, 0);
	}
}

void view_tenant_draw(app *a, int y, int h, int width)
{
	view_tenant *v = a->vt;
	/* Prefer the detail snapshot (fresher, with pods); else the fleet's. */
	const fleet_snapshot *s = v->detail && find_tenant(v->detail, v->tcode) ? v->detail : a->snap;
	const fleet_tenant *t = find_tenant(s, v->tcode);
	page top = {0}, col[2] = {{0}, {0}};
	health_result eh[2], th;
	int side = width >= SIDE_BY_SIDE_WIDTH, half = side ? (width - 1) / 2 : width;
	int64_t now = util_now_ms() / 1000;
	size_t i, rows;
	int e, line_no = 0;

	if (!t) {
		char buf[128];
		snprintf(buf, sizeof(buf), "%s: %s", v->tcode,
			 view_tenant_busy(a) || !a->snap ? "loading..." : "not found in the fleet");
		tui_text_put_raw(stdscr, y + 1, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_DIM), 0);
		v->lines = 0;
		return;
	}
	/* Ages against the cluster's clock (which may run ahead of ours), never negative. */
	if (t->cluster < a->o->n_clusters && a->o->clusters[t->cluster].client)
		now = k8s_client_server_now(a->o->clusters[t->cluster].client);
	top.snap = s;
	for (e = 0; e < 2; e++)
		if (t->env[e] >= 0)
			tenant_deps_health(fleet_env(s, t->env[e]), fleet_env_health(s, t->env[e]), v->dd_ready ? &v->dd : NULL, &eh[e]);
	health_tenant(t->env[0] >= 0 ? &eh[0] : NULL, t->env[1] >= 0 ? &eh[1] : NULL, &th);
	header(&top, t, &th, eh);
	rpo_lines(&top, a, t);
	for (e = 0; e < 2; e++) {
		int32_t ei = t->env[e];
		const fleet_snapshot *d = v->detail;
		if (ei < 0)
			continue;
		env_panel(side ? &col[e] : &col[0], s, ei, &eh[e], d, detail_env(d, fleet_env(s, ei)->ns),
			  v->dd_ready ? &v->dd : NULL, now);
		if (!side)
			new_line(&col[0]);
	}
	rows = top.n + (side ? (col[0].n > col[1].n ? col[0].n : col[1].n) : col[0].n);
	v->lines = (int)rows;
	v->page = h;
	if (v->scroll > (int)rows - h)
		v->scroll = (int)rows - h;
	if (v->scroll < 0)
		v->scroll = 0;
	for (i = 0; i < rows; i++, line_no++) {
		int yy = y + line_no - v->scroll;
		if (yy < y || yy >= y + h)
			continue;
		if (i < top.n) {
			draw_line(&top.l[i], yy, 0, width);
			continue;
		}
		if (i - top.n < col[0].n)
			draw_line(&col[0].l[i - top.n], yy, 0, half);
		if (side) {
			mvaddstr(yy, half, tui_glyph_str(TUI_G_VLINE));
			if (i - top.n < col[1].n)
				draw_line(&col[1].l[i - top.n], yy, half + 2, width - half - 2);
		}
	}
	free(top.l);
	free(col[0].l);
	free(col[1].l);
}

int view_tenant_key(app *a, int key)
{
	view_tenant *v = a->vt;
	int old = v->scroll, step = v->page > 2 ? v->page - 2 : 1;

	switch (key) {
	case TUI_KEY_FN(KEY_UP):
	case 'k':
		v->scroll--;
		break;
	case TUI_KEY_FN(KEY_DOWN):
	case 'j':
		v->scroll++;
		break;
	case TUI_KEY_FN(KEY_PPAGE):
		v->scroll -= step;
		break;
	case TUI_KEY_FN(KEY_NPAGE):
	case ' ':
		v->scroll += step;
		break;
	case TUI_KEY_FN(KEY_HOME):
	case 'g':
		v->scroll = 0;
		break;
	case TUI_KEY_FN(KEY_END):
	case 'G':
		v->scroll = v->lines;
		break;
	default:
		switch (tui_keymap_find(&tenant_keymap, key)) {
		case REQ_BACK:
			a->screen = APP_FLEET;
			view_tenant_update(a);
			return TUI_HANDLED | TUI_REDRAW;
		case REQ_HYPNUS:
			if (view_hypnus_open(a, v->tcode, TCODE_ENV_PROD) == 0)
				a->screen = APP_HYPNUS;
			return TUI_HANDLED | TUI_REDRAW;
		case REQ_LOGS:
			view_logs_pick(a, v->tcode, v->detail);
			a->screen = APP_LOGS;
			return TUI_HANDLED | TUI_REDRAW;
		case REQ_BUILDS:
			if (view_builds_open(a, v->tcode) == 0)
				a->screen = APP_BUILDS;
			return TUI_HANDLED | TUI_REDRAW;
		case REQ_NEW:
			view_wform_choose(a, v->tcode);
			return TUI_HANDLED | TUI_REDRAW;
		case REQ_RELOAD:
			view_tenant_reload(a);
			app_message(a, 0, "reloading %s", v->tcode);
			return TUI_HANDLED | TUI_REDRAW;
		default:
			return 0;
		}
	}
	if (v->scroll > v->lines - v->page)
		v->scroll = v->lines - v->page;
	if (v->scroll < 0)
		v->scroll = 0;
	return TUI_HANDLED | (old != v->scroll ? TUI_REDRAW : 0);
}
