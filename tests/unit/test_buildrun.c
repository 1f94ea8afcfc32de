/* The custom-build stages of kubesim: the verdict format, what counts as a source, the
 * contract's names, and the stages on a simulated (not file://) repository. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim/buildrun.h"
#include "util/util.h"

static void test_gate_verdict(void **state)
{
	sim_build_gate_cond ok[] = {{"new bugs", 0, 0, 0, 1}, {"coverage", 78, 60, 1, 0}};
	sim_build_gate_cond bad[] = {{"new bugs", 3, 0, 0, 1}, {"coverage", 41, 60, 1, 0}};
	sim_build_gate_cond one[] = {{"new bugs", 0, 0, 0, 1}, {"coverage", 59, 60, 1, 0}};
	strbuf sb;

	sb_init(&sb, 64);
	assert_int_equal(sim_build_gate_verdict(ok, 2, &sb), 1);
	assert_string_equal(sb.buf, "quality gate OK");
	sb_reset(&sb);
	assert_int_equal(sim_build_gate_verdict(bad, 2, &sb), 0);
	assert_string_equal(sb.buf, "quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%");
	sb_reset(&sb);
	assert_int_equal(sim_build_gate_verdict(one, 2, &sb), 0);
	assert_string_equal(sb.buf, "quality gate ERROR: coverage 59% < 60%");
	sb_reset(&sb);
	/* at the threshold passes */
	one[1].value = 60;
	assert_int_equal(sim_build_gate_verdict(one, 2, &sb), 1);
	sb_release(&sb);
}

static void test_is_source(void **state)
{
	assert_true(sim_build_is_source("src/MATA410.PRW"));
	assert_true(sim_build_is_source("a.prw"));
	assert_true(sim_build_is_source("inc/lib.PrX"));
	assert_true(sim_build_is_source("tlpp/api.tlpp"));
	assert_true(sim_build_is_source("x/y/z.TLPP"));
	assert_false(sim_build_is_source("README.md"));
	assert_false(sim_build_is_source("src/a.prw.bak"));
	assert_false(sim_build_is_source(".prw"));         /* a name, not only an extension */
	assert_false(sim_build_is_source("dir.prw/readme")); /* the directory's name does not count */
	assert_false(sim_build_is_source("a.tlp"));
}

static void test_is_commit(void **state)
{
	assert_true(sim_build_is_commit("0123456789abcdef0123456789abcdef01234567"));
	assert_true(sim_build_is_commit("0123456789ABCDEF0123456789ABCDEF01234567"));
	assert_false(sim_build_is_commit("0123456789abcdef0123456789abcdef0123456"));
	assert_false(sim_build_is_commit("0123456789abcdef0123456789abcdef012345678"));
	assert_false(sim_build_is_commit("main"));
	assert_false(sim_build_is_commit("g123456789abcdef0123456789abcdef01234567"));
	assert_false(sim_build_is_commit(NULL));
}

static void test_file_path(void **state)
{
	char p[64];

	assert_int_equal(sim_build_file_path("file:///srv/git/c.git", p, sizeof(p)), 0);
	assert_string_equal(p, "/srv/git/c.git");
	assert_int_equal(sim_build_file_path("file://localhost/srv/c", p, sizeof(p)), 0);
	assert_string_equal(p, "/srv/c");
	assert_int_equal(sim_build_file_path("file://relative/c", p, sizeof(p)), -1);
	assert_int_equal(sim_build_file_path("https://git.example.com/c.git", p, sizeof(p)), -1);
	assert_int_equal(sim_build_file_path("git@git.example.com:c.git", p, sizeof(p)), -1);
	assert_int_equal(sim_build_file_path(NULL, p, sizeof(p)), -1);
	assert_int_equal(sim_build_file_path("file:///a/very/long/path/that/does/not/fit/in/the/buffer/given",
					     p, 16), -1);
}

static void test_is_build(void **state)
{
	const char *good[] = {"checkout", "sonarqube", "compile", "upload"};
	const char *order[] = {"checkout", "compile", "sonarqube", "upload"};
	const char *more[] = {"checkout", "sonarqube", "compile", "upload", "extra"};

	assert_true(sim_build_is_build(good, 4));
	assert_false(sim_build_is_build(order, 4));
	assert_false(sim_build_is_build(good, 3));
	assert_false(sim_build_is_build(more, 5));
	assert_string_equal(sim_build_stage_name(SIM_BUILD_FINISH), "finish");
	for (int st = 0; st < SIM_BUILD_STAGES; st++)
		assert_true(sim_build_stage_seconds((sim_build_stage)st) > 0);
}

static const sim_build_env sim_env = {"https://git.example.com/t1/custom.git",
				      "0123456789abcdef0123456789abcdef01234567", "b42",
				      "s3://smart-rpo/t1/"};

static int has_line(const sim_build_result *r, const char *prefix)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (util_starts_with(r->lines[i], prefix))
			return 1;
	return 0;
}

static void test_simulated_stages(void **state)
{
	sim_build_result r;
	size_t compiled = 0;
	char want[64];

	sim_build_run(SIM_BUILD_CHECKOUT, &sim_env, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 0);
	assert_true(util_starts_with(r.message, "checked out 0123456789ab ("));
	assert_true(has_line(&r, "simulated checkout:"));
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_SONARQUBE, &sim_env, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.message, "quality gate OK");
	assert_string_equal(r.lines[r.n_lines - 1], "quality gate OK"); /* the log's last line */
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_SONARQUBE, &sim_env, SIM_BUILD_FORCE_FAIL, &r);
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.message, "quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%");
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_COMPILE, &sim_env, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 0);
	for (size_t i = 0; i < r.n_lines; i++)
		if (util_starts_with(r.lines[i], "compiling ")) {
			assert_true(sim_build_is_source(r.lines[i] + 10));
			compiled++;
		}
	assert_true(compiled >= 3);
	snprintf(want, sizeof(want), "compiled %zu sources", compiled);
	assert_string_equal(r.message, want);
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_COMPILE, &sim_env, SIM_BUILD_FORCE_FAIL, &r);
	assert_int_equal(r.exit_code, 1);
	assert_true(util_starts_with(r.message, "compile failed: "));
	assert_non_null(strstr(r.message, "error C2001"));
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_UPLOAD, &sim_env, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.message, "s3://smart-rpo/t1/b42/custom.rpo"); /* one slash */
	sim_build_result_release(&r);

	sim_build_run(SIM_BUILD_FINISH, &sim_env, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 0);
	assert_null(r.message);
	assert_true(has_line(&r, "build b42 succeeded"));
	sim_build_result_release(&r);
}

/* The same commit and build id give the same stages (no clock, no randomness). */
static void test_deterministic(void **state)
{
	sim_build_result a, b;

	sim_build_run(SIM_BUILD_COMPILE, &sim_env, SIM_BUILD_NORMAL, &a);
	sim_build_run(SIM_BUILD_COMPILE, &sim_env, SIM_BUILD_NORMAL, &b);
	assert_int_equal(a.n_lines, b.n_lines);
	for (size_t i = 0; i < a.n_lines; i++)
		assert_string_equal(a.lines[i], b.lines[i]);
	sim_build_result_release(&a);
	sim_build_result_release(&b);
}

static void test_missing_env(void **state)
{
	sim_build_env e = sim_env;
	sim_build_result r;

	e.repo = NULL;
	sim_build_run(SIM_BUILD_CHECKOUT, &e, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 2);
	assert_true(util_starts_with(r.message, "REPO is not set"));
	sim_build_result_release(&r);

	e = sim_env;
	e.commit = "main";
	sim_build_run(SIM_BUILD_CHECKOUT, &e, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 2);
	assert_string_equal(r.message, "COMMIT \"main\" is not a commit id (40 hex digits)");
	sim_build_result_release(&r);

	e = sim_env;
	e.rpo_location = "";
	sim_build_run(SIM_BUILD_UPLOAD, &e, SIM_BUILD_NORMAL, &r);
	assert_int_equal(r.exit_code, 2);
	assert_true(util_starts_with(r.message, "RPO_LOCATION is not set"));
	sim_build_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_verdict),
		cmocka_unit_test(test_is_source),
		cmocka_unit_test(test_is_commit),
		cmocka_unit_test(test_file_path),
		cmocka_unit_test(test_is_build),
		cmocka_unit_test(test_simulated_stages),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_missing_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
