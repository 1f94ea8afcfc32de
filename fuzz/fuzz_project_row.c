/* A workload's Table row read from its text (core/project_row.c) against the
 * same row built and projected (project_keep_workload, then
 * project_workload_from_row): where the text path answers, the built path
 * makes the row and gives the same answer and the same record. The input as
 * one row, and as a page whose rows jscan_page finds. */
#include <string.h>

#include <cjson/cJSON.h>

#include "core/project.h"
#include "fuzz/fuzz.h"
#include "fuzz/fuzz_items.h"

static project_keys keys;

static void same(const char *p, const char *e)
{
	project_workload a, b;
	cJSON *row;
	int ra, rb;

	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	ra = project_workload_row_text(&keys, p, e, PROJECT_DEPLOYMENT, &a);
	if (ra == PROJECT_BUILD)
		return;
	row = jscan_build(p, e, project_keep_workload);
	if (!row)
		abort(); /* the text path answered for a row the built path refuses */
	rb = project_workload_from_row(&keys, row, PROJECT_DEPLOYMENT, &b);
	cJSON_Delete(row);
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
