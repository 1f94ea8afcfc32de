/* tui/heatmap.c — a 7x24 shaded grid. */
#include <math.h>
#include <stdio.h>

#include "tui/heatmap.h"
#include "util/termtext.h"

static const char *const utf8_glyphs[] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93",
					  "\xe2\x96\x88"};
static const char *const ascii_glyphs[] = {" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"};
#define MARK_UTF8 "\xe2\x80\xa2" /* • */
#define MARK_ASCII "^"

int tui_heatmap_levels(int ascii)
{
	return ascii ? (int)ARRAY_SIZE(ascii_glyphs) : (int)ARRAY_SIZE(utf8_glyphs);
}

int tui_heatmap_level(double v, double max, int levels)
{
	double l;

	if (!(v > 0) || levels < 2)
		return 0;
	if (!(max > 0) || v >= max)
		return levels - 1;
	l = ceil(v / max * (levels - 1));
	if (l < 1)
		l = 1;
	if (l > levels - 1)
		l = levels - 1;
	return (int)l;
}

const char *tui_heatmap_glyph(int level, int ascii)
{
	int n = tui_heatmap_levels(ascii);

	if (level < 0)
		level = 0;
	if (level >= n)
		level = n - 1;
	return ascii ? ascii_glyphs[level] : utf8_glyphs[level];
}

int tui_heatmap_label_width(const tui_heatmap *h)
{
	size_t w = 0;

	for (int r = 0; r < TUI_HEATMAP_ROWS; r++) {
		size_t lw = h->row_label[r] ? termtext_width(h->row_label[r]) : 0;
		if (lw > w)
			w = lw;
	}
	return w ? (int)w + 1 : 0;
}

int tui_heatmap_cell_width(const tui_heatmap *h, int width)
{
	int avail = width - tui_heatmap_label_width(h);

	if (avail >= 3 * TUI_HEATMAP_COLS)
		return 3;
	if (avail >= 2 * TUI_HEATMAP_COLS)
		return 2;
	return 0;
}

static double scale_max(const tui_heatmap *h)
{
	double m = h->max;

	if (m > 0)
		return m;
	for (int r = 0; r < TUI_HEATMAP_ROWS; r++)
		for (int c = 0; c < TUI_HEATMAP_COLS; c++)
			if (h->value[r][c] > m)
				m = h->value[r][c];
	return m;
}

static void draw_header(WINDOW *win, int y, int x, int cw, const tui_heatmap_style *st)
{
	char num[12]; /* "%02d" of an int, as the compiler counts it */
	int every = cw >= 3 ? 1 : 3;

	tui_wtext_fill(win, y, x, TUI_HEATMAP_COLS * cw, A_NORMAL);
	for (int c = 0; c < TUI_HEATMAP_COLS; c += every) {
		snprintf(num, sizeof(num), "%02d", c);
		tui_wtext_put_raw(win, y, x + c * cw, 2, num, st->label);
	}
}

int tui_heatmap_draw(const tui_heatmap *h, WINDOW *win, int y, int x, int width, const tui_heatmap_style *st)
{
	int lw = tui_heatmap_label_width(h), cw = tui_heatmap_cell_width(h, width);
	int levels = tui_heatmap_levels(st->ascii);
	double max = scale_max(h);
	const char *mark = st->ascii ? MARK_ASCII : MARK_UTF8;

	if (cw == 0)
		return -1;
	if (lw)
		tui_wtext_fill(win, y, x, lw, A_NORMAL);
	draw_header(win, y, x + lw, cw, st);
	for (int r = 0; r < TUI_HEATMAP_ROWS; r++) {
		int ry = y + 1 + r;
		if (lw)
			tui_wtext_put(win, ry, x, lw, h->row_label[r] ? h->row_label[r] : "", st->label,
				  st->ascii, 1);
		for (int c = 0; c < TUI_HEATMAP_COLS; c++) {
			int lv = tui_heatmap_level(h->value[r][c], max, levels);
			attr_t a = st->level[lv];
			const char *g = tui_heatmap_glyph(lv, st->ascii);
			int cx = x + lw + c * cw;
			if (h->mark[r][c])
				a |= st->mark;
			for (int k = 0; k < cw - 1; k++)
				tui_wtext_put_raw(win, ry, cx + k, 1, g, a);
			tui_wtext_put_raw(win, ry, cx + cw - 1, 1, h->mark[r][c] ? mark : " ",
				      h->mark[r][c] ? st->mark : A_NORMAL);
		}
	}
	return TUI_HEATMAP_ROWS + 1;
}

void tui_heatmap_draw_legend(WINDOW *win, int y, int x, int width, const char *mark_label,
			 const tui_heatmap_style *st)
{
	int n = tui_heatmap_levels(st->ascii), col = 0;

	tui_wtext_fill(win, y, x, width, A_NORMAL);
	col += tui_wtext_put_raw(win, y, x + col, width - col, "low ", st->label);
	for (int l = 1; l < n && col < width; l++)
		col += tui_wtext_put_raw(win, y, x + col, 1, tui_heatmap_glyph(l, st->ascii), st->level[l]);
	col += tui_wtext_put_raw(win, y, x + col, width - col, " high", st->label);
	if (mark_label && col + 4 < width) {
		col += 2;
		col += tui_wtext_put_raw(win, y, x + col, 1, st->ascii ? MARK_ASCII : MARK_UTF8, st->mark);
		col += 1;
		tui_wtext_put(win, y, x + col, width - col, mark_label, st->label, st->ascii, 0);
	}
}
