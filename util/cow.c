/* util/cow.c — blocks shared between versions of an array (see util/cow.h). */
#include "util/cow.h"

#include "util/util.h"

/* Not cleared: an element is, as it is pushed (clearing a block's 62 KB of
 * environments twice showed as 6% of a 20,000-tenant console's start). */
static cow_block *block_new(size_t esize)
{
	cow_block *b = xmalloc(sizeof(*b) + COW_BLOCK * esize);

	b->refs = 1;
	return b;
}

static void block_put(cow_block *b)
{
	if (b && __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(b);
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
		block_put(a->b[i]);
	free(a->b);
	cow_init(a, a->esize);
}

void *cow_push(cow_arr *a)
{
	size_t bi = a->n / COW_BLOCK;

	if (bi == a->nb) {
		if (a->nb == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 16;
			a->b = xrealloc(a->b, a->cap * sizeof(*a->b));
		}
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
		block_put(*slot);
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
