/* sim/fleet.h — kubesim's deterministic SMART fleet: tenants, their two
 * environments, and every object a tenant namespace holds (DESIGN §4).
 *
 * The fleet is one process-wide table: sim_fleet_seed() builds it (replacing any
 * earlier one, and rebuilding the contract catalogue) and writes the objects into
 * a store. After seeding the table is read-only: any thread may read it until the
 * next sim_fleet_seed() or sim_fleet_reset(), which must not run concurrently with
 * readers (seed once, before serving and before sim_fleetctl_start). */
#ifndef SIM_FLEET_H
#define SIM_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/status.h"
#include "sim/store.h"

#define SIM_FLEET_PREFIX "smart.totvs.com/"   /* label and annotation prefix */
#define SIM_FLEET_SYSTEM_NS "smartops-system"  /* holds ConfigMap predecessor-rules */
#define SIM_FLEET_MAX 80000                    /* tenants (TCODEs are 5 digits) */
#define SIM_FLEET_MAX_ROLES 4
#define SIM_FLEET_HOURS 672                    /* hypnus-usage: 4 weeks of hours */

/* Staged scenario of one environment. */
typedef enum {
	SIM_SCN_AVAILABLE,
	SIM_SCN_SLEEPING,
	SIM_SCN_WAKING,
	SIM_SCN_DEGRADED,        /* one public role not ready (readiness 503) */
	SIM_SCN_DOWN_LICENSE,    /* license pods crash-loop */
	SIM_SCN_DOWN_LOCKSERVER, /* lockserver pods crash-loop */
	SIM_SCN_DOWN_DBACCESS,   /* dbaccess pods not ready */
	SIM_SCN_BLOCKED,         /* contract expired or no licences for the env */
	SIM_SCN_COUNT
} sim_scenario;

/* "available", "sleeping", "waking", "degraded", "down-license", ..., "blocked". */
const char *sim_scenario_name(sim_scenario s);
/* The health word of /sim/v1/fleet ("down" for the three down-*). */
const char *sim_scenario_health(sim_scenario s);
/* The failing component of a down-* scenario ("license", ...), else "". */
const char *sim_scenario_cause(sim_scenario s);

enum { SIM_ENV_PROD, SIM_ENV_DEV, SIM_ENV_COUNT };

typedef struct sim_fleet_env {
	const char *env;                  /* "prod" | "dev" (static) */
	char ns[64];                      /* "t12345-prod" (adopted envs: any name) */
	sim_scenario scenario;            /* as staged at seed time */
	int n_roles;
	const char *roles[SIM_FLEET_MAX_ROLES]; /* "webapp", "rest", ... (static) */
	int replicas[SIM_FLEET_MAX_ROLES];      /* normal replicas of appserver-<role> */
	int degraded_role;                /* index into roles for SIM_SCN_DEGRADED, else -1 */
	int idle_timeout_s;               /* Hypnus idle timeout, 900..3600 */
	int licences;                     /* licences the contract gives this env */
	double peak_rate;                 /* requests per hour at a weekday's peak */
	int64_t last_activity_s;          /* hypnus-last-activity as seeded */
	int64_t last_wake_s;              /* hypnus-last-wake as seeded */
} sim_fleet_env;

typedef struct sim_tenant {
	char tcode[8];                    /* "T12345" */
	char lower[8];                    /* "t12345" */
	char customer[64];
	int esocial;                      /* product esocial, else erp */
	const char *provider;             /* "aws" | "gcp" | "totvs" (static) */
	int utc_offset_min;               /* -180, -240, -120 */
	const char *timezone;             /* IANA name (static) */
	int night_batch;                  /* runs batch jobs around 02:00 local */
	uint64_t seed;                    /* the tenant's own random stream */
	int contract_expired;             /* contract past valid_until (both envs blocked) */
	char valid_until[11];             /* "YYYY-MM-DD" */
	sim_fleet_env envs[SIM_ENV_COUNT];
} sim_tenant;

/* Builds the fleet of n tenants from seed and creates its objects in s through
 * sim_store_create (namespaces first): StorageClasses, namespace smartops-system
 * with ConfigMap predecessor-rules, then per tenant env the namespace, base
 * Deployments, Services, ConfigMaps, Secret, Hypnus, public roles with Ingresses,
 * the file-server PVC and the dev database StatefulSet. domain NULL means
 * "smart.example.com". Times (last activity, contract dates) are relative to
 * sim_store_now(s). Returns 0, or -1 with err filled (n too large, store error). */
int sim_fleet_seed(sim_store *s, size_t n, uint64_t seed, const char *domain, sim_err *err);
/* Gives both namespaces of every seeded ERP tenant the annotation custom-repo = url
 * (the git repository the build wizard reads by default; eSocial tenants have no
 * custom builds). For a demo whose tenants share one sample repository. Call after
 * sim_fleet_seed, before serving. 0, or -1 with err filled. */
int sim_fleet_custom_repo(sim_store *s, const char *url, sim_err *err);
/* Frees the table (and empties the catalogue); the store is not touched. */
void sim_fleet_reset(void);

size_t sim_fleet_count(void);
uint64_t sim_fleet_seed_value(void);
/* Store time at which the fleet was seeded. */
int64_t sim_fleet_epoch(void);
const sim_tenant *sim_fleet_tenant(size_t i);
/* By TCODE ("T12345", case-insensitive "t12345" too) or NULL. */
const sim_tenant *sim_fleet_find(const char *tcode);
/* By namespace name; *env (if not NULL) gets SIM_ENV_PROD or SIM_ENV_DEV. */
const sim_tenant *sim_fleet_find_ns(const char *ns, int *env);

/* The fleet's PRNG (splitmix64): sim_fleet_next advances *state; sim_fleet_mix hashes
 * one value; sim_fleet_unit gives a double in [0, 1). Deterministic everywhere. */
uint64_t sim_fleet_next(uint64_t *state);
uint64_t sim_fleet_mix(uint64_t x);
double sim_fleet_unit(uint64_t *state);

/* The i-th TCODE number (10000..99999) of the current seed's sequence; distinct for
 * distinct i < 90000. Tenant i has code i; the catalogue's extra customers follow. */
unsigned sim_fleet_code(size_t i);
/* A customer name ("Metalurgica Souza Ltda") drawn from h. */
void sim_fleet_customer_name(uint64_t h, char *buf, size_t size);
/* A time zone drawn from h: mostly UTC-3 zones, some UTC-4 and UTC-2. */
void sim_fleet_timezone(uint64_t h, const char **name, int *utc_offset_min);

/* The UTC offset of a Brazilian (or UTC) time zone name: 0 with *offset_min set, or -1
 * for a name it does not know. */
int sim_fleet_tz_offset(const char *name, int *offset_min);

/* The live hypnus-state of the Hypnus Deployment in ns as the fleet report words it:
 * "available" (active), "sleeping", "waking", or NULL (no Deployment, no state). */
const char *sim_fleet_live_state(sim_store *s, const char *ns);

/* GET /sim/v1/fleet: {"kind":"Fleet","seed":S,"items":[...]} (malloc'd). The scenario of
 * an env staged available/sleeping/waking is read live from its Hypnus Deployment in s
 * (active -> "available"); the others report the staged scenario. */
char *sim_fleet_json(sim_store *s);
/* The same as a tree (the caller owns it), leaving out the envs for which present()
 * answers 0 and the tenants left with no env (present NULL: every env). */
cJSON *sim_fleet_report(sim_store *s, int (*present)(void *ctx, const sim_tenant *t, int env),
			void *ctx);

#endif
