/* sim/faults.h — faults kubesim injects on demand (admin-only /sim/v1/faults, or
 * --faults JSON at start). Applies to the Kubernetes API paths (/api, /apis). */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include "sim/status.h"

typedef struct sim_fault_cfg {
	int latency_ms;          /* added to every response */
	double error_rate;       /* share of requests answered with error_code (0..1) */
	int error_code;          /* 500, 502, 503, 429 ... */
	int retry_after_s;       /* Retry-After sent with 429 and 503 */
	int watch_cut_s;         /* watches end (connection closed) after N seconds */
	int gone_watch;          /* every watch answers 410 Expired at once */
	int gone_continue;       /* every continue token answers 410 Expired */
	double truncate_rate;    /* share of list/get bodies cut in half */
	double malformed_rate;   /* share of list/get bodies made invalid JSON */
	long slow_bps;           /* response bodies throttled to N bytes per second */
	/* hang: requests are accepted and never answered, and open watches fall
	 * silent, until the fault is cleared (a hung API server) */
	int hang;

	/* Write faults, counted: each acts on the next N writes (POST, PUT, PATCH,
	 * DELETE; not dry runs, not access reviews) whose path holds write_path. */
	int lose_write_reply;    /* the write is made, then answered 503 (a lost reply) */
	int foreign_create;      /* before the write, an object of the name it targets is
	                            created, labelled as another owner's */
	int refuse_write;        /* the write is not made: answered 500 (a storage failure) */
	char write_path[128];    /* "" = every write */
	/* Not counted: every such write (whose path holds write_path) waits this
	 * long before it is made (slow storage); reads and dry runs do not */
	int write_latency_ms;

	/* Build faults, counted: the next N custom builds (docs/fleet.md) that reach the
	 * stage fail there. JSON: "fail" (= 1), a number, or "ok" / 0 (off). */
	int quality_gate;        /* sonarqube: the quality gate answers ERROR */
	int compile;             /* compile: a syntax error */
} sim_fault_cfg;

enum sim_write_fault { SIM_FAULT_LOSE_WRITE_REPLY, SIM_FAULT_FOREIGN_CREATE, SIM_FAULT_REFUSE_WRITE };
enum sim_build_fault { SIM_FAULT_QUALITY_GATE, SIM_FAULT_COMPILE };

typedef struct sim_faults sim_faults;

sim_faults *sim_faults_new(void);
void sim_faults_free(sim_faults *f);
/* Replaces the configuration with the one in json (missing keys = off).
 * 400 BadRequest naming the bad key or value. */
int sim_faults_set_json(sim_faults *f, const char *json, sim_err *err);
void sim_faults_clear(sim_faults *f);
char *sim_faults_json(sim_faults *f);
void sim_faults_get(sim_faults *f, sim_fault_cfg *out);
/* 1 while the hang fault is on (cheap; for the loops that hold requests). */
int sim_faults_hanging(sim_faults *f);
/* 1 when a write to path is to get fault which (its count is then used up by
 * one). */
int sim_faults_take_write(sim_faults *f, enum sim_write_fault which, const char *path);
/* 1 when the build reaching stage `which` is to fail there (one of the count is then
 * used up). */
int sim_faults_take_build(sim_faults *f, enum sim_build_fault which);
/* 1 with probability rate (a seeded generator, so runs repeat). */
int sim_faults_roll(sim_faults *f, double rate);

#endif
