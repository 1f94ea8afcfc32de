/* Legacy discovery documents, built from the resource table. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/discovery.h"
#include "sim/resource.h"
#include "util/util.h"

static char *print_free(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (!s)
		die("out of memory printing JSON");
	return s;
}

/* Adds the words of a space-separated list as an array of strings. */
static cJSON *add_words(cJSON *parent, const char *name, const char *list)
{
	cJSON *arr = cJSON_AddArrayToObject(parent, name);
	const char *p = list;

	while (*p) {
		size_t n;
		char *w;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		w = xstrndup(p, n);
		cJSON_AddItemToArray(arr, cJSON_CreateString(w));
		free(w);
		p += n;
	}
	return arr;
}

char *sim_discovery_version(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "major", SIM_DISCOVERY_MAJOR);
	cJSON_AddStringToObject(o, "minor", SIM_DISCOVERY_MINOR);
	cJSON_AddStringToObject(o, "gitVersion", SIM_DISCOVERY_GIT_VERSION);
	cJSON_AddStringToObject(o, "gitCommit", "0000000000000000000000000000000000000000");
	cJSON_AddStringToObject(o, "gitTreeState", "clean");
	cJSON_AddStringToObject(o, "buildDate", "2026-01-01T00:00:00Z");
	cJSON_AddStringToObject(o, "goVersion", "go1.22.5");
	cJSON_AddStringToObject(o, "compiler", "gc");
	cJSON_AddStringToObject(o, "platform", "linux/amd64");
	return print_free(o);
}

char *sim_discovery_api(void)
{
	cJSON *o = cJSON_CreateObject(), *cidrs, *c;

	cJSON_AddStringToObject(o, "kind", "APIVersions");
	add_words(o, "versions", "v1");
	cidrs = cJSON_AddArrayToObject(o, "serverAddressByClientCIDRs");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "clientCIDR", "0.0.0.0/0");
	cJSON_AddStringToObject(c, "serverAddress", "127.0.0.1:443");
	cJSON_AddItemToArray(cidrs, c);
	return print_free(o);
}

static cJSON *group_version(const sim_resource *r)
{
	cJSON *gv = cJSON_CreateObject();
	char av[256];

	sim_resource_api_version(r, av, sizeof(av));
	cJSON_AddStringToObject(gv, "groupVersion", av);
	cJSON_AddStringToObject(gv, "version", r->version);
	return gv;
}

/* 1 if an earlier row of the table has the same group (and version when ver). */
static int seen_before(size_t i, int ver)
{
	const sim_resource *r = sim_resource_at(i);

	for (size_t j = 0; j < i; j++) {
		const sim_resource *p = sim_resource_at(j);

		if (!strcmp(p->group, r->group) && (!ver || !strcmp(p->version, r->version)))
			return 1;
	}
	return 0;
}

char *sim_discovery_apis(void)
{
	cJSON *o = cJSON_CreateObject(), *groups;
	size_t n = sim_resource_count();

	cJSON_AddStringToObject(o, "kind", "APIGroupList");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	groups = cJSON_AddArrayToObject(o, "groups");
	for (size_t i = 0; i < n; i++) {
		const sim_resource *r = sim_resource_at(i);
		cJSON *g, *versions;

		if (!r->group[0] || seen_before(i, 0))
			continue;
		g = cJSON_CreateObject();
		cJSON_AddStringToObject(g, "name", r->group);
		versions = cJSON_AddArrayToObject(g, "versions");
		/* the first version listed is the preferred one */
		for (size_t j = i; j < n; j++) {
			const sim_resource *v = sim_resource_at(j);

			if (!strcmp(v->group, r->group) && !seen_before(j, 1))
				cJSON_AddItemToArray(versions, group_version(v));
		}
		cJSON_AddItemToObject(g, "preferredVersion", group_version(r));
		cJSON_AddItemToArray(groups, g);
	}
	return print_free(o);
}

/* storageVersionHash: 8 bytes of FNV-1a over "group/version/kind", base64 like the
 * API server's (an opaque token clients only compare). */
static void storage_hash(const sim_resource *r, char out[16])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t h = 14695981039346656037ULL;
	unsigned char b[9] = {0};
	char key[256];
	size_t o = 0;

	snprintf(key, sizeof(key), "%s/%s/%s", r->group, r->version, r->kind);
	for (const char *p = key; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(h >> (56 - 8 * i));
	for (int i = 0; i < 9; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];

		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	out[11] = '='; /* 8 bytes: 11 characters and one pad */
	out[12] = '\0';
}

static int in_category_all(const sim_resource *r)
{
	static const char *const all[] = {"pods", "services", "deployments", "replicasets",
					  "statefulsets", "jobs"};

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (!strcmp(r->plural, all[i]))
			return 1;
	return 0;
}

static void add_resource(cJSON *list, const sim_resource *r)
{
	cJSON *e = cJSON_CreateObject();
	char hash[16];

	cJSON_AddStringToObject(e, "name", r->plural);
	cJSON_AddStringToObject(e, "singularName", r->singular);
	cJSON_AddBoolToObject(e, "namespaced", r->namespaced);
	cJSON_AddStringToObject(e, "kind", r->kind);
	add_words(e, "verbs", r->verbs);
	if (r->short_names[0])
		add_words(e, "shortNames", r->short_names);
	if (in_category_all(r))
		add_words(e, "categories", "all");
	if (r->stored) {
		storage_hash(r, hash);
		cJSON_AddStringToObject(e, "storageVersionHash", hash);
	}
	cJSON_AddItemToArray(list, e);
}

static void add_subresource(cJSON *list, const sim_resource *r, const char *sub)
{
	cJSON *e = cJSON_CreateObject();
	char name[256];

	snprintf(name, sizeof(name), "%s/%s", r->plural, sub);
	cJSON_AddStringToObject(e, "name", name);
	cJSON_AddStringToObject(e, "singularName", "");
	cJSON_AddBoolToObject(e, "namespaced", r->namespaced);
	if (!strcmp(sub, "scale")) {
		cJSON_AddStringToObject(e, "group", "autoscaling");
		cJSON_AddStringToObject(e, "version", "v1");
		cJSON_AddStringToObject(e, "kind", "Scale");
		add_words(e, "verbs", "get patch update");
	} else if (!strcmp(sub, "log")) {
		cJSON_AddStringToObject(e, "kind", r->kind);
		add_words(e, "verbs", "get");
	} else {
		cJSON_AddStringToObject(e, "kind", r->kind);
		add_words(e, "verbs", "get patch update");
	}
	cJSON_AddItemToArray(list, e);
}

char *sim_discovery_resources(const char *group, const char *version)
{
	cJSON *o, *list;
	char gv[256];
	int found = 0;

	if (!group)
		group = "";
	if (!version)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", "APIResourceList");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	if (group[0])
		snprintf(gv, sizeof(gv), "%s/%s", group, version);
	else
		snprintf(gv, sizeof(gv), "%s", version);
	cJSON_AddStringToObject(o, "groupVersion", gv);
	list = cJSON_AddArrayToObject(o, "resources");
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		const char *p;

		if (strcmp(r->group, group) || strcmp(r->version, version))
			continue;
		found = 1;
		add_resource(list, r);
		for (p = r->subresources; *p;) {
			size_t n;
			char sub[64];

			while (*p == ' ')
				p++;
			n = strcspn(p, " ");
			if (!n)
				break;
			if (n < sizeof(sub)) {
				memcpy(sub, p, n);
				sub[n] = '\0';
				add_subresource(list, r, sub);
			}
			p += n;
		}
	}
	if (!found) {
		cJSON_Delete(o);
		return NULL;
	}
	return print_free(o);
}
