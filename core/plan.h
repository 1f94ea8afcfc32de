/* core/plan.h — a provisioning plan as data: an ordered list of steps, each
 * naming one object to server-side-apply, what it waits for, and which earlier
 * steps it needs.
 *
 * Steps are kept in an order where every step comes after the steps it needs
 * (plan_add refuses anything else), so walking the array forwards applies and
 * walking it backwards undoes. A step's body is the JSON object to apply
 * (owned by the plan, a cJSON tree); the engine adds the run label before it
 * sends it. A plan is built on one thread and read-only afterwards.
 *
 * JSON shape (docs/engine.md): {"kind":"Plan","apiVersion":"smartops/v1",
 * "wizard","tcode","inputs":{...},"steps":[{"index","id","env","component",
 * "object":{"apiVersion","kind","namespace","name"},"wait","needs":[ids],
 * "diff"?,"reason"?,"body":{...}}]}
 */
#ifndef CORE_PLAN_H
#define CORE_PLAN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s/client.h"
#include "util/util.h"

#define PLAN_ID_SIZE 96
#define PLAN_MAX_NEEDS 8
#define PLAN_MAX_INPUTS 16

/* What a step waits for once made, before the steps that need it go on. */
typedef enum plan_wait {
	PLAN_WAIT_EXISTS,   /* done once the server has stored it */
	PLAN_WAIT_READY,    /* a workload: readyReplicas == spec.replicas */
	PLAN_WAIT_COMPLETE, /* a Job: succeeded (a failed Job fails the step) */
	PLAN_WAIT_BOUND,    /* a claim: status.phase Bound */
} plan_wait;

/* What a rollback does with a step's object. */
typedef enum step_rollback {
	STEP_ROLLBACK_DELETE,  /* delete what the run created, put back what it updated */
	STEP_ROLLBACK_RESTORE, /* only put back what it updated: what it created stays */
	STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED, /* kept unless the operator confirmed the
						rollback by typing the TCODE; then as DELETE */
} step_rollback;

struct step_exec;

typedef enum plan_diff {
	PLAN_DIFF_UNKNOWN,   /* not compared with the cluster */
	PLAN_DIFF_CREATE,    /* absent: will be created */
	PLAN_DIFF_UNCHANGED, /* ours, already as planned */
	PLAN_DIFF_CHANGE,    /* ours, some planned field differs */
	PLAN_DIFF_CONFLICT,  /* exists and is not ours: refused */
	PLAN_DIFF_TERMINATING, /* exists and is being deleted */
} plan_diff;

typedef struct plan_step {
	char id[PLAN_ID_SIZE]; /* unique, stable: "prod/deployments/license" */
	char env[8];	       /* "prod", "dev", or "" */
	char component[32];    /* predecessor-rule component, or "" */
	char api_version[48];  /* "apps/v1" */
	char group[48];	       /* "apps", "" for core */
	char version[16];      /* "v1" */
	char kind[32];	       /* "Deployment" */
	char plural[40];       /* "deployments" */
	char ns[64];	       /* "" for cluster-scoped */
	char name[64];
	plan_wait wait;
	size_t n_needs;
	size_t needs[PLAN_MAX_NEEDS]; /* indices of earlier steps */
	cJSON *body;		      /* owned */
	plan_diff diff;		      /* filled by plan_diff_cluster */
	char reason[160];	      /* why conflict/change, or "" */
	int replicas_not_ours;	      /* the engine's last observation: another manager
					 owns spec.replicas (plan_replicas_owned_elsewhere) */
	const struct step_exec *exec; /* its executor (core/step.h); NULL: a Kubernetes object */
	step_rollback rollback;	      /* what a rollback does with it */
	int secret;		      /* holds a secret: its body is never printed (unless
					 its executor's body_public says the body only
					 describes it) nor journalled, compared by existence
					 and owner only, made anew only when the object does
					 not exist */
} plan_step;

typedef struct plan_input {
	char key[32];
	char value[128];
} plan_input;

typedef struct plan {
	char wizard[16]; /* "namespace" */
	char tcode[8];
	size_t n_inputs;
	plan_input inputs[PLAN_MAX_INPUTS]; /* never secrets: they go to the journal */
	size_t n, cap;
	plan_step *steps;
} plan;

void plan_init(plan *p, const char *wizard, const char *tcode);
void plan_release(plan *p);
/* Records an input (replaces a key given twice). */
void plan_set_input(plan *p, const char *key, const char *value);
const char *plan_input_get(const plan *p, const char *key);
/* The same over an array of n inputs (a builder's): the value, or NULL. */
const char *plan_inputs_find(const plan_input *in, size_t n, const char *key);

/* Appends a step for body (taken over, even on failure). apiVersion, kind,
 * metadata.name and metadata.namespace are read from body; plural is given.
 * needs: ids of earlier steps, NULL-terminated (or NULL). Returns the index, or
 * -1 with err when an id is unknown, the id repeats, or the body lacks a name. */
int plan_add(plan *p, const char *env, const char *component, const char *plural, plan_wait wait,
	     cJSON *body, const char *const *needs, char *err, size_t errsz);
/* Marks step i as holding a secret, and sets its rollback policy. */
void plan_step_set_secret(plan *p, size_t i, int secret);
void plan_step_set_rollback(plan *p, size_t i, step_rollback r);
/* Appends a step run by executor x (not a Kubernetes object): its id is
 * "<env>/<x->name>/<name>", kind and name describe the object for people,
 * body (taken over) holds what the executor needs. Index or -1 with err. */
int plan_add_exec(plan *p, const struct step_exec *x, const char *env, const char *component,
		  const char *kind, const char *name, plan_wait wait, cJSON *body,
		  const char *const *needs, char *err, size_t errsz);
/* Adds a need to step i (must be an earlier step); -1 if not. */
int plan_add_need(plan *p, size_t i, size_t need);
/* Index of the step with id, or -1. */
int plan_find(const plan *p, const char *id);

/* The API path of a step's object ("/apis/apps/v1/namespaces/x/deployments/y"),
 * malloc'd. */
char *plan_step_path(const plan_step *s);

const char *plan_diff_name(plan_diff d);
const char *plan_wait_name(plan_wait w);

/* The plan as JSON (one line, newline-terminated). with_bodies: include each
 * step's body; with_diff: include "diff"/"reason". */
void plan_to_json(const plan *p, int with_bodies, int with_diff, strbuf *out);

/* 1 if every field of want is present and equal in have (maps compared by
 * key, arrays element by element with the same length). metadata is compared
 * for labels and annotations only. */
int plan_subset(const cJSON *want, const cJSON *have);
/* The same for any value, metadata included as it is; both NULL count as equal. */
int plan_json_within(const cJSON *want, const cJSON *have);

/* Ownership: the label keys the engine puts on everything it creates. */
#define PLAN_LABEL_MANAGED "app.kubernetes.io/managed-by"
#define PLAN_MANAGER "smartops"
/* "<prefix>run": the run that created the object. */
void plan_run_label(const char *prefix, char *buf, size_t size);

/* Classifies one live object (NULL: absent) against step s for tenant tcode:
 * create, unchanged, change, conflict (not ours, or another tenant's), or
 * terminating. reason gets a sentence for conflict/terminating/change. */
plan_diff plan_classify(const plan_step *s, const cJSON *live, const char *prefix,
			const char *tcode, char *reason, size_t rsize);

/* 1 if another field manager than ours owns live's spec.replicas (Hypnus
 * scaled it, as an autoscaler would): a re-apply then neither compares nor
 * sends the count, which would wake a sleeping tenant or conflict with its
 * owner; the "hypnus-replicas" annotation carries the size the next wake uses. */
int plan_replicas_owned_elsewhere(const cJSON *live);

/* Compares every step with the cluster (GET each object) and fills diff and
 * reason. Returns 0, or -1 with err when a read failed (other than 404). */
int plan_diff_cluster(plan *p, k8s_client *c, const char *prefix, k8s_err *err);

#endif
