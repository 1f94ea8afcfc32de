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

/* The continue token of a list answer from its first bytes, as they come in
 * (buf holds the first len): 1 when the "metadata" member has come whole
 * (*cont: the token, malloc'd, or NULL when this is the last page), 0 when
 * more bytes are needed, -1 when the head cannot tell (the items come first,
 * or it is not a list's shape): the whole page will. What jscan_page finds
 * in the whole answer is the same token. */
int jscan_list_head(const char *buf, size_t len, char **cont);

/* ---- walking a value's text without building it ----
 *
 * For a reader that wants a few members of each item and can say where it is
 * not sure: an object's members (or an array's elements) one at a time, with
 * the same syntax checks jscan_build makes. A string or scalar value comes as a
 * span of the text (what jscan_skip gives: inside a string only its end has
 * been found). An object or array value is either read through an iterator of
 * its own (jscan_iter_sub), so that no byte is scanned twice, or skipped by the
 * next jscan_iter_next. */
typedef struct jscan_iter {
	const char *p, *end;
	char close; /* '}' or ']' */
	int started;
	int pending;	/* the last value, an object or array, is not read past yet */
	int reading;	/* it is read through a sub-iterator, not yet to its end */
	struct jscan_iter *parent; /* a sub-iterator's: told where it ended */
} jscan_iter;

typedef struct jscan_member {
	const char *key; /* an object member's name, between its quotes; NULL in an array */
	size_t key_len;
	int key_plain;	/* the name holds no backslash and no NUL: compare it as it stands */
	const char *val; /* the value's first byte, leading whitespace skipped */
	const char *val_end; /* just after a string or scalar; NULL for an object or array */
} jscan_member;

/* The object or array at p (leading whitespace allowed); 0, or -1 when p does
 * not start one. */
int jscan_iter_init(jscan_iter *it, const char *p, const char *end);
/* 1 with the next member in *m; 0 at the closing bracket (it->p just after it);
 * -1 when the text is malformed there, or a value read through a sub-iterator
 * was not read to its end. */
int jscan_iter_next(jscan_iter *it, jscan_member *m);
/* Reads the object or array value m (just given by it) through sub: it goes on
 * where sub ends. 0, or -1 when m's value is not an object or array. */
int jscan_iter_sub(jscan_iter *it, const jscan_member *m, jscan_iter *sub);

/* The end of the value m (just given by it), an object or array included: it
 * is skipped now (m->val_end set) instead of by the next call. NULL when it is
 * malformed or read through a sub-iterator. */
const char *jscan_iter_value_end(jscan_iter *it, jscan_member *m);

/* What a string or scalar value's span [v, e) holds, when jscan_build would
 * make it from the text alone: a string without escapes, an integer of up to 15
 * digits, true, false, null. Anything else (escapes, fractions) is JSCAN_OTHER,
 * as is an object or array (e NULL). */
enum { JSCAN_OTHER, JSCAN_STRING, JSCAN_INT, JSCAN_LITERAL };
int jscan_plain(const char *v, const char *e);

#endif
