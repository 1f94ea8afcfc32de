/* The custom-build commands (see cli/builds.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/builds.h"
#include "cli/output.h"
#include "cli/provision.h"
#include "cli/session.h"
#include "core/build_history.h"
#include "core/build_promotion.h"
#include "core/journal.h"
#include "core/step_job.h"
#include "core/tcode.h"
#include "k8s/client.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

typedef cli_session bsession;

static int session_open(const tenants_global *g, bsession *s)
{
	return cli_session_open(g, "builds", "custom builds work on one cluster: give one --context", s);
}

static int exit_for(const k8s_err *e)
{
	return e->unreachable || e->http == 0 ? TENANTS_EXIT_UNREACHABLE : TENANTS_EXIT_ERROR;
}

/* ---- apply build ---- */

/* The value of --NAME V or --NAME=V in argv, or NULL. */
static const char *opt_value(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) || strncmp(argv[i] + 2, name, n))
			continue;
		if (argv[i][2 + n] == '=')
			return argv[i] + 3 + n;
		if (!argv[i][2 + n] && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

/* What became of the build the newest build run of tcode started: said on
 * stderr; 1 when it failed, else 0; -1 when it cannot be told. */
static int build_outcome(const tenants_global *g, const char *tcode, int no_wait)
{
	bsession s;
	journal *runs = NULL;
	size_t n = 0, i;
	const journal *j = NULL;
	const char *id = NULL, *env = NULL;
	build_history h;
	build_entry *e;
	k8s_err err;
	char ns[TCODE_NS_SIZE];
	tcode_env te;
	int ret = -1;

	if (session_open(g, &s))
		return -1;
	if (journal_list(s.client, tcode, g->prefix, &runs, &n, &err) < 0)
		goto out;
	for (i = 0; i < n && !j; i++)
		if (!strcmp(runs[i].wizard, "build"))
			j = &runs[i];
	for (i = 0; j && i < j->n_inputs; i++) {
		if (!strcmp(j->inputs[i].key, "build"))
			id = j->inputs[i].value;
		else if (!strcmp(j->inputs[i].key, "env"))
			env = j->inputs[i].value;
	}
	if (!id || !env || tcode_env_parse(env, &te) < 0)
		goto out;
	tcode_namespace(tcode, te, ns, sizeof(ns));
	if (build_history_sync(s.client, g->prefix, tcode, env, ns, !g->readonly, &h, &err) < 0)
		goto out;
	e = build_history_find(&h, id);
	if (e) {
		char *line;

		if (!strcmp(e->state, "failed")) {
			line = xasprintf("build %s failed%s%s%s%s", e->id, e->stage[0] ? " at stage " : "",
					 e->stage, e->reason[0] ? ": " : "", e->reason);
			output_say(line);
			free(line);
			if (!strcmp(e->gate, "ERROR")) {
				line = xasprintf("quality gate ERROR: %s", e->conditions);
				output_say(line);
				free(line);
			}
			ret = 1;
		} else if (!strcmp(e->state, "succeeded")) {
			line = xasprintf("build %s succeeded: commit %s, quality gate %s, RPO %s; promote it with `smartops promote %s %s --env dev`",
					 e->id, e->commit, e->gate[0] ? e->gate : "?", e->rpo, tcode, e->id);
			output_say(line);
			free(line);
			ret = 0;
		} else {
			line = no_wait ? xasprintf("build %s started (stage %s): follow it with `smartops builds %s`",
						   e->id, e->stage[0] ? e->stage : "not yet", tcode)
				       : xasprintf("build %s is still running (stage %s)", e->id,
						   e->stage[0] ? e->stage : "not yet");
			output_say(line);
			free(line);
			ret = 0;
		}
	}
	build_history_release(&h);
out:
	for (i = 0; i < n; i++)
		journal_release(&runs[i]);
	free(runs);
	cli_session_close(&s);
	return ret;
}

int builds_run_apply(const tenants_global *g, int argc, char **argv)
{
	char **av, tcode[TCODE_SIZE];
	const char *t;
	int ac = 0, i, ret, no_wait = 0, oc;

	if (argc < 2 || strcmp(argv[1], "build"))
		return provision_run_apply(g, argc, argv);
	/* --no-wait is the input wait=started */
	av = xcalloc((size_t)argc + 2, sizeof(*av));
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--no-wait")) {
			av[ac++] = (char *)"--wait";
			av[ac++] = (char *)"started";
			no_wait = 1;
		} else {
			av[ac++] = argv[i];
		}
	}
	t = opt_value(ac, av, "tcode");
	if (!t || tcode_parse(t, tcode, NULL, 0) < 0)
		tcode[0] = '\0';
	ret = provision_run_apply(g, ac, av);
	free(av);
	if (tcode[0] && (ret == 0 || ret == PROVISION_EXIT_STOPPED)) {
		oc = build_outcome(g, tcode, no_wait);
		if (oc == 1) /* the build failed (a stage, the quality gate): not a run to resume */
			ret = TENANTS_EXIT_ERROR;
	}
	return ret;
}

/* ---- builds T ---- */

static int newer(const void *a, const void *b)
{
	const build_entry *x = a, *y = b;
	int c = strcmp(y->started, x->started);

	return c ? c : (int)(strtoul(y->id, NULL, 10) - strtoul(x->id, NULL, 10));
}

static void cell_time(const char *rfc, char *buf, size_t size)
{
	util_strlcpy(buf, rfc && *rfc ? rfc : "-", size);
}

static void render_table(const build_entry *v, size_t n, strbuf *out)
{
	static const output_col cols[] = {
	    {"ID", 2, 1},    {"ENV", 3, 0},	  {"STATE", 6, 0},   {"STAGE", 5, 0}, {"GATE", 4, 0},
	    {"COMMIT", 12, 0}, {"REF", 6, 0},	  {"STARTED", 10, 0}, {"BY", 4, 0},
	    {"PROMOTED", 8, 0}, {"REASON", 10, 0},
	};
	output_table t;
	size_t i;

	output_table_init(&t, cols, ARRAY_SIZE(cols));
	for (i = 0; i < n; i++) {
		const build_entry *e = &v[i];
		char commit[13], started[40], promoted[16];
		const char *cells[ARRAY_SIZE(cols)];

		util_strlcpy(commit, e->commit, sizeof(commit));
		cell_time(e->started, started, sizeof(started));
		snprintf(promoted, sizeof(promoted), "%s%s%s", e->dev.at[0] ? "dev" : "",
			 e->dev.at[0] && e->prod.at[0] ? "," : "", e->prod.at[0] ? "prod" : "");
		cells[0] = e->id;
		cells[1] = e->env;
		cells[2] = e->state;
		cells[3] = e->stage[0] ? e->stage : "-";
		cells[4] = e->gate[0] ? e->gate : "-";
		cells[5] = commit[0] ? commit : "-";
		cells[6] = e->ref[0] ? e->ref : "-";
		cells[7] = started;
		cells[8] = e->by[0] ? e->by : "-";
		cells[9] = promoted[0] ? promoted : "-";
		cells[10] = !strcmp(e->state, "failed") && !strcmp(e->gate, "ERROR") ? e->conditions
												: e->reason;
		output_table_row(&t, cells);
	}
	output_table_render(&t, 0, out);
	output_table_release(&t);
}


/* One build: its entry as "key: value" lines. */
static void render_one(const build_entry *e, strbuf *out)
{
	const struct {
		const char *k, *v;
	} rows[] = {
	    {"build", e->id},	 {"env", e->env},	{"state", e->state},
	    {"stage", e->stage}, {"reason", e->reason}, {"quality gate", e->gate},
	    {"conditions", e->conditions}, {"repo", e->repo}, {"ref", e->ref},
	    {"commit", e->commit}, {"rpo", e->rpo},	{"started", e->started},
	    {"finished", e->finished}, {"by", e->by},	{"run", e->run},
	    {"promoted dev", e->dev.at}, {"promoted prod", e->prod.at},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if (!rows[i].v[0])
			continue;
		sb_addf(out, "%-14s ", rows[i].k);
		output_escape(out, rows[i].v);
		if ((rows[i].v == e->dev.at && e->dev.by[0]) || (rows[i].v == e->prod.at && e->prod.by[0])) {
			sb_adds(out, " by ");
			output_escape(out, rows[i].v == e->dev.at ? e->dev.by : e->prod.by);
		}
		sb_addc(out, '\n');
	}
}

static int print_line(void *ctx, const char *line, size_t len)
{
	strbuf sb;
	char *l = xstrndup(line, len);

	(void)ctx;
	sb_init(&sb, len + 8);
	output_escape(&sb, l);
	printf("%s\n", sb.buf);
	sb_release(&sb);
	free(l);
	return 0;
}

/* Each stage's log, in order, from the build's pod (while it exists). */
static int stage_logs(bsession *s, const char *ns, const build_entry *e)
{
	static const char *const stages[] = {"checkout", "sonarqube", "compile", "upload", "finish"};
	char job[64];
	cJSON *pod;
	k8s_err err;
	const char *pod_name;
	size_t i;

	snprintf(job, sizeof(job), BUILD_JOB_PREFIX "%s", e->id);
	pod = job_pod(s->client, ns, job, &err);
	if (!pod) {
		if (err.http && err.http != 404) {
			output_say(err.msg);
			return exit_for(&err);
		}
		fprintf(stderr, "smartops: build %s has no pod any more (its Job is gone after its TTL): no logs to show\n",
			e->id);
		return TENANTS_EXIT_ERROR;
	}
	pod_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "name"));
	for (i = 0; pod_name && i < ARRAY_SIZE(stages); i++) {
		k8s_log_opts lo = {.container = stages[i], .tail_lines = -1};

		printf("==> %s <==\n", stages[i]);
		fflush(stdout);
		if (k8s_pod_logs(s->client, ns, pod_name, &lo, print_line, NULL, NULL, &err) < 0)
			printf("(%s)\n", err.http == 400 ? "not started" : "no log");
	}
	cJSON_Delete(pod);
	return 0;
}

int builds_run_list(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"env", required_argument, NULL, 'e'},
	    {"logs", no_argument, NULL, 'l'},
	    {NULL, 0, NULL, 0},
	};
	static const tcode_env envs[] = {TCODE_ENV_DEV, TCODE_ENV_PROD};
	char tcode[TCODE_SIZE], err[200];
	const char *id = NULL;
	int json = 0, c, ret = 0, only = -1, logs = 0;
	build_entry *all = NULL;
	size_t n_all = 0, k, i;
	bsession s;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "table"))
				return output_usage_err("builds", "-o takes table or json");
			break;
		case 'e': {
			tcode_env te;

			if (tcode_env_parse(optarg, &te) < 0)
				return output_usage_err("builds", "--env takes dev or prod");
			only = (int)te;
			break;
		}
		case 'l':
			logs = 1;
			break;
		default:
			return output_usage_err("builds", "unknown option or missing value");
		}
	}
	if (optind >= argc)
		return output_usage_err("builds", "whose builds? give a TCODE, e.g. smartops builds T12345");
	if (tcode_parse(argv[optind], tcode, err, sizeof(err)) < 0)
		return output_usage_err("builds", err);
	if (optind + 1 < argc)
		id = argv[optind + 1];
	if (optind + 2 < argc)
		return output_usage_err("builds", "unexpected argument");
	if (logs && !id)
		return output_usage_err("builds", "--logs shows one build's stages: give its id, e.g. smartops builds T12345 7 --logs");
	if (logs && json)
		return output_usage_err("builds", "--logs is text: leave out -o json");
	ret = session_open(g, &s);
	if (ret)
		return ret;
	for (k = 0; k < ARRAY_SIZE(envs); k++) {
		char ns[TCODE_NS_SIZE];
		build_history h;
		k8s_err e;

		if (only >= 0 && (int)envs[k] != only)
			continue;
		tcode_namespace(tcode, envs[k], ns, sizeof(ns));
		if (build_history_sync(s.client, g->prefix, tcode, tcode_env_name(envs[k]), ns,
				       !g->readonly, &h, &e) < 0) {
			output_say(e.msg);
			ret = exit_for(&e);
			goto out;
		}
		all = xrealloc(all, (n_all + h.n + 1) * sizeof(*all));
		for (i = 0; i < h.n; i++) {
			all[n_all] = h.v[i];
			if (!all[n_all].env[0])
				util_strlcpy(all[n_all].env, tcode_env_name(envs[k]), sizeof(all[n_all].env));
			n_all++;
		}
		build_history_release(&h);
	}
	if (n_all)
		qsort(all, n_all, sizeof(*all), newer);
	if (id) { /* one build */
		build_entry *e = NULL;
		strbuf out;

		for (i = 0; i < n_all && !e; i++)
			if (!strcmp(all[i].id, id))
				e = &all[i];
		if (!e) {
			error("%s has no build %s (see smartops builds %s)", tcode, id, tcode);
			ret = TENANTS_EXIT_ERROR;
			goto out;
		}
		sb_init(&out, 1024);
		if (json) {
			cJSON *o = build_entry_json(e);
			char *text = cJSON_PrintUnformatted(o);

			sb_adds(&out, text);
			sb_addc(&out, '\n');
			cJSON_free(text);
			cJSON_Delete(o);
		} else {
			render_one(e, &out);
		}
		fwrite(out.buf, 1, out.len, stdout);
		sb_release(&out);
		if (logs) {
			char ns[TCODE_NS_SIZE];
			tcode_env te;

			fflush(stdout);
			if (tcode_env_parse(e->env, &te) == 0 &&
			    tcode_namespace(tcode, te, ns, sizeof(ns)) == 0)
				ret = stage_logs(&s, ns, e);
		}
		goto out;
	}
	{
		strbuf out;

		sb_init(&out, 4096);
		if (json) {
			cJSON *o = cJSON_CreateObject(), *items;
			char *text;

			cJSON_AddStringToObject(o, "kind", "BuildList");
			cJSON_AddStringToObject(o, "apiVersion", "smartops/v1");
			cJSON_AddStringToObject(o, "tcode", tcode);
			items = cJSON_AddArrayToObject(o, "items");
			for (i = 0; i < n_all; i++)
				cJSON_AddItemToArray(items, build_entry_json(&all[i]));
			text = cJSON_PrintUnformatted(o);
			sb_adds(&out, text);
			sb_addc(&out, '\n');
			cJSON_free(text);
			cJSON_Delete(o);
		} else if (n_all) {
			render_table(all, n_all, &out);
		} else {
			fprintf(stderr, "smartops: no custom builds recorded for %s\n", tcode);
		}
		fwrite(out.buf, 1, out.len, stdout);
		sb_release(&out);
	}
out:
	free(all);
	cli_session_close(&s);
	return ret;
}

/* ---- promote ---- */

/* Records (or clears) the promotion of build id to env in the history that
 * holds the build, at the cluster's clock (read from its answers), not this
 * machine's; a history that cannot be written is said, the run stands. */
static void record_promotion(bsession *s, const tenants_global *g, const char *tcode, const char *id,
			     const char *env, int clear)
{
	char at[32];
	k8s_err e;

	util_rfc3339(k8s_client_server_now(s->client), at, sizeof(at));
	if (build_promotion_record(s->client, g->prefix, tcode, id, env, s->user, at, clear, &e) < 0) {
		char *line = xasprintf("the promotion is made, but the build history could not record it: %s", e.msg);

		output_say(line);
		free(line);
	}
}

int builds_run_promote(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"env", required_argument, NULL, 'e'},   {"yes", no_argument, NULL, 'y'},
	    {"previous", no_argument, NULL, 'p'},    {"timeout", required_argument, NULL, 'T'},
	    {"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0},
	};
	char tcode[TCODE_SIZE], err[200], run[JOURNAL_RUN_SIZE], build[BUILD_ID_SIZE];
	const char *env = NULL, *id = NULL, *timeout = NULL, *out = NULL;
	int yes = 0, previous = 0, c, ret;
	tcode_env te;
	bsession s;
	k8s_err kerr;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "yo:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			if (tcode_env_parse(optarg, &te) < 0)
				return output_usage_err("promote", "--env takes dev or prod");
			env = tcode_env_name(te);
			break;
		case 'y':
			yes = 1;
			break;
		case 'p':
			previous = 1;
			break;
		case 'T':
			timeout = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return output_usage_err("promote", "unknown option or missing value");
		}
	}
	if (optind >= argc)
		return output_usage_err("promote", "whose build? smartops promote T12345 BUILD --env dev");
	if (tcode_parse(argv[optind++], tcode, err, sizeof(err)) < 0)
		return output_usage_err("promote", err);
	if (optind < argc)
		id = argv[optind++];
	if (optind < argc)
		return output_usage_err("promote", "unexpected argument");
	if (!env)
		return output_usage_err("promote", "--env dev or --env prod is required (dev first)");
	if (previous && id)
		return output_usage_err("promote", "--previous goes back to the RPO before the last promotion: give no BUILD");
	if (!previous && !id)
		return output_usage_err("promote", "which build? give its id (see smartops builds T), or --previous");
	if (!previous) {
		const char *av[16];
		int ac = 0;

		av[ac++] = "apply";
		av[ac++] = "promote";
		av[ac++] = "--tcode";
		av[ac++] = tcode;
		av[ac++] = "--build";
		av[ac++] = id;
		av[ac++] = "--env";
		av[ac++] = env;
		if (yes)
			av[ac++] = "--yes";
		if (timeout) {
			av[ac++] = "--timeout";
			av[ac++] = timeout;
		}
		if (out) {
			av[ac++] = "-o";
			av[ac++] = out;
		}
		av[ac] = NULL;
		ret = provision_run_apply(g, ac, (char **)av);
		if (ret == 0 && !session_open(g, &s)) {
			record_promotion(&s, g, tcode, id, env, 0);
			cli_session_close(&s);
		}
		return ret;
	}
	if (g->readonly) {
		error("read-only session: started with --readonly; nothing was changed");
		return PROVISION_EXIT_REFUSED;
	}
	ret = session_open(g, &s);
	if (ret)
		return ret;
	c = build_promotion_last(s.client, g->prefix, tcode, env, run, sizeof(run), build, sizeof(build), &kerr);
	cli_session_close(&s);
	if (c < 0) {
		output_say(kerr.msg);
		return TENANTS_EXIT_UNREACHABLE;
	}
	if (c == 0) {
		error("%s has no promotion to %s to go back from: nothing was changed", tcode, env);
		return TENANTS_EXIT_ERROR;
	}
	fprintf(stderr, "smartops: going back from build %s in %s: rolling back promotion run %s\n",
		build[0] ? build : "?", env, run);
	{
		const char *av[6];
		int ac = 0;

		av[ac++] = "runs";
		av[ac++] = "rollback";
		av[ac++] = run;
		if (yes)
			av[ac++] = "--yes";
		av[ac] = NULL;
		ret = provision_run_runs(g, ac, (char **)av);
	}
	if (ret == 0 && build[0] && !session_open(g, &s)) {
		record_promotion(&s, g, tcode, build, env, 1);
		cli_session_close(&s);
	}
	return ret;
}
