/* views/wizard_form.c — the pages of any registry wizard: tenant, form,
 * review, progress (see views/wizard_form.h). */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "core/engine.h"
#include "core/tcode.h"
#include "core/tenant_has.h"
#include "tui/dialog.h"
#include "tui/form.h"
#include "tui/loop.h"
#include "tui/progress.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/wizard_form.h"
#include "views/wizard_ns.h"
#include "views/wizard_run.h"
#include "views/wizard_words.h"
#include "util/util.h"

typedef enum page { PG_CHOOSE, PG_TENANT, PG_FORM, PG_REVIEW, PG_RUN } page;
static const char *const page_names[] = {"Choose", "Tenant", "Options", "Review", "Progress"};

enum { REQ_NEXT, REQ_BACK, REQ_COMPLETE, REQ_FIELD, REQ_CHOOSE, REQ_TYPED };
static const tui_binding wform_bindings[] = {
    {TUI_KEY_ENTER, REQ_NEXT, "Next", "next page (tenant: pick it; review: apply, after a confirmation)"},
    {TUI_KEY_ESC, REQ_BACK, "Back", "previous page (on the first: leave); while applying: pause or roll back"},
    {'\t', REQ_COMPLETE, NULL, "tenant page: complete the TCODE typed; form: next field (Shift-Tab: back)"},
    {TUI_KEY_FN(KEY_DOWN), REQ_FIELD, NULL, "tenant page: move in the list; form: next field (Up: back)"},
    {TUI_KEY_FN(KEY_LEFT), REQ_CHOOSE, NULL, "cycle a field's values (also Right, Space)"},
    {'?', REQ_TYPED, NULL, "in a text field, ? and : are typed (Tab leaves the field)"},
};
static const tui_keymap wform_keymap = {"wizard", wform_bindings, ARRAY_SIZE(wform_bindings)};

#define MAX_FIELDS 16
#define MAX_CHOICES 16
#define MAX_WIZARDS 16

/* A tenant the wizard applies to, copied from the fleet snapshot. */
typedef struct trow {
	char tcode[TCODE_SIZE];
	char customer[64];
	const char *product; /* "ERP", "eSocial" */
	char provider[16];
	char envs[12];	  /* "prod dev" */
	const char *health;
	char cluster[32];
} trow;

/* One plan build on the worker: inputs set before the thread starts,
 * results read by the UI thread once done is set. */
typedef struct job {
	pthread_t th;
	struct job *next; /* in view_wform.abandoned */
	const wizard *wz;
	k8s_client *client;
	const char *catalog, *prefix, *user;
	plan_input in[PLAN_MAX_INPUTS];
	size_t n_in;
	atomic_int done;
	/* results */
	int rc;
	plan plan;
	int preflight_ok;
	char err[1024];
	char note[512];
	char verdict[1024];
} job;

typedef struct view_wform {
	const wizard *wz;
	page pg;
	int active; /* opened and not left: a command away keeps it */
	app_screen back; /* where Esc on the first page goes: the fleet or the tenant */
	wizard_run_cfg cfg;
	const char *catalog;
	/* the choice of wizard (the tenant screen's key) */
	const wizard *choices[MAX_WIZARDS];
	int n_choices, choice;
	char choose_tcode[TCODE_SIZE];
	char choose_cluster[64]; /* the tenant screen's cluster, "" from :new */
	unsigned choose_product; /* WIZARD_ERP or WIZARD_ESOCIAL: the tenant's */
	unsigned form_product;	 /* the product the form's inputs are for (init_form), 0: all */
	/* tenant page */
	char filter[32];
	size_t filter_len;
	trow *rows;
	size_t n_rows;
	uint64_t rows_version; /* snapshot the rows were built from */
	tui_table ttable;
	tenant_has_loader *has;	 /* what the listed tenants have (a worker's reads) */
	size_t has_top, has_n;	 /* the rows last asked of it */
	uint64_t has_seen;	 /* its version drawn */
	char tcode[TCODE_SIZE]; /* chosen */
	char tenant_line[200];	/* what the form page says of it */
	/* tui_form */
	tui_form frm;
	tui_form_field fields[MAX_FIELDS];
	size_t field_in[MAX_FIELDS]; /* field -> index in wz->inputs */
	char labels[MAX_FIELDS][32];
	char choice_buf[MAX_FIELDS][256];
	const char *choice_ptr[MAX_FIELDS][MAX_CHOICES];
	int nf;
	int err_field; /* the field a refusal names, or -1 */
	/* review */
	plan plan;
	int preflight_ok;
	char verdict[1024];
	char note[512];
	tui_table rtable;
	tui_dialog confirm;
	int confirming;
	char confirm_text[512];
	/* work */
	job *job;
	job *abandoned;
	unsigned spin;
	char error[1024]; /* a refusal on the current page */
	wizard_run *run;
} view_wform;

/* ---- the worker ---- */

static void *job_run(void *arg)
{
	job *j = arg;
	wizard_ctx c = {.client = j->client, .catalog_url = j->catalog, .prefix = j->prefix};
	wizard_fail fail = WIZARD_FAIL_NONE;
	k8s_err kerr;

	j->rc = j->wz->build(&c, j->in, j->n_in, &j->plan, j->err, sizeof(j->err), &fail, &kerr,
			     j->note, sizeof(j->note));
	if (j->rc == 0) {
		strbuf why;

		sb_init(&why, 256);
		j->preflight_ok = engine_preflight(j->client, j->prefix, j->user, &j->plan, &why) == 0;
		util_strlcpy(j->verdict, why.buf, sizeof(j->verdict));
		sb_release(&why);
	}
	atomic_store(&j->done, 1);
	tui_loop_wake();
	return NULL;
}

/* A job that never ran: its inputs (a secret's too) wiped, freed. */
static void job_discard(job *j)
{
	for (size_t i = 0; i < PLAN_MAX_INPUTS; i++)
		explicit_bzero(j->in[i].value, sizeof(j->in[i].value));
	free(j);
}

static void job_free(job *j)
{
	pthread_join(j->th, NULL);
	plan_release(&j->plan);
	job_discard(j);
}

/* Leaves the job to end on its own: a cluster that does not answer must not
 * hold the screen for a request's timeout. */
static void job_abandon(view_wform *v)
{
	if (!v->job)
		return;
	v->job->next = v->abandoned;
	v->abandoned = v->job;
	v->job = NULL;
}

/* Joins the abandoned jobs that ended (all of them when wait: at the exit,
 * off the UI thread). */
static void jobs_reap(view_wform *v, int wait)
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

/* ---- tenants ---- */

static unsigned product_bit(uint8_t product)
{
	return product == MODEL_PRODUCT_ERP	  ? WIZARD_ERP
	       : product == MODEL_PRODUCT_ESOCIAL ? WIZARD_ESOCIAL
						  : 0;
}

static const char *product_word(uint8_t product)
{
	return product == MODEL_PRODUCT_ERP ? "ERP" : product == MODEL_PRODUCT_ESOCIAL ? "eSocial" : "?";
}

/* "the file server wizard applies to ERP tenants" */
static void products_words(unsigned products, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", products & WIZARD_ERP ? "SMART ERP" : "",
		 (products & WIZARD_ERP) && (products & WIZARD_ESOCIAL) ? " and " : "",
		 products & WIZARD_ESOCIAL ? "Smart eSocial" : "");
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

static void fill_row(const fleet_snapshot *s, const fleet_tenant *t, trow *r)
{
	memset(r, 0, sizeof(*r));
	util_strlcpy(r->tcode, t->t.tcode, sizeof(r->tcode));
	util_strlcpy(r->customer, t->t.customer, sizeof(r->customer));
	r->product = product_word(t->t.product);
	util_strlcpy(r->provider, t->provider[0] ? t->provider : "-", sizeof(r->provider));
	snprintf(r->envs, sizeof(r->envs), "%s%s%s", t->env[TCODE_ENV_PROD] >= 0 ? "prod" : "",
		 t->env[TCODE_ENV_PROD] >= 0 && t->env[TCODE_ENV_DEV] >= 0 ? " " : "",
		 t->env[TCODE_ENV_DEV] >= 0 ? "dev" : "");
	r->health = health_name(t->health.state);
	if (t->cluster < s->n_clusters)
		util_strlcpy(r->cluster, s->clusters[t->cluster].name, sizeof(r->cluster));
}

static int row_matches(const trow *r, const char *filter)
{
	return icontains(r->tcode, filter) || icontains(r->customer, filter) ||
	       icontains(r->provider, filter) || icontains(r->cluster, filter);
}

static void want_has(app *a, view_wform *v);

/* The rows from the snapshot and the filter; keeps the cursor on its TCODE. */
static void build_rows(app *a, view_wform *v)
{
	const fleet_snapshot *s = a->snap;
	char keep[TCODE_SIZE] = "";
	size_t i, n = 0, cur = 0;

	if (v->n_rows && v->ttable.cursor < v->n_rows)
		util_strlcpy(keep, v->rows[v->ttable.cursor].tcode, sizeof(keep));
	free(v->rows);
	v->rows = xcalloc(s && s->n_tenants ? s->n_tenants : 1, sizeof(*v->rows));
	for (i = 0; s && i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);

		if (!(product_bit(t->t.product) & v->wz->products))
			continue;
		fill_row(s, t, &v->rows[n]);
		if (!row_matches(&v->rows[n], v->filter))
			continue;
		if (keep[0] && !strcmp(keep, v->rows[n].tcode))
			cur = n;
		n++;
	}
	v->n_rows = n;
	v->rows_version = s ? s->version : 0;
	tui_table_set_rows(&v->ttable, n);
	tui_table_set_cursor(&v->ttable, cur);
	v->has_n = 0; /* other rows: ask again */
	want_has(a, v);
}

static const char *tenant_cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	view_wform *v = ctx;
	const trow *r = &v->rows[row];
	tenant_has h;

	switch (col) {
	case 0:
		return r->tcode;
	case 1:
		return r->customer;
	case 2:
		return r->product;
	case 3:
		return r->provider;
	case 4:
		return r->envs;
	case 5:
		return r->health;
	case 6:
		if (!v->has || !tenant_has_loader_get(v->has, r->cluster, r->tcode, &h))
			return "...";
		tenant_has_words(&h, buf, size);
		return buf;
	default:
		return r->cluster;
	}
}

static const tui_column tenant_cols[] = {
    {"TCODE", 7, 6, 0},	   {"CUSTOMER", 30, 10, 1}, {"PRODUCT", 7, 4, 0}, {"PROVIDER", 8, 5, 0},
    {"ENVS", 8, 4, 0},	   {"HEALTH", 9, 6, 0},	    {"HAS", 14, 3, 0},	{"CLUSTER", 16, 8, 0},
};

/* The tenant of tcode in the snapshot, on cluster (NULL or "": the first
 * found), or NULL. */
static const fleet_tenant *find_tenant(const app *a, const char *tcode, const char *cluster)
{
	const fleet_snapshot *s = a->snap;
	size_t i;

	for (i = 0; s && i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);

		if (!strcmp(t->t.tcode, tcode) &&
		    (!cluster || !cluster[0] ||
		     (t->cluster < s->n_clusters && !strcmp(s->clusters[t->cluster].name, cluster))))
			return t;
	}
	return NULL;
}

/* Asks the loader for the rows on screen, when they changed. */
static void want_has(app *a, view_wform *v)
{
	const fleet_snapshot *s = a->snap;
	size_t top = v->ttable.top, n = v->ttable.page > 0 ? (size_t)v->ttable.page : 40, k = 0;
	tenant_has_ref *refs;

	if (!v->has)
		v->has = tenant_has_loader_new(a->o->prefix, tui_loop_wake);
	if (top == v->has_top && n == v->has_n)
		return;
	v->has_top = top;
	v->has_n = n;
	refs = xcalloc(n, sizeof(*refs));
	for (size_t i = top; s && i < v->n_rows && k < n; i++) {
		const fleet_tenant *t = find_tenant(a, v->rows[i].tcode, v->rows[i].cluster);
		tenant_has_ref *r = &refs[k];

		if (!t)
			continue;
		for (size_t c = 0; c < a->o->n_clusters; c++)
			if (!strcmp(a->o->clusters[c].name, v->rows[i].cluster))
				r->client = a->o->clusters[c].client;
		util_strlcpy(r->cluster, v->rows[i].cluster, sizeof(r->cluster));
		util_strlcpy(r->tcode, t->t.tcode, sizeof(r->tcode));
		r->product = t->t.product;
		for (tcode_env e = TCODE_ENV_PROD; e <= TCODE_ENV_DEV; e++)
			if (t->env[e] >= 0 && (size_t)t->env[e] < s->n_envs)
				util_strlcpy(r->ns[e], fleet_env(s, t->env[e])->ns, sizeof(r->ns[e]));
		if (!r->client || (r->ns[0][0] && fleet_env(s, t->env[0])->fresh.stale) ||
		    (r->ns[1][0] && fleet_env(s, t->env[1])->fresh.stale))
			r->client = NULL; /* read as unknown */
		k++;
	}
	tenant_has_loader_want(v->has, refs, k, 0);
	free(refs);
}

/* ---- the form ---- */

static int check_required(const char *value, char *msg, size_t msgsz, void *ctx)
{
	return *value ? 0 : util_seterr(msg, msgsz, "required");
}

/* "prod,dev" into the field's choices; the default chosen. */
static void set_choices(view_wform *v, int f, const wizard_input *in)
{
	char *p;
	int n = 0;

	util_strlcpy(v->choice_buf[f], in->choices, sizeof(v->choice_buf[f]));
	for (p = v->choice_buf[f]; p && *p && n < MAX_CHOICES;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		v->choice_ptr[f][n] = p;
		if (in->def && !strcmp(in->def, p))
			v->fields[f].choice = n;
		n++;
		p = comma ? comma + 1 : NULL;
	}
	v->fields[f].kind = TUI_FORM_CHOICE;
	v->fields[f].choices = v->choice_ptr[f];
	v->fields[f].nchoices = n;
}

/* The form from the wizard's inputs, every one but the tenant's TCODE and those
 * of another product than product (WIZARD_ERP, WIZARD_ESOCIAL; 0: all). */
static void init_form(view_wform *v, unsigned product)
{
	const wizard *w = v->wz;
	size_t i;
	int f = 0;

	memset(v->fields, 0, sizeof(v->fields));
	for (i = 0; i < w->n_inputs && f < MAX_FIELDS; i++) {
		const wizard_input *in = &w->inputs[i];

		if (!strcmp(in->key, "tcode"))
			continue;
		if (product && (((in->flags & WIZARD_INPUT_ONLY_ERP) && !(product & WIZARD_ERP)) ||
				((in->flags & WIZARD_INPUT_ONLY_ESOCIAL) && !(product & WIZARD_ESOCIAL))))
			continue;
		util_strlcpy(v->labels[f], in->key, sizeof(v->labels[f]));
		v->labels[f][0] = (char)toupper((unsigned char)v->labels[f][0]);
		v->fields[f].label = v->labels[f];
		v->field_in[f] = i;
		if (in->choices && in->choices[0]) {
			set_choices(v, f, in);
		} else {
			v->fields[f].kind = TUI_FORM_TEXT;
			v->fields[f].masked = (in->flags & WIZARD_INPUT_SECRET) != 0;
			util_strlcpy(v->fields[f].value, in->def ? in->def : "", sizeof(v->fields[f].value));
			if (!in->def)
				v->fields[f].validate = check_required;
		}
		f++;
	}
	v->nf = f;
	v->form_product = product;
	tui_form_init(&v->frm, v->fields, f);
	v->err_field = -1;
}

static const wizard_input *input_of(const view_wform *v, int f)
{
	return &v->wz->inputs[v->field_in[f]];
}

static const char *field_value(const view_wform *v, int f)
{
	const tui_form_field *ff = &v->fields[f];

	return ff->kind == TUI_FORM_CHOICE ? ff->choices[ff->choice] : ff->value;
}

/* The field of input i of the wizard, or -1 (the TCODE: not on the tui_form). */
static int field_of_input(const view_wform *v, int i)
{
	int f;

	for (f = 0; i >= 0 && f < v->nf; f++)
		if (v->field_in[f] == (size_t)i)
			return f;
	return -1;
}

/* ---- pages ---- */

static void open_tenant_page(app *a, view_wform *v)
{
	v->pg = PG_TENANT;
	v->error[0] = '\0';
	tui_table_init(&v->ttable, tenant_cols,
		       a->o->n_clusters > 1 ? ARRAY_SIZE(tenant_cols) : ARRAY_SIZE(tenant_cols) - 1,
		       tenant_cell, v);
	build_rows(a, v);
}

/* The cluster of tenant t into v->cfg (never another one); -1 with
 * v->error when it cannot be used. */
static int use_cluster_of(app *a, view_wform *v, const fleet_tenant *t)
{
	size_t i;
	const char *name = t && a->snap && t->cluster < a->snap->n_clusters
			       ? a->snap->clusters[t->cluster].name
			       : NULL;

	for (i = 0; name && i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, name)) {
			if (view_wizard_cluster_at(a, i, &v->cfg, &v->catalog) == 0)
				return 0;
			break;
		}
	return util_seterr(v->error, sizeof(v->error),
			   "cluster %s of %s cannot be used (check the kubeconfig): nothing is planned elsewhere",
			   name ? name : "?", t ? t->t.tcode : "?");
}

/* "prod is asleep ..." when an environment the plan changes sleeps (Hypnus),
 * as the fleet last saw it; else "". */
static void sleeping_note(const app *a, const plan *p, const char *cluster, char *buf, size_t size)
{
	const fleet_tenant *t = find_tenant(a, p->tcode, cluster);
	size_t i, len = 0, n = 0;
	tcode_env e;

	buf[0] = '\0';
	for (e = TCODE_ENV_PROD; t && e <= TCODE_ENV_DEV; e++) {
		const model_env *me;
		int touched = 0;

		if (t->env[e] < 0 || (size_t)t->env[e] >= a->snap->n_envs)
			continue;
		me = fleet_env(a->snap, t->env[e]);
		for (i = 0; i < p->n; i++)
			touched |= !strcmp(p->steps[i].env, tcode_env_name(e));
		if (touched && me->hypnus.state == MODEL_HYPNUS_SLEEPING && len < size) {
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " and " : "",
						tcode_env_name(e));
			n++;
		}
	}
	if (n && len < size)
		snprintf(buf + len, size - len,
			 " %s asleep: the run does not wake %s; the workloads it changes take the change at the next wake",
			 n > 1 ? "are" : "is", n > 1 ? "them" : "it");
}

/* Goes to the form for tcode on cluster (NULL: where the fleet has it
 * first); -1 with v->error when the wizard does not apply to it. */
static int pick_tenant(app *a, view_wform *v, const char *tcode, const char *cluster)
{
	const fleet_tenant *t = find_tenant(a, tcode, cluster);
	char words[64];

	products_words(v->wz->products, words, sizeof(words));
	if (!t)
		return util_seterr(v->error, sizeof(v->error),
				   "no tenant %s in the fleet: the %s wizard works on %s tenants that exist (make one with :new namespace)",
				   tcode, v->wz->name, words);
	if (!(product_bit(t->t.product) & v->wz->products))
		return util_seterr(v->error, sizeof(v->error),
				   "%s is %s: the %s wizard is for %s tenants only", tcode,
				   t->t.product == MODEL_PRODUCT_ESOCIAL ? "Smart eSocial" : product_word(t->t.product),
				   v->wz->name, words);
	if (use_cluster_of(a, v, t) < 0)
		return -1;
	util_strlcpy(v->tcode, t->t.tcode, sizeof(v->tcode));
	if (v->form_product != product_bit(t->t.product)) /* its product's inputs only */
		init_form(v, product_bit(t->t.product));
	snprintf(v->tenant_line, sizeof(v->tenant_line), "%s %s: %s, provider %s, %s%s%s", t->t.tcode,
		 t->t.customer, product_word(t->t.product), t->provider[0] ? t->provider : "unknown",
		 health_name(t->health.state), a->o->n_clusters > 1 ? ", cluster " : "",
		 a->o->n_clusters > 1 && v->cfg.cluster ? v->cfg.cluster : "");
	v->error[0] = '\0';
	v->pg = PG_FORM;
	return 0;
}

static void start_plan(view_wform *v)
{
	job *j = xcalloc(1, sizeof(*j));
	int f;

	j->wz = v->wz;
	j->client = v->cfg.client;
	j->catalog = v->catalog;
	j->prefix = v->cfg.prefix;
	j->user = v->cfg.user;
	v->error[0] = '\0';
	v->err_field = -1;
	util_strlcpy(j->in[0].key, "tcode", sizeof(j->in[0].key));
	util_strlcpy(j->in[0].value, v->tcode, sizeof(j->in[0].value));
	j->n_in = 1;
	for (f = 0; f < v->nf && j->n_in < PLAN_MAX_INPUTS; f++) {
		const char *val = field_value(v, f), *def = input_of(v, f)->def;

		/* left empty, or the default as shown: not given, as on the command
		 * line without the option (a builder may tell the two apart: the
		 * file server keeps an existing claim's size unless one is given) */
		if (!*val || (def && !strcmp(val, def)))
			continue;
		if (strlen(val) >= sizeof(j->in[0].value)) {
			snprintf(v->error, sizeof(v->error), "%s is too long: at most %zu characters",
				 input_of(v, f)->key, sizeof(j->in[0].value) - 1);
			v->err_field = f;
			v->frm.focus = f;
			job_discard(j);
			return;
		}
		util_strlcpy(j->in[j->n_in].key, input_of(v, f)->key, sizeof(j->in[0].key));
		util_strlcpy(j->in[j->n_in].value, val, sizeof(j->in[0].value));
		j->n_in++;
	}
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, job_run, j) != 0) {
		job_discard(j);
		util_strlcpy(v->error, "cannot start a worker thread", sizeof(v->error));
		return;
	}
	v->job = j;
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
	view_wform *v = ctx;
	const plan_step *s = &v->plan.steps[row];

	switch (col) {
	case 0:
		snprintf(buf, size, "%zu", row + 1);
		return buf;
	case 1:
		return s->id;
	case 2:
		if (s->diff == PLAN_DIFF_CONFLICT || s->diff == PLAN_DIFF_TERMINATING)
			*attrs = tui_theme_attr(TUI_ROLE_ERROR);
		else if (s->diff == PLAN_DIFF_CHANGE)
			*attrs = tui_theme_attr(TUI_ROLE_HIGHLIGHT);
		return plan_diff_name(s->diff);
	case 3:
		return plan_wait_name(s->wait);
	default:
		if (s->reason[0])
			return s->reason;
		snprintf(buf, size, "%s %s%s%s", s->kind, s->ns, s->ns[0] ? "/" : "", s->name);
		return buf;
	}
}

static const tui_column review_cols[] = {
    {"#", 3, 2, 0}, {"STEP", 40, 16, 0}, {"ACTION", 9, 6, 0}, {"WAIT", 6, 4, 0}, {"OBJECT / WHY", 16, 0, 1},
};

static void job_done(view_wform *v)
{
	job *j = v->job;

	v->job = NULL;
	if (j->rc < 0) {
		wizard_words_console(v->wz, j->err, "tcode", v->error, sizeof(v->error));
		v->err_field = field_of_input(v, wizard_words_input(v->wz, j->err, "tcode"));
		if (v->err_field >= 0)
			v->frm.focus = v->err_field;
		v->pg = PG_FORM;
	} else {
		plan_release(&v->plan);
		v->plan = j->plan;
		memset(&j->plan, 0, sizeof(j->plan));
		v->preflight_ok = j->preflight_ok;
		util_strlcpy(v->verdict, j->verdict, sizeof(v->verdict));
		util_strlcpy(v->note, j->note, sizeof(v->note));
		tui_table_init(&v->rtable, review_cols, ARRAY_SIZE(review_cols), review_cell, v);
		tui_table_set_rows(&v->rtable, v->plan.n);
		v->pg = PG_REVIEW;
	}
	job_free(j);
}

/* ---- the view ---- */

/* The wizards with a page file of their own; the others get this screen. */
static const struct {
	const char *name;
	int (*open)(app *a, const char *tcode);
} own_pages[] = {
    {"namespace", view_wizard_open_on},
};

int view_wform_open_any(app *a, const wizard *w, const char *tcode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(own_pages); i++)
		if (!strcmp(own_pages[i].name, w->name))
			return own_pages[i].open(a, tcode);
	return view_wform_open(a, w, tcode);
}

void view_wform_init(app *a)
{
	a->vg = xcalloc(1, sizeof(view_wform));
}

static void close_wform(app *a)
{
	view_wform *v = a->vg;

	job_abandon(v);
	wizard_run_free(v->run);
	v->run = NULL;
	plan_release(&v->plan);
	for (int f = 0; f < v->nf; f++) /* a password typed is kept only while the wizard is open */
		if (v->fields[f].masked)
			tui_form_wipe(&v->frm, f);
	v->confirming = 0;
	v->active = 0;
	if (a->screen == APP_WIZARD_FORM)
		a->screen = v->back;
}

void view_wform_release(app *a)
{
	view_wform *v = a->vg;

	if (!v)
		return;
	close_wform(a);
	jobs_reap(v, 1);
	tenant_has_loader_free(v->has);
	free(v->rows);
	free(v);
	a->vg = NULL;
}

/* 1 when a wizard is open and not done: a command away keeps it. */
static int in_progress(const view_wform *v)
{
	return v->active && v->pg != PG_CHOOSE && !(v->run && wizard_run_finished(v->run));
}

int view_wform_open(app *a, const wizard *w, const char *tcode)
{
	view_wform *v = a->vg;
	app_screen back;
	int rc;

	if (a->screen == APP_WIZARD_FORM && v->wz == w && v->active && !tcode)
		return 0;
	if (in_progress(v) && v->wz == w && !tcode) {
		a->screen = APP_WIZARD_FORM; /* left with a command: back where it was */
		return 0;
	}
	if (in_progress(v) && v->run) {
		app_message(a, 1, "the %s wizard is applying a plan: wait for it to end (:new %s shows it)",
			    v->wz->name, v->wz->name);
		return -1;
	}
	back = a->screen == APP_WIZARD_FORM ? v->back : a->screen == APP_TENANT ? APP_TENANT : APP_FLEET;
	close_wform(a);
	v->back = back;
	memset(&v->cfg, 0, sizeof(v->cfg));
	v->wz = w;
	v->filter[0] = '\0';
	v->filter_len = 0;
	v->tcode[0] = '\0';
	init_form(v, 0);
	if (v->has) /* a wizard opened anew shows what the cluster has now */
		tenant_has_loader_want(v->has, NULL, 0, 1);
	open_tenant_page(a, v);
	rc = tcode ? pick_tenant(a, v, tcode, v->choose_cluster) : 0;
	v->choose_cluster[0] = '\0';
	if (rc < 0) {
		app_message(a, 1, "%s", v->error);
		v->error[0] = '\0';
		return -1;
	}
	v->active = 1;
	a->screen = APP_WIZARD_FORM;
	return 0;
}

int view_wform_choose(app *a, const char *tcode)
{
	view_wform *v = a->vg;
	const fleet_tenant *cur = app_current_tenant(a);
	const fleet_tenant *t = cur && !strcmp(cur->t.tcode, tcode) ? cur : find_tenant(a, tcode, NULL);
	app_screen back;
	size_t i;

	if (in_progress(v) && v->run) {
		app_message(a, 1, "the %s wizard is applying a plan: wait for it to end (:new %s shows it)",
			    v->wz->name, v->wz->name);
		return -1;
	}
	if (!t) {
		app_message(a, 1, "%s is not in the fleet yet: no wizard to open for it", tcode);
		return -1;
	}
	back = a->screen == APP_WIZARD_FORM ? v->back : a->screen == APP_TENANT ? APP_TENANT : APP_FLEET;
	close_wform(a);
	v->back = back;
	v->n_choices = 0;
	for (i = 0; i < wizard_count() && v->n_choices < MAX_WIZARDS; i++)
		v->choices[v->n_choices++] = wizard_at(i);
	v->choice = 0;
	util_strlcpy(v->choose_tcode, t->t.tcode, sizeof(v->choose_tcode));
	util_strlcpy(v->choose_cluster, t->cluster < a->snap->n_clusters ? a->snap->clusters[t->cluster].name : "",
		     sizeof(v->choose_cluster));
	v->choose_product = product_bit(t->t.product);
	v->error[0] = '\0';
	v->pg = PG_CHOOSE;
	v->active = 1;
	a->screen = APP_WIZARD_FORM;
	return 0;
}

int view_wform_update(app *a)
{
	view_wform *v = a->vg;
	int r = 0;

	jobs_reap(v, 0);
	if (v->job) {
		v->spin++;
		r = TUI_REDRAW;
		if (atomic_load(&v->job->done))
			job_done(v);
	}
	if (v->active && v->pg == PG_TENANT && a->snap && a->snap->version != v->rows_version) {
		build_rows(a, v);
		r |= TUI_REDRAW;
	}
	if (v->active && v->pg == PG_TENANT) {
		want_has(a, v);
		if (tenant_has_loader_version(v->has) != v->has_seen) {
			v->has_seen = tenant_has_loader_version(v->has);
			r |= TUI_REDRAW;
		}
	}
	if (v->run)
		r |= wizard_run_update(v->run);
	return r;
}

int view_wform_busy(app *a)
{
	view_wform *v = a->vg;

	return v->job != NULL || (v->active && v->pg == PG_TENANT && v->has && tenant_has_loader_busy(v->has));
}

void view_wform_title(app *a, char *buf, size_t size)
{
	view_wform *v = a->vg;

	if (v->pg == PG_RUN && v->run)
		snprintf(buf, size, "%s %s %s", v->wz->title, tui_glyph_str(TUI_G_VLINE),
			 wizard_run_title(v->run));
	else if (v->pg == PG_CHOOSE)
		snprintf(buf, size, "New for %s %s Choose a wizard", v->choose_tcode,
			 tui_glyph_str(TUI_G_VLINE));
	else
		snprintf(buf, size, "%s%s%s %s %s", v->wz->title, v->tcode[0] && v->pg > PG_TENANT ? " for " : "",
			 v->pg > PG_TENANT ? v->tcode : "", tui_glyph_str(TUI_G_VLINE), page_names[v->pg]);
}

const tui_keymap *view_wform_keymap(void)
{
	return &wform_keymap;
}

static int typing(const view_wform *v)
{
	return v->pg == PG_FORM && v->nf > 0 && v->fields[v->frm.focus].kind == TUI_FORM_TEXT;
}

int view_wform_console_keys(const app *a)
{
	const view_wform *v = a->vg;

	if (!v || (v->pg == PG_RUN && v->run))
		return 1;
	return !v->confirming && (v->job || !typing(v));
}

/* ---- drawing ---- */

/* Wrapped text (escaped) from y; returns the next free line. */
static int put_wrapped(const char *text, int y, int ymax, int x, int width, int attrs)
{
	return tui_dialog_put_wrapped(stdscr, text, y, ymax, x, width, attrs);
}

static void draw_choose(view_wform *v, int y, int h, int width)
{
	char buf[300];
	int i, end = y + h;

	snprintf(buf, sizeof(buf), "What to make for %s? Enter opens the wizard on it; Esc goes back.",
		 v->choose_tcode);
	tui_text_put(stdscr, y + 1, 2, width - 2, buf, 0, 0);
	for (i = 0; i < v->n_choices && y + 3 + i < end; i++) {
		const wizard *w = v->choices[i];
		int off = !(w->products & v->choose_product);
		int attrs = i == v->choice ? tui_theme_attr(TUI_ROLE_SELECTED)
			    : off	   ? tui_theme_attr(TUI_ROLE_DIM)
					   : 0;

		snprintf(buf, sizeof(buf), " %c  %-12s %s%s", w->name[0], w->name,
			 off ? "(not for this tenant's product) " : "", w->about);
		tui_text_fill(stdscr, y + 3 + i, 2, width - 4, attrs);
		tui_text_put_raw(stdscr, y + 3 + i, 2, width - 4, buf, attrs, 0);
	}
}

static void draw_tenant(app *a, view_wform *v, int y, int h, int width)
{
	char buf[300], words[64];
	int end = y + h, x;

	products_words(v->wz->products, words, sizeof(words));
	snprintf(buf, sizeof(buf), "%s: %s. Which tenant (%s)? Type to filter, Tab completes.",
		 v->wz->title, v->wz->about, words);
	y = put_wrapped(buf, y + 1, end, 2, width - 4, 0);
	x = tui_text_put_raw(stdscr, y, 2, width - 2, "Tenant: ", tui_theme_attr(TUI_ROLE_DIM), 0);
	x += 2 + tui_text_put(stdscr, y, x + 2, width - x - 2, v->filter, tui_theme_attr(TUI_ROLE_SELECTED), 0);
	move(y, x < width ? x : width - 1);
	snprintf(buf, sizeof(buf), "%zu of the fleet's tenants", v->n_rows);
	if ((int)strlen(buf) + x + 4 < width)
		tui_text_put_raw(stdscr, y, width - (int)strlen(buf) - 1, (int)strlen(buf), buf,
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	y += 2;
	if (v->error[0])
		end = end - 2;
	if (!a->snap)
		tui_text_put_raw(stdscr, y, 2, width - 2, "loading the fleet...", tui_theme_attr(TUI_ROLE_DIM), 0);
	else if (!v->n_rows)
		tui_text_put_raw(stdscr, y, 2, width - 2,
				 v->filter[0] ? "no tenant matches: Backspace or ^U widens the search"
					      : "no tenant in the fleet for this wizard",
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	else if (end - y > 1)
		tui_table_draw(&v->ttable, stdscr, y, 0, end - y, width);
	if (v->error[0])
		put_wrapped(v->error, end, end + 2, 2, width - 4, tui_theme_attr(TUI_ROLE_ERROR));
}

static tui_form_style fstyle(void)
{
	tui_form_style st = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
			 (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), (attr_t)tui_theme_attr(TUI_ROLE_ERROR),
			 tui_term_ascii()};
	return st;
}

static void draw_form(view_wform *v, int y, int h, int width)
{
	tui_form_style st = fstyle();
	int end = y + h, rows = tui_form_rows(&v->frm), fy;
	char buf[400];

	tui_text_put(stdscr, y + 1, 2, width - 2, v->tenant_line, tui_theme_attr(TUI_ROLE_SECTION), 0);
	tui_text_put_raw(stdscr, y + 2, 2, width - 2,
			 "Tab moves, Left/Right or Space cycle a choice, Enter builds the plan.",
			 tui_theme_attr(TUI_ROLE_DIM), 0);
	if (rows > end - y - 7)
		rows = end - y - 7;
	if (v->nf)
		tui_form_draw(&v->frm, stdscr, y + 4, 2, rows, width - 4, &st);
	else
		tui_text_put_raw(stdscr, y + 4, 2, width - 4, "This wizard asks nothing more.", 0, 0);
	v->frm.cur_y = v->nf ? v->frm.cur_y : -1;
	fy = y + 4 + rows;
	if (v->nf > 0 && fy < end) {
		const wizard_input *in = input_of(v, v->frm.focus);
		int wrap = width > 8 ? width - 4 : 4, help_rows, err_rows;

		snprintf(buf, sizeof(buf), "%s: %s%s%s%s", in->key, in->help,
			 in->def && in->def[0] ? " (default " : "", in->def && in->def[0] ? in->def : "",
			 in->def && in->def[0] ? ")" : "");
		/* a refusal takes the help's place when both do not fit (about: words wrap) */
		help_rows = (int)strlen(buf) / wrap + 2;
		err_rows = v->error[0] && !v->job ? (int)strlen(v->error) / wrap + 2 + (v->err_field >= 0) : 0;
		if (!err_rows || fy + help_rows + err_rows <= end)
			fy = put_wrapped(buf, fy, end, 2, width - 4, tui_theme_attr(TUI_ROLE_DIM)) + 1;
	} else {
		fy++;
	}
	if (v->job) {
		snprintf(buf, sizeof(buf), "%s building the plan, comparing it with the cluster, dry run...",
			 tui_progress_spinner(v->spin, tui_term_ascii()));
		tui_text_put_raw(stdscr, fy < end ? fy : end - 1, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_DIM), 0);
	} else if (v->error[0] && fy < end) {
		if (v->err_field >= 0) {
			snprintf(buf, sizeof(buf), "%s refused:", v->fields[v->err_field].label);
			tui_text_put_raw(stdscr, fy++, 2, width - 2, buf, tui_theme_attr(TUI_ROLE_ERROR) | A_BOLD, 0);
		}
		put_wrapped(v->error, fy, end, 2, width - 4, tui_theme_attr(TUI_ROLE_ERROR));
	}
	if (v->frm.cur_y >= 0)
		move(v->frm.cur_y, v->frm.cur_x);
}

/* What a step applies (its spec, else its body, as planned; a secret's
 * never), wrapped in lines y..end. */
static void draw_step_body(const plan_step *s, int y, int end, int width)
{
	char head[PLAN_ID_SIZE + 64];
	char *json = NULL;
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(s->body, "spec");

	snprintf(head, sizeof(head), "%s (%s) applies%s:", s->id, plan_diff_name(s->diff),
		 spec ? " to its spec" : "");
	tui_text_put(stdscr, y++, 1, width - 1, head, tui_theme_attr(TUI_ROLE_SECTION), 0);
	if (s->secret)
		put_wrapped("a secret: its content is never shown", y, end, 3, width - 4, tui_theme_attr(TUI_ROLE_DIM));
	else if (s->body && (json = cJSON_PrintUnformatted(spec ? spec : s->body)))
		put_wrapped(json, y, end, 3, width - 4, tui_theme_attr(TUI_ROLE_DIM));
	free(json);
}

static void draw_review(app *a, view_wform *v, int y, int h, int width)
{
	const plan *p = &v->plan;
	char buf[800];
	int end = y + h;
	size_t i, len;

	if (v->error[0])
		end -= 2;
	snprintf(buf, sizeof(buf), " Plan for %s%s%s: %zu steps (%zu create, %zu change, %zu unchanged, %zu refused)",
		 p->tcode, a->o->n_clusters > 1 ? " on " : "",
		 a->o->n_clusters > 1 && v->cfg.cluster ? v->cfg.cluster : "", p->n,
		 count_diff(p, PLAN_DIFF_CREATE), count_diff(p, PLAN_DIFF_CHANGE),
		 count_diff(p, PLAN_DIFF_UNCHANGED),
		 count_diff(p, PLAN_DIFF_CONFLICT) + count_diff(p, PLAN_DIFF_TERMINATING));
	y = put_wrapped(buf, y, end, 0, width, tui_theme_attr(TUI_ROLE_SECTION));
	len = (size_t)snprintf(buf, sizeof(buf), "Inputs:");
	for (i = 0; i < p->n_inputs && len < sizeof(buf); i++)
		if (strcmp(p->inputs[i].key, "tcode"))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s %s,", p->inputs[i].key,
						p->inputs[i].value);
	if (len && buf[len - 1] == ',')
		buf[len - 1] = '\0';
	y = put_wrapped(buf, y, end, 1, width - 2, 0);
	if (v->note[0])
		y = put_wrapped(v->note, y, end, 1, width - 2, tui_theme_attr(TUI_ROLE_DIM));
	sleeping_note(a, p, v->cfg.cluster, buf, sizeof(buf));
	if (buf[0])
		y = put_wrapped(buf, y, end, 1, width - 2, tui_theme_attr(TUI_ROLE_SLEEPING));
	if (!v->preflight_ok) {
		tui_text_put_raw(stdscr, y++, 1, width - 1, "Dry run: an apply of this plan would be refused:",
				 tui_theme_attr(TUI_ROLE_ERROR), 0);
		y = put_wrapped(v->verdict, y, y + 4 < end ? y + 4 : end, 3, width - 4,
				tui_theme_attr(TUI_ROLE_ERROR));
	} else if (a->o->readonly) {
		y = put_wrapped("Dry run: the cluster would accept this plan. Read-only session: it is shown, "
				"not applied.", y, end, 1, width - 2, tui_theme_attr(TUI_ROLE_DEGRADED));
	} else {
		y = put_wrapped("Dry run: the access review and the server accept this plan. Enter applies.",
				y, end, 1, width - 2, tui_theme_attr(TUI_ROLE_AVAILABLE));
	}
	/* the table, and under it what the step under the cursor applies */
	if (y + 1 < end) {
		int rows = (int)p->n + 1, detail = end - y - rows >= 4 ? end - y - rows : end - y >= 10 ? 4 : 0;

		tui_table_draw(&v->rtable, stdscr, y, 0, end - y - detail, width);
		if (detail && p->n)
			draw_step_body(&p->steps[v->rtable.cursor], end - detail + 1, end, width);
	}
	if (v->error[0])
		put_wrapped(v->error, end, end + 2, 2, width - 4, tui_theme_attr(TUI_ROLE_ERROR));
}

void view_wform_draw(app *a, int y, int h, int width)
{
	view_wform *v = a->vg;

	switch (v->pg) {
	case PG_CHOOSE:
		draw_choose(v, y, h, width);
		break;
	case PG_TENANT:
		draw_tenant(a, v, y, h, width);
		break;
	case PG_FORM:
		draw_form(v, y, h, width);
		break;
	case PG_REVIEW:
		draw_review(a, v, y, h, width);
		break;
	case PG_RUN:
		if (v->run)
			wizard_run_draw(v->run, y, h, width);
		break;
	}
	if (v->confirming) {
		tui_dialog_style ds = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_SECTION),
				   (attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
				   (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), tui_term_ascii()};
		tui_dialog_draw(&v->confirm, stdscr, &ds);
	}
}

/* ---- keys ---- */

/* form.h and dialog.h take curses key codes; the loop gives TUI_KEY_FN(). */
static int curses_key(int key)
{
	return TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;
}

static int key_choose(app *a, view_wform *v, int key)
{
	int i, pick = -1;

	if (key == TUI_KEY_ESC) {
		close_wform(a);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_FN(KEY_DOWN) || key == 'j')
		v->choice = (v->choice + 1) % (v->n_choices ? v->n_choices : 1);
	else if (key == TUI_KEY_FN(KEY_UP) || key == 'k')
		v->choice = (v->choice + v->n_choices - 1) % (v->n_choices ? v->n_choices : 1);
	else if (key == TUI_KEY_ENTER || key == '\n')
		pick = v->choice;
	for (i = 0; pick < 0 && i < v->n_choices; i++)
		if (key == v->choices[i]->name[0])
			pick = i;
	if (pick >= 0 && pick < v->n_choices) {
		char tc[TCODE_SIZE];
		const wizard *w = v->choices[pick];

		util_strlcpy(tc, v->choose_tcode, sizeof(tc));
		v->active = 0;
		view_wform_open_any(a, w, tc);
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static void filter_set(app *a, view_wform *v, const char *text)
{
	util_strlcpy(v->filter, text, sizeof(v->filter));
	v->filter_len = strlen(v->filter);
	v->error[0] = '\0';
	build_rows(a, v);
}

static int key_tenant(app *a, view_wform *v, int key)
{
	char buf[sizeof(v->filter)];

	if (key == TUI_KEY_ESC) {
		close_wform(a);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ENTER || key == '\n') {
		char tc[TCODE_SIZE];

		if (v->n_rows) {
			pick_tenant(a, v, v->rows[v->ttable.cursor].tcode, v->rows[v->ttable.cursor].cluster);
		} else if (tcode_parse(v->filter, tc, NULL, 0) == 0) {
			pick_tenant(a, v, tc, NULL); /* says why it is not offered */
		} else {
			util_strlcpy(v->error, "no tenant matches what is typed: Backspace or ^U widens the search",
				     sizeof(v->error));
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == '\t') {
		if (v->n_rows)
			filter_set(a, v, v->rows[v->ttable.cursor].tcode);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_FN(KEY_BACKSPACE) || key == 0x7f || key == 8) {
		if (v->filter_len) {
			util_strlcpy(buf, v->filter, sizeof(buf));
			buf[v->filter_len - 1] = '\0';
			filter_set(a, v, buf);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_CTRL('u')) {
		filter_set(a, v, "");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_FN(KEY_UP) || key == TUI_KEY_FN(KEY_DOWN) || key == TUI_KEY_FN(KEY_NPAGE) ||
	    key == TUI_KEY_FN(KEY_PPAGE) || key == TUI_KEY_FN(KEY_HOME) || key == TUI_KEY_FN(KEY_END))
		return tui_table_key(&v->ttable, key) | TUI_HANDLED;
	if (!TUI_KEY_IS_FN(key) && key > 0x20 && key < 0x7f && key != '?' && key != ':') {
		if (v->filter_len + 1 < sizeof(v->filter)) {
			util_strlcpy(buf, v->filter, sizeof(buf));
			buf[v->filter_len] = (char)key;
			buf[v->filter_len + 1] = '\0';
			filter_set(a, v, buf);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	return key == '?' || key == ':' ? 0 : TUI_HANDLED;
}

static int key_form(app *a, view_wform *v, int key)
{
	tui_form_field *ff = v->nf ? &v->fields[v->frm.focus] : NULL;

	/* Space cycles a choice as Right does */
	if (ff && ff->kind == TUI_FORM_CHOICE && key == ' ')
		key = TUI_KEY_FN(KEY_RIGHT);
	if (!v->nf && (key == TUI_KEY_ENTER || key == '\n')) { /* no option to ask */
		start_plan(v);
		return TUI_HANDLED | TUI_REDRAW;
	}
	switch (tui_form_key(&v->frm, curses_key(key))) {
	case FORM_SUBMIT:
		start_plan(v);
		break;
	case FORM_CANCEL:
		v->error[0] = '\0';
		open_tenant_page(a, v);
		break;
	case FORM_CHANGED:
		if (v->frm.focus == v->err_field) {
			v->error[0] = '\0';
			v->err_field = -1;
		}
		break;
	default:
		break;
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static void apply(view_wform *v)
{
	char err[300];
	plan p = v->plan;

	memset(&v->plan, 0, sizeof(v->plan));
	v->run = wizard_run_start(&v->cfg, WIZARD_RUN_APPLY, p.tcode, &p, NULL, err, sizeof(err));
	if (!v->run) {
		plan_release(&p);
		util_strlcpy(v->error, err, sizeof(v->error));
		v->pg = PG_FORM;
		return;
	}
	v->pg = PG_RUN;
}

static int key_review(app *a, view_wform *v, int key)
{
	if (v->confirming) {
		switch (tui_dialog_key(&v->confirm, curses_key(key))) {
		case DIALOG_YES:
			v->confirming = 0;
			apply(v);
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
		if (a->o->readonly) {
			util_strlcpy(v->error,
				     "read-only session (--readonly): this plan is shown, not applied; nothing was changed. Start smartops without --readonly to apply it.",
				     sizeof(v->error));
		} else if (!v->preflight_ok) {
			util_strlcpy(v->error, "this plan cannot be applied: see the problems above (Esc changes the options)",
				     sizeof(v->error));
		} else {
			snprintf(v->confirm_text, sizeof(v->confirm_text),
				 "%s: apply %zu steps for %s on cluster %s? The run is recorded in %s and can be paused, resumed or rolled back.",
				 v->wz->title, v->plan.n, v->plan.tcode, v->cfg.cluster ? v->cfg.cluster : "?",
				 JOURNAL_NAMESPACE);
			tui_dialog_confirm_init(&v->confirm, "Apply the plan", v->confirm_text, "Apply");
			v->confirming = 1;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ESC) {
		v->error[0] = '\0';
		v->pg = PG_FORM;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == '?' || key == ':')
		return 0;
	return tui_table_key(&v->rtable, key) ? TUI_HANDLED | TUI_REDRAW : TUI_HANDLED;
}

int view_wform_key(app *a, int key)
{
	view_wform *v = a->vg;

	if (v->pg == PG_RUN && v->run) {
		int r = wizard_run_key(v->run, key);

		if (r & WIZARD_RUN_LEAVE)
			close_wform(a);
		return r & ~WIZARD_RUN_LEAVE;
	}
	if ((key == '?' || key == ':') && view_wform_console_keys(a))
		return 0;
	if (v->job) /* a plan in the making: only leaving is possible */
		return key == TUI_KEY_ESC ? (close_wform(a), TUI_HANDLED | TUI_REDRAW) : TUI_HANDLED;
	switch (v->pg) {
	case PG_CHOOSE:
		return key_choose(a, v, key);
	case PG_TENANT:
		return key_tenant(a, v, key);
	case PG_FORM:
		return key_form(a, v, key);
	default:
		return key_review(a, v, key);
	}
}
