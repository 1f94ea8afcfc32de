/* tui/loop.h — the event loop: polls the keyboard, a wake-up pipe written by
 * worker threads, the signal pipe and a one-second tick, and redraws once
 * per round (the screen's draw, then one doupdate). Handlers return flags;
 * only the loop redraws.
 *
 * News from the workers (a wake) is drawn at most once a second unless a key
 * was pressed just before; a wake that returns TUI_URGENT with TUI_REDRAW is
 * drawn at once (what the operator sees changed, not only counts or ages).
 *
 * When the terminal goes away (stdin hangs up, reads end, SIGHUP) the loop
 * returns at once: it never spins on a dead terminal.
 *
 * Call order: tui_loop_init (before workers start) -> tui_term_open ->
 * tui_loop_run -> tui_term_close -> (workers stopped) -> tui_loop_release.
 * tui_loop_wake may be called from any thread or a signal handler.
 */
#ifndef TUI_LOOP_H
#define TUI_LOOP_H

#include <stddef.h>

#include "tui/script.h"

enum {
	TUI_HANDLED = 1, /* the key meant something */
	TUI_REDRAW = 2,	 /* draw again */
	TUI_QUIT = 4,	 /* leave the loop */
	TUI_URGENT = 8,	 /* with REDRAW: draw now, even while news is paced */
};

typedef struct tui_loop_ops {
	void (*draw)(void *ctx);		   /* draws into stdscr (no refresh) */
	int (*key)(void *ctx, int key);		   /* a key (tui/keymap.h), KEY_RESIZE too */
	int (*wake)(void *ctx);			   /* a worker called tui_loop_wake */
	int (*tick)(void *ctx);			   /* about once a second */
	int (*busy)(void *ctx);			   /* script mode: 1 while work is in flight */
	int (*command)(void *ctx, const char *cmd); /* a script's ":cmd" line */
} tui_loop_ops;

typedef enum tui_loop_end {
	TUI_END_QUIT,	  /* the user quit */
	TUI_END_SIGNAL,	  /* SIGTERM, SIGINT, SIGQUIT */
	TUI_END_HANGUP,	  /* the terminal went away (SIGHUP, EOF, error) */
	TUI_END_ERROR,	  /* a script failed (message in err) */
} tui_loop_end;

int tui_loop_init(char *err, size_t errsz);
void tui_loop_release(void);
void tui_loop_wake(void);

/* script may be NULL (the keyboard). */
tui_loop_end tui_loop_run(const tui_loop_ops *ops, void *ctx, tui_script *script, char *err,
			  size_t errsz);

#endif
