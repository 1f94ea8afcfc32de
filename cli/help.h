/* cli/help.h — what smartops says about itself, from the tables in
 * cli/smartops_main.c: the usage text, the man page smartops(1), the words
 * bash completion offers, and the version. One table, four readers, so none of
 * them restates a command or an option.
 */
#ifndef CLI_HELP_H
#define CLI_HELP_H

#include <stdio.h>

#include "cli/tenants.h"

typedef struct cli_command {
	const char *name;
	const char *args; /* may hold '\n' for a second line */
	const char *help;
	int (*run)(const tenants_global *g, int argc, char **argv);
} cli_command;

typedef struct cli_option {
	const char *name;    /* long name, without "--" */
	const char *arg;     /* its argument's name, or NULL for a flag */
	int val;	     /* getopt_long's value */
	int console;	     /* only for the console (no command) */
	const char *help;
} cli_option;

typedef struct cli_tables {
	const cli_command *cmds;
	size_t n_cmds;
	const cli_option *opts;
	size_t n_opts;
} cli_tables;

void cli_help_usage(FILE *fp, const cli_tables *t);

/* smartops help [--man | --complete WHAT [WORD]]: WHAT is commands, options,
 * command-options CMD, contexts or tcodes. Returns the exit code. */
int cli_help_run(const cli_tables *t, const tenants_global *g, int argc, char **argv);

/* "smartops REVISION" and the libraries it runs with. */
void cli_help_version(FILE *fp);

#endif
