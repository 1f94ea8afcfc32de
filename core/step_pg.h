/* core/step_pg.h — the PostgreSQL step executors: a tenant's role, its
 * database and who may connect to it, made on a real server through libpq
 * (core/db_*.h), one executor per kind of object:
 *
 *   pg-role      the role, and Secret db-credentials in the tenant's namespace
 *                (a step that holds a secret: the password goes there only)
 *   pg-database  the database, owned by the role (rollback: dropped only when it
 *                holds no tables and no sessions, unless the TCODE is confirmed)
 *   pg-access    CONNECT revoked from PUBLIC, granted to the role (goes with the
 *                database)
 *
 * Existence and ownership come from the catalogs; the objects a run makes carry
 * the run in their comment ("smartops tenant T12345 prod run <id>"), which is
 * how a rollback knows what its run made. The session is the executor's own
 * (step_env.conn), opened on first use with the tenant's advisory lock taken
 * (core/db_lock.h) and closed when the run ends; one lost mid-statement is
 * opened again once and the step re-observed before anything is sent again.
 *
 * The server: the conninfo in the step's body (the platform's, from ConfigMap
 * smart-platform key postgres.conninfo in smartops-system, or the operator's
 * --pg-conninfo). Its password is found by libpq (service file, PGPASSFILE,
 * ~/.pgpass); only for the platform's own conninfo is Secret
 * smart-platform-postgres (key password) used besides, in memory.
 *
 * A journal step's reference: "pg:<env>/<role|database|access>/<name> <conninfo>".
 */
#ifndef CORE_STEP_PG_H
#define CORE_STEP_PG_H

#include <libpq-fe.h>

#include "core/db_error.h"
#include "core/db_plan.h"
#include "core/db_spec.h"
#include "core/step.h"

#define STEP_PG_PLATFORM_NS "smartops-system"
#define STEP_PG_PLATFORM_CM "smart-platform"
#define STEP_PG_PLATFORM_KEY "postgres.conninfo"
#define STEP_PG_PLATFORM_SECRET "smart-platform-postgres"
#define STEP_PG_CONNINFO_MAX 160 /* what a journal reference has room for */

extern const step_exec step_pg_role, step_pg_database, step_pg_access;

/* The platform's conninfo (ConfigMap smart-platform, key postgres.conninfo),
 * trimmed, into out. 0; 1 when there is none; -1 with err (a failed read). */
int step_pg_platform_conninfo(k8s_client *c, char *out, size_t size, k8s_err *err);

/* A session to the server of conninfo, as the executors open it: the password
 * as the header says, the tenant's advisory lock taken when tcode is given.
 * NULL with err. *admin_password (may be NULL) gets the password used, if any,
 * to open more sessions (free it with db_password_wipe + free). */
PGconn *step_pg_connect(k8s_client *c, const char *conninfo, const char *tcode, char **admin_password,
			db_err *err);

/* "host:port" of a conninfo (libpq's parse; port 5432 by default) into out. 0,
 * or -1 with err (does not parse, or holds a password). */
int step_pg_server(const char *conninfo, char *host, size_t hsize, char *port, size_t psize, char *err,
		   size_t errsz);

/* The body of a step of kind st (DB_STEP_ROLE, _DATABASE, _ACCESS) for spec s
 * on the server of conninfo: what the executor needs and what the plan shows
 * (the statements, the verifier elided). ns: the tenant's namespace. */
cJSON *step_pg_body(const db_spec *s, db_step st, const char *conninfo, const char *ns);

/* A journal reference, and its parse (the journal is anyone's to edit: every
 * part checked). kind is "role", "database" or "access". */
void step_pg_ref_make(const char *kind, const char *env, const char *name, const char *conninfo,
		      char *out, size_t size);
int step_pg_ref_parse(const char *ref, char kind[16], char env[8], char name[DB_NAME_SIZE],
		      char *conninfo, size_t csize, char *err, size_t errsz);

#endif
