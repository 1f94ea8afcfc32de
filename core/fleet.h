/* core/fleet.h — the fleet model: tenants by TCODE, built from the tenant
 * namespaces, base and public workloads, Ingresses, base pods and Hypnus
 * annotations of one or more clusters, with contracts from the catalogue and
 * health (core/health.h) under each cluster's predecessor rules.
 *
 * A fleet keeps a cache of PROJECTED objects per cluster (core/project.h),
 * never cJSON trees, and publishes immutable snapshots.
 *
 * Call order: fleet_new -> fleet_load (one shot) or fleet_watch_start ...
 * fleet_watch_stop -> fleet_free. fleet_snapshot_get may be called from any
 * thread at any time; a snapshot is read-only and stays valid until its
 * fleet_snapshot_put, even after the fleet is freed.
 *
 * A cluster that does not answer (connect, TLS or timeout failure) makes its
 * tenants unknown ("data stale since ..."), the other clusters still answer.
 * In one-shot mode the tenants of a cluster never reached are not known; with
 * a cache folder (fleet_opts.cache_dir) the tenants of its last good listing
 * are shown as unknown.
 *
 * Watching with a cache folder, the last fleet seen of each cluster (a
 * snapshot, core/fleet_cache.h, saved after each full listing, at most once a
 * minute, and by fleet_watch_stop when the last one published is newer) is
 * published at once, before any list is answered: every
 * environment of it unknown and loading, its last health in
 * model_fresh.seen_state and the snapshot's time in seen_at, until the fresh
 * lists replace it.
 */
#ifndef CORE_FLEET_H
#define CORE_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "core/health.h"
#include "core/model.h"
#include "core/project.h"
#include "core/rules.h"
#include "k8s/client.h"
#include "util/cow.h"

typedef struct fleet fleet;

typedef struct fleet_cluster_cfg {
	const char *name;	 /* context name; the tenants' cluster */
	k8s_client *client;	 /* borrowed, must outlive the fleet; NULL: not usable */
	const char *catalog_url; /* NULL: no catalogue */
	const char *why;	 /* when client is NULL: why (shown as the cause) */
	const char *server;	 /* the server's URL, which keys its snapshot; NULL:
				    the client's (no snapshot without either) */
} fleet_cluster_cfg;

typedef struct fleet_opts {
	const char *prefix;    /* label/annotation prefix; NULL: "smart.totvs.com/" */
	const char *tcode;     /* only this tenant, with its pods and events; NULL: all */
	const char *cache_dir; /* where last good tenant lists are kept; NULL: none */
	int page_limit;	       /* 0: 500 */
	int tz_offset_min;     /* times in causes */
	int min_interval_ms;   /* watch: least time between snapshots; 0: 200 */
} fleet_opts;

/* What a cluster answered. */
typedef enum fleet_reach {
	FLEET_OK,
	FLEET_UNREACHABLE, /* never answered, or stopped answering */
	FLEET_FAILED,	   /* answered with errors or unreadable data */
} fleet_reach;

typedef struct fleet_cluster_state {
	char name[64];
	uint8_t reach;	      /* fleet_reach */
	uint8_t synced;	      /* a full listing arrived at least once */
	uint8_t rules_custom; /* rules from the cluster's ConfigMap (else defaults) */
	int64_t since;	      /* unreachable/failed since, unix s; 0 if fine */
	char why[256];	      /* reason when not FLEET_OK */
	char note[256];	      /* warnings: catalogue or rules problems, or "" */
	char cache_warn[320]; /* a snapshot on disk that was ignored, and why, or "" */
	int64_t snapshot_at;  /* rows from a snapshot written then (unix s); 0: fresh */
	size_t n_tenants;
} fleet_cluster_state;

typedef struct fleet_tenant {
	model_tenant t;
	health_result health;
	char provider[16];
	int32_t env[2];	  /* index into snapshot envs by tcode_env, -1: none */
	uint16_t cluster; /* index into snapshot clusters */
} fleet_tenant;

typedef struct fleet_snapshot {
	uint64_t version; /* grows with each publication */
	int64_t built;	  /* unix s */
	size_t n_clusters;
	fleet_cluster_state *clusters;
	size_t n_tenants;
	/* The tenants (by tcode, then cluster), read with fleet_tenant_at(); the
	 * environments and their health, read with fleet_env() and
	 * fleet_env_health(). A snapshot patched from the last shares with it
	 * the blocks of tenants and environments it did not build again. */
	cow_arr tenant_arr; /* fleet_tenant */
	size_t n_envs;
	cow_arr env_arr;    /* model_env */
	cow_arr health_arr; /* health_result */
	int32_t *env_tenant; /* tenant of each env */
	/* Only with fleet_opts.tcode: pods and events of the tenant's namespaces. */
	size_t n_pods;
	project_pod *pods; /* by namespace, name */
	int32_t *pod_env;  /* env of each pod */
	size_t n_events;
	project_event *events; /* by namespace, then time */
	int32_t *event_env;
	int refs; /* internal */
} fleet_snapshot;

/* Tenant i < n_tenants of s. */
static inline const fleet_tenant *fleet_tenant_at(const fleet_snapshot *s, size_t i)
{
	return (const fleet_tenant *)cow_at(&s->tenant_arr, i);
}

/* Environment i < n_envs of s, and its health. */
static inline const model_env *fleet_env(const fleet_snapshot *s, size_t i)
{
	return (const model_env *)cow_at(&s->env_arr, i);
}

static inline const health_result *fleet_env_health(const fleet_snapshot *s, size_t i)
{
	return (const health_result *)cow_at(&s->health_arr, i);
}

/* Whether environment e (< 0: none) is shown from the snapshot of an earlier
 * run, not listed yet: its health then in fresh.seen_state. */
static inline int fleet_env_from_snapshot(const fleet_snapshot *s, int32_t e)
{
	return e >= 0 && fleet_env(s, (size_t)e)->fresh.loading && fleet_env(s, (size_t)e)->fresh.seen_at > 0;
}

/* Whether the environment env (tcode_env) of t is not known yet rather than
 * absent: t's other environment came from its cluster's first listing, still
 * incomplete (the namespace may be on a page not in yet). An environment
 * missing from a snapshot of an earlier run was absent then. */
static inline int fleet_env_pending(const fleet_snapshot *s, const fleet_tenant *t, int env)
{
	int32_t o = t->env[!env];

	return t->env[env] < 0 && o >= 0 && fleet_env(s, (size_t)o)->fresh.loading &&
	       !fleet_env_from_snapshot(s, o);
}

/* Copies cfg (strings too). opts may be NULL. */
fleet *fleet_new(const fleet_cluster_cfg *clusters, size_t n, const fleet_opts *opts);
void fleet_free(fleet *f);

/* Lists every cluster once (clusters in parallel) and publishes a snapshot.
 * Returns how many clusters answered (FLEET_OK). */
int fleet_load(fleet *f);
/* The same in two steps, for a caller with work to begin between them: the
 * lists (the count fleet_load returns), then the snapshot built. */
int fleet_load_lists(fleet *f);
void fleet_load_build(fleet *f);

/* An environment the listed tables say waits: its DbAccess not ready (for
 * its database), or a public service not ready in a product that has a file
 * server. What env_deps_check reads once the snapshot is built, known before
 * it is: the reads can begin beside the build. */
typedef struct fleet_waiting {
	size_t ci; /* the cluster */
	char ns[64];
	int want_db, want_fs;
	/* db_listed: db is the namespace's database annotation as listed ("" for
	 * none), and its read need not ask for the namespace again */
	int db_listed;
	char db[24];
} fleet_waiting;
/* The first max such environments, clusters in order and namespaces as
 * listed (the order of a snapshot's environments); their count. Between
 * fleet_load_lists and fleet_load_build, on the same thread. */
size_t fleet_waiting_envs(const fleet *f, fleet_waiting *out, size_t max);

/* Keeps the cache current with informers (list, then watch, relist on 410)
 * and republishes a snapshot on change, at most every min_interval_ms; fn
 * (may be NULL) runs on the fleet's publisher thread after each one. While
 * only workloads, Ingresses and pods change, a new snapshot is the last one
 * with the environments of the changed namespaces built again (the same as
 * a whole build; the last one is not touched): cheap at 5,000 tenants. */
typedef void (*fleet_change_fn)(void *ctx);
int fleet_watch_start(fleet *f, fleet_change_fn fn, void *ctx);
void fleet_watch_stop(fleet *f);

/* The current snapshot with a reference, or NULL before the first one. */
fleet_snapshot *fleet_snapshot_get(fleet *f);
void fleet_snapshot_put(fleet_snapshot *s);

/* Builds a snapshot from projected records (the same assembly the fleet
 * uses; exposed for tests and tools). cs is the clusters[0] state;
 * cat and r may be NULL. Records are borrowed. */
struct catalog;
fleet_snapshot *fleet_snapshot_build(const fleet_cluster_state *cs, const project_ns *ns,
				     size_t n_ns, const project_workload *wl, size_t n_wl,
				     const project_ingress *ing, size_t n_ing,
				     const project_pod *pods, size_t n_pods,
				     const struct catalog *cat, const rules *r,
				     const health_opts *hopts);

/* What the envs wait for outside their workloads (core/env_deps.h): d's causes go
 * into every snapshot's health. Borrowed; set before fleet_load or the watch. */
struct env_deps;
void fleet_set_deps(fleet *f, struct env_deps *d);
/* d changed: a new snapshot (at once in one-shot mode; by the publisher when
 * watching). Any thread. */
void fleet_deps_changed(fleet *f);

#endif
