/* tui/form.h — a form of fields: text with a validator (its message shown as
 * you type), a choice (Left/Right; drawn as "< aws >" or as a list
 * "(*) aws ( ) gcp"), a checkbox (Space). Tab/Down and Shift-Tab/Up move
 * between fields (wrapping), Enter submits only when every field is valid
 * (else the focus goes to the first invalid one), Esc cancels.
 *
 * Text fields take printable ASCII; editing: Left/Right, Home/^A, End/^E,
 * Backspace, Delete, ^U (clear). The caller owns the form and its fields
 * (the labels and choices too) and reads the values from the fields after
 * FORM_SUBMIT. Drawing is UI thread only.
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stddef.h>

#include "tui/wtext.h"

#define FORM_VALUE_MAX 256
#define FORM_MSG_MAX 160

/* Checks value: 0 when fine, else -1 with a one-line message in msg. */
typedef int (*form_validate_fn)(const char *value, char *msg, size_t msgsz, void *ctx);

typedef enum form_kind { FORM_TEXT, FORM_CHOICE, FORM_CHECK } form_kind;

typedef struct form_field {
	form_kind kind;
	const char *label;
	/* FORM_TEXT */
	char value[FORM_VALUE_MAX];
	size_t cursor;		   /* byte offset into value */
	form_validate_fn validate; /* or NULL: always valid */
	void *ctx;		   /* for validate */
	/* FORM_CHOICE */
	const char *const *choices;
	int nchoices;
	int choice;   /* index of the chosen one */
	int as_list;  /* draw every choice, the chosen one marked */
	/* FORM_CHECK */
	int checked;
	/* state kept by the form */
	int invalid;		/* the validator refused the value */
	int touched;		/* edited, or a submit was tried: show the message */
	char msg[FORM_MSG_MAX]; /* the validator's message when invalid */
} form_field;

typedef struct form {
	form_field *fields;
	int n;
	int focus;	    /* index of the focused field */
	int top;	    /* first row shown (scrolls to keep the focus in view) */
	int cur_y, cur_x;   /* where the text cursor belongs after a draw, -1 if none */
} form;

typedef struct form_style {
	attr_t label, value, focus, error;
	int ascii;
} form_style;

enum form_result {
	FORM_IGNORED = 0, /* not a key of the form */
	FORM_HANDLED,	  /* focus moved or nothing changed; redraw */
	FORM_CHANGED,	  /* a value changed */
	FORM_SUBMIT,	  /* Enter with every field valid */
	FORM_INVALID,	  /* Enter refused: the focus is on the first invalid field */
	FORM_CANCEL,	  /* Esc */
};

/* Adopts fields[0..n) (kind, label and the kind's inputs filled by the
 * caller; a text value may be pre-filled), puts each cursor at the end, runs
 * the validators (messages not shown until touched) and focuses field 0. */
void form_init(form *f, form_field *fields, int n);
/* Runs every validator; returns the index of the first invalid field or -1. */
int form_validate(form *f);
enum form_result form_key(form *f, int key);
/* Sets a text field's value (cursor at the end) and validates it. */
void form_set_text(form *f, int i, const char *value);
/* Rows the form needs (text fields take two: value and message). */
int form_rows(const form *f);
void form_draw(form *f, WINDOW *win, int y, int x, int h, int w, const form_style *st);

#endif
