/* sim/patch.h — the four PATCH flavours of the Kubernetes API as pure functions over
 * cJSON trees: JSON merge patch, JSON patch, strategic merge patch and server-side
 * apply. No store access, no locks: safe from any thread on trees the caller owns.
 *
 * All edit `target` in place and return 0, or -1 with err filled (400 BadRequest for
 * malformed patches, 422 Invalid with err->field for impossible paths, 409 Conflict
 * for a failed JSON-patch "test" or an apply conflict). On error target may be
 * partly modified: callers pass a copy. The patch arguments are only read.
 */
#ifndef SIM_PATCH_H
#define SIM_PATCH_H

#include <cjson/cJSON.h>

#include "sim/resource.h"
#include "sim/status.h"

/* RFC 7386 JSON merge patch. */
int sim_patch_merge(cJSON *target, const cJSON *patch, sim_err *err);

/* RFC 6902 JSON patch: add remove replace move copy test; JSON pointers with ~0 ~1,
 * "-" for append. */
int sim_patch_json(cJSON *target, const cJSON *ops, sim_err *err);

/* Kubernetes strategic merge patch. `kind` ("Service", "Deployment"; may be NULL)
 * picks merge keys that depend on the object's type (Service spec.ports by port,
 * container ports by containerPort). Directives: $patch (replace, merge, delete),
 * $setElementOrder/<list>, $deleteFromPrimitiveList/<list>, $retainKeys. */
int sim_patch_strategic(cJSON *target, const cJSON *patch, const char *kind, sim_err *err);

/* Server-side apply: merge the applied configuration into target (which is {} plus
 * metadata for a create), record field ownership for `manager` in
 * metadata.managedFields (operation "Apply", fieldsType "FieldsV1", fieldsV1 in the
 * Kubernetes f:/k:/v: notation for the fields the applied config sets); fields that
 * this manager owned before and no longer applies are removed unless another manager
 * owns them too; if another manager (applier or updater) owns a field with a different
 * value and !force -> 409 Conflict naming the field and the manager
 * ("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"); with
 * force the field moves to `manager`. Re-applying the same configuration leaves
 * target unchanged (the entry's time included). The entry's time is wall-clock UTC. */
int sim_patch_apply(cJSON *target, const cJSON *applied, const char *manager, int force,
		    const char *kind, sim_err *err);

/* An update by `manager` (a controller's PUT or PATCH, not an apply) that changed
 * the field at path (keys from the top, e.g. {"spec", "replicas"}): as the API
 * server does, ownership of a field moves to whoever last changed its value. The
 * field leaves every other manager's entry (entries left empty go) and joins
 * manager's "Update" entry. A later apply that leaves the field out then no longer
 * removes it, and one that sets it to another value conflicts with `manager`. */
void sim_patch_take_field(cJSON *target, const char *manager, const char *api_version,
			  const char *const *path, size_t n);

#endif
