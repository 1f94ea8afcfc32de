/* views/fleet_seen.h — what the fleet screen showed of its rows in sight when
 * it drew last, so that news can tell whether the operator would see a change
 * now (a row's health, an environment's state, the cause, the Hypnus state,
 * another tenant moving into sight, the cursor's line) or only counts, ages
 * and rows off screen, which wait for the paced frame. A row is kept as a
 * hash of what its cells say and how they are coloured, the ages left out.
 * UI thread only.
 */
#ifndef VIEWS_FLEET_SEEN_H
#define VIEWS_FLEET_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/fleet.h"

typedef struct view_fleet_seen {
	uint64_t *sig;	/* one per row in sight, top first */
	size_t n, cap;	/* rows in sight */
	size_t cursor;	/* the cursor's line among them; n: not in sight */
	int drawn;	/* recorded at least once */
} view_fleet_seen;

/* What a row shows, as a hash: equal when it would be drawn the same. */
uint64_t view_fleet_seen_row(const fleet_snapshot *s, const fleet_tenant *t);

/* After a draw: rows[first .. first+n-1] (tenant indexes of s) were in
 * sight, the cursor on row cursor (of rows). */
void view_fleet_seen_record(view_fleet_seen *v, const fleet_snapshot *s, const uint32_t *rows,
			    size_t first, size_t n, size_t cursor);

/* 1 when drawing these rows now would change what the last draw showed; 0
 * when the same (or nothing was drawn yet: the paced frame comes anyway). */
int view_fleet_seen_changed(const view_fleet_seen *v, const fleet_snapshot *s,
			    const uint32_t *rows, size_t first, size_t n, size_t cursor);

void view_fleet_seen_release(view_fleet_seen *v);

#endif
