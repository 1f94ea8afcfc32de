/* cli/console.c — the console on real clusters or on the embedded demo. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/clusters.h"
#include "cli/console.h"
#include "k8s/exec_cred.h"
#include "sim/server.h"
#include "views/app.h"
#include "util/util.h"

#define DEMO_FLEET 200
#define DEMO_SEED 1
#define DEMO_TIME_SCALE 60.0

/* Set when the console returned with threads still blocked on the network
 * (after a signal, or a quit that did not wait for them). */
static int left_running;

static int run_on(const tenants_global *g, const console_opts *co, const char *banner)
{
	cli_clusters cs;
	static app_opts ao; /* abandoned threads may still read it until the exit */
	char *cdir = cli_cache_dir();
	const char *nc = getenv("NO_COLOR");
	int ret;

	memset(&ao, 0, sizeof(ao));
	if (cli_clusters_open(g, &cs) < 0) {
		free(cdir);
		return TENANTS_EXIT_ERROR;
	}
	ao.clusters = cs.cfg;
	ao.n_clusters = cs.n;
	ao.users = (const char *const *)cs.users;
	ao.prefix = g->prefix;
	ao.cache_dir = cdir;
	ao.theme = co->theme;
	ao.readonly = co->readonly;
	ao.no_color = nc && *nc;
	ao.script = co->script;
	ao.tenant = co->tenant;
	ao.banner = banner;
	ao.left_running = &left_running;
	ret = app_run(&ao);
	if (ret >= 128)
		left_running = 1;
	if (left_running) /* watchers or workers still use the clients: leave them be */
		return ret;
	cli_clusters_release(&cs);
	free(cdir);
	return ret;
}

static int run_demo(const tenants_global *g, const console_opts *co)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/smartops-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *kc = NULL, err[512], banner[200];
	sim_server_opts so = {0};
	tenants_global dg = *g;
	sim_server *srv;
	int ret;

	if (!mkdtemp(dir)) {
		error("cannot make a temporary folder for the demo: %s", strerror(errno));
		free(dir);
		return TENANTS_EXIT_ERROR;
	}
	kc = xasprintf("%s/kubeconfig", dir);
	so.port = 0;
	so.kubeconfig_out = kc;
	so.fleet = DEMO_FLEET;
	so.seed = DEMO_SEED;
	so.time_scale = DEMO_TIME_SCALE;
	so.quiet = 1;
	so.managed_postgres = co->demo_pg;
	so.managed_postgres_password_file = co->demo_pg_password_file;
	so.custom_repo = co->demo_custom_repo;
	srv = sim_server_start(&so, err, sizeof(err));
	if (!srv) {
		error("cannot start the demo cluster: %s", err);
		ret = TENANTS_EXIT_ERROR;
		goto out;
	}
	dg.kubeconfig = kc;
	dg.contexts = NULL;
	dg.all_contexts = 0;
	snprintf(banner, sizeof(banner), "DEMO: kubesim, %d tenants, clock x%.0f%s%.120s", DEMO_FLEET,
		 DEMO_TIME_SCALE, co->demo_pg ? ", managed PostgreSQL up" : co->demo_pg_missing ? "; no PostgreSQL: " : "",
		 co->demo_pg ? "" : co->demo_pg_missing ? co->demo_pg_missing : "");
	ret = run_on(&dg, co, banner);
	if (!left_running) /* else the process ends at once, its threads with it */
		sim_server_stop(srv);
out:
	unlink(kc);
	rmdir(dir);
	free(kc);
	free(dir);
	return ret;
}

int console_run(const tenants_global *g, const console_opts *co)
{
	int ret = co->demo ? run_demo(g, co) : run_on(g, co, NULL);

	if (left_running) {
		/* Threads blocked on the network are still there: end without
		 * the libraries' exit handlers tearing state down under them
		 * (the terminal was given back already; nothing more is written). */
		fflush(NULL);
		k8s_exec_kill_running(); /* a credential plugin one of them waits for */
		_exit(ret);
	}
	return ret;
}
