/* cli/db.c — `smartops db rotate-password` (see cli/db.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/db.h"
#include "cli/output.h"
#include "cli/session.h"
#include "core/db_handoff.h"
#include "core/db_password.h"
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

static int rotate(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"tcode", required_argument, NULL, 't'},	  {"env", required_argument, NULL, 'e'},
	    {"pg-conninfo", required_argument, NULL, 'p'}, {"yes", no_argument, NULL, 'y'},
	    {"timeout", required_argument, NULL, 'T'},	  {NULL, 0, NULL, 0},
	};
	db_rotate_opts o = {0};
	db_rotate_result r;
	db_rotate_status st;
	cli_session s;
	k8s_client *client;
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
	if ((c = cli_session_open(g, "db", "a password is rotated on one cluster: give one --context", &s)))
		return c;
	o.user = s.user[0] ? s.user : NULL;
	client = s.client;
	snprintf(what, sizeof(what), "set a new database password for %s %s (DbAccess is rolled)", tcode,
		 tcode_env_name(o.env));
	if (!output_confirm(what, yes)) {
		k8s_client_free(client);
		return TENANTS_EXIT_ERROR;
	}
	o.client = client;
	o.prefix = g->prefix;
	o.tcode = tcode;
	st = db_rotate_password(&o, &r);
	output_say(r.msg);
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

/* ---- the Oracle hand-off ------------------------------------------------------------ */

typedef struct handoff_args {
	char tcode[TCODE_SIZE];
	tcode_env env;
	char ns[TCODE_NS_SIZE];
	const char *out;	/* handoff-script --out FILE */
	int yes, password_stdin;
} handoff_args;

static int handoff_parse(const char *cmd, int argc, char **argv, handoff_args *a)
{
	static const struct option longopts[] = {
	    {"tcode", required_argument, NULL, 't'}, {"env", required_argument, NULL, 'e'},
	    {"out", required_argument, NULL, 'o'},   {"yes", no_argument, NULL, 'y'},
	    {"password-stdin", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0},
	};
	char err[200], msg[300];
	int c, have_env = 0;

	memset(a, 0, sizeof(*a));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "y", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (tcode_parse(optarg, a->tcode, err, sizeof(err)) < 0)
				return usage_of(err);
			break;
		case 'e':
			if (tcode_env_parse(optarg, &a->env) < 0)
				return usage_of("--env takes prod or dev");
			have_env = 1;
			break;
		case 'o':
			if (strcmp(cmd, "handoff-script"))
				return usage_of("--out belongs to handoff-script");
			a->out = optarg;
			break;
		case 'y':
			a->yes = 1;
			break;
		case 'p':
			if (strcmp(cmd, "set-password"))
				return usage_of("--password-stdin belongs to set-password");
			a->password_stdin = 1;
			break;
		default:
			snprintf(msg, sizeof(msg), "%s: unknown option or missing value", cmd);
			return usage_of(msg);
		}
	}
	if (optind < argc || !a->tcode[0] || !have_env) {
		snprintf(msg, sizeof(msg), "%s needs --tcode T12345 and --env prod|dev", cmd);
		return usage_of(msg);
	}
	tcode_namespace(a->tcode, a->env, a->ns, sizeof(a->ns));
	return 0;
}

/* One line of a password: from stdin as it is, or typed at the terminal
 * without echo. 0, or -1 (empty, or no terminal). */
static int read_password(int from_stdin, char *out, size_t size)
{
	struct termios old, quiet;
	int tty = !from_stdin && isatty(STDIN_FILENO), ok;

	if (!from_stdin && !tty) {
		fprintf(stderr, "smartops: not a terminal: give the password on stdin with --password-stdin\n");
		return -1;
	}
	if (tty) {
		fprintf(stderr, "Oracle password (not shown): ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(out, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		out[0] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (!out[0]) {
		fprintf(stderr, "smartops: an empty password: nothing was changed\n");
		return -1;
	}
	return 0;
}

static int handoff(const tenants_global *g, const char *cmd, int argc, char **argv)
{
	handoff_args a;
	cli_session s;
	k8s_client *c;
	char err[512], what[160], password[512];
	int ret, unreachable = 0, rc = -1;

	if ((ret = handoff_parse(cmd, argc, argv, &a)))
		return ret;
	if (strcmp(cmd, "handoff-script") && g->readonly) {
		fprintf(stderr, "smartops: read-only session: started with --readonly; nothing was changed\n");
		return 4;
	}
	if ((ret = cli_session_open(g, "db", "a database is handed off on one cluster: give one --context", &s)))
		return ret;
	c = s.client;
	if (!strcmp(cmd, "handoff-script")) {
		strbuf sb;

		sb_init(&sb, 2048);
		rc = db_handoff_script(c, a.ns, &sb, err, sizeof(err), &unreachable);
		if (rc == 0 && a.out) {
			FILE *f = fopen(a.out, "w");

			if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len) {
				rc = util_seterr(err, sizeof(err), "cannot write %s: %s", a.out, strerror(errno));
			} else {
				fprintf(stderr, "smartops: the DBA's script for %s written to %s\n", a.ns, a.out);
			}
			if (f && fclose(f) != 0 && rc == 0)
				rc = util_seterr(err, sizeof(err), "cannot write %s: %s", a.out, strerror(errno));
		}
		if (rc == 0)
			fwrite(sb.buf, 1, sb.len, stdout);
		sb_release(&sb);
	} else if (!strcmp(cmd, "handoff-done")) {
		snprintf(what, sizeof(what), "mark the Oracle hand-off of %s done (the DBA made the user)", a.ns);
		if (!output_confirm(what, a.yes)) {
			k8s_client_free(c);
			return TENANTS_EXIT_ERROR;
		}
		rc = db_handoff_done(c, g->prefix, a.ns, err, sizeof(err), &unreachable);
		if (rc == 0)
			fprintf(stderr, "smartops: %s: Oracle hand-off done\n", a.ns);
	} else {
		snprintf(what, sizeof(what), "put the Oracle password into Secret %s/db-credentials", a.ns);
		if (read_password(a.password_stdin, password, sizeof(password)) < 0) {
			db_password_wipe(password, sizeof(password));
			k8s_client_free(c);
			return TENANTS_EXIT_ERROR;
		}
		if (output_confirm(what, a.yes || a.password_stdin))
			rc = db_handoff_password(c, g->prefix, a.ns, a.tcode, password, err, sizeof(err), &unreachable);
		else
			util_seterr(err, sizeof(err), "nothing was changed");
		db_password_wipe(password, sizeof(password));
		if (rc == 0)
			fprintf(stderr, "smartops: Secret %s/db-credentials holds the Oracle password\n", a.ns);
	}
	k8s_client_free(c);
	if (rc == 0)
		return TENANTS_EXIT_OK;
	output_say(err);
	return unreachable ? TENANTS_EXIT_UNREACHABLE : TENANTS_EXIT_ERROR;
}

int db_cmd_run(const tenants_global *g, int argc, char **argv)
{
	if (argc < 2)
		return usage_of("what? rotate-password, handoff-script, handoff-done or set-password");
	if (!strcmp(argv[1], "rotate-password"))
		return rotate(g, argc - 1, argv + 1);
	if (!strcmp(argv[1], "handoff-script") || !strcmp(argv[1], "handoff-done") ||
	    !strcmp(argv[1], "set-password"))
		return handoff(g, argv[1], argc - 1, argv + 1);
	return usage_of("unknown db action: rotate-password, handoff-script, handoff-done, set-password");
}
