/* core/project.h — Kubernetes objects projected into compact records: only the
 * fields the fleet model uses, copied out of a cJSON tree the caller keeps
 * (list and informer callbacks hand out borrowed items; project and drop).
 *
 * Records are plain values with fixed-size, NUL-terminated arrays (longer text
 * is truncated) and no pointers: copy them, free nothing. Text is copied as the
 * cluster wrote it; escaping is the printer's job. Every record starts with
 * project_meta, the key (namespace, name) caches use.
 *
 * Each project_X() returns 0 (out filled), 1 (not ours: e.g. a namespace with
 * no tenant labels; out unspecified) or -1 (malformed: not an object, or no
 * metadata.name). Pure functions; thread-safe.
 */
#ifndef CORE_PROJECT_H
#define CORE_PROJECT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/model.h"
#include "core/rules.h"
#include "core/tcode.h"
#include "k8s/jscan.h"

#define PROJECT_KEY_SIZE 64

/* Label and annotation keys under one prefix (DESIGN §4). */
typedef struct project_keys {
	char tcode[PROJECT_KEY_SIZE], env[PROJECT_KEY_SIZE], product[PROJECT_KEY_SIZE];
	char tier[PROJECT_KEY_SIZE], component[PROJECT_KEY_SIZE], service[PROJECT_KEY_SIZE];
	char customer[PROJECT_KEY_SIZE], provider[PROJECT_KEY_SIZE], db[PROJECT_KEY_SIZE];
	char timezone[PROJECT_KEY_SIZE];
	char hypnus_state[PROJECT_KEY_SIZE], hypnus_last_activity[PROJECT_KEY_SIZE];
	char hypnus_idle_timeout[PROJECT_KEY_SIZE], hypnus_last_wake[PROJECT_KEY_SIZE];
	char hypnus_cold_start[PROJECT_KEY_SIZE];
} project_keys;

/* prefix NULL or "": TCODE_KEY_PREFIX_DEFAULT. */
void project_keys_init(project_keys *k, const char *prefix);

typedef struct project_meta {
	char ns[64];   /* "" for cluster-scoped objects */
	char name[64]; /* metadata.name */
} project_meta;

typedef enum project_tier {
	PROJECT_TIER_OTHER,
	PROJECT_TIER_BASE,
	PROJECT_TIER_PUBLIC,
	PROJECT_TIER_PROXY,
} project_tier;

/* A tenant namespace: labels tcode/env/product (or the name "t12345-prod"). */
typedef struct project_ns {
	project_meta m;
	char tcode[TCODE_SIZE];
	uint8_t env;	 /* tcode_env */
	uint8_t product; /* model_product */
	char customer[64];
	char provider[16];
	char db[24];
	char timezone[40];
} project_ns;

enum { PROJECT_DEPLOYMENT, PROJECT_STATEFULSET };

/* A Deployment or StatefulSet with a tier label. */
typedef struct project_workload {
	project_meta m;
	uint8_t kind; /* PROJECT_DEPLOYMENT or PROJECT_STATEFULSET */
	uint8_t tier; /* project_tier */
	char component[16];
	char role[16];	     /* label service (public tier), or "" */
	int32_t desired;     /* spec.replicas (1 when absent) */
	int32_t ready;	     /* status.readyReplicas */
	model_hypnus hypnus; /* present = 1 for component hypnus */
} project_workload;

/* An Ingress: the role it serves and its first host. */
typedef struct project_ingress {
	project_meta m;
	char role[16]; /* label service, else the name */
	char host[64];
} project_ingress;

/* A pod, its containers summed up. What an environment's health reads of it
 * (project_env_add_pod) comes first: a fleet of all tenants keeps only the
 * first PROJECT_POD_BRIEF bytes of each pod (304 of 392). */
typedef struct project_pod {
	project_meta m;
	uint8_t tier;
	uint8_t ready; /* condition Ready is True */
	uint8_t n_containers;
	uint8_t n_ready; /* containers ready */
	char component[16];
	int32_t restarts;	    /* sum of restartCount */
	char waiting_reason[32];    /* first container waiting, or "" */
	char terminated_reason[24]; /* state.terminated, else lastState.terminated, or "" */
	char message[96];	    /* the waiting (else terminated) message, or "" */
	/* not read by project_env_add_pod */
	char role[16];
	char phase[12];
	char node[48];
	int64_t created; /* metadata.creationTimestamp, 0 unknown */
} project_pod;

#define PROJECT_POD_BRIEF offsetof(project_pod, role)

/* A core/v1 Event. */
typedef struct project_event {
	project_meta m;
	char kind[24];	 /* involvedObject.kind */
	char object[64]; /* involvedObject.name */
	char type[12];	 /* "Normal", "Warning" */
	char reason[32];
	char message[160];
	int32_t count;
	int64_t last; /* lastTimestamp, else eventTime, else firstTimestamp */
} project_event;

int project_namespace(const project_keys *k, const cJSON *obj, project_ns *out);
/* kind: PROJECT_DEPLOYMENT or PROJECT_STATEFULSET. Objects without a tier label
 * are 1 (not ours). */
int project_workload_from(const project_keys *k, const cJSON *obj, int kind, project_workload *out);
/* The same from a row of a server-side Table of Deployments or StatefulSets, as
 * kubectl asks for them (includeObject=Metadata): cells[1] is READY "ready/desired",
 * the row's object carries the labels and annotations. A fraction of the bytes. */
int project_workload_from_row(const project_keys *k, const cJSON *row, int kind,
			      project_workload *out);
/* The same from the row's text, as jscan_page finds it in the page: walked once,
 * no tree built (core/project_row.c). PROJECT_BUILD where the text holds what
 * the walk leaves to the built path (escapes, duplicate members, fractions, other
 * shapes): build the row with project_keep_workload and project it. Otherwise
 * what project_workload_from_row gives for the built row. */
#define PROJECT_BUILD 2
int project_workload_row_text(const project_keys *k, const char *p, const char *end, int kind,
			      project_workload *out);
int project_ingress_from(const project_keys *k, const cJSON *obj, project_ingress *out);
int project_pod_from(const project_keys *k, const cJSON *obj, project_pod *out);
/* The same from the pod's text, as jscan_page finds it in a page: walked once
 * (core/project_pod_text.c). PROJECT_BUILD where the walk leaves the pod to the
 * built path (jscan_build with project_keep_pod, then project_pod_from), as
 * project_workload_row_text does; otherwise what that gives. */
int project_pod_text(const project_keys *k, const char *p, const char *end, project_pod *out);
int project_event_from(const cJSON *obj, project_event *out);

/* A workload's replicas as an environment adds them up (project_env_add_workload). */
static inline int32_t project_env_count(int32_t n)
{
	return n > 999 ? 999 : n;
}
/* A count as the records keep it: 0 for negatives and NaN, at most 10^9. */
int32_t project_clamp32(double d);
/* A tier label's value: project_tier. */
uint8_t project_tier_parse(const char *s);

/* The members each projection above reads, for k8s_list_opts.keep: a list of
 * such objects then parses only these (project_keep_workload also covers Table
 * rows). Projecting the kept members gives the same record as the whole object. */
extern const jscan_keep project_keep_namespace[];
extern const jscan_keep project_keep_workload[];
extern const jscan_keep project_keep_ingress[];
extern const jscan_keep project_keep_pod[];
extern const jscan_keep project_keep_event[];

/* The rules in a predecessor-rules ConfigMap (data.rules). 0, or -1 with a
 * sentence in err (missing key, or the parser's message). */
int project_rules(const cJSON *configmap, rules *out, char *err, size_t errsz);

/* Adds a projected workload to an environment: base tier into e->base,
 * public into e->pub (by role), hypnus into e->hypnus; others are ignored.
 * Returns 0, or -1 when the environment's table is full. */
int project_env_add_workload(model_env *e, const project_workload *w);
/* Sets the host of the public service of ing->role (if there is one). */
void project_env_add_ingress(model_env *e, const project_ingress *ing);
/* Folds a base pod into the base component of the same name: the worst
 * restarts, and the reasons of a pod that is not ready. */
void project_env_add_pod(model_env *e, const project_pod *p);

#endif
