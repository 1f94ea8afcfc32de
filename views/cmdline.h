/* views/cmdline.h — the bottom input line: ':' commands, '/' filter (applied
 * as it is typed) and the TCODE jump; and the command table, declared once
 * (the help screen lists it). UI thread only.
 */
#ifndef VIEWS_CMDLINE_H
#define VIEWS_CMDLINE_H

#include <stddef.h>

#include "views/app.h"

typedef struct view_command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(app *a, const char *args); /* TUI_* flags */
} view_command;

const view_command *view_cmdline_commands(size_t *n);
/* Runs one command line ("tenant T12345"); unknown or bad input shows a
 * one-line error and changes nothing. Returns TUI_* flags. */
int view_cmdline_run(app *a, const char *line);
/* A key while a->input is active. */
int view_cmdline_key(app *a, int key);
/* Draws the input line (a->input active) on line y. */
void view_cmdline_draw(app *a, int y, int width);

#endif
