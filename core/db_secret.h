/* core/db_secret.h — Secret db-credentials of a tenant's namespace: where its
 * database is and the password of its role (keys username, password, host,
 * port, database), the only place that password is kept.
 *
 * Written only by smartops (labels managed-by, tcode, env, component=database
 * and the run that made it); one that lacks them is another's: never written
 * over nor deleted. The password is sent base64-encoded in the request body
 * and nowhere else; the buffers that held it are wiped. Reading gives every
 * key but the password. Blocking (Kubernetes calls): not on a UI thread.
 */
#ifndef CORE_DB_SECRET_H
#define CORE_DB_SECRET_H

#include "k8s/client.h"

#define DB_SECRET_NAME "db-credentials"

typedef struct db_secret_fields {
	const char *username;
	const char *password; /* wiped by nobody here: the caller owns it */
	const char *host;
	const char *port;
	const char *database;
} db_secret_fields;

typedef struct db_secret_obs {
	int exists;
	int ours;	   /* managed by smartops, for this tenant */
	char run[48];	   /* its run label, or "" */
	char uid[48];
	char username[64], host[256], port[8], database[64];
	int has_password;  /* a non-empty password key */
} db_secret_obs;

/* Reads the Secret of ns (prefix NULL: default). 0 (o->exists 0 when absent),
 * or -1 with err. */
int db_secret_read(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		   db_secret_obs *o, k8s_err *err);

/* Creates the Secret (labels of tcode, env, run) or, when it exists and is
 * ours, replaces its keys (its labels kept). -1 with err; a Secret that is
 * not ours is refused (err->http 409). dry_run: the server checks it only. */
int db_secret_write(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		    const char *env, const char *run, const db_secret_fields *f, int dry_run,
		    k8s_err *err);

/* Deletes it when it is ours; absent is fine. 0, or -1 with err. */
int db_secret_delete(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
		     k8s_err *err);

/* The password key of the Secret name in ns (e.g. the platform's admin
 * password, Secret smart-platform-postgres): decoded into out (wipe it after
 * use). 0; 1 when the Secret or key is absent; -1 with err. */
int db_secret_password(k8s_client *c, const char *ns, const char *name, char *out, size_t size,
		       k8s_err *err);

#endif
