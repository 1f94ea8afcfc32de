/* sim/fleetctl.h — the fleet's controllers inside kubesim: the pod policy (predecessor
 * rules, contract validity, the staged faults of each scenario), Hypnus sleep and wake
 * driven by simulated traffic that follows each tenant's usage rate, and custom build
 * Jobs for ERP tenants.
 *
 * Call order: sim_fleet_seed(), then sim_fleetctl_start() (which installs the store
 * clock and the workload policy), ..., sim_fleetctl_stop() before freeing the store
 * or the workload controller. The clock runs time_scale times faster than wall time
 * from the store time at start; it stays installed in the store until stop.
 *
 * Adoption: a namespace created through the API with the labels smart.totvs.com/tcode
 * (a TCODE) and smart.totvs.com/env (prod|dev) that no seeded env holds becomes a
 * managed env of the fleet at the next pass, its Hypnus read from its Deployment's
 * annotations and its traffic from its hypnus-usage ConfigMap (or the default weekly
 * pattern); the env leaves when its namespace is deleted (seeded ones too). The
 * catalogue's provisioned flag follows.
 *
 * Threads: one controller thread (none in manual mode). sim_fleetctl_traffic,
 * sim_fleetctl_verdict, sim_fleetctl_state and sim_fleetctl_json may be called from
 * any thread. */
#ifndef SIM_FLEETCTL_H
#define SIM_FLEETCTL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/fleet.h"
#include "sim/status.h"
#include "sim/store.h"

struct sim_workload;
typedef struct sim_fleetctl sim_fleetctl;

typedef struct sim_fleetctl_opts {
	int tick_ms;     /* wall milliseconds between passes (default 250) */
	int no_traffic;  /* no simulated requests: only POST /sim/v1/traffic wakes */
	int no_builds;   /* no custom build Jobs */
	int no_prewake;  /* Hypnus does not wake sleeping envs ahead of their busy hours */
	int manual;      /* no thread; the clock moves only by sim_fleetctl_advance (tests) */
} sim_fleetctl_opts;

/* w may be NULL (no pods: a wake then completes after a simulated cold start).
 * opts NULL = defaults. Returns NULL with err filled on failure. */
sim_fleetctl *sim_fleetctl_start(sim_store *s, struct sim_workload *w, double time_scale,
				 const sim_fleetctl_opts *opts, sim_err *err);
/* Stops the thread, removes the policy and the clock (the store keeps the time it
 * reached as its wall-time offset is lost: it reverts to wall time). */
void sim_fleetctl_stop(sim_fleetctl *c);

/* Simulated time, unix seconds. */
int64_t sim_fleetctl_now(sim_fleetctl *c);

/* POST /sim/v1/traffic?tcode=T&env=E: one request to the env; wakes it if sleeping.
 * 0, or -1 with 400 (malformed TCODE, env not prod|dev) or 404 (unknown tenant). */
int sim_fleetctl_traffic(sim_fleetctl *c, const char *tcode, const char *env, sim_err *err);

/* Manual mode: moves the clock by `seconds` and runs one pass. */
void sim_fleetctl_advance(sim_fleetctl *c, int64_t seconds);
/* Runs one controller pass now (any mode; the thread also runs them). */
void sim_fleetctl_tick(sim_fleetctl *c);

/* What the pod policy answers for a pod of `component` (role: the service label of a
 * public pod, or NULL) in namespace ns. Pods outside the fleet are OK. */
typedef enum {
	SIM_FLEETCTL_OK,
	SIM_FLEETCTL_NOT_READY,
	SIM_FLEETCTL_CRASHLOOP,
} sim_fleetctl_verdict_t;
sim_fleetctl_verdict_t sim_fleetctl_verdict(sim_fleetctl *c, const char *ns, const char *component,
					    const char *role, char *reason, size_t rsize,
					    char *message, size_t msize);

/* GET /sim/v1/fleet (malloc'd): the seeded tenants whose namespaces exist, as
 * sim_fleet_json words them, then the tenants adopted from the API (see docs/fleet.md).
 * Any thread. */
char *sim_fleetctl_json(sim_fleetctl *c);

/* Hypnus state of an env as the controller sees it: "active", "sleeping", "waking",
 * or NULL for an unknown namespace. */
const char *sim_fleetctl_state(sim_fleetctl *c, const char *ns);

#endif
