/* views/copy.h — copying a TCODE, a namespace or a pod name to the operator's
 * clipboard with OSC 52, which the terminal on the operator's desk honours
 * even over SSH (DESIGN §8).
 *
 * The sequence is written straight to the terminal's fd between two frames
 * (after the last refresh, so it never lands inside curses output). Inside
 * tmux (TMUX set) it is sent as is when tmux takes OSC 52 itself
 * (set-clipboard on), else wrapped in tmux's passthrough (which needs
 * allow-passthrough). Text holding control characters, empty or too long is
 * never sent. In script mode (no terminal) the bytes go to the file named by
 * SMARTOPS_SCRIPT_TTY, if set, so screen tests can read them.
 * UI thread only.
 */
#ifndef VIEWS_COPY_H
#define VIEWS_COPY_H

#include <stddef.h>

#include "util/util.h"
#include "views/app.h"

#define VIEW_COPY_MAX 1024 /* bytes of text; far above any name we copy */

/* The OSC 52 sequence setting the clipboard to text, appended to out; with
 * tmux_wrap inside tmux's passthrough. Pure. Returns 0, or -1 with a sentence
 * in err (empty, too long, a control character or bytes that are not UTF-8)
 * and nothing appended. */
int view_copy_osc52(const char *text, int tmux_wrap, strbuf *out, char *err, size_t errsz);

/* Sends text to the clipboard and says so on the message line ("copied
 * namespace t12345-prod"); what names the kind of thing. 0 or -1 (the
 * reason shown as an error). */
int view_copy(app *a, const char *what, const char *text);

#endif
