/* tui/form.c — text, choice and checkbox fields with validation. */
#include <stdio.h>

#include "tui/form.h"

#define KEY_ESC 27
#ifndef CTRL
#define CTRL(c) ((c)&0x1f)
#endif

static void validate_field(tui_form_field *ff)
{
	ff->invalid = 0;
	ff->msg[0] = '\0';
	if (ff->kind != TUI_FORM_TEXT || !ff->validate)
		return;
	if (ff->validate(ff->value, ff->msg, sizeof(ff->msg), ff->ctx) != 0) {
		ff->invalid = 1;
		if (!ff->msg[0])
			util_strlcpy(ff->msg, "not a valid value", sizeof(ff->msg));
	}
}

void tui_form_init(tui_form *f, tui_form_field *fields, int n)
{
	memset(f, 0, sizeof(*f));
	f->fields = fields;
	f->n = n;
	f->cur_y = f->cur_x = -1;
	for (int i = 0; i < n; i++) {
		tui_form_field *ff = &fields[i];
		ff->value[sizeof(ff->value) - 1] = '\0';
		ff->cursor = strlen(ff->value);
		ff->touched = 0;
		if (ff->kind == TUI_FORM_CHOICE && (ff->choice < 0 || ff->choice >= ff->nchoices))
			ff->choice = 0;
		validate_field(ff);
	}
}

int tui_form_validate(tui_form *f)
{
	int first = -1;

	for (int i = 0; i < f->n; i++) {
		validate_field(&f->fields[i]);
		if (f->fields[i].invalid && first < 0)
			first = i;
	}
	return first;
}

void tui_form_set_text(tui_form *f, int i, const char *value)
{
	tui_form_field *ff = &f->fields[i];

	util_strlcpy(ff->value, value, sizeof(ff->value));
	ff->cursor = strlen(ff->value);
	ff->touched = 1;
	validate_field(ff);
}

void tui_form_wipe(tui_form *f, int i)
{
	tui_form_field *ff = &f->fields[i];

	explicit_bzero(ff->value, sizeof(ff->value));
	ff->cursor = 0;
	validate_field(ff);
}

static enum form_result edit_text(tui_form_field *ff, int key)
{
	size_t len = strlen(ff->value);

	switch (key) {
	case KEY_LEFT:
		if (ff->cursor > 0)
			ff->cursor--;
		return FORM_HANDLED;
	case KEY_RIGHT:
		if (ff->cursor < len)
			ff->cursor++;
		return FORM_HANDLED;
	case KEY_HOME:
	case CTRL('a'):
		ff->cursor = 0;
		return FORM_HANDLED;
	case KEY_END:
	case CTRL('e'):
		ff->cursor = len;
		return FORM_HANDLED;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (ff->cursor == 0)
			return FORM_HANDLED;
		ff->cursor--;
		/* delete the character now under the cursor */
		memmove(ff->value + ff->cursor, ff->value + ff->cursor + 1, len - ff->cursor);
		break;
	case KEY_DC:
		if (ff->cursor >= len)
			return FORM_HANDLED;
		memmove(ff->value + ff->cursor, ff->value + ff->cursor + 1, len - ff->cursor);
		break;
	case CTRL('u'):
		ff->value[0] = '\0';
		ff->cursor = 0;
		break;
	default:
		if (key < 0x20 || key > 0x7e)
			return FORM_IGNORED;
		if (len + 1 >= sizeof(ff->value))
			return FORM_HANDLED; /* full */
		memmove(ff->value + ff->cursor + 1, ff->value + ff->cursor, len - ff->cursor + 1);
		ff->value[ff->cursor++] = (char)key;
		break;
	}
	ff->touched = 1;
	validate_field(ff);
	return FORM_CHANGED;
}

static enum form_result edit_choice(tui_form_field *ff, int key)
{
	if (ff->nchoices <= 0)
		return FORM_IGNORED;
	switch (key) {
	case KEY_LEFT:
		ff->choice = (ff->choice + ff->nchoices - 1) % ff->nchoices;
		return FORM_CHANGED;
	case KEY_RIGHT:
	case ' ':
		ff->choice = (ff->choice + 1) % ff->nchoices;
		return FORM_CHANGED;
	}
	return FORM_IGNORED;
}

enum form_result tui_form_key(tui_form *f, int key)
{
	tui_form_field *ff;
	int bad;

	if (f->n <= 0)
		return key == KEY_ESC ? FORM_CANCEL : FORM_IGNORED;
	ff = &f->fields[f->focus];
	switch (key) {
	case '\t':
	case KEY_DOWN:
		f->focus = (f->focus + 1) % f->n;
		return FORM_HANDLED;
	case KEY_BTAB:
	case KEY_UP:
		f->focus = (f->focus + f->n - 1) % f->n;
		return FORM_HANDLED;
	case '\n':
	case '\r':
	case KEY_ENTER:
		bad = tui_form_validate(f);
		if (bad < 0)
			return FORM_SUBMIT;
		for (int i = 0; i < f->n; i++)
			f->fields[i].touched = 1;
		f->focus = bad;
		return FORM_INVALID;
	case KEY_ESC:
		return FORM_CANCEL;
	}
	switch (ff->kind) {
	case TUI_FORM_TEXT:
		return edit_text(ff, key);
	case TUI_FORM_CHOICE:
		return edit_choice(ff, key);
	case TUI_FORM_CHECK:
		if (key == ' ') {
			ff->checked = !ff->checked;
			return FORM_CHANGED;
		}
		break;
	}
	return FORM_IGNORED;
}

static int field_rows(const tui_form_field *ff)
{
	return ff->kind == TUI_FORM_TEXT ? 2 : 1;
}

int tui_form_rows(const tui_form *f)
{
	int rows = 0;

	for (int i = 0; i < f->n; i++)
		rows += field_rows(&f->fields[i]);
	return rows;
}

static int label_width(const tui_form *f)
{
	size_t w = 0;

	for (int i = 0; i < f->n; i++) {
		size_t lw = tui_wtext_cols(f->fields[i].label ? f->fields[i].label : "");
		if (lw > w)
			w = lw;
	}
	return (int)w;
}

/* The text field's box: "[value   ]", scrolled to keep the cursor inside. */
static void draw_text(tui_form *f, tui_form_field *ff, WINDOW *win, int y, int x, int w, int focused,
		      const tui_form_style *st)
{
	int inner = w - 2, start = 0;
	attr_t a = focused ? st->focus : st->value;
	strbuf sb;

	if (inner < 1)
		return;
	if ((int)ff->cursor >= inner)
		start = (int)ff->cursor - inner + 1;
	sb_init(&sb, sizeof(ff->value));
	if (ff->masked) /* one bullet a character: its length shows, never what it is */
		for (size_t i = strlen(ff->value + start); i > 0; i--)
			sb_adds(&sb, st->ascii ? "*" : "\xe2\x80\xa2"); /* • */
	else
		sb_add(&sb, ff->value + start, strlen(ff->value + start));
	tui_wtext_put_raw(win, y, x, 1, "[", st->label);
	tui_wtext_put(win, y, x + 1, inner, sb.buf, a, st->ascii, 1);
	tui_wtext_put_raw(win, y, x + 1 + inner, 1, "]", st->label);
	if (focused) {
		f->cur_y = y;
		f->cur_x = x + 1 + (int)ff->cursor - start;
	}
	sb_release(&sb);
}

static void draw_choice(const tui_form_field *ff, WINDOW *win, int y, int x, int w, int focused,
			const tui_form_style *st)
{
	attr_t a = focused ? st->focus : st->value;
	int col = 0;

	if (ff->nchoices <= 0)
		return;
	if (!ff->as_list) {
		strbuf sb;
		sb_init(&sb, 64);
		sb_addf(&sb, "< %s >", ff->choices[ff->choice]);
		tui_wtext_put(win, y, x, w, sb.buf, a, st->ascii, 0);
		sb_release(&sb);
		return;
	}
	for (int i = 0; i < ff->nchoices && col < w; i++) {
		strbuf sb;
		sb_init(&sb, 64);
		sb_addf(&sb, "(%c) %s", i == ff->choice ? '*' : ' ', ff->choices[i]);
		col += tui_wtext_put(win, y, x + col, w - col, sb.buf, i == ff->choice ? a : st->value,
				 st->ascii, 0);
		col += 2;
		sb_release(&sb);
	}
}

void tui_form_draw(tui_form *f, WINDOW *win, int y, int x, int h, int w, const tui_form_style *st)
{
	int lw = label_width(f), row = 0, focus_row = 0, cw;

	f->cur_y = f->cur_x = -1;
	if (h <= 0 || w <= 0)
		return;
	if (lw > w / 2)
		lw = w / 2;
	cw = w - lw - 2;
	/* keep the focused field (both its rows) in view */
	for (int i = 0; i < f->focus; i++)
		focus_row += field_rows(&f->fields[i]);
	if (focus_row < f->top)
		f->top = focus_row;
	if (focus_row + field_rows(&f->fields[f->focus]) > f->top + h)
		f->top = focus_row + field_rows(&f->fields[f->focus]) - h;
	for (int i = 0; i < h; i++)
		tui_wtext_fill(win, y + i, x, w, A_NORMAL);
	for (int i = 0; i < f->n; i++) {
		tui_form_field *ff = &f->fields[i];
		int focused = i == f->focus, ry = y + row - f->top;
		int show = row >= f->top && row - f->top < h;
		if (show) {
			int ll = (int)tui_wtext_cols(ff->label ? ff->label : "");
			if (ll > lw)
				ll = lw;
			tui_wtext_put(win, ry, x + lw - ll, ll, ff->label ? ff->label : "",
				  focused ? st->focus : st->label, st->ascii, 0);
			tui_wtext_put_raw(win, ry, x + lw, 1, ":", st->label);
			if (cw > 0) {
				switch (ff->kind) {
				case TUI_FORM_TEXT:
					draw_text(f, ff, win, ry, x + lw + 2, cw > 42 ? 42 : cw, focused, st);
					break;
				case TUI_FORM_CHOICE:
					draw_choice(ff, win, ry, x + lw + 2, cw, focused, st);
					break;
				case TUI_FORM_CHECK:
					tui_wtext_put_raw(win, ry, x + lw + 2, cw, ff->checked ? "[x]" : "[ ]",
						      focused ? st->focus : st->value);
					break;
				}
			}
		}
		if (ff->kind == TUI_FORM_TEXT && row + 1 >= f->top && row + 1 - f->top < h && cw > 0 &&
		    ff->invalid && ff->touched)
			tui_wtext_put(win, ry + 1, x + lw + 2, cw, ff->msg, st->error, st->ascii, 0);
		row += field_rows(ff);
	}
}
