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
	unsigned seed = 7;
	size_t i;
	int k;

	(void)state;
	fill(&v->a, VN);
	for (i = 0; i < VN; i++)
		v->sum += (long)i;
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_push_and_read),
	    cmocka_unit_test(test_write_copies_one_block),
	    cmocka_unit_test(test_push_onto_a_shared_block),
	    cmocka_unit_test(test_three_versions),
	    cmocka_unit_test(test_reserved_slab),
	    cmocka_unit_test(test_versions_across_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
