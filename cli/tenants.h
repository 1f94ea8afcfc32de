/* cli/tenants.h — the headless fleet commands:
 *   smartops [global options] tenants [-o table|wide|json] [--health H] [--product P]
 *                                     [--watch [--changes]] (cli/tenants_changes.h)
 *   smartops [global options] tenant TCODE [-o table|json]
 * JSON on stdout (docs/cli.md has the shapes), messages on stderr.
 * Exit codes: 0 ok, 1 error, 2 usage, 3 no cluster reachable.
 *
 * The run functions own the whole command (clients, fleet, output) and are
 * called once from main's thread; the render functions are pure and exposed
 * for tests.
 */
#ifndef CLI_TENANTS_H
#define CLI_TENANTS_H

#include <stddef.h>

#include "core/db_info.h"
#include "core/fleet.h"
#include "core/fs_info.h"
#include "util/util.h"

enum {
	TENANTS_EXIT_OK = 0,
	TENANTS_EXIT_ERROR = 1,
	TENANTS_EXIT_USAGE = 2,
	TENANTS_EXIT_UNREACHABLE = 3,
};

/* Options before the command. Strings are borrowed from argv. */
typedef struct tenants_global {
	const char *kubeconfig; /* --kubeconfig F, or NULL */
	const char *contexts;	/* --context a,b, or NULL: the current context */
	int all_contexts;	/* --all-contexts */
	const char *catalog;	/* --catalog URL, or NULL */
	const char *prefix;	/* --prefix, or NULL */
	int readonly;		/* --readonly: every action refused (core/actions) */
	int deadline_s;		/* --deadline: tenants, tenant and runs answer within
				   this many seconds (0: no deadline; the console and
				   --watch have none) */
	int verbose;		/* -v: each request on stderr; -vv: and its headers */
} tenants_global;

/* Sets co's tracing from -v / -vv: lines "smartops: http: ..." on stderr,
 * secrets masked (k8s_client_opts.trace). */
struct k8s_client_opts;
void tenants_client_trace(const tenants_global *g, struct k8s_client_opts *co);

typedef enum tenants_format {
	TENANTS_TABLE,
	TENANTS_WIDE,
	TENANTS_JSON,
} tenants_format;

typedef struct tenants_filter {
	const char *health;  /* comma list of health words, or NULL */
	const char *product; /* "erp", "esocial", or NULL */
} tenants_filter;

/* argv[0] is the command name. Returns the exit code. */
int tenants_run_list(const tenants_global *g, int argc, char **argv);
int tenants_run_one(const tenants_global *g, int argc, char **argv);

/* {"kind":"TenantList",...} on one line, newline-terminated. */
void tenants_render_json(const fleet_snapshot *s, const tenants_filter *flt, strbuf *out);
/* Whether t passes flt (NULL: every tenant does). */
int tenants_filter_matches(const fleet_tenant *t, const tenants_filter *flt);
/* Tenant ti of s as one of a TenantList's "items" ({...}), and cluster ci as
 * one of its "clusters": appended to out. */
void tenants_json_item(const fleet_snapshot *s, size_t ti, strbuf *out);
void tenants_json_cluster(const fleet_snapshot *s, size_t ci, strbuf *out);
/* A table; width 0 = no limit (wide uses 0). */
void tenants_render_table(const fleet_snapshot *s, const tenants_filter *flt, int wide,
			  size_t width, strbuf *out);
/* The same; wide has a DATABASE column from dbi (one per snapshot env, or NULL:
 * "-"): the prod env's database, "<mode> <state>". */
void tenants_render_table_db(const fleet_snapshot *s, const tenants_filter *flt, int wide, size_t width,
			     const db_info *dbi, strbuf *out);
/* One tenant with pods and events (snapshot from a tcode fleet). fc (may be
 * NULL) holds one Hypnus forecast per snapshot environment (s->envs order). */
struct forecast;
void tenants_render_one(const fleet_snapshot *s, const struct forecast *fc, int json, strbuf *out);
/* What is read beside the snapshot, one entry per snapshot env (s->envs order); any
 * may be NULL. env_health, when given, replaces the snapshot's (with the causes of
 * core/health.h's health_env_deps), tenant_health likewise per snapshot tenant. */
typedef struct tenants_deps {
	const db_info *db;		   /* "database" */
	const fs_info *fs;		   /* "fileserver" */
	const health_result *env_health;
	const health_result *tenant_health;
	char *const *custom; /* "custom": an ERP env's RPO as JSON (core/build_info.h), or NULL */
} tenants_deps;
/* The same, with each env's database (dbi: one per snapshot env, or NULL for none) in
 * the JSON as "database". */
void tenants_render_one_db(const fleet_snapshot *s, const struct forecast *fc, const db_info *dbi, int json,
			   strbuf *out);
/* The same, with all of x (may be NULL). */
void tenants_render_one_deps(const fleet_snapshot *s, const struct forecast *fc, const tenants_deps *x, int json,
			     strbuf *out);

#endif
