/* tui/text.h — drawing text into a window: text from the cluster escaped
 * (util/termtext.h), cut to a width with "~", padded; in ASCII mode
 * (tui_term_ascii) accented letters lose their accent and other non-ASCII
 * characters become '?'. Glyphs (arrows, bars) have an ASCII form.
 * UI thread only (they draw).
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stddef.h>

#include "tui/term.h"
#include "util/util.h"

typedef enum tui_glyph {
	TUI_G_ARROW,  /* "→" / "->" */
	TUI_G_VLINE,  /* "│" / "|" */
	TUI_G_HLINE,  /* "─" / "-" */
	TUI_G_BULLET, /* "●" / "*" */
	TUI_G_CROSS,  /* "✗" / "x" */
	TUI_G_CHECK,  /* "✓" / "+" */
	TUI_G_UP,     /* "▲" / "^" */
	TUI_G_DOWN,   /* "▼" / "v" */
} tui_glyph;

const char *tui_glyph_str(tui_glyph g);

/* Appends s made safe for the screen (escaped; ASCII-folded when needed),
 * cut to width columns ("~") and padded when pad. */
void tui_text_fit(strbuf *sb, const char *s, size_t width, int pad);
/* Display width once made safe. */
size_t tui_text_width(const char *s);

/* Draws s (from anywhere: it is escaped) at y,x in at most width columns
 * with attrs; pads with blanks when pad. Returns the columns used. */
int tui_text_put(WINDOW *w, int y, int x, int width, const char *s, int attrs, int pad);
/* Draws trusted text of our own (no escaping: glyphs are allowed) the same way. */
int tui_text_put_raw(WINDOW *w, int y, int x, int width, const char *s, int attrs, int pad);
/* Fills width columns at y,x with blanks in attrs. */
void tui_text_fill(WINDOW *w, int y, int x, int width, int attrs);

#endif
