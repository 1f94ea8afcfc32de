/* views/hypnus.h — the Hypnus panel of one tenant environment: state, last
 * activity, idle timeout, the last wake's cold start, a 7x24 heat map of the
 * usage history (ConfigMap hypnus-usage) with the predicted busy windows
 * marked, and the next predicted wakes.
 *
 * The ConfigMap is read on the view's worker thread, which only calls
 * tui_loop_wake(); view_hypnus_update picks the result up on the UI thread.
 */
#ifndef VIEWS_HYPNUS_H
#define VIEWS_HYPNUS_H

#include "views/app.h"

void view_hypnus_init(app *a);
/* Stops and joins the worker. */
void view_hypnus_release(app *a);
/* Shows tcode's environment env (tcode_env; the other one when it has none)
 * and asks the worker for its usage history. 0, or -1 with a message. */
int view_hypnus_open(app *a, const char *tcode, int env);
int view_hypnus_update(app *a);
void view_hypnus_draw(app *a, int y, int h, int width);
int view_hypnus_key(app *a, int key);
int view_hypnus_busy(app *a);
/* "T12345 prod" for the title. */
const char *view_hypnus_title(const app *a);
const tui_keymap *view_hypnus_keymap(void);

#endif
