/* cli/actions.c — `smartops wake|sleep|restart`. */
#include <getopt.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "cli/actions.h"
#include "cli/output.h"
#include "core/actions.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

static int usage_of(const char *cmd, const char *what)
{
	strbuf sb;

	sb_init(&sb, 128);
	output_escape(&sb, what);
	fprintf(stderr, "smartops %s: %s (see smartops --help)\n", cmd, sb.buf);
	sb_release(&sb);
	return TENANTS_EXIT_USAGE;
}

static int exit_code(actions_status st)
{
	switch (st) {
	case ACTIONS_OK:
	case ACTIONS_NOTHING:
		return TENANTS_EXIT_OK;
	case ACTIONS_READONLY:
	case ACTIONS_DENIED:
		return ACTIONS_EXIT_REFUSED;
	case ACTIONS_NOT_FOUND:
		return TENANTS_EXIT_USAGE;
	case ACTIONS_UNREACHABLE:
		return TENANTS_EXIT_UNREACHABLE;
	case ACTIONS_FAILED:
		break;
	}
	return TENANTS_EXIT_ERROR;
}

static void json_field(strbuf *sb, const char *key, const char *val)
{
	sb_addc(sb, ',');
	output_json_string(sb, key);
	sb_addc(sb, ':');
	if (val)
		output_json_string(sb, val);
	else
		sb_adds(sb, "null");
}

static void render_json(const actions_request *r, const actions_outcome *o, const char *cluster,
			int dry, strbuf *sb)
{
	char ns[TCODE_NS_SIZE];

	tcode_namespace(r->tcode, r->env, ns, sizeof(ns));
	sb_adds(sb, "{\"kind\":\"ActionResult\"");
	json_field(sb, "action", actions_kind_name(r->kind));
	json_field(sb, "tcode", r->tcode);
	json_field(sb, "env", tcode_env_name(r->env));
	json_field(sb, "namespace", ns);
	json_field(sb, "service", r->kind == ACTIONS_RESTART ? r->service : NULL);
	sb_adds(sb, ",\"object\":");
	if (o->target.name[0]) {
		sb_adds(sb, "{\"kind\":");
		output_json_string(sb, o->target.kind);
		json_field(sb, "name", o->target.name);
		sb_addc(sb, '}');
	} else {
		sb_adds(sb, "null");
	}
	json_field(sb, "cluster", cluster);
	json_field(sb, "user", o->user);
	sb_addf(sb, ",\"dry_run\":%s", dry ? "true" : "false");
	json_field(sb, "result", actions_status_name(o->status));
	json_field(sb, "message", o->message);
	json_field(sb, "description", o->description);
	sb_adds(sb, "}\n");
}

/* Prints the outcome (stdout: the result; stderr: why not) and returns the exit code. */
static int report(const char *cmd, const actions_request *r, const actions_outcome *o,
		  const char *cluster, int dry, int json)
{
	strbuf sb;

	sb_init(&sb, 512);
	if (json) {
		render_json(r, o, cluster, dry, &sb);
		fputs(sb.buf, stdout);
		sb_reset(&sb);
	}
	if (o->status == ACTIONS_OK || o->status == ACTIONS_NOTHING) {
		if (!json) {
			output_escape(&sb, o->message);
			printf("%s\n", sb.buf);
		}
	} else {
		output_escape(&sb, o->message);
		fprintf(stderr, "smartops %s: %s\n", cmd, sb.buf);
	}
	sb_release(&sb);
	fflush(stdout);
	return exit_code(o->status);
}

/* Shows the description on the terminal and asks; 1 when the answer is yes. */
static int confirm(const actions_outcome *o)
{
	char line[32];
	strbuf sb;

	sb_init(&sb, 256);
	output_escape(&sb, o->description);
	fprintf(stderr, "%s\nProceed? [y/N] ", sb.buf);
	sb_release(&sb);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, " \t\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

int actions_cmd_run(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"env", required_argument, NULL, 'e'},
	    {"service", required_argument, NULL, 's'},
	    {"yes", no_argument, NULL, 'y'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *cmd = argv[0], *env = NULL, *service = NULL;
	int yes = 0, dry = 0, json = 0, c, ret;
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig, .context = g->contexts};
	k8s_client_opts co = {.connect_timeout_ms = 5000, .max_retries = 3};
	k8s_config *cfg = NULL;
	k8s_client *client = NULL;
	actions_request req;
	actions_outcome o;
	actions_kind kind;
	char err[512], cluster[64];
	actions *a;
	k8s_err kerr;

	if (actions_kind_parse(cmd, &kind) < 0)
		return usage_of(cmd, "unknown action");
	optind = 0; /* full re-initialisation: options may follow the TCODE */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "e:s:yno:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			env = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'y':
			yes = 1;
			break;
		case 'n':
			dry = 1;
			break;
		case 'o':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "text") && strcmp(optarg, "table"))
				return usage_of(cmd, "-o takes text or json");
			break;
		default:
			return usage_of(cmd, "unknown option or missing value");
		}
	}
	if (optind >= argc)
		return usage_of(cmd, kind == ACTIONS_RESTART
					 ? "usage: smartops restart TCODE --env prod|dev --service S"
					 : "a TCODE is required, e.g. T12345 --env prod");
	if (optind + 1 != argc)
		return usage_of(cmd, "one TCODE at a time");
	if (actions_request_parse(kind, argv[optind], env, service, &req, err, sizeof(err)) < 0)
		return usage_of(cmd, err);
	if (g->all_contexts || (g->contexts && strchr(g->contexts, ',')))
		return usage_of(cmd, "an action goes to one cluster: give one --context");

	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) < 0) {
		error("%s", err);
		return TENANTS_EXIT_ERROR;
	}
	util_strlcpy(cluster, cfg->context ? cfg->context : "default", sizeof(cluster));
	/* Read-only sessions keep the client (it names the user) but core/actions
	 * refuses before any request. */
	tenants_client_trace(g, &co);
	client = k8s_client_new(cfg, &co, &kerr);
	if (!client) {
		error("cluster %s: %s", cluster, kerr.msg);
		return TENANTS_EXIT_ERROR;
	}
	a = actions_new(client, cluster, g->prefix, g->readonly);
	if (yes || dry) {
		actions_run(a, &req, dry ? ACTIONS_DRY_RUN : 0, &o);
	} else if (actions_check(a, &req, &o) == ACTIONS_OK) {
		if (!isatty(STDIN_FILENO)) {
			ret = usage_of(cmd, "not on a terminal: add --yes to confirm (or --dry-run "
					    "to see whether it would work)");
			goto out;
		}
		if (!confirm(&o)) {
			fprintf(stderr, "smartops %s: not confirmed, nothing done\n", cmd);
			ret = TENANTS_EXIT_OK;
			goto out;
		}
		actions_run(a, &req, 0, &o);
	}
	ret = report(cmd, &req, &o, cluster, dry, json);
out:
	actions_free(a);
	k8s_client_free(client);
	return ret;
}
