/* core/appserver_ini.h — the configuration files of a Protheus environment,
 * rendered as text: appserver.ini per public role, dbaccess.ini and the
 * LicenseServer's ini. Pure functions appending to a caller-owned strbuf; safe
 * from any thread. Passwords never appear: dbaccess reads them from the
 * db-credentials Secret at start.
 *
 * Roles: "webapp" (WebApp on 8080 and SmartClient on 1234), "rest" (REST on
 * 8400), "portal" (HTTP portal on 8081), "job" (scheduler, no public port),
 * "esocial" (the eSocial REST service). */
#ifndef CORE_APPSERVER_INI_H
#define CORE_APPSERVER_INI_H

#include "util/util.h"

typedef struct ini_target {
	const char *tcode;    /* "T12345" */
	const char *env;      /* "prod" | "dev" */
	int esocial;	      /* Oracle instead of PostgreSQL, no custom RPO */
	const char *db_host;  /* database server for dbaccess.ini */
	int licences;	      /* for the LicenseServer */
} ini_target;

/* 1 for a role name listed above. */
int appserver_role_known(const char *role);
/* The port a role serves on (its Ingress backend), 0 for "job". */
int appserver_role_port(const char *role);

void appserver_ini_render(strbuf *sb, const ini_target *t, const char *role);
void dbaccess_ini_render(strbuf *sb, const ini_target *t);
void license_ini_render(strbuf *sb, const ini_target *t);

#endif
