/* cli/output.c — terminal-safe text, JSON strings and fitted tables. */
#include <stdint.h>
#include <stdio.h>

#include "cli/output.h"
#include "util/util.h"

/* Decodes one UTF-8 sequence at s; returns its length and the code point in
 * *cp, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

/* One escaped unit of s: appends it to sb (if not NULL); returns bytes consumed
 * and sets *cols to its width. */
static size_t escape_one(strbuf *sb, const char *s, size_t *cols)
{
	uint32_t cp;
	size_t n = utf8_next((const unsigned char *)s, &cp);
	char buf[8];

	if (n == 0) {
		if (sb)
			sb_addc(sb, '?');
		*cols = 1;
		return 1;
	}
	if (is_control(cp)) {
		snprintf(buf, sizeof(buf), "\\x%02x", (unsigned)cp);
		if (sb)
			sb_adds(sb, buf);
		*cols = 4;
		return n;
	}
	if (sb)
		sb_add(sb, s, n);
	*cols = 1;
	return n;
}

void output_escape(strbuf *sb, const char *s)
{
	size_t cols;

	while (s && *s)
		s += escape_one(sb, s, &cols);
}

size_t output_width(const char *s)
{
	size_t w = 0, cols;

	while (s && *s) {
		s += escape_one(NULL, s, &cols);
		w += cols;
	}
	return w;
}

void output_fit(strbuf *sb, const char *s, size_t width, int pad)
{
	size_t w = output_width(s), used = 0, cols;

	if (w <= width) {
		output_escape(sb, s);
		used = w;
	} else if (width > 0) {
		/* Keep units while they leave one column for the "~". */
		while (s && *s) {
			escape_one(NULL, s, &cols);
			if (used + cols > width - 1)
				break;
			s += escape_one(sb, s, &cols);
			used += cols;
		}
		sb_addc(sb, '~');
		used++;
	}
	while (pad && used < width) {
		sb_addc(sb, ' ');
		used++;
	}
}

void output_json_string(strbuf *sb, const char *s)
{
	uint32_t cp;
	char buf[8];
	size_t n;

	sb_addc(sb, '"');
	while (s && *s) {
		n = utf8_next((const unsigned char *)s, &cp);
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
			if (is_control(cp)) {
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
