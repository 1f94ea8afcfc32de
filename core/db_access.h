/* core/db_access.h — who may connect to a tenant's database, as observe /
 * apply / verify for an engine step (admin session). PUBLIC gets no privilege
 * on it (CONNECT and TEMPORARY revoked); the tenant's role gets CONNECT
 * granted. Read from pg_database.datacl (aclexplode); nothing is issued when
 * both already hold. Undo has nothing of its own: the grants go with the
 * database.
 */
#ifndef CORE_DB_ACCESS_H
#define CORE_DB_ACCESS_H

#include <libpq-fe.h>

#include "core/db_error.h"
#include "core/db_spec.h"
#include "util/util.h"

typedef struct db_access_obs {
	int db_exists;
	int public_any;	   /* PUBLIC holds some privilege (the default ACL grants CONNECT, TEMPORARY) */
	int role_connect;  /* the role holds CONNECT in the explicit ACL */
} db_access_obs;

db_status db_access_observe(PGconn *c, const db_spec *s, db_access_obs *o, db_err *err);
/* Revokes from PUBLIC and grants to the role what is missing; *changed = 1 if
 * it issued anything. DB_REFUSED when the database does not exist. */
db_status db_access_apply(PGconn *c, const db_spec *s, int *changed, db_err *err);
/* DB_OK, or DB_REFUSED with one line per difference added to problems. */
db_status db_access_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err);

#endif
