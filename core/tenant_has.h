/* core/tenant_has.h — what a tenant already has of what the wizards make, per
 * env: a database (Secret db-credentials, written by the database wizard or the
 * Oracle hand-off; core/db_info.h), a file server (claim fileserver;
 * core/fs_info.h), a custom RPO (core/build_info.h). The wizards' tenant lists
 * show it beside each tenant.
 *
 * tenant_has_read is blocking (Kubernetes reads, no live database check). The
 * loader reads on a thread of its own what its caller wants shown, keeps what it
 * read, and calls wake (from its thread) when something new can be shown.
 * Call order: tenant_has_loader_new -> (tenant_has_loader_want ->
 * tenant_has_loader_get ...)* -> tenant_has_loader_free. Each function of the
 * loader is thread-safe; the clients in the refs must outlive the loader.
 */
#ifndef CORE_TENANT_HAS_H
#define CORE_TENANT_HAS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "k8s/client.h"

typedef struct tenant_has {
	uint8_t read;	/* 1: the cluster answered for every env (else unknown) */
	uint8_t env[2]; /* by tcode_env: 1 when the tenant has that env */
	uint8_t db[2];	/* by tcode_env: 1 when the env has its database */
	uint8_t fs[2];	/* ... its file server claim */
	uint8_t rpo[2]; /* ... runs a custom RPO */
} tenant_has;

/* A tenant to read: where, and its namespaces. */
typedef struct tenant_has_ref {
	k8s_client *client; /* borrowed */
	char cluster[32];   /* with tcode, the tenant's key */
	char tcode[TCODE_SIZE];
	uint8_t product; /* model_product: eSocial has no file server nor RPO */
	char ns[2][64];	 /* by tcode_env, "" when the env does not exist */
} tenant_has_ref;

/* Reads what r's envs have (prefix NULL: smart.totvs.com/). Blocking. */
void tenant_has_read(const tenant_has_ref *r, const char *prefix, tenant_has *out);

/* In a few words: "db fs rpo" for what every env has, "fs:prod" for what one env
 * has, "-" for nothing, "?" when not read. Pure. */
void tenant_has_words(const tenant_has *h, char *buf, size_t size);

typedef struct tenant_has_loader tenant_has_loader;

/* prefix is copied; wake (may be NULL) is called from the loader's thread. */
tenant_has_loader *tenant_has_loader_new(const char *prefix, void (*wake)(void));
/* Stops the thread (a read under way ends first) and frees. */
void tenant_has_loader_free(tenant_has_loader *l);
/* The tenants to read, in order (copied; replaces the last want). Tenants read
 * before are not read again, unless forget (then everything kept is dropped:
 * a wizard opened anew shows what the cluster has now). */
void tenant_has_loader_want(tenant_has_loader *l, const tenant_has_ref *r, size_t n, int forget);
/* 1 and *out when cluster/tcode was read, else 0. */
int tenant_has_loader_get(tenant_has_loader *l, const char *cluster, const char *tcode,
			  tenant_has *out);
/* Grows each time a read is kept: something new to show. */
uint64_t tenant_has_loader_version(tenant_has_loader *l);
/* 1 while a wanted tenant is not read yet. */
int tenant_has_loader_busy(tenant_has_loader *l);

#endif
