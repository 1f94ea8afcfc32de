/* k8s/lines.h — splits a byte stream into '\n'-terminated lines across arbitrary
 * chunk boundaries (curl write callbacks), for watch events and log streams.
 * One splitter per stream; not thread-safe. */
#ifndef K8S_LINES_H
#define K8S_LINES_H

#include <stddef.h>

#include "util/util.h"

/* Gets one line without its '\n' (and without a trailing '\r'), NUL-terminated;
 * `line` is valid only during the call. Returning non-zero stops the feed. */
typedef int (*k8s_line_fn)(void *ctx, const char *line, size_t len);

typedef struct k8s_lines {
	strbuf partial; /* bytes after the last '\n' */
	size_t max;	/* longest line kept whole; longer ones are cut there */
	int skipping;	/* inside a line already cut at max */
} k8s_lines;

/* max 0: 64 MiB. */
void k8s_lines_init(k8s_lines *l, size_t max);
void k8s_lines_release(k8s_lines *l);
/* Feeds n bytes; calls fn for each completed line. Returns fn's non-zero value, or 0. */
int k8s_lines_feed(k8s_lines *l, const char *data, size_t n, k8s_line_fn fn, void *ctx);
/* At the end of the stream: delivers a last unterminated line, if any. */
int k8s_lines_finish(k8s_lines *l, k8s_line_fn fn, void *ctx);

#endif
