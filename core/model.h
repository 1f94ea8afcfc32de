/* core/model.h — the fleet as plain values, filled from projected Kubernetes
 * objects and the contract catalogue (by the fleet code), read by health,
 * Hypnus, the views and the headless commands.
 *
 * Ownership: every struct is a plain value with fixed-size, NUL-terminated
 * char arrays and no pointers; copy with memcpy/assignment, free nothing.
 * Strings longer than their array are truncated by the filler (use
 * util_strlcpy). Times are unix seconds (UTC), 0 = unknown/never. A filled
 * struct is immutable once published; share it read-only between threads.
 *
 * Size: one model_env is about 2 KB, so a 5,000-tenant fleet (10,000
 * environments) costs about 20 MB.
 */
#ifndef CORE_MODEL_H
#define CORE_MODEL_H

#include <stdint.h>

#include "core/tcode.h"

#define MODEL_MAX_BASE 6   /* base components in one environment */
#define MODEL_MAX_PUBLIC 8 /* public service roles in one environment */

typedef enum model_product {
	MODEL_PRODUCT_UNKNOWN,
	MODEL_PRODUCT_ERP,
	MODEL_PRODUCT_ESOCIAL,
} model_product;

/* A base service (tier=base): its pods summed up. */
typedef struct model_base {
	char component[16];	    /* label component: "license", "lockserver", "dbaccess" */
	int16_t ready;		    /* ready replicas */
	int16_t desired;	    /* spec.replicas */
	int32_t restarts;	    /* container restarts, worst pod */
	char waiting_reason[32];    /* state.waiting.reason, e.g. "CrashLoopBackOff", or "" */
	char terminated_reason[24]; /* lastState.terminated.reason, e.g. "ContractExpired", or "" */
	char message[96];	    /* state.waiting.message (or terminated message), or "" */
} model_base;

/* A public service (tier=public, component=appserver), one per role. */
typedef struct model_public {
	char role[16]; /* label service: "smartclient", "webapp", "rest" */
	int16_t ready;
	int16_t desired;
	char host[64]; /* Ingress host, or "" */
} model_public;

typedef enum model_hypnus_state {
	MODEL_HYPNUS_UNKNOWN, /* annotation missing or unrecognised */
	MODEL_HYPNUS_ACTIVE,
	MODEL_HYPNUS_SLEEPING,
	MODEL_HYPNUS_WAKING,
} model_hypnus_state;

/* From the annotations on the Hypnus Deployment. */
typedef struct model_hypnus {
	uint8_t present;	/* 1: the environment has a Hypnus Deployment */
	uint8_t state;		/* model_hypnus_state */
	int32_t idle_timeout_s; /* hypnus-idle-timeout, 0 = unknown */
	int32_t cold_start_s;	/* hypnus-cold-start-seconds of the last wake, <= 0 = unknown */
	int64_t last_activity;	/* hypnus-last-activity */
	int64_t last_wake;	/* hypnus-last-wake (start of the last wake) */
} model_hypnus;

/* How fresh the data behind an environment is. */
typedef struct model_fresh {
	uint8_t stale;		   /* 1: the cluster did not answer; data may be old */
	uint8_t loading;	   /* 1: the first listing is not complete yet; why says
				      what is known so far (e.g. the last health seen) */
	int64_t unreachable_since; /* first failure, 0 if not known */
	int64_t seen_at;	   /* loading: the health below is from a snapshot written
				      then (unix s, local clock); 0: none */
	uint8_t seen_state;	   /* with seen_at: the health_state seen then */
	char why[96];		   /* "cluster unreachable: connection refused" */
} model_fresh;

/* One namespace of a tenant. */
typedef struct model_env {
	char ns[64];	 /* "t12345-prod" */
	uint8_t env;	 /* tcode_env */
	uint8_t product; /* model_product */
	uint8_t n_base;
	uint8_t n_public;
	model_base base[MODEL_MAX_BASE];
	model_public pub[MODEL_MAX_PUBLIC];
	model_hypnus hypnus;
	model_fresh fresh;
} model_env;

typedef enum model_contract_model {
	MODEL_CONTRACT_UNKNOWN,
	MODEL_CONTRACT_SMART,
	MODEL_CONTRACT_TRADITIONAL,
} model_contract_model;

/* The contract, from the catalogue. known == 0: not fetched (health ignores it). */
typedef struct model_contract {
	uint8_t known;
	uint8_t model;	     /* model_contract_model */
	char status[16];     /* "active", "expired", "suspended", ... */
	int64_t valid_until; /* last valid instant, 0 = open-ended; e.g. 2026-10-01T23:59:59Z */
	char products[48];   /* comma-separated: "erp,esocial" */
	int32_t licences;    /* licences bought */
} model_contract;

typedef struct model_tenant {
	char tcode[TCODE_SIZE]; /* "T12345" */
	uint8_t product;	/* model_product */
	char customer[64];	/* annotation customer-name */
	char cluster[32];	/* kubeconfig context the tenant lives in */
	model_contract contract;
} model_tenant;

#endif
