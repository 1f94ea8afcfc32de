/* tui/form.h — a form of fields: text with a validator (its message shown as
 * you type), a choice (Left/Right; drawn as "< aws >" or as a list
 * "(*) aws ( ) gcp"), a checkbox (Space). Tab/Down and Shift-Tab/Up move
 * between fields (wrapping), Enter submits only when every field is valid
 * (else the focus goes to the first invalid one), Esc cancels.
 *
 * Text fields take printable ASCII; editing: Left/Right, Home/^A, End/^E,
 * Backspace, Delete, ^U (clear). A masked text field (a password) is drawn as
 * one bullet per character ('*' on an ASCII terminal). The caller owns the form and its fields
 * (the labels and choices too) and reads the values from the fields after
 * FORM_SUBMIT. Drawing is UI thread only.
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stddef.h>

#include "tui/wtext.h"

#define TUI_FORM_VALUE_MAX 256
#define TUI_FORM_MSG_MAX 160

/* Checks value: 0 when fine, else -1 with a one-line message in msg. */
typedef int (*tui_form_validate_fn)(const char *value, char *msg, size_t msgsz, void *ctx);

typedef enum tui_form_kind { TUI_FORM_TEXT, TUI_FORM_CHOICE, TUI_FORM_CHECK } tui_form_kind;

typedef struct tui_form_field {
	tui_form_kind kind;
	const char *label;
	/* TUI_FORM_TEXT */
	char value[TUI_FORM_VALUE_MAX];
	size_t cursor;		   /* byte offset into value */
	tui_form_validate_fn validate; /* or NULL: always valid */
	void *ctx;		   /* for validate */
	int masked;		   /* a secret: drawn as bullets, never its characters */
	/* TUI_FORM_CHOICE */
	const char *const *choices;
	int nchoices;
	int choice;   /* index of the chosen one */
	int as_list;  /* draw every choice, the chosen one marked */
	/* TUI_FORM_CHECK */
	int checked;
	/* state kept by the tui_form */
	int invalid;		/* the validator refused the value */
	int touched;		/* edited, or a submit was tried: show the message */
	char msg[TUI_FORM_MSG_MAX]; /* the validator's message when invalid */
} tui_form_field;

typedef struct tui_form {
	tui_form_field *fields;
	int n;
	int focus;	    /* index of the focused field */
	int top;	    /* first row shown (scrolls to keep the focus in view) */
	int cur_y, cur_x;   /* where the text cursor belongs after a draw, -1 if none */
} tui_form;

typedef struct tui_form_style {
	attr_t label, value, focus, error;
	int ascii;
} tui_form_style;

enum form_result {
	FORM_IGNORED = 0, /* not a key of the tui_form */
	FORM_HANDLED,	  /* focus moved or nothing changed; redraw */
	FORM_CHANGED,	  /* a value changed */
	FORM_SUBMIT,	  /* Enter with every field valid */
	FORM_INVALID,	  /* Enter refused: the focus is on the first invalid field */
	FORM_CANCEL,	  /* Esc */
};

/* Adopts fields[0..n) (kind, label and the kind's inputs filled by the
 * caller; a text value may be pre-filled), puts each cursor at the end, runs
 * the validators (messages not shown until touched) and focuses field 0. */
void tui_form_init(tui_form *f, tui_form_field *fields, int n);
/* Runs every validator; returns the index of the first invalid field or -1. */
int tui_form_validate(tui_form *f);
enum form_result tui_form_key(tui_form *f, int key);
/* Sets a text field's value (cursor at the end) and validates it. */
void tui_form_set_text(tui_form *f, int i, const char *value);
/* Clears a text field's value, and the memory that held it (a secret's). */
void tui_form_wipe(tui_form *f, int i);
/* Rows the tui_form needs (text fields take two: value and message). */
int tui_form_rows(const tui_form *f);
void tui_form_draw(tui_form *f, WINDOW *win, int y, int x, int h, int w, const tui_form_style *st);

#endif
