/* sim/podlog.h — pod logs without storing them for every pod.
 *
 * A container's log is either generated or told:
 * - generated: a log profile turns (pod, container, line number, sim time) into one line,
 *   deterministically. Lines appear one per SIM_PODLOG_PERIOD_S seconds of store time since
 *   the container started (status.containerStatuses[].state.running.startedAt; for a
 *   crash-looping container, the last terminated run). The pod picks its profile with the
 *   annotation "kubesim.io/log-profile"; unknown or missing names use "appserver". Only the
 *   last SIM_PODLOG_KEEP lines are served (as if the kubelet rotated the file).
 * - told: once sim_podlog_append() wrote to a container, its bounded ring (the last
 *   SIM_PODLOG_RING lines) is the log, whatever the profile says.
 *
 * Built-in profiles: "appserver", "license", "lockserver", "dbaccess", "hypnus", "postgres",
 * "build"; sim_podlog_register_profile() adds or replaces one.
 *
 * Thread-safety: every function may be called from any thread at once (one lock for the
 * rings, one for the profile table; the store is used through its own API). Profiles must
 * be registered before the server answers requests or be safe to call from any thread. */
#ifndef SIM_PODLOG_H
#define SIM_PODLOG_H

#include <stdint.h>

#include "sim/status.h"
#include "sim/store.h"

struct strbuf;

#define SIM_PODLOG_PERIOD_S 2   /* one generated line per 2 s of store time */
#define SIM_PODLOG_KEEP 10000   /* generated lines served at most */
#define SIM_PODLOG_RING 2000    /* lines kept per told container */
#define SIM_PODLOG_MAX_RINGS 1024 /* told containers kept; the oldest ring goes first */

/* Appends one line (no newline) for line line_no (0 = first since start) produced at
 * at_s (unix seconds of store time). Must be pure: same input, same line. */
typedef void (*sim_podlog_profile_fn)(const char *pod, const char *container, uint64_t line_no,
				      int64_t at_s, struct strbuf *line);
/* name is copied; fn NULL removes the profile. */
void sim_podlog_register_profile(const char *name, sim_podlog_profile_fn fn);

/* Appends line (copied; a trailing newline is dropped) to the container's ring, creating
 * it. Wakes followers. Timestamps of told lines are wall-clock. */
void sim_podlog_append(const char *ns, const char *pod, const char *container, const char *line);
/* The same with the line's time (unix milliseconds; store time for simulated logs). */
void sim_podlog_append_at(const char *ns, const char *pod, const char *container, const char *line,
			  int64_t at_ms);
/* A client tells a container's log (POST /sim/v1/podlog): text's lines (split at "\n",
 * a trailing newline dropped; bytes as given, controls included) appended to the
 * container's ring, after checking that the pod and the container exist as a log read
 * does (container "" or NULL: the pod's only one). Returns the lines appended, or -1
 * with err (404 for an unknown pod or container, 400 when a container must be named). */
int sim_podlog_tell(sim_store *s, const char *ns, const char *pod, const char *container,
		    const char *text, sim_err *err);
/* Drops the pod's rings (pod deleted); followers of it wake up. */
void sim_podlog_forget(const char *ns, const char *pod);

/* Renders the current log of GET .../pods/NAME/log into out (appended, one "\n" per line).
 * container "" or NULL = the pod's only container, else 400 BadRequest "a container name
 * must be specified for pod X, choose one of: [a b]"; 404 NotFound if the pod or the
 * container is unknown; 400 BadRequest "container X in pod Y is waiting to start:
 * REASON" when a generated log has no run yet. tail_lines < 0 = all; timestamps puts an
 * RFC 3339 (nanosecond) time and a space before each line. *cursor (may be NULL) receives
 * the position to follow from. Returns the number of lines, or -1 with err filled. */
int sim_podlog_read(sim_store *s, const char *ns, const char *pod, const char *container,
		    long tail_lines, int timestamps, struct strbuf *out, uint64_t *cursor, sim_err *err);

/* For follow=true: waits up to timeout_ms for lines after *cursor, appends them to out and
 * advances *cursor. Returns the number of lines, 0 on timeout, -1 (err, 404) when the pod
 * or container is gone, or (err code 200) when the container has terminated and every line
 * was given: the follow is over, as the kubelet ends it. Init containers are containers. */
int sim_podlog_follow(sim_store *s, const char *ns, const char *pod, const char *container,
		      int timestamps, uint64_t *cursor, int timeout_ms, struct strbuf *out, sim_err *err);

#endif
