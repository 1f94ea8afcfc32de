/* core/fs_info.h — what an operator is told about a tenant environment's file
 * server, for `smartops tenant T -o json`, the tenant screen and the health cause.
 *
 * Read from the cluster: PersistentVolumeClaim "fileserver" of the namespace (its
 * class, phase, request and capacity, the last Warning Event about it), its
 * StorageClass's provisioner mapped to a provider (ConfigMap smart-platform in
 * smartops-system, key fileserver.providers; the built-in table otherwise, see
 * core/wizard_fs.h), and which AppServer Deployments (component=appserver) mount
 * the claim in their pod template, and where.
 * Blocking (Kubernetes reads): never on a UI thread.
 */
#ifndef CORE_FS_INFO_H
#define CORE_FS_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "k8s/client.h"

#define FS_INFO_CLAIM "fileserver"
#define FS_INFO_MAX_ROLES MODEL_MAX_PUBLIC

typedef struct fs_info {
	int read;		  /* 1: the cluster answered (else detail says why) */
	int present;		  /* 1: the env has claim fileserver */
	char provider[16];	  /* "aws", "gcp", "totvs", or "" when not known */
	char cls[64];		  /* spec.storageClassName, or "" */
	char phase[16];		  /* "Bound", "Pending", "Lost", or "" (no claim) */
	char capacity[24];	  /* status.capacity.storage, or "" */
	char requested[24];	  /* spec.resources.requests.storage, or "" */
	char modes[3][20];	  /* access modes */
	size_t n_modes;
	char mounted_by[FS_INFO_MAX_ROLES][16]; /* AppServer roles whose template mounts it */
	size_t n_mounted;
	char unmounted[FS_INFO_MAX_ROLES][16];	/* AppServer roles that do not, while others do */
	size_t n_unmounted;
	char path[128];		  /* where the first of them mounts it, or "" */
	char detail[320];	  /* plain words: "Bound, 100Gi, mounted by webapp, rest" */
} fs_info;

/* Fills out for namespace ns (prefix NULL: smart.totvs.com/). A pending claim is aged
 * by the server's clock (k8s_client_server_now). */
void fs_info_read(k8s_client *c, const char *prefix, const char *ns, fs_info *out);

/* What a read finds that is the cluster's, not the env's: the provider of a
 * StorageClass (the class, and smart-platform's map). A memo given to the
 * reads of many envs, from several threads at once, asks the cluster for each
 * class once (a check of 30 envs asked for the same two objects 60 times).
 * Only what both answers said is kept (a ConfigMap not there says so). */
typedef struct fs_memo fs_memo;
fs_memo *fs_memo_new(void);
void fs_memo_free(fs_memo *m);
/* fs_info_read, the class's provider taken from m or kept in it (m NULL: none). */
void fs_info_read_memo(k8s_client *c, const char *prefix, const char *ns, fs_memo *m, fs_info *out);

/* Builds the plain-words detail from the other fields and the last Warning Event
 * (reason, message; either may be NULL) — pure, for the unit tests. created is the
 * claim's creationTimestamp (unix s, 0 unknown). */
void fs_info_describe(fs_info *fi, const char *provider_note, int64_t created, int64_t now,
		      const char *warn_reason, const char *warn_message);

#endif
