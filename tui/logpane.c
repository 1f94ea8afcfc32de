/* tui/logpane.c — a scrollable, searchable view of a logring. */
#include <stdint.h>

#include "tui/logpane.h"

#define MAX_RANGES 64

typedef struct range {
	size_t from, to; /* columns [from, to) */
} range;

void tui_logpane_init(tui_logpane *p, tui_logring *ring)
{
	memset(p, 0, sizeof(*p));
	p->ring = ring;
	p->follow = 1;
	p->fold = 1;
	sb_init(&p->line, 256);
	sb_init(&p->esc, 256);
}

void tui_logpane_release(tui_logpane *p)
{
	sb_release(&p->line);
	sb_release(&p->esc);
}

void tui_logpane_set_follow(tui_logpane *p, int on)
{
	p->follow = on != 0;
}

/* Line seq escaped into p->esc; -1 when the ring no longer holds it. */
static int load(tui_logpane *p, uint64_t seq, int ascii)
{
	sb_reset(&p->esc);
	if (tui_logring_get(p->ring, seq, &p->line) < 0)
		return -1;
	tui_wtext_escape(&p->esc, p->line.buf, ascii);
	return 0;
}

static int rows_of(tui_logpane *p, uint64_t seq)
{
	size_t cols;

	if (!p->wrap || p->width <= 0)
		return 1;
	if (load(p, seq, 0) < 0)
		return 1;
	cols = tui_wtext_cols(p->esc.buf);
	return cols == 0 ? 1 : (int)((cols + (size_t)p->width - 1) / (size_t)p->width);
}

/* The position that shows the last line at the bottom. */
static void end_position(tui_logpane *p, const tui_logring_stats *st, uint64_t *top, int *top_row)
{
	int left = p->height > 0 ? p->height : 1;
	uint64_t seq;

	*top = st->first_seq;
	*top_row = 0;
	if (st->count == 0)
		return;
	for (seq = st->next_seq - 1;; seq--) {
		int r = rows_of(p, seq);
		if (r >= left) {
			*top = seq;
			*top_row = r - left;
			return;
		}
		left -= r;
		if (seq == st->first_seq)
			return;
	}
}

static int pos_after(uint64_t a, int ar, uint64_t b, int br)
{
	return a > b || (a == b && ar > br);
}

/* Keeps top inside the ring and not past the end position. */
static void clamp(tui_logpane *p, const tui_logring_stats *st)
{
	uint64_t et;
	int er;

	end_position(p, st, &et, &er);
	if (p->follow) {
		p->top = et;
		p->top_row = er;
		return;
	}
	if (p->top < st->first_seq || p->top >= st->next_seq) {
		p->top = st->first_seq;
		p->top_row = 0;
	}
	if (pos_after(p->top, p->top_row, et, er)) {
		p->top = et;
		p->top_row = er;
	}
}

static void scroll_rows(tui_logpane *p, int delta)
{
	tui_logring_stats st;

	tui_logring_stats_get(p->ring, &st);
	p->follow = 0;
	clamp(p, &st);
	for (; delta > 0; delta--) {
		if (p->top_row + 1 < rows_of(p, p->top))
			p->top_row++;
		else if (p->top + 1 < st.next_seq)
			p->top++, p->top_row = 0;
		else
			break;
	}
	for (; delta < 0; delta++) {
		if (p->top_row > 0)
			p->top_row--;
		else if (p->top > st.first_seq)
			p->top--, p->top_row = rows_of(p, p->top) - 1;
		else
			break;
	}
	clamp(p, &st);
}

/* Columns of the matches of the needle in p->esc. */
static size_t find_ranges(tui_logpane *p, range *out, size_t max)
{
	size_t n = 0, off = 0, len = p->esc.len, nlen = strlen(p->needle);
	size_t col = 0, counted = 0;

	if (!nlen)
		return 0;
	while (n < max && off < len) {
		long at = tui_logring_find(p->esc.buf + off, len - off, p->needle, p->fold);
		const char *c, *stop;
		if (at < 0)
			break;
		/* columns from `counted` bytes up to the match */
		stop = p->esc.buf + off + (size_t)at;
		for (c = p->esc.buf + counted; c < stop; c = tui_wtext_skip(c, 1))
			col++;
		out[n].from = col;
		stop += nlen;
		for (; c < stop; c = tui_wtext_skip(c, 1))
			col++;
		out[n].to = col;
		counted = (size_t)(c - p->esc.buf);
		off = counted;
		n++;
	}
	return n;
}

static void draw_cols(tui_logpane *p, WINDOW *win, int y, int x, size_t from, int w, const range *rg,
		      size_t nrg, const tui_logpane_style *st)
{
	const char *c = tui_wtext_skip(p->esc.buf, from);
	int i;

	for (i = 0; i < w && *c; i++) {
		const char *next = tui_wtext_skip(c, 1);
		size_t col = from + (size_t)i;
		attr_t a = st->text;
		for (size_t k = 0; k < nrg; k++)
			if (col >= rg[k].from && col < rg[k].to)
				a = st->match;
		wattr_set(win, a, PAIR_NUMBER(a), NULL);
		mvwaddnstr(win, y, x + i, c, (int)(next - c));
		c = next;
	}
	if (i < w)
		tui_wtext_fill(win, y, x + i, w - i, st->text);
	wattr_set(win, A_NORMAL, 0, NULL);
}

void tui_logpane_draw(tui_logpane *p, WINDOW *win, int y, int x, int h, int w, const tui_logpane_style *st)
{
	tui_logring_stats rs;
	uint64_t seq;
	int row = 0, skip;
	range rg[MAX_RANGES];

	if (h <= 0 || w <= 0)
		return;
	if (p->wrap && w != p->width)
		p->top_row = 0;
	p->height = h;
	p->width = w;
	tui_logring_stats_get(p->ring, &rs);
	clamp(p, &rs);
	p->bottom = p->top;
	seq = p->top;
	skip = p->top_row;
	while (row < h && seq < rs.next_seq) {
		size_t nrg, cols;
		if (load(p, seq, st->ascii) < 0)
			break; /* dropped while drawing: the next draw starts over */
		nrg = find_ranges(p, rg, MAX_RANGES);
		cols = tui_wtext_cols(p->esc.buf);
		if (!p->wrap) {
			draw_cols(p, win, y + row, x, (size_t)p->hscroll, w, rg, nrg, st);
			row++;
		} else {
			int nrows = cols == 0 ? 1 : (int)((cols + (size_t)w - 1) / (size_t)w);
			for (int r = skip; r < nrows && row < h; r++, row++)
				draw_cols(p, win, y + row, x, (size_t)r * (size_t)w, w, rg, nrg, st);
		}
		skip = 0;
		p->bottom = seq++;
	}
	for (; row < h; row++)
		tui_wtext_fill(win, y + row, x, w, st->text);
	tui_logring_mark_seen(p->ring);
}

static void show_match(tui_logpane *p)
{
	p->follow = 0;
	if (p->match < p->top || p->match >= p->bottom) {
		p->top = p->match;
		p->top_row = 0;
	}
}

enum logpane_result tui_logpane_search_next(tui_logpane *p, int dir)
{
	tui_logring_stats st;
	uint64_t from, found;

	if (!p->needle[0])
		return LOGPANE_NOT_FOUND;
	tui_logring_stats_get(p->ring, &st);
	if (p->has_match && p->match >= st.first_seq)
		from = dir < 0 ? p->match - 1 : p->match + 1;
	else
		from = dir < 0 ? p->top - 1 : p->top;
	if (dir < 0 && from + 1 == st.first_seq)
		from = st.next_seq - 1; /* before the oldest: wrap to the newest */
	if (tui_logring_search(p->ring, from, dir, 1, p->fold, p->needle, &found) < 0) {
		p->has_match = 0;
		return LOGPANE_NOT_FOUND;
	}
	p->has_match = 1;
	p->match = found;
	show_match(p);
	return LOGPANE_HANDLED;
}

enum logpane_result tui_logpane_search(tui_logpane *p, const char *needle, int dir)
{
	util_strlcpy(p->needle, needle ? needle : "", sizeof(p->needle));
	p->has_match = 0;
	if (!p->needle[0])
		return LOGPANE_HANDLED;
	if (p->follow) {
		/* search from where the screen is */
		tui_logring_stats st;
		tui_logring_stats_get(p->ring, &st);
		clamp(p, &st);
	}
	return tui_logpane_search_next(p, dir);
}

enum logpane_result tui_logpane_key(tui_logpane *p, int key)
{
	int page = p->height > 1 ? p->height - 1 : 1;

	switch (key) {
	case KEY_UP:
	case 'k':
		scroll_rows(p, -1);
		break;
	case KEY_DOWN:
	case 'j':
		scroll_rows(p, 1);
		break;
	case KEY_PPAGE:
	case 'b':
		scroll_rows(p, -page);
		break;
	case KEY_NPAGE:
	case ' ':
		scroll_rows(p, page);
		break;
	case KEY_HOME:
	case 'g':
		p->follow = 0;
		p->top = 0;
		p->top_row = 0;
		break;
	case KEY_END:
	case 'G':
		p->follow = 1;
		break;
	case 'f':
		if (p->follow) {
			tui_logring_stats st;
			tui_logring_stats_get(p->ring, &st);
			clamp(p, &st); /* pause where the screen is */
		}
		p->follow = !p->follow;
		break;
	case 'w':
		p->wrap = !p->wrap;
		p->hscroll = 0;
		p->top_row = 0;
		break;
	case KEY_LEFT:
	case 'h':
		if (p->wrap)
			return LOGPANE_HANDLED;
		p->hscroll = p->hscroll > 8 ? p->hscroll - 8 : 0;
		break;
	case KEY_RIGHT:
	case 'l':
		if (!p->wrap)
			p->hscroll += 8;
		break;
	case 'n':
		return tui_logpane_search_next(p, 1);
	case 'N':
		return tui_logpane_search_next(p, -1);
	default:
		return LOGPANE_IGNORED;
	}
	return LOGPANE_HANDLED;
}

void tui_logpane_status(tui_logpane *p, strbuf *sb)
{
	tui_logring_stats st;

	tui_logring_stats_get(p->ring, &st);
	sb_adds(sb, p->follow ? "FOLLOW" : "PAUSED");
	if (st.count == 0)
		sb_adds(sb, "  no lines");
	else if (p->top >= st.first_seq && p->bottom >= p->top)
		sb_addf(sb, "  lines %llu-%llu of %zu", (unsigned long long)(p->top - st.first_seq + 1),
			(unsigned long long)(p->bottom - st.first_seq + 1), st.count);
	else
		sb_addf(sb, "  %zu lines", st.count);
	if (st.dropped)
		sb_addf(sb, "  dropped %llu", (unsigned long long)st.dropped);
	if (st.cut)
		sb_addf(sb, "  cut %llu", (unsigned long long)st.cut);
	sb_adds(sb, p->wrap ? "  wrap" : "  nowrap");
	if (!p->wrap && p->hscroll)
		sb_addf(sb, "  col %d", p->hscroll + 1);
	if (p->needle[0] && !p->has_match)
		sb_adds(sb, "  no match");
}
