/* core/db_handoff.h — what follows an Oracle hand-off (core/oracle_handoff.h):
 * the DBA's script read back, the password the DBA chose put into Secret
 * db-credentials, and the hand-off marked done on the namespace. Blocking
 * (Kubernetes calls): not on a UI thread. Each returns 0, or -1 with a
 * sentence in err (*unreachable = 1 when the cluster did not answer).
 */
#ifndef CORE_DB_HANDOFF_H
#define CORE_DB_HANDOFF_H

#include "core/tcode.h"
#include "k8s/client.h"
#include "util/util.h"

/* The DBA's script of ns (ConfigMap db-handoff) appended to out. */
int db_handoff_script(k8s_client *c, const char *ns, strbuf *out, char *err, size_t errsz, int *unreachable);

/* The namespace's db-handoff annotation set to "done" (as the field manager
 * that set it "pending"): the tenant no longer shows the hand-off as waiting. */
int db_handoff_done(k8s_client *c, const char *prefix, const char *ns, char *err, size_t errsz,
		    int *unreachable);

/* The password key of Secret db-credentials of ns (ours, for tcode) set to
 * password; nothing else of it changes. The caller wipes password. */
int db_handoff_password(k8s_client *c, const char *prefix, const char *ns, const char *tcode,
			const char *password, char *err, size_t errsz, int *unreachable);

#endif
