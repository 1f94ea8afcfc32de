/* core/db_error.c — outcomes and the SQLSTATE table; see db_error.h. */
#include <stdarg.h>
#include <stdio.h>

#include "core/db_error.h"
#include "util/util.h"

static const struct {
	const char *code;
	db_status status;
	const char *text;
} sqlstates[] = {
	{"42P04", DB_CONFLICT, "a database of that name already exists"},
	{"42710", DB_CONFLICT, "a role of that name already exists"},
	{"55006", DB_REFUSED, "the database is in use by other sessions: close them first"},
	{"55P03", DB_BUSY, "a lock was not granted within lock_timeout: another session holds it, try again"},
	{"57P01", DB_UNREACHABLE, "the server ended our session (terminated by an administrator, or "
				  "the server is shutting down): run again to go on"},
	{"57P02", DB_UNREACHABLE, "the server ended our session after a crash of another backend: run again"},
	{"57P03", DB_UNREACHABLE, "the server does not accept connections now (starting up or shutting down): "
				  "wait and run again"},
	{"57014", DB_ERROR, "a statement ran longer than statement_timeout and was cancelled"},
	{"28P01", DB_ERROR, "password authentication failed: the password is wrong or the role has none"},
	{"28000", DB_ERROR, "the server refuses this user from this host (pg_hba.conf) or the role cannot log in"},
	{"3D000", DB_ERROR, "the database does not exist"},
	{"42704", DB_ERROR, "the role or object does not exist"},
	{"42501", DB_ERROR, "the admin user lacks a privilege this needs (CREATEROLE, CREATEDB, or ownership)"},
	{"2BP01", DB_REFUSED, "the role still owns objects or holds privileges in some database"},
	{"25001", DB_ERROR, "the statement cannot run inside a transaction block"},
	{"22023", DB_ERROR, "a parameter is not valid (e.g. an encoding that does not fit the collation)"},
	{"53300", DB_UNREACHABLE, "the server has too many connections: try again later"},
	{"53100", DB_ERROR, "the server's disk is full"},
	{"40P01", DB_ERROR, "a deadlock was detected: run again"},
	{"08001", DB_UNREACHABLE, "the client could not open a connection to the server"},
	{"08004", DB_UNREACHABLE, "the server rejected the connection"},
	{"08006", DB_UNREACHABLE, "the connection to the server failed"},
	{"08003", DB_UNREACHABLE, "there is no connection to the server"},
};

static const struct {
	const char *cls;
	db_status status;
	const char *text;
} classes[] = {
	{"08", DB_UNREACHABLE, "the connection to the server failed"},
	{"28", DB_ERROR, "the server refused the credentials"},
	{"42", DB_ERROR, "the statement was refused (a missing object or privilege)"},
	{"53", DB_ERROR, "the server ran out of a resource"},
	{"57", DB_ERROR, "an operator intervened on the server"},
	{"58", DB_ERROR, "the server hit a system error (file or I/O)"},
	{"XX", DB_ERROR, "the server hit an internal error"},
};

const char *db_status_name(db_status s)
{
	static const char *const names[] = {"ok", "invalid", "conflict", "refused", "busy", "error", "unreachable"};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

const char *db_sqlstate_explain(const char *code)
{
	size_t i;

	if (!code || strlen(code) != 5)
		return "the server sent no error code";
	for (i = 0; i < ARRAY_SIZE(sqlstates); i++)
		if (!strcmp(sqlstates[i].code, code))
			return sqlstates[i].text;
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strncmp(classes[i].cls, code, 2))
			return classes[i].text;
	return "the server refused the statement";
}

db_status db_sqlstate_status(const char *code)
{
	size_t i;

	if (!code || strlen(code) != 5)
		return DB_ERROR;
	for (i = 0; i < ARRAY_SIZE(sqlstates); i++)
		if (!strcmp(sqlstates[i].code, code))
			return sqlstates[i].status;
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (!strncmp(classes[i].cls, code, 2))
			return classes[i].status;
	return DB_ERROR;
}

db_status db_fail(db_err *err, db_status status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	err->status = status;
	err->sqlstate[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

void db_err_clear(db_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}
