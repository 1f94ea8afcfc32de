/* OpenAPI v3 documents for kubectl, generated from the resource table. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/discovery.h"
#include "sim/openapi.h"
#include "sim/resource.h"
#include "util/util.h"

#define META "io.k8s.apimachinery.pkg.apis.meta.v1."
#define CORE "io.k8s.api.core.v1."
#define REF_PREFIX "#/components/schemas/"

/* ---- schema building blocks ---- */

static cJSON *typed(const char *type)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddStringToObject(s, "type", type);
	return s;
}

static cJSON *str_t(void)
{
	return typed("string");
}

static cJSON *int_t(void)
{
	cJSON *s = typed("integer");

	cJSON_AddStringToObject(s, "format", "int32");
	return s;
}

static cJSON *bool_t(void)
{
	return typed("boolean");
}

/* An object whose fields are not described: kept as they come. */
static cJSON *free_obj(void)
{
	cJSON *s = typed("object");

	cJSON_AddBoolToObject(s, "x-kubernetes-preserve-unknown-fields", 1);
	return s;
}

static cJSON *map_of_strings(void)
{
	cJSON *s = typed("object");

	cJSON_AddItemToObject(s, "additionalProperties", str_t());
	return s;
}

static cJSON *array_of(cJSON *items)
{
	cJSON *s = typed("array");

	cJSON_AddItemToObject(s, "items", items);
	return s;
}

/* A reference as the API server writes it for a field: allOf with one $ref. */
static cJSON *ref(const char *name)
{
	cJSON *s = cJSON_CreateObject(), *all = cJSON_AddArrayToObject(s, "allOf");
	cJSON *r = cJSON_CreateObject();
	char buf[256];

	snprintf(buf, sizeof(buf), REF_PREFIX "%s", name);
	cJSON_AddStringToObject(r, "$ref", buf);
	cJSON_AddItemToArray(all, r);
	cJSON_AddItemToObject(s, "default", cJSON_CreateObject());
	return s;
}

static cJSON *plain_ref(const char *name)
{
	cJSON *r = cJSON_CreateObject();
	char buf[256];

	snprintf(buf, sizeof(buf), REF_PREFIX "%s", name);
	cJSON_AddStringToObject(r, "$ref", buf);
	return r;
}

/* A list whose elements strategic merge patch matches by `key`. */
static cJSON *merge_list(const char *item, const char *key, const char *strategy)
{
	cJSON *s = array_of(ref(item));

	cJSON_AddStringToObject(s, "x-kubernetes-patch-merge-key", key);
	cJSON_AddStringToObject(s, "x-kubernetes-patch-strategy", strategy);
	return s;
}

/* Adds a list-map marker (x-kubernetes-list-type map with its keys) to a list schema. */
static cJSON *list_map(cJSON *s, const char *key1, const char *key2)
{
	cJSON *keys = cJSON_AddArrayToObject(s, "x-kubernetes-list-map-keys");

	cJSON_AddItemToArray(keys, cJSON_CreateString(key1));
	if (key2)
		cJSON_AddItemToArray(keys, cJSON_CreateString(key2));
	cJSON_AddStringToObject(s, "x-kubernetes-list-type", "map");
	return s;
}

/* An object schema with properties; `open` keeps undescribed fields. */
static cJSON *object_schema(const char *description, int open)
{
	cJSON *s = typed("object");

	if (description)
		cJSON_AddStringToObject(s, "description", description);
	cJSON_AddObjectToObject(s, "properties");
	if (open)
		cJSON_AddBoolToObject(s, "x-kubernetes-preserve-unknown-fields", 1);
	return s;
}

static void prop(cJSON *s, const char *name, cJSON *v)
{
	cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(s, "properties"), name, v);
}

static void add_gvk_array(cJSON *s, const char *group, const char *version, const char *kind)
{
	cJSON *arr = cJSON_AddArrayToObject(s, "x-kubernetes-group-version-kind");
	cJSON *g = cJSON_CreateObject();

	cJSON_AddStringToObject(g, "group", group);
	cJSON_AddStringToObject(g, "version", version);
	cJSON_AddStringToObject(g, "kind", kind);
	cJSON_AddItemToArray(arr, g);
}

/* Field trees written as text: "a b{c d{e}}" is an object with fields a and b, b an
 * object with c and d, and so on. kubectl's strategic merge patch looks every field it
 * meets on both sides of a diff up by name, so nested objects a manifest may carry must
 * be listed; leaves are typed by a marker (see leaf()). */
/* A leaf of a field tree; the name's last character may give its type: "[]" a list,
 * '#' an integer, '?' a boolean, '%' a map of strings, otherwise a string. The marker
 * is removed from name. */
static cJSON *leaf(char *name)
{
	size_t n = strlen(name);
	cJSON *v;

	if (n > 2 && !strcmp(name + n - 2, "[]")) {
		name[n - 2] = '\0';
		v = array_of(free_obj());
		cJSON_AddStringToObject(v, "x-kubernetes-list-type", "atomic");
		return v;
	}
	switch (name[n - 1]) {
	case '#':
		name[n - 1] = '\0';
		return typed("integer");
	case '?':
		name[n - 1] = '\0';
		return bool_t();
	case '%':
		name[n - 1] = '\0';
		return map_of_strings();
	default:
		return str_t();
	}
}

static cJSON *tree_parse(const char **p);

static void props_parse(cJSON *properties, const char **p)
{
	for (;;) {
		size_t n;
		char name[64];
		cJSON *v;

		while (**p == ' ')
			(*p)++;
		if (!**p || **p == '}')
			return;
		n = strcspn(*p, " {}");
		if (!n || n >= sizeof(name))
			die("openapi: bad field tree near \"%s\"", *p);
		memcpy(name, *p, n);
		name[n] = '\0';
		*p += n;
		if (**p == '{') {
			(*p)++;
			v = tree_parse(p);
			if (**p != '}')
				die("openapi: unbalanced field tree");
			(*p)++;
		} else {
			v = leaf(name);
		}
		cJSON_AddItemToObject(properties, name, v);
	}
}

static cJSON *tree_parse(const char **p)
{
	cJSON *s = typed("object");

	props_parse(cJSON_AddObjectToObject(s, "properties"), p);
	return s;
}

static cJSON *tree(const char *spec)
{
	const char *p = spec;
	cJSON *s = tree_parse(&p);

	if (*p)
		die("openapi: unbalanced field tree");
	return s;
}

/* Adds the fields of `spec` to an object schema made by object_schema(). */
static void props(cJSON *s, const char *spec)
{
	const char *p = spec;

	props_parse(cJSON_GetObjectItemCaseSensitive(s, "properties"), &p);
	if (*p)
		die("openapi: unbalanced field tree");
}

#define HANDLER                                                                                    \
	"exec{command[]} httpGet{path port host scheme httpHeaders[]} tcpSocket{port host} "       \
	"sleep{seconds#}"
#define PROBE                                                                                      \
	HANDLER " grpc{port service} initialDelaySeconds# timeoutSeconds# periodSeconds# "         \
		"successThreshold# failureThreshold# terminationGracePeriodSeconds#"
#define SE_LINUX "seLinuxOptions{level role type user}"
#define SECCOMP "seccompProfile{localhostProfile type} appArmorProfile{localhostProfile type}"
#define WINDOWS                                                                                    \
	"windowsOptions{gmsaCredentialSpec gmsaCredentialSpecName hostProcess? runAsUserName}"
#define SELECTOR "{matchLabels% matchExpressions[]}"
#define AFFINITY_TERMS                                                                             \
	"{requiredDuringSchedulingIgnoredDuringExecution[] "                                       \
	"preferredDuringSchedulingIgnoredDuringExecution[]}"
#define OBJREF "{apiGroup kind name namespace}"

/* ---- shared schemas ---- */

static void add_meta_schemas(cJSON *schemas)
{
	cJSON *s, *l;

	s = object_schema("ObjectMeta is metadata that all persisted resources must have.", 0);
	prop(s, "name", str_t());
	prop(s, "generateName", str_t());
	prop(s, "namespace", str_t());
	prop(s, "uid", str_t());
	prop(s, "resourceVersion", str_t());
	prop(s, "generation", typed("integer"));
	prop(s, "creationTimestamp", str_t());
	prop(s, "deletionTimestamp", str_t());
	prop(s, "deletionGracePeriodSeconds", typed("integer"));
	prop(s, "labels", map_of_strings());
	prop(s, "annotations", map_of_strings());
	l = array_of(str_t());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "set");
	cJSON_AddStringToObject(l, "x-kubernetes-patch-strategy", "merge");
	prop(s, "finalizers", l);
	l = merge_list(META "OwnerReference", "uid", "merge");
	prop(s, "ownerReferences", l);
	l = array_of(free_obj());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "managedFields", l);
	cJSON_AddItemToObject(schemas, META "ObjectMeta", s);

	s = object_schema("OwnerReference names an owning object.", 1);
	prop(s, "apiVersion", str_t());
	prop(s, "kind", str_t());
	prop(s, "name", str_t());
	prop(s, "uid", str_t());
	prop(s, "controller", bool_t());
	prop(s, "blockOwnerDeletion", bool_t());
	cJSON_AddItemToObject(schemas, META "OwnerReference", s);

	s = object_schema("ListMeta describes metadata that synthetic resources must have.", 0);
	prop(s, "resourceVersion", str_t());
	prop(s, "continue", str_t());
	prop(s, "remainingItemCount", typed("integer"));
	cJSON_AddItemToObject(schemas, META "ListMeta", s);

	s = object_schema("A label selector is a label query over a set of resources.", 0);
	prop(s, "matchLabels", map_of_strings());
	l = array_of(free_obj());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "matchExpressions", l);
	cJSON_AddStringToObject(s, "x-kubernetes-map-type", "atomic");
	cJSON_AddItemToObject(schemas, META "LabelSelector", s);

	s = typed("object");
	cJSON_AddStringToObject(s, "description",
				"Patch is provided to give a concrete name and "
				"type to the Kubernetes PATCH request body.");
	cJSON_AddItemToObject(schemas, META "Patch", s);

	s = object_schema("Status is a return value for calls that don't return other objects.", 1);
	prop(s, "apiVersion", str_t());
	prop(s, "kind", str_t());
	prop(s, "status", str_t());
	prop(s, "message", str_t());
	prop(s, "reason", str_t());
	prop(s, "code", int_t());
	prop(s, "details", free_obj());
	cJSON_AddItemToObject(schemas, META "Status", s);

	s = object_schema("DeleteOptions may be provided when deleting an API object.", 1);
	prop(s, "propagationPolicy", str_t());
	prop(s, "gracePeriodSeconds", typed("integer"));
	l = array_of(str_t());
	prop(s, "dryRun", l);
	cJSON_AddItemToObject(schemas, META "DeleteOptions", s);
}

static void add_pod_schemas(cJSON *schemas)
{
	cJSON *s, *l;

	s = object_schema("PodTemplateSpec describes the data a pod should have when created "
			  "from a template.",
			  0);
	prop(s, "metadata", ref(META "ObjectMeta"));
	prop(s, "spec", ref(CORE "PodSpec"));
	cJSON_AddItemToObject(schemas, CORE "PodTemplateSpec", s);

	s = object_schema("PodSpec is a description of a pod.", 1);
	prop(s, "containers", merge_list(CORE "Container", "name", "merge"));
	prop(s, "initContainers", merge_list(CORE "Container", "name", "merge"));
	prop(s, "ephemeralContainers", merge_list(CORE "Container", "name", "merge"));
	prop(s, "volumes", merge_list(CORE "Volume", "name", "merge,retainKeys"));
	prop(s, "imagePullSecrets", merge_list(CORE "LocalObjectReference", "name", "merge"));
	prop(s, "hostAliases", merge_list(CORE "HostAlias", "ip", "merge"));
	l = list_map(merge_list(CORE "TopologySpreadConstraint", "topologyKey", "merge"),
		     "topologyKey", "whenUnsatisfiable");
	prop(s, "topologySpreadConstraints", l);
	l = array_of(free_obj());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "tolerations", l);
	prop(s, "nodeSelector", map_of_strings());
	prop(s, "nodeName", str_t());
	prop(s, "serviceAccountName", str_t());
	prop(s, "restartPolicy", str_t());
	prop(s, "terminationGracePeriodSeconds", typed("integer"));
	prop(s, "securityContext",
	     tree("fsGroup# fsGroupChangePolicy runAsGroup# runAsNonRoot? runAsUser# "
		  "supplementalGroups[] "
		  "supplementalGroupsPolicy sysctls[] " SE_LINUX " " SECCOMP " " WINDOWS));
	prop(
	    s, "affinity",
	    tree("nodeAffinity{requiredDuringSchedulingIgnoredDuringExecution{nodeSelectorTerms[]} "
		 "preferredDuringSchedulingIgnoredDuringExecution[]} podAffinity" AFFINITY_TERMS
		 " podAntiAffinity" AFFINITY_TERMS));
	props(s, "dnsPolicy dnsConfig{nameservers[] searches[] options[]} hostNetwork? hostPID? "
		 "hostIPC? "
		 "hostname subdomain priorityClassName priority# schedulerName runtimeClassName "
		 "enableServiceLinks? automountServiceAccountToken? serviceAccount "
		 "shareProcessNamespace? activeDeadlineSeconds# preemptionPolicy overhead% "
		 "readinessGates[] os{name} setHostnameAsFQDN? schedulingGates[] resourceClaims[] "
		 "hostUsers?");
	cJSON_AddItemToObject(schemas, CORE "PodSpec", s);

	s = object_schema("A single application container that you want to run within a pod.", 1);
	prop(s, "name", str_t());
	prop(s, "image", str_t());
	prop(s, "imagePullPolicy", str_t());
	l = array_of(str_t());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "command", l);
	l = array_of(str_t());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "args", l);
	prop(s, "workingDir", str_t());
	prop(s, "env", merge_list(CORE "EnvVar", "name", "merge"));
	l = array_of(free_obj());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "envFrom", l);
	prop(s, "ports",
	     list_map(merge_list(CORE "ContainerPort", "containerPort", "merge"), "containerPort",
		      "protocol"));
	prop(s, "volumeMounts", merge_list(CORE "VolumeMount", "mountPath", "merge"));
	prop(s, "volumeDevices", merge_list(CORE "VolumeDevice", "devicePath", "merge"));
	prop(s, "resources", ref(CORE "ResourceRequirements"));
	prop(s, "livenessProbe", tree(PROBE));
	prop(s, "readinessProbe", tree(PROBE));
	prop(s, "startupProbe", tree(PROBE));
	prop(s, "lifecycle", tree("postStart{" HANDLER "} preStop{" HANDLER "} stopSignal"));
	prop(s, "securityContext",
	     tree("allowPrivilegeEscalation? capabilities{add[] drop[]} privileged? procMount "
		  "readOnlyRootFilesystem? runAsGroup# runAsNonRoot? runAsUser# " SE_LINUX
		  " " SECCOMP " " WINDOWS));
	props(
	    s,
	    "stdin? stdinOnce? tty? terminationMessagePath terminationMessagePolicy resizePolicy[] "
	    "restartPolicy");
	cJSON_AddItemToObject(schemas, CORE "Container", s);

	s = object_schema("EnvVar represents an environment variable present in a Container.", 0);
	prop(s, "name", str_t());
	prop(s, "value", str_t());
	prop(
	    s, "valueFrom",
	    tree(
		"configMapKeyRef{name key optional?} secretKeyRef{name key optional?} "
		"fieldRef{apiVersion fieldPath} resourceFieldRef{containerName resource divisor}"));
	cJSON_AddItemToObject(schemas, CORE "EnvVar", s);

	s = object_schema("ContainerPort represents a network port in a single container.", 0);
	prop(s, "name", str_t());
	prop(s, "containerPort", int_t());
	prop(s, "hostPort", int_t());
	prop(s, "hostIP", str_t());
	prop(s, "protocol", str_t());
	cJSON_AddItemToObject(schemas, CORE "ContainerPort", s);

	s = object_schema("VolumeMount describes a mounting of a Volume within a container.", 0);
	prop(s, "name", str_t());
	prop(s, "mountPath", str_t());
	prop(s, "subPath", str_t());
	prop(s, "subPathExpr", str_t());
	prop(s, "readOnly", bool_t());
	prop(s, "mountPropagation", str_t());
	cJSON_AddItemToObject(schemas, CORE "VolumeMount", s);

	s = object_schema("volumeDevice describes a mapping of a raw block device within a "
			  "container.",
			  0);
	prop(s, "name", str_t());
	prop(s, "devicePath", str_t());
	cJSON_AddItemToObject(schemas, CORE "VolumeDevice", s);

	s = object_schema("Volume represents a named volume in a pod.", 1);
	prop(s, "name", str_t());
	props(s, "configMap{name items[] defaultMode# optional?} "
		 "secret{secretName items[] defaultMode# optional?} emptyDir{medium sizeLimit} "
		 "persistentVolumeClaim{claimName readOnly?} hostPath{path type} "
		 "projected{sources[] defaultMode#} downwardAPI{items[] defaultMode#} "
		 "nfs{server path readOnly?} csi{driver readOnly? fsType volumeAttributes% "
		 "nodePublishSecretRef{name}} ephemeral{volumeClaimTemplate{metadata spec}} "
		 "image{reference pullPolicy}");
	cJSON_AddItemToObject(schemas, CORE "Volume", s);

	s = object_schema("ResourceRequirements describes the compute resource requirements.", 0);
	props(s, "limits% requests% claims[]");
	cJSON_AddItemToObject(schemas, CORE "ResourceRequirements", s);

	s = object_schema("LocalObjectReference lets you locate the referenced object inside "
			  "the same namespace.",
			  0);
	prop(s, "name", str_t());
	cJSON_AddStringToObject(s, "x-kubernetes-map-type", "atomic");
	cJSON_AddItemToObject(schemas, CORE "LocalObjectReference", s);

	s = object_schema("HostAlias holds the mapping between IP and hostnames.", 0);
	prop(s, "ip", str_t());
	prop(s, "hostnames", array_of(str_t()));
	cJSON_AddItemToObject(schemas, CORE "HostAlias", s);

	s = object_schema("TopologySpreadConstraint specifies how to spread matching pods.", 1);
	prop(s, "topologyKey", str_t());
	prop(s, "whenUnsatisfiable", str_t());
	prop(s, "maxSkew", int_t());
	prop(s, "labelSelector", ref(META "LabelSelector"));
	cJSON_AddItemToObject(schemas, CORE "TopologySpreadConstraint", s);
}

static void add_service_schemas(cJSON *schemas)
{
	cJSON *s, *l;

	s = object_schema("ServiceSpec describes the attributes that a user creates on a service.",
			  1);
	l = list_map(merge_list(CORE "ServicePort", "port", "merge"), "port", "protocol");
	prop(s, "ports", l);
	l = map_of_strings();
	cJSON_AddStringToObject(l, "x-kubernetes-map-type", "atomic");
	prop(s, "selector", l);
	prop(s, "type", str_t());
	prop(s, "clusterIP", str_t());
	l = array_of(str_t());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "clusterIPs", l);
	l = array_of(str_t());
	cJSON_AddStringToObject(l, "x-kubernetes-list-type", "atomic");
	prop(s, "externalIPs", l);
	prop(s, "externalName", str_t());
	prop(s, "sessionAffinity", str_t());
	props(s,
	      "sessionAffinityConfig{clientIP{timeoutSeconds#}} ipFamilies[] ipFamilyPolicy "
	      "loadBalancerSourceRanges[] loadBalancerIP loadBalancerClass externalTrafficPolicy "
	      "internalTrafficPolicy publishNotReadyAddresses? healthCheckNodePort# "
	      "allocateLoadBalancerNodePorts? trafficDistribution");
	cJSON_AddItemToObject(schemas, CORE "ServiceSpec", s);

	s = object_schema("ServicePort contains information on service's port.", 0);
	prop(s, "name", str_t());
	prop(s, "protocol", str_t());
	prop(s, "appProtocol", str_t());
	prop(s, "port", int_t());
	l = cJSON_CreateObject();
	cJSON_AddStringToObject(l, "format", "int-or-string");
	cJSON_AddBoolToObject(l, "x-kubernetes-int-or-string", 1);
	prop(s, "targetPort", l);
	prop(s, "nodePort", int_t());
	cJSON_AddItemToObject(schemas, CORE "ServicePort", s);
}

static void add_apps_schemas(cJSON *schemas)
{
	cJSON *s;

	s = object_schema("DeploymentSpec is the specification of the desired behavior of the "
			  "Deployment.",
			  1);
	prop(s, "replicas", int_t());
	prop(s, "selector", ref(META "LabelSelector"));
	prop(s, "template", ref(CORE "PodTemplateSpec"));
	prop(s, "strategy", tree("type rollingUpdate{maxSurge maxUnavailable}"));
	prop(s, "minReadySeconds", int_t());
	prop(s, "revisionHistoryLimit", int_t());
	prop(s, "progressDeadlineSeconds", int_t());
	prop(s, "paused", bool_t());
	cJSON_AddItemToObject(schemas, "io.k8s.api.apps.v1.DeploymentSpec", s);

	s = object_schema("ReplicaSetSpec is the specification of a ReplicaSet.", 1);
	prop(s, "replicas", int_t());
	prop(s, "minReadySeconds", int_t());
	prop(s, "selector", ref(META "LabelSelector"));
	prop(s, "template", ref(CORE "PodTemplateSpec"));
	cJSON_AddItemToObject(schemas, "io.k8s.api.apps.v1.ReplicaSetSpec", s);

	s = object_schema("A StatefulSetSpec is the specification of a StatefulSet.", 1);
	prop(s, "replicas", int_t());
	prop(s, "selector", ref(META "LabelSelector"));
	prop(s, "template", ref(CORE "PodTemplateSpec"));
	prop(s, "serviceName", str_t());
	prop(s, "podManagementPolicy", str_t());
	prop(s, "updateStrategy", tree("type rollingUpdate{partition# maxUnavailable}"));
	props(s, "volumeClaimTemplates[] minReadySeconds# revisionHistoryLimit# "
		 "persistentVolumeClaimRetentionPolicy{whenDeleted whenScaled} ordinals{start#}");
	cJSON_AddItemToObject(schemas, "io.k8s.api.apps.v1.StatefulSetSpec", s);

	s = object_schema("Scale represents a scaling request for a resource.", 0);
	prop(s, "apiVersion", str_t());
	prop(s, "kind", str_t());
	prop(s, "metadata", ref(META "ObjectMeta"));
	prop(s, "spec", free_obj());
	prop(s, "status", free_obj());
	add_gvk_array(s, "autoscaling", "v1", "Scale");
	cJSON_AddItemToObject(schemas, "io.k8s.api.autoscaling.v1.Scale", s);
}

static void add_batch_schemas(cJSON *schemas)
{
	cJSON *s = object_schema("JobSpec describes how the job execution will look like.", 1);

	prop(s, "template", ref(CORE "PodTemplateSpec"));
	prop(s, "selector", ref(META "LabelSelector"));
	prop(s, "completions", int_t());
	prop(s, "parallelism", int_t());
	prop(s, "backoffLimit", int_t());
	prop(s, "activeDeadlineSeconds", typed("integer"));
	prop(s, "ttlSecondsAfterFinished", int_t());
	prop(s, "suspend", bool_t());
	props(
	    s,
	    "podFailurePolicy{rules[]} successPolicy{rules[]} completionMode backoffLimitPerIndex# "
	    "maxFailedIndexes# podReplacementPolicy managedBy manualSelector?");
	cJSON_AddItemToObject(schemas, "io.k8s.api.batch.v1.JobSpec", s);
}

/* ---- per-kind schemas ---- */

/* "io.k8s.api.apps.v1.Deployment": the group's first label names the package. */
static void schema_name(const sim_resource *r, const char *suffix, char *buf, size_t size)
{
	size_t n = strcspn(r->group, ".");

	if (!r->group[0])
		snprintf(buf, size, "io.k8s.api.core.%s.%s%s", r->version, r->kind, suffix);
	else
		snprintf(buf, size, "io.k8s.api.%.*s.%s.%s%s", (int)n, r->group, r->version,
			 r->kind, suffix);
}

/* The top-level fields of kinds without a schema of their own, as field trees. */
static const struct {
	const char *kind;
	const char *fields;
} kind_trees[] = {
    {"Namespace", "spec{finalizers[]}"},
    {"PersistentVolumeClaim",
     "spec{accessModes[] resources{limits% requests%} storageClassName volumeMode volumeName "
     "selector" SELECTOR " dataSource" OBJREF " dataSourceRef" OBJREF
     " volumeAttributesClassName}"},
    {"Event", "involvedObject{apiVersion kind name namespace uid resourceVersion fieldPath} "
	      "reason message source{component host} firstTimestamp lastTimestamp count# type "
	      "eventTime series{count# lastObservedTime} action related{apiVersion kind name "
	      "namespace uid resourceVersion fieldPath} reportingComponent reportingInstance"},
    {"ResourceQuota", "spec{hard% scopes[] scopeSelector{matchExpressions[]}}"},
    {"LimitRange", "spec{limits[]}"},
    {"ServiceAccount", "secrets[] imagePullSecrets[] automountServiceAccountToken?"},
    {"Ingress", "spec{ingressClassName defaultBackend{service{name port{name number#}} "
		"resource" OBJREF "} rules[] tls[]}"},
    {"NetworkPolicy", "spec{podSelector" SELECTOR " ingress[] egress[] policyTypes[]}"},
    {"Lease", "spec{holderIdentity leaseDurationSeconds# acquireTime renewTime "
	      "leaseTransitions# strategy preferredHolder}"},
    {"Role", "rules[]"},
    {"RoleBinding", "subjects[] roleRef{apiGroup kind name}"},
    {"StorageClass", "provisioner parameters% reclaimPolicy volumeBindingMode "
		     "allowVolumeExpansion? mountOptions[] allowedTopologies[]"},
    {"SelfSubjectAccessReview",
     "spec{resourceAttributes{namespace verb group version resource subresource name "
     "fieldSelector{rawSelector requirements[]} labelSelector{rawSelector requirements[]}} "
     "nonResourceAttributes{path verb}}"},
    {"SelfSubjectRulesReview", "spec{namespace}"},
    {"SelfSubjectReview", "status{userInfo{username uid groups[] extra%}}"},
};

/* The spec, status and data fields of one kind. */
static void kind_fields(const sim_resource *r, cJSON *s)
{
	const char *k = r->kind;

	if (!strcmp(k, "Pod"))
		prop(s, "spec", ref(CORE "PodSpec"));
	else if (!strcmp(k, "Service"))
		prop(s, "spec", ref(CORE "ServiceSpec"));
	else if (!strcmp(k, "Deployment"))
		prop(s, "spec", ref("io.k8s.api.apps.v1.DeploymentSpec"));
	else if (!strcmp(k, "StatefulSet"))
		prop(s, "spec", ref("io.k8s.api.apps.v1.StatefulSetSpec"));
	else if (!strcmp(k, "ReplicaSet"))
		prop(s, "spec", ref("io.k8s.api.apps.v1.ReplicaSetSpec"));
	else if (!strcmp(k, "Job"))
		prop(s, "spec", ref("io.k8s.api.batch.v1.JobSpec"));
	else if (!strcmp(k, "ConfigMap") || !strcmp(k, "Secret")) {
		prop(s, "data", map_of_strings());
		prop(s, "binaryData", map_of_strings());
		prop(s, "immutable", bool_t());
		if (!strcmp(k, "Secret")) {
			prop(s, "stringData", map_of_strings());
			prop(s, "type", str_t());
		}
		return;
	} else {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(kind_trees); i++)
			if (!strcmp(kind_trees[i].kind, k))
				break;
		if (i < ARRAY_SIZE(kind_trees))
			props(s, kind_trees[i].fields);
		if (!cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(s, "properties"), "spec"))
			return;
	}
	prop(s, "status", free_obj());
}

static void add_kind_schemas(cJSON *schemas, const sim_resource *r)
{
	char name[256], list[256];
	cJSON *s, *items;

	schema_name(r, "", name, sizeof(name));
	if (cJSON_GetObjectItemCaseSensitive(schemas, name))
		return;
	s = object_schema(NULL, 1);
	cJSON_AddStringToObject(s, "description", r->kind);
	prop(s, "apiVersion", str_t());
	prop(s, "kind", str_t());
	prop(s, "metadata", ref(META "ObjectMeta"));
	kind_fields(r, s);
	add_gvk_array(s, r->group, r->version, r->kind);
	cJSON_AddItemToObject(schemas, name, s);

	if (!r->stored)
		return;
	schema_name(r, "List", list, sizeof(list));
	s = object_schema(NULL, 0);
	cJSON_AddStringToObject(s, "description", "A list of objects.");
	prop(s, "apiVersion", str_t());
	prop(s, "kind", str_t());
	prop(s, "metadata", ref(META "ListMeta"));
	items = array_of(ref(name));
	prop(s, "items", items);
	{
		char kind[128];

		snprintf(kind, sizeof(kind), "%sList", r->kind);
		add_gvk_array(s, r->group, r->version, kind);
	}
	cJSON_AddItemToObject(schemas, list, s);
}

/* ---- paths and operations ---- */

static cJSON *param(const char *name, const char *in, const char *description)
{
	cJSON *p = cJSON_CreateObject(), *sch = str_t();

	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "in", in);
	cJSON_AddStringToObject(p, "description", description);
	if (!strcmp(in, "path"))
		cJSON_AddBoolToObject(p, "required", 1);
	cJSON_AddBoolToObject(sch, "uniqueItems", 1);
	cJSON_AddItemToObject(p, "schema", sch);
	return p;
}

static void add_write_params(cJSON *params, int patch)
{
	cJSON_AddItemToArray(params, param("dryRun", "query",
					   "When present, indicates that modifications should not "
					   "be persisted. Valid value: All."));
	cJSON_AddItemToArray(params, param("fieldManager", "query",
					   "fieldManager is a name associated with the actor or "
					   "entity that is making these changes."));
	cJSON_AddItemToArray(params, param("fieldValidation", "query",
					   "fieldValidation instructs the server on how to handle "
					   "objects in the request containing unknown or duplicate "
					   "fields: Ignore, Warn or Strict."));
	if (patch) {
		cJSON *force = param("force", "query",
				     "Force is going to \"force\" Apply requests: re-acquire "
				     "conflicting fields owned by other people.");

		cJSON_ReplaceItemInObjectCaseSensitive(force, "schema", bool_t());
		cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(force, "schema"),
				      "uniqueItems", cJSON_CreateTrue());
		cJSON_AddItemToArray(params, force);
	}
}

static cJSON *json_content(const char *schema)
{
	cJSON *c = cJSON_CreateObject(), *media = cJSON_CreateObject();

	cJSON_AddItemToObject(media, "schema", plain_ref(schema));
	cJSON_AddItemToObject(c, "application/json", media);
	media = cJSON_CreateObject();
	cJSON_AddItemToObject(media, "schema", plain_ref(schema));
	cJSON_AddItemToObject(c, "application/yaml", media);
	return c;
}

static void add_response(cJSON *responses, const char *code, const char *description,
			 const char *schema)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "description", description);
	if (schema)
		cJSON_AddItemToObject(r, "content", json_content(schema));
	cJSON_AddItemToObject(responses, code, r);
}

typedef struct op_target {
	const char *group, *version, *kind; /* the GVK the operation reads and writes */
	const char *schema;		    /* its component schema */
	const char *tag;		    /* "core_v1", "apps_v1" */
	const char *opname;		    /* "NamespacedPod", "NamespacedDeploymentScale" */
} op_target;

/* One operation. verb: get list create update patch delete deletecollection. */
static cJSON *operation(const op_target *t, const char *verb, const char *description)
{
	static const char *const patch_types[] = {
	    "application/apply-patch+yaml", "application/json-patch+json",
	    "application/merge-patch+json", "application/strategic-merge-patch+json"};
	cJSON *op = cJSON_CreateObject(), *params, *resp, *gvk, *body = NULL, *content;
	char id[256], tagbuf[128];
	const char *action = verb, *prefix = verb, *ok_schema = t->schema;
	char list_schema[256];

	if (!strcmp(verb, "get")) {
		prefix = "read";
	} else if (!strcmp(verb, "update")) {
		action = "put";
		prefix = "replace";
	} else if (!strcmp(verb, "create")) {
		action = "post";
	} else if (!strcmp(verb, "deletecollection")) {
		prefix = "deleteCollection";
	}
	if (!strcmp(verb, "list")) {
		snprintf(list_schema, sizeof(list_schema), "%sList", t->schema);
		ok_schema = list_schema;
	} else if (!strcmp(verb, "delete") || !strcmp(verb, "deletecollection")) {
		ok_schema = META "Status";
	}
	snprintf(tagbuf, sizeof(tagbuf), "%s", t->tag);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(op, "tags"), cJSON_CreateString(tagbuf));
	cJSON_AddStringToObject(op, "description", description);
	snprintf(id, sizeof(id), "%s%s", prefix, t->opname);
	cJSON_AddStringToObject(op, "operationId", id);

	params = cJSON_AddArrayToObject(op, "parameters");
	if (!strcmp(verb, "create") || !strcmp(verb, "update") || !strcmp(verb, "patch")) {
		add_write_params(params, !strcmp(verb, "patch"));
		body = cJSON_CreateObject();
		if (!strcmp(verb, "patch")) {
			content = cJSON_AddObjectToObject(body, "content");
			for (size_t i = 0; i < ARRAY_SIZE(patch_types); i++) {
				cJSON *m = cJSON_CreateObject();

				cJSON_AddItemToObject(m, "schema", plain_ref(META "Patch"));
				cJSON_AddItemToObject(content, patch_types[i], m);
			}
		} else {
			cJSON_AddItemToObject(body, "content", json_content(t->schema));
		}
		cJSON_AddBoolToObject(body, "required", 1);
		cJSON_AddItemToObject(op, "requestBody", body);
	} else if (!strcmp(verb, "list")) {
		cJSON_AddItemToArray(
		    params,
		    param("labelSelector", "query",
			  "A selector to restrict the list of returned objects by their labels."));
		cJSON_AddItemToArray(
		    params,
		    param("fieldSelector", "query",
			  "A selector to restrict the list of returned objects by their fields."));
		cJSON_AddItemToArray(
		    params,
		    param("limit", "query",
			  "limit is a maximum number of responses to return for a list call."));
		cJSON_AddItemToArray(params, param("continue", "query",
						   "The continue option should be set when "
						   "retrieving more results from the server."));
		cJSON_AddItemToArray(params,
				     param("resourceVersion", "query",
					   "resourceVersion sets a constraint on what resource "
					   "versions a request may be served from."));
		cJSON_AddItemToArray(
		    params,
		    param("watch", "query", "Watch for changes to the described resources."));
	} else if (!strcmp(verb, "delete") || !strcmp(verb, "deletecollection")) {
		cJSON_AddItemToArray(
		    params,
		    param("dryRun", "query",
			  "When present, indicates that modifications should not be persisted."));
		cJSON_AddItemToArray(
		    params, param("propagationPolicy", "query",
				  "Whether and how garbage collection will be performed."));
	}

	resp = cJSON_AddObjectToObject(op, "responses");
	add_response(resp, "200", "OK", ok_schema);
	if (!strcmp(verb, "create") || !strcmp(verb, "update") || !strcmp(verb, "patch"))
		add_response(resp, "201", "Created", t->schema);
	if (!strcmp(verb, "create") || !strcmp(verb, "delete"))
		add_response(resp, "202", "Accepted",
			     !strcmp(verb, "delete") ? META "Status" : t->schema);
	add_response(resp, "401", "Unauthorized", NULL);

	cJSON_AddStringToObject(op, "x-kubernetes-action", action);
	gvk = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
	cJSON_AddStringToObject(gvk, "group", t->group);
	cJSON_AddStringToObject(gvk, "version", t->version);
	cJSON_AddStringToObject(gvk, "kind", t->kind);
	return op;
}

static cJSON *path_item(cJSON *paths, const char *path, int with_ns, int with_name)
{
	cJSON *item = cJSON_CreateObject(), *params = cJSON_AddArrayToObject(item, "parameters");

	if (with_name)
		cJSON_AddItemToArray(params, param("name", "path", "name of the object"));
	if (with_ns)
		cJSON_AddItemToArray(
		    params, param("namespace", "path",
				  "object name and auth scope, such as for teams and projects"));
	cJSON_AddItemToArray(
	    params, param("pretty", "query", "If 'true', then the output is pretty printed."));
	cJSON_AddItemToObject(paths, path, item);
	return item;
}

static void add_op(cJSON *item, const char *method, const op_target *t, const char *verb,
		   const char *what)
{
	char desc[256];

	snprintf(desc, sizeof(desc), "%s %s", verb, what);
	cJSON_AddItemToObject(item, method, operation(t, verb, desc));
}

static void add_resource_paths(cJSON *paths, const sim_resource *r, const char *base,
			       const char *tag)
{
	char coll[512], one[512], sub[600], schema[256], opname[256], subop[400];
	const char *v = r->verbs;
	op_target t = {r->group, r->version, r->kind, schema, tag, opname};
	cJSON *item;
	const char *p;

	schema_name(r, "", schema, sizeof(schema));
	snprintf(opname, sizeof(opname), "%s%s", r->namespaced ? "Namespaced" : "", r->kind);
	if (r->namespaced) {
		snprintf(coll, sizeof(coll), "%s/namespaces/{namespace}/%s", base, r->plural);
		snprintf(one, sizeof(one), "%s/namespaces/{namespace}/%s/{name}", base, r->plural);
	} else {
		snprintf(coll, sizeof(coll), "%s/%s", base, r->plural);
		snprintf(one, sizeof(one), "%s/%s/{name}", base, r->plural);
	}

	item = path_item(paths, coll, r->namespaced, 0);
	if (sim_word_in(v, "list"))
		add_op(item, "get", &t, "list", r->kind);
	if (sim_word_in(v, "create"))
		add_op(item, "post", &t, "create", r->kind);
	if (sim_word_in(v, "deletecollection"))
		add_op(item, "delete", &t, "deletecollection", r->kind);

	if (sim_word_in(v, "get") || sim_word_in(v, "update") || sim_word_in(v, "patch") ||
	    sim_word_in(v, "delete")) {
		item = path_item(paths, one, r->namespaced, 1);
		if (sim_word_in(v, "get"))
			add_op(item, "get", &t, "get", r->kind);
		if (sim_word_in(v, "update"))
			add_op(item, "put", &t, "update", r->kind);
		if (sim_word_in(v, "patch"))
			add_op(item, "patch", &t, "patch", r->kind);
		if (sim_word_in(v, "delete"))
			add_op(item, "delete", &t, "delete", r->kind);
	}

	if (r->namespaced && sim_word_in(v, "list")) {
		op_target all = t;
		char allname[256];

		snprintf(allname, sizeof(allname), "%sForAllNamespaces", r->kind);
		all.opname = allname;
		snprintf(coll, sizeof(coll), "%s/%s", base, r->plural);
		item = path_item(paths, coll, 0, 0);
		add_op(item, "get", &all, "list", r->kind);
	}

	for (p = r->subresources; *p;) {
		size_t n;
		char s[64], cap[64];
		op_target st = t;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		if (n >= sizeof(s)) {
			p += n;
			continue;
		}
		memcpy(s, p, n);
		s[n] = '\0';
		p += n;
		snprintf(cap, sizeof(cap), "%s", s);
		cap[0] = (char)(cap[0] - 'a' + 'A');
		snprintf(subop, sizeof(subop), "%s%s", opname, cap);
		st.opname = subop;
		snprintf(sub, sizeof(sub), "%s/%s", one, s);
		item = path_item(paths, sub, r->namespaced, 1);
		if (!strcmp(s, "log")) {
			cJSON *op;

			add_op(item, "get", &st, "get", "log");
			/* logs answer text/plain, not an object */
			op = cJSON_GetObjectItemCaseSensitive(item, "get");
			cJSON_ReplaceItemInObjectCaseSensitive(op, "responses",
							       cJSON_CreateObject());
			add_response(cJSON_GetObjectItemCaseSensitive(op, "responses"), "200", "OK",
				     NULL);
			continue;
		}
		if (!strcmp(s, "scale")) {
			st.group = "autoscaling";
			st.version = "v1";
			st.kind = "Scale";
			st.schema = "io.k8s.api.autoscaling.v1.Scale";
		}
		add_op(item, "get", &st, "get", s);
		add_op(item, "put", &st, "update", s);
		add_op(item, "patch", &st, "patch", s);
	}
}

/* ---- documents ---- */

/* The group-version of an OpenAPI path ("api/v1", "apis/apps/v1"); 0 if malformed. */
static int parse_gv_path(const char *path, char *group, size_t gsize, char *version, size_t vsize)
{
	const char *slash;

	if (!path)
		return 0;
	if (util_starts_with(path, "api/")) {
		group[0] = '\0';
		util_strlcpy(version, path + 4, vsize);
	} else if (util_starts_with(path, "apis/")) {
		path += 5;
		slash = strchr(path, '/');
		if (!slash || slash == path || (size_t)(slash - path) >= gsize)
			return 0;
		memcpy(group, path, (size_t)(slash - path));
		group[slash - path] = '\0';
		util_strlcpy(version, slash + 1, vsize);
	} else {
		return 0;
	}
	return version[0] && !strchr(version, '/');
}

static int kind_is(const sim_resource *r, const char *group, const char *kind)
{
	return !strcmp(r->group, group) && !strcmp(r->kind, kind);
}

char *sim_openapi_gv(const char *path)
{
	char group[128], version[64], base[256], tag[200];
	cJSON *doc, *info, *paths, *schemas;
	int found = 0, pods = 0, services = 0, apps = 0, batch = 0;
	char *out;

	if (!parse_gv_path(path, group, sizeof(group), version, sizeof(version)))
		return NULL;
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);

		if (strcmp(r->group, group) || strcmp(r->version, version))
			continue;
		found = 1;
		pods |= kind_is(r, "", "Pod");
		services |= kind_is(r, "", "Service");
		apps |= kind_is(r, "apps", "Deployment") || kind_is(r, "apps", "StatefulSet") ||
			kind_is(r, "apps", "ReplicaSet");
		batch |= kind_is(r, "batch", "Job");
	}
	if (!found)
		return NULL;

	if (group[0]) {
		size_t n = strcspn(group, ".");

		snprintf(base, sizeof(base), "/apis/%s/%s", group, version);
		snprintf(tag, sizeof(tag), "%.*s_%s", (int)n, group, version);
	} else {
		snprintf(base, sizeof(base), "/api/%s", version);
		snprintf(tag, sizeof(tag), "core_%s", version);
	}

	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "openapi", "3.0.0");
	info = cJSON_AddObjectToObject(doc, "info");
	cJSON_AddStringToObject(info, "title", "Kubernetes");
	cJSON_AddStringToObject(info, "version", SIM_DISCOVERY_GIT_VERSION);
	paths = cJSON_AddObjectToObject(doc, "paths");
	schemas = cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "components"), "schemas");

	add_meta_schemas(schemas);
	if (pods || apps || batch)
		add_pod_schemas(schemas);
	if (services)
		add_service_schemas(schemas);
	if (apps)
		add_apps_schemas(schemas);
	if (batch)
		add_batch_schemas(schemas);
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);

		if (strcmp(r->group, group) || strcmp(r->version, version))
			continue;
		add_kind_schemas(schemas, r);
		add_resource_paths(paths, r, base, tag);
	}

	out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!out)
		die("out of memory printing an OpenAPI document");
	return out;
}

uint64_t sim_openapi_hash(const char *doc)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)doc; p && *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

char *sim_openapi_root(void)
{
	cJSON *root = cJSON_CreateObject(), *paths = cJSON_AddObjectToObject(root, "paths");
	char *out;

	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		char key[256], url[320];
		char *doc;
		cJSON *e;

		if (r->group[0])
			snprintf(key, sizeof(key), "apis/%s/%s", r->group, r->version);
		else
			snprintf(key, sizeof(key), "api/%s", r->version);
		if (cJSON_GetObjectItemCaseSensitive(paths, key))
			continue;
		doc = sim_openapi_gv(key);
		if (!doc)
			continue;
		snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%016" PRIX64, key,
			 sim_openapi_hash(doc));
		free(doc);
		e = cJSON_AddObjectToObject(paths, key);
		cJSON_AddStringToObject(e, "serverRelativeURL", url);
	}
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!out)
		die("out of memory printing the OpenAPI root");
	return out;
}
