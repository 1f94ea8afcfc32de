/* views/hypnus.c — the Hypnus panel: state, usage heat map, forecast. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "core/hypnus.h"
#include "core/hypnus_history.h"
#include "core/hypnus_wakes.h"
#include "core/tcode.h"
#include "tui/heatmap.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/hypnus.h"
#include "views/tenant.h"
#include "util/util.h"

#define MAX_WAKES 6
#define MAX_RECENT 24
#define PANEL_COLUMN_MIN 56 /* the predicted and recent wakes side by side from twice this */

enum { REQ_BACK, REQ_ENV, REQ_RELOAD };

static const tui_binding hypnus_bindings[] = {
    {TUI_KEY_ESC, REQ_BACK, "Back", "back to the tenant"},
    {'e', REQ_ENV, "Env", "switch between prod and dev"},
    {'r', REQ_RELOAD, "Reload", "read the usage history again"},
};
static const tui_keymap hypnus_keymap = {"hypnus", hypnus_bindings, ARRAY_SIZE(hypnus_bindings)};


typedef struct view_hypnus {
	/* UI thread */
	char tcode[TCODE_SIZE];
	int env;
	char ns[64];
	char title[48];
	hypnus_history *shown; /* for ns, or NULL */
	/* shared with the worker, under mu */
	pthread_t th;
	int started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	k8s_client *want_client;
	char want_ns[64];
	uint64_t want_gen, done_gen;
	hypnus_history *result; /* answer to done_gen */
} view_hypnus;

static void *worker_run(void *arg)
{
	view_hypnus *v = arg;

	pthread_mutex_lock(&v->mu);
	while (!v->stop) {
		char ns[64];
		k8s_client *c;
		uint64_t gen;
		hypnus_history *r;

		if (v->done_gen == v->want_gen) {
			pthread_cond_wait(&v->cv, &v->mu);
			continue;
		}
		util_strlcpy(ns, v->want_ns, sizeof(ns));
		c = v->want_client;
		gen = v->want_gen;
		pthread_mutex_unlock(&v->mu);

		r = hypnus_history_fetch(c, ns);

		pthread_mutex_lock(&v->mu);
		if (gen == v->want_gen) {
			free(v->result);
			v->result = r;
			v->done_gen = gen;
			r = NULL;
		}
		pthread_mutex_unlock(&v->mu);
		free(r);
		tui_loop_wake();
		pthread_mutex_lock(&v->mu);
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

void view_hypnus_init(app *a)
{
	view_hypnus *v = xcalloc(1, sizeof(*v));

	a->vh = v;
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->cv, NULL);
	v->started = pthread_create(&v->th, NULL, worker_run, v) == 0;
}

void view_hypnus_release(app *a)
{
	view_hypnus *v = a->vh;

	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	v->stop = 1;
	pthread_cond_signal(&v->cv);
	pthread_mutex_unlock(&v->mu);
	if (v->started)
		pthread_join(v->th, NULL);
	free(v->result);
	free(v->shown);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->cv);
	free(v);
	a->vh = NULL;
}

static const fleet_tenant *find_tenant(const fleet_snapshot *s, const char *tcode)
{
	for (size_t i = 0; s && i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tcode))
			return fleet_tenant_at(s, i);
	return NULL;
}

static k8s_client *client_of(app *a, const fleet_tenant *t)
{
	const char *name = a->snap->clusters[t->cluster].name;

	for (size_t i = 0; i < a->o->n_clusters; i++)
		if (!strcmp(a->o->clusters[i].name, name))
			return a->o->clusters[i].client;
	return NULL;
}

static void request(app *a, const fleet_tenant *t)
{
	view_hypnus *v = a->vh;

	pthread_mutex_lock(&v->mu);
	util_strlcpy(v->want_ns, v->ns, sizeof(v->want_ns));
	v->want_client = client_of(a, t);
	v->want_gen++;
	pthread_cond_signal(&v->cv);
	pthread_mutex_unlock(&v->mu);
}

int view_hypnus_open(app *a, const char *tcode, int env)
{
	view_hypnus *v = a->vh;
	const fleet_tenant *t = find_tenant(a->snap, tcode);

	if (!t) {
		app_message(a, 1, "%s is not in the fleet (yet): wait for the list to load", tcode);
		return -1;
	}
	if (t->env[env] < 0)
		env = !env;
	if (t->env[env] < 0) {
		app_message(a, 1, "%s has no environment", tcode);
		return -1;
	}
	util_strlcpy(v->tcode, tcode, sizeof(v->tcode));
	v->env = env;
	util_strlcpy(v->ns, fleet_env(a->snap, t->env[env])->ns, sizeof(v->ns));
	snprintf(v->title, sizeof(v->title), "%s %s", tcode, tcode_env_name((tcode_env)env));
	free(v->shown);
	v->shown = NULL;
	request(a, t);
	return 0;
}

int view_hypnus_update(app *a)
{
	view_hypnus *v = a->vh;
	int r = 0;

	pthread_mutex_lock(&v->mu);
	if (v->result && v->done_gen == v->want_gen) {
		free(v->shown);
		v->shown = v->result;
		v->result = NULL;
		r = TUI_REDRAW;
	}
	pthread_mutex_unlock(&v->mu);
	return r;
}

int view_hypnus_busy(app *a)
{
	view_hypnus *v = a->vh;
	int busy;

	pthread_mutex_lock(&v->mu);
	busy = v->done_gen != v->want_gen;
	pthread_mutex_unlock(&v->mu);
	return busy;
}

const char *view_hypnus_title(const app *a)
{
	return a->vh->title;
}

const tui_keymap *view_hypnus_keymap(void)
{
	return &hypnus_keymap;
}

/* ---- drawing ---- */

static void fmt_dur(int64_t s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
}

/* "Mon 07:58" of wall-clock seconds (local already added). */
static void fmt_wday_hm(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, size, "%s %02d:%02d", hypnus_weekday_name(tm.tm_wday), tm.tm_hour, tm.tm_min);
}

static void fmt_utc(int64_t t, char *buf, size_t size)
{
	char full[32];

	util_rfc3339(t, full, sizeof(full));
	snprintf(buf, size, "%.5s %.5s UTC", full + 5, full + 11);
}

static int put(int y, int x, int w, const char *s, tui_role role)
{
	return tui_text_put_raw(stdscr, y, x, w, s, tui_theme_attr(role), 0);
}

static void draw_state(app *a, const model_env *e, int64_t now, int y, int width)
{
	const model_hypnus *hy = &e->hypnus;
	char buf[256], t1[40], t2[24];
	int x = 1;

	if (!hy->present) {
		put(y, 1, width - 1, "This environment has no Hypnus proxy: it never sleeps.", TUI_ROLE_DIM);
		return;
	}
	x += put(y, x, width - x, "State ", TUI_ROLE_DIM);
	x += put(y, x, width - x, hypnus_state_name((model_hypnus_state)hy->state),
		 hy->state == MODEL_HYPNUS_SLEEPING ? TUI_ROLE_SLEEPING
		 : hy->state == MODEL_HYPNUS_WAKING ? TUI_ROLE_WAKING
		 : hy->state == MODEL_HYPNUS_ACTIVE ? TUI_ROLE_AVAILABLE
						    : TUI_ROLE_UNKNOWN);
	x += put(y, x, width - x, "   Last activity ", TUI_ROLE_DIM);
	if (hy->last_activity > 0) {
		fmt_utc(hy->last_activity, t1, sizeof(t1));
		fmt_dur(now - hy->last_activity, t2, sizeof(t2));
		snprintf(buf, sizeof(buf), "%s (%s ago)", t1, t2);
	} else {
		util_strlcpy(buf, "unknown", sizeof(buf));
	}
	x += put(y, x, width - x, buf, TUI_ROLE_NORMAL);
	x += put(y, x, width - x, "   Idle timeout ", TUI_ROLE_DIM);
	if (hy->idle_timeout_s > 0)
		fmt_dur(hy->idle_timeout_s, buf, sizeof(buf));
	else
		util_strlcpy(buf, "unknown", sizeof(buf));
	put(y, x, width - x, buf, TUI_ROLE_NORMAL);

	x = 1;
	x += put(y + 1, x, width - x, "Last wake ", TUI_ROLE_DIM);
	if (hy->last_wake > 0) {
		fmt_utc(hy->last_wake, t1, sizeof(t1));
		x += put(y + 1, x, width - x, t1, TUI_ROLE_NORMAL);
		x += put(y + 1, x, width - x, "   Cold start ", TUI_ROLE_DIM);
		if (hy->cold_start_s > 0)
			snprintf(buf, sizeof(buf), "%ds (waking -> ready)", (int)hy->cold_start_s);
		else
			util_strlcpy(buf, "not measured", sizeof(buf));
		put(y + 1, x, width - x, buf, TUI_ROLE_NORMAL);
	} else {
		put(y + 1, x, width - x, "none recorded", TUI_ROLE_NORMAL);
	}
	(void)a;
}

/* "Next predicted wakes" at (y, x) in w columns, at most h rows; returns the rows used. */
static int draw_predicted(const hypnus_history *r, const model_env *e, int64_t now, int y, int x0,
			  int h, int w)
{
	hypnus_wake wk[MAX_WAKES];
	size_t n_wk;
	char buf[160], when[24], from[24], to[24];
	int used = 0;

	n_wk = hypnus_forecast(r->win, r->n_win, r->u.utc_offset_min, e->hypnus.cold_start_s, now, wk,
			       MAX_WAKES);
	if (n_wk > MAX_WAKES)
		n_wk = MAX_WAKES;
	snprintf(buf, sizeof(buf), "Next predicted wakes, %ds ahead",
		 e->hypnus.cold_start_s > 0 ? (int)e->hypnus.cold_start_s : HYPNUS_DEFAULT_COLD_START_S);
	{
		int x = x0 + put(y, x0, w, buf, TUI_ROLE_SECTION);
		strbuf tz;
		sb_init(&tz, 96);
		sb_addf(&tz, "  (local time, UTC%c%02d:%02d%s", r->u.utc_offset_min < 0 ? '-' : '+',
			abs(r->u.utc_offset_min) / 60, abs(r->u.utc_offset_min) % 60,
			r->u.timezone[0] ? " " : "");
		sb_adds(&tz, r->u.timezone);
		sb_adds(&tz, ")");
		if (x < x0 + w)
			tui_text_put(stdscr, y, x, x0 + w - x, tz.buf, tui_theme_attr(TUI_ROLE_DIM), 0);
		sb_release(&tz);
	}
	y++;
	used++;
	if (n_wk == 0 && used < h) {
		put(y, x0 + 2, w - 2, "none: no hour of the week is busy in at least half the weeks",
		    TUI_ROLE_DIM);
		used++;
	}
	for (size_t i = 0; i < n_wk && used < h; i++, used++) {
		char in[24];
		fmt_wday_hm(wk[i].wake_local, when, sizeof(when));
		fmt_wday_hm(wk[i].start_local, from, sizeof(from));
		fmt_wday_hm(wk[i].end_local, to, sizeof(to));
		fmt_dur(wk[i].wake_utc - now, in, sizeof(in));
		/* "wake Mon 07:58  busy 08:00 - 18:00  (in 3h02m)"; the end's day only when it differs */
		snprintf(buf, sizeof(buf), "wake %s  busy %s - %s  (in %s)", when,
			 strncmp(when, from, 3) ? from : from + 4, strncmp(from, to, 3) ? to : to + 4, in);
		put(y + (int)i, x0 + 2, w - 2, buf, TUI_ROLE_NORMAL);
	}
	return used;
}

/* "Recent wakes", from the environment's Hypnus events in the tenant's detail:
 * when each began (local time), why, and its cold start. */
static int draw_recent(app *a, const hypnus_history *r, const model_env *e, int64_t now, int y,
		       int x0, int h, int w)
{
	const fleet_snapshot *d = view_tenant_detail(a);
	hypnus_wake_rec wk[MAX_RECENT];
	size_t n_wk = 0;
	int32_t di = -1;
	int used = 1;
	char buf[160], when[24], cold[24];

	for (size_t i = 0; d && i < d->n_envs; i++)
		if (!strcmp(fleet_env(d, i)->ns, e->ns))
			di = (int32_t)i;
	if (di >= 0)
		n_wk = hypnus_wakes(d->events, d->event_env, di, d->n_events, wk, MAX_RECENT);
	put(y, x0, w, "Recent wakes", TUI_ROLE_SECTION);
	if (!d || di < 0) {
		if (h > 1)
			put(y + 1, x0 + 2, w - 2, "reading the tenant's events...", TUI_ROLE_DIM);
		return h > 1 ? 2 : 1;
	}
	if (n_wk == 0 && h > 1) {
		put(y + 1, x0 + 2, w - 2, "none in the events the cluster keeps", TUI_ROLE_DIM);
		return 2;
	}
	for (size_t i = 0; i < n_wk && used < h; i++, used++) {
		const hypnus_wake_rec *k = &wk[i];
		int row = y + used, x = x0 + 2;

		fmt_wday_hm(k->start + (int64_t)r->u.utc_offset_min * 60, when, sizeof(when));
		if (k->ready > 0)
			fmt_dur(k->ready - k->start, cold, sizeof(cold));
		else
			fmt_dur(now - k->start, cold, sizeof(cold));
		x += put(row, x, x0 + w - x, when, TUI_ROLE_NORMAL) + 2;
		switch (k->cause) {
		case HYPNUS_WAKE_FORECAST:
			x += put(row, x, x0 + w - x, "ahead, by the forecast", TUI_ROLE_AVAILABLE);
			snprintf(buf, sizeof(buf), k->ready ? ", ready in %s" : ", waking for %s", cold);
			break;
		case HYPNUS_WAKE_REQUEST:
			x += put(row, x, x0 + w - x, "on a request", TUI_ROLE_DEGRADED);
			snprintf(buf, sizeof(buf), k->ready ? ": a user waited %s" : ": waiting for %s", cold);
			break;
		case HYPNUS_WAKE_ASKED:
			x += put(row, x, x0 + w - x, "asked for", TUI_ROLE_NORMAL);
			snprintf(buf, sizeof(buf), k->ready ? ", ready in %s" : ", waking for %s", cold);
			break;
		default:
			x += put(row, x, x0 + w - x, "woken", TUI_ROLE_NORMAL);
			snprintf(buf, sizeof(buf), k->ready ? ", ready in %s" : ", waking for %s", cold);
			break;
		}
		if (x < x0 + w)
			put(row, x, x0 + w - x, buf, TUI_ROLE_NORMAL);
	}
	return used;
}

static void draw_usage(app *a, const hypnus_history *r, const model_env *e, int64_t now, int y,
		       int h, int width)
{
	tui_heatmap hm;
	tui_heatmap_style st = {0};
	int rows, ascii = tui_term_ascii();

	memset(&hm, 0, sizeof(hm));
	for (int d = 0; d < TUI_HEATMAP_ROWS; d++) {
		hm.row_label[d] = hypnus_weekday_name(d);
		for (int hr = 0; hr < TUI_HEATMAP_COLS; hr++)
			hm.value[d][hr] = r->m.mean[d][hr];
	}
	for (size_t i = 0; i < r->n_win; i++)
		for (int k = 0; k < r->win[i].hours; k++) {
			int cell = (r->win[i].wday * 24 + r->win[i].hour + k) % HYPNUS_WEEK_HOURS;
			hm.mark[cell / 24][cell % 24] = 1;
		}
	st.ascii = ascii;
	st.label = (attr_t)tui_theme_attr(TUI_ROLE_DIM);
	st.mark = (attr_t)tui_theme_attr(TUI_ROLE_WAKING) | A_BOLD;
	for (int l = 0; l < TUI_HEATMAP_MAX_LEVELS; l++)
		st.level[l] = (attr_t)tui_theme_attr(TUI_ROLE_NORMAL);
	if (h < 10) {
		put(y, 1, width - 1, "(make the terminal taller to see the usage heat map)", TUI_ROLE_DIM);
		return;
	}
	rows = tui_heatmap_draw(&hm, stdscr, y, 1, width - 2, &st);
	if (rows < 0) {
		put(y, 1, width - 1, "(make the terminal wider to see the usage heat map)", TUI_ROLE_DIM);
		return;
	}
	y += rows;
	tui_heatmap_draw_legend(stdscr, y, 1, width - 2, "predicted busy", &st);
	{
		int used = (int)(strlen("low  high  x predicted busy") + tui_heatmap_levels(ascii));
		if (used + 2 < width)
			put(y, 1 + used, width - 2 - used, "   requests per hour, mean of 4 weeks",
			    TUI_ROLE_DIM);
	}
	y += 2;
	h -= rows + 2;
	if (h < 2)
		return;
	if (width >= 2 * PANEL_COLUMN_MIN) { /* side by side: what is predicted, what happened */
		int half = width / 2;

		draw_predicted(r, e, now, y, 1, h, half - 1);
		draw_recent(a, r, e, now, y, half + 1, h, width - half - 1);
	} else {
		int used = draw_predicted(r, e, now, y, 1, h > 6 ? h / 2 : h, width - 1);

		if (h - used - 1 >= 2)
			draw_recent(a, r, e, now, y + used + 1, 1, h - used - 1, width - 1);
	}
}

void view_hypnus_draw(app *a, int y, int h, int width)
{
	view_hypnus *v = a->vh;
	const fleet_tenant *t = find_tenant(a->snap, v->tcode);
	const model_env *e;
	k8s_client *c;
	int64_t now;
	char buf[160];

	if (!t || t->env[v->env] < 0) {
		put(y + 1, 2, width - 2, "this tenant is no longer in the fleet", TUI_ROLE_DIM);
		return;
	}
	e = fleet_env(a->snap, t->env[v->env]);
	snprintf(buf, sizeof(buf), "Hypnus  %s %s  namespace ", v->tcode,
		 tcode_env_name((tcode_env)v->env));
	{
		int x = put(y, 1, width - 1, buf, TUI_ROLE_SECTION) + 1;
		tui_text_put(stdscr, y, x, width - x, e->ns, tui_theme_attr(TUI_ROLE_SECTION), 0);
	}
	if (e->fresh.stale)
		put(y, width / 2 > 50 ? width - 30 : width - 1, 29, "data stale: cluster not answering",
		    TUI_ROLE_BANNER);
	/* idle times and next wakes by the cluster's clock, which may run ahead of ours */
	c = client_of(a, t);
	now = c ? k8s_client_server_now(c) : util_now_ms() / 1000;
	draw_state(a, e, now, y + 1, width);
	y += 4;
	h -= 4;
	if (!v->shown) {
		put(y, 1, width - 1, "reading the usage history...", TUI_ROLE_DIM);
		return;
	}
	if (!v->shown->ok) {
		tui_text_put(stdscr, y, 1, width - 1, v->shown->err, tui_theme_attr(TUI_ROLE_ERROR), 0);
		return;
	}
	draw_usage(a, v->shown, e, now, y, h, width);
}

int view_hypnus_key(app *a, int key)
{
	view_hypnus *v = a->vh;
	const fleet_tenant *t;

	switch (tui_keymap_find(&hypnus_keymap, key)) {
	case REQ_BACK:
		a->screen = APP_TENANT;
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_ENV:
		t = find_tenant(a->snap, v->tcode);
		if (!t || t->env[!v->env] < 0) {
			app_message(a, 1, "%s has no %s environment", v->tcode,
				    tcode_env_name((tcode_env)!v->env));
			return TUI_HANDLED | TUI_REDRAW;
		}
		view_hypnus_open(a, v->tcode, !v->env);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_RELOAD:
		t = find_tenant(a->snap, v->tcode);
		if (t)
			request(a, t);
		return TUI_HANDLED | TUI_REDRAW;
	}
	return 0;
}
