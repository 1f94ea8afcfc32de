/* cli/smartops_main.c — the smartops command line: global options, then a
 * command. Commands are declared once in a table (help comes from it). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/actions.h"
#include "cli/builds.h"
#include "cli/console.h"
#include "cli/db.h"
#include "cli/help.h"
#include "cli/provision.h"
#include "cli/tenants.h"
#include "k8s/jarena.h"
#include "util/util.h"

/* What tenants, tenant and runs take at most when a cluster or a credential
 * plugin does not answer (--deadline). */
#define DEFAULT_DEADLINE_S 30

static int run_help(const tenants_global *g, int argc, char **argv);

/* plan's and apply's arguments: every wizard of core/wizard.c with its options,
 * written at start from the registry. */
static char plan_args[4096], apply_args[4096], apply_about[2048];

static const cli_command commands[] = {
    {"tenants", "[-o table|wide|json] [--health H[,H]] [--product erp|esocial] [--watch [--changes]]",
     "the fleet: every tenant with its health and cause", tenants_run_list},
    {"tenant", "TCODE [-o table|json] | TCODE --ini [--env prod|dev] [--role R]\n"
	       "           [--diff A,B | --diff-env] [-o table|json]",
     "one tenant: environments, pods, restarts, events; --ini: its appserver.ini files,\n"
     "           compared by section and key between two roles or between prod and dev",
     tenants_run_one},
    {"wake", "TCODE --env prod|dev [--yes] [--dry-run] [-o text|json]",
     "wake a sleeping environment (Hypnus)", actions_cmd_run},
    {"sleep", "TCODE --env prod|dev [--yes] [--dry-run] [-o text|json]",
     "put an environment to sleep (Hypnus)", actions_cmd_run},
    {"restart", "TCODE --env prod|dev --service ROLE|license|lockserver|dbaccess [--yes] [--dry-run]",
     "rollout restart of one service", actions_cmd_run},
    {"plan", plan_args, "what provisioning a tenant would change, compared with the cluster",
     provision_run_plan},
    {"apply", apply_args, apply_about, builds_run_apply},
    {"runs", "[ID] [--tcode T] [-o json] | resume ID | rollback ID [--confirm-tcode T]",
     "provisioning runs: list, show, resume, roll back", provision_run_runs},
    {"builds", "TCODE [--env dev|prod] [-o table|json] | TCODE BUILD [-o json] [--logs]",
     "a tenant's custom builds, newest first: state, stage, quality gate, RPO, promotions;\n"
     "           one build, and with --logs each stage's log",
     builds_run_list},
    {"promote", "TCODE BUILD --env dev|prod [--yes] [--timeout S] | TCODE --previous --env dev|prod [--yes]",
     "roll a succeeded build's RPO into an env's AppServers (dev, then prod);\n"
     "           --previous: back to the RPO before the env's last promotion",
     builds_run_promote},
    {"db", "rotate-password --tcode T --env prod|dev [--pg-conninfo C] [--yes]\n"
	   "           | handoff-script --tcode T --env E [--out FILE] | handoff-done --tcode T --env E [--yes]\n"
	   "           | set-password --tcode T --env E [--password-stdin]",
     "a tenant's database: a new PostgreSQL password (Secret db-credentials, DbAccess rolled);\n"
     "           an eSocial Oracle hand-off: the DBA's script, the password the DBA chose, done",
     db_cmd_run},
    {"help", "[--man | --complete WHAT]",
     "this text; --man: the manual page; --complete: words for shell completion", run_help},
};

/* Every global option once: getopt's table, the usage, the man page and
 * completion are made from it. */
static const cli_option options[] = {
    {"kubeconfig", "FILE", 'k', 0, "the kubeconfig to read (default: $KUBECONFIG, ~/.kube/config)"},
    {"context", "C[,C2...]", 'c', 0, "the contexts (clusters) to work on; default the current one"},
    {"all-contexts", NULL, 'A', 0, "every context of the kubeconfig, one fleet"},
    {"catalog", "URL", 'C', 0, "the contract catalogue (default: the kubeconfig's or the config)"},
    {"prefix", "P", 'P', 0, "label and annotation prefix (default smart.totvs.com/)"},
    {"readonly", NULL, 'r', 0, "no action that changes a cluster (console and commands)"},
    {"verbose", NULL, 'v', 0, "commands say each request on stderr (-v), with its headers (-vv); secrets masked"},
    {"deadline", "S", 'L', 0, "commands give up after S s of a silent cluster (exit 3); default 30, 0 never"},
    {"help", NULL, 'h', 0, "this text"},
    {"version", NULL, 'V', 0, "the source revision and the libraries in use"},
    {"theme", "NAME|FILE", 't', 1, "default, dark, light, high-contrast, mono (NO_COLOR: mono)"},
    {"tenant", "TCODE", 'T', 1, "open the console on a tenant"},
    {"demo", NULL, 'D', 1, "the console on an embedded kubesim: 200 tenants, clock 60x"},
    {"demo-postgres", "CONNINFO", 'G', 1, "with --demo: the managed PostgreSQL its kubesim names (make run starts one)"},
    {"demo-postgres-password-file", "F", 'W', 1, "with --demo-postgres: the admin's password, the file's first line"},
    {"demo-postgres-missing", "WHY", 'M', 1, "with --demo: why there is no PostgreSQL (shown in the banner)"},
    {"demo-custom-repo", "URL", 'R', 1, "with --demo: the git repository every ERP tenant names as its custom-repo (make run makes one)"},
    {"script", "FILE", 's', 1, "keys from FILE, no terminal (screen tests; also SMARTOPS_SCRIPT)"},
};

static const cli_tables tables = {commands, ARRAY_SIZE(commands), options, ARRAY_SIZE(options)};

static int run_help(const tenants_global *g, int argc, char **argv)
{
	return cli_help_run(&tables, g, argc, argv);
}

static int usage(const char *what)
{
	fprintf(stderr, "smartops: %s (see smartops --help)\n", what);
	return TENANTS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct option longopts[ARRAY_SIZE(options) + 1];
	tenants_global g = {0};
	int deadline_set = 0;
	console_opts co = {0};
	const char *env_script = getenv("SMARTOPS_SCRIPT");
	size_t i;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < ARRAY_SIZE(options); i++)
		longopts[i] = (struct option){options[i].name,
					      options[i].arg ? required_argument : no_argument, NULL,
					      options[i].val};
	provision_wizard_usage("[--dry-run] [-o table|json]", plan_args, sizeof(plan_args));
	provision_wizard_usage("[-o table|json] [--yes] [--timeout S]", apply_args, sizeof(apply_args));
	provision_wizard_about("provision a tenant with a wizard, its options as for plan:", apply_about,
			       sizeof(apply_about));
	signal(SIGPIPE, SIG_IGN);
	jarena_install(); /* before any thread: list items' trees in per-thread arenas */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hv", longopts, NULL)) != -1) {
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
		case 'v':
			g.verbose++;
			break;
		case 'C':
			g.catalog = optarg;
			break;
		case 'P':
			g.prefix = optarg;
			break;
		case 'h':
			cli_help_usage(stdout, &tables);
			return 0;
		case 'V':
			cli_help_version(stdout);
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
		case 'G':
			co.demo_pg = optarg;
			break;
		case 'W':
			co.demo_pg_password_file = optarg;
			break;
		case 'M':
			co.demo_pg_missing = optarg;
			break;
		case 'R':
			co.demo_custom_repo = optarg;
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
	if ((co.demo_pg || co.demo_pg_password_file || co.demo_pg_missing) && !co.demo)
		return usage("--demo-postgres, --demo-postgres-password-file and --demo-postgres-missing go with --demo");
	if (co.demo_custom_repo && !co.demo)
		return usage("--demo-custom-repo goes with --demo");
	if (co.demo_pg_password_file && !co.demo_pg)
		return usage("--demo-postgres-password-file needs --demo-postgres CONNINFO");
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
