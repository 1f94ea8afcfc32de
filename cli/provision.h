/* cli/provision.h — the headless provisioning commands:
 *   smartops plan namespace --tcode T [--domain D] [--size s|m|l] [--idle-timeout S]
 *                           [--roles R,R] [-o table|json]
 *   smartops apply namespace --tcode T [same options] [--yes] [--timeout S]
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
int provision_run_runs(const tenants_global *g, int argc, char **argv);

#endif
