/* core/db_error.h — outcomes of the PostgreSQL layer and the SQLSTATE table.
 *
 * Every db_* call reports into a caller-owned db_err: a named outcome, the
 * server's SQLSTATE when there was one, and a sentence for the operator (what
 * happened, what to do). Decisions are made from catalogs and SQLSTATEs, never
 * from the server's message text; that text is only quoted in msg.
 * Pure functions; safe from any thread.
 */
#ifndef CORE_DB_ERROR_H
#define CORE_DB_ERROR_H

#include <stddef.h>

typedef enum db_status {
	DB_OK = 0,
	DB_INVALID,	/* bad input, refused before any call */
	DB_CONFLICT,	/* an object of that name exists and is not the tenant's */
	DB_REFUSED,	/* a guard said no (tables, connections, not ours); nothing changed */
	DB_BUSY,	/* a lock is held by another session */
	DB_ERROR,	/* the server refused a statement */
	DB_UNREACHABLE, /* no connection, or it was lost: run again once the server answers */
} db_status;

typedef struct db_err {
	db_status status;
	char sqlstate[6]; /* "" when the server sent none */
	char msg[768];
} db_err;

/* "ok", "invalid", "conflict", "refused", "busy", "error", "unreachable". */
const char *db_status_name(db_status s);

/* A plain sentence for a SQLSTATE (exact code first, then its class), e.g.
 * 42P04 -> "a database of that name already exists". Never NULL. */
const char *db_sqlstate_explain(const char *sqlstate);
/* The outcome a SQLSTATE means for us: connection classes (08, 57P01..57P03)
 * DB_UNREACHABLE, 42P04/42710 DB_CONFLICT, 55006 DB_REFUSED, 55P03 DB_BUSY,
 * others DB_ERROR. */
db_status db_sqlstate_status(const char *sqlstate);

/* Fills err (status, no SQLSTATE, formatted msg) and returns status. */
db_status db_fail(db_err *err, db_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void db_err_clear(db_err *err);

#endif
