/* sim/podlog.c — generated and told pod logs (see podlog.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "sim/podlog.h"
#include "sim/resource.h"
#include "util/util.h"

/* ---- profiles ---- */

#define MAX_PROFILES 32

typedef struct profile {
	char name[32];
	sim_podlog_profile_fn fn;
} profile;

static pthread_rwlock_t prof_lock = PTHREAD_RWLOCK_INITIALIZER;
static profile profiles[MAX_PROFILES];
static size_t n_profiles;
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	if (!h)
		h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* A per-line random value and the pod's own thread-ish number. */
static uint64_t line_rand(const char *pod, const char *container, uint64_t line_no)
{
	return mix64(hash_str(hash_str(0, pod), container) ^ mix64(line_no));
}

/* Time styles of the profiles. */
enum { TS_PROTHEUS, TS_ISO, TS_PG, TS_CLOCK, TS_STAMP };

static void fmt_time(int64_t at_s, int style, char *buf, size_t size)
{
	time_t t = (time_t)at_s;
	struct tm tm;
	size_t n = 0;

	gmtime_r(&t, &tm);
	switch (style) {
	case TS_PROTHEUS:
		n = strftime(buf, size, "%d/%m/%Y %H:%M:%S", &tm);
		break;
	case TS_ISO:
		n = strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
		break;
	case TS_PG:
		n = strftime(buf, size, "%Y-%m-%d %H:%M:%S.000 UTC", &tm);
		break;
	case TS_CLOCK:
		n = strftime(buf, size, "%H:%M:%S", &tm);
		break;
	default:
		n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	if (!n && size)
		buf[0] = '\0';
}

static void prof_appserver(const char *pod, const char *container, uint64_t n, int64_t at_s,
			   strbuf *line)
{
	static const char *const start[] = {
		"TOTVS - Build 7.00.210324P - Application Server (Linux x64)",
		"[INFO ][SERVER] Starting Application Server, nofile limit 65536",
		"[INFO ][SERVER] Reading configuration from appserver.ini",
		"[INFO ][SERVER] [LICENSECLIENT] Connecting to license server on port 5555",
		"[INFO ][SERVER] [TOPCONNECT] Connecting to DbAccess on port 7890",
		"[INFO ][SERVER] Multiprotocol port 1234 listening",
		"[INFO ][SERVER] HTTP server started on port 8080",
		"[INFO ][SERVER] Application Server ready",
	};
	static const char *const steady[] = {
		"Connection accepted from SmartClient",
		"REST request GET /rest/api/framework/v1/health 200",
		"Job HTTPJOB alive",
		"RPO loaded: tttp120.rpo",
		"REST request POST /rest/api/fat/v1/pedidos 201",
	};
	static const char *const users[] = {"admin", "fiscal01", "vendas02", "compras", "rh03"};
	uint64_t r = line_rand(pod, container, n);
	unsigned thread = 1000 + (unsigned)(hash_str(0, pod) % 60000) + (unsigned)(r >> 48) % 64;
	char when[32];

	fmt_time(at_s, TS_PROTHEUS, when, sizeof(when));
	if (n < ARRAY_SIZE(start)) {
		if (n == 0)
			sb_adds(line, start[0]);
		else
			sb_addf(line, "%.*s [Thread %u] [%s]%s", 15, start[n], thread, when,
				start[n] + 15);
		return;
	}
	if (r % 10 == 0) {
		unsigned v = (unsigned)(50 + (r >> 20) % 900);

		sb_addf(line, "[WARN ][SERVER] [Thread %u] [%s] ", thread, when);
		switch ((r >> 8) % 3) {
		case 0:
			sb_addf(line, "Slow query on SX5010 (%u ms)", v);
			break;
		case 1:
			sb_addf(line, "License usage at %u%% of the contract", v % 100);
			break;
		default:
			sb_adds(line, "Connection reset by peer");
		}
		return;
	}
	sb_addf(line, "[INFO ][SERVER] [Thread %u] [%s] ", thread, when);
	switch ((r >> 8) % 8) {
	case 0:
		sb_addf(line, "Thread finished (user: %s, environment: PROTHEUS12)",
			users[(r >> 16) % ARRAY_SIZE(users)]);
		break;
	case 1:
		sb_addf(line, "Memory in use %u MB", (unsigned)(600 + (r >> 16) % 900));
		break;
	case 2:
		sb_addf(line, "User %s logged in (environment PROTHEUS12)",
			users[(r >> 16) % ARRAY_SIZE(users)]);
		break;
	default:
		sb_adds(line, steady[(r >> 12) % ARRAY_SIZE(steady)]);
	}
}

/* The base services log like the AppServer with their own tag and messages. */
static void prof_tagged(const char *tag, const char *const *msgs, size_t n_msgs, const char *pod,
			const char *container, uint64_t n, int64_t at_s, strbuf *line)
{
	uint64_t r = line_rand(pod, container, n);
	unsigned thread = 1000 + (unsigned)(hash_str(0, pod) % 60000);
	char when[32];

	fmt_time(at_s, TS_PROTHEUS, when, sizeof(when));
	sb_addf(line, "[%s][%s] [Thread %u] [%s] %s", r % 12 == 0 ? "WARN " : "INFO ", tag, thread,
		when, n == 0 ? "Service started" : msgs[(r >> 8) % n_msgs]);
}

static void prof_license(const char *pod, const char *container, uint64_t n, int64_t at_s,
			 strbuf *line)
{
	static const char *const m[] = {"License server listening on port 5555",
					"Web monitor on port 8020", "Licence granted to AppServer",
					"Licence released", "Contract checked: valid",
					"Licences in use: distributed per environment"};
	prof_tagged("LICENSE", m, ARRAY_SIZE(m), pod, container, n, at_s, line);
}

static void prof_lockserver(const char *pod, const char *container, uint64_t n, int64_t at_s,
			    strbuf *line)
{
	static const char *const m[] = {"Lock granted", "Lock released", "Client connected",
					"Client disconnected", "Lock table size 128"};
	prof_tagged("LOCKSERVER", m, ARRAY_SIZE(m), pod, container, n, at_s, line);
}

static void prof_dbaccess(const char *pod, const char *container, uint64_t n, int64_t at_s,
			  strbuf *line)
{
	static const char *const m[] = {"Listening on port 7890", "Connection to POSTGRES opened",
					"Connection to POSTGRES closed", "Licence checked on 5555",
					"Statement cache hit ratio 97%", "Audit port 7891 idle"};
	prof_tagged("DBACCESS", m, ARRAY_SIZE(m), pod, container, n, at_s, line);
}

static void prof_hypnus(const char *pod, const char *container, uint64_t n, int64_t at_s,
			strbuf *line)
{
	static const char *const m[] = {"proxying request", "backend healthy", "idle timer reset",
					"usage sample recorded", "warm-up window checked"};
	char when[32];
	uint64_t r = line_rand(pod, container, n);

	fmt_time(at_s, TS_ISO, when, sizeof(when));
	sb_addf(line, "time=%s level=%s msg=\"%s\"", when, r % 15 == 0 ? "warn" : "info",
		m[(r >> 8) % ARRAY_SIZE(m)]);
}

static void prof_postgres(const char *pod, const char *container, uint64_t n, int64_t at_s,
			  strbuf *line)
{
	static const char *const m[] = {"LOG:  checkpoint starting: time",
					"LOG:  checkpoint complete: wrote 42 buffers",
					"LOG:  connection received: host=10.0.0.1 port=51234",
					"LOG:  connection authorized: user=protheus database=protheus",
					"LOG:  disconnection: session time: 0:00:01.204"};
	char when[32];
	uint64_t r = line_rand(pod, container, n);

	fmt_time(at_s, TS_PG, when, sizeof(when));
	sb_addf(line, "%s [%u] %s", when, 100 + (unsigned)(hash_str(0, pod) % 900),
		n == 0 ? "LOG:  database system is ready to accept connections"
		       : m[(r >> 8) % ARRAY_SIZE(m)]);
}

static void prof_build(const char *pod, const char *container, uint64_t n, int64_t at_s,
		       strbuf *line)
{
	char when[32];

	fmt_time(at_s, TS_CLOCK, when, sizeof(when));
	sb_addf(line, "[%s] build: waiting for stages (%llu)", when, (unsigned long long)n);
}

static void register_locked(const char *name, sim_podlog_profile_fn fn)
{
	size_t i;

	for (i = 0; i < n_profiles; i++)
		if (!strcmp(profiles[i].name, name))
			break;
	if (!fn) {
		if (i < n_profiles)
			profiles[i] = profiles[--n_profiles];
		return;
	}
	if (i == n_profiles) {
		if (n_profiles == MAX_PROFILES)
			return;
		util_strlcpy(profiles[i].name, name, sizeof(profiles[i].name));
		n_profiles++;
	}
	profiles[i].fn = fn;
}

static void register_builtins(void)
{
	pthread_rwlock_wrlock(&prof_lock);
	register_locked("appserver", prof_appserver);
	register_locked("license", prof_license);
	register_locked("lockserver", prof_lockserver);
	register_locked("dbaccess", prof_dbaccess);
	register_locked("hypnus", prof_hypnus);
	register_locked("postgres", prof_postgres);
	register_locked("build", prof_build);
	pthread_rwlock_unlock(&prof_lock);
}

void sim_podlog_register_profile(const char *name, sim_podlog_profile_fn fn)
{
	pthread_once(&builtins_once, register_builtins);
	pthread_rwlock_wrlock(&prof_lock);
	register_locked(name, fn);
	pthread_rwlock_unlock(&prof_lock);
}

static sim_podlog_profile_fn find_profile(const char *name)
{
	sim_podlog_profile_fn fn = NULL, fallback = prof_appserver;

	pthread_once(&builtins_once, register_builtins);
	pthread_rwlock_rdlock(&prof_lock);
	for (size_t i = 0; i < n_profiles; i++) {
		if (name && !strcmp(profiles[i].name, name))
			fn = profiles[i].fn;
		if (!strcmp(profiles[i].name, "appserver"))
			fallback = profiles[i].fn;
	}
	pthread_rwlock_unlock(&prof_lock);
	return fn ? fn : fallback;
}

/* ---- told logs: rings ---- */

typedef struct ring {
	struct ring *next;
	char *ns, *pod, *container;
	char **lines;      /* SIM_PODLOG_RING slots */
	int64_t *ts_ms;    /* wall time of each line */
	size_t head, n;    /* oldest slot, lines held */
	uint64_t total;    /* lines ever appended */
} ring;

static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ring_cond; /* broadcast on append and forget; CLOCK_MONOTONIC */
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static ring *rings_head, *rings_tail; /* oldest first */
static size_t n_rings;

static void cond_init(void)
{
	util_cond_init_monotonic(&ring_cond);
}

static void ring_free(ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[(r->head + i) % SIM_PODLOG_RING]);
	free(r->lines);
	free(r->ts_ms);
	free(r->ns);
	free(r->pod);
	free(r->container);
	free(r);
}

/* Caller holds ring_lock. */
static ring *ring_find(const char *ns, const char *pod, const char *container)
{
	for (ring *r = rings_head; r; r = r->next)
		if (!strcmp(r->pod, pod) && !strcmp(r->ns, ns) && !strcmp(r->container, container))
			return r;
	return NULL;
}

void sim_podlog_append(const char *ns, const char *pod, const char *container, const char *line)
{
	sim_podlog_append_at(ns, pod, container, line, util_now_ms());
}

void sim_podlog_append_at(const char *ns, const char *pod, const char *container, const char *line,
			  int64_t at_ms)
{
	size_t len = strlen(line), slot;
	ring *r;

	pthread_once(&cond_once, cond_init);
	if (len && line[len - 1] == '\n')
		len--;
	pthread_mutex_lock(&ring_lock);
	r = ring_find(ns, pod, container);
	if (!r) {
		if (n_rings >= SIM_PODLOG_MAX_RINGS) {
			ring *old = rings_head;

			rings_head = old->next;
			if (!rings_head)
				rings_tail = NULL;
			ring_free(old);
			n_rings--;
		}
		r = xcalloc(1, sizeof(*r));
		r->ns = xstrdup(ns);
		r->pod = xstrdup(pod);
		r->container = xstrdup(container);
		r->lines = xcalloc(SIM_PODLOG_RING, sizeof(*r->lines));
		r->ts_ms = xcalloc(SIM_PODLOG_RING, sizeof(*r->ts_ms));
		if (rings_tail)
			rings_tail->next = r;
		else
			rings_head = r;
		rings_tail = r;
		n_rings++;
	}
	if (r->n == SIM_PODLOG_RING) {
		free(r->lines[r->head]);
		r->head = (r->head + 1) % SIM_PODLOG_RING;
		r->n--;
	}
	slot = (r->head + r->n) % SIM_PODLOG_RING;
	r->lines[slot] = xstrndup(line, len);
	r->ts_ms[slot] = at_ms;
	r->n++;
	r->total++;
	pthread_cond_broadcast(&ring_cond);
	pthread_mutex_unlock(&ring_lock);
}

void sim_podlog_forget(const char *ns, const char *pod)
{
	ring **pp, *r;

	pthread_once(&cond_once, cond_init);
	pthread_mutex_lock(&ring_lock);
	rings_tail = NULL;
	for (pp = &rings_head; (r = *pp);) {
		if (!strcmp(r->pod, pod) && !strcmp(r->ns, ns)) {
			*pp = r->next;
			ring_free(r);
			n_rings--;
			continue;
		}
		rings_tail = r;
		pp = &r->next;
	}
	pthread_cond_broadcast(&ring_cond);
	pthread_mutex_unlock(&ring_lock);
}

/* ---- rendering ---- */

static void add_stamp(strbuf *out, int64_t s, long ns)
{
	char buf[32];

	fmt_time(s, TS_STAMP, buf, sizeof(buf));
	sb_addf(out, "%s.%09ldZ ", buf, ns);
}

/* Lines [from, to) of a ring; caller holds ring_lock. */
static int ring_render(const ring *r, uint64_t from, int timestamps, strbuf *out)
{
	uint64_t first = r->total - r->n;
	int count = 0;

	if (from < first)
		from = first;
	for (uint64_t i = from; i < r->total; i++, count++) {
		size_t slot = (r->head + (size_t)(i - first)) % SIM_PODLOG_RING;

		if (timestamps)
			add_stamp(out, r->ts_ms[slot] / 1000, (long)(r->ts_ms[slot] % 1000) * 1000000L);
		sb_adds(out, r->lines[slot]);
		sb_addc(out, '\n');
	}
	return count;
}

/* What a pod's container is doing, as far as logs care. */
typedef struct logsrc {
	char container[256];
	char profile[64];
	int has_run;       /* start_s valid */
	int64_t start_s;
	int64_t end_s;     /* 0 = still running */
	int terminated;    /* the container's current state is terminated: its log is whole */
	char waiting[64];  /* reason when !has_run */
} logsrc;

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Start and end of a run from a state object ({"running":{...}} or {"terminated":{...}}). */
static int run_times(const cJSON *state, logsrc *src)
{
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(state, "running");
	const cJSON *term = cJSON_GetObjectItemCaseSensitive(state, "terminated");
	const char *t;

	if (cJSON_IsObject(run) && (t = jstr(run, "startedAt"))) {
		src->start_s = util_parse_rfc3339(t);
		src->end_s = 0;
		return src->has_run = src->start_s >= 0;
	}
	if (cJSON_IsObject(term) && (t = jstr(term, "startedAt"))) {
		const char *f = jstr(term, "finishedAt");

		src->start_s = util_parse_rfc3339(t);
		src->end_s = f ? util_parse_rfc3339(f) : 0;
		if (src->end_s < src->start_s)
			src->end_s = src->start_s;
		return src->has_run = src->start_s >= 0;
	}
	return 0;
}

/* Looks the pod up and resolves its container. 404 / 400 as the API answers. */
static int resolve(sim_store *s, const char *ns, const char *pod, const char *container,
		   logsrc *src, sim_err *err)
{
	const sim_resource *res = sim_resource_find("", "v1", "pods");
	sim_obj *o;
	cJSON *root = NULL;
	const cJSON *cs, *c, *st, *sts, *ann;
	int n = 0, ret = -1, is_init = 0;
	const char *name = NULL, *first = NULL;
	strbuf names, inits;

	sb_init(&names, 64);
	sb_init(&inits, 64);
	memset(src, 0, sizeof(*src));
	o = res ? sim_store_get(s, res, ns, pod, err) : NULL;
	if (!o) {
		sim_err_set(err, 404, "NotFound", "pods \"%s\" not found", pod);
		goto out;
	}
	root = sim_obj_parse(o);
	if (!root) {
		sim_err_set(err, 500, "InternalError", "pod %s cannot be parsed", pod);
		goto out;
	}
	cs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "spec"), "containers");
	cJSON_ArrayForEach(c, cs) {
		const char *cn = jstr(c, "name");

		if (!cn)
			continue;
		sb_adds(&names, n ? " " : "");
		sb_adds(&names, cn);
		if (container && *container && !strcmp(cn, container))
			name = cn;
		if (!n)
			first = cn;
		n++;
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(root, "spec"), "initContainers")) {
		const char *cn = jstr(c, "name");

		if (!cn)
			continue;
		sb_adds(&inits, inits.len ? " " : "");
		sb_adds(&inits, cn);
		if (container && *container && !name && !strcmp(cn, container)) {
			name = cn;
			is_init = 1;
		}
	}
	if (!container || !*container)
		name = n == 1 ? first : NULL;
	if ((!container || !*container) && n != 1) {
		if (!n)
			sim_err_set(err, 400, "BadRequest", "pod %s has no containers", pod);
		else if (inits.len)
			sim_err_set(err, 400, "BadRequest",
				    "a container name must be specified for pod %s, choose one of: [%s] or one of the init containers: [%s]",
				    pod, names.buf, inits.buf);
		else
			sim_err_set(err, 400, "BadRequest",
				    "a container name must be specified for pod %s, choose one of: [%s]",
				    pod, names.buf);
		goto out;
	}
	if (!name) {
		sim_err_set(err, 404, "NotFound", "container %s is not valid for pod %s", container,
			    pod);
		goto out;
	}
	util_strlcpy(src->container, name, sizeof(src->container));
	ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "metadata"),
					       "annotations");
	util_strlcpy(src->profile, jstr(ann, "kubesim.io/log-profile") ? jstr(ann, "kubesim.io/log-profile")
									: "appserver",
		     sizeof(src->profile));
	util_strlcpy(src->waiting, "ContainerCreating", sizeof(src->waiting));
	sts = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "status"),
					       is_init ? "initContainerStatuses" : "containerStatuses");
	if (is_init) /* an init container with no status yet waits for the pod to start */
		util_strlcpy(src->waiting, "PodInitializing", sizeof(src->waiting));
	cJSON_ArrayForEach(st, sts) {
		const cJSON *state, *wait;
		const char *why;

		if (!jstr(st, "name") || strcmp(jstr(st, "name"), name))
			continue;
		state = cJSON_GetObjectItemCaseSensitive(st, "state");
		if (run_times(state, src)) {
			src->terminated = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(state, "terminated"));
			break;
		}
		wait = cJSON_GetObjectItemCaseSensitive(state, "waiting");
		why = jstr(wait, "reason");
		if (why)
			util_strlcpy(src->waiting, why, sizeof(src->waiting));
		/* a waiting container (CrashLoopBackOff) shows its last run */
		run_times(cJSON_GetObjectItemCaseSensitive(st, "lastState"), src);
		break;
	}
	ret = 0;
out:
	cJSON_Delete(root);
	if (o)
		sim_obj_unref(o);
	sb_release(&names);
	sb_release(&inits);
	return ret;
}

int sim_podlog_tell(sim_store *s, const char *ns, const char *pod, const char *container,
		    const char *text, sim_err *err)
{
	logsrc src;
	int n = 0;

	if (resolve(s, ns, pod, container, &src, err) < 0)
		return -1;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *line = xstrndup(text, len);

		sim_podlog_append(ns, pod, src.container, line);
		free(line);
		n++;
		text += len + (nl != NULL);
	}
	return n;
}

/* Generated lines available now: the count since the run started. */
static uint64_t gen_count(const logsrc *src, int64_t now)
{
	int64_t end = src->end_s ? src->end_s : now;

	if (!src->has_run || end < src->start_s)
		return 0;
	return (uint64_t)((end - src->start_s) / SIM_PODLOG_PERIOD_S) + 1;
}

static int gen_render(const char *pod, const logsrc *src, uint64_t from, uint64_t to,
		      int timestamps, strbuf *out)
{
	sim_podlog_profile_fn fn = find_profile(src->profile);
	int count = 0;

	if (to > SIM_PODLOG_KEEP && from < to - SIM_PODLOG_KEEP)
		from = to - SIM_PODLOG_KEEP;
	for (uint64_t i = from; i < to; i++, count++) {
		int64_t at = src->start_s + (int64_t)i * SIM_PODLOG_PERIOD_S;

		if (timestamps)
			add_stamp(out, at, (long)(mix64(i) % 1000) * 1000000L);
		fn(pod, src->container, i, at, out);
		sb_addc(out, '\n');
	}
	return count;
}

int sim_podlog_read(sim_store *s, const char *ns, const char *pod, const char *container,
		    long tail_lines, int timestamps, strbuf *out, uint64_t *cursor, sim_err *err)
{
	logsrc src;
	ring *r;
	uint64_t count, from;
	int n;

	pthread_once(&cond_once, cond_init);
	if (resolve(s, ns, pod, container, &src, err) < 0)
		return -1;
	pthread_mutex_lock(&ring_lock);
	r = ring_find(ns, pod, src.container);
	if (r) {
		from = tail_lines >= 0 && (uint64_t)tail_lines < r->total ? r->total - (uint64_t)tail_lines : 0;
		n = ring_render(r, from, timestamps, out);
		if (cursor)
			*cursor = r->total;
		pthread_mutex_unlock(&ring_lock);
		return n;
	}
	pthread_mutex_unlock(&ring_lock);
	if (!src.has_run)
		return sim_err_set(err, 400, "BadRequest", "container \"%s\" in pod \"%s\" is waiting to start: %s",
				   src.container, pod, src.waiting);
	count = gen_count(&src, sim_store_now(s));
	from = tail_lines >= 0 && (uint64_t)tail_lines < count ? count - (uint64_t)tail_lines : 0;
	if (cursor)
		*cursor = count;
	return gen_render(pod, &src, from, count, timestamps, out);
}

int sim_podlog_follow(sim_store *s, const char *ns, const char *pod, const char *container,
		      int timestamps, uint64_t *cursor, int timeout_ms, strbuf *out, sim_err *err)
{
	int64_t deadline = util_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	pthread_once(&cond_once, cond_init);
	for (;;) {
		logsrc src;
		ring *r;
		int64_t left;
		struct timespec ts;

		if (resolve(s, ns, pod, container, &src, err) < 0)
			return -1;
		pthread_mutex_lock(&ring_lock);
		r = ring_find(ns, pod, src.container);
		if (r && r->total > *cursor) {
			int n = ring_render(r, *cursor, timestamps, out);

			*cursor = r->total;
			pthread_mutex_unlock(&ring_lock);
			return n;
		}
		if (!r && src.has_run) {
			uint64_t count = gen_count(&src, sim_store_now(s));

			if (count < *cursor) /* a new run of the container */
				*cursor = 0;
			if (count > *cursor) {
				uint64_t from = *cursor;

				pthread_mutex_unlock(&ring_lock);
				*cursor = count;
				return gen_render(pod, &src, from, count, timestamps, out);
			}
		}
		if (src.terminated) { /* the container ended and all its log was sent */
			pthread_mutex_unlock(&ring_lock);
			return sim_err_set(err, 200, "Terminated", "container %s terminated", src.container);
		}
		left = deadline - util_mono_ms();
		if (left <= 0) {
			pthread_mutex_unlock(&ring_lock);
			return 0;
		}
		if (left > 100) /* generated lines and pod deletion are polled */
			left = 100;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ring_cond, &ring_lock, &ts);
		pthread_mutex_unlock(&ring_lock);
	}
}
