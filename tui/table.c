/* tui/table.c — virtual rows, fitted columns. */
#include "tui/keymap.h"
#include "tui/loop.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "util/util.h"

void tui_table_init(tui_table *t, const tui_column *cols, size_t n_cols, tui_cell_fn cell,
		    void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->n_cols = n_cols < TUI_TABLE_MAX_COLS ? n_cols : TUI_TABLE_MAX_COLS;
	t->cell = cell;
	t->ctx = ctx;
	t->sort_col = -1;
	t->page = 10;
}

void tui_table_set_rows(tui_table *t, size_t n)
{
	t->n_rows = n;
	if (t->cursor >= n)
		t->cursor = n ? n - 1 : 0;
	if (t->top > t->cursor)
		t->top = t->cursor;
}

void tui_table_set_cursor(tui_table *t, size_t row)
{
	t->cursor = row < t->n_rows ? row : t->n_rows ? t->n_rows - 1 : 0;
}

void tui_table_widths(const tui_column *cols, size_t n, int width, int *out)
{
	int total = 0, flex = -1;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		out[i] = cols[i].width;
		total += out[i] + (i ? 1 : 0);
		if (cols[i].flex && flex < 0)
			flex = (int)i;
	}
	/* Too wide: take a column from the one with most room above its min. */
	while (total > width) {
		int best = -1, room = 0;
		for (i = 0; i < n; i++)
			if (out[i] - cols[i].min > room) {
				room = out[i] - cols[i].min;
				best = (int)i;
			}
		if (best < 0)
			break;
		out[best]--;
		total--;
	}
	if (total < width)
		out[flex >= 0 ? (size_t)flex : n - 1] += width - total;
}

/* The first row shown on a page of t->page rows: the cursor in sight, no
 * empty lines below the last row when there are rows enough. */
static size_t top_for(const tui_table *t)
{
	size_t top = t->top, page = (size_t)t->page;

	if (t->cursor < top)
		top = t->cursor;
	if (t->cursor >= top + page)
		top = t->cursor - page + 1;
	if (top + page > t->n_rows)
		top = t->n_rows > page ? t->n_rows - page : 0;
	return top;
}

void tui_table_visible(const tui_table *t, size_t *first, size_t *n)
{
	size_t top = top_for(t);

	*first = top;
	*n = top < t->n_rows ? t->n_rows - top : 0;
	if (*n > (size_t)t->page)
		*n = (size_t)t->page;
}

void tui_table_draw(tui_table *t, WINDOW *w, int y, int x, int h, int width)
{
	int widths[TUI_TABLE_MAX_COLS], hdr = tui_theme_attr(TUI_ROLE_HEADER);
	int sel = tui_theme_attr(TUI_ROLE_SELECTED);
	size_t c, r;
	int cx, line;

	if (h < 1 || width < 1)
		return;
	tui_table_widths(t->cols, t->n_cols, width, widths);
	tui_text_fill(w, y, x, width, hdr);
	for (c = 0, cx = x; c < t->n_cols; c++) {
		char title[64];
		if ((int)c == t->sort_col)
			snprintf(title, sizeof(title), "%s%s", t->cols[c].title,
				 tui_glyph_str(t->sort_desc ? TUI_G_DOWN : TUI_G_UP));
		else
			util_strlcpy(title, t->cols[c].title, sizeof(title));
		tui_text_put_raw(w, y, cx, widths[c], title, hdr, 1);
		cx += widths[c] + 1;
	}
	t->page = h - 1 > 0 ? h - 1 : 1;
	t->top = top_for(t);
	for (line = 1, r = t->top; line < h; line++, r++) {
		int is_sel = r == t->cursor;
		if (r >= t->n_rows) {
			tui_text_fill(w, y + line, x, width, 0);
			continue;
		}
		tui_text_fill(w, y + line, x, width, is_sel ? sel : 0);
		for (c = 0, cx = x; c < t->n_cols; c++) {
			char buf[256];
			int attrs = 0;
			const char *s = t->cell(t->ctx, r, c, buf, sizeof(buf), &attrs);
			tui_text_put(w, y + line, cx, widths[c], s, is_sel ? sel : attrs, 1);
			cx += widths[c] + 1;
		}
	}
}

int tui_table_key(tui_table *t, int key)
{
	size_t old = t->cursor, page = (size_t)(t->page > 1 ? t->page - 1 : 1);

	switch (key) {
	case TUI_KEY_FN(KEY_UP):
	case 'k':
		if (t->cursor)
			t->cursor--;
		break;
	case TUI_KEY_FN(KEY_DOWN):
	case 'j':
		if (t->cursor + 1 < t->n_rows)
			t->cursor++;
		break;
	case TUI_KEY_FN(KEY_PPAGE):
		t->cursor = t->cursor > page ? t->cursor - page : 0;
		break;
	case TUI_KEY_FN(KEY_NPAGE):
	case ' ':
		t->cursor += page;
		if (t->cursor >= t->n_rows)
			t->cursor = t->n_rows ? t->n_rows - 1 : 0;
		break;
	case TUI_KEY_FN(KEY_HOME):
	case 'g':
		t->cursor = 0;
		break;
	case TUI_KEY_FN(KEY_END):
	case 'G':
		t->cursor = t->n_rows ? t->n_rows - 1 : 0;
		break;
	default:
		return 0;
	}
	return TUI_HANDLED | (old != t->cursor ? TUI_REDRAW : 0);
}
