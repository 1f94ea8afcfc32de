/* views/actions.c — wake, sleep, restart and copy from the console. */
#include <stdio.h>

#include "core/hypnus.h"
#include "core/tcode.h"
#include "tui/dialog.h"
#include "tui/loop.h"
#include "tui/menu.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "util/termtext.h"
#include "util/util.h"
#include "views/actions.h"
#include "views/actions_worker.h"
#include "views/copy.h"
#include "views/fleet.h"
#include "views/tenant.h"

enum { REQ_WAKE, REQ_SLEEP, REQ_RESTART, REQ_COPY, REQ_ROTATE };

static const tui_binding fleet_action_bindings[] = {
    {'W', REQ_WAKE, "Wake", "wake prod or dev of the selected tenant (asks which, confirm)"},
    {'Z', REQ_SLEEP, "Sleep", "put its prod or dev to sleep (asks which, then to confirm)"},
    {'y', REQ_COPY, "Copy", "copy the TCODE to the clipboard (OSC 52, works over SSH)"},
};
static const tui_keymap fleet_action_keymap = {"fleet actions", fleet_action_bindings,
					       ARRAY_SIZE(fleet_action_bindings)};

static const tui_binding tenant_action_bindings[] = {
    {'W', REQ_WAKE, "Wake", "wake prod or dev (asks which, then to confirm)"},
    {'Z', REQ_SLEEP, "Sleep", "put prod or dev to sleep (asks which, then to confirm)"},
    {'R', REQ_RESTART, "Restart", "rollout restart of one service (pick env and service)"},
    {'P', REQ_ROTATE, NULL, "new database password (managed PostgreSQL; asks which env, confirm)"},
    {'y', REQ_COPY, "Copy", "copy the TCODE, a namespace or a pod name (OSC 52)"},
};
static const tui_keymap tenant_action_keymap = {"tenant actions", tenant_action_bindings,
						ARRAY_SIZE(tenant_action_bindings)};

typedef enum stage {
	ST_IDLE,
	ST_CHECKING, /* a check is on the worker; its answer opens a menu or a tui_dialog */
	ST_MENU,
	ST_DIALOG,
	ST_RUNNING, /* the confirmed run is on the worker */
	ST_INFO,    /* a message box (:context) */
} stage;

typedef enum purpose { PU_ENV, PU_SERVICE, PU_COPY } purpose;

#define VALUE_SIZE 128

/* What the worker last said about writes to a tenant (read-only or RBAC). */
#define GATES 32
typedef struct gate {
	char tcode[TCODE_SIZE];
	int refused;
	char why[ACTIONS_TEXT_SIZE];
	int64_t when; /* monotonic ms */
} gate;

typedef struct view_actions {
	actions_worker *w;
	stage st;
	purpose pu;
	actions_kind kind;
	char tcode[TCODE_SIZE];
	size_t cluster;
	tcode_env env;
	uint64_t job_id;
	int job_silent;	   /* a prefetch: only the gate cache learns from it */
	actions_job job;   /* the last check answered (menu items point into it) */
	tui_menu m;
	char value[TUI_MENU_MAX_ITEMS][VALUE_SIZE]; /* per item: env, service or text to copy */
	char what[TUI_MENU_MAX_ITEMS][16];		/* copy: "TCODE", "namespace", "pod" */
	int item_job[TUI_MENU_MAX_ITEMS];		/* env menu: index into job.out, -1 none */
	actions_request req; /* the request of the open dialog / the run */
	tui_dialog d;
	char d_title[96];
	char d_text[ACTIONS_TEXT_SIZE + 32];
	char info[2048];
	gate gates[GATES]; /* the last tenants checked */
	char prefetched[TCODE_SIZE]; /* the tenant last checked ahead, and when */
	int64_t prefetched_ms;
} view_actions;

#define GATE_TTL_MS (ACTIONS_REVIEW_TTL_S * 1000)

/* ---- lookups in the snapshot ---- */

static const fleet_tenant *find_tenant(const fleet_snapshot *s, const char *tcode)
{
	size_t i;

	for (i = 0; s && i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tcode))
			return fleet_tenant_at(s, i);
	return NULL;
}

/* The console's cluster index of a tenant, or -1. */
static int cluster_of(const app *a, const fleet_tenant *t)
{
	const char *name;
	size_t i;

	if (!a->snap || t->cluster >= a->snap->n_clusters)
		return -1;
	name = a->snap->clusters[t->cluster].name;
	for (i = 0; i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, name))
			return (int)i;
	return -1;
}

/* The tenant the keys and commands act on: the tenant screen's, else the
 * fleet's cursor. */
static const char *current_tcode(const app *a)
{
	return app_current_tcode(a);
}

/* A message that may hold words from the cluster (user names, errors). */
static void say(app *a, int is_error, const char *text)
{
	strbuf sb;

	sb_init(&sb, 256);
	termtext_escape(&sb, text);
	app_message(a, is_error, "%s", sb.buf);
	sb_release(&sb);
}

static void show_outcome(app *a, const actions_outcome *o)
{
	say(a, o->status != ACTIONS_OK && o->status != ACTIONS_NOTHING, o->message);
}

static gate *gate_of(view_actions *v, const char *tcode, int make)
{
	gate *old = &v->gates[0];
	size_t i;

	for (i = 0; i < GATES; i++) {
		if (!strcmp(v->gates[i].tcode, tcode))
			return &v->gates[i];
		if (v->gates[i].when < old->when)
			old = &v->gates[i];
	}
	if (!make)
		return NULL;
	memset(old, 0, sizeof(*old));
	util_strlcpy(old->tcode, tcode, sizeof(old->tcode));
	return old;
}

/* A job's answers: a refusal (read-only, RBAC) greys the tenant's write
 * keys, with the first request's reason; an allowed one clears it. */
static void learn_gate(view_actions *v, const actions_job *j)
{
	gate *g;
	size_t i;

	for (i = 0; i < j->n; i++) {
		const actions_outcome *o = &j->out[i];
		if (o->status == ACTIONS_READONLY || o->status == ACTIONS_DENIED) {
			g = gate_of(v, j->req[i].tcode, 1);
			g->refused = 1;
			util_strlcpy(g->why, o->message, sizeof(g->why));
			g->when = util_mono_ms();
			return;
		}
		if (o->status == ACTIONS_OK || o->status == ACTIONS_NOTHING) {
			g = gate_of(v, j->req[i].tcode, 1);
			g->refused = 0;
			g->when = util_mono_ms();
			return;
		}
	}
}

/* Why writes to tcode are refused (read-only, RBAC), or NULL. */
static const char *gate_refused(const app *a, const char *tcode)
{
	const gate *g = gate_of(a->va, tcode, 0);

	if (g && g->refused &&
	    (actions_worker_readonly(a->va->w) || util_mono_ms() - g->when < GATE_TTL_MS))
		return g->why;
	return NULL;
}

/* ---- worker jobs ---- */

static uint64_t submit(app *a, actions_job *j, stage st, int silent)
{
	view_actions *v = a->va;
	uint64_t id = actions_worker_submit(v->w, j);

	if (silent) {
		if (id)
			v->job_id = id;
		v->job_silent = id != 0;
		return id;
	}
	v->job_id = id;
	v->job_silent = 0;
	v->st = st;
	if (!v->job_id) {
		v->st = ST_IDLE;
		app_message(a, 1, "an earlier action is still waiting to run: try again when it is done");
	}
	return id;
}

static void submit_check(app *a, size_t cluster, const actions_request *reqs, size_t n)
{
	actions_job j;

	memset(&j, 0, sizeof(j));
	j.cluster = cluster;
	j.n = n;
	memcpy(j.req, reqs, n * sizeof(reqs[0]));
	app_message(a, 0, "checking %s...", reqs[0].tcode);
	submit(a, &j, ST_CHECKING, 0);
}

void view_actions_prefetch(app *a)
{
	view_actions *v = a->va;
	const fleet_tenant *t;
	const char *tc = NULL;
	actions_job j;
	int c, e;

	if (a->screen == APP_TENANT)
		tc = view_tenant_tcode(a);
	else if (a->screen == APP_FLEET)
		tc = view_fleet_current(a);
	if (!tc || !tc[0]) {
		v->prefetched[0] = '\0'; /* checked again when the tenant is shown again */
		return;
	}
	if (v->st != ST_IDLE)
		return;
	if (!strcmp(v->prefetched, tc) && util_mono_ms() - v->prefetched_ms < GATE_TTL_MS)
		return;
	t = find_tenant(a->snap, tc);
	if (!t || (c = cluster_of(a, t)) < 0)
		return;
	memset(&j, 0, sizeof(j));
	j.cluster = (size_t)c;
	for (e = 0; e < 2; e++) {
		if (t->env[e] < 0)
			continue;
		actions_request_parse(ACTIONS_WAKE, t->t.tcode, tcode_env_name((tcode_env)e), NULL,
				      &j.req[j.n++], NULL, 0);
	}
	if (j.n && submit(a, &j, ST_IDLE, 1)) {
		util_strlcpy(v->prefetched, t->t.tcode, sizeof(v->prefetched));
		v->prefetched_ms = util_mono_ms();
	}
}

/* ---- the dialog ---- */

static void open_dialog(app *a, const actions_request *r, const actions_outcome *o)
{
	view_actions *v = a->va;
	static const char *const yes[] = {"Wake", "Sleep", "Restart", "Rotate"};

	v->req = *r;
	if (r->kind == ACTIONS_RESTART)
		snprintf(v->d_title, sizeof(v->d_title), "Restart %s of %s %s?", r->service, r->tcode,
			 tcode_env_name(r->env));
	else if (r->kind == ACTIONS_ROTATE)
		snprintf(v->d_title, sizeof(v->d_title), "New database password for %s %s?", r->tcode,
			 tcode_env_name(r->env));
	else
		snprintf(v->d_title, sizeof(v->d_title), "%s %s %s?", yes[r->kind], r->tcode,
			 tcode_env_name(r->env));
	util_strlcpy(v->d_text, o->description, sizeof(v->d_text));
	tui_dialog_confirm_init(&v->d, v->d_title, v->d_text, yes[r->kind]);
	v->d.no_label = "Cancel";
	v->st = ST_DIALOG;
	a->msg[0] = '\0';
}

/* ---- starting an action ---- */

/* Finds the tenant and its cluster; -1 with a message when it cannot act. */
static int locate(app *a, const char *tcode, const fleet_tenant **tp, int *cluster)
{
	const fleet_tenant *t;

	if (!tcode || !tcode[0]) {
		app_message(a, 1, "no tenant selected: open one, or name it (:wake T12345 prod)");
		return -1;
	}
	t = find_tenant(a->snap, tcode);
	if (!t) {
		app_message(a, 1, "%s is not in the fleet (yet): check the TCODE", tcode);
		return -1;
	}
	*cluster = cluster_of(a, t);
	if (*cluster < 0) {
		app_message(a, 1, "%s: its cluster is not one of this console's contexts", tcode);
		return -1;
	}
	*tp = t;
	return 0;
}

/* Wake, sleep or a new database password: env < 0 asks which (a menu after the check). */
static int start_env_action(app *a, actions_kind kind, const char *tcode, int env)
{
	view_actions *v = a->va;
	const fleet_tenant *t;
	actions_request reqs[2];
	size_t n = 0;
	int c, e;

	if (locate(a, tcode, &t, &c) < 0)
		return TUI_HANDLED | TUI_REDRAW;
	if (env >= 0 && t->env[env] < 0) {
		app_message(a, 1, "%s has no %s environment", t->t.tcode, tcode_env_name((tcode_env)env));
		return TUI_HANDLED | TUI_REDRAW;
	}
	for (e = 0; e < 2; e++)
		if (t->env[e] >= 0 && (env < 0 || env == e))
			actions_request_parse(kind, t->t.tcode, tcode_env_name((tcode_env)e), NULL,
					      &reqs[n++], NULL, 0);
	if (!n) {
		app_message(a, 1, "%s has no environment to act on", t->t.tcode);
		return TUI_HANDLED | TUI_REDRAW;
	}
	v->kind = kind;
	v->cluster = (size_t)c;
	util_strlcpy(v->tcode, t->t.tcode, sizeof(v->tcode));
	submit_check(a, (size_t)c, reqs, n);
	return TUI_HANDLED | TUI_REDRAW;
}

static void service_menu(app *a, const fleet_tenant *t, tcode_env env)
{
	view_actions *v = a->va;
	const model_env *e = fleet_env(a->snap, t->env[env]);
	static const char *const base[] = {"license", "lockserver", "dbaccess"};
	char note[64], title[TUI_MENU_LABEL_SIZE];
	size_t i, k;

	snprintf(title, sizeof(title), "Restart which service of %s %s?", t->t.tcode,
		 tcode_env_name(env));
	tui_menu_init(&v->m, title);
	for (i = 0; i < ARRAY_SIZE(base); i++)
		for (k = 0; k < e->n_base && k < MODEL_MAX_BASE; k++)
			if (!strcmp(e->base[k].component, base[i])) {
				snprintf(note, sizeof(note), "%d/%d ready", e->base[k].ready,
					 e->base[k].desired);
				util_strlcpy(v->value[v->m.n], base[i], VALUE_SIZE);
				tui_menu_add(&v->m, base[i], note, 0, 0);
			}
	for (k = 0; k < e->n_public && k < MODEL_MAX_PUBLIC; k++) {
		snprintf(note, sizeof(note), "%d/%d ready, public", e->pub[k].ready,
			 e->pub[k].desired);
		if (v->m.n >= TUI_MENU_MAX_ITEMS)
			break;
		util_strlcpy(v->value[v->m.n], e->pub[k].role, VALUE_SIZE);
		tui_menu_add(&v->m, e->pub[k].role, note, 0, 0);
	}
	v->env = env;
	v->pu = PU_SERVICE;
	v->st = ST_MENU;
}

/* 0 when service names one of env's services (base or public). */
static int has_service(const model_env *e, const char *service)
{
	size_t k;

	for (k = 0; k < e->n_base && k < MODEL_MAX_BASE; k++)
		if (!strcmp(e->base[k].component, service))
			return 0;
	for (k = 0; k < e->n_public && k < MODEL_MAX_PUBLIC; k++)
		if (!strcmp(e->pub[k].role, service))
			return 0;
	return -1;
}

static int start_restart(app *a, const char *tcode, int env, const char *service)
{
	view_actions *v = a->va;
	const fleet_tenant *t;
	actions_request r;
	char err[300];
	int c, e;

	if (locate(a, tcode, &t, &c) < 0)
		return TUI_HANDLED | TUI_REDRAW;
	v->kind = ACTIONS_RESTART;
	v->cluster = (size_t)c;
	util_strlcpy(v->tcode, t->t.tcode, sizeof(v->tcode));
	if (env >= 0 && t->env[env] < 0) {
		app_message(a, 1, "%s has no %s environment", t->t.tcode, tcode_env_name((tcode_env)env));
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (env < 0 && (t->env[0] < 0) != (t->env[1] < 0))
		env = t->env[0] >= 0 ? 0 : 1;
	if (env < 0) {
		tui_menu_init(&v->m, "Restart in which environment?");
		for (e = 0; e < 2; e++) {
			const health_result *h = fleet_env_health(a->snap, t->env[e]);
			util_strlcpy(v->value[v->m.n], tcode_env_name((tcode_env)e), VALUE_SIZE);
			v->item_job[v->m.n] = -1;
			tui_menu_add(&v->m, tcode_env_name((tcode_env)e), health_name(h->state),
				 e == TCODE_ENV_PROD ? 'p' : 'd', 0);
		}
		v->pu = PU_ENV;
		v->st = ST_MENU;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (!service) {
		service_menu(a, t, (tcode_env)env);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (has_service(fleet_env(a->snap, t->env[env]), service) < 0) {
		strbuf sb;
		sb_init(&sb, 64);
		termtext_fit(&sb, service, 32, 0);
		app_message(a, 1, "%s %s has no service \"%s\": R on the tenant screen lists them",
			    t->t.tcode, tcode_env_name((tcode_env)env), sb.buf);
		sb_release(&sb);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (actions_request_parse(ACTIONS_RESTART, t->t.tcode, tcode_env_name((tcode_env)env),
				  service, &r, err, sizeof(err)) < 0) {
		app_message(a, 1, "%s", err);
		return TUI_HANDLED | TUI_REDRAW;
	}
	submit_check(a, (size_t)c, &r, 1);
	return TUI_HANDLED | TUI_REDRAW;
}

static void copy_menu(app *a, const char *tcode)
{
	view_actions *v = a->va;
	const fleet_snapshot *d = view_tenant_detail(a);
	const fleet_tenant *t = find_tenant(a->snap, tcode);
	char title[TUI_MENU_LABEL_SIZE];
	size_t k;
	int e;

	snprintf(title, sizeof(title), "Copy from %s", tcode);
	tui_menu_init(&v->m, title);
	util_strlcpy(v->value[0], tcode, VALUE_SIZE);
	util_strlcpy(v->what[0], "TCODE", sizeof(v->what[0]));
	tui_menu_add(&v->m, tcode, "TCODE", 't', 0);
	for (e = 0; t && e < 2; e++) {
		char ns[TCODE_NS_SIZE];
		if (t->env[e] < 0 || tcode_namespace(tcode, (tcode_env)e, ns, sizeof(ns)) < 0)
			continue;
		util_strlcpy(v->value[v->m.n], ns, VALUE_SIZE);
		util_strlcpy(v->what[v->m.n], "namespace", sizeof(v->what[0]));
		tui_menu_add(&v->m, ns, "namespace", e == TCODE_ENV_PROD ? 'p' : 'd', 0);
	}
	for (e = 0; d && e < 2; e++) /* prod's pods, then dev's */
		for (k = 0; k < d->n_pods && v->m.n < TUI_MENU_MAX_ITEMS; k++) {
			const char *name = d->pods[k].m.name;
			char err[100];
			strbuf sb;
			int bad;
			if (d->pod_env[k] < 0 || (size_t)d->pod_env[k] >= d->n_envs ||
			    (int)fleet_env(d, d->pod_env[k])->env != e)
				continue;
			sb_init(&sb, 64);
			bad = view_copy_osc52(name, 0, &sb, err, sizeof(err)) < 0;
			sb_release(&sb);
			util_strlcpy(v->value[v->m.n], name, VALUE_SIZE);
			util_strlcpy(v->what[v->m.n], "pod", sizeof(v->what[0]));
			tui_menu_add(&v->m, name, bad ? err : e == TCODE_ENV_PROD ? "pod, prod" : "pod, dev", 0,
				 bad);
		}
	v->pu = PU_COPY;
	v->st = ST_MENU;
}

static int copy_key(app *a)
{
	const char *tc = current_tcode(a);

	if (a->screen == APP_TENANT && tc) {
		copy_menu(a, tc);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (!tc) {
		app_message(a, 1, "no tenant under the cursor to copy");
		return TUI_HANDLED | TUI_REDRAW;
	}
	view_copy(a, "TCODE", tc);
	return TUI_HANDLED | TUI_REDRAW;
}

/* ---- answers from the worker ---- */

static void on_check(app *a, const actions_job *j)
{
	view_actions *v = a->va;
	size_t i, refused = 0;
	char title[TUI_MENU_LABEL_SIZE];

	for (i = 0; i < j->n; i++) {
		refused += j->out[i].status == ACTIONS_READONLY || j->out[i].status == ACTIONS_DENIED;
	}
	if (j->n == 1 || refused == j->n) {
		/* one environment, or refused for all the same way: no tui_menu */
		v->st = ST_IDLE;
		if (j->out[0].status == ACTIONS_OK)
			open_dialog(a, &j->req[0], &j->out[0]);
		else
			show_outcome(a, &j->out[0]);
		return;
	}
	snprintf(title, sizeof(title), "%s %s: which environment?",
		 v->kind == ACTIONS_WAKE    ? "Wake"
		 : v->kind == ACTIONS_SLEEP ? "Put to sleep"
					    : "New database password for",
		 v->tcode);
	tui_menu_init(&v->m, title);
	for (i = 0; i < j->n; i++) {
		const actions_outcome *o = &j->out[i];
		const char *env = tcode_env_name(j->req[i].env);
		char note[TUI_MENU_NOTE_SIZE];
		if (o->status == ACTIONS_OK && v->kind == ACTIONS_ROTATE)
			snprintf(note, sizeof(note), "managed PostgreSQL%s",
				 o->target.hypnus == MODEL_HYPNUS_SLEEPING ? ", asleep" : "");
		else if (o->status == ACTIONS_OK)
			snprintf(note, sizeof(note), "now %s", hypnus_state_name(o->target.hypnus));
		else
			util_strlcpy(note, o->message, sizeof(note));
		util_strlcpy(v->value[v->m.n], env, VALUE_SIZE);
		v->item_job[v->m.n] = (int)i;
		tui_menu_add(&v->m, env, note, j->req[i].env == TCODE_ENV_PROD ? 'p' : 'd',
			 o->status != ACTIONS_OK);
	}
	/* the cursor on the first one that can be done */
	for (i = 0; i < (size_t)v->m.n; i++)
		if (!v->m.items[i].greyed) {
			v->m.sel = (int)i;
			break;
		}
	v->pu = PU_ENV;
	v->st = ST_MENU;
	a->msg[0] = '\0';
}

int view_actions_update(app *a)
{
	view_actions *v = a->va;
	actions_job j;

	if (!actions_worker_take(v->w, &j)) {
		view_actions_prefetch(a);
		return 0;
	}
	learn_gate(v, &j);
	if (!j.run && (j.id != v->job_id || v->job_silent)) {
		view_actions_prefetch(a);
		return TUI_REDRAW; /* the key bar may grey or not */
	}
	if (j.run) {
		if (v->st == ST_RUNNING)
			v->st = ST_IDLE;
		show_outcome(a, &j.out[0]);
		if (a->screen == APP_TENANT)
			view_tenant_reload(a);
	} else if (v->st == ST_CHECKING) {
		v->job = j;
		on_check(a, &v->job);
	}
	return TUI_REDRAW;
}

/* ---- keys ---- */

static int menu_picked(app *a, int i)
{
	view_actions *v = a->va;
	tcode_env env;

	switch (v->pu) {
	case PU_COPY:
		v->st = ST_IDLE;
		view_copy(a, v->what[i], v->value[i]);
		break;
	case PU_SERVICE:
		v->st = ST_IDLE;
		return start_restart(a, v->tcode, (int)v->env, v->value[i]);
	case PU_ENV:
		v->st = ST_IDLE;
		if (tcode_env_parse(v->value[i], &env) < 0)
			break;
		if (v->kind == ACTIONS_RESTART)
			return start_restart(a, v->tcode, (int)env, NULL);
		if (v->item_job[i] >= 0 && v->job.out[v->item_job[i]].status == ACTIONS_OK)
			open_dialog(a, &v->job.req[v->item_job[i]], &v->job.out[v->item_job[i]]);
		break;
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static int modal_key(app *a, int key)
{
	view_actions *v = a->va;
	int picked, k;

	switch (v->st) {
	case ST_MENU:
		switch (tui_menu_key(&v->m, key, &picked)) {
		case MENU_PICKED:
			return menu_picked(a, picked);
		case MENU_GREYED: {
			strbuf sb;
			v->st = ST_IDLE;
			sb_init(&sb, 128);
			termtext_escape(&sb, v->m.items[picked].note);
			app_message(a, 1, "%s: %s", v->m.items[picked].label, sb.buf);
			sb_release(&sb);
			return TUI_HANDLED | TUI_REDRAW;
		}
		case MENU_CLOSED:
			v->st = ST_IDLE;
			return TUI_HANDLED | TUI_REDRAW;
		default:
			return TUI_HANDLED | TUI_REDRAW;
		}
	case ST_DIALOG:
	case ST_INFO:
		k = TUI_KEY_IS_FN(key) ? key - TUI_KEY_FN(0) : key;
		switch (tui_dialog_key(&v->d, k)) {
		case DIALOG_YES: {
			actions_job j;
			memset(&j, 0, sizeof(j));
			j.run = 1;
			j.cluster = v->cluster;
			j.n = 1;
			j.req[0] = v->req;
			app_message(a, 0, "%s %s %s...",
				    v->req.kind == ACTIONS_WAKE     ? "waking"
				    : v->req.kind == ACTIONS_SLEEP  ? "putting to sleep"
				    : v->req.kind == ACTIONS_ROTATE ? "new database password for"
								    : "restarting",
				    v->req.tcode, tcode_env_name(v->req.env));
			submit(a, &j, ST_RUNNING, 0);
			return TUI_HANDLED | TUI_REDRAW;
		}
		case DIALOG_NO:
			v->st = ST_IDLE;
			app_message(a, 0, "cancelled: nothing was changed");
			return TUI_HANDLED | TUI_REDRAW;
		case DIALOG_CLOSED:
			v->st = ST_IDLE;
			return TUI_HANDLED | TUI_REDRAW;
		default:
			return TUI_HANDLED | TUI_REDRAW;
		}
	default:
		break;
	}
	/* checking or running: other keys wait; Esc lets go */
	if (key != TUI_KEY_ESC)
		return TUI_HANDLED;
	if (v->st == ST_CHECKING) {
		v->job_id = 0; /* its answer is dropped */
		app_message(a, 0, "check abandoned: nothing was changed");
	} else {
		app_message(a, 0, "still running: its result will show here");
	}
	v->st = ST_IDLE;
	return TUI_HANDLED | TUI_REDRAW;
}

/* The reason a write key is greyed for the current tenant, or NULL. */
static const char *greyed_reason(const app *a)
{
	const char *tc = current_tcode(a);

	return tc ? gate_refused(a, tc) : NULL;
}

int view_actions_key(app *a, int key)
{
	view_actions *v = a->va;
	const tui_keymap *m = view_actions_keymap(a->screen);
	const char *why;
	int req;

	if (v->st != ST_IDLE)
		return modal_key(a, key);
	if (!m)
		return 0;
	req = tui_keymap_find(m, key);
	if (req < 0)
		return 0;
	if (req == REQ_COPY)
		return copy_key(a);
	if ((why = greyed_reason(a)) != NULL) {
		say(a, 1, why);
		return TUI_HANDLED | TUI_REDRAW;
	}
	switch (req) {
	case REQ_WAKE:
		return start_env_action(a, ACTIONS_WAKE, current_tcode(a), -1);
	case REQ_SLEEP:
		return start_env_action(a, ACTIONS_SLEEP, current_tcode(a), -1);
	case REQ_RESTART:
		return start_restart(a, current_tcode(a), -1, NULL);
	case REQ_ROTATE:
		return start_env_action(a, ACTIONS_ROTATE, current_tcode(a), -1);
	}
	return 0;
}

int view_actions_greyed(const tui_binding *b, void *ctx)
{
	const app *a = ctx;
	int ours = (b >= fleet_action_bindings && b < fleet_action_bindings + ARRAY_SIZE(fleet_action_bindings)) ||
		   (b >= tenant_action_bindings && b < tenant_action_bindings + ARRAY_SIZE(tenant_action_bindings));

	if (!ours || b->req == REQ_COPY)
		return 0;
	return actions_worker_readonly(a->va->w) || greyed_reason(a) != NULL;
}

const tui_keymap *view_actions_keymap(app_screen s)
{
	return s == APP_FLEET ? &fleet_action_keymap : s == APP_TENANT ? &tenant_action_keymap : NULL;
}

/* ---- : commands ---- */

/* Splits "[TCODE] prod|dev [SERVICE]": 0, or -1 with a message. */
static int parse_args(app *a, const char *args, const char *usage, char *tcode, int *env,
		      char *service, size_t service_size)
{
	char w[3][64] = {{0}}, err[160];
	int n = sscanf(args, "%63s %63s %63s", w[0], w[1], w[2]), i = 0;
	tcode_env e;
	const char *cur = current_tcode(a);

	if (n > 0 && tcode_parse(w[0], tcode, err, sizeof(err)) == 0)
		i = 1;
	else if (cur)
		util_strlcpy(tcode, cur, TCODE_SIZE);
	else
		tcode[0] = '\0';
	if (n <= i || tcode_env_parse(w[i], &e) < 0) {
		app_message(a, 1, "usage: %s", usage);
		return -1;
	}
	*env = (int)e;
	if (service) {
		if (n != i + 2) {
			app_message(a, 1, "usage: %s", usage);
			return -1;
		}
		util_strlcpy(service, w[i + 1], service_size);
	} else if (n > i + 1) {
		app_message(a, 1, "usage: %s", usage);
		return -1;
	}
	return 0;
}

static int cmd_env_action(app *a, actions_kind kind, const char *args)
{
	char tcode[TCODE_SIZE], usage[64];
	const char *why;
	int env;

	snprintf(usage, sizeof(usage), ":%s [TCODE] prod|dev", actions_kind_name(kind));
	if (a->va->st != ST_IDLE) {
		app_message(a, 1, "an action is in progress: wait for it");
		return TUI_REDRAW;
	}
	if (parse_args(a, args, usage, tcode, &env, NULL, 0) < 0)
		return TUI_REDRAW;
	if ((why = gate_refused(a, tcode)) != NULL) {
		say(a, 1, why);
		return TUI_REDRAW;
	}
	return start_env_action(a, kind, tcode, env) & ~TUI_HANDLED;
}

int view_actions_cmd_wake(app *a, const char *args)
{
	return cmd_env_action(a, ACTIONS_WAKE, args);
}

int view_actions_cmd_sleep(app *a, const char *args)
{
	return cmd_env_action(a, ACTIONS_SLEEP, args);
}

int view_actions_cmd_rotate(app *a, const char *args)
{
	return cmd_env_action(a, ACTIONS_ROTATE, args);
}

int view_actions_cmd_restart(app *a, const char *args)
{
	char tcode[TCODE_SIZE], service[64];
	int env;

	if (a->va->st != ST_IDLE) {
		app_message(a, 1, "an action is in progress: wait for it");
		return TUI_REDRAW;
	}
	if (parse_args(a, args, ":restart [TCODE] prod|dev SERVICE", tcode, &env, service,
		       sizeof(service)) < 0)
		return TUI_REDRAW;
	return start_restart(a, tcode, env, service) & ~TUI_HANDLED;
}

int view_actions_cmd_context(app *a, const char *args)
{
	view_actions *v = a->va;
	strbuf sb;
	size_t i, k;

	sb_init(&sb, 512);
	sb_adds(&sb, "Contexts in use (each tenant's actions go to its own cluster):\n");
	for (i = 0; i < a->o->n_clusters; i++) {
		const fleet_cluster_cfg *c = &a->o->clusters[i];
		sb_adds(&sb, "- ");
		termtext_fit(&sb, c->name, 40, 0);
		if (a->o->users && a->o->users[i] && a->o->users[i][0]) {
			sb_adds(&sb, ", user ");
			termtext_fit(&sb, a->o->users[i], 40, 0);
		}
		for (k = 0; a->snap && k < a->snap->n_clusters; k++)
			if (!strcmp(a->snap->clusters[k].name, c->name))
				sb_addf(&sb, ", %zu tenants, %s", a->snap->clusters[k].n_tenants,
					a->snap->clusters[k].reach == FLEET_OK ? "connected"
					: a->snap->clusters[k].reach == FLEET_UNREACHABLE ? "unreachable"
											  : "failing");
		if (!c->client)
			sb_adds(&sb, ", not usable");
		if (actions_worker_readonly(v->w))
			sb_adds(&sb, ", read-only");
		sb_adds(&sb, "\n");
	}
	sb_adds(&sb, "There is no global context switch: the fleet spans every context given "
		     "with --context (or --all-contexts). To use others, start smartops again "
		     "with them.");
	util_strlcpy(v->info, sb.buf, sizeof(v->info));
	sb_release(&sb);
	tui_dialog_message_init(&v->d, "Contexts", v->info);
	v->st = ST_INFO;
	(void)args;
	return TUI_REDRAW;
}

/* ---- life and drawing ---- */

void view_actions_init(app *a)
{
	view_actions *v = xcalloc(1, sizeof(*v));

	v->w = actions_worker_new(a->o->clusters, a->o->n_clusters, a->o->prefix, a->o->readonly);
	a->va = v;
}

void view_actions_release(app *a)
{
	view_actions *v = a->va;

	if (!v)
		return;
	actions_worker_free(v->w);
	free(v);
	a->va = NULL;
}

int view_actions_busy(app *a)
{
	view_actions *v = a->va;

	/* the tenant screen's own check counts too: its answer greys keys */
	return v->st == ST_CHECKING || v->st == ST_RUNNING || actions_worker_busy(v->w);
}

int view_actions_modal(const app *a)
{
	return a->va->st != ST_IDLE;
}

void view_actions_draw(app *a)
{
	view_actions *v = a->va;

	if (v->st == ST_MENU) {
		tui_menu_style ms = {0};
		ms.frame = tui_theme_attr(TUI_ROLE_SECTION);
		ms.title = tui_theme_attr(TUI_ROLE_SECTION) | A_BOLD;
		ms.text = tui_theme_attr(TUI_ROLE_NORMAL);
		ms.greyed = tui_theme_attr(TUI_ROLE_DIM);
		ms.selected = tui_theme_attr(TUI_ROLE_SELECTED);
		ms.note = tui_theme_attr(TUI_ROLE_DIM);
		ms.ascii = tui_term_ascii();
		tui_menu_draw(&v->m, stdscr, &ms);
	} else if (v->st == ST_DIALOG || v->st == ST_INFO) {
		tui_dialog_style ds = {0};
		ds.frame = (attr_t)tui_theme_attr(TUI_ROLE_SECTION);
		ds.title = (attr_t)(tui_theme_attr(TUI_ROLE_SECTION) | A_BOLD);
		ds.text = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
		ds.button = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
		ds.button_focus = (attr_t)tui_theme_attr(TUI_ROLE_SELECTED);
		ds.ascii = tui_term_ascii();
		tui_dialog_draw(&v->d, stdscr, &ds);
	}
}
