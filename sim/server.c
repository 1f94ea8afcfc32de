/* kubesim's HTTP front: libmicrohttpd (thread per connection, GnuTLS), authentication,
 * routing to the API handlers, fault injection, the /sim/v1 and /catalog/v1 endpoints. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/catalog.h"
#include "sim/discovery.h"
#include "sim/fleet.h"
#include "sim/fleetctl.h"
#include "sim/http.h"
#include "sim/kubeconfig_out.h"
#include "sim/openapi.h"
#include "sim/resource.h"
#include "sim/platform.h"
#include "sim/podlog.h"
#include "sim/volumes.h"
#include "sim/event_ttl.h"
#include "sim/workload.h"
#include "util/util.h"

/* ---- request helpers ---- */

const char *sim_req_arg(const sim_req *r, const char *key)
{
	if (!r->conn) {
		for (size_t i = 0; i + 1 < r->n_mem_args; i += 2)
			if (!strcmp(r->mem_args[i], key))
				return r->mem_args[i + 1];
		return NULL;
	}
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *sim_req_header(const sim_req *r, const char *key)
{
	if (!r->conn) {
		for (size_t i = 0; i + 1 < 2 * r->mem->n_headers; i += 2)
			if (!strcasecmp(r->mem->headers[i], key))
				return r->mem->headers[i + 1];
		return NULL;
	}
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

int sim_req_flag(const sim_req *r, const char *key)
{
	const char *v = sim_req_arg(r, key);
	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

int sim_req_wants_table(const sim_req *r)
{
	const char *a = sim_req_header(r, "Accept");
	return a && strstr(a, "as=Table") != NULL;
}

int sim_req_peer_gone(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct pollfd p;

	if (!conn)
		return 1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return 0;
	p.fd = ci->connect_fd;
	p.events = POLLRDHUP;
	p.revents = 0;
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return 1;
	return 0;
}

static void fault_mangle(sim_req *r, char **body, size_t *len)
{
	sim_fault_cfg c;

	if (!r->res)
		return;
	sim_faults_get(r->srv->faults, &c);
	if (*len > 2 && sim_faults_roll(r->srv->faults, c.truncate_rate)) {
		*len /= 2;
		(*body)[*len] = '\0';
	} else if (*len > 2 && sim_faults_roll(r->srv->faults, c.malformed_rate)) {
		(*body)[*len / 2] = '}';
		(*body)[0] = '?';
	}
}

/* The slow_bps fault: the body handed out in slices, a tenth of a second's worth each. */
typedef struct slow_body {
	sim_server *srv;
	char *text;
	size_t len;
} slow_body;

static ssize_t slow_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	slow_body *b = cls;
	sim_fault_cfg c;
	size_t n;

	if (pos >= b->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	sim_faults_get(b->srv->faults, &c);
	n = b->len - (size_t)pos;
	if (n > max)
		n = max;
	if (c.slow_bps > 0) {
		size_t slice = (size_t)(c.slow_bps / 10 + 1);
		if (n > slice)
			n = slice;
		util_sleep_us((int64_t)n * 1000000 / c.slow_bps);
	}
	memcpy(buf, b->text + pos, n);
	return (ssize_t)n;
}

static void slow_free(void *cls)
{
	slow_body *b = cls;

	free(b->text);
	free(b);
}

static struct MHD_Response *slow_response(sim_req *r, char *text, size_t len)
{
	sim_fault_cfg c;
	slow_body *b;

	if (strncmp(r->path, "/api", 4) != 0)
		return NULL;
	sim_faults_get(r->srv->faults, &c);
	if (c.slow_bps <= 0)
		return NULL;
	b = xmalloc(sizeof(*b));
	b->srv = r->srv;
	b->text = text;
	b->len = len;
	return MHD_create_response_from_callback(len, 64 * 1024, slow_read, b, slow_free);
}

/* Date: the simulated clock, as a real API server sends its own time (clients
 * estimate the server's clock from it: ages of objects stamped by the server). */
static void add_date(sim_req *r, struct MHD_Response *resp)
{
	static const char *const day[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)sim_store_now(r->srv->store);
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&t, &tm))
		return;
	snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", day[tm.tm_wday % 7],
		 tm.tm_mday, mon[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
	MHD_add_response_header(resp, "Date", buf);
}

enum MHD_Result sim_respond_text(sim_req *r, unsigned code, const char *ctype, char *text)
{
	size_t len = strlen(text);
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->lose_reply && code < 300) { /* the write is made; its answer is lost */
		r->lose_reply = 0;
		free(text);
		return sim_respond_status(r, 503, "ServiceUnavailable",
					  "kubesim fault injection: lose_write_reply (the write was made)");
	}
	if (code < 300)
		fault_mangle(r, &text, &len);
	if (!r->conn) {
		r->mem_code = code;
		sb_add(r->mem_out, text, len < r->mem_max ? len : r->mem_max);
		free(text);
		return MHD_YES;
	}
	resp = slow_response(r, text, len);
	if (!resp)
		resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
	add_date(r, resp);
	if (code == 429 || code == 503) {
		sim_fault_cfg c;
		char ra[16];
		sim_faults_get(r->srv->faults, &c);
		snprintf(ra, sizeof(ra), "%d", c.retry_after_s > 0 ? c.retry_after_s : 1);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	ret = MHD_queue_response(r->conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result sim_respond_json(sim_req *r, unsigned code, char *json)
{
	return sim_respond_text(r, code, "application/json", json);
}

enum MHD_Result sim_respond_err(sim_req *r, const sim_err *err)
{
	return sim_respond_json(r, (unsigned)(err->code ? err->code : 500), sim_status_json(err));
}

enum MHD_Result sim_respond_status(sim_req *r, int code, const char *reason, const char *fmt, ...)
{
	sim_err err;
	va_list ap;

	memset(&err, 0, sizeof(err));
	err.code = code;
	err.reason = reason;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	return sim_respond_err(r, &err);
}

enum MHD_Result sim_respond_stream(sim_req *r, unsigned code, const char *ctype,
				   MHD_ContentReaderCallback cb, void *cls,
				   MHD_ContentReaderFreeCallback free_cb)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!r->conn) { /* what the stream has ready, as MHD would read it */
		char buf[16 * 1024];
		ssize_t n;
		r->mem_code = code;
		while (r->mem_out->len < r->mem_max &&
		       (n = cb(cls, r->mem_out->len, buf, sizeof(buf))) > 0)
			sb_add(r->mem_out, buf, (size_t)n);
		free_cb(cls);
		return MHD_YES;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, cb, cls, free_cb);
	if (!resp) {
		free_cb(cls);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
	add_date(r, resp);
	ret = MHD_queue_response(r->conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- authentication ---- */

static int authenticate(sim_req *r)
{
	const char *h = sim_req_header(r, "Authorization");
	sim_server *s = r->srv;

	if (h && !strncasecmp(h, "Bearer ", 7)) {
		const char *tok = h + 7;
		while (*tok == ' ')
			tok++;
		return sim_auth_by_token(s->auth, tok, &r->user) ? 1 : -1;
	}
	if (h)
		return -1;
	if (!s->opts.plain_http) {
		const union MHD_ConnectionInfo *ci =
			r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)
				: NULL;
		char user[128], groups[8][128];
		size_t ng = 0;
		int rc;

		if (!ci)
			return -1;
		rc = sim_tls_peer_identity(&s->tls, ci->tls_session, user, sizeof(user), groups, 8, &ng);
		if (rc == 1) {
			sim_auth_user_from_cert(s->auth, user, groups, ng, &r->user);
			return 1;
		}
		return -1;
	}
	/* Plain HTTP is the insecure port: kubectl sends no credentials there. */
	return sim_auth_by_token(s->auth, sim_auth_token(s->auth, "admin"), &r->user) ? 1 : -1;
}

static int is_admin(const sim_req *r)
{
	for (size_t i = 0; i < r->user.n_groups; i++)
		if (!strcmp(r->user.groups[i], "system:masters"))
			return 1;
	return 0;
}

/* ---- routing ---- */

static size_t split_path(char *path, char **seg, size_t max)
{
	size_t n = 0;
	char *p = path;

	while (*p == '/')
		p++;
	while (*p && n < max) {
		seg[n++] = p;
		p = strchr(p, '/');
		if (!p)
			break;
		*p++ = '\0';
		while (*p == '/')
			p++;
	}
	return n;
}

static enum MHD_Result route_resource(sim_req *r, const char *group, const char *version,
				      char **seg, size_t n)
{
	const sim_resource *res;

	if (n == 0) {
		char *doc = sim_discovery_resources(group, version);
		if (!doc)
			return sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
		return sim_respond_json(r, 200, doc);
	}
	/* legacy /watch/ prefix */
	if (!strcmp(seg[0], "watch")) {
		r->watch_path = 1;
		seg++;
		n--;
		if (n == 0)
			goto notfound;
	}
	if (n >= 3 && !strcmp(seg[0], "namespaces") &&
	    (res = sim_resource_find(group, version, seg[2])) && res->namespaced) {
		util_strlcpy(r->ns, seg[1], sizeof(r->ns));
		seg += 3;
		n -= 3;
	} else {
		res = sim_resource_find(group, version, seg[0]);
		if (!res)
			goto notfound;
		seg += 1;
		n -= 1;
	}
	if (n > 2)
		goto notfound;
	r->res = res;
	if (n >= 1)
		util_strlcpy(r->name, seg[0], sizeof(r->name));
	if (n == 2) {
		if (!sim_word_in(res->subresources, seg[1]))
			goto notfound;
		util_strlcpy(r->sub, seg[1], sizeof(r->sub));
	}
	return sim_api_handle(r);
notfound:
	return sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
}

static enum MHD_Result route_sim(sim_req *r, char **seg, size_t n)
{
	sim_server *s = r->srv;
	sim_err err;

	memset(&err, 0, sizeof(err));
	if (n == 3 && !strcmp(seg[2], "faults")) {
		if (!strcmp(r->method, "GET"))
			return sim_respond_json(r, 200, sim_faults_json(s->faults));
		if (!is_admin(r))
			return sim_respond_status(r, 403, "Forbidden",
						  "faults can be changed by an administrator (group system:masters) only");
		if (!strcmp(r->method, "DELETE")) {
			sim_faults_clear(s->faults);
			return sim_respond_json(r, 200, sim_faults_json(s->faults));
		}
		if (!strcmp(r->method, "PUT") || !strcmp(r->method, "POST")) {
			if (sim_faults_set_json(s->faults, r->body.buf, &err))
				return sim_respond_err(r, &err);
			return sim_respond_json(r, 200, sim_faults_json(s->faults));
		}
		return sim_respond_status(r, 405, "MethodNotAllowed", "use GET, PUT or DELETE on /sim/v1/faults");
	}
	if (n == 3 && !strcmp(seg[2], "fleet")) {
		if (!s->fleetctl)
			return sim_respond_status(r, 404, "NotFound", "no fleet seeded (start kubesim with --fleet N)");
		return sim_respond_json(r, 200, sim_fleetctl_json(s->fleetctl));
	}
	if (n == 3 && !strcmp(seg[2], "podlog")) {
		const char *ns = sim_req_arg(r, "namespace"), *pod = sim_req_arg(r, "pod");
		int lines;
		if (strcmp(r->method, "POST"))
			return sim_respond_status(r, 405, "MethodNotAllowed",
						  "POST /sim/v1/podlog?namespace=NS&pod=P[&container=C] with the lines as body");
		if (!is_admin(r))
			return sim_respond_status(r, 403, "Forbidden",
						  "pod logs can be told by an administrator (group system:masters) only");
		if (!ns || !*ns || !pod || !*pod)
			return sim_respond_status(r, 400, "BadRequest",
						  "podlog needs ?namespace=NS&pod=P[&container=C]");
		lines = sim_podlog_tell(s->store, ns, pod, sim_req_arg(r, "container"),
					r->body.buf ? r->body.buf : "", &err);
		if (lines < 0)
			return sim_respond_err(r, &err);
		{
			cJSON *o = cJSON_CreateObject();
			char *out;
			cJSON_AddNumberToObject(o, "lines", lines);
			out = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
			return sim_respond_json(r, 200, out);
		}
	}
	if (n == 3 && !strcmp(seg[2], "traffic")) {
		const char *tc = sim_req_arg(r, "tcode"), *env = sim_req_arg(r, "env");
		if (strcmp(r->method, "POST"))
			return sim_respond_status(r, 405, "MethodNotAllowed", "POST /sim/v1/traffic?tcode=T&env=prod");
		if (!s->fleetctl)
			return sim_respond_status(r, 404, "NotFound", "no fleet seeded (start kubesim with --fleet N)");
		if (!tc)
			return sim_respond_status(r, 400, "BadRequest", "traffic needs ?tcode=T12345[&env=prod|dev]");
		if (sim_fleetctl_traffic(s->fleetctl, tc, env ? env : "prod", &err))
			return sim_respond_err(r, &err);
		{
			cJSON *o = cJSON_CreateObject();
			char *out;
			cJSON_AddStringToObject(o, "tcode", tc);
			cJSON_AddStringToObject(o, "env", env ? env : "prod");
			cJSON_AddBoolToObject(o, "sent", 1);
			out = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
			return sim_respond_json(r, 200, out);
		}
	}
	return sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
}

static enum MHD_Result route_catalog(sim_req *r, char **seg, size_t n)
{
	sim_err err;
	char *doc;

	memset(&err, 0, sizeof(err));
	if (strcmp(r->method, "GET"))
		return sim_respond_status(r, 405, "MethodNotAllowed", "the catalogue is read-only");
	if (n == 3 && !strcmp(seg[2], "tenants"))
		return sim_respond_json(r, 200, sim_catalog_list_json());
	if (n == 4 && !strcmp(seg[2], "tenants")) {
		doc = sim_catalog_get_json(seg[3], &err);
		if (!doc)
			return sim_respond_err(r, &err);
		return sim_respond_json(r, 200, doc);
	}
	return sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
}

/* --audit-log: one line per request that may write, as received (the
 * RequestReceived stage of a real API server's audit log); a dry run ends in
 * " dryRun". */
static void audit_write(sim_req *r)
{
	const char *dry = sim_req_arg(r, "dryRun");
	char when[40];
	strbuf sb;

	if (r->srv->audit_fd < 0 || !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
		return;
	util_rfc3339(util_now_ms() / 1000, when, sizeof(when));
	sb_init(&sb, 256);
	sb_addf(&sb, "%s %s %s user=%s%s\n", when, r->method, r->path, r->user.name,
		dry && *dry ? " dryRun" : "");
	if (write(r->srv->audit_fd, sb.buf, sb.len) < 0) {
		/* the log is best effort: the request goes on */
	}
	sb_release(&sb);
}

static enum MHD_Result dispatch(sim_req *r)
{
	char *seg[16];
	char *path = xstrdup(r->path);
	size_t n = split_path(path, seg, ARRAY_SIZE(seg));
	enum MHD_Result ret;
	int public_path = 0;

	if (n == 0 || !strcmp(seg[0], "version") || !strcmp(seg[0], "healthz") ||
	    !strcmp(seg[0], "readyz") || !strcmp(seg[0], "livez"))
		public_path = 1;

	if (r->body_too_big) {
		ret = sim_respond_status(r, 413, "RequestEntityTooLarge",
					 "the request body is larger than %u bytes", SIM_MAX_BODY);
		goto out;
	}
	if (!public_path && authenticate(r) < 0) {
		ret = sim_respond_status(r, 401, "Unauthorized", "Unauthorized");
		goto out;
	}
	if (!public_path)
		audit_write(r);
	if (n == 0) {
		ret = sim_respond_json(r, 200, xstrdup("{\"paths\":[\"/api\",\"/api/v1\",\"/apis\",\"/openapi/v3\",\"/version\",\"/healthz\",\"/catalog/v1/tenants\",\"/sim/v1/fleet\",\"/sim/v1/faults\",\"/sim/v1/podlog\"]}"));
	} else if (!strcmp(seg[0], "version")) {
		ret = sim_respond_json(r, 200, sim_discovery_version());
	} else if (!strcmp(seg[0], "healthz") || !strcmp(seg[0], "readyz") || !strcmp(seg[0], "livez")) {
		ret = sim_respond_text(r, 200, "text/plain", xstrdup("ok"));
	} else if (!strcmp(seg[0], "api")) {
		if (n == 1)
			ret = sim_respond_json(r, 200, sim_discovery_api());
		else
			ret = route_resource(r, "", seg[1], seg + 2, n - 2);
	} else if (!strcmp(seg[0], "apis")) {
		if (n == 1) {
			ret = sim_respond_json(r, 200, sim_discovery_apis());
		} else if (n == 2) {
			ret = sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
		} else {
			ret = route_resource(r, seg[1], seg[2], seg + 3, n - 3);
		}
	} else if (!strcmp(seg[0], "openapi") && n >= 2 && !strcmp(seg[1], "v3")) {
		char *doc;
		if (n == 2) {
			doc = sim_openapi_root();
		} else {
			strbuf gv;
			sb_init(&gv, 64);
			for (size_t i = 2; i < n; i++)
				sb_addf(&gv, "%s%s", i > 2 ? "/" : "", seg[i]);
			doc = sim_openapi_gv(gv.buf);
			sb_release(&gv);
		}
		ret = doc ? sim_respond_json(r, 200, doc)
			  : sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
	} else if (!strcmp(seg[0], "sim") && n >= 2 && !strcmp(seg[1], "v1")) {
		ret = route_sim(r, seg, n);
	} else if (!strcmp(seg[0], "catalog") && n >= 2 && !strcmp(seg[1], "v1")) {
		ret = route_catalog(r, seg, n);
	} else {
		ret = sim_respond_status(r, 404, "NotFound", "the server could not find the requested resource");
	}
out:
	free(path);
	return ret;
}

/* The write faults (write_latency_ms, refuse_write, lose_write_reply,
 * foreign_create) this request gets: a write to the Kubernetes API that is not
 * a dry run nor an access review. 1 = refused: the write is not made. */
static int write_faults(sim_req *r)
{
	const char *dry = sim_req_arg(r, "dryRun");
	sim_fault_cfg c;

	if (strncmp(r->path, "/api", 4) != 0 || !strcmp(r->method, "GET") ||
	    !strcmp(r->method, "HEAD") || (dry && *dry) || strstr(r->path, "accessreviews"))
		return 0;
	sim_faults_get(r->srv->faults, &c);
	if (c.write_latency_ms > 0 && (!c.write_path[0] || strstr(r->path, c.write_path)))
		util_sleep_us((int64_t)c.write_latency_ms * 1000);
	if (sim_faults_take_write(r->srv->faults, SIM_FAULT_REFUSE_WRITE, r->path))
		return 1;
	if (!strcmp(r->method, "POST") || !strcmp(r->method, "PATCH"))
		r->foreign_create = sim_faults_take_write(r->srv->faults, SIM_FAULT_FOREIGN_CREATE,
							  r->path);
	r->lose_reply = sim_faults_take_write(r->srv->faults, SIM_FAULT_LOSE_WRITE_REPLY, r->path);
	return 0;
}

/* Faults that act before the handler: latency and error responses. 1 = answered. */
static int inject_before(sim_req *r, enum MHD_Result *ret)
{
	sim_fault_cfg c;
	sim_server *s = r->srv;

	if (strncmp(r->path, "/sim/", 5) != 0) {
		/* hang: hold the request, answer nothing, until the fault is cleared */
		while (sim_faults_hanging(s->faults)) {
			if (sim_req_peer_gone(r->conn)) {
				*ret = MHD_NO;
				return 1;
			}
			util_sleep_us(100 * 1000);
		}
	}
	if (strncmp(r->path, "/api", 4) != 0)
		return 0;
	sim_faults_get(s->faults, &c);
	util_sleep_us((int64_t)c.latency_ms * 1000);
	if (c.error_code >= 400 && sim_faults_roll(s->faults, c.error_rate)) {
		const char *reason = c.error_code == 429 ? "TooManyRequests"
				     : c.error_code == 503 ? "ServiceUnavailable"
				     : c.error_code >= 500 ? "InternalError" : "BadRequest";
		*ret = sim_respond_status(r, c.error_code, reason, "kubesim fault injection: %d", c.error_code);
		return 1;
	}
	return 0;
}

/* A request whose body has all arrived: faults, then the routes. */
static enum MHD_Result serve(sim_req *r)
{
	enum MHD_Result ret;

	if (inject_before(r, &ret))
		return ret;
	if (write_faults(r))
		return sim_respond_status(r, 500, "InternalError",
					  "kubesim fault injection: refuse_write (the write was not made)");
	return dispatch(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	sim_server *s = cls;
	sim_req *r = *con_cls;

	if (!r) {
		r = xcalloc(1, sizeof(*r));
		r->srv = s;
		r->conn = conn;
		r->method = method;
		r->path = xstrdup(url);
		r->t0_ms = util_mono_ms();
		sb_init(&r->body, 256);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (r->body.len + *upload_data_size > SIM_MAX_BODY)
			r->body_too_big = 1;
		else
			sb_add(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return serve(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	sim_req *r = *con_cls;

	if (!r)
		return;
	sb_release(&r->body);
	free(r->path);
	free(r);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	sim_server *s = cls;
	char line[512];

	if (s->opts.quiet)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* our own doing: a watch or log stream whose client went away, or a watch_cut
	 * fault, ends its response with an error so that the connection closes */
	if (strstr(line, "application error generating response"))
		return;
	fprintf(stderr, "kubesim: %s", line);
}

/* ---- a request from memory ---- */

/* %XX decoded in place (an invalid escape is kept as written); '+' is a space in
 * a query, as libmicrohttpd reads it. */
static void unescape(char *s, int plus)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = {s[1], s[2], 0};
			*w++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*w++ = plus && *s == '+' ? ' ' : *s;
		}
	}
	*w = '\0';
}

static void mem_parse_query(sim_req *r, char *q)
{
	char *save = NULL;

	for (char *kv = strtok_r(q, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq++ = '\0';
		unescape(kv, 1);
		if (eq)
			unescape(eq, 1);
		r->mem_args = xrealloc(r->mem_args, (r->n_mem_args + 2) * sizeof(char *));
		r->mem_args[r->n_mem_args++] = xstrdup(kv);
		r->mem_args[r->n_mem_args++] = eq ? xstrdup(eq) : NULL;
	}
}

unsigned sim_server_serve_mem(sim_server *s, const sim_mem_request *in, size_t max_reply,
			      char **reply, size_t *reply_len)
{
	sim_req r;
	strbuf out;
	char *target = xstrdup(in->target), *q = strchr(target, '?');

	memset(&r, 0, sizeof(r));
	r.srv = s;
	r.mem = in;
	r.method = in->method;
	r.t0_ms = util_mono_ms();
	if (q) {
		*q++ = '\0';
		mem_parse_query(&r, q);
	}
	unescape(target, 0);
	r.path = target;
	sb_init(&r.body, in->body_len + 1);
	if (in->body_len > SIM_MAX_BODY)
		r.body_too_big = 1;
	else if (in->body_len)
		sb_add(&r.body, in->body, in->body_len);
	sb_init(&out, 256);
	r.mem_out = &out;
	r.mem_max = max_reply;
	if (serve(&r) != MHD_YES && !r.mem_code)
		r.mem_code = 500;
	for (size_t i = 0; i < r.n_mem_args; i++)
		free(r.mem_args[i]);
	free(r.mem_args);
	sb_release(&r.body);
	free(target);
	*reply = sb_detach(&out, reply_len);
	return r.mem_code;
}

/* ---- life cycle ---- */

static int create_simple(sim_store *st, const char *plural, const char *ns, const char *json,
			 char *errbuf, size_t errsize)
{
	const sim_resource *res = sim_resource_find("", "v1", plural);
	cJSON *o = cJSON_Parse(json);
	sim_err err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = sim_store_create(st, res, ns, o, 0, NULL, &err);
	cJSON_Delete(o);
	if (rc)
		snprintf(errbuf, errsize, "creating %s: %s", plural, err.message);
	return rc;
}

/* What every cluster has, and the benchmark's preload. */
static int seed_basics(sim_server *s, char *errbuf, size_t errsize)
{
	static const char *const base_ns[] = {"default", "kube-system", "kube-public", "kube-node-lease"};
	char json[1536], pad[1025];

	for (size_t i = 0; i < ARRAY_SIZE(base_ns); i++) {
		snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"kubernetes.io/metadata.name\":\"%s\"}}}",
			 base_ns[i], base_ns[i]);
		if (create_simple(s->store, "namespaces", "", json, errbuf, errsize))
			return -1;
	}
	if (!s->opts.preload)
		return 0;
	if (create_simple(s->store, "namespaces", "", "{\"metadata\":{\"name\":\"preload\"}}", errbuf, errsize))
		return -1;
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (size_t i = 0; i < s->opts.preload; i++) {
		snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"cm-%07zu\",\"labels\":{\"shard\":\"s%zu\"}},\"data\":{\"payload\":\"%s\"}}",
			 i, i % 10, pad);
		if (create_simple(s->store, "configmaps", "preload", json, errbuf, errsize))
			return -1;
	}
	return 0;
}

/* --start-time: wall time moving on from a chosen instant (--time-scale times faster; the
 * fleet, when there is one, installs its own clock from there) */
static int64_t start_clock(void *ctx)
{
	const sim_server *s = ctx;

	return s->start_s + (int64_t)((double)(util_mono_ms() - s->start_mono_ms) * s->start_scale / 1000.0);
}

sim_server *sim_server_start(const sim_server_opts *o, char *errbuf, size_t errsize)
{
	sim_server *s = xcalloc(1, sizeof(*s));
	struct sockaddr_in addr;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ERROR_LOG | MHD_USE_POLL;
	const union MHD_DaemonInfo *di;
	sim_err err;

	memset(&err, 0, sizeof(err));
	s->opts = *o;
	s->audit_fd = -1;
	if (o->audit_log) {
		s->audit_fd = open(o->audit_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (s->audit_fd < 0) {
			snprintf(errbuf, errsize, "--audit-log %s: %s", o->audit_log, strerror(errno));
			goto fail;
		}
	}
	if (!s->opts.watch_window)
		s->opts.watch_window = 100000;
	s->time_scale = o->time_scale > 0 ? o->time_scale : 1.0;
	s->store = sim_store_new(s->opts.watch_window);
	/* the fleet's clock scales from its own start */
	s->start_scale = o->fleet ? 1.0 : s->time_scale;
	if (o->start_time > 0 || s->start_scale != 1.0) {
		s->start_s = o->start_time > 0 ? o->start_time : util_now_ms() / 1000;
		s->start_mono_ms = util_mono_ms();
		sim_store_set_clock(s->store, start_clock, s);
	}
	s->auth = sim_auth_new();
	s->faults = sim_faults_new();
	if (o->users_file && sim_auth_load_users(s->auth, o->users_file, errbuf, errsize))
		goto fail;
	if (o->faults && sim_faults_set_json(s->faults, o->faults, &err)) {
		snprintf(errbuf, errsize, "--faults: %s", err.message);
		goto fail;
	}
	if (!o->plain_http && sim_tls_generate(&s->tls, o->tls_mode, errbuf, errsize))
		goto fail;

	if (seed_basics(s, errbuf, errsize))
		goto fail;
	if (o->fleet) {
		if (sim_fleet_seed(s->store, o->fleet, o->seed, o->domain ? o->domain : "smart.example.com",
				   &err)) {
			snprintf(errbuf, errsize, "seeding the fleet: %s", err.message);
			goto fail;
		}
		if (o->custom_repo && sim_fleet_custom_repo(s->store, o->custom_repo, &err)) {
			snprintf(errbuf, errsize, "--custom-repo: %s", err.message);
			goto fail;
		}
	}
	/* after the fleet's seeding: the controller then lists it once, on its own thread,
	 * rather than chasing every seeded object's event (and, on a large fleet, falling out
	 * of the watch window and relisting again and again) */
	{
		sim_workload_opts wo = {.faults = s->faults};

		s->workload = sim_workload_start(s->store, &wo);
		if (!s->workload) {
			snprintf(errbuf, errsize, "cannot start the workload controller");
			goto fail;
		}
	}
	if (o->fleet) {
		sim_fleetctl_opts fo = {.no_traffic = o->no_traffic, .no_builds = o->no_builds};

		s->fleetctl = sim_fleetctl_start(s->store, s->workload, s->time_scale, &fo, &err);
		if (!s->fleetctl) {
			snprintf(errbuf, errsize, "seeding the fleet: %s", err.message);
			goto fail;
		}
		/* pods that turned ready before the fleet's policy was in place are asked again */
		sim_workload_kick(s->workload);
	}
	if (o->managed_postgres &&
	    sim_platform_managed_postgres(s->store, o->managed_postgres, o->managed_postgres_password_file, errbuf,
					  errsize))
		goto fail;
	/* after the fleet: its claims are seeded bound, as in a cluster that has run a while */
	s->volumes = sim_volumes_start(s->store, o->provisioners, o->n_provisioners);
	if (!s->volumes) {
		snprintf(errbuf, errsize, "cannot start the storage controllers");
		goto fail;
	}
	s->event_ttl = sim_event_ttl_start(s->store, o->event_ttl_s ? o->event_ttl_s : SIM_EVENT_TTL_DEFAULT_S);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)o->port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!o->plain_http)
		flags |= MHD_USE_TLS;
	if (o->plain_http)
		s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
			MHD_OPTION_END);
	else
		s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
			MHD_OPTION_HTTPS_MEM_KEY, s->tls.key_pem,
			MHD_OPTION_HTTPS_MEM_CERT, s->tls.cert_pem,
			MHD_OPTION_HTTPS_MEM_TRUST, s->tls.ca_cert_pem,
			MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(errbuf, errsize, "cannot listen on 127.0.0.1:%d: %s", o->port,
			 errno ? strerror(errno) : "libmicrohttpd refused to start");
		goto fail;
	}
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%d", o->plain_http ? "http" : "https", s->port);

	if (o->kubeconfig_out) {
		static const char *const groups[] = {"smartops:operators"};
		char cat[128], *cert = NULL, *key = NULL;
		int rc;
		snprintf(cat, sizeof(cat), "%s/catalog/v1", s->url);
		/* an operator who signs in with a client certificate (not over plain HTTP) */
		if (!o->plain_http &&
		    sim_tls_issue_client(&s->tls, "operator", groups, 1, 365, &cert, &key, errbuf, errsize))
			goto fail;
		rc = sim_kubeconfig_write_cert(o->kubeconfig_out, s->url, o->plain_http ? NULL : s->tls.ca_cert_pem,
					       sim_auth_token(s->auth, "admin"), sim_auth_token(s->auth, "support"),
					       cat, cert, key, errbuf, errsize);
		free(cert);
		free(key);
		if (rc)
			goto fail;
	}
	return s;
fail:
	sim_server_stop(s);
	return NULL;
}

int sim_server_port(const sim_server *s)
{
	return s->port;
}

const char *sim_server_url(const sim_server *s)
{
	return s->url;
}

const char *sim_server_token(const sim_server *s, const char *user)
{
	return sim_auth_token(s->auth, user);
}

void sim_server_stop(sim_server *s)
{
	if (!s)
		return;
	if (s->faults)
		sim_faults_clear(s->faults); /* hung requests end, so the threads can */
	if (s->store)
		sim_store_shutdown(s->store);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	if (s->fleetctl) {
		sim_fleetctl_stop(s->fleetctl);
		sim_fleet_reset();
	}
	sim_event_ttl_stop(s->event_ttl);
	if (s->volumes)
		sim_volumes_stop(s->volumes);
	if (s->workload)
		sim_workload_stop(s->workload);
	if (s->store)
		sim_store_free(s->store);
	if (s->auth)
		sim_auth_free(s->auth);
	sim_faults_free(s->faults);
	sim_tls_release(&s->tls);
	if (s->audit_fd >= 0)
		close(s->audit_fd);
	free(s);
}
