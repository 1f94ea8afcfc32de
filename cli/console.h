/* cli/console.h — `smartops` with no command: the interactive console on the
 * clusters of the global options, or on an embedded kubesim with --demo.
 * Called once from main's thread; returns the exit code (views/app.h).
 */
#ifndef CLI_CONSOLE_H
#define CLI_CONSOLE_H

#include "cli/tenants.h"

typedef struct console_opts {
	int readonly;	    /* --readonly */
	const char *theme;  /* --theme NAME|FILE, or NULL */
	const char *script; /* --script FILE (or $SMARTOPS_SCRIPT): no terminal */
	int demo;	    /* --demo */
	const char *tenant; /* --tenant TCODE: open on it */
	const char *demo_pg;		   /* --demo-postgres CONNINFO (kubesim's --managed-postgres) */
	const char *demo_pg_password_file; /* --demo-postgres-password-file F */
	const char *demo_pg_missing;	   /* --demo-postgres-missing WHY: said in the banner */
	const char *demo_custom_repo;	   /* --demo-custom-repo URL (kubesim's --custom-repo) */
} console_opts;

int console_run(const tenants_global *g, const console_opts *co);

#endif
