/* cli/builds.h — the custom-build commands (docs/builds.md):
 *   smartops apply build --tcode T --ref REF [--repo URL] [--env dev|prod]
 *                        [--yes] [--no-wait] [--timeout S]
 *     (apply of every wizard goes through builds_run_apply: a build's
 *     --no-wait is its input wait=started, and a build that failed — its
 *     quality gate, a stage — exits 1 with the stage and the gate's
 *     conditions on stderr; every other wizard is provision_run_apply's)
 *   smartops builds TCODE [--env dev|prod] [-o table|json]
 *   smartops promote TCODE BUILD --env dev|prod [--yes]
 *   smartops promote TCODE --previous --env dev|prod [--yes]
 * Exit codes as the other provisioning commands (cli/provision.h). */
#ifndef CLI_BUILDS_H
#define CLI_BUILDS_H

#include "cli/tenants.h"

int builds_run_apply(const tenants_global *g, int argc, char **argv);
int builds_run_list(const tenants_global *g, int argc, char **argv);
int builds_run_promote(const tenants_global *g, int argc, char **argv);

#endif
