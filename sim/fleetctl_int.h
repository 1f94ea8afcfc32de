/* sim/fleetctl_int.h — what sim/fleetctl.c (the controllers) and sim/fleetadopt.c (the
 * tenants that clients provision through the API) share. Private to those two files.
 *
 * Locks: c->lock guards env states, the builds and the adopted table's contents; it is
 * held around the controller's store writes. c->adopt_lock (a rwlock) guards the shape
 * of the env table: the controller takes it for writing (under c->lock) when it adopts
 * or drops an env, the pod policy and the fleet report read under it without c->lock. */
#ifndef SIM_FLEETCTL_INT_H
#define SIM_FLEETCTL_INT_H

#include <pthread.h>
#include <stdint.h>

#include "sim/fleet.h"
#include "sim/fleetctl.h"
#include "sim/patch.h"
#include "sim/rules.h"
#include "sim/store.h"
#include "sim/usage.h"
#include "sim/usage_rec.h"

#define SIM_HYPNUS_MANAGER "hypnus" /* the field manager of Hypnus's scaling */
#define MAX_BUILDS 8        /* build Jobs running at once */
#define ADOPT_BUCKETS 4096  /* namespace -> adopted env hash */

enum { H_ACTIVE, H_SLEEPING, H_WAKING };

struct adopted;

typedef struct env_state {
	const sim_tenant *t;
	int env;
	int managed;             /* Hypnus moves it (available/sleeping/waking staging) */
	int state;               /* H_* */
	int64_t last_activity;   /* sim seconds */
	int64_t stored_activity; /* value last written to the annotation */
	int64_t wake_start;
	uint64_t own_rv;         /* rv of our last write to its hypnus Deployment */
	int told_license;        /* license pods got their contract lines */
	int gone;                /* seeded: its namespace was deleted */
	uint64_t rng;
	float busy_rate;         /* requests/hour from which an hour counts as busy (0: not yet) */
	int64_t prewake_for;     /* the busy hour it was last woken ahead of */
	struct adopted *ad;      /* an adopted env: its tenant; NULL when seeded */
	struct env_state *ns_next; /* adopted: chain of its namespace hash bucket */
} env_state;

/* A tenant the controller found through the API: a namespace labelled with a TCODE and
 * an env that is not one of the seeded ones. Freed when both its namespaces are gone. */
typedef struct adopted {
	sim_tenant t;            /* its fields point into this struct (strings below) */
	char provider[16];
	char timezone[48];
	int present[SIM_ENV_COUNT];
	env_state es[SIM_ENV_COUNT];
	int has_week[SIM_ENV_COUNT];
	sim_usage_week week[SIM_ENV_COUNT]; /* from its hypnus-usage ConfigMap */
	sim_usage_rec rec[SIM_ENV_COUNT];   /* what its Hypnus counts, for that ConfigMap */
	uint64_t usage_rv[SIM_ENV_COUNT];   /* rv of our last write to it */
	struct adopted *prev, *next;        /* adoption order */
} adopted;

typedef struct build {
	int active;
	char ns[64];
	char name[64];
	char id[16];
	int fail;                /* fails at sonarqube (1) or compile (2) */
	int64_t start_s;
} build;

struct sim_fleetctl {
	sim_store *s;
	struct sim_workload *w;
	sim_fleetctl_opts o;
	double scale;
	int64_t origin_s;        /* store time at start */
	int64_t mono0_ms;
	int64_t manual_now;      /* atomic; manual mode only */

	pthread_mutex_t lock;    /* env states, builds; held around store writes */
	pthread_mutex_t rules_lock;
	pthread_rwlock_t adopt_lock;
	sim_rules rules;
	uint64_t rules_rv;

	env_state *envs;         /* 2 per seeded tenant, in fleet order */
	size_t n_envs;
	int64_t last_pass;
	uint64_t rng;
	unsigned event_seq;
	sim_watch *watch;        /* hypnus Deployments */
	build builds[MAX_BUILDS];
	int64_t next_build;
	unsigned build_seq;

	/* adopted tenants (sim/fleetadopt.c) */
	sim_watch *ns_watch;     /* namespaces labelled with a TCODE */
	sim_watch *usage_watch;  /* ConfigMaps hypnus-usage */
	adopted *adopted_head, *adopted_tail;
	size_t n_adopted;
	env_state **ns_tab;      /* ADOPT_BUCKETS chains, allocated on first adoption */
	adopted **by_code;       /* 100000 entries by TCODE number, likewise */

	const sim_resource *r_deploy, *r_cm, *r_pod, *r_event, *r_job, *r_ns;
	pthread_t thread;
	int running;             /* atomic */
};

/* ---- sim/fleetctl.c, for sim/fleetadopt.c ---- */
int64_t fleetctl_clock(sim_fleetctl *c);
/* Puts an env to sleep / begins a wake (c->lock held). */
void fleetctl_sleep(sim_fleetctl *c, env_state *e, int64_t now, const char *why);
void fleetctl_wake(sim_fleetctl *c, env_state *e, int64_t now, const char *why);

/* Records an Event about an object of namespace ns (c->lock held). */
void fleetctl_event(sim_fleetctl *c, const char *ns, const char *kind, const char *api,
		    const char *obj_name, const char *reason, const char *msg);

/* ---- sim/fleetadopt.c ---- */
/* At start (c->lock held): adopts what is already there and opens the watches. */
void fleetadopt_start(sim_fleetctl *c);
/* Once per pass (c->lock held): namespaces and usage ConfigMaps that changed. */
void fleetadopt_pass(sim_fleetctl *c);
/* Once per pass after the traffic (c->lock held): the hours of usage that ended by now
 * written into the adopted envs' hypnus-usage ConfigMaps. */
void fleetadopt_record(sim_fleetctl *c, int64_t now);
/* A hypnus Deployment appeared or changed in an adopted env's namespace (c->lock held):
 * reads its annotations when the env is not managed yet. 1 when it did so. */
int fleetadopt_hypnus_seen(sim_fleetctl *c, env_state *e, const sim_obj *o);
/* After the hypnus watch lost events: re-reads the Deployments of adopted envs not
 * managed yet (c->lock held). */
void fleetadopt_recheck(sim_fleetctl *c);
/* The adopted env of namespace ns, or NULL (adopt_lock or c->lock held). */
env_state *fleetadopt_find_ns(sim_fleetctl *c, const char *ns);
/* The adopted env of tcode and env index, or NULL (likewise). */
env_state *fleetadopt_find(sim_fleetctl *c, const char *tcode, int env);
/* Requests per hour an adopted env gets at now. */
double fleetadopt_rate(const env_state *e, int64_t now);
/* n requests reached an adopted env over (from, now] (from == now: at now): its Hypnus
 * counts them (c->lock held; nothing for a seeded env or one without a Hypnus). */
void fleetadopt_count(env_state *e, int64_t from, int64_t now, uint64_t n);
/* Scales an adopted env's public Deployments to 0 (keeping their awake count in the
 * hypnus-replicas annotation) or back (c->lock held). */
void fleetadopt_scale(sim_fleetctl *c, env_state *e, int up);
/* Public pods an adopted env runs when awake (c->lock held). */
int fleetadopt_want(sim_fleetctl *c, env_state *e);
/* Adds the adopted tenants to a fleet report's items (adopt_lock read-held). */
void fleetadopt_report(sim_fleetctl *c, cJSON *items);
/* Frees the table (stop). */
void fleetadopt_free(sim_fleetctl *c);

#endif
