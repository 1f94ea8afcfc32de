#include <stdio.h>
#include <string.h>

#include "sim/resource.h"
#include "util/util.h"

#define RW "create delete deletecollection get list patch update watch"

static const sim_resource table[] = {
	{"", "v1", "Namespace", "namespaces", "namespace", "ns", 0, "create delete get list patch update watch", "status", 1},
	{"", "v1", "Pod", "pods", "pod", "po", 1, RW, "log status", 1},
	{"", "v1", "Service", "services", "service", "svc", 1, RW, "status", 1},
	{"", "v1", "ConfigMap", "configmaps", "configmap", "cm", 1, RW, "", 1},
	{"", "v1", "Secret", "secrets", "secret", "", 1, RW, "", 1},
	{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", "pvc", 1, RW, "status", 1},
	{"", "v1", "Event", "events", "event", "ev", 1, RW, "", 1},
	{"", "v1", "ResourceQuota", "resourcequotas", "resourcequota", "quota", 1, RW, "status", 1},
	{"", "v1", "LimitRange", "limitranges", "limitrange", "limits", 1, RW, "", 1},
	{"", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", "sa", 1, RW, "", 1},
	{"apps", "v1", "Deployment", "deployments", "deployment", "deploy", 1, RW, "scale status", 1},
	{"apps", "v1", "ReplicaSet", "replicasets", "replicaset", "rs", 1, RW, "scale status", 1},
	{"apps", "v1", "StatefulSet", "statefulsets", "statefulset", "sts", 1, RW, "scale status", 1},
	{"batch", "v1", "Job", "jobs", "job", "", 1, RW, "status", 1},
	{"networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", "ing", 1, RW, "status", 1},
	{"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", "netpol", 1, RW, "", 1},
	{"coordination.k8s.io", "v1", "Lease", "leases", "lease", "", 1, RW, "", 1},
	{"rbac.authorization.k8s.io", "v1", "Role", "roles", "role", "", 1, RW, "", 1},
	{"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", "", 1, RW, "", 1},
	{"storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", "sc", 0, RW, "", 1},
	{"authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "selfsubjectaccessreview", "", 0, "create", "", 0},
	{"authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", "selfsubjectrulesreview", "", 0, "create", "", 0},
	{"authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", "selfsubjectreview", "", 0, "create", "", 0},
};

size_t sim_resource_count(void)
{
	return ARRAY_SIZE(table);
}

const sim_resource *sim_resource_at(size_t i)
{
	if (i >= ARRAY_SIZE(table))
		return NULL;
	return &table[i];
}

size_t sim_resource_index(const sim_resource *r)
{
	return (size_t)(r - table);
}

const sim_resource *sim_resource_find(const char *group, const char *version, const char *plural)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (!strcmp(table[i].group, group) && !strcmp(table[i].version, version) &&
		    !strcmp(table[i].plural, plural))
			return sim_resource_at(i);
	return NULL;
}

const sim_resource *sim_resource_by_kind(const char *api_version, const char *kind)
{
	char av[128];

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		sim_resource_api_version(&table[i], av, sizeof(av));
		if (!strcmp(av, api_version) && !strcmp(table[i].kind, kind))
			return sim_resource_at(i);
	}
	return NULL;
}

void sim_resource_api_version(const sim_resource *r, char *buf, size_t size)
{
	if (r->group[0])
		snprintf(buf, size, "%s/%s", r->group, r->version);
	else
		snprintf(buf, size, "%s", r->version);
}

int sim_word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}
