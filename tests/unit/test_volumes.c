/* The storage controllers (sim/volumes) and the API server's defaulting (sim/defaults)
 * against a real store. Waits are for conditions, up to WAIT_MS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/defaults.h"
#include "sim/resource.h"
#include "sim/store.h"
#include "sim/volumes.h"
#include "util/util.h"

#define WAIT_MS 10000

typedef struct fixture {
	sim_store *s;
	sim_volumes *v;
} fixture;

static const sim_resource *res(const char *plural)
{
	static const char *const groups[] = {"", "apps", "storage.k8s.io"};

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		const sim_resource *r = sim_resource_find(groups[i], "v1", plural);
		if (r)
			return r;
	}
	fail_msg("no resource %s", plural);
	return NULL;
}

static void create(fixture *f, const char *plural, const char *ns, const char *json)
{
	cJSON *o = cJSON_Parse(json);
	sim_err err;

	assert_non_null(o);
	if (sim_store_create(f->s, res(plural), ns, o, 0, NULL, &err) < 0)
		fail_msg("create %s: %s", plural, err.message);
	cJSON_Delete(o);
}

static int setup_with(void **state, const sim_provisioner *p, size_t n)
{
	fixture *f = xcalloc(1, sizeof(*f));

	f->s = sim_store_new(100000);
	create(f, "namespaces", "", "{\"metadata\":{\"name\":\"t1\"}}");
	f->v = sim_volumes_start(f->s, p, n);
	assert_non_null(f->v);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	sim_provisioner p[2];
	char err[200];

	assert_int_equal(sim_provisioner_parse("slow.csi.example=400", &p[0], err, sizeof(err)), 0);
	assert_int_equal(sim_provisioner_parse("broken.csi.example=fail:quota exceeded in zone a", &p[1], err,
					       sizeof(err)), 0);
	return setup_with(state, p, 2);
}

static int teardown(void **state)
{
	fixture *f = *state;

	sim_volumes_stop(f->v);
	sim_store_free(f->s);
	free(f);
	return 0;
}

static cJSON *get(fixture *f, const char *plural, const char *name)
{
	sim_err err;
	sim_obj *o = sim_store_get(f->s, res(plural), "t1", name, &err);
	cJSON *root;

	if (!o)
		return NULL;
	root = sim_obj_parse(o);
	sim_obj_unref(o);
	return root;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int phase_is(fixture *f, const char *name, const char *phase)
{
	cJSON *p = get(f, "persistentvolumeclaims", name);
	const char *ph = str_at(p, "status", "phase");
	int ok = ph && !strcmp(ph, phase);

	cJSON_Delete(p);
	return ok;
}

/* The reasons of the Events about `name`, in creation order, joined by spaces. */
static void reasons(fixture *f, const char *name, char *buf, size_t size)
{
	sim_list l;
	sim_err err;
	size_t k;
	int64_t order[64];
	const char *rs[64];
	cJSON *roots[64];
	size_t n = 0;

	buf[0] = '\0';
	assert_int_equal(sim_store_list(f->s, res("events"), "t1", NULL, NULL, 0, NULL, &l, &err), 0);
	for (k = 0; k < l.n && n < 64; k++) {
		cJSON *e = sim_obj_parse(l.items[k]);
		if (!strcmp(str_at(e, "involvedObject", "name"), name)) {
			roots[n] = e;
			rs[n] = cJSON_GetObjectItemCaseSensitive(e, "reason")->valuestring;
			order[n++] = (int64_t)l.items[k]->rv;
		} else {
			cJSON_Delete(e);
		}
	}
	for (size_t i = 0; i < n; i++) /* by resourceVersion: the order they were made */
		for (size_t j = i + 1; j < n; j++)
			if (order[j] < order[i]) {
				int64_t t = order[i]; const char *r = rs[i]; cJSON *c = roots[i];
				order[i] = order[j]; rs[i] = rs[j]; roots[i] = roots[j];
				order[j] = t; rs[j] = r; roots[j] = c;
			}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i ? " " : "", rs[i]);
		cJSON_Delete(roots[i]);
	}
	sim_list_release(&l);
}

static int wait_phase(fixture *f, const char *name, const char *phase)
{
	int64_t end = util_mono_ms() + WAIT_MS;

	while (util_mono_ms() < end) {
		if (phase_is(f, name, phase))
			return 1;
		usleep(10 * 1000);
	}
	return 0;
}

static int wait_reasons(fixture *f, const char *name, const char *want)
{
	int64_t end = util_mono_ms() + WAIT_MS;
	char got[512];

	while (util_mono_ms() < end) {
		reasons(f, name, got, sizeof(got));
		if (!strcmp(got, want))
			return 1;
		usleep(10 * 1000);
	}
	fprintf(stderr, "events of %s: \"%s\", wanted \"%s\"\n", name, got, want);
	return 0;
}

#define PVC(name, cls) \
	"{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"" name "\"}," \
	"\"spec\":{" cls "\"accessModes\":[\"ReadWriteMany\"],\"resources\":{\"requests\":{\"storage\":\"10Gi\"}}}}"
#define SC(name, prov, extra) \
	"{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":\"" name "\"" extra "}," \
	"\"provisioner\":\"" prov "\"}"

static void test_binding_waits_for_its_class(void **state)
{
	fixture *f = *state;
	cJSON *p;

	create(f, "persistentvolumeclaims", "t1", PVC("files", "\"storageClassName\":\"fast\","));
	create(f, "persistentvolumeclaims", "t1", PVC("plain", ""));
	assert_true(wait_phase(f, "files", "Pending"));
	assert_true(wait_phase(f, "plain", "Pending"));
	assert_true(wait_reasons(f, "files", "ProvisioningFailed"));
	assert_true(wait_reasons(f, "plain", "FailedBinding"));
	create(f, "storageclasses", "", SC("fast", "kubesim.io/disk", ""));
	assert_true(wait_phase(f, "files", "Bound"));
	assert_true(wait_reasons(f, "files", "ProvisioningFailed ExternalProvisioning Provisioning ProvisioningSucceeded"));
	p = get(f, "persistentvolumeclaims", "files");
	assert_true(util_starts_with(str_at(p, "spec", "volumeName"), "pvc-"));
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(p, "status"), "capacity", "storage"), "10Gi");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(p, "metadata"), "annotations",
				   "volume.kubernetes.io/storage-provisioner"), "kubesim.io/disk");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(p, "metadata"), "annotations",
				   "pv.kubernetes.io/bind-completed"), "yes");
	assert_string_equal(str_at(p, "spec", "volumeMode"), "Filesystem"); /* defaulted */
	cJSON_Delete(p);
	assert_true(phase_is(f, "plain", "Pending"));
	/* a default class takes the claims without one */
	create(f, "storageclasses", "",
	       SC("std", "kubesim.io/disk", ",\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}"));
	assert_true(wait_phase(f, "plain", "Bound"));
	p = get(f, "persistentvolumeclaims", "plain");
	assert_string_equal(str_at(p, "spec", "storageClassName"), "std");
	cJSON_Delete(p);
}

static void test_provisioner_delay_and_failure(void **state)
{
	fixture *f = *state;
	int64_t t0;

	create(f, "storageclasses", "", SC("slow", "slow.csi.example", ""));
	create(f, "storageclasses", "", SC("broken", "broken.csi.example", ""));
	t0 = util_mono_ms();
	create(f, "persistentvolumeclaims", "t1", PVC("later", "\"storageClassName\":\"slow\","));
	create(f, "persistentvolumeclaims", "t1", PVC("never", "\"storageClassName\":\"broken\","));
	assert_true(wait_reasons(f, "later", "ExternalProvisioning Provisioning"));
	assert_true(wait_phase(f, "later", "Bound"));
	assert_true(util_mono_ms() - t0 >= 400); /* not before the provisioner's delay */
	assert_true(wait_reasons(f, "later", "ExternalProvisioning Provisioning ProvisioningSucceeded"));
	assert_true(wait_reasons(f, "never", "ExternalProvisioning Provisioning ProvisioningFailed"));
	assert_true(phase_is(f, "never", "Pending"));
}

static void test_failure_message(void **state)
{
	fixture *f = *state;
	sim_list l;
	sim_err err;
	int found = 0;

	create(f, "storageclasses", "", SC("broken", "broken.csi.example", ""));
	create(f, "persistentvolumeclaims", "t1", PVC("never", "\"storageClassName\":\"broken\","));
	assert_true(wait_reasons(f, "never", "ExternalProvisioning Provisioning ProvisioningFailed"));
	assert_int_equal(sim_store_list(f->s, res("events"), "t1", NULL, NULL, 0, NULL, &l, &err), 0);
	for (size_t k = 0; k < l.n; k++)
		if (strstr(l.items[k]->json, "\"reason\":\"ProvisioningFailed\"")) {
			assert_non_null(strstr(l.items[k]->json, "failed to provision volume with StorageClass \\\"broken\\\": "
								  "quota exceeded in zone a"));
			assert_non_null(strstr(l.items[k]->json, "\"type\":\"Warning\""));
			assert_non_null(strstr(l.items[k]->json, "\"component\":\"broken.csi.example\""));
			found = 1;
		}
	sim_list_release(&l);
	assert_true(found);
}

static void test_statefulset_claims(void **state)
{
	fixture *f = *state;
	cJSON *p, *s;

	create(f, "storageclasses", "",
	       SC("std", "kubesim.io/disk", ",\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}"));
	create(f, "statefulsets", "t1",
	       "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"postgres\"},"
	       "\"spec\":{\"replicas\":2,\"serviceName\":\"postgres\",\"selector\":{\"matchLabels\":{\"app\":\"pg\"}},"
	       "\"template\":{\"metadata\":{\"labels\":{\"app\":\"pg\"}},\"spec\":{\"containers\":[{\"name\":\"pg\","
	       "\"image\":\"postgres:15\"}]}},\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\","
	       "\"labels\":{\"tier\":\"data\"}},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],"
	       "\"resources\":{\"requests\":{\"storage\":\"5Gi\"}}}}]}}");
	assert_true(wait_phase(f, "data-postgres-0", "Bound"));
	assert_true(wait_phase(f, "data-postgres-1", "Bound"));
	p = get(f, "persistentvolumeclaims", "data-postgres-0");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(p, "metadata"), "labels", "app"), "pg");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(p, "metadata"), "labels", "tier"), "data");
	assert_string_equal(str_at(p, "spec", "storageClassName"), "std");
	cJSON_Delete(p);
	assert_true(wait_reasons(f, "postgres", "SuccessfulCreate SuccessfulCreate"));
	/* the API server defaulted what kubectl rollout status reads */
	s = get(f, "statefulsets", "postgres");
	assert_string_equal(str_at(cJSON_GetObjectItemCaseSensitive(s, "spec"), "updateStrategy", "type"),
			    "RollingUpdate");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(
				 cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "spec"),
									  "updateStrategy"),
					 "rollingUpdate"),
				 "partition")->valueint,
			 0);
	cJSON_Delete(s);
	assert_null(get(f, "persistentvolumeclaims", "data-postgres-2"));
}

static void test_defaults_keep_what_is_given(void **state)
{
	cJSON *o = cJSON_Parse("{\"spec\":{\"replicas\":3,\"updateStrategy\":{\"type\":\"OnDelete\"}}}");
	const sim_resource *sts = res("statefulsets");
	const cJSON *us;

	sim_defaults_apply(sts, o);
	us = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "spec"), "updateStrategy");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(us, "type")->valuestring, "OnDelete");
	assert_null(cJSON_GetObjectItemCaseSensitive(us, "rollingUpdate"));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "spec"), "replicas")->valueint,
			 3);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"spec\":{\"updateStrategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":2}}}}");
	sim_defaults_apply(sts, o);
	us = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "spec"), "updateStrategy");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(us, "rollingUpdate"),
							  "partition")->valueint, 2);
	cJSON_Delete(o);
}

static void test_provisioner_parse(void **state)
{
	sim_provisioner p;
	char err[200];

	assert_int_equal(sim_provisioner_parse("efs.csi.aws.com=2500", &p, err, sizeof(err)), 0);
	assert_string_equal(p.name, "efs.csi.aws.com");
	assert_int_equal(p.delay_ms, 2500);
	assert_string_equal(p.fail, "");
	assert_int_equal(sim_provisioner_parse("nfs=fail:no space", &p, err, sizeof(err)), 0);
	assert_string_equal(p.fail, "no space");
	assert_int_equal(sim_provisioner_parse("nfs", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "want NAME=MILLISECONDS or NAME=fail:MESSAGE"));
	assert_int_equal(sim_provisioner_parse("nfs=-1", &p, err, sizeof(err)), -1);
	assert_int_equal(sim_provisioner_parse("nfs=12x", &p, err, sizeof(err)), -1);
	assert_int_equal(sim_provisioner_parse("nfs=fail:", &p, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_binding_waits_for_its_class, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_provisioner_delay_and_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_message, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statefulset_claims, setup, teardown),
	    cmocka_unit_test(test_defaults_keep_what_is_given),
	    cmocka_unit_test(test_provisioner_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
