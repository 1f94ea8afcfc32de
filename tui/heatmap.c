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

int heatmap_levels(int ascii)
{
	return ascii ? (int)ARRAY_SIZE(ascii_glyphs) : (int)ARRAY_SIZE(utf8_glyphs);
}

int heatmap_level(double v, double max, int levels)
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

const char *heatmap_glyph(int level, int ascii)
{
	int n = heatmap_levels(ascii);

	if (level < 0)
		level = 0;
	if (level >= n)
		level = n - 1;
	return ascii ? ascii_glyphs[level] : utf8_glyphs[level];
}

int heatmap_label_width(const heatmap *h)
{
	size_t w = 0;

	for (int r = 0; r < HEATMAP_ROWS; r++) {
		size_t lw = h->row_label[r] ? termtext_width(h->row_label[r]) : 0;
		if (lw > w)
			w = lw;
	}
	return w ? (int)w + 1 : 0;
}

int heatmap_cell_width(const heatmap *h, int width)
{
	int avail = width - heatmap_label_width(h);

	if (avail >= 3 * HEATMAP_COLS)
		return 3;
	if (avail >= 2 * HEATMAP_COLS)
		return 2;
	return 0;
}

static double scale_max(const heatmap *h)
{
	double m = h->max;

	if (m > 0)
		return m;
	for (int r = 0; r < HEATMAP_ROWS; r++)
		for (int c = 0; c < HEATMAP_COLS; c++)
			if (h->value[r][c] > m)
				m = h->value[r][c];
	return m;
}

static void draw_header(WINDOW *win, int y, int x, int cw, const heatmap_style *st)
{
	char num[12]; /* "%02d" of an int, as the compiler counts it */
	int every = cw >= 3 ? 1 : 3;

	wtext_fill(win, y, x, HEATMAP_COLS * cw, A_NORMAL);
	for (int c = 0; c < HEATMAP_COLS; c += every) {
		snprintf(num, sizeof(num), "%02d", c);
		wtext_put_raw(win, y, x + c * cw, 2, num, st->label);
	}
}

int heatmap_draw(const heatmap *h, WINDOW *win, int y, int x, int width, const heatmap_style *st)
{
	int lw = heatmap_label_width(h), cw = heatmap_cell_width(h, width);
	int levels = heatmap_levels(st->ascii);
	double max = scale_max(h);
	const char *mark = st->ascii ? MARK_ASCII : MARK_UTF8;

	if (cw == 0)
		return -1;
	if (lw)
		wtext_fill(win, y, x, lw, A_NORMAL);
	draw_header(win, y, x + lw, cw, st);
	for (int r = 0; r < HEATMAP_ROWS; r++) {
		int ry = y + 1 + r;
		if (lw)
			wtext_put(win, ry, x, lw, h->row_label[r] ? h->row_label[r] : "", st->label,
				  st->ascii, 1);
		for (int c = 0; c < HEATMAP_COLS; c++) {
			int lv = heatmap_level(h->value[r][c], max, levels);
			attr_t a = st->level[lv];
			const char *g = heatmap_glyph(lv, st->ascii);
			int cx = x + lw + c * cw;
			if (h->mark[r][c])
				a |= st->mark;
			for (int k = 0; k < cw - 1; k++)
				wtext_put_raw(win, ry, cx + k, 1, g, a);
			wtext_put_raw(win, ry, cx + cw - 1, 1, h->mark[r][c] ? mark : " ",
				      h->mark[r][c] ? st->mark : A_NORMAL);
		}
	}
	return HEATMAP_ROWS + 1;
}

void heatmap_draw_legend(WINDOW *win, int y, int x, int width, const char *mark_label,
			 const heatmap_style *st)
{
	int n = heatmap_levels(st->ascii), col = 0;

	wtext_fill(win, y, x, width, A_NORMAL);
	col += wtext_put_raw(win, y, x + col, width - col, "low ", st->label);
	for (int l = 1; l < n && col < width; l++)
		col += wtext_put_raw(win, y, x + col, 1, heatmap_glyph(l, st->ascii), st->level[l]);
	col += wtext_put_raw(win, y, x + col, width - col, " high", st->label);
	if (mark_label && col + 4 < width) {
		col += 2;
		col += wtext_put_raw(win, y, x + col, 1, st->ascii ? MARK_ASCII : MARK_UTF8, st->mark);
		col += 1;
		wtext_put(win, y, x + col, width - col, mark_label, st->label, st->ascii, 0);
	}
}
