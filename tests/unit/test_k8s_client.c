/* The HTTP client and the informer against a small scripted libmicrohttpd server
 * (plain HTTP on loopback): read retries honouring Retry-After, writes not retried,
 * Status decoding, paging with continue and a 410 restart, the next page asked
 * for while one is read (in order, a stop, a failure, a cancel midway), the informer's
 * list -> watch -> bookmark -> 410 -> relist cycle, a prompt stop, and the watchdog:
 * a hung server said by a probe once the watches fall silent, a quiet one probed
 * at its pace, a talking one never. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "k8s/client.h"
#include "k8s/watch.h"
#include "util/util.h"

typedef struct server {
	struct MHD_Daemon *d;
	int port;
	atomic_int hits_get, hits_post, lists, watches, list_410_done;
	char watch_rv[8][32]; /* resourceVersion of each watch request */
	char watch_bookmarks[8];
	atomic_int closing;
	char log_query[64];
	/* /apis/apps/v1/deployments: how the informer's lists and watches asked */
	atomic_int table_lists, plain_lists, table_watches, plain_watches;
	/* /api/v1/secrets: 6 pages of 2; the highest page asked for, the page
	 * that answers 403 and the one that never ends (0: none) */
	atomic_int secrets_asked, secrets_fail, secrets_hang;
	/* /api/v1/serviceaccounts: 5 pages of 2; page 3 sends its head, then holds
	 * its items until page 4 is asked for; page 4's items come before its
	 * metadata */
	atomic_int sa_asked, sa_overlap;
	/* the watchdog's: GET /version asked; held unanswered while version_hang;
	 * /api/v1/events' watch: open and silent (0) or a blank line every 100 ms */
	atomic_int versions, version_hang, events_talk;
} server;

static server srv;

static enum MHD_Result reply(struct MHD_Connection *conn, int code, const char *body,
			     const char *retry_after)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	ret = MHD_queue_response(conn, (unsigned)code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *status_json(int code, const char *reason, const char *msg)
{
	static __thread char buf[512];
	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
		 "\"%s\",\"reason\":\"%s\",\"code\":%d}",
		 msg, reason, code);
	return buf;
}

typedef struct stream {
	const char *text; /* what to send, in small pieces */
	size_t off;
	int hang; /* after text, keep the connection open (3: close it, unfinished) */
} stream;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	stream *s = cls;
	size_t left = strlen(s->text) - s->off;

	if (left) {
		size_t n = left < 7 ? left : 7; /* cut events across writes */
		memcpy(buf, s->text + s->off, n);
		s->off += n;
		usleep(2000);
		return (ssize_t)n;
	}
	if (!s->hang || atomic_load(&srv.closing))
		return MHD_CONTENT_READER_END_OF_STREAM;
	usleep(100 * 1000);
	if (s->hang == 3)
		return MHD_CONTENT_READER_END_WITH_ERROR; /* cut, no last chunk */
	if (s->hang == 2)
		return 0; /* nothing yet */
	buf[0] = '\n';	  /* keep-alive blank line */
	return 1;
}

/* A page's head, then the rest once the next page is asked for (or 3 s have
 * gone: a client that waits for the whole page first). */
typedef struct held {
	char head[128], rest[128];
	int sent_head, sent_rest;
	int64_t t0;
} held;

static ssize_t held_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	held *h = cls;
	const char *t = !h->sent_head ? h->head : h->rest;
	size_t n = strlen(t);

	(void)pos;
	if (h->sent_rest)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (h->sent_head && atomic_load(&srv.sa_asked) < 4 && util_mono_ms() - h->t0 < 3000 &&
	    !atomic_load(&srv.closing)) {
		usleep(2000);
		return 0; /* nothing yet */
	}
	if (h->sent_head && atomic_load(&srv.sa_asked) >= 4)
		atomic_store(&srv.sa_overlap, 1);
	if (n > max)
		n = max;
	memcpy(buf, t, n);
	if (h->sent_head)
		h->sent_rest = 1;
	h->sent_head = 1;
	return (ssize_t)n;
}

static enum MHD_Result reply_stream(struct MHD_Connection *conn, const char *text, int hang)
{
	stream *s = xcalloc(1, sizeof(*s));
	struct MHD_Response *r;
	enum MHD_Result ret;

	s->text = text;
	s->hang = hang;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, stream_read, s, free);
	ret = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *arg(struct MHD_Connection *conn, const char *key)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static int marker;

	if (!*con_cls) {
		*con_cls = &marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(method, "GET"))
		atomic_fetch_add(&srv.hits_get, 1);
	else
		atomic_fetch_add(&srv.hits_post, 1);

	if (!strcmp(url, "/flaky")) { /* 503 twice, then fine */
		if (atomic_load(&srv.hits_get) <= 2)
			return reply(conn, 503, status_json(503, "ServiceUnavailable", "busy"),
				     "0");
		return reply(conn, 200, "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}",
			     NULL);
	}
	if (!strcmp(url, "/version")) {
		atomic_fetch_add(&srv.versions, 1);
		while (atomic_load(&srv.version_hang) && !atomic_load(&srv.closing))
			usleep(20 * 1000); /* accepted, not answered: a hung server */
		return reply(conn, 200, "{\"major\":\"1\",\"minor\":\"32\"}", NULL);
	}
	if (!strcmp(url, "/api/v1/events")) {
		if (arg(conn, "watch"))
			return reply_stream(conn, "", atomic_load(&srv.events_talk) ? 1 : 2);
		return reply(conn, 200,
			     "{\"kind\":\"EventList\",\"metadata\":{\"resourceVersion\":\"3\"},"
			     "\"items\":[{\"metadata\":{\"name\":\"e\"}}]}",
			     NULL);
	}
	if (!strcmp(url, "/api/v1/services") && arg(conn, "watch")) { /* opened, then cut */
		const char *rv = arg(conn, "resourceVersion");
		return reply_stream(conn,
				    rv && !strcmp(rv, "7")
					? "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"s\","
					  "\"resourceVersion\":\"8\"}}}\n"
					: "",
				    3);
	}
	if (!strcmp(url, "/ok"))
		return reply(conn, 200, "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ok\"}}",
			     NULL);
	if (!strcmp(url, "/api/v1/namespaces/ns/pods/p/log")) {
		const char *tail = arg(conn, "tailLines");
		const char *follow = arg(conn, "follow");
		const char *ctr = arg(conn, "container");
		snprintf(srv.log_query, sizeof(srv.log_query), "%s %s %s", tail ? tail : "-",
			 follow ? follow : "-", ctr ? ctr : "-");
		/* a log not followed ends, a followed one stays open */
		return reply_stream(conn, "line one\nline two\r\nline three\n", follow ? 2 : 0);
	}
	if (!strcmp(url, "/busy")) /* POST: always 429 */
		return reply(conn, 429, status_json(429, "TooManyRequests", "slow down"), "0");
	if (!strcmp(url, "/missing"))
		return reply(conn, 404,
			     status_json(404, "NotFound", "deployments.apps \\\"x\\\" not found"),
			     NULL);
	if (!strcmp(url, "/apis/apps/v1/deployments")) {
		const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
		const char *io = arg(conn, "includeObject");
		int table = accept && strstr(accept, "as=Table") && io && !strcmp(io, "Metadata");
		int plain = (!accept || !strstr(accept, "as=Table")) && !io;

		if (arg(conn, "watch")) {
			atomic_fetch_add(table ? &srv.table_watches : &srv.plain_watches, plain || table);
			return reply_stream(conn, "", 1); /* hangs until the client goes */
		}
		atomic_fetch_add(table ? &srv.table_lists : &srv.plain_lists, plain || table);
		if (!table) /* a plain list: one whole object, with a member not kept */
			return reply(conn, 200,
				     "{\"kind\":\"DeploymentList\",\"metadata\":{\"resourceVersion\":"
				     "\"7\"},\"items\":[{\"metadata\":{\"name\":\"p\"},\"spec\":{}}]}",
				     NULL);
		return reply(conn, 200,
			     "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
			     "\"resourceVersion\":\"7\"},\"columnDefinitions\":[],\"rows\":[{\"cells\":["
			     "\"t\",1],\"object\":{\"metadata\":{\"name\":\"t\"}},\"spec\":{}}]}",
			     NULL);
	}
	if (!strcmp(url, "/api/v1/secrets")) { /* page k (1-6): items ka, kb; token "k+1" */
		const char *cont = arg(conn, "continue");
		int k = cont ? atoi(cont) : 1, high = atomic_load(&srv.secrets_asked);
		static __thread char body[256];

		while (k > high && !atomic_compare_exchange_weak(&srv.secrets_asked, &high, k))
			;
		if (k == atomic_load(&srv.secrets_fail))
			return reply(conn, 403, status_json(403, "Forbidden", "page refused"), NULL);
		if (k == atomic_load(&srv.secrets_hang))
			return reply_stream(conn, "{\"kind\":\"SecretList\",", 2);
		snprintf(body, sizeof(body),
			 "{\"kind\":\"SecretList\",\"metadata\":{\"resourceVersion\":\"%d\"%s%.0d%s},"
			 "\"items\":[{\"metadata\":{\"name\":\"%da\"}},{\"metadata\":{\"name\":"
			 "\"%db\"}}]}",
			 40 + k, k < 6 ? ",\"continue\":\"" : "", k < 6 ? k + 1 : 0, k < 6 ? "\"" : "",
			 k, k);
		return reply(conn, 200, body, NULL);
	}
	if (!strcmp(url, "/api/v1/serviceaccounts")) { /* page k (1-5): ka, kb; token "k+1" */
		const char *cont = arg(conn, "continue");
		int k = cont ? atoi(cont) : 1, high = atomic_load(&srv.sa_asked);
		static __thread char body[256];
		char meta[64];

		while (k > high && !atomic_compare_exchange_weak(&srv.sa_asked, &high, k))
			;
		snprintf(meta, sizeof(meta), "\"metadata\":{\"resourceVersion\":\"9\"%s%.0d%s}",
			 k < 5 ? ",\"continue\":\"" : "", k < 5 ? k + 1 : 0, k < 5 ? "\"" : "");
		if (k == 3) {
			held *h = xcalloc(1, sizeof(*h));
			struct MHD_Response *r;
			enum MHD_Result ret;

			snprintf(h->head, sizeof(h->head), "{\"kind\":\"ServiceAccountList\",%s,", meta);
			snprintf(h->rest, sizeof(h->rest),
				 "\"items\":[{\"metadata\":{\"name\":\"3a\"}},{\"metadata\":{"
				 "\"name\":\"3b\"}}]}");
			h->t0 = util_mono_ms();
			r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, held_read, h, free);
			ret = MHD_queue_response(conn, 200, r);
			MHD_destroy_response(r);
			return ret;
		}
		if (k == 4)
			snprintf(body, sizeof(body),
				 "{\"kind\":\"ServiceAccountList\",\"items\":[{\"metadata\":{\"name\":"
				 "\"4a\"}},{\"metadata\":{\"name\":\"4b\"}}],%s}",
				 meta);
		else
			snprintf(body, sizeof(body),
				 "{\"kind\":\"ServiceAccountList\",%s,\"items\":[{\"metadata\":{"
				 "\"name\":\"%da\"}},{\"metadata\":{\"name\":\"%db\"}}]}",
				 meta, k, k);
		return reply(conn, 200, body, NULL);
	}
	if (!strcmp(url, "/api/v1/configmaps") && !arg(conn, "watch")) {
		/* 3 pages of 2; the first time page 2 is asked for, its token has expired */
		const char *cont = arg(conn, "continue");
		const char *limit = arg(conn, "limit");
		int n = atomic_fetch_add(&srv.lists, 1);
		(void)n;
		if (!limit || strcmp(limit, "2"))
			return reply(conn, 400, status_json(400, "BadRequest", "want limit=2"),
				     NULL);
		if (!cont)
			return reply(
			    conn, 200,
			    "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":"
			    "\"10\",\"continue\":\"p2\",\"remainingItemCount\":4},\"items\":[{"
			    "\"metadata\":{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\"}}]}",
			    NULL);
		if (!strcmp(cont, "p2") && !atomic_exchange(&srv.list_410_done, 1))
			return reply(conn, 410,
				     status_json(410, "Expired",
						 "The provided continue parameter "
						 "is too old"),
				     NULL);
		if (!strcmp(cont, "p2"))
			return reply(
			    conn, 200,
			    "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":"
			    "\"10\",\"continue\":\"p3\"},\"items\":[{\"metadata\":{\"name\":"
			    "\"c\"}},{\"metadata\":{\"name\":\"d\"}}]}",
			    NULL);
		return reply(
		    conn, 200,
		    "{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"10\"},"
		    "\"items\":[{\"metadata\":{\"name\":\"e\"}},{\"metadata\":{\"name\":"
		    "\"f\"}}]}",
		    NULL);
	}
	if (!strcmp(url, "/api/v1/configmaps")) {
		int w = atomic_fetch_add(&srv.watches, 1);
		const char *rv = arg(conn, "resourceVersion");
		const char *bm = arg(conn, "allowWatchBookmarks");
		if (w < 8) {
			util_strlcpy(srv.watch_rv[w], rv ? rv : "", sizeof(srv.watch_rv[w]));
			srv.watch_bookmarks[w] = bm && !strcmp(bm, "true");
		}
		if (w == 0) /* an add, a bookmark, then a clean end */
			return reply_stream(
			    conn,
			    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"g\","
			    "\"resourceVersion\":\"11\"}}}\n{\"type\":\"BOOKMARK\",\"object\":{"
			    "\"metadata\":{\"resourceVersion\":\"15\"}}}\n",
			    0);
		if (w == 1) /* too old: the informer must list again */
			return reply_stream(conn,
					    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
					    "\"code\":410,\"reason\":\"Expired\"}}\n",
					    1);
		return reply_stream(conn, "", 1); /* hangs until the client goes */
	}
	return reply(conn, 404, status_json(404, "NotFound", "no such path"), NULL);
}

static int server_up(void **state)
{
	const union MHD_DaemonInfo *info;

	memset(&srv, 0, sizeof(srv));
	srv.d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
				 NULL, NULL, handle, NULL, MHD_OPTION_END);
	if (!srv.d)
		return -1;
	info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	srv.port = info->port;
	return 0;
}

static int server_down(void **state)
{
	atomic_store(&srv.closing, 1);
	MHD_stop_daemon(srv.d);
	return 0;
}

static k8s_client *new_client(void)
{
	k8s_config *cfg = xcalloc(1, sizeof(*cfg));
	k8s_client_opts o = {.request_timeout_ms = 5000};
	k8s_err err;
	k8s_client *c;

	cfg->server = xasprintf("http://127.0.0.1:%d", srv.port);
	cfg->origin = xstrdup("test");
	cfg->context = xstrdup("test");
	cfg->token = xstrdup("never-sent-over-http");
	c = k8s_client_new(cfg, &o, &err);
	assert_non_null(c);
	return c;
}

static void test_read_retried(void **state)
{
	k8s_client *c = new_client();
	cJSON *out = NULL;
	k8s_err err;

	atomic_store(&srv.hits_get, 0);
	assert_int_equal(k8s_get(c, "/flaky", &out, &err), 0);
	assert_int_equal(atomic_load(&srv.hits_get), 3);
	assert_non_null(out);
	cJSON_Delete(out);
	k8s_client_free(c);
}

static void test_write_not_retried(void **state)
{
	k8s_client *c = new_client();
	k8s_err err;

	atomic_store(&srv.hits_post, 0);
	assert_int_equal(k8s_create(c, "/busy", "{}", 0, NULL, &err), -1);
	assert_int_equal(atomic_load(&srv.hits_post), 1);
	assert_int_equal(err.http, 429);
	assert_string_equal(err.msg, "slow down (429 TooManyRequests)");
	assert_int_equal(k8s_get(c, "/missing", NULL, &err), -1);
	assert_string_equal(err.msg, "deployments.apps \"x\" not found (404 NotFound)");
	k8s_client_free(c);
}

static void test_unreachable(void **state)
{
	k8s_config *cfg = xcalloc(1, sizeof(*cfg));
	k8s_client_opts o = {.max_retries = -1, .connect_timeout_ms = 2000};
	k8s_err err;
	k8s_client *c;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);

	/* a port nobody listens on: bind, learn it, close */
	sa.sin_addr.s_addr = htonl(0x7f000001);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	cfg->server = xasprintf("http://127.0.0.1:%d", ntohs(sa.sin_port));
	cfg->origin = xstrdup("test");
	c = k8s_client_new(cfg, &o, &err);
	assert_int_equal(k8s_get(c, "/x", NULL, &err), -1);
	assert_true(err.unreachable);
	assert_int_equal(err.http, 0);
	assert_non_null(strstr(err.msg, "127.0.0.1"));
	k8s_client_free(c);
}

static void *get_many(void *arg)
{
	k8s_client *c = arg;
	intptr_t good = 0;

	for (int i = 0; i < 25; i++) {
		cJSON *out = NULL;
		k8s_err err;
		if (k8s_get(c, "/ok", &out, &err) == 0 && out)
			good++;
		cJSON_Delete(out);
	}
	return (void *)good;
}

static void test_threads_share_a_client(void **state)
{
	k8s_client *c = new_client();
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, get_many, c), 0);
	for (int i = 0; i < 4; i++) {
		void *good;
		pthread_join(t[i], &good);
		assert_int_equal((intptr_t)good, 25);
	}
	k8s_client_free(c);
}

typedef struct log_lines {
	strbuf text;
	atomic_int cancel;
} log_lines;

static int on_log(void *ctx, const char *line, size_t len)
{
	log_lines *l = ctx;

	sb_add(&l->text, line, len);
	sb_addc(&l->text, '|');
	return 0;
}

static void *cancel_soon(void *arg)
{
	log_lines *l = arg;

	usleep(400 * 1000);
	atomic_store(&l->cancel, 1);
	return NULL;
}

static void test_logs_follow_cancel(void **state)
{
	k8s_client *c = new_client();
	k8s_log_opts lo = {.container = "appserver", .tail_lines = 5, .follow = 1};
	log_lines l = {0};
	pthread_t t;
	k8s_err err;
	int64_t t0 = util_mono_ms();

	sb_init(&l.text, 64);
	pthread_create(&t, NULL, cancel_soon, &l);
	assert_int_equal(k8s_pod_logs(c, "ns", "p", &lo, on_log, &l, &l.cancel, &err), 0);
	pthread_join(t, NULL);
	assert_true(util_mono_ms() - t0 < 3000); /* the follow stream was cancelled promptly */
	assert_string_equal(l.text.buf, "line one|line two|line three|");
	assert_string_equal(srv.log_query, "5 true appserver");
	sb_release(&l.text);
	k8s_client_free(c);
}

/* the query built from the options: a container's name escaped, absent
 * options not sent, no query at all without options */
static void test_logs_query(void **state)
{
	k8s_client *c = new_client();
	k8s_log_opts lo = {.container = "a&b c", .tail_lines = -1};
	log_lines l = {0};
	k8s_err err;

	(void)state;
	sb_init(&l.text, 64);
	assert_int_equal(k8s_pod_logs(c, "ns", "p", &lo, on_log, &l, NULL, &err), 0);
	assert_string_equal(srv.log_query, "- - a&b c");
	assert_string_equal(l.text.buf, "line one|line two|line three|");
	sb_reset(&l.text);
	assert_int_equal(k8s_pod_logs(c, "ns", "p", NULL, on_log, &l, NULL, &err), 0);
	assert_string_equal(srv.log_query, "- - -");
	sb_release(&l.text);
	k8s_client_free(c);
}

typedef struct names {
	strbuf seen;
	int restarts;
	int begins, restarts_at_begin; /* on_begin: its calls, the restarts then */
} names;

static void append_name(strbuf *sb, const cJSON *item)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");

	assert_true(cJSON_IsString(name));
	sb_adds(sb, name->valuestring);
}

static int add_name(void *ctx, const cJSON *item)
{
	names *n = ctx;

	append_name(&n->seen, item);
	return 0;
}

static void restart(void *ctx)
{
	names *n = ctx;
	sb_reset(&n->seen);
	n->restarts++;
}

/* Told once the first page is in: the list's first request has gone out. */
static void begin(void *ctx)
{
	names *n = ctx;
	n->begins++;
	n->restarts_at_begin = n->restarts;
	assert_true(atomic_load(&srv.lists) >= 1);
}

static void test_paged_list_restart(void **state)
{
	k8s_client *c = new_client();
	k8s_list_opts lo = {.limit = 2, .on_restart = restart, .on_begin = begin};
	names n = {0};
	char rv[32];
	k8s_err err;

	sb_init(&n.seen, 16);
	atomic_store(&srv.list_410_done, 0);
	atomic_store(&srv.lists, 0);
	assert_int_equal(k8s_list(c, "/api/v1/configmaps", &lo, add_name, &n, rv, sizeof(rv), &err),
			 0);
	assert_string_equal(n.seen.buf, "abcdef");
	assert_int_equal(n.restarts, 1);
	/* once for the first listing, once more after the restart was told */
	assert_int_equal(n.begins, 2);
	assert_int_equal(n.restarts_at_begin, 1);
	assert_int_equal(atomic_load(&srv.lists), 5); /* p1, p2(410), p1, p2, p3 */
	assert_string_equal(rv, "10");
	sb_release(&n.seen);
	k8s_client_free(c);
}

/* From the second page on, the next page is asked for while fn still reads this one. */
typedef struct ahead {
	names n;
	int read_ahead; /* fn, on page 2, saw page 3 asked for */
	int stop_at;	      /* fn returns 7 at this item (1-based; 0: never) */
	atomic_int items;
} ahead;

static int read_slowly(void *ctx, const cJSON *item)
{
	ahead *a = ctx;
	int64_t t0 = util_mono_ms();

	append_name(&a->n.seen, item);
	atomic_fetch_add(&a->items, 1);
	if (atomic_load(&a->items) == 3) { /* page 2's first: page 3 is asked for meanwhile */
		while (atomic_load(&srv.secrets_asked) < 3 && util_mono_ms() - t0 < 5000)
			usleep(1000);
		a->read_ahead = atomic_load(&srv.secrets_asked) >= 3;
	}
	return atomic_load(&a->items) == a->stop_at ? 7 : 0;
}

static int list_secrets(k8s_client *c, ahead *a, const atomic_int *cancel, char *rv, k8s_err *err)
{
	k8s_list_opts lo = {.limit = 2, .cancel = cancel};

	sb_init(&a->n.seen, 32);
	atomic_store(&srv.secrets_asked, 0);
	return k8s_list(c, "/api/v1/secrets", &lo, read_slowly, a, rv, 32, err);
}

static void test_list_reads_ahead(void **state)
{
	k8s_client *c = new_client();
	ahead a = {0};
	char rv[32];
	k8s_err err;

	atomic_store(&srv.secrets_fail, 0);
	atomic_store(&srv.secrets_hang, 0);
	assert_int_equal(list_secrets(c, &a, NULL, rv, &err), 0);
	assert_true(a.read_ahead); /* page 3 was asked for while page 2 was read */
	assert_string_equal(a.n.seen.buf, "1a1b2a2b3a3b4a4b5a5b6a6b"); /* in order, each once */
	assert_string_equal(rv, "46");					 /* the last page's */
	assert_int_equal(atomic_load(&srv.secrets_asked), 6);
	sb_release(&a.n.seen);
	k8s_client_free(c);
}

/* A page is asked for as soon as the page before has told its token, in its
 * first bytes, while the rest of it still comes; a page whose metadata comes
 * after its items tells it once whole. */
static void test_list_asks_on_head(void **state)
{
	k8s_client *c = new_client();
	k8s_list_opts lo = {.limit = 2};
	names n = {0};
	char rv[32];
	k8s_err err;
	int64_t t0 = util_mono_ms();

	sb_init(&n.seen, 32);
	atomic_store(&srv.sa_asked, 0);
	atomic_store(&srv.sa_overlap, 0);
	assert_int_equal(k8s_list(c, "/api/v1/serviceaccounts", &lo, add_name, &n, rv, sizeof(rv), &err),
			 0);
	assert_string_equal(n.seen.buf, "1a1b2a2b3a3b4a4b5a5b"); /* in order, each once */
	assert_true(atomic_load(&srv.sa_overlap)); /* page 4 asked for before page 3 ended */
	assert_true(util_mono_ms() - t0 < 2500);   /* not the held page's 3 s */
	assert_int_equal(atomic_load(&srv.sa_asked), 5);
	assert_string_equal(rv, "9");
	sb_release(&n.seen);
	k8s_client_free(c);
}

static void test_list_stops_early(void **state)
{
	k8s_client *c = new_client();
	ahead a = {.stop_at = 3};
	char rv[32];
	k8s_err err;

	assert_int_equal(list_secrets(c, &a, NULL, rv, &err), 7); /* fn's value */
	assert_string_equal(a.n.seen.buf, "1a1b2a");
	/* at most a page waiting beyond the one read (2), and two coming in */
	assert_true(atomic_load(&srv.secrets_asked) <= 5);
	sb_release(&a.n.seen);
	k8s_client_free(c);
}

static void test_list_fails_midway(void **state)
{
	k8s_client *c = new_client();
	ahead a = {0};
	char rv[32];
	k8s_err err;

	atomic_store(&srv.secrets_fail, 3);
	assert_int_equal(list_secrets(c, &a, NULL, rv, &err), -1);
	atomic_store(&srv.secrets_fail, 0);
	assert_int_equal(err.http, 403);
	assert_non_null(strstr(err.msg, "page refused"));
	assert_string_equal(a.n.seen.buf, "1a1b2a2b"); /* the pages before it, whole */
	sb_release(&a.n.seen);
	k8s_client_free(c);
}

typedef struct canceller {
	ahead *a;
	atomic_int *cancel;
} canceller;

/* Cancels 200 ms after page 2 is read: k8s_list then waits for page 3. */
static void *cancel_later(void *arg)
{
	canceller *k = arg;

	while (atomic_load(&k->a->items) < 4)
		usleep(1000);
	usleep(200 * 1000);
	atomic_store(k->cancel, 1);
	return NULL;
}

static void test_list_cancel_during_hang(void **state)
{
	k8s_client *c = new_client();
	atomic_int cancel;
	ahead a = {0};
	canceller k = {&a, &cancel};
	char rv[32];
	k8s_err err;
	pthread_t th;
	int64_t t0 = util_mono_ms();

	atomic_init(&cancel, 0);
	atomic_store(&srv.secrets_hang, 3); /* page 3 never ends; the client's timeout is 5 s */
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &k), 0);
	assert_int_equal(list_secrets(c, &a, &cancel, rv, &err), -1);
	pthread_join(th, NULL);
	atomic_store(&srv.secrets_hang, 0);
	assert_true(util_mono_ms() - t0 < 3000); /* the hung page was given up at once */
	assert_non_null(strstr(err.msg, "cancelled"));
	assert_string_equal(a.n.seen.buf, "1a1b2a2b");
	sb_release(&a.n.seen);
	k8s_client_free(c);
}

typedef struct inf_state {
	pthread_mutex_t lock;
	strbuf log;
	int syncs, relisted;
	int lists_at_begin; /* the server's list requests when on_begin was first told */
} inf_state;

static void on_add(void *ctx, const cJSON *o)
{
	inf_state *s = ctx;
	pthread_mutex_lock(&s->lock);
	append_name(&s->log, o);
	pthread_mutex_unlock(&s->lock);
}

static void on_begin(void *ctx)
{
	inf_state *s = ctx;
	pthread_mutex_lock(&s->lock);
	if (!s->syncs && !s->lists_at_begin)
		s->lists_at_begin = atomic_load(&srv.lists);
	sb_adds(&s->log, "[");
	pthread_mutex_unlock(&s->lock);
}

static void on_sync(void *ctx, int relisted)
{
	inf_state *s = ctx;
	pthread_mutex_lock(&s->lock);
	sb_adds(&s->log, "]");
	s->syncs++;
	s->relisted += relisted;
	pthread_mutex_unlock(&s->lock);
}

static void on_total(void *ctx, size_t total)
{
	inf_state *s = ctx;
	pthread_mutex_lock(&s->lock);
	sb_addf(&s->log, "(%zu)", total);
	pthread_mutex_unlock(&s->lock);
}

static void test_informer(void **state)
{
	k8s_client *c = new_client();
	inf_state s = {.lock = PTHREAD_MUTEX_INITIALIZER};
	k8s_informer_cb cb = {.on_add = on_add,
			      .on_list_begin = on_begin,
			      .on_list_total = on_total,
			      .on_sync = on_sync};
	k8s_informer_opts io = {.page_limit = 2};
	k8s_informer *inf;
	k8s_informer_stats st;
	int64_t t0;

	sb_init(&s.log, 64);
	atomic_store(&srv.list_410_done, 1); /* no paging trouble here */
	atomic_store(&srv.watches, 0);
	atomic_store(&srv.lists, 0);
	inf = k8s_informer_start(c, "/api/v1/configmaps", &io, &cb, &s);
	assert_non_null(inf);
	for (int i = 0; i < 200; i++) { /* up to 10 s: list, watch, watch(410), list, watch */
		k8s_informer_stats_get(inf, &st);
		if (st.lists >= 2 && atomic_load(&srv.watches) >= 3)
			break;
		usleep(50 * 1000);
	}
	t0 = util_mono_ms();
	k8s_informer_stop(inf);
	assert_true(util_mono_ms() - t0 < 3000); /* stopped inside a hanging watch */
	assert_int_equal(s.syncs, 2);
	assert_int_equal(s.relisted, 1);
	/* the first page's 2 items and its remainingItemCount of 4, before them */
	assert_string_equal(s.log.buf, "[(6)abcdef]g[(6)abcdef]");
	/* the list was asked for before the begin was told: a caller busy with its
	 * tables (under the lock on_begin takes) does not hold the request back */
	assert_true(s.lists_at_begin >= 1);
	assert_string_equal(srv.watch_rv[0], "10"); /* from the list */
	assert_string_equal(srv.watch_rv[1], "15"); /* from the bookmark */
	assert_string_equal(srv.watch_rv[2], "10"); /* after the relist */
	assert_true(srv.watch_bookmarks[0]);
	sb_release(&s.log);
	k8s_client_free(c);
}

static void on_add_kept(void *ctx, const cJSON *o)
{
	inf_state *s = ctx;
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, "object");

	pthread_mutex_lock(&s->lock);
	/* a Table row names its object; only the kept members are there */
	append_name(&s->log, obj ? obj : o);
	if (cJSON_GetObjectItemCaseSensitive(o, "spec"))
		sb_adds(&s->log, "+spec");
	pthread_mutex_unlock(&s->lock);
}

/* The list asked as a server-side Table (Accept, includeObject) with only some
 * members kept; the watch that follows asked plainly. And without the options,
 * both plain and whole. */
static void test_informer_list_as_table(void **state)
{
	static const jscan_keep keep[] = {{"metadata", NULL}, {"cells", NULL}, {"object", NULL},
					  {NULL, NULL}};
	k8s_client *c = new_client();
	inf_state s = {.lock = PTHREAD_MUTEX_INITIALIZER};
	k8s_informer_cb cb = {.on_add = on_add_kept, .on_list_begin = on_begin, .on_sync = on_sync};
	k8s_informer_opts io = {.list_accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
				.list_query = "includeObject=Metadata",
				.list_keep = keep};
	k8s_informer *inf;
	int i, pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		sb_init(&s.log, 64);
		atomic_store(&srv.table_lists, 0);
		atomic_store(&srv.plain_lists, 0);
		atomic_store(&srv.table_watches, 0);
		atomic_store(&srv.plain_watches, 0);
		inf = k8s_informer_start(c, "/apis/apps/v1/deployments", pass ? NULL : &io, &cb, &s);
		assert_non_null(inf);
		for (i = 0; i < 200 && !atomic_load(&srv.table_watches) && !atomic_load(&srv.plain_watches); i++)
			usleep(25 * 1000);
		k8s_informer_stop(inf);
		if (!pass) {
			assert_int_equal(atomic_load(&srv.table_lists), 1);
			assert_int_equal(atomic_load(&srv.plain_lists), 0);
			assert_string_equal(s.log.buf, "[t]");
		} else {
			assert_int_equal(atomic_load(&srv.table_lists), 0);
			assert_int_equal(atomic_load(&srv.plain_lists), 1);
			assert_string_equal(s.log.buf, "[p+spec]");
		}
		assert_int_equal(atomic_load(&srv.plain_watches), 1);
		assert_int_equal(atomic_load(&srv.table_watches), 0);
		sb_release(&s.log);
	}
	k8s_client_free(c);
}

/* ---- the watchdog ---- */

static k8s_client *new_dog_client(int quiet_ms, int answer_ms)
{
	k8s_config *cfg = xcalloc(1, sizeof(*cfg));
	k8s_client_opts o = {.request_timeout_ms = 5000,
			     .probe_quiet_ms = quiet_ms,
			     .probe_answer_ms = answer_ms};
	k8s_err err;
	k8s_client *c;

	cfg->server = xasprintf("http://127.0.0.1:%d", srv.port);
	cfg->origin = xstrdup("test");
	c = k8s_client_new(cfg, &o, &err);
	assert_non_null(c);
	return c;
}

typedef struct watch_run {
	k8s_client *c;
	atomic_int cancel, opened, done;
	int rc;
	k8s_err err;
	int64_t t0, t1;
} watch_run;

static int count_open(void *ctx, const char *data, size_t n)
{
	watch_run *w = ctx;

	if (!n)
		atomic_store(&w->opened, 1);
	return 0;
}

static void *watch_events(void *arg)
{
	watch_run *w = arg;

	w->t0 = util_mono_ms();
	/* idle_s 60: only the watchdog ends a silent watch within this test */
	w->rc = k8s_stream(w->c, "/api/v1/events?watch=1", 60, count_open, w, &w->cancel,
			   &w->err);
	w->t1 = util_mono_ms();
	atomic_store(&w->done, 1);
	return NULL;
}

static void wait_until(atomic_int *flag, int max_ms)
{
	for (int i = 0; i < max_ms / 10 && !atomic_load(flag); i++)
		usleep(10 * 1000);
}

/* A server that accepts and answers nothing more: the open watch falls silent,
 * the probe has no answer, the watch ends as unreachable — long before its own
 * idle limit (60 s) would have. */
static void test_watchdog_hung(void **state)
{
	k8s_client *c = new_dog_client(300, 300);
	watch_run w = {.c = c};
	pthread_t t;

	atomic_store(&srv.events_talk, 0);
	atomic_store(&srv.versions, 0);
	assert_int_equal(pthread_create(&t, NULL, watch_events, &w), 0);
	wait_until(&w.opened, 10000);
	assert_true(atomic_load(&w.opened));
	atomic_store(&srv.version_hang, 1);
	wait_until(&w.done, 30000);
	atomic_store(&srv.version_hang, 0);
	atomic_store(&w.cancel, 1);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, -1);
	assert_true(w.err.unreachable);
	assert_int_equal(w.err.http, 0);
	assert_non_null(strstr(w.err.msg, "no answer to GET /version within 0.3 s"));
	assert_true(w.t1 - w.t0 < 30000);
	assert_true(atomic_load(&srv.versions) >= 1);
	assert_true(k8s_client_probes(c) >= 1);
	k8s_client_free(c); /* prompt, though a probe may be waiting for its answer */
}

/* A quiet healthy server: the silent watch is probed, each probe answered, the
 * watch stays open; never more than one probe per quiet period. */
static void test_watchdog_quiet(void **state)
{
	k8s_client *c = new_dog_client(200, 2000);
	watch_run w = {.c = c};
	pthread_t t;
	int64_t t0 = util_mono_ms(), span;
	unsigned probes;

	atomic_store(&srv.events_talk, 0);
	assert_int_equal(pthread_create(&t, NULL, watch_events, &w), 0);
	for (int i = 0; i < 1000 && k8s_client_probes(c) < 3; i++)
		usleep(10 * 1000);
	probes = k8s_client_probes(c);
	span = util_mono_ms() - t0;
	assert_false(atomic_load(&w.done)); /* the watch is still open */
	atomic_store(&w.cancel, 1);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, 1); /* ended by the cancel, not by the watchdog */
	assert_true(probes >= 3);
	assert_true(probes <= span / 200 + 1);
	k8s_client_free(c);
}

/* A watch that brings something (here a blank line every 100 ms) is never
 * probed: nothing is asked of a server that speaks. */
static void test_watchdog_talking(void **state)
{
	k8s_client *c = new_dog_client(1000, 1000);
	watch_run w = {.c = c};
	pthread_t t;

	atomic_store(&srv.events_talk, 1);
	assert_int_equal(pthread_create(&t, NULL, watch_events, &w), 0);
	wait_until(&w.opened, 10000);
	usleep(2500 * 1000);
	atomic_store(&w.cancel, 1);
	pthread_join(t, NULL);
	atomic_store(&srv.events_talk, 0);
	assert_int_equal(w.rc, 1);
	assert_int_equal(k8s_client_probes(c), 0);
	k8s_client_free(c);
}

typedef struct dog_inf {
	atomic_int errors, unreachable, alive;
} dog_inf;

static void dog_error(void *ctx, const k8s_err *err)
{
	dog_inf *d = ctx;

	atomic_fetch_add(&d->errors, 1);
	if (err->unreachable)
		atomic_store(&d->unreachable, 1);
}

static void dog_alive(void *ctx)
{
	dog_inf *d = ctx;

	atomic_fetch_add(&d->alive, 1);
}

/* An informer on a server that hangs after its list: on_error says unreachable
 * (the informer's idle_s, 60 s here, would not have); once the server answers
 * again, its watch opens again (on_alive). */
static void test_watchdog_informer(void **state)
{
	k8s_client *c = new_dog_client(300, 300);
	dog_inf d = {0};
	k8s_informer_cb cb = {.on_error = dog_error, .on_alive = dog_alive};
	k8s_informer_opts io = {.idle_s = 60};
	k8s_informer *inf;
	int alive;

	atomic_store(&srv.events_talk, 0);
	inf = k8s_informer_start(c, "/api/v1/events", &io, &cb, &d);
	assert_non_null(inf);
	wait_until(&d.alive, 10000);
	assert_true(atomic_load(&d.alive) >= 1); /* listed, the watch open */
	atomic_store(&srv.version_hang, 1);
	wait_until(&d.unreachable, 30000);
	alive = atomic_load(&d.alive);
	atomic_store(&srv.version_hang, 0);
	assert_true(atomic_load(&d.unreachable));
	for (int i = 0; i < 3000 && atomic_load(&d.alive) == alive; i++)
		usleep(10 * 1000);
	assert_true(atomic_load(&d.alive) > alive); /* a watch opened again */
	k8s_informer_stop(inf);
	k8s_client_free(c);
}

/* A watch the server answered (200, its headers) and then cut before its end: a
 * stream that ended, as one cut after some events does, not a server out of
 * reach (kubesim's watch_cut_s cuts a quiet watch so, every few seconds). */
static void test_watch_cut(void **state)
{
	k8s_client *c = new_client();
	watch_run w = {.c = c};
	k8s_err err;

	/* nothing came before the cut */
	w.rc = k8s_stream(c, "/api/v1/services?watch=1&resourceVersion=5", 60, count_open, &w,
			  &w.cancel, &w.err);
	assert_true(atomic_load(&w.opened));
	assert_false(w.err.unreachable);
	assert_string_equal(w.err.msg, "");
	assert_int_equal(w.rc, 0);
	/* an event, then the cut */
	k8s_err_clear(&err);
	assert_int_equal(k8s_stream(c, "/api/v1/services?watch=1&resourceVersion=7", 60,
				    count_open, &w, &w.cancel, &err),
			 0);
	assert_false(err.unreachable);
	k8s_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_retried),
	    cmocka_unit_test(test_write_not_retried),
	    cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_paged_list_restart),
	    cmocka_unit_test(test_list_reads_ahead),
	    cmocka_unit_test(test_list_asks_on_head),
	    cmocka_unit_test(test_list_stops_early),
	    cmocka_unit_test(test_list_fails_midway),
	    cmocka_unit_test(test_list_cancel_during_hang),
	    cmocka_unit_test(test_informer),
	    cmocka_unit_test(test_informer_list_as_table),
	    cmocka_unit_test(test_threads_share_a_client),
	    cmocka_unit_test(test_logs_follow_cancel),
	    cmocka_unit_test(test_logs_query),
	    cmocka_unit_test(test_watchdog_hung),
	    cmocka_unit_test(test_watchdog_quiet),
	    cmocka_unit_test(test_watchdog_talking),
	    cmocka_unit_test(test_watchdog_informer),
	    cmocka_unit_test(test_watch_cut),
	};
	return cmocka_run_group_tests(tests, server_up, server_down);
}
