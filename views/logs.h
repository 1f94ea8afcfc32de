/* views/logs.h — a pod's log: first a list of the tenant's pods to pick
 * from, then the log followed live into a bounded ring (tui/tui_logring) and
 * shown in a log pane: pause, search, wrap, switch container.
 *
 * The log streams on a worker thread (k8s_pod_logs with follow) that only
 * pushes into the ring and calls tui_loop_wake(); leaving the pod, switching
 * container or closing cancels the stream and joins the thread.
 */
#ifndef VIEWS_LOGS_H
#define VIEWS_LOGS_H

#include "views/app.h"

void view_logs_init(app *a);
/* Stops the stream; frees the ring. */
void view_logs_release(app *a);
/* Shows the pods of tcode from snapshot s (a tenant-limited one with pods;
 * NULL: none known yet) to pick from. Stops a stream in progress. */
void view_logs_pick(app *a, const char *tcode, const fleet_snapshot *s);
/* Follows pod in ns (container NULL: the first). 0, or -1 with a message. */
int view_logs_follow(app *a, const char *ns, const char *pod, const char *container);
int view_logs_update(app *a);
void view_logs_draw(app *a, int y, int h, int width);
int view_logs_key(app *a, int key);
int view_logs_busy(app *a);
const char *view_logs_title(const app *a);
const tui_keymap *view_logs_keymap(void);

#endif
