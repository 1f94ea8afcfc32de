/* sim/jpick.h — reads the members a Table row needs out of an object's stored text,
 * without building the whole tree.
 *
 * Stored objects are compact JSON as cJSON_PrintUnformatted writes it. For such text,
 * the members kept here are the very ones cJSON_Parse would have built, and any span
 * of the text is what printing the parsed value again would give, so it can be copied
 * as it is. Text in any other form (whitespace between tokens, escapes cJSON does not
 * write, numbers it would print differently, trailing bytes, anything malformed) is
 * refused, and the caller parses it whole as before.
 *
 * Pure functions over their arguments: safe from any thread at once. */
#ifndef SIM_JPICK_H
#define SIM_JPICK_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* At most this many keep paths, each shorter than this many bytes. */
#define SIM_JPICK_MAX_PATHS 16
#define SIM_JPICK_MAX_PATH 128

typedef struct sim_jpick {
	cJSON *tree;	  /* the kept members (an object, maybe empty); cJSON_Delete it */
	const char *meta; /* the first top-level "metadata" member's value in text, or NULL */
	size_t meta_len;
} sim_jpick;

/* Reads text, one JSON object. keep: NULL-terminated dotted paths ("spec.replicas",
 * "spec.containers.*.name"); a "*" step goes into every member of an object or
 * element of an array. The value a path ends at is kept whole; so is a string, number,
 * boolean or null met before a path ends; objects and arrays on the way keep only the
 * members the paths go into (an element no path goes further into is kept as {}).
 * Members keep their order, duplicates included.
 * Returns 0 and fills out when text is in the compact form cJSON prints; -1 (out
 * cleared, nothing to free) otherwise, or when keep has too many or too long paths. */
int sim_jpick_read(const char *text, const char *const *keep, sim_jpick *out);

#endif
