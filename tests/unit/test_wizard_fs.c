/* Unit tests for the pure parts of core/wizard_fs: quantities, provisioner ->
 * provider, each provider's size rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/wizard_fs.h"
#include "util/util.h"

#define GI (1024ULL * 1024 * 1024)

static void test_quantity_accepts(void **state)
{
	uint64_t b;
	char err[160];

	(void)state;
	assert_int_equal(fs_quantity_parse("500Gi", &b, err, sizeof(err)), 0);
	assert_true(b == 500 * GI);
	assert_int_equal(fs_quantity_parse("1Ti", &b, err, sizeof(err)), 0);
	assert_true(b == 1024 * GI);
	assert_int_equal(fs_quantity_parse("1.5Ti", &b, err, sizeof(err)), 0);
	assert_true(b == 1536 * GI);
	assert_int_equal(fs_quantity_parse("2T", &b, err, sizeof(err)), 0);
	assert_true(b == 2000000000000ULL);
	assert_int_equal(fs_quantity_parse("1048576", &b, err, sizeof(err)), 0);
	assert_true(b == 1048576ULL);
	assert_int_equal(fs_quantity_parse("100Mi", &b, err, sizeof(err)), 0);
	assert_true(b == 100ULL * 1024 * 1024);
}

static void test_quantity_refuses(void **state)
{
	uint64_t b = 7;
	char err[160];

	(void)state;
	assert_int_equal(fs_quantity_parse("", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(fs_quantity_parse("lots", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a Kubernetes quantity"));
	assert_int_equal(fs_quantity_parse("500GB", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown unit \"GB\""));
	assert_int_equal(fs_quantity_parse("0Gi", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "zero"));
	assert_int_equal(fs_quantity_parse("-1Gi", &b, err, sizeof(err)), -1);
	assert_int_equal(fs_quantity_parse("1Gi ", &b, err, sizeof(err)), -1);
	assert_int_equal(fs_quantity_parse("99999999Pi", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too large"));
	assert_true(b == 7); /* untouched on refusal */
}

static void test_provider_of(void **state)
{
	char p[16];

	(void)state;
	assert_string_equal(fs_provider_default("efs.csi.aws.com"), "aws");
	assert_string_equal(fs_provider_default("filestore.csi.storage.gke.io"), "gcp");
	assert_string_equal(fs_provider_default("nfs.csi.k8s.io"), "totvs");
	assert_null(fs_provider_default("kubernetes.io/no-provisioner"));
	fs_provider_of(NULL, "efs.csi.aws.com", p, sizeof(p));
	assert_string_equal(p, "aws");
	fs_provider_of("", "other", p, sizeof(p));
	assert_string_equal(p, "");
	/* a map replaces the built-in table */
	fs_provider_of("nfs.acme.example=totvs, efs.csi.aws.com=aws\nx=gcp", "nfs.acme.example", p,
		       sizeof(p));
	assert_string_equal(p, "totvs");
	fs_provider_of("nfs.acme.example=totvs, efs.csi.aws.com=aws\nx=gcp", "x", p, sizeof(p));
	assert_string_equal(p, "gcp");
	fs_provider_of("nfs.acme.example=totvs", "nfs.csi.k8s.io", p, sizeof(p));
	assert_string_equal(p, "");
	fs_provider_of("nfs.acme=totvs", "nfs.acme.example", p, sizeof(p)); /* no prefix match */
	assert_string_equal(p, "");
}

static void test_provider_rules(void **state)
{
	char note[256], err[256];

	(void)state;
	assert_int_equal(fs_provider_rule("aws", NULL, 1 * GI, "1Gi", note, sizeof(note), err, sizeof(err)), 0);
	assert_non_null(strstr(note, "not a limit"));
	assert_int_equal(fs_provider_rule("totvs", NULL, 1 * GI, "1Gi", note, sizeof(note), err, sizeof(err)), 0);
	assert_string_equal(note, "");
	assert_int_equal(fs_provider_rule("gcp", NULL, 1024 * GI, "1Ti", note, sizeof(note), err, sizeof(err)), 0);
	assert_int_equal(fs_provider_rule("gcp", "standard", 1023 * GI, "1023Gi", note, sizeof(note), err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "tier standard takes at least 1Ti"));
	assert_int_equal(fs_provider_rule("gcp", "BASIC_HDD", 500 * GI, "500Gi", note, sizeof(note), err,
					  sizeof(err)), -1);
	assert_int_equal(fs_provider_rule("gcp", "premium", 2048 * GI, "2Ti", note, sizeof(note), err,
					  sizeof(err)), -1);
	assert_non_null(strstr(err, "at least 2560Gi"));
	assert_int_equal(fs_provider_rule("gcp", "premium", 2560 * GI, "2560Gi", note, sizeof(note), err,
					  sizeof(err)), 0);
	assert_int_equal(fs_provider_rule("azure", NULL, GI, "1Gi", note, sizeof(note), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not one of aws, gcp, totvs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quantity_accepts),
	    cmocka_unit_test(test_quantity_refuses),
	    cmocka_unit_test(test_provider_of),
	    cmocka_unit_test(test_provider_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
