/* k8s/watch.h — informers: list, then watch from the list's resourceVersion,
 * forever, on a thread of their own.
 *
 * The loop (client-go's reflector): paged list -> on_list_begin, on_add for each
 * item, on_sync(relisted) -> watch with allowWatchBookmarks=true and a jittered
 * timeoutSeconds (300..600) from the last resourceVersion; BOOKMARKs move the rv;
 * a clean end starts a new watch from the last rv; 410 Gone/Expired (HTTP or an
 * ERROR event) starts a fresh list; other errors back off 0.8 s doubling to 30 s
 * with jitter. A watch that stays silent (not even a bookmark) for idle_s is
 * opened again at once; a server that accepts and does not answer fails the
 * watch with err->unreachable (k8s_stream). Sooner than that, the client's
 * watchdog probes a server whose watches have all been silent for a few seconds
 * (k8s_stream): a hung one ends them with err->unreachable, so on_error says it
 * within about the probe's quiet time plus its answer limit (5 s + 5 s), not
 * idle_s plus the answer limit (15 s + 10 s). k8s_informer_stop() interrupts a
 * request or a backoff promptly.
 *
 * Callbacks run on the informer's thread, one at a time; the cJSON object is
 * borrowed and freed after the call — copy (project) what you need. */
#ifndef K8S_WATCH_H
#define K8S_WATCH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s/client.h"

typedef struct k8s_informer_cb {
	void (*on_add)(void *ctx, const cJSON *obj);
	/* A listed item's text, before it is built (k8s_list_opts.item_text): 1 when
	 * taken, on_add then not called for it; 0 to have it built and given to
	 * on_add. Optional. */
	int (*on_add_text)(void *ctx, const char *p, const char *end);
	void (*on_update)(void *ctx, const cJSON *obj);
	void (*on_delete)(void *ctx, const cJSON *obj);
	/* A (re)list is about to deliver the complete set through on_add: its first
	 * page is in (the request did not wait for this). Optional. */
	void (*on_list_begin)(void *ctx);
	/* The list's first page says how many items it holds in all (the page's and
	 * its remainingItemCount, when the server says it): room can be made at
	 * once. Optional. */
	void (*on_list_total)(void *ctx, size_t total);
	/* The list is complete: anything not delivered since on_list_begin is gone.
	 * relisted is 0 the first time, 1 when a later list replaced the contents. */
	void (*on_sync)(void *ctx, int relisted);
	/* A failed list or watch (message redacted); the informer retries. Optional. */
	void (*on_error)(void *ctx, const k8s_err *err);
	/* The server answers: a watch opened, or a BOOKMARK came. Whoever marked the
	 * source failing on on_error can clear that here. Optional. */
	void (*on_alive)(void *ctx);
} k8s_informer_cb;

typedef struct k8s_informer k8s_informer;

typedef struct k8s_informer_opts {
	const char *label_selector; /* or NULL */
	const char *field_selector; /* or NULL */
	int page_limit;		    /* 0: 500 */
	int timeout_min_s;	    /* watch timeoutSeconds range; 0: 300..600 */
	int timeout_max_s;
	int idle_s;		    /* a silent watch is reopened after this; 0: 15 s */
	/* How the list's pages are asked (never the watch's events, which are whole
	 * objects): list_accept an Accept header (a server-side Table: its rows go
	 * to on_add, see k8s_list), list_query appended to the list's path
	 * ("includeObject=Metadata"), list_keep the members on_add reads of a
	 * listed item. NULL: JSON, the plain path, every member. list_accept and
	 * list_keep must outlive the informer. */
	const char *list_accept;
	const char *list_query;
	const jscan_keep *list_keep;
} k8s_informer_opts;

/* Starts the thread. path is a collection ("/api/v1/namespaces" or
 * "/apis/apps/v1/namespaces/x/deployments"). client, path and cb must outlive the
 * informer (path and the strings in opts are copied). NULL if the thread cannot start. */
k8s_informer *k8s_informer_start(k8s_client *client, const char *path,
				 const k8s_informer_opts *opts, const k8s_informer_cb *cb,
				 void *ctx);
/* Asks the thread to stop and returns at once (it notices within about a second,
 * when its request next checks); k8s_informer_stop still has to be called. Asking
 * several informers first, then stopping them, waits for the slowest, not the sum. */
void k8s_informer_cancel(k8s_informer *inf);
/* Asks the thread to stop, waits for it, frees the informer. No callback runs after. */
void k8s_informer_stop(k8s_informer *inf);

/* Counters for status lines and tests (read from any thread). */
typedef struct k8s_informer_stats {
	unsigned lists;	  /* completed lists */
	unsigned watches; /* watch requests started */
	unsigned errors;
	unsigned events;
} k8s_informer_stats;
void k8s_informer_stats_get(k8s_informer *inf, k8s_informer_stats *out);

/* One watch event line: the type ("ADDED", "MODIFIED", "DELETED", "BOOKMARK",
 * "ERROR") into type, the object through *obj (caller frees), and for ERROR the
 * Status code in *code. Returns 0, or -1 if the line is not an event. Exposed for tests. */
int k8s_watch_parse_event(const char *line, size_t len, char *type, size_t typesz, cJSON **obj,
			  int *code);

#endif
