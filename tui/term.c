/* tui/term.c — terminal set-up and restore. */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "tui/term.h"
#include "util/util.h"

/* Under AddressSanitizer a death of its own (a report, or an allocation of
 * its own that failed when memory ran out) ends the process without our
 * handlers: it is told to put the terminal back first. */
#if defined(__SANITIZE_ADDRESS__)
#define TERM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TERM_ASAN 1
#endif
#endif
#ifdef TERM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

static struct {
	int open;
	int headless;
	int ascii;
	int color;
	int in_fd, out_fd;
	int have_tios;
	struct termios tios;
	SCREEN *scr;
	FILE *out, *in; /* headless only: /dev/null */
	int sig_pipe[2];
	char restore[128]; /* written by the crash handler */
	size_t restore_len;
} T = {.in_fd = -1, .out_fd = -1, .sig_pipe = {-1, -1}};

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void on_quit_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(T.sig_pipe[1], &c, 1) < 0) {
		/* full pipe: a signal is already pending */
	}
	errno = saved;
}

/* The terminal as it was, with no curses call and no allocation: for a crash
 * and for a death from any thread (out of memory). */
void tui_term_emergency_restore(void)
{
	if (T.open && !T.headless) {
		if (T.restore_len && write(T.out_fd, T.restore, T.restore_len) < 0) {
			/* nothing more can be done here */
		}
		if (T.have_tios)
			tcsetattr(T.in_fd, TCSANOW, &T.tios);
	}
}

static void on_crash(int sig)
{
	static const char msg[] = "smartops: crashed; the terminal was restored\n";

	tui_term_emergency_restore();
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more can be done here */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (T.restore_len + n < sizeof(T.restore)) {
		memcpy(T.restore + T.restore_len, s, n);
		T.restore_len += n;
	}
}

static int dumb_like(const char *term)
{
	static const char *const names[] = {"dumb", "vt52", "vt100", "vt102", "vt220", "ansi"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strncmp(term, names[i], strlen(names[i])))
			return 1;
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	for (i = 0; i < ARRAY_SIZE(quit_signals); i++)
		sigaction(quit_signals[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		sigaction(crash_signals[i], &sa, NULL);
#ifdef TERM_ASAN
	__sanitizer_set_death_callback(tui_term_emergency_restore);
#endif
}

static void reset_signals(void)
{
	size_t i;

#ifdef TERM_ASAN
	__sanitizer_set_death_callback(NULL);
#endif

	for (i = 0; i < ARRAY_SIZE(quit_signals); i++)
		signal(quit_signals[i], SIG_DFL);
	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		signal(crash_signals[i], SIG_DFL);
}

static void close_files(void)
{
	if (T.out)
		fclose(T.out);
	if (T.in)
		fclose(T.in);
	T.out = T.in = NULL;
	if (T.sig_pipe[0] >= 0) {
		close(T.sig_pipe[0]);
		close(T.sig_pipe[1]);
	}
	T.sig_pipe[0] = T.sig_pipe[1] = -1;
}

int tui_term_open(const tui_term_opts *o, char *err, size_t errsz)
{
	const char *term = getenv("TERM");
	const char *cs;
	int errret = 0;

	if (T.open)
		return util_seterr(err, errsz, "the terminal is already open");
	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	T.headless = o->headless;
	if (T.headless) {
		if (!term || !*term || setupterm((char *)term, -1, &errret) != OK)
			term = "xterm-256color";
		else
			del_curterm(cur_term);
		T.out = fopen("/dev/null", "w");
		T.in = fopen("/dev/null", "r");
		if (!T.out || !T.in) {
			close_files();
			return util_seterr(err, errsz, "cannot open /dev/null: %s", strerror(errno));
		}
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
			return util_seterr(err, errsz,
					   "the console needs a terminal on stdin and stdout; "
					   "use `smartops tenants` for scripts");
		if (!term || !*term)
			return util_seterr(err, errsz,
					   "TERM is not set; set it to your terminal's type "
					   "(e.g. TERM=xterm-256color)");
		if (setupterm((char *)term, STDOUT_FILENO, &errret) != OK)
			return util_seterr(
			    err, errsz,
			    "unknown terminal type TERM=%.40s; set TERM to one this machine "
			    "knows (e.g. xterm-256color) or install its terminfo",
			    term);
		if (!tigetstr("cup") || tigetstr("cup") == (char *)-1) {
			del_curterm(cur_term);
			return util_seterr(err, errsz,
					   "terminal type TERM=%.40s cannot move the cursor; use "
					   "`smartops tenants` or a terminal like xterm-256color",
					   term);
		}
		T.restore_len = 0;
		add_cap("sgr0");
		add_cap("cnorm");
		add_cap("rmcup");
		if (T.restore_len + 2 < sizeof(T.restore)) {
			memcpy(T.restore + T.restore_len, "\r\n", 2);
			T.restore_len += 2;
		}
		del_curterm(cur_term);
		T.in_fd = STDIN_FILENO;
		T.out_fd = STDOUT_FILENO;
		T.have_tios = tcgetattr(T.in_fd, &T.tios) == 0;
	}
	if (pipe2(T.sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		close_files();
		return util_seterr(err, errsz, "cannot create a pipe: %s", strerror(errno));
	}
	if (T.headless) {
		int c = o->width, l = o->height;
		const char *ec = getenv("COLUMNS"), *el = getenv("LINES");
		if (!c)
			c = ec ? atoi(ec) : 0;
		if (!l)
			l = el ? atoi(el) : 0;
		use_env(FALSE);
		T.scr = newterm((char *)term, T.out, T.in);
		if (T.scr)
			resizeterm(l > 0 ? l : 24, c > 0 ? c : 80);
	} else {
		T.scr = newterm((char *)term, stdout, stdin);
	}
	if (!T.scr) {
		close_files();
		return util_seterr(err, errsz, "cannot start the terminal TERM=%.40s", term);
	}
	T.open = 1;
	T.ascii = o->force_ascii || !cs || strcasecmp(cs, "UTF-8") || dumb_like(term);
	T.color = !o->no_color && has_colors();
	if (T.color) {
		start_color();
		use_default_colors();
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE); /* the cursor is hidden: no move to park it after each frame */
	install_signals();
	return 0;
}

void tui_term_close(void)
{
	if (!T.open)
		return;
	T.open = 0;
	endwin();
	delscreen(T.scr);
	T.scr = NULL;
	if (T.have_tios)
		tcsetattr(T.in_fd, TCSANOW, &T.tios);
	reset_signals();
	close_files();
	T.in_fd = T.out_fd = -1;
}

int tui_term_is_open(void)
{
	return T.open;
}

int tui_term_signal_fd(void)
{
	return T.sig_pipe[0];
}

int tui_term_input_fd(void)
{
	return T.in_fd;
}

int tui_term_output_fd(void)
{
	return T.out_fd;
}

int tui_term_headless(void)
{
	return T.headless;
}

int tui_term_ascii(void)
{
	return T.ascii;
}

int tui_term_has_color(void)
{
	return T.color;
}

void tui_term_resize(int width, int height)
{
	if (T.open && width > 0 && height > 0)
		resizeterm(height, width);
}
