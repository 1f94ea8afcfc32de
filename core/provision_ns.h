/* core/provision_ns.h — the namespace provisioner: from a TCODE, its contract
 * and a few options, the plan that creates a SMART tenant's prod and dev
 * namespaces per DESIGN §4 (namespaces, quota, limits, network policies,
 * operator access, base services with their configuration, public services
 * per role, Hypnus).
 *
 * Pure: no network. Validation functions write one sentence saying what is
 * wrong and what to do. Safe from any thread on caller-owned values. */
#ifndef CORE_PROVISION_NS_H
#define CORE_PROVISION_NS_H

#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/plan.h"
#include "core/rules.h"

#define PROVISION_NS_DOMAIN_DEFAULT "smart.example.com"
#define PROVISION_NS_IDLE_DEFAULT 1800
#define PROVISION_NS_INGRESS_NS "ingress-nginx"

typedef struct provision_ns_opts {
	char tcode[8];	      /* normalised "T12345" */
	char domain[128];     /* "" -> default */
	char size[4];	      /* "s", "m", "l"; "" -> "m" */
	int idle_timeout_s;   /* 0 -> default; 300 .. 86400 */
	char roles[96];	      /* "webapp,rest"; "" -> by product */
	char prefix[64];      /* label prefix, "" -> smart.totvs.com/ */
} provision_ns_opts;

/* Fills defaults and checks the options (not the contract). 0, or -1 with err. */
int provision_ns_validate(provision_ns_opts *o, int esocial, char *err, size_t errsz);

/* The contract must be SMART, active, valid at now_s, with licences for prod
 * and dev. 0, or -1 with err ("contract T12345 expired on 2026-01-31: renew it
 * in the catalogue before provisioning"). */
int provision_ns_check_contract(const catalog_entry *e, int64_t now_s, char *err, size_t errsz);

/* 1 for an eSocial contract (products holds "esocial" and not "erp"). */
int provision_ns_is_esocial(const catalog_entry *e);

/* The plan for prod and dev into out (initialised here; plan_release it). The
 * predecessor rules r order the workloads (NULL: defaults). Inputs are
 * recorded in the plan. 0, or -1 with err. */
int provision_ns_plan(const provision_ns_opts *o, const catalog_entry *e, const rules *r,
		      plan *out, char *err, size_t errsz);

/* Rebuilds the options from a plan's (or journal's) inputs; 0 or -1. */
int provision_ns_opts_from_inputs(const plan_input *in, size_t n, provision_ns_opts *o);

#endif
