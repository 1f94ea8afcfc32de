/* cli/smartops_main.c — the smartops command line: global options, then a
 * command. Commands are declared once in a table (help comes from it). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cli/actions.h"
#include "cli/console.h"
#include "cli/provision.h"
#include "cli/tenants.h"
#include "util/util.h"

/* What tenants, tenant and runs take at most when a cluster or a credential
 * plugin does not answer (--deadline). */
#define DEFAULT_DEADLINE_S 30

typedef struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(const tenants_global *g, int argc, char **argv);
} command;

static int run_help(const tenants_global *g, int argc, char **argv);

static const command commands[] = {
    {"tenants", "[-o table|wide|json] [--health H[,H]] [--product erp|esocial] [--watch]",
     "the fleet: every tenant with its health and cause", tenants_run_list},
    {"tenant", "TCODE [-o table|json]", "one tenant: environments, pods, restarts, events",
     tenants_run_one},
    {"wake", "TCODE --env prod|dev [--yes] [--dry-run] [-o text|json]",
     "wake a sleeping environment (Hypnus)", actions_cmd_run},
    {"sleep", "TCODE --env prod|dev [--yes] [--dry-run] [-o text|json]",
     "put an environment to sleep (Hypnus)", actions_cmd_run},
    {"restart", "TCODE --env E --service ROLE|license|lockserver|dbaccess [--yes] [--dry-run]",
     "rollout restart of one service", actions_cmd_run},
    {"plan", "namespace --tcode T [--domain D] [--size s|m|l] [--idle-timeout S] [--roles R,R]\n"
	     "           [--dry-run] [-o table|json]",
     "what provisioning a tenant would change, compared with the cluster", provision_run_plan},
    {"apply", "namespace --tcode T [plan options] [--yes] [--timeout S]",
     "provision a tenant: prod and dev namespaces, base and public services", provision_run_apply},
    {"runs", "[ID] [--tcode T] [-o json] | resume ID | rollback ID",
     "provisioning runs: list, show, resume, roll back", provision_run_runs},
    {"help", "", "this text", run_help},
};

static void print_help(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: smartops [--kubeconfig FILE] [--context C[,C2...]] [--all-contexts]\n"
		    "                [--catalog URL] [--prefix P] [--readonly] [--deadline S]\n"
		    "                [COMMAND [ARGS]]\n"
		    "       smartops [global options] [--readonly] [--theme NAME|FILE] [--tenant T]\n"
		    "       smartops --demo\n\n"
		    "With no command, the interactive console opens on the clusters (? shows its keys).\n"
		    "  --readonly         no action that changes a cluster (console and commands)\n"
		    "  --deadline S       tenants, tenant and runs give up after S seconds when a\n"
		    "                     cluster or its credential plugin does not answer (exit 3);\n"
		    "                     default 30, 0 for none\n"
		    "  --theme NAME|FILE  default, dark, light, high-contrast, mono (NO_COLOR: mono)\n"
		    "  --tenant TCODE     open the console on a tenant\n"
		    "  --demo             the console on an embedded kubesim: 200 tenants, clock 60x\n"
		    "  --script FILE      keys from FILE, no terminal (screen tests; also SMARTOPS_SCRIPT)\n"
		    "\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-8s %s\n           %s\n", commands[i].name, commands[i].args,
			commands[i].help);
	fprintf(fp, "\nexit codes: 0 ok, 1 error, 2 usage, 3 no cluster reachable,\n"
		    "            4 refused (read-only, or not allowed by the cluster),\n"
		    "            5 run stopped (resume or roll it back: smartops runs)\n");
}

static int run_help(const tenants_global *g, int argc, char **argv)
{
	print_help(stdout);
	return 0;
}

static int usage(const char *what)
{
	fprintf(stderr, "smartops: %s (see smartops --help)\n", what);
	return TENANTS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"kubeconfig", required_argument, NULL, 'k'},
	    {"context", required_argument, NULL, 'c'},
	    {"all-contexts", no_argument, NULL, 'A'},
	    {"catalog", required_argument, NULL, 'C'},
	    {"prefix", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {"readonly", no_argument, NULL, 'r'},
	    {"theme", required_argument, NULL, 't'},
	    {"tenant", required_argument, NULL, 'T'},
	    {"demo", no_argument, NULL, 'D'},
	    {"script", required_argument, NULL, 's'},
	    {"deadline", required_argument, NULL, 'L'},
	    {NULL, 0, NULL, 0},
	};
	tenants_global g = {0};
	int deadline_set = 0;
	console_opts co = {0};
	const char *env_script = getenv("SMARTOPS_SCRIPT");
	size_t i;
	int c;

	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			g.kubeconfig = optarg;
			break;
		case 'c':
			g.contexts = optarg;
			break;
		case 'A':
			g.all_contexts = 1;
			break;
		case 'C':
			g.catalog = optarg;
			break;
		case 'P':
			g.prefix = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'r':
			g.readonly = 1;
			co.readonly = 1;
			break;
		case 't':
			co.theme = optarg;
			break;
		case 'T':
			co.tenant = optarg;
			break;
		case 'D':
			co.demo = 1;
			break;
		case 's':
			co.script = optarg;
			break;
		case 'L': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 0 || v > 86400)
				return usage("--deadline needs whole seconds from 0 (none) to 86400");
			g.deadline_s = (int)v;
			deadline_set = 1;
			break;
		}
		default:
			return usage("unknown option or missing value");
		}
	}
	if (g.contexts && g.all_contexts)
		return usage("--context and --all-contexts exclude each other");
	if (!co.script && env_script && *env_script)
		co.script = env_script;
	if (co.demo && (g.kubeconfig || g.contexts || g.all_contexts))
		return usage("--demo runs its own cluster; leave out --kubeconfig and --context");
	if (optind >= argc) {
		if (deadline_set)
			return usage("--deadline is for the commands; the console shows a hung "
				     "cluster as unreachable instead");
		return console_run(&g, &co);
	}
	if (!deadline_set)
		g.deadline_s = DEFAULT_DEADLINE_S;
	if (co.demo || co.script || co.theme || co.tenant)
		return usage("--demo, --script, --theme and --tenant are for the console (no command)");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].run(&g, argc - optind, argv + optind);
	return usage("unknown command");
}
