/* views/runs.c — the runs screen: journals, one run's steps, resume, roll back. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/journal.h"
#include "core/wizard.h"
#include "tui/dialog.h"
#include "tui/loop.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/runs.h"
#include "views/wizard_ns.h"
#include "views/wizard_run.h"
#include "util/util.h"

#define REFRESH_MS 5000
#define MAX_CLUSTERS 32 /* whose journals one list reads */

enum { REQ_OPEN, REQ_RESUME, REQ_ROLLBACK, REQ_RELOAD, REQ_BACK };
static const tui_binding runs_bindings[] = {
    {TUI_KEY_ENTER, REQ_OPEN, "Steps", "show the steps of the run under the cursor"},
    {'r', REQ_RESUME, "Resume", "resume the run (paused or failed), after a confirmation"},
    {'b', REQ_ROLLBACK, "Rollback", "roll the run back: delete what it created, after a confirmation"},
    {TUI_KEY_CTRL('r'), REQ_RELOAD, NULL, "read the runs again now"},
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the list, then to the fleet"},
};
static const tui_keymap runs_keymap = {"runs", runs_bindings, ARRAY_SIZE(runs_bindings)};

typedef enum job_kind { JOB_LIST, JOB_RESUME, JOB_ROLLBACK } job_kind;

typedef struct job {
	pthread_t th;
	job_kind kind;
	k8s_client *client;
	const char *catalog, *prefix;
	char run[JOURNAL_RUN_SIZE];
	atomic_int done;
	int rc;
	/* JOB_LIST: every usable cluster's journals, items[k] from cluster item_cl[k] */
	k8s_client *clients[MAX_CLUSTERS];
	const char *names[MAX_CLUSTERS];
	int cl[MAX_CLUSTERS];
	size_t n_cl;
	journal *items;
	int *item_cl;
	size_t n;
	journal j; /* JOB_RESUME, JOB_ROLLBACK */
	plan p;	   /* JOB_RESUME */
	char err[1024];
} job;

typedef struct view_runs {
	wizard_run_cfg cfg; /* of the cluster acted on */
	const char *catalog;
	journal *items;
	int *item_cl; /* each item's cluster, an index in the app's clusters */
	size_t n;
	int multi;    /* more than one cluster: a CLUSTER column */
	const fleet_cluster_cfg *clusters;
	int loaded;
	char load_err[512];
	int64_t next_ms;
	tui_table table, steps;
	int detail;	     /* showing items[detail_i]'s steps */
	size_t detail_i;
	job *list_job, *act_job;
	tui_dialog confirm;
	int confirming;
	job_kind confirm_kind;
	char confirm_text[300];
	char confirm_run[JOURNAL_RUN_SIZE];
	int confirm_cl;
	wizard_run *run;
	char error[512];
	char title[96];
} view_runs;

/* ---- worker ---- */

/* One cluster's journals, read on a thread of its own. */
typedef struct cl_list {
	pthread_t th;
	k8s_client *client;
	const char *prefix;
	journal *items;
	size_t n;
	int rc;
	k8s_err e;
} cl_list;

static void *cl_list_run(void *arg)
{
	cl_list *c = arg;

	c->rc = journal_list(c->client, NULL, c->prefix, &c->items, &c->n, &c->e);
	return NULL;
}

/* Every cluster's runs, read at once (an unreachable cluster costs its own timeout, not
 * the sum), newest first within each, clusters in the kubeconfig's order. A cluster that
 * cannot be read is named in err; rc < 0 only when none could be. */
static void list_all(job *j)
{
	cl_list cl[MAX_CLUSTERS];
	int started[MAX_CLUSTERS];
	size_t ok = 0, len = 0, total = 0;

	memset(cl, 0, sizeof(cl));
	for (size_t c = 0; c < j->n_cl; c++) {
		cl[c].client = j->clients[c];
		cl[c].prefix = j->prefix;
		started[c] = pthread_create(&cl[c].th, NULL, cl_list_run, &cl[c]) == 0;
		if (!started[c])
			cl_list_run(&cl[c]);
	}
	for (size_t c = 0; c < j->n_cl; c++) {
		if (started[c])
			pthread_join(cl[c].th, NULL);
		total += cl[c].rc < 0 ? 0 : cl[c].n;
	}
	j->items = xcalloc(total + 1, sizeof(*j->items));
	j->item_cl = xcalloc(total + 1, sizeof(*j->item_cl));
	j->rc = 0;
	for (size_t c = 0; c < j->n_cl; c++) {
		if (cl[c].rc < 0) {
			if (len < sizeof(j->err))
				len += (size_t)snprintf(j->err + len, sizeof(j->err) - len, "%s%s: %s",
							len ? "; " : "", j->names[c], cl[c].e.msg);
			continue;
		}
		ok++;
		for (size_t k = 0; k < cl[c].n; k++) {
			j->items[j->n] = cl[c].items[k]; /* the journal moves */
			j->item_cl[j->n++] = j->cl[c];
		}
		free(cl[c].items);
	}
	if (!ok && j->n_cl)
		j->rc = -1;
}

static void *job_run(void *arg)
{
	job *j = arg;
	k8s_err e;

	if (j->kind == JOB_LIST) {
		list_all(j);
	} else if (journal_load(j->client, j->run, &j->j, &e) < 0) {
		j->rc = -1;
		if (e.http == 404)
			snprintf(j->err, sizeof(j->err), "no run %s in namespace %s any more", j->run, JOURNAL_NAMESPACE);
		else
			util_strlcpy(j->err, e.msg, sizeof(j->err));
	} else if (j->kind == JOB_RESUME) {
		const wizard *wz = wizard_find(j->j.wizard);
		wizard_ctx c = {.client = j->client, .catalog_url = j->catalog, .prefix = j->prefix};
		wizard_fail fail;

		if (j->j.state == RUN_ROLLED_BACK || j->j.state == RUN_ROLLING_BACK) {
			j->rc = util_seterr(j->err, sizeof(j->err), "run %s was rolled back: start a new one with n on the fleet",
					    j->run);
		} else if (j->j.state == RUN_DONE) {
			j->rc = util_seterr(j->err, sizeof(j->err), "run %s is done: there is nothing to resume", j->run);
		} else if (!wz) {
			j->rc = util_seterr(j->err, sizeof(j->err),
					    "run %s is of wizard \"%s\", which this version cannot resume", j->run, j->j.wizard);
		} else { /* the plan rebuilt by the wizard's own builder, from the journal's inputs */
			j->rc = wz->build(&c, j->j.inputs, j->j.n_inputs, &j->p, j->err, sizeof(j->err),
					  &fail, &e, NULL, 0);
		}
	} else if (j->j.state == RUN_ROLLED_BACK) {
		j->rc = util_seterr(j->err, sizeof(j->err), "run %s is already rolled back", j->run);
	}
	atomic_store(&j->done, 1);
	tui_loop_wake();
	return NULL;
}

static void free_items(journal *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		journal_release(&items[i]);
	free(items);
}

static void job_free(job *j)
{
	pthread_join(j->th, NULL);
	free_items(j->items, j->n);
	free(j->item_cl);
	journal_release(&j->j);
	plan_release(&j->p);
	free(j);
}

static job *job_start(app *a, view_runs *v, job_kind kind, const char *run)
{
	job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->client = v->cfg.client;
	j->catalog = v->catalog;
	j->prefix = v->cfg.prefix;
	for (size_t i = 0; kind == JOB_LIST && i < a->o->n_clusters && j->n_cl < MAX_CLUSTERS; i++) {
		if (!a->o->clusters[i].client)
			continue;
		j->clients[j->n_cl] = a->o->clusters[i].client;
		j->names[j->n_cl] = a->o->clusters[i].name;
		j->cl[j->n_cl++] = (int)i;
	}
	if (run)
		util_strlcpy(j->run, run, sizeof(j->run));
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, job_run, j) != 0) {
		free(j);
		return NULL;
	}
	return j;
}

/* ---- tables ---- */

static void time_cell(int64_t t, char *buf, size_t size)
{
	if (t) {
		util_rfc3339(t, buf, size);
		if (strlen(buf) > 19)
			buf[19] = '\0';
		if (buf[10] == 'T')
			buf[10] = ' ';
	} else {
		util_strlcpy(buf, "-", size);
	}
}

static int state_attr(uint8_t st)
{
	switch (st) {
	case RUN_FAILED:
		return tui_theme_attr(TUI_ROLE_DOWN);
	case RUN_PAUSED:
		return tui_theme_attr(TUI_ROLE_DEGRADED);
	case RUN_RUNNING:
	case RUN_ROLLING_BACK:
	case RUN_PLANNED:
		return tui_theme_attr(TUI_ROLE_WAKING);
	case RUN_DONE:
		return tui_theme_attr(TUI_ROLE_AVAILABLE);
	default:
		return tui_theme_attr(TUI_ROLE_DIM);
	}
}

static const char *run_cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	view_runs *v = ctx;
	const journal *j = &v->items[row];

	if (v->multi && col == 1)
		return v->clusters[v->item_cl[row]].name;
	if (v->multi && col > 1)
		col--;
	switch (col) {
	case 0:
		return j->tcode;
	case 1:
		return j->wizard;
	case 2:
		*attrs = state_attr(j->state);
		return run_state_name((run_state)j->state);
	case 3:
		snprintf(buf, size, "%zu/%zu", journal_steps_settled(j), j->n_steps);
		return buf;
	case 4:
		return j->operator_id;
	case 5:
		time_cell(j->created, buf, size);
		return buf;
	default:
		return j->run;
	}
}

static const tui_column run_cols[] = {
    {"TCODE", 6, 6, 0}, {"WIZARD", 9, 6, 0}, {"STATE", 11, 7, 0}, {"STEP", 7, 5, 0},
    {"OPERATOR", 22, 8, 0}, {"STARTED", 19, 10, 0}, {"RUN", 28, 10, 1},
};
/* the same with the cluster second, when the console watches several */
static const tui_column run_cols_multi[] = {
    {"TCODE", 6, 6, 0}, {"CLUSTER", 16, 15, 0}, {"WIZARD", 9, 6, 0}, {"STATE", 11, 7, 0},
    {"STEP", 7, 5, 0}, {"OPERATOR", 22, 8, 0}, {"STARTED", 19, 10, 0}, {"RUN", 28, 10, 1},
};

static const char *step_cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	view_runs *v = ctx;
	const journal_step *s = &v->items[v->detail_i].steps[row];

	switch (col) {
	case 0:
		snprintf(buf, size, "%zu", row + 1);
		return buf;
	case 1:
		return s->id;
	case 2:
		if (s->state == STEP_FAILED)
			*attrs = tui_theme_attr(TUI_ROLE_ERROR);
		else if (s->state == STEP_PENDING)
			*attrs = tui_theme_attr(TUI_ROLE_DIM);
		return step_state_name((step_state)s->state);
	case 3:
		return s->created ? "yes" : "no";
	case 4:
		time_cell(s->finished, buf, size);
		return buf;
	default:
		return s->message;
	}
}

static const tui_column step_cols[] = {
    {"#", 3, 2, 0}, {"STEP", 34, 14, 0}, {"STATE", 9, 7, 0}, {"CREATED", 7, 3, 0}, {"FINISHED", 19, 8, 0}, {"MESSAGE", 20, 0, 1},
};

/* ---- the view ---- */

void view_runs_init(app *a)
{
	view_runs *v = xcalloc(1, sizeof(*v));
	size_t usable = 0;

	for (size_t i = 0; i < a->o->n_clusters; i++)
		usable += a->o->clusters[i].client != NULL;
	v->clusters = a->o->clusters;
	v->multi = usable > 1;
	if (v->multi)
		tui_table_init(&v->table, run_cols_multi, ARRAY_SIZE(run_cols_multi), run_cell, v);
	else
		tui_table_init(&v->table, run_cols, ARRAY_SIZE(run_cols), run_cell, v);
	tui_table_init(&v->steps, step_cols, ARRAY_SIZE(step_cols), step_cell, v);
	a->vr = v;
}

void view_runs_release(app *a)
{
	view_runs *v = a->vr;

	if (v->list_job)
		job_free(v->list_job);
	if (v->act_job)
		job_free(v->act_job);
	wizard_run_free(v->run);
	free_items(v->items, v->n);
	free(v->item_cl);
	free(v);
	a->vr = NULL;
}

static void reload(app *a, view_runs *v)
{
	if (!v->list_job && v->cfg.client)
		v->list_job = job_start(a, v, JOB_LIST, NULL);
	v->next_ms = util_mono_ms() + REFRESH_MS;
}

int view_runs_open(app *a)
{
	view_runs *v = a->vr;
	char err[200];

	if (!v->cfg.client && view_wizard_cluster(a, &v->cfg, &v->catalog, err, sizeof(err)) < 0) {
		app_message(a, 1, "%s", err);
		return -1;
	}
	a->screen = APP_RUNS;
	v->detail = 0;
	reload(a, v);
	return 0;
}

/* Keeps the cursor on the run it was on when the list is replaced. */
static void take_list(view_runs *v, job *j)
{
	char cur[JOURNAL_RUN_SIZE] = "", det[JOURNAL_RUN_SIZE] = "";
	int cur_cl = -1, det_cl = -1;
	size_t i;

	if (v->n && v->table.cursor < v->n) {
		util_strlcpy(cur, v->items[v->table.cursor].run, sizeof(cur));
		cur_cl = v->item_cl[v->table.cursor];
	}
	if (v->detail && v->detail_i < v->n) {
		util_strlcpy(det, v->items[v->detail_i].run, sizeof(det));
		det_cl = v->item_cl[v->detail_i];
	}
	free_items(v->items, v->n);
	free(v->item_cl);
	v->items = j->items;
	v->item_cl = j->item_cl;
	v->n = j->n;
	j->items = NULL;
	j->item_cl = NULL;
	j->n = 0;
	tui_table_set_rows(&v->table, v->n);
	v->detail = 0;
	/* the same run on the same cluster (two contexts may show one cluster twice) */
	for (i = 0; i < v->n; i++) {
		if (v->item_cl[i] == cur_cl && !strcmp(v->items[i].run, cur))
			tui_table_set_cursor(&v->table, i);
		if (det[0] && v->item_cl[i] == det_cl && !strcmp(v->items[i].run, det)) {
			v->detail = 1;
			v->detail_i = i;
			tui_table_set_rows(&v->steps, v->items[i].n_steps);
		}
	}
}

static void act_done(view_runs *v, job *j)
{
	char err[300];

	if (j->rc < 0) {
		util_strlcpy(v->error, j->err, sizeof(v->error));
		return;
	}
	v->run = wizard_run_start(&v->cfg, j->kind == JOB_RESUME ? WIZARD_RUN_RESUME : WIZARD_RUN_ROLLBACK,
				  j->j.tcode, j->kind == JOB_RESUME ? &j->p : NULL, &j->j, err, sizeof(err));
	if (!v->run)
		util_strlcpy(v->error, err, sizeof(v->error));
}

int view_runs_update(app *a)
{
	view_runs *v = a->vr;
	int r = 0;

	if (v->list_job && atomic_load(&v->list_job->done)) {
		/* one cluster's failure is said above the runs of the others */
		util_strlcpy(v->load_err, v->list_job->err, sizeof(v->load_err));
		if (v->list_job->rc == 0)
			take_list(v, v->list_job);
		v->loaded = 1;
		job_free(v->list_job);
		v->list_job = NULL;
		r = TUI_REDRAW;
	}
	if (v->act_job && atomic_load(&v->act_job->done)) {
		act_done(v, v->act_job);
		job_free(v->act_job);
		v->act_job = NULL;
		r = TUI_REDRAW;
	}
	if (v->run)
		r |= wizard_run_update(v->run);
	return r;
}

int view_runs_tick(app *a)
{
	view_runs *v = a->vr;

	if (a->screen == APP_RUNS && !v->run && util_mono_ms() >= v->next_ms)
		reload(a, v);
	return 0;
}

int view_runs_busy(app *a)
{
	view_runs *v = a->vr;

	return v->list_job != NULL || v->act_job != NULL;
}

const char *view_runs_title(const app *a)
{
	view_runs *v = a->vr;

	if (v->run)
		return wizard_run_title(v->run);
	if (v->detail && v->detail_i < v->n)
		snprintf(v->title, sizeof(v->title), "Runs %s %s", tui_glyph_str(TUI_G_VLINE), v->items[v->detail_i].run);
	else
		snprintf(v->title, sizeof(v->title), "Runs %s %zu", tui_glyph_str(TUI_G_VLINE), v->n);
	return v->title;
}

const tui_keymap *view_runs_keymap(void)
{
	return &runs_keymap;
}

static void draw_detail(view_runs *v, int y, int h, int width)
{
	const journal *j = &v->items[v->detail_i];
	char buf[400], started[40], updated[40], where[80] = "";
	int end = y + h;
	size_t i;

	time_cell(j->created, started, sizeof(started));
	time_cell(j->updated, updated, sizeof(updated));
	if (v->multi)
		snprintf(where, sizeof(where), " on %s", v->clusters[v->item_cl[v->detail_i]].name);
	snprintf(buf, sizeof(buf), " %s %s%s: %s, %zu/%zu steps; started %s by %s, updated %s", j->tcode, j->wizard,
		 where, run_state_name((run_state)j->state), journal_steps_settled(j), j->n_steps, started,
		 j->operator_id, updated);
	tui_text_put(stdscr, y++, 0, width, buf, tui_theme_attr(TUI_ROLE_SECTION), 0);
	if (j->message[0]) {
		snprintf(buf, sizeof(buf), " %.*s", (int)strcspn(j->message, "\n"), j->message);
		tui_text_put(stdscr, y++, 0, width, buf, state_attr(j->state), 0);
	}
	for (i = 0; i < j->n_notes && i < 2; i++) {
		snprintf(buf, sizeof(buf), " note: %s", j->notes[j->n_notes - 1 - i]);
		tui_text_put(stdscr, y++, 0, width, buf, tui_theme_attr(TUI_ROLE_DIM), 0);
	}
	if (y < end)
		tui_table_draw(&v->steps, stdscr, y, 0, end - y, width);
}

void view_runs_draw(app *a, int y, int h, int width)
{
	view_runs *v = a->vr;
	int end = y + h;

	if (v->run) {
		wizard_run_draw(v->run, y, h, width);
		return;
	}
	if (v->error[0]) {
		tui_text_put(stdscr, end - 1, 1, width - 1, v->error, tui_theme_attr(TUI_ROLE_ERROR), 0);
		end--;
	}
	if (v->act_job)
		tui_text_put_raw(stdscr, end - 1, 1, width - 1, "loading the run and rebuilding its plan...",
				 tui_theme_attr(TUI_ROLE_DIM), 0), end--;
	if (!v->loaded) {
		tui_text_put_raw(stdscr, y + 1, 2, width - 2, "Reading the runs...", tui_theme_attr(TUI_ROLE_DIM), 0);
	} else if (v->detail && v->detail_i < v->n) {
		draw_detail(v, y, end - y, width);
	} else {
		if (v->load_err[0])
			tui_text_put(stdscr, y++, 1, width - 1, v->load_err, tui_theme_attr(TUI_ROLE_ERROR), 0);
		tui_table_draw(&v->table, stdscr, y, 0, v->n ? end - y : 1, width);
		if (!v->n)
			tui_text_put_raw(stdscr, y + 2, 2, width - 2,
					 "No runs recorded in " JOURNAL_NAMESPACE ". n on the fleet starts one.",
					 tui_theme_attr(TUI_ROLE_DIM), 0);
	}
	if (v->confirming) {
		tui_dialog_style ds = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_SECTION),
				   (attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
				   (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), tui_term_ascii()};
		tui_dialog_draw(&v->confirm, stdscr, &ds);
	}
}

static void ask(app *a, view_runs *v, job_kind kind)
{
	const journal *j;

	if (!v->n)
		return;
	if (a->o->readonly) {
		util_strlcpy(v->error,
			     "read-only session (--readonly): nothing can be resumed or rolled back; start smartops without --readonly",
			     sizeof(v->error));
		return;
	}
	j = &v->items[v->detail ? v->detail_i : v->table.cursor];
	util_strlcpy(v->confirm_run, j->run, sizeof(v->confirm_run));
	v->confirm_cl = v->item_cl[v->detail ? v->detail_i : v->table.cursor];
	if (kind == JOB_RESUME)
		snprintf(v->confirm_text, sizeof(v->confirm_text), "Resume run %s (%s, %s, %zu/%zu steps)?", j->run,
			 j->tcode, run_state_name((run_state)j->state), journal_steps_settled(j), j->n_steps);
	else
		snprintf(v->confirm_text, sizeof(v->confirm_text),
			 "Roll back run %s: delete what it created for %s? Objects it did not create are kept.",
			 j->run, j->tcode);
	tui_dialog_confirm_init(&v->confirm, kind == JOB_RESUME ? "Resume the run" : "Roll back the run", v->confirm_text,
			    kind == JOB_RESUME ? "Resume" : "Roll back");
	v->confirm_kind = kind;
	v->confirming = 1;
}

int view_runs_key(app *a, int key)
{
	view_runs *v = a->vr;
	tui_table *t = v->detail ? &v->steps : &v->table;

	if (v->run) {
		int r = wizard_run_key(v->run, key);

		if (r & WIZARD_RUN_LEAVE) {
			wizard_run_free(v->run);
			v->run = NULL;
			reload(a, v);
		}
		return r & ~WIZARD_RUN_LEAVE;
	}
	if (v->confirming) {
		enum dialog_result d =
		    tui_dialog_key(&v->confirm, TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key);

		if (d == DIALOG_YES && !v->act_job) {
			if (view_wizard_cluster_at(a, (size_t)v->confirm_cl, &v->cfg, &v->catalog) == 0)
				v->act_job = job_start(a, v, v->confirm_kind, v->confirm_run);
			else
				util_strlcpy(v->error, "that run's cluster cannot be reached from this console",
					     sizeof(v->error));
		}
		if (d != DIALOG_HANDLED)
			v->confirming = 0;
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->error[0] = '\0';
	if (tui_table_key(t, key))
		return TUI_HANDLED | TUI_REDRAW;
	switch (tui_keymap_find(&runs_keymap, key)) {
	case REQ_OPEN:
		if (v->n && !v->detail) {
			v->detail = 1;
			v->detail_i = v->table.cursor;
			tui_table_set_rows(&v->steps, v->items[v->detail_i].n_steps);
			tui_table_set_cursor(&v->steps, 0);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RESUME:
		ask(a, v, JOB_RESUME);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_ROLLBACK:
		ask(a, v, JOB_ROLLBACK);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RELOAD:
		reload(a, v);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_BACK:
		if (v->detail)
			v->detail = 0;
		else
			a->screen = APP_FLEET;
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}
