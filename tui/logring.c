/* tui/logring.c — a bounded ring of log lines. */
#include <ctype.h>
#include <stdint.h>

#include "tui/logring.h"

static size_t line_cost(size_t len)
{
	return len + TUI_LOGRING_LINE_OVERHEAD;
}

void tui_logring_init(tui_logring *r, size_t max_lines, size_t max_bytes, size_t max_line_bytes)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	if (max_lines < 1)
		max_lines = 1;
	if (max_line_bytes == 0)
		max_line_bytes = max_bytes / 4;
	if (max_line_bytes < 16)
		max_line_bytes = 16;
	if (max_bytes < line_cost(max_line_bytes))
		max_bytes = line_cost(max_line_bytes);
	r->max_lines = max_lines;
	r->max_bytes = max_bytes;
	r->max_line_bytes = max_line_bytes;
	r->slots = xcalloc(max_lines, sizeof(*r->slots));
}

void tui_logring_release(tui_logring *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->slots[(r->head + i) % r->max_lines].text);
	free(r->slots);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

/* Under the lock: removes the oldest line and returns its text to free. */
static char *drop_oldest(tui_logring *r)
{
	tui_logring_slot *s = &r->slots[r->head];
	char *text = s->text;

	r->bytes -= line_cost(s->len);
	s->text = NULL;
	s->len = 0;
	r->head = (r->head + 1) % r->max_lines;
	r->count--;
	r->first_seq++;
	r->dropped++;
	return text;
}

int tui_logring_push(tui_logring *r, const char *line, size_t n)
{
	char *text, *gone[8];
	size_t ngone = 0;
	int cut = 0, wake;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n > r->max_line_bytes) {
		n = r->max_line_bytes;
		cut = 1;
	}
	text = xmalloc(n + 1);
	memcpy(text, line, n);
	text[n] = '\0';

	pthread_mutex_lock(&r->lock);
	while (r->count > 0 &&
	       (r->count == r->max_lines || r->bytes + line_cost(n) > r->max_bytes)) {
		char *t = drop_oldest(r);
		if (ngone < ARRAY_SIZE(gone))
			gone[ngone++] = t;
		else
			free(t);
	}
	r->slots[(r->head + r->count) % r->max_lines] = (tui_logring_slot){text, n};
	r->count++;
	r->bytes += line_cost(n);
	r->cut += cut;
	wake = !r->unseen;
	r->unseen = 1;
	pthread_mutex_unlock(&r->lock);

	while (ngone > 0)
		free(gone[--ngone]);
	return wake;
}

void tui_logring_mark_seen(tui_logring *r)
{
	pthread_mutex_lock(&r->lock);
	r->unseen = 0;
	pthread_mutex_unlock(&r->lock);
}

void tui_logring_clear(tui_logring *r)
{
	pthread_mutex_lock(&r->lock);
	while (r->count > 0)
		free(drop_oldest(r));
	r->gen++;
	pthread_mutex_unlock(&r->lock);
}

void tui_logring_stats_get(tui_logring *r, tui_logring_stats *st)
{
	pthread_mutex_lock(&r->lock);
	st->first_seq = r->first_seq;
	st->next_seq = r->first_seq + r->count;
	st->count = r->count;
	st->bytes = r->bytes;
	st->dropped = r->dropped;
	st->cut = r->cut;
	st->gen = r->gen;
	pthread_mutex_unlock(&r->lock);
}

/* Under the lock: the slot of seq, or NULL. */
static const tui_logring_slot *slot_of(const tui_logring *r, uint64_t seq)
{
	if (seq < r->first_seq || seq >= r->first_seq + r->count)
		return NULL;
	return &r->slots[(r->head + (size_t)(seq - r->first_seq)) % r->max_lines];
}

int tui_logring_get(tui_logring *r, uint64_t seq, strbuf *sb)
{
	const tui_logring_slot *s;
	int ret = -1;

	sb_reset(sb);
	pthread_mutex_lock(&r->lock);
	s = slot_of(r, seq);
	if (s) {
		sb_add(sb, s->text, s->len);
		ret = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

long tui_logring_find(const char *hay, size_t n, const char *needle, int fold)
{
	size_t m = strlen(needle);

	if (m == 0 || m > n)
		return -1;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;
		if (fold) {
			while (j < m && tolower((unsigned char)hay[i + j]) ==
						tolower((unsigned char)needle[j]))
				j++;
		} else {
			while (j < m && hay[i + j] == needle[j])
				j++;
		}
		if (j == m)
			return (long)i;
	}
	return -1;
}

int tui_logring_search(tui_logring *r, uint64_t from, int dir, int wrap, int fold, const char *needle,
		   uint64_t *found)
{
	int ret = -1;

	if (!needle || !*needle)
		return -1;
	pthread_mutex_lock(&r->lock);
	if (r->count > 0) {
		uint64_t first = r->first_seq, last = r->first_seq + r->count - 1, seq;
		size_t steps = r->count;

		if (from < first)
			from = dir < 0 ? (wrap ? last : first - 1) : first;
		if (from > last)
			from = dir < 0 ? last : (wrap ? first : last + 1);
		seq = from;
		while (steps-- > 0 && seq >= first && seq <= last) {
			const tui_logring_slot *s = slot_of(r, seq);
			if (tui_logring_find(s->text, s->len, needle, fold) >= 0) {
				*found = seq;
				ret = 0;
				break;
			}
			if (dir < 0)
				seq = seq == first ? (wrap ? last : first - 1) : seq - 1;
			else
				seq = seq == last ? (wrap ? first : last + 1) : seq + 1;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}
