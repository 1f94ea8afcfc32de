/* views/actions.h — wake, sleep and restart from the console, and copy.
 *
 * Keys (declared in the tables below, shown on the key bar and in help):
 * W wake, Z sleep, R restart (tenant screen), y copy; and the : commands
 * wake, sleep, restart and context. Every write goes through core/actions:
 * actions_check() on the worker (views/actions_worker.h) before anything is
 * shown, then a confirmation dialog (No by default) with actions_describe()'s
 * text, then actions_run() on the worker; the result, or why not, is one
 * line on the message line. A key whose action the user may not do (read-only
 * session, RBAC denied) is greyed on the key bar and pressing it shows the
 * reason instead of a tui_dialog; an environment with nothing to do is greyed in
 * the environment menu with its reason.
 *
 * While a menu or a dialog is open it takes every key (view_actions_modal).
 * UI thread only, except the worker.
 */
#ifndef VIEWS_ACTIONS_H
#define VIEWS_ACTIONS_H

#include "tui/keymap.h"
#include "views/app.h"

/* Starts the worker (borrows a->o->clusters). */
void view_actions_init(app *a);
void view_actions_release(app *a);
/* Picks up the worker's results; TUI_REDRAW when something changed. */
int view_actions_update(app *a);
/* Checks ahead, on the worker, whether the user may write to the tenant
 * shown (tenant screen) or under the cursor (fleet), so the key bar greys
 * what is refused as soon as the answer comes; again after the gate's time
 * to live. Cheap when nothing changed: call it after every key and wake. */
void view_actions_prefetch(app *a);
/* 1 while a check or a run is in flight (script mode waits for it). */
int view_actions_busy(app *a);
/* 1 while a menu or a dialog is open. */
int view_actions_modal(const app *a);
/* A key: the modal box's, or an action key on the fleet or tenant screen.
 * Returns TUI_* flags, 0 when the key is not ours. */
int view_actions_key(app *a, int key);
/* Draws the open menu or dialog over the screen. */
void view_actions_draw(app *a);
/* The action keys of a screen (fleet or tenant), or NULL. */
const tui_keymap *view_actions_keymap(app_screen s);
/* For the key bar: 1 when binding b is an action the user may not do now. */
int view_actions_greyed(const tui_binding *b, void *ctx);

/* : commands (views/cmdline.h run functions). */
int view_actions_cmd_wake(app *a, const char *args);
int view_actions_cmd_sleep(app *a, const char *args);
int view_actions_cmd_rotate(app *a, const char *args);
int view_actions_cmd_restart(app *a, const char *args);
int view_actions_cmd_context(app *a, const char *args);

#endif
