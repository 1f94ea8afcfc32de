/* core/journal.h — the record of one provisioning run, kept in the cluster so
 * that it survives the process and other operators see it: a ConfigMap
 * "run-<id>" in namespace smartops-system, its JSON under data.journal.
 *
 * The journal holds the run id, TCODE, wizard, inputs (never secrets), the
 * operator, the run's state and, per plan step, its state and times. The
 * engine writes a step's intent (state "applying"/"deleting") before it changes
 * the cluster and the result after, so a resume knows which steps to
 * re-observe. A journal is a plain value owned by the caller
 * (journal_release); functions that talk to the cluster may run on any
 * thread.
 */
#ifndef CORE_JOURNAL_H
#define CORE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "k8s/client.h"
#include "util/util.h"

#define JOURNAL_NAMESPACE "smartops-system"
#define JOURNAL_RUN_SIZE 40
#define JOURNAL_MAX_NOTES 8
/* The most journal text a run may keep: a ConfigMap holds at most 1 MiB, and
 * the object's metadata needs room too. An update whose prior state would not
 * fit is refused before it changes anything. */
#define JOURNAL_MAX_BYTES (900u * 1024u)

typedef enum run_state {
	RUN_PLANNED,	 /* journal written, nothing changed yet */
	RUN_RUNNING,	 /* applying */
	RUN_DONE,	 /* every step done */
	RUN_FAILED,	 /* stopped on an error: resume or roll back */
	RUN_PAUSED,	 /* stopped on request: resume or roll back */
	RUN_ROLLING_BACK,
	RUN_ROLLED_BACK,
	RUN_STATE_COUNT
} run_state;

typedef enum step_state {
	STEP_PENDING,
	STEP_APPLYING,	/* intent written, result unknown */
	STEP_APPLIED,	/* the server took it */
	STEP_READY,	/* applied and its readiness check passed */
	STEP_UNCHANGED, /* already as planned, nothing written */
	STEP_FAILED,
	STEP_DELETING, /* rollback intent */
	STEP_DELETED,
	STEP_KEPT,     /* rollback left it: not created by this run, or holds others' objects */
	STEP_RESTORING, /* rollback intent: putting an update's prior values back */
	STEP_RESTORED,	/* the prior values of an update are back */
	STEP_STATE_COUNT
} step_state;

typedef struct journal_step {
	char id[PLAN_ID_SIZE];
	char path[200];	 /* the object's API path, so a rollback needs no plan */
	char kind[32];
	uint8_t state;	 /* step_state */
	uint8_t created; /* 1: this run created the object */
	char uid[48];	 /* the object's uid once applied */
	int64_t started, finished; /* unix s, 0 = not yet */
	char message[200];	   /* error or note, "" */
	cJSON *prior; /* owned, or NULL: an update's prior state (core/plan_prior.h),
			 recorded with the intent, before the object is changed */
	char exec[16];	  /* its executor's name, "" for a Kubernetes object */
	uint8_t rollback; /* step_rollback */
	uint8_t secret;	  /* the object holds a secret (nothing of it is recorded) */
} journal_step;

typedef struct journal {
	char run[JOURNAL_RUN_SIZE]; /* "t12345-20261128153012-a1b2" */
	char tcode[8];
	char wizard[16];
	char operator_id[128]; /* who started it */
	char last_operator[128]; /* who touched it last */
	uint8_t state;		 /* run_state */
	int64_t created, updated;
	/* creation to the millisecond ("createdMs"; created * 1000 in a journal written
	 * without it): orders the runs made within one second */
	int64_t created_ms;
	char message[256]; /* last error or outcome */
	size_t n_inputs;
	plan_input inputs[PLAN_MAX_INPUTS];
	size_t n_notes;
	char notes[JOURNAL_MAX_NOTES][200]; /* lease takeovers, resumes */
	size_t n_steps;
	journal_step *steps; /* owned */
} journal;

const char *run_state_name(run_state s);
const char *step_state_name(step_state s);

/* A new journal for plan p (inputs and step ids copied), state PLANNED, created at
 * now_ms (milliseconds since the epoch). */
void journal_from_plan(journal *j, const plan *p, const char *run, const char *operator_id,
		       int64_t now_ms);
void journal_release(journal *j);
/* Appends a note (the oldest is dropped when full). */
void journal_note(journal *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The step with id, or NULL. */
journal_step *journal_step_find(journal *j, const char *id);

/* A fresh run id for tcode: "<tcode lower>-<yyyymmddhhmmss>-<4 hex>". */
void journal_new_run_id(const char *tcode, int64_t now_s, char *buf, size_t size);
/* 1 if s has the shape of a run id (lower case letters, digits, '-'). */
int journal_run_id_valid(const char *s);

/* The object a journal step names, read from its path. A journal is a
 * ConfigMap anyone with write access to smartops-system can edit: nothing of
 * it is trusted before it has been checked. */
typedef struct journal_object {
	char group[48];	      /* "" for core */
	char version[16];
	char api_version[64]; /* "apps/v1", "v1" */
	char ns[64];	      /* "" for cluster-scoped objects */
	char plural[40];
	char name[64];
} journal_object;

/* Parses an API object path: /api/v1/[namespaces/NS/]PLURAL/NAME or
 * /apis/GROUP/VERSION/[namespaces/NS/]PLURAL/NAME, every segment a DNS-1123
 * name, nothing after the name. 0, or -1 with err (o zeroed). */
int journal_path_parse(const char *path, journal_object *o, char *err, size_t errsz);
/* 0 when every step's path names one object (and its executor is known);
 * -1 with err naming the first step that does not. */
int journal_check_paths(const journal *j, char *err, size_t errsz);

/* The length of j's JSON text. */
size_t journal_encoded_size(const journal *j);

/* Steps that reached an end: applied, ready, unchanged, deleted, kept or restored
 * (the "k" of a run's "k/n steps"). */
size_t journal_steps_settled(const journal *j);

/* JSON text of j (one line) appended to out. */
void journal_encode(const journal *j, strbuf *out);
/* Parses text into j (initialised here). 0, or -1 with err. */
int journal_decode(const char *text, journal *j, char *err, size_t errsz);

/* Writes j to its ConfigMap (server-side apply), creating the namespace if
 * needed. 5xx and cut connections are retried (the write is idempotent).
 * prefix is the label prefix (NULL: default). 0 or -1 with err. */
int journal_save(k8s_client *c, const journal *j, const char *prefix, k8s_err *err);
/* Reads run id. 0, -1 with err (404 when there is no such run). */
int journal_load(k8s_client *c, const char *run, journal *j, k8s_err *err);
/* Newest first: by creation to the millisecond, then by run id. */
void journal_sort_newest(journal *js, size_t n);
/* Every run (tcode NULL) or a tenant's runs, newest first; *out owned
 * (journal_release each, then free). */
int journal_list(k8s_client *c, const char *tcode, const char *prefix, journal **out, size_t *n,
		 k8s_err *err);

/* 0 when the namespace smartops-system exists or was created now. */
int journal_ensure_namespace(k8s_client *c, k8s_err *err);

#endif
