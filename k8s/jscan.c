/* k8s/jscan.c — list answers walked once, items built from the members kept. */
#include <string.h>

#include "k8s/jarena.h"
#include "k8s/jscan.h"
#include "util/util.h"

#define MAX_DEPTH 512

static const char *ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p just after an opening quote: just after the closing one, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
	for (;;) {
		const char *q = memchr(p, '"', (size_t)(end - p)), *b;
		if (!q)
			return NULL;
		/* escaped when an odd run of backslashes stands before it */
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1))
			return q + 1;
		p = q + 1;
	}
}

static int scalar_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-' || c == '+' || c == '.';
}

const char *jscan_skip(const char *p, const char *end)
{
	char stack[MAX_DEPTH];
	int depth = 0;

	p = ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p + 1, end);
	if (*p != '{' && *p != '[') {
		const char *s = p;
		while (p < end && scalar_char(*p))
			p++;
		return p > s ? p : NULL;
	}
	while (p < end) {
		char c = *p++;
		switch (c) {
		case '"':
			if (!(p = skip_string(p, end)))
				return NULL;
			break;
		case '{':
		case '[':
			if (depth == MAX_DEPTH)
				return NULL;
			stack[depth++] = c == '{' ? '}' : ']';
			break;
		case '}':
		case ']':
			if (!depth || stack[--depth] != c)
				return NULL;
			if (!depth)
				return p;
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* A member's name, between the quotes at [ks, ke), as cJSON would have read it,
 * in cJSON's memory; NULL when its escapes are bad. */
static char *key_copy(const char *ks, const char *ke)
{
	size_t n = (size_t)(ke - ks);
	char *s;

	if (memchr(ks, '\\', n)) {
		cJSON *k = cJSON_ParseWithLength(ks - 1, n + 2);

		s = NULL;
		if (cJSON_IsString(k)) {
			s = k->valuestring;
			k->valuestring = NULL;
		}
		cJSON_Delete(k);
		return s;
	}
	s = cJSON_malloc(n + 1);
	if (s) {
		memcpy(s, ks, n);
		s[n] = '\0';
	}
	return s;
}

/* Is the key at [ks, ke) (between the quotes) equal to want? */
static int key_is(const char *ks, const char *ke, const char *want)
{
	size_t n = (size_t)(ke - ks);
	char *k;
	int same;

	if (!memchr(ks, '\\', n))
		return strlen(want) == n && !memcmp(ks, want, n);
	k = key_copy(ks, ke); /* escapes: as cJSON reads them */
	same = k && !strcmp(k, want);
	cJSON_free(k);
	return same;
}

static cJSON *build(const char **pp, const char *end, const jscan_keep *keep, int depth);
static cJSON *build_all(const char **pp, const char *end, int depth);

/* An object's members: those in keep, or all of them when keep is NULL. */
static cJSON *build_object(const char **pp, const char *end, const jscan_keep *keep, int depth)
{
	const char *p = *pp + 1;
	cJSON *obj = cJSON_CreateObject();

	p = ws(p, end);
	if (p < end && *p == '}') {
		*pp = p + 1;
		return obj;
	}
	while (p < end) {
		const char *ks, *ke;
		const jscan_keep *k = NULL;

		if (*p != '"')
			break;
		ks = p + 1;
		if (!(p = skip_string(ks, end)))
			break;
		ke = p - 1;
		p = ws(p, end);
		if (p >= end || *p != ':')
			break;
		p++;
		if (keep)
			for (k = keep; k->key && !key_is(ks, ke, k->key); k++)
				;
		if (!keep) {
			cJSON *v = build_all(&p, end, depth + 1);
			if (!v)
				break;
			cJSON_AddItemToArray(obj, v); /* an object's members are its children */
			if (!(v->string = key_copy(ks, ke)))
				break;
		} else if (k->key) {
			cJSON *v = build(&p, end, k->sub, depth + 1);
			if (!v)
				break;
			cJSON_AddItemToObjectCS(obj, k->key, v);
		} else if (!(p = jscan_skip(p, end))) {
			break;
		}
		p = ws(p, end);
		if (p < end && *p == ',') {
			p = ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			*pp = p + 1;
			return obj;
		}
		break;
	}
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *build_array(const char **pp, const char *end, const jscan_keep *keep, int depth)
{
	const char *p = ws(*pp + 1, end);
	cJSON *arr = cJSON_CreateArray();

	if (p < end && *p == ']') {
		*pp = p + 1;
		return arr;
	}
	while (p < end) {
		cJSON *v = keep ? build(&p, end, keep, depth + 1) : build_all(&p, end, depth + 1);
		if (!v)
			break;
		cJSON_AddItemToArray(arr, v);
		p = ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == ']') {
			*pp = p + 1;
			return arr;
		}
		break;
	}
	cJSON_Delete(arr);
	return NULL;
}

/* A string without escapes, an integer of up to 15 digits, true, false or null,
 * made here as cJSON would have read it: most of what an item keeps, and a call
 * of cJSON's parser costs more than the copy. NULL for anything else (escapes,
 * fractions, exponents: cJSON reads those). */
static cJSON *plain(const char **pp, const char *end)
{
	const char *p = *pp, *e = NULL;
	cJSON *v = NULL;
	size_t n;

	if (*p == '"') {
		if (!(e = skip_string(p + 1, end)))
			return NULL;
		n = (size_t)(e - 1 - (p + 1));
		if (memchr(p + 1, '\\', n) || !(v = cJSON_CreateNull()))
			return NULL;
		if (!(v->valuestring = cJSON_malloc(n + 1))) {
			cJSON_Delete(v);
			return NULL;
		}
		memcpy(v->valuestring, p + 1, n);
		v->valuestring[n] = '\0';
		v->type = cJSON_String;
	} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
		double d = 0;

		for (e = p + (*p == '-'); e < end && *e >= '0' && *e <= '9' && e - p < 16; e++)
			d = d * 10 + (*e - '0');
		if (e == p + (*p == '-') || e - p >= 16 ||
		    (e < end && (*e == '.' || *e == 'e' || *e == 'E' || *e == '+' || *e == '-' ||
				 (*e >= '0' && *e <= '9'))))
			return NULL;
		v = cJSON_CreateNumber(*p == '-' ? -d : d);
	} else if (end - p >= 4 && !memcmp(p, "true", 4)) {
		v = cJSON_CreateTrue();
		e = p + 4;
	} else if (end - p >= 5 && !memcmp(p, "false", 5)) {
		v = cJSON_CreateFalse();
		e = p + 5;
	} else if (end - p >= 4 && !memcmp(p, "null", 4)) {
		v = cJSON_CreateNull();
		e = p + 4;
	}
	if (v)
		*pp = e;
	return v;
}

/* The whole value at *pp made here, or NULL (the caller asks cJSON then). */
static cJSON *build_all(const char **pp, const char *end, int depth)
{
	const char *p = ws(*pp, end);

	if (p >= end || depth > MAX_DEPTH)
		return NULL;
	*pp = p;
	if (*p == '{')
		return build_object(pp, end, NULL, depth);
	if (*p == '[')
		return build_array(pp, end, NULL, depth);
	return plain(pp, end);
}

static cJSON *build(const char **pp, const char *end, const jscan_keep *keep, int depth)
{
	const char *p = ws(*pp, end), *after = NULL;
	cJSON *v;

	if (p >= end || depth > MAX_DEPTH)
		return NULL;
	*pp = p;
	if (keep && *p == '{')
		return build_object(pp, end, keep, depth);
	if (keep && *p == '[')
		return build_array(pp, end, keep, depth);
	/* kept whole: made here when it is plain JSON, else (whitespace cJSON allows
	 * and ws() does not, a number cJSON reads with strtod) cJSON has the word */
	if ((v = build_all(pp, end, depth)) != NULL)
		return v;
	*pp = p;
	v = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &after, 0);
	if (v)
		*pp = after;
	return v;
}

cJSON *jscan_build(const char *p, const char *end, const jscan_keep *keep)
{
	int was = jarena_on();
	cJSON *v = build(&p, end, keep, 0);

	jarena_off(was);
	if (v && ws(p, end) != end) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

cJSON *jscan_parse(const char *p, size_t n)
{
	const char *q = p, *end = p + n;
	cJSON *v = build_all(&q, end, 0);

	if (v && ws(q, end) == end)
		return v;
	cJSON_Delete(v);
	return cJSON_ParseWithLength(p, n);
}

int jscan_page(const char *buf, size_t len, size_t **spans, size_t *n, cJSON **meta)
{
	const char *p = buf, *end = buf + len;
	size_t cap = 0;
	int have_items = 0;

	*spans = NULL;
	*n = 0;
	*meta = NULL;
	p = ws(p, end);
	if (p >= end || *p != '{')
		goto bad;
	p = ws(p + 1, end);
	if (p < end && *p == '}')
		p++;
	else
		for (;;) {
			const char *ks, *ke;
			int items = 0, rows = 0;

			if (p >= end || *p != '"')
				goto bad;
			ks = p + 1;
			if (!(p = skip_string(ks, end)))
				goto bad;
			ke = p - 1;
			p = ws(p, end);
			if (p >= end || *p != ':')
				goto bad;
			p = ws(p + 1, end);
			items = key_is(ks, ke, "items");
			rows = !items && key_is(ks, ke, "rows");
			if ((items || (rows && !have_items)) && p < end && *p == '[') {
				have_items |= items;
				*n = 0;
				p = ws(p + 1, end);
				if (p < end && *p == ']')
					p++;
				else
					for (;;) {
						const char *e = jscan_skip(p, end);
						if (!e)
							goto bad;
						if (*n * 2 + 2 > cap) {
							cap = cap ? cap * 2 : 1024;
							*spans = xrealloc(*spans, cap * sizeof(**spans));
						}
						(*spans)[*n * 2] = (size_t)(p - buf);
						(*spans)[*n * 2 + 1] = (size_t)(e - buf);
						(*n)++;
						p = ws(e, end);
						if (p < end && *p == ',') {
							p = ws(p + 1, end);
							continue;
						}
						if (p < end && *p == ']') {
							p++;
							break;
						}
						goto bad;
					}
			} else if (key_is(ks, ke, "metadata") && !*meta) {
				const char *after = NULL;
				*meta = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &after, 0);
				if (!*meta)
					goto bad;
				p = after;
			} else if (!(p = jscan_skip(p, end))) {
				goto bad;
			}
			p = ws(p, end);
			if (p < end && *p == ',') {
				p = ws(p + 1, end);
				continue;
			}
			if (p < end && *p == '}') {
				p++;
				break;
			}
			goto bad;
		}
	if (ws(p, end) != end)
		goto bad;
	return 0;
bad:
	free(*spans);
	*spans = NULL;
	*n = 0;
	cJSON_Delete(*meta);
	*meta = NULL;
	return -1;
}

/* The head of a list answer, as it comes in: its "metadata" member's continue
 * token, told before the rest of the page has come. */
int jscan_list_head(const char *buf, size_t len, char **cont)
{
	const char *p = buf, *end = buf + len;

	*cont = NULL;
	p = ws(p, end);
	if (p >= end)
		return 0;
	if (*p != '{')
		return -1;
	p = ws(p + 1, end);
	for (;;) {
		const char *ks, *ke, *e;

		if (p >= end)
			return 0;
		if (*p != '"')
			return -1;
		ks = p + 1;
		if (!(p = skip_string(ks, end)))
			return 0;
		ke = p - 1;
		p = ws(p, end);
		if (p >= end)
			return 0;
		if (*p != ':')
			return -1;
		p = ws(p + 1, end);
		/* the items before the metadata: only the whole page tells */
		if (key_is(ks, ke, "items") || key_is(ks, ke, "rows"))
			return -1;
		e = jscan_skip(p, end);
		if (!e || (e == end && *p != '{' && *p != '[' && *p != '"'))
			return 0; /* cut short, or a number or literal that may go on */
		if (key_is(ks, ke, "metadata")) {
			cJSON *meta = cJSON_ParseWithLength(p, (size_t)(e - p));
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(meta, "continue");

			if (!cJSON_IsObject(meta)) {
				cJSON_Delete(meta);
				return -1;
			}
			if (cJSON_IsString(v) && v->valuestring[0])
				*cont = xstrdup(v->valuestring);
			cJSON_Delete(meta);
			return 1;
		}
		p = ws(e, end);
		if (p >= end)
			return 0;
		if (*p != ',')
			return -1;
		p = ws(p + 1, end);
	}
}

/* ---- walking a value's text without building it ---- */

int jscan_iter_init(jscan_iter *it, const char *p, const char *end)
{
	p = ws(p, end);
	if (p >= end || (*p != '{' && *p != '['))
		return -1;
	memset(it, 0, sizeof(*it));
	it->close = *p == '{' ? '}' : ']';
	it->p = p + 1;
	it->end = end;
	return 0;
}

int jscan_iter_sub(jscan_iter *it, const jscan_member *m, jscan_iter *sub)
{
	if (!it->pending || it->reading || m->val_end || jscan_iter_init(sub, m->val, it->end) < 0)
		return -1;
	sub->parent = it;
	it->reading = 1;
	return 0;
}

const char *jscan_iter_value_end(jscan_iter *it, jscan_member *m)
{
	if (m->val_end)
		return m->val_end;
	if (!it->pending || it->reading || !(m->val_end = jscan_skip(m->val, it->end)))
		return NULL;
	it->p = m->val_end;
	it->pending = 0;
	return m->val_end;
}

/* The same syntax as build_object and build_array: members separated by one
 * comma, no comma before the closing bracket. */
int jscan_iter_next(jscan_iter *it, jscan_member *m)
{
	const char *p = it->p, *end = it->end;
	size_t i;

	if (it->pending) { /* past the last value, not read through a sub-iterator */
		if (it->reading || !(p = jscan_skip(p, end)))
			return -1;
		it->pending = 0;
	}
	p = ws(p, end);
	if (p >= end)
		return -1;
	if (*p == it->close) {
		it->p = p + 1;
		if (it->parent) { /* the parent goes on after this value */
			it->parent->p = it->p;
			it->parent->pending = 0;
			it->parent->reading = 0;
			it->parent = NULL;
		}
		return 0;
	}
	if (it->started) {
		if (*p != ',')
			return -1;
		p = ws(p + 1, end);
	}
	it->started = 1;
	m->key = NULL;
	m->key_len = 0;
	m->key_plain = 1;
	if (it->close == '}') {
		const char *ks;

		if (p >= end || *p != '"')
			return -1;
		ks = p + 1;
		if (!(p = skip_string(ks, end)))
			return -1;
		m->key = ks;
		m->key_len = (size_t)(p - 1 - ks);
		for (i = 0; i < m->key_len; i++)
			if (ks[i] == '\\' || !ks[i])
				m->key_plain = 0;
		p = ws(p, end);
		if (p >= end || *p != ':')
			return -1;
		p = ws(p + 1, end);
	}
	m->val = p;
	m->val_end = NULL;
	if (p < end && (*p == '{' || *p == '[')) {
		it->p = p; /* skipped, or read through a sub-iterator, by the next call */
		it->pending = 1;
		return 1;
	}
	if (!(m->val_end = jscan_skip(p, end)))
		return -1;
	it->p = m->val_end;
	return 1;
}

int jscan_plain(const char *v, const char *e)
{
	size_t n = e ? (size_t)(e - v) : 0, i;

	if (!n)
		return JSCAN_OTHER;
	if (*v == '"') {
		/* closed by its last byte, no quote or backslash before it */
		if (n < 2 || v[n - 1] != '"')
			return JSCAN_OTHER;
		for (i = 1; i < n - 1; i++)
			if (v[i] == '"' || v[i] == '\\')
				return JSCAN_OTHER;
		return JSCAN_STRING;
	}
	if (*v == '-' || (*v >= '0' && *v <= '9')) {
		/* plain(): at most 15 characters with the sign, digits after it */
		i = *v == '-';
		if (n > 15 || n == i)
			return JSCAN_OTHER;
		for (; i < n; i++)
			if (v[i] < '0' || v[i] > '9')
				return JSCAN_OTHER;
		return JSCAN_INT;
	}
	if ((n == 4 && (!memcmp(v, "true", 4) || !memcmp(v, "null", 4))) ||
	    (n == 5 && !memcmp(v, "false", 5)))
		return JSCAN_LITERAL;
	return JSCAN_OTHER;
}
