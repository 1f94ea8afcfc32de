/* views/builds.h — a tenant's custom builds: the history of both envs
 * (newest first) with the RPO each env runs; Enter on a build shows its
 * stages (checkout, sonarqube, compile, upload), each with its state and
 * reason, and the log of the selected stage (its Job's pod, the stage's
 * container); p/P promote the selected build to dev/prod, b/B roll dev/prod
 * back to the RPO before their last promotion (core/promote.h), each
 * confirmed with what changes (prod: the TCODE typed) and shown on the
 * engine's tui_progress page (views/wizard_run.h).
 *
 * Threads: a loader reads the histories, the envs' RPOs and the selected
 * build's stages (every 5 s while this screen or the tenant screen is open);
 * a stage's log is read on a thread of its own into a bounded ring; a
 * promotion's plan, the search for the run to roll back and the bookkeeping
 * after a run go to a job thread. Each only calls tui_loop_wake(); the UI
 * thread takes their results in view_builds_update.
 */
#ifndef VIEWS_BUILDS_H
#define VIEWS_BUILDS_H

#include "views/app.h"

/* Starts the loader (borrows a->o->clusters until view_builds_release). */
void view_builds_init(app *a);
/* Stops and joins every thread; frees everything. */
void view_builds_release(app *a);
/* Opens the history of tcode; 0, or -1 with a message (not in the fleet,
 * an eSocial tenant). */
int view_builds_open(app *a, const char *tcode);
int view_builds_update(app *a);
int view_builds_busy(app *a);
void view_builds_draw(app *a, int y, int h, int width);
int view_builds_key(app *a, int key);
const char *view_builds_title(const app *a);
const tui_keymap *view_builds_keymap(void);

/* For the tenant screen: one line on the custom RPO env (a tcode_env) of
 * tcode runs ("build 7 (commit 1a2b3c4d5e6f), promoted 2026-12-04 10:00 by
 * admin") and a build running there with its stage. 0 with the line in buf,
 * -1 when there is nothing to say (an eSocial tenant, no such env). Its
 * attrs get a theme role's attributes. */
int view_builds_rpo_line(app *a, const char *tcode, int env, char *buf, size_t size, int *attrs);

#endif
