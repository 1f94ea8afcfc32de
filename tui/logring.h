/* tui/logring.h — a bounded ring of log lines, filled by a reader thread and
 * read by the UI thread.
 *
 * Bounded twice: at most max_lines lines and at most max_bytes bytes, where a
 * line costs its length plus TUI_LOGRING_LINE_OVERHEAD (slot and allocator
 * bookkeeping), so a chatty pod can never grow memory: the oldest lines go
 * first and are counted as dropped. A line longer than max_line_bytes is cut
 * (counted as cut). Every line gets a sequence number, 0 for the first line
 * ever pushed, so a reader can keep its place while lines are dropped.
 *
 * Thread-safe: any thread may push, any thread may read; each call takes the
 * ring's lock for as long as it copies. Lines are stored as given (raw bytes);
 * escaping for the terminal is the drawer's business.
 */
#ifndef TUI_LOGRING_H
#define TUI_LOGRING_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define TUI_LOGRING_LINE_OVERHEAD 48

typedef struct tui_logring_slot {
	char *text;  /* NUL-terminated, owned by the ring */
	size_t len;
} tui_logring_slot;

typedef struct tui_logring {
	pthread_mutex_t lock;
	tui_logring_slot *slots;	/* max_lines entries */
	size_t max_lines, max_bytes, max_line_bytes;
	size_t head;		/* slot of the oldest line */
	size_t count;		/* lines held */
	size_t bytes;		/* cost of the lines held */
	uint64_t first_seq;	/* sequence number of the oldest line held */
	uint64_t dropped;	/* lines dropped to make room (or clear) */
	uint64_t cut;		/* lines cut to max_line_bytes */
	uint64_t gen;		/* bumped by logring_clear */
	int unseen;		/* lines pushed since logring_mark_seen */
} tui_logring;

typedef struct tui_logring_stats {
	uint64_t first_seq;	/* oldest line held */
	uint64_t next_seq;	/* the next line pushed gets this number */
	size_t count, bytes;
	uint64_t dropped, cut, gen;
} tui_logring_stats;

/* Fills r (caller-owned). max_lines >= 1; max_bytes is raised to hold at least
 * one line of max_line_bytes; max_line_bytes 0 means max_bytes / 4. */
void tui_logring_init(tui_logring *r, size_t max_lines, size_t max_bytes, size_t max_line_bytes);
/* Frees the lines; r may be initialised again. No other thread may use r. */
void tui_logring_release(tui_logring *r);

/* Appends one line of n bytes (a trailing "\n" or "\r\n" is removed). Returns 1
 * when the ring went from seen to unseen (the caller should wake the UI once),
 * else 0. */
int tui_logring_push(tui_logring *r, const char *line, size_t n);
/* The UI has caught up: the next push returns 1 again. */
void tui_logring_mark_seen(tui_logring *r);
/* Drops every line (counted as dropped); sequence numbers keep counting. */
void tui_logring_clear(tui_logring *r);

void tui_logring_stats_get(tui_logring *r, tui_logring_stats *st);
/* Copies line seq into sb (after resetting it). Returns 0, or -1 when seq is
 * no longer (or not yet) held. */
int tui_logring_get(tui_logring *r, uint64_t seq, strbuf *sb);

/* Finds the first line containing needle, starting at seq `from` and moving
 * forward (dir > 0) or backward (dir < 0); with wrap, continues from the other
 * end. fold: ASCII case-insensitive. Returns 0 with *found, or -1. An empty
 * needle finds nothing. */
int tui_logring_search(tui_logring *r, uint64_t from, int dir, int wrap, int fold, const char *needle,
		   uint64_t *found);

/* Substring search used by the ring and the pane (ASCII folding when fold);
 * returns the offset of the first match in hay[0..n), or -1. */
long tui_logring_find(const char *hay, size_t n, const char *needle, int fold);

#endif
