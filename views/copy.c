/* views/copy.c — OSC 52 copies to the operator's clipboard. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "tui/term.h"
#include "util/base64.h"
#include "util/termtext.h"
#include "views/copy.h"

int view_copy_osc52(const char *text, int tmux_wrap, strbuf *out, char *err, size_t errsz)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = text ? strlen(text) : 0;
	char *b64;

	if (!len)
		return util_seterr(err, errsz, "nothing to copy");
	if (len > VIEW_COPY_MAX)
		return util_seterr(err, errsz, "not copied: %zu bytes is too long for the clipboard "
					       "(at most %d)", len, VIEW_COPY_MAX);
	while (*p) {
		uint32_t cp;
		size_t n = termtext_utf8_next(p, &cp);
		if (!n)
			return util_seterr(err, errsz, "not copied: the text is not valid UTF-8");
		if (termtext_is_control(cp))
			return util_seterr(err, errsz,
					   "not copied: the text holds control characters");
		p += n;
	}
	b64 = util_base64_encode(text, len);
	/* ESC ] 52 ; c ; base64 BEL. In tmux's passthrough (ESC P tmux; ... ESC \)
	 * every ESC of the inner sequence is doubled. */
	if (tmux_wrap)
		sb_adds(out, "\033Ptmux;\033");
	sb_adds(out, "\033]52;c;");
	sb_adds(out, b64);
	sb_adds(out, "\a");
	if (tmux_wrap)
		sb_adds(out, "\033\\");
	free(b64);
	return 0;
}

/* Inside tmux: 1 when the sequence must go through the passthrough, that is
 * when tmux does not take OSC 52 from its panes (set-clipboard other than
 * "on"). Asked once. */
static int tmux_needs_wrap(void)
{
	static int known, wrap;
	const char *tmux = getenv("TMUX");

	if (!tmux || !*tmux)
		return 0;
	if (!known) {
		FILE *fp = popen("tmux show-options -gqv set-clipboard 2>/dev/null", "r");
		char line[32] = "";
		if (fp) {
			if (!fgets(line, sizeof(line), fp))
				line[0] = '\0';
			pclose(fp);
		}
		line[strcspn(line, "\r\n")] = '\0';
		wrap = strcmp(line, "on") != 0;
		known = 1;
	}
	return wrap;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int view_copy(app *a, const char *what, const char *text)
{
	char err[160];
	strbuf seq, shown;
	int fd = -1, own = 0, ret = -1;

	sb_init(&seq, 128);
	sb_init(&shown, 64);
	if (view_copy_osc52(text, tmux_needs_wrap(), &seq, err, sizeof(err)) < 0) {
		app_message(a, 1, "%s %s", what, err);
		goto out;
	}
	if (tui_term_headless()) {
		const char *path = getenv("SMARTOPS_SCRIPT_TTY");
		if (path && *path) {
			fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			own = 1;
		}
		if (fd < 0 && !own) {
			/* no terminal and nowhere to write: still say what would be copied */
			termtext_fit(&shown, text, 60, 0);
			app_message(a, 0, "copied %s %s (no terminal: nothing sent)", what, shown.buf);
			ret = 0;
			goto out;
		}
	} else {
		fd = tui_term_output_fd();
	}
	if (fd < 0 || write_all(fd, seq.buf, seq.len) < 0) {
		app_message(a, 1, "%s not copied: cannot write to the terminal", what);
		goto out;
	}
	termtext_fit(&shown, text, 60, 0);
	app_message(a, 0, "copied %s %s to the clipboard (OSC 52)", what, shown.buf);
	ret = 0;
out:
	if (own && fd >= 0)
		close(fd);
	sb_release(&seq);
	sb_release(&shown);
	return ret;
}
