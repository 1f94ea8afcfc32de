/* core/actions.h — every write the console or the headless commands make on a
 * tenant: wake an environment, put it to sleep, restart a service.
 *
 * This is the one gate: read-only sessions, RBAC (SelfSubjectAccessReview) and
 * sense ("already active") are decided here, and actions_run() checks again
 * itself, so no caller can reach a write without passing them. Every action run
 * is audited: a Kubernetes Event in the tenant namespace (reason SmartopsWake,
 * SmartopsSleep or SmartopsRestart, reportingComponent smartops, the user in the
 * message and in annotation <prefix>actor) and a line in the local audit log
 * ($XDG_STATE_HOME/smartops/audit.log, else ~/.local/state/smartops/audit.log).
 *
 * How each action is done:
 *  - wake:    merge patch of annotation <prefix>hypnus-state=waking (and
 *             hypnus-last-activity=now) on the Hypnus Deployment; Hypnus scales
 *             the public services up and marks the environment active when ready.
 *  - sleep:   the same with hypnus-state=sleeping; Hypnus scales them to 0.
 *  - restart: a rollout restart as kubectl does it: merge patch of
 *             spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]
 *             on the service's Deployment (or StatefulSet). One service at a time:
 *             the services that need it (predecessor rules) wait for it by
 *             themselves, so there is no "restart all".
 *
 * Threads: an actions context may be shared by any number of threads;
 * actions_check() and actions_run() block on the network (never call them on a
 * UI thread). The readonly flag is fixed at creation.
 */
#ifndef CORE_ACTIONS_H
#define CORE_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/tcode.h"
#include "k8s/client.h"

typedef enum actions_kind {
	ACTIONS_WAKE,
	ACTIONS_SLEEP,
	ACTIONS_RESTART,
	ACTIONS_ROTATE, /* a new password for the env's managed PostgreSQL role (core/db_rotate.h) */
} actions_kind;

#define ACTIONS_SERVICE_SIZE 16
#define ACTIONS_TEXT_SIZE 512

/* What the user asked for; filled by actions_request_parse(). */
typedef struct actions_request {
	actions_kind kind;
	char tcode[TCODE_SIZE];		     /* "T12345" */
	tcode_env env;
	char service[ACTIONS_SERVICE_SIZE]; /* restart: a public role or license, lockserver, dbaccess */
} actions_request;

/* What actions_check() and actions_run() answer. */
typedef enum actions_status {
	ACTIONS_OK,	     /* may be done (check) / done (run) */
	ACTIONS_NOTHING,     /* makes no sense now: nothing to do (e.g. waking an active env) */
	ACTIONS_READONLY,    /* refused: read-only session */
	ACTIONS_DENIED,	     /* refused: RBAC said no */
	ACTIONS_NOT_FOUND,   /* no such tenant namespace, Hypnus or service */
	ACTIONS_UNREACHABLE, /* the cluster did not answer */
	ACTIONS_FAILED,	     /* the cluster answered with an error */
} actions_status;

/* The object an action acts on, as found in the cluster (actions_check). */
typedef struct actions_target {
	char ns[TCODE_NS_SIZE];
	char kind[16];	  /* "Deployment" or "StatefulSet" */
	char name[64];	  /* object name, e.g. "hypnus", "dbaccess" */
	char resource[16]; /* "deployments" or "statefulsets" */
	model_hypnus_state hypnus; /* wake/sleep: the current state */
	int cold_start_s;	   /* last measured cold start, <= 0 unknown */
	int replicas;		   /* restart: spec.replicas */
	size_t n_public;
	char public_roles[MODEL_MAX_PUBLIC][ACTIONS_SERVICE_SIZE]; /* public services, sorted */
	char db[24];		   /* the namespace's db annotation ("postgres-managed"...), or "" */
} actions_target;

/* The verdict of actions_check(), also filled by actions_run(). */
typedef struct actions_outcome {
	actions_status status;
	char message[ACTIONS_TEXT_SIZE];     /* one line: why refused, what failed, or what was done */
	char description[ACTIONS_TEXT_SIZE]; /* actions_describe() of the request, "" if unknown */
	char user[128];			     /* who, as the cluster knows them */
	actions_target target;
} actions_outcome;

typedef struct actions actions;

/* Makes a context. client is borrowed and must outlive it; it may be NULL only
 * for a read-only context (every action is then refused without a request).
 * cluster names the context for messages ("kubesim-admin"); prefix NULL means
 * TCODE_KEY_PREFIX_DEFAULT. readonly can never be changed afterwards. */
actions *actions_new(k8s_client *client, const char *cluster, const char *prefix, int readonly);
void actions_free(actions *a);
int actions_readonly(const actions *a);

/* "wake", "sleep", "restart", "rotate-password"; actions_kind_parse returns 0 or -1. */
const char *actions_kind_name(actions_kind k);
int actions_kind_parse(const char *s, actions_kind *k);

/* Validates and normalises the user's words (pure). service is required for
 * restart and refused otherwise; env is required. Returns 0, or -1 with a
 * sentence in err saying what is wrong and what to do, e.g.
 * "--env is required: --env prod or --env dev". */
int actions_request_parse(actions_kind kind, const char *tcode, const char *env,
			  const char *service, actions_request *out, char *err, size_t errsz);

/* The confirmation text, in plain words, into buf (pure): what will happen, e.g.
 * "Wake T10001 prod: Hypnus will scale the public services smartclient, webapp,
 * rest from 0 and mark the environment waking; cold start about 90 s."
 * t may be NULL (the services are then not named). */
void actions_describe(const actions_request *r, const actions_target *t, char *buf,
		      size_t size);

/* May the user do it, and does it make sense now? Reads the cluster (the
 * target, and an access review cached per namespace and verb for
 * ACTIONS_REVIEW_TTL_S); a read-only context answers ACTIONS_READONLY without
 * any request. Returns out->status. */
#define ACTIONS_REVIEW_TTL_S 30
actions_status actions_check(actions *a, const actions_request *r, actions_outcome *out);

enum {
	ACTIONS_DRY_RUN = 1 << 0, /* the server validates the change, nothing is stored or audited
				     in the cluster (the local log says dry-run) */
};

/* Checks again, then does it and audits it. Returns out->status: ACTIONS_OK
 * when done; anything else means nothing was changed, except for
 * ACTIONS_ROTATE's ACTIONS_FAILED, whose message says whether anything changed
 * (a refusal: "nothing was changed"; DB_ROTATE_FAILED: what the server took and
 * what remains to do). */
actions_status actions_run(actions *a, const actions_request *r, int flags,
			   actions_outcome *out);

/* The user name actions are audited under: the SelfSubjectReview answer,
 * else the kubeconfig user, else the context name. Resolved once. */
void actions_user(actions *a, char *buf, size_t size);

/* Where the audit log is (malloc'd), or NULL when neither XDG_STATE_HOME nor
 * HOME is set. */
char *actions_audit_path(void);

/* "ok", "nothing-to-do", "read-only", "denied", "not-found", "unreachable", "failed". */
const char *actions_status_name(actions_status s);

#endif
