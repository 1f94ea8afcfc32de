/* core/db_tenant.c — checks before the first change; see db_tenant.h. */
#include <stdio.h>
#include <strings.h>

#include "core/db_sql.h"
#include "core/db_tenant.h"
#include "util/util.h"

static db_status admin_rights(PGconn *c, db_tenant_obs *o, db_err *err)
{
	PGresult *r = db_sql_run(c, "reading the session user's privileges",
				 "SELECT current_user, rolsuper OR (rolcreaterole AND rolcreatedb) "
				 "FROM pg_roles WHERE rolname = current_user",
				 0, NULL, err);

	if (!r)
		return err->status;
	if (PQntuples(r) == 1) {
		util_strlcpy(o->admin, PQgetvalue(r, 0, 0), sizeof(o->admin));
		o->admin_can_create = !strcmp(PQgetvalue(r, 0, 1), "t");
	}
	PQclear(r);
	return DB_OK;
}

db_status db_tenant_preflight(PGconn *c, const db_spec *s, db_tenant_obs *o, db_err *err)
{
	db_status st;

	memset(o, 0, sizeof(*o));
	if ((st = db_role_observe(c, s, &o->role, err)) != DB_OK)
		return st;
	if ((st = db_database_observe(c, s, &o->db, err)) != DB_OK)
		return st;
	if ((st = admin_rights(c, o, err)) != DB_OK)
		return st;
	if (o->role.exists && !o->role.ours)
		return db_fail(err, DB_CONFLICT,
			       "role %s already exists and is not %s's: it is left alone, and nothing was changed; "
			       "rename or drop it by hand if it is a leftover",
			       s->name, s->tcode);
	if (o->db.exists && !o->db.ours)
		return db_fail(err, DB_CONFLICT,
			       "database %s already exists, owned by %s, and is not %s's: it is left alone, and "
			       "nothing was changed; rename or drop it by hand if it is a leftover",
			       s->name, o->db.owner, s->tcode);
	if (o->db.exists && (strcasecmp(o->db.encoding, s->encoding) || strcmp(o->db.collate, s->collate) ||
			     strcmp(o->db.ctype, s->ctype)))
		return db_fail(err, DB_CONFLICT,
			       "database %s exists with encoding %s and collation %s/%s, the plan wants %s and %s/%s: "
			       "nothing was changed",
			       s->name, o->db.encoding, o->db.collate, o->db.ctype, s->encoding, s->collate, s->ctype);
	if (!o->admin_can_create && (!o->role.exists || !o->db.exists))
		return db_fail(err, DB_REFUSED,
			       "PostgreSQL user %s may not create roles and databases (it needs CREATEROLE and "
			       "CREATEDB): nothing was changed; use the platform's admin user in postgres.conninfo",
			       o->admin);
	return DB_OK;
}
