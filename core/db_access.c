/* core/db_access.c — CONNECT privileges on a tenant's database; see db_access.h. */
#include <stdio.h>

#include "core/db_access.h"
#include "core/db_sql.h"
#include "util/util.h"

db_status db_access_observe(PGconn *c, const db_spec *s, db_access_obs *o, db_err *err)
{
	const char *p[1] = {s->name};
	PGresult *r;

	memset(o, 0, sizeof(*o));
	if (db_spec_check(s, err) != DB_OK)
		return err->status;
	r = db_sql_run(c, "reading the database's privileges",
		       "SELECT EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
		       "               WHERE a.grantee = 0), "
		       "EXISTS (SELECT 1 FROM aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee "
		       "        WHERE r.rolname = $1 AND a.privilege_type = 'CONNECT') "
		       "FROM pg_database d WHERE d.datname = $1",
		       1, p, err);
	if (!r)
		return err->status;
	if (PQntuples(r) == 1) {
		o->db_exists = 1;
		o->public_any = !strcmp(PQgetvalue(r, 0, 0), "t");
		o->role_connect = !strcmp(PQgetvalue(r, 0, 1), "t");
	}
	PQclear(r);
	return DB_OK;
}

db_status db_access_apply(PGconn *c, const db_spec *s, int *changed, db_err *err)
{
	db_access_obs o;
	char *id;
	strbuf sql;
	db_status st;

	*changed = 0;
	if ((st = db_access_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.db_exists)
		return db_fail(err, DB_REFUSED, "database %s does not exist: its privileges come after it", s->name);
	if (!o.public_any && o.role_connect)
		return DB_OK;
	if (!(id = db_sql_ident(c, s->name, err)))
		return err->status;
	sb_init(&sql, 128);
	st = DB_OK;
	if (o.public_any) {
		sb_addf(&sql, "REVOKE ALL ON DATABASE %s FROM PUBLIC", id);
		st = db_sql_exec(c, "revoking CONNECT from PUBLIC", sql.buf, err);
		*changed = st == DB_OK;
	}
	if (st == DB_OK && !o.role_connect) {
		sb_reset(&sql);
		sb_addf(&sql, "GRANT CONNECT ON DATABASE %s TO %s", id, id);
		st = db_sql_exec(c, "granting CONNECT to the role", sql.buf, err);
		*changed = *changed || st == DB_OK;
	}
	free(id);
	sb_release(&sql);
	return st;
}

db_status db_access_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err)
{
	db_access_obs o;
	size_t before = problems->len;
	db_status st;

	if ((st = db_access_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.db_exists)
		sb_addf(problems, "database %s does not exist\n", s->name);
	if (o.db_exists && o.public_any)
		sb_addf(problems, "PUBLIC may connect to database %s\n", s->name);
	if (o.db_exists && !o.role_connect)
		sb_addf(problems, "role %s holds no CONNECT grant on database %s\n", s->name, s->name);
	if (problems->len > before)
		return db_fail(err, DB_REFUSED, "the privileges on database %s differ from the plan", s->name);
	return DB_OK;
}
