/* tui/dialog.c — confirmation and message boxes. */
#include "tui/dialog.h"
#include "tui/text.h"

#define KEY_ESC 27
#define MAX_TEXT_W 60

void tui_dialog_confirm_init(tui_dialog *d, const char *title, const char *message, const char *yes_label)
{
	memset(d, 0, sizeof(*d));
	d->kind = TUI_DIALOG_CONFIRM;
	d->title = title;
	d->message = message;
	d->yes_label = yes_label;
}

void tui_dialog_message_init(tui_dialog *d, const char *title, const char *message)
{
	memset(d, 0, sizeof(*d));
	d->kind = TUI_DIALOG_MESSAGE;
	d->title = title;
	d->message = message;
}

enum dialog_result tui_dialog_key(tui_dialog *d, int key)
{
	if (d->kind == TUI_DIALOG_MESSAGE) {
		if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_ESC || key == ' ' ||
		    key == 'q')
			return DIALOG_CLOSED;
		return DIALOG_HANDLED;
	}
	switch (key) {
	case KEY_LEFT:
	case KEY_RIGHT:
	case '\t':
	case KEY_BTAB:
	case 'h':
	case 'l':
		d->yes_focused = !d->yes_focused;
		return DIALOG_HANDLED;
	case '\n':
	case '\r':
	case KEY_ENTER:
		return d->yes_focused ? DIALOG_YES : DIALOG_NO;
	case 'y':
	case 'Y':
		return DIALOG_YES;
	case 'n':
	case 'N':
	case KEY_ESC:
	case 'q':
		return DIALOG_NO;
	}
	return DIALOG_HANDLED;
}

/* Emits the lines of one escaped paragraph. */
static int wrap_para(const char *esc, int width, void (*fn)(const char *, void *), void *ctx)
{
	strbuf line;
	int n = 0;

	sb_init(&line, 128);
	while (*esc) {
		const char *p = esc, *brk = NULL, *end;
		int cols = 0;
		while (*esc == ' ')
			esc++;
		if (!*esc)
			break;
		p = esc;
		while (*p && cols < width) {
			if (*p == ' ')
				brk = p;
			p = tui_wtext_skip(p, 1);
			cols++;
		}
		if (!*p || *p == ' ')
			end = p; /* the rest fits, or ends at a space */
		else if (brk)
			end = brk; /* break at the last space */
		else
			end = p; /* one long word: cut */
		sb_reset(&line);
		sb_add(&line, esc, (size_t)(end - esc));
		while (line.len > 0 && line.buf[line.len - 1] == ' ')
			line.buf[--line.len] = '\0';
		fn(line.buf, ctx);
		n++;
		esc = end;
	}
	if (n == 0) {
		fn("", ctx); /* an empty paragraph is a blank line */
		n = 1;
	}
	sb_release(&line);
	return n;
}

int tui_dialog_wrap(const char *text, int width, int ascii, void (*fn)(const char *line, void *ctx),
		void *ctx)
{
	strbuf para, esc;
	int n = 0;

	if (width < 1)
		return 0;
	sb_init(&para, 128);
	sb_init(&esc, 128);
	for (;;) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		sb_reset(&para);
		sb_reset(&esc);
		sb_add(&para, text, len);
		tui_wtext_escape(&esc, para.buf, ascii);
		n += wrap_para(esc.buf, width, fn, ctx);
		if (!nl)
			break;
		text = nl + 1;
	}
	sb_release(&para);
	sb_release(&esc);
	return n;
}

typedef struct put_ctx {
	WINDOW *win;
	int y, ymax, x, width, attrs;
} put_ctx;

static void put_wrapped_line(const char *line, void *ctx)
{
	put_ctx *p = ctx;

	if (p->y < p->ymax)
		tui_text_put_raw(p->win, p->y, p->x, p->width, line, p->attrs, 0);
	p->y++;
}

int tui_dialog_put_wrapped(WINDOW *win, const char *text, int y, int ymax, int x, int width, int attrs)
{
	put_ctx p = {win, y, ymax, x, width, attrs};

	tui_dialog_wrap(text, width, tui_term_ascii(), put_wrapped_line, &p);
	return p.y < ymax ? p.y : ymax;
}

typedef struct collect {
	WINDOW *win;
	int y, x, w, max, n;
	attr_t attr;
	int widest;
} collect;

static void count_line(const char *line, void *ctx)
{
	collect *c = ctx;
	int w = (int)tui_wtext_cols(line);

	if (w > c->widest)
		c->widest = w;
	c->n++;
}

static void put_line(const char *line, void *ctx)
{
	collect *c = ctx;

	if (c->n < c->max)
		tui_wtext_put_raw(c->win, c->y + c->n, c->x, c->w, line, c->attr);
	c->n++;
}

static void frame(WINDOW *win, int y, int x, int h, int w, const tui_dialog_style *st)
{
	const char *hl = st->ascii ? "-" : "\xe2\x94\x80", *vl = st->ascii ? "|" : "\xe2\x94\x82";
	const char *tl = st->ascii ? "+" : "\xe2\x94\x8c", *tr = st->ascii ? "+" : "\xe2\x94\x90";
	const char *bl = st->ascii ? "+" : "\xe2\x94\x94", *br = st->ascii ? "+" : "\xe2\x94\x98";

	for (int i = 1; i < w - 1; i++) {
		tui_wtext_put_raw(win, y, x + i, 1, hl, st->frame);
		tui_wtext_put_raw(win, y + h - 1, x + i, 1, hl, st->frame);
	}
	for (int j = 1; j < h - 1; j++) {
		tui_wtext_put_raw(win, y + j, x, 1, vl, st->frame);
		tui_wtext_put_raw(win, y + j, x + w - 1, 1, vl, st->frame);
	}
	tui_wtext_put_raw(win, y, x, 1, tl, st->frame);
	tui_wtext_put_raw(win, y, x + w - 1, 1, tr, st->frame);
	tui_wtext_put_raw(win, y + h - 1, x, 1, bl, st->frame);
	tui_wtext_put_raw(win, y + h - 1, x + w - 1, 1, br, st->frame);
}

static int button(WINDOW *win, int y, int x, const char *label, int focused, const tui_dialog_style *st)
{
	strbuf sb;
	int w;

	sb_init(&sb, 32);
	sb_addf(&sb, focused ? "[ %s ]" : "  %s  ", label);
	w = tui_wtext_put(win, y, x, (int)tui_wtext_cols(sb.buf) + 8, sb.buf,
		      focused ? st->button_focus : st->button, st->ascii, 0);
	sb_release(&sb);
	return w;
}

void tui_dialog_draw(const tui_dialog *d, WINDOW *win, const tui_dialog_style *st)
{
	int sh = getmaxy(win), sw = getmaxx(win), tw, bw, bh, by, bx, lines;
	const char *yes = d->yes_label ? d->yes_label : d->kind == TUI_DIALOG_MESSAGE ? "OK" : "Yes";
	const char *no = d->no_label ? d->no_label : "No";
	collect c = {0};
	int buttons_w;

	tw = sw - 4 < MAX_TEXT_W ? sw - 4 : MAX_TEXT_W;
	if (tw < 10 || sh < 5)
		return; /* the loop shows "terminal too small" long before this */
	tui_dialog_wrap(d->message ? d->message : "", tw, st->ascii, count_line, &c);
	buttons_w = (int)tui_wtext_cols(yes) + 4 + (d->kind == TUI_DIALOG_CONFIRM ? (int)tui_wtext_cols(no) + 6 : 0);
	bw = c.widest > buttons_w ? c.widest : buttons_w;
	if (d->title && (int)tui_wtext_cols(d->title) + 4 > bw)
		bw = (int)tui_wtext_cols(d->title) + 4;
	if (bw < 30)
		bw = 30;
	if (bw > tw)
		bw = tw;
	bw += 4; /* frame and margins */
	lines = c.n;
	bh = lines + 4; /* frame, blank, buttons */
	if (bh > sh)
		bh = sh, lines = sh - 4;
	by = (sh - bh) / 2;
	bx = (sw - bw) / 2;

	for (int j = 0; j < bh; j++)
		tui_wtext_fill(win, by + j, bx, bw, st->text);
	frame(win, by, bx, bh, bw, st);
	if (d->title && *d->title) {
		strbuf t;
		sb_init(&t, 64);
		sb_adds(&t, " ");
		tui_wtext_escape(&t, d->title, st->ascii);
		sb_adds(&t, " ");
		tui_wtext_put(win, by, bx + 2, bw - 4, t.buf, st->title, st->ascii, 0);
		sb_release(&t);
	}
	c = (collect){win, by + 1, bx + 2, bw - 4, lines, 0, st->text, 0};
	tui_dialog_wrap(d->message ? d->message : "", bw - 4, st->ascii, put_line, &c);
	/* buttons, centred: Yes then No */
	{
		int y = by + bh - 2, x = bx + (bw - buttons_w) / 2;
		if (d->kind == TUI_DIALOG_MESSAGE) {
			button(win, y, x, yes, 1, st);
		} else {
			x += button(win, y, x, yes, d->yes_focused, st) + 2;
			button(win, y, x, no, !d->yes_focused, st);
		}
	}
}
