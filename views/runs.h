/* views/runs.h — the runs screen: the provisioning journals in
 * smartops-system (in flight, paused, failed, done, rolled back), newest
 * first, with TCODE, wizard, state, operator, start and steps k/n; Enter
 * shows one run's steps; r resumes and b rolls back (each confirmed) with the
 * progress page of views/wizard_run.h.
 *
 * The list is read on a worker thread when the screen opens and every few
 * seconds while it is shown; resume and roll back load the journal (and
 * rebuild the plan) on a worker too. Workers only call tui_loop_wake().
 */
#ifndef VIEWS_RUNS_H
#define VIEWS_RUNS_H

#include "views/app.h"

void view_runs_init(app *a);
void view_runs_release(app *a);
/* Shows the screen and reads the list; 0, or -1 with a message. */
int view_runs_open(app *a);
int view_runs_update(app *a);
/* About once a second: reloads the list when it is due. */
int view_runs_tick(app *a);
void view_runs_draw(app *a, int y, int h, int width);
int view_runs_key(app *a, int key);
int view_runs_busy(app *a);
const char *view_runs_title(const app *a);
const tui_keymap *view_runs_keymap(void);

#endif
