/* tests/unit/tui_testterm.h — a curses screen without a terminal for widget
 * tests: output to /dev/null, input from a pipe, a fixed size; rows read back
 * as text. Header-only (static inline) so each test program takes what it uses. */
#ifndef TESTS_TUI_TESTTERM_H
#define TESTS_TUI_TESTTERM_H

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tui/wtext.h"

typedef struct testterm {
	SCREEN *scr;
	FILE *out, *in;
	int fds[2];
} testterm;

static inline int testterm_open(testterm *t, int cols, int lines)
{
	setenv("TERM", "xterm-256color", 1);
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return -1;
	if (pipe(t->fds) < 0)
		return -1;
	t->in = fdopen(t->fds[0], "r");
	t->out = fopen("/dev/null", "w");
	if (!t->in || !t->out)
		return -1;
	t->scr = newterm(NULL, t->out, t->in);
	if (!t->scr)
		return -1;
	set_term(t->scr);
	resize_term(lines, cols);
	werase(stdscr);
	return 0;
}

static inline void testterm_close(testterm *t)
{
	endwin();
	delscreen(t->scr);
	fclose(t->out);
	fclose(t->in);
	close(t->fds[1]);
}

/* Row y of win from column x, n columns, as UTF-8 text, trailing blanks kept. */
static inline const char *testterm_row(WINDOW *win, int y, int x, int n, char *buf, size_t size)
{
	int got = mvwinnstr(win, y, x, buf, (int)size - 1);
	(void)n;
	if (got < 0)
		buf[0] = '\0';
	return buf;
}

/* Row y of win with trailing blanks removed. */
static inline const char *testterm_line(WINDOW *win, int y, char *buf, size_t size)
{
	size_t len;

	testterm_row(win, y, 0, getmaxx(win), buf, size);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return buf;
}

/* 1 when any row of win contains s. */
static inline int testterm_has(WINDOW *win, const char *s)
{
	char buf[1024];

	for (int y = 0; y < getmaxy(win); y++)
		if (strstr(testterm_line(win, y, buf, sizeof(buf)), s))
			return 1;
	return 0;
}

/* The attributes of the cell at y,x (colour pair included). */
static inline attr_t testterm_attr(WINDOW *win, int y, int x)
{
	return (attr_t)(mvwinch(win, y, x) & (A_ATTRIBUTES | A_COLOR));
}

/* The fixture every widget test uses: a screen of COLS x LINES opened before
 * each test (setup/teardown) and row(y), row y of stdscr without trailing blanks. */
#define TESTTERM_FIXTURE(COLS, LINES)                                   \
	static testterm tt;                                             \
	static int setup(void **state)                                  \
	{                                                               \
		(void)state;                                            \
		return testterm_open(&tt, (COLS), (LINES));             \
	}                                                               \
	static int teardown(void **state)                               \
	{                                                               \
		(void)state;                                            \
		testterm_close(&tt);                                    \
		return 0;                                               \
	}                                                               \
	static inline const char *row(int y)                            \
	{                                                               \
		static char buf[512];                                   \
		return testterm_line(stdscr, y, buf, sizeof(buf));      \
	}

#endif
