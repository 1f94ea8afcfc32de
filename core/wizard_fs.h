/* core/wizard_fs.h — the file-server wizard: a ReadWriteMany claim
 * "fileserver" in an ERP environment's namespace, from the StorageClass of the
 * tenant's provider (AWS EFS, GCP Filestore, TOTVS NFS), mounted by every
 * AppServer Deployment of the environment at the RootPath its appserver.ini
 * gives. Its entry in the table of wizards (core/wizard.h) and the pure parts
 * of its checks, for the unit tests. The builder reads the catalogue and the
 * cluster: not on the UI thread.
 */
#ifndef CORE_WIZARD_FS_H
#define CORE_WIZARD_FS_H

#include <stddef.h>
#include <stdint.h>

#include "core/wizard.h"

extern const wizard wizard_fileserver;

/* The sizes of --size s|m|l (the default is m). */
#define FS_SIZE_S "100Gi"
#define FS_SIZE_M "500Gi"
#define FS_SIZE_L "2Ti"

/* A Kubernetes quantity of bytes ("500Gi", "1Ti", "1.5T", "1000000000"):
 * *bytes gets it. 0, or -1 with err (what is wrong, an example). */
int fs_quantity_parse(const char *q, uint64_t *bytes, char *err, size_t errsz);

/* "aws", "gcp", "totvs" for a provisioner by the built-in table, or NULL. */
const char *fs_provider_default(const char *provisioner);

/* The provider of provisioner by map (the text of key fileserver.providers:
 * "provisioner=provider" pairs separated by commas, blanks or new lines; NULL
 * or empty: the built-in table). out gets the provider or "". */
void fs_provider_of(const char *map, const char *provisioner, char *out, size_t size);

/* The provider's rule for a claim of bytes in a class with the Filestore
 * parameter tier (NULL: the provider's default tier). 0 when it may be made
 * (note, may be NULL, gets a remark worth showing, e.g. EFS's elasticity), or
 * -1 with err. */
int fs_provider_rule(const char *provider, const char *tier, uint64_t bytes, const char *size_text,
		     char *note, size_t notesz, char *err, size_t errsz);

#endif
