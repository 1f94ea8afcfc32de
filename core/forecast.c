/* core/forecast.c — an environment's Hypnus forecast from its usage ConfigMap. */
#include <stdio.h>

#include "core/forecast.h"
#include "util/util.h"

forecast_state forecast_from_data(const char *start, const char *offset, const char *tz,
				  const char *hours, int cold_start_s, int64_t now, forecast *f)
{
	hypnus_usage *u;
	hypnus_matrix *m;
	size_t n;

	memset(f, 0, sizeof(*f));
	f->cold_start_s = cold_start_s > 0 ? cold_start_s : HYPNUS_DEFAULT_COLD_START_S;
	if (!start || !hours) {
		util_strlcpy(f->err, !start ? "start: missing" : "hours: missing", sizeof(f->err));
		return f->state = FORECAST_INVALID;
	}
	u = xmalloc(sizeof(*u));
	m = xmalloc(sizeof(*m));
	if (hypnus_usage_parse(u, start, offset, tz, hours, f->err, sizeof(f->err)) < 0) {
		f->state = FORECAST_INVALID;
		goto out;
	}
	f->utc_offset_min = u->utc_offset_min;
	util_strlcpy(f->timezone, u->timezone, sizeof(f->timezone));
	hypnus_matrix_build(u, hypnus_threshold(u), m);
	f->n_windows = hypnus_windows(m, HYPNUS_MIN_PROB, f->windows, HYPNUS_MAX_WINDOWS);
	n = f->n_windows < HYPNUS_MAX_WINDOWS ? f->n_windows : HYPNUS_MAX_WINDOWS;
	f->n_wakes = hypnus_forecast(f->windows, n, f->utc_offset_min, f->cold_start_s, now,
				     f->wakes, FORECAST_MAX_WAKES);
	if (f->n_wakes > FORECAST_MAX_WAKES)
		f->n_wakes = FORECAST_MAX_WAKES;
	f->state = FORECAST_OK;
out:
	free(u);
	free(m);
	return f->state;
}

static const char *data_str(const cJSON *data, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

forecast_state forecast_load(k8s_client *c, const char *ns, int cold_start_s, int64_t now,
			     forecast *f)
{
	char *path = k8s_path("", "v1", ns, "configmaps", HYPNUS_USAGE_CONFIGMAP);
	cJSON *cm = NULL;
	const cJSON *data;
	k8s_err err;

	if (k8s_get(c, path, &cm, &err) < 0) {
		free(path);
		memset(f, 0, sizeof(*f));
		if (err.http == 404) {
			f->state = FORECAST_NONE;
		} else {
			f->state = FORECAST_ERROR;
			util_strlcpy(f->err, err.msg, sizeof(f->err));
		}
		return f->state;
	}
	free(path);
	data = cJSON_GetObjectItemCaseSensitive(cm, "data");
	forecast_from_data(data_str(data, "start"), data_str(data, "utc-offset-minutes"),
			   data_str(data, "timezone"), data_str(data, "hours"), cold_start_s, now, f);
	cJSON_Delete(cm);
	return f->state;
}
