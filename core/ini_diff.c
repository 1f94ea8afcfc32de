/* core/ini_diff.c — see ini_diff.h. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/ini_diff.h"
#include "util/util.h"

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

static ini_entry *find(const ini_file *f, const char *section, const char *key)
{
	size_t i;

	for (i = f->n; i-- > 0;)
		if (!strcasecmp(f->v[i].section, section) && !strcasecmp(f->v[i].key, key))
			return &f->v[i];
	return NULL;
}

void ini_parse(const char *text, size_t len, ini_file *out)
{
	const char *p = text, *end = text + len;
	char *section = xstrdup("");
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *eq;
		size_t n = (size_t)(eol - p);
		const char *s = p;

		p = nl ? nl + 1 : end;
		if (n > INI_MAX_LINE) {
			out->truncated = 1;
			continue;
		}
		while (n && isspace((unsigned char)*s))
			s++, n--;
		if (!n || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', n);
			if (close) {
				free(section);
				section = trimmed(s + 1, (size_t)(close - s - 1));
			}
			continue;
		}
		eq = memchr(s, '=', n);
		if (!eq)
			continue;
		{
			char *key = trimmed(s, (size_t)(eq - s));
			ini_entry *e = *key ? find(out, section, key) : NULL;

			if (!*key) {
				free(key);
				continue;
			}
			if (e) { /* the last one counts */
				free(e->value);
				e->value = trimmed(eq + 1, (size_t)(s + n - eq - 1));
				free(key);
				continue;
			}
			if (out->n == INI_MAX_ENTRIES) {
				out->truncated = 1;
				free(key);
				continue;
			}
			if (out->n == cap) {
				cap = cap ? 2 * cap : 32;
				out->v = xrealloc(out->v, cap * sizeof(*out->v));
			}
			out->v[out->n++] = (ini_entry){xstrdup(section), key,
						       trimmed(eq + 1, (size_t)(s + n - eq - 1))};
		}
	}
	free(section);
}

void ini_free(ini_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].section);
		free(f->v[i].key);
		free(f->v[i].value);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

const char *ini_get(const ini_file *f, const char *section, const char *key)
{
	const ini_entry *e = find(f, section, key);

	return e ? e->value : NULL;
}

/* Groups by section: every entry of a section in a's order of first
 * appearance of the section, so a diff reads section by section. */
static int section_rank(const ini_file *f, const char *section)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcasecmp(f->v[i].section, section))
			return (int)i;
	return -1;
}

size_t ini_diff(const ini_file *a, const ini_file *b, ini_change **out)
{
	size_t i, j, n = 0, cap = a->n + b->n;
	ini_change *v = xcalloc(cap ? cap : 1, sizeof(*v));
	char *done_a = xcalloc(a->n ? a->n : 1, 1), *done_b = xcalloc(b->n ? b->n : 1, 1);

	/* a's sections in order; within each, a's keys then b's extra keys */
	for (i = 0; i < a->n; i++) {
		const char *sec = a->v[i].section;

		if (done_a[i] || section_rank(a, sec) != (int)i)
			continue;
		for (j = i; j < a->n; j++) {
			const ini_entry *ea = &a->v[j], *eb;
			if (done_a[j] || strcasecmp(ea->section, sec))
				continue;
			done_a[j] = 1;
			eb = find(b, ea->section, ea->key);
			if (!eb)
				v[n++] = (ini_change){INI_ONLY_A, ea->section, ea->key, ea->value, NULL};
			else {
				done_b[eb - b->v] = 1;
				if (strcmp(ea->value, eb->value))
					v[n++] = (ini_change){INI_CHANGED, ea->section, ea->key,
							      ea->value, eb->value};
			}
		}
		for (j = 0; j < b->n; j++) {
			const ini_entry *eb = &b->v[j];
			if (done_b[j] || strcasecmp(eb->section, sec))
				continue;
			done_b[j] = 1;
			v[n++] = (ini_change){INI_ONLY_B, a->v[i].section, eb->key, NULL, eb->value};
		}
	}
	for (j = 0; j < b->n; j++)
		if (!done_b[j]) {
			const ini_entry *eb = &b->v[j];
			v[n++] = (ini_change){INI_ONLY_B, eb->section, eb->key, NULL, eb->value};
		}
	free(done_a);
	free(done_b);
	*out = v;
	return n;
}
