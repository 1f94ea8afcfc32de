/* views/fleet.h — the fleet screen (home): one row per tenant, coloured by
 * health, filtered ("/"), sorted ("s", "S"), with counts per health and a
 * jump to a TCODE typed on the keyboard. Rows are an index over the current
 * snapshot, rebuilt when a new one arrives; the cursor stays on its tenant.
 * UI thread only.
 */
#ifndef VIEWS_FLEET_H
#define VIEWS_FLEET_H

#include <stddef.h>

#include "views/app.h"

void view_fleet_init(app *a);
/* An age in its largest unit: "42s", "5m", "3h", "2d". */
void view_fleet_age(int64_t secs, char *buf, size_t size);
void view_fleet_release(app *a);
/* The snapshot changed (a->snap): rebuild the rows. TUI_URGENT when a row in
 * sight would now be drawn otherwise than the last draw showed it (drawing it
 * cannot wait for the paced frame), else 0. */
int view_fleet_update(app *a);
/* Draws the body: lines y..y+h-1 (counts line, table). */
void view_fleet_draw(app *a, int y, int h, int width);
int view_fleet_key(app *a, int key);
const tui_keymap *view_fleet_keymap(void);

/* "/" expressions: words ANDed; health:H[,H] (tenant or either environment),
 * product:erp|esocial, cluster:TEXT, env:prod|dev (has it), plain text in
 * TCODE, customer or cause; "!" before a word negates it. The counts per
 * health are of the rows shown. 0, or -1 with a sentence in err (filter kept). */
int view_fleet_set_filter(app *a, const char *expr, char *err, size_t errsz);
const char *view_fleet_filter(const app *a);
/* Rows shown (after the filter). */
size_t view_fleet_shown(const app *a);
/* Sort by a column name (health, tcode, customer, product, prod, dev, hypnus,
 * cluster, cause). 0 or -1 with a sentence in err. */
int view_fleet_set_sort(app *a, const char *name, int desc, char *err, size_t errsz);
/* Jump: the cursor to the first row whose TCODE starts with prefix; 0 or -1. */
int view_fleet_jump(app *a, const char *prefix);
/* The TCODE under the cursor, or NULL. */
const char *view_fleet_current(const app *a);
/* The row under the cursor (in a->snap), or NULL. */
const fleet_tenant *view_fleet_current_tenant(const app *a);
/* The sort keys, for help. */
const char *view_fleet_sort_names(void);

#endif
