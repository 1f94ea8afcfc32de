/* sim/workload.c — the pod lifecycle controller (see workload.h).
 *
 * One thread. It keeps small records of owners (Deployments, StatefulSets, Jobs) and pods,
 * fed by one watch per resource type, and a min-heap of due pod transitions keyed by
 * store-clock milliseconds. A container's start and its readiness are physical: they are
 * due when the store clock or the real clock has passed their delay, whichever is first
 * (a second heap, keyed by monotonic milliseconds), so a nearly stopped clock still lets a
 * pod start, however long the seeding took. Owners touched by an event are marked dirty and reconciled
 * once per loop; nothing is re-listed unless a watch falls out of the store's window. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "sim/buildrun.h"
#include "sim/faults.h"
#include "sim/jpick.h"
#include "sim/podlog.h"
#include "sim/replicaset.h"
#include "sim/resource.h"
#include "sim/sched.h"
#include "sim/workload.h"
#include "util/util.h"

#define DEFAULT_MAX_EVENTS 20000
#define BACKOFF_FIRST_S 10
#define BACKOFF_MAX_S 300
#define RETRY_MS 1000
#define CLAIM_RETRY_MS 1000 /* a pod waiting for its claims is placed again after this */
#define MAX_KICK_NS 256
#define DRAIN_MAX 2000 /* events taken from one watch per loop */
#define INIT_RUN_MS 1000 /* an init container of a pod that is not a build runs this long */
#define JOB_BACKOFF_FIRST_S 10
#define JOB_BACKOFF_MAX_S 360

static const char k8s_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

/* ---- a string-keyed hash map (chained) ---- */

typedef struct mentry {
	struct mentry *next;
	char *key;
	void *val;
} mentry;

typedef struct map {
	mentry **b;
	size_t nb, n;
} map;

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void map_grow(map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 256;
	mentry **b = xcalloc(nb, sizeof(*b));

	for (size_t i = 0; i < m->nb; i++) {
		mentry *e = m->b[i], *next;

		for (; e; e = next) {
			size_t j = fnv(e->key) & (nb - 1);

			next = e->next;
			e->next = b[j];
			b[j] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

static void *map_get(const map *m, const char *key)
{
	if (!m->nb)
		return NULL;
	for (mentry *e = m->b[fnv(key) & (m->nb - 1)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e->val;
	return NULL;
}

/* Key is copied; replaces an existing value. */
static void map_put(map *m, const char *key, void *val)
{
	mentry *e;
	size_t i;

	if (m->n + 1 > m->nb)
		map_grow(m);
	i = fnv(key) & (m->nb - 1);
	for (e = m->b[i]; e; e = e->next)
		if (!strcmp(e->key, key)) {
			e->val = val;
			return;
		}
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->val = val;
	e->next = m->b[i];
	m->b[i] = e;
	m->n++;
}

static void *map_del(map *m, const char *key)
{
	mentry **pp, *e;
	void *val;

	if (!m->nb)
		return NULL;
	for (pp = &m->b[fnv(key) & (m->nb - 1)]; (e = *pp); pp = &e->next)
		if (!strcmp(e->key, key)) {
			*pp = e->next;
			val = e->val;
			free(e->key);
			free(e);
			m->n--;
			return val;
		}
	return NULL;
}

/* Values into a new array (the caller frees it); safe against later deletions. */
static void **map_values(const map *m, size_t *n)
{
	void **v = xmalloc((m->n ? m->n : 1) * sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < m->nb; i++)
		for (mentry *e = m->b[i]; e; e = e->next)
			v[k++] = e->val;
	*n = k;
	return v;
}

static void map_release(map *m)
{
	for (size_t i = 0; i < m->nb; i++) {
		mentry *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e->key);
			free(e);
		}
	}
	free(m->b);
	memset(m, 0, sizeof(*m));
}

/* ---- records ---- */

enum { OWN_DEPLOY, OWN_STS, OWN_JOB, OWN_COUNT };
static const char own_tag[] = "DSJ";
static const char *const own_kind_name[] = {"Deployment", "StatefulSet", "Job"};

typedef enum {
	P_PENDING,   /* scheduled, containers not started */
	P_INIT,      /* init containers running, one after the other (phase Pending) */
	P_RUNNING,   /* started, readiness not decided yet */
	P_READY,
	P_NOT_READY, /* policy said not ready */
	P_CRASH,     /* CrashLoopBackOff */
	P_SUCCEEDED,
	P_FAILED,
} pod_stage;

/* Events of one involved object: the last few names, for the per-object cap. */
typedef struct evring {
	char *names[SIM_WORKLOAD_EVENTS_PER_OBJECT];
	int head, n;
	uint64_t last_sig;   /* reason+message of the newest, to count repeats */
} evring;

struct pod;

/* A ReplicaSet of a Deployment: one per distinct template. */
typedef struct rsrec {
	char hash[16];        /* pod-template-hash: its name is <deployment>-<hash> */
	uint64_t key;         /* sim_rs_template_key of its template */
	int revision;
} rsrec;

typedef struct owner {
	int kind;
	char *key;            /* "D:ns/name" */
	char *ns, *name, *uid;
	int replicas;
	char hash[16];        /* template hash (a Deployment's: its current ReplicaSet's) */
	char raw_hash[16];    /* the hash of the template as written */
	int64_t generation;
	/* deployments */
	rsrec *rs;            /* its ReplicaSets */
	int n_rs;
	int revision;         /* the current ReplicaSet's */
	int history;          /* spec.revisionHistoryLimit */
	int rs_synced;        /* hash's ReplicaSet is made and the others scaled to 0 */
	sim_obj *last;        /* the last version seen (shared with the store, so free) */
	sim_obj *prev;        /* the version before a template change: the old ReplicaSet's */
	struct pod *pods;     /* owned pods, a doubly linked list */
	int dirty, gone, in_dirty;
	int retry_due;        /* a retry is queued */
	/* jobs */
	int job_state;        /* 0 running, 1 complete, 2 failed */
	int job_duration_s;
	int job_fail;
	int64_t job_start_s, job_end_s;
	int backoff_limit;    /* spec.backoffLimit (6 when absent) */
	int ttl_s;            /* spec.ttlSecondsAfterFinished, -1 when absent */
	int fleet_build;      /* the fleet's simulated build: takes no faults */
	int fail_stage;       /* the fleet's simulated failure: a sim_build_stage, -1 none */
	int64_t retry_at_ms;  /* a failed pod's replacement is due then */
	int64_t ttl_due_ms;   /* the TTL deletion queued for then */
	int last_ready;       /* for ScalingReplicaSet messages */
	evring *ev;
	/* the status last written, and the object's resourceVersion after it:
	 * while both hold, writing it again would change nothing (owner_status) */
	struct status_sig {
		int replicas, ready, updated, active, succeeded, failed;
		int desired, revision, job_state;
		int64_t job_start_s, job_end_s;
		char hash[16];
	} written;
	uint64_t written_rv;  /* 0: none yet */
} owner;

/* An init container, or a build's main container. */
enum { CS_WAITING, CS_RUNNING, CS_DONE };
enum { ENV_REPO, ENV_COMMIT, ENV_BUILD_ID, ENV_RPO, ENV_COUNT };

typedef struct ctr {
	char *name, *image;
	char *env[ENV_COUNT]; /* the build contract's variables, or NULL */
	int state;
	int64_t started_s, finished_s;
	int exit_code;
	char *message;        /* termination message */
} ctr;

/* The running build stage: its log lines, told as time passes. */
typedef struct stagerun {
	sim_build_result res;
	size_t next_line;
	int64_t start_ms;
	const char *container;
} stagerun;

typedef struct pod {
	char *key;            /* "ns/name" */
	char *ns, *name, *uid;
	owner *own;
	struct pod *onext, *oprev;
	uint64_t seq;         /* creation order */
	int ordinal;          /* StatefulSet pods, else -1 */
	char hash[16];        /* the template hash it was made from */
	pod_stage stage;
	int restarts;
	int backoff_s;
	int64_t created_s, started_s, cond_s, finished_s;
	int64_t term_start_s, term_end_s; /* last terminated run (crash loop) */
	char *reason, *message; /* of the not-ready or crash verdict */
	char *container;      /* the first container's name, for events */
	ctr *init;            /* spec.initContainers */
	int n_init, init_idx; /* init_idx: the one running or next; n_init when all are done */
	int is_build;         /* the init containers are a custom build's stages */
	int failed_in_init;
	ctr main;             /* a build's main container (finish): its env, exit, message */
	stagerun *run;        /* a build's stage in progress */
	uint64_t token;       /* of the live heap entry */
	int mark;
	evring *ev;
} pod;

typedef struct due {
	int64_t at_ms;
	uint64_t token;
	char *key;            /* pod key, or owner key for retries */
	int is_owner;
} due;

typedef struct dueheap {
	due *v;
	size_t n, cap;
} dueheap;

typedef struct evname {
	char *ns, *name;
} evname;

struct sim_workload {
	sim_store *s;
	sim_workload_opts o;
	pthread_t thread;
	atomic_int stop;

	pthread_mutex_t policy_lock;
	sim_pod_policy_fn policy;
	void *policy_ctx;

	pthread_mutex_t kick_lock;
	int kick_all;
	char *kick_ns[MAX_KICK_NS];
	int n_kick_ns;

	const sim_resource *r_pod, *r_deploy, *r_sts, *r_job, *r_event, *r_pvc, *r_rs;
	sim_faults *faults;
	sim_watch *w_pod, *w_deploy, *w_sts, *w_job;

	map owners, pods;
	owner **dirty;
	size_t n_dirty, cap_dirty;
	dueheap due_sim;  /* store-clock ms */
	dueheap due_real; /* monotonic ms: start and readiness only */
	uint64_t next_token, next_seq, rand_state;
	int mark;

	evname *events;       /* global FIFO of emitted events */
	size_t ev_head, ev_n, ev_cap;
	uint64_t ev_counter;

	int64_t clk_s, clk_mono, clk_last;
};

/* ---- time ---- */

/* Store-clock milliseconds: whole seconds from the store, the fraction interpolated. */
static int64_t now_ms(sim_workload *w)
{
	int64_t s = sim_store_now(w->s), mono = util_mono_ms(), frac, v;

	if (s != w->clk_s) {
		w->clk_s = s;
		w->clk_mono = mono;
	}
	frac = mono - w->clk_mono;
	frac = frac < 0 ? 0 : frac > 999 ? 999 : frac;
	v = s * 1000 + frac;
	if (v < w->clk_last && v > w->clk_last - 2000)
		v = w->clk_last; /* never step back within a second */
	w->clk_last = v;
	return v;
}

static void rfc3339(int64_t s, char *buf, size_t size)
{
	util_rfc3339(s, buf, size);
}

/* ---- small JSON helpers ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *k, double def)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static void jset(cJSON *o, const char *k, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
	else
		cJSON_AddItemToObject(o, k, v);
}

static void jset_str(cJSON *o, const char *k, const char *v)
{
	jset(o, k, cJSON_CreateString(v));
}

static void jset_time(cJSON *o, const char *k, int64_t s)
{
	char buf[40];

	rfc3339(s, buf, sizeof(buf));
	jset_str(o, k, buf);
}

static cJSON *jobj(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsObject(v)) {
		v = cJSON_CreateObject();
		jset(o, k, v);
	}
	return v;
}

static char *make_key(char tag, const char *ns, const char *name)
{
	size_t n = strlen(ns) + strlen(name) + 4;
	char *k = xmalloc(n);

	if (tag)
		snprintf(k, n, "%c:%s/%s", tag, ns, name);
	else
		snprintf(k, n, "%s/%s", ns, name);
	return k;
}

/* 10 characters of the Kubernetes alphabet from a hash. */
static void hash_name(uint64_t h, char *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		out[i] = k8s_alphabet[h % (sizeof(k8s_alphabet) - 1)];
		h /= sizeof(k8s_alphabet) - 1;
		if (!h)
			h = mix64(i + 7);
	}
	out[len] = '\0';
}

static void template_hash(const cJSON *tmpl, char *out)
{
	sim_rs_pod_template_hash(tmpl, out);
}

/* ---- the heap of due transitions ---- */

static void heap_push(dueheap *h, int64_t at_ms, uint64_t token, const char *key, int is_owner)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent].at_ms <= at_ms)
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i] = (due){at_ms, token, xstrdup(key), is_owner};
}

static due heap_pop(dueheap *h)
{
	due top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].at_ms < h->v[c].at_ms)
			c++;
		if (last.at_ms <= h->v[c].at_ms)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

static void heap_release(dueheap *h)
{
	for (size_t k = 0; k < h->n; k++)
		free(h->v[k].key);
	free(h->v);
}

/* pod p's next transition at store-clock at_ms */
static void pod_schedule(sim_workload *w, pod *p, int64_t at_ms)
{
	p->token = ++w->next_token;
	heap_push(&w->due_sim, at_ms, p->token, p->key, 0);
}

/* A start or a readiness: after delay_ms of the store clock or of the real one, whichever
 * passes first (one token, two entries; the later one finds the token moved on). */
static void pod_schedule_physical(sim_workload *w, pod *p, int64_t now, int delay_ms)
{
	pod_schedule(w, p, now + delay_ms);
	heap_push(&w->due_real, util_mono_ms() + delay_ms, p->token, p->key, 0);
}

/* ---- events ---- */

static void evring_free(evring *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++)
		free(r->names[(r->head + i) % SIM_WORKLOAD_EVENTS_PER_OBJECT]);
	free(r);
}

static void event_delete(sim_workload *w, const char *ns, const char *name)
{
	sim_err err;

	sim_store_delete(w->s, w->r_event, ns, name, 0, NULL, &err); /* 404 is fine */
}

typedef struct count_ctx {
	int64_t at_s;
	int count;
} count_ctx;

static int event_count_fn(cJSON *obj, void *vctx, sim_err *err)
{
	count_ctx *c = vctx;

	c->count = (int)jnum(obj, "count", 1) + 1;
	jset(obj, "count", cJSON_CreateNumber(c->count));
	jset_time(obj, "lastTimestamp", c->at_s);
	return 0;
}

typedef struct involved {
	const char *kind, *api_version, *ns, *name, *uid;
	const char *field_path;  /* or NULL */
	evring **ring;
} involved;

/* Emits (or counts a repeat of) an Event about `inv`. */
static void emit(sim_workload *w, const involved *inv, const char *type, const char *reason,
		 const char *component, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emit(sim_workload *w, const involved *inv, const char *type, const char *reason,
		 const char *component, const char *fmt, ...)
{
	char message[512], name[320], when[40];
	uint64_t sig;
	evring *r;
	va_list ap;
	cJSON *ev, *meta, *io, *src;
	sim_obj *out = NULL;
	sim_err err;
	int64_t now_s;

	if (w->o.max_events < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	now_s = sim_store_now(w->s);
	if (!*inv->ring)
		*inv->ring = xcalloc(1, sizeof(evring));
	r = *inv->ring;
	sig = mix64(fnv(reason) ^ mix64(fnv(message)));
	if (r->n && r->last_sig == sig) {
		const char *last = r->names[(r->head + r->n - 1) % SIM_WORKLOAD_EVENTS_PER_OBJECT];
		count_ctx c = {now_s, 0};

		if (sim_store_mutate(w->s, w->r_event, inv->ns, last, event_count_fn, &c, 0, NULL,
				     &err) == 0)
			return;
	}
	snprintf(name, sizeof(name), "%s.%016llx", inv->name,
		 (unsigned long long)((uint64_t)now_ms(w) * 1000000ull + (++w->ev_counter % 1000000)));
	rfc3339(now_s, when, sizeof(when));
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", inv->ns);
	io = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(io, "apiVersion", inv->api_version);
	cJSON_AddStringToObject(io, "kind", inv->kind);
	cJSON_AddStringToObject(io, "namespace", inv->ns);
	cJSON_AddStringToObject(io, "name", inv->name);
	if (inv->uid)
		cJSON_AddStringToObject(io, "uid", inv->uid);
	if (inv->field_path)
		cJSON_AddStringToObject(io, "fieldPath", inv->field_path);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", message);
	cJSON_AddStringToObject(ev, "type", type);
	src = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(src, "component", component);
	if (!strcmp(component, "kubelet"))
		cJSON_AddStringToObject(src, "host", "kubesim-node-1");
	cJSON_AddStringToObject(ev, "firstTimestamp", when);
	cJSON_AddStringToObject(ev, "lastTimestamp", when);
	cJSON_AddNumberToObject(ev, "count", 1);
	cJSON_AddStringToObject(ev, "reportingComponent", component);
	cJSON_AddStringToObject(ev, "reportingInstance", "kubesim");
	if (sim_store_create(w->s, w->r_event, inv->ns, ev, 0, &out, &err) < 0)
		goto out;
	/* per-object cap */
	if (r->n == SIM_WORKLOAD_EVENTS_PER_OBJECT) {
		char *old = r->names[r->head];

		event_delete(w, inv->ns, old);
		free(old);
		r->head = (r->head + 1) % SIM_WORKLOAD_EVENTS_PER_OBJECT;
		r->n--;
	}
	r->names[(r->head + r->n) % SIM_WORKLOAD_EVENTS_PER_OBJECT] = xstrdup(name);
	r->n++;
	r->last_sig = sig;
	/* global cap */
	if (w->ev_n == w->ev_cap) {
		evname *old = &w->events[w->ev_head];

		event_delete(w, old->ns, old->name);
		free(old->ns);
		free(old->name);
		w->ev_head = (w->ev_head + 1) % w->ev_cap;
		w->ev_n--;
	}
	w->events[(w->ev_head + w->ev_n) % w->ev_cap] = (evname){xstrdup(inv->ns), xstrdup(name)};
	w->ev_n++;
out:
	if (out)
		sim_obj_unref(out);
	cJSON_Delete(ev);
}

static involved pod_inv(pod *p, const char *container)
{
	static __thread char path[300];

	if (container)
		snprintf(path, sizeof(path), "spec.containers{%s}", container);
	return (involved){"Pod", "v1", p->ns, p->name, p->uid, container ? path : NULL, &p->ev};
}

static involved pod_inv_init(pod *p, const char *container)
{
	static __thread char path[300];

	snprintf(path, sizeof(path), "spec.initContainers{%s}", container);
	return (involved){"Pod", "v1", p->ns, p->name, p->uid, path, &p->ev};
}

static involved owner_inv(owner *o)
{
	return (involved){own_kind_name[o->kind], o->kind == OWN_JOB ? "batch/v1" : "apps/v1",
			  o->ns, o->name, o->uid, NULL, &o->ev};
}

/* ---- pod records ---- */

static void pod_link(owner *o, pod *p)
{
	p->own = o;
	p->oprev = NULL;
	p->onext = o->pods;
	if (o->pods)
		o->pods->oprev = p;
	o->pods = p;
}

static void pod_unlink(pod *p)
{
	if (!p->own)
		return;
	if (p->oprev)
		p->oprev->onext = p->onext;
	else
		p->own->pods = p->onext;
	if (p->onext)
		p->onext->oprev = p->oprev;
	p->own = NULL;
	p->onext = p->oprev = NULL;
}

static void mark_dirty(sim_workload *w, owner *o)
{
	if (!o || o->in_dirty)
		return;
	if (w->n_dirty == w->cap_dirty) {
		w->cap_dirty = w->cap_dirty ? w->cap_dirty * 2 : 256;
		w->dirty = xrealloc(w->dirty, w->cap_dirty * sizeof(*w->dirty));
	}
	w->dirty[w->n_dirty++] = o;
	o->in_dirty = 1;
}

static void ctr_release(ctr *c)
{
	free(c->name);
	free(c->image);
	for (int i = 0; i < ENV_COUNT; i++)
		free(c->env[i]);
	free(c->message);
	memset(c, 0, sizeof(*c));
}

static void stagerun_free(stagerun *r)
{
	if (!r)
		return;
	sim_build_result_release(&r->res);
	free(r);
}

static void pod_free(pod *p)
{
	for (int i = 0; i < p->n_init; i++)
		ctr_release(&p->init[i]);
	free(p->init);
	ctr_release(&p->main);
	stagerun_free(p->run);
	free(p->key);
	free(p->ns);
	free(p->name);
	free(p->uid);
	free(p->reason);
	free(p->message);
	free(p->container);
	evring_free(p->ev);
	free(p);
}

/* Forgets a pod (deleted); its owner will look again. */
static void pod_drop(sim_workload *w, pod *p)
{
	map_del(&w->pods, p->key);
	mark_dirty(w, p->own);
	pod_unlink(p);
	sim_podlog_forget(p->ns, p->name);
	pod_free(p);
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src && *src ? xstrdup(src) : NULL;
}

/* Deterministic network identity from the pod's name. */
static void pod_addr(const pod *p, char *ip, size_t isz, char *node, size_t nsz, char *host, size_t hsz)
{
	uint64_t h = mix64(fnv(p->key));
	unsigned n = (unsigned)(h % 3) + 1;

	snprintf(ip, isz, "10.%u.%u.%u", (unsigned)(h >> 8) % 256, (unsigned)(h >> 16) % 256,
		 (unsigned)(h >> 24) % 254 + 1);
	snprintf(node, nsz, "kubesim-node-%u", n);
	snprintf(host, hsz, "192.168.49.%u", n + 1);
}

/* ---- pod status ---- */

typedef struct pod_ctx {
	sim_workload *w;
	pod *p;
	int64_t now_s;
	char containers[4][128]; /* first containers' names, images (for events) */
	char images[4][256];
	int n_containers;
} pod_ctx;

static cJSON *condition(const char *type, int status, int64_t at_s, const char *reason,
			const char *message)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status ? "True" : "False");
	cJSON_AddNullToObject(c, "lastProbeTime");
	jset_time(c, "lastTransitionTime", at_s);
	if (reason)
		cJSON_AddStringToObject(c, "reason", reason);
	if (message)
		cJSON_AddStringToObject(c, "message", message);
	return c;
}

static void hexid(const char *a, const char *b, int n, char *out, size_t size)
{
	uint64_t h1 = mix64(fnv(a) ^ mix64(fnv(b) + (uint64_t)n)), h2 = mix64(h1);

	snprintf(out, size, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

static cJSON *container_status(const pod *p, const char *name, const char *image)
{
	cJSON *cs = cJSON_CreateObject(), *state, *x;
	char id[80], buf[128];
	int running = p->stage == P_RUNNING || p->stage == P_READY || p->stage == P_NOT_READY;

	cJSON_AddStringToObject(cs, "name", name);
	cJSON_AddStringToObject(cs, "image", image);
	hexid(image, "", 0, id, sizeof(id));
	snprintf(buf, sizeof(buf), "%s@sha256:%s", image, id);
	cJSON_AddStringToObject(cs, "imageID", buf);
	hexid(p->uid ? p->uid : p->key, name, p->restarts, id, sizeof(id));
	snprintf(buf, sizeof(buf), "containerd://%s", id);
	cJSON_AddStringToObject(cs, "containerID", buf);
	cJSON_AddBoolToObject(cs, "ready", p->stage == P_READY);
	cJSON_AddBoolToObject(cs, "started", running);
	cJSON_AddNumberToObject(cs, "restartCount", p->restarts);
	state = cJSON_AddObjectToObject(cs, "state");
	if (running) {
		jset_time(cJSON_AddObjectToObject(state, "running"), "startedAt", p->started_s);
	} else if (p->stage == P_CRASH) {
		x = cJSON_AddObjectToObject(state, "waiting");
		cJSON_AddStringToObject(x, "reason", "CrashLoopBackOff");
		snprintf(buf, sizeof(buf), "back-off %ds restarting failed container=%s pod=%s_%s",
			 p->backoff_s, name, p->name, p->ns);
		cJSON_AddStringToObject(x, "message", buf);
	} else {
		x = cJSON_AddObjectToObject(state, "terminated");
		cJSON_AddNumberToObject(x, "exitCode", p->stage == P_SUCCEEDED ? 0
						       : p->main.exit_code ? p->main.exit_code : 1);
		cJSON_AddStringToObject(x, "reason", p->stage == P_SUCCEEDED ? "Completed" : "Error");
		if (p->main.message)
			cJSON_AddStringToObject(x, "message", p->main.message);
		jset_time(x, "startedAt", p->started_s);
		jset_time(x, "finishedAt", p->finished_s);
		cJSON_AddStringToObject(x, "containerID", cJSON_GetObjectItemCaseSensitive(cs, "containerID")->valuestring);
	}
	x = cJSON_AddObjectToObject(cs, "lastState");
	if (p->restarts > 0 && p->term_end_s) {
		x = cJSON_AddObjectToObject(x, "terminated");
		cJSON_AddNumberToObject(x, "exitCode", 1);
		cJSON_AddStringToObject(x, "reason", p->reason ? p->reason : "Error");
		if (p->message)
			cJSON_AddStringToObject(x, "message", p->message);
		jset_time(x, "startedAt", p->term_start_s);
		jset_time(x, "finishedAt", p->term_end_s);
	}
	return cs;
}

/* A container that waits for the init containers (or an init container not started). */
static cJSON *waiting_status(const char *name, const char *image)
{
	cJSON *cs = cJSON_CreateObject();

	cJSON_AddStringToObject(cs, "name", name);
	cJSON_AddStringToObject(cs, "image", image);
	cJSON_AddStringToObject(cs, "imageID", "");
	cJSON_AddBoolToObject(cs, "ready", 0);
	cJSON_AddBoolToObject(cs, "started", 0);
	cJSON_AddNumberToObject(cs, "restartCount", 0);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(cs, "state"), "waiting"),
				"reason", "PodInitializing");
	return cs;
}

/* An init container's status, as the kubelet words it. */
static cJSON *init_status(const pod *p, const ctr *c)
{
	cJSON *cs, *state, *x;
	char id[80], buf[320];

	if (c->state == CS_WAITING)
		return waiting_status(c->name, c->image);
	cs = cJSON_CreateObject();
	cJSON_AddStringToObject(cs, "name", c->name);
	cJSON_AddStringToObject(cs, "image", c->image);
	hexid(c->image, "", 0, id, sizeof(id));
	snprintf(buf, sizeof(buf), "%s@sha256:%s", c->image, id);
	cJSON_AddStringToObject(cs, "imageID", buf);
	hexid(p->uid ? p->uid : p->key, c->name, 0, id, sizeof(id));
	snprintf(buf, sizeof(buf), "containerd://%s", id);
	cJSON_AddStringToObject(cs, "containerID", buf);
	cJSON_AddBoolToObject(cs, "ready", c->state == CS_DONE && c->exit_code == 0);
	cJSON_AddBoolToObject(cs, "started", c->state == CS_RUNNING);
	cJSON_AddNumberToObject(cs, "restartCount", 0);
	state = cJSON_AddObjectToObject(cs, "state");
	if (c->state == CS_RUNNING) {
		jset_time(cJSON_AddObjectToObject(state, "running"), "startedAt", c->started_s);
	} else {
		x = cJSON_AddObjectToObject(state, "terminated");
		cJSON_AddNumberToObject(x, "exitCode", c->exit_code);
		cJSON_AddStringToObject(x, "reason", c->exit_code ? "Error" : "Completed");
		if (c->message)
			cJSON_AddStringToObject(x, "message", c->message);
		jset_time(x, "startedAt", c->started_s);
		jset_time(x, "finishedAt", c->finished_s);
		cJSON_AddStringToObject(x, "containerID", buf);
	}
	cJSON_AddObjectToObject(cs, "lastState");
	return cs;
}

/* 1 when the init containers all completed (or there are none). */
static int pod_initialized(const pod *p)
{
	return p->init_idx >= p->n_init && !p->failed_in_init;
}

/* Writes the record's state as the pod's status (mutate callback). */
static int pod_status_fn(cJSON *obj, void *vctx, sim_err *err)
{
	pod_ctx *c = vctx;
	pod *p = c->p;
	cJSON *spec = jobj(obj, "spec"), *st = cJSON_CreateObject(), *conds, *css, *ips, *ip;
	const cJSON *ct, *cts = jget(spec, "containers");
	char podip[32], node[32], host[32], when[40];
	int running = p->stage == P_RUNNING || p->stage == P_READY || p->stage == P_NOT_READY ||
		      p->stage == P_CRASH;
	int ready = p->stage == P_READY;
	const char *phase = p->stage == P_PENDING || p->stage == P_INIT ? "Pending"
			    : p->stage == P_SUCCEEDED ? "Succeeded"
			    : p->stage == P_FAILED    ? "Failed"
						      : "Running";
	strbuf unready;
	int qos_burst = 0;

	sb_init(&unready, 64);
	pod_addr(p, podip, sizeof(podip), node, sizeof(node), host, sizeof(host));
	jset_str(spec, "nodeName", node);
	cJSON_AddStringToObject(st, "phase", phase);
	conds = cJSON_AddArrayToObject(st, "conditions");
	c->n_containers = 0;
	cJSON_ArrayForEach(ct, cts) {
		const char *n = jstr(ct, "name"), *img = jstr(ct, "image");

		if (!n)
			continue;
		if (c->n_containers < 4) {
			util_strlcpy(c->containers[c->n_containers], n, sizeof(c->containers[0]));
			util_strlcpy(c->images[c->n_containers], img ? img : "", sizeof(c->images[0]));
			c->n_containers++;
		}
		sb_adds(&unready, unready.len ? " " : "");
		sb_adds(&unready, n);
		if (jget(ct, "resources") && jget(jget(ct, "resources"), "requests"))
			qos_burst = 1;
	}
	if (p->stage != P_PENDING) {
		char msg[600];
		const char *why = p->stage == P_SUCCEEDED || p->stage == P_FAILED ? "PodCompleted"
				  : p->reason && p->stage == P_NOT_READY     ? p->reason
									     : "ContainersNotReady";

		snprintf(msg, sizeof(msg), "containers with unready status: [%s]", unready.buf);
		if (p->stage == P_NOT_READY && p->message)
			util_strlcpy(msg, p->message, sizeof(msg));
		cJSON_AddItemToArray(conds, condition("PodReadyToStartContainers", 1, p->created_s, NULL, NULL));
		if (pod_initialized(p)) {
			cJSON_AddItemToArray(conds, condition("Initialized", 1,
							      p->n_init ? p->init[p->n_init - 1].finished_s
									: p->created_s, NULL, NULL));
		} else {
			strbuf inc; /* the init containers not completed: the failed one and those after */

			sb_init(&inc, 64);
			sb_adds(&inc, "containers with incomplete status: [");
			for (int i = p->init_idx; i < p->n_init; i++)
				sb_addf(&inc, "%s%s", i > p->init_idx ? " " : "", p->init[i].name);
			sb_addc(&inc, ']');
			cJSON_AddItemToArray(conds, condition("Initialized", 0, p->created_s,
							      "ContainersNotInitialized", inc.buf));
			sb_release(&inc);
		}
		cJSON_AddItemToArray(conds, condition("Ready", ready, p->cond_s, ready ? NULL : why,
						      ready || !strcmp(why, "PodCompleted") ? NULL : msg));
		cJSON_AddItemToArray(conds, condition("ContainersReady", ready, p->cond_s,
						      ready ? NULL : why,
						      ready || !strcmp(why, "PodCompleted") ? NULL : msg));
	}
	cJSON_AddItemToArray(conds, condition("PodScheduled", 1, p->created_s, NULL, NULL));
	cJSON_AddStringToObject(st, "hostIP", host);
	ips = cJSON_AddArrayToObject(st, "hostIPs");
	ip = cJSON_CreateObject();
	cJSON_AddStringToObject(ip, "ip", host);
	cJSON_AddItemToArray(ips, ip);
	if (running || p->stage == P_INIT || p->stage == P_SUCCEEDED || p->stage == P_FAILED) {
		cJSON_AddStringToObject(st, "podIP", podip);
		ips = cJSON_AddArrayToObject(st, "podIPs");
		ip = cJSON_CreateObject();
		cJSON_AddStringToObject(ip, "ip", podip);
		cJSON_AddItemToArray(ips, ip);
	}
	rfc3339(p->created_s, when, sizeof(when));
	cJSON_AddStringToObject(st, "startTime", when);
	if (p->n_init) {
		css = cJSON_AddArrayToObject(st, "initContainerStatuses");
		for (int i = 0; i < p->n_init; i++)
			cJSON_AddItemToArray(css, init_status(p, &p->init[i]));
	}
	if (p->stage != P_PENDING || p->n_init) {
		int waits = p->stage == P_PENDING || p->stage == P_INIT || !pod_initialized(p);

		css = cJSON_AddArrayToObject(st, "containerStatuses");
		cJSON_ArrayForEach(ct, cts) {
			const char *n = jstr(ct, "name"), *img = jstr(ct, "image");

			if (n)
				cJSON_AddItemToArray(css, waits ? waiting_status(n, img ? img : "")
								: container_status(p, n, img ? img : ""));
		}
	}
	cJSON_AddStringToObject(st, "qosClass", qos_burst ? "Burstable" : "BestEffort");
	jset(obj, "status", st);
	sb_release(&unready);
	return 0;
}

/* Writes p's state; 0, or -1 when the pod is gone (the record is dropped then). */
static int pod_write(sim_workload *w, pod *p, pod_ctx *c)
{
	pod_ctx local;
	sim_err err;

	if (!c)
		c = &local;
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->p = p;
	c->now_s = sim_store_now(w->s);
	if (sim_store_mutate(w->s, w->r_pod, p->ns, p->name, pod_status_fn, c, 0, NULL, &err) < 0) {
		if (err.code == 404) {
			pod_drop(w, p);
			return -1;
		}
	}
	if (c->n_containers && !p->container)
		p->container = xstrdup(c->containers[0]);
	return 0;
}

/* ---- policy ---- */

static sim_pod_verdict ask_policy(sim_workload *w, pod *p, char *reason, size_t rsize,
				  char *message, size_t msize)
{
	sim_pod_verdict v = SIM_POD_OK;
	sim_obj *o;
	cJSON *root;
	sim_err err;

	reason[0] = message[0] = '\0';
	if (p->own && p->own->kind == OWN_JOB)
		return SIM_POD_OK;
	pthread_mutex_lock(&w->policy_lock);
	if (!w->policy)
		goto out;
	o = sim_store_get(w->s, w->r_pod, p->ns, p->name, &err);
	if (!o)
		goto out;
	root = sim_obj_parse(o);
	sim_obj_unref(o);
	if (root)
		v = w->policy(w->policy_ctx, root, reason, rsize, message, msize);
	cJSON_Delete(root);
out:
	pthread_mutex_unlock(&w->policy_lock);
	return v;
}

static void first_container(pod_ctx *c, const char **name)
{
	*name = c->n_containers ? c->containers[0] : "app";
}

/* Enters CrashLoopBackOff (from running, or again after a back-off). */
static void enter_crash(sim_workload *w, pod *p, int64_t now, const char *reason, const char *message)
{
	pod_ctx c;
	const char *cname;
	involved inv;

	p->term_start_s = p->started_s;
	p->term_end_s = now / 1000;
	p->restarts++;
	p->backoff_s = p->stage == P_CRASH ? p->backoff_s * 2 : BACKOFF_FIRST_S;
	if (p->backoff_s > BACKOFF_MAX_S)
		p->backoff_s = BACKOFF_MAX_S;
	p->stage = P_CRASH;
	p->cond_s = now / 1000;
	set_str(&p->reason, *reason ? reason : "Error");
	set_str(&p->message, message);
	if (pod_write(w, p, &c) < 0)
		return;
	first_container(&c, &cname);
	inv = pod_inv(p, cname);
	emit(w, &inv, "Warning", "BackOff", "kubelet",
	     "Back-off restarting failed container %s in pod %s_%s(%s)", cname, p->name, p->ns,
	     p->uid ? p->uid : "");
	pod_schedule(w, p, now + (int64_t)p->backoff_s * 1000);
	mark_dirty(w, p->own);
}

/* Applies a verdict to a running pod; returns 1 if it changed. */
static int apply_verdict(sim_workload *w, pod *p, int64_t now, sim_pod_verdict v,
			 const char *reason, const char *message)
{
	pod_ctx c;
	const char *cname;
	involved inv;

	if (v == SIM_POD_CRASHLOOP) {
		enter_crash(w, p, now, reason, message);
		return 1;
	}
	if (v == SIM_POD_OK) {
		if (p->stage == P_READY)
			return 0;
		p->stage = P_READY;
		set_str(&p->reason, NULL);
		set_str(&p->message, NULL);
	} else {
		if (p->stage == P_NOT_READY && p->reason && !strcmp(p->reason, *reason ? reason : "ContainersNotReady"))
			return 0;
		p->stage = P_NOT_READY;
		set_str(&p->reason, *reason ? reason : "ContainersNotReady");
		set_str(&p->message, message);
	}
	p->cond_s = now / 1000;
	if (pod_write(w, p, &c) < 0)
		return 1;
	if (p->stage == P_NOT_READY) {
		first_container(&c, &cname);
		inv = pod_inv(p, cname);
		emit(w, &inv, "Warning", "Unhealthy", "kubelet", "Readiness probe failed: %s",
		     *message ? message : p->reason);
	}
	mark_dirty(w, p->own);
	return 1;
}

/* ---- init containers and build stages ---- */

static const char *const env_names[ENV_COUNT] = {"REPO", "COMMIT", "BUILD_ID", "RPO_LOCATION"};

static void ctr_from_spec(ctr *c, const cJSON *sc)
{
	const cJSON *e;

	c->name = xstrdup(jstr(sc, "name") ? jstr(sc, "name") : "");
	c->image = xstrdup(jstr(sc, "image") ? jstr(sc, "image") : "");
	cJSON_ArrayForEach(e, jget(sc, "env")) {
		const char *n = jstr(e, "name"), *v = jstr(e, "value");

		for (int i = 0; n && v && i < ENV_COUNT; i++)
			if (!strcmp(n, env_names[i]))
				set_str(&c->env[i], v);
	}
}

/* Reads the pod's init containers (and a build's main container) from its spec. */
static void pod_read_spec(pod *p, const cJSON *pspec)
{
	const cJSON *inits = jget(pspec, "initContainers"), *sc;
	const char *names[SIM_BUILD_INIT_STAGES + 1];
	int n = cJSON_IsArray(inits) ? cJSON_GetArraySize(inits) : 0;

	if (p->init || n <= 0)
		return;
	p->init = xcalloc((size_t)n, sizeof(*p->init));
	cJSON_ArrayForEach(sc, inits) {
		if (!jstr(sc, "name"))
			continue;
		ctr_from_spec(&p->init[p->n_init], sc);
		if (p->n_init <= SIM_BUILD_INIT_STAGES)
			names[p->n_init] = p->init[p->n_init].name;
		p->n_init++;
	}
	p->is_build = sim_build_is_build(names, (size_t)p->n_init);
	sc = cJSON_GetArrayItem(jget(pspec, "containers"), 0);
	if (p->is_build && sc)
		ctr_from_spec(&p->main, sc);
}

/* Runs a build stage's work now; its lines are told as its simulated time passes. */
static void stage_begin(sim_workload *w, pod *p, sim_build_stage st, ctr *c, int64_t now)
{
	sim_build_env env = {c->env[ENV_REPO], c->env[ENV_COMMIT], c->env[ENV_BUILD_ID], c->env[ENV_RPO]};
	sim_build_force force = SIM_BUILD_NORMAL;
	const owner *o = p->own;

	if (o && o->fleet_build)
		force = o->fail_stage == (int)st ? SIM_BUILD_FORCE_FAIL : SIM_BUILD_NORMAL;
	else if ((st == SIM_BUILD_SONARQUBE && sim_faults_take_build(w->faults, SIM_FAULT_QUALITY_GATE)) ||
		 (st == SIM_BUILD_COMPILE && sim_faults_take_build(w->faults, SIM_FAULT_COMPILE)))
		force = SIM_BUILD_FORCE_FAIL;
	stagerun_free(p->run);
	p->run = xcalloc(1, sizeof(*p->run));
	sim_build_run(st, &env, force, &p->run->res);
	p->run->start_ms = now;
	p->run->container = c->name;
}

/* Tells the stage's lines due by now. Returns 1 when it has run its time; else 0 with its
 * next line (or its end) scheduled. */
static int stage_tick(sim_workload *w, pod *p, int64_t now)
{
	stagerun *r = p->run;
	int64_t dur = (int64_t)r->res.duration_s * 1000, n = (int64_t)r->res.n_lines;

	while ((int64_t)r->next_line < n) {
		int64_t at = r->start_ms + dur * (int64_t)r->next_line / n;

		if (at > now)
			break;
		sim_podlog_append_at(p->ns, p->name, r->container, r->res.lines[r->next_line], at);
		r->next_line++;
	}
	if ((int64_t)r->next_line >= n && now >= r->start_ms + dur)
		return 1;
	pod_schedule(w, p, (int64_t)r->next_line < n ? r->start_ms + dur * (int64_t)r->next_line / n
						      : r->start_ms + dur);
	return 0;
}

static void emit_started(sim_workload *w, involved *inv, const char *name, const char *image)
{
	emit(w, inv, "Normal", "Pulled", "kubelet", "Container image \"%s\" already present on machine",
	     image);
	emit(w, inv, "Normal", "Created", "kubelet", "Created container %s", name);
	emit(w, inv, "Normal", "Started", "kubelet", "Started container %s", name);
}

/* Starts init container p->init_idx. */
static void init_start(sim_workload *w, pod *p, int64_t now)
{
	ctr *c = &p->init[p->init_idx];
	involved inv;

	p->stage = P_INIT;
	c->state = CS_RUNNING;
	c->started_s = now / 1000;
	if (p->is_build) {
		stage_begin(w, p, (sim_build_stage)p->init_idx, c, now);
		if (stage_tick(w, p, now))
			pod_schedule(w, p, now);
	} else {
		pod_schedule(w, p, now + INIT_RUN_MS);
	}
	if (pod_write(w, p, NULL) < 0)
		return;
	inv = pod_inv_init(p, c->name);
	emit_started(w, &inv, c->name, c->image);
	mark_dirty(w, p->own);
}

static void pod_start_main(sim_workload *w, pod *p, int64_t now);

/* A due moment of the running init container: its lines, or its end. */
static void init_due(sim_workload *w, pod *p, int64_t now)
{
	ctr *c = &p->init[p->init_idx];

	if (p->run && !stage_tick(w, p, now))
		return;
	c->state = CS_DONE;
	c->finished_s = now / 1000;
	if (p->run) {
		c->exit_code = p->run->res.exit_code;
		set_str(&c->message, p->run->res.message);
		stagerun_free(p->run);
		p->run = NULL;
	}
	if (c->exit_code) { /* restartPolicy Never: the pod fails, the later ones never start */
		p->failed_in_init = 1;
		p->stage = P_FAILED;
		p->finished_s = now / 1000;
		p->cond_s = now / 1000;
		if (pod_write(w, p, NULL) == 0)
			mark_dirty(w, p->own);
		return;
	}
	p->init_idx++;
	if (p->init_idx < p->n_init)
		init_start(w, p, now);
	else
		pod_start_main(w, p, now);
}

/* Starts the pod: its init containers first, if it has any. */
static void pod_start(sim_workload *w, pod *p, int64_t now)
{
	if (p->init_idx < p->n_init)
		init_start(w, p, now);
	else
		pod_start_main(w, p, now);
}

/* Starts the containers: -> Running (or a job pod's run). */
static void pod_start_main(sim_workload *w, pod *p, int64_t now)
{
	pod_ctx c;
	involved inv;

	p->stage = P_RUNNING;
	p->started_s = now / 1000;
	p->cond_s = now / 1000;
	if (pod_write(w, p, &c) < 0)
		return;
	for (int i = 0; i < c.n_containers; i++) {
		inv = pod_inv(p, c.containers[i]);
		emit_started(w, &inv, c.containers[i], c.images[i]);
	}
	if (p->is_build) {
		stage_begin(w, p, SIM_BUILD_FINISH, &p->main, now);
		if (stage_tick(w, p, now))
			pod_schedule(w, p, now);
	} else if (p->own && p->own->kind == OWN_JOB)
		pod_schedule(w, p, now + (int64_t)p->own->job_duration_s * 1000);
	else
		pod_schedule_physical(w, p, now, w->o.ready_delay_ms);
	mark_dirty(w, p->own);
}

static void pod_finish(sim_workload *w, pod *p, int64_t now)
{
	if (p->run) {
		if (!stage_tick(w, p, now))
			return;
		p->main.exit_code = p->run->res.exit_code;
		set_str(&p->main.message, p->run->res.message);
		stagerun_free(p->run);
		p->run = NULL;
	}
	if (p->is_build)
		p->stage = p->main.exit_code ? P_FAILED : P_SUCCEEDED;
	else
		p->stage = p->own && p->own->job_fail ? P_FAILED : P_SUCCEEDED;
	p->finished_s = now / 1000;
	p->cond_s = now / 1000;
	if (pod_write(w, p, NULL) < 0)
		return;
	mark_dirty(w, p->own);
}

/* 1 when every claim pod p mounts is Bound (or it mounts none); else 0 with the first
 * one that is not in `which`. */
static int pod_claims_bound(sim_workload *w, const pod *p, char *which, size_t size)
{
	sim_obj *po, *c;
	sim_err err;
	cJSON *root;
	const cJSON *v;
	int ok = 1;

	if (!(po = sim_store_get(w->s, w->r_pod, p->ns, p->name, &err)))
		return 1;
	root = sim_obj_parse(po);
	sim_obj_unref(po);
	cJSON_ArrayForEach(v, jget(jget(root, "spec"), "volumes")) {
		const char *claim = jstr(jget(v, "persistentVolumeClaim"), "claimName");

		if (!claim)
			continue;
		c = sim_store_get(w->s, w->r_pvc, p->ns, claim, &err);
		ok = c && strstr(c->json, "\"phase\":\"Bound\"") != NULL;
		if (c)
			sim_obj_unref(c);
		if (!ok) {
			util_strlcpy(which, claim, size);
			break;
		}
	}
	cJSON_Delete(root);
	return ok;
}

/* A due transition of pod p. */
static void pod_due(sim_workload *w, pod *p, int64_t now)
{
	char reason[128], message[512];
	sim_pod_verdict v;

	switch (p->stage) {
	case P_PENDING: {
		char claim[300];

		if (!pod_claims_bound(w, p, claim, sizeof(claim))) {
			/* as the scheduler: not placed until its claims are bound; asked again */
			involved inv = pod_inv(p, NULL);

			emit(w, &inv, "Warning", "FailedScheduling", "default-scheduler",
			     "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims "
			     "(%s). preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
			     "scheduling.", claim);
			pod_schedule_physical(w, p, now, CLAIM_RETRY_MS);
			break;
		}
		pod_start(w, p, now);
		break;
	}
	case P_INIT:
		init_due(w, p, now);
		break;
	case P_RUNNING:
		if ((p->own && p->own->kind == OWN_JOB) || p->is_build) {
			pod_finish(w, p, now);
			break;
		}
		v = ask_policy(w, p, reason, sizeof(reason), message, sizeof(message));
		apply_verdict(w, p, now, v, reason, message);
		break;
	case P_CRASH:
		v = ask_policy(w, p, reason, sizeof(reason), message, sizeof(message));
		if (v == SIM_POD_CRASHLOOP) {
			enter_crash(w, p, now, reason, message);
		} else { /* the restart works this time */
			p->restarts++;
			p->backoff_s = 0;
			p->stage = P_RUNNING;
			p->started_s = now / 1000;
			p->cond_s = now / 1000;
			if (pod_write(w, p, NULL) == 0) {
				pod_schedule_physical(w, p, now, w->o.ready_delay_ms);
				mark_dirty(w, p->own);
			}
		}
		break;
	default:
		break;
	}
}

/* Re-asks the policy about a settled pod (kick). */
static void pod_recheck(sim_workload *w, pod *p, int64_t now)
{
	char reason[128], message[512];
	sim_pod_verdict v;

	if (p->stage != P_READY && p->stage != P_NOT_READY)
		return;
	v = ask_policy(w, p, reason, sizeof(reason), message, sizeof(message));
	apply_verdict(w, p, now, v, reason, message);
}

/* ---- owners ---- */

static void owner_free(owner *o)
{
	if (o->last)
		sim_obj_unref(o->last);
	if (o->prev)
		sim_obj_unref(o->prev);
	free(o->rs);
	free(o->key);
	free(o->ns);
	free(o->name);
	free(o->uid);
	evring_free(o->ev);
	free(o);
}

static void pod_delete(sim_workload *w, pod *p, const char *why)
{
	sim_err err;
	const char *cname = p->container ? p->container : p->name;
	involved inv = pod_inv(p, cname);

	emit(w, &inv, "Normal", "Killing", "kubelet", "Stopping container %s%s", cname, why);
	sim_store_delete(w->s, w->r_pod, p->ns, p->name, 0, NULL, &err);
	pod_drop(w, p);
}

/* A new pod record from a stored pod object. */
static pod *pod_record(sim_workload *w, const sim_obj *o, const char *uid, owner *own)
{
	pod *p = xcalloc(1, sizeof(*p));

	p->key = make_key(0, o->ns, o->name);
	p->ns = xstrdup(o->ns);
	p->name = xstrdup(o->name);
	p->uid = uid ? xstrdup(uid) : NULL;
	p->seq = ++w->next_seq;
	p->ordinal = -1;
	p->created_s = o->created_s;
	p->cond_s = o->created_s;
	p->mark = w->mark;
	map_put(&w->pods, p->key, p);
	if (own)
		pod_link(own, p);
	return p;
}

static cJSON *dup_or_obj(const cJSON *x)
{
	return cJSON_IsObject(x) ? cJSON_Duplicate(x, 1) : cJSON_CreateObject();
}

/* The name of o's ReplicaSet of template hash `hash`. */
static void rs_name(const owner *o, const char *hash, char *out, size_t size)
{
	snprintf(out, size, "%s-%s", o->name, hash);
}

/* Creates one pod of owner o from its template; name NULL = generated. */
/* A StatefulSet pod mounts its claims: a volume per volumeClaimTemplates entry, claim
 * "<template>-<set>-<ordinal>" (sim/volumes.c makes them), unless the template names it. */
static void add_claim_volumes(cJSON *pspec, const cJSON *spec, const char *set, int ordinal)
{
	const cJSON *tpl, *v;
	cJSON *vols = NULL;

	cJSON_ArrayForEach(tpl, jget(spec, "volumeClaimTemplates")) {
		const char *tname = jstr(jget(tpl, "metadata"), "name");
		char claim[300];
		cJSON *vol;
		int have = 0;

		if (!tname)
			continue;
		if (!vols) {
			vols = cJSON_GetObjectItemCaseSensitive(pspec, "volumes");
			if (!cJSON_IsArray(vols)) {
				cJSON_DeleteItemFromObjectCaseSensitive(pspec, "volumes");
				vols = cJSON_AddArrayToObject(pspec, "volumes");
			}
		}
		cJSON_ArrayForEach(v, vols) have |= jstr(v, "name") && !strcmp(jstr(v, "name"), tname);
		if (have)
			continue;
		snprintf(claim, sizeof(claim), "%s-%s-%d", tname, set, ordinal);
		vol = cJSON_CreateObject();
		cJSON_AddStringToObject(vol, "name", tname);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(vol, "persistentVolumeClaim"), "claimName", claim);
		cJSON_AddItemToArray(vols, vol);
	}
}

static int owner_create_pod(sim_workload *w, owner *o, const cJSON *ownobj, const char *name,
			    int ordinal)
{
	const cJSON *spec = jget(ownobj, "spec"), *tmpl = jget(spec, "template");
	cJSON *pobj = cJSON_CreateObject(), *meta, *labels, *refs, *ref, *pspec;
	char pname[300], rnd[8], buf[320];
	sim_obj *out = NULL;
	sim_err err;
	pod *p;
	int ret = -1;

	if (name) {
		util_strlcpy(pname, name, sizeof(pname));
	} else {
		hash_name(mix64(++w->rand_state ^ fnv(o->key)), rnd, 5);
		if (o->kind == OWN_DEPLOY)
			snprintf(pname, sizeof(pname), "%s-%s-%s", o->name, o->hash, rnd);
		else
			snprintf(pname, sizeof(pname), "%s-%s", o->name, rnd);
	}
	cJSON_AddStringToObject(pobj, "apiVersion", "v1");
	cJSON_AddStringToObject(pobj, "kind", "Pod");
	meta = cJSON_AddObjectToObject(pobj, "metadata");
	cJSON_AddStringToObject(meta, "name", pname);
	cJSON_AddStringToObject(meta, "namespace", o->ns);
	labels = dup_or_obj(jget(jget(tmpl, "metadata"), "labels"));
	cJSON_AddItemToObject(meta, "labels", labels);
	if (cJSON_IsObject(jget(jget(tmpl, "metadata"), "annotations")))
		cJSON_AddItemToObject(meta, "annotations",
				      cJSON_Duplicate(jget(jget(tmpl, "metadata"), "annotations"), 1));
	if (o->kind == OWN_DEPLOY) {
		jset_str(labels, "pod-template-hash", o->hash);
		snprintf(buf, sizeof(buf), "%s-%s-", o->name, o->hash);
		cJSON_AddStringToObject(meta, "generateName", buf);
	} else if (o->kind == OWN_STS) {
		snprintf(buf, sizeof(buf), "%s-%s", o->name, o->hash);
		jset_str(labels, "controller-revision-hash", buf);
		jset_str(labels, "statefulset.kubernetes.io/pod-name", pname);
		snprintf(buf, sizeof(buf), "%d", ordinal);
		jset_str(labels, "apps.kubernetes.io/pod-index", buf);
	} else {
		jset_str(labels, "job-name", o->name);
		jset_str(labels, "batch.kubernetes.io/job-name", o->name);
		jset_str(labels, "controller-uid", o->uid);
		jset_str(labels, "batch.kubernetes.io/controller-uid", o->uid);
		snprintf(buf, sizeof(buf), "%s-", o->name);
		cJSON_AddStringToObject(meta, "generateName", buf);
	}
	refs = cJSON_AddArrayToObject(meta, "ownerReferences");
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "apiVersion", o->kind == OWN_JOB ? "batch/v1" : "apps/v1");
	if (o->kind == OWN_DEPLOY) { /* its current ReplicaSet's, as the ReplicaSet controller */
		char rsuid[40];

		rs_name(o, o->hash, buf, sizeof(buf));
		sim_rs_uid(o->uid, o->hash, rsuid);
		cJSON_AddStringToObject(ref, "kind", "ReplicaSet");
		cJSON_AddStringToObject(ref, "name", buf);
		cJSON_AddStringToObject(ref, "uid", rsuid);
	} else {
		cJSON_AddStringToObject(ref, "kind", own_kind_name[o->kind]);
		cJSON_AddStringToObject(ref, "name", o->name);
		cJSON_AddStringToObject(ref, "uid", o->uid);
	}
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	cJSON_AddItemToArray(refs, ref);
	pspec = dup_or_obj(jget(tmpl, "spec"));
	if (o->kind == OWN_STS) {
		jset_str(pspec, "hostname", pname);
		if (jstr(spec, "serviceName"))
			jset_str(pspec, "subdomain", jstr(spec, "serviceName"));
		add_claim_volumes(pspec, spec, o->name, ordinal);
	}
	if (!jget(pspec, "restartPolicy"))
		cJSON_AddStringToObject(pspec, "restartPolicy", o->kind == OWN_JOB ? "Never" : "Always");
	cJSON_AddItemToObject(pobj, "spec", pspec);
	if (sim_store_create(w->s, w->r_pod, o->ns, pobj, 0, &out, &err) < 0)
		goto out;
	{
		cJSON *root = sim_obj_parse(out);
		const char *uid = jstr(jget(root, "metadata"), "uid");

		p = pod_record(w, out, uid, o);
		cJSON_Delete(root);
	}
	pod_read_spec(p, pspec);
	p->ordinal = ordinal;
	util_strlcpy(p->hash, o->hash, sizeof(p->hash));
	p->created_s = sim_store_now(w->s);
	p->cond_s = p->created_s;
	p->stage = P_PENDING;
	if (pod_write(w, p, NULL) < 0)
		goto out;
	{
		char node[32], ip[32], host[32];
		involved inv = pod_inv(p, NULL);

		pod_addr(p, ip, sizeof(ip), node, sizeof(node), host, sizeof(host));
		emit(w, &inv, "Normal", "Scheduled", "default-scheduler",
		     "Successfully assigned %s/%s to %s", p->ns, p->name, node);
	}
	pod_schedule_physical(w, p, now_ms(w), w->o.start_delay_ms);
	ret = 0;
out:
	if (out)
		sim_obj_unref(out);
	cJSON_Delete(pobj);
	return ret;
}

static int pod_is_live(const pod *p)
{
	return p->stage != P_SUCCEEDED && p->stage != P_FAILED;
}

/* ---- a Deployment's ReplicaSets ---- */

typedef struct rs_ctx {
	int revision, desired;
	sim_rs_counts counts;
} rs_ctx;

static int rs_set_fn(cJSON *obj, void *vctx, sim_err *err)
{
	const rs_ctx *c = vctx;

	sim_rs_set(obj, c->revision, c->desired, &c->counts);
	return 0;
}

/* Writes a ReplicaSet's revision, replicas and status; -1 when it is gone. */
static int rs_write(sim_workload *w, owner *o, const rsrec *r, int desired, const sim_rs_counts *counts)
{
	rs_ctx c = {r->revision, desired, *counts};
	char name[300];
	sim_err err;

	rs_name(o, r->hash, name, sizeof(name));
	if (sim_store_mutate(w->s, w->r_rs, o->ns, name, rs_set_fn, &c, 0, NULL, &err) < 0 &&
	    err.code == 404)
		return -1;
	return 0;
}

static void rs_drop(owner *o, int i)
{
	o->rs[i] = o->rs[--o->n_rs];
}

/* Writes a new ReplicaSet of rec r from Deployment version `root` (its template). */
static void rs_create(sim_workload *w, owner *o, const rsrec *r, const cJSON *root, int desired)
{
	cJSON *rs = sim_rs_new(root, r->hash, r->revision, desired);
	sim_rs_counts zero = {0, 0};
	sim_err err;

	if (sim_store_create(w->s, w->r_rs, o->ns, rs, SIM_KEEP_UID, NULL, &err) < 0 && err.code == 409)
		rs_write(w, o, r, desired, &zero);
	cJSON_Delete(rs);
}

/* The Deployment's template (in root) has its ReplicaSet, as the deployment controller
 * does it: the one of an equal template is reused (a rollback: it gets the next
 * revision), else a new one is made with the next revision; the others go to 0 replicas;
 * beyond revisionHistoryLimit the oldest are deleted.
 * The first template's ReplicaSet is only a record until the template changes (then it is
 * written from the version before the change) or a client reads ReplicaSets
 * (sim_rs_materialize): a fleet of Deployments pays for none it does not show. */
static void rs_sync(sim_workload *w, owner *o, const cJSON *root)
{
	const cJSON *tmpl = jget(jget(root, "spec"), "template");
	uint64_t key = sim_rs_template_key(tmpl);
	rsrec *cur = NULL, *old_cur = NULL;
	int max = 0, first = o->n_rs == 0;
	sim_rs_counts zero = {0, 0};
	char name[300], old_hash[16] = "";
	sim_err err;

	for (int i = 0; i < o->n_rs; i++) {
		if (o->rs[i].revision > max) {
			max = o->rs[i].revision;
			old_cur = &o->rs[i];
		}
		if (o->rs[i].key == key)
			cur = &o->rs[i];
	}
	if (old_cur && old_cur != cur) {
		/* the template changed: the ReplicaSet it leaves is written if it was only a record */
		cJSON *prev = o->prev ? sim_obj_parse(o->prev) : NULL;

		util_strlcpy(old_hash, old_cur->hash, sizeof(old_hash));
		if (prev && rs_write(w, o, old_cur, 0, &zero) < 0)
			rs_create(w, o, old_cur, prev, 0);
		cJSON_Delete(prev);
	}
	if (cur) {
		util_strlcpy(o->hash, cur->hash, sizeof(o->hash));
		if (cur->revision != max)
			cur->revision = max + 1;
		if (rs_write(w, o, cur, o->replicas, &zero) < 0 && !first)
			rs_create(w, o, cur, root, o->replicas); /* its template is this one */
	} else {
		o->rs = xrealloc(o->rs, (size_t)(o->n_rs + 1) * sizeof(*o->rs));
		cur = &o->rs[o->n_rs++];
		util_strlcpy(cur->hash, o->hash, sizeof(cur->hash));
		cur->key = key;
		cur->revision = max + 1;
		if (!first)
			rs_create(w, o, cur, root, o->replicas);
	}
	o->revision = cur->revision;
	for (int i = 0; i < o->n_rs; i++)
		if (strcmp(o->rs[i].hash, o->hash) && strcmp(o->rs[i].hash, old_hash))
			rs_write(w, o, &o->rs[i], 0, &zero); /* 404: never written, fine */
	/* revisionHistoryLimit: the oldest old ones go */
	while (o->n_rs - 1 > o->history) {
		int oldest = -1;

		for (int i = 0; i < o->n_rs; i++)
			if (strcmp(o->rs[i].hash, o->hash) &&
			    (oldest < 0 || o->rs[i].revision < o->rs[oldest].revision))
				oldest = i;
		rs_name(o, o->rs[oldest].hash, name, sizeof(name));
		sim_store_delete(w->s, w->r_rs, o->ns, name, 0, NULL, &err);
		rs_drop(o, oldest);
	}
	if (o->prev) {
		sim_obj_unref(o->prev);
		o->prev = NULL;
	}
	o->rs_synced = 1;
}

/* The current ReplicaSet follows the Deployment's pods. */
static void rs_status(sim_workload *w, owner *o, int pods, int ready)
{
	sim_rs_counts counts = {pods, ready};

	for (int i = 0; i < o->n_rs; i++)
		if (!strcmp(o->rs[i].hash, o->hash))
			rs_write(w, o, &o->rs[i], o->replicas, &counts); /* 404: not written yet */
}

/* Brings the pods of a Deployment or StatefulSet to spec; returns -1 if a write failed. */
static int reconcile_set(sim_workload *w, owner *o)
{
	pod *p, *next, *newest;
	int n_cur = 0, ret = 0, created = 0, deleted = 0;
	sim_obj *obj = NULL;
	cJSON *root = NULL;
	sim_err err;
	involved inv = owner_inv(o);
	char rs[64];

	if (o->kind == OWN_DEPLOY && !o->rs_synced) {
		obj = sim_store_get(w->s, w->r_deploy, o->ns, o->name, &err);
		root = obj ? sim_obj_parse(obj) : NULL;
		if (!root)
			goto out;
		rs_sync(w, o, root);
	}

	/* template changed: recreate */
	for (p = o->pods; p; p = next) {
		next = p->onext;
		if (strcmp(p->hash, o->hash) ||
		    (o->kind == OWN_STS && (p->ordinal < 0 || p->ordinal >= o->replicas))) {
			pod_delete(w, p, "");
			deleted++;
		} else {
			n_cur++;
		}
	}
	/* too many: newest first */
	while (o->kind == OWN_DEPLOY && n_cur > o->replicas) {
		newest = NULL;
		for (p = o->pods; p; p = p->onext)
			if (!newest || p->seq > newest->seq)
				newest = p;
		pod_delete(w, newest, "");
		n_cur--;
		deleted++;
	}
	if (n_cur < o->replicas) {
		if (!obj)
			obj = sim_store_get(w->s, o->kind == OWN_DEPLOY ? w->r_deploy : w->r_sts, o->ns,
					    o->name, &err);
		if (!root)
			root = obj ? sim_obj_parse(obj) : NULL;
		if (!root)
			goto out;
		if (o->kind == OWN_DEPLOY) {
			for (; n_cur < o->replicas; n_cur++, created++)
				if (owner_create_pod(w, o, root, NULL, -1) < 0) {
					ret = -1;
					break;
				}
		} else {
			for (int i = 0; i < o->replicas; i++) {
				char name[300];
				int have = 0;

				for (p = o->pods; p; p = p->onext)
					have |= p->ordinal == i;
				if (have)
					continue;
				snprintf(name, sizeof(name), "%s-%d", o->name, i);
				if (owner_create_pod(w, o, root, name, i) < 0) {
					ret = -1;
					continue;
				}
				created++;
				inv = owner_inv(o);
				emit(w, &inv, "Normal", "SuccessfulCreate", "statefulset-controller",
				     "create Pod %s in StatefulSet %s successful", name, o->name);
			}
		}
	}
	snprintf(rs, sizeof(rs), "%s-%s", o->name, o->hash);
	if (o->kind == OWN_DEPLOY && (created || deleted)) {
		inv = owner_inv(o);
		if (created)
			emit(w, &inv, "Normal", "ScalingReplicaSet", "deployment-controller",
			     "Scaled up replica set %s from %d to %d", rs, n_cur - created, o->replicas);
		else
			emit(w, &inv, "Normal", "ScalingReplicaSet", "deployment-controller",
			     "Scaled down replica set %s from %d to %d", rs, n_cur + deleted, n_cur);
	} else if (o->kind == OWN_STS && deleted && !created) {
		inv = owner_inv(o);
		emit(w, &inv, "Normal", "SuccessfulDelete", "statefulset-controller",
		     "delete Pod in StatefulSet %s successful", o->name);
	}
out:
	cJSON_Delete(root);
	if (obj)
		sim_obj_unref(obj);
	return ret;
}

/* ttlSecondsAfterFinished: the finished Job (and with it its pods) deleted that long
 * after it finished, as the TTL-after-finished controller does. */
static void job_ttl(sim_workload *w, owner *o)
{
	int64_t due_ms;
	sim_err err;

	if (o->ttl_s < 0 || !o->job_state)
		return;
	due_ms = (o->job_end_s + o->ttl_s) * 1000;
	if (now_ms(w) >= due_ms) {
		sim_store_delete(w->s, w->r_job, o->ns, o->name, 0, NULL, &err); /* 404 is fine */
		return;
	}
	if (o->ttl_due_ms != due_ms) {
		heap_push(&w->due_sim, due_ms, 0, o->key, 1);
		o->ttl_due_ms = due_ms;
	}
}

static int reconcile_job(sim_workload *w, owner *o)
{
	sim_obj *obj;
	cJSON *root;
	sim_err err;
	involved inv;
	int ret, live = 0, failed = 0, succeeded = 0;

	if (o->job_state) {
		job_ttl(w, o);
		return 0;
	}
	for (pod *p = o->pods; p; p = p->onext) {
		live += pod_is_live(p);
		failed += p->stage == P_FAILED;
		succeeded += p->stage == P_SUCCEEDED;
	}
	if (live || succeeded || failed > o->backoff_limit)
		return 0;
	if (failed) { /* a new pod after the back-off: 10 s, 20 s, 40 s ... at most 6 min */
		int64_t now = now_ms(w);

		if (!o->retry_at_ms) {
			int64_t b = (int64_t)JOB_BACKOFF_FIRST_S << (failed - 1 < 6 ? failed - 1 : 6);

			o->retry_at_ms = now + (b < JOB_BACKOFF_MAX_S ? b : JOB_BACKOFF_MAX_S) * 1000;
			heap_push(&w->due_sim, o->retry_at_ms, 0, o->key, 1);
		}
		if (now < o->retry_at_ms)
			return 0;
		o->retry_at_ms = 0;
	}
	obj = sim_store_get(w->s, w->r_job, o->ns, o->name, &err);
	if (!obj)
		return 0;
	root = sim_obj_parse(obj);
	sim_obj_unref(obj);
	ret = root ? owner_create_pod(w, o, root, NULL, -1) : -1;
	cJSON_Delete(root);
	if (ret == 0) {
		if (!o->job_start_s)
			o->job_start_s = sim_store_now(w->s);
		inv = owner_inv(o);
		emit(w, &inv, "Normal", "SuccessfulCreate", "job-controller", "Created pod: %s",
		     o->pods->name);
	}
	return ret;
}

/* ---- owner status ---- */

typedef struct owner_ctx {
	sim_workload *w;
	owner *o;
	int replicas, ready, updated, active, succeeded, failed;
	int64_t now_s;
} owner_ctx;

/* Adds or updates a condition, keeping its times when nothing changed. */
static void put_condition(cJSON *conds, const cJSON *old, const char *type, int status,
			  const char *reason, const char *message, int64_t now_s, int update_time)
{
	const cJSON *c, *prev = NULL;
	cJSON *n = cJSON_CreateObject();
	const char *st = status ? "True" : "False";
	char when[40];

	cJSON_ArrayForEach(c, old)
		if (jstr(c, "type") && !strcmp(jstr(c, "type"), type))
			prev = c;
	rfc3339(now_s, when, sizeof(when));
	cJSON_AddStringToObject(n, "type", type);
	cJSON_AddStringToObject(n, "status", st);
	if (update_time) {
		int same = prev && jstr(prev, "reason") && !strcmp(jstr(prev, "reason"), reason) &&
			   jstr(prev, "message") && !strcmp(jstr(prev, "message"), message);

		cJSON_AddStringToObject(n, "lastUpdateTime",
					same && jstr(prev, "lastUpdateTime") ? jstr(prev, "lastUpdateTime") : when);
	} else {
		cJSON_AddStringToObject(n, "lastProbeTime", prev && jstr(prev, "lastProbeTime") ? jstr(prev, "lastProbeTime") : when);
	}
	cJSON_AddStringToObject(n, "lastTransitionTime",
				prev && jstr(prev, "status") && !strcmp(jstr(prev, "status"), st) &&
						jstr(prev, "lastTransitionTime")
					? jstr(prev, "lastTransitionTime")
					: when);
	cJSON_AddStringToObject(n, "reason", reason);
	cJSON_AddStringToObject(n, "message", message);
	cJSON_AddItemToArray(conds, n);
}

static int owner_status_fn(cJSON *obj, void *vctx, sim_err *err)
{
	owner_ctx *c = vctx;
	owner *o = c->o;
	cJSON *st = cJSON_CreateObject(), *conds;
	const cJSON *old = jget(jget(obj, "status"), "conditions");
	const cJSON *meta = jget(obj, "metadata");
	char rs[64], msg[256];

	snprintf(rs, sizeof(rs), "%s-%s", o->name, o->hash);
	if (o->kind != OWN_JOB)
		cJSON_AddNumberToObject(st, "observedGeneration", jnum(meta, "generation", 1));
	if (o->kind == OWN_DEPLOY && o->revision) { /* its current ReplicaSet's */
		char rev[24];
		cJSON *ann = jobj(jobj(obj, "metadata"), "annotations");

		snprintf(rev, sizeof(rev), "%d", o->revision);
		jset_str(ann, SIM_RS_REVISION, rev);
	}
	if (o->kind == OWN_DEPLOY) {
		int desired = o->replicas, min_avail = desired - desired / 4;
		int avail = c->ready >= min_avail;

		cJSON_AddNumberToObject(st, "replicas", c->replicas);
		cJSON_AddNumberToObject(st, "updatedReplicas", c->updated);
		cJSON_AddNumberToObject(st, "readyReplicas", c->ready);
		cJSON_AddNumberToObject(st, "availableReplicas", c->ready);
		if (c->replicas - c->ready > 0)
			cJSON_AddNumberToObject(st, "unavailableReplicas", c->replicas - c->ready);
		conds = cJSON_AddArrayToObject(st, "conditions");
		put_condition(conds, old, "Available", avail,
			      avail ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
			      avail ? "Deployment has minimum availability."
				    : "Deployment does not have minimum availability.",
			      c->now_s, 1);
		if (c->updated == desired && c->ready == desired && c->replicas == desired) {
			snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" has successfully progressed.", rs);
			put_condition(conds, old, "Progressing", 1, "NewReplicaSetAvailable", msg, c->now_s, 1);
		} else {
			snprintf(msg, sizeof(msg), "ReplicaSet \"%s\" is progressing.", rs);
			put_condition(conds, old, "Progressing", 1, "ReplicaSetUpdated", msg, c->now_s, 1);
		}
	} else if (o->kind == OWN_STS) {
		cJSON_AddNumberToObject(st, "replicas", c->replicas);
		cJSON_AddNumberToObject(st, "readyReplicas", c->ready);
		cJSON_AddNumberToObject(st, "currentReplicas", c->updated);
		cJSON_AddNumberToObject(st, "updatedReplicas", c->updated);
		cJSON_AddNumberToObject(st, "availableReplicas", c->ready);
		cJSON_AddStringToObject(st, "currentRevision", rs);
		cJSON_AddStringToObject(st, "updateRevision", rs);
		cJSON_AddNumberToObject(st, "collisionCount", 0);
	} else {
		if (o->job_start_s)
			jset_time(st, "startTime", o->job_start_s);
		cJSON_AddNumberToObject(st, "active", c->active);
		cJSON_AddNumberToObject(st, "ready", c->ready);
		cJSON_AddNumberToObject(st, "succeeded", c->succeeded);
		cJSON_AddNumberToObject(st, "failed", c->failed);
		if (o->job_state) {
			conds = cJSON_AddArrayToObject(st, "conditions");
			if (o->job_state == 1) {
				put_condition(conds, old, "SuccessCriteriaMet", 1, "CompletionsReached",
					      "Reached expected number of succeeded pods", c->now_s, 0);
				put_condition(conds, old, "Complete", 1, "CompletionsReached",
					      "Reached expected number of succeeded pods", c->now_s, 0);
				jset_time(st, "completionTime", o->job_end_s);
			} else {
				put_condition(conds, old, "FailureTarget", 1, "BackoffLimitExceeded",
					      "Job has reached the specified backoff limit", c->now_s, 0);
				put_condition(conds, old, "Failed", 1, "BackoffLimitExceeded",
					      "Job has reached the specified backoff limit", c->now_s, 0);
			}
		}
	}
	jset(obj, "status", st);
	return 0;
}

static const sim_resource *owner_res(sim_workload *w, const owner *o)
{
	return o->kind == OWN_DEPLOY ? w->r_deploy : o->kind == OWN_STS ? w->r_sts : w->r_job;
}

static struct status_sig status_sig_of(const owner *o, const owner_ctx *c)
{
	struct status_sig g;

	memset(&g, 0, sizeof(g)); /* (compared whole, padding too) */
	g.replicas = c->replicas;
	g.ready = c->ready;
	g.updated = c->updated;
	g.active = c->active;
	g.succeeded = c->succeeded;
	g.failed = c->failed;
	g.desired = o->replicas;
	g.revision = o->revision;
	g.job_state = o->job_state;
	g.job_start_s = o->job_start_s;
	g.job_end_s = o->job_end_s;
	memcpy(g.hash, o->hash, sizeof(g.hash));
	return g;
}

/* 1 when the status owner_status_fn would write is the one written last and
 * nothing has written the object since: the write would change nothing. Each
 * write parses, copies and compares the object under the store's lock; status
 * writes were a fifth of a settled 5,000-tenant fleet's CPU, a third of them
 * changing nothing. */
static int status_unchanged(sim_workload *w, const owner *o, const owner_ctx *c)
{
	struct status_sig now = status_sig_of(o, c);
	sim_obj *cur;
	sim_err err;
	int same;

	if (!o->written_rv || memcmp(&now, &o->written, sizeof(now)))
		return 0;
	if (!(cur = sim_store_get(w->s, owner_res(w, o), o->ns, o->name, &err)))
		return 0;
	same = cur->rv == o->written_rv;
	sim_obj_unref(cur);
	return same;
}

static void owner_status(sim_workload *w, owner *o)
{
	owner_ctx c = {.w = w, .o = o, .now_s = sim_store_now(w->s)};
	sim_err err;

	for (pod *p = o->pods; p; p = p->onext) {
		c.replicas++;
		c.ready += p->stage == P_READY;
		c.updated += !strcmp(p->hash, o->hash);
		c.active += pod_is_live(p);
		c.succeeded += p->stage == P_SUCCEEDED;
		c.failed += p->stage == P_FAILED;
	}
	if (o->kind == OWN_JOB && !o->job_state && (c.succeeded || c.failed > o->backoff_limit)) {
		involved inv = owner_inv(o);

		o->job_state = c.succeeded ? 1 : 2;
		o->job_end_s = c.now_s;
		if (o->job_state == 1)
			emit(w, &inv, "Normal", "Completed", "job-controller", "Job completed");
		else
			emit(w, &inv, "Warning", "BackoffLimitExceeded", "job-controller",
			     "Job has reached the specified backoff limit");
	}
	if (!status_unchanged(w, o, &c)) {
		sim_obj *out = NULL;

		o->written_rv = 0;
		if (sim_store_mutate(w->s, owner_res(w, o), o->ns, o->name, owner_status_fn, &c, 0, &out,
				     &err) == 0 && out) {
			o->written = status_sig_of(o, &c);
			o->written_rv = out->rv;
		}
		if (out)
			sim_obj_unref(out);
	}
	if (o->kind == OWN_JOB)
		job_ttl(w, o);
	if (o->kind == OWN_DEPLOY && o->rs_synced)
		rs_status(w, o, c.updated, c.ready);
}

static void reconcile(sim_workload *w, owner *o)
{
	int ret = o->kind == OWN_JOB ? reconcile_job(w, o) : reconcile_set(w, o);

	if (ret < 0 && !o->retry_due) {
		o->retry_due = 1;
		heap_push(&w->due_sim, now_ms(w) + RETRY_MS, 0, o->key, 1);
	}
	owner_status(w, o);
}

static void process_dirty(sim_workload *w)
{
	/* reconciling may dirty more owners (not itself: in_dirty is still set) */
	for (size_t i = 0; i < w->n_dirty; i++) {
		owner *o = w->dirty[i];

		if (o->gone) {
			owner_free(o);
			continue;
		}
		reconcile(w, o);
		o->in_dirty = 0;
	}
	w->n_dirty = 0;
}

/* ---- watch handlers ---- */

static void owner_forget(sim_workload *w, owner *o)
{
	/* garbage collection: the owner's pods (and ReplicaSets) go with it */
	while (o->pods)
		pod_delete(w, o->pods, "");
	for (int i = 0; i < o->n_rs; i++) {
		char name[300];
		sim_err err;

		rs_name(o, o->rs[i].hash, name, sizeof(name));
		sim_store_delete(w->s, w->r_rs, o->ns, name, 0, NULL, &err); /* 404 is fine */
	}
	o->n_rs = 0;
	map_del(&w->owners, o->key);
	o->gone = 1;
	if (o->in_dirty)
		return;
	mark_dirty(w, o);
}

static const char *annotation(const cJSON *root, const char *key)
{
	return jstr(jget(jget(root, "metadata"), "annotations"), key);
}

/* 1: obj is the owner o has seen, at the generation it has seen: its spec (the
 * template, replicas, history) is what o holds, since the store raises the
 * generation on any change of spec. Read without parsing the whole object, for
 * the status writes that are most of an owner's watch events. */
static int same_spec(const owner *o, const sim_obj *obj)
{
	static const char *const keep[] = {"metadata.uid", "metadata.generation", NULL};
	sim_jpick pk;
	const cJSON *meta, *gen;
	const char *uid;
	int same;

	if (sim_jpick_read(obj->json, keep, &pk))
		return 0;
	meta = jget(pk.tree, "metadata");
	gen = jget(meta, "generation");
	uid = jstr(meta, "uid");
	same = uid && cJSON_IsNumber(gen) && !strcmp(uid, o->uid) &&
	       (int64_t)gen->valuedouble == o->generation;
	cJSON_Delete(pk.tree);
	return same;
}

static void on_owner(sim_workload *w, int kind, sim_event_type type, const sim_obj *obj)
{
	char *key = make_key(own_tag[kind], obj->ns, obj->name);
	owner *o = map_get(&w->owners, key);
	cJSON *root = NULL;
	const cJSON *meta, *spec;
	const char *uid;
	char hash[16];
	int replicas;
	int64_t gen;

	if (type == SIM_DELETED) {
		if (o)
			owner_forget(w, o);
		goto out;
	}
	if (o && kind != OWN_JOB && o->replicas != -2 && same_spec(o, obj)) {
		/* its status or metadata written (ours, mostly): nothing we read moved.
		 * Not in a relist (replicas -2: unseen), which reads each one whole. */
		o->gone = 0;
		if (kind == OWN_DEPLOY) {
			if (o->last)
				sim_obj_unref(o->last);
			o->last = sim_obj_ref((sim_obj *)obj);
		}
		goto out;
	}
	root = sim_obj_parse(obj);
	if (!root)
		goto out;
	meta = jget(root, "metadata");
	spec = jget(root, "spec");
	uid = jstr(meta, "uid");
	if (!uid)
		goto out;
	if (o && strcmp(o->uid, uid)) { /* deleted and created again */
		owner_forget(w, o);
		o = NULL;
	}
	template_hash(jget(spec, "template"), hash);
	replicas = kind == OWN_JOB ? 1 : (int)jnum(spec, "replicas", 1);
	gen = (int64_t)jnum(meta, "generation", 1);
	if (!o) {
		const cJSON *st = jget(root, "status"), *c;
		const char *d = annotation(root, "kubesim.io/duration-seconds");
		const char *oc = annotation(root, "kubesim.io/outcome");

		o = xcalloc(1, sizeof(*o));
		o->kind = kind;
		o->key = xstrdup(key);
		o->ns = xstrdup(obj->ns);
		o->name = xstrdup(obj->name);
		o->uid = xstrdup(uid);
		o->job_duration_s = d ? atoi(d) : 5;
		if (o->job_duration_s < 0)
			o->job_duration_s = 0;
		o->job_fail = oc && !strcmp(oc, "failed");
		cJSON_ArrayForEach(c, jget(st, "conditions")) {
			const char *t = jstr(c, "type"), *s = jstr(c, "status");

			if (t && s && !strcmp(s, "True") && !strcmp(t, "Complete"))
				o->job_state = 1;
			if (t && s && !strcmp(s, "True") && !strcmp(t, "Failed"))
				o->job_state = 2;
		}
		if (jstr(st, "startTime"))
			o->job_start_s = util_parse_rfc3339(jstr(st, "startTime"));
		if (o->job_state) { /* finished before we looked: when, for its TTL */
			const char *t = jstr(st, "completionTime");

			cJSON_ArrayForEach(c, jget(st, "conditions"))
				if (!t && jstr(c, "type") && !strcmp(jstr(c, "type"), "Failed"))
					t = jstr(c, "lastTransitionTime");
			o->job_end_s = t ? util_parse_rfc3339(t) : sim_store_now(w->s);
		}
		map_put(&w->owners, key, o);
		o->replicas = -1;
		o->ttl_s = -1;
	}
	o->gone = 0;
	if (kind == OWN_JOB) {
		const cJSON *ttl = jget(spec, "ttlSecondsAfterFinished");
		const char *fs = annotation(root, "kubesim.io/fail-stage");
		int ttl_s = cJSON_IsNumber(ttl) && ttl->valuedouble >= 0 ? (int)ttl->valuedouble : -1;

		o->backoff_limit = (int)jnum(spec, "backoffLimit", 6);
		if (o->backoff_limit < 0)
			o->backoff_limit = 0;
		o->fleet_build = fs != NULL;
		o->fail_stage = -1;
		for (int st = 0; fs && st < SIM_BUILD_STAGES; st++)
			if (!strcmp(fs, sim_build_stage_name((sim_build_stage)st)))
				o->fail_stage = st;
		if (ttl_s != o->ttl_s) {
			o->ttl_s = ttl_s;
			mark_dirty(w, o);
		}
	}
	if (kind == OWN_DEPLOY)
		o->history = (int)jnum(spec, "revisionHistoryLimit", 10);
	if (kind == OWN_DEPLOY) { /* the version before a template change makes the old ReplicaSet */
		if (o->raw_hash[0] && strcmp(o->raw_hash, hash) && o->last) {
			if (o->prev)
				sim_obj_unref(o->prev);
			o->prev = o->last;
			o->last = NULL;
		}
		if (o->last)
			sim_obj_unref(o->last);
		o->last = sim_obj_ref((sim_obj *)obj);
	}
	if (strcmp(o->raw_hash, hash)) { /* a new template (a Deployment: maybe an old one) */
		util_strlcpy(o->raw_hash, hash, sizeof(o->raw_hash));
		util_strlcpy(o->hash, hash, sizeof(o->hash));
		o->rs_synced = 0;
		mark_dirty(w, o);
	}
	if (o->replicas != replicas || o->generation != gen) {
		o->replicas = replicas < 0 ? 0 : replicas;
		o->generation = gen;
		mark_dirty(w, o);
	}
out:
	cJSON_Delete(root);
	free(key);
}

/* The stage a pod we did not create is in, from its status. */
static void pod_adopt_state(sim_workload *w, pod *p, const cJSON *root)
{
	const cJSON *st = jget(root, "status"), *c, *cs = jget(st, "containerStatuses");
	const char *phase = jstr(st, "phase");
	int64_t now = now_ms(w);

	cJSON_ArrayForEach(c, cs) {
		const cJSON *run = jget(jget(c, "state"), "running");

		p->restarts = (int)jnum(c, "restartCount", 0);
		if (jstr(run, "startedAt"))
			p->started_s = util_parse_rfc3339(jstr(run, "startedAt"));
	}
	if (!phase || !strcmp(phase, "Pending") || !cJSON_GetArraySize(cs)) {
		/* not started yet, or its init containers ran: they run again from the first */
		p->stage = P_PENDING;
		if (pod_write(w, p, NULL) == 0)
			pod_schedule_physical(w, p, now, w->o.start_delay_ms);
		return;
	}
	for (int i = 0; i < p->n_init; i++) { /* past its init containers */
		p->init[i].state = CS_DONE;
		p->init[i].started_s = p->init[i].finished_s = p->created_s;
	}
	p->init_idx = p->n_init;
	if (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")) {
		p->stage = !strcmp(phase, "Succeeded") ? P_SUCCEEDED : P_FAILED;
		return;
	}
	p->stage = P_RUNNING;
	cJSON_ArrayForEach(c, jget(st, "conditions"))
		if (jstr(c, "type") && !strcmp(jstr(c, "type"), "Ready") && jstr(c, "status") &&
		    !strcmp(jstr(c, "status"), "True"))
			p->stage = P_READY;
	if (p->stage == P_RUNNING)
		pod_schedule_physical(w, p, now, w->o.ready_delay_ms);
}

static void on_pod(sim_workload *w, sim_event_type type, const sim_obj *obj)
{
	char *key = make_key(0, obj->ns, obj->name);
	pod *p = map_get(&w->pods, key);
	cJSON *root = NULL;
	const cJSON *meta, *ref;
	const char *uid;
	owner *own = NULL;

	if (p && type != SIM_DELETED) {
		p->mark = w->mark;
		if (p->uid) { /* fast path: our own write */
			free(key);
			return;
		}
	}
	root = sim_obj_parse(obj);
	if (!root)
		goto out;
	meta = jget(root, "metadata");
	uid = jstr(meta, "uid");
	if (p && uid && p->uid && strcmp(p->uid, uid)) {
		if (type == SIM_DELETED) /* an older pod of the same name */
			goto out;
		pod_drop(w, p);
		p = NULL;
	}
	if (type == SIM_DELETED) {
		if (p)
			pod_drop(w, p);
		else
			sim_podlog_forget(obj->ns, obj->name);
		goto out;
	}
	if (p) {
		set_str(&p->uid, uid);
		goto out;
	}
	cJSON_ArrayForEach(ref, jget(meta, "ownerReferences")) {
		const char *kind = jstr(ref, "kind"), *name = jstr(ref, "name"), *ruid = jstr(ref, "uid");

		if (!cJSON_IsTrue(jget(ref, "controller")) || !kind || !name || !ruid)
			continue;
		if (!strcmp(kind, "ReplicaSet")) { /* a Deployment's pod: <deployment>-<hash> */
			const char *h = sim_obj_label(obj, "pod-template-hash");
			size_t nl = strlen(name), hl = h ? strlen(h) : 0;

			if (h && hl && nl > hl + 1 && name[nl - hl - 1] == '-' && !strcmp(name + nl - hl, h)) {
				char dname[300], rsuid[40], *okey;
				owner *o;

				snprintf(dname, sizeof(dname), "%.*s", (int)(nl - hl - 1), name);
				okey = make_key(own_tag[OWN_DEPLOY], obj->ns, dname);
				o = map_get(&w->owners, okey);
				free(okey);
				if (o) {
					sim_rs_uid(o->uid, h, rsuid);
					if (!strcmp(rsuid, ruid))
						own = o;
				}
			}
			continue;
		}
		for (int k = 0; k < OWN_COUNT; k++) {
			if (strcmp(kind, own_kind_name[k]))
				continue;
			{
				char *okey = make_key(own_tag[k], obj->ns, name);
				owner *o = map_get(&w->owners, okey);

				if (o && !strcmp(o->uid, ruid))
					own = o;
				free(okey);
			}
		}
	}
	p = pod_record(w, obj, uid, own);
	pod_read_spec(p, jget(root, "spec"));
	{
		const char *h = own && own->kind == OWN_DEPLOY ? sim_obj_label(obj, "pod-template-hash")
				: own && own->kind == OWN_STS ? sim_obj_label(obj, "controller-revision-hash")
							      : NULL;

		if (own && own->kind == OWN_STS && h && strlen(h) > strlen(own->name) + 1)
			h += strlen(own->name) + 1;
		util_strlcpy(p->hash, h ? h : own ? own->hash : "", sizeof(p->hash));
		if (own && own->kind == OWN_STS) {
			const char *dash = strrchr(obj->name, '-');

			p->ordinal = dash ? atoi(dash + 1) : -1;
		}
	}
	pod_adopt_state(w, p, root);
	mark_dirty(w, own);
out:
	cJSON_Delete(root);
	free(key);
}

/* ---- watches and the loop ---- */

enum { W_DEPLOY, W_STS, W_JOB, W_POD, W_COUNT };

static const sim_resource *wres(sim_workload *w, int i)
{
	const sim_resource *r[W_COUNT] = {w->r_deploy, w->r_sts, w->r_job, w->r_pod};

	return r[i];
}

static sim_watch **wslot(sim_workload *w, int i)
{
	sim_watch **s[W_COUNT] = {&w->w_deploy, &w->w_sts, &w->w_job, &w->w_pod};

	return s[i];
}

static void dispatch(sim_workload *w, int i, sim_event_type type, const sim_obj *obj)
{
	switch (i) {
	case W_DEPLOY:
		on_owner(w, OWN_DEPLOY, type, obj);
		break;
	case W_STS:
		on_owner(w, OWN_STS, type, obj);
		break;
	case W_JOB:
		on_owner(w, OWN_JOB, type, obj);
		break;
	default:
		on_pod(w, type, obj);
	}
}

/* Lists resource i, feeds everything as ADDED, forgets what is gone, reopens its watch. */
static int resync(sim_workload *w, int i)
{
	sim_list l;
	sim_err err;
	size_t n;
	void **vals;

	if (*wslot(w, i)) {
		sim_watch_close(*wslot(w, i));
		*wslot(w, i) = NULL;
	}
	if (sim_store_list(w->s, wres(w, i), NULL, NULL, NULL, 0, NULL, &l, &err) < 0)
		return -1;
	w->mark++;
	if (i == W_DEPLOY || i == W_STS || i == W_JOB) {
		vals = map_values(&w->owners, &n);
		for (size_t k = 0; k < n; k++) {
			owner *o = vals[k];

			if (o->kind == i - W_DEPLOY)
				o->replicas = -2; /* unseen marker */
		}
		free(vals);
	}
	for (size_t k = 0; k < l.n; k++) {
		dispatch(w, i, SIM_ADDED, l.items[k]);
		if (i == W_POD) {
			char *key = make_key(0, l.items[k]->ns, l.items[k]->name);
			pod *p = map_get(&w->pods, key);

			if (p)
				p->mark = w->mark;
			free(key);
		}
	}
	if (i == W_POD) {
		vals = map_values(&w->pods, &n);
		for (size_t k = 0; k < n; k++)
			if (((pod *)vals[k])->mark != w->mark)
				pod_drop(w, vals[k]);
		free(vals);
	} else if (i == W_DEPLOY || i == W_STS || i == W_JOB) {
		vals = map_values(&w->owners, &n);
		for (size_t k = 0; k < n; k++) {
			owner *o = vals[k];

			if (o->kind == i - W_DEPLOY && o->replicas == -2)
				owner_forget(w, o);
		}
		free(vals);
	}
	*wslot(w, i) = sim_watch_open(w->s, wres(w, i), NULL, NULL, NULL, l.rv, &err);
	sim_list_release(&l);
	return *wslot(w, i) ? 0 : -1;
}

/* Takes the pending events of watch i; waits up to wait_ms for the first. Returns how
 * many, or -1 when the store shuts down. */
static int drain(sim_workload *w, int i, int wait_ms)
{
	int n = 0;

	while (n < DRAIN_MAX) {
		sim_event ev;
		sim_err err;
		int r;

		if (!*wslot(w, i) && resync(w, i) < 0)
			return n;
		r = sim_watch_next(*wslot(w, i), n ? 0 : wait_ms, &ev, &err);
		if (r == 0)
			break;
		if (r < 0) {
			if (err.code == 410) {
				if (resync(w, i) < 0)
					return -1;
				n++;
				continue;
			}
			return -1;
		}
		dispatch(w, i, ev.type, ev.obj);
		sim_event_release(&ev);
		n++;
	}
	return n;
}

static void run_kicks(sim_workload *w)
{
	int all;
	char *nss[MAX_KICK_NS];
	int n_ns;
	size_t n;
	void **vals;
	int64_t now;

	pthread_mutex_lock(&w->kick_lock);
	all = w->kick_all;
	n_ns = w->n_kick_ns;
	memcpy(nss, w->kick_ns, sizeof(nss[0]) * (size_t)n_ns);
	w->kick_all = 0;
	w->n_kick_ns = 0;
	pthread_mutex_unlock(&w->kick_lock);
	if (!all && !n_ns)
		return;
	now = now_ms(w);
	vals = map_values(&w->pods, &n);
	for (size_t k = 0; k < n; k++) {
		pod *p = vals[k];
		int hit = all;

		for (int j = 0; !hit && j < n_ns; j++)
			hit = !strcmp(p->ns, nss[j]);
		if (hit)
			pod_recheck(w, p, now); /* may free p, and only p */
	}
	free(vals);
	for (int j = 0; j < n_ns; j++)
		free(nss[j]);
}

static void run_due(sim_workload *w)
{
	int64_t now = now_ms(w), mono = util_mono_ms();

	for (;;) {
		due d;

		if (atomic_load(&w->stop))
			break; /* a backlog of thousands of pods must not hold up a stop */
		if (w->due_sim.n && w->due_sim.v[0].at_ms <= now)
			d = heap_pop(&w->due_sim);
		else if (w->due_real.n && w->due_real.v[0].at_ms <= mono)
			d = heap_pop(&w->due_real);
		else
			break;

		if (d.is_owner) {
			owner *o = map_get(&w->owners, d.key);

			if (o) {
				o->retry_due = 0;
				mark_dirty(w, o);
			}
		} else {
			pod *p = map_get(&w->pods, d.key);

			if (p && p->token == d.token)
				pod_due(w, p, now);
		}
		free(d.key);
	}
}

static void *loop(void *arg)
{
	sim_workload *w = arg;

	sim_sched_controller_thread();
	while (!atomic_load(&w->stop)) {
		int busy = 0, r;

		for (int i = 0; i < W_COUNT; i++) {
			r = drain(w, i, 0);
			if (r < 0)
				goto out;
			busy += r;
		}
		process_dirty(w);
		run_kicks(w);
		run_due(w);
		process_dirty(w);
		if (!busy) {
			/* idle: block on the busiest watch a little */
			r = drain(w, W_POD, 10);
			if (r < 0)
				goto out;
		}
	}
out:
	return NULL;
}

/* ---- public ---- */

static void workload_free(sim_workload *w)
{
	size_t n;
	void **vals;

	for (int i = 0; i < W_COUNT; i++)
		if (*wslot(w, i))
			sim_watch_close(*wslot(w, i));
	vals = map_values(&w->pods, &n);
	for (size_t k = 0; k < n; k++)
		pod_free(vals[k]);
	free(vals);
	/* the dirty list holds owners of the map and gone ones (out of the map): the
	 * gone ones first, while the others are still there to be asked */
	for (size_t k = 0; k < w->n_dirty; k++)
		if (w->dirty[k]->gone)
			owner_free(w->dirty[k]);
	vals = map_values(&w->owners, &n);
	for (size_t k = 0; k < n; k++)
		owner_free(vals[k]);
	free(vals);
	map_release(&w->pods);
	map_release(&w->owners);
	heap_release(&w->due_sim);
	heap_release(&w->due_real);
	free(w->dirty);
	for (size_t k = 0; k < w->ev_n; k++) {
		free(w->events[(w->ev_head + k) % w->ev_cap].ns);
		free(w->events[(w->ev_head + k) % w->ev_cap].name);
	}
	free(w->events);
	for (int j = 0; j < w->n_kick_ns; j++)
		free(w->kick_ns[j]);
	pthread_mutex_destroy(&w->policy_lock);
	pthread_mutex_destroy(&w->kick_lock);
	free(w);
}

sim_workload *sim_workload_start(sim_store *s, const sim_workload_opts *o)
{
	sim_workload *w = xcalloc(1, sizeof(*w));

	w->s = s;
	if (o)
		w->o = *o;
	w->faults = w->o.faults;
	/* 0 = default, negative = no delay */
	w->o.start_delay_ms = !w->o.start_delay_ms ? 300 : w->o.start_delay_ms < 0 ? 0 : w->o.start_delay_ms;
	w->o.ready_delay_ms = !w->o.ready_delay_ms ? 300 : w->o.ready_delay_ms < 0 ? 0 : w->o.ready_delay_ms;
	if (!w->o.max_events)
		w->o.max_events = DEFAULT_MAX_EVENTS;
	w->ev_cap = w->o.max_events > 0 ? (size_t)w->o.max_events : 1;
	w->events = xcalloc(w->ev_cap, sizeof(*w->events));
	pthread_mutex_init(&w->policy_lock, NULL);
	pthread_mutex_init(&w->kick_lock, NULL);
	w->rand_state = (uint64_t)util_now_ms();
	w->r_pod = sim_resource_find("", "v1", "pods");
	w->r_event = sim_resource_find("", "v1", "events");
	w->r_deploy = sim_resource_find("apps", "v1", "deployments");
	w->r_sts = sim_resource_find("apps", "v1", "statefulsets");
	w->r_job = sim_resource_find("batch", "v1", "jobs");
	w->r_pvc = sim_resource_find("", "v1", "persistentvolumeclaims");
	w->r_rs = sim_resource_find("apps", "v1", "replicasets");
	if (!w->r_pod || !w->r_event || !w->r_deploy || !w->r_sts || !w->r_job || !w->r_pvc || !w->r_rs)
		goto fail;
	/* the first list and pass run on the thread (drain lists what it has no watch of):
	 * a store of a large fleet must not hold up whoever starts the controller */
	if (pthread_create(&w->thread, NULL, loop, w))
		goto fail;
	return w;
fail:
	workload_free(w);
	return NULL;
}

void sim_workload_set_policy(sim_workload *w, sim_pod_policy_fn fn, void *ctx)
{
	pthread_mutex_lock(&w->policy_lock);
	w->policy = fn;
	w->policy_ctx = ctx;
	pthread_mutex_unlock(&w->policy_lock);
}

void sim_workload_kick(sim_workload *w)
{
	pthread_mutex_lock(&w->kick_lock);
	w->kick_all = 1;
	pthread_mutex_unlock(&w->kick_lock);
}

void sim_workload_kick_ns(sim_workload *w, const char *ns)
{
	int i;

	pthread_mutex_lock(&w->kick_lock);
	for (i = 0; i < w->n_kick_ns; i++)
		if (!strcmp(w->kick_ns[i], ns))
			break;
	if (i == w->n_kick_ns) {
		if (w->n_kick_ns < MAX_KICK_NS)
			w->kick_ns[w->n_kick_ns++] = xstrdup(ns);
		else
			w->kick_all = 1;
	}
	pthread_mutex_unlock(&w->kick_lock);
}

void sim_workload_stop(sim_workload *w)
{
	if (!w)
		return;
	atomic_store(&w->stop, 1);
	pthread_join(w->thread, NULL);
	workload_free(w);
}
