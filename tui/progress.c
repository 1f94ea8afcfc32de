/* tui/progress.c — bar, spinner, elapsed time. */
#include <stdio.h>

#include "tui/progress.h"
#include "util/termtext.h"

static const char *const spin_ascii[] = {"|", "/", "-", "\\"};
static const char *const spin_utf8[] = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9",
					"\xe2\xa0\xb8", "\xe2\xa0\xbc", "\xe2\xa0\xb4",
					"\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87",
					"\xe2\xa0\x8f"}; /* ⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ */
/* ▏▎▍▌▋▊▉█: 1/8 .. 8/8 of a cell */
static const char *const eighths[] = {"\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d",
				      "\xe2\x96\x8c", "\xe2\x96\x8b", "\xe2\x96\x8a",
				      "\xe2\x96\x89", "\xe2\x96\x88"};

void tui_progress_init(tui_progress *p, const char *label, int64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->fraction = -1;
	p->start_ms = now_ms;
}

void tui_progress_tick(tui_progress *p)
{
	p->tick++;
}

const char *tui_progress_spinner(unsigned tick, int ascii)
{
	return ascii ? spin_ascii[tick % ARRAY_SIZE(spin_ascii)] : spin_utf8[tick % ARRAY_SIZE(spin_utf8)];
}

void tui_progress_elapsed(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

static double clamp01(double f)
{
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

void tui_progress_draw_bar(WINDOW *win, int y, int x, int width, double fraction,
		       const tui_progress_style *st)
{
	double f = clamp01(fraction);

	if (st->ascii) {
		int inner = width - 2, full;
		if (inner < 1)
			return;
		full = (int)(f * inner + 0.5);
		tui_wtext_put_raw(win, y, x, 1, "[", st->text);
		for (int i = 0; i < inner; i++)
			tui_wtext_put_raw(win, y, x + 1 + i, 1, i < full ? "#" : ".", i < full ? st->bar : st->empty);
		tui_wtext_put_raw(win, y, x + 1 + inner, 1, "]", st->text);
		return;
	}
	{
		int units = (int)(f * width * 8 + 0.5), i;
		for (i = 0; i < width; i++) {
			int u = units - i * 8;
			if (u >= 8)
				tui_wtext_put_raw(win, y, x + i, 1, eighths[7], st->bar);
			else if (u > 0)
				tui_wtext_put_raw(win, y, x + i, 1, eighths[u - 1], st->bar);
			else
				tui_wtext_fill(win, y, x + i, 1, st->empty);
		}
	}
}

void tui_progress_draw(const tui_progress *p, WINDOW *win, int y, int x, int width, int64_t now_ms,
		   const tui_progress_style *st)
{
	char tail[32], el[16];
	int col = 0, tail_w, label_w;

	if (width <= 0)
		return;
	tui_wtext_fill(win, y, x, width, st->text);
	tui_progress_elapsed(now_ms - p->start_ms, el, sizeof(el));
	if (p->fraction >= 0)
		snprintf(tail, sizeof(tail), " %3d%%  %s", (int)(clamp01(p->fraction) * 100 + 0.5), el);
	else
		snprintf(tail, sizeof(tail), "  %s", el);
	tail_w = (int)strlen(tail);

	if (p->fraction < 0 || p->fraction < 1)
		col += tui_wtext_put_raw(win, y, x, width, tui_progress_spinner(p->tick, st->ascii), st->text);
	else
		col += tui_wtext_put_raw(win, y, x, width, st->ascii ? "+" : "\xe2\x9c\x93", st->text);
	col++;
	label_w = p->label ? (int)termtext_width(p->label) : 0;
	if (p->fraction >= 0) {
		int bar_w, room = width - col - tail_w;
		if (label_w > room - 12)
			label_w = room - 12; /* the bar keeps at least 10 columns */
		if (label_w > 0) {
			col += tui_wtext_put(win, y, x + col, label_w, p->label, st->text, st->ascii, 0);
			col += 2;
		}
		bar_w = width - col - tail_w;
		if (bar_w > 3) {
			tui_progress_draw_bar(win, y, x + col, bar_w, p->fraction, st);
			col += bar_w;
		}
	} else if (p->label) {
		col += tui_wtext_put(win, y, x + col, width - col - tail_w, p->label, st->text, st->ascii, 0);
	}
	tui_wtext_put_raw(win, y, x + col, width - col, tail, st->text);
}
