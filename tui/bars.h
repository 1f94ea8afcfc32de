/* tui/bars.h — the one-line bars: title, status, key bar, banner.
 * The key bar is generated from binding tables (tui/keymap.h), so it never
 * disagrees with the keys. UI thread only.
 */
#ifndef TUI_BARS_H
#define TUI_BARS_H

#include <stddef.h>

#include "tui/keymap.h"
#include "tui/term.h"
#include "tui/theme.h"

/* A full-width line in role: left text, right text (trusted, our own words;
 * pieces from the cluster must already be escaped by the caller via
 * tui_text_fit). The right part gives way when both do not fit. */
void tui_bar_draw(WINDOW *w, int y, int width, tui_role role, const char *left,
		  const char *right);
/* "key label" pairs from the maps' bindings that have a label, in order: two
 * spaces apart when all fit, else one; when even that is too wide, pairs from
 * the end of the maps before the last are left out (the last map, the global
 * keys such as help and quit, always shows). */
void tui_keybar_draw(WINDOW *w, int y, int width, const tui_keymap *const *maps, size_t n);
/* The same; a binding for which off(b, ctx) returns 1 is drawn greyed (not
 * available now). off may be NULL. */
void tui_keybar_draw_off(WINDOW *w, int y, int width, const tui_keymap *const *maps, size_t n,
			 int (*off)(const tui_binding *b, void *ctx), void *ctx);

#endif
