/* core/oracle_handoff.c — see oracle_handoff.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/oracle_handoff.h"

static int host_ok(const char *h)
{
	size_t n = strlen(h);

	if (!n || n > 253 || *h == '-' || *h == '.')
		return 0;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '-' || *h == '.' || *h == ':'))
			return 0;
	return 1;
}

int oracle_target_check(const oracle_target *t, char *err, size_t errsz)
{
	const char *p;
	char *end;
	long port;

	if (!t->host || !host_ok(t->host))
		return util_seterr(err, errsz, "--oracle-host \"%.60s\" is not a host name or address (e.g. ora01.example.com)",
				   t->host ? t->host : "");
	port = t->port ? strtol(t->port, &end, 10) : 0;
	if (!t->port || !*t->port || *end || port < 1 || port > 65535)
		return util_seterr(err, errsz, "--oracle-port \"%.20s\" is not a port (1..65535; Oracle's is 1521)",
				   t->port ? t->port : "");
	if (!t->service || !*t->service || strlen(t->service) > 64)
		return util_seterr(err, errsz, "--oracle-service is required: the database's service name, e.g. ESOCIAL");
	for (p = t->service; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-'))
			return util_seterr(err, errsz,
					   "--oracle-service \"%.64s\" may hold only letters, digits, '.', '_' and '-'", t->service);
	if (!t->user || !isalpha((unsigned char)*t->user) || strlen(t->user) > 30)
		return util_seterr(err, errsz, "--oracle-user \"%.40s\" must start with a letter and have at most 30 characters",
				   t->user ? t->user : "");
	for (p = t->user; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '$' || *p == '#'))
			return util_seterr(err, errsz, "--oracle-user \"%.30s\" may hold only letters, digits, '_', '$' and '#'",
					   t->user);
	return 0;
}

int oracle_password_check(const char *password, char *err, size_t errsz)
{
	size_t i, n = strlen(password);

	if (n == 0 || n > 30)
		return util_seterr(err, errsz, "--oracle-password: %zu characters; an Oracle password has 1 to 30 "
					       "(or leave it empty for the DBA to choose)", n);
	for (i = 0; i < n; i++)
		if (password[i] < 0x20 || password[i] > 0x7e || password[i] == '"')
			return util_seterr(err, errsz, "--oracle-password: character %zu is %s; use printable ASCII "
						       "without '\"' (the DBA's script quotes it)",
					   i + 1, password[i] == '"' ? "'\"'" : "not printable ASCII");
	return 0;
}

void oracle_default_user(const char *tcode, const char *env, char *out, size_t size)
{
	size_t i;

	snprintf(out, size, "%s_%s", tcode, env);
	for (i = 0; out[i]; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

void oracle_dba_script(const oracle_target *t, const char *ns, strbuf *out)
{
	char user[64], ts[80];
	size_t i;

	snprintf(user, sizeof(user), "%s", t->user);
	for (i = 0; user[i]; i++)
		user[i] = (char)toupper((unsigned char)user[i]);
	snprintf(ts, sizeof(ts), "%s_DATA", user);
	sb_addf(out, "-- Oracle for %s %s (Smart eSocial), handed off to the DBA by smartops.\n", t->tcode, t->env);
	sb_addf(out, "-- Service %s on %s:%s. Run as a DBA in SQL*Plus; then mark it done:\n", t->service, t->host, t->port);
	sb_addf(out, "--   smartops db handoff-done --tcode %s --env %s\n", t->tcode, t->env);
	sb_addf(out, "-- The user's password is the one in Secret %s/db-credentials (key password),\n", ns);
	sb_adds(out, "-- or one of your choosing, then put there: smartops db set-password --password-stdin.\n");
	sb_adds(out, "WHENEVER SQLERROR EXIT SQL.SQLCODE\n");
	sb_addf(out, "CREATE BIGFILE TABLESPACE %s DATAFILE SIZE 2G AUTOEXTEND ON NEXT 512M MAXSIZE UNLIMITED;\n", ts);
	sb_addf(out, "CREATE USER %s IDENTIFIED BY \"&password\" DEFAULT TABLESPACE %s TEMPORARY TABLESPACE TEMP "
		     "QUOTA UNLIMITED ON %s;\n",
		user, ts, ts);
	sb_addf(out, "GRANT CREATE SESSION, CREATE TABLE, CREATE VIEW, CREATE SEQUENCE, CREATE PROCEDURE, "
		     "CREATE TRIGGER, CREATE SYNONYM, CREATE TYPE TO %s;\n",
		user);
	sb_addf(out, "GRANT SELECT ON SYS.V_$SESSION TO %s;\n", user);
	sb_adds(out, "EXIT\n");
}
