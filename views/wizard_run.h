/* views/wizard_run.h — one engine run in the console: the progress page
 * (per step: state, action, elapsed time; what the engine waits for; a bar)
 * and, once it ended, the done page (outcome, counts, run id). Shared by the
 * namespace wizard (apply) and the runs screen (resume, roll back).
 *
 * Esc while the run works asks: pause (engine_cancel; the run stays
 * resumable), roll back (pause, then undo what the run created), or continue.
 *
 * Threads: the engine calls back on its own thread; the callback records the
 * step under a mutex and calls tui_loop_wake(). Everything else is UI thread.
 */
#ifndef VIEWS_WIZARD_RUN_H
#define VIEWS_WIZARD_RUN_H

#include "core/engine.h"

typedef enum wizard_run_mode { WIZARD_RUN_APPLY, WIZARD_RUN_RESUME, WIZARD_RUN_ROLLBACK } wizard_run_mode;

#define WIZARD_RUN_LEAVE 0x100 /* wizard_run_key: the user left the done page */

typedef struct wizard_run_cfg {
	k8s_client *client; /* borrowed; must outlive the run */
	const char *prefix;  /* label prefix, NULL: default */
	const char *user;    /* operator, or NULL */
	const char *cluster; /* shown, our own copy not kept */
	int readonly;
} wizard_run_cfg;

typedef struct wizard_run wizard_run;

/* Starts mode with plan p and/or journal j (taken over as by the engine; p
 * is NULL for a rollback, j NULL for an apply). NULL with a sentence in err
 * when the engine refuses to start (read-only session). */
wizard_run *wizard_run_start(const wizard_run_cfg *cfg, wizard_run_mode mode, const char *tcode,
			     plan *p, journal *j, char *err, size_t errsz);
/* Stops a run still working at its next step boundary, waits, frees. */
void wizard_run_free(wizard_run *r);
/* Picks up the engine's tui_progress; TUI_REDRAW when something moved. */
int wizard_run_update(wizard_run *r);
void wizard_run_draw(wizard_run *r, int y, int h, int width);
/* TUI flags, | WIZARD_RUN_LEAVE when the user leaves the done page. */
int wizard_run_key(wizard_run *r, int key);
/* 1 once the engine (and a rollback asked for on Esc) ended. */
int wizard_run_finished(const wizard_run *r);
/* "Applying T12345" / "Done T12345" ... for the title line. */
const char *wizard_run_title(const wizard_run *r);

#endif
