/* cli/actions.h — the headless actions:
 *   smartops [--readonly] wake TCODE --env prod|dev [--yes] [--dry-run] [-o text|json]
 *   smartops [--readonly] sleep TCODE --env prod|dev [...]
 *   smartops [--readonly] restart TCODE --env E --service ROLE|license|lockserver|dbaccess [...]
 * Every one goes through core/actions (read-only gate, access review, audit).
 * Without --yes, a terminal is asked to confirm (the text of actions_describe);
 * without a terminal the command refuses (exit 2) and says to add --yes.
 * Exit codes: 0 done (or nothing to do), 1 error, 2 usage (also an unknown
 * TCODE or service), 3 cluster unreachable, 4 refused (read-only or RBAC).
 * Called once from main's thread.
 */
#ifndef CLI_ACTIONS_H
#define CLI_ACTIONS_H

#include "cli/tenants.h"

enum {
	ACTIONS_EXIT_REFUSED = 4,
};

/* argv[0] is the command name ("wake", "sleep" or "restart"). Returns the exit code. */
int actions_cmd_run(const tenants_global *g, int argc, char **argv);

#endif
