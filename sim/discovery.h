/* sim/discovery.h — legacy API discovery documents generated from the resource table
 * (sim/resource.h): /version, /api, /apis and one APIResourceList per group-version.
 *
 * Every function returns a malloc'd, NUL-terminated JSON document the caller free()s.
 * They read only constant data: safe from any thread at once. */
#ifndef SIM_DISCOVERY_H
#define SIM_DISCOVERY_H

/* The minor version kubesim reports; kubectl's dispatcher picks its binary from it. */
#define SIM_DISCOVERY_MAJOR "1"
#define SIM_DISCOVERY_MINOR "31"
#define SIM_DISCOVERY_GIT_VERSION "v1.31.0-kubesim"

/* /version: a version.Info. */
char *sim_discovery_version(void);
/* /api: APIVersions with "v1" and one serverAddressByClientCIDRs entry. */
char *sim_discovery_api(void);
/* /apis: APIGroupList, every group of the table except core, in table order. */
char *sim_discovery_apis(void);
/* /api/v1 (group "" or NULL) or /apis/G/V: APIResourceList with subresource entries
 * ("pods/log", "deployments/scale", "*\/status"); NULL for an unknown group-version. */
char *sim_discovery_resources(const char *group, const char *version);

#endif
