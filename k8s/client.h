/* k8s/client.h — the Kubernetes API over libcurl.
 *
 * A client owns its k8s_config and a small pool of CURL easy handles reused
 * across requests (keep-alive), so every function below may be called from any
 * thread at once. Credentials: static token, tokenFile (re-read when its mtime
 * changes or after a 401), client certificates (handed to curl as blobs), exec
 * plugins (cached until expirationTimestamp, run again after a 401). Credentials go
 * only over https. Reads (GET) are retried on 429/5xx and transport errors with
 * backoff honouring Retry-After; writes only when the connection was refused.
 * Every message in a k8s_err is one redacted line.
 *
 * Paths are API paths ("/api/v1/namespaces/x/pods"), see k8s_path(). cJSON results
 * handed out (*out) belong to the caller (cJSON_Delete); items passed to callbacks
 * are borrowed for the duration of the call. */
#ifndef K8S_CLIENT_H
#define K8S_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s/jscan.h"
#include "k8s/kubeconfig.h"
#include "k8s/lines.h"
#include "k8s/status.h"
#include "util/util.h"

typedef struct k8s_client k8s_client;

typedef struct k8s_client_opts {
	int connect_timeout_ms; /* 0: 10 s */
	int request_timeout_ms; /* whole non-streaming request; 0: 30 s */
	int max_retries;	/* for reads; 0: 4, -1: none */
	const char *user_agent; /* NULL: "smartops" */
	/* A deadline for every non-streaming request of this client, retries and
	 * credential plugins included (util_mono_ms() scale; 0: none): each request
	 * is cut to what is left, and past it a request fails at once with
	 * err->unreachable set. For commands that must answer in bounded time. */
	int64_t deadline_mono_ms;
	int exec_timeout_ms; /* a credential plugin's run; 0: K8S_EXEC_TIMEOUT_MS */
	/* Tracing (smartops -v, -vv): 1 a line per request made, its answer and
	 * time; 2 also the headers sent and received. Every line passes through
	 * k8s_redact first (a bearer token, a cookie, a password never reaches
	 * trace). trace is called on the requesting thread; NULL: no tracing. */
	int trace_level;
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
	/* The watchdog (k8s_stream): once every watch has been silent this long,
	 * the server is probed (0: 5 s; -1: never), and the probe's answer awaited
	 * this long (0: 5 s, or the request timeout when shorter). */
	int probe_quiet_ms;
	int probe_answer_ms;
} k8s_client_opts;

/* Takes ownership of cfg (even on failure). opts may be NULL. Prints a one-time
 * warning on stderr when cfg->insecure. */
k8s_client *k8s_client_new(k8s_config *cfg, const k8s_client_opts *opts, k8s_err *err);
void k8s_client_free(k8s_client *c);
const k8s_config *k8s_client_config(const k8s_client *c);
/* The server's clock now (unix s), estimated from the Date headers of its
 * answers (k8s/clock.h); the local clock until it has answered. For ages of
 * objects the server stamped. Any thread. */
int64_t k8s_client_server_now(k8s_client *c);

/* "/api/v1/namespaces/NS/PLURAL/NAME" or "/apis/GROUP/VERSION/..."; ns and name may
 * be NULL or "". malloc'd. */
char *k8s_path(const char *group, const char *version, const char *ns, const char *plural,
	       const char *name);
/* Percent-encodes s for a query value; malloc'd. */
char *k8s_query_escape(const char *s);

enum {
	K8S_DRY_RUN = 1 << 0, /* dryRun=All: validated by the server, nothing stored */
	K8S_FORCE = 1 << 1,   /* apply: force=true (take over conflicting fields) */
};

int k8s_get(k8s_client *c, const char *path, cJSON **out, k8s_err *err);
/* A GET whose 2xx answer is wanted as text, in *answer (replaced): for a
 * reader that walks it without building it (k8s/jscan.h). 0, or -1 with err. */
int k8s_get_text(k8s_client *c, const char *path, strbuf *answer, k8s_err *err);
/* k8s_get, given up (an error, "cancelled") soon after *cancel becomes non-zero,
 * retries and their pauses included. */
int k8s_get_cancel(k8s_client *c, const char *path, const atomic_int *cancel, cJSON **out,
		   k8s_err *err);
/* POST json to the collection path. */
int k8s_create(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
	       k8s_err *err);
/* PUT json to the object path. */
int k8s_update(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
	       k8s_err *err);
/* PATCH application/merge-patch+json. */
int k8s_merge_patch(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
		    k8s_err *err);
/* Server-side apply: PATCH application/apply-patch+yaml (JSON is YAML),
 * fieldManager=smartops. */
int k8s_apply(k8s_client *c, const char *path, const char *body, int flags, cJSON **out,
	      k8s_err *err);
/* The same as another field manager (a name of [a-z0-9-], e.g.
 * "smartops-fileserver"): its fields are its own, so an apply of a few
 * fields leaves smartops's as they are, and an apply of nothing gives its
 * fields up. */
int k8s_apply_as(k8s_client *c, const char *path, const char *body, const char *manager,
		 int flags, cJSON **out, k8s_err *err);
int k8s_delete(k8s_client *c, const char *path, int flags, k8s_err *err);

/* Paged list. fn gets each item (borrowed); a non-zero return stops the list and is
 * returned. On 410 Expired in the middle, the list starts again from scratch (at
 * most 3 times), after calling on_restart so the caller can drop what it got. */
typedef int (*k8s_item_fn)(void *ctx, const cJSON *item);
typedef struct k8s_list_opts {
	const char *label_selector; /* or NULL */
	const char *field_selector; /* or NULL */
	int limit;		    /* page size; 0: 500 */
	void (*on_restart)(void *ctx);
	const atomic_int *cancel; /* or NULL */
	const char *accept;	  /* Accept header, or NULL for application/json; when the
				     answer is a Table its rows go to fn instead of items */
	const jscan_keep *keep;	  /* the members of each item fn reads (NULL: all); the
				     rest of a page is checked but not parsed */
	/* Called once per listing (again after a restart) with how many items the
	 * first page says the list holds (this page plus remainingItemCount), so
	 * the caller can make room. May be NULL. */
	void (*on_total)(void *ctx, size_t total);
	/* Called once the listing's first page is in, before its items are handed
	 * over (again after a restart, after on_restart). May be NULL. A caller
	 * that makes ready for the items here, not before it calls, asks for the
	 * first page without waiting for its own locks. */
	void (*on_begin)(void *ctx);
	/* Each item's text [p, end) goes here first (when not NULL): 1 when it
	 * took the item, 0 to have it built (keep) and given to fn as usual. */
	int (*item_text)(void *ctx, const char *p, const char *end);
} k8s_list_opts;
/* rv (may be NULL) receives the list's resourceVersion. */
int k8s_list(k8s_client *c, const char *path, const k8s_list_opts *opts, k8s_item_fn fn, void *ctx,
	     char *rv, size_t rvsz, k8s_err *err);

/* SelfSubjectAccessReview. group "" for core; subresource, ns, name may be NULL. */
int k8s_can_i(k8s_client *c, const char *verb, const char *group, const char *resource,
	      const char *subresource, const char *ns, const char *name, int *allowed, char *reason,
	      size_t reasonsz, k8s_err *err);

typedef struct k8s_log_opts {
	const char *container; /* or NULL */
	long tail_lines;       /* < 0: all */
	int follow;	       /* stream until the pod ends or *cancel */
	int timestamps;
	int previous;
} k8s_log_opts;
/* Pod logs, line by line (fn returning non-zero stops). Returns 0 also when
 * stopped by fn or *cancel. */
int k8s_pod_logs(k8s_client *c, const char *ns, const char *pod, const k8s_log_opts *opts,
		 k8s_line_fn fn, void *ctx, const atomic_int *cancel, k8s_err *err);

/* Streaming GET (watches): no overall timeout, aborts when less than 1 byte/s
 * arrives for idle_s seconds, when the answer's status line has not come within
 * the client's request timeout (a server that accepts and never answers), or
 * promptly when *cancel becomes non-zero. Data of a 2xx answer goes to fn as it
 * arrives, and once with n == 0 when its headers have come (the stream is open;
 * a non-zero return ends the stream). Returns
 * 0 on a clean end; 1 when stopped by fn or cancel; -1 with err (err->http set for
 * an HTTP error, 410 included).
 *
 * A hung server is said sooner than idle_s: while a stream is open, a thread of
 * the client's (the watchdog, one per client, started with the first stream)
 * notes when the server last sent anything (any answer's headers, a stream's
 * bytes; not a pod log's lines). After probe_quiet_ms of silence it asks GET
 * /version, awaited probe_answer_ms: any answer restarts the silence; none, and
 * no stream heard meanwhile, ends every stream then open with -1 and
 * err->unreachable (within about a second). At most one probe per
 * probe_quiet_ms, none while anything comes. */
typedef int (*k8s_data_fn)(void *ctx, const char *data, size_t n);
int k8s_stream(k8s_client *c, const char *path, int idle_s, k8s_data_fn fn, void *ctx,
	       const atomic_int *cancel, k8s_err *err);
/* How many probes the watchdog has sent (tests, traces). Any thread. */
unsigned k8s_client_probes(k8s_client *c);

#endif
