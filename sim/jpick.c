/* Picking members out of compact JSON text (see jpick.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/jpick.h"
#include "util/util.h"

/* Deeper text is left to cJSON (whose own limit is 1000). */
#define MAX_DEPTH 256

typedef struct reader {
	const char *p;
	int depth;
	int bad;
} reader;

/* Where each keep path stands: offset of what is left of it, or -1 when it does not
 * go here. A cursor with no path left going on is never made; NULL means "keep all". */
typedef struct cursor {
	const char *const *paths;
	size_t n;
	short off[SIM_JPICK_MAX_PATHS];
} cursor;

static int fail(reader *r)
{
	r->bad = 1;
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* cJSON writes lowercase hex only */
}

/* A \u escape as cJSON writes it: only for control bytes without a short escape. */
static int control_escape(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	if (v < 1 || v >= 0x20 || v == '\b' || v == '\t' || v == '\n' || v == '\f' || v == '\r')
		return -1;
	return v;
}

/* Steps over a string (r->p at its opening quote); the span inside the quotes. */
static int scan_string(reader *r, const char **s, size_t *len)
{
	const char *p = r->p + 1;

	*s = p;
	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			break;
		if (c < 0x20) /* the end of the text, or a raw control byte cJSON would escape */
			return fail(r);
		if (c == '\\') {
			switch (p[1]) {
			case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				if (control_escape(p + 2) < 0)
					return fail(r);
				p += 6;
				continue;
			default: /* "\/" among them: cJSON writes '/' as it is */
				return fail(r);
			}
		}
		p++;
	}
	*len = (size_t)(p - *s);
	r->p = p + 1;
	return 0;
}

/* The string's value, unescaped, into buf when it fits (size bytes), else into a
 * malloc'd buffer (free it when it is not buf). Only called on spans that scan_string
 * accepted. */
static char *unescape(const char *s, size_t len, char *buf, size_t size)
{
	char *out = len < size ? buf : xmalloc(len + 1), *o = out;
	const char *end = s + len;

	while (s < end) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': *o++ = (char)control_escape(s + 2); s += 4; break;
		default: *o++ = s[1]; break; /* '"' and '\\' */
		}
		s += 2;
	}
	*o = '\0';
	return out;
}

/* A number as cJSON prints it: an integer within int's range, no leading zeros, no
 * "-0". Everything else (fractions, exponents, big integers) is refused. */
static int scan_number(reader *r, long long *v)
{
	const char *p = r->p, *digits;
	int neg = *p == '-';
	long long n = 0;

	if (neg)
		p++;
	digits = p;
	while (*p >= '0' && *p <= '9') {
		if (p - digits >= 10)
			return fail(r);
		n = n * 10 + (*p - '0');
		p++;
	}
	if (p == digits || (*digits == '0' && p - digits > 1) || (neg && n == 0))
		return fail(r);
	if (*p == '.' || *p == 'e' || *p == 'E')
		return fail(r);
	n = neg ? -n : n;
	if (n > INT_MAX || n < INT_MIN)
		return fail(r);
	*v = n;
	r->p = p;
	return 0;
}

static int scan_word(reader *r, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(r->p, w, n))
		return fail(r);
	r->p += n;
	return 0;
}

static cJSON *read_value(reader *r, const cursor *cur);

/* Steps over any value, checking its form. */
static int skip_value(reader *r)
{
	const char *s;
	size_t len;
	long long v;
	char open = *r->p;

	switch (open) {
	case '"':
		return scan_string(r, &s, &len);
	case 't':
		return scan_word(r, "true");
	case 'f':
		return scan_word(r, "false");
	case 'n':
		return scan_word(r, "null");
	case '{':
	case '[':
		break;
	default:
		return scan_number(r, &v);
	}
	if (++r->depth > MAX_DEPTH)
		return fail(r);
	r->p++;
	if (*r->p == (open == '{' ? '}' : ']')) {
		r->p++;
		r->depth--;
		return 0;
	}
	for (;;) {
		if (open == '{') {
			if (*r->p != '"' || scan_string(r, &s, &len) || *r->p != ':')
				return fail(r);
			r->p++;
		}
		if (skip_value(r))
			return -1;
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p != (open == '{' ? '}' : ']'))
			return fail(r);
		r->p++;
		r->depth--;
		return 0;
	}
}

/* The cursor one step further, into a member named key (NULL for an array element).
 * Returns 0 when no path goes there, 1 when one goes on, 2 when one ends there. */
static int step(const cursor *cur, const char *key, size_t key_len, cursor *next)
{
	int any = 0;

	next->paths = cur->paths;
	next->n = cur->n;
	for (size_t i = 0; i < cur->n; i++) {
		const char *seg = cur->off[i] < 0 ? NULL : cur->paths[i] + cur->off[i];
		size_t n;

		next->off[i] = -1;
		if (!seg)
			continue;
		if (seg[0] == '*' && (seg[1] == '.' || !seg[1]))
			n = 1;
		else if (key && !strncmp(seg, key, key_len) &&
			 (seg[key_len] == '.' || !seg[key_len]))
			n = key_len;
		else
			continue;
		if (!seg[n]) {
			any = 2;
			continue;
		}
		next->off[i] = (short)(seg + n + 1 - cur->paths[i]);
		if (!any)
			any = 1;
	}
	return any;
}

/* Reads an object or array, keeping what cur lets through (everything when NULL). */
static cJSON *read_container(reader *r, const cursor *cur)
{
	char open = *r->p, close = open == '{' ? '}' : ']';
	cJSON *c = open == '{' ? cJSON_CreateObject() : cJSON_CreateArray();

	if (!c)
		die("out of memory reading an object");
	if (++r->depth > MAX_DEPTH)
		goto bad;
	r->p++;
	if (*r->p == close) {
		r->p++;
		r->depth--;
		return c;
	}
	for (;;) {
		const char *key = NULL;
		size_t key_len = 0;
		cursor next;
		int go = 2;
		cJSON *v;

		if (open == '{') {
			if (*r->p != '"' || scan_string(r, &key, &key_len) || *r->p != ':')
				goto bad;
			r->p++;
		}
		if (cur)
			go = step(cur, key, key_len, &next);
		if (!go) {
			if (skip_value(r))
				goto bad;
		} else {
			v = read_value(r, go == 2 ? NULL : &next);
			if (!v)
				goto bad;
			if (open == '{') {
				char kb[128], *k = unescape(key, key_len, kb, sizeof(kb));

				cJSON_AddItemToObject(c, k, v);
				if (k != kb)
					free(k);
			} else {
				cJSON_AddItemToArray(c, v);
			}
		}
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p != close)
			goto bad;
		r->p++;
		r->depth--;
		return c;
	}
bad:
	r->bad = 1;
	cJSON_Delete(c);
	return NULL;
}

static cJSON *read_value(reader *r, const cursor *cur)
{
	const char *s;
	size_t len;
	long long v;
	cJSON *out;
	char buf[256], *str;

	switch (*r->p) {
	case '{':
	case '[':
		return read_container(r, cur);
	case '"':
		if (scan_string(r, &s, &len))
			return NULL;
		str = unescape(s, len, buf, sizeof(buf));
		out = cJSON_CreateString(str);
		if (str != buf)
			free(str);
		break;
	case 't':
		out = scan_word(r, "true") ? NULL : cJSON_CreateTrue();
		break;
	case 'f':
		out = scan_word(r, "false") ? NULL : cJSON_CreateFalse();
		break;
	case 'n':
		out = scan_word(r, "null") ? NULL : cJSON_CreateNull();
		break;
	default:
		out = scan_number(r, &v) ? NULL : cJSON_CreateNumber((double)v);
		break;
	}
	if (!out && !r->bad)
		die("out of memory reading an object");
	return out;
}

int sim_jpick_read(const char *text, const char *const *keep, sim_jpick *out)
{
	reader r = {text, 0, 0};
	cursor top;
	cJSON *tree;

	memset(out, 0, sizeof(*out));
	memset(&top, 0, sizeof(top));
	top.paths = keep;
	while (keep && keep[top.n]) {
		if (top.n >= SIM_JPICK_MAX_PATHS || strlen(keep[top.n]) >= SIM_JPICK_MAX_PATH)
			return -1;
		top.off[top.n] = 0;
		top.n++;
	}
	if (!text || *text != '{')
		return -1;
	/* the top level by hand, to find "metadata" on the way */
	tree = cJSON_CreateObject();
	if (!tree)
		die("out of memory reading an object");
	r.p++;
	r.depth = 1;
	if (*r.p == '}') {
		r.p++;
	} else {
		for (;;) {
			const char *key, *start;
			size_t key_len;
			cursor next;
			int go;

			if (*r.p != '"' || scan_string(&r, &key, &key_len) || *r.p != ':')
				goto bad;
			r.p++;
			start = r.p;
			go = step(&top, key, key_len, &next);
			if (!go) {
				if (skip_value(&r))
					goto bad;
			} else {
				cJSON *v = read_value(&r, go == 2 ? NULL : &next);
				char kb[128], *k;

				if (!v)
					goto bad;
				k = unescape(key, key_len, kb, sizeof(kb));
				cJSON_AddItemToObject(tree, k, v);
				if (k != kb)
					free(k);
			}
			if (!out->meta && key_len == 8 && !memcmp(key, "metadata", 8)) {
				out->meta = start;
				out->meta_len = (size_t)(r.p - start);
			}
			if (*r.p == ',') {
				r.p++;
				continue;
			}
			if (*r.p != '}')
				goto bad;
			r.p++;
			break;
		}
	}
	if (*r.p) /* cJSON would have stopped here and taken the object; printed, it differs */
		goto bad;
	out->tree = tree;
	return 0;
bad:
	cJSON_Delete(tree);
	memset(out, 0, sizeof(*out));
	return -1;
}
