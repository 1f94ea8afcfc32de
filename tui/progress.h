/* tui/progress.h — a tui_progress bar ("[#####.....]  50%" in ASCII, eighth
 * blocks in UTF-8), a spinner for work of unknown length ("|/-\" or braille
 * dots) and the elapsed time ("42s", "3m05s", "1h02m"). The caller owns the
 * struct; progress_draw puts label, spinner or bar, and time on one line.
 */
#ifndef TUI_PROGRESS_H
#define TUI_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "tui/wtext.h"

typedef struct tui_progress_style {
	attr_t bar;   /* the done part */
	attr_t empty; /* the rest */
	attr_t text;  /* label, percentage, time */
	int ascii;
} tui_progress_style;

typedef struct tui_progress {
	const char *label;  /* outside text allowed: escaped */
	double fraction;    /* 0..1, or < 0: unknown (spinner only) */
	int64_t start_ms;   /* monotonic ms when the work began */
	unsigned tick;      /* spinner phase: the caller advances it (progress_tick) */
} tui_progress;

void tui_progress_init(tui_progress *p, const char *label, int64_t now_ms);
void tui_progress_tick(tui_progress *p);
/* The spinner glyph for a phase. */
const char *tui_progress_spinner(unsigned tick, int ascii);
/* Elapsed time as "0s", "59s", "1m00s", "59m59s", "1h00m". */
void tui_progress_elapsed(int64_t ms, char *buf, size_t size);
/* A bar of width columns (brackets included in ASCII) filled to fraction. */
void tui_progress_draw_bar(WINDOW *win, int y, int x, int width, double fraction,
		       const tui_progress_style *st);
/* "⠋ label  [bar]  42%  1m05s" within width columns at y,x. */
void tui_progress_draw(const tui_progress *p, WINDOW *win, int y, int x, int width, int64_t now_ms,
		   const tui_progress_style *st);

#endif
