/* core/promote.h — promoting a custom build: the wizard "promote" whose plan
 * gives an env's AppServers the RPO of a succeeded build, a rolling update:
 * per AppServer Deployment, its appserver.ini ConfigMap with RPOCustom= set
 * in the environment section (the Kubernetes executor: the same manager as
 * the namespace wizard, the whole ConfigMap as it is but that line), then the
 * Deployment's template (core/step_rpo.h: annotations rpo, rpo-build,
 * rpo-commit, rpo-previous and the env variable RPO_CUSTOM), waited ready.
 *
 * Refused before any change: eSocial; a build that is not in the tenant's
 * history, still running, or failed (a failed quality gate is never
 * promoted); prod before dev runs the build and is ready with it (a dev
 * asleep has not run it); an env without AppServers or whose appserver.ini
 * has no environment section. A sleeping env is not woken: the note says the
 * RPO waits for its next wake. Going back (smartops promote --previous) is
 * the rollback of the env's last promotion run: exactly the values before. */
#ifndef CORE_PROMOTE_H
#define CORE_PROMOTE_H

#include <stddef.h>

#include "core/wizard.h"

#define PROMOTE_RPO_DIR_DEFAULT "/totvs/protheus/apo/custom"

extern const wizard wizard_promote;

/* ini with RPOCustom=value in its environment section (the section with a
 * SourcePath key): an RPOCustom line there replaced, else one added after
 * CustomRpoPath=, else at the section's end. A new malloc'd text, or NULL
 * with err when the file has no environment section. Pure. */
char *promote_ini_set(const char *ini, const char *value, char *err, size_t errsz);
/* RPOCustom's value for build id: <CustomRpoPath of ini, or the default>/<id>/custom.rpo. */
void promote_rpo_path(const char *ini, const char *id, char *out, size_t size);

#endif
