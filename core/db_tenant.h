/* core/db_tenant.h — the checks made on a tenant's role and database before
 * the first change, so a run that would stop half-way on a conflict or a
 * missing privilege stops before it changed anything (the engine's observe and
 * access phases call this; the steps then call db_role_apply,
 * db_database_apply, db_access_apply in that order).
 *
 * Step order and what each leaves: role (password out to the caller, which
 * writes Secret db-credentials; a caller that lost it — a crash between the
 * role and the Secret — rotates it with db_role_rotate) -> database -> access.
 * Undo in reverse: database (guarded), then role.
 */
#ifndef CORE_DB_TENANT_H
#define CORE_DB_TENANT_H

#include <libpq-fe.h>

#include "core/db_database.h"
#include "core/db_error.h"
#include "core/db_role.h"
#include "core/db_spec.h"

typedef struct db_tenant_obs {
	db_role_obs role;
	db_database_obs db;
	int admin_can_create; /* the session's user may create roles and databases */
	char admin[DB_NAME_SIZE + 8];
} db_tenant_obs;

/* Observes both objects and the session user's privileges. DB_OK when an
 * apply would go ahead; DB_CONFLICT (another's role or database, or one with
 * other settings) or DB_REFUSED (the user may not create roles or databases)
 * with a sentence in err; the observation is filled in any case it could be
 * read. */
db_status db_tenant_preflight(PGconn *c, const db_spec *s, db_tenant_obs *o, db_err *err);

#endif
