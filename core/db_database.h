/* core/db_database.h — a tenant's PostgreSQL database, as observe / apply /
 * undo / verify for an engine step (admin session; one thread per connection).
 *
 * Existence, owner, encoding and collation come from pg_database; the
 * database is the tenant's when its owner is the tenant's role (db_spec.h).
 * Apply runs CREATE DATABASE outside any transaction, from template0, with the
 * spec's encoding and collation, owned by the role (which must exist: the
 * role's step comes first); a database of the tenant's that matches the spec
 * is left as it is; one of another owner, or with another encoding or
 * collation, is a conflict. Undo drops only the tenant's database, and only
 * when it holds no user tables and no one is connected, unless confirmed (the
 * operator typed the TCODE): then sessions are ended and it is dropped.
 */
#ifndef CORE_DB_DATABASE_H
#define CORE_DB_DATABASE_H

#include <libpq-fe.h>

#include "core/db_error.h"
#include "core/db_spec.h"
#include "core/pg_conn.h"
#include "util/util.h"

typedef struct db_database_obs {
	int exists;
	int ours;		 /* owned by the tenant's marked role */
	char owner[DB_NAME_SIZE + 8];
	char encoding[32];
	char collate[64];
	char ctype[64];
	int connections;	 /* sessions in it now */
	char comment[128];
	char run[48];		 /* the run named in its comment (db_spec_marked), or "" */
	int marked;		 /* its comment is the tenant's mark */
} db_database_obs;

db_status db_database_observe(PGconn *c, const db_spec *s, db_database_obs *o, db_err *err);

/* Creates it if missing (*created = 1); the tenant's as specified: nothing.
 * DB_REFUSED when the role is missing, DB_CONFLICT as above. */
db_status db_database_apply(PGconn *c, const db_spec *s, int *created, db_err *err);

/* User tables (ordinary and partitioned, outside the system schemas) in
 * database name and the sessions in it besides the one that counts them, read
 * over a session of admin's into it. */
db_status db_database_usage(const pg_conn_opts *admin, const char *name, long *tables, int *others, db_err *err);

/* Drops the tenant's database; absent is fine (*dropped = 0). Without
 * confirmed, refused (DB_REFUSED, the counts in err) while it has user tables
 * or connections; with it, DROP DATABASE ... WITH (FORCE). admin opens the
 * session into the database that counts its tables. */
db_status db_database_undo(PGconn *c, const pg_conn_opts *admin, const db_spec *s, int confirmed, int *dropped,
			   db_err *err);

/* DB_OK, or DB_REFUSED with one line per difference added to problems. */
db_status db_database_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err);

#endif
