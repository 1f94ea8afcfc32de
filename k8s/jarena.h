/* k8s/jarena.h — the cJSON trees of list items, made in a per-thread arena.
 *
 * A list of 5,000 tenants' Deployments and pods builds about 100,000 small trees
 * (jscan_build), each of a few dozen nodes and strings, read once and deleted:
 * millions of malloc and free calls, a fifth of `tenants`' CPU. While a thread
 * builds such a tree, cJSON's allocations come from that thread's arena (a bump
 * pointer in one block); freeing them costs nothing, and the block is used again
 * from its start once every node made in it is freed. A node that does not fit,
 * or is made by other code, comes from malloc as before; cJSON_Delete frees each
 * node the way it was made, so a tree may mix both.
 *
 * Rules: a tree built in the arena is freed by the thread that built it (as
 * k8s_list does: built, handed to the callback, deleted); callbacks that keep
 * anything copy it (a copy is made by malloc: the arena is only on while
 * jscan_build runs).
 */
#ifndef K8S_JARENA_H
#define K8S_JARENA_H

#include <stddef.h>

/* Installs the arena as cJSON's allocator. Call once, before any thread uses
 * cJSON (it replaces cJSON's hooks, which are global); without it, trees are made
 * by malloc as before. */
void jarena_install(void);

/* While on (per thread; calls nest), cJSON's allocations on this thread come from
 * its arena. jarena_on returns the state to give jarena_off. */
int jarena_on(void);
void jarena_off(int was);

/* This thread's arena: allocations not yet freed, and bytes in use (tests). */
size_t jarena_live(void);
size_t jarena_used(void);

#endif
