/* kubesim's patch bodies: the first byte picks JSON patch, merge patch,
 * strategic merge patch or server-side apply; the rest is the target object,
 * a newline, and the patch. */
#include <cjson/cJSON.h>

#include "fuzz/fuzz.h"
#include "sim/patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"Deployment", "Service", "ConfigMap", NULL};
	const char *p, *nl;
	cJSON *target, *patch;
	sim_err err;
	int mode;

	if (size < 2)
		return 0;
	mode = data[0] & 3;
	p = (const char *)data + 1;
	nl = memchr(p, '\n', size - 1);
	if (!nl)
		return 0;
	target = cJSON_ParseWithLength(p, (size_t)(nl - p));
	patch = cJSON_ParseWithLength(nl + 1, size - 1 - (size_t)(nl + 1 - p));
	memset(&err, 0, sizeof(err));
	if (target && patch) {
		const char *kind = kinds[(data[0] >> 2) % 4];
		switch (mode) {
		case 0:
			sim_patch_json(target, patch, &err);
			break;
		case 1:
			sim_patch_merge(target, patch, &err);
			break;
		case 2:
			sim_patch_strategic(target, patch, kind, &err);
			break;
		default:
			if (cJSON_IsObject(target) && sim_patch_apply(target, patch, "fuzz", 0, kind, &err) == 0)
				sim_patch_apply(target, patch, "other", (data[0] >> 4) & 1, kind, &err);
			break;
		}
		free(cJSON_PrintUnformatted(target));
	}
	cJSON_Delete(target);
	cJSON_Delete(patch);
	return 0;
}
