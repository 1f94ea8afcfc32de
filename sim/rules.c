/* Parser of the predecessor-rule text (see sim/rules.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim/rules.h"
#include "util/util.h"

static int name_char(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* Copies the next name from *p (skipping separators) into buf; 0 when the line
 * has no more names, -1 on a bad character or a name that is too long. */
static int next_name(const char **p, const char *end, char *buf, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r'))
		s++;
	if (s == end) {
		*p = s;
		return 0;
	}
	while (s < end && name_char((unsigned char)*s)) {
		if (n + 1 >= size)
			return -1;
		buf[n++] = *s++;
	}
	buf[n] = '\0';
	*p = s;
	if (n == 0)
		return -1;
	if (s < end && !(*s == ' ' || *s == '\t' || *s == ',' || *s == '\r'))
		return -1;
	return 1;
}

int sim_rules_parse(const char *text, sim_rules *out, char *errbuf, size_t errsize)
{
	const char *line = text ? text : "";
	int lineno = 0;

	memset(out, 0, sizeof(*out));
	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		const char *p = line, *colon;
		sim_rule rule;
		int rc;

		lineno++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == end || *p == '#')
			goto next;
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon) {
			snprintf(errbuf, errsize, "line %d: expected \"component: needs...\"", lineno);
			goto fail;
		}
		memset(&rule, 0, sizeof(rule));
		if (next_name(&p, colon, rule.component, sizeof(rule.component)) != 1 ||
		    next_name(&p, colon, rule.needs[0], sizeof(rule.needs[0])) != 0) {
			snprintf(errbuf, errsize, "line %d: bad component name", lineno);
			goto fail;
		}
		if (sim_rules_find(out, rule.component)) {
			snprintf(errbuf, errsize, "line %d: component %s listed twice", lineno,
				 rule.component);
			goto fail;
		}
		p = colon + 1;
		while ((rc = next_name(&p, end, rule.needs[rule.n_needs],
				       sizeof(rule.needs[0]))) == 1) {
			if (!strcmp(rule.needs[rule.n_needs], rule.component)) {
				snprintf(errbuf, errsize, "line %d: %s needs itself", lineno,
					 rule.component);
				goto fail;
			}
			if (++rule.n_needs == SIM_RULES_MAX_NEEDS) {
				char extra[SIM_RULES_NAME];

				if (next_name(&p, end, extra, sizeof(extra)) != 0) {
					snprintf(errbuf, errsize, "line %d: too many predecessors",
						 lineno);
					goto fail;
				}
				break;
			}
		}
		if (rc < 0) {
			snprintf(errbuf, errsize, "line %d: bad predecessor name", lineno);
			goto fail;
		}
		if (out->n == SIM_RULES_MAX) {
			snprintf(errbuf, errsize, "line %d: too many rules", lineno);
			goto fail;
		}
		out->rules[out->n++] = rule;
next:
		if (!eol)
			break;
		line = eol + 1;
	}
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

const sim_rule *sim_rules_find(const sim_rules *r, const char *component)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rules[i].component, component))
			return &r->rules[i];
	return NULL;
}
