/* core/oracle_handoff.h — a Smart eSocial tenant's Oracle, handed off: smartops
 * never makes an Oracle database (Oracle runs on VMs or bare metal, never in the
 * cluster). The database wizard writes where it is (dbaccess.ini's
 * [ORACLE/<alias>], Secret db-credentials) and the script a DBA runs to make the
 * user, its tablespace and grants; the namespace is annotated
 * <prefix>db-handoff=pending until an operator marks it done.
 * Pure; safe from any thread.
 */
#ifndef CORE_ORACLE_HANDOFF_H
#define CORE_ORACLE_HANDOFF_H

#include <stddef.h>

#include "util/util.h"

#define ORACLE_DEFAULT_PORT "1521"
#define ORACLE_HANDOFF_CM "db-handoff"	  /* ConfigMap of the namespace: key dba.sql */
#define ORACLE_HANDOFF_KEY "dba.sql"
#define ORACLE_HANDOFF_ANNOTATION "db-handoff" /* pending | done */

typedef struct oracle_target {
	const char *tcode; /* "T12345" */
	const char *env;   /* "prod" */
	const char *host;  /* "ora01.example" */
	const char *port;  /* "1521" */
	const char *service; /* "ESOCIAL" */
	const char *user;  /* "T12345_PROD" */
} oracle_target;

/* 0 when every field is well formed (a host name or address; a port 1..65535;
 * a service name of letters, digits, '.', '_', '-'; a user of a letter then up to
 * 29 letters, digits, '_', '$', '#'), else -1 with a sentence naming the option. */
int oracle_target_check(const oracle_target *t, char *err, size_t errsz);

/* 0 when password can be an Oracle password given to the DBA's script: 1 to 30
 * printable ASCII characters without '"' (the script quotes it), else -1 with a
 * sentence that never repeats it. */
int oracle_password_check(const char *password, char *err, size_t errsz);

/* The default user: the alias in upper case, "T12345_PROD". */
void oracle_default_user(const char *tcode, const char *env, char *out, size_t size);

/* The DBA's script (SQL*Plus), appended to out: the tablespace, the user (its
 * password to be taken from Secret <ns>/db-credentials, never written here),
 * its quota and grants. */
void oracle_dba_script(const oracle_target *t, const char *ns, strbuf *out);

#endif
