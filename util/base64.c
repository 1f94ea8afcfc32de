#include "util/base64.h"
#include "util/util.h"

static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *util_base64_encode(const void *data, size_t n)
{
	const unsigned char *p = data;
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = tab[(v >> 18) & 63];
		*o++ = tab[(v >> 12) & 63];
		*o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? tab[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int value_of(int c, int mode)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (mode == UTIL_B64_LENIENT && c == '-'))
		return 62;
	if (c == '/' || (mode == UTIL_B64_LENIENT && c == '_'))
		return 63;
	return -1;
}

char *util_base64_decode(const char *in, size_t len, size_t *out_len, int mode)
{
	char *out = xmalloc(len / 4 * 3 + 4);
	size_t o = 0, digits = 0, pad = 0;
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)in[i], v;
		if (mode == UTIL_B64_LENIENT && (c == ' ' || c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = value_of(c, mode);
		if (v < 0 || pad)
			goto bad; /* not base64, or data after padding */
		digits++;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (digits % 4 == 1 || pad > 2)
		goto bad;
	if (mode == UTIL_B64_STRICT && (digits + pad) % 4)
		goto bad;
	if (pad && (digits + pad) % 4)
		goto bad;
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return out;
bad:
	free(out);
	return NULL;
}
