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

/* FNV-1a of s without regard to case, then an end mark. */
static uint64_t fold_hash(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 1099511628211ull;
	return (h ^ 0x100) * 1099511628211ull;
}

#define HASH_START 1469598103934665603ull

/* The slot of section/key in f's index, or the empty slot where it would go. */
static size_t slot_of(const ini_file *f, const char *section, const char *key)
{
	size_t mask = f->nslots - 1;
	size_t i = (size_t)fold_hash(fold_hash(HASH_START, section), key) & mask;

	while (f->slots[i]) {
		const ini_entry *e = &f->v[f->slots[i] - 1];
		if (!strcasecmp(e->section, section) && !strcasecmp(e->key, key))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static ini_entry *find(const ini_file *f, const char *section, const char *key)
{
	size_t i;

	if (!f->nslots)
		return NULL;
	i = slot_of(f, section, key);
	return f->slots[i] ? &f->v[f->slots[i] - 1] : NULL;
}

/* Indexes v[n - 1], just added (its key not yet in the index). */
static void index_last(ini_file *f)
{
	if (f->n * 2 > f->nslots) {
		free(f->slots);
		f->nslots = f->nslots ? 2 * f->nslots : 64;
		f->slots = xcalloc(f->nslots, sizeof(*f->slots));
		for (size_t i = 0; i < f->n; i++)
			f->slots[slot_of(f, f->v[i].section, f->v[i].key)] = (uint32_t)(i + 1);
		return;
	}
	f->slots[slot_of(f, f->v[f->n - 1].section, f->v[f->n - 1].key)] = (uint32_t)f->n;
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
			index_last(out);
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
	free(f->slots);
	memset(f, 0, sizeof(*f));
}

const char *ini_get(const ini_file *f, const char *section, const char *key)
{
	const ini_entry *e = find(f, section, key);

	return e ? e->value : NULL;
}

/* Sections of both files, numbered: each entry's section as a number, and the
 * entries of each section as a list in file order (head, next), so that a diff
 * walks each section once whatever the number of sections. */
typedef struct sec_index {
	const char **name; /* by number: the spelling first met */
	size_t n, nslots;
	uint32_t *slots; /* 1 + number, 0 empty */
} sec_index;

static size_t sec_number(sec_index *x, const char *name)
{
	size_t mask = x->nslots - 1, i = (size_t)fold_hash(HASH_START, name) & mask;

	while (x->slots[i]) {
		if (!strcasecmp(x->name[x->slots[i] - 1], name))
			return x->slots[i] - 1;
		i = (i + 1) & mask;
	}
	x->name[x->n] = name;
	x->slots[i] = (uint32_t)(++x->n);
	return x->n - 1;
}

/* Numbers f's sections into x; sec[i] the number of entry i; head[s] and next[i]
 * the entries of section s (1 + index, 0 the end). */
static void sec_lists(sec_index *x, const ini_file *f, size_t *sec, size_t *head, size_t *next)
{
	size_t *tail = xcalloc(x->nslots, sizeof(*tail));

	for (size_t i = 0; i < f->n; i++) {
		size_t s = sec_number(x, f->v[i].section);
		sec[i] = s;
		next[i] = 0;
		if (tail[s])
			next[tail[s] - 1] = i + 1;
		else
			head[s] = i + 1;
		tail[s] = i + 1;
	}
	free(tail);
}

size_t ini_diff(const ini_file *a, const ini_file *b, ini_change **out)
{
	size_t i, j, n = 0, cap = a->n + b->n, m = cap ? cap : 1;
	ini_change *v = xcalloc(m, sizeof(*v));
	char *done_b = xcalloc(b->n ? b->n : 1, 1), *seen;
	size_t *sa = xcalloc(m, sizeof(*sa)), *sb = xcalloc(m, sizeof(*sb));
	size_t *na = xcalloc(m, sizeof(*na)), *nb = xcalloc(m, sizeof(*nb));
	size_t *ha, *hb;
	sec_index x = {0};

	x.nslots = 64;
	while (x.nslots < 2 * m)
		x.nslots *= 2;
	x.slots = xcalloc(x.nslots, sizeof(*x.slots));
	x.name = xcalloc(m, sizeof(*x.name));
	ha = xcalloc(x.nslots, sizeof(*ha));
	hb = xcalloc(x.nslots, sizeof(*hb));
	seen = xcalloc(x.nslots, 1);
	sec_lists(&x, a, sa, ha, na);
	sec_lists(&x, b, sb, hb, nb);

	/* a's sections in order; within each, a's keys then b's extra keys */
	for (i = 0; i < a->n; i++) {
		size_t s = sa[i];

		if (seen[s])
			continue;
		seen[s] = 1;
		for (j = ha[s]; j; j = na[j - 1]) {
			const ini_entry *ea = &a->v[j - 1], *eb = find(b, ea->section, ea->key);
			if (!eb)
				v[n++] = (ini_change){INI_ONLY_A, ea->section, ea->key, ea->value, NULL};
			else {
				done_b[eb - b->v] = 1;
				if (strcmp(ea->value, eb->value))
					v[n++] = (ini_change){INI_CHANGED, ea->section, ea->key,
							      ea->value, eb->value};
			}
		}
		for (j = hb[s]; j; j = nb[j - 1]) {
			const ini_entry *eb = &b->v[j - 1];
			if (done_b[j - 1])
				continue;
			done_b[j - 1] = 1;
			v[n++] = (ini_change){INI_ONLY_B, a->v[i].section, eb->key, NULL, eb->value};
		}
	}
	for (j = 0; j < b->n; j++)
		if (!done_b[j]) {
			const ini_entry *eb = &b->v[j];
			v[n++] = (ini_change){INI_ONLY_B, eb->section, eb->key, NULL, eb->value};
		}
	free(done_b);
	free(seen);
	free(sa);
	free(sb);
	free(na);
	free(nb);
	free(ha);
	free(hb);
	free(x.slots);
	free(x.name);
	*out = v;
	return n;
}
