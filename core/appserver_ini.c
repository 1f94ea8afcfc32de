/* Protheus configuration files (see core/appserver_ini.h). */
#include <ctype.h>
#include <stdio.h>

#include "core/appserver_ini.h"

static const struct {
	const char *role;
	int port;
} roles[] = {
	{"webapp", 8080}, {"rest", 8400}, {"portal", 8081}, {"job", 0}, {"esocial", 8400},
};

int appserver_role_known(const char *role)
{
	size_t i;

	for (i = 0; role && i < ARRAY_SIZE(roles); i++)
		if (!strcmp(roles[i].role, role))
			return 1;
	return 0;
}

int appserver_role_port(const char *role)
{
	size_t i;

	for (i = 0; role && i < ARRAY_SIZE(roles); i++)
		if (!strcmp(roles[i].role, role))
			return roles[i].port;
	return 0;
}

/* "t12345_prod": the database alias shared by appserver.ini and dbaccess.ini. */
static void alias(const ini_target *t, char *buf, size_t size)
{
	size_t i;

	snprintf(buf, size, "%s_%s", t->tcode, t->env);
	for (i = 0; buf[i]; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
}

static void env_section(strbuf *sb, const ini_target *t)
{
	char a[32];

	alias(t, a, sizeof(a));
	sb_adds(sb, "[PROTHEUS12]\n"
		    "SourcePath=/totvs/protheus/apo\n"
		    "RootPath=/totvs/protheus_data\n"
		    "StartPath=/system/\n"
		    "RpoDb=Top\n"
		    "RpoLanguage=Portuguese\n"
		    "RpoVersion=120\n");
	sb_addf(sb, "TopDatabase=%s\nTopServer=dbaccess\nTopPort=7890\nTopAlias=%s\n",
		t->esocial ? "ORACLE" : "POSTGRES", a);
	if (!t->esocial)
		sb_adds(sb, "CustomRpoPath=/totvs/protheus/apo/custom\n");
}

void appserver_ini_render(strbuf *sb, const ini_target *t, const char *role)
{
	int dev = !strcmp(t->env, "dev");

	sb_addf(sb, "; appserver.ini for %s %s, role %s (rendered by smartops)\n", t->tcode, t->env,
		role);
	env_section(sb, t);
	sb_adds(sb, "\n[Drivers]\nActive=TCP\nMultiProtocolPort=1\n"
		    "\n[TCP]\nTYPE=TCPIP\nPort=1234\n");
	sb_addf(sb, "\n[General]\nInstallPath=/totvs\nMaxStringSize=10\nConsoleLog=%d\n"
		    "ConsoleMaxSize=%s\nInactiveTimeout=%d\n",
		dev, dev ? "52428800" : "10485760", dev ? 7200 : 3600);
	sb_adds(sb, "\n[LICENSECLIENT]\nServer=license\nPort=5555\n"
		    "\n[LockServer]\nEnable=1\nServer=lockserver\nPort=1236\n");
	if (!strcmp(role, "webapp")) {
		sb_adds(sb, "\n[WEBAPP]\nPort=8080\nEnvServer=PROTHEUS12\n");
	} else if (!strcmp(role, "rest") || !strcmp(role, "esocial")) {
		sb_addf(sb, "\n[HTTPV11]\nEnable=1\nSockets=HTTPREST\n"
			    "\n[HTTPREST]\nPort=8400\nURIs=HTTPURI\nSecurity=1\n"
			    "\n[HTTPURI]\nURL=%s\nPrepareIn=%s\nInstances=%s\nCORSEnable=1\n"
			    "\n[ONSTART]\nJobs=HTTPJOB\nRefreshRate=120\n"
			    "\n[HTTPJOB]\nMain=HTTP_START\nEnvironment=PROTHEUS12\n",
			!strcmp(role, "esocial") ? "/esocial" : "/rest", dev ? "99" : "All",
			dev ? "1,2" : "2,10");
	} else if (!strcmp(role, "portal")) {
		sb_adds(sb, "\n[HTTP]\nEnable=1\nPort=8081\nPath=/totvs/protheus_data/web/pp\n"
			    "\n[WEBAPP]\nPort=8080\nEnvServer=PROTHEUS12\n");
	} else if (!strcmp(role, "job")) {
		sb_adds(sb, "\n[ONSTART]\nJobs=SCHEDULER,WORKFLOW\nRefreshRate=60\n"
			    "\n[SCHEDULER]\nMain=FWSCHDQUEUE\nEnvironment=PROTHEUS12\n"
			    "\n[WORKFLOW]\nMain=WFONSTART\nEnvironment=PROTHEUS12\n");
	}
}

void dbaccess_ini_render(strbuf *sb, const ini_target *t)
{
	char a[32];

	alias(t, a, sizeof(a));
	sb_addf(sb, "; dbaccess.ini for %s %s (password from Secret db-credentials)\n", t->tcode,
		t->env);
	sb_adds(sb, "[General]\nPort=7890\nLicenseServer=license\nLicensePort=5555\n"
		    "ConsoleFile=/totvs/dbaccess/dbconsole.log\nAuditPort=7891\n\n");
	if (t->esocial)
		sb_addf(sb, "[ORACLE/%s]\nServer=%s\nPort=1521\nService=ESOCIAL\nUser=%s\n", a,
			t->db_host, a);
	else
		sb_addf(sb, "[POSTGRES/%s]\nServer=%s\nPort=5432\nDatabase=protheus\nUser=%s\n"
			    "SSLMode=%s\n",
			a, t->db_host, a, strcmp(t->env, "prod") ? "disable" : "require");
}

void license_ini_render(strbuf *sb, const ini_target *t)
{
	sb_addf(sb, "; licenseserver.ini for %s %s\n", t->tcode, t->env);
	sb_addf(sb, "[LicenseServer]\nEnable=1\nPort=5555\nContract=%s\nEnvironment=%s\n"
		    "Licences=%d\n\n[WebMonitor]\nEnable=1\nPort=8020\n",
		t->tcode, t->env, t->licences);
}
