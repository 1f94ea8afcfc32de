/* fuzz/fuzz_items.h — for the harnesses that read list items from their text
 * (fuzz_project_row, fuzz_project_pod): the input given to a check as one
 * item, then as a page whose items jscan_page finds, each in turn. No tree
 * may be left in the list items' arena after. */
#ifndef FUZZ_FUZZ_ITEMS_H
#define FUZZ_FUZZ_ITEMS_H

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "k8s/jarena.h"
#include "k8s/jscan.h"

static inline void fuzz_items(const uint8_t *data, size_t size, void (*check)(const char *, const char *))
{
	const char *buf = (const char *)data;
	size_t *spans = NULL, n = 0, i;
	cJSON *meta = NULL;

	check(buf, buf + size);
	if (jscan_page(buf, size, &spans, &n, &meta) == 0)
		for (i = 0; i < n; i++)
			check(buf + spans[2 * i], buf + spans[2 * i + 1]);
	free(spans);
	cJSON_Delete(meta);
	if (jarena_live())
		abort();
}

#endif
