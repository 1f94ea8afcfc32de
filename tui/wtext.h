/* tui/wtext.h — what the widgets share for drawing text: outside text escaped
 * (util/termtext.h) and, in ASCII mode, non-ASCII characters shown as "?";
 * column arithmetic on escaped text (one column per code point, as termtext
 * counts). UI thread only for the drawing functions.
 */
#ifndef TUI_WTEXT_H
#define TUI_WTEXT_H

#include <stddef.h>

#include "tui/term.h"

#include "util/util.h"

/* Appends s escaped; with ascii, every non-ASCII character becomes "?". */
void tui_wtext_escape(strbuf *sb, const char *s, int ascii);
/* Columns of text that is already escaped (code points). */
size_t tui_wtext_cols(const char *esc);
/* The position cols columns into escaped text (or its end). */
const char *tui_wtext_skip(const char *esc, size_t cols);

/* Draws s (outside text: escaped) at y,x in at most width columns with attr,
 * cut with "~"; pads with blanks when pad. Returns the columns used. */
int tui_wtext_put(WINDOW *w, int y, int x, int width, const char *s, attr_t attr, int ascii, int pad);
/* Draws text of our own (glyphs allowed, not escaped), at most width columns. */
int tui_wtext_put_raw(WINDOW *w, int y, int x, int width, const char *s, attr_t attr);
/* Blanks width columns at y,x with attr. */
void tui_wtext_fill(WINDOW *w, int y, int x, int width, attr_t attr);

#endif
