/* tui/wtext.c — escaped text for the widgets. */
#include <stdint.h>

#include "tui/wtext.h"
#include "util/termtext.h"

static void fold_ascii(strbuf *sb, size_t from)
{
	size_t r = from, w = from;

	while (r < sb->len) {
		unsigned char c = (unsigned char)sb->buf[r];
		uint32_t cp;
		size_t n = c < 0x80 ? 1 : termtext_utf8_next((const unsigned char *)sb->buf + r, &cp);

		if (n == 0)
			n = 1;
		sb->buf[w++] = c < 0x80 ? (char)c : '?';
		r += n;
	}
	sb->len = w;
	sb->buf[w] = '\0';
}

void tui_wtext_escape(strbuf *sb, const char *s, int ascii)
{
	size_t from = sb->len;

	termtext_escape(sb, s);
	if (ascii)
		fold_ascii(sb, from);
}

const char *tui_wtext_skip(const char *esc, size_t cols)
{
	while (*esc && cols > 0) {
		uint32_t cp;
		size_t n = termtext_utf8_next((const unsigned char *)esc, &cp);
		esc += n ? n : 1;
		cols--;
	}
	return esc;
}

size_t tui_wtext_cols(const char *esc)
{
	size_t n = 0;

	while (*esc) {
		esc = tui_wtext_skip(esc, 1);
		n++;
	}
	return n;
}

void tui_wtext_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
	wattr_set(w, attr, PAIR_NUMBER(attr), NULL);
	for (int i = 0; i < width; i++)
		mvwaddch(w, y, x + i, ' ');
	wattr_set(w, A_NORMAL, 0, NULL);
}

int tui_wtext_put_raw(WINDOW *w, int y, int x, int width, const char *s, attr_t attr)
{
	const char *end;
	size_t cols;

	if (width <= 0)
		return 0;
	end = tui_wtext_skip(s, (size_t)width);
	cols = 0;
	for (const char *p = s; p < end; p = tui_wtext_skip(p, 1))
		cols++;
	wattr_set(w, attr, PAIR_NUMBER(attr), NULL);
	mvwaddnstr(w, y, x, s, (int)(end - s));
	wattr_set(w, A_NORMAL, 0, NULL);
	return (int)cols;
}

int tui_wtext_put(WINDOW *w, int y, int x, int width, const char *s, attr_t attr, int ascii, int pad)
{
	strbuf esc, fit;
	int used;

	if (width <= 0)
		return 0;
	sb_init(&esc, 64);
	sb_init(&fit, 64);
	tui_wtext_escape(&esc, s ? s : "", ascii);
	/* esc holds no controls now: fitting it again only cuts and pads */
	termtext_fit(&fit, esc.buf, (size_t)width, pad);
	used = tui_wtext_put_raw(w, y, x, width, fit.buf, attr);
	sb_release(&esc);
	sb_release(&fit);
	return used;
}
