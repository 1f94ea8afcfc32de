/* Headless provisioning: plan, apply, runs (see cli/provision.h). */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/clusters.h"
#include "cli/output.h"
#include "cli/provision.h"
#include "cli/session.h"
#include "core/catalog.h"
#include "core/engine.h"
#include "core/journal.h"
#include "core/provision_ns.h"
#include "core/rules_fetch.h"
#include "core/tcode.h"
#include "core/wizard.h"
#include "core/wizard_ns.h"
#include "util/util.h"

typedef cli_session session;

static int exit_for(const k8s_err *e)
{
	return e->unreachable || e->http == 0 ? TENANTS_EXIT_UNREACHABLE : TENANTS_EXIT_ERROR;
}

/* The predecessor rules from the cluster, or the defaults. */
/* Exit code and message for a wizard's build that failed. */
static int build_failed(wizard_fail fail, const char *err, const k8s_err *kerr)
{
	if (fail == WIZARD_FAIL_CLUSTER) {
		output_say(kerr->msg);
		return exit_for(kerr);
	}
	output_say(err);
	return TENANTS_EXIT_ERROR;
}

static wizard_ctx ctx_of(const session *s, const tenants_global *g)
{
	return (wizard_ctx){.client = s->client, .catalog_url = s->catalog_url, .prefix = g->prefix};
}

/* The arguments of plan and apply: the wizard named, and its inputs as given. */
typedef struct ns_args {
	int json, yes, timeout_s, dry_run;
	const wizard *wz;	     /* the wizard named */
	plan_input in[PLAN_MAX_INPUTS]; /* its inputs given on the command line */
	size_t n_in;
} ns_args;

/* Builds the plan with the wizard's one builder (the console calls the same):
 * every refusal before a change. */
static int build_plan(session *s, const tenants_global *g, ns_args *a, plan *p)
{
	wizard_ctx c = ctx_of(s, g);
	char err[512], note[200] = "";
	wizard_fail fail;
	k8s_err kerr;

	if (!s->catalog_url[0]) {
		error("no contract catalogue: the kubeconfig has no %s extension; give --catalog URL",
		      CATALOG_EXTENSION);
		return TENANTS_EXIT_ERROR;
	}
	if (a->wz->build(&c, a->in, a->n_in, p, err, sizeof(err), &fail, &kerr, note,
			 sizeof(note)) < 0)
		return build_failed(fail, err, &kerr);
	if (note[0])
		output_say(note);
	return 0;
}

/* The options every wizard's plan and apply take; a wizard's inputs are
 * options too, numbered from OPT_INPUT. */
enum { OPT_TIMEOUT = 256, OPT_DRY_RUN, OPT_INPUT = 512 };

static const struct option common_longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"yes", no_argument, NULL, 'y'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
};

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Whether value is one of the comma-separated choices. */
static int one_of(const char *choices, const char *value)
{
	size_t len = strlen(value);

	while (*choices) {
		size_t n = strcspn(choices, ",");

		if (n == len && !strncmp(choices, value, n))
			return 1;
		choices += n + (choices[n] == ',');
	}
	return 0;
}

/* "prod, dev" -> "prod or dev" */
static void choices_words(const char *choices, char *buf, size_t size)
{
	size_t n = 0, len = 0, k = 0;
	const char *p;

	for (p = choices; *p; p++)
		n += *p == ',';
	buf[0] = '\0';
	while (*choices && len < size) {
		size_t w = strcspn(choices, ",");

		len += (size_t)snprintf(buf + len, size - len, "%s%.*s", !k ? "" : k == n ? " or " : ", ",
					(int)w, choices);
		choices += w + (choices[w] == ',');
		k++;
	}
}

/* An option the wizard does not take: whose is it? */
static int unknown_option(const char *cmd, const ns_args *a, const char *arg)
{
	char name[64], msg[200];
	size_t i;

	if (!arg || strncmp(arg, "--", 2))
		return output_usage_err(cmd, "unknown option or missing value");
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	if (wizard_input_by_flag(a->wz, name) || !strcmp(name, "output") || !strcmp(name, "timeout")) {
		snprintf(msg, sizeof(msg), "--%s needs a value", name);
		return output_usage_err(cmd, msg);
	}
	for (i = 0; i < wizard_count(); i++) {
		const wizard *w = wizard_at(i);

		if (w != a->wz && wizard_input_by_flag(w, name) && !wizard_input_by_flag(a->wz, name)) {
			snprintf(msg, sizeof(msg), "--%s belongs to the %s wizard", name, w->name);
			return output_usage_err(cmd, msg);
		}
	}
	snprintf(msg, sizeof(msg), "%s: not an option of the %s wizard, or its value is missing", arg,
		 a->wz->name);
	return output_usage_err(cmd, msg);
}

/* One input given: checked as far as the command line can (the TCODE's form,
 * a choice among the input's values, its length), then kept. */
static int take_input(const char *cmd, ns_args *a, const wizard_input *in, const char *value)
{
	const char *flag = wizard_input_flag(in);
	char msg[300], tcode[TCODE_SIZE], words[160];
	size_t i;

	if (in->flags & WIZARD_INPUT_SECRET) { /* argv is visible to every user of the machine */
		snprintf(msg, sizeof(msg),
			 "--%s: a password is never taken from the command line; type it in the console's %s wizard, "
			 "or leave it out and put it later with smartops db set-password --tcode T --env E",
			 flag, a->wz->name);
		return output_usage_err(cmd, msg);
	}
	if (!strcmp(in->key, "tcode")) {
		if (tcode_parse(value, tcode, msg, sizeof(msg)) < 0)
			return output_usage_err(cmd, msg);
		value = tcode;
	} else if (in->choices && !one_of(in->choices, value)) {
		choices_words(in->choices, words, sizeof(words));
		snprintf(msg, sizeof(msg), "--%s takes %s", flag, words);
		return output_usage_err(cmd, msg);
	}
	if (strlen(value) >= sizeof(a->in[0].value)) {
		snprintf(msg, sizeof(msg), "--%s: the value is too long", flag);
		return output_usage_err(cmd, msg);
	}
	for (i = 0; i < a->n_in && strcmp(a->in[i].key, in->key); i++)
		;
	if (i == a->n_in) /* a repeated option: the last one counts */
		a->n_in++;
	util_strlcpy(a->in[i].key, in->key, sizeof(a->in[i].key));
	util_strlcpy(a->in[i].value, value, sizeof(a->in[i].value));
	return 0;
}

static int parse_ns_args(const char *cmd, const tenants_global *g, int argc, char **argv,
			 ns_args *a)
{
	struct option longopts[ARRAY_SIZE(common_longopts) + PLAN_MAX_INPUTS + 1];
	size_t i, n = 0;
	int c, ret;

	(void)g;
	memset(a, 0, sizeof(*a));
	if (argc < 2 || !wizard_find(argv[1])) {
		char names[200], msg[300];

		wizard_names(names, sizeof(names));
		snprintf(msg, sizeof(msg), "what to provision? the wizards are: %s", names);
		return output_usage_err(cmd, msg);
	}
	a->wz = wizard_find(argv[1]);
	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < ARRAY_SIZE(common_longopts); i++)
		longopts[n++] = common_longopts[i];
	for (i = 0; i < a->wz->n_inputs && i < PLAN_MAX_INPUTS; i++)
		longopts[n++] = (struct option){wizard_input_flag(&a->wz->inputs[i]), required_argument,
						NULL, OPT_INPUT + (int)i};
	optind = 1; /* argv[1] is the wizard */
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "o:y", longopts, NULL)) != -1) {
		if (c >= OPT_INPUT) {
			ret = take_input(cmd, a, &a->wz->inputs[c - OPT_INPUT], optarg);
			if (ret)
				return ret;
			continue;
		}
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				a->json = 1;
			else if (strcmp(optarg, "table"))
				return output_usage_err(cmd, "-o takes table or json");
			break;
		case 'y':
			a->yes = 1;
			break;
		case OPT_TIMEOUT:
			if (parse_int(optarg, 1, 86400, &a->timeout_s) < 0)
				return output_usage_err(cmd, "--timeout takes seconds, e.g. 300");
			break;
		case OPT_DRY_RUN:
			if (strcmp(cmd, "plan"))
				return output_usage_err(cmd, "--dry-run belongs to smartops plan");
			a->dry_run = 1;
			break;
		default:
			return unknown_option(cmd, a, argv[optind]);
		}
	}
	if (optind < argc - 1)
		return output_usage_err(cmd, "unexpected argument");
	for (i = 0; i < a->wz->n_inputs; i++) {
		const wizard_input *in = &a->wz->inputs[i];
		size_t k;

		for (k = 0; k < a->n_in && strcmp(a->in[k].key, in->key); k++)
			;
		if (!in->def && k == a->n_in) {
			char msg[200];

			snprintf(msg, sizeof(msg), "--%s %s is required", wizard_input_flag(in),
				 !strcmp(in->key, "tcode") ? "T12345" : "VALUE");
			return output_usage_err(cmd, msg);
		}
	}
	return 0;
}

/* Appends word to buf at *len, breaking the line before it would pass 90
 * columns (continuation lines start at column 11, as the usage's). */
static void add_word(char *buf, size_t size, size_t *len, size_t *col, const char *word)
{
	size_t w = strlen(word);

	if (*len >= size)
		return;
	if (*col + w > 90 && *col > 11) {
		*len += (size_t)snprintf(buf + *len, size - *len, "\n          ");
		*col = 10;
	}
	if (*len < size)
		*len += (size_t)snprintf(buf + *len, size - *len, "%s", word);
	*col += w;
}

void provision_wizard_usage(const char *extra, char *buf, size_t size)
{
	size_t i, k, m, len = 0, col = 11;
	char word[160], meta[64];

	buf[0] = '\0';
	for (i = 0; i < wizard_count(); i++) {
		const wizard *w = wizard_at(i);

		if (i) {
			add_word(buf, size, &len, &col, "\n           | ");
			col = 13;
		}
		add_word(buf, size, &len, &col, w->name);
		for (k = 0; k < w->n_inputs; k++) {
			const wizard_input *in = &w->inputs[k];
			const char *flag = wizard_input_flag(in);

			if (in->flags & WIZARD_INPUT_SECRET) /* the console's only */
				continue;

			if (in->choices) { /* "prod,dev" -> "prod|dev" */
				util_strlcpy(meta, in->choices, sizeof(meta));
				for (m = 0; meta[m]; m++)
					meta[m] = meta[m] == ',' ? '|' : meta[m];
			} else if (!strcmp(in->key, "tcode")) {
				util_strlcpy(meta, "T", sizeof(meta));
			} else { /* "idle-timeout" -> "IDLE_TIMEOUT" */
				for (m = 0; flag[m] && m < sizeof(meta) - 1; m++)
					meta[m] = flag[m] == '-' ? '_' : (char)toupper((unsigned char)flag[m]);
				meta[m] = '\0';
			}
			snprintf(word, sizeof(word), in->def ? " [--%s %s]" : " --%s %s", flag, meta);
			add_word(buf, size, &len, &col, word);
		}
	}
	if (extra && len < size)
		snprintf(buf + len, size - len, "\n           %s", extra);
}

void provision_wizard_about(const char *first, char *buf, size_t size)
{
	size_t i, len;

	len = (size_t)snprintf(buf, size, "%s", first);
	for (i = 0; i < wizard_count() && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "\n           %s: %s", wizard_at(i)->name,
					wizard_at(i)->about);
}

static void render_plan_table(const plan *p, strbuf *out)
{
	static const output_col cols[] = {
	    {"#", 2, 1}, {"STEP", 20, 0}, {"WAIT", 6, 0}, {"NEEDS", 5, 0}, {"DIFF", 9, 0}, {"REASON", 10, 0},
	};
	output_table t;
	size_t i, k;

	output_table_init(&t, cols, ARRAY_SIZE(cols));
	for (i = 0; i < p->n; i++) {
		const plan_step *s = &p->steps[i];
		char idx[24], needs[64] = "";
		const char *cells[6];

		snprintf(idx, sizeof(idx), "%zu", i);
		for (k = 0; k < s->n_needs; k++) {
			size_t len = strlen(needs);

			snprintf(needs + len, sizeof(needs) - len, "%s%zu", k ? "," : "", s->needs[k]);
		}
		cells[0] = idx;
		cells[1] = s->id;
		cells[2] = plan_wait_name(s->wait);
		cells[3] = needs;
		cells[4] = plan_diff_name(s->diff);
		cells[5] = s->reason;
		output_table_row(&t, cells);
	}
	output_table_render(&t, 0, out);
	output_table_release(&t);
}

static size_t count_diff(const plan *p, plan_diff d)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->steps[i].diff == d;
	return n;
}

int provision_run_plan(const tenants_global *g, int argc, char **argv)
{
	ns_args a;
	session s;
	plan p = {0};
	strbuf out;
	k8s_err kerr;
	int ret;

	ret = parse_ns_args("plan", g, argc, argv, &a);
	if (ret)
		return ret;
	ret = cli_session_open(g, "plan", "provisioning works on one cluster: give one --context", &s);
	if (ret)
		return ret;
	ret = build_plan(&s, g, &a, &p);
	if (ret)
		goto out;
	if (a.dry_run) {
		strbuf why;

		sb_init(&why, 256);
		if (engine_preflight(s.client, g->prefix, s.user, &p, &why) < 0) {
			output_say(why.buf);
			fprintf(stderr, "smartops: an apply of this plan would be refused\n");
			ret = TENANTS_EXIT_ERROR;
		} else {
			fprintf(stderr, "smartops: access and the server's dry run accept this plan\n");
		}
		sb_release(&why);
	} else if (plan_diff_cluster(&p, s.client, g->prefix ? g->prefix : "", &kerr) < 0) {
		output_say(kerr.msg);
		ret = exit_for(&kerr);
		goto out;
	}
	sb_init(&out, 1 << 16);
	if (a.json) {
		plan_to_json(&p, 1, 1, &out);
	} else {
		sb_addf(&out, "plan %s for %s: %zu steps (%zu create, %zu change, %zu unchanged, %zu refused)\n",
			p.wizard, p.tcode, p.n, count_diff(&p, PLAN_DIFF_CREATE), count_diff(&p, PLAN_DIFF_CHANGE),
			count_diff(&p, PLAN_DIFF_UNCHANGED),
			count_diff(&p, PLAN_DIFF_CONFLICT) + count_diff(&p, PLAN_DIFF_TERMINATING));
		render_plan_table(&p, &out);
	}
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	if (!a.dry_run && count_diff(&p, PLAN_DIFF_CONFLICT) + count_diff(&p, PLAN_DIFF_TERMINATING)) {
		size_t i, shown = 0, bad = 0;

		for (i = 0; i < p.n; i++)
			if (p.steps[i].diff == PLAN_DIFF_CONFLICT ||
			    p.steps[i].diff == PLAN_DIFF_TERMINATING) {
				bad++;
				if (shown++ < 5)
					output_say(p.steps[i].reason);
			}
		if (bad > 5)
			fprintf(stderr, "smartops: ... and %zu more\n", bad - 5);
		fprintf(stderr, "smartops: this plan cannot be applied: objects above are not ours\n");
		ret = TENANTS_EXIT_ERROR;
	}
out:
	plan_release(&p);
	cli_session_close(&s);
	return ret;
}

/* ---- running the engine ---------------------------------------------------------- */

typedef struct progress_ctx {
	char last_wait[200];
	size_t last_step;
	int last_phase;
} progress_ctx;

/* Runs on the engine's thread: short writes to stderr only. */
static void on_progress(void *vctx, const engine_progress *p)
{
	progress_ctx *pc = vctx;
	strbuf sb;

	sb_init(&sb, 256);
	if (p->phase != (engine_phase)pc->last_phase && p->phase != ENGINE_APPLY &&
	    p->phase != ENGINE_WAIT && p->phase != ENGINE_FINISHED) {
		fprintf(stderr, "smartops: %s ...\n", engine_phase_name(p->phase));
	}
	pc->last_phase = (int)p->phase;
	if (p->waiting_for[0]) {
		/* one line per thing waited for, not per poll */
		size_t n = strcspn(p->waiting_for, "(");

		if (strncmp(pc->last_wait, p->waiting_for, n)) {
			output_escape(&sb, p->waiting_for);
			fprintf(stderr, "smartops: waiting for %s\n", sb.buf);
			util_strlcpy(pc->last_wait, p->waiting_for, sizeof(pc->last_wait));
		}
	} else if (p->step_id[0] && (p->phase == ENGINE_APPLY || p->phase == ENGINE_ROLLBACK) &&
		   p->step_started_ms && (p->step != pc->last_step || pc->last_wait[0] == 1)) {
		output_escape(&sb, p->step_id);
		fprintf(stderr, "smartops: [%zu/%zu] %-9s %s (%.1f s)\n", p->step + 1, p->n_steps,
			p->action, sb.buf, (double)(util_mono_ms() - p->run_started_ms) / 1000.0);
		pc->last_step = p->step;
	}
	sb_release(&sb);
}

/* Test hooks: stop dead at a step boundary (SMARTOPS_TEST_KILL_AFTER=K) or
 * between a step's intent and its change (SMARTOPS_TEST_KILL_AT_INTENT=K). */
static int test_hook(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : -1;
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (!stop_requested)
		stop_requested = 1;
}

/* What to do next with a run that stopped, in this command's words. */
static void say_next(unsigned next, const char *run)
{
	char line[256];

	if (!run[0])
		return;
	if ((next & ENGINE_NEXT_RESUME) && (next & ENGINE_NEXT_ROLLBACK))
		snprintf(line, sizeof(line),
			 "the journal is kept: `smartops runs resume %s` re-observes and continues, `smartops runs rollback %s` undoes",
			 run, run);
	else if (next & ENGINE_NEXT_ROLLBACK)
		snprintf(line, sizeof(line), "undo what this run created with `smartops runs rollback %s`",
			 run);
	else if (next & ENGINE_NEXT_ROLLBACK_AGAIN)
		snprintf(line, sizeof(line), "run `smartops runs rollback %s` again to finish", run);
	else
		return;
	output_say(line);
}

static int run_engine(session *s, const tenants_global *g, int timeout_s, int mode, plan *p,
		      journal *j, const char *confirm_tcode)
{
	progress_ctx pc = {.last_step = (size_t)-1, .last_phase = -1};
	engine_opts eo = {.client = s->client,
			  .prefix = g->prefix,
			  .user = s->user,
			  .wait_timeout_s = timeout_s,
			  .readonly = g->readonly,
			  .on_progress = on_progress,
			  .ctx = &pc,
			  .confirm_tcode = confirm_tcode,
			  .lease_duration_s = test_hook("SMARTOPS_LEASE_SECONDS"),
			  .kill_after = test_hook("SMARTOPS_TEST_KILL_AFTER"),
			  .kill_at_intent = test_hook("SMARTOPS_TEST_KILL_AT_INTENT"),
			  .journal_max = test_hook("SMARTOPS_TEST_JOURNAL_MAX") > 0
					     ? (size_t)test_hook("SMARTOPS_TEST_JOURNAL_MAX")
					     : 0};
	engine *e = engine_new(&eo);
	engine_progress pr;
	engine_result r;
	engine_status rc;

	if (mode == 0)
		rc = engine_start_apply(e, p);
	else if (mode == 1)
		rc = engine_start_resume(e, p, j);
	else
		rc = engine_start_rollback(e, j);
	if (rc == ENGINE_ST_READONLY) {
		engine_free(e);
		error("read-only session: started with --readonly; nothing was changed");
		return PROVISION_EXIT_REFUSED;
	}
	if (rc == ENGINE_ST_OK) {
		/* Ctrl-C or a hang-up pauses at the next step boundary: the run stays resumable */
		struct sigaction sa, old_int, old_term, old_hup;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_stop_signal;
		sigemptyset(&sa.sa_mask);
		stop_requested = 0;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		sigaction(SIGHUP, &sa, &old_hup);
		for (;;) {
			engine_snapshot(e, &pr);
			if (pr.finished)
				break;
			if (stop_requested == 1) {
				fprintf(stderr, "smartops: stopping at the next step boundary ...\n");
				engine_cancel(e);
				stop_requested = 2;
			}
			usleep(50000);
		}
		r = engine_wait(e);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
	} else {
		r = ENGINE_REFUSED;
	}
	engine_snapshot(e, &pr);
	output_say(pr.message);
	say_next(pr.next, pr.run);
	if (pr.run[0] && r != ENGINE_REFUSED && r != ENGINE_DENIED)
		printf("%s\n", pr.run);
	engine_free(e);
	switch (r) {
	case ENGINE_OK:
		return 0;
	case ENGINE_REFUSED:
		return TENANTS_EXIT_ERROR;
	case ENGINE_DENIED:
		return PROVISION_EXIT_REFUSED;
	default:
		return PROVISION_EXIT_STOPPED;
	}
}

int provision_run_apply(const tenants_global *g, int argc, char **argv)
{
	ns_args a;
	session s;
	plan p = {0};
	char what[256];
	int ret;

	ret = parse_ns_args("apply", g, argc, argv, &a);
	if (ret)
		return ret;
	ret = cli_session_open(g, "apply", "provisioning works on one cluster: give one --context", &s);
	if (ret)
		return ret;
	ret = build_plan(&s, g, &a, &p);
	if (ret)
		goto out;
	snprintf(what, sizeof(what), "apply %zu steps for %s in context %s", p.n, p.tcode,
		 s.context);
	if (!output_confirm(what, a.yes)) {
		ret = TENANTS_EXIT_ERROR;
		goto out;
	}
	ret = run_engine(&s, g, a.timeout_s, 0, &p, NULL, NULL);
out:
	plan_release(&p);
	cli_session_close(&s);
	return ret;
}

/* ---- runs -------------------------------------------------------------------------- */

/* cluster: the context the run was read from, when the listing spans several (else NULL) */
static void run_json(const journal *j, int steps, const char *cluster, strbuf *out)
{
	strbuf tmp;
	cJSON *o;

	sb_init(&tmp, 1024);
	journal_encode(j, &tmp);
	o = cJSON_Parse(tmp.buf);
	if (!steps)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "steps");
	if (cluster)
		cJSON_AddStringToObject(o, "cluster", cluster);
	{
		char *text = cJSON_PrintUnformatted(o);

		sb_adds(out, text);
		cJSON_free(text);
	}
	cJSON_Delete(o);
	sb_release(&tmp);
}

static void time_cell(int64_t t, char *buf, size_t size)
{
	if (t)
		util_rfc3339(t, buf, size);
	else
		util_strlcpy(buf, "-", size);
}

static int runs_show(session *s, const char *id, int json)
{
	journal j;
	k8s_err e;
	strbuf out;
	size_t i;

	if (journal_load(s->client, id, &j, &e) < 0) {
		if (e.http == 404)
			error("no run %s in namespace %s", id, JOURNAL_NAMESPACE);
		else
			output_say(e.msg);
		return e.http == 404 ? TENANTS_EXIT_ERROR : exit_for(&e);
	}
	sb_init(&out, 8192);
	if (json) {
		run_json(&j, 1, NULL, &out);
		sb_addc(&out, '\n');
	} else {
		static const output_col cols[] = {
		    {"#", 2, 1}, {"STEP", 20, 0}, {"STATE", 8, 0}, {"CREATED", 3, 0}, {"FINISHED", 8, 0}, {"MESSAGE", 10, 0},
		};
		output_table t;
		char buf[40];

		sb_adds(&out, "run:       ");
		output_escape(&out, j.run);
		sb_adds(&out, "\ntenant:    ");
		output_escape(&out, j.tcode);
		sb_adds(&out, "\nwizard:    ");
		output_escape(&out, j.wizard);
		sb_addf(&out, "\nstate:     %s\noperator:  ", run_state_name(j.state));
		output_escape(&out, j.operator_id);
		time_cell(j.created, buf, sizeof(buf));
		sb_addf(&out, "\nstarted:   %s", buf);
		time_cell(j.updated, buf, sizeof(buf));
		sb_addf(&out, "\nupdated:   %s\n", buf);
		for (i = 0; i < j.n_inputs; i++) {
			sb_adds(&out, "input:     ");
			output_escape(&out, j.inputs[i].key);
			sb_adds(&out, "=");
			output_escape(&out, j.inputs[i].value);
			sb_addc(&out, '\n');
		}
		for (i = 0; i < j.n_notes; i++) {
			sb_adds(&out, "note:      ");
			output_escape(&out, j.notes[i]);
			sb_addc(&out, '\n');
		}
		if (j.message[0]) {
			const char *m = j.message;

			sb_adds(&out, "message:   ");
			while (*m) {
				size_t len = strcspn(m, "\n");
				char *line = xstrndup(m, len);

				output_escape(&out, line);
				free(line);
				sb_addc(&out, '\n');
				m += len + (m[len] == '\n');
				if (*m)
					sb_adds(&out, "           ");
			}
		}
		output_table_init(&t, cols, ARRAY_SIZE(cols));
		for (i = 0; i < j.n_steps; i++) {
			const journal_step *st = &j.steps[i];
			char idx[24], fin[40];
			const char *cells[6];

			snprintf(idx, sizeof(idx), "%zu", i);
			time_cell(st->finished, fin, sizeof(fin));
			cells[0] = idx;
			cells[1] = st->id;
			cells[2] = step_state_name(st->state);
			cells[3] = st->created ? "yes" : "no";
			cells[4] = fin;
			cells[5] = st->message;
			output_table_row(&t, cells);
		}
		output_table_render(&t, 0, &out);
		output_table_release(&t);
	}
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	journal_release(&j);
	return 0;
}

/* Where runs are listed from: one context, or several (then each run names its cluster). */
typedef struct run_source {
	k8s_client *client;   /* NULL: no client could be made, why says why */
	const char *cluster, *why;
	journal *items;
	size_t n;
} run_source;

/* The runs of every source, newest first within each. A source that cannot be read is said
 * on stderr and the others still listed; with none read, the exit code of the last failure. */
static int runs_list(run_source *src, size_t n_src, int multi, const char *tcode, const char *prefix,
		     int json)
{
	size_t i, k, total = 0, read = 0;
	k8s_err e;
	strbuf out;
	int fail = 0;

	for (k = 0; k < n_src; k++) {
		if (!src[k].client) {
			char *msg = xasprintf("cluster %s: %s", src[k].cluster, src[k].why ? src[k].why : "no client");

			output_say(msg);
			free(msg);
			fail = TENANTS_EXIT_ERROR;
			continue;
		}
		if (journal_list(src[k].client, tcode, prefix, &src[k].items, &src[k].n, &e) < 0) {
			char *msg = multi ? xasprintf("cluster %s: %s", src[k].cluster, e.msg) : xstrdup(e.msg);

			output_say(msg);
			free(msg);
			fail = exit_for(&e);
			continue;
		}
		read++;
		total += src[k].n;
	}
	if (!read)
		return fail ? fail : TENANTS_EXIT_UNREACHABLE;
	sb_init(&out, 4096);
	if (json) {
		int first = 1;

		sb_adds(&out, "{\"kind\":\"RunList\",\"apiVersion\":\"smartops/v1\",\"items\":[");
		for (k = 0; k < n_src; k++)
			for (i = 0; i < src[k].n; i++) {
				if (!first)
					sb_addc(&out, ',');
				first = 0;
				run_json(&src[k].items[i], 0, multi ? src[k].cluster : NULL, &out);
			}
		sb_adds(&out, "]}\n");
	} else {
		static const output_col cols[] = {
		    {"RUN", 10, 0}, {"TCODE", 6, 0}, {"CLUSTER", 7, 0}, {"WIZARD", 6, 0}, {"STATE", 7, 0}, {"STEPS", 5, 1}, {"OPERATOR", 8, 0}, {"UPDATED", 10, 0},
		};
		output_col shown[ARRAY_SIZE(cols)];
		size_t n_cols = 0;
		output_table t;

		for (i = 0; i < ARRAY_SIZE(cols); i++)
			if (multi || strcmp(cols[i].header, "CLUSTER"))
				shown[n_cols++] = cols[i];
		output_table_init(&t, shown, n_cols);
		for (k = 0; k < n_src; k++)
			for (i = 0; i < src[k].n; i++) {
				const journal *j = &src[k].items[i];
				char steps[32], upd[40];
				const char *cells[8];
				size_t c = 0;

				snprintf(steps, sizeof(steps), "%zu/%zu", journal_steps_settled(j), j->n_steps);
				time_cell(j->updated, upd, sizeof(upd));
				cells[c++] = j->run;
				cells[c++] = j->tcode;
				if (multi)
					cells[c++] = src[k].cluster;
				cells[c++] = j->wizard;
				cells[c++] = run_state_name(j->state);
				cells[c++] = steps;
				cells[c++] = j->operator_id;
				cells[c++] = upd;
				output_table_row(&t, cells);
			}
		if (total)
			output_table_render(&t, 0, &out);
		else
			fprintf(stderr, "smartops: no runs recorded\n");
		output_table_release(&t);
	}
	fwrite(out.buf, 1, out.len, stdout);
	sb_release(&out);
	for (k = 0; k < n_src; k++) {
		for (i = 0; i < src[k].n; i++)
			journal_release(&src[k].items[i]);
		free(src[k].items);
	}
	return 0;
}

/* smartops --context a,b runs (or --all-contexts): the list spans the contexts; acting on a
 * run (show, resume, rollback) stays on one cluster. */
static int runs_list_contexts(const tenants_global *g, const char *tcode, int json)
{
	cli_clusters cs;
	run_source *src;
	int ret;

	if (cli_clusters_open(g, &cs) < 0)
		return TENANTS_EXIT_ERROR;
	src = xcalloc(cs.n + 1, sizeof(*src));
	for (size_t k = 0; k < cs.n; k++) {
		src[k].client = cs.clients[k];
		src[k].cluster = cs.names[k];
		src[k].why = cs.whys[k];
	}
	ret = runs_list(src, cs.n, 1, tcode, g->prefix, json);
	free(src);
	cli_clusters_release(&cs);
	return ret;
}

static int runs_resume(session *s, const tenants_global *g, const char *id, int yes, int timeout_s)
{
	const wizard *wz;
	wizard_ctx c;
	wizard_fail fail;
	journal j;
	plan p = {0};
	k8s_err e;
	char what[128], err[512], note[200];
	int ret;

	if (journal_load(s->client, id, &j, &e) < 0) {
		if (e.http == 404)
			error("no run %s in namespace %s", id, JOURNAL_NAMESPACE);
		else
			output_say(e.msg);
		return e.http == 404 ? TENANTS_EXIT_ERROR : exit_for(&e);
	}
	if (j.state == RUN_ROLLED_BACK || j.state == RUN_ROLLING_BACK) {
		error("run %s was rolled back%s: start a new apply instead", id,
		      j.state == RUN_ROLLING_BACK ? " in part" : "");
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	wz = wizard_find(j.wizard);
	if (!wz) {
		error("run %s is of wizard \"%s\", which this version cannot resume", id, j.wizard);
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	if (!s->catalog_url[0]) {
		error("no contract catalogue: the kubeconfig has no %s extension; give --catalog URL",
		      CATALOG_EXTENSION);
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	/* the plan rebuilt from the journal's inputs by the wizard's own builder */
	c = ctx_of(s, g);
	if (wz->build(&c, j.inputs, j.n_inputs, &p, err, sizeof(err), &fail, &e, note,
		      sizeof(note)) < 0) {
		journal_release(&j);
		return build_failed(fail, err, &e);
	}
	if (note[0])
		output_say(note);
	snprintf(what, sizeof(what), "resume run %s (%s, %s)", id, j.tcode, run_state_name(j.state));
	if (!output_confirm(what, yes)) {
		plan_release(&p);
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	ret = run_engine(s, g, timeout_s, 1, &p, &j, NULL);
	plan_release(&p);
	journal_release(&j);
	return ret;
}

static int runs_rollback(session *s, const tenants_global *g, const char *id, int yes,
			 const char *confirm_tcode)
{
	journal j;
	k8s_err e;
	char what[160];
	int ret;

	if (journal_load(s->client, id, &j, &e) < 0) {
		if (e.http == 404)
			error("no run %s in namespace %s", id, JOURNAL_NAMESPACE);
		else
			output_say(e.msg);
		return e.http == 404 ? TENANTS_EXIT_ERROR : exit_for(&e);
	}
	snprintf(what, sizeof(what),
		 "undo run %s for %s (delete what it created, put back what it updated)", id, j.tcode);
	if (!output_confirm(what, yes)) {
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	if (confirm_tcode && strcmp(confirm_tcode, j.tcode)) {
		error("--confirm-tcode %s is not the run's tenant (%s): nothing was changed", confirm_tcode,
		      j.tcode);
		journal_release(&j);
		return TENANTS_EXIT_ERROR;
	}
	ret = run_engine(s, g, 0, 2, NULL, &j, confirm_tcode);
	journal_release(&j);
	return ret;
}

int provision_run_runs(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"tcode", required_argument, NULL, 't'},
	    {"yes", no_argument, NULL, 'y'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"confirm-tcode", required_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0},
	};
	char tcode[TCODE_SIZE] = "", err[200], confirm[TCODE_SIZE] = "";
	const char *verb = NULL, *id = NULL;
	int json = 0, yes = 0, timeout_s = 0, c, ret;
	session s;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:y", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				json = 1;
			else if (strcmp(optarg, "table"))
				return output_usage_err("runs", "-o takes table or json");
			break;
		case 't':
			if (tcode_parse(optarg, tcode, err, sizeof(err)) < 0)
				return output_usage_err("runs", err);
			break;
		case 'y':
			yes = 1;
			break;
		case 'T':
			if (parse_int(optarg, 1, 86400, &timeout_s) < 0)
				return output_usage_err("runs", "--timeout takes seconds, e.g. 300");
			break;
		case 'C':
			if (tcode_parse(optarg, confirm, err, sizeof(err)) < 0)
				return output_usage_err("runs", err);
			break;
		default:
			return output_usage_err("runs", "unknown option or missing value");
		}
	}
	if (optind < argc && (!strcmp(argv[optind], "resume") || !strcmp(argv[optind], "rollback")))
		verb = argv[optind++];
	if (optind < argc)
		id = argv[optind++];
	if (optind < argc)
		return output_usage_err("runs", "unexpected argument");
	if (verb && !id)
		return output_usage_err("runs", "which run? give its id (see smartops runs)");
	if (confirm[0] && (!verb || strcmp(verb, "rollback")))
		return output_usage_err("runs", "--confirm-tcode belongs to runs rollback");
	if (id && !journal_run_id_valid(id))
		return output_usage_err("runs", "a run id is lower-case letters, digits and '-', e.g. t12345-20261128153012-a1b2");
	if (!verb && !id && (g->all_contexts || (g->contexts && strchr(g->contexts, ','))))
		return runs_list_contexts(g, tcode[0] ? tcode : NULL, json);
	ret = cli_session_open(g, "runs", "a run is shown, resumed or rolled back on one cluster: give one --context", &s);
	if (ret)
		return ret;
	if (!verb && id) {
		ret = runs_show(&s, id, json);
	} else if (!verb) {
		run_source one = {.client = s.client, .cluster = s.context};

		ret = runs_list(&one, 1, 0, tcode[0] ? tcode : NULL, g->prefix, json);
	}
	else if (!strcmp(verb, "resume"))
		ret = runs_resume(&s, g, id, yes, timeout_s);
	else
		ret = runs_rollback(&s, g, id, yes, confirm[0] ? confirm : NULL);
	cli_session_close(&s);
	return ret;
}
