/* sim/table.h — server-side printing: the meta.k8s.io/v1 Table that `kubectl get`
 * asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
 *
 * Columns follow kubectl's built-in printers for the types kubesim serves (pods,
 * deployments, statefulsets, jobs, namespaces, services, configmaps, secrets, events,
 * ingresses, persistentvolumeclaims, leases); every other type gets Name and Age.
 * Priority-1 columns are the ones kubectl shows only with -o wide.
 *
 * Pure functions over their arguments: safe from any thread at once. */
#ifndef SIM_TABLE_H
#define SIM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/resource.h"

/* Renders n serialized objects (borrowed; ones that do not parse are left out) as a
 * Table. include: "Metadata" (also for NULL or unknown values: row.object is a
 * PartialObjectMetadata with the object's metadata), "Object" (the whole object) or
 * "None" (no row.object). rv, cont (NULL or "" to leave out) and remaining (left out
 * when 0) fill the Table's metadata. now_s: the clock AGE is measured against.
 * columnDefinitions are always present; a watch event's object is a one-row Table
 * (n = 1). Returns malloc'd JSON; free() it. */
char *sim_table_render(const sim_resource *res, const char *const *objs, size_t n,
		       const char *include, const char *rv, const char *cont, size_t remaining,
		       int64_t now_s);

/* The same for stored objects (borrowed): each row is made once, on the first call
 * that needs it, and kept with its object (sim_obj.row) for later calls; only the
 * spans up to now_s (ages) are printed anew. Safe from any thread at once. */
struct sim_obj;
char *sim_table_render_objs(const sim_resource *res, struct sim_obj *const *objs, size_t n,
			    const char *include, const char *rv, const char *cont,
			    size_t remaining, int64_t now_s);

/* kubectl's HumanDuration ("45s", "2m3s", "15m", "3h4m", "5d", "2y45d") for a span of
 * seconds; "<invalid>" below -1 s. Writes into buf (>= 16 bytes is plenty). */
void sim_table_human_duration(int64_t seconds, char *buf, size_t size);

#endif
