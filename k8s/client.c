#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "k8s/client.h"
#include "k8s/client_int.h"
#include "k8s/jscan.h"
#include "k8s/clock.h"
#include "k8s/exec_cred.h"
#include "k8s/redact.h"
#include "util/termtext.h"
#include "util/trace.h"
#include "util/util.h"

#define POOL_MAX 8
#define BODY_MAX ((size_t)512 * 1024 * 1024)
#define EXEC_SKEW_MS 10000 /* refresh an exec credential this long before it expires */
#define STREAM_ANSWER_MS 10000 /* a stream's status line must come within this */
#define EXEC_FAIL_HOLD_MS 5000 /* a failed plugin run answers for this long */
#define PROBE_QUIET_MS 5000 /* every watch silent this long: the server is probed */
#define PROBE_ANSWER_MS 5000 /* the probe's answer must come within this */

struct k8s_client {
	k8s_config *cfg;
	int connect_ms, request_ms, retries;
	char *user_agent;
	int https;
	char *url_base;	  /* server, with the host swapped for tls-server-name when set */
	char *connect_to; /* "tlsname:port:host:port" or NULL */

	pthread_mutex_t pool_lock;
	CURL *pool[POOL_MAX];
	size_t n_pool;

	pthread_mutex_t auth_lock; /* guards everything below */
	char *file_token;	   /* last read of cfg->token_file */
	struct timespec file_mtime;
	int file_stale;
	k8s_exec_cred cred;
	int have_cred;
	int exec_ms;		   /* a plugin's run */
	int64_t exec_fail_until;   /* mono ms: the last run failed, its message holds */
	char exec_fail[512];
	int64_t deadline;	   /* mono ms, 0: none (k8s_client_opts) */
	unsigned auth_gen; /* bumps when credentials are invalidated */

	pthread_mutex_t clock_lock;
	k8s_clock clock; /* the server's clock, from Date headers */

	int trace_level; /* k8s_client_opts */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;

	/* The watchdog (see k8s_stream in client.h): a thread of the client's, started
	 * with its first watch, that probes a server whose watches all fell silent. */
	int quiet_ms, probe_ms;	 /* k8s_client_opts; quiet_ms < 0: no watchdog */
	atomic_llong heard_ms;	 /* mono ms: the server's last sign of life */
	atomic_uint hung_gen;	 /* bumped when a probe found the server hung */
	atomic_uint probes;	 /* probes sent */
	atomic_int dog_stop;
	pthread_mutex_t dog_lock; /* guards what follows */
	pthread_cond_t dog_cond;
	pthread_t dog;
	int dog_started;
	int n_watch;		/* watches open (or opening) */
	char hung_msg[200];	/* why the last probe said hung */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void watchdog_init(k8s_client *c);
static void watchdog_release(k8s_client *c);

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- paths ---- */

char *k8s_query_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	strbuf sb;

	sb_init(&sb, strlen(s) + 8);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			sb_addc(&sb, (char)ch);
		} else {
			sb_addc(&sb, '%');
			sb_addc(&sb, hex[ch >> 4]);
			sb_addc(&sb, hex[ch & 15]);
		}
	}
	return sb_detach(&sb, NULL);
}

void k8s_query_add(strbuf *q, const char *key, const char *value)
{
	char *e;

	if (!value || !value[0])
		return;
	e = k8s_query_escape(value);
	sb_addf(q, "&%s=%s", key, e);
	free(e);
}

char *k8s_path(const char *group, const char *version, const char *ns, const char *plural,
	       const char *name)
{
	strbuf sb;

	sb_init(&sb, 96);
	if (group && group[0])
		sb_addf(&sb, "/apis/%s/%s", group, version);
	else
		sb_addf(&sb, "/api/%s", version);
	if (ns && ns[0])
		sb_addf(&sb, "/namespaces/%s", ns);
	sb_addf(&sb, "/%s", plural);
	if (name && name[0])
		sb_addf(&sb, "/%s", name);
	return sb_detach(&sb, NULL);
}

/* ---- client ---- */

/* Splits "scheme://host[:port]/prefix" for tls-server-name. */
static void setup_urls(k8s_client *c)
{
	const char *s = c->cfg->server;
	const char *hp = strstr(s, "://") + 3;
	const char *slash = strchr(hp, '/');
	size_t hp_len = slash ? (size_t)(slash - hp) : strlen(hp);
	char *hostport = xstrndup(hp, hp_len);
	char *colon = hostport[0] == '[' ? strstr(hostport, "]:") : strrchr(hostport, ':');
	const char *port = c->https ? "443" : "80";

	if (!c->cfg->tls_server_name) {
		c->url_base = xstrdup(s);
		free(hostport);
		return;
	}
	if (colon) {
		if (*colon == ']')
			colon++;
		*colon = '\0';
		port = colon + 1;
	}
	c->url_base = xasprintf("%.*s%s:%s%s", (int)(hp - s), s, c->cfg->tls_server_name, port,
				slash ? slash : "");
	c->connect_to = xasprintf("%s:%s:%s:%s", c->cfg->tls_server_name, port, hostport, port);
	free(hostport);
}

k8s_client *k8s_client_new(k8s_config *cfg, const k8s_client_opts *opts, k8s_err *err)
{
	k8s_client *c;

	k8s_err_clear(err);
	pthread_once(&curl_once, curl_init_once);
	if (!cfg || !cfg->server) {
		k8s_config_free(cfg);
		k8s_err_set(err, 0, "no server configured");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	c->connect_ms = opts && opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
	c->request_ms = opts && opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 30000;
	c->retries = !opts || opts->max_retries == 0 ? 4
		     : opts->max_retries < 0	     ? 0
						     : opts->max_retries;
	c->user_agent = xstrdup(opts && opts->user_agent ? opts->user_agent : "smartops");
	c->deadline = opts ? opts->deadline_mono_ms : 0;
	if (opts && opts->trace && opts->trace_level > 0) {
		c->trace_level = opts->trace_level;
		c->trace = opts->trace;
		c->trace_ctx = opts->trace_ctx;
	}
	c->exec_ms = opts && opts->exec_timeout_ms > 0 ? opts->exec_timeout_ms : K8S_EXEC_TIMEOUT_MS;
	c->quiet_ms = opts && opts->probe_quiet_ms ? opts->probe_quiet_ms : PROBE_QUIET_MS;
	c->probe_ms = opts && opts->probe_answer_ms > 0 ? opts->probe_answer_ms
		      : c->request_ms < PROBE_ANSWER_MS	 ? c->request_ms
							 : PROBE_ANSWER_MS;
	c->https = !strncmp(cfg->server, "https://", 8);
	setup_urls(c);
	pthread_mutex_init(&c->pool_lock, NULL);
	pthread_mutex_init(&c->auth_lock, NULL);
	pthread_mutex_init(&c->clock_lock, NULL);
	watchdog_init(c);
	c->file_stale = 1;
	if (cfg->insecure && c->https) {
		char *name = termtext_dup(cfg->cluster_name ? cfg->cluster_name : cfg->server);
		char *origin = termtext_dup(cfg->origin);

		fprintf(stderr,
			"WARNING: TLS certificate verification is OFF for cluster \"%s\" "
			"(insecure-skip-tls-verify: true in %s); anyone on the path can read and "
			"change this traffic\n",
			name, origin);
		free(name);
		free(origin);
	}
	return c;
}

void k8s_client_free(k8s_client *c)
{
	if (!c)
		return;
	watchdog_release(c); /* first: its probe uses the pool */
	for (size_t i = 0; i < c->n_pool; i++)
		curl_easy_cleanup(c->pool[i]);
	pthread_mutex_destroy(&c->pool_lock);
	pthread_mutex_destroy(&c->auth_lock);
	pthread_mutex_destroy(&c->clock_lock);
	if (c->file_token)
		explicit_bzero(c->file_token, strlen(c->file_token));
	free(c->file_token);
	k8s_exec_cred_release(&c->cred);
	free(c->user_agent);
	free(c->url_base);
	free(c->connect_to);
	k8s_config_free(c->cfg);
	free(c);
}

const k8s_config *k8s_client_config(const k8s_client *c)
{
	return c->cfg;
}

static CURL *pool_get(k8s_client *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->pool_lock);
	if (c->n_pool)
		h = c->pool[--c->n_pool];
	pthread_mutex_unlock(&c->pool_lock);
	if (!h)
		h = curl_easy_init();
	else
		curl_easy_reset(h); /* keeps live connections and TLS sessions */
	if (!h)
		die("curl_easy_init failed");
	return h;
}

static void pool_put(k8s_client *c, CURL *h)
{
	pthread_mutex_lock(&c->pool_lock);
	if (c->n_pool < POOL_MAX) {
		c->pool[c->n_pool++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

/* ---- credentials ---- */

static int read_token_file(k8s_client *c, k8s_err *err)
{
	struct stat st;
	FILE *f;
	char buf[16384];
	size_t n;

	if (stat(c->cfg->token_file, &st))
		return k8s_err_set(err, 0, "cannot read tokenFile %s: %s", c->cfg->token_file,
				   strerror(errno));
	if (!c->file_stale && c->file_token && st.st_mtim.tv_sec == c->file_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->file_mtime.tv_nsec)
		return 0;
	f = fopen(c->cfg->token_file, "r");
	if (!f)
		return k8s_err_set(err, 0, "cannot read tokenFile %s: %s", c->cfg->token_file,
				   strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (c->file_token)
		explicit_bzero(c->file_token, strlen(c->file_token));
	free(c->file_token);
	c->file_token = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	c->file_mtime = st.st_mtim;
	c->file_stale = 0;
	if (!c->file_token[0])
		return k8s_err_set(err, 0, "tokenFile %s is empty", c->cfg->token_file);
	return 0;
}

/* Puts the current credentials on h (headers appended to *hdrs). gen receives the
 * generation they belong to, for invalidation after a 401. */
static int cancelled(const atomic_int *cancel);

static int apply_auth(k8s_client *c, CURL *h, struct curl_slist **hdrs, unsigned *gen,
		      const atomic_int *cancel, k8s_err *err)
{
	const k8s_config *cfg = c->cfg;
	const char *token = NULL;
	const char *cert = cfg->cert_data, *key = cfg->key_data;
	size_t cert_len = cfg->cert_len, key_len = cfg->key_len;
	int ret = 0;

	if (!c->https)
		return 0; /* like kubectl: no credentials over plain http */
	pthread_mutex_lock(&c->auth_lock);
	*gen = c->auth_gen;
	if (cfg->token) {
		token = cfg->token;
	} else if (cfg->token_file) {
		if (read_token_file(c, err)) {
			ret = -1;
			goto out;
		}
		token = c->file_token;
	} else if (cfg->exec) {
		if (c->have_cred && c->cred.expires_ms &&
		    util_now_ms() + EXEC_SKEW_MS >= c->cred.expires_ms) {
			k8s_exec_cred_release(&c->cred);
			c->have_cred = 0;
		}
		if (!c->have_cred && cancelled(cancel)) {
			k8s_err_set(err, 0, "cancelled");
			ret = -1;
			goto out;
		}
		if (!c->have_cred && util_mono_ms() < c->exec_fail_until) {
			/* threads that waited for that run get its answer, not a run each */
			k8s_err_set(err, 0, "%s", c->exec_fail);
			ret = -1;
			goto out;
		}
		if (!c->have_cred) {
			char msg[512];
			int ms = c->exec_ms;
			int64_t left = c->deadline ? c->deadline - util_mono_ms() : 0;
			if (c->deadline && left < ms)
				ms = left > 1000 ? (int)left : 1000;
			if (k8s_exec_run(cfg, ms, cancel, &c->cred, msg, sizeof(msg))) {
				k8s_err_set(err, 0, "%s", msg);
				if (!cancelled(cancel)) {
					util_strlcpy(c->exec_fail, err->msg, sizeof(c->exec_fail));
					c->exec_fail_until = util_mono_ms() + EXEC_FAIL_HOLD_MS;
				}
				ret = -1;
				goto out;
			}
			c->have_cred = 1;
		}
		token = c->cred.token;
		if (c->cred.cert_data) {
			cert = c->cred.cert_data;
			cert_len = c->cred.cert_len;
			key = c->cred.key_data;
			key_len = c->cred.key_len;
		}
	}
	if (token) {
		char *hv = xasprintf("Authorization: Bearer %s", token);
		*hdrs = curl_slist_append(*hdrs, hv);
		explicit_bzero(hv, strlen(hv));
		free(hv);
	} else if (cfg->username && cfg->password) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password);
	}
	if (cert && key) {
		struct curl_blob cb = {(void *)cert, cert_len, CURL_BLOB_COPY};
		struct curl_blob kb = {(void *)key, key_len, CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
out:
	pthread_mutex_unlock(&c->auth_lock);
	return ret;
}

/* After a 401: 1 if fresh credentials may help (and they were dropped). */
static int invalidate_auth(k8s_client *c, unsigned gen)
{
	int refreshable = c->cfg->token_file || (c->cfg->exec && !c->cfg->token);

	if (!refreshable || !c->https)
		return 0;
	pthread_mutex_lock(&c->auth_lock);
	if (gen == c->auth_gen) {
		c->auth_gen++;
		c->file_stale = 1;
		k8s_exec_cred_release(&c->cred);
		c->have_cred = 0;
	}
	pthread_mutex_unlock(&c->auth_lock);
	return 1;
}

/* ---- one HTTP exchange ---- */

typedef struct req {
	const char *method; /* GET POST PUT PATCH DELETE */
	const char *path;   /* with query */
	const char *ctype;  /* request body type, or NULL */
	const char *body;
	size_t body_len;
	int stream; /* no overall timeout; data to fn */
	int notify_open; /* stream: fn(ctx, NULL, 0) once a 2xx answer's headers are in */
	int idle_s; /* stream: low-speed abort */
	k8s_data_fn fn;
	void *ctx;
	const atomic_int *cancel;
	const atomic_int *stop; /* a second cancel (a list's own), or NULL */
	const char *accept; /* or NULL: application/json */
	size_t size_hint; /* the answer's likely size (a list's earlier page), or 0 */
	int reuse; /* *answer's buffer may hold the body (a list's page before) */
	int probe; /* the watchdog's: its own limit, no retry, any status an answer */
	k8s_head_fn head; /* told of a 2xx answer's bytes as they come, until it says done */
	void *head_ctx;
} req;

typedef struct xfer {
	k8s_client *c;
	const req *r;
	CURL *h;
	strbuf body; /* non-2xx bodies, or the whole answer when not streaming */
	long status;
	int stopped; /* fn asked to stop */
	int64_t retry_after_ms;
	int delivered; /* stream bytes went to fn */
	int headers;   /* the status line came */
	int head_done; /* r->head has said it needs no more */
	int no_answer; /* aborted: 1 no status line within the request timeout,
			  2 a probe found the server hung (watches) */
	unsigned hung_gen; /* the client's when the attempt began */
	int64_t t0;    /* mono ms at the start of the attempt */
	long timeout_ms; /* this attempt's limit for the status line (streams) */
} xfer;

static int req_cancelled(const req *r)
{
	return (r->cancel && atomic_load(r->cancel)) || (r->stop && atomic_load(r->stop));
}

/* The server spoke: the watchdog's clock of silence starts again. */
static void heard(k8s_client *c)
{
	atomic_store(&c->heard_ms, util_mono_ms());
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *arg)
{
	xfer *x = arg;
	size_t n = size * nmemb;

	/* a log's lines may come while the API server hangs (a kubelet's stream,
	 * kubesim's hang): not a sign of the server's life */
	if (!x->r->stream || x->r->notify_open)
		heard(x->c);
	if (!x->status)
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->r->stream && x->status >= 200 && x->status < 300) {
		x->delivered = 1;
		if (x->r->fn(x->r->ctx, data, n)) {
			x->stopped = 1;
			return 0;
		}
		return n;
	}
	if (x->body.len + n > BODY_MAX)
		return 0;
	sb_add(&x->body, data, n);
	if (x->r->head && !x->head_done && x->status >= 200 && x->status < 300)
		x->head_done = x->r->head(x->r->head_ctx, x->body.buf, x->body.len);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	xfer *x = arg;
	size_t n = size * nmemb;

	x->headers = 1;
	heard(x->c);
	if (n <= 2 && x->r->stream && x->r->notify_open && (data[0] == '\r' || data[0] == '\n')) {
		long st = 0;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
		if (st >= 200 && st < 300 && x->r->fn(x->r->ctx, NULL, 0)) {
			x->stopped = 1;
			return 0;
		}
	}
	if (n > 12 && !strncasecmp(data, "Retry-After:", 12)) {
		char v[64];
		size_t len = n - 12 < sizeof(v) - 1 ? n - 12 : sizeof(v) - 1;
		memcpy(v, data + 12, len);
		v[len] = '\0';
		x->retry_after_ms = k8s_retry_after_ms(v, util_now_ms() / 1000);
	} else if (n > 5 && n < 100 && !strncasecmp(data, "Date:", 5)) {
		char v[100];
		int64_t t;
		memcpy(v, data + 5, n - 5);
		v[n - 5] = '\0';
		if (k8s_http_date_parse(v, &t) == 0) {
			pthread_mutex_lock(&x->c->clock_lock);
			k8s_clock_observe(&x->c->clock, util_mono_ms(), t);
			pthread_mutex_unlock(&x->c->clock_lock);
		}
	}
	return n;
}

int64_t k8s_client_server_now(k8s_client *c)
{
	int64_t t, local = util_now_ms() / 1000;

	pthread_mutex_lock(&c->clock_lock);
	t = c->clock.n ? k8s_clock_now(&c->clock, util_mono_ms()) : local;
	pthread_mutex_unlock(&c->clock_lock);
	return t;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	xfer *x = arg;

	if (x->r->stream && !x->headers && util_mono_ms() - x->t0 > x->timeout_ms) {
		x->no_answer = 1; /* accepted, never answered: a hung server */
		return 1;
	}
	if (x->r->notify_open && atomic_load(&x->c->hung_gen) != x->hung_gen) {
		x->no_answer = 2; /* the watchdog's probe had no answer either */
		return 1;
	}
	return req_cancelled(x->r);
}

static int cancelled(const atomic_int *cancel)
{
	return cancel && atomic_load(cancel);
}

/* Sleeps ms in small steps; returns 1 if the request is cancelled meanwhile. */
static int nap(int64_t ms, const req *r)
{
	int64_t end = util_mono_ms() + ms;

	while (!req_cancelled(r)) {
		int64_t left = end - util_mono_ms();
		struct timespec ts;
		if (left <= 0)
			return 0;
		if (left > 50)
			left = 50;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
	return 1;
}

static void tls_message(const k8s_client *c, CURLcode rc, const char *eb, k8s_err *err)
{
	char host[256];
	const char *ca =
	    c->cfg->ca_data ? "the kubeconfig's certificate-authority" : "the system's trusted CAs";
	const char *hp = strstr(c->url_base, "://") + 3;
	size_t n = strcspn(hp, "/");

	snprintf(host, sizeof(host), "%.*s", (int)n, hp);
	if (strcasestr(eb, "expired"))
		k8s_err_set(err, 0, "TLS: the server's certificate expired (%s: %s)", host, eb);
	else if (strcasestr(eb, "not yet valid"))
		k8s_err_set(err, 0, "TLS: the server's certificate is not valid yet (%s: %s)", host,
			    eb);
	else if (strcasestr(eb, "subject name") || strcasestr(eb, "does not match") ||
		 strcasestr(eb, "host name"))
		k8s_err_set(err, 0, "TLS: certificate is for other hosts than %s (%s)", host, eb);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION || strcasestr(eb, "self-signed") ||
		 strcasestr(eb, "self signed") || strcasestr(eb, "issuer"))
		k8s_err_set(err, 0, "TLS: the server's certificate is not trusted by %s (%s: %s)",
			    ca, host, eb);
	else
		k8s_err_set(err, 0, "TLS: cannot talk to %s: %s", host, eb);
}

static int is_tls_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CIPHER || rc == CURLE_SSL_ISSUER_ERROR ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

/* Transport errors after which a request certainly did not reach the server. */
static int not_sent(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* One line to the client's trace, redacted, control characters shown as '?'. */
static void trace_line(const k8s_client *c, const char *prefix, const char *text, size_t len)
{
	char raw[1024], clean[1024];
	size_t i, n = len < sizeof(raw) - 1 ? len : sizeof(raw) - 1;

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	for (i = 0; i < n; i++)
		raw[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? '?' : text[i];
	raw[n] = '\0';
	if (!n)
		return;
	k8s_redact_into(raw, clean, sizeof(clean));
	snprintf(raw, sizeof(raw), "%s%s", prefix, clean);
	c->trace(c->trace_ctx, raw);
}

/* -vv: the headers sent and received, a line each. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ctx)
{
	const k8s_client *c = ctx;
	const char *prefix = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : NULL;

	(void)h;
	if (!prefix)
		return 0;
	while (size) { /* headers out come as one block */
		size_t n = 0;

		while (n < size && data[n] != '\n')
			n++;
		trace_line(c, prefix, data, n);
		n += n < size;
		data += n;
		size -= n;
	}
	return 0;
}

static void setup_handle(k8s_client *c, CURL *h, const req *r, xfer *x, char *url,
			 struct curl_slist *hdrs, char *eb)
{
	const k8s_config *cfg = c->cfg;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 15L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_ms);
	if (r->stream) {
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)(r->idle_s > 0 ? r->idle_s : 60));
	} else {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(r->probe ? c->probe_ms : c->request_ms));
		if (r->probe && c->probe_ms < c->connect_ms)
			curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->probe_ms);
	}
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, eb);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, cfg->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, cfg->insecure ? 0L : 2L);
	if (cfg->ca_data && !cfg->insecure) {
		struct curl_blob ca = {cfg->ca_data, cfg->ca_len, CURL_BLOB_COPY};
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
	}
	if (cfg->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, cfg->proxy_url);
	else
		curl_easy_setopt(h, CURLOPT_PROXY, ""); /* kubeconfig decides, not the env */
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	if (!strcmp(r->method, "GET")) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
	} else if (r->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	if (c->trace_level >= 2) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
}

/* A wait before a retry, cut so that the retry still starts before the deadline. */
static int64_t cap_wait(const k8s_client *c, int64_t ms)
{
	int64_t left = c->deadline ? c->deadline - util_mono_ms() : ms;

	return left < ms ? (left > 0 ? left : 0) : ms;
}

/* Performs r with retries and re-authentication. On 0, x->body holds a
 * non-streaming answer (caller releases with sb_release). */
static int perform(k8s_client *c, const req *r, strbuf *answer, int *stopped, k8s_err *err)
{
	int is_read = !strcmp(r->method, "GET");
	int attempt = 0, reauthed = 0;
	unsigned seed = (unsigned)util_mono_ms() ^
			(unsigned)(uintptr_t)&attempt; /* per call: no shared state */
	char *url = xasprintf("%s%s", c->url_base, r->path);
	int ret = -1;

	k8s_err_clear(err);
	if (stopped)
		*stopped = 0;
	for (;;) {
		CURL *h = pool_get(c);
		struct curl_slist *hdrs = NULL, *ct = NULL;
		char eb[CURL_ERROR_SIZE] = "";
		unsigned gen = 0;
		xfer x;
		CURLcode rc;
		int64_t wait_ms;
		size_t want;

		memset(&x, 0, sizeof(x));
		x.c = c;
		x.r = r;
		x.h = h;
		x.retry_after_ms = -1;
		want = r->stream ? 256 : r->size_hint > 4096 ? r->size_hint : 4096;
		if (r->reuse && answer && answer->buf && answer->cap >= want) {
			/* its pages are in memory already: no fault on each 4 KB the
			 * answer fills, as a fresh megabyte would have */
			x.body = *answer;
			answer->buf = NULL;
			answer->len = answer->cap = 0;
			sb_reset(&x.body);
		} else {
			sb_init(&x.body, want);
			/* a list's page about as long as the one before: its pages made
			 * present at once, not faulted in 4 KB by 4 KB as it comes */
			if (r->size_hint >= 64 * 1024)
				util_populate(x.body.buf, want);
		}
		if (r->accept) {
			char *a = xasprintf("Accept: %s", r->accept);
			hdrs = curl_slist_append(hdrs, a);
			free(a);
		} else {
			hdrs = curl_slist_append(hdrs, "Accept: application/json");
		}
		if (r->ctype) {
			char *t = xasprintf("Content-Type: %s", r->ctype);
			hdrs = curl_slist_append(hdrs, t);
			free(t);
		}
		hdrs = curl_slist_append(hdrs, "Expect:");
		if (apply_auth(c, h, &hdrs, &gen, r->cancel, err)) {
			curl_slist_free_all(hdrs);
			sb_release(&x.body);
			pool_put(c, h);
			goto out;
		}
		setup_handle(c, h, r, &x, url, hdrs, eb);
		x.t0 = util_mono_ms();
		x.timeout_ms = c->request_ms < STREAM_ANSWER_MS ? c->request_ms : STREAM_ANSWER_MS;
		x.hung_gen = atomic_load(&c->hung_gen);
		if (c->deadline && !r->stream) {
			int64_t left = c->deadline - x.t0;
			if (left <= 0) {
				curl_slist_free_all(hdrs);
				sb_release(&x.body);
				pool_put(c, h);
				if (!err->msg[0])
					k8s_err_set(err, 0, "%s %s: no answer within the command's deadline",
						    r->method, c->cfg->server);
				err->unreachable = 1;
				goto out;
			}
			if (left < c->request_ms)
				curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)left);
			if (left < c->connect_ms)
				curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)left);
		}
		if (c->connect_to) {
			ct = curl_slist_append(NULL, c->connect_to);
			curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
		}
		rc = curl_easy_perform(h);
		if (!x.status)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x.status);
		if (c->trace) {
			char line[1200];
			int n = snprintf(line, sizeof(line), "%s %s -> %ld%s%s (%lld ms, %zu bytes)", r->method, url,
					 x.status, rc != CURLE_OK ? ", " : "",
					 rc != CURLE_OK ? curl_easy_strerror(rc) : "",
					 (long long)(util_mono_ms() - x.t0), x.body.len);
			trace_line(c, "", line, n > 0 ? (size_t)n : 0);
			curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, NULL);
		curl_slist_free_all(hdrs);
		curl_slist_free_all(ct);
		pool_put(c, h);

		if (rc == CURLE_ABORTED_BY_CALLBACK && x.no_answer == 2) {
			char why[sizeof(c->hung_msg)];

			sb_release(&x.body);
			pthread_mutex_lock(&c->dog_lock);
			util_strlcpy(why, c->hung_msg, sizeof(why));
			pthread_mutex_unlock(&c->dog_lock);
			k8s_err_set(err, 0, "%s %s: the server does not answer: %s", r->method,
				    c->cfg->server, why);
			err->unreachable = 1;
			goto out;
		}
		if (rc == CURLE_ABORTED_BY_CALLBACK && x.no_answer) {
			sb_release(&x.body);
			k8s_err_set(err, 0, "%s %s: the server accepted the connection but did not "
				    "answer within %ld s", r->method, c->cfg->server, x.timeout_ms / 1000);
			err->unreachable = 1;
			goto out;
		}
		if (rc == CURLE_ABORTED_BY_CALLBACK || (rc == CURLE_WRITE_ERROR && x.stopped)) {
			sb_release(&x.body);
			if (!r->stream) { /* a cancelled request has no answer */
				k8s_err_set(err, 0, "%s %s: cancelled", r->method, r->path);
				goto out;
			}
			if (stopped)
				*stopped = 1;
			ret = 0;
			goto out;
		}
		if (rc == CURLE_OPERATION_TIMEDOUT && r->stream && x.headers &&
		    x.status >= 200 && x.status < 300) {
			/* open, then silent past idle_s: ends like a clean end, so the
			 * caller opens it again (a hung server fails that open) */
			sb_release(&x.body);
			ret = 0;
			goto out;
		}
		/* a stream the server answered (2xx) and then closed before its end,
		 * bytes of its body come or not (a watch cut while quiet), has ended:
		 * the caller opens it again; the server is not out of reach */
		if (rc != CURLE_OK &&
		    !(r->stream && rc == CURLE_PARTIAL_FILE &&
		      (x.delivered || (x.headers && x.status >= 200 && x.status < 300)))) {
			sb_release(&x.body);
			if (strstr(eb, "alert certificate required") ||
			    strstr(eb, "alert bad certificate") || strstr(eb, "alert unknown ca")) {
				k8s_err_set(err, 0,
					    "TLS: the server refused the client certificate%s (%s)",
					    c->cfg->cert_data || c->cfg->exec
						? ""
						: " (the kubeconfig's user has none)",
					    eb);
				err->unreachable = 1;
				goto out;
			}
			if (is_tls_error(rc)) {
				tls_message(c, rc, eb[0] ? eb : curl_easy_strerror(rc), err);
				err->unreachable = 1;
				goto out;
			}
			if (r->stream && x.delivered) {
				k8s_err_set(err, 0, "%s %s: stream broken: %s", r->method, r->path,
					    eb[0] ? eb : curl_easy_strerror(rc));
				goto out;
			}
			k8s_err_set(err, 0, "%s %s: %s", r->method, c->cfg->server,
				    eb[0] ? eb : curl_easy_strerror(rc));
			err->unreachable = 1;
			/* transport failures: at most 2 retries, so "unreachable" is said soon */
			if ((is_read || not_sent(rc)) && !r->stream && !r->probe &&
			    attempt < c->retries && attempt < 2) {
				if (nap(cap_wait(c, k8s_backoff_ms(attempt++, 200, 5000, &seed)), r))
					goto out;
				continue;
			}
			goto out;
		}
		if (x.status == 401 && !reauthed && !r->probe && invalidate_auth(c, gen)) {
			reauthed = 1;
			sb_release(&x.body);
			continue;
		}
		if (x.status >= 200 && x.status < 300) {
			if (answer) {
				sb_release(answer);
				*answer = x.body;
			} else
				sb_release(&x.body);
			ret = 0;
			goto out;
		}
		if (is_read && !r->stream && !r->probe && k8s_status_retryable((int)x.status) &&
		    attempt < c->retries) {
			wait_ms = k8s_backoff_ms(attempt++, 500, 10000, &seed);
			if (x.retry_after_ms >= 0)
				wait_ms = x.retry_after_ms > 30000 ? 30000 : x.retry_after_ms;
			sb_release(&x.body);
			if (nap(cap_wait(c, wait_ms), r))
				goto out;
			continue;
		}
		k8s_status_decode((int)x.status, x.body.buf, x.body.len, err);
		err->retry_after_ms = x.retry_after_ms > 0 ? x.retry_after_ms : 0;
		sb_release(&x.body);
		goto out;
	}
out:
	if (ret && req_cancelled(r) && !err->msg[0])
		k8s_err_set(err, 0, "cancelled");
	free(url);
	return ret;
}

/* ---- the watchdog: a hung server said within seconds ----
 *
 * A watch that is open and silent may be a quiet cluster or a hung server. The
 * informers' own limits tell them apart late (a silent watch reopened after its
 * idle_s, the reopening's status line awaited STREAM_ANSWER_MS). So a thread of
 * the client's, started with its first watch, waits while the server speaks:
 * once nothing at all has come from it for quiet_ms while a watch is open, it
 * asks GET /version with a limit of probe_ms. Any answer, whatever its status,
 * says the server lives (and restarts the silence). No answer, and still nothing
 * from any watch meanwhile, says it hangs: every watch open then ends with
 * err->unreachable (on_progress, within about a second), and the next probe
 * waits quiet_ms. None is sent while the watches bring anything, bookmarks
 * included: a quiet healthy cluster costs one small request per quiet_ms. */

static void watchdog_init(k8s_client *c)
{
	atomic_init(&c->heard_ms, 0);
	atomic_init(&c->hung_gen, 0);
	atomic_init(&c->probes, 0);
	atomic_init(&c->dog_stop, 0);
	pthread_mutex_init(&c->dog_lock, NULL);
	util_cond_init_monotonic(&c->dog_cond);
}

static void watchdog_release(k8s_client *c)
{
	pthread_mutex_lock(&c->dog_lock);
	atomic_store(&c->dog_stop, 1);
	pthread_cond_broadcast(&c->dog_cond);
	pthread_mutex_unlock(&c->dog_lock);
	if (c->dog_started)
		pthread_join(c->dog, NULL);
	pthread_mutex_destroy(&c->dog_lock);
	pthread_cond_destroy(&c->dog_cond);
}

/* One probe; 1 when it found the server hung. */
static int watchdog_probe(k8s_client *c)
{
	req r = {0};
	k8s_err err;
	int64_t sent = util_mono_ms();

	r.method = "GET";
	r.path = "/version";
	r.cancel = &c->dog_stop;
	r.probe = 1;
	atomic_fetch_add(&c->probes, 1);
	if (perform(c, &r, NULL, NULL, &err) == 0 || err.http || !err.unreachable ||
	    atomic_load(&c->dog_stop) || atomic_load(&c->heard_ms) >= sent)
		return 0; /* an answer, no verdict (credentials), or a watch spoke meanwhile */
	pthread_mutex_lock(&c->dog_lock);
	snprintf(c->hung_msg, sizeof(c->hung_msg),
		 "no answer to GET /version within %d.%d s, every watch silent for %d.%d s",
		 c->probe_ms / 1000, c->probe_ms % 1000 / 100, c->quiet_ms / 1000,
		 c->quiet_ms % 1000 / 100);
	pthread_mutex_unlock(&c->dog_lock);
	atomic_fetch_add(&c->hung_gen, 1);
	return 1;
}

static void *watchdog_main(void *arg)
{
	k8s_client *c = arg;
	int64_t next = 0; /* no probe before this (after one that found a hang) */

	util_thread_name("k8s-watchdog");
	pthread_mutex_lock(&c->dog_lock);
	while (!atomic_load(&c->dog_stop)) {
		int64_t now = util_mono_ms(), due = atomic_load(&c->heard_ms) + c->quiet_ms;
		struct timespec ts;

		if (due < next)
			due = next;
		if (!c->n_watch) {
			pthread_cond_wait(&c->dog_cond, &c->dog_lock);
			continue;
		}
		if (now < due) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (due - now) / 1000;
			ts.tv_nsec += (due - now) % 1000 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->dog_cond, &c->dog_lock, &ts);
			continue;
		}
		pthread_mutex_unlock(&c->dog_lock);
		watchdog_probe(c);
		pthread_mutex_lock(&c->dog_lock);
		next = util_mono_ms() + c->quiet_ms; /* whatever it found */
	}
	pthread_mutex_unlock(&c->dog_lock);
	return NULL;
}

/* A watch opens (+1) or ends (-1). The first one open starts the silence's
 * clock (and the thread, once). */
static void watchdog_watch(k8s_client *c, int d)
{
	if (c->quiet_ms < 0)
		return;
	pthread_mutex_lock(&c->dog_lock);
	if (d > 0 && !c->n_watch) {
		int64_t now = util_mono_ms();
		if (atomic_load(&c->heard_ms) < now)
			atomic_store(&c->heard_ms, now);
	}
	c->n_watch += d;
	if (d > 0 && !c->dog_started && !atomic_load(&c->dog_stop))
		c->dog_started = pthread_create(&c->dog, NULL, watchdog_main, c) == 0;
	pthread_cond_broadcast(&c->dog_cond);
	pthread_mutex_unlock(&c->dog_lock);
}

unsigned k8s_client_probes(k8s_client *c)
{
	return atomic_load(&c->probes);
}

/* ---- API calls ---- */

static int json_call_cancel(k8s_client *c, const char *method, const char *path,
			    const char *ctype, const char *body, const atomic_int *cancel,
			    cJSON **out, k8s_err *err)
{
	req r = {0};
	strbuf answer;
	k8s_err local;
	int ret;

	if (!err)
		err = &local;
	if (out)
		*out = NULL;
	r.method = method;
	r.path = path;
	r.ctype = body ? ctype : NULL;
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	r.cancel = cancel;
	sb_init(&answer, 0);
	ret = perform(c, &r, &answer, NULL, err);
	if (!ret && out) {
		*out = jscan_parse(answer.buf, answer.len);
		if (!*out)
			ret = k8s_err_set(err, 200, "%s %s: the answer is not JSON", method, path);
	}
	sb_release(&answer);
	return ret;
}

static int json_call(k8s_client *c, const char *method, const char *path, const char *ctype,
		     const char *body, cJSON **out, k8s_err *err)
{
	return json_call_cancel(c, method, path, ctype, body, NULL, out, err);
}

/* path + "?..." or "&..." with the write flags. malloc'd. */
static char *write_path(const char *path, int flags, int apply, const char *manager)
{
	strbuf sb;
	char sep = strchr(path, '?') ? '&' : '?';

	sb_init(&sb, strlen(path) + 64);
	sb_adds(&sb, path);
	sb_addf(&sb, "%cfieldManager=%s", sep, manager ? manager : "smartops");
	if (flags & K8S_DRY_RUN)
		sb_adds(&sb, "&dryRun=All");
	if (apply && (flags & K8S_FORCE))
		sb_adds(&sb, "&force=true");
	return sb_detach(&sb, NULL);
}

int k8s_get(k8s_client *c, const char *path, cJSON **out, k8s_err *err)
{
	return json_call(c, "GET", path, NULL, NULL, out, err);
}

int k8s_get_text(k8s_client *c, const char *path, strbuf *answer, k8s_err *err)
{
	return k8s_get_page(c, path, NULL, NULL, NULL, 0, NULL, NULL, answer, err);
}

int k8s_get_cancel(k8s_client *c, const char *path, const atomic_int *cancel, cJSON **out,
		   k8s_err *err)
{
	return json_call_cancel(c, "GET", path, NULL, NULL, cancel, out, err);
}

static int write_call_as(k8s_client *c, const char *method, const char *path, const char *ctype,
			 const char *body, int flags, int apply, const char *manager, cJSON **out,
			 k8s_err *err)
{
	char *p = write_path(path, flags, apply, manager);
	int r = json_call(c, method, p, ctype, body, out, err);

	free(p);
	return r;
}

static int write_call(k8s_client *c, const char *method, const char *path, const char *ctype,
		      const char *body, int flags, int apply, cJSON **out, k8s_err *err)
{
	return write_call_as(c, method, path, ctype, body, flags, apply, NULL, out, err);
}

int k8s_create(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
	       k8s_err *err)
{
	return write_call(c, "POST", path, "application/json", json, flags, 0, out, err);
}

int k8s_update(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
	       k8s_err *err)
{
	return write_call(c, "PUT", path, "application/json", json, flags, 0, out, err);
}

int k8s_merge_patch(k8s_client *c, const char *path, const char *json, int flags, cJSON **out,
		    k8s_err *err)
{
	return write_call(c, "PATCH", path, "application/merge-patch+json", json, flags, 0, out,
			  err);
}

int k8s_apply(k8s_client *c, const char *path, const char *body, int flags, cJSON **out,
	      k8s_err *err)
{
	return write_call(c, "PATCH", path, "application/apply-patch+yaml", body, flags, 1, out,
			  err);
}

int k8s_apply_as(k8s_client *c, const char *path, const char *body, const char *manager,
		 int flags, cJSON **out, k8s_err *err)
{
	return write_call_as(c, "PATCH", path, "application/apply-patch+yaml", body, flags, 1,
			     manager, out, err);
}

int k8s_delete(k8s_client *c, const char *path, int flags, k8s_err *err)
{
	char *p = flags & K8S_DRY_RUN
		      ? xasprintf("%s%cdryRun=All", path, strchr(path, '?') ? '&' : '?')
		      : xstrdup(path);
	int r = json_call(c, "DELETE", p, NULL, NULL, NULL, err);

	free(p);
	return r;
}

int k8s_get_page(k8s_client *c, const char *path, const char *accept, const atomic_int *cancel,
		 const atomic_int *stop, size_t size_hint, k8s_head_fn head, void *head_ctx,
		 strbuf *answer, k8s_err *err)
{
	req r = {0};

	r.method = "GET";
	r.path = path;
	r.cancel = cancel;
	r.stop = stop;
	r.accept = accept;
	r.size_hint = size_hint;
	r.reuse = 1;
	r.head = head;
	r.head_ctx = head_ctx;
	return perform(c, &r, answer, NULL, err);
}

int k8s_can_i(k8s_client *c, const char *verb, const char *group, const char *resource,
	      const char *subresource, const char *ns, const char *name, int *allowed, char *reason,
	      size_t reasonsz, k8s_err *err)
{
	cJSON *body = cJSON_CreateObject(), *spec, *ra, *out = NULL;
	const cJSON *st, *v;
	char *json;
	int ret;

	*allowed = 0;
	if (reason && reasonsz)
		reason[0] = '\0';
	cJSON_AddStringToObject(body, "apiVersion", "authorization.k8s.io/v1");
	cJSON_AddStringToObject(body, "kind", "SelfSubjectAccessReview");
	spec = cJSON_AddObjectToObject(body, "spec");
	ra = cJSON_AddObjectToObject(spec, "resourceAttributes");
	cJSON_AddStringToObject(ra, "verb", verb);
	cJSON_AddStringToObject(ra, "group", group ? group : "");
	cJSON_AddStringToObject(ra, "resource", resource);
	if (subresource && subresource[0])
		cJSON_AddStringToObject(ra, "subresource", subresource);
	if (ns && ns[0])
		cJSON_AddStringToObject(ra, "namespace", ns);
	if (name && name[0])
		cJSON_AddStringToObject(ra, "name", name);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	ret = json_call(c, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
			"application/json", json, &out, err);
	free(json);
	if (ret)
		return -1;
	st = cJSON_GetObjectItemCaseSensitive(out, "status");
	*allowed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "allowed")) &&
		   !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "denied"));
	v = cJSON_GetObjectItemCaseSensitive(st, "reason");
	if (reason && reasonsz && cJSON_IsString(v))
		util_strlcpy(reason, v->valuestring, reasonsz);
	cJSON_Delete(out);
	return 0;
}

typedef struct log_ctx {
	k8s_lines lines;
	k8s_line_fn fn;
	void *ctx;
} log_ctx;

static int log_data(void *arg, const char *data, size_t n)
{
	log_ctx *l = arg;

	return k8s_lines_feed(&l->lines, data, n, l->fn, l->ctx);
}

int k8s_pod_logs(k8s_client *c, const char *ns, const char *pod, const k8s_log_opts *opts,
		 k8s_line_fn fn, void *ctx, const atomic_int *cancel, k8s_err *err)
{
	strbuf q;
	size_t base;
	log_ctx l;
	req r = {0};
	int stopped = 0, ret;
	k8s_err local;

	if (!err)
		err = &local;
	sb_init(&q, 128);
	sb_addf(&q, "/api/v1/namespaces/%s/pods/%s/log", ns, pod);
	base = q.len;
	if (opts) {
		k8s_query_add(&q, "container", opts->container);
		if (opts->tail_lines >= 0)
			sb_addf(&q, "&tailLines=%ld", opts->tail_lines);
		if (opts->follow)
			sb_adds(&q, "&follow=true");
		if (opts->timestamps)
			sb_adds(&q, "&timestamps=true");
		if (opts->previous)
			sb_adds(&q, "&previous=true");
	}
	if (q.len > base)
		q.buf[base] = '?'; /* the first '&' */
	k8s_lines_init(&l.lines, 64 * 1024);
	l.fn = fn;
	l.ctx = ctx;
	r.method = "GET";
	r.path = q.buf;
	r.stream = 1;
	r.idle_s = opts && opts->follow ? 3600 : 60;
	r.fn = log_data;
	r.ctx = &l;
	r.cancel = cancel;
	ret = perform(c, &r, NULL, &stopped, err);
	if (!ret && !stopped)
		k8s_lines_finish(&l.lines, fn, ctx);
	k8s_lines_release(&l.lines);
	sb_release(&q);
	return ret;
}

int k8s_stream(k8s_client *c, const char *path, int idle_s, k8s_data_fn fn, void *ctx,
	       const atomic_int *cancel, k8s_err *err)
{
	req r = {0};
	int stopped = 0, ret;
	k8s_err local;

	if (!err)
		err = &local;
	r.method = "GET";
	r.path = path;
	r.stream = 1;
	r.notify_open = 1;
	r.idle_s = idle_s;
	r.fn = fn;
	r.ctx = ctx;
	r.cancel = cancel;
	watchdog_watch(c, 1);
	ret = perform(c, &r, NULL, &stopped, err);
	watchdog_watch(c, -1);
	if (ret)
		return -1;
	return stopped ? 1 : 0;
}
