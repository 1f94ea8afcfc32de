/* util/cow: versions of an array share blocks; a write to a shared block
 * copies it for the writer only, the other versions keep what they held; a
 * block is freed with the last version that holds it (AddressSanitizer's leak
 * check, make asan, sees one that is not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "util/cow.h"
#include "util/util.h"

typedef struct elem {
	int v;
	char pad[60];
} elem;

static elem *mut(cow_arr *a, size_t i)
{
	return cow_mut(a, i);
}

static int val(const cow_arr *a, size_t i)
{
	return ((const elem *)cow_at(a, i))->v;
}

/* n elements, element i holding i */
static void fill(cow_arr *a, size_t n)
{
	size_t i;

	cow_init(a, sizeof(elem));
	for (i = 0; i < n; i++) {
		elem *e = cow_push(a);
		assert_int_equal(e->v, 0);
		e->v = (int)i;
	}
}

static void test_push_and_read(void **state)
{
	cow_arr a;
	size_t i, n = 5 * COW_BLOCK + 3;

	(void)state;
	fill(&a, n);
	assert_int_equal(a.n, n);
	assert_int_equal(a.nb, 6);
	for (i = 0; i < n; i++)
		assert_int_equal(val(&a, i), (int)i);
	assert_int_equal(cow_owned(&a), 6);
	cow_release(&a);
	assert_int_equal(a.n, 0);
	assert_int_equal(a.esize, sizeof(elem));
	/* usable again after a release */
	assert_non_null(cow_push(&a));
	assert_int_equal(a.n, 1);
	cow_release(&a);
}

static void test_write_copies_one_block(void **state)
{
	cow_arr a, b;
	size_t i, n = 4 * COW_BLOCK;

	(void)state;
	fill(&a, n);
	cow_share(&b, &a);
	assert_int_equal(cow_owned(&a), 0);
	assert_int_equal(cow_owned(&b), 0);
	mut(&b, COW_BLOCK + 1)->v = -1;
	mut(&b, COW_BLOCK + 2)->v = -2; /* the same block, already b's */
	assert_int_equal(cow_owned(&b), 1);
	assert_int_equal(cow_owned(&a), 1); /* that block of a's is a's alone now */
	assert_ptr_not_equal(a.b[1], b.b[1]);
	assert_ptr_equal(a.b[0], b.b[0]);
	assert_ptr_equal(a.b[2], b.b[2]);
	for (i = 0; i < n; i++) {
		assert_int_equal(val(&a, i), (int)i);
		assert_int_equal(val(&b, i), i == COW_BLOCK + 1 ? -1 : i == COW_BLOCK + 2 ? -2 : (int)i);
	}
	/* the older version goes: the newer holds every block alone */
	cow_release(&a);
	assert_int_equal(cow_owned(&b), 4);
	for (i = 0; i < COW_BLOCK; i++)
		assert_int_equal(val(&b, i), (int)i);
	cow_release(&b);
}

static void test_push_onto_a_shared_block(void **state)
{
	cow_arr a, b;
	elem *e;

	(void)state;
	fill(&a, COW_BLOCK + 2);
	cow_share(&b, &a);
	e = cow_push(&b);
	e->v = 99;
	assert_int_equal(b.n, COW_BLOCK + 3);
	assert_int_equal(a.n, COW_BLOCK + 2);
	assert_int_equal(val(&b, COW_BLOCK + 2), 99);
	assert_int_equal(val(&b, COW_BLOCK + 1), COW_BLOCK + 1);
	/* a push past the last block adds one of b's own */
	while (b.n < 2 * COW_BLOCK + 1)
		cow_push(&b);
	assert_int_equal(b.nb, 3);
	assert_int_equal(a.nb, 2);
	assert_int_equal(cow_owned(&b), 2);
	cow_release(&a);
	cow_release(&b);
}

static void test_three_versions(void **state)
{
	cow_arr a, b, c;

	(void)state;
	fill(&a, 2 * COW_BLOCK);
	cow_share(&b, &a);
	cow_share(&c, &b);
	mut(&c, 0)->v = 7;
	assert_int_equal(val(&a, 0), 0);
	assert_int_equal(val(&b, 0), 0);
	assert_int_equal(val(&c, 0), 7);
	assert_ptr_equal(a.b[0], b.b[0]);
	cow_release(&b);
	cow_release(&a);
	assert_int_equal(cow_owned(&c), 2);
	assert_int_equal(val(&c, 0), 7);
	assert_int_equal(val(&c, 1), 1);
	cow_release(&c);
}

/* Blocks made at once in one slab behave as any: shared, copied on write,
 * the slab freed with its last block (the leak check sees it otherwise). */
static void test_reserved_slab(void **state)
{
	cow_arr a, b;
	size_t i, n = 10 * COW_BLOCK + 5;

	(void)state;
	cow_init(&a, sizeof(elem));
	cow_reserve(&a, n);
	assert_int_equal(a.nb, 11);
	assert_int_equal(a.n, 0);
	assert_non_null(a.b[0]->slab);
	assert_ptr_equal(a.b[0]->slab, a.b[10]->slab);
	for (i = 0; i < n; i++)
		((elem *)cow_push(&a))->v = (int)i;
	assert_int_equal(a.nb, 11); /* no block made one by one */
	cow_reserve(&a, n);	    /* room enough: nothing made */
	assert_int_equal(a.nb, 11);
	cow_share(&b, &a);
	mut(&b, 3 * COW_BLOCK)->v = -5;
	assert_null(b.b[3]->slab); /* the copy is a block of its own */
	assert_int_equal(val(&a, 3 * COW_BLOCK), 3 * COW_BLOCK);
	/* a goes: its block 3 is held by none (its pages go back), the others by b */
	cow_release(&a);
	for (i = 0; i < n; i++)
		assert_int_equal(val(&b, i), i == 3 * COW_BLOCK ? -5 : (int)i);
	/* more pushed past the slab: blocks of their own */
	for (i = 0; i < 2 * COW_BLOCK; i++)
		cow_push(&b);
	assert_null(b.b[b.nb - 1]->slab);
	cow_release(&b);
}

static size_t taken(void)
{
	cow_stats st;

	cow_stats_get(&st);
	return st.prepared_taken;
}

/* A slab prepared ahead is taken by the reserve that needs about as many blocks
 * of its element size, and by no other; its elements come clear; one that no
 * reserve takes is freed by cow_prepared_release (make asan's leak check). */
static void test_prepared_slab(void **state)
{
	cow_arr a, b, c;
	size_t i, n = 10 * COW_BLOCK, t0 = taken();

	(void)state;
	cow_prepare(sizeof(elem), n);
	cow_init(&c, 2 * sizeof(elem)); /* another element size */
	cow_reserve(&c, n);
	cow_init(&b, sizeof(elem)); /* three times the blocks */
	cow_reserve(&b, 3 * n);
	assert_int_equal(taken(), t0);
	cow_init(&a, sizeof(elem));
	cow_reserve(&a, n);
	assert_int_equal(taken(), t0 + 1);
	assert_int_equal(a.nb, 10);
	for (i = 0; i < n; i++) {
		elem *e = cow_push(&a);
		assert_int_equal(e->v, 0);
		assert_int_equal(e->pad[59], 0);
		e->v = (int)i + 1;
	}
	assert_int_equal(a.nb, 10);
	assert_ptr_equal(a.b[0]->slab, a.b[9]->slab);
	for (i = 0; i < n; i++)
		assert_int_equal(val(&a, i), (int)i + 1);
	cow_release(&a);
	cow_release(&b);
	cow_release(&c);
	/* far more than needed: left, then freed */
	cow_prepare(sizeof(elem), 4 * n);
	cow_init(&a, sizeof(elem));
	cow_reserve(&a, n);
	assert_int_equal(taken(), t0 + 1);
	cow_release(&a);
	cow_prepared_release();
	cow_init(&a, sizeof(elem));
	cow_reserve(&a, 4 * n);
	assert_int_equal(taken(), t0 + 1); /* it is gone */
	cow_release(&a);
}

/* Slab releases, counted: an element big enough that each block holds whole
 * pages, so that every block that goes back is a range of its own. */
typedef struct big {
	int v;
	char pad[252];
} big;

static cow_stats since; /* the counts before the test's step */

static void stats_mark(void)
{
	cow_stats_get(&since);
}

/* slabs freed and ranges given back since stats_mark */
static void assert_stats(size_t freed, size_t ranges)
{
	cow_stats now;

	cow_stats_get(&now);
	assert_int_equal(now.slabs_freed - since.slabs_freed, freed);
	assert_int_equal(now.ranges_given_back - since.ranges_given_back, ranges);
	since = now;
}

/* nblocks whole blocks in one slab, element i holding i */
static void fill_slab(cow_arr *a, size_t nblocks)
{
	size_t i;

	cow_init(a, sizeof(big));
	cow_reserve(a, nblocks * COW_BLOCK);
	for (i = 0; i < nblocks * COW_BLOCK; i++)
		((big *)cow_push(a))->v = (int)i;
	assert_int_equal(a->nb, nblocks);
}

static big *bmut(cow_arr *a, size_t i)
{
	return cow_mut(a, i);
}

static int bval(const cow_arr *a, size_t i)
{
	return ((const big *)cow_at(a, i))->v;
}

/* The last holder of a whole slab frees it at once: no page given back. */
/* A pushed element is all zero, wherever its block came from: a slab (zero
 * from calloc, not cleared again), a block of its own on dirty memory, or a
 * copy of such a block for a version that pushes onto it. */
static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static void dirty_heap(size_t n)
{
	void *p = malloc(n);

	memset(p, 0xab, n);
	free(p); /* the next malloc of that size may get these bytes back */
}

static void test_pushed_elements_are_clear(void **state)
{
	cow_arr a, b;
	size_t i;
	elem *e;

	(void)state;
	cow_init(&a, sizeof(elem));
	cow_reserve(&a, 4 * 32);
	for (i = 0; i < 4 * 32; i++) {
		e = cow_push(&a);
		assert_true(all_zero(e, sizeof(*e)));
		memset(e, 0xcd, sizeof(*e));
	}
	cow_release(&a);
	for (i = 0; i < 8; i++) { /* blocks of their own, on dirty memory */
		dirty_heap(64 + 32 * sizeof(elem));
		cow_init(&a, sizeof(elem));
		e = cow_push(&a);
		assert_true(all_zero(e, sizeof(*e)));
		memset(e, 0xcd, sizeof(*e));
		cow_share(&b, &a); /* b pushes onto the shared block: a copy */
		e = cow_push(&b);
		assert_true(all_zero(e, sizeof(*e)));
		assert_int_equal(((const elem *)cow_at(&b, 0))->v, (int)0xcdcdcdcd);
		cow_release(&a);
		cow_release(&b);
	}
}

static void test_slab_freed_whole(void **state)
{
	cow_arr a;

	(void)state;
	fill_slab(&a, 10);
	stats_mark();
	cow_release(&a);
	assert_stats(1, 0);
}

/* A slab shared by two versions lives until the last of its blocks goes;
 * the blocks that die before give their pages back, adjacent ones as one
 * range. */
static void test_shared_slab_lives_to_its_last_block(void **state)
{
	cow_arr a, b;
	size_t i;

	(void)state;
	fill_slab(&a, 10);
	cow_share(&b, &a);
	bmut(&b, 2 * COW_BLOCK)->v = -2;
	for (i = 4; i <= 6; i++)
		bmut(&b, i * COW_BLOCK + 1)->v = -(int)i;
	stats_mark();
	/* a's blocks 2 and 4-6 are a's alone: two ranges, the slab kept for b */
	cow_release(&a);
	assert_stats(0, 2);
	for (i = 0; i < 10 * COW_BLOCK; i++)
		if (i != 2 * COW_BLOCK && (i < 4 * COW_BLOCK || i >= 7 * COW_BLOCK || i % COW_BLOCK != 1))
			assert_int_equal(bval(&b, i), (int)i);
	assert_int_equal(bval(&b, 5 * COW_BLOCK + 1), -5);
	assert_non_null(b.b[9]->slab);
	cow_release(&b);
	assert_stats(1, 0);

	/* the other way round: the writer goes first, no slab block dies */
	fill_slab(&a, 4);
	cow_share(&b, &a);
	bmut(&b, 0)->v = 1;
	stats_mark();
	cow_release(&b);
	assert_stats(0, 0);
	assert_int_equal(bval(&a, 0), 0);
	cow_release(&a);
	assert_stats(1, 0);
}

/* Versions in a chain, each writing a block of the slab, let go of oldest
 * first: each gives back the one block only it held, the last frees the slab.
 * (A block copied on write dies at once only when the other holder went
 * meanwhile, on another thread: test_versions_across_threads.) */
static void test_slab_blocks_go_one_by_one(void **state)
{
	cow_arr a, b, c;

	(void)state;
	fill_slab(&a, 4);
	cow_share(&b, &a);
	bmut(&b, COW_BLOCK)->v = -1;
	cow_share(&c, &b);
	bmut(&c, 3 * COW_BLOCK)->v = -3;
	stats_mark();
	cow_release(&a); /* its block 1 */
	assert_stats(0, 1);
	cow_release(&b); /* its block 3 (its block 1 is its own) */
	assert_stats(0, 1);
	assert_int_equal(bval(&c, COW_BLOCK), -1);
	assert_int_equal(bval(&c, 3 * COW_BLOCK), -3);
	assert_int_equal(bval(&c, 2 * COW_BLOCK + 4), 2 * COW_BLOCK + 4);
	cow_release(&c); /* blocks 0 and 2, the slab's last */
	assert_stats(1, 0);
}

/* An array whose blocks come from two slabs, out of order: each slab's dead
 * blocks are gathered, adjacent ones given back as one range. */
static void test_two_slabs_out_of_order(void **state)
{
	cow_arr a, b;
	cow_block *t;
	size_t i;

	(void)state;
	fill_slab(&a, 4);
	cow_reserve(&a, 8 * COW_BLOCK); /* a second slab for blocks 4-7 */
	for (i = 4 * COW_BLOCK; i < 8 * COW_BLOCK; i++)
		((big *)cow_push(&a))->v = (int)i;
	assert_int_equal(a.nb, 8);
	assert_ptr_not_equal(a.b[0]->slab, a.b[5]->slab);
	t = a.b[0], a.b[0] = a.b[5], a.b[5] = t; /* order is the array's business */
	cow_share(&b, &a);
	/* b writes slab 2's block 5 and slab 1's blocks 1, 2 and 0 */
	bmut(&b, 0)->v = -1;
	bmut(&b, COW_BLOCK)->v = -1;
	bmut(&b, 2 * COW_BLOCK)->v = -1;
	bmut(&b, 5 * COW_BLOCK)->v = -1;
	stats_mark();
	cow_release(&a);
	assert_stats(0, 2);
	assert_int_equal(bval(&b, 4 * COW_BLOCK + 3), 4 * COW_BLOCK + 3);
	cow_release(&b);
	assert_stats(2, 0);
}

/* Versions sharing one slab let go of on three threads at once, round after
 * round: each slab freed exactly once (a double free would crash, a leak
 * shows in the count and under make asan). */
#define ROUNDS 300

static void *release_arr(void *arg)
{
	cow_release(arg);
	return NULL;
}

static void test_slab_released_on_threads(void **state)
{
	cow_arr v[3];
	pthread_t th[2];
	cow_stats now;
	int r, k;

	(void)state;
	stats_mark();
	for (r = 0; r < ROUNDS; r++) {
		fill_slab(&v[0], 6);
		cow_share(&v[1], &v[0]);
		cow_share(&v[2], &v[0]);
		bmut(&v[1], (size_t)(r % 6) * COW_BLOCK)->v = r;
		bmut(&v[2], (size_t)((r + 1) % 6) * COW_BLOCK)->v = r;
		bmut(&v[2], (size_t)((r + 2) % 6) * COW_BLOCK)->v = r;
		for (k = 0; k < 2; k++)
			assert_int_equal(pthread_create(&th[k], NULL, release_arr, &v[k + 1]), 0);
		cow_release(&v[0]);
		for (k = 0; k < 2; k++)
			pthread_join(th[k], NULL);
	}
	cow_stats_get(&now);
	assert_int_equal(now.slabs_freed - since.slabs_freed, ROUNDS);
}

/* Versions as the fleet's snapshots: one thread makes each from the last
 * (shared, a few elements written), others take the newest, read it whole
 * and let go of it, on their threads. Each version's sum, worked out as it is
 * made, must be what a reader finds: a block written in place under a reader
 * would break it (and ThreadSanitizer, make tsan, would see the race). */
typedef struct version {
	cow_arr a;
	long sum;
	int refs;
} version;

#define VERSIONS 3000
#define VN (8 * COW_BLOCK)

static pthread_mutex_t ver_mu = PTHREAD_MUTEX_INITIALIZER;
static version *newest;
static int done;

static void ver_put(version *v)
{
	if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		cow_release(&v->a);
		free(v);
	}
}

static void *reader(void *arg)
{
	long *bad = arg;

	for (;;) {
		version *v;
		long sum = 0;
		size_t i;

		pthread_mutex_lock(&ver_mu);
		v = newest;
		if (v)
			__atomic_add_fetch(&v->refs, 1, __ATOMIC_ACQ_REL);
		pthread_mutex_unlock(&ver_mu);
		if (!v)
			break;
		for (i = 0; i < v->a.n; i++)
			sum += val(&v->a, i);
		*bad += sum != v->sum;
		ver_put(v);
		if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
			break;
	}
	return NULL;
}

static void test_versions_across_threads(void **state)
{
	pthread_t th[2];
	long bad[2] = {0, 0};
	version *v = xcalloc(1, sizeof(*v));
	cow_stats now;
	unsigned seed = 7;
	size_t i;
	int k;

	(void)state;
	/* the first version's blocks in one slab, as a snapshot's build makes */
	stats_mark();
	cow_init(&v->a, sizeof(elem));
	cow_reserve(&v->a, VN);
	for (i = 0; i < VN; i++) {
		((elem *)cow_push(&v->a))->v = (int)i;
		v->sum += (long)i;
	}
	assert_non_null(v->a.b[0]->slab);
	v->refs = 1;
	newest = v;
	for (k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, reader, &bad[k]), 0);
	for (k = 1; k <= VERSIONS; k++) {
		version *old = newest, *nv = xcalloc(1, sizeof(*nv));
		int j;

		cow_share(&nv->a, &old->a);
		nv->sum = old->sum;
		nv->refs = 1;
		for (j = 0; j < 3; j++) {
			size_t at = (size_t)rand_r(&seed) % VN;
			elem *e = mut(&nv->a, at);
			nv->sum += k - e->v;
			e->v = k;
		}
		pthread_mutex_lock(&ver_mu);
		newest = nv;
		pthread_mutex_unlock(&ver_mu);
		ver_put(old);
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	assert_int_equal(bad[0] + bad[1], 0);
	pthread_mutex_lock(&ver_mu);
	v = newest;
	newest = NULL;
	pthread_mutex_unlock(&ver_mu);
	ver_put(v);
	/* the slab went once, with the last of its blocks, on whichever thread */
	cow_stats_get(&now);
	assert_int_equal(now.slabs_freed - since.slabs_freed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_push_and_read),
	    cmocka_unit_test(test_write_copies_one_block),
	    cmocka_unit_test(test_push_onto_a_shared_block),
	    cmocka_unit_test(test_three_versions),
	    cmocka_unit_test(test_reserved_slab),
	    cmocka_unit_test(test_prepared_slab),
	    cmocka_unit_test(test_pushed_elements_are_clear),
	    cmocka_unit_test(test_slab_freed_whole),
	    cmocka_unit_test(test_shared_slab_lives_to_its_last_block),
	    cmocka_unit_test(test_slab_blocks_go_one_by_one),
	    cmocka_unit_test(test_two_slabs_out_of_order),
	    cmocka_unit_test(test_slab_released_on_threads),
	    cmocka_unit_test(test_versions_across_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
