/* core/db_lock.h — one advisory lock per tenant on the PostgreSQL server,
 * besides the Lease in the cluster: two runs for one tenant (or a run and a
 * password rotation) never change its role and database at once.
 *
 * Session level: held until db_lock_release or the session ends (a lost
 * connection frees it). The key is (DB_LOCK_CLASS, the TCODE's number), so
 * every tool that knows the convention can see who holds it in pg_locks
 * (locktype advisory, classid, objid).
 */
#ifndef CORE_DB_LOCK_H
#define CORE_DB_LOCK_H

#include <libpq-fe.h>

#include "core/db_error.h"

#define DB_LOCK_CLASS 5459279 /* "SMO" */

/* Takes the tenant's lock without waiting: DB_OK; DB_BUSY when another
 * session holds it (err names its pid); DB_INVALID for a bad TCODE; else the
 * failure. */
db_status db_lock_tenant(PGconn *c, const char *tcode, db_err *err);
/* Releases it (DB_OK also when it was not held). */
db_status db_lock_release(PGconn *c, const char *tcode, db_err *err);

#endif
