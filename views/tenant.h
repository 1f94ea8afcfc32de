/* views/tenant.h — the tenant screen: prod and dev side by side (stacked
 * when narrow), each with its predecessor chain License -> Lock -> DbAccess
 * -> AppServers and the first failure highlighted, public services with
 * ready counts and Ingress hosts, Hypnus, pods with restarts and age, recent
 * events; the contract on top.
 *
 * The summary comes from the fleet snapshot at once; pods and events from a
 * second fleet limited to the tenant (fleet_opts.tcode), loaded on the
 * view's worker thread and reloaded every few seconds while the screen is
 * open. The worker only calls tui_loop_wake(); the UI thread picks up its
 * snapshot in view_tenant_update.
 */
#ifndef VIEWS_TENANT_H
#define VIEWS_TENANT_H

#include "views/app.h"

/* Starts the worker (it borrows a->o->clusters until view_tenant_release). */
void view_tenant_init(app *a);
/* Stops and joins the worker; drops every snapshot. */
void view_tenant_release(app *a);
/* Shows tcode (already valid) and asks the worker for its details. */
void view_tenant_open(app *a, const char *tcode);
/* Reload now. */
void view_tenant_reload(app *a);
/* Picks up what the worker published; TUI_REDRAW if something changed. */
int view_tenant_update(app *a);
void view_tenant_draw(app *a, int y, int h, int width);
int view_tenant_key(app *a, int key);
/* 1 while the first load of the open tenant is in flight. */
int view_tenant_busy(app *a);
const char *view_tenant_tcode(const app *a);
/* The worker's last pods and events of the open tenant, or NULL (valid until
 * the next view_tenant_update). */
const fleet_snapshot *view_tenant_detail(const app *a);
const tui_keymap *view_tenant_keymap(void);

#endif
