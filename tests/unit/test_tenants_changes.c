/* cli/tenants_changes: `tenants --watch --changes -o json` prints the whole
 * TenantList once, then one event a line for what changed only: a tenant
 * added, modified or deleted (gone, or no longer passing the filter), a
 * cluster's entry modified; nothing when nothing changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/tenants_changes.h"
#include "util/util.h"

#define MAXT 4

/* Tenants T1000k (k in tcodes) with a prod namespace and its lockserver,
 * ready[k] of 1 replica ready. */
static fleet_snapshot *snap(const int *tcodes, const int *ready, size_t n)
{
	fleet_cluster_state st;
	project_ns ns[MAXT];
	project_workload wl[MAXT];
	size_t i;

	memset(&st, 0, sizeof(st));
	util_strlcpy(st.name, "prod-sp", sizeof(st.name));
	memset(ns, 0, sizeof(ns));
	memset(wl, 0, sizeof(wl));
	for (i = 0; i < n; i++) {
		snprintf(ns[i].m.name, sizeof(ns[i].m.name), "t1000%d-prod", tcodes[i]);
		snprintf(ns[i].tcode, sizeof(ns[i].tcode), "T1000%d", tcodes[i]);
		ns[i].env = TCODE_ENV_PROD;
		ns[i].product = MODEL_PRODUCT_ERP;
		snprintf(ns[i].customer, sizeof(ns[i].customer), "Customer %d", tcodes[i]);
		util_strlcpy(wl[i].m.ns, ns[i].m.name, sizeof(wl[i].m.ns));
		util_strlcpy(wl[i].m.name, "lockserver", sizeof(wl[i].m.name));
		util_strlcpy(wl[i].component, "lockserver", sizeof(wl[i].component));
		wl[i].tier = PROJECT_TIER_BASE;
		wl[i].desired = 1;
		wl[i].ready = ready[i];
	}
	return fleet_snapshot_build(&st, ns, n, wl, n, NULL, 0, NULL, 0, NULL, NULL, NULL);
}

static char *render(tenants_changes *c, const int *tcodes, const int *ready, size_t n,
		    const tenants_filter *flt)
{
	fleet_snapshot *s = snap(tcodes, ready, n);
	strbuf sb;

	sb_init(&sb, 256);
	tenants_changes_render(c, s, flt, &sb);
	fleet_snapshot_put(s);
	return sb_detach(&sb, NULL);
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of out naming tcode, or NULL. */
static const char *line_of(const char *out, const char *tcode)
{
	char key[40];

	snprintf(key, sizeof(key), "\"tcode\":\"%s\"", tcode);
	return strstr(out, key);
}

static int event_is(const char *out, const char *type, const char *tcode)
{
	char key[80];
	const char *l = line_of(out, tcode), *start;

	if (!l)
		return 0;
	for (start = l; start > out && start[-1] != '\n'; start--)
		;
	snprintf(key, sizeof(key), "{\"kind\":\"TenantEvent\",\"type\":\"%s\",\"object\":{", type);
	return !strncmp(start, key, strlen(key));
}

static void test_list_then_events(void **state)
{
	tenants_changes *c = tenants_changes_new();
	const int t1[] = {1, 2, 3}, r1[] = {1, 1, 1};
	const int t2[] = {2, 3, 4}, r2[] = {1, 0, 1};
	char *out;

	(void)state;
	/* first: the whole list, one line */
	out = render(c, t1, r1, 3, NULL);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "{\"kind\":\"TenantList\","));
	assert_non_null(line_of(out, "T10001"));
	free(out);
	/* the same again: nothing */
	out = render(c, t1, r1, 3, NULL);
	assert_string_equal(out, "");
	free(out);
	/* T10001 gone, T10003's lockserver down, T10004 new; T10002 the same;
	 * the cluster's count is the same (3): no ClusterEvent */
	out = render(c, t2, r2, 3, NULL);
	assert_int_equal(lines(out), 3);
	assert_true(event_is(out, "DELETED", "T10001"));
	assert_true(event_is(out, "MODIFIED", "T10003"));
	assert_true(event_is(out, "ADDED", "T10004"));
	assert_null(line_of(out, "T10002"));
	assert_null(strstr(out, "ClusterEvent"));
	/* in order of tcode, each line one event */
	assert_true(line_of(out, "T10001") < line_of(out, "T10003"));
	assert_true(line_of(out, "T10003") < line_of(out, "T10004"));
	free(out);
	/* one tenant fewer: its DELETED and the cluster's count */
	out = render(c, t2, r2, 2, NULL);
	assert_int_equal(lines(out), 2);
	assert_true(event_is(out, "DELETED", "T10004"));
	assert_non_null(strstr(out, "{\"kind\":\"ClusterEvent\",\"type\":\"MODIFIED\",\"object\":{\"name\":"
				    "\"prod-sp\""));
	assert_non_null(strstr(out, "\"tenants\":2}"));
	free(out);
	tenants_changes_free(c);
}

static void test_filter(void **state)
{
	tenants_changes *c = tenants_changes_new();
	const int t[] = {1, 2};
	const int down[] = {0, 1}, up[] = {1, 1}, both[] = {0, 0};
	fleet_snapshot *s = snap(t, down, 2);
	char health[24], key[48];
	tenants_filter flt = {health, NULL};
	char *out;

	(void)state;
	/* the health the lockserver down gives, another than the one it gives up */
	util_strlcpy(health, health_name(fleet_tenant_at(s, 0)->health.state), sizeof(health));
	assert_int_not_equal(fleet_tenant_at(s, 0)->health.state, fleet_tenant_at(s, 1)->health.state);
	fleet_snapshot_put(s);
	out = render(c, t, down, 2, &flt);
	assert_non_null(line_of(out, "T10001"));
	assert_null(line_of(out, "T10002"));
	free(out);
	/* T10001 recovers: it leaves the filter, DELETED as last printed */
	out = render(c, t, up, 2, &flt);
	assert_int_equal(lines(out), 1);
	assert_true(event_is(out, "DELETED", "T10001"));
	snprintf(key, sizeof(key), "\"health\":\"%s\"", health);
	assert_non_null(strstr(out, key));
	free(out);
	/* both down: both enter it */
	out = render(c, t, both, 2, &flt);
	assert_int_equal(lines(out), 2);
	assert_true(event_is(out, "ADDED", "T10001"));
	assert_true(event_is(out, "ADDED", "T10002"));
	free(out);
	tenants_changes_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_then_events),
	    cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
