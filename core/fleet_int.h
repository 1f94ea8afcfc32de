/* core/fleet_int.h — what the files of the fleet share and nothing else
 * includes: the keyed tables of projected records, a cluster's state, the
 * fleet itself, and the functions one file of it calls in another.
 *   core/fleet.c           the fleet, the last good listing on disk, publishing
 *   core/fleet_tab.c       the keyed table
 *   core/fleet_snapshot.c  immutable snapshots built from the tables
 *   core/fleet_load.c      one-shot listing (smartops tenants)
 *   core/fleet_watch.c     informer-fed watching (the console, --watch)
 */
#ifndef CORE_FLEET_INT_H
#define CORE_FLEET_INT_H

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog.h"
#include "core/env_deps.h"
#include "core/fleet.h"
#include "core/fleet_cache.h"
#include "core/rules_fetch.h"
#include "k8s/watch.h"
#include "util/trace.h"
#include "util/util.h"

/* ---- a keyed table of projected records (each starts with project_meta) ---- */

typedef struct tab {
	size_t rsize, n, cap;
	unsigned char *recs;
	uint32_t *gen;	 /* listing generation that last saw each record */
	uint32_t *slots; /* open addressing: 0 empty, else index + 1 and a hash tag (fleet_tab.c) */
	size_t nslots;	 /* power of two */
	size_t indexed;	 /* records [0, indexed) are in slots; the rest were appended */
	uint32_t cur_gen;
} tab;

enum { K_NS, K_DEPLOY, K_STS, K_ING, K_POD, K_EVENT, K_COUNT };

extern const size_t fleet_kind_size[K_COUNT];
/* The bytes a fleet keeps of each record of a kind: of a pod, only what
 * health reads unless one tenant's pods are shown (tcode). */
size_t fleet_kind_keeps(int kind, const char *tcode);
/* The members of a listed item that its kind's projection reads. */
extern const jscan_keep *const fleet_kind_keep[K_COUNT];

/* Workloads are listed as kubectl reads them: a server-side Table of ready
 * counts with metadata (labels, Hypnus annotations), a fraction of the whole
 * objects' bytes. A server without Tables answers a plain list, which
 * projects the same. */
#define FLEET_TABLE_ACCEPT "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
#define FLEET_TABLE_QUERY "includeObject=Metadata"

typedef struct cluster cluster;

/* The last health seen of an environment, from the cache folder. */
typedef struct last_seen {
	project_meta m; /* name = namespace */
	uint8_t state;	/* health_state */
	char cause[96];
} last_seen;

/* The kinds a watch must have listed before any health is claimed. */
#define WATCH_KINDS                                                                          \
	((1u << K_NS) | (1u << K_DEPLOY) | (1u << K_STS) | (1u << K_ING) | (1u << K_POD))

typedef struct source {
	cluster *c;
	int kind;
	int append; /* under c->mu: its list began on an empty table (fleet_tab_append) */
} source;

struct cluster {
	struct fleet *f;
	size_t idx;
	char *name, *catalog_url, *cfg_why, *server;
	k8s_client *client;
	pthread_mutex_t mu;
	tab tabs[K_COUNT];
	rules rules;
	catalog cat;
	fleet_cluster_state st;
	uint32_t failing;  /* informers whose last attempt found no server */
	uint32_t answered; /* informers that listed or failed at least once */
	uint32_t listed;   /* informers whose first list is complete */
	int meta_done;	   /* rules and catalogue fetched (or given up) */
	int watching;	   /* fed by informers (not a one-shot load) */
	int cached;	   /* rows from the cache folder until the namespaces are listed */
	tab last;	   /* last_seen by namespace, from the cache folder */
	int64_t last_at;   /* when that snapshot was written (unix s), 0: none */
	int64_t saved_ms;  /* when the cache was last written (mono) */
	uint64_t saved_v;  /* the snapshot version it was written from */
	source src[K_COUNT];
	/* What changed since the last snapshot, so that the next one can be the
	 * last with only those environments built again (core/fleet_patch.c). */
	tab env_idx; /* env_key: namespace -> env index in the last full build */
	tab dirty;   /* env_key: namespaces whose workloads, ingresses or pods changed */
	int full;    /* a change a patch cannot follow: build all again */
	int rehealth; /* dependencies changed: every environment's health again */
	tab recheck;  /* env_key: namespaces whose dependencies changed: their health again */
	k8s_informer *inf[K_COUNT];
	pthread_t starter;
	int starter_running;
};

struct fleet {
	cluster *cl;
	size_t n;
	project_keys keys;
	char *tcode, *cache_dir, *prefix;
	int page_limit, tz_offset_min, min_interval_ms;

	pthread_mutex_t snap_mu;
	fleet_snapshot *snap;
	uint64_t version;
	/* one-shot: the last good listing is written by a thread of its own, while
	 * the caller goes on (tens of ms at 5,000 tenants the answer waited for) */
	int save_async, saving;
	pthread_t saver;
	struct env_deps *deps; /* borrowed: causes outside the workloads, or NULL */

	/* watch */
	pthread_t pub;
	int pub_running;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int dirty, stop;
	int trim; /* a list ended: freed pages go back to the system after the next publish */
	int64_t dirty_us; /* when dirty was last set from 0 (monotonic us) */
	int64_t full_ms;  /* when the last snapshot was built whole (monotonic) */
	fleet_change_fn fn;
	void *fn_ctx;
	atomic_int cancel;
};


/* A namespace and its environment's index in a snapshot (-1: not known). */
typedef struct env_key {
	project_meta m; /* name = namespace */
	int32_t idx;
} env_key;

typedef struct cluster_data {
	const project_ns *ns;
	size_t n_ns;
	const project_workload *wl[2];
	size_t n_wl[2];
	const project_ingress *ing;
	size_t n_ing;
	const project_pod *pods; /* each pod_size bytes apart */
	size_t n_pods, pod_size; /* sizeof(project_pod), or PROJECT_POD_BRIEF:
				    only what health reads (keep_pods is 0) */
	const project_event *ev;
	size_t n_ev;
	const catalog *cat;
	const rules *r;
	int keep_pods; /* copy pods and events into the snapshot */
	int loading;   /* the first listing is not complete: no health is known */
	const tab *last; /* last_seen (may be empty or NULL) */
	int64_t last_at; /* when last was written (unix s) */
	struct env_deps *deps; /* or NULL */
	tab *env_idx;	       /* or NULL: gets namespace -> env index (env_key) */
} cluster_data;

/* Tenant i of a snapshot being patched, to write (a block shared with the
 * last snapshot is copied first). */
static inline fleet_tenant *fleet_tenant_w(fleet_snapshot *s, size_t i)
{
	return (fleet_tenant *)cow_mut(&s->tenant_arr, i);
}

/* Environment i of a snapshot being built or patched, and its health, to
 * write (a block shared with the last snapshot is copied first). */
static inline model_env *fleet_env_w(fleet_snapshot *s, size_t i)
{
	return (model_env *)cow_mut(&s->env_arr, i);
}

static inline health_result *fleet_health_w(fleet_snapshot *s, size_t i)
{
	return (health_result *)cow_mut(&s->health_arr, i);
}

typedef struct builder {
	fleet_snapshot *s;
	size_t cap_e, cap_p, cap_ev, cap_c;
} builder;

/* Room for any projected record. */
typedef union any_rec {
	project_meta m;
	project_ns ns;
	project_workload wl;
	project_ingress ing;
	project_pod pod;
	project_event ev;
} any_rec;

#define GROW(arr, n, cap)                                                                          \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 64;                                              \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                           \
		}                                                                                  \
	} while (0)

/* core/fleet_tab.c: the keyed table of projected records (each starts with project_meta) */
void fleet_tab_init(tab *t, size_t rsize);
void fleet_tab_release(tab *t);
void fleet_tab_clear(tab *t);
void *fleet_tab_find(const tab *t, const project_meta *m);
/* The record keyed by a name alone, no namespace (a Namespace, or an env_key
 * table's namespace), or NULL. */
void *fleet_tab_find_name(const tab *t, const char *name);
void fleet_tab_put(tab *t, const void *rec);
/* Adds rec at the end without looking for its key: for a list read into a table
 * that was empty when it began, whose keys are each listed once. The records
 * appended are indexed by the next find, put, delete, sweep or reserve (a key
 * listed twice then keeps its later record, as put would have); until then,
 * reading recs[0, n) directly is all the table is used for, and a find must not
 * come from two threads at once. */
void fleet_tab_append(tab *t, const void *rec);
void fleet_tab_reserve(tab *t, size_t n);
/* The room of the next n records, as far as the table has room, made present
 * at once (util_populate): for the records a list says it will fill. */
void fleet_tab_populate(tab *t, size_t n);
void fleet_tab_del(tab *t, const project_meta *m);
void fleet_tab_sweep(tab *t);

/* core/fleet.c: the fleet, the last good listing on disk, publishing */
void __attribute__((format(printf, 3, 4))) fleet_setf(char *dst, size_t size, const char *fmt, ...);
char *fleet_dup_or_null(const char *s);
int fleet_project_any(const project_keys *keys, int kind, const cJSON *obj, void *rec);
/* A listed item of kind from its text, as fleet_project_any gives it built: a
 * Deployment's or StatefulSet's Table row (project_workload_row_text), a pod
 * (project_pod_text); PROJECT_BUILD for any other kind, or an item the walk
 * leaves to the built path. */
int fleet_project_text(const project_keys *keys, int kind, const char *p, const char *end,
		       void *rec);
/* Snapshot s written to the cache for each cluster it shows answered and
 * whole, unless written from s already or (but at_end, as the console quits)
 * within the last minute. */
void fleet_last_save_due(fleet *f, const fleet_snapshot *s, int at_end);
int fleet_last_load(const fleet *f, cluster *c);
void fleet_publish(fleet *f);
/* Waits for the last good listing being written beside the publisher (save_async). */
void fleet_saver_join(fleet *f);

/* core/fleet_snapshot.c: snapshots assembled from the tables */
void fleet_builder_init(builder *b);
/* The slabs a build of these namespaces (a cluster's K_NS table, listed whole)
 * will fill, made ahead on the calling thread (util/cow.h cow_prepare): called
 * by a lister done with the namespaces while the longer lists still come in. */
void fleet_prepare_build(const tab *ns);
/* The same in two steps, for a table others write to: what to make, read under
 * the table's lock (a sort of 10,000 pointers), then made without it. */
void fleet_prepare_count(const tab *ns, size_t *envs, size_t *tenants);
void fleet_prepare_make(size_t envs, size_t tenants);
void fleet_build_cluster(builder *b, const fleet_cluster_state *st, const cluster_data *d,
			  const health_opts *ho);
fleet_snapshot *fleet_build_finish(builder *b);

/* core/fleet_patch.c: a snapshot that is the last one with the changed
 * environments built again, or NULL when it cannot be (build it whole). Locks
 * each cluster's mu. */
fleet_snapshot *fleet_patch(fleet *f, const fleet_snapshot *old);
/* Under c->mu: the records of namespace ns changed. */
void fleet_patch_mark(cluster *c, const char *ns);
/* Under c->mu: what namespace ns's environment waits for changed (env_deps). */
void fleet_patch_recheck(cluster *c, const char *ns);
/* Under c->mu: before fleet_tab_del(t, m): marks m's namespace and that of the
 * record the delete moves into its place (the order of records matters). */
void fleet_patch_mark_del(cluster *c, const tab *t, const project_meta *m);

/* core/fleet_load.c: the one-shot listing */
void fleet_fetch_rules(cluster *c, k8s_err *err);

#endif
