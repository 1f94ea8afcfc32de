/* Small helpers shared by every layer: allocation that dies on OOM, a growable
 * string buffer, error reporting. Include it last: it pulls in banned.h. */
#ifndef UTIL_UTIL_H
#define UTIL_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Called by die() and on out-of-memory before printing, e.g. to restore the terminal. */
void util_set_die_hook(void (*hook)(void));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "error: ..." on stderr and returns -1, so callers can `return error(...)`. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The pages of [p, p + n) made present at once, as if written, their content
 * unchanged: one call (MADV_POPULATE_WRITE, Linux 5.14; before it, a write to
 * each page) instead of a fault for each 4 KB as they fill. In a virtual
 * machine a fault costs microseconds: about half the time. For memory no other
 * thread writes yet. */
void util_populate(void *p, size_t n);
/* The 4 KB pages wholly inside [from, to): *lo is the first, the bytes they
 * span returned (0: none). */
size_t util_pages_within(const void *from, const void *to, char **lo);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated buffer. `buf` is never NULL after sb_init (only after sb_detach
 * until the next add). */
typedef struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
} strbuf;

void sb_init(strbuf *sb, size_t hint);
void sb_release(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t n);
void sb_adds(strbuf *sb, const char *s);
/* A byte at a time is how the JSON printers write much of what they write:
 * the call to grow only when the room is short. */
static inline void sb_addc(strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		sb_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Hands the buffer to the caller (free() it) and leaves sb empty, holding no memory:
 * it may be reused (it grows again) or released, both are fine. */
char *sb_detach(strbuf *sb, size_t *len);

/* Formats a message into err (when err and errsz) and returns -1, for functions that
 * report errors into a caller's buffer. */
int util_seterr(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Bounded copy that always terminates; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);
int util_starts_with(const char *s, const char *prefix);

/* A condition variable whose timed waits count on CLOCK_MONOTONIC (a wall
 * clock stepped back or forth neither stretches nor cuts them). */
void util_cond_init_monotonic(pthread_cond_t *c);

/* Time helpers (UTC, thread-safe). */
int64_t util_now_ms(void);          /* CLOCK_REALTIME in milliseconds */
int64_t util_mono_ms(void);         /* CLOCK_MONOTONIC in milliseconds */
void util_sleep_us(int64_t us);      /* nanosleep for us microseconds (none if <= 0) */
/* Names the calling thread (its first 15 bytes), as top -H and ps -L show it. */
void util_thread_name(const char *name);
/* RFC 3339 "2026-11-28T12:00:00Z" into buf (>= 21 bytes). */
void util_rfc3339(int64_t unix_s, char *buf, size_t size);
/* Parses RFC 3339 (Z or offset, optional fraction); -1 on error. */
int64_t util_parse_rfc3339(const char *s);

#include "util/banned.h"
#endif
