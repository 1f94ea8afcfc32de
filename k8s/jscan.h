/* k8s/jscan.h — reading long list answers without building all of them.
 *
 * A list page of pods is about a megabyte of JSON of which the fleet reads a
 * tenth. jscan walks a page once, checks that it is whole (brackets and strings
 * closed, nothing after the end), finds the items and builds each one as a cJSON
 * tree of only the members asked for; the rest is skipped, not parsed.
 *
 * What to keep is a tree of member names: jscan_keep arrays ending with
 * {NULL, NULL}. A member with sub == NULL is kept whole; with sub, only the
 * named members of that object are kept (for an array of objects: of each
 * element). Members that are not named are left out. Kept values are exactly
 * what cJSON_Parse would have given: strings without escapes, short integers,
 * literals and the objects and arrays made of them are made here, the rest is
 * parsed by cJSON (a call of its parser for each value cost a sixth of a list's
 * CPU). Thread-safe. */
#ifndef K8S_JSCAN_H
#define K8S_JSCAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct jscan_keep {
	const char *key;
	const struct jscan_keep *sub; /* NULL: the whole value */
} jscan_keep;

/* The end of the JSON value that starts at p (leading whitespace allowed), or
 * NULL when it is cut short or does not start like a value. Inside skipped
 * values only strings and brackets are checked. */
const char *jscan_skip(const char *p, const char *end);

/* The value at [p, end) with only the members in keep (NULL: all of it), or NULL
 * when malformed. The caller cJSON_Deletes it. */
cJSON *jscan_build(const char *p, const char *end, const jscan_keep *keep);

/* What cJSON_ParseWithLength(p, n) gives, made the same way as a value kept
 * whole, not in the list items' arena: an answer read whole (an object, the
 * tenants' catalogue), for callers that keep it as long as they like. */
cJSON *jscan_parse(const char *p, size_t n);

/* A list answer: the elements of its top-level "items" array (or "rows", for a
 * server-side Table) as offsets into buf, and its "metadata" object parsed
 * (NULL when absent). 0, or -1 when buf is not one whole JSON object.
 * *spans (malloc'd, free it) holds 2 * *n offsets: start and end of each. */
int jscan_page(const char *buf, size_t len, size_t **spans, size_t *n, cJSON **meta);

#endif
