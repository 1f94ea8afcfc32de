/* core/lease.h — one run per tenant: a coordination.k8s.io Lease
 * "provision-<tcode lower>" in smartops-system, held while a run changes the
 * tenant and renewed by a thread of its own.
 *
 * Holder identity: "<kubeconfig user>[/<local user>]@<host>:<pid> run=<run id>". A lease held by
 * someone else is refused with the holder named, unless it expired (renewTime
 * + leaseDurationSeconds in the past) or its holder is a process of this host
 * that no longer exists; then it is taken over and the caller is told from
 * whom (to record it in the journal). Updates use the resourceVersion, so two
 * takers cannot both win. A lease value is owned by the thread that acquired
 * it; lease_lost() may be read from any thread.
 */
#ifndef CORE_LEASE_H
#define CORE_LEASE_H

#include <stddef.h>

#include "k8s/client.h"

typedef struct lease lease;

#define LEASE_DURATION_S 30

/* Acquires the tenant's lease for holder. On success *out is the lease and
 * taken_from holds the previous holder when it was taken over ("" otherwise).
 * Returns 0; 1 when held by someone else (err says who and since when);
 * -1 on an API error (err). */
int lease_acquire(k8s_client *c, const char *tcode, const char *holder, int duration_s,
		  lease **out, char *taken_from, size_t tsize, char *err, size_t errsz);
/* Reads the tenant's lease only: 1 when a live holder other than holder has
 * it (err says who, as lease_acquire would), 0 otherwise or when it cannot be
 * read (lease_acquire decides then). Sends no write: for the checks before a
 * run's first change. */
int lease_busy(k8s_client *c, const char *tcode, const char *holder, char *err, size_t errsz);
/* 1 once a renewal found the lease gone or held by another. */
int lease_lost(lease *l);
/* Stops renewing and deletes the lease if it is still ours; frees l. */
void lease_release(lease *l);

/* "<user>[/<local user>]@<host>:<pid>" for this process: user from the
 * kubeconfig, the local one from $USER when it differs. */
void lease_holder_self(const char *user, char *buf, size_t size);

#endif
