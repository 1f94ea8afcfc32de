/* tui/bars.c — title, status and key bars. */
#include "tui/bars.h"
#include "tui/text.h"
#include "util/termtext.h"
#include "util/util.h"

void tui_bar_draw(WINDOW *w, int y, int width, tui_role role, const char *left,
		  const char *right)
{
	int attrs = tui_theme_attr(role);
	int rw = right ? (int)termtext_width(right) : 0, lw;

	tui_text_fill(w, y, 0, width, attrs);
	lw = tui_text_put_raw(w, y, 0, width, left ? left : "", attrs, 0);
	if (right && rw && lw + 2 + rw <= width)
		tui_text_put_raw(w, y, width - rw, rw, right, attrs, 0);
}

void tui_keybar_draw(WINDOW *w, int y, int width, const tui_keymap *const *maps, size_t n)
{
	tui_keybar_draw_off(w, y, width, maps, n, NULL, NULL);
}

void tui_keybar_draw_off(WINDOW *w, int y, int width, const tui_keymap *const *maps, size_t n,
			 int (*off)(const tui_binding *b, void *ctx), void *ctx)
{
	int dim = tui_theme_attr(TUI_ROLE_KEYBAR) | A_DIM;
	int key_attrs = tui_theme_attr(TUI_ROLE_KEYBAR_KEY), bar = tui_theme_attr(TUI_ROLE_KEYBAR);
	int x = 0;
	size_t m, i;

	tui_text_fill(w, y, 0, width, bar);
	for (m = 0; m < n; m++) {
		for (i = 0; i < maps[m]->n; i++) {
			const tui_binding *b = &maps[m]->b[i];
			char name[16];
			int need;
			if (!b->label)
				continue;
			tui_key_name(b->key, name, sizeof(name));
			need = (int)(strlen(name) + strlen(b->label)) + 1;
			if (x + need > width)
				return;
			if (off && off(b, ctx)) {
				x += tui_text_put_raw(w, y, x, width - x, name, dim, 0);
				x += tui_text_put_raw(w, y, x, width - x, " ", bar, 0);
				x += tui_text_put_raw(w, y, x, width - x, b->label, dim, 0);
			} else {
				x += tui_text_put_raw(w, y, x, width - x, name, key_attrs, 0);
				x += tui_text_put_raw(w, y, x, width - x, " ", bar, 0);
				x += tui_text_put_raw(w, y, x, width - x, b->label, bar, 0);
			}
			x += 2;
		}
	}
}
