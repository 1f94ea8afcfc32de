/* util/cow.c — blocks shared between versions of an array (see util/cow.h). */
#include "util/cow.h"

#include <stdint.h>
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
	b->slab = NULL;
	return b;
}

static size_t block_stride(size_t esize)
{
	return (sizeof(cow_block) + COW_BLOCK * esize + 63) & ~(size_t)63;
}

/* A slab's block no array holds: its whole pages go back to the system now
 * (the slab's other blocks may live on in later versions). */
static void slab_block_gone(cow_block *b, size_t esize)
{
	cow_slab *sl = b->slab;
	uintptr_t page = 4096, lo = ((uintptr_t)b + page - 1) & ~(page - 1),
		  hi = ((uintptr_t)b + block_stride(esize)) & ~(page - 1);

	/* before the count: the last block's owner frees the slab */
	if (hi > lo && __atomic_load_n(&sl->live, __ATOMIC_ACQUIRE) > 1)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	if (__atomic_sub_fetch(&sl->live, 1, __ATOMIC_ACQ_REL) == 0)
		free(sl);
}

static void block_put(cow_block *b, size_t esize)
{
	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	if (b->slab)
		slab_block_gone(b, esize);
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

void cow_reserve(cow_arr *a, size_t n)
{
	size_t need = (n + COW_BLOCK - 1) / COW_BLOCK, k, j, stride = block_stride(a->esize);
	cow_slab *sl;

	if (need <= a->nb + 1) /* one block more is made as it is needed */
		return;
	k = need - a->nb;
	room_for_blocks(a, need);
	sl = xmalloc(SLAB_HEAD + k * stride);
	sl->live = (int)k;
	for (j = 0; j < k; j++) {
		cow_block *b = (cow_block *)(void *)((char *)sl + SLAB_HEAD + j * stride);
		b->refs = 1;
		b->slab = sl;
		a->b[a->nb++] = b;
	}
}

void cow_init(cow_arr *a, size_t esize)
{
	memset(a, 0, sizeof(*a));
	a->esize = esize;
}

void cow_release(cow_arr *a)
{
	size_t i;

	for (i = 0; i < a->nb; i++)
		block_put(a->b[i], a->esize);
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
	return memset(cow_mut(a, a->n++), 0, a->esize);
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

size_t cow_owned(const cow_arr *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nb; i++)
		n += __atomic_load_n(&a->b[i]->refs, __ATOMIC_ACQUIRE) == 1;
	return n;
}
