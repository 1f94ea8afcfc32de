/* cli/session.c — a client on one cluster; see session.h. */
#include <string.h>

#include "cli/output.h"
#include "cli/session.h"
#include "core/catalog.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

int cli_session_open(const tenants_global *g, const char *cmd, const char *one_cluster,
		     cli_session *s)
{
	k8s_load_opts lo = {.kubeconfig = g->kubeconfig, .context = g->contexts};
	k8s_client_opts co = {.connect_timeout_ms = 5000, .max_retries = 4};
	k8s_config *cfg = NULL;
	char err[512];
	k8s_err kerr;

	memset(s, 0, sizeof(*s));
	if (g->all_contexts || (g->contexts && strchr(g->contexts, ',')))
		return output_usage_err(cmd, one_cluster);
	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) < 0) {
		output_say(err);
		return TENANTS_EXIT_ERROR;
	}
	util_strlcpy(s->user, cfg->user_name ? cfg->user_name : "", sizeof(s->user));
	util_strlcpy(s->context, cfg->context ? cfg->context : "default", sizeof(s->context));
	if (g->catalog)
		util_strlcpy(s->catalog_url, g->catalog, sizeof(s->catalog_url));
	else
		catalog_url_from_config(cfg, s->catalog_url, sizeof(s->catalog_url));
	tenants_client_trace(g, &co);
	s->client = k8s_client_new(cfg, &co, &kerr);
	if (!s->client) {
		output_say(kerr.msg);
		return TENANTS_EXIT_ERROR;
	}
	return 0;
}

void cli_session_close(cli_session *s)
{
	k8s_client_free(s->client);
	memset(s, 0, sizeof(*s));
}
