/* util/cow.c — blocks shared between versions of an array (see util/cow.h). */
#include "util/cow.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util/util.h"

typedef struct cow_slab {
	int live; /* its blocks still held */
} cow_slab;

#define SLAB_HEAD 64 /* the slab's count, then its blocks, each cache-line aligned */

/* Elements of any type start at data: it must be aligned as malloc's memory
 * is (UBSan found a model_env at an address 4 bytes off when data followed
 * refs alone). */
_Static_assert(offsetof(cow_block, data) % _Alignof(max_align_t) == 0,
	       "a block's elements must be aligned for any type");

/* Not cleared: an element is, as it is pushed (clearing a block's 62 KB of
 * environments twice showed as 6% of a 20,000-tenant console's start). */
static cow_block *block_new(size_t esize)
{
	cow_block *b = xmalloc(sizeof(*b) + COW_BLOCK * esize);

	b->refs = 1;
	b->zeroed = 0;
	b->slab = NULL;
	return b;
}

static size_t block_stride(size_t esize)
{
	return (sizeof(cow_block) + COW_BLOCK * esize + 63) & ~(size_t)63;
}

static size_t slabs_freed, ranges_given_back, prepared_taken; /* cow_stats */

/* Pages wholly inside [from, to) go back to the system. */
static void give_back(const void *from, const void *to)
{
	char *lo;
	size_t len = util_pages_within(from, to, &lo);

	if (len) {
		(void)madvise(lo, len, MADV_DONTNEED);
		__atomic_add_fetch(&ranges_given_back, 1, __ATOMIC_RELAXED);
	}
}

/* k blocks of slab sl, in ascending addresses, that no array holds any more:
 * their pages go back to the system (the slab's other blocks may live on in
 * later versions), the slab goes with its last block. Adjacent blocks go back
 * as one range: each madvise costs the other cores a TLB shootdown, and one
 * inside a huge page splits it. When these are all the slab still has, none
 * goes back: the slab is freed whole.
 *
 * The pages go back before the count drops: once it has, another thread may
 * drop it to zero and free the slab under the madvise. A block's header is not
 * read here (its page may be gone already). */
static void slab_blocks_gone(cow_slab *sl, cow_block *const *dead, size_t k, size_t esize)
{
	size_t stride = block_stride(esize), i = 0;

	if (__atomic_load_n(&sl->live, __ATOMIC_ACQUIRE) > (int)k)
		while (i < k) {
			size_t j = i + 1;

			while (j < k && (char *)dead[j] == (char *)dead[j - 1] + stride)
				j++;
			give_back(dead[i], (char *)dead[j - 1] + stride);
			i = j;
		}
	if (__atomic_sub_fetch(&sl->live, (int)k, __ATOMIC_ACQ_REL) == 0) {
		free(sl);
		__atomic_add_fetch(&slabs_freed, 1, __ATOMIC_RELAXED);
	}
}

static void block_put(cow_block *b, size_t esize)
{
	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (b->slab)
		slab_blocks_gone(b->slab, &b, 1, esize);
	else
		free(b);
}

static void room_for_blocks(cow_arr *a, size_t nb)
{
	if (nb > a->cap) {
		a->cap = nb > 2 * a->cap ? nb : 2 * a->cap;
		if (a->cap < 16)
			a->cap = 16;
		a->b = xrealloc(a->b, a->cap * sizeof(*a->b));
	}
}

/* Room for k blocks of stride bytes after the slab's head. calloc: fresh pages
 * from the system are zero already and not cleared again, and the pushes that
 * fill them clear nothing (a slab of 10,000 environments was cleared twice: by
 * the kernel, then element by element, the second 4.7% of the console's CPU up
 * to its complete frame). */
static cow_slab *slab_new(size_t k, size_t stride)
{
	return xcalloc(1, SLAB_HEAD + k * stride);
}

/* ---- slabs made ahead of need (cow_prepare) ---- */

#define PREPARED_MAX 12 /* three per cluster (fleet_prepare_build), four clusters */

static pthread_mutex_t prep_mu = PTHREAD_MUTEX_INITIALIZER;
static struct prepared {
	size_t esize, k; /* blocks of elements of esize */
	cow_slab *sl;
} prepared[PREPARED_MAX];

void cow_prepare(size_t esize, size_t n)
{
	size_t k = (n + COW_BLOCK - 1) / COW_BLOCK, stride = block_stride(esize), i, at = 0;
	cow_slab *sl, *old;

	if (k < 2) /* cow_reserve makes no slab for fewer */
		return;
	sl = slab_new(k, stride); /* zero, and made present as they are */
	util_populate(sl, SLAB_HEAD + k * stride);
	pthread_mutex_lock(&prep_mu);
	for (i = 0; i < PREPARED_MAX; i++)
		if (!prepared[i].sl) {
			at = i;
			break;
		}
	old = prepared[at].sl; /* all taken: the first makes room */
	prepared[at] = (struct prepared){esize, k, sl};
	pthread_mutex_unlock(&prep_mu);
	free(old);
}

void cow_prepared_release(void)
{
	pthread_mutex_lock(&prep_mu);
	for (size_t i = 0; i < PREPARED_MAX; i++) {
		free(prepared[i].sl);
		prepared[i].sl = NULL;
	}
	pthread_mutex_unlock(&prep_mu);
}

/* A prepared slab for k blocks of esize (up to a quarter more), or NULL. */
static cow_slab *take_prepared(size_t esize, size_t k)
{
	cow_slab *sl = NULL;

	pthread_mutex_lock(&prep_mu);
	for (size_t i = 0; i < PREPARED_MAX && !sl; i++)
		if (prepared[i].sl && prepared[i].esize == esize && prepared[i].k >= k &&
		    prepared[i].k <= k + k / 4 + 2) {
			sl = prepared[i].sl;
			prepared[i].sl = NULL;
			prepared_taken++;
		}
	pthread_mutex_unlock(&prep_mu);
	return sl;
}

void cow_reserve(cow_arr *a, size_t n)
{
	size_t need = (n + COW_BLOCK - 1) / COW_BLOCK, k, j, stride = block_stride(a->esize);
	cow_slab *sl;

	if (need <= a->nb + 1) /* one block more is made as it is needed */
		return;
	k = need - a->nb;
	room_for_blocks(a, need);
	/* a prepared slab has its pages present already; its blocks beyond k
	 * are never handed out and go with it */
	sl = take_prepared(a->esize, k);
	if (!sl)
		sl = slab_new(k, stride);
	sl->live = (int)k;
	for (j = 0; j < k; j++) {
		cow_block *b = (cow_block *)(void *)((char *)sl + SLAB_HEAD + j * stride);
		b->refs = 1;
		b->zeroed = 1;
		b->slab = sl;
		a->b[a->nb++] = b;
	}
}

void cow_init(cow_arr *a, size_t esize)
{
	memset(a, 0, sizeof(*a));
	a->esize = esize;
}

static int by_address(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t)*(cow_block *const *)x, b = (uintptr_t)*(cow_block *const *)y;

	return (a > b) - (a < b);
}

/* The blocks that die with the array are gathered by slab (a slab's blocks lie
 * at ascending addresses, slabs apart), each slab's count dropped once for all
 * of them: the last snapshot's teardown frees its slabs whole, without a
 * madvise per block. */
void cow_release(cow_arr *a)
{
	size_t i, ndead = 0, sorted = 1;

	for (i = 0; i < a->nb; i++) {
		cow_block *b = a->b[i];

		if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) > 0)
			continue;
		if (!b->slab) {
			free(b);
			continue;
		}
		if (ndead && (uintptr_t)a->b[ndead - 1] > (uintptr_t)b)
			sorted = 0;
		a->b[ndead++] = b; /* ndead <= i: the dead gathered in place */
	}
	if (!sorted)
		qsort(a->b, ndead, sizeof(*a->b), by_address);
	for (i = 0; i < ndead;) {
		cow_slab *sl = a->b[i]->slab;
		size_t j = i + 1;

		while (j < ndead && a->b[j]->slab == sl)
			j++;
		slab_blocks_gone(sl, a->b + i, j - i, a->esize);
		i = j;
	}
	free(a->b);
	cow_init(a, a->esize);
}

void *cow_push(cow_arr *a)
{
	size_t bi = a->n / COW_BLOCK;

	if (bi == a->nb) {
		room_for_blocks(a, a->nb + 1);
		a->b[a->nb++] = block_new(a->esize);
	}
	/* a block shared with another version is not written: copy it first */
	void *p = cow_mut(a, a->n);
	int zeroed = a->b[bi]->zeroed;

	a->n++;
	return zeroed ? p : memset(p, 0, a->esize);
}

void *cow_mut(cow_arr *a, size_t i)
{
	cow_block **slot = &a->b[i / COW_BLOCK];

	if (__atomic_load_n(&(*slot)->refs, __ATOMIC_ACQUIRE) > 1) {
		cow_block *c = block_new(a->esize);
		memcpy(c->data, (*slot)->data, COW_BLOCK * a->esize);
		block_put(*slot, a->esize);
		*slot = c;
	}
	return (*slot)->data + (i % COW_BLOCK) * a->esize;
}

void cow_share(cow_arr *dst, const cow_arr *src)
{
	size_t i;

	*dst = *src;
	dst->cap = src->nb;
	dst->b = xmalloc((dst->cap ? dst->cap : 1) * sizeof(*dst->b));
	for (i = 0; i < src->nb; i++) {
		dst->b[i] = src->b[i];
		__atomic_add_fetch(&dst->b[i]->refs, 1, __ATOMIC_ACQ_REL);
	}
}

void cow_stats_get(cow_stats *st)
{
	st->slabs_freed = __atomic_load_n(&slabs_freed, __ATOMIC_RELAXED);
	st->ranges_given_back = __atomic_load_n(&ranges_given_back, __ATOMIC_RELAXED);
	pthread_mutex_lock(&prep_mu);
	st->prepared_taken = prepared_taken;
	pthread_mutex_unlock(&prep_mu);
}

size_t cow_owned(const cow_arr *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nb; i++)
		n += __atomic_load_n(&a->b[i]->refs, __ATOMIC_ACQUIRE) == 1;
	return n;
}
