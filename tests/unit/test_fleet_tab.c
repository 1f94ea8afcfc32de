/* core/fleet_tab: the keyed table of projected records against a plain
 * reference (an array searched one by one), through puts that insert and
 * replace, deletes that move the last record, a sweep by listing generation
 * and a reserve: every key is found with its latest record, none that was
 * taken out. Enough keys that slots' hash tags meet (7 bits) and probes run
 * long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/fleet_int.h"

#define NKEYS 6000

typedef struct rec {
	project_meta m;
	int v;
} rec;

static rec ref[NKEYS];
static int live[NKEYS];

static void key(rec *r, int i)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->m.ns, sizeof(r->m.ns), "t%05d-%s", 10000 + i / 6, i % 2 ? "dev" : "prod");
	snprintf(r->m.name, sizeof(r->m.name), "appserver-%d", i % 6);
}

static void check(const tab *t)
{
	size_t n = 0;
	int i;

	for (i = 0; i < NKEYS; i++) {
		rec k;
		const rec *got;

		key(&k, i);
		got = fleet_tab_find(t, &k.m);
		if (!live[i]) {
			assert_null(got);
			continue;
		}
		n++;
		assert_non_null(got);
		assert_string_equal(got->m.ns, k.m.ns);
		assert_string_equal(got->m.name, k.m.name);
		assert_int_equal(got->v, ref[i].v);
	}
	assert_int_equal(t->n, n);
}

static void test_against_reference(void **state)
{
	tab t;
	int i;

	(void)state;
	memset(live, 0, sizeof(live));
	fleet_tab_init(&t, sizeof(rec));
	check(&t); /* empty: nothing found, no slots yet */
	for (i = 0; i < NKEYS; i++) {
		key(&ref[i], i);
		ref[i].v = i;
		fleet_tab_put(&t, &ref[i]);
		live[i] = 1;
	}
	check(&t);
	/* replace every fifth: the same key, a new record, no new slot */
	for (i = 0; i < NKEYS; i += 5) {
		ref[i].v = -i;
		fleet_tab_put(&t, &ref[i]);
	}
	check(&t);
	/* take out every third (the last record moves into each hole) */
	for (i = 0; i < NKEYS; i += 3) {
		fleet_tab_del(&t, &ref[i].m);
		live[i] = 0;
	}
	check(&t);
	fleet_tab_del(&t, &ref[0].m); /* not there: nothing happens */
	check(&t);
	/* a new listing delivers the even keys only: the sweep drops the rest */
	t.cur_gen++;
	for (i = 0; i < NKEYS; i += 2) {
		ref[i].v = i + 1;
		fleet_tab_put(&t, &ref[i]);
		live[i] = 1;
	}
	for (i = 1; i < NKEYS; i += 2)
		live[i] = 0;
	fleet_tab_sweep(&t);
	check(&t);
	/* room made for more keeps every record where it can be found */
	fleet_tab_reserve(&t, 4 * NKEYS);
	check(&t);
	fleet_tab_clear(&t);
	memset(live, 0, sizeof(live));
	check(&t);
	fleet_tab_release(&t);
}

/* A list appended into an empty table: nothing is looked up as it comes; the
 * first find indexes it, a key listed twice keeping its later record (as a put
 * would), and the table then takes puts, deletes and a sweep as any other. */
static void test_appended(void **state)
{
	tab t;
	rec twice;
	int i;

	(void)state;
	memset(live, 0, sizeof(live));
	fleet_tab_init(&t, sizeof(rec));
	for (i = 0; i < NKEYS; i++) {
		key(&ref[i], i);
		ref[i].v = i;
		fleet_tab_append(&t, &ref[i]);
		live[i] = 1;
		if (i % 7 == 3) { /* listed again further on, with a new record */
			twice = ref[i / 2];
			twice.v = ref[i / 2].v = -1 - i;
			fleet_tab_append(&t, &twice);
		}
	}
	assert_true(t.n > NKEYS); /* the duplicates are still there */
	assert_true(t.indexed < t.n);
	check(&t); /* indexed: each key once, with its last record */
	assert_int_equal(t.indexed, t.n);
	/* appended again after a clear, then a put: the index is made first */
	fleet_tab_clear(&t);
	for (i = 0; i < NKEYS; i += 2)
		fleet_tab_append(&t, &ref[i]);
	ref[1].v = 42;
	fleet_tab_put(&t, &ref[1]);
	for (i = 0; i < NKEYS; i++)
		live[i] = i % 2 == 0 || i == 1;
	check(&t);
	/* a delete and a sweep on a table appended to since its last lookup */
	t.cur_gen++;
	for (i = 0; i < NKEYS; i += 4)
		fleet_tab_append(&t, &ref[i]); /* every key already there: replaced */
	fleet_tab_del(&t, &ref[8].m);
	fleet_tab_sweep(&t);
	for (i = 0; i < NKEYS; i++)
		live[i] = i % 4 == 0 && i != 8;
	check(&t);
	fleet_tab_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_reference),
	    cmocka_unit_test(test_appended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
