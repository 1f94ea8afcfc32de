/* views/fleet_seen: news redraws the fleet screen at once only when a row in
 * sight would be drawn otherwise (its health, an environment's state, the
 * cause, Hypnus, another tenant on the line, the cursor's line); a change
 * the rows do not show, or a row off screen, waits for the paced frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "views/fleet_seen.h"

#define NT 6
_Static_assert(2 * NT <= COW_BLOCK, "the fixture reads its environments as one array");

typedef struct fixture {
	fleet_snapshot s;
	fleet_tenant *t;  /* the snapshot's, in one block */
	model_env *e;	  /* the snapshot's, in one block (2 * NT <= COW_BLOCK) */
	health_result *h; /* the same */
	uint32_t rows[NT];
} fixture;

/* Six tenants, each with prod (and the even ones dev), all available. */
static void fill(fixture *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	cow_init(&f->s.tenant_arr, sizeof(fleet_tenant));
	cow_init(&f->s.env_arr, sizeof(model_env));
	cow_init(&f->s.health_arr, sizeof(health_result));
	for (i = 0; i < NT; i++)
		cow_push(&f->s.tenant_arr);
	for (i = 0; i < 2 * NT; i++) {
		cow_push(&f->s.env_arr);
		cow_push(&f->s.health_arr);
	}
	f->t = cow_mut(&f->s.tenant_arr, 0);
	f->e = cow_mut(&f->s.env_arr, 0);
	f->h = cow_mut(&f->s.health_arr, 0);
	for (i = 0; i < NT; i++) {
		fleet_tenant *t = &f->t[i];
		snprintf(t->t.tcode, sizeof(t->t.tcode), "T%05zu", 10000 + i);
		snprintf(t->t.customer, sizeof(t->t.customer), "Customer %zu", i);
		util_strlcpy(t->t.cluster, "prod-sp", sizeof(t->t.cluster));
		t->t.product = MODEL_PRODUCT_ERP;
		t->health.state = HEALTH_AVAILABLE;
		util_strlcpy(t->health.cause, "all services up", sizeof(t->health.cause));
		t->env[TCODE_ENV_PROD] = (int32_t)(2 * i);
		t->env[TCODE_ENV_DEV] = i % 2 ? -1 : (int32_t)(2 * i + 1);
		f->e[2 * i].hypnus.present = 1;
		f->e[2 * i].hypnus.state = MODEL_HYPNUS_ACTIVE;
		f->e[2 * i].n_public = 1;
		f->e[2 * i].pub[0].ready = f->e[2 * i].pub[0].desired = 2;
		f->h[2 * i].state = f->h[2 * i + 1].state = HEALTH_AVAILABLE;
		f->rows[i] = (uint32_t)i;
	}
	f->s.n_tenants = NT;
	f->s.n_envs = 2 * NT;
}

static void unfill(fixture *f)
{
	cow_release(&f->s.tenant_arr);
	cow_release(&f->s.env_arr);
	cow_release(&f->s.health_arr);
}

/* Rows 1..3 in sight, the cursor on row 2. */
#define FIRST 1
#define SHOWN 3
#define CURSOR 2

static int changed(const view_fleet_seen *v, const fixture *f)
{
	return view_fleet_seen_changed(v, &f->s, f->rows, FIRST, SHOWN, CURSOR);
}

static void test_nothing_drawn_yet(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	/* the paced frame draws the first rows; no urgent frame before it */
	assert_int_equal(changed(&v, &f), 0);
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_same_rows(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	assert_int_equal(v.n, SHOWN);
	assert_int_equal(v.cursor, CURSOR - FIRST);
	assert_int_equal(changed(&v, &f), 0);
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_health_in_sight(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	/* the LicenseServer of row 3's prod scaled to 0: PROD says down */
	f.h[2 * 3].state = HEALTH_DOWN;
	assert_int_equal(changed(&v, &f), 1);
	f.h[2 * 3].state = HEALTH_AVAILABLE;
	assert_int_equal(changed(&v, &f), 0);
	/* dev's column */
	f.h[2 * 2 + 1].state = HEALTH_DEGRADED;
	assert_int_equal(changed(&v, &f), 1);
	f.h[2 * 2 + 1].state = HEALTH_AVAILABLE;
	/* the tenant's own health (the TCODE's colour) and its cause */
	f.t[1].health.state = HEALTH_WAKING;
	assert_int_equal(changed(&v, &f), 1);
	f.t[1].health.state = HEALTH_AVAILABLE;
	util_strlcpy(f.t[1].health.cause, "lockserver down", sizeof(f.t[1].health.cause));
	assert_int_equal(changed(&v, &f), 1);
	util_strlcpy(f.t[1].health.cause, "all services up", sizeof(f.t[1].health.cause));
	/* the Hypnus column (prod's) */
	f.e[2 * 2].hypnus.state = MODEL_HYPNUS_SLEEPING;
	assert_int_equal(changed(&v, &f), 1);
	f.e[2 * 2].hypnus.state = MODEL_HYPNUS_ACTIVE;
	assert_int_equal(changed(&v, &f), 0);
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_off_screen_and_unshown(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	/* rows above and below the screen */
	f.h[0].state = HEALTH_DOWN;
	f.t[0].health.state = HEALTH_DOWN;
	f.t[4].health.state = HEALTH_DEGRADED;
	f.h[2 * 5].state = HEALTH_BLOCKED;
	assert_int_equal(changed(&v, &f), 0);
	/* what no column shows: replicas with the same health, the provider,
	 * the snapshot's time */
	f.e[2 * 2].pub[0].ready = 1;
	util_strlcpy(f.t[2].provider, "gcp", sizeof(f.t[2].provider));
	f.s.built = 12345;
	f.s.version = 7;
	assert_int_equal(changed(&v, &f), 0);
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_stale_rows_age_left_out(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	/* row 2's prod from an earlier run's snapshot: seen then, shown dim */
	f.e[2 * 2].fresh.loading = 1;
	f.e[2 * 2].fresh.seen_at = 1000;
	f.e[2 * 2].fresh.seen_state = HEALTH_AVAILABLE;
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	assert_int_equal(changed(&v, &f), 0);
	/* the list comes in: the health now replaces what was seen then */
	f.e[2 * 2].fresh.loading = 0;
	f.e[2 * 2].fresh.seen_at = 0;
	assert_int_equal(changed(&v, &f), 1);
	view_fleet_seen_release(&v);
	unfill(&f);
}

/* A tenant whose dev namespace is not listed yet while its cluster's first
 * listing comes in: DEV says unknown, not "-" (absent), until the listing is
 * whole. A snapshot of an earlier run without dev saw none: "-". */
static void test_env_pending_while_loading(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	/* row 3 has prod only (odd rows); prod from the first listing, still loading */
	f.e[2 * 3].fresh.loading = 1;
	assert_true(fleet_env_pending(&f.s, &f.t[3], TCODE_ENV_DEV));
	assert_false(fleet_env_pending(&f.s, &f.t[3], TCODE_ENV_PROD));
	assert_false(fleet_env_pending(&f.s, &f.t[2], TCODE_ENV_DEV)); /* listed */
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	/* the listing is whole: dev is absent, the column changes */
	f.e[2 * 3].fresh.loading = 0;
	assert_false(fleet_env_pending(&f.s, &f.t[3], TCODE_ENV_DEV));
	assert_int_equal(changed(&v, &f), 1);
	/* from a snapshot of an earlier run: absent then */
	f.e[2 * 3].fresh.loading = 1;
	f.e[2 * 3].fresh.seen_at = 1000;
	assert_false(fleet_env_pending(&f.s, &f.t[3], TCODE_ENV_DEV));
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_rows_moved(void **state)
{
	fixture f;
	view_fleet_seen v = {0};
	uint32_t tmp;

	(void)state;
	fill(&f);
	view_fleet_seen_record(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR);
	/* two tenants in sight change places (a sort by health) */
	tmp = f.rows[1];
	f.rows[1] = f.rows[3];
	f.rows[3] = tmp;
	assert_int_equal(changed(&v, &f), 1);
	unfill(&f);
	fill(&f);
	/* the list scrolled by one: another tenant comes into sight */
	assert_int_equal(view_fleet_seen_changed(&v, &f.s, f.rows, FIRST + 1, SHOWN, CURSOR), 1);
	/* fewer rows (a filter left two) */
	assert_int_equal(view_fleet_seen_changed(&v, &f.s, f.rows, FIRST, 2, CURSOR), 1);
	/* the cursor on another line */
	assert_int_equal(view_fleet_seen_changed(&v, &f.s, f.rows, FIRST, SHOWN, CURSOR + 1), 1);
	/* a row swapped off screen, below */
	tmp = f.rows[4];
	f.rows[4] = f.rows[5];
	f.rows[5] = tmp;
	assert_int_equal(changed(&v, &f), 0);
	view_fleet_seen_release(&v);
	unfill(&f);
}

static void test_empty(void **state)
{
	fixture f;
	view_fleet_seen v = {0};

	(void)state;
	fill(&f);
	/* nothing matched the filter: no rows in sight */
	view_fleet_seen_record(&v, &f.s, f.rows, 0, 0, 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(view_fleet_seen_changed(&v, &f.s, f.rows, 0, 0, 0), 0);
	/* a row matches now */
	assert_int_equal(view_fleet_seen_changed(&v, &f.s, f.rows, 0, 1, 0), 1);
	view_fleet_seen_release(&v);
	unfill(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_drawn_yet), cmocka_unit_test(test_same_rows),
	    cmocka_unit_test(test_health_in_sight),   cmocka_unit_test(test_off_screen_and_unshown),
	    cmocka_unit_test(test_stale_rows_age_left_out), cmocka_unit_test(test_rows_moved),
	    cmocka_unit_test(test_env_pending_while_loading),
	    cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
