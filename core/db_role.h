/* core/db_role.h — a tenant's PostgreSQL role, as observe / apply / undo /
 * verify for an engine step (admin session; one thread per connection).
 *
 * Existence and the tenant's mark are read from pg_roles and
 * pg_shdescription, never from error text. Apply creates a missing role with
 * LOGIN, the spec's connection limit and a password that reaches the server
 * only as a SCRAM-SHA-256 verifier (PQencryptPasswordConn), with the mark, in
 * one transaction; it leaves a role of the tenant's as it is (above all its
 * password: DbAccess would lose its database), and refuses one that is not
 * the tenant's.
 */
#ifndef CORE_DB_ROLE_H
#define CORE_DB_ROLE_H

#include <libpq-fe.h>

#include "core/db_error.h"
#include "core/db_password.h"
#include "core/db_spec.h"
#include "util/util.h"

typedef struct db_role_obs {
	int exists;
	int ours;	      /* carries the tenant's mark */
	int can_login;
	int conn_limit;	      /* -1: none */
	int superuser;
	char comment[128];    /* its catalog comment, "" for none */
	char run[48];	      /* ours: the run that made it, from the comment, or "" */
	char owns_db[DB_NAME_SIZE]; /* a database it owns, "" for none */
} db_role_obs;

db_status db_role_observe(PGconn *c, const db_spec *s, db_role_obs *o, db_err *err);

/* Missing: creates it with a fresh password, written into password (the
 * caller keeps it for the Secret and wipes it), *created = 1. The tenant's:
 * nothing, password = "", *created = 0. Another's: DB_CONFLICT. */
db_status db_role_apply(PGconn *c, const db_spec *s, char password[DB_PASSWORD_SIZE], int *created,
			db_err *err);

/* A new password for the tenant's role (rotation): a new verifier; the old
 * password stops working at once. Refused for a role that is not the tenant's. */
db_status db_role_rotate(PGconn *c, const db_spec *s, char password[DB_PASSWORD_SIZE], db_err *err);

/* Drops the tenant's role; absent is fine (*dropped = 0). Refused while it
 * owns a database, and for a role that is not the tenant's. */
db_status db_role_undo(PGconn *c, const db_spec *s, int *dropped, db_err *err);

/* Checks the role is there as the spec wants: DB_OK, or DB_REFUSED with one
 * line per difference added to problems. */
db_status db_role_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err);

#endif
