/* OpenAPI v3: the root's hashes, every group-version document, PATCH operations and the
 * strategic merge metadata kubectl apply reads. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/openapi.h"
#include "sim/resource.h"
#include "util/util.h"

static cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void gv_path(const sim_resource *r, char *buf, size_t size)
{
	if (r->group[0])
		snprintf(buf, size, "apis/%s/%s", r->group, r->version);
	else
		snprintf(buf, size, "api/%s", r->version);
}

static cJSON *doc_for(const sim_resource *r)
{
	char path[256], *text;
	cJSON *d;

	gv_path(r, path, sizeof(path));
	text = sim_openapi_gv(path);
	assert_non_null(text);
	d = cJSON_Parse(text);
	free(text);
	assert_non_null(d);
	return d;
}

static void test_root_resolves_and_hashes(void **state)
{
	char *text = sim_openapi_root(), *again = sim_openapi_root();
	cJSON *root = cJSON_Parse(text), *paths = get(root, "paths"), *e;
	uint64_t hashes[64];
	size_t n = 0;

	(void)state;
	assert_non_null(root);
	assert_string_equal(text, again); /* stable between calls */
	free(text);
	free(again);
	cJSON_ArrayForEach(e, paths)
	{
		const char *url = str(e, "serverRelativeURL");
		char want[512], *doc = sim_openapi_gv(e->string);

		assert_non_null(doc);
		assert_non_null(url);
		snprintf(want, sizeof(want), "/openapi/v3/%s?hash=%016" PRIX64, e->string,
			 sim_openapi_hash(doc));
		assert_string_equal(url, want);
		assert_true(n < ARRAY_SIZE(hashes));
		hashes[n++] = sim_openapi_hash(doc);
		free(doc);
	}
	/* one entry per group-version of the table */
	for (size_t i = 0; i < sim_resource_count(); i++) {
		char path[256];

		gv_path(sim_resource_at(i), path, sizeof(path));
		assert_non_null(get(paths, path));
	}
	/* different documents, different hashes */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			assert_true(hashes[i] != hashes[j]);
	cJSON_Delete(root);
}

static void test_hash_follows_content(void **state)
{
	char *doc = sim_openapi_gv("apis/apps/v1");
	uint64_t before = sim_openapi_hash(doc);
	char *p;

	(void)state;
	assert_int_equal(sim_openapi_hash(doc), before);
	p = strstr(doc, "Deployment");
	assert_non_null(p);
	p[0] = 'd'; /* one changed byte */
	assert_true(sim_openapi_hash(doc) != before);
	p[0] = 'D';
	assert_int_equal(sim_openapi_hash(doc), before);
	free(doc);
}

static void test_unknown_paths(void **state)
{
	(void)state;
	assert_null(sim_openapi_gv("apis/example.com/v1"));
	assert_null(sim_openapi_gv("api/v2"));
	assert_null(sim_openapi_gv("apis/apps"));
	assert_null(sim_openapi_gv("apis/apps/v1/extra"));
	assert_null(sim_openapi_gv("/api/v1"));
	assert_null(sim_openapi_gv("version"));
	assert_null(sim_openapi_gv(""));
	assert_null(sim_openapi_gv(NULL));
}

static int has_gvk(const cJSON *gvk, const char *group, const char *version, const char *kind)
{
	return gvk && str(gvk, "group") && !strcmp(str(gvk, "group"), group) &&
	       !strcmp(str(gvk, "version"), version) && !strcmp(str(gvk, "kind"), kind);
}

static void check_patch_op(const cJSON *op, const char *group, const char *version,
			   const char *kind)
{
	const cJSON *p, *content;
	int field_validation = 0;

	assert_non_null(op);
	assert_string_equal(str(op, "x-kubernetes-action"), "patch");
	assert_true(has_gvk(get(op, "x-kubernetes-group-version-kind"), group, version, kind));
	cJSON_ArrayForEach(p, get(op, "parameters"))
	{
		if (strcmp(str(p, "name"), "fieldValidation"))
			continue;
		field_validation = 1;
		assert_string_equal(str(p, "in"), "query");
		assert_string_equal(str(get(p, "schema"), "type"), "string");
		assert_true(cJSON_IsTrue(get(get(p, "schema"), "uniqueItems")));
	}
	assert_true(field_validation);
	content = get(get(op, "requestBody"), "content");
	assert_non_null(get(content, "application/strategic-merge-patch+json"));
	assert_non_null(get(content, "application/merge-patch+json"));
	assert_non_null(get(content, "application/json-patch+json"));
	assert_non_null(get(content, "application/apply-patch+yaml"));
}

/* Every resource that can be patched has a PATCH operation with its GVK, and a schema. */
static void test_patch_operations_and_kind_schemas(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		cJSON *d = doc_for(r), *paths = get(d, "paths"), *schemas;
		char base[256], item[512], name[256];
		const cJSON *s, *gvks;

		assert_string_equal(str(d, "openapi"), "3.0.0");
		assert_non_null(get(d, "info"));
		gv_path(r, base, sizeof(base));
		if (r->namespaced)
			snprintf(item, sizeof(item), "/%s/namespaces/{namespace}/%s/{name}", base,
				 r->plural);
		else
			snprintf(item, sizeof(item), "/%s/%s/{name}", base, r->plural);
		if (sim_word_in(r->verbs, "patch")) {
			check_patch_op(get(get(paths, item), "patch"), r->group, r->version,
				       r->kind);
			assert_non_null(get(get(paths, item), "get"));
			assert_non_null(get(get(paths, item), "put"));
			assert_non_null(get(get(paths, item), "delete"));
		} else {
			assert_null(get(paths, item));
		}
		if (sim_word_in(r->subresources, "status")) {
			char sub[600];

			snprintf(sub, sizeof(sub), "%s/status", item);
			check_patch_op(get(get(paths, sub), "patch"), r->group, r->version,
				       r->kind);
		}
		if (sim_word_in(r->subresources, "scale")) {
			char sub[600];

			snprintf(sub, sizeof(sub), "%s/scale", item);
			check_patch_op(get(get(paths, sub), "patch"), "autoscaling", "v1", "Scale");
		}

		schemas = get(get(d, "components"), "schemas");
		snprintf(name, sizeof(name), "io.k8s.api.%.*s.%s.%s",
			 r->group[0] ? (int)strcspn(r->group, ".") : 4,
			 r->group[0] ? r->group : "core", r->version, r->kind);
		s = get(schemas, name);
		if (!s)
			fail_msg("no schema %s", name);
		gvks = get(s, "x-kubernetes-group-version-kind");
		assert_int_equal(cJSON_GetArraySize(gvks), 1);
		assert_true(has_gvk(cJSON_GetArrayItem(gvks, 0), r->group, r->version, r->kind));
		assert_non_null(get(get(s, "properties"), "apiVersion"));
		assert_non_null(get(get(s, "properties"), "kind"));
		assert_non_null(get(get(s, "properties"), "metadata"));
		assert_non_null(get(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
		cJSON_Delete(d);
	}
}

static void test_schema_names(void **state)
{
	static const char *const want[][2] = {
	    {"api/v1", "io.k8s.api.core.v1.Pod"},
	    {"api/v1", "io.k8s.api.core.v1.ConfigMap"},
	    {"apis/apps/v1", "io.k8s.api.apps.v1.Deployment"},
	    {"apis/networking.k8s.io/v1", "io.k8s.api.networking.v1.Ingress"},
	    {"apis/rbac.authorization.k8s.io/v1", "io.k8s.api.rbac.v1.Role"},
	    {"apis/coordination.k8s.io/v1", "io.k8s.api.coordination.v1.Lease"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		char *text = sim_openapi_gv(want[i][0]);
		cJSON *d = cJSON_Parse(text);

		free(text);
		if (!get(get(get(d, "components"), "schemas"), want[i][1]))
			fail_msg("%s lacks %s", want[i][0], want[i][1]);
		cJSON_Delete(d);
	}
}

/* Follows a property through allOf/$ref, as kubectl's patch metadata lookup does. */
static const cJSON *resolve(const cJSON *schemas, const cJSON *s)
{
	const cJSON *all = get(s, "allOf");
	const char *ref;

	if (cJSON_GetArraySize(all) > 0)
		s = cJSON_GetArrayItem(all, 0);
	ref = str(s, "$ref");
	if (ref) {
		assert_true(util_starts_with(ref, "#/components/schemas/"));
		s = get(schemas, ref + strlen("#/components/schemas/"));
		assert_non_null(s);
	}
	return s;
}

static const cJSON *field(const cJSON *schemas, const cJSON *s, const char *name)
{
	const cJSON *p = get(get(resolve(schemas, s), "properties"), name);

	if (!p)
		fail_msg("no field %s", name);
	return p;
}

static const cJSON *items(const cJSON *schemas, const cJSON *list)
{
	return resolve(schemas, get(list, "items"));
}

static void check_merge(const cJSON *list, const char *key, const char *strategy)
{
	assert_string_equal(str(list, "x-kubernetes-patch-merge-key"), key);
	assert_string_equal(str(list, "x-kubernetes-patch-strategy"), strategy);
}

static void test_strategic_merge_metadata(void **state)
{
	char *text = sim_openapi_gv("apis/apps/v1");
	cJSON *d = cJSON_Parse(text), *core;
	const cJSON *schemas = get(get(d, "components"), "schemas");
	const cJSON *deploy = get(schemas, "io.k8s.api.apps.v1.Deployment");
	const cJSON *pod_spec, *containers, *container, *volumes;

	(void)state;
	free(text);
	pod_spec =
	    field(schemas, field(schemas, field(schemas, deploy, "spec"), "template"), "spec");
	containers = field(schemas, pod_spec, "containers");
	check_merge(containers, "name", "merge");
	container = items(schemas, containers);
	check_merge(field(schemas, container, "env"), "name", "merge");
	check_merge(field(schemas, container, "ports"), "containerPort", "merge");
	check_merge(field(schemas, container, "volumeMounts"), "mountPath", "merge");
	assert_non_null(
	    field(schemas, items(schemas, field(schemas, container, "env")), "valueFrom"));
	volumes = field(schemas, pod_spec, "volumes");
	check_merge(volumes, "name", "merge,retainKeys");
	assert_non_null(field(schemas, items(schemas, volumes), "configMap"));
	/* nested objects a manifest carries are described, down to their leaves */
	assert_non_null(
	    field(schemas, field(schemas, field(schemas, container, "readinessProbe"), "httpGet"),
		  "port"));
	assert_non_null(field(schemas, field(schemas, field(schemas, deploy, "spec"), "strategy"),
			      "rollingUpdate"));
	assert_string_equal(
	    str(field(schemas, field(schemas, deploy, "metadata"), "labels"), "type"), "object");
	cJSON_Delete(d);

	text = sim_openapi_gv("api/v1");
	core = cJSON_Parse(text);
	free(text);
	schemas = get(get(core, "components"), "schemas");
	check_merge(field(schemas,
			  field(schemas, get(schemas, "io.k8s.api.core.v1.Service"), "spec"),
			  "ports"),
		    "port", "merge");
	assert_string_equal(
	    str(field(schemas, get(schemas, "io.k8s.api.core.v1.ConfigMap"), "data"), "type"),
	    "object");
	cJSON_Delete(core);
}

/* Every $ref of every document names a schema of that document. */
static void check_refs(const cJSON *schemas, const cJSON *node)
{
	const cJSON *c;
	const char *ref = str(node, "$ref");

	if (ref) {
		assert_true(util_starts_with(ref, "#/components/schemas/"));
		if (!get(schemas, ref + strlen("#/components/schemas/")))
			fail_msg("dangling %s", ref);
	}
	cJSON_ArrayForEach(c, node) if (cJSON_IsObject(c) || cJSON_IsArray(c))
	    check_refs(schemas, c);
}

static void test_refs_resolve(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_resource_count(); i++) {
		cJSON *d = doc_for(sim_resource_at(i));

		check_refs(get(get(d, "components"), "schemas"), d);
		cJSON_Delete(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_root_resolves_and_hashes),
	    cmocka_unit_test(test_hash_follows_content),
	    cmocka_unit_test(test_unknown_paths),
	    cmocka_unit_test(test_patch_operations_and_kind_schemas),
	    cmocka_unit_test(test_schema_names),
	    cmocka_unit_test(test_strategic_merge_metadata),
	    cmocka_unit_test(test_refs_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
