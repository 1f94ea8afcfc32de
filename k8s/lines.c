#include <string.h>

#include "k8s/lines.h"
#include "util/util.h"

#define LINE_MAX_DEFAULT ((size_t)64 * 1024 * 1024)

void k8s_lines_init(k8s_lines *l, size_t max)
{
	sb_init(&l->partial, 4096);
	l->max = max ? max : LINE_MAX_DEFAULT;
	l->skipping = 0;
}

void k8s_lines_release(k8s_lines *l)
{
	sb_release(&l->partial);
}

static int emit(k8s_lines *l, k8s_line_fn fn, void *ctx)
{
	int r;

	if (l->partial.len && l->partial.buf[l->partial.len - 1] == '\r')
		l->partial.buf[--l->partial.len] = '\0';
	r = fn(ctx, l->partial.buf, l->partial.len);
	sb_reset(&l->partial);
	return r;
}

int k8s_lines_feed(k8s_lines *l, const char *data, size_t n, k8s_line_fn fn, void *ctx)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		int r;

		if (!l->skipping) {
			size_t room = l->max - l->partial.len;
			if (take > room) {
				sb_add(&l->partial, data, room);
				r = emit(l, fn, ctx); /* cut: deliver what fits */
				l->skipping = 1;
				if (r)
					return r;
			} else {
				sb_add(&l->partial, data, take);
			}
		}
		if (!nl)
			return 0;
		if (l->skipping) {
			l->skipping = 0;
			sb_reset(&l->partial);
		} else if ((r = emit(l, fn, ctx))) {
			return r;
		}
		data = nl + 1;
		n -= take + 1;
	}
	return 0;
}

int k8s_lines_finish(k8s_lines *l, k8s_line_fn fn, void *ctx)
{
	if (l->skipping || !l->partial.len) {
		l->skipping = 0;
		sb_reset(&l->partial);
		return 0;
	}
	return emit(l, fn, ctx);
}
