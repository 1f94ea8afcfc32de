/* views/help.h — the help screen, generated from the binding tables, the
 * command table and the filter words (nothing here is written twice).
 */
#ifndef VIEWS_HELP_H
#define VIEWS_HELP_H

#include "views/app.h"

void view_help_draw(app *a, int y, int h, int width);
int view_help_key(app *a, int key);

#endif
