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

#define KEYBAR_MAX 64

/* The bar is drawn with two spaces between pairs when they all fit, else one;
 * if they still do not fit, pairs are left out from the end of the screen's own
 * maps, never from the last one (the global keys: help and quit stay). */
void tui_keybar_draw_off(WINDOW *w, int y, int width, const tui_keymap *const *maps, size_t n,
			 int (*off)(const tui_binding *b, void *ctx), void *ctx)
{
	int dim = tui_theme_attr(TUI_ROLE_KEYBAR) | A_DIM;
	int key_attrs = tui_theme_attr(TUI_ROLE_KEYBAR_KEY), bar = tui_theme_attr(TUI_ROLE_KEYBAR);
	const tui_binding *b[KEYBAR_MAX];
	char name[KEYBAR_MAX][16];
	int need[KEYBAR_MAX], last[KEYBAR_MAX], shown[KEYBAR_MAX];
	int k = 0, total = 0, gap = 2, x = 0, count;

	tui_text_fill(w, y, 0, width, bar);
	for (size_t m = 0; m < n; m++)
		for (size_t i = 0; i < maps[m]->n && k < KEYBAR_MAX; i++) {
			if (!maps[m]->b[i].label)
				continue;
			b[k] = &maps[m]->b[i];
			tui_key_name(b[k]->key, name[k], sizeof(name[k]));
			need[k] = (int)(strlen(name[k]) + strlen(b[k]->label)) + 1;
			last[k] = m + 1 == n;
			shown[k] = 1;
			total += need[k];
			k++;
		}
	count = k;
	if (total + 2 * (count - 1) > width)
		gap = 1;
	for (int i = k - 1; i >= 0 && count > 0 && total + gap * (count - 1) > width; i--)
		if (!last[i]) {
			shown[i] = 0;
			total -= need[i];
			count--;
		}
	for (int i = 0; i < k; i++) {
		int grey;

		if (!shown[i])
			continue;
		if (x + need[i] > width)
			return;
		grey = off && off(b[i], ctx);
		x += tui_text_put_raw(w, y, x, width - x, name[i], grey ? dim : key_attrs, 0);
		x += tui_text_put_raw(w, y, x, width - x, " ", bar, 0);
		x += tui_text_put_raw(w, y, x, width - x, b[i]->label, grey ? dim : bar, 0);
		x += gap;
	}
}
