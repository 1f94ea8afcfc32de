/* tui/term.h — the terminal: set-up with newterm, restore on every exit path,
 * signals turned into bytes on a pipe. The one header of the project that
 * includes curses (views and widgets include this one).
 *
 * Call order: tui_term_open -> (loop) -> tui_term_close. Close is idempotent
 * and also runs from die() (util_set_die_hook) and atexit. A crash (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL, SIGABRT) restores the terminal with
 * async-signal-safe writes and re-raises the signal. SIGINT, SIGTERM and
 * SIGHUP only write their number to the pipe of tui_term_signal_fd(); the
 * loop reads it and decides. UI thread only.
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stddef.h>

typedef struct tui_term_opts {
	int headless;	  /* no terminal: output discarded, input not read (script mode) */
	int width, height; /* headless size (0: COLUMNS/LINES, else 80x24) */
	int no_color;	  /* colours off (NO_COLOR or --theme mono) */
	int force_ascii;  /* 1: ASCII only whatever the locale */
} tui_term_opts;

/* Opens the terminal. Returns 0, or -1 with one sentence in err (unknown or
 * unusable TERM, not a terminal) and nothing left changed. */
int tui_term_open(const tui_term_opts *o, char *err, size_t errsz);
/* Restores the terminal (endwin, original tty modes); safe to call twice. */
void tui_term_close(void);
/* Writes the terminal's restore sequence and puts its tty modes back, with no
 * curses call and no allocation: safe from any thread and when memory has
 * run out (die() and out of memory in the console). tui_term_close may
 * still run afterwards. */
void tui_term_emergency_restore(void);
int tui_term_is_open(void);

/* Read end of the signal pipe: each byte is a signal number. */
int tui_term_signal_fd(void);
/* The keyboard's fd, or -1 when headless. */
int tui_term_input_fd(void);
/* The terminal's output fd, or -1 when headless. */
int tui_term_output_fd(void);
int tui_term_headless(void);
/* 1: only ASCII may be drawn (locale not UTF-8, or a dumb-like terminal). */
int tui_term_ascii(void);
/* 1: colour pairs may be used. */
int tui_term_has_color(void);
/* Changes the size (headless: the script's resize). */
void tui_term_resize(int width, int height);

#endif
