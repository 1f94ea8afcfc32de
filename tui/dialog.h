/* tui/dialog.h — a centred box: a confirmation (title, a message saying what
 * will happen, Yes/No with No focused) or a message box (one OK button).
 * Modal: dialog_key takes every key. Left/Right/Tab move between the
 * buttons, Enter presses the focused one, y/n press Yes/No directly, Esc
 * is No (or closes a message box). The message may hold "\n" (paragraphs);
 * it is escaped and word-wrapped. The caller owns the struct and strings.
 */
#ifndef TUI_DIALOG_H
#define TUI_DIALOG_H

#include "tui/wtext.h"

typedef enum tui_dialog_kind { TUI_DIALOG_CONFIRM, TUI_DIALOG_MESSAGE } tui_dialog_kind;

typedef struct tui_dialog {
	tui_dialog_kind kind;
	const char *title;
	const char *message;
	const char *yes_label; /* "Yes" unless set, e.g. "Restart" */
	const char *no_label;  /* "No" unless set, e.g. "Cancel" */
	int yes_focused;       /* 0: the default is No */
} tui_dialog;

typedef struct tui_dialog_style {
	attr_t frame, title, text, button, button_focus;
	int ascii; /* "+-|" instead of line drawing */
} tui_dialog_style;

enum dialog_result {
	DIALOG_HANDLED = 1, /* focus moved or key ignored; the dialog stays */
	DIALOG_YES,	    /* confirmed */
	DIALOG_NO,	    /* refused or escaped */
	DIALOG_CLOSED,	    /* message box dismissed */
};

void tui_dialog_confirm_init(tui_dialog *d, const char *title, const char *message, const char *yes_label);
void tui_dialog_message_init(tui_dialog *d, const char *title, const char *message);
enum dialog_result tui_dialog_key(tui_dialog *d, int key);
/* Draws the box centred in win (cleared under it). */
void tui_dialog_draw(const tui_dialog *d, WINDOW *win, const tui_dialog_style *st);

/* Word-wraps text (escaped first; "\n" breaks paragraphs) to width columns:
 * calls fn for each line. Returns the number of lines. */
int tui_dialog_wrap(const char *text, int width, int ascii, void (*fn)(const char *line, void *ctx),
		void *ctx);
/* Puts text word-wrapped (as tui_dialog_wrap, in the terminal's charset) on
 * win's lines y.. below ymax, columns x..x+width-1, in attrs: what does not fit
 * is left out. Returns the line after the last one it took (at most ymax). */
int tui_dialog_put_wrapped(WINDOW *win, const char *text, int y, int ymax, int x, int width, int attrs);

#endif
