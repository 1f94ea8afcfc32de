/* tui/logring: bounds by lines and bytes, order, dropped and cut counters,
 * search across the ring's wrap-around, pushes from several threads. */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tui/logring.h"

static void push_str(tui_logring *r, const char *s)
{
	tui_logring_push(r, s, strlen(s));
}

static void test_million_pushes_stay_bounded(void **state)
{
	const size_t max_lines = 5000, max_bytes = 256 * 1024;
	struct mallinfo2 before, after;
	tui_logring r;
	char line[400];
	uint64_t rnd = 42;
	size_t worst_bytes = 0, worst_count = 0;
	tui_logring_stats st;
	strbuf sb;

	before = mallinfo2();
	tui_logring_init(&r, max_lines, max_bytes, 300);
	for (int i = 0; i < 1000000; i++) {
		int len;
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		len = snprintf(line, sizeof(line), "%d ", i);
		/* lengths 0..380: some lines are cut at 300 */
		for (int k = (int)((rnd >> 33) % 380); k > 0 && len < (int)sizeof(line) - 2; k--)
			line[len++] = (char)('a' + k % 26);
		line[len++] = '\n';
		tui_logring_push(&r, line, (size_t)len);
		if (i % 997 == 0) {
			tui_logring_stats_get(&r, &st);
			if (st.bytes > worst_bytes)
				worst_bytes = st.bytes;
			if (st.count > worst_count)
				worst_count = st.count;
		}
	}
	after = mallinfo2();
	tui_logring_stats_get(&r, &st);
	assert_true(worst_bytes <= max_bytes);
	assert_true(worst_count <= max_lines);
	assert_true(st.bytes <= max_bytes);
	assert_int_equal(st.next_seq, 1000000);
	assert_int_equal(st.dropped + st.count, 1000000);
	assert_true(st.cut > 0);
	/* the heap holds the lines and the slot array, nothing that grows */
	assert_true(after.uordblks - before.uordblks <= max_bytes + max_lines * sizeof(tui_logring_slot) + 4096);

	/* order kept: every line held starts with its own number, no newline kept */
	sb_init(&sb, 512);
	for (uint64_t seq = st.first_seq; seq < st.next_seq; seq++) {
		char want[32];
		assert_int_equal(tui_logring_get(&r, seq, &sb), 0);
		snprintf(want, sizeof(want), "%llu ", (unsigned long long)seq);
		assert_true(util_starts_with(sb.buf, want));
		assert_null(strchr(sb.buf, '\n'));
		assert_true(sb.len <= 300);
	}
	assert_int_equal(tui_logring_get(&r, st.first_seq - 1, &sb), -1);
	assert_int_equal(tui_logring_get(&r, st.next_seq, &sb), -1);
	sb_release(&sb);
	tui_logring_release(&r);
}

static void test_byte_bound_drops_oldest(void **state)
{
	tui_logring r;
	tui_logring_stats st;
	char big[100];
	strbuf sb;

	/* room for 4 lines of 100 bytes */
	tui_logring_init(&r, 1000, 4 * (100 + TUI_LOGRING_LINE_OVERHEAD), 100);
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 6; i++) {
		big[0] = (char)('0' + i);
		tui_logring_push(&r, big, sizeof(big));
	}
	tui_logring_stats_get(&r, &st);
	assert_int_equal(st.count, 4);
	assert_int_equal(st.dropped, 2);
	assert_int_equal(st.first_seq, 2);
	sb_init(&sb, 16);
	assert_int_equal(tui_logring_get(&r, 2, &sb), 0);
	assert_int_equal(sb.buf[0], '2');
	sb_release(&sb);
	tui_logring_release(&r);
}

static void test_cut_crlf_and_wakeups(void **state)
{
	tui_logring r;
	tui_logring_stats st;
	strbuf sb;

	tui_logring_init(&r, 10, 0, 0); /* tiny: raised to hold one line of 16 bytes */
	sb_init(&sb, 16);
	assert_int_equal(tui_logring_push(&r, "hello\r\n", 7), 1);
	assert_int_equal(tui_logring_push(&r, "again", 5), 0); /* UI not caught up: no second wake */
	tui_logring_mark_seen(&r);
	assert_int_equal(tui_logring_push(&r, "0123456789abcdefXYZ", 19), 1);
	tui_logring_stats_get(&r, &st);
	assert_int_equal(st.cut, 1);
	assert_int_equal(tui_logring_get(&r, st.next_seq - 1, &sb), 0);
	assert_string_equal(sb.buf, "0123456789abcdef");
	/* clear keeps numbering */
	tui_logring_clear(&r);
	tui_logring_stats_get(&r, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.first_seq, 3);
	assert_int_equal(st.gen, 1);
	sb_release(&sb);
	tui_logring_release(&r);
}

static void test_search_across_wraparound(void **state)
{
	tui_logring r;
	uint64_t found = 99;
	char line[32];

	tui_logring_init(&r, 10, 1 << 20, 0);
	/* 25 lines into 10 slots: held 15..24, slot order wrapped (head at slot 5) */
	for (int i = 0; i < 25; i++) {
		snprintf(line, sizeof(line), "%s line %d", i % 7 == 0 ? "ERROR" : "info", i);
		push_str(&r, line);
	}
	/* ERROR lines held: 21 only (14 dropped) */
	assert_int_equal(tui_logring_search(&r, 15, 1, 0, 0, "ERROR", &found), 0);
	assert_int_equal(found, 21);
	/* forward from the newest, no wrap: nothing; with wrap: back to 21 */
	assert_int_equal(tui_logring_search(&r, 22, 1, 0, 0, "ERROR", &found), -1);
	assert_int_equal(tui_logring_search(&r, 22, 1, 1, 0, "ERROR", &found), 0);
	assert_int_equal(found, 21);
	/* a line in the slots before the head (seq 20 lives in slot 0) */
	assert_int_equal(tui_logring_search(&r, 24, -1, 0, 0, "line 20", &found), 0);
	assert_int_equal(found, 20);
	/* backward from the oldest wraps to the newest */
	assert_int_equal(tui_logring_search(&r, 15, -1, 1, 0, "line 24", &found), 0);
	assert_int_equal(found, 24);
	assert_int_equal(tui_logring_search(&r, 15, -1, 0, 0, "line 24", &found), -1);
	/* a dropped line is not found; case folding */
	assert_int_equal(tui_logring_search(&r, 15, 1, 1, 0, "line 3", &found), -1);
	assert_int_equal(tui_logring_search(&r, 15, 1, 1, 0, "error", &found), -1);
	assert_int_equal(tui_logring_search(&r, 15, 1, 1, 1, "error", &found), 0);
	assert_int_equal(tui_logring_search(&r, 15, 1, 1, 1, "", &found), -1);
	/* a start before the oldest begins at the oldest */
	assert_int_equal(tui_logring_search(&r, 3, 1, 0, 0, "info", &found), 0);
	assert_int_equal(found, 15);
	tui_logring_release(&r);
}

static void test_find(void **state)
{
	assert_int_equal(tui_logring_find("abcabc", 6, "ca", 0), 2);
	assert_int_equal(tui_logring_find("abcABC", 6, "Cab", 1), 2);
	assert_int_equal(tui_logring_find("abcABC", 6, "Cab", 0), -1);
	assert_int_equal(tui_logring_find("ab", 2, "abc", 0), -1);
	assert_int_equal(tui_logring_find("abc", 2, "c", 0), -1); /* only n bytes */
}

#define WRITERS 4
#define PER_WRITER 100000

typedef struct writer_arg {
	tui_logring *r;
	int id;
	int wakes;
} writer_arg;

static void *writer(void *p)
{
	writer_arg *a = p;
	char line[64];

	for (int i = 0; i < PER_WRITER; i++) {
		int n = snprintf(line, sizeof(line), "w%d %d payload", a->id, i);
		a->wakes += tui_logring_push(a->r, line, (size_t)n);
	}
	return NULL;
}

static void test_threads_push_while_ui_reads(void **state)
{
	tui_logring r;
	pthread_t t[WRITERS];
	writer_arg args[WRITERS];
	tui_logring_stats st;
	strbuf sb;
	int last[WRITERS], reads = 0, wakes = 0, round;

	tui_logring_init(&r, 2000, 64 * 1024, 0);
	sb_init(&sb, 64);
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (writer_arg){&r, i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, writer, &args[i]), 0);
	}
	/* the "UI": snapshots, reads the visible lines, searches, marks seen; at
	 * least 2000 rounds, and on until it has read something (on a loaded
	 * machine the writers may not have started yet) */
	for (round = 0; round < 2000 || reads == 0; round++) {
		uint64_t found;
		tui_logring_stats_get(&r, &st);
		assert_true(st.count <= 2000);
		assert_true(st.bytes <= 64 * 1024);
		for (uint64_t s = st.next_seq > 24 ? st.next_seq - 24 : 0; s < st.next_seq; s++)
			if (tui_logring_get(&r, s, &sb) == 0) {
				assert_int_equal(sb.buf[0], 'w');
				reads++;
			}
		tui_logring_search(&r, st.first_seq, 1, 1, 1, "W3 9", &found);
		tui_logring_mark_seen(&r);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		wakes += args[i].wakes;
	}
	tui_logring_stats_get(&r, &st);
	assert_int_equal(st.next_seq, WRITERS * PER_WRITER);
	assert_int_equal(st.dropped + st.count, WRITERS * PER_WRITER);
	assert_true(reads > 0);
	assert_true(wakes >= 1 && wakes <= round + 1); /* one wake per mark_seen at most, plus the first */
	/* each writer's lines stay in its order */
	for (int i = 0; i < WRITERS; i++)
		last[i] = -1;
	for (uint64_t s = st.first_seq; s < st.next_seq; s++) {
		int id, n;
		assert_int_equal(tui_logring_get(&r, s, &sb), 0);
		assert_int_equal(sscanf(sb.buf, "w%d %d", &id, &n), 2);
		assert_true(id >= 0 && id < WRITERS);
		assert_true(n > last[id]);
		last[id] = n;
	}
	sb_release(&sb);
	tui_logring_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_pushes_stay_bounded),
		cmocka_unit_test(test_byte_bound_drops_oldest),
		cmocka_unit_test(test_cut_crlf_and_wakeups),
		cmocka_unit_test(test_search_across_wraparound),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_threads_push_while_ui_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
