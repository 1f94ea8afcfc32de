/* core/build_history.h — the custom builds of one environment, in its
 * ConfigMap `custom-builds` (key builds.json: a JSON array, newest first, at
 * most BUILD_HISTORY_MAX entries), so the history outlives the Jobs (which
 * have a TTL).
 *
 * The ConfigMap is written by an apply (the build's executor: an entry when
 * the Job is made, its end when the wait sees it), by promote, and by
 * reconciling it with the Jobs of the namespace (build_history_sync): every
 * Job component=custombuild gives its entry the state its conditions and pod
 * statuses show, so a history whose writer was killed mid-build is made true
 * by the next reader.
 *
 * The entry and list functions are pure; load/sync/update talk to the
 * cluster and block. */
#ifndef CORE_BUILD_HISTORY_H
#define CORE_BUILD_HISTORY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "k8s/client.h"
#include "util/util.h"

#define BUILD_HISTORY_MAX 100
#define BUILD_HISTORY_CM "custom-builds"
#define BUILD_HISTORY_KEY "builds.json"
#define BUILD_JOB_PREFIX "custombuild-"
#define BUILD_ID_SIZE 24

typedef struct build_promo {
	char at[32]; /* RFC 3339, "" when never */
	char by[96];
} build_promo;

typedef struct build_entry {
	char id[BUILD_ID_SIZE];
	char env[8];	    /* where it was built */
	char repo[128];
	char ref[128];
	char commit[41];
	char state[12];	    /* running, succeeded, failed */
	char stage[32];	    /* running: the stage now; failed: the stage that failed */
	char reason[512];   /* failed: why (the stage's reason and message) */
	char gate[8];	    /* "", "OK", "ERROR": the quality gate's verdict */
	char conditions[256]; /* the gate's failed conditions, "; "-separated */
	char rpo[256];	    /* the RPO object's location */
	char started[32];
	char finished[32];
	char by[96];
	char run[64];	    /* the provisioning run that started it */
	build_promo dev, prod;
} build_entry;

typedef struct build_history {
	build_entry *v; /* newest first */
	size_t n;
} build_history;

void build_history_release(build_history *h);
/* Reads builds.json text (NULL or "": empty). Entries that are not objects or
 * lack an id are skipped. 0, or -1 when text is not a JSON array. */
int build_history_parse(const char *text, build_history *h);
/* The builds.json text (malloc'd). */
char *build_history_encode(const build_history *h);
build_entry *build_history_find(const build_history *h, const char *id);
/* Puts e first (a new entry) and drops the oldest past BUILD_HISTORY_MAX.
 * Returns the stored copy. */
build_entry *build_history_add(build_history *h, const build_entry *e);
/* The entry as the public JSON item of `smartops builds -o json`. */
cJSON *build_entry_json(const build_entry *e);

/* "quality gate OK" / "quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%"
 * -> gate "OK"/"ERROR" and the conditions; 0, or -1 when msg says neither. */
int build_gate_parse(const char *msg, char *gate, size_t gsz, char *conds, size_t csz);

/* Fills e from a build Job (its annotations, conditions) and its pod (may be
 * NULL): what the cluster says; promotions and the run are left as they are.
 * prefix: label prefix (NULL: the default). */
void build_entry_from_job(const cJSON *job, const cJSON *pod, const char *prefix, build_entry *e);

/* The history of namespace ns (empty when there is no ConfigMap). rv gets
 * the ConfigMap's resourceVersion ("" when absent). 0, or -1 with err. */
int build_history_load(k8s_client *c, const char *ns, build_history *h, char *rv, size_t rvsz,
		       k8s_err *err);

/* Changes the history of ns by fn (returns 1 when it changed something, 0
 * when not, -1 to stop) and writes it back, guarded by the resourceVersion
 * read (tried again on a conflict). The ConfigMap is made when absent,
 * labelled for tcode and env. 0, or -1 with err. */
typedef int (*build_history_fn)(build_history *h, void *ctx);
int build_history_update(k8s_client *c, const char *prefix, const char *tcode, const char *env,
			 const char *ns, build_history_fn fn, void *ctx, k8s_err *err);

/* The history of ns made true from the namespace's build Jobs (and a running
 * entry whose Job is gone: failed, said so). write: store the reconciled
 * history when it changed (a write refused is not an error: the result is
 * still shown). out gets the reconciled history. 0, or -1 with err. */
int build_history_sync(k8s_client *c, const char *prefix, const char *tcode, const char *env,
		       const char *ns, int write, build_history *out, k8s_err *err);

#endif
