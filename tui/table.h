/* tui/table.h — a virtual table: the caller says how many rows there are
 * and hands out one cell at a time, so only the visible rows cost anything
 * (5,000 rows draw as fast as 20). Columns get their preferred widths, the
 * widest give way first when the window is narrow, the flex column takes
 * what is left. Sorting and filtering are the caller's (it owns the rows).
 * UI thread only.
 */
#ifndef TUI_TABLE_H
#define TUI_TABLE_H

#include <stddef.h>

#include "tui/term.h"

#define TUI_TABLE_MAX_COLS 16

typedef struct tui_column {
	const char *title;
	int width; /* preferred */
	int min;   /* never narrower */
	int flex;  /* takes the space left over */
} tui_column;

/* Cell text of row, col (may use buf); *attrs may be set (default: normal). */
typedef const char *(*tui_cell_fn)(void *ctx, size_t row, size_t col, char *buf, size_t size,
				   int *attrs);

typedef struct tui_table {
	const tui_column *cols;
	size_t n_cols;
	size_t n_rows;
	size_t cursor, top;
	int sort_col;  /* column shown as sorted, -1: none */
	int sort_desc; /* arrow down */
	tui_cell_fn cell;
	void *ctx;
	int page; /* rows drawn last time (for PgUp/PgDn) */
} tui_table;

void tui_table_init(tui_table *t, const tui_column *cols, size_t n_cols, tui_cell_fn cell,
		    void *ctx);
/* New row count; the cursor stays in range. */
void tui_table_set_rows(tui_table *t, size_t n);
void tui_table_set_cursor(tui_table *t, size_t row);
/* Header on line y, rows below, h lines in all, width columns from x. */
void tui_table_draw(tui_table *t, WINDOW *w, int y, int x, int h, int width);
/* The rows the next draw shows at the height drawn last: first, and n of
 * them (0 when there are none). */
void tui_table_visible(const tui_table *t, size_t *first, size_t *n);
/* Up, Down, PgUp, PgDn, Home, End (and j/k): TUI_HANDLED|TUI_REDRAW, else 0. */
int tui_table_key(tui_table *t, int key);
/* Column widths for a total width (exposed for tests). */
void tui_table_widths(const tui_column *cols, size_t n, int width, int *out);

#endif
