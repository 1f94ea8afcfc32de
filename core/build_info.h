/* core/build_info.h — the custom RPO an ERP env runs, for `smartops tenant T
 * -o json` ("custom") and the tenant screen: read from its AppServer
 * Deployments' pod template (annotations rpo, rpo-build, rpo-commit,
 * rpo-previous: what `smartops promote` wrote), when it was promoted (the
 * build's history entry) and the build running now, if any (the env's build
 * Jobs). Blocking reads: not on the UI thread. */
#ifndef CORE_BUILD_INFO_H
#define CORE_BUILD_INFO_H

#include <stddef.h>

#include "k8s/client.h"

typedef struct build_info {
	char rpo[256];	     /* "" when the env runs no custom RPO */
	char build[24];
	char commit[41];
	char promoted[32];   /* RFC 3339, "" when unknown */
	char promoted_by[96];
	char previous[256];  /* the RPO before the last promotion, "" */
	char running[24];    /* the id of a build running in the env now, "" */
	char running_stage[32];
} build_info;

/* Reads env (prod|dev) of tcode, namespace ns. 0, or -1 with err. */
int build_info_read(k8s_client *c, const char *prefix, const char *tcode, const char *env,
		    const char *ns, build_info *out, k8s_err *err);
/* The JSON object {"rpo","build","commit","promoted","previous_rpo",
 * "running_build":{"id","stage"}|null}, empty strings as null (malloc'd). */
char *build_info_json(const build_info *b);

#endif
