/* core/db_container.h — a dev environment's PostgreSQL as a container: the
 * objects the database wizard plans for it, as Kubernetes bodies.
 *
 *   Secret db-credentials  username, password (generated), host postgres.<ns>.svc,
 *                          port 5432, database: the same keys as the managed one's
 *   Service postgres       headless (clusterIP None), port 5432
 *   StatefulSet postgres   one replica of the official image, its superuser and
 *                          database from the Secret, PGDATA on claim data-postgres-0
 *                          (volumeClaimTemplates, sized by the plan), ready when
 *                          pg_isready says so
 * Labels: the tenant's, component=postgres, tier=base. Pure; safe from any thread.
 */
#ifndef CORE_DB_CONTAINER_H
#define CORE_DB_CONTAINER_H

#include <cjson/cJSON.h>

#define DB_CONTAINER_NAME "postgres"
#define DB_CONTAINER_IMAGE "postgres:15"
#define DB_CONTAINER_PORT 5432

typedef struct db_container {
	const char *prefix; /* label prefix, NULL: smart.totvs.com/ */
	const char *tcode;  /* "T12345" */
	const char *env;    /* "dev" */
	const char *ns;	    /* "t12345-dev" */
	const char *name;   /* role and database: "t12345_dev" */
	const char *size;   /* the claim's size, e.g. "20Gi" */
} db_container;

/* "20Gi" for plan size s|m|l (m when NULL or empty); NULL for anything else. */
const char *db_container_size(const char *plan_size);

/* "postgres.<ns>.svc" into out. */
void db_container_host(const db_container *d, char *out, size_t size);

/* The bodies (caller owns). The Secret's carries password: it is a secret step's. */
cJSON *db_container_secret(const db_container *d, const char *password);
cJSON *db_container_service(const db_container *d);
cJSON *db_container_statefulset(const db_container *d);

#endif
