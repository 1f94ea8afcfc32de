/* cli/db.c — `smartops db rotate-password` (see cli/db.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/db.h"
#include "cli/output.h"
#include "core/db_rotate.h"
#include "core/tcode.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

static int usage_of(const char *what)
{
	strbuf sb;

	sb_init(&sb, 128);
	output_escape(&sb, what);
	fprintf(stderr, "smartops db: %s (see smartops --help)\n", sb.buf);
	sb_release(&sb);
	return TENANTS_EXIT_USAGE;
}

/* Each line of text on stderr, escaped. */
static void say(const char *text)
{
	strbuf sb;
	const char *p = text;

	sb_init(&sb, 256);
	while (*p) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);

		sb_reset(&sb);
		output_escape(&sb, line);
		fprintf(stderr, "smartops: %s\n", sb.buf);
		free(line);
		p += len + (p[len] == '\n');
	}
	sb_release(&sb);
}

static int confirm(const char *what, int yes)
{
	char line[16];

	if (yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "smartops: not a terminal: add --yes to %s\n", what);
		return 0;
	}
	fprintf(stderr, "%s? [y/N] ", what);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int rotate(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"tcode", required_argument, NULL, 't'},	  {"env", required_argument, NULL, 'e'},
	    {"pg-conninfo", required_argument, NULL, 'p'}, {"yes", no_argument, NULL, 'y'},
	    {"timeout", required_argument, NULL, 'T'},	  {NULL, 0, NULL, 0},
	};
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig};
	k8s_client_opts co = {.connect_timeout_ms = 5000, .max_retries = 4};
	db_rotate_opts o = {0};
	db_rotate_result r;
	db_rotate_status st;
	k8s_config *cfg = NULL;
	k8s_client *client;
	k8s_err kerr;
	char tcode[TCODE_SIZE] = "", err[256], what[160];
	int c, have_env = 0, yes = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "y", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (tcode_parse(optarg, tcode, err, sizeof(err)) < 0)
				return usage_of(err);
			break;
		case 'e':
			if (tcode_env_parse(optarg, &o.env) < 0)
				return usage_of("--env takes prod or dev");
			have_env = 1;
			break;
		case 'p':
			o.conninfo = optarg;
			break;
		case 'y':
			yes = 1;
			break;
		case 'T':
			o.wait_timeout_s = atoi(optarg);
			if (o.wait_timeout_s < 1 || o.wait_timeout_s > 86400)
				return usage_of("--timeout takes seconds, e.g. 300");
			break;
		default:
			return usage_of("rotate-password: unknown option or missing value");
		}
	}
	if (optind < argc)
		return usage_of("rotate-password: unexpected argument");
	if (!tcode[0] || !have_env)
		return usage_of("rotate-password needs --tcode T12345 and --env prod|dev");
	if (g->all_contexts || (g->contexts && strchr(g->contexts, ',')))
		return usage_of("a password is rotated on one cluster: give one --context");
	if (g->readonly) {
		fprintf(stderr, "smartops: read-only session: started with --readonly; nothing was changed\n");
		return 4;
	}
	lo.context = g->contexts;
	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) < 0) {
		say(err);
		return TENANTS_EXIT_ERROR;
	}
	o.user = cfg->user_name;
	client = k8s_client_new(cfg, &co, &kerr);
	if (!client) {
		say(kerr.msg);
		return TENANTS_EXIT_ERROR;
	}
	snprintf(what, sizeof(what), "set a new database password for %s %s (DbAccess is rolled)", tcode,
		 tcode_env_name(o.env));
	if (!confirm(what, yes)) {
		k8s_client_free(client);
		return TENANTS_EXIT_ERROR;
	}
	o.client = client;
	o.prefix = g->prefix;
	o.tcode = tcode;
	st = db_rotate_password(&o, &r);
	say(r.msg);
	k8s_client_free(client);
	switch (st) {
	case DB_ROTATE_OK:
		return TENANTS_EXIT_OK;
	case DB_ROTATE_READONLY:
		return 4;
	case DB_ROTATE_UNREACHABLE:
		return TENANTS_EXIT_UNREACHABLE;
	default:
		return TENANTS_EXIT_ERROR;
	}
}

int db_cmd_run(const tenants_global *g, int argc, char **argv)
{
	if (argc < 2)
		return usage_of("what? db rotate-password --tcode T --env prod|dev");
	if (!strcmp(argv[1], "rotate-password"))
		return rotate(g, argc - 1, argv + 1);
	return usage_of("unknown db action: rotate-password");
}
