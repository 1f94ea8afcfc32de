/* k8s/jarena.c — the cJSON trees of list items, made in a per-thread arena
 * (see k8s/jarena.h). */
#include <pthread.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "k8s/jarena.h"

#define ARENA_SIZE (256u << 10) /* a Deployment's or pod's kept tree: a few KB */
#define ALIGN 16

typedef struct arena {
	char *base;
	size_t used, live;
	int on;
} arena;

static _Thread_local arena a;
static int installed;
static pthread_key_t key;

/* At thread exit: the block goes, unless a tree made in it is still alive (a
 * broken rule: it is left rather than freed under its user). */
static void thread_gone(void *base)
{
	if (!a.live)
		free(base);
}

static void *arena_malloc(size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	if (a.on && n && n <= ARENA_SIZE) { /* (a bigger n: need may have wrapped) */
		if (!a.base && (a.base = malloc(ARENA_SIZE)) != NULL)
			(void)pthread_setspecific(key, a.base);
		if (a.base && need <= ARENA_SIZE - a.used) {
			void *p = a.base + a.used;

			a.used += need;
			a.live++;
			return p;
		}
	}
	return malloc(n);
}

static void arena_free(void *p)
{
	if (a.base && (char *)p >= a.base && (char *)p < a.base + ARENA_SIZE) {
		if (--a.live == 0)
			a.used = 0;
		return;
	}
	free(p);
}

void jarena_install(void)
{
	cJSON_Hooks h = {arena_malloc, arena_free};

	if (installed || pthread_key_create(&key, thread_gone))
		return;
	cJSON_InitHooks(&h);
	installed = 1;
}

int jarena_on(void)
{
	int was = a.on;

	a.on = installed;
	return was;
}

void jarena_off(int was)
{
	a.on = was;
}

size_t jarena_live(void)
{
	return a.live;
}

size_t jarena_used(void)
{
	return a.used;
}
