/* views/wizard_ns.c — the namespace wizard's pages and its worker. */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/catalog.h"
#include "core/engine.h"
#include "core/rules_fetch.h"
#include "core/tcode.h"
#include "core/wizard_ns.h"
#include "tui/dialog.h"
#include "tui/form.h"
#include "tui/loop.h"
#include "tui/progress.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/fleet.h"
#include "views/tenant.h"
#include "views/wizard_ns.h"
#include "util/util.h"

typedef enum page { PG_TCODE, PG_CONTRACT, PG_OPTIONS, PG_REVIEW, PG_RUN } page;
static const char *const page_names[] = {"TCODE", "Contract", "Options", "Review", "Progress"};

enum { REQ_NEXT, REQ_BACK, REQ_FIELD, REQ_CHOOSE, REQ_TICK, REQ_TYPED };
static const tui_binding wizard_bindings[] = {
    {TUI_KEY_ENTER, REQ_NEXT, "Next", "next page (on the review: apply, after a confirmation)"},
    {TUI_KEY_ESC, REQ_BACK, "Back", "previous page (on the first: leave); while applying: pause or roll back"},
    {'\t', REQ_FIELD, NULL, "next field (also Down; Shift-Tab or Up: the previous one)"},
    {TUI_KEY_FN(KEY_LEFT), REQ_CHOOSE, NULL, "choose the size (also Right)"},
    {' ', REQ_TICK, NULL, "tick or untick a role"},
    {'?', REQ_TYPED, NULL, "in a text field, ? and : are typed (Tab leaves the field)"},
};
static const tui_keymap wizard_keymap = {"new namespace", wizard_bindings, ARRAY_SIZE(wizard_bindings)};

typedef enum job_kind { JOB_LOOKUP, JOB_PLAN, JOB_CATALOG } job_kind;

/* One lookup on the worker: inputs set before the thread starts, outputs
 * read by the UI thread once done is set (then the thread is joined). A job
 * the operator walked away from (Esc) is never waited for on the UI thread:
 * it goes to the view's list of abandoned jobs, joined once done. */
typedef struct job {
	pthread_t th;
	struct job *next; /* in view_wizard.abandoned */
	job_kind kind;
	k8s_client *client;
	const char *catalog, *prefix, *user;
	provision_ns_opts opts;
	atomic_int done;
	/* results */
	int rc;
	catalog_entry entry;
	catalog cat; /* JOB_CATALOG */
	plan plan;
	int preflight_ok;
	char err[1024];
} job;

#define N_ROLES 4
static const char *const erp_roles[N_ROLES] = {"webapp", "rest", "portal", "job"};
static const char *const sizes[] = {"s", "m", "l"};
enum { F_SIZE, F_DOMAIN, F_IDLE, F_ROLE0, N_FIELDS = F_ROLE0 + N_ROLES };

typedef struct view_wizard {
	page pg;
	wizard_run_cfg cfg;
	const char *catalog;
	tui_form tform;
	tui_form_field tfield[2];	 /* TCODE, and the cluster when there are several */
	const char **cl_names;	 /* the usable clusters' names, for the choice */
	size_t *cl_index;	 /* choice -> index in a->o->clusters */
	int n_cl;
	catalog_entry entry;
	int esocial;
	tui_form oform;
	tui_form_field ofields[N_FIELDS];
	char role_labels[N_ROLES][32];
	provision_ns_opts opts;
	plan plan; /* the reviewed plan */
	int preflight_ok;
	char verdict[1024];
	tui_table rtable;
	tui_dialog confirm;
	int confirming;
	job *job; /* in flight, or NULL */
	job *cjob; /* the catalogue being fetched for the first page, or NULL */
	catalog cat; /* the catalogue, once fetched */
	int cat_state; /* 0 not asked, 1 loading, 2 loaded, 3 failed (error in cat_err) */
	char cat_err[300];
	size_t *offer; /* contracts awaiting onboarding that match the TCODE typed: index in cat */
	size_t n_offer;
	tui_table otable;
	int offer_moved; /* Up/Down chose a contract: Tab and Enter take it */
	job *abandoned; /* left with Esc while in flight: joined once done */
	unsigned spin;
	char error[1024]; /* a refusal on the current page */
	wizard_run *run;
	int active; /* opened and not left with Esc: a command away keeps it */
	char title[96];
} view_wizard;

/* ---- the worker ---- */

/* The wizard's builder (core/wizard_ns.h) needs the catalogue and the cluster. */
static wizard_ctx ctx_of(const job *j)
{
	return (wizard_ctx){.client = j->client, .catalog_url = j->catalog, .prefix = j->prefix};
}

static void *job_run(void *arg)
{
	job *j = arg;

	wizard_ctx c = ctx_of(j);
	wizard_fail fail;
	k8s_err kerr;

	if (j->kind == JOB_CATALOG) {
		j->rc = catalog_fetch(j->client, j->catalog, &j->cat, &kerr);
		if (j->rc < 0)
			util_strlcpy(j->err, kerr.msg, sizeof(j->err));
	} else if (j->kind == JOB_LOOKUP) {
		j->rc = wizard_ns_contract(&c, j->opts.tcode, &j->entry, j->err, sizeof(j->err), &fail,
					   &kerr);
	} else {
		j->rc = wizard_ns_build(&c, &j->opts, NULL, &j->plan, j->err, sizeof(j->err), &fail,
					&kerr, NULL, 0);
		if (j->rc == 0) {
			strbuf why;

			sb_init(&why, 256);
			j->preflight_ok =
			    engine_preflight(j->client, j->prefix, j->user, &j->plan, &why) == 0;
			util_strlcpy(j->err, why.buf, sizeof(j->err));
			sb_release(&why);
		}
	}
	atomic_store(&j->done, 1);
	tui_loop_wake();
	return NULL;
}

static job *job_new(view_wizard *v, job_kind kind)
{
	job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->client = v->cfg.client;
	j->catalog = v->catalog;
	j->prefix = v->cfg.prefix;
	j->user = v->cfg.user;
	j->opts = v->opts;
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, job_run, j) != 0) {
		free(j);
		return NULL;
	}
	return j;
}

static void job_start(view_wizard *v, job_kind kind)
{
	v->error[0] = '\0';
	v->job = job_new(v, kind);
	if (!v->job)
		util_strlcpy(v->error, "cannot start a worker thread", sizeof(v->error));
}

static void job_free(job *j)
{
	pthread_join(j->th, NULL);
	plan_release(&j->plan);
	catalog_release(&j->cat);
	free(j);
}

/* Leaves v's job to end on its own: a cluster that does not answer must not
 * hold the screen for a request's timeout. */
static void job_abandon(view_wizard *v)
{
	if (v->cjob) {
		v->cjob->next = v->abandoned;
		v->abandoned = v->cjob;
		v->cjob = NULL;
		v->cat_state = 0;
	}
	if (!v->job)
		return;
	v->job->next = v->abandoned;
	v->abandoned = v->job;
	v->job = NULL;
}

/* Joins the abandoned jobs that ended (all of them when wait: at the exit,
 * off the UI thread). */
static void jobs_reap(view_wizard *v, int wait)
{
	job **pp = &v->abandoned;

	while (*pp) {
		job *j = *pp;

		if (wait || atomic_load(&j->done)) {
			*pp = j->next;
			job_free(j);
		} else {
			pp = &j->next;
		}
	}
}

/* '?' and ':' are the console's (help, command line) on every page but
 * while the focus is in a text field: there they are typed. */
static int console_key(int key)
{
	return key == '?' || key == ':';
}

static int typing(const view_wizard *v)
{
	const tui_form *f = v->pg == PG_TCODE ? &v->tform : v->pg == PG_OPTIONS ? &v->oform : NULL;

	return f && f->n > 0 && f->fields[f->focus].kind == TUI_FORM_TEXT;
}

/* form.h and dialog.h take curses key codes; the loop gives TUI_KEY_FN(). */
static int curses_key(int key)
{
	return TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;
}

/* ---- cluster ---- */

/* The wizard's cluster settings for a->o->clusters[i] (usable). */
static void cluster_cfg(app *a, size_t i, wizard_run_cfg *cfg, const char **catalog_url)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->client = a->o->clusters[i].client;
	cfg->cluster = a->o->clusters[i].name;
	cfg->user = a->o->users ? a->o->users[i] : NULL;
	cfg->prefix = a->o->prefix;
	cfg->readonly = a->o->readonly;
	*catalog_url = a->o->clusters[i].catalog_url;
}

int view_wizard_cluster_at(app *a, size_t i, wizard_run_cfg *cfg, const char **catalog_url)
{
	if (i >= a->o->n_clusters || !a->o->clusters[i].client)
		return -1;
	cluster_cfg(a, i, cfg, catalog_url);
	return 0;
}

int view_wizard_cluster(app *a, wizard_run_cfg *cfg, const char **catalog_url, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < a->o->n_clusters; i++)
		if (view_wizard_cluster_at(a, i, cfg, catalog_url) == 0)
			return 0;
	memset(cfg, 0, sizeof(*cfg));
	return util_seterr(err, errsz, "no usable cluster: check the kubeconfig");
}

/* The cluster of the tenant on screen or under the fleet's cursor, as an
 * index in a->o->clusters, or -1. */
static int selected_cluster(const app *a)
{
	const fleet_snapshot *s = a->snap;
	const fleet_tenant *t = app_current_tenant(a);
	size_t i;

	if (!t || !s || t->cluster >= s->n_clusters)
		return -1;
	for (i = 0; i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, s->clusters[t->cluster].name))
			return (int)i;
	return -1;
}

/* The usable clusters into v->cl_names / v->cl_index; the default choice
 * (the selected tenant's cluster, else the first). */
static int list_clusters(app *a, view_wizard *v)
{
	int sel = selected_cluster(a), def = 0;
	size_t i;

	free(v->cl_names);
	free(v->cl_index);
	v->cl_names = xcalloc(a->o->n_clusters + 1, sizeof(*v->cl_names));
	v->cl_index = xcalloc(a->o->n_clusters + 1, sizeof(*v->cl_index));
	v->n_cl = 0;
	for (i = 0; i < a->o->n_clusters; i++) {
		if (!a->o->clusters[i].client)
			continue;
		if ((int)i == sel)
			def = v->n_cl;
		v->cl_names[v->n_cl] = a->o->clusters[i].name;
		v->cl_index[v->n_cl++] = i;
	}
	return def;
}

/* ---- validators ---- */

static int check_tcode(const char *value, char *msg, size_t msgsz, void *ctx)
{
	char tc[TCODE_SIZE];

	return tcode_parse(value, tc, msg, msgsz);
}

static int check_domain(const char *value, char *msg, size_t msgsz, void *ctx)
{
	view_wizard *v = ctx;
	provision_ns_opts o = {0};

	util_strlcpy(o.tcode, v->entry.tcode, sizeof(o.tcode));
	if (strlen(value) >= sizeof(o.domain))
		return util_seterr(msg, msgsz, "domain too long: at most %zu characters", sizeof(o.domain) - 1);
	util_strlcpy(o.domain, value, sizeof(o.domain));
	return provision_ns_validate(&o, v->esocial, msg, msgsz);
}

static int check_idle(const char *value, char *msg, size_t msgsz, void *ctx)
{
	view_wizard *v = ctx;
	provision_ns_opts o = {0};
	char *end;
	long n = strtol(value, &end, 10);

	if (!*value || *end || n <= 0 || n > 1000000)
		return util_seterr(msg, msgsz, "idle timeout is a number of seconds, e.g. 1800");
	util_strlcpy(o.tcode, v->entry.tcode, sizeof(o.tcode));
	o.idle_timeout_s = (int)n;
	return provision_ns_validate(&o, v->esocial, msg, msgsz);
}

/* ---- the contracts awaiting onboarding ---- */

/* SMART, active, not provisioned yet: what the wizard is for. */
static int awaiting(const catalog_entry *e)
{
	return e->contract.model == MODEL_CONTRACT_SMART && !strcmp(e->contract.status, "active") &&
	       !e->provisioned;
}

static int icontains(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle);

	for (; *hay; hay++) {
		for (i = 0; i < n && hay[i] &&
			    tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]);
		     i++)
			;
		if (i == n)
			return 1;
	}
	return n == 0;
}

static const char *offer_cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	view_wizard *v = ctx;
	const catalog_entry *e = &v->cat.items[v->offer[row]];

	switch (col) {
	case 0:
		return e->tcode;
	case 1:
		return e->customer;
	case 2:
		return e->contract.products;
	default:
		return e->provider;
	}
}

static const tui_column offer_cols[] = {
    {"TCODE", 7, 6, 0}, {"CUSTOMER", 34, 10, 1}, {"PRODUCT", 12, 7, 0}, {"PROVIDER", 8, 5, 0},
};

/* The contracts awaiting onboarding whose code or customer holds what is
 * typed in the TCODE field; the cursor kept on its contract. */
static void build_offer(view_wizard *v)
{
	const char *typed = v->tfield[0].value;
	char keep[TCODE_SIZE] = "";
	size_t i, n = 0, cur = 0;

	if (v->n_offer && v->otable.cursor < v->n_offer)
		util_strlcpy(keep, v->cat.items[v->offer[v->otable.cursor]].tcode, sizeof(keep));
	free(v->offer);
	v->offer = xcalloc(v->cat.n + 1, sizeof(*v->offer));
	for (i = 0; i < v->cat.n; i++) {
		const catalog_entry *e = &v->cat.items[i];

		if (!awaiting(e) || !(icontains(e->tcode, typed) || icontains(e->customer, typed)))
			continue;
		if (!strcmp(keep, e->tcode))
			cur = n;
		v->offer[n++] = i;
	}
	v->n_offer = n;
	tui_table_set_rows(&v->otable, n);
	tui_table_set_cursor(&v->otable, cur);
}

/* The catalogue asked for on the worker (the page stays usable meanwhile). */
static void fetch_catalog(view_wizard *v)
{
	catalog_release(&v->cat);
	v->n_offer = 0;
	tui_table_init(&v->otable, offer_cols, ARRAY_SIZE(offer_cols), offer_cell, v);
	tui_table_set_rows(&v->otable, 0);
	if (!v->catalog) {
		v->cat_state = 3;
		util_strlcpy(v->cat_err, "no contract catalogue is configured for this cluster",
			     sizeof(v->cat_err));
		return;
	}
	v->cjob = job_new(v, JOB_CATALOG);
	v->cat_state = v->cjob ? 1 : 3;
	if (!v->cjob)
		util_strlcpy(v->cat_err, "cannot start a worker thread", sizeof(v->cat_err));
}

static void catalog_done(view_wizard *v)
{
	job *j = v->cjob;

	v->cjob = NULL;
	if (j->rc < 0) {
		v->cat_state = 3;
		snprintf(v->cat_err, sizeof(v->cat_err), "the catalogue did not answer: %.250s", j->err);
	} else {
		v->cat = j->cat;
		memset(&j->cat, 0, sizeof(j->cat));
		v->cat_state = 2;
		build_offer(v);
	}
	job_free(j);
}

/* ---- pages ---- */

/* The first page; keeps the cluster chosen (a new wizard: choice). */
static void open_tcode(view_wizard *v, int choice)
{
	if (choice < 0)
		choice = v->tfield[1].choice;
	memset(v->tfield, 0, sizeof(v->tfield));
	v->tfield[0].kind = TUI_FORM_TEXT;
	v->tfield[0].label = "TCODE";
	v->tfield[0].validate = check_tcode;
	v->tfield[1].kind = TUI_FORM_CHOICE;
	v->tfield[1].label = "Cluster";
	v->tfield[1].choices = v->cl_names;
	v->tfield[1].nchoices = v->n_cl;
	v->tfield[1].choice = choice < v->n_cl ? choice : 0;
	tui_form_init(&v->tform, v->tfield, v->n_cl > 1 ? 2 : 1);
	v->offer_moved = 0;
	v->pg = PG_TCODE;
}

static void open_options(view_wizard *v)
{
	tui_form_field *f = v->ofields;
	int i, n_roles = v->esocial ? 1 : N_ROLES;

	memset(v->ofields, 0, sizeof(v->ofields));
	f[F_SIZE].kind = TUI_FORM_CHOICE;
	f[F_SIZE].label = "Size (s, m, l)";
	f[F_SIZE].choices = sizes;
	f[F_SIZE].nchoices = 3;
	f[F_SIZE].choice = 1;
	f[F_SIZE].as_list = 1;
	f[F_DOMAIN].kind = TUI_FORM_TEXT;
	f[F_DOMAIN].label = "Domain";
	f[F_DOMAIN].validate = check_domain;
	f[F_DOMAIN].ctx = v;
	util_strlcpy(f[F_DOMAIN].value, PROVISION_NS_DOMAIN_DEFAULT, sizeof(f[F_DOMAIN].value));
	f[F_IDLE].kind = TUI_FORM_TEXT;
	f[F_IDLE].label = "Idle timeout (s)";
	f[F_IDLE].validate = check_idle;
	f[F_IDLE].ctx = v;
	snprintf(f[F_IDLE].value, sizeof(f[F_IDLE].value), "%d", PROVISION_NS_IDLE_DEFAULT);
	for (i = 0; i < n_roles; i++) {
		snprintf(v->role_labels[i], sizeof(v->role_labels[i]), "Role %s",
			 v->esocial ? "esocial" : erp_roles[i]);
		f[F_ROLE0 + i].kind = TUI_FORM_CHECK;
		f[F_ROLE0 + i].label = v->role_labels[i];
		f[F_ROLE0 + i].checked = v->esocial || i < 2; /* the defaults: webapp, rest */
	}
	tui_form_init(&v->oform, v->ofields, F_ROLE0 + n_roles);
	v->pg = PG_OPTIONS;
}

/* The options from the form into v->opts; 0, or -1 with v->error. */
static int read_options(view_wizard *v)
{
	tui_form_field *f = v->ofields;
	int i, n_roles = v->esocial ? 1 : N_ROLES;
	size_t len;

	memset(&v->opts, 0, sizeof(v->opts));
	util_strlcpy(v->opts.tcode, v->entry.tcode, sizeof(v->opts.tcode));
	util_strlcpy(v->opts.size, sizes[f[F_SIZE].choice], sizeof(v->opts.size));
	util_strlcpy(v->opts.domain, f[F_DOMAIN].value, sizeof(v->opts.domain));
	v->opts.idle_timeout_s = atoi(f[F_IDLE].value);
	if (v->cfg.prefix)
		util_strlcpy(v->opts.prefix, v->cfg.prefix, sizeof(v->opts.prefix));
	for (i = 0; i < n_roles; i++) {
		if (!f[F_ROLE0 + i].checked)
			continue;
		len = strlen(v->opts.roles);
		snprintf(v->opts.roles + len, sizeof(v->opts.roles) - len, "%s%s", len ? "," : "",
			 v->esocial ? "esocial" : erp_roles[i]);
	}
	if (!v->opts.roles[0]) {
		util_strlcpy(v->error, "choose at least one role (Space ticks a role)", sizeof(v->error));
		return -1;
	}
	return provision_ns_validate(&v->opts, v->esocial, v->error, sizeof(v->error));
}

static size_t count_diff(const plan *p, plan_diff d)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->steps[i].diff == d;
	return n;
}

static const char *review_cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	view_wizard *v = ctx;
	const plan_step *s = &v->plan.steps[row];

	switch (col) {
	case 0:
		snprintf(buf, size, "%zu", row + 1);
		return buf;
	case 1:
		return s->id;
	case 2:
		snprintf(buf, size, "%s %s%s%s", s->kind, s->ns, s->ns[0] ? "/" : "", s->name);
		return buf;
	case 3:
		if (s->diff == PLAN_DIFF_CONFLICT || s->diff == PLAN_DIFF_TERMINATING)
			*attrs = tui_theme_attr(TUI_ROLE_ERROR);
		else if (s->diff == PLAN_DIFF_CHANGE)
			*attrs = tui_theme_attr(TUI_ROLE_HIGHLIGHT);
		return plan_diff_name(s->diff);
	default:
		return s->reason;
	}
}

static const tui_column review_cols[] = {
    {"#", 3, 2, 0}, {"STEP", 30, 14, 0}, {"OBJECT", 34, 12, 1}, {"ACTION", 9, 6, 0}, {"REASON", 20, 0, 0},
};

static void job_done(app *a, view_wizard *v)
{
	job *j = v->job;

	v->job = NULL;
	if (j->kind == JOB_LOOKUP) {
		if (j->rc < 0) {
			util_strlcpy(v->error, j->err, sizeof(v->error));
		} else {
			v->entry = j->entry;
			v->esocial = provision_ns_is_esocial(&v->entry);
			v->pg = PG_CONTRACT;
		}
	} else if (j->rc < 0) {
		util_strlcpy(v->error, j->err, sizeof(v->error));
	} else {
		plan_release(&v->plan);
		v->plan = j->plan;
		memset(&j->plan, 0, sizeof(j->plan));
		v->preflight_ok = j->preflight_ok;
		util_strlcpy(v->verdict, j->err, sizeof(v->verdict));
		tui_table_init(&v->rtable, review_cols, ARRAY_SIZE(review_cols), review_cell, v);
		tui_table_set_rows(&v->rtable, v->plan.n);
		v->pg = PG_REVIEW;
	}
	job_free(j);
}

/* ---- the view ---- */

void view_wizard_init(app *a)
{
	a->vw = xcalloc(1, sizeof(view_wizard));
}

static void close_wizard(app *a)
{
	view_wizard *v = a->vw;

	job_abandon(v);
	wizard_run_free(v->run);
	v->run = NULL;
	plan_release(&v->plan);
	v->confirming = 0;
	v->active = 0;
	a->screen = APP_FLEET;
}

void view_wizard_release(app *a)
{
	close_wizard(a);
	jobs_reap(a->vw, 1);
	catalog_release(&a->vw->cat);
	free(a->vw->offer);
	free(a->vw->cl_names);
	free(a->vw->cl_index);
	free(a->vw);
	a->vw = NULL;
}

int view_wizard_open(app *a)
{
	view_wizard *v = a->vw;
	char err[200];
	int def;

	if (a->o->readonly) {
		app_message(a, 1, "read-only session (--readonly): the wizard is off; start without --readonly");
		return -1;
	}
	if (a->screen == APP_WIZARD)
		return 0;
	if (v->active && !(v->run && wizard_run_finished(v->run))) {
		/* left with a command (:runs, :fleet...): back where it was */
		a->screen = APP_WIZARD;
		return 0;
	}
	def = list_clusters(a, v); /* before close_wizard: it goes to the fleet */
	close_wizard(a);	   /* what a wizard left behind (a done page) */
	if (view_wizard_cluster(a, &v->cfg, &v->catalog, err, sizeof(err)) < 0) {
		app_message(a, 1, "%s", err);
		return -1;
	}
	v->error[0] = '\0';
	open_tcode(v, def);
	fetch_catalog(v);
	v->active = 1;
	a->screen = APP_WIZARD;
	return 0;
}

int view_wizard_open_on(app *a, const char *tcode)
{
	view_wizard *v = a->vw;

	if (view_wizard_open(a) < 0)
		return -1;
	if (tcode && v->pg == PG_TCODE && !v->job) {
		tui_form_set_text(&v->tform, 0, tcode);
		if (v->cat_state == 2)
			build_offer(v);
	}
	return 0;
}

int view_wizard_update(app *a)
{
	view_wizard *v = a->vw;
	int r = 0;

	jobs_reap(v, 0);
	if (v->cjob) {
		v->spin++;
		r = TUI_REDRAW;
		if (atomic_load(&v->cjob->done))
			catalog_done(v);
	}
	if (v->job) {
		v->spin++;
		r = TUI_REDRAW;
		if (atomic_load(&v->job->done))
			job_done(a, v);
	}
	if (v->run)
		r |= wizard_run_update(v->run);
	return r;
}

int view_wizard_busy(app *a)
{
	return a->vw->job != NULL || a->vw->cjob != NULL;
}

const char *view_wizard_title(const app *a)
{
	view_wizard *v = a->vw;

	if (v->pg == PG_RUN && v->run)
		return wizard_run_title(v->run);
	snprintf(v->title, sizeof(v->title), "%s %s %s", wizard_namespace.title,
		 tui_glyph_str(TUI_G_VLINE), page_names[v->pg]);
	return v->title;
}

const tui_keymap *view_wizard_keymap(void)
{
	return &wizard_keymap;
}

int view_wizard_console_keys(const app *a)
{
	const view_wizard *v = a->vw;

	if (!v || (v->pg == PG_RUN && v->run))
		return 1;
	return !v->confirming && (v->job || !typing(v));
}

static tui_form_style fstyle(void)
{
	tui_form_style st = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
			 (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), (attr_t)tui_theme_attr(TUI_ROLE_ERROR),
			 tui_term_ascii()};
	return st;
}


static void put_kv(int y, const char *k, const char *val, int width)
{
	tui_text_put_raw(stdscr, y, 2, 16, k, tui_theme_attr(TUI_ROLE_DIM), 0);
	tui_text_put(stdscr, y, 18, width - 18, val, 0, 0);
}

static void draw_contract(view_wizard *v, int y, int width)
{
	const catalog_entry *e = &v->entry;
	char buf[200], day[32] = "open-ended";

	if (e->contract.valid_until) {
		util_rfc3339(e->contract.valid_until, day, sizeof(day));
		day[10] = '\0';
	}
	put_kv(y++, "TCODE", e->tcode, width);
	put_kv(y++, "Customer", e->customer, width);
	put_kv(y++, "Model", e->contract.model == MODEL_CONTRACT_SMART ? "SMART" : "traditional", width);
	put_kv(y++, "Status", e->contract.status, width);
	put_kv(y++, "Valid until", day, width);
	put_kv(y++, "Products", e->contract.products, width);
	snprintf(buf, sizeof(buf), "prod %d, dev %d", e->lic_prod, e->lic_dev);
	put_kv(y++, "Licences", buf, width);
	put_kv(y++, "Provider", e->provider, width);
	put_kv(y++, "Time zone", e->timezone, width);
	put_kv(y++, "Provisioned", e->provisioned ? "yes (the plan shows what differs)" : "no", width);
	if (v->n_cl > 1)
		put_kv(y++, "Cluster", v->cfg.cluster ? v->cfg.cluster : "?", width);
	y++;
	tui_text_put_raw(stdscr, y, 2, width - 2,
			 "Valid for SMART. Enter: the options; Esc: another TCODE.",
			 tui_theme_attr(TUI_ROLE_AVAILABLE), 0);
}

/* The contracts awaiting onboarding, under the TCODE field. */
static void draw_offer(view_wizard *v, int y, int h, int width)
{
	char buf[200];
	int dim = tui_theme_attr(TUI_ROLE_DIM);

	if (h < 2)
		return;
	switch (v->cat_state) {
	case 1:
		snprintf(buf, sizeof(buf), "%s loading the contracts awaiting onboarding...",
			 tui_progress_spinner(v->spin, tui_term_ascii()));
		tui_text_put_raw(stdscr, y, 2, width - 2, buf, dim, 0);
		return;
	case 3:
		tui_text_put(stdscr, y, 2, width - 2, v->cat_err, dim, 0);
		return;
	case 2:
		break;
	default:
		return;
	}
	if (!v->n_offer) {
		tui_text_put_raw(stdscr, y, 2, width - 2,
				 v->tfield[0].value[0]
				     ? "No contract awaiting onboarding matches what is typed (^U clears it)."
				     : "No contract awaiting onboarding in the catalogue.",
				 dim, 0);
		return;
	}
	snprintf(buf, sizeof(buf), "Awaiting onboarding (SMART, active, not provisioned): %zu; Tab completes",
		 v->n_offer);
	tui_text_put_raw(stdscr, y, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_SECTION), 0);
	tui_table_draw(&v->otable, stdscr, y + 1, 0, h - 1, width);
}

static void draw_review(view_wizard *v, int y, int h, int width)
{
	const plan *p = &v->plan;
	char buf[600];
	int end = y + h;

	snprintf(buf, sizeof(buf),
		 " Plan for %s%s%s: %zu steps (%zu create, %zu change, %zu unchanged, %zu refused); size %s, domain %s, idle %d s, roles %s",
		 p->tcode, v->n_cl > 1 ? " on " : "", v->n_cl > 1 && v->cfg.cluster ? v->cfg.cluster : "", p->n, count_diff(p, PLAN_DIFF_CREATE), count_diff(p, PLAN_DIFF_CHANGE),
		 count_diff(p, PLAN_DIFF_UNCHANGED),
		 count_diff(p, PLAN_DIFF_CONFLICT) + count_diff(p, PLAN_DIFF_TERMINATING), v->opts.size,
		 v->opts.domain, v->opts.idle_timeout_s, v->opts.roles);
	y = tui_dialog_put_wrapped(stdscr, buf, y, end, 0, width, tui_theme_attr(TUI_ROLE_SECTION));
	if (v->preflight_ok) {
		tui_text_put_raw(stdscr, y++, 1, width - 1,
				 "Dry run: the access review and the server accept this plan. Enter applies.",
				 tui_theme_attr(TUI_ROLE_AVAILABLE), 0);
	} else {
		tui_text_put_raw(stdscr, y++, 1, width - 1, "Dry run: an apply of this plan would be refused:",
				 tui_theme_attr(TUI_ROLE_ERROR), 0);
		y = tui_dialog_put_wrapped(stdscr, v->verdict, y, y + 4 < end ? y + 4 : end, 3, width - 4,
				tui_theme_attr(TUI_ROLE_ERROR));
	}
	if (y + 1 < end)
		tui_table_draw(&v->rtable, stdscr, y, 0, end - y, width);
}

void view_wizard_draw(app *a, int y, int h, int width)
{
	view_wizard *v = a->vw;
	tui_form_style st = fstyle();
	int end = y + h, fy;
	char buf[300];

	if (v->pg == PG_RUN && v->run) {
		wizard_run_draw(v->run, y, h, width);
		return;
	}
	switch (v->pg) {
	case PG_TCODE:
		tui_text_put_raw(stdscr, y + 1, 2, width - 2,
				 v->n_cl > 1 ? "Which customer (the TCODE, e.g. T12345), on which cluster?"
					     : "Which customer? The TCODE of the contract, e.g. T12345.",
				 0, 0);
		tui_form_draw(&v->tform, stdscr, y + 3, 2, tui_form_rows(&v->tform), width - 4, &st);
		fy = y + 4 + tui_form_rows(&v->tform);
		draw_offer(v, fy + 3, end - fy - 3, width);
		break;
	case PG_CONTRACT:
		draw_contract(v, y + 1, width);
		fy = y + 13 + (v->n_cl > 1);
		break;
	case PG_OPTIONS:
		snprintf(buf, sizeof(buf), "Options for %s (%s): Tab moves, Left/Right choose, Space ticks.",
			 v->entry.tcode, v->esocial ? "eSocial" : "ERP");
		tui_text_put(stdscr, y + 1, 2, width - 2, buf, 0, 0);
		tui_form_draw(&v->oform, stdscr, y + 3, 2, end - y - 6, width - 4, &st);
		fy = y + 3 + tui_form_rows(&v->oform) + 1;
		break;
	default:
		draw_review(v, y, v->error[0] ? h - 2 : h, width);
		fy = end - 2;
		tui_text_fill(stdscr, fy, 0, width, 0);
		tui_text_fill(stdscr, fy + 1, 0, width, 0);
		break;
	}
	if (v->job) {
		snprintf(buf, sizeof(buf), "%s %s", tui_progress_spinner(v->spin, tui_term_ascii()),
			 v->job->kind == JOB_LOOKUP ? "looking the contract up in the catalogue..."
						    : "building the plan, comparing it with the cluster, dry run...");
		tui_text_put_raw(stdscr, fy < end ? fy : end - 1, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_DIM), 0);
	} else if (v->error[0] && fy < end) {
		tui_dialog_put_wrapped(stdscr, v->error, fy, end, 2, width - 4, tui_theme_attr(TUI_ROLE_ERROR));
	}
	if (v->confirming) {
		tui_dialog_style ds = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_SECTION),
				   (attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
				   (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), tui_term_ascii()};
		tui_dialog_draw(&v->confirm, stdscr, &ds);
	}
	if (v->pg == PG_TCODE || v->pg == PG_OPTIONS) {
		tui_form *f = v->pg == PG_TCODE ? &v->tform : &v->oform;
		if (f->cur_y >= 0 && !v->confirming)
			move(f->cur_y, f->cur_x);
	}
}

static char confirm_text[512];

static void apply(app *a, view_wizard *v)
{
	char err[300];
	plan p = v->plan;

	memset(&v->plan, 0, sizeof(v->plan));
	v->run = wizard_run_start(&v->cfg, WIZARD_RUN_APPLY, p.tcode, &p, NULL, err, sizeof(err));
	if (!v->run) {
		plan_release(&p);
		util_strlcpy(v->error, err, sizeof(v->error));
		v->pg = PG_OPTIONS;
		return;
	}
	v->pg = PG_RUN;
}

static int key_review(app *a, view_wizard *v, int key)
{
	if (v->confirming) {
		switch (tui_dialog_key(&v->confirm, curses_key(key))) {
		case DIALOG_YES:
			v->confirming = 0;
			apply(a, v);
			break;
		case DIALOG_NO:
			v->confirming = 0;
			break;
		default:
			break;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ENTER || key == '\n') {
		if (!v->preflight_ok) {
			util_strlcpy(v->error, "this plan cannot be applied: see the problems above (Esc changes the options)",
				     sizeof(v->error));
			return TUI_HANDLED | TUI_REDRAW;
		}
		snprintf(confirm_text, sizeof(confirm_text),
			 "Apply %zu steps for %s on cluster %s? The run is recorded in %s and can be paused, resumed or rolled back.",
			 v->plan.n, v->plan.tcode, v->cfg.cluster ? v->cfg.cluster : "?", JOURNAL_NAMESPACE);
		tui_dialog_confirm_init(&v->confirm, "Apply the plan", confirm_text, "Apply");
		v->confirming = 1;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ESC) {
		v->error[0] = '\0';
		v->pg = PG_OPTIONS;
		return TUI_HANDLED | TUI_REDRAW;
	}
	return tui_table_key(&v->rtable, key) ? TUI_HANDLED | TUI_REDRAW : TUI_HANDLED;
}

int view_wizard_key(app *a, int key)
{
	view_wizard *v = a->vw;
	char tc[TCODE_SIZE];

	if (v->pg == PG_RUN && v->run) {
		int r = wizard_run_key(v->run, key);

		if (r & WIZARD_RUN_LEAVE)
			close_wizard(a);
		return r & ~WIZARD_RUN_LEAVE;
	}
	if (console_key(key) && view_wizard_console_keys(a))
		return 0;
	if (v->job) /* a lookup in flight: only leaving is possible, after it */
		return key == TUI_KEY_ESC ? (close_wizard(a), TUI_HANDLED | TUI_REDRAW) : TUI_HANDLED;
	switch (v->pg) {
	case PG_TCODE:
		if (v->tform.focus == 0 && v->n_offer) {
			const char *sel = v->cat.items[v->offer[v->otable.cursor]].tcode;
			int chosen = v->offer_moved || v->tfield[0].value[0];

			if (key == TUI_KEY_FN(KEY_UP) || key == TUI_KEY_FN(KEY_DOWN) ||
			    key == TUI_KEY_FN(KEY_NPAGE) || key == TUI_KEY_FN(KEY_PPAGE)) {
				tui_table_key(&v->otable, key);
				v->offer_moved = 1;
				return TUI_HANDLED | TUI_REDRAW;
			}
			/* Once something is typed or a contract chosen: Tab completes
			 * the TCODE from it (then moves to the next field as usual),
			 * Enter on what is not a TCODE takes it. */
			if (!chosen)
				;
			else if ((key == '\t' && strcmp(v->tfield[0].value, sel)) ||
			    ((key == TUI_KEY_ENTER || key == '\n') && tcode_parse(v->tfield[0].value, tc, NULL, 0) < 0)) {
				tui_form_set_text(&v->tform, 0, sel);
				build_offer(v);
				v->error[0] = '\0';
				if (key == '\t')
					return TUI_HANDLED | TUI_REDRAW;
			}
		}
		switch (tui_form_key(&v->tform, curses_key(key))) {
		case FORM_SUBMIT:
			if (v->n_cl > 0)
				cluster_cfg(a, v->cl_index[v->tfield[1].choice], &v->cfg, &v->catalog);
			tcode_parse(v->tfield[0].value, tc, NULL, 0);
			memset(&v->opts, 0, sizeof(v->opts));
			util_strlcpy(v->opts.tcode, tc, sizeof(v->opts.tcode));
			job_start(v, JOB_LOOKUP);
			break;
		case FORM_CANCEL:
			close_wizard(a);
			break;
		case FORM_CHANGED:
			v->error[0] = '\0';
			if (v->cat_state == 2)
				build_offer(v);
			break;
		default:
			break;
		}
		return TUI_HANDLED | TUI_REDRAW;
	case PG_CONTRACT:
		if (key == TUI_KEY_ENTER || key == '\n')
			open_options(v);
		else if (key == TUI_KEY_ESC)
			open_tcode(v, -1);
		return TUI_HANDLED | TUI_REDRAW;
	case PG_OPTIONS:
		switch (tui_form_key(&v->oform, curses_key(key))) {
		case FORM_SUBMIT:
			if (read_options(v) == 0)
				job_start(v, JOB_PLAN);
			break;
		case FORM_CANCEL:
			v->error[0] = '\0';
			v->pg = PG_CONTRACT;
			break;
		case FORM_CHANGED:
			v->error[0] = '\0';
			break;
		default:
			break;
		}
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return key_review(a, v, key);
	}
}
