/* core/db_state.c — the live state of a tenant's database; see db_state.h. */
#include <stdio.h>

#include "core/db_sql.h"
#include "core/db_state.h"
#include "util/resolve.h"
#include "util/util.h"

const char *db_state_name(db_state s)
{
	static const char *const names[] = {"ready", "missing", "unreachable", "unknown"};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

#define MAX_ADDRS 4

/* Where the server is: its name, and the addresses it was found at (libpq's
 * host and hostaddr, one host entry per address), or no hostaddr where libpq
 * looks it up itself (a socket directory, a list of hosts). */
typedef struct target {
	strbuf host, hostaddr;
} target;

/* t->host's addresses, looked up within timeout_s (getaddrinfo in libpq has no
 * limit of its own). 0, or -1 with why in buf. */
static int target_find(const db_creds *t, int timeout_s, target *tg, char *buf, size_t size)
{
	char addrs[MAX_ADDRS][UTIL_ADDR_SIZE], why[128];
	size_t n = 0;
	int rc;

	sb_init(&tg->host, 64);
	sb_init(&tg->hostaddr, 64);
	if (t->host[0] == '/' || strchr(t->host, ',')) {
		sb_adds(&tg->host, t->host);
		return 0;
	}
	rc = util_resolve(t->host, timeout_s * 1000, addrs, MAX_ADDRS, &n, why, sizeof(why));
	if (rc != UTIL_RESOLVE_OK) {
		snprintf(buf, size, "could not translate host name \"%.64s\" to address: %.90s", t->host, why);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sb_adds(&tg->host, i ? "," : "");
		sb_adds(&tg->host, t->host);
		sb_adds(&tg->hostaddr, i ? "," : "");
		sb_adds(&tg->hostaddr, addrs[i]);
	}
	return 0;
}

static void target_release(target *tg)
{
	sb_release(&tg->host);
	sb_release(&tg->hostaddr);
}

static PGconn *tenant_session(const db_creds *t, const target *tg, const char *dbname, int timeout_s)
{
	char tmo[16];
	const char *keys[] = {"host", "port", "dbname", "user", "password", "sslmode", "connect_timeout",
			      "application_name", "options", "hostaddr", NULL};
	const char *vals[] = {tg->host.buf, t->port ? t->port : "5432", dbname, t->user, t->password,
			      t->sslmode ? t->sslmode : "prefer", tmo, "smartops-check",
			      "-c statement_timeout=5000", tg->hostaddr.len ? tg->hostaddr.buf : NULL, NULL};

	snprintf(tmo, sizeof(tmo), "%d", timeout_s > 0 ? timeout_s : 5);
	return PQconnectdbParams(keys, vals, 0);
}

static void line_of(PGconn *c, char *buf, size_t size)
{
	util_strlcpy(buf, c ? PQerrorMessage(c) : "out of memory", size);
	buf[strcspn(buf, "\n")] = '\0';
}

static db_state ready(PGconn *c, const db_creds *t, db_state_result *out)
{
	db_err err;
	PGresult *r = db_sql_run(c, "reading the database's size",
				 "SELECT pg_database_size(current_database()), "
				 "pg_size_pretty(pg_database_size(current_database())), "
				 "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
				 " AND pid <> pg_backend_pid())",
				 0, NULL, &err);

	out->state = DB_STATE_READY;
	if (!r) {
		snprintf(out->detail, sizeof(out->detail), "logged in as %.64s; %.300s", t->user, err.msg);
		return out->state;
	}
	out->size_bytes = atoll(PQgetvalue(r, 0, 0));
	out->connections = atoi(PQgetvalue(r, 0, 2));
	snprintf(out->detail, sizeof(out->detail), "size %s, %d other connection%s", PQgetvalue(r, 0, 1),
		 out->connections, out->connections == 1 ? "" : "s");
	PQclear(r);
	return out->state;
}

/* 1 role missing, 2 database missing, 0 both there, -1 cannot tell. */
static int catalog_says(PGconn *c, const db_creds *t)
{
	const char *p[2] = {t->user, t->database};
	db_err err;
	PGresult *r = db_sql_run(c, "reading pg_roles and pg_database",
				 "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), "
				 "EXISTS (SELECT 1 FROM pg_database WHERE datname = $2)",
				 2, p, &err);
	int ret;

	if (!r)
		return -1;
	ret = strcmp(PQgetvalue(r, 0, 0), "t") ? 1 : strcmp(PQgetvalue(r, 0, 1), "t") ? 2 : 0;
	PQclear(r);
	return ret;
}

db_state db_state_check(const db_creds *t, const pg_conn_opts *admin, int timeout_s, db_state_result *out)
{
	char line[200], where[96];
	PGconn *c, *a = NULL;
	target tg;
	int says = -1;

	memset(out, 0, sizeof(*out));
	out->state = DB_STATE_UNKNOWN;
	snprintf(where, sizeof(where), "%.64s:%.16s", t->host ? t->host : "?", t->port ? t->port : "5432");
	if (!t->host || !*t->host || !t->database || !*t->database || !t->user || !*t->user) {
		snprintf(out->detail, sizeof(out->detail), "db-credentials lacks the host, database or username");
		return out->state;
	}
	/* the name looked up once, within the timeout, for every session below */
	if (target_find(t, timeout_s > 0 ? timeout_s : 5, &tg, line, sizeof(line)) < 0) {
		target_release(&tg);
		out->state = DB_STATE_UNREACHABLE;
		snprintf(out->detail, sizeof(out->detail), "%s does not answer: %s", where, line);
		return out->state;
	}
	c = tenant_session(t, &tg, t->database, timeout_s);
	if (c && PQstatus(c) == CONNECTION_OK) {
		ready(c, t, out);
		PQfinish(c);
		target_release(&tg);
		return out->state;
	}
	line_of(c, line, sizeof(line));
	PQfinish(c);
	{
		const char *keys[] = {"host", "port", "dbname", "connect_timeout", "hostaddr", NULL};
		char tmo[16];
		const char *vals[] = {tg.host.buf, t->port ? t->port : "5432", "postgres", tmo,
				      tg.hostaddr.len ? tg.hostaddr.buf : NULL, NULL};
		PGPing ping;

		snprintf(tmo, sizeof(tmo), "%d", timeout_s > 0 ? timeout_s : 5);
		ping = PQpingParams(keys, vals, 0);
		if (ping != PQPING_OK) {
			target_release(&tg);
			out->state = DB_STATE_UNREACHABLE;
			snprintf(out->detail, sizeof(out->detail), "%s %s: %s", where,
				 ping == PQPING_REJECT ? "does not accept connections now" : "does not answer", line);
			return out->state;
		}
	}
	/* the server answered and refused us: is the database or role there? */
	if (admin) {
		db_err err;
		if ((a = pg_conn_open(admin, &err)))
			says = catalog_says(a, t);
	}
	if (says < 0) {
		if (a)
			PQfinish(a);
		a = tenant_session(t, &tg, "postgres", timeout_s);
		says = a && PQstatus(a) == CONNECTION_OK ? catalog_says(a, t) : -1;
	}
	if (a)
		PQfinish(a);
	target_release(&tg);
	if (says == 1 || says == 2) {
		out->state = DB_STATE_MISSING;
		snprintf(out->detail, sizeof(out->detail), "%s %s does not exist on %s", says == 1 ? "role" : "database",
			 says == 1 ? t->user : t->database, where);
	} else {
		out->state = DB_STATE_UNREACHABLE;
		snprintf(out->detail, sizeof(out->detail), "%s refuses the credentials of db-credentials: %s", where,
			 line);
	}
	return out->state;
}
