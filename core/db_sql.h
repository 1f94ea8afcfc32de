/* core/db_sql.h — quoting and running statements on a libpq connection.
 *
 * Identifiers and literals are quoted by libpq (PQescapeIdentifier,
 * PQescapeLiteral) for the connection's encoding; values that are data go as
 * parameters ($1) instead, never into the text. A failed statement fills a
 * db_err from its SQLSTATE: the outcome (db_sqlstate_status), a sentence, and
 * the server's own message quoted. A connection found broken afterwards is
 * DB_UNREACHABLE whatever the SQLSTATE. `what` names the step in messages: it
 * must never hold a secret (statements are never copied into messages).
 * A connection is used by one thread at a time.
 */
#ifndef CORE_DB_SQL_H
#define CORE_DB_SQL_H

#include <libpq-fe.h>

#include "core/db_error.h"

/* The identifier quoted ("t12345_prod", "a""b"); malloc'd, free() it. NULL
 * with err filled when libpq refuses it (e.g. invalid in the encoding). */
char *db_sql_ident(PGconn *c, const char *name, db_err *err);
/* The literal quoted ('it''s'); malloc'd, free() it; NULL as above. */
char *db_sql_literal(PGconn *c, const char *s, db_err *err);

/* Runs sql with n text parameters. Returns the result (PQclear it) when the
 * command succeeded, else NULL with err filled. */
PGresult *db_sql_run(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
		     db_err *err);
/* Runs a command without parameters; DB_OK or the failure (err filled). */
db_status db_sql_exec(PGconn *c, const char *what, const char *sql, db_err *err);

#endif
