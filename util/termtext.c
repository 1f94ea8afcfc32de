/* util/termtext.c — text from outside made safe for a terminal. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/termtext.h"

/* Decodes one UTF-8 sequence at s; returns its length and the code point in
 * *cp, or 0 when the bytes are not valid UTF-8 (overlong, surrogate, cut). */
size_t termtext_utf8_next(const unsigned char *s, uint32_t *cp)
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

int termtext_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

int termtext_is_bidi(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* One escaped unit of s: appends it to sb (if not NULL); returns bytes consumed
 * and sets *cols to its width. */
static size_t escape_one(strbuf *sb, const char *s, size_t *cols)
{
	uint32_t cp;
	size_t n = termtext_utf8_next((const unsigned char *)s, &cp);
	char buf[16];

	if (n == 0) {
		if (sb)
			sb_addc(sb, '?');
		*cols = 1;
		return 1;
	}
	if (termtext_is_control(cp)) {
		snprintf(buf, sizeof(buf), "\\x%02x", (unsigned)cp);
		if (sb)
			sb_adds(sb, buf);
		*cols = 4;
		return n;
	}
	if (termtext_is_bidi(cp)) {
		snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
		if (sb)
			sb_adds(sb, buf);
		*cols = 6;
		return n;
	}
	if (sb)
		sb_add(sb, s, n);
	*cols = 1;
	return n;
}

char *termtext_dup(const char *s)
{
	strbuf sb;

	sb_init(&sb, s ? strlen(s) + 1 : 1);
	termtext_escape(&sb, s);
	return sb_detach(&sb, NULL);
}

void termtext_escape(strbuf *sb, const char *s)
{
	size_t cols;

	while (s && *s)
		s += escape_one(sb, s, &cols);
}

size_t termtext_width(const char *s)
{
	size_t w = 0, cols;

	while (s && *s) {
		s += escape_one(NULL, s, &cols);
		w += cols;
	}
	return w;
}

void termtext_fit(strbuf *sb, const char *s, size_t width, int pad)
{
	size_t w = termtext_width(s), used = 0, cols;

	if (w <= width) {
		termtext_escape(sb, s);
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
