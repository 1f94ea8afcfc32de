/* core/rules.h — predecessor rules between the components of an environment.
 *
 * Rules are data: one rule per line, "component: needs1 needs2" (blanks or
 * commas between the needs), "#" starts a
 * comment, blank lines are ignored. The same text lives in the ConfigMap
 * "predecessor-rules" (namespace "smartops-system", key "rules"). Names not in
 * the defaults are allowed; a name that only appears after ':' becomes a
 * component with no needs. A component with two rules, or a cycle, is refused.
 *
 * A parsed table is a plain value (no pointers): copy it, share it read-only
 * between threads. Functions keep no state.
 */
#ifndef CORE_RULES_H
#define CORE_RULES_H

#include <stddef.h>

#define RULES_MAX 32	   /* components in one table */
#define RULES_NAME_SIZE 32 /* longest name + NUL */
#define RULES_MAX_NEEDS 8  /* predecessors of one component */
#define RULES_CONFIGMAP "predecessor-rules"
#define RULES_CONFIGMAP_NAMESPACE "smartops-system"
#define RULES_CONFIGMAP_KEY "rules"

typedef struct rules_comp {
	char name[RULES_NAME_SIZE];
	unsigned char has_rule; /* 1: had its own line */
	unsigned char n_needs;
	unsigned char needs[RULES_MAX_NEEDS]; /* indices into rules.comp */
} rules_comp;

typedef struct rules {
	size_t n; /* components, in order of first mention */
	rules_comp comp[RULES_MAX];
	unsigned char order[RULES_MAX]; /* topological: predecessors first; ties by mention */
} rules;

/* The default text (license, lockserver, dbaccess, appserver, hypnus). Static. */
const char *rules_default_text(void);
/* Fills r with the defaults; cannot fail. */
void rules_default(rules *r);
/* Parses text into r. Returns 0, or -1 with a sentence in err (if not NULL):
 * "line 3: duplicate rule for lockserver (first on line 2)",
 * "cycle: dbaccess -> lockserver -> dbaccess". r is unspecified on error. */
int rules_parse(rules *r, const char *text, char *err, size_t errsz);
/* Writes r back as text (defaults round-trip). Returns the length it needed. */
size_t rules_format(const rules *r, char *buf, size_t size);

/* Index of a component, or -1. */
int rules_find(const rules *r, const char *name);
/* 1 if component a needs b, directly or through others. */
int rules_needs(const rules *r, size_t a, size_t b);

/* The root cause along the chain: failing[i] != 0 marks component i (index
 * into r->comp) as failing. Returns the first failing component in
 * topological order — none of its predecessors fails — or -1 if none does. */
int rules_first_failing(const rules *r, const unsigned char *failing);

#endif
