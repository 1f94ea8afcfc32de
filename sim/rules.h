/* sim/rules.h — kubesim's parser of the predecessor-rule text.
 *
 * The text has one rule per line, "component: needs...", where the needed
 * components are separated by spaces or commas; blank lines and lines starting
 * with '#' are ignored. Example (the default):
 *
 *   license:
 *   lockserver: license
 *   dbaccess: lockserver
 *   appserver: dbaccess
 *   hypnus: appserver
 *
 * A sim_rules is a plain value (no heap): copy it freely. Not thread-aware. */
#ifndef SIM_RULES_H
#define SIM_RULES_H

#include <stddef.h>

#define SIM_RULES_MAX 32        /* rules (components) in one text */
#define SIM_RULES_MAX_NEEDS 8   /* predecessors of one component */
#define SIM_RULES_NAME 32       /* component name, with its NUL */

#define SIM_RULES_DEFAULT \
	"license:\nlockserver: license\ndbaccess: lockserver\nappserver: dbaccess\nhypnus: appserver\n"

typedef struct sim_rule {
	char component[SIM_RULES_NAME];
	char needs[SIM_RULES_MAX_NEEDS][SIM_RULES_NAME];
	size_t n_needs;
} sim_rule;

typedef struct sim_rules {
	sim_rule rules[SIM_RULES_MAX];
	size_t n;
} sim_rules;

/* Parses text into *out. Returns 0, or -1 with a message naming the line in
 * errbuf (bad name, missing ':', duplicate component, too many entries);
 * *out is left empty on error. A component listed twice on the left is an error. */
int sim_rules_parse(const char *text, sim_rules *out, char *errbuf, size_t errsize);
/* The rule for component, or NULL (a component without a rule needs nothing). */
const sim_rule *sim_rules_find(const sim_rules *r, const char *component);

#endif
