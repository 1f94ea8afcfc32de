/* core/db_sql.c — quoting and running statements; see db_sql.h. */
#include <stdio.h>

#include "core/db_sql.h"
#include "util/util.h"

/* The first line of a libpq message, without "ERROR:  " and the newline. */
static void first_line(const char *s, char *out, size_t size)
{
	size_t n;

	if (!s)
		s = "";
	if (!strncmp(s, "ERROR:  ", 8))
		s += 8;
	else if (!strncmp(s, "FATAL:  ", 8))
		s += 8;
	n = strcspn(s, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static char *escape(PGconn *c, const char *s, int ident, db_err *err)
{
	char *q, *out, line[256];

	if (!c || !s)
		return db_fail(err, DB_INVALID, "nothing to quote"), NULL;
	q = ident ? PQescapeIdentifier(c, s, strlen(s)) : PQescapeLiteral(c, s, strlen(s));
	if (!q) {
		first_line(PQerrorMessage(c), line, sizeof(line));
		db_fail(err, DB_INVALID, "cannot quote %s: %s", ident ? "an identifier" : "a value", line);
		return NULL;
	}
	out = xstrdup(q);
	PQfreemem(q);
	return out;
}

char *db_sql_ident(PGconn *c, const char *name, db_err *err)
{
	return escape(c, name, 1, err);
}

char *db_sql_literal(PGconn *c, const char *s, db_err *err)
{
	return escape(c, s, 0, err);
}

static void fill(PGconn *c, const PGresult *r, const char *what, db_err *err)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	char line[300];

	first_line(r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(c), line,
		   sizeof(line));
	if (!err)
		return;
	util_strlcpy(err->sqlstate, st ? st : "", sizeof(err->sqlstate));
	if (PQstatus(c) == CONNECTION_BAD) {
		err->status = DB_UNREACHABLE;
		if (st)
			snprintf(err->msg, sizeof(err->msg),
				 "%s: the connection to the server was lost (SQLSTATE %s, %s; server: %s): run again "
				 "once the server answers; what was done stays done",
				 what, st, db_sqlstate_explain(st), line);
		else
			snprintf(err->msg, sizeof(err->msg),
				 "%s: the connection to the server was lost (%s): run again once the server "
				 "answers; what was done stays done",
				 what, *line ? line : "no reason given");
		return;
	}
	err->status = st ? db_sqlstate_status(st) : DB_ERROR;
	snprintf(err->msg, sizeof(err->msg), "%s: %s (SQLSTATE %s; server: %s)", what,
		 db_sqlstate_explain(st), st ? st : "none", line);
}

PGresult *db_sql_run(PGconn *c, const char *what, const char *sql, int n, const char *const *params,
		     db_err *err)
{
	PGresult *r;
	ExecStatusType s;

	if (!c || PQstatus(c) != CONNECTION_OK) {
		db_fail(err, DB_UNREACHABLE, "%s: not connected to the server: run again once it answers", what);
		return NULL;
	}
	r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	fill(c, r, what, err);
	PQclear(r);
	return NULL;
}

db_status db_sql_exec(PGconn *c, const char *what, const char *sql, db_err *err)
{
	PGresult *r = db_sql_run(c, what, sql, 0, NULL, err);

	if (!r)
		return err ? err->status : DB_ERROR;
	PQclear(r);
	return DB_OK;
}
