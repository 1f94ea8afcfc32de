/* sim/store.h — kubesim's in-memory object store.
 *
 * Objects are kept as compact serialized JSON, immutable once stored (only their
 * Table row is added later, made once) and shared by reference count, with the
 * fields the server indexes (namespace, name, labels, resourceVersion) split out.
 * Every successful write takes the next value of one global, monotonically
 * increasing resourceVersion and appends an event (ADDED, MODIFIED, DELETED) to a
 * bounded window that watches read from.
 *
 * Thread-safety: every function may be called from any thread; the store has its
 * own lock. Objects handed out are references the caller must sim_obj_unref().
 */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/resource.h"
#include "sim/status.h"

typedef struct sim_label {
	char *key;
	char *value;
} sim_label;

typedef struct sim_obj {
	int refs;                    /* atomic */
	const sim_resource *res;
	uint64_t rv;                 /* metadata.resourceVersion */
	char *ns;                    /* "" when cluster-scoped */
	char *name;
	char *json;                  /* the whole object, serialized, NUL-terminated */
	size_t len;
	sim_label *labels;           /* metadata.labels, for selectors */
	size_t n_labels;
	int64_t created_s;           /* creationTimestamp, unix seconds */
	int64_t deleted_s;           /* deletionTimestamp or 0 */
	void *row;                   /* its Table row, made once on first need (sim/table.h:
	                                set atomically, one malloc'd block freed with the object) */
} sim_obj;

sim_obj *sim_obj_ref(sim_obj *o);
void sim_obj_unref(sim_obj *o);
/* Parses o->json; the caller owns the tree (cJSON_Delete). */
cJSON *sim_obj_parse(const sim_obj *o);
/* Value of a label, or NULL. */
const char *sim_obj_label(const sim_obj *o, const char *key);

typedef struct sim_store sim_store;

/* window: how many events watches can resume from (older ones answer 410). */
sim_store *sim_store_new(size_t window);
void sim_store_free(sim_store *s);
/* The resourceVersion of the last write. */
uint64_t sim_store_rv(sim_store *s);
/* Simulated clock used for creationTimestamp etc.; defaults to wall time. The
 * fleet's controllers install one that runs faster. */
void sim_store_set_clock(sim_store *s, int64_t (*now_s)(void *ctx), void *ctx);
int64_t sim_store_now(sim_store *s);

/* Flags for writes. */
enum {
	SIM_DRY_RUN = 1 << 0,      /* validate and answer as if written; store nothing */
	SIM_NO_EVENT_IF_SAME = 1 << 1,
	SIM_KEEP_UID = 1 << 2,     /* create: keep the body's metadata.uid (controllers that
	                              name a uid before the object is written; never the API) */
};

/* Create: `obj` (borrowed, not modified) must carry metadata.name or generateName.
 * The store sets apiVersion/kind if missing, metadata.namespace, uid,
 * resourceVersion, creationTimestamp, generation (1); a namespace must exist
 * (404 NotFound otherwise, 403 Forbidden if it is terminating). 409 AlreadyExists.
 * On success *out (if not NULL) receives a reference to the stored object. */
int sim_store_create(sim_store *s, const sim_resource *res, const char *ns, const cJSON *obj,
		     int flags, sim_obj **out, sim_err *err);
/* The same, taking `tree` (freed whatever the outcome; NULL answers 400): spares
 * the copy where the caller built the object only to store it (the fleet's seeding). */
int sim_store_create_owned(sim_store *s, const sim_resource *res, const char *ns, cJSON *tree,
			   int flags, sim_obj **out, sim_err *err);

/* Update (PUT): replaces the object. If obj's metadata.resourceVersion is set and
 * differs from the stored one: 409 Conflict. uid, creationTimestamp are kept;
 * generation grows when spec changed. 404 when absent. */
int sim_store_update(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     const cJSON *obj, int flags, sim_obj **out, sim_err *err);

/* Read-modify-write under the store's lock: fn gets a private copy of the current
 * object and edits it in place; returning -1 (with err filled) aborts. If the
 * result is identical to the stored object, nothing is written (no new rv, no
 * event) and *out is the current object. Used by PATCH, subresources and controllers. */
typedef int (*sim_mutate_fn)(cJSON *obj, void *ctx, sim_err *err);
int sim_store_mutate(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     sim_mutate_fn fn, void *ctx, int flags, sim_obj **out, sim_err *err);

/* Delete. Deleting a namespace marks it Terminating (deletionTimestamp, phase),
 * deletes everything in it (DELETED events for each), then removes it. 404 when absent. */
int sim_store_delete(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     int flags, sim_obj **out, sim_err *err);

/* Get: a reference, or NULL with 404 in err. */
sim_obj *sim_store_get(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		       sim_err *err);

/* Selectors. Parse errors are 400 BadRequest with a message naming the problem. */
typedef struct sim_selector sim_selector;
sim_selector *sim_selector_parse_labels(const char *text, sim_err *err);   /* labelSelector */
sim_selector *sim_selector_parse_fields(const char *text, sim_err *err);   /* fieldSelector */
int sim_selector_match(const sim_selector *sel, const sim_obj *o);        /* NULL matches all */
void sim_selector_free(sim_selector *sel);
/* 0 when every field a field selector names is supported for res (NULL or a label
 * selector: 0); else -1 with 400 BadRequest "field label not supported: X". */
int sim_selector_check_fields(const sim_selector *sel, const sim_resource *res, sim_err *err);

/* List over a consistent snapshot, ordered by namespace then name.
 * ns NULL or "" = all namespaces. limit 0 = everything. `cont` is a continue token
 * from an earlier page or NULL; a token whose snapshot is gone answers 410 Expired.
 * The result's `rv` is the snapshot's resourceVersion; `cont` is set (malloc'd) when
 * more remain, with `remaining` the count after this page. */
typedef struct sim_list {
	sim_obj **items;
	size_t n;
	uint64_t rv;
	char *cont;
	size_t remaining;
} sim_list;

int sim_store_list(sim_store *s, const sim_resource *res, const char *ns,
		   const sim_selector *labels, const sim_selector *fields, size_t limit,
		   const char *cont, sim_list *out, sim_err *err);
void sim_list_release(sim_list *l);
/* Drops every cached list snapshot: their continue tokens then answer 410 Expired
 * (tests, fault injection). */
void sim_store_expire_snapshots(sim_store *s);

/* Watch: events after `since_rv` (0 = from now, after sending nothing) for one
 * resource type, optionally one namespace, filtered by selectors.
 * sim_watch_next waits up to timeout_ms for the next event; returns 1 with *ev
 * filled (object referenced; release with sim_event_release), 0 on timeout, -1
 * with 410 Gone in err when since_rv fell out of the window (or the watch was
 * closed with sim_store_wake_all / the store is shutting down: 503). */
typedef enum { SIM_ADDED, SIM_MODIFIED, SIM_DELETED } sim_event_type;

typedef struct sim_event {
	sim_event_type type;
	sim_obj *obj;
	uint64_t rv;
} sim_event;

typedef struct sim_watch sim_watch;
sim_watch *sim_watch_open(sim_store *s, const sim_resource *res, const char *ns,
			  sim_selector *labels, sim_selector *fields, uint64_t since_rv,
			  sim_err *err); /* takes ownership of the selectors, even on error */
int sim_watch_next(sim_watch *w, int timeout_ms, sim_event *ev, sim_err *err);
/* The rv up to which this watch has looked (for BOOKMARK events). */
uint64_t sim_watch_rv(const sim_watch *w);
void sim_watch_close(sim_watch *w);
void sim_event_release(sim_event *ev);
/* Wakes every waiting watch (shutdown); later sim_watch_next calls return -1. */
void sim_store_shutdown(sim_store *s);

/* Counts for the benchmarks and /sim/v1 status. */
size_t sim_store_count(sim_store *s, const sim_resource *res);

#endif
