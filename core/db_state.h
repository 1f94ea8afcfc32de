/* core/db_state.h — the live state of a tenant's database, checked as the
 * tenant would: a session with its own credentials (Secret db-credentials),
 * then its size and the other sessions in it.
 *
 *   ready        the session opened; detail "size 7.6 MB, 2 other connections"
 *   missing      the server answered and the database or role is not there
 *                (read from pg_database / pg_roles, with the admin session when
 *                one is given, else with the tenant's own session into postgres)
 *   unreachable  no answer, a server that refuses connections now, or one that
 *                refuses the tenant's credentials (detail says which)
 * Blocking (up to about twice timeout_s): never call it on a UI thread.
 */
#ifndef CORE_DB_STATE_H
#define CORE_DB_STATE_H

#include "core/pg_conn.h"

typedef enum db_state {
	DB_STATE_READY,
	DB_STATE_MISSING,
	DB_STATE_UNREACHABLE,
	DB_STATE_UNKNOWN,
} db_state;

typedef struct db_creds {
	const char *host;
	const char *port;     /* NULL: 5432 */
	const char *database;
	const char *user;
	const char *password; /* in memory only; the caller wipes it */
	const char *sslmode;  /* NULL: prefer */
} db_creds;

typedef struct db_state_result {
	db_state state;
	long long size_bytes;  /* ready: pg_database_size */
	int connections;       /* ready: sessions in it besides ours */
	char detail[512];
} db_state_result;

/* "ready", "missing", "unreachable", "unknown". */
const char *db_state_name(db_state s);

/* Checks t (admin may be NULL). Fills out; returns out->state. */
db_state db_state_check(const db_creds *t, const pg_conn_opts *admin, int timeout_s, db_state_result *out);

#endif
