/* cli/output.c — terminal-safe text, JSON strings and fitted tables. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/output.h"
#include "cli/tenants.h"
#include "k8s/client.h"
#include "util/termtext.h"
#include "util/util.h"

void output_escape(strbuf *sb, const char *s)
{
	termtext_escape(sb, s);
}

size_t output_width(const char *s)
{
	return termtext_width(s);
}

void output_fit(strbuf *sb, const char *s, size_t width, int pad)
{
	termtext_fit(sb, s, width, pad);
}

void output_json_string(strbuf *sb, const char *s)
{
	uint32_t cp;
	char buf[8];
	size_t n;

	sb_addc(sb, '"');
	while (s && *s) {
		const char *run = s;

		/* printable ASCII but the quote and the backslash: as it is, a run at
		 * a time (most of what is written: names, TCODEs, causes) */
		while ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s > run) {
			sb_add(sb, run, (size_t)(s - run));
			continue;
		}
		n = termtext_utf8_next((const unsigned char *)s, &cp);
		if (n == 0) {
			sb_adds(sb, "\\ufffd");
			s++;
			continue;
		}
		switch (cp) {
		case '"':
			sb_adds(sb, "\\\"");
			break;
		case '\\':
			sb_adds(sb, "\\\\");
			break;
		case '\n':
			sb_adds(sb, "\\n");
			break;
		case '\r':
			sb_adds(sb, "\\r");
			break;
		case '\t':
			sb_adds(sb, "\\t");
			break;
		default:
			if (termtext_is_control(cp) || termtext_is_bidi(cp)) {
				snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
				sb_adds(sb, buf);
			} else {
				sb_add(sb, s, n);
			}
		}
		s += n;
	}
	sb_addc(sb, '"');
}

void output_table_init(output_table *t, const output_col *cols, size_t n_cols)
{
	memset(t, 0, sizeof(*t));
	if (n_cols > OUTPUT_MAX_COLS)
		n_cols = OUTPUT_MAX_COLS;
	t->n_cols = n_cols;
	memcpy(t->cols, cols, n_cols * sizeof(*cols));
}

void output_table_row(output_table *t, const char *const *cells)
{
	size_t i;

	if (t->n_rows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, t->cap * t->n_cols * sizeof(*t->cells));
	}
	for (i = 0; i < t->n_cols; i++)
		t->cells[t->n_rows * t->n_cols + i] = xstrdup(cells[i] ? cells[i] : "");
	t->n_rows++;
}

void output_table_release(output_table *t)
{
	size_t i;

	for (i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Column widths: natural, then the widest columns shrink until the line fits. */
static void widths(const output_table *t, size_t width, size_t *w)
{
	size_t i, r, total, floor_[OUTPUT_MAX_COLS];

	for (i = 0; i < t->n_cols; i++) {
		w[i] = output_width(t->cols[i].header);
		floor_[i] = w[i] > t->cols[i].min ? w[i] : t->cols[i].min;
		for (r = 0; r < t->n_rows; r++) {
			size_t cw = output_width(t->cells[r * t->n_cols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
		if (floor_[i] > w[i])
			floor_[i] = w[i];
	}
	if (!width || !t->n_cols)
		return;
	for (;;) {
		size_t widest = t->n_cols;
		total = 2 * (t->n_cols - 1);
		for (i = 0; i < t->n_cols; i++)
			total += w[i];
		if (total <= width)
			return;
		for (i = 0; i < t->n_cols; i++)
			if (w[i] > floor_[i] && (widest == t->n_cols || w[i] > w[widest]))
				widest = i;
		if (widest == t->n_cols)
			return; /* nothing left to give */
		w[widest]--;
	}
}

static void render_line(const output_table *t, const char *const *cells, const size_t *w,
			strbuf *out)
{
	size_t i, start = out->len;

	for (i = 0; i < t->n_cols; i++) {
		size_t cw = output_width(cells[i]);
		int last = i + 1 == t->n_cols;
		if (i)
			sb_adds(out, "  ");
		if (t->cols[i].right && cw < w[i]) {
			size_t pad = w[i] - cw;
			while (pad--)
				sb_addc(out, ' ');
			output_fit(out, cells[i], cw, 0);
		} else {
			output_fit(out, cells[i], w[i], !last);
		}
	}
	while (out->len > start && out->buf[out->len - 1] == ' ')
		out->len--;
	out->buf[out->len] = '\0';
	sb_addc(out, '\n');
}

void output_table_render(const output_table *t, size_t width, strbuf *out)
{
	size_t w[OUTPUT_MAX_COLS], r, i;
	const char *hdr[OUTPUT_MAX_COLS];

	widths(t, width, w);
	for (i = 0; i < t->n_cols; i++)
		hdr[i] = t->cols[i].header;
	render_line(t, hdr, w, out);
	for (r = 0; r < t->n_rows; r++)
		render_line(t, (const char *const *)&t->cells[r * t->n_cols], w, out);
}

/* -v: a request's line on stderr, escaped like every message. */
static void trace_to_stderr(void *ctx, const char *line)
{
	strbuf sb;

	(void)ctx;
	sb_init(&sb, 256);
	output_escape(&sb, line);
	fprintf(stderr, "smartops: http: %s\n", sb.buf);
	sb_release(&sb);
}

void tenants_client_trace(const tenants_global *g, k8s_client_opts *co)
{
	if (!g || g->verbose <= 0)
		return;
	co->trace_level = g->verbose;
	co->trace = trace_to_stderr;
	co->trace_ctx = NULL;
}

void output_say(const char *text)
{
	strbuf sb;
	const char *p = text;

	sb_init(&sb, 256);
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);

		sb_reset(&sb);
		output_escape(&sb, line);
		fprintf(stderr, "smartops: %s\n", sb.buf);
		free(line);
		p += len + (p[len] == '\n');
	}
	sb_release(&sb);
}

int output_usage_err(const char *cmd, const char *what)
{
	strbuf sb;

	sb_init(&sb, 64);
	output_escape(&sb, what);
	fprintf(stderr, "smartops %s: %s (see smartops --help)\n", cmd, sb.buf);
	sb_release(&sb);
	return TENANTS_EXIT_USAGE;
}

int output_confirm(const char *what, int yes)
{
	char line[16];

	if (yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "smartops: not a terminal: add --yes to %s\n", what);
		return 0;
	}
	fprintf(stderr, "%s? [y/N] ", what);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}
