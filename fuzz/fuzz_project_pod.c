/* A pod read from its text (core/project_pod_text.c) against the same pod
 * built and projected (project_keep_pod, then project_pod_from): where the
 * text path answers, the built path makes the pod and gives the same answer
 * and the same record. The input as one pod, and as a page whose items
 * jscan_page finds. */
#include <string.h>

#include <cjson/cJSON.h>

#include "core/project.h"
#include "fuzz/fuzz.h"
#include "fuzz/fuzz_items.h"

static project_keys keys;

static void same(const char *p, const char *e)
{
	project_pod a, b;
	cJSON *pod;
	int ra, rb;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = project_pod_text(&keys, p, e, &a);
	if (ra == PROJECT_BUILD)
		return;
	pod = jscan_build(p, e, project_keep_pod);
	if (!pod)
		abort(); /* the text path answered for a pod the built path refuses */
	rb = project_pod_from(&keys, pod, &b);
	cJSON_Delete(pod);
	if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!keys.tier[0]) {
		jarena_install(); /* once; the fuzzer runs one thread */
		project_keys_init(&keys, NULL);
	}
	fuzz_items(data, size, same);
	return 0;
}
