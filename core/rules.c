/* core/rules.c — predecessor rules: parse, check, order. */
#include <ctype.h>
#include <stdio.h>

#include "core/rules.h"
#include "util/util.h"

static const char default_text[] = "# component: components it needs\n"
				   "license:\n"
				   "lockserver: license\n"
				   "dbaccess: lockserver\n"
				   "appserver: dbaccess\n"
				   "hypnus: appserver\n";

const char *rules_default_text(void)
{
	return default_text;
}

void rules_default(rules *r)
{
	if (rules_parse(r, default_text, NULL, 0) < 0)
		die("default predecessor rules do not parse");
}

int rules_find(const rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->comp[i].name, name))
			return (int)i;
	return -1;
}

static int name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Index of name (len bytes), added if new; -1 with err when it does not fit. */
static int intern(rules *r, const char *name, size_t len, int line, char *err, size_t errsz)
{
	char buf[RULES_NAME_SIZE];

	if (len >= RULES_NAME_SIZE)
		return util_seterr(err, errsz, "line %d: name \"%.*s\" is longer than %d characters",
			      line, (int)len, name, RULES_NAME_SIZE - 1);
	memcpy(buf, name, len);
	buf[len] = '\0';
	int i = rules_find(r, buf);
	if (i >= 0)
		return i;
	if (r->n >= RULES_MAX)
		return util_seterr(err, errsz, "line %d: more than %d components", line, RULES_MAX);
	memset(&r->comp[r->n], 0, sizeof(r->comp[0]));
	memcpy(r->comp[r->n].name, buf, len + 1);
	return (int)r->n++;
}

/* Reads one name at *p (after blanks or commas); its length, 0 at end of line, -1 on a bad
 * character. */
static int next_name(const char **p, const char *end, const char **name, size_t *len)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == ','))
		s++;
	*name = s;
	while (s < end && name_char((unsigned char)*s))
		s++;
	*len = (size_t)(s - *name);
	*p = s;
	if (*len == 0 && s < end)
		return -1;
	if (s < end && *s != ' ' && *s != '\t' && *s != ',' && *s != ':')
		return -1;
	return *len ? 1 : 0;
}

/* DFS for a cycle; on finding one, writes "a -> b -> a" into err. */
static int find_cycle(const rules *r, size_t v, unsigned char *color, unsigned char *stack,
		      size_t depth, char *err, size_t errsz)
{
	size_t k;

	color[v] = 1;
	stack[depth] = (unsigned char)v;
	for (k = 0; k < r->comp[v].n_needs; k++) {
		size_t w = r->comp[v].needs[k];
		if (color[w] == 1) {
			strbuf sb;
			size_t j = 0;
			while (stack[j] != w)
				j++;
			sb_init(&sb, 64);
			sb_adds(&sb, "cycle: ");
			for (; j <= depth; j++)
				sb_addf(&sb, "%s -> ", r->comp[stack[j]].name);
			sb_adds(&sb, r->comp[w].name);
			util_seterr(err, errsz, "%s", sb.buf);
			sb_release(&sb);
			return -1;
		}
		if (color[w] == 0 && find_cycle(r, w, color, stack, depth + 1, err, errsz) < 0)
			return -1;
	}
	color[v] = 2;
	return 0;
}

/* Kahn's algorithm, always taking the earliest-mentioned ready component. */
static void topo_order(rules *r)
{
	unsigned char done[RULES_MAX] = {0};
	size_t placed = 0, i, k;

	while (placed < r->n) {
		for (i = 0; i < r->n; i++) {
			if (done[i])
				continue;
			for (k = 0; k < r->comp[i].n_needs; k++)
				if (!done[r->comp[i].needs[k]])
					break;
			if (k == r->comp[i].n_needs)
				break;
		}
		if (i == r->n)
			return; /* cannot happen once cycles are refused */
		done[i] = 1;
		r->order[placed++] = (unsigned char)i;
	}
}

int rules_parse(rules *r, const char *text, char *err, size_t errsz)
{
	unsigned char first_line[RULES_MAX] = {0};
	unsigned char color[RULES_MAX] = {0};
	unsigned char stack[RULES_MAX];
	const char *p = text ? text : "";
	int line = 0;
	size_t i;

	memset(r, 0, sizeof(*r));
	while (*p) {
		const char *eol = strchr(p, '\n'), *end, *q, *name;
		size_t len;
		int c, rc;

		if (!eol)
			eol = p + strlen(p);
		line++;
		end = memchr(p, '#', (size_t)(eol - p));
		if (!end)
			end = eol;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		q = p;
		p = *eol ? eol + 1 : eol;
		rc = next_name(&q, end, &name, &len);
		if (rc == 0)
			continue; /* blank or comment */
		if (rc < 0 || q >= end || *q != ':') {
			/* allow blanks between the name and ':' */
			while (rc > 0 && q < end && (*q == ' ' || *q == '\t'))
				q++;
			if (rc < 0 || q >= end || *q != ':')
				return util_seterr(
				    err, errsz,
				    "line %d: expected \"component: needs...\", got \"%.*s\"", line,
				    (int)(end - name), name);
		}
		q++;
		c = intern(r, name, len, line, err, errsz);
		if (c < 0)
			return -1;
		if (r->comp[c].has_rule)
			return util_seterr(err, errsz,
				      "line %d: duplicate rule for %s (first on line %d)", line,
				      r->comp[c].name, first_line[c]);
		r->comp[c].has_rule = 1;
		first_line[c] = (unsigned char)(line > 255 ? 255 : line);
		for (;;) {
			int n;
			rc = next_name(&q, end, &name, &len);
			if (rc == 0)
				break;
			if (rc < 0)
				return util_seterr(err, errsz,
					      "line %d: bad character '%c' in the needs of %s",
					      line, *q, r->comp[c].name);
			n = intern(r, name, len, line, err, errsz);
			if (n < 0)
				return -1;
			for (i = 0; i < r->comp[c].n_needs; i++)
				if (r->comp[c].needs[i] == n)
					return util_seterr(err, errsz, "line %d: %s needs %s twice",
						      line, r->comp[c].name, r->comp[n].name);
			if (r->comp[c].n_needs >= RULES_MAX_NEEDS)
				return util_seterr(err, errsz,
					      "line %d: %s needs more than %d components", line,
					      r->comp[c].name, RULES_MAX_NEEDS);
			r->comp[c].needs[r->comp[c].n_needs++] = (unsigned char)n;
		}
	}
	if (r->n == 0)
		return util_seterr(err, errsz, "no rules");
	for (i = 0; i < r->n; i++)
		if (!color[i] && find_cycle(r, i, color, stack, 0, err, errsz) < 0)
			return -1;
	topo_order(r);
	return 0;
}

size_t rules_format(const rules *r, char *buf, size_t size)
{
	strbuf sb;
	size_t i, k, len;

	sb_init(&sb, 256);
	for (i = 0; i < r->n; i++) {
		const rules_comp *c = &r->comp[i];
		if (!c->has_rule)
			continue;
		sb_addf(&sb, "%s:", c->name);
		for (k = 0; k < c->n_needs; k++)
			sb_addf(&sb, " %s", r->comp[c->needs[k]].name);
		sb_addc(&sb, '\n');
	}
	len = sb.len;
	if (size)
		util_strlcpy(buf, sb.buf, size);
	sb_release(&sb);
	return len;
}

int rules_needs(const rules *r, size_t a, size_t b)
{
	unsigned char seen[RULES_MAX] = {0};
	unsigned char todo[RULES_MAX];
	size_t n = 0, k;

	if (a >= r->n || b >= r->n)
		return 0;
	todo[n++] = (unsigned char)a;
	seen[a] = 1;
	while (n) {
		const rules_comp *c = &r->comp[todo[--n]];
		for (k = 0; k < c->n_needs; k++) {
			size_t w = c->needs[k];
			if (w == b)
				return 1;
			if (!seen[w]) {
				seen[w] = 1;
				todo[n++] = (unsigned char)w;
			}
		}
	}
	return 0;
}

int rules_first_failing(const rules *r, const unsigned char *failing)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (failing[r->order[i]])
			return r->order[i];
	return -1;
}
