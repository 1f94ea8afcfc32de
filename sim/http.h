/* sim/http.h — internal to kubesim's HTTP layer (server.c, api.c, stream.c, faults.c):
 * the per-request state and the helpers that answer a request. */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <microhttpd.h>
#include <stdint.h>

#include "sim/auth.h"
#include "sim/faults.h"
#include "sim/server.h"
#include "sim/status.h"
#include "sim/store.h"
#include "sim/tls.h"
#include "util/util.h"

struct sim_workload;
struct sim_fleetctl;
struct sim_volumes;
struct sim_event_ttl;

struct sim_server {
	sim_server_opts opts;
	struct MHD_Daemon *daemon;
	sim_store *store;
	sim_auth *auth;
	sim_tls tls;
	sim_faults *faults;
	struct sim_workload *workload;
	struct sim_fleetctl *fleetctl;
	struct sim_volumes *volumes;
	struct sim_event_ttl *event_ttl; /* Events expire (sim/event_ttl.h) */
	int port;
	char url[64];
	double time_scale;
	int64_t start_s, start_mono_ms; /* --start-time: the clock until the fleet's takes over */
	double start_scale;         /* how fast start_clock runs (time_scale without a fleet) */
	int audit_fd; /* --audit-log, or -1 */
};

#define SIM_MAX_BODY (3u * 1024 * 1024) /* what kube-apiserver accepts */

typedef struct sim_req {
	sim_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	char *path;             /* URL path, without the query */
	strbuf body;
	int body_too_big;
	sim_user user;
	int64_t t0_ms;
	/* a resource path, once routed */
	const sim_resource *res;
	char ns[256];
	char name[256];
	char sub[32];
	int watch_path;         /* the legacy /watch/ prefix */
	int lose_reply;         /* fault lose_write_reply: a 2xx answer becomes a 503 */
	int foreign_create;     /* fault foreign_create: someone else's object first */
	/* served from memory (conn NULL): sim_server_serve_mem */
	const sim_mem_request *mem;
	char **mem_args;        /* decoded query: key, value (or NULL), ... */
	size_t n_mem_args;
	strbuf *mem_out;        /* the reply */
	size_t mem_max;
	unsigned mem_code;
} sim_req;

/* Query parameter or NULL. */
const char *sim_req_arg(const sim_req *r, const char *key);
const char *sim_req_header(const sim_req *r, const char *key);
/* A boolean query parameter: "true" (any case) or "1". */
int sim_req_flag(const sim_req *r, const char *key);
int sim_req_wants_table(const sim_req *r);

/* Queue a response; json is taken over (freed by MHD). */
enum MHD_Result sim_respond_json(sim_req *r, unsigned code, char *json);
enum MHD_Result sim_respond_text(sim_req *r, unsigned code, const char *ctype, char *text);
enum MHD_Result sim_respond_err(sim_req *r, const sim_err *err);
enum MHD_Result sim_respond_status(sim_req *r, int code, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Hands a streaming response (chunked) to MHD. */
enum MHD_Result sim_respond_stream(sim_req *r, unsigned code, const char *ctype,
				   MHD_ContentReaderCallback cb, void *cls,
				   MHD_ContentReaderFreeCallback free_cb);

/* api.c: the REST verbs on r->res */
enum MHD_Result sim_api_handle(sim_req *r);
/* stream.c: lists, watches, pod logs */
enum MHD_Result sim_stream_list(sim_req *r);
enum MHD_Result sim_stream_watch(sim_req *r);
enum MHD_Result sim_stream_log(sim_req *r);
/* 1 when the peer hung up (checked while a stream waits); always 1 for a request
 * served from memory (conn NULL): a stream ends when nothing more is ready. */
int sim_req_peer_gone(struct MHD_Connection *conn);

#endif
