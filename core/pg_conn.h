/* core/pg_conn.h — a libpq connection as the PostgreSQL layer wants it.
 *
 * The conninfo (a libpq "key=value" string or a postgres:// URI) must hold no
 * password: one there is refused before any connection. The password is then
 * found the way libpq finds it (a service file, PGPASSFILE or ~/.pgpass); only
 * when libpq found none and the server asks for one is the caller's `password`
 * (e.g. read from a Secret) given, in memory, to PQconnectdbParams — never in
 * argv or the environment. TLS is what the conninfo says (sslmode, sslrootcert;
 * verify-full is libpq's own check). Every session gets statement_timeout and
 * lock_timeout, application_name "smartops", and a connect_timeout unless the
 * conninfo sets one.
 */
#ifndef CORE_PG_CONN_H
#define CORE_PG_CONN_H

#include <libpq-fe.h>

#include "core/db_error.h"

typedef struct pg_conn_opts {
	const char *conninfo;	  /* libpq string or URI, no password; NULL/"": libpq's defaults */
	const char *dbname;	  /* connect to this database instead of the conninfo's; or NULL */
	const char *password;	  /* used only if libpq found none and the server asks; or NULL */
	int statement_timeout_ms; /* 0: 30000 */
	int lock_timeout_ms;	  /* 0: 5000 */
	int connect_timeout_s;	  /* 0: 10 (the conninfo's own value wins) */
} pg_conn_opts;

/* Checks the conninfo parses and holds no password: DB_OK, or DB_INVALID
 * with a sentence in err. Makes no connection. */
db_status pg_conn_check(const char *conninfo, db_err *err);

/* Opens a session. Returns it, or NULL with err: DB_INVALID (bad conninfo),
 * DB_UNREACHABLE (no answer, or it refuses connections now), DB_ERROR (the
 * server answered and refused us: credentials, database, pg_hba). Close with
 * PQfinish. */
PGconn *pg_conn_open(const pg_conn_opts *o, db_err *err);

/* "host:port" of a session, for messages. */
void pg_conn_where(PGconn *c, char *buf, size_t size);

#endif
