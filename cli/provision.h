/* cli/provision.h — the headless provisioning commands:
 *   smartops plan WIZARD --tcode T [its options] [--dry-run] [-o table|json]
 *   smartops apply WIZARD --tcode T [its options] [--yes] [--timeout S]
 *     (a wizard's options are its inputs in core/wizard.h: --FLAG VALUE each)
 *   smartops runs [ID] [--tcode T] [-o table|json]
 *   smartops runs resume ID [--yes] [--timeout S]
 *   smartops runs rollback ID [--yes]
 * Results on stdout, progress and messages on stderr (docs/engine.md).
 * Exit codes: 0 ok, 1 error or refused, 2 usage, 3 cluster unreachable,
 * 4 stopped with a journal to resume or roll back.
 */
#ifndef CLI_PROVISION_H
#define CLI_PROVISION_H

#include "cli/tenants.h"

#define PROVISION_EXIT_REFUSED 4 /* read-only session, or not allowed by the cluster */
#define PROVISION_EXIT_STOPPED 5 /* the run stopped: resume or roll it back */

int provision_run_plan(const tenants_global *g, int argc, char **argv);
int provision_run_apply(const tenants_global *g, int argc, char **argv);
/* The wizards and their options for usage, one wizard a line, then extra on
 * a line of its own: "namespace --tcode T [--domain DOMAIN] ...". */
void provision_wizard_usage(const char *extra, char *buf, size_t size);
/* first, then each wizard's name and what it makes, one a line. */
void provision_wizard_about(const char *first, char *buf, size_t size);
int provision_run_runs(const tenants_global *g, int argc, char **argv);

#endif
