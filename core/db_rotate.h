/* core/db_rotate.h — a new password for a tenant environment's managed
 * PostgreSQL role: a new SCRAM verifier on the server, Secret db-credentials
 * updated, DbAccess rolled to read it (a sleeping tenant is not woken), and
 * the old password refused from then on.
 *
 * Holds the tenant's Lease (no provisioning run at the same time) and its
 * advisory lock on the server. The password exists only in memory between
 * the server and the Secret, wiped after. If the Secret cannot be written once
 * the server took the new verifier, the outcome says so: DbAccess then cannot
 * log in until a rotation succeeds (running it again is the remedy). Audited
 * (action "rotate-password"). Blocking: not on a UI thread.
 */
#ifndef CORE_DB_ROTATE_H
#define CORE_DB_ROTATE_H

#include "core/tcode.h"
#include "k8s/client.h"

typedef enum db_rotate_status {
	DB_ROTATE_OK,
	DB_ROTATE_REFUSED,     /* nothing changed: not a managed database of ours, lock held... */
	DB_ROTATE_READONLY,    /* a read-only session: nothing changed */
	DB_ROTATE_UNREACHABLE, /* the cluster did not answer: nothing changed */
	DB_ROTATE_FAILED,      /* the server has the new password, but the rest did not complete */
} db_rotate_status;

typedef struct db_rotate_opts {
	k8s_client *client;
	const char *prefix;	 /* NULL: smart.totvs.com/ */
	const char *user;	 /* the operator (kubeconfig user), for the lease and audit */
	const char *tcode;
	tcode_env env;
	const char *conninfo;	 /* the server, or NULL: the platform's */
	int readonly;
	int wait_timeout_s;	 /* DbAccess's readiness; 0: 180 */
} db_rotate_opts;

typedef struct db_rotate_result {
	char msg[1024];	 /* what happened, for the operator (may span lines) */
	int rolled;	 /* DbAccess's template changed */
	int sleeping;	 /* the tenant is asleep: not woken */
} db_rotate_result;

db_rotate_status db_rotate_password(const db_rotate_opts *o, db_rotate_result *out);

#endif
