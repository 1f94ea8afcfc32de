/* core/db_plan.c — the statements of a tenant database's steps; see db_plan.h. */
#include <stdio.h>

#include "core/db_lock.h"
#include "core/db_plan.h"
#include "util/util.h"

const char *db_step_name(db_step st)
{
	static const char *const names[] = {"lock", "role", "database", "access"};
	return (unsigned)st < ARRAY_SIZE(names) ? names[st] : "?";
}

db_status db_plan_step(const db_spec *s, db_step st, strbuf *out, db_err *err)
{
	const char *n = s->name;
	char comment[128];

	if (db_spec_check(s, err) != DB_OK)
		return err->status;
	db_spec_comment(s, comment, sizeof(comment));
	switch (st) {
	case DB_STEP_LOCK:
		sb_addf(out, "SELECT pg_try_advisory_lock(%d, %d)\n", DB_LOCK_CLASS, atoi(s->tcode + 1));
		break;
	case DB_STEP_ROLE:
		sb_addf(out,
			"CREATE ROLE \"%s\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT %d PASSWORD %s\n",
			n, s->conn_limit, DB_PLAN_VERIFIER);
		sb_addf(out, "COMMENT ON ROLE \"%s\" IS '%s'\n", n, comment);
		break;
	case DB_STEP_DATABASE:
		sb_addf(out,
			"CREATE DATABASE \"%s\" OWNER \"%s\" TEMPLATE template0 ENCODING '%s' LC_COLLATE '%s' "
			"LC_CTYPE '%s'\n",
			n, n, s->encoding, s->collate, s->ctype);
		sb_addf(out, "COMMENT ON DATABASE \"%s\" IS '%s'\n", n, comment);
		break;
	case DB_STEP_ACCESS:
		sb_addf(out, "REVOKE ALL ON DATABASE \"%s\" FROM PUBLIC\n", n);
		sb_addf(out, "GRANT CONNECT ON DATABASE \"%s\" TO \"%s\"\n", n, n);
		break;
	default:
		return db_fail(err, DB_INVALID, "no such step %d", (int)st);
	}
	return DB_OK;
}
