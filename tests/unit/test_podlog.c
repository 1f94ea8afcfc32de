/* Pod logs: generated profiles, told rings, tails, follow, container choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/podlog.h"
#include "sim/resource.h"
#include "sim/store.h"
#include "util/util.h"

typedef struct fixture {
	sim_store *s;
	int64_t now; /* the store's clock, moved by the tests */
} fixture;

static int64_t fixed_clock(void *ctx)
{
	return __atomic_load_n(&((fixture *)ctx)->now, __ATOMIC_SEQ_CST);
}

static void create(sim_store *s, const char *plural, const char *ns, const char *json)
{
	const sim_resource *r = sim_resource_find("", "v1", plural);
	cJSON *o = cJSON_Parse(json);
	sim_err err;

	assert_non_null(r);
	assert_non_null(o);
	if (sim_store_create(s, r, ns, o, 0, NULL, &err) < 0)
		fail_msg("create %s: %s", plural, err.message);
	cJSON_Delete(o);
}

/* A running pod started `age` seconds ago with the given containers ("a" or "a b"). */
static void add_pod(fixture *f, const char *name, const char *containers, int64_t age,
		    const char *profile)
{
	char started[40];
	strbuf spec, st, json;
	char *list = xstrdup(containers), *save = NULL;

	util_rfc3339(f->now - age, started, sizeof(started));
	sb_init(&spec, 128);
	sb_init(&st, 128);
	for (char *c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		sb_addf(&spec, "%s{\"name\":\"%s\",\"image\":\"img\"}", spec.len ? "," : "", c);
		sb_addf(&st, "%s{\"name\":\"%s\",\"ready\":true,\"restartCount\":0,"
			     "\"state\":{\"running\":{\"startedAt\":\"%s\"}}}",
			st.len ? "," : "", c, started);
	}
	sb_init(&json, 256);
	sb_addf(&json, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
			 "\"annotations\":{\"kubesim.io/log-profile\":\"%s\"}},"
			 "\"spec\":{\"containers\":[%s]},"
			 "\"status\":{\"phase\":\"Running\",\"containerStatuses\":[%s]}}",
			 name, profile, spec.buf, age >= 0 ? st.buf : "");
	create(f->s, "pods", "logs", json.buf);
	sb_release(&json);
	free(list);
	sb_release(&spec);
	sb_release(&st);
}

static int setup(void **state)
{
	fixture *f = xcalloc(1, sizeof(*f));

	f->s = sim_store_new(1000);
	f->now = 1800000000;
	sim_store_set_clock(f->s, fixed_clock, f);
	create(f->s, "namespaces", "", "{\"metadata\":{\"name\":\"logs\"}}");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	sim_store_free(f->s);
	free(f);
	return 0;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_generated_tail_and_all(void **state)
{
	fixture *f = *state;
	strbuf a, b;
	sim_err err;
	uint64_t cur = 0;
	int n;

	add_pod(f, "app-1", "appserver", 100, "appserver");
	sb_init(&a, 0);
	sb_init(&b, 0);
	n = sim_podlog_read(f->s, "logs", "app-1", "", -1, 0, &a, &cur, &err);
	assert_int_equal(n, 100 / SIM_PODLOG_PERIOD_S + 1);
	assert_int_equal(count_lines(a.buf), n);
	assert_int_equal(cur, (uint64_t)n);
	assert_non_null(strstr(a.buf, "[INFO ][SERVER] [Thread "));
	/* the tail is the end of the whole log, deterministically */
	n = sim_podlog_read(f->s, "logs", "app-1", "appserver", 5, 0, &b, &cur, &err);
	assert_int_equal(n, 5);
	assert_int_equal(count_lines(b.buf), 5);
	assert_string_equal(a.buf + a.len - b.len, b.buf);
	sb_release(&a);
	sb_release(&b);
}

static void test_profiles_differ_and_warn(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;

	add_pod(f, "lic-1", "license", 2000, "license");
	add_pod(f, "app-2", "appserver", 2000, "appserver");
	sb_init(&a, 0);
	assert_true(sim_podlog_read(f->s, "logs", "lic-1", NULL, -1, 0, &a, NULL, &err) > 900);
	assert_non_null(strstr(a.buf, "[LICENSE]"));
	sb_reset(&a);
	assert_true(sim_podlog_read(f->s, "logs", "app-2", NULL, -1, 0, &a, NULL, &err) > 900);
	assert_null(strstr(a.buf, "[LICENSE]"));
	assert_non_null(strstr(a.buf, "[WARN ][SERVER]"));
	sb_release(&a);
}

static void custom_profile(const char *pod, const char *container, uint64_t line_no,
			   int64_t at_s, strbuf *line)
{
	sb_addf(line, "custom %s/%s #%llu", pod, container, (unsigned long long)line_no);
}

static void test_registered_profile_and_timestamps(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;
	char stamp[40];

	sim_podlog_register_profile("custom", custom_profile);
	add_pod(f, "cu-1", "main", 10, "custom");
	sb_init(&a, 0);
	assert_int_equal(sim_podlog_read(f->s, "logs", "cu-1", "", 2, 1, &a, NULL, &err), 2);
	/* line 4 and 5 (0-based) of a pod started 10 s ago, with their times */
	util_rfc3339(f->now - 10 + 4 * SIM_PODLOG_PERIOD_S, stamp, sizeof(stamp));
	stamp[19] = '\0'; /* up to the seconds */
	assert_memory_equal(a.buf, stamp, 19);
	assert_int_equal(a.buf[19], '.');
	assert_non_null(strstr(a.buf, "Z custom cu-1/main #4\n"));
	assert_non_null(strstr(a.buf, "Z custom cu-1/main #5\n"));
	sim_podlog_register_profile("custom", NULL);
	sb_release(&a);
}

static void test_container_choice(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;

	add_pod(f, "two", "a b", 10, "appserver");
	sb_init(&a, 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_podlog_read(f->s, "logs", "two", "", -1, 0, &a, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	assert_string_equal(err.message,
			    "a container name must be specified for pod two, choose one of: [a b]");
	assert_int_equal(sim_podlog_read(f->s, "logs", "two", "c", -1, 0, &a, NULL, &err), -1);
	assert_int_equal(err.code, 404);
	assert_int_equal(sim_podlog_read(f->s, "logs", "nope", "", -1, 0, &a, NULL, &err), -1);
	assert_int_equal(err.code, 404);
	assert_int_equal(sim_podlog_read(f->s, "logs", "two", "b", -1, 0, &a, NULL, &err), 6);
	sb_release(&a);
}

static void test_waiting_container(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;

	add_pod(f, "pending", "x", -1, "appserver");
	sb_init(&a, 0);
	assert_int_equal(sim_podlog_read(f->s, "logs", "pending", "", -1, 0, &a, NULL, &err), -1);
	assert_int_equal(err.code, 400);
	assert_non_null(strstr(err.message, "is waiting to start"));
	sb_release(&a);
}

static void test_ring_is_the_log(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;
	uint64_t cur = 0;
	char line[64];

	add_pod(f, "build-1", "build", 1000, "build");
	sim_podlog_append("logs", "build-1", "build", "stage 1: checkout\n");
	sim_podlog_append("logs", "build-1", "build", "stage 2: sonar");
	sim_podlog_append("logs", "build-1", "build", "stage 3: compile");
	sb_init(&a, 0);
	assert_int_equal(sim_podlog_read(f->s, "logs", "build-1", "", -1, 0, &a, &cur, &err), 3);
	assert_string_equal(a.buf, "stage 1: checkout\nstage 2: sonar\nstage 3: compile\n");
	assert_int_equal(cur, 3);
	sb_reset(&a);
	assert_int_equal(sim_podlog_read(f->s, "logs", "build-1", "", 1, 0, &a, &cur, &err), 1);
	assert_string_equal(a.buf, "stage 3: compile\n");
	/* bounded */
	for (int i = 0; i < SIM_PODLOG_RING + 500; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		sim_podlog_append("logs", "build-1", "build", line);
	}
	sb_reset(&a);
	assert_int_equal(sim_podlog_read(f->s, "logs", "build-1", "", -1, 0, &a, &cur, &err),
			 SIM_PODLOG_RING);
	assert_int_equal(cur, SIM_PODLOG_RING + 503);
	snprintf(line, sizeof(line), "line %d\n", SIM_PODLOG_RING + 499);
	assert_string_equal(a.buf + a.len - strlen(line), line);
	assert_true(util_starts_with(a.buf, "line 500\n")); /* 3 stages + 500 lines fell out */
	/* forgotten: back to the generated log */
	sim_podlog_forget("logs", "build-1");
	sb_reset(&a);
	assert_int_equal(sim_podlog_read(f->s, "logs", "build-1", "", -1, 0, &a, &cur, &err), 501);
	assert_non_null(strstr(a.buf, "build: waiting for stages"));
	sb_release(&a);
}

typedef struct appender {
	int delay_ms;
} appender;

static void *append_later(void *arg)
{
	appender *ap = arg;

	usleep((useconds_t)ap->delay_ms * 1000);
	sim_podlog_append("logs", "build-2", "build", "stage 4: upload");
	return NULL;
}

static void test_follow_ring(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;
	uint64_t cur = 0;
	pthread_t t;
	appender ap = {50};
	int64_t t0;

	add_pod(f, "build-2", "build", 10, "build");
	sim_podlog_append("logs", "build-2", "build", "stage 1");
	sb_init(&a, 0);
	assert_int_equal(sim_podlog_read(f->s, "logs", "build-2", "", -1, 0, &a, &cur, &err), 1);
	sb_reset(&a);
	/* nothing new: times out */
	t0 = util_mono_ms();
	assert_int_equal(sim_podlog_follow(f->s, "logs", "build-2", "", 0, &cur, 150, &a, &err), 0);
	assert_true(util_mono_ms() - t0 >= 140);
	assert_int_equal(a.len, 0);
	/* a line told by another thread wakes the follower */
	assert_int_equal(pthread_create(&t, NULL, append_later, &ap), 0);
	assert_int_equal(sim_podlog_follow(f->s, "logs", "build-2", "", 0, &cur, 5000, &a, &err), 1);
	pthread_join(t, NULL);
	assert_string_equal(a.buf, "stage 4: upload\n");
	assert_int_equal(cur, 2);
	sb_release(&a);
}

static void test_follow_generated_and_gone(void **state)
{
	fixture *f = *state;
	strbuf a;
	sim_err err;
	uint64_t cur = 0;
	const sim_resource *pods = sim_resource_find("", "v1", "pods");

	add_pod(f, "app-3", "appserver", 0, "appserver");
	sb_init(&a, 0);
	assert_int_equal(sim_podlog_read(f->s, "logs", "app-3", "", -1, 0, &a, &cur, &err), 1);
	sb_reset(&a);
	__atomic_add_fetch(&f->now, 10, __ATOMIC_SEQ_CST);
	assert_int_equal(sim_podlog_follow(f->s, "logs", "app-3", "", 0, &cur, 1000, &a, &err), 5);
	assert_int_equal(cur, 6);
	assert_int_equal(count_lines(a.buf), 5);
	assert_int_equal(sim_store_delete(f->s, pods, "logs", "app-3", 0, NULL, &err), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sim_podlog_follow(f->s, "logs", "app-3", "", 0, &cur, 1000, &a, &err), -1);
	assert_int_equal(err.code, 404);
	sb_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generated_tail_and_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_profiles_differ_and_warn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registered_profile_and_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_is_the_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_generated_and_gone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
