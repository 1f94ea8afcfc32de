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
 * An environment's rare strings (a failing component's reasons and message,
 * the Ingress hosts) are model_str: offsets into the environment's own text,
 * read with model_text(e, s) and written with model_text_set. Most are empty,
 * and fixed arrays for them had been half of a model_env.
 *
 * Size: one model_env is about 1.1 KB, so a 5,000-tenant fleet (10,000
 * environments) costs about 11 MB.
 */
#ifndef CORE_MODEL_H
#define CORE_MODEL_H

#include <stdint.h>

#include "core/tcode.h"

#define MODEL_MAX_BASE 6   /* base components in one environment */
#define MODEL_MAX_PUBLIC 8 /* public service roles in one environment */

/* Room for an environment's strings: three components' failures at their
 * longest (3 x 152) and more; past it a string is cut, then left out. */
#define MODEL_TEXT_SIZE 512
/* The longest of each string kept, in bytes. */
#define MODEL_REASON_MAX 31	/* waiting reason */
#define MODEL_TERMINATED_MAX 23 /* terminated reason */
#define MODEL_MESSAGE_MAX 95	/* a component's message */
#define MODEL_HOST_MAX 63	/* an Ingress host */

/* A string in its environment's text: 0 is "", else 1 + its offset. */
typedef uint16_t model_str;

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
	model_str waiting_reason;    /* state.waiting.reason, e.g. "CrashLoopBackOff", or "" */
	model_str terminated_reason; /* lastState.terminated.reason, e.g. "ContractExpired", or "" */
	model_str message;	     /* state.waiting.message (or terminated message), or "" */
} model_base;

/* A public service (tier=public, component=appserver), one per role. */
typedef struct model_public {
	char role[16]; /* label service: "smartclient", "webapp", "rest" */
	int16_t ready;
	int16_t desired;
	model_str host; /* Ingress host, or "" */
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
	uint16_t text_len; /* bytes of text used */
	model_base base[MODEL_MAX_BASE];
	model_public pub[MODEL_MAX_PUBLIC];
	model_hypnus hypnus;
	model_fresh fresh;
	char text[MODEL_TEXT_SIZE]; /* the model_str strings, each NUL-terminated */
} model_env;

/* The string s of e's, "" for 0 (never NULL). */
const char *model_text(const model_env *e, model_str s);
/* Sets *s, a model_str of e's, to the first max bytes of v (NULL or "":
 * 0). Each call takes new room: set each string once per build. */
void model_text_set(model_env *e, model_str *s, const char *v, size_t max);

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
