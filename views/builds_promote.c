/* views/builds_promote.c — promote a build and roll an env back from the custom
 * builds screen: the plan or the run to go back from, looked up off the UI
 * thread, the dialogs that confirm them, the run, its mark in the history
 * (views/builds_int.h). */
#include "views/builds_int.h"

static void job_plan(job *j)
{
	wizard_ctx c = {.client = j->client, .catalog_url = j->catalog, .prefix = j->prefix};
	plan_input in[3];
	wizard_fail fail = WIZARD_FAIL_NONE;
	k8s_err e;

	memset(in, 0, sizeof(in));
	util_strlcpy(in[0].key, "tcode", sizeof(in[0].key));
	util_strlcpy(in[0].value, j->tcode, sizeof(in[0].value));
	util_strlcpy(in[1].key, "build", sizeof(in[1].key));
	util_strlcpy(in[1].value, j->build, sizeof(in[1].value));
	util_strlcpy(in[2].key, "env", sizeof(in[2].key));
	util_strlcpy(in[2].value, j->env, sizeof(in[2].value));
	j->rc = wizard_promote.build(&c, in, ARRAY_SIZE(in), &j->p, j->err, sizeof(j->err), &fail, &e,
				     j->note, sizeof(j->note));
}

static void job_find_back(job *j)
{
	k8s_err e;
	int rc = build_promotion_last(j->client, j->prefix, j->tcode, j->env, j->run, sizeof(j->run),
				      j->build, sizeof(j->build), &e);

	if (rc < 0) {
		j->rc = util_seterr(j->err, sizeof(j->err), "cannot read the runs of %s: %s", j->tcode, e.msg);
	} else if (rc == 0) {
		j->rc = util_seterr(j->err, sizeof(j->err),
				    "%s has no promotion to %s to go back from: nothing was changed", j->tcode, j->env);
	} else if (journal_load(j->client, j->run, &j->j, &e) < 0) {
		j->rc = util_seterr(j->err, sizeof(j->err), "cannot read run %s: %s", j->run, e.msg);
	} else {
		j->rc = 0;
	}
}

/* After a run ended: the history records (or clears) the promotion when the
 * journals say it is so (a run that failed or was paused records nothing). */
static void job_record(job *j)
{
	char run[JOURNAL_RUN_SIZE] = "", build[BUILD_ID_SIZE] = "", at[32];
	k8s_err e;
	int rc = build_promotion_last(j->client, j->prefix, j->tcode, j->env, run, sizeof(run), build,
				      sizeof(build), &e);

	j->rc = 0;
	if (rc < 0) {
		util_seterr(j->err, sizeof(j->err), "cannot read the runs of %s: %s", j->tcode, e.msg);
		j->rc = -1;
		return;
	}
	if (!j->rollback && (rc == 0 || strcmp(build, j->build)))
		return; /* not done: nothing to record */
	if (j->rollback && rc == 1 && !strcmp(run, j->run))
		return; /* not rolled back */
	util_rfc3339(k8s_client_server_now(j->client), at, sizeof(at));
	if (build_promotion_record(j->client, j->prefix, j->tcode, j->build, j->env, j->by, at, j->rollback,
				   &e) < 0) {
		util_seterr(j->err, sizeof(j->err), "the build history of %s could not record it: %s", j->tcode,
			    e.msg);
		j->rc = -1;
		return;
	}
	util_strlcpy(j->note, "recorded", sizeof(j->note));
}

void *builds_job_run(void *arg)
{
	job *j = arg;

	if (j->kind == JOB_PLAN)
		job_plan(j);
	else if (j->kind == JOB_FIND_BACK)
		job_find_back(j);
	else
		job_record(j);
	atomic_store(&j->done, 1);
	tui_loop_wake();
	return NULL;
}

void builds_job_free(job *j)
{
	if (!j)
		return;
	pthread_join(j->th, NULL);
	plan_release(&j->p);
	journal_release(&j->j);
	free(j);
}

void builds_job_done(app *a, view_builds *v, job *j)
{
	if (j->rc < 0) {
		app_message(a, 1, "%s", j->err);
		return;
	}
	builds_drop_pending(v);
	util_strlcpy(v->pending_env, j->env, sizeof(v->pending_env));
	util_strlcpy(v->pending_build, j->build, sizeof(v->pending_build));
	util_strlcpy(v->pending_run, j->run, sizeof(v->pending_run));
	if (j->kind == JOB_PLAN) {
		const build_entry *e = NULL;
		tcode_env te = TCODE_ENV_DEV;
		const char *now = "";
		char ns[TCODE_NS_SIZE];

		for (size_t i = 0; v->shown && i < v->shown->n; i++)
			if (!strcmp(v->shown->v[i].id, j->build))
				e = &v->shown->v[i];
		tcode_env_parse(j->env, &te);
		tcode_namespace(v->tcode, te, ns, sizeof(ns));
		if (v->shown && v->shown->info_ok[te])
			now = v->shown->info[te].rpo;
		v->pending_plan = j->p;
		memset(&j->p, 0, sizeof(j->p));
		snprintf(v->d_title, sizeof(v->d_title), "Promote build %s to %s", j->build, j->env);
		snprintf(v->d_text, sizeof(v->d_text),
			 "The AppServers of %s get the RPO of build %s (commit %.12s): RPOCustom= in each role's "
			 "appserver.ini and the rpo annotation of their template, a rolling update (%zu steps)."
			 "\nRuns now: %s.\nThe RPO it runs now is kept: b%s goes back to it.%s%s%s",
			 ns, j->build, e ? e->commit : "?", v->pending_plan.n,
			 now[0] ? now : "no custom RPO", te == TCODE_ENV_PROD ? " (B)" : "",
			 j->note[0] ? "\n" : "", j->note, te == TCODE_ENV_PROD ? "\nProd: you will type the TCODE next." : "");
		v->d_text[sizeof(v->d_text) - 1] = '\0';
		tui_dialog_confirm_init(&v->d, v->d_title, v->d_text, "Promote");
	} else {
		tcode_env te = TCODE_ENV_DEV;
		const char *prev = "";

		tcode_env_parse(j->env, &te);
		if (v->shown && v->shown->info_ok[te])
			prev = v->shown->info[te].previous;
		v->pending_j = j->j;
		memset(&j->j, 0, sizeof(j->j));
		snprintf(v->d_title, sizeof(v->d_title), "Roll %s back", j->env);
		snprintf(v->d_text, sizeof(v->d_text),
			 "%s leaves build %s for the RPO it ran before: %s.\nThe rollback of promotion run %s "
			 "restores exactly the earlier appserver.ini and templates of its AppServers.%s",
			 j->env, j->build[0] ? j->build : "?", prev[0] ? prev : "no custom RPO", j->run,
			 te == TCODE_ENV_PROD ? "\nProd: you will type the TCODE next." : "");
		tui_dialog_confirm_init(&v->d, v->d_title, v->d_text, "Roll back");
	}
	v->ask = ASK_CONFIRM;
}

void builds_start_record(app *a, view_builds *v)
{
	job *j;

	if (v->record || v->cluster < 0)
		return;
	j = xcalloc(1, sizeof(*j));
	j->kind = JOB_RECORD;
	j->client = a->o->clusters[v->cluster].client;
	j->prefix = a->o->prefix;
	util_strlcpy(j->tcode, v->tcode, sizeof(j->tcode));
	util_strlcpy(j->env, v->run_env, sizeof(j->env));
	util_strlcpy(j->build, v->run_build, sizeof(j->build));
	util_strlcpy(j->run, v->run_id, sizeof(j->run));
	util_strlcpy(j->by, v->cfg.user ? v->cfg.user : "", sizeof(j->by));
	j->rollback = v->run_rollback;
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, builds_job_run, j) != 0) {
		free(j);
		return;
	}
	v->record = j;
}

void builds_draw_ask(view_builds *v, int width)
{
	tui_dialog_style ds = {(attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_SECTION),
			   (attr_t)tui_theme_attr(TUI_ROLE_NORMAL), (attr_t)tui_theme_attr(TUI_ROLE_NORMAL),
			   (attr_t)tui_theme_attr(TUI_ROLE_SELECTED), tui_term_ascii()};

	if (v->ask == ASK_CONFIRM) {
		tui_dialog_draw(&v->d, stdscr, &ds);
	} else if (v->ask == ASK_TCODE) {
		char buf[200];
		int y = LINES / 2;

		snprintf(buf, sizeof(buf), " %s in prod: type the TCODE %s to go on (Esc cancels): %s_ ",
			 v->pending_j.run[0] ? "Roll back" : "Promote", v->tcode, v->typed);
		tui_text_fill(stdscr, y, 0, width, tui_theme_attr(TUI_ROLE_CMDLINE));
		builds_put(y, 0, width, buf, tui_theme_attr(TUI_ROLE_CMDLINE));
	}
}

int builds_start_job(app *a, view_builds *v, job_kind kind, const char *env, const char *build)
{
	wizard_run_cfg cfg;
	const char *cat_url = NULL;
	job *j;

	if (a->o->readonly) {
		app_message(a, 1, "read-only session (--readonly): %s is refused; nothing was changed",
			    kind == JOB_PLAN ? "promoting" : "rolling back");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (v->job || v->run) {
		app_message(a, 1, "one thing at a time: the last promotion is still being prepared");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (v->cluster < 0 || view_wizard_cluster_at(a, (size_t)v->cluster, &cfg, &cat_url) < 0) {
		app_message(a, 1, "no usable client for %s's cluster: check the kubeconfig", v->tcode);
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->cfg = cfg;
	v->catalog = cat_url;
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->client = cfg.client;
	j->prefix = cfg.prefix;
	j->catalog = cat_url;
	util_strlcpy(j->tcode, v->tcode, sizeof(j->tcode));
	util_strlcpy(j->env, env, sizeof(j->env));
	util_strlcpy(j->build, build ? build : "", sizeof(j->build));
	atomic_init(&j->done, 0);
	if (pthread_create(&j->th, NULL, builds_job_run, j) != 0) {
		free(j);
		app_message(a, 1, "cannot start a thread");
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->job = j;
	v->asked_kind = kind;
	return TUI_HANDLED | TUI_REDRAW;
}

static void go(app *a, view_builds *v)
{
	char err[300];
	int rollback = v->pending_j.run[0] != '\0';

	v->ask = ASK_NONE;
	builds_stop_log(v);
	v->run_rollback = rollback;
	v->run_recorded = 0;
	util_strlcpy(v->run_env, v->pending_env, sizeof(v->run_env));
	util_strlcpy(v->run_build, v->pending_build, sizeof(v->run_build));
	if (rollback) {
		util_strlcpy(v->run_id, v->pending_j.run, sizeof(v->run_id));
		v->run = wizard_run_start(&v->cfg, WIZARD_RUN_ROLLBACK, v->tcode, NULL, &v->pending_j, err,
					  sizeof(err));
		memset(&v->pending_j, 0, sizeof(v->pending_j)); /* taken over */
	} else {
		v->run = wizard_run_start(&v->cfg, WIZARD_RUN_APPLY, v->tcode, &v->pending_plan, NULL, err,
					  sizeof(err));
		memset(&v->pending_plan, 0, sizeof(v->pending_plan));
	}
	if (!v->run)
		app_message(a, 1, "%s", err);
	builds_drop_pending(v);
}

int builds_ask_key(app *a, view_builds *v, int key)
{
	if (v->ask == ASK_CONFIRM) {
		switch (tui_dialog_key(&v->d, TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key)) {
		case DIALOG_YES:
			if (!strcmp(v->pending_env, "prod")) {
				v->ask = ASK_TCODE;
				v->typed[0] = '\0';
			} else {
				go(a, v);
			}
			break;
		case DIALOG_NO:
		case DIALOG_CLOSED:
			builds_drop_pending(v);
			app_message(a, 0, "cancelled: nothing was changed");
			break;
		default:
			break;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	/* ASK_TCODE */
	if (key == TUI_KEY_ESC) {
		builds_drop_pending(v);
		app_message(a, 0, "cancelled: nothing was changed");
	} else if (key == TUI_KEY_ENTER || key == '\n') {
		if (strcmp(v->typed, v->tcode)) {
			builds_drop_pending(v);
			app_message(a, 1, "the TCODE typed is not %s: nothing was changed", v->tcode);
		} else {
			go(a, v);
		}
	} else if (key == 127 || key == TUI_KEY_CTRL('h') || key == TUI_KEY_FN(KEY_BACKSPACE)) {
		size_t n = strlen(v->typed);
		if (n)
			v->typed[n - 1] = '\0';
	} else if (key > 0x20 && key < 0x7f && strlen(v->typed) + 1 < sizeof(v->typed)) {
		size_t n = strlen(v->typed);
		v->typed[n] = (char)(key >= 'a' && key <= 'z' ? key - 'a' + 'A' : key);
		v->typed[n + 1] = '\0';
	}
	return TUI_HANDLED | TUI_REDRAW;
}
