/* core/db_lock.c — the tenant's advisory lock; see db_lock.h. */
#include <stdio.h>

#include "core/db_lock.h"
#include "core/db_sql.h"
#include "core/tcode.h"
#include "util/util.h"

static db_status key(const char *tcode, char cls[16], char obj[16], char t[TCODE_SIZE], db_err *err)
{
	char why[160];

	if (tcode_parse(tcode ? tcode : "", t, why, sizeof(why)))
		return db_fail(err, DB_INVALID, "%s", why);
	snprintf(cls, 16, "%d", DB_LOCK_CLASS);
	snprintf(obj, 16, "%d", atoi(t + 1));
	return DB_OK;
}

db_status db_lock_tenant(PGconn *c, const char *tcode, db_err *err)
{
	char cls[16], obj[16], t[TCODE_SIZE];
	const char *p[2] = {cls, obj};
	PGresult *r;
	int got;

	if (key(tcode, cls, obj, t, err) != DB_OK)
		return err->status;
	r = db_sql_run(c, "taking the tenant's database lock",
		       "SELECT pg_try_advisory_lock($1::int, $2::int)", 2, p, err);
	if (!r)
		return err->status;
	got = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (got)
		return DB_OK;
	r = db_sql_run(c, "finding the holder of the tenant's database lock",
		       "SELECT coalesce(string_agg(l.pid::text || ' (' || coalesce(a.usename, '?') || ', ' || "
		       "coalesce(a.application_name, '') || ')', ', '), 'another session') "
		       "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
		       "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid "
		       "AND l.objid = $2::int::oid AND l.objsubid = 2",
		       2, p, err);
	if (!r)
		return err->status;
	db_fail(err, DB_BUSY, "the database lock of %s is held by backend %s: another run is changing this "
		"tenant's database; wait for it to end", t, PQntuples(r) ? PQgetvalue(r, 0, 0) : "?");
	PQclear(r);
	return DB_BUSY;
}

db_status db_lock_release(PGconn *c, const char *tcode, db_err *err)
{
	char cls[16], obj[16], t[TCODE_SIZE];
	const char *p[2] = {cls, obj};
	PGresult *r;

	if (key(tcode, cls, obj, t, err) != DB_OK)
		return err->status;
	r = db_sql_run(c, "releasing the tenant's database lock", "SELECT pg_advisory_unlock($1::int, $2::int)",
		       2, p, err);
	if (!r)
		return err->status;
	PQclear(r);
	return DB_OK;
}
