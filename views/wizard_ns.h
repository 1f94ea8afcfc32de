/* views/wizard_ns.h — the namespace wizard: TCODE (the catalogue's contracts
 * awaiting onboarding offered under the field, filtered as one types, Tab
 * completes) -> contract (from the catalogue: must be SMART and valid;
 * products and licences shown) ->
 * options (size, domain, idle timeout, roles; validated as you type) ->
 * review (the plan's steps against the cluster and the preflight verdict:
 * access review and server-side dry run) -> apply with live progress
 * (views/wizard_run.h) -> done.
 *
 * Catalogue lookups, plan building, the diff and the preflight run on a
 * worker thread; the page shows a spinner meanwhile. The worker only calls
 * tui_loop_wake(); its results are picked up on the UI thread in
 * view_wizard_update. Nothing changes in the cluster before Enter on the
 * review and a confirmation.
 */
#ifndef VIEWS_WIZARD_NS_H
#define VIEWS_WIZARD_NS_H

#include "core/plan.h"
#include "core/provision_ns.h"
#include "views/app.h"
#include "views/wizard_run.h"

void view_wizard_init(app *a);
/* Stops a run in flight at its next step boundary and joins the worker. */
void view_wizard_release(app *a);
/* Opens the wizard on its first page (refused, with a message, in a
 * read-only session or without a usable cluster); 0 or -1. */
int view_wizard_open(app *a);
/* The same, with the TCODE field filled in (may be NULL). */
int view_wizard_open_on(app *a, const char *tcode);
int view_wizard_update(app *a);
void view_wizard_draw(app *a, int y, int h, int width);
int view_wizard_key(app *a, int key);
/* 1 while the worker looks something up (not while a run applies). */
int view_wizard_busy(app *a);
const char *view_wizard_title(const app *a);
const tui_keymap *view_wizard_keymap(void);
/* 1 when ? and : reach the console (help, command line): not while a text field has the
 * keys (they are typed there) nor while a confirmation is asked */
int view_wizard_console_keys(const app *a);

/* ---- shared with the runs screen ---- */

/* The cluster the wizard and the runs screen work on (the first usable one)
 * into cfg; its catalogue URL (or NULL) into *catalog. 0, or -1 with a
 * sentence in err. */
int view_wizard_cluster(app *a, wizard_run_cfg *cfg, const char **catalog_url, char *err, size_t errsz);
/* cfg for cluster i of a->o->clusters; -1 when it has no client */
int view_wizard_cluster_at(app *a, size_t i, wizard_run_cfg *cfg, const char **catalog_url);

#endif
