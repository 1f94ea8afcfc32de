/* tui/keymap.h — keys as ints, their names, and binding tables.
 *
 * A key is a Unicode code point, or TUI_KEY_FN(KEY_xxx) for a curses
 * function key (kept above the Unicode range so the two never collide).
 * Bindings are declared once, in a table of the screen that owns them; the
 * key bar and the help screen are generated from the same tables. Pure.
 */
#ifndef TUI_KEYMAP_H
#define TUI_KEYMAP_H

#include <stddef.h>

#define TUI_KEY_FN(k) ((k) + 0x110000)
#define TUI_KEY_IS_FN(k) ((k) >= 0x110000)
#define TUI_KEY_CTRL(c) ((c) & 0x1f)
#define TUI_KEY_ESC 27
#define TUI_KEY_ENTER 13

typedef struct tui_binding {
	int key;
	int req;	   /* the screen's request number */
	const char *label; /* short word for the key bar, or NULL: not on the bar */
	const char *help;  /* one line for the help screen */
} tui_binding;

typedef struct tui_keymap {
	const char *name; /* "fleet", "tenant", "global" */
	const tui_binding *b;
	size_t n;
} tui_keymap;

/* The request bound to key, or -1. */
int tui_keymap_find(const tui_keymap *m, int key);

/* "Enter", "Down", "^L", "q", "PgDn"... into buf. */
const char *tui_key_name(int key, char *buf, size_t size);

/* Reads one key from *s written as a character (UTF-8) or as "<Name>"
 * ("<Enter>", "<Esc>", "<Down>", "<C-l>", "<Lt>" for '<'); advances *s.
 * Returns the key, 0 at the end of the string, or -1 for an unknown name. */
int tui_key_parse(const char **s);

#endif
