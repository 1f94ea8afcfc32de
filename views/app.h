/* views/app.h — the console: screens over the fleet (core/fleet.h) drawn
 * with the tui toolkit. app_run owns everything it starts (watchers, worker
 * threads, the terminal) and gives it all back before returning.
 *
 * Threads: the fleet's publisher and the tenant-detail worker only call
 * tui_loop_wake(); every snapshot is taken and dropped on the UI thread.
 *
 * The struct app below is shared by the views (views/ files), not by callers.
 */
#ifndef VIEWS_APP_H
#define VIEWS_APP_H

#include <stddef.h>
#include <stdint.h>

#include "core/fleet.h"
#include "tui/keymap.h"

typedef struct app_opts {
	const fleet_cluster_cfg *clusters; /* borrowed; must outlive app_run */
	size_t n_clusters;
	const char *const *users; /* user of each cluster's context, may be NULL */
	const char *prefix;	  /* label prefix, NULL: default */
	const char *cache_dir;	  /* NULL: none */
	const char *theme;	  /* name or file; NULL: default (mono with NO_COLOR) */
	int readonly;		  /* --readonly */
	int no_color;		  /* NO_COLOR set */
	const char *script;	  /* keys from this file, no terminal (screen tests) */
	int width, height;	  /* script size; 0: COLUMNS/LINES or 80x24 */
	const char *tenant;	  /* open on this tenant, or NULL: the fleet */
	const char *banner;	  /* a line shown in the title (e.g. "demo"), or NULL */
	int *left_running;	  /* set to 1 when app_run returned 0 or 1 with threads still
				     running (blocked on the network), or NULL */
} app_opts;

/* Runs the console. Returns 0 when the user quit, 1 on an error (printed
 * after the terminal is restored), 2 on bad options, 143 on SIGTERM, SIGINT
 * or SIGQUIT, 129 when the terminal went away (SIGHUP, end of input). After
 * those two the watchers are left running: the caller is expected to exit.
 * On a quit with a terminal, the watches and workers get half a second to
 * wind down; what is still blocked on the network then is left running too
 * (*o->left_running set), so the console returns at once whatever the
 * clusters do. A script run (no terminal) gives them two seconds, time
 * for a teardown that is not held by the network to end whole (leak
 * checks), then does the same. o, and what it points to, must then stay
 * valid until the process ends. */
int app_run(const app_opts *o);

/* ---- shared by the views ---- */

/* APP_FLEET, APP_TENANT ...: one per line of views/screens.def, in its order. */
typedef enum app_screen {
#define SCREEN(id, ...) APP_##id,
#include "views/screens.def"
#undef SCREEN
	APP_SCREEN_COUNT,
} app_screen;

typedef enum app_input {
	APP_INPUT_NONE,
	APP_INPUT_COMMAND, /* ':' */
	APP_INPUT_FILTER,  /* '/' */
	APP_INPUT_JUMP,	   /* typing a TCODE */
} app_input;

struct view_fleet;
struct view_tenant;
struct view_hypnus;
struct view_logs;
struct view_actions;
struct view_wizard;
struct view_runs;
struct view_builds;
struct view_wform;

typedef struct app {
	const app_opts *o;
	fleet *fleet;
	struct env_deps *deps;		   /* what envs wait for outside their workloads */
	struct env_deps_watch *deps_watch; /* its thread */
	fleet_snapshot *snap; /* current, with a reference; NULL before the first */
	int64_t snap_mono;    /* when it arrived (monotonic ms) */
	int64_t start_mono;
	app_screen screen, back; /* back: where help returns */
	app_input input;
	char input_buf[256];
	size_t input_len;
	char input_prev[256]; /* the filter before '/' began, restored if it fails */
	char msg[256]; /* one line under the screen: an error or a note */
	int msg_error;
	int cache_warned; /* an ignored fleet snapshot was said */
	int64_t msg_until; /* monotonic ms */
	char theme[64];
	struct view_fleet *vf;
	struct view_tenant *vt;
	struct view_hypnus *vh;
	struct view_logs *vl;
	struct view_actions *va;
	struct view_wizard *vw;
	struct view_runs *vr;
	struct view_builds *vb;
	struct view_wform *vg;
} app;

/* A message on the bottom line for a few seconds. */
void app_message(app *a, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Opens the tenant screen on tcode (validated); 0 or -1 with a message. */
int app_open_tenant(app *a, const char *tcode);
/* The tenant the operator is looking at: the tenant screen's (and its Hypnus
 * and logs screens'), else the one under the fleet's cursor; NULL when none.
 * The tenant is in a->snap (valid until the next snapshot). */
const char *app_current_tcode(const app *a);
const fleet_tenant *app_current_tenant(const app *a);
/* Loads and applies a theme (name or file); 0 or -1 with a message shown. */
int app_set_theme(app *a, const char *name);
/* The global bindings (quit, help, command line), for the key bar and help. */
const tui_keymap *app_keymap(void);
/* Screen s's keymap and (*title) its section's title in help, or NULL when help
 * shows none for it: the help's sections come from the screens' table. */
const tui_keymap *app_screen_help(app_screen s, const char **title);

#endif
