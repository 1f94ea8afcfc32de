/* tui/text.c — escaped, fitted, ASCII-folded text into a window. */
#include <stdint.h>

#include "tui/text.h"
#include "util/termtext.h"

static const char *const glyphs[][2] = {
    [TUI_G_ARROW] = {"\u2192", "->"},  [TUI_G_VLINE] = {"\u2502", "|"},
    [TUI_G_HLINE] = {"\u2500", "-"},   [TUI_G_BULLET] = {"\u25cf", "*"},
    [TUI_G_CROSS] = {"\u2717", "x"},   [TUI_G_CHECK] = {"\u2713", "+"},
    [TUI_G_UP] = {"\u25b2", "^"},      [TUI_G_DOWN] = {"\u25bc", "v"},
};

const char *tui_glyph_str(tui_glyph g)
{
	return glyphs[g][tui_term_ascii() ? 1 : 0];
}

/* Latin-1 letters without their accents (U+00C0..U+00FF). */
static char fold_latin1(uint32_t cp)
{
	static const char map[] = "AAAAAAACEEEEIIII"
				  "DNOOOOOxOUUUUYPs"
				  "aaaaaaaceeeeiiii"
				  "dnooooo/ouuuuypy";

	if (cp >= 0xc0 && cp <= 0xff)
		return map[cp - 0xc0];
	return '?';
}

/* s escaped, then folded to ASCII in ASCII mode. */
static char *safe(const char *s)
{
	strbuf sb, out;
	const char *p;

	sb_init(&sb, 64);
	termtext_escape(&sb, s);
	if (!tui_term_ascii())
		return sb_detach(&sb, NULL);
	sb_init(&out, sb.len + 1);
	for (p = sb.buf; *p;) {
		uint32_t cp;
		size_t n = termtext_utf8_next((const unsigned char *)p, &cp);
		if (!n)
			n = 1, cp = '?';
		sb_addc(&out, cp < 0x80 ? (char)cp : fold_latin1(cp));
		p += n;
	}
	sb_release(&sb);
	return sb_detach(&out, NULL);
}

void tui_text_fit(strbuf *sb, const char *s, size_t width, int pad)
{
	char *t = safe(s ? s : "");

	termtext_fit(sb, t, width, pad); /* t has no controls left: fit only cuts */
	free(t);
}

size_t tui_text_width(const char *s)
{
	char *t = safe(s ? s : "");
	size_t w = termtext_width(t);

	free(t);
	return w;
}

static int put(WINDOW *w, int y, int x, int width, const char *s, int attrs, int pad, int raw)
{
	strbuf sb;
	int used;

	if (width <= 0)
		return 0;
	sb_init(&sb, (size_t)width * 2 + 8);
	if (raw)
		termtext_fit(&sb, s, (size_t)width, pad); /* our own text: nothing to escape */
	else
		tui_text_fit(&sb, s, (size_t)width, pad);
	used = (int)termtext_width(sb.buf);
	wattrset(w, attrs);
	mvwaddstr(w, y, x, sb.buf);
	wattrset(w, 0);
	sb_release(&sb);
	return used;
}

int tui_text_put(WINDOW *w, int y, int x, int width, const char *s, int attrs, int pad)
{
	return put(w, y, x, width, s ? s : "", attrs, pad, 0);
}

int tui_text_put_raw(WINDOW *w, int y, int x, int width, const char *s, int attrs, int pad)
{
	return put(w, y, x, width, s ? s : "", attrs, pad, 1);
}

void tui_text_fill(WINDOW *w, int y, int x, int width, int attrs)
{
	wattrset(w, attrs);
	if (width > 0)
		mvwhline(w, y, x, ' ', width);
	wattrset(w, 0);
}
