/* core/db_role.c — a tenant's role; see db_role.h. */
#include <stdio.h>

#include "core/db_role.h"
#include "core/db_sql.h"
#include "util/util.h"

db_status db_role_observe(PGconn *c, const db_spec *s, db_role_obs *o, db_err *err)
{
	const char *p[1] = {s->name};
	PGresult *r;

	memset(o, 0, sizeof(*o));
	if (db_spec_check(s, err) != DB_OK)
		return err->status;
	r = db_sql_run(c, "reading the role from pg_roles",
		       "SELECT r.rolcanlogin, r.rolconnlimit, r.rolsuper, "
		       "coalesce(shobj_description(r.oid, 'pg_authid'), ''), "
		       "coalesce((SELECT min(d.datname) FROM pg_database d WHERE d.datdba = r.oid), '') "
		       "FROM pg_roles r WHERE r.rolname = $1",
		       1, p, err);
	if (!r)
		return err->status;
	if (PQntuples(r) == 1) {
		o->exists = 1;
		o->can_login = !strcmp(PQgetvalue(r, 0, 0), "t");
		o->conn_limit = atoi(PQgetvalue(r, 0, 1));
		o->superuser = !strcmp(PQgetvalue(r, 0, 2), "t");
		util_strlcpy(o->comment, PQgetvalue(r, 0, 3), sizeof(o->comment));
		util_strlcpy(o->owns_db, PQgetvalue(r, 0, 4), sizeof(o->owns_db));
		o->ours = db_spec_marked(s, o->comment, o->run, sizeof(o->run));
	}
	PQclear(r);
	return DB_OK;
}

static db_status conflict(const db_spec *s, const db_role_obs *o, db_err *err)
{
	return db_fail(err, DB_CONFLICT,
		       "role %s already exists and is not %s's (its comment is %s%s%s): it is left alone; "
		       "rename or drop it by hand if it is a leftover, or choose another tenant",
		       s->name, s->tcode, *o->comment ? "\"" : "", *o->comment ? o->comment : "empty",
		       *o->comment ? "\"" : "");
}

/* The SCRAM verifier of password for the role, as a quoted literal; NULL with err. */
static char *verifier_literal(PGconn *c, const db_spec *s, const char *password, db_err *err)
{
	char *v, *lit;

	v = PQencryptPasswordConn(c, password, s->name, "scram-sha-256");
	if (!v) {
		char line[200];
		util_strlcpy(line, PQerrorMessage(c), sizeof(line));
		line[strcspn(line, "\n")] = '\0';
		db_fail(err, DB_ERROR, "cannot compute the password's SCRAM verifier: %s", line);
		return NULL;
	}
	lit = db_sql_literal(c, v, err);
	PQfreemem(v);
	return lit;
}

static db_status create_role(PGconn *c, const db_spec *s, const char *password, db_err *err)
{
	char *id = NULL, *ver = NULL, *mark = NULL, comment[128];
	strbuf sql;
	db_status st;

	sb_init(&sql, 256);
	db_spec_comment(s, comment, sizeof(comment));
	if (!(id = db_sql_ident(c, s->name, err)) || !(ver = verifier_literal(c, s, password, err)) ||
	    !(mark = db_sql_literal(c, comment, err))) {
		st = err->status;
		goto out;
	}
	if ((st = db_sql_exec(c, "creating the role", "BEGIN", err)) != DB_OK)
		goto out;
	sb_addf(&sql, "CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT %d "
		"PASSWORD %s", id, s->conn_limit, ver);
	if ((st = db_sql_exec(c, "creating the role", sql.buf, err)) != DB_OK)
		goto rollback;
	db_password_wipe(sql.buf, sql.len);
	sb_reset(&sql);
	sb_addf(&sql, "COMMENT ON ROLE %s IS %s", id, mark);
	if ((st = db_sql_exec(c, "marking the role as the tenant's", sql.buf, err)) != DB_OK)
		goto rollback;
	st = db_sql_exec(c, "creating the role (commit)", "COMMIT", err);
	goto out;
rollback:
	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, "ROLLBACK");
		PQclear(r);
	}
out:
	if (ver)
		db_password_wipe(ver, strlen(ver));
	free(id);
	free(ver);
	free(mark);
	sb_release(&sql);
	return st;
}

db_status db_role_apply(PGconn *c, const db_spec *s, char password[DB_PASSWORD_SIZE], int *created, db_err *err)
{
	db_role_obs o;
	db_status st;

	password[0] = '\0';
	*created = 0;
	if ((st = db_role_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (o.exists)
		return o.ours ? DB_OK : conflict(s, &o, err);
	if (db_password_generate(password))
		return db_fail(err, DB_ERROR, "cannot read the kernel's random source to make a password");
	st = create_role(c, s, password, err);
	if (st != DB_OK) {
		db_password_wipe(password, DB_PASSWORD_SIZE);
		return st;
	}
	*created = 1;
	return DB_OK;
}

db_status db_role_rotate(PGconn *c, const db_spec *s, char password[DB_PASSWORD_SIZE], db_err *err)
{
	db_role_obs o;
	char *id = NULL, *ver = NULL;
	strbuf sql;
	db_status st;

	password[0] = '\0';
	if ((st = db_role_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists)
		return db_fail(err, DB_REFUSED, "role %s does not exist: apply the database first", s->name);
	if (!o.ours)
		return conflict(s, &o, err);
	if (db_password_generate(password))
		return db_fail(err, DB_ERROR, "cannot read the kernel's random source to make a password");
	sb_init(&sql, 256);
	if (!(id = db_sql_ident(c, s->name, err)) || !(ver = verifier_literal(c, s, password, err))) {
		st = err->status;
		goto out;
	}
	sb_addf(&sql, "ALTER ROLE %s PASSWORD %s", id, ver);
	st = db_sql_exec(c, "setting the role's new password", sql.buf, err);
out:
	if (st != DB_OK)
		db_password_wipe(password, DB_PASSWORD_SIZE);
	if (ver)
		db_password_wipe(ver, strlen(ver));
	db_password_wipe(sql.buf, sql.len);
	free(id);
	free(ver);
	sb_release(&sql);
	return st;
}

db_status db_role_undo(PGconn *c, const db_spec *s, int *dropped, db_err *err)
{
	db_role_obs o;
	char *id;
	strbuf sql;
	db_status st;

	*dropped = 0;
	if ((st = db_role_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists)
		return DB_OK;
	if (!o.ours)
		return db_fail(err, DB_REFUSED, "role %s is not %s's: it is not dropped", s->name, s->tcode);
	if (*o.owns_db)
		return db_fail(err, DB_REFUSED, "role %s still owns database %s: drop the database first", s->name,
			       o.owns_db);
	if (!(id = db_sql_ident(c, s->name, err)))
		return err->status;
	sb_init(&sql, 64);
	sb_addf(&sql, "DROP ROLE %s", id);
	st = db_sql_exec(c, "dropping the role", sql.buf, err);
	if (st == DB_OK)
		*dropped = 1;
	free(id);
	sb_release(&sql);
	return st;
}

db_status db_role_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err)
{
	db_role_obs o;
	size_t before = problems->len;
	db_status st;

	if ((st = db_role_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists) {
		sb_addf(problems, "role %s does not exist\n", s->name);
	} else {
		if (!o.ours)
			sb_addf(problems, "role %s is not %s's (comment \"%s\")\n", s->name, s->tcode, o.comment);
		if (!o.can_login)
			sb_addf(problems, "role %s cannot log in\n", s->name);
		if (o.superuser)
			sb_addf(problems, "role %s is a superuser\n", s->name);
		if (o.conn_limit != s->conn_limit)
			sb_addf(problems, "role %s has connection limit %d, not %d\n", s->name, o.conn_limit,
				s->conn_limit);
	}
	if (problems->len > before)
		return db_fail(err, DB_REFUSED, "role %s differs from its plan", s->name);
	return DB_OK;
}
