/* core/forecast.h — the Hypnus forecast of one environment: its usage history
 * (ConfigMap "hypnus-usage", see core/hypnus.h) read from the cluster and turned
 * into predicted busy windows and the wakes of the next 7 days.
 *
 * forecast_load() blocks on one GET; call it off any UI thread. The result is a
 * plain value owned by the caller; thread-safe.
 */
#ifndef CORE_FORECAST_H
#define CORE_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "core/hypnus.h"
#include "k8s/client.h"

#define FORECAST_MAX_WAKES 32 /* a week of windows, at most */

typedef enum forecast_state {
	FORECAST_NONE,	  /* no hypnus-usage ConfigMap: nothing to predict from */
	FORECAST_OK,	  /* windows and wakes filled */
	FORECAST_INVALID, /* the ConfigMap is there but unreadable: why in err */
	FORECAST_ERROR,	  /* the cluster did not give it: why in err */
} forecast_state;

typedef struct forecast {
	forecast_state state;
	char err[160];
	int utc_offset_min;
	char timezone[48];
	int cold_start_s; /* the one the wakes were computed with */
	size_t n_windows; /* may exceed HYPNUS_MAX_WINDOWS: only that many are kept */
	hypnus_window windows[HYPNUS_MAX_WINDOWS];
	size_t n_wakes; /* kept: at most FORECAST_MAX_WAKES */
	hypnus_wake wakes[FORECAST_MAX_WAKES];
} forecast;

/* Reads the usage ConfigMap of namespace ns (prefix-independent name) and
 * predicts from `now` (unix s); cold_start_s <= 0 means the default. Returns
 * f->state. */
forecast_state forecast_load(k8s_client *c, const char *ns, int cold_start_s, int64_t now,
			     forecast *f);

/* The same from ConfigMap data strings (pure; any may be NULL). */
forecast_state forecast_from_data(const char *start, const char *offset, const char *tz,
				  const char *hours, int cold_start_s, int64_t now, forecast *f);

#endif
