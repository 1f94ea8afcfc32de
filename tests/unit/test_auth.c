/* Unit tests for sim/auth: tokens, the users file, RBAC decisions and the two reviews. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/auth.h"
#include "sim/resource.h"
#include "util/util.h"

static const char *const VERBS[] = {"get",    "list",  "watch",	 "create",
				    "update", "patch", "delete", "deletecollection"};

static int in_groups(const sim_user *u, const char *g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (!strcmp(u->groups[i], g))
			return 1;
	return 0;
}

static sim_user cert_user(const sim_auth *a, const char *cn, const char *group)
{
	char groups[1][128];
	sim_user u;

	if (group)
		util_strlcpy(groups[0], group, sizeof(groups[0]));
	sim_auth_user_from_cert(a, cn, groups, group ? 1 : 0, &u);
	return u;
}

static int can(const sim_auth *a, const sim_user *u, const char *verb, const char *group,
	       const char *res, const char *sub)
{
	return sim_auth_allowed(a, u, verb, group, res, sub, "t1-prod", "", NULL, 0);
}

static void test_tokens(void **state)
{
	sim_auth *a = sim_auth_new(), *b = sim_auth_new();
	const char *adm = sim_auth_token(a, "admin"), *sup = sim_auth_token(a, "support");
	sim_user u;
	char buf[256];

	(void)state;
	assert_non_null(adm);
	assert_non_null(sup);
	assert_null(sim_auth_token(a, "nobody"));
	assert_true(strlen(adm) >= 32);
	assert_string_not_equal(adm, sup);
	assert_string_not_equal(adm, sim_auth_token(b, "admin"));

	assert_int_equal(sim_auth_by_token(a, adm, &u), 1);
	assert_string_equal(u.name, "admin");
	assert_true(in_groups(&u, "system:masters"));
	assert_true(in_groups(&u, "system:authenticated"));
	assert_int_equal(sim_auth_by_token(a, sup, &u), 1);
	assert_string_equal(u.name, "support");
	assert_true(in_groups(&u, "smartops:support"));
	assert_false(in_groups(&u, "system:masters"));

	assert_int_equal(sim_auth_by_token(a, "", &u), 0);
	assert_int_equal(sim_auth_by_token(a, NULL, &u), 0);
	assert_int_equal(sim_auth_by_token(a, sim_auth_token(b, "admin"), &u), 0);
	util_strlcpy(buf, adm, sizeof(buf));
	buf[strlen(buf) - 1] = '\0'; /* a prefix */
	assert_int_equal(sim_auth_by_token(a, buf, &u), 0);
	snprintf(buf, sizeof(buf), "%sx", adm); /* longer */
	assert_int_equal(sim_auth_by_token(a, buf, &u), 0);
	sim_auth_free(a);
	sim_auth_free(b);
}

static void test_admin(void **state)
{
	sim_auth *a = sim_auth_new();
	sim_user u;

	(void)state;
	assert_int_equal(sim_auth_by_token(a, sim_auth_token(a, "admin"), &u), 1);
	for (size_t i = 0; i < ARRAY_SIZE(VERBS); i++) {
		assert_true(can(a, &u, VERBS[i], "", "secrets", ""));
		assert_true(can(a, &u, VERBS[i], "apps", "deployments", "scale"));
		assert_true(
		    sim_auth_allowed(a, &u, VERBS[i], "", "namespaces", "", "", "x", NULL, 0));
	}
	assert_true(can(a, &u, "*", "*", "*", ""));
	assert_true(sim_auth_allowed_path(a, &u, "get", "/metrics", NULL, 0));
	assert_false(can(a, &u, "", "", "pods", ""));
	sim_auth_free(a);
}

static void test_support(void **state)
{
	sim_auth *a = sim_auth_new();
	sim_user u;
	char why[512];

	(void)state;
	assert_int_equal(sim_auth_by_token(a, sim_auth_token(a, "support"), &u), 1);
	assert_true(can(a, &u, "get", "", "pods", ""));
	assert_true(can(a, &u, "list", "apps", "deployments", ""));
	assert_true(can(a, &u, "watch", "", "namespaces", ""));
	assert_true(can(a, &u, "get", "", "pods", "log"));
	assert_true(can(a, &u, "get", "apps", "deployments", "scale"));
	assert_true(can(a, &u, "create", "authorization.k8s.io", "selfsubjectaccessreviews", ""));
	assert_true(can(a, &u, "create", "authorization.k8s.io", "selfsubjectrulesreviews", ""));
	assert_false(can(a, &u, "get", "", "secrets", ""));
	assert_false(can(a, &u, "list", "", "secrets", ""));
	assert_false(can(a, &u, "*", "*", "*", ""));
	assert_false(can(a, &u, "get", "apps", "pods", "")); /* wrong group */
	for (size_t i = 3; i < ARRAY_SIZE(VERBS); i++)
		assert_false(can(a, &u, VERBS[i], "", "pods", ""));

	assert_int_equal(
	    sim_auth_allowed(a, &u, "create", "", "pods", "", "t1-prod", "", why, sizeof(why)), 0);
	assert_string_equal(why,
			    "pods is forbidden: User \"support\" cannot create resource \"pods\" "
			    "in API group \"\" in the namespace \"t1-prod\"");
	assert_int_equal(sim_auth_allowed(a, &u, "patch", "apps", "deployments", "scale", "t1-prod",
					  "hypnus", why, sizeof(why)),
			 0);
	assert_string_equal(
	    why,
	    "deployments.apps \"hypnus\" is forbidden: User \"support\" cannot patch "
	    "resource \"deployments/scale\" in API group \"apps\" in the namespace \"t1-prod\"");
	assert_int_equal(sim_auth_allowed(a, &u, "delete", "", "namespaces", "", "", "t1-prod", why,
					  sizeof(why)),
			 0);
	assert_string_equal(why,
			    "namespaces \"t1-prod\" is forbidden: User \"support\" cannot delete "
			    "resource \"namespaces\" in API group \"\" at the cluster scope");

	assert_true(sim_auth_allowed_path(a, &u, "get", "/version", NULL, 0));
	assert_true(sim_auth_allowed_path(a, &u, "get", "/apis/apps/v1", NULL, 0));
	assert_true(sim_auth_allowed_path(a, &u, "get", "/openapi/v3", NULL, 0));
	assert_true(sim_auth_allowed_path(a, &u, "get", "/healthz", NULL, 0));
	assert_false(sim_auth_allowed_path(a, &u, "post", "/version", NULL, 0));
	assert_false(sim_auth_allowed_path(a, &u, "get", "/versionx", NULL, 0));
	assert_int_equal(sim_auth_allowed_path(a, &u, "get", "/metrics", why, sizeof(why)), 0);
	assert_string_equal(why, "forbidden: User \"support\" cannot get path \"/metrics\"");
	sim_auth_free(a);
}

static void test_cert_users(void **state)
{
	sim_auth *a = sim_auth_new();
	sim_user op = cert_user(a, "olga", "smartops:operators");
	sim_user nobody = cert_user(a, "nobody", NULL);
	sim_user fake = cert_user(a, "admin", NULL);
	sim_user master = cert_user(a, "root", "system:masters");

	(void)state;
	assert_string_equal(op.name, "olga");
	assert_true(in_groups(&op, "smartops:operators"));
	assert_true(in_groups(&op, "system:authenticated"));

	assert_true(can(a, &op, "create", "apps", "deployments", ""));
	assert_true(can(a, &op, "patch", "apps", "deployments", "scale"));
	assert_true(can(a, &op, "delete", "", "pods", ""));
	assert_true(can(a, &op, "get", "", "secrets", ""));
	assert_true(can(a, &op, "create", "", "namespaces", ""));
	assert_true(can(a, &op, "update", "", "namespaces", ""));
	assert_false(can(a, &op, "delete", "", "namespaces", ""));
	assert_false(can(a, &op, "deletecollection", "", "namespaces", ""));
	assert_true(can(a, &op, "get", "rbac.authorization.k8s.io", "roles", ""));
	assert_false(can(a, &op, "create", "rbac.authorization.k8s.io", "roles", ""));
	assert_false(can(a, &op, "delete", "rbac.authorization.k8s.io", "rolebindings", ""));

	/* no groups: only the reviews and discovery */
	assert_false(can(a, &nobody, "get", "", "pods", ""));
	assert_true(
	    can(a, &nobody, "create", "authorization.k8s.io", "selfsubjectaccessreviews", ""));
	assert_true(sim_auth_allowed_path(a, &nobody, "get", "/version", NULL, 0));
	/* a certificate named like a built-in user gets nothing from the name */
	assert_false(can(a, &fake, "get", "", "pods", ""));
	assert_true(can(a, &master, "delete", "", "namespaces", ""));

	/* groups are bounded; system:authenticated is always there */
	char many[20][128];
	sim_user u;
	for (int i = 0; i < 20; i++)
		snprintf(many[i], sizeof(many[i]), "g%d", i);
	sim_auth_user_from_cert(a, "x", many, 20, &u);
	assert_int_equal(u.n_groups, SIM_AUTH_MAX_GROUPS);
	assert_true(in_groups(&u, "system:authenticated"));
	sim_auth_free(a);
}

static char *write_file(const char *text)
{
	char *path = xstrdup("/tmp/kubesim-users-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_users_file(void **state)
{
	sim_auth *a = sim_auth_new();
	char *old_admin = xstrdup(sim_auth_token(a, "admin"));
	char err[512];
	sim_user u;
	char *path = write_file("# kubesim users\n"
				"\n"
				"  tok-olga , olga , team-a;team-b , operator\n"
				"tok-vera,vera,smartops:support,none\r\n"
				"tok-ned,ned,,\n"
				"tok-admin,admin,system:masters,cluster-admin\n"
				"tok-viv,viv,,view\n");

	(void)state;
	assert_int_equal(sim_auth_load_users(a, path, err, sizeof(err)), 0);
	assert_string_equal(sim_auth_token(a, "olga"), "tok-olga");
	assert_string_equal(sim_auth_token(a, "admin"), "tok-admin");
	assert_int_equal(sim_auth_by_token(a, old_admin, &u), 0);
	assert_int_equal(sim_auth_by_token(a, "tok-admin", &u), 1);
	assert_true(can(a, &u, "delete", "", "namespaces", ""));

	assert_int_equal(sim_auth_by_token(a, "tok-olga", &u), 1);
	assert_string_equal(u.name, "olga");
	assert_int_equal(u.n_groups, 3);
	assert_string_equal(u.groups[0], "team-a");
	assert_string_equal(u.groups[1], "team-b");
	assert_string_equal(u.groups[2], "system:authenticated");
	assert_true(can(a, &u, "create", "apps", "deployments", ""));
	assert_false(can(a, &u, "delete", "", "namespaces", ""));

	assert_int_equal(sim_auth_by_token(a, "tok-vera", &u), 1);
	assert_true(can(a, &u, "list", "", "pods", "")); /* from smartops:support */
	assert_false(can(a, &u, "create", "", "pods", ""));
	assert_int_equal(sim_auth_by_token(a, "tok-ned", &u), 1);
	assert_false(can(a, &u, "get", "", "pods", ""));
	assert_int_equal(sim_auth_by_token(a, "tok-viv", &u), 1);
	assert_true(can(a, &u, "get", "", "pods", ""));
	assert_false(can(a, &u, "get", "", "secrets", ""));

	/* a client certificate for a file user gets the user's role by name */
	sim_user cu = cert_user(a, "olga", NULL);
	assert_true(can(a, &cu, "create", "apps", "deployments", ""));
	unlink(path);
	free(path);
	free(old_admin);
	sim_auth_free(a);
}

static void expect_load_error(const char *text, const char *want)
{
	sim_auth *a = sim_auth_new();
	char err[512], where[600];
	char *path = write_file(text);
	sim_user u;

	assert_int_equal(sim_auth_load_users(a, path, err, sizeof(err)), -1);
	snprintf(where, sizeof(where), "%s:", path);
	assert_non_null(strstr(err, where));
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	/* nothing was added, even from the good lines */
	assert_int_equal(sim_auth_by_token(a, "good", &u), 0);
	assert_null(sim_auth_token(a, "gina"));
	unlink(path);
	free(path);
	sim_auth_free(a);
}

static void test_users_file_errors(void **state)
{
	sim_auth *a = sim_auth_new();
	char err[512];

	(void)state;
	expect_load_error("good,gina,,view\n#\nt2,bob,g,admin\n", ":3: unknown role");
	expect_load_error("good,gina,,view\nt2,bob\n", ":2: too few fields");
	expect_load_error("good,gina,,view,extra\n", ":1: too many fields");
	expect_load_error("good,gina,,view\ngood,bob,,view\n", ":2: token used twice");
	expect_load_error("good,gina,,view\nt3,gina,,view\n", ":2: user named twice");
	expect_load_error("good,gina,,view\n,bob,,view\n", ":2: empty token");
	expect_load_error("good,gina,,view\nt b,bob,,view\n", ":2: token must be");
	expect_load_error("good,gina,,view\nt4,,,view\n", ":2: empty user name");
	expect_load_error("good,gina,a;b;c;d;e;f;g;h,view\n", ":1: too many groups");

	assert_int_equal(sim_auth_load_users(a, "/nonexistent/users", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/users"));

	/* from memory: the same reader, the origin named, a NUL refused, nothing added */
	assert_int_equal(sim_auth_load_users_text(a, "mem", "good,gina,,view\nt2,bob\n", 23, err,
						  sizeof(err)), -1);
	assert_string_equal(err, "mem:2: too few fields (want token,user,groups,role)");
	assert_int_equal(sim_auth_load_users_text(a, "mem", "good,gina,,view\n\0x\n", 19, err,
						  sizeof(err)), -1);
	assert_string_equal(err, "mem:2: NUL byte in line");
	assert_null(sim_auth_token(a, "gina"));
	/* a last line without its newline counts */
	assert_int_equal(sim_auth_load_users_text(a, "mem", "# c\ngood,gina,,view", 19, err,
						  sizeof(err)), 0);
	assert_string_equal(sim_auth_token(a, "gina"), "good");
	sim_auth_free(a);
}

static cJSON *review(const sim_auth *a, const sim_user *u, const char *spec_json)
{
	cJSON *spec = cJSON_Parse(spec_json);
	cJSON *st;

	assert_non_null(spec);
	st = sim_auth_access_review(a, u, spec);
	cJSON_Delete(spec);
	assert_non_null(st);
	return st;
}

static int review_allowed(const cJSON *st)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, "allowed");
	assert_true(cJSON_IsBool(v));
	return cJSON_IsTrue(v);
}

static void test_access_review(void **state)
{
	sim_auth *a = sim_auth_new();
	sim_user adm, sup;
	cJSON *st;

	(void)state;
	sim_auth_by_token(a, sim_auth_token(a, "admin"), &adm);
	sim_auth_by_token(a, sim_auth_token(a, "support"), &sup);

	st = review(a, &sup,
		    "{\"resourceAttributes\":{\"namespace\":\"t1-prod\",\"verb\":\"create\","
		    "\"resource\":\"pods\"}}");
	assert_false(review_allowed(st));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(st, "denied")));
	cJSON_Delete(st);

	st = review(a, &sup,
		    "{\"resourceAttributes\":{\"namespace\":\"t1-prod\",\"verb\":\"get\","
		    "\"resource\":\"pods\",\"subresource\":\"log\"}}");
	assert_true(review_allowed(st));
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(st, "reason");
	assert_true(cJSON_IsString(reason));
	assert_non_null(strstr(reason->valuestring, "ClusterRole \"view\""));
	assert_non_null(strstr(reason->valuestring, "smartops:support"));
	cJSON_Delete(st);

	st = review(a, &sup,
		    "{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"secrets\","
		    "\"version\":\"v1\"}}");
	assert_false(review_allowed(st));
	cJSON_Delete(st);

	st = review(a, &adm,
		    "{\"resourceAttributes\":{\"verb\":\"*\",\"group\":\"*\",\"resource\":\"*\"}}");
	assert_true(review_allowed(st));
	reason = cJSON_GetObjectItemCaseSensitive(st, "reason");
	assert_non_null(strstr(reason->valuestring, "cluster-admin"));
	cJSON_Delete(st);

	st = review(a, &adm,
		    "{\"resourceAttributes\":{\"verb\":\"patch\",\"group\":\"apps\",\"resource\":"
		    "\"deployments\",\"subresource\":\"scale\",\"name\":\"x\"}}");
	assert_true(review_allowed(st));
	cJSON_Delete(st);

	st =
	    review(a, &sup, "{\"nonResourceAttributes\":{\"path\":\"/version\",\"verb\":\"get\"}}");
	assert_true(review_allowed(st));
	cJSON_Delete(st);
	st =
	    review(a, &sup, "{\"nonResourceAttributes\":{\"path\":\"/metrics\",\"verb\":\"get\"}}");
	assert_false(review_allowed(st));
	cJSON_Delete(st);

	st = review(a, &adm, "{}");
	assert_false(review_allowed(st));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(st, "evaluationError")));
	cJSON_Delete(st);
	sim_auth_free(a);
}

static int arr_has(const cJSON *arr, const char *s)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) if (cJSON_IsString(it) && !strcmp(it->valuestring, s)) return 1;
	return 0;
}

/* 1 when some resource rule of the review covers verb on group/res. */
static int rules_cover(const cJSON *st, const char *verb, const char *group, const char *res)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(st, "resourceRules"))
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "verbs");
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(r, "apiGroups");
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(r, "resources");
		if ((arr_has(v, "*") || arr_has(v, verb)) &&
		    (arr_has(g, "*") || arr_has(g, group)) &&
		    (arr_has(rs, "*") || arr_has(rs, res)))
			return 1;
	}
	return 0;
}

/* The rules review tells the truth: for every resource, subresource and verb, a rule
 * covers it exactly when sim_auth_allowed says yes. */
static void check_truthful(const sim_auth *a, const sim_user *u)
{
	cJSON *st = sim_auth_rules_review(a, u, "t1-prod");

	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(st, "incomplete")));
	for (size_t i = 0; i < sim_resource_count(); i++) {
		const sim_resource *r = sim_resource_at(i);
		char subs[256], full[300];
		const char *s;

		snprintf(subs, sizeof(subs), " %s", r->subresources);
		for (s = subs; s;) {
			const char *next = strchr(s + 1, ' ');
			size_t n = next ? (size_t)(next - s - 1) : strlen(s + 1);
			char sub[64];
			snprintf(sub, sizeof(sub), "%.*s", (int)n, s + 1);
			if (*sub)
				snprintf(full, sizeof(full), "%s/%s", r->plural, sub);
			else
				util_strlcpy(full, r->plural, sizeof(full));
			for (size_t v = 0; v < ARRAY_SIZE(VERBS); v++) {
				int allowed = can(a, u, VERBS[v], r->group, r->plural, sub);
				if (allowed != rules_cover(st, VERBS[v], r->group, full))
					fail_msg("%s %s %s/%s: allowed=%d but rules disagree",
						 u->name, VERBS[v], r->group, full, allowed);
			}
			s = next;
		}
	}
	cJSON_Delete(st);
}

static void test_rules_review(void **state)
{
	sim_auth *a = sim_auth_new();
	sim_user adm, sup, op = cert_user(a, "olga", "smartops:operators"),
			   none = cert_user(a, "n", NULL);
	cJSON *st;

	(void)state;
	sim_auth_by_token(a, sim_auth_token(a, "admin"), &adm);
	sim_auth_by_token(a, sim_auth_token(a, "support"), &sup);

	st = sim_auth_rules_review(a, &sup, "t1-prod");
	assert_true(rules_cover(st, "get", "", "pods/log"));
	assert_true(rules_cover(st, "watch", "apps", "deployments"));
	assert_false(rules_cover(st, "get", "", "secrets"));
	assert_true(rules_cover(st, "create", "authorization.k8s.io", "selfsubjectrulesreviews"));
	int found = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(st, "nonResourceRules")) found |=
	    arr_has(cJSON_GetObjectItemCaseSensitive(r, "nonResourceURLs"), "/version");
	assert_true(found);
	cJSON_Delete(st);

	st = sim_auth_rules_review(a, &adm, "t1-prod");
	assert_true(rules_cover(st, "*", "*", "*"));
	cJSON_Delete(st);

	check_truthful(a, &adm);
	check_truthful(a, &sup);
	check_truthful(a, &op);
	check_truthful(a, &none);
	sim_auth_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tokens),	  cmocka_unit_test(test_admin),
	    cmocka_unit_test(test_support),	  cmocka_unit_test(test_cert_users),
	    cmocka_unit_test(test_users_file),	  cmocka_unit_test(test_users_file_errors),
	    cmocka_unit_test(test_access_review), cmocka_unit_test(test_rules_review),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
