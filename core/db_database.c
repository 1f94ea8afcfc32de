/* core/db_database.c — a tenant's database; see db_database.h. */
#include <stdio.h>
#include <strings.h>

#include "core/db_database.h"
#include "core/db_role.h"
#include "core/db_sql.h"
#include "util/util.h"

db_status db_database_observe(PGconn *c, const db_spec *s, db_database_obs *o, db_err *err)
{
	const char *p[2] = {s->name, s->mark};
	PGresult *r;

	memset(o, 0, sizeof(*o));
	if (db_spec_check(s, err) != DB_OK)
		return err->status;
	r = db_sql_run(c, "reading the database from pg_database",
		       "SELECT pg_get_userbyid(d.datdba), "
		       "coalesce((SELECT x = $2 OR starts_with(x, $2 || ' run ') FROM "
		       "          (SELECT shobj_description(r.oid, 'pg_authid') AS x "
		       "           FROM pg_roles r WHERE r.oid = d.datdba AND r.rolname = $1) m), false), "
		       "pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, "
		       "(SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid), "
		       "coalesce(shobj_description(d.oid, 'pg_database'), '') "
		       "FROM pg_database d WHERE d.datname = $1",
		       2, p, err);
	if (!r)
		return err->status;
	if (PQntuples(r) == 1) {
		o->exists = 1;
		util_strlcpy(o->owner, PQgetvalue(r, 0, 0), sizeof(o->owner));
		o->ours = !strcmp(PQgetvalue(r, 0, 1), "t");
		util_strlcpy(o->encoding, PQgetvalue(r, 0, 2), sizeof(o->encoding));
		util_strlcpy(o->collate, PQgetvalue(r, 0, 3), sizeof(o->collate));
		util_strlcpy(o->ctype, PQgetvalue(r, 0, 4), sizeof(o->ctype));
		o->connections = atoi(PQgetvalue(r, 0, 5));
		util_strlcpy(o->comment, PQgetvalue(r, 0, 6), sizeof(o->comment));
		o->marked = db_spec_marked(s, o->comment, o->run, sizeof(o->run));
	}
	PQclear(r);
	return DB_OK;
}

static int same_settings(const db_spec *s, const db_database_obs *o)
{
	return !strcasecmp(o->encoding, s->encoding) && !strcmp(o->collate, s->collate) &&
	       !strcmp(o->ctype, s->ctype);
}

static db_status existing(const db_spec *s, const db_database_obs *o, db_err *err)
{
	if (!o->ours)
		return db_fail(err, DB_CONFLICT,
			       "database %s already exists, owned by %s, and is not %s's: it is left alone; "
			       "rename or drop it by hand if it is a leftover, or choose another tenant",
			       s->name, o->owner, s->tcode);
	if (!same_settings(s, o))
		return db_fail(err, DB_CONFLICT,
			       "database %s exists with encoding %s and collation %s/%s, the plan wants %s and %s/%s: "
			       "it cannot be changed in place; drop it (if empty) or plan with its settings",
			       s->name, o->encoding, o->collate, o->ctype, s->encoding, s->collate, s->ctype);
	return DB_OK;
}

static db_status mark(PGconn *c, const db_spec *s, const db_database_obs *o, db_err *err)
{
	char *id, *lit = NULL, comment[128];
	strbuf sql;
	db_status st;

	if (o->marked) /* as made: a later run never writes its own name over it */
		return DB_OK;
	db_spec_comment(s, comment, sizeof(comment));
	if (!(id = db_sql_ident(c, s->name, err)))
		return err->status;
	if (!(lit = db_sql_literal(c, comment, err))) {
		free(id);
		return err->status;
	}
	sb_init(&sql, 128);
	sb_addf(&sql, "COMMENT ON DATABASE %s IS %s", id, lit);
	st = db_sql_exec(c, "marking the database as the tenant's", sql.buf, err);
	free(id);
	free(lit);
	sb_release(&sql);
	return st;
}

static db_status create(PGconn *c, const db_spec *s, db_err *err)
{
	char *id = NULL, *enc = NULL, *col = NULL, *ct = NULL;
	strbuf sql;
	db_status st;

	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		return db_fail(err, DB_ERROR, "CREATE DATABASE must run outside a transaction: the session is in one");
	sb_init(&sql, 256);
	if (!(id = db_sql_ident(c, s->name, err)) || !(enc = db_sql_literal(c, s->encoding, err)) ||
	    !(col = db_sql_literal(c, s->collate, err)) || !(ct = db_sql_literal(c, s->ctype, err))) {
		st = err->status;
		goto out;
	}
	sb_addf(&sql, "CREATE DATABASE %s OWNER %s TEMPLATE template0 ENCODING %s LC_COLLATE %s LC_CTYPE %s",
		id, id, enc, col, ct);
	st = db_sql_exec(c, "creating the database", sql.buf, err);
out:
	free(id);
	free(enc);
	free(col);
	free(ct);
	sb_release(&sql);
	return st;
}

db_status db_database_apply(PGconn *c, const db_spec *s, int *created, db_err *err)
{
	db_role_obs ro;
	db_database_obs o;
	db_status st;

	*created = 0;
	if ((st = db_role_observe(c, s, &ro, err)) != DB_OK)
		return st;
	if (!ro.exists)
		return db_fail(err, DB_REFUSED, "role %s does not exist: the role is made before its database",
			       s->name);
	if (!ro.ours)
		return db_fail(err, DB_CONFLICT, "role %s is not %s's: its database is not made", s->name, s->tcode);
	if ((st = db_database_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists) {
		st = create(c, s, err);
		if (st == DB_CONFLICT && !strcmp(err->sqlstate, "42P04")) {
			/* made meanwhile: whose is it? */
			if ((st = db_database_observe(c, s, &o, err)) != DB_OK)
				return st;
		} else if (st != DB_OK) {
			return st;
		} else {
			*created = 1;
			if ((st = db_database_observe(c, s, &o, err)) != DB_OK)
				return st;
		}
	}
	if ((st = existing(s, &o, err)) != DB_OK)
		return st;
	return mark(c, s, &o, err);
}

db_status db_database_usage(const pg_conn_opts *admin, const char *name, long *tables, int *others, db_err *err)
{
	pg_conn_opts o = *admin;
	PGconn *c;
	PGresult *r;

	*tables = 0;
	*others = 0;
	o.dbname = name;
	if (!(c = pg_conn_open(&o, err)))
		return err->status;
	r = db_sql_run(c, "counting the database's tables",
		       "SELECT (SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace "
		       "WHERE k.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
		       "AND n.nspname NOT LIKE 'pg\\_toast%'), "
		       "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
		       "AND pid <> pg_backend_pid())",
		       0, NULL, err);
	if (r) {
		*tables = atol(PQgetvalue(r, 0, 0));
		*others = atoi(PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	PQfinish(c);
	return r ? DB_OK : err->status;
}

db_status db_database_undo(PGconn *c, const pg_conn_opts *admin, const db_spec *s, int confirmed, int *dropped,
			   db_err *err)
{
	db_database_obs o;
	long tables = 0;
	int others = 0;
	char *id;
	strbuf sql;
	db_status st;

	*dropped = 0;
	if ((st = db_database_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists)
		return DB_OK;
	if (!o.ours)
		return db_fail(err, DB_REFUSED, "database %s (owner %s) is not %s's: it is not dropped", s->name,
			       o.owner, s->tcode);
	if (!confirmed) {
		if ((st = db_database_usage(admin, s->name, &tables, &others, err)) != DB_OK)
			return st;
		if (tables > 0 || others > 0)
			return db_fail(err, DB_REFUSED,
				       "database %s holds %ld table%s and has %d connection%s: it is not dropped; "
				       "confirm with the TCODE (%s) to drop it with its data",
				       s->name, tables, tables == 1 ? "" : "s", others,
				       others == 1 ? "" : "s", s->tcode);
	}
	if (!(id = db_sql_ident(c, s->name, err)))
		return err->status;
	sb_init(&sql, 96);
	sb_addf(&sql, "DROP DATABASE %s%s", id, confirmed ? " WITH (FORCE)" : "");
	st = db_sql_exec(c, "dropping the database", sql.buf, err);
	if (st == DB_OK)
		*dropped = 1;
	free(id);
	sb_release(&sql);
	return st;
}

db_status db_database_verify(PGconn *c, const db_spec *s, strbuf *problems, db_err *err)
{
	db_database_obs o;
	size_t before = problems->len;
	db_status st;

	if ((st = db_database_observe(c, s, &o, err)) != DB_OK)
		return st;
	if (!o.exists) {
		sb_addf(problems, "database %s does not exist\n", s->name);
	} else {
		if (!o.ours)
			sb_addf(problems, "database %s is owned by %s, not by %s's role\n", s->name, o.owner, s->tcode);
		if (strcasecmp(o.encoding, s->encoding))
			sb_addf(problems, "database %s has encoding %s, not %s\n", s->name, o.encoding, s->encoding);
		if (strcmp(o.collate, s->collate) || strcmp(o.ctype, s->ctype))
			sb_addf(problems, "database %s has collation %s/%s, not %s/%s\n", s->name, o.collate, o.ctype,
				s->collate, s->ctype);
	}
	if (problems->len > before)
		return db_fail(err, DB_REFUSED, "database %s differs from its plan", s->name);
	return DB_OK;
}
