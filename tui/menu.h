/* tui/menu.h — a small pick list in a centred box: a title, items with an
 * optional note on the right, some of them greyed (shown, with their note
 * saying why, but not pickable). Up/Down (j/k) move over every item, greyed
 * ones too, so their reason can be read; Enter picks the one under the
 * cursor; an item's hot key picks it directly; Esc (or q) closes.
 * The caller owns the struct; labels and notes are copied in (escaped when
 * drawn: they may come from the cluster). UI thread only for drawing.
 */
#ifndef TUI_MENU_H
#define TUI_MENU_H

#include <stddef.h>

#include "tui/term.h"

#define TUI_MENU_MAX_ITEMS 48
#define TUI_MENU_LABEL_SIZE 96
#define TUI_MENU_NOTE_SIZE 200

typedef struct tui_menu_item {
	char label[TUI_MENU_LABEL_SIZE];
	char note[TUI_MENU_NOTE_SIZE]; /* "" or a hint / why it is greyed */
	int hotkey;		   /* 0: none */
	int greyed;		   /* shown but not pickable */
} tui_menu_item;

typedef struct tui_menu {
	char title[TUI_MENU_LABEL_SIZE];
	tui_menu_item items[TUI_MENU_MAX_ITEMS];
	int n;
	int sel;
	int top; /* first item shown */
} tui_menu;

typedef struct tui_menu_style {
	int frame, title, text, greyed, selected, note;
	int ascii;
} tui_menu_style;

enum menu_result {
	MENU_HANDLED = 1, /* moved, or a key it ignores */
	MENU_PICKED,	  /* *picked: the item */
	MENU_GREYED,	  /* *picked: a greyed item was chosen (show its note) */
	MENU_CLOSED,	  /* Esc */
};

void tui_menu_init(tui_menu *m, const char *title);
/* Adds an item; returns its index, or -1 when the menu is full. */
int tui_menu_add(tui_menu *m, const char *label, const char *note, int hotkey, int greyed);
enum menu_result tui_menu_key(tui_menu *m, int key, int *picked);
/* Draws the box centred in win. */
void tui_menu_draw(tui_menu *m, WINDOW *win, const tui_menu_style *st);

#endif
