/* cli/tenants_changes.h — `smartops tenants --watch --changes -o json`: the
 * whole TenantList once, then only what changed, one event a line, as a
 * Kubernetes watch tells it:
 *   {"kind":"TenantEvent","type":"ADDED|MODIFIED|DELETED","object":{...}}
 *   {"kind":"ClusterEvent","type":"MODIFIED","object":{...}}
 * object is a TenantList's item or cluster entry as it is now (docs/cli.md);
 * a DELETED tenant's, as last printed, whether it is gone from the cluster or
 * no longer passes the filter (--health down, and it recovers): as a
 * Kubernetes watch with a selector tells an object that left it. At 5,000
 * tenants under churn the whole list a change was 28 MB a second; the events
 * are a few hundred bytes each.
 */
#ifndef CLI_TENANTS_CHANGES_H
#define CLI_TENANTS_CHANGES_H

#include "cli/tenants.h"
#include "core/fleet.h"
#include "util/util.h"

typedef struct tenants_changes tenants_changes;

tenants_changes *tenants_changes_new(void);
void tenants_changes_free(tenants_changes *c);

/* What changed since the last call, appended to out (nothing when nothing
 * did); the first call appends the whole TenantList line. flt must be the
 * same at each call. */
void tenants_changes_render(tenants_changes *c, const fleet_snapshot *s, const tenants_filter *flt,
			    strbuf *out);

#endif
