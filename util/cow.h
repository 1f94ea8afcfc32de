/* util/cow.h — an array of fixed-size elements kept in blocks that versions
 * of it share, a block copied only when one version writes to it.
 *
 * A snapshot of the fleet is such an array of environments: the next one,
 * built again for a few changed environments, shares every other block with
 * the last instead of copying the whole (78 MB at 20,000 tenants).
 *
 * Threads: a block shared by several arrays is never written; an array is
 * written by one thread at a time; sharing and releasing are safe from any
 * thread (the counts are atomic). An array must not be shared (cow_share)
 * while another thread writes to it.
 */
#ifndef UTIL_COW_H
#define UTIL_COW_H

#include <stddef.h>

#define COW_BLOCK 32 /* elements in one block */

typedef struct cow_block cow_block;

typedef struct cow_arr {
	size_t esize; /* bytes of one element */
	size_t n;     /* elements */
	size_t nb, cap; /* blocks held, room for */
	cow_block **b;
} cow_arr;

void cow_init(cow_arr *a, size_t esize);
/* Lets go of every block (freed when no other array holds it); a stays
 * usable, empty. A slab's blocks that die together go back as one: the slab
 * freed whole when they were all it had left, else their pages given back, a
 * range for adjacent ones. */
void cow_release(cow_arr *a);
/* Room for n elements in all: the blocks still missing are made at once, in
 * one allocation (a slab) that the system may back with huge pages, a page
 * fault for 2 MB instead of one for 4 KB (in a virtual machine each costs
 * microseconds). A slab's block that no array holds any more gives its pages
 * back; the slab goes with its last block. */
void cow_reserve(cow_arr *a, size_t n);
/* A slab for n elements of esize made now, its pages made present
 * (util_populate), for a cow_reserve to come that needs about as many (up to a
 * quarter more blocks than it asks for): made on a thread that has time, it
 * takes the faults off the thread that will fill it. At most 12 wait; one
 * more replaces the first. Thread-safe. */
void cow_prepare(size_t esize, size_t n);
/* Frees the prepared slabs no cow_reserve took. */
void cow_prepared_release(void);
/* A new element at the end, zeroed, writable until the array is shared. */
void *cow_push(cow_arr *a);
/* Element i < n, to read. */
static inline const void *cow_at(const cow_arr *a, size_t i);
/* Element i < n, to write: its block is copied first when another array
 * shares it. */
void *cow_mut(cow_arr *a, size_t i);
/* dst (initialised or not: its old blocks are not let go) becomes a version
 * of src that shares all its blocks. */
void cow_share(cow_arr *dst, const cow_arr *src);
/* Blocks of a that no other array shares (for tests and figures). */
size_t cow_owned(const cow_arr *a);

/* Since the start, process-wide (for tests and figures): slabs freed, ranges
 * of a slab's pages given back to the system (a madvise each), prepared slabs
 * taken by a cow_reserve. */
typedef struct cow_stats {
	size_t slabs_freed, ranges_given_back, prepared_taken;
} cow_stats;
void cow_stats_get(cow_stats *st);

struct cow_slab;

struct cow_block {
	int refs;
	/* its elements past the array's count were never written and are zero
	 * (a slab's, from calloc): a push need not clear them */
	unsigned char zeroed;
	struct cow_slab *slab; /* or NULL: a block of its own */
	unsigned char data[];
};

static inline const void *cow_at(const cow_arr *a, size_t i)
{
	return a->b[i / COW_BLOCK]->data + (i % COW_BLOCK) * a->esize;
}

#endif
