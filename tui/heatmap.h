/* tui/heatmap.h — a 7x24 grid (rows: days, columns: hours) of values shaded
 * in levels: UTF-8 shade blocks " ░▒▓█" or, in ASCII, " .:-=+*#%@". Cells
 * may be marked (e.g. forecast windows): a marked cell gets the style's mark
 * attribute and a mark glyph ("•" / "^") in its last column. Hours label the
 * top, the caller's row labels the left. Fits 80 columns: 24 cells of 3
 * columns (or 2 when narrow) plus the labels.
 *
 * The caller owns the struct and the label strings. Drawing is UI thread only.
 */
#ifndef TUI_HEATMAP_H
#define TUI_HEATMAP_H

#include "tui/wtext.h"

#define TUI_HEATMAP_ROWS 7
#define TUI_HEATMAP_COLS 24
#define TUI_HEATMAP_MAX_LEVELS 10

typedef struct tui_heatmap_style {
	attr_t label;			   /* axis labels */
	attr_t level[TUI_HEATMAP_MAX_LEVELS]; /* per level, e.g. colour pairs; 0 = A_NORMAL */
	attr_t mark;			   /* added to marked cells, e.g. A_BOLD or a pair */
	int ascii;			   /* ASCII glyphs only */
} tui_heatmap_style;

typedef struct tui_heatmap {
	double value[TUI_HEATMAP_ROWS][TUI_HEATMAP_COLS];
	double max;				  /* scale top; <= 0: the largest value */
	unsigned char mark[TUI_HEATMAP_ROWS][TUI_HEATMAP_COLS]; /* non-zero: marked */
	const char *row_label[TUI_HEATMAP_ROWS];	  /* e.g. "Mon"; outside text, escaped */
} tui_heatmap;

/* Number of levels (glyphs) in a mode: 5 in UTF-8, 10 in ASCII. */
int tui_heatmap_levels(int ascii);
/* The level of v on a scale 0..max in `levels` levels: 0 for v <= 0 only, any
 * value above 0 at least 1, max and above levels-1. */
int tui_heatmap_level(double v, double max, int levels);
/* The glyph of a level (a UTF-8 or ASCII string). */
const char *tui_heatmap_glyph(int level, int ascii);

/* Width of the row labels (longest label + 1). */
int tui_heatmap_label_width(const tui_heatmap *h);
/* Cell width that fits `width` columns: 3, 2, or 0 when it does not fit. */
int tui_heatmap_cell_width(const tui_heatmap *h, int width);
/* Draws the hour header and 7 rows (8 rows) at y,x within width columns.
 * Returns the rows used, or -1 (nothing drawn) when width is too small. */
int tui_heatmap_draw(const tui_heatmap *h, WINDOW *win, int y, int x, int width, const tui_heatmap_style *st);
/* One line: "low ░▒▓█ high  • <mark_label>" (mark part only when mark_label). */
void tui_heatmap_draw_legend(WINDOW *win, int y, int x, int width, const char *mark_label,
			 const tui_heatmap_style *st);

#endif
