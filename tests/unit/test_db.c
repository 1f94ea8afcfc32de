/* Unit tests for the PostgreSQL layer's pure parts: names, quoting (by libpq,
 * on a session that never connected), the SQLSTATE table, the password
 * generator, the spec's checks and the conninfo check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "core/db_error.h"
#include "core/db_names.h"
#include "core/db_password.h"
#include "core/db_plan.h"
#include "core/db_spec.h"
#include "core/db_sql.h"
#include "core/pg_conn.h"
#include "util/util.h"

static void test_name_for(void **state)
{
	char n[DB_NAME_SIZE], err[200];

	assert_int_equal(db_name_for("T12345", TCODE_ENV_PROD, n, err, sizeof(err)), 0);
	assert_string_equal(n, "t12345_prod");
	assert_int_equal(db_name_for(" t00042 ", TCODE_ENV_DEV, n, err, sizeof(err)), 0);
	assert_string_equal(n, "t00042_dev");
	assert_int_equal(db_name_for("T1234", TCODE_ENV_DEV, n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "TCODE must be a T followed by 5 digits"));
	assert_int_equal(db_name_for(NULL, TCODE_ENV_DEV, n, err, sizeof(err)), -1);
}

static void test_name_valid(void **state)
{
	static const char *const good[] = {"t12345_prod", "_x", "a", "abc_123",
		"a23456789012345678901234567890123456789012345678901234567890123"};
	char err[200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(db_name_valid(good[i], err, sizeof(err)), 0);
	assert_int_equal(strlen(good[4]), 63);
}

static void test_name_refused(void **state)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
	    {"", "is empty"},
	    {"T12345_prod", "must start with a lower-case letter"},
	    {"t12345_Prod", "must be lower case"},
	    {"1abc", "must start with a lower-case letter or _"},
	    {"t12345-prod", "holds '-' at byte 7"},
	    {"a\"b", "holds '\"' at byte 2"},
	    {"a b", "holds '?' at byte 2"},
	    {"a;drop", "holds ';' at byte 2"},
	    {"caf\xc3\xa9", "at byte 4"},
	    {"a234567890123456789012345678901234567890123456789012345678901234", "is 64 bytes: PostgreSQL keeps 63"},
	};
	char err[200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(db_name_valid(bad[i].name, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("%s: got \"%s\", wanted \"%s\"", bad[i].name, err, bad[i].why);
	}
	assert_int_equal(db_name_valid(NULL, err, sizeof(err)), -1);
}

/* A session object that never connected (a bad keyword stops it before any
 * network): libpq still quotes with it. */
static PGconn *offline(void)
{
	PGconn *c = PQconnectStart("no_such_keyword=1");
	assert_non_null(c);
	assert_int_equal(PQstatus(c), CONNECTION_BAD);
	return c;
}

static void test_quoting(void **state)
{
	PGconn *c = offline();
	db_err err;
	char *q;

	q = db_sql_ident(c, "t12345_prod", &err);
	assert_string_equal(q, "\"t12345_prod\"");
	free(q);
	q = db_sql_ident(c, "a\"b; DROP ROLE x", &err);
	assert_string_equal(q, "\"a\"\"b; DROP ROLE x\"");
	free(q);
	q = db_sql_literal(c, "it's", &err);
	assert_string_equal(q, "'it''s'");
	free(q);
	q = db_sql_literal(c, "back\\slash", &err);
	assert_string_equal(q, " E'back\\\\slash'");
	free(q);
	assert_null(db_sql_ident(NULL, "x", &err));
	assert_int_equal(err.status, DB_INVALID);
	PQfinish(c);
}

static void test_run_without_session(void **state)
{
	PGconn *c = offline();
	db_err err;

	assert_null(db_sql_run(c, "reading pg_roles", "SELECT 1", 0, NULL, &err));
	assert_int_equal(err.status, DB_UNREACHABLE);
	assert_true(util_starts_with(err.msg, "reading pg_roles: not connected to the server"));
	PQfinish(c);
}

static void test_sqlstates(void **state)
{
	static const struct {
		const char *code;
		db_status st;
		const char *text;
	} t[] = {
	    {"42P04", DB_CONFLICT, "a database of that name already exists"},
	    {"42710", DB_CONFLICT, "a role of that name already exists"},
	    {"55006", DB_REFUSED, "in use by other sessions"},
	    {"57P01", DB_UNREACHABLE, "the server ended our session"},
	    {"28P01", DB_ERROR, "password authentication failed"},
	    {"3D000", DB_ERROR, "the database does not exist"},
	    {"08006", DB_UNREACHABLE, "the connection to the server failed"},
	    {"08P01", DB_UNREACHABLE, "the connection to the server failed"}, /* by class */
	    {"55P03", DB_BUSY, "lock_timeout"},
	    {"57014", DB_ERROR, "statement_timeout"},
	    {"42501", DB_ERROR, "lacks a privilege"},
	    {"2BP01", DB_REFUSED, "still owns objects"},
	    {"42883", DB_ERROR, "a missing object or privilege"}, /* by class */
	    {"XX000", DB_ERROR, "internal error"},
	    {"P0001", DB_ERROR, "the server refused the statement"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(db_sqlstate_status(t[i].code), t[i].st);
		if (!strstr(db_sqlstate_explain(t[i].code), t[i].text))
			fail_msg("%s: \"%s\"", t[i].code, db_sqlstate_explain(t[i].code));
	}
	assert_string_equal(db_sqlstate_explain(NULL), "the server sent no error code");
	assert_string_equal(db_sqlstate_explain("123"), "the server sent no error code");
	assert_int_equal(db_sqlstate_status(NULL), DB_ERROR);
	assert_string_equal(db_status_name(DB_CONFLICT), "conflict");
	assert_string_equal(db_status_name(DB_UNREACHABLE), "unreachable");
}

static void test_password(void **state)
{
	char a[DB_PASSWORD_SIZE], b[DB_PASSWORD_SIZE];
	int seen[128] = {0}, distinct = 0;
	size_t i, k;

	assert_int_equal(db_password_generate(a), 0);
	assert_int_equal(db_password_generate(b), 0);
	assert_int_equal(strlen(a), DB_PASSWORD_LEN);
	assert_string_not_equal(a, b);
	for (k = 0; k < 64; k++) {
		assert_int_equal(db_password_generate(a), 0);
		for (i = 0; i < DB_PASSWORD_LEN; i++) {
			unsigned char ch = (unsigned char)a[i];
			assert_true((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'));
			distinct += !seen[ch]++;
		}
	}
	/* 2048 draws over 62 symbols: all but a handful appear */
	assert_true(distinct > 55);
	db_password_wipe(a, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		assert_int_equal(a[i], 0);
}

static void test_spec(void **state)
{
	db_spec s;
	db_err err;

	assert_int_equal(db_spec_init(&s, "t12345", TCODE_ENV_PROD, &err), DB_OK);
	assert_string_equal(s.name, "t12345_prod");
	assert_string_equal(s.tcode, "T12345");
	assert_string_equal(s.encoding, "WIN1252");
	assert_string_equal(s.collate, "C");
	assert_string_equal(s.ctype, "C");
	assert_string_equal(s.mark, "smartops tenant T12345 prod");
	assert_int_equal(db_spec_check(&s, &err), DB_OK);
	util_strlcpy(s.encoding, "UTF8'; DROP", sizeof(s.encoding));
	assert_int_equal(db_spec_check(&s, &err), DB_INVALID);
	assert_non_null(strstr(err.msg, "is not an encoding name"));
	util_strlcpy(s.encoding, "UTF8", sizeof(s.encoding));
	util_strlcpy(s.collate, "en_US.UTF-8", sizeof(s.collate));
	assert_int_equal(db_spec_check(&s, &err), DB_OK);
	s.conn_limit = 0;
	assert_int_equal(db_spec_check(&s, &err), DB_INVALID);
	assert_int_equal(db_spec_init(&s, "X1", TCODE_ENV_DEV, &err), DB_INVALID);
	assert_int_equal(err.status, DB_INVALID);
}

static void test_conninfo_check(void **state)
{
	db_err err;

	assert_int_equal(pg_conn_check("host=pg.example port=5432 user=admin sslmode=verify-full", &err), DB_OK);
	assert_int_equal(pg_conn_check("postgresql://admin@pg.example:5432/postgres?sslmode=require", &err), DB_OK);
	assert_int_equal(pg_conn_check("service=smart", &err), DB_OK);
	assert_int_equal(pg_conn_check("host=pg.example password=hunter2", &err), DB_INVALID);
	assert_non_null(strstr(err.msg, "holds a password"));
	assert_null(strstr(err.msg, "hunter2"));
	assert_int_equal(pg_conn_check("postgresql://admin:hunter2@pg.example/postgres", &err), DB_INVALID);
	assert_null(strstr(err.msg, "hunter2"));
	assert_int_equal(pg_conn_check("host=pg.example nonsense", &err), DB_INVALID);
	assert_non_null(strstr(err.msg, "does not parse"));
}

static void test_plan(void **state)
{
	db_spec s;
	db_err err;
	strbuf sb;

	assert_int_equal(db_spec_init(&s, "T00042", TCODE_ENV_DEV, &err), DB_OK);
	s.conn_limit = 20;
	sb_init(&sb, 256);
	for (int st = 0; st < DB_STEP_COUNT; st++)
		assert_int_equal(db_plan_step(&s, (db_step)st, &sb, &err), DB_OK);
	assert_string_equal(sb.buf,
			    "SELECT pg_try_advisory_lock(5459279, 42)\n"
			    "CREATE ROLE \"t00042_dev\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 20 "
			    "PASSWORD '<SCRAM-SHA-256 verifier of a generated password>'\n"
			    "COMMENT ON ROLE \"t00042_dev\" IS 'smartops tenant T00042 dev'\n"
			    "CREATE DATABASE \"t00042_dev\" OWNER \"t00042_dev\" TEMPLATE template0 ENCODING 'WIN1252' "
			    "LC_COLLATE 'C' LC_CTYPE 'C'\n"
			    "COMMENT ON DATABASE \"t00042_dev\" IS 'smartops tenant T00042 dev'\n"
			    "REVOKE ALL ON DATABASE \"t00042_dev\" FROM PUBLIC\n"
			    "GRANT CONNECT ON DATABASE \"t00042_dev\" TO \"t00042_dev\"\n");
	sb_reset(&sb);
	util_strlcpy(s.collate, "C'; DROP DATABASE x; --", sizeof(s.collate));
	assert_int_equal(db_plan_step(&s, DB_STEP_DATABASE, &sb, &err), DB_INVALID);
	assert_string_equal(sb.buf, "");
	assert_string_equal(db_step_name(DB_STEP_ACCESS), "access");
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_for),	   cmocka_unit_test(test_name_valid),
	    cmocka_unit_test(test_name_refused),   cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_run_without_session), cmocka_unit_test(test_sqlstates),
	    cmocka_unit_test(test_password),	   cmocka_unit_test(test_spec),
	    cmocka_unit_test(test_conninfo_check), cmocka_unit_test(test_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
