/* tui/menu.c — a pick list in a box. */
#include "tui/keymap.h"
#include "tui/menu.h"
#include "tui/wtext.h"

#define MAX_W 76

void tui_menu_init(tui_menu *m, const char *title)
{
	memset(m, 0, sizeof(*m));
	util_strlcpy(m->title, title ? title : "", sizeof(m->title));
}

int tui_menu_add(tui_menu *m, const char *label, const char *note, int hotkey, int greyed)
{
	tui_menu_item *it;

	if (m->n >= TUI_MENU_MAX_ITEMS)
		return -1;
	it = &m->items[m->n];
	memset(it, 0, sizeof(*it));
	util_strlcpy(it->label, label ? label : "", sizeof(it->label));
	util_strlcpy(it->note, note ? note : "", sizeof(it->note));
	it->hotkey = hotkey;
	it->greyed = greyed;
	return m->n++;
}

static enum menu_result pick(const tui_menu *m, int i, int *picked)
{
	*picked = i;
	return m->items[i].greyed ? MENU_GREYED : MENU_PICKED;
}

enum menu_result tui_menu_key(tui_menu *m, int key, int *picked)
{
	int i;

	*picked = -1;
	switch (key) {
	case TUI_KEY_ESC:
	case 'q':
	case TUI_KEY_FN(KEY_LEFT):
		return MENU_CLOSED;
	case TUI_KEY_FN(KEY_UP):
	case 'k':
		if (m->sel > 0)
			m->sel--;
		return MENU_HANDLED;
	case TUI_KEY_FN(KEY_DOWN):
	case 'j':
		if (m->sel + 1 < m->n)
			m->sel++;
		return MENU_HANDLED;
	case TUI_KEY_FN(KEY_HOME):
		m->sel = 0;
		return MENU_HANDLED;
	case TUI_KEY_FN(KEY_END):
		m->sel = m->n ? m->n - 1 : 0;
		return MENU_HANDLED;
	case TUI_KEY_ENTER:
	case '\n':
	case TUI_KEY_FN(KEY_ENTER):
		return m->n ? pick(m, m->sel, picked) : MENU_HANDLED;
	default:
		for (i = 0; i < m->n; i++)
			if (m->items[i].hotkey && m->items[i].hotkey == key) {
				m->sel = i;
				return pick(m, i, picked);
			}
		return MENU_HANDLED;
	}
}

static void frame(WINDOW *win, int y, int x, int h, int w, const tui_menu_style *st)
{
	const char *hl = st->ascii ? "-" : "\xe2\x94\x80", *vl = st->ascii ? "|" : "\xe2\x94\x82";
	const char *tl = st->ascii ? "+" : "\xe2\x94\x8c", *tr = st->ascii ? "+" : "\xe2\x94\x90";
	const char *bl = st->ascii ? "+" : "\xe2\x94\x94", *br = st->ascii ? "+" : "\xe2\x94\x98";
	int i;

	for (i = 1; i < w - 1; i++) {
		tui_wtext_put_raw(win, y, x + i, 1, hl, (attr_t)st->frame);
		tui_wtext_put_raw(win, y + h - 1, x + i, 1, hl, (attr_t)st->frame);
	}
	for (i = 1; i < h - 1; i++) {
		tui_wtext_put_raw(win, y + i, x, 1, vl, (attr_t)st->frame);
		tui_wtext_put_raw(win, y + i, x + w - 1, 1, vl, (attr_t)st->frame);
	}
	tui_wtext_put_raw(win, y, x, 1, tl, (attr_t)st->frame);
	tui_wtext_put_raw(win, y, x + w - 1, 1, tr, (attr_t)st->frame);
	tui_wtext_put_raw(win, y + h - 1, x, 1, bl, (attr_t)st->frame);
	tui_wtext_put_raw(win, y + h - 1, x + w - 1, 1, br, (attr_t)st->frame);
}

static size_t cols_of(const char *s, int ascii)
{
	strbuf sb;
	size_t n;

	sb_init(&sb, 64);
	tui_wtext_escape(&sb, s, ascii);
	n = tui_wtext_cols(sb.buf);
	sb_release(&sb);
	return n;
}

void tui_menu_draw(tui_menu *m, WINDOW *win, const tui_menu_style *st)
{
	int sh = getmaxy(win), sw = getmaxx(win), lw = 0, nw = 0, bw, bh, by, bx, rows, i;
	const char *hint = "Enter pick  Esc cancel";

	for (i = 0; i < m->n; i++) {
		int l = (int)cols_of(m->items[i].label, st->ascii) + (m->items[i].hotkey ? 4 : 0);
		int n = (int)cols_of(m->items[i].note, st->ascii);
		if (l > lw)
			lw = l;
		if (n > nw)
			nw = n;
	}
	bw = lw + (nw ? nw + 2 : 0);
	if ((int)cols_of(m->title, st->ascii) + 2 > bw)
		bw = (int)cols_of(m->title, st->ascii) + 2;
	if ((int)strlen(hint) > bw)
		bw = (int)strlen(hint);
	bw += 4;
	if (bw > MAX_W)
		bw = MAX_W;
	if (bw > sw)
		bw = sw;
	rows = m->n;
	if (rows > sh - 4)
		rows = sh - 4;
	if (rows < 1 || bw < 12)
		return;
	bh = rows + 4; /* frame, items, blank, hint */
	by = (sh - bh) / 2;
	bx = (sw - bw) / 2;
	if (m->sel < m->top)
		m->top = m->sel;
	if (m->sel >= m->top + rows)
		m->top = m->sel - rows + 1;

	for (i = 0; i < bh; i++)
		tui_wtext_fill(win, by + i, bx, bw, (attr_t)st->text);
	frame(win, by, bx, bh, bw, st);
	if (m->title[0]) {
		strbuf t;
		sb_init(&t, 64);
		sb_adds(&t, " ");
		tui_wtext_escape(&t, m->title, st->ascii);
		sb_adds(&t, " ");
		tui_wtext_put_raw(win, by, bx + 2, bw - 4, t.buf, (attr_t)st->title);
		sb_release(&t);
	}
	for (i = 0; i < rows; i++) {
		const tui_menu_item *it = &m->items[m->top + i];
		int y = by + 1 + i, x = bx + 2, w = bw - 4, sel = m->top + i == m->sel;
		int attr = sel ? st->selected : it->greyed ? st->greyed : st->text, used = 0;
		tui_wtext_fill(win, y, x, w, (attr_t)attr);
		if (it->hotkey) {
			char hk[8];
			tui_key_name(it->hotkey, hk, sizeof(hk));
			used += tui_wtext_put(win, y, x, 4, hk, (attr_t)attr, st->ascii, 1);
		}
		used += tui_wtext_put(win, y, x + used, w - used, it->label, (attr_t)attr, st->ascii, 0);
		if (it->note[0] && lw + 2 < w)
			tui_wtext_put(win, y, x + lw + 2, w - lw - 2, it->note,
				  (attr_t)(sel ? st->selected : it->greyed ? st->greyed : st->note),
				  st->ascii, 0);
	}
	tui_wtext_put_raw(win, by + bh - 2, bx + 2, bw - 4, hint, (attr_t)st->note);
}
