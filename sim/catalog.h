/* sim/catalog.h — kubesim's contract catalogue (GET /catalog/v1/tenants[/{TCODE}]).
 *
 * Built by sim_fleet_seed() from the fleet: one SMART contract per seeded tenant
 * (provisioned) plus customers still to onboard: SMART ERP contracts not
 * provisioned yet, some of them expired or suspended, some in the "traditional"
 * model that wizards must refuse, and last SIM_CATALOG_ESOCIAL active eSocial
 * contracts. Everything derives from the fleet's seed. Read-only after seeding
 * (but for the provisioned flag); the same threading rules as sim/fleet.h. */
#ifndef SIM_CATALOG_H
#define SIM_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"

/* Active SMART eSocial contracts to onboard, listed after the other contracts. */
#define SIM_CATALOG_ESOCIAL 2

typedef struct sim_contract {
	char tcode[8];
	char customer[64];
	int traditional;          /* model "traditional", else "smart" */
	int esocial;              /* products ["esocial"], else ["erp"] */
	int lic_prod, lic_dev;    /* licences per env */
	char valid_until[11];     /* "YYYY-MM-DD" */
	const char *provider;     /* "aws" | "gcp" | "totvs" */
	const char *status;       /* "active" | "expired" | "suspended" */
	int provisioned;          /* namespaces exist (atomic: sim_catalog_set_provisioned) */
	const char *timezone;     /* IANA name */
} sim_contract;

/* Called by sim_fleet_seed(): rebuilds the catalogue from the current fleet table,
 * with extra unprovisioned contracts derived from the fleet's seed. `today_s` is
 * the store time at seeding (valid_until dates are relative to it). */
void sim_catalog_rebuild(int64_t today_s);
void sim_catalog_reset(void);

size_t sim_catalog_count(void);
const sim_contract *sim_catalog_at(size_t i);
const sim_contract *sim_catalog_find(const char *tcode);

/* Marks the contract of tcode provisioned (namespaces of it exist) or not; the fleet
 * controller calls it when it adopts or loses a tenant. Safe from any thread while the
 * catalogue lives. 0, or -1 for a tcode with no contract. */
int sim_catalog_set_provisioned(const char *tcode, int provisioned);
/* Whether it is (atomic read). */
int sim_catalog_provisioned(const sim_contract *c);

/* 1 when tcode has the TCODE shape: "T" (or "t") and 5 digits. */
int sim_catalog_tcode_valid(const char *tcode);

/* Whether the contract lets env ("prod"/"dev") start at now_s. 0 when valid; -1 with
 * reason "ContractExpired" or "ContractInvalid" and a message such as
 * "contract T12345 expired on 2026-10-01" otherwise. An unknown tcode is invalid. */
int sim_catalog_check(const char *tcode, const char *env, int64_t now_s,
		      char *reason, size_t rsize, char *message, size_t msize);

/* {"kind":"ContractList","items":[...]} (malloc'd). */
char *sim_catalog_list_json(void);
/* One contract as JSON (malloc'd), or NULL with err 400 (malformed TCODE) or 404. */
char *sim_catalog_get_json(const char *tcode, sim_err *err);

#endif
