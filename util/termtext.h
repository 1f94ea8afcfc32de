/* util/termtext.h — text from outside (cluster objects, logs, events) made
 * safe for a terminal: control characters (C0, DEL, C1) become "\x1b"-style
 * text, bidirectional controls (U+202A-202E, U+2066-2069, U+200E/F, U+061C)
 * become "\u202e"-style text, and bytes that are not UTF-8 become "?", so an
 * annotation or a log line can neither send escape sequences nor reorder what
 * the operator reads. Shared by the headless output and the
 * console. Stateless and thread-safe; appends to a caller-owned strbuf.
 */
#ifndef UTIL_TERMTEXT_H
#define UTIL_TERMTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/* Decodes one UTF-8 sequence at s; returns its length and the code point in
 * *cp, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut). */
size_t termtext_utf8_next(const unsigned char *s, uint32_t *cp);
/* 1 for C0 controls, DEL and C1 controls (U+0080..U+009F). */
int termtext_is_control(uint32_t cp);
/* 1 for the bidirectional formatting characters listed above. */
int termtext_is_bidi(uint32_t cp);
/* Appends s with control characters as "\xNN" and invalid UTF-8 as "?". */
void termtext_escape(strbuf *sb, const char *s);
/* s escaped, malloc'd (the caller frees). */
char *termtext_dup(const char *s);
/* Display width of s once escaped (one column per code point). */
size_t termtext_width(const char *s);
/* Appends s escaped, cut to at most width columns ("~" marks a cut), and
 * padded with blanks to width when pad is set. */
void termtext_fit(strbuf *sb, const char *s, size_t width, int pad);

#endif
