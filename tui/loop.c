/* tui/loop.c — poll, dispatch, redraw once. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tui/keymap.h"
#include "tui/loop.h"
#include "tui/term.h"
#include "util/trace.h"
#include "util/util.h"

#define TICK_MS 1000
/* News from the workers (a fleet that churns) is drawn at most once per
 * FRAME_BG_MS, so that what changes and changes back in between costs nothing on
 * a slow link; a key is answered at once, and so is news for KEY_FRESH_MS after
 * one (what the key asked for), and news a screen calls urgent (TUI_URGENT: a
 * row in sight changed). */
#define FRAME_BG_MS 1000
#define KEY_FRESH_MS 1500
#define SCRIPT_BUSY_LIMIT_MS 60000

static int wake_pipe[2] = {-1, -1};

int tui_loop_init(char *err, size_t errsz)
{
	if (wake_pipe[0] >= 0)
		return 0;
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return util_seterr(err, errsz, "cannot create a pipe: %s", strerror(errno));
	return 0;
}

void tui_loop_release(void)
{
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
	wake_pipe[0] = wake_pipe[1] = -1;
}

void tui_loop_wake(void)
{
	int saved = errno;
	char c = 'w';

	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &c, 1) < 0) {
		/* full: a wake-up is pending anyway */
	}
	errno = saved;
}

static void drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Signals waiting on the pipe: the end they call for, or -1. */
static int read_signals(void)
{
	unsigned char buf[32];
	ssize_t n, i;
	int end = -1;

	while ((n = read(tui_term_signal_fd(), buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			end = buf[i] == SIGHUP ? TUI_END_HANGUP
			      : end == TUI_END_HANGUP ? end
						      : TUI_END_SIGNAL;
	return end;
}

static int to_key(int rc, wint_t wc)
{
	if (rc == KEY_CODE_YES)
		return TUI_KEY_FN((int)wc);
	if (wc == '\n')
		return TUI_KEY_ENTER;
	if (wc == 127 || wc == 8)
		return TUI_KEY_FN(KEY_BACKSPACE);
	return (int)wc;
}

typedef struct loop {
	const tui_loop_ops *ops;
	void *ctx;
	int dirty, urgent;
	int64_t next_tick;
	/* With SMARTOPS_KEY_TIMING: wall-clock ms of the first frame drawn after a
	 * worker's news, and of the first one drawn when the console was idle; and of
	 * the very first frame (with rows when a snapshot was there to show). */
	int marks, woken;
	int64_t first_frame_ms, first_data_ms, first_idle_ms;
	int64_t last_frame_ms, last_key_ms; /* monotonic */
} loop;

static void apply(loop *l, int flags, int *quit)
{
	if (flags & TUI_REDRAW)
		l->dirty = 1;
	if ((flags & (TUI_REDRAW | TUI_URGENT)) == (TUI_REDRAW | TUI_URGENT))
		l->urgent = 1;
	if (flags & TUI_QUIT)
		*quit = 1;
}

static void redraw(loop *l)
{
	if (!l->dirty)
		return;
	l->dirty = l->urgent = 0;
	l->ops->draw(l->ctx);
	wnoutrefresh(stdscr);
	doupdate();
	util_trace("frame");
	if (l->marks && !l->first_frame_ms)
		l->first_frame_ms = util_now_ms();
	if (l->marks && l->woken) {
		int64_t now = util_now_ms();
		if (!l->first_data_ms) {
			l->first_data_ms = now;
			util_trace("frame: first with data");
		}
		if (!l->first_idle_ms && !(l->ops->busy && l->ops->busy(l->ctx)))
			l->first_idle_ms = now;
	}
}

/* Waits up to ms for the wake pipe, signals or (keyboard) input; handles
 * wakes, ticks and signals. Returns an end, or -1 to go on. *input is set
 * when the keyboard has something. */
static int wait_events(loop *l, int ms, int *input, int *quit)
{
	struct pollfd pf[4];
	int n = 0, in = tui_term_input_fd(), out = tui_term_output_fd(), rc, end;
	int64_t now = util_mono_ms();

	if (now >= l->next_tick) {
		if (l->ops->tick)
			apply(l, l->ops->tick(l->ctx), quit);
		l->next_tick = now + TICK_MS;
	}
	if (ms < 0 || ms > l->next_tick - now)
		ms = (int)(l->next_tick - now);
	pf[n++] = (struct pollfd){tui_term_signal_fd(), POLLIN, 0};
	pf[n++] = (struct pollfd){wake_pipe[0], POLLIN, 0};
	if (in >= 0)
		pf[n++] = (struct pollfd){in, POLLIN, 0};
	if (out >= 0 && out != in)
		pf[n++] = (struct pollfd){out, 0, 0};
	*input = 0;
	rc = poll(pf, (nfds_t)n, ms);
	if (rc < 0) {
		if (errno == EINTR) {
			*input = in >= 0; /* SIGWINCH: curses has a KEY_RESIZE for us */
			return -1;
		}
		return TUI_END_HANGUP;
	}
	if (pf[0].revents && (end = read_signals()) >= 0)
		return end;
	if (pf[1].revents) {
		drain(wake_pipe[0]);
		if (l->ops->wake) {
			int r = l->ops->wake(l->ctx);
			l->woken |= (r & TUI_REDRAW) != 0;
			apply(l, r, quit);
		}
	}
	if (in >= 0) {
		if (pf[2].revents & (POLLHUP | POLLERR | POLLNVAL))
			return TUI_END_HANGUP;
		if (pf[2].revents & POLLIN) {
			int avail = 0;
			/* Readable with nothing to read: the end of the input. */
			if (ioctl(in, FIONREAD, &avail) == 0 && avail == 0)
				return TUI_END_HANGUP;
			*input = 1;
		}
		if (n == 4 && (pf[3].revents & (POLLHUP | POLLERR | POLLNVAL)))
			return TUI_END_HANGUP;
	}
	return -1;
}

static void read_keys(loop *l, int *quit)
{
	wint_t wc;
	int rc, k = 0;

	while (!*quit && k++ < 256 && (rc = get_wch(&wc)) != ERR)
		apply(l, l->ops->key(l->ctx, to_key(rc, wc)), quit);
}

static tui_loop_end run_keyboard(loop *l)
{
	int quit = 0, input, end;

	while (!quit) {
		int64_t now = util_mono_ms();
		int wait = -1;

		if (l->dirty) {
			if (l->urgent || now - l->last_key_ms < KEY_FRESH_MS ||
			    now - l->last_frame_ms >= FRAME_BG_MS) {
				redraw(l);
				l->last_frame_ms = now;
			} else {
				wait = (int)(FRAME_BG_MS - (now - l->last_frame_ms));
			}
		}
		end = wait_events(l, wait, &input, &quit);
		if (end >= 0)
			return (tui_loop_end)end;
		if (input) {
			l->last_key_ms = util_mono_ms();
			read_keys(l, &quit);
		}
	}
	return TUI_END_QUIT;
}

/* Script mode: waits until the console is idle (or ms pass when idle_ok is 0). */
static int settle(loop *l, int ms, int until_idle, int *quit, char *err, size_t errsz, int line)
{
	int64_t start = util_mono_ms();
	int input, end;

	for (;;) {
		redraw(l);
		if (*quit)
			return 0;
		if (until_idle && !(l->ops->busy && l->ops->busy(l->ctx)))
			return 0;
		if (!until_idle && util_mono_ms() - start >= ms)
			return 0;
		if (until_idle && util_mono_ms() - start > SCRIPT_BUSY_LIMIT_MS)
			return util_seterr(err, errsz, "script line %d: the console stayed busy for %d s",
					   line, SCRIPT_BUSY_LIMIT_MS / 1000);
		end = wait_events(l, 50, &input, quit);
		if (end >= 0) {
			*quit = 1;
			return end == TUI_END_HANGUP ? -2 : 0;
		}
	}
}

typedef struct timing timing;
static tui_loop_end run_script_steps(loop *l, tui_script *s, char *err, size_t errsz,
				     timing *tm);

/* Key-to-frame times of a script run, reported on stderr when
 * SMARTOPS_KEY_TIMING is set (for benchmarks and tests). Beside the wall time,
 * the same less what the UI thread spent runnable but waiting for a CPU (Linux
 * schedstat): what the key itself cost, running or blocked, on a machine
 * however loaded. A key that waits on the network shows in both. */
struct timing {
	double *us, *own_us; /* own_us: NULL without schedstat */
	size_t n, cap;
	int no_sched;
};

/* Nanoseconds the calling thread has waited for a CPU, or -1. */
static int64_t queued_ns(void)
{
	FILE *fp = fopen("/proc/thread-self/schedstat", "r");
	unsigned long long run, wait;
	int n;

	if (!fp)
		return -1;
	n = fscanf(fp, "%llu %llu", &run, &wait);
	fclose(fp);
	return n == 2 ? (int64_t)wait : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void timing_report(timing *t)
{
	if (t->n) {
		qsort(t->us, t->n, sizeof(*t->us), cmp_double);
		fprintf(stderr, "key-to-frame: %zu keys, p50 %.0f us, p99 %.0f us, max %.0f us\n", t->n,
			t->us[t->n / 2], t->us[(t->n * 99) / 100], t->us[t->n - 1]);
	}
	if (t->n && !t->no_sched) {
		qsort(t->own_us, t->n, sizeof(*t->own_us), cmp_double);
		fprintf(stderr,
			"key-to-frame less CPU queueing: %zu keys, p50 %.0f us, p99 %.0f us, max %.0f us\n",
			t->n, t->own_us[t->n / 2], t->own_us[(t->n * 99) / 100], t->own_us[t->n - 1]);
	}
	free(t->us);
	free(t->own_us);
}

static void timing_add(timing *t, double us, int64_t queued0)
{
	int64_t queued1 = queued0 >= 0 ? queued_ns() : -1;
	double own = us;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->us = xrealloc(t->us, t->cap * sizeof(*t->us));
		t->own_us = xrealloc(t->own_us, t->cap * sizeof(*t->own_us));
	}
	if (queued0 < 0 || queued1 < 0)
		t->no_sched = 1;
	else
		own -= (double)(queued1 - queued0) / 1000.0;
	t->us[t->n] = us;
	t->own_us[t->n++] = own > 0 ? own : 0;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static tui_loop_end run_script(loop *l, tui_script *s, char *err, size_t errsz)
{
	timing tm = {0};
	int timed = getenv("SMARTOPS_KEY_TIMING") != NULL;
	tui_loop_end end = run_script_steps(l, s, err, errsz, timed ? &tm : NULL);

	if (timed) {
		timing_report(&tm);
		fprintf(stderr,
			"frames: first at %lld ms, first with data at %lld ms, first idle at %lld ms (unix)\n",
			(long long)l->first_frame_ms, (long long)l->first_data_ms,
			(long long)l->first_idle_ms);
	}
	return end;
}

static tui_loop_end run_script_steps(loop *l, tui_script *s, char *err, size_t errsz, timing *tm)
{
	int quit = 0, early = 0;
	tui_step st = {0};

	while (!quit) {
		int64_t start, queued;

		if (tui_script_next(s, &st, err, errsz) < 0)
			return TUI_END_ERROR;
		if (!early && st.kind != TUI_STEP_EARLY &&
		    settle(l, 0, 1, &quit, err, errsz, st.line) < 0)
			return TUI_END_ERROR;
		early = 0;
		if (quit)
			break;
		switch (st.kind) {
		case TUI_STEP_END:
			return TUI_END_QUIT;
		case TUI_STEP_KEY:
			queued = tm ? queued_ns() : -1;
			start = now_us();
			apply(l, l->ops->key(l->ctx, st.key), &quit);
			if (tm) {
				l->dirty = 1;
				redraw(l);
				timing_add(tm, (double)(now_us() - start), queued);
			}
			break;
		case TUI_STEP_SAVE:
			l->dirty = 1;
			redraw(l);
			if (tui_screen_save(st.arg, err, errsz) < 0)
				return TUI_END_ERROR;
			break;
		case TUI_STEP_RESIZE:
			tui_term_resize(st.cols, st.lines);
			apply(l, l->ops->key(l->ctx, TUI_KEY_FN(KEY_RESIZE)), &quit);
			break;
		case TUI_STEP_SLEEP:
			if (settle(l, st.ms, 0, &quit, err, errsz, st.line) < 0)
				return TUI_END_ERROR;
			break;
		case TUI_STEP_WAIT_FOR:
			start = util_mono_ms();
			for (;;) {
				l->dirty = 1;
				if (settle(l, 100, 0, &quit, err, errsz, st.line) < 0)
					return TUI_END_ERROR;
				if (tui_screen_has(st.arg) || quit)
					break;
				if (util_mono_ms() - start > st.ms) {
					util_seterr(err, errsz,
						    "script line %d: \"%s\" not on the screen after %d s",
						    st.line, st.arg, st.ms / 1000);
					return TUI_END_ERROR;
				}
			}
			break;
		case TUI_STEP_EARLY:
			early = 1;
			break;
		case TUI_STEP_COMMAND:
			if (l->ops->command)
				apply(l, l->ops->command(l->ctx, st.arg), &quit);
			break;
		}
	}
	return TUI_END_QUIT;
}

tui_loop_end tui_loop_run(const tui_loop_ops *ops, void *ctx, tui_script *script, char *err,
			  size_t errsz)
{
	loop l = {.ops = ops, .ctx = ctx, .dirty = 1, .last_key_ms = INT64_MIN / 2};

	l.next_tick = util_mono_ms() + TICK_MS;
	l.marks = getenv("SMARTOPS_KEY_TIMING") != NULL;
	return script ? run_script(&l, script, err, errsz) : run_keyboard(&l);
}
