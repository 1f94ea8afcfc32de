/* cli/db.h — `smartops db`: actions on a tenant's database outside a
 * provisioning run.
 *   smartops [--readonly] db rotate-password --tcode T --env prod|dev [--pg-conninfo C] [--yes]
 *   smartops db handoff-script --tcode T --env E [--out FILE]     the DBA's Oracle script
 *   smartops [--readonly] db handoff-done --tcode T --env E [--yes]
 *   smartops [--readonly] db set-password --tcode T --env E [--password-stdin]
 *                                   the Oracle password the DBA chose, typed (not shown)
 * Messages on stderr. Exit codes: 0 done; 1 refused (nothing changed) or failed
 * after the server changed (the message says what to do); 2 usage; 3 cluster
 * unreachable; 4 read-only session.
 */
#ifndef CLI_DB_H
#define CLI_DB_H

#include "cli/tenants.h"

int db_cmd_run(const tenants_global *g, int argc, char **argv);

#endif
