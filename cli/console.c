/* cli/console.c — the console on real clusters or on the embedded demo. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/clusters.h"
#include "cli/console.h"
#include "sim/server.h"
#include "views/app.h"
#include "util/util.h"

#define DEMO_FLEET 200
#define DEMO_SEED 1
#define DEMO_TIME_SCALE 60.0

static int run_on(const tenants_global *g, const console_opts *co, const char *banner)
{
	cli_clusters cs;
	app_opts ao = {0};
	char *cdir = cli_cache_dir();
	const char *nc = getenv("NO_COLOR");
	int ret;

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
	ret = app_run(&ao);
	if (ret >= 128) { /* watchers still run on the clients: leave them be */
		free(cdir);
		return ret;
	}
	cli_clusters_release(&cs);
	free(cdir);
	return ret;
}

static int run_demo(const tenants_global *g, const console_opts *co)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/smartops-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *kc = NULL, err[512], banner[64];
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
	srv = sim_server_start(&so, err, sizeof(err));
	if (!srv) {
		error("cannot start the demo cluster: %s", err);
		ret = TENANTS_EXIT_ERROR;
		goto out;
	}
	dg.kubeconfig = kc;
	dg.contexts = NULL;
	dg.all_contexts = 0;
	snprintf(banner, sizeof(banner), "DEMO: kubesim, %d tenants, clock x%.0f", DEMO_FLEET,
		 DEMO_TIME_SCALE);
	ret = run_on(&dg, co, banner);
	if (ret < 128) /* after a signal or hang-up the process ends at once */
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
	return co->demo ? run_demo(g, co) : run_on(g, co, NULL);
}
