/* core/project_text.c — reading member values from an item's text as the built
 * path reads them; see core/project_text.h. */
#include <stdlib.h>
#include <string.h>

#include "core/project_text.h"
#include "util/util.h"

int span_take(span *sp, const jscan_member *m)
{
	if (sp->s)
		return -1;
	sp->s = m->val;
	sp->e = m->val_end;
	return 0;
}

const char *span_str(span v, size_t *n)
{
	if (!v.s || jscan_plain(v.s, v.e) != JSCAN_STRING)
		return NULL;
	*n = strnlen(v.s + 1, (size_t)(v.e - v.s - 2));
	return v.s + 1;
}

void span_copy_n(char *dst, size_t size, const char *s, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void span_copy(char *dst, size_t size, span v)
{
	size_t n = 0;
	const char *s = span_str(v, &n);

	span_copy_n(dst, size, s ? s : "", s ? n : 0);
}

int span_cstr(span v, char *buf, size_t size)
{
	size_t n;
	const char *s = span_str(v, &n);

	if (!s)
		return 1;
	if (n >= size)
		return -1;
	span_copy_n(buf, size, s, n);
	return 0;
}

int span_num(span v, double *out)
{
	char buf[SPAN_MAX], *end;
	int kind = v.s ? jscan_plain(v.s, v.e) : JSCAN_OTHER, r;
	const char *p;

	if (kind == JSCAN_INT) {
		double d = 0;
		for (p = v.s + (*v.s == '-'); p < v.e; p++)
			d = d * 10 + (*p - '0');
		*out = *v.s == '-' ? -d : d;
		return 0;
	}
	if ((r = span_cstr(v, buf, sizeof(buf))) != 0)
		return r;
	if (!buf[0])
		return 1;
	*out = strtod(buf, &end);
	return *end == '\0' ? 0 : 1;
}

int span_time(span v, int64_t *out)
{
	char buf[SPAN_MAX];
	int r = span_cstr(v, buf, sizeof(buf));
	int64_t t;

	if (r < 0)
		return -1;
	t = r == 0 ? util_parse_rfc3339(buf) : -1;
	*out = t > 0 ? t : 0;
	return 0;
}

int span_true(span v)
{
	return v.s && v.e - v.s == 4 && !memcmp(v.s, "true", 4);
}

int span_whole_object(jscan_iter *parent, const jscan_member *obj, const char *const *want,
		      span *got, size_t n_want)
{
	jscan_iter it;
	jscan_member m;
	size_t i, len[8];
	int r;

	if (*obj->val != '{' || n_want > 8 || jscan_iter_sub(parent, obj, &it) < 0)
		return -1;
	for (i = 0; i < n_want; i++)
		len[i] = strlen(want[i]);
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain || jscan_plain(m.val, m.val_end) == JSCAN_OTHER)
			return -1;
		for (i = 0; i < n_want; i++)
			if (!got[i].s && key_is(&m, want[i], len[i])) {
				got[i].s = m.val;
				got[i].e = m.val_end;
				break;
			}
	}
	return r;
}

/* Depth of the values span_whole_value reads through (a container's state is 3). */
#define WHOLE_DEPTH 8

static int whole_value(jscan_iter *parent, jscan_member *m, int depth)
{
	jscan_iter it;
	jscan_member sub;
	int r;

	if (m->val_end) /* a string or scalar */
		return jscan_plain(m->val, m->val_end) == JSCAN_OTHER ? -1 : 0;
	if (depth >= WHOLE_DEPTH || jscan_iter_sub(parent, m, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &sub)) == 1)
		if ((sub.key && !sub.key_plain) || whole_value(&it, &sub, depth + 1) < 0)
			return -1;
	return r;
}

int span_whole_value(jscan_iter *parent, jscan_member *m)
{
	return whole_value(parent, m, 0);
}
