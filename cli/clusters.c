/* cli/clusters.c — the clusters of the kubeconfig, shared by the commands and the console. */
#include <stdio.h>
#include <string.h>

#include "cli/clusters.h"
#include "core/catalog.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

void cli_clusters_release(cli_clusters *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		k8s_client_free(cs->clients[i]);
		free(cs->names[i]);
		free(cs->urls[i]);
		free(cs->whys[i]);
		free(cs->servers[i]);
		free(cs->users[i]);
	}
	free(cs->cfg);
	free(cs->clients);
	free(cs->names);
	free(cs->urls);
	free(cs->whys);
	free(cs->servers);
	free(cs->users);
	memset(cs, 0, sizeof(*cs));
}

/* catalog = URL from $XDG_CONFIG_HOME/smartops/config (or ~/.config/...). */
static char *config_catalog(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *path, line[1024], *ret = NULL;
	FILE *fp;

	if (xdg && *xdg)
		path = xasprintf("%s/smartops/config", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/smartops/config", home);
	else
		return NULL;
	fp = fopen(path, "r");
	free(path);
	if (!fp)
		return NULL;
	while (!ret && fgets(line, sizeof(line), fp)) {
		char *p = line, *v;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "catalog", 7))
			continue;
		v = p + 7;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, " \t\r\n")] = '\0';
		if (*v)
			ret = xstrdup(v);
	}
	fclose(fp);
	return ret;
}

/* One cluster per context; a context that cannot be loaded is a usage error. */
int cli_clusters_open(const tenants_global *g, cli_clusters *cs)
{
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig};
	char err[512], **names = NULL, *cur = NULL, *file_catalog = config_catalog();
	char **list = NULL;
	size_t n = 0, i;
	int ret = -1;
	int64_t t0 = util_mono_ms();

	memset(cs, 0, sizeof(*cs));
	if (g->deadline_s > 0)
		cs->deadline_ms = t0 + (int64_t)g->deadline_s * 1000;
	if (g->all_contexts) {
		if (k8s_config_contexts(&lo, &names, &cur, err, sizeof(err)) < 0) {
			error("%s", err);
			goto out;
		}
		for (n = 0; names[n]; n++)
			;
		list = xcalloc(n + 1, sizeof(*list));
		for (i = 0; i < n; i++)
			list[i] = xstrdup(names[i]);
	} else if (g->contexts) {
		const char *p = g->contexts;
		list = xcalloc(strlen(p) + 2, sizeof(*list));
		while (*p) {
			size_t len = strcspn(p, ",");
			if (len)
				list[n++] = xstrndup(p, len);
			p += len + (p[len] == ',');
		}
	} else {
		list = xcalloc(2, sizeof(*list));
		list[n++] = NULL; /* the current context */
	}
	if (!n) {
		error("no contexts in the kubeconfig");
		goto out;
	}
	cs->n = n;
	cs->cfg = xcalloc(n, sizeof(*cs->cfg));
	cs->clients = xcalloc(n, sizeof(*cs->clients));
	cs->names = xcalloc(n, sizeof(*cs->names));
	cs->urls = xcalloc(n, sizeof(*cs->urls));
	cs->whys = xcalloc(n, sizeof(*cs->whys));
	cs->servers = xcalloc(n, sizeof(*cs->servers));
	cs->users = xcalloc(n, sizeof(*cs->users));
	for (i = 0; i < n; i++) {
		k8s_client_opts co = {.connect_timeout_ms = 5000, .max_retries = 3};
		tenants_client_trace(g, &co);
		co.deadline_mono_ms = cs->deadline_ms;
		k8s_config *cfg = NULL;
		k8s_err kerr;
		char url[512];

		lo.context = list[i];
		if (k8s_config_load(&lo, &cfg, err, sizeof(err)) < 0) {
			error("%s", err);
			goto out;
		}
		cs->names[i] = xstrdup(cfg->context ? cfg->context : "default");
		cs->users[i] = xstrdup(cfg->user_name ? cfg->user_name : "");
		cs->servers[i] = cfg->server ? xstrdup(cfg->server) : NULL;
		if (g->catalog)
			cs->urls[i] = xstrdup(g->catalog);
		else if (catalog_url_from_config(cfg, url, sizeof(url)) == 0)
			cs->urls[i] = xstrdup(url);
		else if (file_catalog)
			cs->urls[i] = xstrdup(file_catalog);
		cs->clients[i] = k8s_client_new(cfg, &co, &kerr);
		if (!cs->clients[i])
			cs->whys[i] = xstrdup(kerr.msg);
		cs->cfg[i] =
		    (fleet_cluster_cfg){cs->names[i], cs->clients[i], cs->urls[i], cs->whys[i],
					cs->servers[i]};
	}
	ret = 0;
out:
	if (ret)
		cli_clusters_release(cs); /* "then cs holds nothing" */
	for (i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
	k8s_strv_free(names);
	free(cur);
	free(file_catalog);
	return ret;
}

char *cli_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		return xasprintf("%s/smartops", xdg);
	if (home && *home)
		return xasprintf("%s/.cache/smartops", home);
	return NULL;
}
