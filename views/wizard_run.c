/* views/wizard_run.c — an engine run in the console: progress and done pages. */
#include <pthread.h>
#include <stdio.h>

#include "core/tcode.h"
#include "tui/dialog.h"
#include "tui/keymap.h"
#include "tui/loop.h"
#include "tui/progress.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/wizard_run.h"
#include "util/util.h"

typedef enum rstate { RS_PENDING, RS_WORKING, RS_WAITING, RS_DONE, RS_STOPPED, RS_FAILED } rstate;

static const char *const rstate_names[] = {"pending", "working", "waiting", "done", "stopped", "failed"};

typedef struct rstep {
	char id[PLAN_ID_SIZE];
	char action[16];
	rstate state;
	int64_t start_ms, ms; /* ms: how long it took, once done */
} rstep;

enum { CHOICE_PAUSE, CHOICE_ROLLBACK, CHOICE_CONTINUE, CHOICE_COUNT };
static const char *const choice_labels[CHOICE_COUNT] = {"Pause", "Roll back", "Continue"};

struct wizard_run {
	wizard_run_cfg cfg;
	wizard_run_mode mode;
	char tcode[TCODE_SIZE + 1];
	char cluster[64];
	engine *e;
	pthread_mutex_t mu; /* guards steps, cur, have_cur (the engine's thread writes them) */
	rstep *steps;
	size_t n, cur;
	int have_cur;
	engine_progress pr; /* UI thread's last snapshot */
	int asking, choice; /* the Esc box */
	int want_rollback;  /* pause first, then roll back */
	int finished;
	int joined; /* engine_wait done on r->e */
	int64_t end_ms;
	tui_progress bar;
	tui_table table;
	char title[160];
};

static void on_progress(void *ctx, const engine_progress *p)
{
	wizard_run *r = ctx;
	int64_t now = util_mono_ms();

	pthread_mutex_lock(&r->mu);
	if ((p->phase == ENGINE_APPLY || p->phase == ENGINE_WAIT || p->phase == ENGINE_ROLLBACK) &&
	    p->step < r->n && p->step_started_ms) {
		if (!r->have_cur || p->step != r->cur) {
			if (r->have_cur && r->steps[r->cur].state != RS_DONE) {
				r->steps[r->cur].state = RS_DONE;
				r->steps[r->cur].ms = now - r->steps[r->cur].start_ms;
			}
			r->cur = p->step;
			r->have_cur = 1;
			r->steps[r->cur].start_ms = p->step_started_ms;
		}
		r->steps[r->cur].state = p->phase == ENGINE_WAIT ? RS_WAITING : RS_WORKING;
		if (p->action[0] && strcmp(p->action, "wait"))
			util_strlcpy(r->steps[r->cur].action, p->action, sizeof(r->steps[0].action));
	}
	pthread_mutex_unlock(&r->mu);
	tui_loop_wake();
}

static const char *cell(void *ctx, size_t row, size_t col, char *buf, size_t size, int *attrs)
{
	wizard_run *r = ctx;
	const rstep *s = &r->steps[row]; /* read on the UI thread under r->mu (draw holds it) */

	switch (col) {
	case 0:
		snprintf(buf, size, "%zu", row + 1);
		return buf;
	case 1:
		return s->id;
	case 2:
		return s->action;
	case 3:
		if (s->state == RS_FAILED)
			*attrs = tui_theme_attr(TUI_ROLE_ERROR);
		else if (s->state == RS_WORKING || s->state == RS_WAITING)
			*attrs = tui_theme_attr(TUI_ROLE_HIGHLIGHT);
		else if (s->state == RS_PENDING)
			*attrs = tui_theme_attr(TUI_ROLE_DIM);
		return rstate_names[s->state];
	default:
		if (s->state == RS_DONE && s->ms >= 0)
			tui_progress_elapsed(s->ms, buf, size);
		else if (s->state == RS_WORKING || s->state == RS_WAITING)
			tui_progress_elapsed(util_mono_ms() - s->start_ms, buf, size);
		else
			return "";
		return buf;
	}
}

static const tui_column columns[] = {
    {"#", 3, 2, 0}, {"STEP", 40, 16, 1}, {"ACTION", 9, 6, 0}, {"STATE", 8, 7, 0}, {"TIME", 6, 4, 0},
};

static int start_engine(wizard_run *r, plan *p, journal *j, char *err, size_t errsz)
{
	engine_opts eo = {.client = r->cfg.client,
			  .prefix = r->cfg.prefix,
			  .user = r->cfg.user,
			  .readonly = r->cfg.readonly,
			  .on_progress = on_progress,
			  .ctx = r,
			  .kill_after = -1,
			  .kill_at_intent = -1};
	engine_status rc;

	r->e = engine_new(&eo);
	if (r->mode == WIZARD_RUN_APPLY)
		rc = engine_start_apply(r->e, p);
	else if (r->mode == WIZARD_RUN_RESUME)
		rc = engine_start_resume(r->e, p, j);
	else
		rc = engine_start_rollback(r->e, j);
	if (rc == ENGINE_ST_OK)
		return 0;
	if (rc == ENGINE_ST_MISMATCH) {
		engine_progress pr;

		engine_snapshot(r->e, &pr);
		util_seterr(err, errsz, "%s: roll it back instead", pr.message);
	} else if (rc == ENGINE_ST_READONLY) {
		util_seterr(err, errsz,
			    "read-only session (--readonly): nothing was changed; start smartops without --readonly to provision");
	} else {
		util_seterr(err, errsz, "the engine did not start (%s)", engine_status_name(rc));
	}
	engine_free(r->e);
	r->e = NULL;
	return -1;
}

static void set_steps(wizard_run *r, const plan *p, const journal *j)
{
	size_t i;

	pthread_mutex_lock(&r->mu);
	free(r->steps);
	r->n = p ? p->n : j ? j->n_steps : 0;
	r->steps = xcalloc(r->n ? r->n : 1, sizeof(*r->steps));
	for (i = 0; i < r->n; i++) {
		util_strlcpy(r->steps[i].id, p ? p->steps[i].id : j->steps[i].id, sizeof(r->steps[i].id));
		r->steps[i].ms = -1;
	}
	r->have_cur = 0;
	pthread_mutex_unlock(&r->mu);
	tui_table_init(&r->table, columns, ARRAY_SIZE(columns), cell, r);
	tui_table_set_rows(&r->table, r->n);
}

static void set_title(wizard_run *r)
{
	static const char *const verbs[] = {"Applying", "Resuming", "Rolling back"};

	snprintf(r->title, sizeof(r->title), "%s %s", verbs[r->mode], r->tcode);
}

wizard_run *wizard_run_start(const wizard_run_cfg *cfg, wizard_run_mode mode, const char *tcode,
			     plan *p, journal *j, char *err, size_t errsz)
{
	wizard_run *r = xcalloc(1, sizeof(*r));

	r->cfg = *cfg;
	util_strlcpy(r->cluster, cfg->cluster ? cfg->cluster : "", sizeof(r->cluster));
	r->cfg.cluster = r->cluster;
	r->mode = mode;
	util_strlcpy(r->tcode, tcode, sizeof(r->tcode));
	pthread_mutex_init(&r->mu, NULL);
	set_steps(r, p, j);
	set_title(r);
	tui_progress_init(&r->bar, "", util_mono_ms());
	if (start_engine(r, p, j, err, errsz) < 0) {
		pthread_mutex_destroy(&r->mu);
		free(r->steps);
		free(r);
		return NULL;
	}
	return r;
}

void wizard_run_free(wizard_run *r)
{
	if (!r)
		return;
	if (r->e) {
		if (!r->joined) {
			engine_cancel(r->e);
			engine_wait(r->e);
		}
		engine_free(r->e);
	}
	pthread_mutex_destroy(&r->mu);
	free(r->steps);
	free(r);
}

/* The run's journal as the engine left it, copied (the engine is freed next). */
static int copy_journal(engine *e, journal *out)
{
	const journal *j = engine_journal(e);
	strbuf sb;
	char err[160];
	int rc;

	if (!j || !j->run[0] || !j->n_steps)
		return -1;
	sb_init(&sb, 4096);
	journal_encode(j, &sb);
	rc = journal_decode(sb.buf, out, err, sizeof(err));
	sb_release(&sb);
	return rc;
}

static void finish(wizard_run *r)
{
	size_t i;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->n; i++) {
		rstep *s = &r->steps[i];

		if (r->pr.result == ENGINE_OK && s->state != RS_DONE) {
			s->state = RS_DONE;
			if (s->start_ms)
				s->ms = util_mono_ms() - s->start_ms;
		} else if (s->state == RS_WORKING || s->state == RS_WAITING) {
			s->state = r->pr.result == ENGINE_PAUSED ? RS_STOPPED : RS_FAILED;
		}
	}
	pthread_mutex_unlock(&r->mu);
	r->finished = 1;
	r->end_ms = util_mono_ms();
}

/* After the pause asked for on Esc: undo what the run created. */
static void start_rollback(wizard_run *r)
{
	journal j;
	char err[200];

	r->want_rollback = 0;
	if (r->pr.result == ENGINE_REFUSED || r->pr.result == ENGINE_DENIED ||
	    copy_journal(r->e, &j) < 0) {
		finish(r);
		return;
	}
	engine_free(r->e);
	r->e = NULL;
	r->joined = 0;
	r->mode = WIZARD_RUN_ROLLBACK;
	set_title(r);
	set_steps(r, NULL, &j);
	tui_progress_init(&r->bar, "", util_mono_ms());
	if (start_engine(r, NULL, &j, err, sizeof(err)) < 0) {
		util_strlcpy(r->pr.message, err, sizeof(r->pr.message));
		r->pr.result = ENGINE_REFUSED;
		r->finished = 1;
		journal_release(&j);
		return;
	}
	memset(&r->pr, 0, sizeof(r->pr));
}

int wizard_run_update(wizard_run *r)
{
	if (r->finished || !r->e)
		return 0;
	engine_snapshot(r->e, &r->pr);
	tui_progress_tick(&r->bar);
	if (r->pr.finished) {
		engine_wait(r->e);
		r->joined = 1;
		engine_snapshot(r->e, &r->pr);
		if (r->want_rollback)
			start_rollback(r);
		else
			finish(r);
	} else if (r->have_cur && !r->asking) {
		tui_table_set_cursor(&r->table, r->cur);
	}
	return TUI_REDRAW;
}

int wizard_run_finished(const wizard_run *r)
{
	return r->finished;
}

const char *wizard_run_title(const wizard_run *r)
{
	return r->title;
}

static size_t steps_done(wizard_run *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->steps[i].state == RS_DONE;
	return n;
}

/* What may follow a run that stopped (engine_progress.next), in the console's
 * words, or NULL. */
static const char *next_hint(unsigned next)
{
	if ((next & ENGINE_NEXT_RESUME) && (next & ENGINE_NEXT_ROLLBACK))
		return "Resume it or roll it back from the runs screen (R on the fleet, :runs).";
	if (next & ENGINE_NEXT_ROLLBACK)
		return "Roll it back from the runs screen (R on the fleet, :runs).";
	if (next & ENGINE_NEXT_ROLLBACK_AGAIN)
		return "Roll it back again to finish, from the runs screen (R on the fleet, :runs).";
	return NULL;
}

static const char *outcome(const wizard_run *r)
{
	switch (r->pr.result) {
	case ENGINE_OK:
		return r->mode == WIZARD_RUN_ROLLBACK ? "Rolled back" : "Done";
	case ENGINE_PAUSED:
		return "Paused";
	case ENGINE_FAILED:
		return "Failed";
	case ENGINE_DENIED:
		return "Refused: no permission";
	default:
		return "Refused";
	}
}

static void draw_box(wizard_run *r, int y, int h, int width)
{
	int bw = 56 < width - 4 ? 56 : width - 4, bx = (width - bw) / 2, by = y + h / 2 - 3, i, x;
	int attr = tui_theme_attr(TUI_ROLE_KEYBAR), key = tui_theme_attr(TUI_ROLE_KEYBAR_KEY);

	for (i = 0; i < 6; i++)
		tui_text_fill(stdscr, by + i, bx, bw, attr);
	tui_text_put_raw(stdscr, by + 1, bx + 2, bw - 4, "Stop the run?", attr | A_BOLD, 0);
	tui_text_put_raw(stdscr, by + 2, bx + 2, bw - 4,
			 "Pause keeps it resumable; roll back undoes its changes.", attr, 0);
	x = bx + 2;
	for (i = 0; i < CHOICE_COUNT; i++) {
		char b[32];

		snprintf(b, sizeof(b), "[ %s ]", choice_labels[i]);
		x += tui_text_put_raw(stdscr, by + 4, x, bw - (x - bx), b, i == r->choice ? (int)(key | A_REVERSE) : attr, 0) + 2;
	}
}

/* What the engine waits for, in an operator's words: "Kind ns/name bound
 * (Pending)" -> "waiting for claim fileserver to be Bound: Pending"; a
 * workload an update step changed, "Deployment ns/name ready (1/3)" ->
 * "rolling update of name: 1 of 3 ready"; anything else as the engine says
 * it. ", needed by STEP" is kept. */
static void plain_wait(const char *what, const char *action, char *out, size_t size)
{
	char kind[40], obj[160], word[16], detail[64] = "";
	const char *name, *needed = strstr(what, ", needed by ");
	int ready, desired;

	if (sscanf(what, "%39s %159s %15s (%63[^)])", kind, obj, word, detail) < 3 ||
	    !(name = strchr(obj, '/'))) {
		snprintf(out, size, "waiting for %s", what);
		return;
	}
	name++;
	if (!strcmp(kind, "PersistentVolumeClaim") && !strcmp(word, "bound"))
		snprintf(out, size, "waiting for claim %s to be Bound: %s%s", name,
			 detail[0] ? detail : "no phase yet", needed ? needed : "");
	else if ((!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet")) && !strcmp(word, "ready") &&
		 !strcmp(action, "update") && sscanf(detail, "%d/%d", &ready, &desired) == 2)
		snprintf(out, size, "rolling update of %s: %d of %d ready%s", name,
			 ready, desired, needed ? needed : "");
	else
		snprintf(out, size, "waiting for %s", what);
}

void wizard_run_draw(wizard_run *r, int y, int h, int width)
{
	const engine_progress *p = &r->pr;
	char line[400], el[16];
	int64_t now = util_mono_ms();
	size_t done;
	tui_progress_style ps = {tui_theme_attr(TUI_ROLE_AVAILABLE), tui_theme_attr(TUI_ROLE_DIM), 0,
			     tui_term_ascii()};
	int top = y;

	pthread_mutex_lock(&r->mu);
	done = steps_done(r);
	if (p->run[0])
		snprintf(line, sizeof(line), " %s: run %s on cluster %s", r->title, p->run, r->cluster);
	else
		snprintf(line, sizeof(line), " %s on cluster %s", r->title, r->cluster);
	tui_text_put(stdscr, y++, 0, width, line, tui_theme_attr(TUI_ROLE_SECTION), 0);
	if (!r->finished) {
		char label[200];

		if (r->have_cur)
			snprintf(label, sizeof(label), "step %zu/%zu %s %s", r->cur + 1, r->n,
				 r->steps[r->cur].action, r->steps[r->cur].id);
		else
			snprintf(label, sizeof(label), "%s", p->phase == ENGINE_IDLE ? "starting" : engine_phase_name(p->phase));
		r->bar.label = label;
		r->bar.fraction = r->n ? (double)done / (double)r->n : -1;
		tui_progress_draw(&r->bar, stdscr, y++, 1, width - 2, now, &ps);
		r->bar.label = "";
		if (p->waiting_for[0]) {
			char words[300];

			plain_wait(p->waiting_for, r->have_cur ? r->steps[r->cur].action : "", words,
				   sizeof(words));
			snprintf(line, sizeof(line), " %s", words);
		}
		else if (r->want_rollback)
			snprintf(line, sizeof(line), " pausing at the next step boundary, then rolling back");
		else
			snprintf(line, sizeof(line), " %s", p->phase == ENGINE_IDLE ? "starting" : engine_phase_name(p->phase));
		tui_text_put(stdscr, y++, 0, width, line, tui_theme_attr(TUI_ROLE_DIM), 0);
		tui_text_put_raw(stdscr, y++, 1, width - 1, "Esc stops the run (asks: pause, roll back or continue)",
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	} else {
		int bad = p->result != ENGINE_OK;

		tui_progress_elapsed(r->end_ms - r->bar.start_ms, el, sizeof(el));
		if (r->mode == WIZARD_RUN_ROLLBACK)
			snprintf(line, sizeof(line), " %s after %s: %zu deleted, %zu restored, %zu kept",
				 outcome(r), el, p->deleted, p->restored, p->kept);
		else
			snprintf(line, sizeof(line), " %s after %s: %zu created, %zu updated, %zu unchanged",
				 outcome(r), el, p->created, p->updated, p->unchanged);
		tui_text_put_raw(stdscr, y++, 0, width, line,
				 tui_theme_attr(bad ? TUI_ROLE_ERROR : TUI_ROLE_AVAILABLE) | A_BOLD, 0);
		y = tui_dialog_put_wrapped(stdscr, p->message, y, y + 5, 3, width - 4, 0); /* 6 lines with the one above */
		if (next_hint(p->next))
			tui_text_put_raw(stdscr, y++, 1, width - 1, next_hint(p->next),
					 tui_theme_attr(TUI_ROLE_DIM), 0);
		tui_text_put_raw(stdscr, y++, 1, width - 1, "Enter or Esc: back", tui_theme_attr(TUI_ROLE_DIM), 0);
	}
	y++;
	if (y < top + h)
		tui_table_draw(&r->table, stdscr, y, 0, top + h - y, width);
	pthread_mutex_unlock(&r->mu);
	if (r->asking)
		draw_box(r, top, h, width);
}

int wizard_run_key(wizard_run *r, int key)
{
	if (r->asking) {
		int pick = -1;

		if (key == TUI_KEY_FN(KEY_LEFT) || key == TUI_KEY_FN(KEY_BTAB))
			r->choice = (r->choice + CHOICE_COUNT - 1) % CHOICE_COUNT;
		else if (key == TUI_KEY_FN(KEY_RIGHT) || key == '\t')
			r->choice = (r->choice + 1) % CHOICE_COUNT;
		else if (key == TUI_KEY_ENTER || key == '\n')
			pick = r->choice;
		else if (key == 'p')
			pick = CHOICE_PAUSE;
		else if (key == 'r')
			pick = CHOICE_ROLLBACK;
		else if (key == 'c' || key == TUI_KEY_ESC)
			pick = CHOICE_CONTINUE;
		if (pick >= 0) {
			r->asking = 0;
			if (!r->finished && r->e && pick != CHOICE_CONTINUE) {
				r->want_rollback = pick == CHOICE_ROLLBACK;
				engine_cancel(r->e);
			}
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (r->finished) {
		if (key == TUI_KEY_ENTER || key == '\n' || key == TUI_KEY_ESC)
			return TUI_HANDLED | TUI_REDRAW | WIZARD_RUN_LEAVE;
		return tui_table_key(&r->table, key);
	}
	if (key == TUI_KEY_ESC) {
		r->asking = 1;
		r->choice = CHOICE_PAUSE;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (tui_table_key(&r->table, key))
		return TUI_HANDLED | TUI_REDRAW;
	if (key == '?' || key == ':')
		return 0; /* help and the command line stay the console's */
	return TUI_HANDLED; /* the run owns the screen: other keys do nothing */
}
