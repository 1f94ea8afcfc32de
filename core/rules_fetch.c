#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "core/project.h"
#include "core/rules_fetch.h"
#include "util/util.h"

int rules_fetch(k8s_client *c, rules *out, char *note, size_t notesz, k8s_err *err)
{
	char *path = k8s_path(NULL, "v1", RULES_CONFIGMAP_NAMESPACE, "configmaps", RULES_CONFIGMAP);
	char why[160];
	cJSON *cm = NULL;
	rules r;
	int ret = 0;

	if (note && notesz)
		note[0] = '\0';
	rules_default(out);
	if (k8s_get(c, path, &cm, err) == 0) {
		if (project_rules(cm, &r, why, sizeof(why)) == 0) {
			*out = r;
			ret = 1;
		} else if (note && notesz) {
			snprintf(note, notesz, "predecessor rules not used (%s); defaults apply", why);
		}
	} else if (err->unreachable) {
		ret = -1;
	} else if (err->http != 404 && note && notesz) {
		snprintf(note, notesz, "predecessor rules unreadable (%s); defaults apply", err->msg);
	}
	cJSON_Delete(cm);
	free(path);
	return ret;
}
