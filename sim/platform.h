/* sim/platform.h — the platform's own configuration objects, as a cluster's operators
 * set them up in namespace smartops-system (created when missing):
 *   --managed-postgres CONNINFO   ConfigMap smart-platform, key postgres.conninfo (other
 *                                 keys of an existing ConfigMap are kept)
 *   --managed-postgres-password-file F   Secret smart-platform-postgres, key password
 *                                 (the file's first line)
 * A conninfo that holds a password is refused: the password goes into the Secret.
 * Called once at start, before the server listens. */
#ifndef SIM_PLATFORM_H
#define SIM_PLATFORM_H

#include <stddef.h>

#include "sim/store.h"

#define SIM_PLATFORM_NS "smartops-system"
#define SIM_PLATFORM_CONFIGMAP "smart-platform"
#define SIM_PLATFORM_PG_SECRET "smart-platform-postgres"
/* The RPO buckets the fleet's smart-platform names, one per provider (keys rpo.<provider>):
 * where the custom-build wizard's Jobs upload a tenant's RPO. */
#define SIM_PLATFORM_RPO_AWS "s3://smart-rpo"
#define SIM_PLATFORM_RPO_GCP "gs://smart-rpo"
#define SIM_PLATFORM_RPO_TOTVS "https://store.totvs.example/smart-rpo"

/* 0, or -1 with a sentence in errbuf. password_file may be NULL. */
int sim_platform_managed_postgres(sim_store *s, const char *conninfo, const char *password_file, char *errbuf,
				  size_t errsize);

#endif
