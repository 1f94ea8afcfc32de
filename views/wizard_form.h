/* views/wizard_form.h — the console's pages for every wizard of the registry
 * (core/wizard.h) that has no page file of its own: the tenants it applies
 * to (its products; each with its provider, environments and health from the
 * fleet snapshot, filtered as one types, Tab completes) -> a form of the
 * wizard's inputs (help line, default filled in, choices cycled, the
 * builder's refusals shown on the field they name) -> the review (the plan
 * from the wizard's one builder and the preflight, on a worker thread) ->
 * apply with progress (views/wizard_run.h) -> done. A read-only session sees
 * the review; its apply is refused with the reason.
 *
 * The screen knows no wizard by name: a new registry entry gets its pages
 * here, with nothing else edited.
 *
 * Threads: the plan and the preflight run on a worker that only calls
 * tui_loop_wake(); a worker the operator walked away from (Esc) is never
 * joined on the UI thread while it still waits on the network.
 */
#ifndef VIEWS_WIZARD_FORM_H
#define VIEWS_WIZARD_FORM_H

#include "core/wizard.h"
#include "views/app.h"

void view_wform_init(app *a);
/* Stops a run in flight at its next step boundary; joins the workers. */
void view_wform_release(app *a);
/* Opens wizard w on its first page; with tcode (may be NULL), on that
 * tenant's form (refused with a message when w does not apply to it). 0 or -1. */
int view_wform_open(app *a, const wizard *w, const char *tcode);
/* Opens w's pages: its own page file's when it has one (the namespace
 * wizard), else these; tcode as above. 0 or -1. */
int view_wform_open_any(app *a, const wizard *w, const char *tcode);
/* Opens the page that lists the registry's wizards for tcode (the tenant
 * screen's key): a pick opens that wizard on tcode. 0 or -1. */
int view_wform_choose(app *a, const char *tcode);
int view_wform_update(app *a);
void view_wform_draw(app *a, int y, int h, int width);
int view_wform_key(app *a, int key);
/* 1 while the worker builds a plan (not while a run applies). */
int view_wform_busy(app *a);
void view_wform_title(app *a, char *buf, size_t size);
const tui_keymap *view_wform_keymap(void);
/* 1 when ? and : reach the console: not while a text field has the keys. */
int view_wform_console_keys(const app *a);

#endif
