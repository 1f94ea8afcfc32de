/* cli/help.c — usage, man page, completion words and version, all read from
 * the command and option tables (cli/help.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libpq-fe.h>

#include "cli/help.h"
#include "core/project.h"
#include "k8s/client.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

#ifndef SMARTOPS_REVISION
#define SMARTOPS_REVISION "unknown"
#endif

static const struct {
	int code;
	const char *what;
} exit_codes[] = {
    {0, "ok"},
    {1, "error"},
    {2, "usage"},
    {3, "no cluster reachable"},
    {4, "refused (read-only, or not allowed by the cluster)"},
    {5, "run stopped (resume or roll it back: smartops runs)"},
};

static const struct {
	const char *name, *what;
} environ_vars[] = {
    {"KUBECONFIG", "the kubeconfig files, as kubectl reads them (default ~/.kube/config)"},
    {"NO_COLOR", "any value: the console draws in the mono theme"},
    {"SMARTOPS_THEMES", "a folder searched first for NAME.theme"},
    {"SMARTOPS_AUDIT_LOG", "a file the provisioning engine appends its audit lines to"},
    {"XDG_CACHE_HOME", "where the last-seen fleet is kept (default ~/.cache/smartops)"},
    {"XDG_CONFIG_HOME", "where smartops/config names the contract catalogue (catalog = URL)"},
};

/* The options for commands (console 0) or for the console (1), one a line. */
static void usage_options(FILE *fp, const cli_tables *t, int console)
{
	size_t i, col;

	for (i = 0; i < t->n_opts; i++) {
		const cli_option *o = &t->opts[i];
		char buf[64];

		if (o->console != console)
			continue;
		snprintf(buf, sizeof(buf), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		col = strlen(buf);
		fprintf(fp, "  %s%*s %s\n", buf, col < 22 ? (int)(22 - col) : 0, "", o->help);
	}
}

void cli_help_usage(FILE *fp, const cli_tables *t)
{
	size_t i;

	fprintf(fp, "usage: smartops [global options] COMMAND [ARGS]\n"
		    "       smartops [global options] [console options]   (the console)\n"
		    "       smartops --demo | --version | --help\n\n"
		    "With no command, the interactive console opens on the clusters (? shows its keys).\n"
		    "\nglobal options:\n");
	usage_options(fp, t, 0);
	fprintf(fp, "\nconsole options:\n");
	usage_options(fp, t, 1);
	fprintf(fp, "\ncommands:\n");
	for (i = 0; i < t->n_cmds; i++)
		fprintf(fp, "  %-8s %s\n           %s\n", t->cmds[i].name, t->cmds[i].args,
			t->cmds[i].help);
	fprintf(fp, "\nexit codes:\n");
	for (i = 0; i < ARRAY_SIZE(exit_codes); i++)
		fprintf(fp, "  %d  %s\n", exit_codes[i].code, exit_codes[i].what);
}

void cli_help_version(FILE *fp)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	int pq = PQlibVersion();

	fprintf(fp, "smartops %s\n", SMARTOPS_REVISION);
	fprintf(fp, "libcurl %s (%s), cJSON %s, libpq %d.%d\n", cv->version,
		cv->ssl_version ? cv->ssl_version : "no TLS", cJSON_Version(), pq / 10000, pq % 10000);
}

/* ---- the man page ---- */

/* roff text: backslashes escaped, hyphens as minus signs, no line starting
 * with a control character */
static void roff(FILE *fp, const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", fp);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", fp);
		else if (*s == '-')
			fputs("\\-", fp);
		else
			fputc(*s, fp);
	}
}

static void man_options(FILE *fp, const cli_tables *t, int console)
{
	size_t i;

	for (i = 0; i < t->n_opts; i++) {
		const cli_option *o = &t->opts[i];

		if (o->console != console)
			continue;
		fprintf(fp, ".TP\n.B \\-\\-");
		roff(fp, o->name);
		if (o->arg) {
			fputs(" \\fI", fp);
			roff(fp, o->arg);
			fputs("\\fR", fp);
		}
		fputc('\n', fp);
		roff(fp, o->help);
		fputc('\n', fp);
	}
}

static void man_page(FILE *fp, const cli_tables *t)
{
	size_t i;

	fprintf(fp, ".TH SMARTOPS 1 \"\" \"smartops %s\" \"User Commands\"\n", SMARTOPS_REVISION);
	fprintf(fp, ".SH NAME\nsmartops \\- the operator's console for a fleet of Protheus tenants "
		    "on Kubernetes\n");
	fprintf(fp, ".SH SYNOPSIS\n.B smartops\n[\\fIglobal options\\fR] [\\fIconsole options\\fR]\n"
		    ".br\n.B smartops\n[\\fIglobal options\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
		    ".br\n.B smartops \\-\\-demo\n");
	fprintf(fp,
		".SH DESCRIPTION\nWith no command, smartops opens an interactive console on the "
		"clusters of the kubeconfig: the fleet by TCODE with each environment's health and "
		"its cause in plain words, a tenant's predecessor chain, pods, events and contract, "
		"the Hypnus panel, pod logs, the actions wake, sleep and restart, and the provisioning "
		"wizards with their runs. Press \\fB?\\fR in the console for its keys.\n.PP\n"
		"With a command, it gives the same answers headless, as text or JSON (\\fB\\-o json\\fR) "
		"on standard output, messages on standard error.\n");
	fprintf(fp, ".SH GLOBAL OPTIONS\n");
	man_options(fp, t, 0);
	fprintf(fp, ".SH CONSOLE OPTIONS\n");
	man_options(fp, t, 1);
	fprintf(fp, ".SH COMMANDS\n");
	for (i = 0; i < t->n_cmds; i++) {
		const char *a = t->cmds[i].args;

		fprintf(fp, ".TP\n.B ");
		roff(fp, t->cmds[i].name);
		fputc(' ', fp);
		for (; *a; a++) {
			char one[2] = {*a, 0};
			if (*a == '\n') {
				while (a[1] == ' ')
					a++;
				fputc(' ', fp);
			} else
				roff(fp, one);
		}
		fputc('\n', fp);
		roff(fp, t->cmds[i].help);
		fputc('\n', fp);
	}
	fprintf(fp, ".SH EXIT STATUS\n");
	for (i = 0; i < ARRAY_SIZE(exit_codes); i++)
		fprintf(fp, ".TP\n.B %d\n%s\n", exit_codes[i].code, exit_codes[i].what);
	fprintf(fp, ".SH ENVIRONMENT\n");
	for (i = 0; i < ARRAY_SIZE(environ_vars); i++) {
		fprintf(fp, ".TP\n.B %s\n", environ_vars[i].name);
		roff(fp, environ_vars[i].what);
		fputc('\n', fp);
	}
	fprintf(fp, ".SH SEE ALSO\n.BR kubectl (1),\n"
		    ".B kubesim \\-\\-help\n"
		    "(the Kubernetes API simulator behind the demo), and the documents under docs/ "
		    "in the source tree.\n");
}

/* ---- completion ---- */

/* Tokens of a command's args: "[--env prod|dev]" gives "--env" then "prod|dev". */
static size_t tokens(const char *args, char out[][64], size_t max)
{
	size_t n = 0;

	while (*args && n < max) {
		size_t len;

		args += strspn(args, " \n[]");
		len = strcspn(args, " \n[]");
		if (!len)
			break;
		if (len >= 64)
			len = 63;
		memcpy(out[n], args, len);
		out[n++][len] = '\0';
		args += strcspn(args, " \n[]");
	}
	return n;
}

static int is_metavar(const char *s)
{
	for (; *s; s++)
		if (islower((unsigned char)*s))
			return 0;
	return 1;
}

/* prints each '|' alternative of s that starts with word */
static void alternatives(const char *s, const char *word)
{
	while (*s) {
		size_t len = strcspn(s, "|");
		if (len && !strncmp(s, word, strlen(word)) && strlen(word) <= len)
			printf("%.*s\n", (int)len, s);
		s += len + (s[len] == '|');
	}
}

static const cli_command *find_cmd(const cli_tables *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_cmds; i++)
		if (!strcmp(t->cmds[i].name, name))
			return &t->cmds[i];
	return NULL;
}

typedef struct tcodes {
	char **v;
	size_t n, cap;
	const char *key, *word;
} tcodes;

static int on_ns(void *ctx, const cJSON *item)
{
	tcodes *tc = ctx;
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(item, "metadata"),
					     "labels"),
	    tc->key);
	size_t i;

	if (!cJSON_IsString(l) || strncasecmp(l->valuestring, tc->word, strlen(tc->word)))
		return 0;
	for (i = 0; i < tc->n; i++)
		if (!strcmp(tc->v[i], l->valuestring))
			return 0;
	if (tc->n == tc->cap) {
		tc->cap = tc->cap ? 2 * tc->cap : 64;
		tc->v = xrealloc(tc->v, tc->cap * sizeof(*tc->v));
	}
	tc->v[tc->n++] = xstrdup(l->valuestring);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The TCODEs of the first context named (or the current one), asked of the
 * cluster with short deadlines: a Tab must never hang. Silent on failure. */
static int complete_tcodes(const tenants_global *g, const char *word)
{
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig};
	k8s_client_opts co = {.connect_timeout_ms = 1500, .request_timeout_ms = 3000,
			      .max_retries = -1};
	k8s_list_opts l = {0};
	char err[256], ctx[256] = "", *path;
	k8s_config *cfg = NULL;
	k8s_client *c;
	project_keys keys;
	k8s_err kerr;
	tcodes tc = {0};
	size_t i;
	int rc;

	if (g->contexts) {
		util_strlcpy(ctx, g->contexts, sizeof(ctx));
		ctx[strcspn(ctx, ",")] = '\0';
		lo.context = ctx;
	}
	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) < 0)
		return 1;
	c = k8s_client_new(cfg, &co, &kerr);
	if (!c)
		return 1;
	project_keys_init(&keys, g->prefix);
	tc.key = keys.tcode;
	tc.word = word;
	l.label_selector = keys.tcode;
	path = k8s_path(NULL, "v1", NULL, "namespaces", NULL);
	rc = k8s_list(c, path, &l, on_ns, &tc, NULL, 0, &kerr);
	free(path);
	k8s_client_free(c);
	if (tc.n)
		qsort(tc.v, tc.n, sizeof(*tc.v), cmp_str);
	for (i = 0; i < tc.n; i++) {
		if (rc == 0)
			printf("%s\n", tc.v[i]);
		free(tc.v[i]);
	}
	free(tc.v);
	return rc == 0 ? 0 : 1;
}

static int complete_contexts(const tenants_global *g, const char *word)
{
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig};
	char err[256], **names = NULL;
	size_t i;

	if (k8s_config_contexts(&lo, &names, NULL, err, sizeof(err)) < 0)
		return 1;
	for (i = 0; names[i]; i++)
		if (!strncmp(names[i], word, strlen(word)))
			printf("%s\n", names[i]);
	k8s_strv_free(names);
	return 0;
}

/* help --complete args CMD WORD: the words that may come next in CMD's
 * arguments (its options, its fixed words such as "namespace" or "resume").
 * help --complete value CMD OPTION WORD: the values OPTION takes. */
static int complete(const cli_tables *t, const tenants_global *g, int argc, char **argv)
{
	const char *what = argv[0], *word = "";
	char tok[64][64];
	size_t i, n;

	if (!strcmp(what, "commands")) {
		word = argc > 1 ? argv[1] : "";
		for (i = 0; i < t->n_cmds; i++)
			if (!strncmp(t->cmds[i].name, word, strlen(word)))
				printf("%s\n", t->cmds[i].name);
		return 0;
	}
	if (!strcmp(what, "options")) {
		word = argc > 1 ? argv[1] : "";
		for (i = 0; i < t->n_opts; i++) {
			char buf[64];
			snprintf(buf, sizeof(buf), "--%s", t->opts[i].name);
			if (!strncmp(buf, word, strlen(word)))
				printf("%s\n", buf);
		}
		return 0;
	}
	if (!strcmp(what, "contexts"))
		return complete_contexts(g, argc > 1 ? argv[1] : "");
	if (!strcmp(what, "tcodes"))
		return complete_tcodes(g, argc > 1 ? argv[1] : "");
	if (!strcmp(what, "args") && argc >= 2) {
		const cli_command *c = find_cmd(t, argv[1]);
		word = argc > 2 ? argv[2] : "";
		if (!c)
			return 1;
		n = tokens(c->args, tok, ARRAY_SIZE(tok));
		for (i = 0; i < n; i++) {
			if (tok[i][0] == '-') {
				alternatives(tok[i], word);
				if (i + 1 < n && tok[i + 1][0] != '-' && strcmp(tok[i + 1], "|"))
					i++; /* its value */
			} else if (!is_metavar(tok[i]) && strcmp(tok[i], "|")) {
				alternatives(tok[i], word);
			}
		}
		/* a command whose first argument is a TCODE */
		if (n && !strcmp(tok[0], "TCODE"))
			return complete_tcodes(g, word);
		return 0;
	}
	if (!strcmp(what, "value") && argc >= 3) {
		const cli_command *c = find_cmd(t, argv[1]);
		word = argc > 3 ? argv[3] : "";
		if (!c)
			return 1;
		n = tokens(c->args, tok, ARRAY_SIZE(tok));
		for (i = 0; i + 1 < n; i++) {
			const char *p = tok[i];
			size_t olen = strlen(argv[2]);
			int hit = 0;

			if (tok[i][0] != '-')
				continue;
			while (*p) { /* is argv[2] one of the '|' alternatives? */
				size_t len = strcspn(p, "|");
				hit |= len == olen && !strncmp(p, argv[2], len);
				p += len + (p[len] == '|');
			}
			if (!hit || tok[i + 1][0] == '-')
				continue;
			if (!strcmp(tok[i + 1], "T") || !strcmp(tok[i + 1], "TCODE"))
				return complete_tcodes(g, word);
			if (!is_metavar(tok[i + 1]))
				alternatives(tok[i + 1], word);
			return 0;
		}
		return 0;
	}
	fprintf(stderr, "smartops: help --complete: commands, options, contexts, tcodes, "
			"args CMD, or value CMD OPTION\n");
	return 2;
}

int cli_help_run(const cli_tables *t, const tenants_global *g, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--man")) {
		man_page(stdout, t);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "--complete"))
		return complete(t, g, argc - 2, argv + 2);
	if (argc >= 2) {
		fprintf(stderr, "smartops: help takes --man or --complete WHAT (see smartops --help)\n");
		return 2;
	}
	cli_help_usage(stdout, t);
	return 0;
}
