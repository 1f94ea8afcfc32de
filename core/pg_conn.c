/* core/pg_conn.c — opening a session; see pg_conn.h. */
#include <stdio.h>

#include "core/db_sql.h"
#include "core/pg_conn.h"
#include "util/util.h"

db_status pg_conn_check(const char *conninfo, db_err *err)
{
	PQconninfoOption *opts, *o;
	char *why = NULL;
	db_status st = DB_OK;

	opts = PQconninfoParse(conninfo ? conninfo : "", &why);
	if (!opts) {
		char line[300];
		util_strlcpy(line, why ? why : "out of memory", sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		PQfreemem(why);
		return db_fail(err, DB_INVALID, "the PostgreSQL connection string does not parse: %s", line);
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val) {
			st = db_fail(err, DB_INVALID,
				     "the PostgreSQL connection string holds a password: remove it, and keep the "
				     "password in a service file or ~/.pgpass (PGPASSFILE), or in Secret "
				     "smart-platform-postgres");
			break;
		}
	PQconninfoFree(opts);
	return st;
}

static PGconn *connect_once(const pg_conn_opts *o, const char *password)
{
	const char *keys[8], *vals[8];
	char timeout[16];
	int n = 0;

	snprintf(timeout, sizeof(timeout), "%d", o->connect_timeout_s > 0 ? o->connect_timeout_s : 10);
	/* before dbname: the expanded conninfo overrides these */
	keys[n] = "connect_timeout", vals[n++] = timeout;
	keys[n] = "application_name", vals[n++] = "smartops";
	keys[n] = "dbname", vals[n++] = o->conninfo ? o->conninfo : "";
	/* after it: these override the conninfo */
	if (o->dbname && *o->dbname)
		keys[n] = "dbname", vals[n++] = o->dbname;
	if (password)
		keys[n] = "password", vals[n++] = password;
	keys[n] = NULL, vals[n] = NULL;
	return PQconnectdbParams(keys, vals, 1);
}

void pg_conn_where(PGconn *c, char *buf, size_t size)
{
	const char *h = c ? PQhost(c) : NULL, *p = c ? PQport(c) : NULL;

	snprintf(buf, size, "%s:%s", h && *h ? h : "localhost", p && *p ? p : "5432");
}

static PGconn *refused(PGconn *c, const pg_conn_opts *o, db_err *err)
{
	char line[400], where[200];
	const char *m = PQerrorMessage(c);
	PGPing ping;

	/* the last line holds the reason; earlier ones list hosts tried */
	util_strlcpy(line, m, sizeof(line));
	line[strcspn(line, "\n")] = '\0';
	pg_conn_where(c, where, sizeof(where));
	PQfinish(c);
	/* did a server answer at all? (no SQLSTATE reaches the client of a failed connection) */
	ping = PQping(o->conninfo ? o->conninfo : "");
	if (ping == PQPING_NO_RESPONSE || ping == PQPING_NO_ATTEMPT)
		db_fail(err, DB_UNREACHABLE, "no session with PostgreSQL at %s (no answer, or TLS refused): %s", where,
			line);
	else if (ping == PQPING_REJECT)
		db_fail(err, DB_UNREACHABLE,
			"PostgreSQL at %s does not accept connections now (starting up or shutting down): %s",
			where, line);
	else
		db_fail(err, DB_ERROR, "PostgreSQL at %s refused the session: %s", where, line);
	return NULL;
}

PGconn *pg_conn_open(const pg_conn_opts *o, db_err *err)
{
	PGconn *c;
	char sql[128];

	if (pg_conn_check(o->conninfo, err) != DB_OK)
		return NULL;
	c = connect_once(o, NULL);
	if (!c)
		return db_fail(err, DB_ERROR, "libpq: out of memory"), NULL;
	if (PQstatus(c) == CONNECTION_BAD && PQconnectionNeedsPassword(c) && o->password && *o->password) {
		PQfinish(c);
		c = connect_once(o, o->password);
		if (!c)
			return db_fail(err, DB_ERROR, "libpq: out of memory"), NULL;
	}
	if (PQstatus(c) != CONNECTION_OK)
		return refused(c, o, err);
	snprintf(sql, sizeof(sql), "SET statement_timeout = %d",
		 o->statement_timeout_ms > 0 ? o->statement_timeout_ms : 30000);
	if (db_sql_exec(c, "setting statement_timeout", sql, err) != DB_OK)
		goto bad;
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", o->lock_timeout_ms > 0 ? o->lock_timeout_ms : 5000);
	if (db_sql_exec(c, "setting lock_timeout", sql, err) != DB_OK)
		goto bad;
	return c;
bad:
	PQfinish(c);
	return NULL;
}
