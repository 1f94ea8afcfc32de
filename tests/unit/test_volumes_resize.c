/* Unit tests for kubesim's claim-update checks (sim/volumes.h): quantities, and what the
 * API server lets a claim's spec become. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim/volumes.h"
#include "util/util.h"

static void test_quantity(void **state)
{
	(void)state;
	assert_true(sim_volumes_quantity("100Gi") == 100.0 * 1073741824.0);
	assert_true(sim_volumes_quantity("1Ti") == 1099511627776.0);
	assert_true(sim_volumes_quantity("1.5T") == 1.5e12);
	assert_true(sim_volumes_quantity("512M") == 512e6);
	assert_true(sim_volumes_quantity("1000") == 1000.0);
	assert_true(sim_volumes_quantity("1Gx") < 0);
	assert_true(sim_volumes_quantity("Gi") < 0);
	assert_true(sim_volumes_quantity("") < 0);
	assert_true(sim_volumes_quantity(NULL) < 0);
}

static cJSON *claim(const char *phase, const char *size, const char *mode)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"metadata\":{\"name\":\"fileserver\"},\"spec\":{\"accessModes\":[\"%s\"],"
		 "\"storageClassName\":\"totvs-nfs\",\"resources\":{\"requests\":{\"storage\":\"%s\"}}},"
		 "\"status\":{\"phase\":\"%s\"}}",
		 mode, size, phase);
	return cJSON_Parse(buf);
}

static int check(const char *phase, const char *from, const char *to, const char *mode, int expandable,
		 sim_err *err)
{
	cJSON *a = claim(phase, from, "ReadWriteMany"), *b = claim(phase, to, mode);
	int rc;

	memset(err, 0, sizeof(*err));
	rc = sim_volumes_check_update(a, b, expandable, err);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return rc;
}

static void test_updates(void **state)
{
	sim_err err;

	(void)state;
	assert_int_equal(check("Bound", "100Gi", "100Gi", "ReadWriteMany", 0, &err), 0);
	assert_int_equal(check("Bound", "100Gi", "200Gi", "ReadWriteMany", 1, &err), 0);
	assert_int_equal(check("Bound", "100Gi", "0.2Ti", "ReadWriteMany", 1, &err), 0);
	/* a class without expansion */
	assert_int_equal(check("Bound", "100Gi", "200Gi", "ReadWriteMany", 0, &err), -1);
	assert_int_equal(err.code, 403);
	assert_non_null(strstr(err.message, "the storageclass that provisions the pvc must support resize"));
	/* never smaller */
	assert_int_equal(check("Bound", "100Gi", "50Gi", "ReadWriteMany", 1, &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "spec.resources.requests.storage");
	/* a pending claim's spec does not change, nor a bound one's access modes */
	assert_int_equal(check("Pending", "100Gi", "200Gi", "ReadWriteMany", 1, &err), -1);
	assert_int_equal(err.code, 422);
	assert_string_equal(err.field, "spec");
	assert_int_equal(check("Bound", "100Gi", "100Gi", "ReadWriteOnce", 1, &err), -1);
	assert_int_equal(err.code, 422);
	/* not a quantity */
	assert_int_equal(check("Bound", "100Gi", "lots", "ReadWriteMany", 1, &err), -1);
	assert_int_equal(err.code, 422);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quantity),
	    cmocka_unit_test(test_updates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
