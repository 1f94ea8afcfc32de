/* cli/ini.h — a tenant's appserver.ini files, shown and compared:
 *   smartops tenant TCODE --ini [--env E] [--role R] [-o json]
 *   smartops tenant TCODE --ini --diff-env [--role R] [-o json]      prod against dev
 *   smartops tenant TCODE --ini --diff A,B [--env E] [-o json]        role A against role B
 * Each role's file is the ConfigMap its AppServer Deployment mounts (read from
 * the Deployment, never assumed from a name). The diff is by section and key
 * (core/ini_diff.h). Text from the cluster is printed escaped.
 */
#ifndef CLI_INI_H
#define CLI_INI_H

#include "cli/tenants.h"

typedef struct ini_opts {
	const char *env;  /* "prod", "dev" or NULL for both (a role diff: prod) */
	const char *role; /* one role, or NULL for all */
	const char *diff; /* "A,B", or "B" with role as A; NULL: no role diff */
	int diff_env;	  /* prod against dev */
	int json;
} ini_opts;

/* Returns the exit code. tcode is already checked. */
int cli_ini_run(const tenants_global *g, const char *tcode, const ini_opts *o);

#endif
