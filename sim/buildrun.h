/* sim/buildrun.h — what each stage of a custom-build Job does in kubesim (the contract is
 * in docs/fleet.md, "Build Jobs"): its log lines, exit code, termination message and
 * simulated duration. The workload controller runs the stages in order and writes the
 * statuses; this module only computes one stage's outcome.
 *
 * A file:// repository is read with the real git (posix_spawn, no shell); any other URL is
 * simulated (deterministic from the commit and the build id).
 *
 * Thread-safety: no shared state; sim_build_run may block for as long as git runs. */
#ifndef SIM_BUILDRUN_H
#define SIM_BUILDRUN_H

#include <stddef.h>

struct strbuf;

typedef enum {
	SIM_BUILD_CHECKOUT,
	SIM_BUILD_SONARQUBE,
	SIM_BUILD_COMPILE,
	SIM_BUILD_UPLOAD,
	SIM_BUILD_FINISH,   /* the main container */
	SIM_BUILD_STAGES,
} sim_build_stage;

#define SIM_BUILD_INIT_STAGES 4 /* checkout .. upload: the init containers */

/* The stage's container name ("checkout" ... "finish"). */
const char *sim_build_stage_name(sim_build_stage st);
/* Simulated seconds a stage runs. */
int sim_build_stage_seconds(sim_build_stage st);
/* 1 when the init container names are exactly checkout, sonarqube, compile, upload. */
int sim_build_is_build(const char *const *init_names, size_t n);

/* The env variables of the contract (borrowed; NULL when unset). */
typedef struct sim_build_env {
	const char *repo, *commit, *build_id, *rpo_location;
} sim_build_env;

/* How a stage must end besides what it finds. */
typedef enum {
	SIM_BUILD_NORMAL,
	SIM_BUILD_FORCE_FAIL, /* a fault (quality_gate, compile) or the fleet's simulated failure */
} sim_build_force;

typedef struct sim_build_result {
	int exit_code;
	char *message;     /* the termination message (malloc'd), NULL for none */
	char **lines;      /* log lines, no newline (malloc'd each) */
	size_t n_lines;
	int duration_s;
} sim_build_result;

/* Runs stage st; out is filled (release it with sim_build_result_release). */
void sim_build_run(sim_build_stage st, const sim_build_env *env, sim_build_force force,
		   sim_build_result *out);
void sim_build_result_release(sim_build_result *r);

/* ---- pure helpers (exported for the unit tests) ---- */

/* 1 when path ends in .prw, .prx or .tlpp, in any case. */
int sim_build_is_source(const char *path);
/* 1 when s is 40 hex digits. */
int sim_build_is_commit(const char *s);
/* For a file:// URL, the path it names (file:///srv/x.git -> /srv/x.git; file://localhost/p
 * -> /p), 0; -1 for any other URL. */
int sim_build_file_path(const char *url, char *out, size_t size);

/* One quality gate condition: metric value compared with a threshold. */
typedef struct sim_build_gate_cond {
	const char *metric;   /* "new bugs", "coverage" */
	int value, threshold;
	int percent;          /* values printed with % */
	int fail_above;       /* the condition fails when value > threshold (else when <) */
} sim_build_gate_cond;

/* The gate's verdict: "quality gate OK", or "quality gate ERROR: c1; c2" with each failed
 * condition "<metric> <value> <op> <threshold>". Appends to out; returns 1 when it passed. */
int sim_build_gate_verdict(const sim_build_gate_cond *conds, size_t n, struct strbuf *out);

#endif
