/* sim/event_ttl.h — Events expire, as the API server's --event-ttl makes them
 * (default one hour): an Event whose last occurrence is older than the TTL on
 * the cluster's clock is deleted (a DELETED watch event, as etcd's lease
 * expiry gives). Without it, a fleet that churns for hours at a fast clock
 * grows without bound (tens of thousands of Events an hour at 500 tenants).
 */
#ifndef SIM_EVENT_TTL_H
#define SIM_EVENT_TTL_H

#include <stdint.h>

#include "sim/store.h"

#define SIM_EVENT_TTL_DEFAULT_S 3600

typedef struct sim_event_ttl sim_event_ttl;

/* Starts the sweeper (a thread that looks every few seconds of wall time);
 * ttl_s <= 0: Events never expire, and NULL is returned. */
sim_event_ttl *sim_event_ttl_start(sim_store *s, int64_t ttl_s);
void sim_event_ttl_stop(sim_event_ttl *t);

/* One sweep at the store's now: the number of Events deleted (tests). */
size_t sim_event_ttl_sweep(sim_store *s, int64_t ttl_s);

#endif
