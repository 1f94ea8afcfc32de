/* Status bodies of failed requests, watch event lines and the Event projection. */
#include <cjson/cJSON.h>

#include "core/project.h"
#include "fuzz/fuzz.h"
#include "k8s/status.h"
#include "k8s/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	k8s_err err;
	char type[16];
	cJSON *obj = NULL;
	int code = 0, http = size ? 400 + data[0] % 200 : 500;
	project_event ev;

	k8s_err_clear(&err);
	k8s_status_decode(http, (const char *)data, size, &err);
	if (k8s_watch_parse_event((const char *)data, size, type, sizeof(type), &obj, &code) == 0) {
		if (obj)
			project_event_from(obj, &ev);
		cJSON_Delete(obj);
	}
	return 0;
}
