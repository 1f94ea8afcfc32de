/* views/app.c — the console: screens, bars, the loop's handlers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "core/env_deps.h"
#include "core/tcode.h"
#include "tui/bars.h"
#include "tui/loop.h"
#include "tui/term.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/actions.h"
#include "views/builds.h"
#include "views/app.h"
#include "views/cmdline.h"
#include "views/fleet.h"
#include "views/help.h"
#include "views/hypnus.h"
#include "views/logs.h"
#include "views/runs.h"
#include "views/tenant.h"
#include "views/wizard_form.h"
#include "views/wizard_ns.h"
#include "util/termtext.h"
#include "util/trace.h"
#include "util/util.h"

#define MIN_COLS 60
#define MIN_LINES 12
#define MESSAGE_MS 5000
#define QUIT_WAIT_MS 500 /* q: how long the watches and workers may take to wind down */
/* :quit in a script run: as after q, but long enough for a teardown that is only
 * winding down to end (cancelled watches notice within about a second: 0.4 to 1 s
 * measured, under AddressSanitizer too), so that a leak check at the exit sees it
 * whole. What still waits then is a request the cluster holds (a hung API: tens of
 * seconds, up to the request timeouts), set aside as after q. */
#define SCRIPT_QUIT_WAIT_MS 2000

enum { REQ_QUIT, REQ_HELP, REQ_COMMAND, REQ_REDRAW };

/* q first: the wizard's key bar (wizard_global_keymap) shows the two after it */
static const tui_binding global_bindings[] = {
    {'q', REQ_QUIT, "Quit", "quit (back from the tenant and help screens)"},
    {'?', REQ_HELP, "Help", "this help"},
    {':', REQ_COMMAND, "Cmd", "command line (:tenant T12345, :theme dark, :quit)"},
    {TUI_KEY_CTRL('l'), REQ_REDRAW, NULL, "draw the whole screen again"},
};
static const tui_keymap global_keymap = {"global", global_bindings, ARRAY_SIZE(global_bindings)};
/* what the key bar offers in the wizard, where q is not Quit (Esc leaves, page by page) */
static const tui_keymap wizard_global_keymap = {"global", global_bindings + 1, 2};

const tui_keymap *app_keymap(void)
{
	return &global_keymap;
}

void app_message(app *a, int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->msg_error = is_error;
	a->msg_until = util_mono_ms() + MESSAGE_MS;
}

int app_open_tenant(app *a, const char *tcode)
{
	char tc[TCODE_SIZE], err[160];

	if (tcode_parse(tcode, tc, err, sizeof(err)) < 0) {
		strbuf sb;
		sb_init(&sb, 64);
		termtext_escape(&sb, err);
		app_message(a, 1, "%s", sb.buf);
		sb_release(&sb);
		return -1;
	}
	view_tenant_open(a, tc);
	a->screen = APP_TENANT;
	return 0;
}

int app_set_theme(app *a, const char *name)
{
	tui_theme th;
	char err[300];

	if (tui_theme_load(&th, name, err, sizeof(err)) < 0) {
		app_message(a, 1, "%s", err);
		return -1;
	}
	tui_theme_apply(&th);
	util_strlcpy(a->theme, th.name, sizeof(a->theme));
	clearok(curscr, TRUE);
	return 0;
}

/* ---- bars ---- */

static void fmt_clock(int64_t t, char *buf, size_t size)
{
	char full[40];

	util_rfc3339(t, full, sizeof(full));
	snprintf(buf, size, "%.8s", full + 11);
}

/* ---- the screens ---- */

static void title_fleet(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "Fleet %s %zu tenants", tui_glyph_str(TUI_G_VLINE),
		 a->snap ? a->snap->n_tenants : (size_t)0);
}

static void title_tenant(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "Tenant %s", view_tenant_tcode(a));
}

static void title_help(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "Help");
}

static void title_hypnus(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "Hypnus %s", view_hypnus_title(a));
}

static void title_logs(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "Logs %s", view_logs_title(a));
}

static void title_wizard(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s", view_wizard_title(a));
}


static void title_runs(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s", view_runs_title(a));
}

static void title_builds(app *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s", view_builds_title(a));
}

/* What the app asks of a screen (tig's view_ops): its title (after
 * "smartops |"), drawing and keys; update (after a wake: a worker finished,
 * time passed), busy (work in flight: scripts wait) and release for the
 * screens with workers; init (its state made, at the start); its keymap for
 * the key bar; console_keys for the screens where q is not Quit and ? and :
 * may be typed (the wizards): 1 when ? and : reach the console. Adding a
 * screen is its file in views/ and its line in views/screens.def (which makes
 * its APP_ value and its entry here); help lists each screen's keymap under its
 * help title, in that order. */
typedef struct screen_ops {
	void (*title)(app *a, char *buf, size_t size);
	void (*draw)(app *a, int y, int h, int w);
	int (*key)(app *a, int k);
	int (*update)(app *a);	 /* NULL: nothing in the background */
	int (*busy)(app *a);	 /* NULL: never busy */
	void (*release)(app *a); /* NULL: nothing to free */
	void (*init)(app *a);	 /* NULL: no state */
	const tui_keymap *(*keymap)(void); /* NULL: the global keys only */
	int (*console_keys)(const app *a); /* NULL: every global key, q quits */
	const char *help;		   /* NULL, or its keymap's section title in help */
} screen_ops;

static const screen_ops screens[APP_SCREEN_COUNT] = {
#define SCREEN(id, title, draw, key, update, busy, release, init, keymap, console_keys, help)     \
	[APP_##id] = {title, draw, key, update, busy, release, init, keymap, console_keys, help},
#include "views/screens.def"
#undef SCREEN
};

const tui_keymap *app_screen_help(app_screen s, const char **title)
{
	const screen_ops *o = (unsigned)s < APP_SCREEN_COUNT ? &screens[s] : NULL;

	if (!o || !o->help || !o->keymap)
		return NULL;
	*title = o->help;
	return o->keymap();
}

static const screen_ops *screen_of(const app *a)
{
	return (unsigned)a->screen < APP_SCREEN_COUNT ? &screens[a->screen] : &screens[APP_FLEET];
}

/* The tenant screen and the screens it opens show one tenant. */
static int shows_tenant(const app *a)
{
	const char *tc = view_tenant_tcode(a);

	return (a->screen == APP_TENANT || a->screen == APP_HYPNUS || a->screen == APP_LOGS ||
		a->screen == APP_BUILDS) &&
	       tc && tc[0];
}

const char *app_current_tcode(const app *a)
{
	return shows_tenant(a) ? view_tenant_tcode(a) : view_fleet_current(a);
}

const fleet_tenant *app_current_tenant(const app *a)
{
	const char *tc = view_tenant_tcode(a);
	size_t i;

	if (!shows_tenant(a))
		return view_fleet_current_tenant(a); /* the row's: its cluster too */
	for (i = 0; a->snap && i < a->snap->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(a->snap, i)->t.tcode, tc))
			return fleet_tenant_at(a->snap, i);
	return NULL;
}

static void draw_title(app *a, int width)
{
	char left[128], right[128] = "", what[112];

	screen_of(a)->title(a, what, sizeof(what));
	snprintf(left, sizeof(left), " smartops %s %s", tui_glyph_str(TUI_G_VLINE), what);
	if (a->screen == APP_FLEET && view_fleet_filter(a)[0]) {
		strbuf sb;
		sb_init(&sb, 128);
		sb_addf(&sb, "%zu shown, filter /", view_fleet_shown(a));
		tui_text_fit(&sb, view_fleet_filter(a), 40, 0);
		sb_adds(&sb, " ");
		util_strlcpy(right, sb.buf, sizeof(right));
		sb_release(&sb);
	} else if (a->o->banner) {
		snprintf(right, sizeof(right), "%s ", a->o->banner);
	}
	tui_bar_draw(stdscr, 0, width, TUI_ROLE_TITLE, left, right);
}

/* The banner for clusters that do not answer; returns 1 if drawn. */
static int draw_banner(app *a, int y, int width)
{
	const fleet_snapshot *s = a->snap;
	size_t i, bad = 0, first = 0;
	strbuf sb;
	char when[16];

	for (i = 0; s && i < s->n_clusters; i++)
		if (s->clusters[i].reach != FLEET_OK && bad++ == 0)
			first = i;
	if (!bad)
		return 0;
	sb_init(&sb, 256);
	if (bad == 1) {
		const fleet_cluster_state *c = &s->clusters[first];
		sb_addf(&sb, " %s cluster ", tui_term_ascii() ? "!!" : "\u26a0");
		tui_text_fit(&sb, c->name, 32, 0);
		sb_adds(&sb, c->reach == FLEET_UNREACHABLE ? " unreachable" : " failing");
		if (c->since > 0) {
			fmt_clock(c->since, when, sizeof(when));
			sb_addf(&sb, " since %s UTC", when);
		}
		sb_adds(&sb, ": ");
		tui_text_fit(&sb, c->why, 80, 0);
		sb_adds(&sb, " - its tenants show as unknown, data is stale");
	} else {
		sb_addf(&sb, " %s %zu clusters do not answer; their tenants show as unknown",
			tui_term_ascii() ? "!!" : "\u26a0", bad);
	}
	tui_bar_draw(stdscr, y, width, TUI_ROLE_BANNER, sb.buf, NULL);
	sb_release(&sb);
	return 1;
}

static void draw_status(app *a, int y, int width)
{
	const fleet_snapshot *s = a->snap;
	strbuf left, right;
	size_t i, ok = 0, syncing = 0;
	const char *sep = tui_term_ascii() ? " | " : " \u2502 ";

	sb_init(&left, 256);
	sb_init(&right, 64);
	sb_adds(&left, " ");
	for (i = 0; i < a->o->n_clusters && i < 3; i++) {
		if (i)
			sb_adds(&left, ", ");
		tui_text_fit(&left, a->o->clusters[i].name, 24, 0);
	}
	if (a->o->n_clusters > 3)
		sb_addf(&left, " +%zu", a->o->n_clusters - 3);
	if (a->o->users && a->o->users[0] && a->o->users[0][0]) {
		sb_adds(&left, sep);
		sb_adds(&left, "user ");
		tui_text_fit(&left, a->o->users[0], 24, 0);
	}
	sb_adds(&left, sep);
	for (i = 0; s && i < s->n_clusters; i++) {
		ok += s->clusters[i].reach == FLEET_OK;
		syncing += s->clusters[i].reach == FLEET_OK && !s->clusters[i].synced;
	}
	if (!s)
		sb_adds(&left, "connecting");
	else if (ok == s->n_clusters && !syncing)
		sb_adds(&left, "connected");
	else if (ok == s->n_clusters) {
		int64_t snap_at = 0;
		char age[16];
		for (i = 0; i < s->n_clusters; i++)
			if (s->clusters[i].snapshot_at > snap_at)
				snap_at = s->clusters[i].snapshot_at;
		if (snap_at) {
			view_fleet_age(util_now_ms() / 1000 - snap_at, age, sizeof(age));
			sb_addf(&left, "STALE (snapshot %s old), loading", age);
		} else {
			sb_adds(&left, "loading");
		}
	}
	else if (!ok)
		sb_adds(&left, "UNREACHABLE");
	else
		sb_addf(&left, "%zu of %zu clusters unreachable", s->n_clusters - ok, s->n_clusters);
	if (s) {
		int64_t age = (util_mono_ms() - a->snap_mono) / 1000;
		sb_adds(&left, sep);
		sb_addf(&left, "last change %llds ago", (long long)age);
	}
	if (a->o->readonly)
		sb_adds(&right, "READ-ONLY ");
	tui_bar_draw(stdscr, y, width, TUI_ROLE_STATUS, left.buf, right.buf);
	sb_release(&left);
	sb_release(&right);
}

static void draw_bottom(app *a, int y, int width)
{
	const tui_keymap *maps[4];
	size_t n = 0;

	if (a->input != APP_INPUT_NONE) {
		view_cmdline_draw(a, y, width);
		return;
	}
	if (a->msg[0] && util_mono_ms() < a->msg_until) {
		tui_text_fill(stdscr, y, 0, width, 0);
		tui_text_put_raw(stdscr, y, 0, width, a->msg,
				 tui_theme_attr(a->msg_error ? TUI_ROLE_ERROR : TUI_ROLE_NORMAL), 0);
		return;
	}
	a->msg[0] = '\0';
	if (screen_of(a)->keymap)
		maps[n++] = screen_of(a)->keymap();
	if (view_actions_keymap(a->screen))
		maps[n++] = view_actions_keymap(a->screen);
	if (!screen_of(a)->console_keys)
		maps[n++] = &global_keymap;
	else if (screen_of(a)->console_keys(a))
		maps[n++] = &wizard_global_keymap;
	tui_keybar_draw_off(stdscr, y, width, maps, n, view_actions_greyed, a);
}

/* ---- loop handlers ---- */

static void draw(void *ctx)
{
	app *a = ctx;
	int w = COLS, h = LINES, y = 1, body;

	erase();
	if (w < MIN_COLS || h < MIN_LINES) {
		char buf[128];
		snprintf(buf, sizeof(buf), "Terminal too small: %dx%d.", w, h);
		tui_text_put_raw(stdscr, h / 2 - 1 > 0 ? h / 2 - 1 : 0, 0, w, buf, A_BOLD, 0);
		snprintf(buf, sizeof(buf), "smartops needs at least %dx%d.", MIN_COLS, MIN_LINES);
		tui_text_put_raw(stdscr, h / 2 > 0 ? h / 2 : 0, 0, w, buf, 0, 0);
		if (h > 2)
			tui_text_put_raw(stdscr, h / 2 + 1, 0, w, "Make it larger, or press q to quit.", 0, 0);
		return;
	}
	draw_title(a, w);
	if (draw_banner(a, y, w))
		y++;
	body = h - 2 - y;
	screen_of(a)->draw(a, y, body, w);
	draw_status(a, h - 2, w);
	draw_bottom(a, h - 1, w);
	view_actions_draw(a);
}

static int key_screen(app *a, int k)
{
	int r;

	if (k == TUI_KEY_FN(KEY_RESIZE))
		return TUI_HANDLED | TUI_REDRAW;
	if (view_actions_modal(a))
		return view_actions_key(a, k);
	a->msg[0] = '\0'; /* a message lasts until the next key */
	if (a->input != APP_INPUT_NONE)
		return view_cmdline_key(a, k);
	if (COLS < MIN_COLS || LINES < MIN_LINES)
		return k == 'q' ? TUI_QUIT : TUI_HANDLED;
	r = screen_of(a)->key(a, k);
	if (r)
		return r;
	if (a->screen == APP_FLEET || a->screen == APP_TENANT)
		if ((r = view_actions_key(a, k)) != 0)
			return r;
	switch (tui_keymap_find(&global_keymap, k)) {
	case REQ_QUIT:
		if (a->screen == APP_FLEET)
			return TUI_QUIT;
		a->screen = APP_FLEET;
		view_tenant_update(a);
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_HELP:
		a->back = a->screen;
		a->screen = APP_HELP;
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_COMMAND:
		a->input = APP_INPUT_COMMAND;
		a->input_len = 0;
		a->input_buf[0] = '\0';
		return TUI_HANDLED | TUI_REDRAW;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
}

static int key(void *ctx, int k)
{
	app *a = ctx;
	int r = key_screen(a, k);

	view_actions_prefetch(a); /* the cursor may be on another tenant now */
	return r;
}

static int wake(void *ctx)
{
	app *a = ctx;
	fleet_snapshot *s = fleet_snapshot_get(a->fleet);
	int r = 0, u;
	size_t i;

	if (s && (!a->snap || s->version != a->snap->version)) {
		if (a->snap)
			fleet_snapshot_put(a->snap);
		a->snap = s;
		a->snap_mono = util_mono_ms();
		/* a row in sight that changed is drawn at once, the rest when paced */
		u = view_fleet_update(a);
		util_trace("wake v=%llu urgent=%d", (unsigned long long)s->version, u != 0);
		for (i = 0; !a->cache_warned && i < s->n_clusters; i++)
			if (s->clusters[i].cache_warn[0]) {
				/* not shown, and replaced after the next full listing */
				app_message(a, 1, "%s", s->clusters[i].cache_warn);
				a->cache_warned = 1;
			}
		r = TUI_REDRAW | (a->screen == APP_FLEET ? u : 0);
	} else if (s) {
		fleet_snapshot_put(s);
	}
	for (i = 0; i < APP_SCREEN_COUNT; i++)
		if (screens[i].update)
			r |= screens[i].update(a);
	return r | view_actions_update(a);
}

static int tick(void *ctx)
{
	view_runs_tick(ctx);
	return TUI_REDRAW | wake(ctx); /* ages move; a missed wake is caught */
}

static int busy(void *ctx)
{
	app *a = ctx;
	size_t i;

	if (!a->snap)
		return 1;
	for (i = 0; i < a->snap->n_clusters; i++)
		if (a->snap->clusters[i].reach == FLEET_OK && !a->snap->clusters[i].synced)
			return 1;
	for (i = 0; i < APP_SCREEN_COUNT; i++)
		if (screens[i].busy && screens[i].busy(a))
			return 1;
	return view_actions_busy(a);
}

static int command(void *ctx, const char *cmd)
{
	app *a = ctx;

	a->msg[0] = '\0';
	return view_cmdline_run(ctx, cmd);
}

static const tui_loop_ops ops = {draw, key, wake, tick, busy, command};

static void on_change(void *ctx)
{
	tui_loop_wake();
}

/* ---- the end ---- */

/* Stops the watches and joins the workers; the views' state goes too. */
static void release_all(app *a)
{
	size_t i;

	env_deps_watch_stop(a->deps_watch);
	a->deps_watch = NULL;
	fleet_watch_stop(a->fleet);
	view_actions_release(a);
	for (i = APP_SCREEN_COUNT; i-- > 0;) /* newest screens first, the fleet last */
		if (screens[i].release)
			screens[i].release(a);
	if (a->snap)
		fleet_snapshot_put(a->snap);
	a->snap = NULL;
	fleet_free(a->fleet);
	a->fleet = NULL;
	env_deps_free(a->deps);
	a->deps = NULL;
}

static atomic_int released;

static void *release_thread(void *arg)
{
	release_all(arg);
	atomic_store(&released, 1);
	return NULL;
}

/* release_all on a thread of its own, waited for up to ms: 0 when it ended
 * (joined), -1 when something still waits on the network (a load, a check,
 * a step of a run): the thread is left to it and the process is expected to
 * end. */
static int release_within(app *a, int ms)
{
	pthread_t th;
	int64_t until = util_mono_ms() + ms;
	struct timespec step = {0, 5 * 1000000L};

	atomic_store(&released, 0);
	if (pthread_create(&th, NULL, release_thread, a) != 0) {
		release_all(a);
		return 0;
	}
	while (!atomic_load(&released) && util_mono_ms() < until)
		nanosleep(&step, NULL);
	if (!atomic_load(&released)) {
		pthread_detach(th);
		return -1;
	}
	pthread_join(th, NULL);
	return 0;
}

int app_run(const app_opts *o)
{
	/* static: when the console leaves threads behind (a signal, or a quit
	 * while something waits on the network), they may still use it while
	 * the process ends */
	static app a;
	tui_theme th;
	tui_script *script = NULL;
	tui_term_opts to = {0};
	fleet_opts fo = {0};
	char err[512];
	const char *theme = o->theme ? o->theme : o->no_color ? "mono" : "default";
	tui_loop_end end;
	int ret = 0;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.start_mono = util_mono_ms();
	if (tui_theme_load(&th, theme, err, sizeof(err)) < 0) {
		fprintf(stderr, "smartops: %s\n", err);
		return 2;
	}
	util_strlcpy(a.theme, th.name, sizeof(a.theme));
	if (o->script && !(script = tui_script_open(o->script, err, sizeof(err)))) {
		fprintf(stderr, "smartops: %s\n", err);
		return 2;
	}
	if (tui_loop_init(err, sizeof(err)) < 0) {
		fprintf(stderr, "smartops: %s\n", err);
		tui_script_free(script);
		return 1;
	}
	to.headless = script != NULL;
	to.width = o->width;
	to.height = o->height;
	to.no_color = o->no_color || !strcmp(th.name, "mono");
	if (tui_term_open(&to, err, sizeof(err)) < 0) {
		fprintf(stderr, "smartops: %s\n", err);
		tui_loop_release();
		tui_script_free(script);
		return 1;
	}
	util_set_die_hook(tui_term_emergency_restore); /* any thread, no memory */
	tui_theme_apply(&th);

	fo.prefix = o->prefix;
	fo.cache_dir = o->cache_dir;
	/* A change in sight is drawn at once (views/fleet_seen.h): snapshots
	 * come at most every 100 ms, each a patch of the last (core/fleet_patch.c). */
	fo.min_interval_ms = 100;
	a.fleet = fleet_new(o->clusters, o->n_clusters, &fo);
	a.deps = env_deps_new();
	fleet_set_deps(a.fleet, a.deps);
	for (i = 0; i < APP_SCREEN_COUNT; i++)
		if (screens[i].init)
			screens[i].init(&a);
	view_actions_init(&a);
	a.screen = a.back = APP_FLEET;
	if (fleet_watch_start(a.fleet, on_change, NULL) < 0)
		app_message(&a, 1, "cannot watch the fleet");
	/* databases and file servers of the envs that wait: checked off the UI thread */
	a.deps_watch = env_deps_watch_start(a.deps, a.fleet, o->clusters, o->n_clusters, o->prefix, 5000);
	wake(&a); /* a snapshot of the last run, if any, is the first frame */
	if (o->tenant)
		app_open_tenant(&a, o->tenant);

	err[0] = '\0';
	end = tui_loop_run(&ops, &a, script, err, sizeof(err));
	tui_term_close();
	util_set_die_hook(NULL);

	switch (end) {
	case TUI_END_QUIT:
		ret = 0;
		break;
	case TUI_END_SIGNAL:
		ret = 128 + 15;
		break;
	case TUI_END_HANGUP:
		ret = 128 + 1;
		break;
	case TUI_END_ERROR:
		fprintf(stderr, "smartops: %s\n", err);
		ret = 1;
		break;
	}
	if (end == TUI_END_HANGUP || end == TUI_END_SIGNAL) {
		/* Asked to go, or nobody is watching: the terminal is given back,
		 * so leave now rather than wait for watches and loads in flight
		 * to wind down (the process ends right after). */
		tui_script_free(script);
		return ret;
	}
	/* A person gets the prompt back within QUIT_WAIT_MS; a script run (tests)
	 * gives the teardown a little longer, so that a leak check sees it whole
	 * when nothing hangs, but does not wait for hung requests either. */
	if (release_within(&a, script ? SCRIPT_QUIT_WAIT_MS : QUIT_WAIT_MS) < 0) {
		/* The screen is already given back; what is still blocked on the
		 * network (the wake pipe included) is left for the process end. */
		if (o->left_running)
			*o->left_running = 1;
		tui_script_free(script);
		return ret;
	}
	tui_loop_release();
	tui_script_free(script);
	return ret;
}
