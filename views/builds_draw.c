/* views/builds_draw.c — the custom builds screen drawn: the envs' RPO lines, the
 * history list and the builds_selected build, a build's stages and their log
 * (views/builds_int.h). */
#include "views/builds_int.h"

static void fmt_when(const char *rfc, char *buf, size_t size)
{
	/* "2026-12-04T10:00:00Z" -> "12-04 10:00" */
	if (strlen(rfc) >= 16)
		snprintf(buf, size, "%.5s %.5s", rfc + 5, rfc + 11);
	else
		util_strlcpy(buf, "-", size);
}

static tui_role state_role(const char *state)
{
	if (!strcmp(state, "succeeded"))
		return TUI_ROLE_AVAILABLE;
	if (!strcmp(state, "failed"))
		return TUI_ROLE_DOWN;
	if (!strcmp(state, "running"))
		return TUI_ROLE_WAKING;
	return TUI_ROLE_NORMAL;
}

/* "build 7 (commit 1a2b3c4d5e6f), promoted 12-04 10:00 by admin" */
void builds_rpo_text(const build_info *b, strbuf *sb)
{
	char when[24];

	if (!b->rpo[0]) {
		sb_adds(sb, "no custom RPO");
	} else {
		if (b->build[0])
			sb_addf(sb, "build %s", b->build);
		else
			sb_adds(sb, "RPO ");
		if (b->commit[0])
			sb_addf(sb, " (commit %.12s)", b->commit);
		if (!b->build[0])
			sb_adds(sb, b->rpo);
		if (b->promoted[0]) {
			fmt_when(b->promoted, when, sizeof(when));
			sb_addf(sb, ", promoted %s", when);
			if (b->promoted_by[0])
				sb_addf(sb, " by %s", b->promoted_by);
		}
	}
	if (b->running[0])
		sb_addf(sb, "; build %s running: %s", b->running, b->running_stage[0] ? b->running_stage : "starting");
}

int builds_put(int y, int x, int w, const char *s, int attrs)
{
	return w > 0 ? tui_text_put(stdscr, y, x, w, s, attrs, 0) : 0;
}

static void draw_envs(view_builds *v, int y, int width)
{
	const loaded *l = v->shown;

	for (int k = 0; k < 2; k++) {
		int env = builds_env_order[k];
		strbuf sb;
		int x;

		sb_init(&sb, 160);
		x = tui_text_put_raw(stdscr, y + k, 1, 6, env == TCODE_ENV_PROD ? "prod" : "dev",
				     tui_theme_attr(TUI_ROLE_SECTION), 1);
		if (!l)
			sb_adds(&sb, "loading...");
		else if (!l->info_ok[env])
			sb_addf(&sb, "cannot read: %s", l->info_err[env]);
		else
			builds_rpo_text(&l->info[env], &sb);
		builds_put(y + k, 1 + x + 1, width - x - 2, sb.buf,
		    tui_theme_attr(l && l->info_ok[env] ? TUI_ROLE_NORMAL : TUI_ROLE_DIM));
		sb_release(&sb);
	}
}

#define ROW_FMT "%-3s %-4.4s %-*.*s %-7.7s %-9.9s %-9.9s %-5.5s %-11.11s %-5.5s %s"
/* the REF column: wider when the screen is */
#define REF_WIDTH(w) ((w) >= 100 ? 20 : 8)

static void row_text(const build_entry *e, int rw, char *buf, size_t size)
{
	char started[24], finished[24], promoted[16];

	fmt_when(e->started, started, sizeof(started));
	fmt_when(e->finished, finished, sizeof(finished));
	/* finished: its hour on the day it started, else its day */
	memmove(finished, strncmp(started, finished, 5) ? finished : finished + 6, 6);
	finished[5] = '\0';
	snprintf(promoted, sizeof(promoted), "%s%s%s", e->dev.at[0] ? "dev" : "",
		 e->dev.at[0] && e->prod.at[0] ? "," : "", e->prod.at[0] ? "prod" : "");
	snprintf(buf, size, ROW_FMT, e->id, e->env, rw, rw, e->ref[0] ? e->ref : "-", e->commit[0] ? e->commit : "-",
		 e->state, e->stage[0] ? e->stage : "-", e->gate[0] ? e->gate : "-", started, finished,
		 promoted[0] ? promoted : "-");
}

static void draw_detail(const build_entry *e, int y, int h, int width)
{
	strbuf sb;
	int dim = tui_theme_attr(TUI_ROLE_DIM), n = 0;
	char when[24];

	sb_init(&sb, 256);
	sb_addf(&sb, "build %s: %s", e->id, e->state);
	if (!strcmp(e->state, "failed"))
		sb_addf(&sb, " at %s: %s", e->stage[0] ? e->stage : "?", e->reason[0] ? e->reason : "no reason recorded");
	else if (!strcmp(e->state, "running"))
		sb_addf(&sb, ", stage %s", e->stage[0] ? e->stage : "starting");
	if (n < h)
		builds_put(y + n++, 1, width - 2, sb.buf, tui_theme_attr(state_role(e->state)));
	sb_reset(&sb);
	if (e->gate[0]) {
		sb_addf(&sb, "quality gate %s", e->gate);
		if (e->conditions[0])
			sb_addf(&sb, ": %s", e->conditions);
		if (n < h)
			builds_put(y + n++, 1, width - 2, sb.buf,
			    strcmp(e->gate, "OK") ? tui_theme_attr(TUI_ROLE_DOWN) : 0);
		sb_reset(&sb);
	}
	sb_addf(&sb, "repo %s  ref %s  commit %s", e->repo[0] ? e->repo : "-", e->ref[0] ? e->ref : "-",
		e->commit[0] ? e->commit : "-");
	if (n < h)
		builds_put(y + n++, 1, width - 2, sb.buf, dim);
	sb_reset(&sb);
	sb_addf(&sb, "RPO %s", e->rpo[0] ? e->rpo : "-");
	if (e->dev.at[0]) {
		fmt_when(e->dev.at, when, sizeof(when));
		sb_addf(&sb, "  dev %s by %s", when, e->dev.by[0] ? e->dev.by : "?");
	}
	if (e->prod.at[0]) {
		fmt_when(e->prod.at, when, sizeof(when));
		sb_addf(&sb, "  prod %s by %s", when, e->prod.by[0] ? e->prod.by : "?");
	}
	if (n < h)
		builds_put(y + n++, 1, width - 2, sb.buf, dim);
	sb_release(&sb);
}

static void draw_list(view_builds *v, int y, int h, int width)
{
	const loaded *l = v->shown;
	int end = y + h, rows, top;
	char buf[512];

	draw_envs(v, y, width);
	y += 3;
	snprintf(buf, sizeof(buf), ROW_FMT, "ID", "ENV", REF_WIDTH(width), REF_WIDTH(width), "REF", "COMMIT", "STATE", "STAGE", "GATE", "STARTED",
		 "ENDED", "PROMOTED");
	if (y < end)
		builds_put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_HEADER));
	if (!l || !l->history) {
		if (y < end)
			tui_text_put_raw(stdscr, y, 1, width - 2, "loading the builds...", tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	if (!l->hist_ok && y < end)
		builds_put(y++, 1, width - 2, l->hist_err, tui_theme_attr(TUI_ROLE_ERROR));
	if (!l->n) {
		if (y < end)
			tui_text_put_raw(stdscr, y, 1, width - 2,
					 "No custom builds recorded for this tenant (ConfigMap custom-builds of each env).",
					 tui_theme_attr(TUI_ROLE_DIM), 0);
		return;
	}
	rows = end - y - (DETAIL_LINES + 1);
	if (rows < 1)
		rows = 1;
	top = (int)v->sel >= rows ? (int)v->sel - rows + 1 : 0;
	for (int i = 0; i < rows && top + i < (int)l->n && y < end; i++) {
		const build_entry *e = &l->v[top + i];
		int sel = (size_t)(top + i) == v->sel;

		row_text(e, REF_WIDTH(width), buf, sizeof(buf));
		tui_text_fill(stdscr, y, 0, width, sel ? tui_theme_attr(TUI_ROLE_SELECTED) : 0);
		builds_put(y, 1, width - 2, buf, sel ? tui_theme_attr(TUI_ROLE_SELECTED) : tui_theme_attr(state_role(e->state)));
		y++;
	}
	y++; /* a blank line, then the builds_selected build */
	if (y < end)
		draw_detail(&l->v[v->sel], y, end - y, width);
}

static void draw_stages(app *a, view_builds *v, int y, int h, int width)
{
	const loaded *l = v->shown;
	const build_stages *bs = l && l->stages_ok && !strcmp(l->stage_id, v->open.id) ? &l->stages : NULL;
	int end = y + h, dim = tui_theme_attr(TUI_ROLE_DIM);
	char buf[600];
	tui_logpane_style ps = {0};
	strbuf sb;

	row_text(&v->open, REF_WIDTH(width), buf, sizeof(buf));
	builds_put(y++, 1, width - 2, buf, tui_theme_attr(state_role(v->open.state)));
	if (v->open.gate[0] && strcmp(v->open.gate, "OK") && y < end) {
		snprintf(buf, sizeof(buf), "quality gate %s: %s", v->open.gate,
			 v->open.conditions[0] ? v->open.conditions : "no conditions recorded");
		builds_put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_DOWN));
	}
	if (!bs) {
		if (y < end)
			builds_put(y++, 1, width - 2, l && l->stage_err[0] && !strcmp(l->stage_id, v->open.id) ? l->stage_err : "loading the stages...",
			    dim);
		return;
	}
	if (y < end) {
		if (bs->from_history)
			snprintf(buf, sizeof(buf), "stages (from the history: %s)",
				 bs->job ? "the Job has no pod" : "its Job is gone");
		else
			snprintf(buf, sizeof(buf), "stages of pod %s", bs->pod);
		builds_put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_SECTION));
	}
	for (size_t i = 0; i < bs->n && y < end; i++, y++) {
		const build_stage *s = &bs->st[i];
		int sel = i == v->stage_sel;

		snprintf(buf, sizeof(buf), "%s %zu %-10s %-9s %s%s%s", sel ? ">" : " ", i + 1, s->name,
			 build_stage_state_name(s->state), s->reason, s->reason[0] && s->message[0] ? ": " : "",
			 s->message);
		if (sel)
			tui_text_fill(stdscr, y, 0, width, tui_theme_attr(TUI_ROLE_SELECTED));
		builds_put(y, 1, width - 2, buf,
		    sel ? tui_theme_attr(TUI_ROLE_SELECTED)
			: tui_theme_attr(s->state == BUILD_STAGE_FAILED	   ? TUI_ROLE_DOWN
					 : s->state == BUILD_STAGE_SUCCEEDED ? TUI_ROLE_AVAILABLE
					 : s->state == BUILD_STAGE_RUNNING   ? TUI_ROLE_WAKING
									     : TUI_ROLE_DIM));
	}
	if (y + 2 >= end)
		return;
	snprintf(buf, sizeof(buf), "log of stage %s", v->lr_stage[0] ? v->lr_stage : "-");
	builds_put(y++, 1, width - 2, buf, tui_theme_attr(TUI_ROLE_SECTION));
	if (v->log_note[0] || !v->lr) {
		builds_put(y, 2, width - 3, v->log_note[0] ? v->log_note : "no log", dim);
		return;
	}
	ps.text = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
	ps.match = (attr_t)tui_theme_attr(TUI_ROLE_SELECTED) | A_BOLD;
	ps.ascii = tui_term_ascii();
	tui_logpane_draw(&v->pane, stdscr, y, 0, end - y - 1, width, &ps);
	sb_init(&sb, 160);
	sb_addf(&sb, " [%s]  ", v->lr_stage);
	tui_logpane_status(&v->pane, &sb);
	if (atomic_load(&v->lr->done))
		sb_addf(&sb, "  %s", v->lr->end);
	builds_put(end - 1, 0, width, sb.buf, tui_theme_attr(TUI_ROLE_STATUS));
	sb_release(&sb);
	(void)a;
}

void view_builds_draw(app *a, int y, int h, int width)
{
	view_builds *v = a->vb;

	if (v->run) {
		wizard_run_draw(v->run, y, h, width);
		return;
	}
	if (v->mode == MODE_STAGES)
		draw_stages(a, v, y, h, width);
	else
		draw_list(v, y, h, width);
	if (v->job && h > 1)
		tui_text_put_raw(stdscr, y + h - 1, 1, width - 2,
				 v->job->kind == JOB_PLAN ? "planning the promotion..." : "finding the promotion to go back from...",
				 tui_theme_attr(TUI_ROLE_DIM), 0);
	builds_draw_ask(v, width);
}
