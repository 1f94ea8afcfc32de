/* cli/clusters.h — one fleet cluster per kubeconfig context named by the
 * global options (--kubeconfig, --context, --all-contexts, --catalog), with
 * its client and catalogue URL; shared by the headless commands and the
 * console. Main thread; the caller owns the struct.
 */
#ifndef CLI_CLUSTERS_H
#define CLI_CLUSTERS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/tenants.h"
#include "core/fleet.h"

typedef struct cli_clusters {
	size_t n;
	fleet_cluster_cfg *cfg;	 /* n entries, for fleet_new; point into the arrays below */
	k8s_client **clients;	 /* NULL where the client could not be made (whys says why) */
	char **names, **urls, **whys;
	char **servers;		 /* the context's server URL (keys its fleet snapshot) */
	char **users;		 /* the context's user name, "" if none */
	int64_t deadline_ms;	 /* --deadline, util_mono_ms() scale (every client's); 0: none */
} cli_clusters;

/* A context that cannot be loaded is an error (printed); returns 0 or -1
 * (then cs holds nothing). */
int cli_clusters_open(const tenants_global *g, cli_clusters *cs);
void cli_clusters_release(cli_clusters *cs);

/* $XDG_CACHE_HOME/smartops or ~/.cache/smartops (free it), or NULL. */
char *cli_cache_dir(void);

#endif
