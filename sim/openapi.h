/* sim/openapi.h — the OpenAPI v3 documents `kubectl apply` downloads (/openapi/v3),
 * generated from the resource table (sim/resource.h).
 *
 * One document per group-version: paths with their operations (PATCH carries
 * x-kubernetes-group-version-kind, a fieldValidation parameter and the strategic merge
 * patch content type) and components.schemas with one schema per kind plus the nested
 * schemas kubectl needs to compute strategic merge patches (PodSpec containers, env,
 * ports, volumeMounts, volumes, Service ports... with their patch merge keys); fields
 * left undescribed are free-form objects.
 *
 * Every function returns malloc'd JSON the caller free()s; all are pure and safe from
 * any thread at once. */
#ifndef SIM_OPENAPI_H
#define SIM_OPENAPI_H

#include <stdint.h>

/* /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=HEX"},
 * "apis/apps/v1": {...}, ...}}; HEX is sim_openapi_hash() of that document. */
char *sim_openapi_root(void);

/* The document for "api/v1" or "apis/G/V" (no leading slash, no query); NULL if unknown. */
char *sim_openapi_gv(const char *path);

/* FNV-1a 64 of a document's text: what the root's ?hash= carries (as 16 upper-case hex
 * digits), so it changes whenever the content does. */
uint64_t sim_openapi_hash(const char *doc);

#endif
