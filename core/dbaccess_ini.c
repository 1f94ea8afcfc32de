/* core/dbaccess_ini.c — dbaccess.ini edited as text; see dbaccess_ini.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/dbaccess_ini.h"
#include "util/util.h"

/* The section a line opens ("[name]" with blanks around), copied to name; 0 if none. */
static int section_of(const char *line, size_t len, char *name, size_t size)
{
	const char *p = line, *end = line + len, *close;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '[')
		return 0;
	close = memchr(p, ']', (size_t)(end - p));
	if (!close)
		return 0;
	snprintf(name, size, "%.*s", (int)(close - p - 1), p + 1);
	return 1;
}

/* The key of a "key=value" line (blanks trimmed) into key; 0 if none. */
static int key_of(const char *line, size_t len, char *key, size_t size)
{
	const char *eq = memchr(line, '=', len), *p = line, *q;

	if (!eq)
		return 0;
	while (p < eq && (*p == ' ' || *p == '\t'))
		p++;
	q = eq;
	while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	if (q == p || *p == ';' || *p == '#')
		return 0;
	snprintf(key, size, "%.*s", (int)(q - p), p);
	return 1;
}

static int dropped(const char *name, const char *const *drop)
{
	for (; drop && *drop; drop++)
		if (!strcasecmp(name, *drop))
			return 1;
	return 0;
}

/* Appends the keys of kv not yet written (done[i] == 0). */
static void add_missing(strbuf *out, const dbaccess_kv *kv, size_t n, int *done)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!done[i]) {
			sb_addf(out, "%s=%s\n", kv[i].key, kv[i].value);
			done[i] = 1;
		}
}

char *dbaccess_ini_set(const char *text, const char *section, const dbaccess_kv *kv, size_t n,
		       const char *const *drop)
{
	strbuf out, blanks;
	const char *p = text ? text : "";
	int in = 0, skip = 0, seen = 0, *done = xcalloc(n ? n : 1, sizeof(int));
	char name[128], key[128];
	size_t i;

	sb_init(&out, strlen(p) + 256);
	sb_init(&blanks, 16);
	while (*p) {
		size_t len = strcspn(p, "\n"), full = len + (p[len] == '\n');
		size_t tlen = len && p[len - 1] == '\r' ? len - 1 : len;

		if (section_of(p, tlen, name, sizeof(name))) {
			if (in) /* the keys it lacked go before the blank lines that end it */
				add_missing(&out, kv, n, done);
			in = !strcasecmp(name, section);
			seen |= in;
			skip = dropped(name, drop) && !in;
			if (skip) { /* the blank lines before it stay for what follows it */
				p += full;
				continue;
			}
			sb_add(&out, blanks.buf, blanks.len);
			sb_reset(&blanks);
		} else if (!skip && tlen == strspn(p, " \t\r")) {
			sb_add(&blanks, p, full); /* held until we know what follows */
			p += full;
			continue;
		}
		if (!skip) {
			sb_add(&out, blanks.buf, blanks.len);
			sb_reset(&blanks);
		}
		if (in && key_of(p, tlen, key, sizeof(key))) {
			for (i = 0; i < n && strcasecmp(kv[i].key, key); i++)
				;
			if (i < n) {
				if (!done[i])
					sb_addf(&out, "%s=%s\n", key, kv[i].value);
				done[i] = 1;
				p += full;
				continue;
			}
		}
		if (!skip) {
			sb_add(&out, p, len);
			sb_adds(&out, "\n");
		}
		p += full;
	}
	if (in)
		add_missing(&out, kv, n, done);
	if (!seen) {
		if (out.len && out.buf[out.len - 1] != '\n')
			sb_adds(&out, "\n");
		if (out.len)
			sb_adds(&out, "\n");
		sb_addf(&out, "[%s]\n", section);
		add_missing(&out, kv, n, done);
	}
	sb_add(&out, blanks.buf, blanks.len);
	sb_release(&blanks);
	free(done);
	{
		size_t len;

		return sb_detach(&out, &len);
	}
}

/* 1 when text has key in section (names without regard to case). */
static int has_key(const char *text, const char *section, const char *key)
{
	const char *p = text;
	char name[128], k[128];
	int in = 0;

	while (*p) {
		size_t len = strcspn(p, "\n"), full = len + (p[len] == '\n');
		size_t tlen = len && p[len - 1] == '\r' ? len - 1 : len;

		if (section_of(p, tlen, name, sizeof(name)))
			in = !strcasecmp(name, section);
		else if (in && key_of(p, tlen, k, sizeof(k)) && !strcasecmp(k, key))
			return 1;
		p += full;
	}
	return 0;
}

/* A copy of text with "key=value" on the line after after's in section, or NULL
 * when the section has no key after. */
static char *insert_after(const char *text, const char *section, const char *after, const char *key,
			  const char *value)
{
	const char *p = text;
	char name[128], k[128];
	int in = 0;

	while (*p) {
		size_t len = strcspn(p, "\n"), full = len + (p[len] == '\n');
		size_t tlen = len && p[len - 1] == '\r' ? len - 1 : len;

		if (section_of(p, tlen, name, sizeof(name))) {
			in = !strcasecmp(name, section);
		} else if (in && key_of(p, tlen, k, sizeof(k)) && !strcasecmp(k, after)) {
			strbuf out;

			sb_init(&out, strlen(text) + strlen(key) + strlen(value) + 4);
			sb_add(&out, text, (size_t)(p - text) + full);
			if (p[len] != '\n')
				sb_adds(&out, "\n");
			sb_addf(&out, "%s=%s\n", key, value);
			sb_adds(&out, p + full);
			return sb_detach(&out, NULL);
		}
		p += full;
	}
	return NULL;
}

static int starts_with_any(const char *name, const char *const *prefixes)
{
	for (; prefixes && *prefixes; prefixes++)
		if (!strncasecmp(name, *prefixes, strlen(*prefixes)))
			return 1;
	return 0;
}

char *dbaccess_ini_merge(const char *planned, const char *live, const char *const *keep_sections,
			 const char *const *keep_keys)
{
	char *text = xstrdup(planned ? planned : ""), name[128] = "", key[128], prev[128] = "", *value;
	const char *p = live ? live : "";
	int in = 0;

	while (*p) {
		size_t len = strcspn(p, "\n"), full = len + (p[len] == '\n');
		size_t tlen = len && p[len - 1] == '\r' ? len - 1 : len;

		if (section_of(p, tlen, name, sizeof(name))) {
			in = 1;
			prev[0] = '\0';
		} else if (in && key_of(p, tlen, key, sizeof(key))) {
			const char *v = (const char *)memchr(p, '=', tlen) + 1;
			/* dropped(): key is one of keep_keys */
			int kept = starts_with_any(name, keep_sections) && dropped(key, keep_keys);

			while (v < p + tlen && (*v == ' ' || *v == '\t'))
				v++;
			if (kept || !has_key(text, name, key)) {
				dbaccess_kv kv = {key, NULL};
				char *next = NULL;

				value = xmalloc((size_t)(p + tlen - v) + 1);
				memcpy(value, v, (size_t)(p + tlen - v));
				value[p + tlen - v] = '\0';
				kv.value = value;
				/* a key planned lacks goes where live has it: after the key before it */
				if (!kept && prev[0])
					next = insert_after(text, name, prev, key, value);
				if (!next)
					next = dbaccess_ini_set(text, name, &kv, 1, NULL);
				free(value);
				free(text);
				text = next;
			}
			util_strlcpy(prev, key, sizeof(prev));
		}
		p += full;
	}
	return text;
}

void dbaccess_ini_hash(const char *text, char out[17])
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
