/* The table of wizards (core/wizard.h): finding a wizard by name, the names
 * for usage messages, and the namespace wizard's inputs matching what its plan
 * records (so a resume rebuilds the plan from the journal through the table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/promote.h"
#include "core/provision_ns.h"
#include "core/wizard.h"
#include "core/wizard_build.h"
#include "core/wizard_fs.h"
#include "core/wizard_ns.h"
#include "util/util.h"

static void test_find(void **state)
{
	const wizard *w = wizard_find("namespace");
	char names[200];

	(void)state;
	assert_non_null(w);
	assert_ptr_equal(w, &wizard_namespace);
	assert_true(w->products & WIZARD_ERP);
	assert_true(w->products & WIZARD_ESOCIAL);
	assert_non_null(w->build);
	assert_null(wizard_find("Namespace"));
	assert_null(wizard_find("database"));
	assert_null(wizard_find(""));
	assert_null(wizard_find(NULL));
	assert_true(wizard_count() >= 1);
	assert_ptr_equal(wizard_at(0), w);
	assert_null(wizard_at(wizard_count()));
	wizard_names(names, sizeof(names));
	assert_string_equal(names, "namespace, fileserver, build, promote");
	/* the file server: ERP tenants only */
	w = wizard_find("fileserver");
	assert_ptr_equal(w, &wizard_fileserver);
	assert_true(w->products & WIZARD_ERP);
	assert_false(w->products & WIZARD_ESOCIAL);
	assert_ptr_equal(wizard_at(1), w);
	/* the custom build and its promotion: ERP tenants only */
	w = wizard_find("build");
	assert_ptr_equal(w, &wizard_build);
	assert_false(w->products & WIZARD_ESOCIAL);
	assert_non_null(wizard_input_by_flag(w, "ref"));
	assert_null(wizard_input_by_flag(w, "ref")->def); /* required */
	assert_string_equal(wizard_input_by_flag(w, "env")->def, "dev");
	w = wizard_find("promote");
	assert_ptr_equal(w, &wizard_promote);
	assert_false(w->products & WIZARD_ESOCIAL);
	assert_null(wizard_input_by_flag(w, "env")->def); /* dev or prod: said each time */
}

/* Every input the namespace plan records is one of the wizard's, and the
 * required one (no default) is the TCODE. */
static void test_inputs_match_the_plan(void **state)
{
	const wizard *w = &wizard_namespace;
	catalog_entry e;
	provision_ns_opts o;
	plan p;
	char err[200];
	size_t i, k;

	(void)state;
	memset(&e, 0, sizeof(e));
	util_strlcpy(e.tcode, "T12345", sizeof(e.tcode));
	util_strlcpy(e.customer, "Comercial Silva Ltda", sizeof(e.customer));
	util_strlcpy(e.provider, "aws", sizeof(e.provider));
	e.lic_prod = 120;
	e.lic_dev = 5;
	util_strlcpy(e.contract.products, "erp", sizeof(e.contract.products));
	memset(&o, 0, sizeof(o));
	util_strlcpy(o.tcode, "T12345", sizeof(o.tcode));
	assert_int_equal(provision_ns_validate(&o, 0, err, sizeof(err)), 0);
	assert_int_equal(provision_ns_plan(&o, &e, NULL, &p, err, sizeof(err)), 0);
	for (i = 0; i < p.n_inputs; i++) {
		for (k = 0; k < w->n_inputs; k++)
			if (!strcmp(w->inputs[k].key, p.inputs[i].key))
				break;
		if (k == w->n_inputs)
			fail_msg("the plan records input %s, which the wizard does not list", p.inputs[i].key);
		if (w->inputs[k].def && strcmp(w->inputs[k].def, p.inputs[i].value))
			fail_msg("input %s: default %s in the table, %s in the plan", w->inputs[k].key,
				 w->inputs[k].def, p.inputs[i].value);
	}
	for (k = 0; k < w->n_inputs; k++)
		if (!w->inputs[k].def)
			assert_string_equal(w->inputs[k].key, "tcode");
	plan_release(&p);
}

/* Inputs without a TCODE are refused before anything is asked of the network. */
static void test_build_refuses_without_tcode(void **state)
{
	wizard_ctx c = {0};
	plan_input in[1] = {{"domain", "x.example.com"}};
	wizard_fail fail = WIZARD_FAIL_NONE;
	k8s_err kerr;
	plan p;
	char err[200] = "";

	(void)state;
	assert_int_equal(wizard_namespace.build(&c, in, 1, &p, err, sizeof(err), &fail, &kerr, NULL, 0),
			 -1);
	assert_int_equal(fail, WIZARD_FAIL_REFUSED);
	assert_non_null(strstr(err, "no TCODE"));
	assert_int_equal(p.n, 0);
	/* and without a catalogue, a TCODE is refused with the reason */
	in[0] = (plan_input){"tcode", "T12345"};
	assert_int_equal(wizard_namespace.build(&c, in, 1, &p, err, sizeof(err), &fail, &kerr, NULL, 0),
			 -1);
	assert_non_null(strstr(err, "no contract catalogue"));
}

/* The file-server wizard refuses bad inputs before the network: no TCODE, a
 * bad env, a size that is no quantity, a Filestore-sized typo. */
static void test_fileserver_refuses_inputs(void **state)
{
	wizard_ctx c = {0};
	plan_input in[3] = {{"env", "prod"}, {"tcode", "T12345"}, {"size", "1Ti"}};
	wizard_fail fail = WIZARD_FAIL_NONE;
	k8s_err kerr;
	plan p;
	char err[200] = "";

	(void)state;
	assert_int_equal(wizard_fileserver.build(&c, in, 1, &p, err, sizeof(err), &fail, &kerr, NULL, 0), -1);
	assert_int_equal(fail, WIZARD_FAIL_REFUSED);
	assert_non_null(strstr(err, "--tcode T12345 is required"));
	in[0] = (plan_input){"env", "stage"};
	assert_int_equal(wizard_fileserver.build(&c, in, 2, &p, err, sizeof(err), &fail, &kerr, NULL, 0), -1);
	assert_non_null(strstr(err, "env \"stage\" is not prod or dev"));
	in[0] = (plan_input){"env", "dev"};
	in[2] = (plan_input){"size", "10GB"};
	assert_int_equal(wizard_fileserver.build(&c, in, 3, &p, err, sizeof(err), &fail, &kerr, NULL, 0), -1);
	assert_non_null(strstr(err, "unknown unit"));
	assert_int_equal(p.n, 0);
	/* good inputs reach the catalogue, which is missing here */
	in[2] = (plan_input){"size", "l"};
	assert_int_equal(wizard_fileserver.build(&c, in, 3, &p, err, sizeof(err), &fail, &kerr, NULL, 0), -1);
	assert_non_null(strstr(err, "no contract catalogue"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_inputs_match_the_plan),
	    cmocka_unit_test(test_build_refuses_without_tcode),
	    cmocka_unit_test(test_fileserver_refuses_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
