/* core/db_info.h — what an operator is told about a tenant environment's database:
 * engine, mode, where it is, and its state, for `smartops tenant T -o json`.
 *
 * The mode comes from the namespace's annotation <prefix>db (postgres-managed,
 * postgres-container, oracle); where it is from Secret db-credentials (username,
 * host, port, database; port 5432, or 1521 for Oracle, and the database named as
 * the user when the Secret lacks them). The state:
 *   managed    a live libpq check with the tenant's own credentials (core/db_state.h)
 *   container  StatefulSet postgres: ready when all its replicas are, unreachable when
 *              not, missing when there is none
 *   oracle     handed-off (smartops does not make Oracle databases) until the
 *              namespace's <prefix>db-handoff says done (smartops db handoff-done):
 *              then ready, on the DBA's word (not checked live)
 *   unknown    the cluster could not be read, or the namespace names no database
 * Blocking (Kubernetes reads and the live check): never on a UI thread.
 */
#ifndef CORE_DB_INFO_H
#define CORE_DB_INFO_H

#include "k8s/client.h"

typedef struct db_info {
	const char *engine; /* "postgresql", "oracle", or NULL when unknown */
	const char *mode;   /* "managed", "container", "handoff", or NULL */
	char host[256];
	int port;	    /* 0 when unknown */
	char name[64];
	char user[64];
	const char *state;  /* "ready", "missing", "unreachable", "handed-off", "unknown" */
	char detail[512];
} db_info;

/* Fills out for namespace ns (prefix NULL: smart.totvs.com/). timeout_s bounds the
 * live check's connection (0: 5); below 0, no live check: a managed database's
 * state is "unknown", detail "not checked live". */
void db_info_read(k8s_client *c, const char *prefix, const char *ns, int timeout_s, db_info *out);
/* The same with the namespace's database annotation as a list of the
 * namespaces already read it (db_kind, "" for none): the namespace is not
 * asked for again (but for "oracle": its hand-off is in its other
 * annotations). NULL: as db_info_read. */
void db_info_read_listed(k8s_client *c, const char *prefix, const char *ns, const char *db_kind,
			 int timeout_s, db_info *out);

#endif
