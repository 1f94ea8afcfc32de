/* Discovery: /version, /api, /apis and every APIResourceList against the resource table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/discovery.h"
#include "sim/resource.h"
#include "util/util.h"

static cJSON *parse_owned(char *text)
{
	cJSON *o;

	assert_non_null(text);
	o = cJSON_Parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 if the JSON array of strings equals the space-separated words. */
static int same_words(const cJSON *arr, const char *words)
{
	const cJSON *e;
	size_t n = 0, want = 0;
	const char *p = words;

	while (*p) {
		while (*p == ' ')
			p++;
		if (*p)
			want++;
		p += strcspn(p, " ");
	}
	cJSON_ArrayForEach(e, arr)
	{
		if (!cJSON_IsString(e) || !sim_word_in(words, e->valuestring))
			return 0;
		n++;
	}
	return cJSON_IsArray(arr) && n == want;
}

static const cJSON *find_named(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) if (str(e, key) && !strcmp(str(e, key), value)) return e;
	return NULL;
}

static void test_version(void **state)
{
	cJSON *v = parse_owned(sim_discovery_version());

	(void)state;
	assert_string_equal(str(v, "major"), "1");
	assert_string_equal(str(v, "minor"), "31");
	assert_string_equal(str(v, "gitVersion"), "v1.31.0-kubesim");
	assert_string_equal(str(v, "platform"), "linux/amd64");
	assert_non_null(str(v, "goVersion"));
	assert_non_null(str(v, "buildDate"));
	cJSON_Delete(v);
}

static void test_api(void **state)
{
	cJSON *a = parse_owned(sim_discovery_api()), *versions, *cidrs;

	(void)state;
	assert_string_equal(str(a, "kind"), "APIVersions");
	versions = cJSON_GetObjectItemCaseSensitive(a, "versions");
	assert_true(same_words(versions, "v1"));
	cidrs = cJSON_GetObjectItemCaseSensitive(a, "serverAddressByClientCIDRs");
	assert_int_equal(cJSON_GetArraySize(cidrs), 1);
	assert_string_equal(str(cJSON_GetArrayItem(cidrs, 0), "clientCIDR"), "0.0.0.0/0");
	assert_string_equal(str(cJSON_GetArrayItem(cidrs, 0), "serverAddress"), "127.0.0.1:443");
	cJSON_Delete(a);
}

static void test_apis_lists_every_group_once(void **state)
{
	cJSON *l = parse_owned(sim_discovery_apis()), *groups, *g;

	(void)state;
	assert_string_equal(str(l, "kind"), "APIGroupList");
	groups = cJSON_GetObjectItemCaseSensitive(l, "groups");
	assert_null(find_named(groups, "name", ""));
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		const cJSON *grp, *pref;
		char gv[256];

		if (!r->group[0])
			continue;
		grp = find_named(groups, "name", r->group);
		assert_non_null(grp);
		sim_resource_api_version(r, gv, sizeof(gv));
		assert_non_null(find_named(cJSON_GetObjectItemCaseSensitive(grp, "versions"),
					   "groupVersion", gv));
		pref = cJSON_GetObjectItemCaseSensitive(grp, "preferredVersion");
		assert_string_equal(str(pref, "version"), r->version);
	}
	/* no group twice */
	cJSON_ArrayForEach(g, groups)
	{
		const cJSON *h;
		int seen = 0;

		cJSON_ArrayForEach(h, groups) seen += !strcmp(str(g, "name"), str(h, "name"));
		assert_int_equal(seen, 1);
	}
	cJSON_Delete(l);
}

/* Every resource of the table, with verbs, short names and each subresource. */
static void test_resources_cover_the_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		cJSON *l = parse_owned(sim_discovery_resources(r->group, r->version));
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(l, "resources");
		const cJSON *e = find_named(list, "name", r->plural);
		char gv[256];
		const char *p;

		sim_resource_api_version(r, gv, sizeof(gv));
		assert_string_equal(str(l, "kind"), "APIResourceList");
		assert_string_equal(str(l, "groupVersion"), gv);
		assert_non_null(e);
		assert_string_equal(str(e, "kind"), r->kind);
		assert_string_equal(str(e, "singularName"), r->singular);
		assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "namespaced")),
				 r->namespaced);
		assert_true(same_words(cJSON_GetObjectItemCaseSensitive(e, "verbs"), r->verbs));
		if (r->short_names[0])
			assert_true(same_words(cJSON_GetObjectItemCaseSensitive(e, "shortNames"),
					       r->short_names));
		else
			assert_null(cJSON_GetObjectItemCaseSensitive(e, "shortNames"));
		if (r->stored)
			assert_int_equal(strlen(str(e, "storageVersionHash")), 12);

		for (p = r->subresources; *p;) {
			size_t n = strcspn(p, " ");
			char name[128], sub[64];
			const cJSON *s;

			snprintf(sub, sizeof(sub), "%.*s", (int)n, p);
			p += n;
			while (*p == ' ')
				p++;
			snprintf(name, sizeof(name), "%s/%s", r->plural, sub);
			s = find_named(list, "name", name);
			assert_non_null(s);
			if (!strcmp(sub, "log")) {
				assert_true(same_words(cJSON_GetObjectItemCaseSensitive(s, "verbs"),
						       "get"));
				assert_string_equal(str(s, "kind"), r->kind);
			} else if (!strcmp(sub, "scale")) {
				assert_true(same_words(cJSON_GetObjectItemCaseSensitive(s, "verbs"),
						       "get patch update"));
				assert_string_equal(str(s, "kind"), "Scale");
				assert_string_equal(str(s, "group"), "autoscaling");
				assert_string_equal(str(s, "version"), "v1");
			} else {
				assert_true(same_words(cJSON_GetObjectItemCaseSensitive(s, "verbs"),
						       "get patch update"));
				assert_string_equal(str(s, "kind"), r->kind);
			}
		}
		cJSON_Delete(l);
	}
}

static void test_resource_details(void **state)
{
	cJSON *core = parse_owned(sim_discovery_resources("", "v1"));
	cJSON *apps = parse_owned(sim_discovery_resources("apps", "v1"));
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(core, "resources");
	const cJSON *pods = find_named(list, "name", "pods");
	const cJSON *cm = find_named(list, "name", "configmaps");
	const cJSON *deploy =
	    find_named(cJSON_GetObjectItemCaseSensitive(apps, "resources"), "name", "deployments");

	(void)state;
	assert_true(same_words(cJSON_GetObjectItemCaseSensitive(pods, "categories"), "all"));
	assert_true(same_words(cJSON_GetObjectItemCaseSensitive(deploy, "categories"), "all"));
	assert_null(cJSON_GetObjectItemCaseSensitive(cm, "categories"));
	assert_null(find_named(list, "name", "deployments"));
	assert_null(find_named(list, "name", "pods/scale"));
	/* NULL group means core too; the hashes differ between kinds */
	{
		cJSON *again = parse_owned(sim_discovery_resources(NULL, "v1"));

		assert_true(cJSON_Compare(again, core, 1));
		cJSON_Delete(again);
	}
	assert_string_not_equal(str(pods, "storageVersionHash"), str(cm, "storageVersionHash"));
	cJSON_Delete(core);
	cJSON_Delete(apps);
}

static void test_unknown_group_version(void **state)
{
	(void)state;
	assert_null(sim_discovery_resources("", "v2"));
	assert_null(sim_discovery_resources("apps", "v1beta1"));
	assert_null(sim_discovery_resources("example.com", "v1"));
	assert_null(sim_discovery_resources("autoscaling", "v1"));
	assert_null(sim_discovery_resources("apps", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_api),
	    cmocka_unit_test(test_apis_lists_every_group_once),
	    cmocka_unit_test(test_resources_cover_the_table),
	    cmocka_unit_test(test_resource_details),
	    cmocka_unit_test(test_unknown_group_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
