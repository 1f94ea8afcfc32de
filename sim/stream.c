/* kubesim's long answers: lists (paged), watches (chunked JSON lines with bookmarks,
 * timeouts and 410s) and pod logs (tail and follow). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "sim/http.h"
#include "sim/podlog.h"
#include "sim/table.h"
#include "util/util.h"

static void list_kind(const sim_resource *res, char *buf, size_t size)
{
	snprintf(buf, size, "%sList", res->kind);
}

static int parse_selectors(sim_req *r, sim_selector **ls, sim_selector **fs, sim_err *err)
{
	const char *l = sim_req_arg(r, "labelSelector"), *f = sim_req_arg(r, "fieldSelector");

	*ls = *fs = NULL;
	if (l && l[0] && !(*ls = sim_selector_parse_labels(l, err)))
		return -1;
	if (f && f[0] && !(*fs = sim_selector_parse_fields(f, err))) {
		sim_selector_free(*ls);
		*ls = NULL;
		return -1;
	}
	return 0;
}

static int parse_ulong(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return (*end || errno) ? -1 : 0;
}

/* ---- list ---- */

enum MHD_Result sim_stream_list(sim_req *r)
{
	sim_server *srv = r->srv;
	sim_selector *ls = NULL, *fs = NULL;
	sim_list l;
	sim_err err;
	unsigned long long limit = 0;
	const char *lim = sim_req_arg(r, "limit"), *cont = sim_req_arg(r, "continue");
	enum MHD_Result ret;
	sim_fault_cfg fc;
	char rv[32];

	memset(&err, 0, sizeof(err));
	memset(&l, 0, sizeof(l));
	if (lim && lim[0] && parse_ulong(lim, &limit))
		return sim_respond_status(r, 400, "BadRequest", "limit must be a non-negative integer: %s", lim);
	sim_faults_get(srv->faults, &fc);
	if (cont && cont[0] && fc.gone_continue)
		return sim_respond_status(r, 410, "Expired",
					  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
	if (parse_selectors(r, &ls, &fs, &err))
		return sim_respond_err(r, &err);
	if (sim_store_list(srv->store, r->res, r->res->namespaced ? r->ns : NULL, ls, fs, (size_t)limit,
			   cont && cont[0] ? cont : NULL, &l, &err)) {
		ret = sim_respond_err(r, &err);
		goto out;
	}
	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)l.rv);
	if (sim_req_wants_table(r)) {
		const char *inc = sim_req_arg(r, "includeObject");
		ret = sim_respond_json(r, 200, sim_table_render_objs(r->res, l.items, l.n, inc ? inc : "Metadata", rv,
								  l.cont, l.remaining, sim_store_now(srv->store)));
	} else {
		strbuf sb;
		char kind[96], av[64];
		size_t total = 64;
		for (size_t i = 0; i < l.n; i++)
			total += l.items[i]->len + 1;
		sb_init(&sb, total + 256);
		list_kind(r->res, kind, sizeof(kind));
		sim_resource_api_version(r->res, av, sizeof(av));
		sb_addf(&sb, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%s\"", kind, av, rv);
		if (l.cont)
			sb_addf(&sb, ",\"continue\":\"%s\",\"remainingItemCount\":%zu", l.cont, l.remaining);
		sb_adds(&sb, "},\"items\":[");
		for (size_t i = 0; i < l.n; i++) {
			if (i)
				sb_addc(&sb, ',');
			sb_add(&sb, l.items[i]->json, l.items[i]->len);
		}
		sb_adds(&sb, "]}");
		ret = sim_respond_json(r, 200, sb_detach(&sb, NULL));
		sb_release(&sb);
	}
out:
	sim_list_release(&l);
	sim_selector_free(ls);
	sim_selector_free(fs);
	return ret;
}

/* ---- watch ---- */

typedef struct watch_stream {
	sim_server *srv;
	struct MHD_Connection *conn;
	const sim_resource *res;
	sim_watch *w;
	sim_list initial;       /* rv "0"/"" : the current objects as ADDED first */
	size_t init_i;
	int table;
	char include[16];
	int bookmarks;
	int64_t deadline_ms;    /* timeoutSeconds */
	int64_t cut_ms;         /* fault: connection cut */
	int64_t last_send_ms;
	strbuf out;
	size_t off;
	int done;
	char *final_error;      /* an ERROR event to send, then end */
} watch_stream;

#define BOOKMARK_EVERY_MS 10000

static void add_event(watch_stream *ws, const char *type, sim_obj *o)
{
	sb_addf(&ws->out, "{\"type\":\"%s\",\"object\":", type);
	if (ws->table) {
		sim_obj *const objs[1] = {o};
		char rv[32];
		char *t;
		snprintf(rv, sizeof(rv), "%llu", (unsigned long long)o->rv);
		t = sim_table_render_objs(ws->res, objs, 1, ws->include, rv, NULL, 0, sim_store_now(ws->srv->store));
		sb_adds(&ws->out, t);
		free(t);
	} else {
		sb_add(&ws->out, o->json, o->len);
	}
	sb_adds(&ws->out, "}\n");
}

static void add_bookmark(watch_stream *ws, uint64_t rv)
{
	char av[64];

	sim_resource_api_version(ws->res, av, sizeof(av));
	sb_addf(&ws->out, "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"%llu\",\"creationTimestamp\":null}}}\n",
		ws->res->kind, av, (unsigned long long)rv);
}

static void add_error(watch_stream *ws, const sim_err *err)
{
	char *st = sim_status_json(err);
	sb_addf(&ws->out, "{\"type\":\"ERROR\",\"object\":%s}\n", st);
	free(st);
}

static const char *type_name(sim_event_type t)
{
	return t == SIM_ADDED ? "ADDED" : t == SIM_MODIFIED ? "MODIFIED" : "DELETED";
}

static void throttle(sim_server *srv, size_t n)
{
	sim_fault_cfg fc;

	sim_faults_get(srv->faults, &fc);
	if (fc.slow_bps > 0 && n > 0)
		util_sleep_us((int64_t)n * 1000000 / fc.slow_bps);
}

static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	watch_stream *ws = cls;

	for (;;) {
		if (sim_faults_hanging(ws->srv->faults)) { /* a hung server sends nothing */
			if (sim_req_peer_gone(ws->conn))
				return MHD_CONTENT_READER_END_WITH_ERROR;
			util_sleep_us(100 * 1000);
			ws->last_send_ms = util_mono_ms();
			continue;
		}
		if (ws->off < ws->out.len) {
			size_t n = ws->out.len - ws->off;
			sim_fault_cfg fc;
			sim_faults_get(ws->srv->faults, &fc);
			if (fc.slow_bps > 0 && (long)n > fc.slow_bps / 10 + 1)
				n = (size_t)(fc.slow_bps / 10 + 1);
			if (n > max)
				n = max;
			memcpy(buf, ws->out.buf + ws->off, n);
			ws->off += n;
			if (ws->off == ws->out.len) {
				sb_reset(&ws->out);
				ws->off = 0;
			}
			throttle(ws->srv, n);
			ws->last_send_ms = util_mono_ms();
			return (ssize_t)n;
		}
		if (ws->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (ws->init_i < ws->initial.n) {
			while (ws->init_i < ws->initial.n && ws->out.len < 64 * 1024)
				add_event(ws, "ADDED", ws->initial.items[ws->init_i++]);
			continue;
		}
		int64_t now = util_mono_ms();
		if (ws->cut_ms && now >= ws->cut_ms)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (now >= ws->deadline_ms) {
			ws->done = 1;
			continue;
		}
		int64_t wait = ws->deadline_ms - now;
		if (ws->cut_ms && ws->cut_ms - now < wait)
			wait = ws->cut_ms - now;
		if (wait > 500)
			wait = 500;
		if (!ws->conn)
			wait = 0; /* served from memory: what is ready, then the end */
		sim_event ev;
		sim_err err;
		memset(&err, 0, sizeof(err));
		int rc = sim_watch_next(ws->w, (int)wait, &ev, &err);
		if (rc == 1) {
			add_event(ws, type_name(ev.type), ev.obj);
			sim_event_release(&ev);
			continue;
		}
		if (rc < 0) {
			if (err.code == 503)
				return MHD_CONTENT_READER_END_OF_STREAM;
			add_error(ws, &err);
			ws->done = 1;
			continue;
		}
		if (sim_req_peer_gone(ws->conn))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (ws->bookmarks && util_mono_ms() - ws->last_send_ms >= BOOKMARK_EVERY_MS) {
			add_bookmark(ws, sim_watch_rv(ws->w));
			continue;
		}
	}
}

static void watch_free(void *cls)
{
	watch_stream *ws = cls;

	if (ws->w)
		sim_watch_close(ws->w);
	sim_list_release(&ws->initial);
	sb_release(&ws->out);
	free(ws);
}

enum MHD_Result sim_stream_watch(sim_req *r)
{
	sim_server *srv = r->srv;
	sim_selector *ls = NULL, *fs = NULL;
	sim_err err;
	const char *rvs = sim_req_arg(r, "resourceVersion");
	const char *to = sim_req_arg(r, "timeoutSeconds");
	const char *inc = sim_req_arg(r, "includeObject");
	unsigned long long since = 0, tsec = 1800;
	sim_fault_cfg fc;
	watch_stream *ws;
	const char *ns = r->res->namespaced && r->ns[0] ? r->ns : NULL;

	memset(&err, 0, sizeof(err));
	if (rvs && rvs[0] && parse_ulong(rvs, &since))
		return sim_respond_status(r, 400, "BadRequest", "resourceVersion must be an integer: %s", rvs);
	if (to && to[0] && parse_ulong(to, &tsec))
		return sim_respond_status(r, 400, "BadRequest", "timeoutSeconds must be an integer: %s", to);
	sim_faults_get(srv->faults, &fc);
	if (fc.gone_watch && since > 0)
		return sim_respond_status(r, 410, "Expired", "too old resource version: %llu (%llu)",
					  since, (unsigned long long)sim_store_rv(srv->store));
	if (parse_selectors(r, &ls, &fs, &err))
		return sim_respond_err(r, &err);

	ws = xcalloc(1, sizeof(*ws));
	ws->srv = srv;
	ws->conn = r->conn;
	ws->res = r->res;
	ws->table = sim_req_wants_table(r);
	util_strlcpy(ws->include, inc ? inc : "Metadata", sizeof(ws->include));
	ws->bookmarks = sim_req_flag(r, "allowWatchBookmarks");
	ws->deadline_ms = util_mono_ms() + (int64_t)tsec * 1000;
	if (fc.watch_cut_s > 0)
		ws->cut_ms = util_mono_ms() + (int64_t)fc.watch_cut_s * 1000;
	ws->last_send_ms = util_mono_ms();
	sb_init(&ws->out, 4096);

	if (since == 0) {
		/* "most recent": the current state as ADDED events, then changes */
		if (sim_store_list(srv->store, r->res, ns, ls, fs, 0, NULL, &ws->initial, &err))
			goto fail;
		since = ws->initial.rv;
	}
	ws->w = sim_watch_open(srv->store, r->res, ns, ls, fs, since, &err);
	ls = fs = NULL; /* the watch owns them now */
	if (!ws->w) {
		if (err.code != 410)
			goto fail;
		/* too old: like kube-apiserver, a 200 with an in-stream ERROR event */
		add_error(ws, &err);
		ws->done = 1;
	}
	return sim_respond_stream(r, 200, "application/json", watch_read, ws, watch_free);
fail:
	sim_selector_free(ls);
	sim_selector_free(fs);
	watch_free(ws);
	return sim_respond_err(r, &err);
}

/* ---- pod logs ---- */

typedef struct log_stream {
	sim_server *srv;
	struct MHD_Connection *conn;
	char ns[256], pod[256], container[128];
	int timestamps;
	uint64_t cursor;
	strbuf out;
	size_t off;
	int done;
} log_stream;

static ssize_t log_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	log_stream *ls = cls;

	for (;;) {
		if (ls->off < ls->out.len) {
			size_t n = ls->out.len - ls->off;
			if (n > max)
				n = max;
			memcpy(buf, ls->out.buf + ls->off, n);
			ls->off += n;
			if (ls->off == ls->out.len) {
				sb_reset(&ls->out);
				ls->off = 0;
			}
			throttle(ls->srv, n);
			return (ssize_t)n;
		}
		if (ls->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		sim_err err;
		memset(&err, 0, sizeof(err));
		int rc = sim_podlog_follow(ls->srv->store, ls->ns, ls->pod, ls->container, ls->timestamps,
					   &ls->cursor, ls->conn ? 500 : 0, &ls->out, &err);
		if (rc < 0) {
			ls->done = 1;
			continue;
		}
		if (rc == 0 && sim_req_peer_gone(ls->conn))
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void log_free(void *cls)
{
	log_stream *ls = cls;

	sb_release(&ls->out);
	free(ls);
}

enum MHD_Result sim_stream_log(sim_req *r)
{
	const char *c = sim_req_arg(r, "container"), *tl = sim_req_arg(r, "tailLines");
	long tail = -1;
	log_stream *ls;
	sim_err err;

	memset(&err, 0, sizeof(err));
	if (tl && tl[0]) {
		unsigned long long v;
		if (parse_ulong(tl, &v))
			return sim_respond_status(r, 400, "BadRequest", "tailLines must be a non-negative integer: %s", tl);
		tail = (long)v;
	}
	ls = xcalloc(1, sizeof(*ls));
	ls->srv = r->srv;
	ls->conn = r->conn;
	util_strlcpy(ls->ns, r->ns, sizeof(ls->ns));
	util_strlcpy(ls->pod, r->name, sizeof(ls->pod));
	util_strlcpy(ls->container, c ? c : "", sizeof(ls->container));
	ls->timestamps = sim_req_flag(r, "timestamps");
	sb_init(&ls->out, 4096);
	if (sim_podlog_read(r->srv->store, ls->ns, ls->pod, ls->container, tail, ls->timestamps, &ls->out,
			    &ls->cursor, &err) < 0) {
		log_free(ls);
		return sim_respond_err(r, &err);
	}
	if (!sim_req_flag(r, "follow")) {
		char *text = sb_detach(&ls->out, NULL);
		log_free(ls);
		return sim_respond_text(r, 200, "text/plain", text);
	}
	return sim_respond_stream(r, 200, "text/plain", log_read, ls, log_free);
}
