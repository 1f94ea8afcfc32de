/* tui/logpane.h — a scrollable view of a logring: follow (stick to the end)
 * or paused, search forward and backward with the matches highlighted, line
 * wrap on or off, horizontal scroll. Lines are escaped when drawn.
 *
 * The caller owns the struct and the ring (which must outlive the pane).
 * Call order: logpane_init -> (logpane_draw, logpane_key, logpane_search)* ->
 * logpane_release. UI thread only; the ring may be filled by any thread.
 *
 * Keys (logpane_key): Up/k Down/j a line, PgUp/b PgDn/space a page,
 * Home/g the oldest line, End/G follow, f follow on/off (pause), w wrap on/off,
 * Left/h Right/l scroll sideways (wrap off), n/N next/previous match.
 */
#ifndef TUI_LOGPANE_H
#define TUI_LOGPANE_H

#include <stdint.h>

#include "tui/logring.h"
#include "tui/wtext.h"

typedef struct tui_logpane_style {
	attr_t text;  /* lines */
	attr_t match; /* search matches (e.g. A_REVERSE) */
	int ascii;    /* only ASCII may be drawn */
} tui_logpane_style;

typedef struct tui_logpane {
	tui_logring *ring;
	uint64_t top;	    /* first line shown (kept while following too) */
	int top_row;	    /* wrapped row of `top` shown first */
	uint64_t bottom;    /* last line shown by the last draw */
	int follow;	    /* stick to the end as lines arrive */
	int wrap;	    /* long lines continue on the next rows */
	int hscroll;	    /* first column shown when not wrapping */
	int height, width;  /* of the last draw (0 before) */
	char needle[128];   /* search text, "" for none */
	int fold;	    /* search ignores ASCII case */
	int has_match;
	uint64_t match;	    /* line of the current match */
	strbuf line, esc;   /* scratch */
} tui_logpane;

enum logpane_result {
	LOGPANE_IGNORED = 0, /* not a key of the pane */
	LOGPANE_HANDLED,     /* consumed; redraw */
	LOGPANE_NOT_FOUND,   /* consumed (n/N or a search); no line matches */
};

/* Starts following, wrap off, no search. */
void tui_logpane_init(tui_logpane *p, tui_logring *ring);
void tui_logpane_release(tui_logpane *p);

/* Draws the pane into rows y..y+h-1, columns x..x+w-1 of win. */
void tui_logpane_draw(tui_logpane *p, WINDOW *win, int y, int x, int h, int w, const tui_logpane_style *st);
enum logpane_result tui_logpane_key(tui_logpane *p, int key);

/* Sets the search text and finds the first match from the top line shown
 * (dir > 0) or above it (dir < 0), wrapping around the ring; the match is
 * brought into view and following stops. An empty needle clears the search. */
enum logpane_result tui_logpane_search(tui_logpane *p, const char *needle, int dir);
/* Next (dir > 0) or previous match of the current search. */
enum logpane_result tui_logpane_search_next(tui_logpane *p, int dir);

void tui_logpane_set_follow(tui_logpane *p, int on);
/* One line for a status bar: "FOLLOW"/"PAUSED", lines shown, dropped, wrap, column. */
void tui_logpane_status(tui_logpane *p, strbuf *sb);

#endif
