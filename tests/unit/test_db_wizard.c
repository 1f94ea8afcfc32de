/* Unit tests for the database wizard's pure parts: dbaccess.ini edited as text,
 * the mark a run leaves in the catalog comment, the PostgreSQL steps' journal
 * reference (read back from a journal anyone may edit), the server of a
 * conninfo, and the step bodies the plan shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/db_spec.h"
#include "core/dbaccess_ini.h"
#include "core/db_container.h"
#include "core/oracle_handoff.h"
#include "core/step_pg.h"
#include "util/util.h"

static const char *const ini =
    "; dbaccess.ini for T12345 prod (password from Secret db-credentials)\n"
    "[General]\nPort=7890\nLicenseServer=license\n\n"
    "[POSTGRES/t12345_prod]\nServer=dbaccess-db\nport = 5432\nDatabase=protheus\nUser=t12345_prod\nSSLMode=require\n";

static void test_ini_set_in_place(void **state)
{
	dbaccess_kv kv[] = {{"Server", "pg.example"}, {"Port", "6432"}, {"Database", "t12345_prod"}};
	char *out = dbaccess_ini_set(ini, "postgres/T12345_PROD", kv, 3, NULL);

	(void)state;
	assert_string_equal(out,
			    "; dbaccess.ini for T12345 prod (password from Secret db-credentials)\n"
			    "[General]\nPort=7890\nLicenseServer=license\n\n"
			    "[POSTGRES/t12345_prod]\nServer=pg.example\nport=6432\nDatabase=t12345_prod\n"
			    "User=t12345_prod\nSSLMode=require\n");
	free(out);
}

static void test_ini_set_adds(void **state)
{
	dbaccess_kv kv[] = {{"Server", "h"}, {"Port", "1"}};
	const char *text = "[A]\nx=1\n\n[B]\ny=2\n";
	char *out;

	(void)state;
	/* a key the section lacks goes at its end, before the blank line */
	out = dbaccess_ini_set(text, "A", kv, 2, NULL);
	assert_string_equal(out, "[A]\nx=1\nServer=h\nPort=1\n\n[B]\ny=2\n");
	free(out);
	/* a missing section is appended */
	out = dbaccess_ini_set(text, "POSTGRES/t1_prod", kv, 1, NULL);
	assert_string_equal(out, "[A]\nx=1\n\n[B]\ny=2\n\n[POSTGRES/t1_prod]\nServer=h\n");
	free(out);
	/* a dropped section goes whole; a key given twice in the text is written once */
	{
		const char *const drop[] = {"b", NULL};

		out = dbaccess_ini_set("[A]\nServer=a\nServer=b\n\n[B]\ny=2\n\n[C]\nz=3\n", "A", kv, 1, drop);
		assert_string_equal(out, "[A]\nServer=h\n\n[C]\nz=3\n");
		free(out);
	}
	/* CRLF lines and comments are kept; the same edit twice is the same text */
	out = dbaccess_ini_set("[A]\r\n; Server=old\r\nServer=x\r\n", "A", kv, 1, NULL);
	assert_string_equal(out, "[A]\r\n; Server=old\r\nServer=h\n");
	{
		char *again = dbaccess_ini_set(out, "A", kv, 1, NULL);

		assert_string_equal(again, out);
		free(again);
	}
	free(out);
	out = dbaccess_ini_set("", "A", kv, 1, NULL);
	assert_string_equal(out, "[A]\nServer=h\n");
	free(out);
}

/* A namespace re-apply: its own keys as planned, the database wizard's and the
 * promotion's kept. */
static void test_ini_merge(void **state)
{
	static const char *const sections[] = {"POSTGRES/", "ORACLE/", NULL};
	static const char *const keys[] = {"Server", "Port", "Database", "User", "Service", NULL};
	const char *live = "; by the database wizard\n[General]\nPort=7890\nLicenseServer=old-license\n\n"
			   "[POSTGRES/t12345_prod]\nServer=pg.example\nPort = 6432\nDatabase=t12345_prod\n"
			   "User=t12345_prod\nSSLMode=require\n";
	char *out;

	(void)state;
	out = dbaccess_ini_merge(ini, live, sections, keys);
	assert_string_equal(out,
			    "; dbaccess.ini for T12345 prod (password from Secret db-credentials)\n"
			    "[General]\nPort=7890\nLicenseServer=license\n\n"
			    "[POSTGRES/t12345_prod]\nServer=pg.example\nport=6432\nDatabase=t12345_prod\n"
			    "User=t12345_prod\nSSLMode=require\n");
	free(out);
	/* appserver.ini: a key and a section the plan lacks kept, the plan's own keys as planned */
	out = dbaccess_ini_merge("[PROTHEUS12]\nSourcePath=/a\nRootPath=/r\n\n[TCP]\nPort=1234\n",
				 "[PROTHEUS12]\nSourcePath=/old\nRootPath=/r\nRPOCustom=s3://b/custom.rpo\n\n"
				 "[TCP]\nPort=1234\n\n[Extra]\nx=1\n",
				 NULL, keys);
	assert_string_equal(out, "[PROTHEUS12]\nSourcePath=/a\nRootPath=/r\nRPOCustom=s3://b/custom.rpo\n\n"
				 "[TCP]\nPort=1234\n\n[Extra]\nx=1\n");
	free(out);
	/* where live has it: after the key before it */
	out = dbaccess_ini_merge("[P]\nSourcePath=/a\nCustomRpoPath=/c\nRootPath=/r\n",
				 "[P]\nSourcePath=/a\nCustomRpoPath=/c\nRPOCustom=x\nRootPath=/r\n", NULL, keys);
	assert_string_equal(out, "[P]\nSourcePath=/a\nCustomRpoPath=/c\nRPOCustom=x\nRootPath=/r\n");
	free(out);
	/* nothing live: as planned */
	out = dbaccess_ini_merge(ini, "", sections, keys);
	assert_string_equal(out, ini);
	free(out);
}

static void test_ini_hash(void **state)
{
	char a[17], b[17], c[17];

	(void)state;
	dbaccess_ini_hash("[A]\nx=1\n", a);
	dbaccess_ini_hash("[A]\nx=1\n", b);
	dbaccess_ini_hash("[A]\nx=2\n", c);
	assert_int_equal(strlen(a), 16);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	dbaccess_ini_hash("", a);
	assert_string_equal(a, "cbf29ce484222325"); /* FNV-1a 64 of nothing: its offset basis */
}

static void test_mark(void **state)
{
	db_spec s;
	db_err err;
	char c[128], run[48];

	(void)state;
	assert_int_equal(db_spec_init(&s, "T12345", TCODE_ENV_PROD, &err), DB_OK);
	db_spec_comment(&s, c, sizeof(c));
	assert_string_equal(c, "smartops tenant T12345 prod");
	util_strlcpy(s.run, "t12345-20261128153012-a1b2", sizeof(s.run));
	assert_int_equal(db_spec_check(&s, &err), DB_OK);
	db_spec_comment(&s, c, sizeof(c));
	assert_string_equal(c, "smartops tenant T12345 prod run t12345-20261128153012-a1b2");
	assert_int_equal(db_spec_marked(&s, c, run, sizeof(run)), 1);
	assert_string_equal(run, "t12345-20261128153012-a1b2");
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12345 prod", run, sizeof(run)), 1);
	assert_string_equal(run, "");
	/* another tenant, another env, a longer word, a bad run: not the mark */
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12346 prod", run, sizeof(run)), 0);
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12345 dev", NULL, 0), 0);
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12345 production", NULL, 0), 0);
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12345 prod run ", NULL, 0), 0);
	assert_int_equal(db_spec_marked(&s, "smartops tenant T12345 prod run X'; --", NULL, 0), 0);
	assert_int_equal(db_spec_marked(&s, "", NULL, 0), 0);
	util_strlcpy(s.run, "Bad Run", sizeof(s.run));
	assert_int_equal(db_spec_check(&s, &err), DB_INVALID);
}

static void test_ref(void **state)
{
	char ref[200], kind[16], env[8], name[DB_NAME_SIZE], ci[STEP_PG_CONNINFO_MAX + 1], err[200];
	const char *conninfo = "host=pg.example port=5432 user=admin dbname=postgres sslmode=verify-full";
	static const char *const bad[] = {
	    "/api/v1/namespaces/x",
	    "pg:stage/role/t12345_prod host=x",
	    "pg:prod/table/t12345_prod host=x",
	    "pg:prod/role/T12345_PROD host=x",
	    "pg:prod/role/t12345_prod",
	    "pg:prod/role/t12345_prod host=x password=secret",
	    "pg:prod/role/t12345_prod host='x",
	    "pg:prod//t12345_prod host=x",
	};
	size_t i;

	(void)state;
	step_pg_ref_make("database", "prod", "t12345_prod", conninfo, ref, sizeof(ref));
	assert_string_equal(ref, "pg:prod/database/t12345_prod host=pg.example port=5432 user=admin dbname=postgres "
				 "sslmode=verify-full");
	assert_int_equal(step_pg_ref_parse(ref, kind, env, name, ci, sizeof(ci), err, sizeof(err)), 0);
	assert_string_equal(kind, "database");
	assert_string_equal(env, "prod");
	assert_string_equal(name, "t12345_prod");
	assert_string_equal(ci, conninfo);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(step_pg_ref_parse(bad[i], kind, env, name, ci, sizeof(ci), err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
}

static void test_server(void **state)
{
	char host[256], port[16], err[200];

	(void)state;
	assert_int_equal(step_pg_server("host=pg.example port=6432 user=a", host, sizeof(host), port, sizeof(port),
				       err, sizeof(err)), 0);
	assert_string_equal(host, "pg.example");
	assert_string_equal(port, "6432");
	assert_int_equal(step_pg_server("postgresql://admin@db.internal/postgres?sslmode=require", host,
				       sizeof(host), port, sizeof(port), err, sizeof(err)), 0);
	assert_string_equal(host, "db.internal");
	assert_string_equal(port, "5432");
	assert_int_equal(step_pg_server("host=x password=y", host, sizeof(host), port, sizeof(port), err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "password"));
}

static void test_body(void **state)
{
	db_spec s;
	db_err err;
	cJSON *b;
	const cJSON *st;
	char *text;

	(void)state;
	assert_int_equal(db_spec_init(&s, "T12345", TCODE_ENV_PROD, &err), DB_OK);
	b = step_pg_body(&s, DB_STEP_ROLE, "host=pg.example user=admin", "t12345-prod");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "server")->valuestring, "pg.example:5432");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "secret")->valuestring, "t12345-prod/db-credentials");
	st = cJSON_GetObjectItemCaseSensitive(b, "statements");
	assert_int_equal(cJSON_GetArraySize(st), 2);
	assert_non_null(strstr(cJSON_GetArrayItem(st, 0)->valuestring, "PASSWORD '<SCRAM-SHA-256 verifier"));
	assert_string_equal(cJSON_GetArrayItem(st, 1)->valuestring,
			    "COMMENT ON ROLE \"t12345_prod\" IS 'smartops tenant T12345 prod run <run id>'");
	text = cJSON_PrintUnformatted(b);
	assert_null(strstr(text, "SCRAM-SHA-256$")); /* never a verifier, let alone a password */
	cJSON_free(text);
	cJSON_Delete(b);
	b = step_pg_body(&s, DB_STEP_DATABASE, "host=pg.example user=admin", "t12345-prod");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "encoding")->valuestring, "WIN1252");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "collate")->valuestring, "C");
	cJSON_Delete(b);
}

static void test_oracle(void **state)
{
	oracle_target t = {.tcode = "T12345", .env = "prod", .host = "ora01.example.com", .port = "1521",
			   .service = "ESOCIAL", .user = "T12345_PROD"};
	char err[200], user[64];
	strbuf sb;

	(void)state;
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), 0);
	oracle_default_user("T12345", "dev", user, sizeof(user));
	assert_string_equal(user, "T12345_DEV");
	t.host = "ora01;rm -rf";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--oracle-host"));
	t.host = "10.0.0.7";
	t.port = "15210x";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--oracle-port"));
	t.port = "1522";
	t.service = "";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--oracle-service is required"));
	t.service = "ESOCIAL'--";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	t.service = "esocial.pdb1";
	t.user = "1ABC";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--oracle-user"));
	t.user = "T12345 PROD";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), -1);
	t.user = "t12345_prod";
	assert_int_equal(oracle_target_check(&t, err, sizeof(err)), 0);
	sb_init(&sb, 1024);
	oracle_dba_script(&t, "t12345-prod", &sb);
	assert_non_null(strstr(sb.buf, "CREATE BIGFILE TABLESPACE T12345_PROD_DATA"));
	assert_non_null(strstr(sb.buf, "CREATE USER T12345_PROD IDENTIFIED BY \"&password\" DEFAULT TABLESPACE T12345_PROD_DATA"));
	assert_non_null(strstr(sb.buf, "GRANT CREATE SESSION"));
	assert_non_null(strstr(sb.buf, "Secret t12345-prod/db-credentials"));
	assert_non_null(strstr(sb.buf, "smartops db handoff-done --tcode T12345 --env prod"));
	assert_non_null(strstr(sb.buf, "esocial.pdb1 on 10.0.0.7:1522"));
	sb_release(&sb);
	/* the password typed once: 1..30 printable characters, no '"'; a refusal never repeats it */
	assert_int_equal(oracle_password_check("Tr0ub4dor&3", err, sizeof(err)), 0);
	assert_int_equal(oracle_password_check("0123456789abcdefghijklmnopqrst", err, sizeof(err)), 0);
	assert_int_equal(oracle_password_check("0123456789abcdefghijklmnopqrstu", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 30"));
	assert_null(strstr(err, "0123456789"));
	assert_int_equal(oracle_password_check("sec\"ret", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "character 4"));
	assert_null(strstr(err, "sec"));
	assert_int_equal(oracle_password_check("qwz\there", err, sizeof(err)), -1);
	assert_null(strstr(err, "qwz"));
}

static void test_container(void **state)
{
	db_container d = {.tcode = "T12345", .env = "dev", .ns = "t12345-dev", .name = "t12345_dev", .size = "20Gi"};
	cJSON *o;
	char host[64], *text;

	(void)state;
	assert_string_equal(db_container_size(NULL), "20Gi");
	assert_string_equal(db_container_size("s"), "10Gi");
	assert_string_equal(db_container_size("l"), "50Gi");
	assert_null(db_container_size("xl"));
	db_container_host(&d, host, sizeof(host));
	assert_string_equal(host, "postgres.t12345-dev.svc");
	o = db_container_secret(&d, "S3cretS3cretS3cretS3cretS3cret12");
	text = cJSON_PrintUnformatted(o);
	/* base64 only, never the password as typed */
	assert_null(strstr(text, "S3cretS3cret"));
	assert_non_null(strstr(text, "\"password\":\"UzNjcmV0UzNjcmV0UzNjcmV0UzNjcmV0UzNjcmV0MTI=\""));
	cJSON_free(text);
	cJSON_Delete(o);
	o = db_container_statefulset(&d);
	text = cJSON_PrintUnformatted(o);
	assert_non_null(strstr(text, "\"serviceName\":\"postgres\""));
	assert_non_null(strstr(text, "\"storage\":\"20Gi\""));
	assert_non_null(strstr(text, "pg_isready"));
	assert_non_null(strstr(text, "\"image\":\"postgres:15\""));
	cJSON_free(text);
	cJSON_Delete(o);
	o = db_container_service(&d);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "spec"), "clusterIP")->valuestring,
			    "None");
	cJSON_Delete(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ini_set_in_place), cmocka_unit_test(test_ini_set_adds),
	    cmocka_unit_test(test_ini_merge), cmocka_unit_test(test_ini_hash),	      cmocka_unit_test(test_mark),
	    cmocka_unit_test(test_ref),		      cmocka_unit_test(test_server),
	    cmocka_unit_test(test_body),	      cmocka_unit_test(test_oracle),
	    cmocka_unit_test(test_container),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
