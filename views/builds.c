/* views/builds.c — a tenant's custom builds: the screen's state, its keys and its
 * updates; the loader, the stage logs, promote and roll back and the drawing are
 * in views/builds_*.c (views/builds_int.h). */
#include "views/builds_int.h"

enum {
	REQ_BACK,
	REQ_OPEN,
	REQ_RELOAD,
	REQ_PROMOTE_DEV,
	REQ_PROMOTE_PROD,
	REQ_ROLLBACK_DEV,
	REQ_ROLLBACK_PROD,
};

static const tui_binding builds_bindings[] = {
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the history (from a build), then to the tenant"},
    {TUI_KEY_ENTER, REQ_OPEN, "Stages", "the build's stages and the log of the builds_selected one"},
    {'p', REQ_PROMOTE_DEV, "Promote dev", "promote the builds_selected build to dev (confirm)"},
    {'P', REQ_PROMOTE_PROD, "prod", "promote it to prod once dev is ready with it (TCODE typed)"},
    {'b', REQ_ROLLBACK_DEV, "Roll back dev", "dev back to the RPO before its last promotion"},
    {'B', REQ_ROLLBACK_PROD, "prod", "prod back to the RPO before its last promotion (TCODE typed)"},
    {'r', REQ_RELOAD, "Reload", "read the history again now"},
};
static const tui_keymap builds_keymap = {"builds", builds_bindings, ARRAY_SIZE(builds_bindings)};

const int builds_env_order[2] = {TCODE_ENV_DEV, TCODE_ENV_PROD};

void view_builds_init(app *a)
{
	view_builds *v = xcalloc(1, sizeof(*v));

	a->vb = v;
	v->cluster = -1;
	tui_logring_init(&v->ring, RING_LINES, RING_BYTES, LINE_BYTES);
	tui_logpane_init(&v->pane, &v->ring);
	pthread_mutex_init(&v->w.mu, NULL);
	pthread_cond_init(&v->w.cv, NULL);
	v->w.prefix = a->o->prefix;
	v->w.started = pthread_create(&v->w.th, NULL, builds_loader_run, &v->w) == 0;
	if (!v->w.started)
		die("cannot start a thread");
}

void builds_drop_pending(view_builds *v)
{
	plan_release(&v->pending_plan);
	memset(&v->pending_plan, 0, sizeof(v->pending_plan));
	journal_release(&v->pending_j);
	memset(&v->pending_j, 0, sizeof(v->pending_j));
	v->ask = ASK_NONE;
}

void view_builds_release(app *a)
{
	view_builds *v = a->vb;

	if (!v)
		return;
	pthread_mutex_lock(&v->w.mu);
	v->w.stop = 1;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
	if (v->w.started)
		pthread_join(v->w.th, NULL);
	builds_loaded_free(v->w.result);
	builds_loaded_free(v->shown);
	builds_release_log(v);
	if (v->run)
		wizard_run_free(v->run);
	builds_job_free(v->job);
	builds_job_free(v->record);
	builds_drop_pending(v);
	tui_logpane_release(&v->pane);
	tui_logring_release(&v->ring);
	pthread_mutex_destroy(&v->w.mu);
	pthread_cond_destroy(&v->w.cv);
	free(v);
	a->vb = NULL;
}

/* ---- lookups ---- */

const fleet_tenant *builds_find_tenant(const fleet_snapshot *s, const char *tcode)
{
	for (size_t i = 0; s && i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tcode))
			return fleet_tenant_at(s, i);
	return NULL;
}

/* The console's cluster index of a tenant, or -1. */
int builds_cluster_of(const app *a, const fleet_tenant *t)
{
	const char *name;

	if (!a->snap || t->cluster >= a->snap->n_clusters)
		return -1;
	name = a->snap->clusters[t->cluster].name;
	for (size_t i = 0; i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, name) && a->o->clusters[i].client)
			return (int)i;
	return -1;
}

const build_entry *builds_selected(const view_builds *v)
{
	if (!v->shown || !v->shown->history || v->sel >= v->shown->n)
		return NULL;
	return &v->shown->v[v->sel];
}

/* Asks the loader for tcode now: the histories when history, the stages of
 * v->open in MODE_STAGES. */
void builds_request(app *a, const char *tcode, int history)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = builds_find_tenant(a->snap, tcode);
	int cl = t ? builds_cluster_of(a, t) : -1;

	pthread_mutex_lock(&v->w.mu);
	v->w.client = cl >= 0 ? a->o->clusters[cl].client : NULL;
	util_strlcpy(v->w.tcode, tcode, sizeof(v->w.tcode));
	v->w.history = history;
	if (history && v->mode == MODE_STAGES)
		v->w.stage = v->open;
	else
		memset(&v->w.stage, 0, sizeof(v->w.stage));
	v->w.want_gen++;
	pthread_cond_signal(&v->w.cv);
	pthread_mutex_unlock(&v->w.mu);
}

int view_builds_open(app *a, const char *tcode)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = builds_find_tenant(a->snap, tcode);

	if (!t) {
		app_message(a, 1, "%s is not in the fleet (yet): wait for the list to load", tcode);
		return -1;
	}
	if (t->t.product == MODEL_PRODUCT_ESOCIAL) {
		app_message(a, 1, "%s is an eSocial tenant: eSocial tenants have no custom builds", tcode);
		return -1;
	}
	if (strcmp(v->tcode, tcode)) {
		builds_loaded_free(v->shown);
		v->shown = NULL;
		v->sel = 0;
		v->sel_id[0] = '\0';
	}
	util_strlcpy(v->tcode, tcode, sizeof(v->tcode));
	snprintf(v->title, sizeof(v->title), "%s custom builds", tcode);
	v->cluster = builds_cluster_of(a, t);
	v->mode = MODE_LIST;
	builds_stop_log(v);
	builds_request(a, tcode, 1);
	return 0;
}

/* ---- update ---- */

/* The selection follows its build across reloads. */
static void keep_selection(view_builds *v)
{
	size_t i;

	if (!v->shown || !v->shown->history)
		return;
	for (i = 0; v->sel_id[0] && i < v->shown->n; i++)
		if (!strcmp(v->shown->v[i].id, v->sel_id)) {
			v->sel = i;
			return;
		}
	if (v->sel >= v->shown->n)
		v->sel = v->shown->n ? v->shown->n - 1 : 0;
	if (v->shown->n)
		util_strlcpy(v->sel_id, v->shown->v[v->sel].id, sizeof(v->sel_id));
}

static void take_loaded(app *a, view_builds *v, loaded *l)
{
	int had_stages = v->shown && v->shown->stages_ok && !strcmp(v->shown->stage_id, v->open.id);
	char pod_before[64] = "";
	build_stage_state st_before = BUILD_STAGE_UNKNOWN;

	if (had_stages) {
		util_strlcpy(pod_before, v->shown->stages.pod, sizeof(pod_before));
		if (v->stage_sel < v->shown->stages.n)
			st_before = v->shown->stages.st[v->stage_sel].state;
	}
	/* the tenant screen's reloads carry no history: keep the last one */
	if (!l->history && v->shown && v->shown->history && !strcmp(v->shown->tcode, l->tcode)) {
		l->history = 1;
		l->hist_ok = v->shown->hist_ok;
		util_strlcpy(l->hist_err, v->shown->hist_err, sizeof(l->hist_err));
		l->v = v->shown->v;
		l->n = v->shown->n;
		v->shown->v = NULL;
	}
	builds_loaded_free(v->shown);
	v->shown = l;
	keep_selection(v);
	if (v->mode != MODE_STAGES || strcmp(l->stage_id, v->open.id))
		return;
	for (size_t i = 0; i < l->n; i++) /* the build's newer state */
		if (!strcmp(l->v[i].id, v->open.id))
			v->open = l->v[i];
	if (l->stages_ok && v->stage_sel >= l->stages.n)
		v->stage_sel = 0;
	/* (re)read the log when the stage first shows, or its pod or state moved */
	if (l->stages_ok && (!had_stages || strcmp(pod_before, l->stages.pod) ||
			     (v->stage_sel < l->stages.n && l->stages.st[v->stage_sel].state != st_before &&
			      !(v->lr && v->lr->follow && !atomic_load(&v->lr->done)))))
		builds_start_log(a, v);
}

/* The view's job ended: open the dialog, or say why not. */

int view_builds_update(app *a)
{
	view_builds *v = a->vb;
	const char *want = NULL;
	int r = 0, history = 0;
	loaded *l = NULL;
	k8s_client *client = NULL;

	/* what the loader should keep reading: this screen's tenant, or the tenant screen's RPOs */
	if (a->screen == APP_BUILDS || (v->run && a->screen == APP_HELP))
		want = v->tcode, history = 1;
	else if (a->screen == APP_TENANT || (a->screen == APP_HELP && a->back == APP_TENANT))
		want = view_tenant_tcode(a);
	if (want && want[0]) {
		const fleet_tenant *t = builds_find_tenant(a->snap, want);
		int cl = t ? builds_cluster_of(a, t) : -1;

		client = cl >= 0 ? a->o->clusters[cl].client : NULL;
	}
	pthread_mutex_lock(&v->w.mu);
	if (!want || !want[0] || !client) {
		v->w.tcode[0] = '\0'; /* (no client: a tenant not listed yet; its line says loading) */
	} else if (strcmp(v->w.tcode, want) || v->w.history != history || v->w.client != client) {
		pthread_mutex_unlock(&v->w.mu);
		builds_request(a, want, history);
		pthread_mutex_lock(&v->w.mu);
	}
	if (v->w.result && v->w.done_gen == v->w.want_gen) {
		l = v->w.result;
		v->w.result = NULL;
	}
	pthread_mutex_unlock(&v->w.mu);
	if (l) {
		take_loaded(a, v, l);
		r = TUI_REDRAW;
	}
	if (a->screen != APP_BUILDS && v->lr && !v->run) {
		builds_stop_log(v); /* left the screen: no reading in the background */
		v->lr_stage[0] = '\0';
	}
	if (v->lr && atomic_load(&v->lr->done))
		r |= TUI_REDRAW;
	if (v->job && atomic_load(&v->job->done)) {
		builds_job_done(a, v, v->job);
		builds_job_free(v->job);
		v->job = NULL;
		r |= TUI_REDRAW;
	}
	if (v->run) {
		r |= wizard_run_update(v->run);
		if (wizard_run_finished(v->run) && !v->run_recorded) {
			v->run_recorded = 1;
			builds_start_record(a, v);
		}
	}
	if (v->record && atomic_load(&v->record->done)) {
		if (v->record->rc < 0)
			app_message(a, 1, "%s", v->record->err);
		builds_job_free(v->record);
		v->record = NULL;
		builds_request(a, v->tcode, 1);
		r |= TUI_REDRAW;
	}
	return r;
}

int view_builds_busy(app *a)
{
	view_builds *v = a->vb;
	int busy;

	if (v->job || v->record)
		return 1;
	if (a->screen != APP_BUILDS && a->screen != APP_TENANT)
		return 0;
	pthread_mutex_lock(&v->w.mu);
	/* the first answer for what is asked; later reloads do not hold a script */
	busy = v->w.tcode[0] && v->w.done_gen != v->w.want_gen &&
	       (!v->shown || strcmp(v->shown->tcode, v->w.tcode) || (v->w.history && !v->shown->history) ||
		(v->w.stage.id[0] && strcmp(v->shown->stage_id, v->w.stage.id)));
	busy = busy || v->w.result != NULL;
	pthread_mutex_unlock(&v->w.mu);
	/* a finished stage's log is read to its end; a running one's is followed (never settles) */
	if (!busy && a->screen == APP_BUILDS && v->lr && !v->lr->follow && !atomic_load(&v->lr->done))
		busy = 1;
	return busy;
}

const char *view_builds_title(const app *a)
{
	view_builds *v = a->vb;

	if (v->run)
		return wizard_run_title(v->run);
	return v->title;
}

const tui_keymap *view_builds_keymap(void)
{
	return &builds_keymap;
}

/* ---- keys ---- */

static void open_stages(app *a, view_builds *v, const build_entry *e)
{
	v->open = *e;
	v->mode = MODE_STAGES;
	v->stage_sel = 0;
	builds_stop_log(v);
	tui_logring_clear(&v->ring);
	v->log_note[0] = '\0';
	v->lr_stage[0] = '\0';
	/* the failed stage, or the running one, is where the operator looks first */
	for (size_t i = 0; i < 4; i++) {
		static const char *const usual[] = {"checkout", "sonarqube", "compile", "upload"};
		if (e->stage[0] && !strcmp(e->stage, usual[i]))
			v->stage_sel = i;
	}
	builds_request(a, v->tcode, 1);
}

static int stages_key(app *a, view_builds *v, int key)
{
	const build_stages *bs = v->shown && v->shown->stages_ok && !strcmp(v->shown->stage_id, v->open.id)
				     ? &v->shown->stages
				     : NULL;
	int wk = TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;

	switch (wk) {
	case KEY_UP:
	case 'k':
		if (bs && v->stage_sel > 0) {
			v->stage_sel--;
			builds_start_log(a, v);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case KEY_DOWN:
	case 'j':
		if (bs && v->stage_sel + 1 < bs->n) {
			v->stage_sel++;
			builds_start_log(a, v);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case TUI_KEY_ESC:
		builds_stop_log(v);
		v->mode = MODE_LIST;
		builds_request(a, v->tcode, 1);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'p' || key == 'P' || key == 'b' || key == 'B' || key == 'r')
		return 0;
	switch (tui_logpane_key(&v->pane, wk)) {
	case LOGPANE_NOT_FOUND:
	case LOGPANE_HANDLED:
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}

int view_builds_key(app *a, int key)
{
	view_builds *v = a->vb;
	const build_entry *e;
	int r;

	if (v->run) {
		r = wizard_run_key(v->run, key);
		if (r & WIZARD_RUN_LEAVE) {
			wizard_run_free(v->run);
			v->run = NULL;
			builds_request(a, v->tcode, 1);
			if (v->mode == MODE_STAGES)
				v->mode = MODE_LIST;
		}
		return r & ~WIZARD_RUN_LEAVE;
	}
	if (v->ask != ASK_NONE)
		return builds_ask_key(a, v, key);
	if (v->mode == MODE_STAGES && (r = stages_key(a, v, key)) != 0)
		return r;
	e = v->mode == MODE_STAGES ? &v->open : builds_selected(v);
	switch (TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key) {
	case KEY_UP:
	case 'k':
		if (v->sel > 0)
			v->sel--;
		goto moved;
	case KEY_DOWN:
	case 'j':
		if (v->shown && v->sel + 1 < v->shown->n)
			v->sel++;
		goto moved;
	case KEY_HOME:
	case 'g':
		v->sel = 0;
		goto moved;
	case KEY_END:
	case 'G':
		v->sel = v->shown && v->shown->n ? v->shown->n - 1 : 0;
		goto moved;
	case '\n':
	case KEY_ENTER:
		key = TUI_KEY_ENTER;
		break;
	}
	switch (tui_keymap_find(&builds_keymap, key)) {
	case REQ_BACK:
		a->screen = APP_TENANT;
		builds_stop_log(v);
		view_tenant_open(a, v->tcode); /* its reloads stopped while away */
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_OPEN:
		if (e)
			open_stages(a, v, e);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RELOAD:
		builds_request(a, v->tcode, 1);
		app_message(a, 0, "reloading the builds of %s", v->tcode);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_PROMOTE_DEV:
	case REQ_PROMOTE_PROD:
		if (!e) {
			app_message(a, 1, "no build builds_selected");
			return TUI_HANDLED | TUI_REDRAW;
		}
		return builds_start_job(a, v, JOB_PLAN, key == 'P' ? "prod" : "dev", e->id);
	case REQ_ROLLBACK_DEV:
	case REQ_ROLLBACK_PROD:
		return builds_start_job(a, v, JOB_FIND_BACK, key == 'B' ? "prod" : "dev", NULL);
	default:
		return 0;
	}
moved:
	if (v->shown && v->sel < v->shown->n)
		util_strlcpy(v->sel_id, v->shown->v[v->sel].id, sizeof(v->sel_id));
	return TUI_HANDLED | TUI_REDRAW;
}

/* ---- the tenant screen's line ---- */

int view_builds_rpo_line(app *a, const char *tcode, int env, char *buf, size_t size, int *attrs)
{
	view_builds *v = a->vb;
	const fleet_tenant *t = builds_find_tenant(a->snap, tcode);
	const loaded *l = v->shown;
	strbuf sb;

	if (!t || t->t.product == MODEL_PRODUCT_ESOCIAL || env < 0 || env > 1 || t->env[env] < 0)
		return -1;
	*attrs = tui_theme_attr(TUI_ROLE_DIM);
	if (!l || strcmp(l->tcode, tcode)) {
		util_strlcpy(buf, "loading...", size);
		return 0;
	}
	if (!l->info_ok[env]) {
		snprintf(buf, size, "cannot read: %s", l->info_err[env]);
		return 0;
	}
	sb_init(&sb, 160);
	builds_rpo_text(&l->info[env], &sb);
	util_strlcpy(buf, sb.buf, size);
	sb_release(&sb);
	*attrs = l->info[env].running[0] ? tui_theme_attr(TUI_ROLE_WAKING) : 0;
	return 0;
}
