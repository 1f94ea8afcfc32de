/* sim/validate.h — the API server's object validation, the subset kubesim needs.
 * Pure functions over borrowed cJSON trees: safe from any thread. */
#ifndef SIM_VALIDATE_H
#define SIM_VALIDATE_H

#include <cjson/cJSON.h>

#include "sim/resource.h"
#include "sim/status.h"

/* 1 if valid: <=63, [a-z0-9]([-a-z0-9]*[a-z0-9])? */
int sim_validate_dns1123_label(const char *s);
/* 1 if valid: <=253, labels joined by '.' */
int sim_validate_dns1123_subdomain(const char *s);

/* Validates a body for create (name_from_path NULL) or for the result of an update or
 * patch (name_from_path set). 400 BadRequest for a body that is not an object, an
 * apiVersion/kind other than res's, a name other than the URL's, a namespace other
 * than ns_from_path (checked when both are set); 422 Invalid, with err->field, err->kind
 * (res->kind) and err->name, for a missing or invalid name (namespaces and services:
 * DNS-1123 label; roles and role bindings: path segment; others: DNS-1123 subdomain;
 * on create generateName may stand in for name), bad label keys or values, annotations
 * that are not strings or exceed 256 KiB, and per-kind rules: Pod containers (non-empty,
 * DNS-1123 label names, string images), Deployment/StatefulSet selector and template
 * labels (and replicas >= 0), Job template containers, Service port numbers, ConfigMap
 * and Secret value types (Secret data in base64). Returns 0 or -1 with err filled. */
int sim_validate_object(const sim_resource *res, const char *ns_from_path, const char *name_from_path,
			const cJSON *obj, sim_err *err);

#endif
