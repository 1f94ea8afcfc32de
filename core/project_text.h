/* core/project_text.h — what the walks of an item's text share (core/project_row.c,
 * core/project_pod_text.c): spans of member values and their reading as the built
 * path (core/project.c on a jscan_build tree) reads the same members. Each helper
 * says where it is not sure; the walk then leaves the item to the built path. */
#ifndef CORE_PROJECT_TEXT_H
#define CORE_PROJECT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "k8s/jscan.h"

typedef struct span {
	const char *s; /* the value's text, NULL when absent */
	const char *e;
} span;

#define SPAN_MAX 64 /* a label value or an annotation read as a C string */

static inline int key_is(const jscan_member *m, const char *want, size_t len)
{
	return m->key_len == len && !memcmp(m->key, want, len);
}
#define KEY_IS(m, lit) key_is(m, lit, sizeof(lit) - 1)

/* Records the first value of a member; -1 for a second one (not for the walk). */
int span_take(span *sp, const jscan_member *m);
/* A string value as cJSON holds it: the text between the quotes, up to a NUL.
 * NULL when absent or not a string. */
const char *span_str(span v, size_t *n);
/* util_strlcpy of a string of n bytes. */
void span_copy_n(char *dst, size_t size, const char *s, size_t n);
/* What copy(dst, size, str_get(..)) gives: the string cut to size, or "". */
void span_copy(char *dst, size_t size, span v);
/* A string value into buf as a C string; 0, 1 when absent or not a string,
 * -1 when too long for buf. */
int span_cstr(span v, char *buf, size_t size);
/* num_get(): a JSON integer, or a string strtod reads whole. 0, 1 when not a
 * number, -1 to give up. */
int span_num(span v, double *out);
/* time_get(): an RFC 3339 string, else 0; -1 to give up. */
int span_time(span v, int64_t *out);
/* A literal true (cJSON_IsTrue). */
int span_true(span v);

/* An object member kept whole by the built path, read through parent: every
 * member checked as the built path would make it (plain strings and scalars),
 * the first of each name in want[] (at most 8) recorded in got[]. 0, or -1. */
int span_whole_object(jscan_iter *parent, const jscan_member *obj, const char *const *want,
		      span *got, size_t n_want);
/* A value kept whole, of any depth, checked as the built path would make it
 * (read past when an object or array). 0, or -1. */
int span_whole_value(jscan_iter *parent, jscan_member *m);

#endif
