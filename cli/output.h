/* cli/output.h — what the headless commands print: terminal-safe text, JSON
 * strings, and tables fitted to a width.
 *
 * Text from the cluster (names, annotations, event messages) goes through
 * output_escape() or output_json_string() before it reaches a terminal, so an
 * object cannot send escape sequences: control characters (C0, DEL, C1)
 * become "\x1b"-style text, bytes that are not UTF-8 become "?".
 *
 * All functions append to a caller-owned strbuf; a table owns its cells until
 * output_table_release(). Not thread-safe per table; otherwise stateless.
 */
#ifndef CLI_OUTPUT_H
#define CLI_OUTPUT_H

#include <stddef.h>

#include "util/util.h"

/* Appends s with control characters as "\xNN" and invalid UTF-8 as "?". */
void output_escape(strbuf *sb, const char *s);
/* Display width of s once escaped (one column per code point). */
size_t output_width(const char *s);
/* Appends s escaped, cut to at most width columns ("~" marks a cut), and
 * padded with blanks to width when pad is set. */
void output_fit(strbuf *sb, const char *s, size_t width, int pad);

/* Appends s as a JSON string with its quotes: ", \ and control characters
 * escaped (\n, \t, \u001b ...; DEL and C1 too), invalid UTF-8 as U+FFFD. */
void output_json_string(strbuf *sb, const char *s);

#define OUTPUT_MAX_COLS 16

typedef struct output_col {
	const char *header;
	size_t min; /* narrowest the column may be cut to (the header fits anyway) */
	int right;  /* right-aligned (numbers) */
} output_col;

typedef struct output_table {
	size_t n_cols;
	output_col cols[OUTPUT_MAX_COLS];
	size_t n_rows, cap;
	char **cells; /* n_rows * n_cols, owned */
} output_table;

/* cols are copied (header strings must outlive the table). */
void output_table_init(output_table *t, const output_col *cols, size_t n_cols);
/* Adds one row of n_cols strings (copied; NULL prints as ""). */
void output_table_row(output_table *t, const char *const *cells);
/* Renders header and rows; every line at most width columns (0: no limit),
 * two blanks between columns, no trailing blanks. The widest columns give up
 * space first, never below their min (then lines may exceed width). */
void output_table_render(const output_table *t, size_t width, strbuf *out);
void output_table_release(output_table *t);

/* Each line of text on stderr as "smartops: LINE", escaped. */
void output_say(const char *text);
/* "smartops CMD: WHAT (see smartops --help)" on stderr; returns the usage exit code. */
int output_usage_err(const char *cmd, const char *what);
/* Asks "WHAT? [y/N]" on a terminal (1 = yes); yes set: 1 at once; no terminal:
 * says to add --yes and answers 0. */
int output_confirm(const char *what, int yes);

#endif
