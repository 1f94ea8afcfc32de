/* core/db_spec.c — a tenant database's specification; see db_spec.h. */
#include <stdio.h>

#include "core/db_spec.h"
#include "util/util.h"

db_status db_spec_init(db_spec *s, const char *tcode, tcode_env env, db_err *err)
{
	char why[200];

	memset(s, 0, sizeof(*s));
	if (tcode_parse(tcode ? tcode : "", s->tcode, why, sizeof(why)))
		return db_fail(err, DB_INVALID, "%s", why);
	s->env = env;
	if (db_name_for(s->tcode, env, s->name, why, sizeof(why)))
		return db_fail(err, DB_INVALID, "%s", why);
	util_strlcpy(s->encoding, DB_SPEC_ENCODING, sizeof(s->encoding));
	util_strlcpy(s->collate, DB_SPEC_COLLATE, sizeof(s->collate));
	util_strlcpy(s->ctype, DB_SPEC_CTYPE, sizeof(s->ctype));
	s->conn_limit = DB_SPEC_CONN_LIMIT;
	snprintf(s->mark, sizeof(s->mark), "smartops tenant %s %s", s->tcode, tcode_env_name(env));
	return DB_OK;
}

static int plain_word(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
		      *v == '.' || *v == '-' || *v == '_' || *v == '@'))
			return 0;
	return 1;
}

static int run_id_ok(const char *r)
{
	size_t n = 0;

	for (; *r; r++, n++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
			return 0;
	return n < 48;
}

void db_spec_comment(const db_spec *s, char *out, size_t size)
{
	if (s->run[0])
		snprintf(out, size, "%s run %s", s->mark, s->run);
	else
		util_strlcpy(out, s->mark, size);
}

int db_spec_marked(const db_spec *s, const char *comment, char *run, size_t size)
{
	size_t n = strlen(s->mark);
	const char *rest;

	if (run && size)
		run[0] = '\0';
	if (!s->mark[0] || strncmp(comment, s->mark, n))
		return 0;
	rest = comment + n;
	if (!*rest)
		return 1;
	if (strncmp(rest, " run ", 5) || !rest[5] || !run_id_ok(rest + 5))
		return 0;
	if (run && size)
		util_strlcpy(run, rest + 5, size);
	return 1;
}

db_status db_spec_check(const db_spec *s, db_err *err)
{
	char why[200];

	if (!tcode_is_valid(s->tcode))
		return db_fail(err, DB_INVALID, "TCODE \"%s\" is not valid", s->tcode);
	if (db_name_valid(s->name, why, sizeof(why)))
		return db_fail(err, DB_INVALID, "%s", why);
	if (!plain_word(s->encoding))
		return db_fail(err, DB_INVALID, "encoding \"%s\" is not an encoding name (e.g. WIN1252, UTF8)",
			       s->encoding);
	if (!plain_word(s->collate) || !plain_word(s->ctype))
		return db_fail(err, DB_INVALID, "collation \"%s\"/\"%s\" is not a locale name (e.g. C, en_US.UTF-8)",
			       s->collate, s->ctype);
	if (!run_id_ok(s->run))
		return db_fail(err, DB_INVALID, "run id \"%s\" is not a run id (a-z, 0-9, -)", s->run);
	if (s->conn_limit < 1 || s->conn_limit > 10000)
		return db_fail(err, DB_INVALID, "connection limit %d is out of range 1..10000", s->conn_limit);
	return DB_OK;
}
