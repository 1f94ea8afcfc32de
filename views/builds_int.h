/* views/builds_int.h — what the files of the custom builds screen share (views/builds.c
 * the screen, builds_load.c its loader thread, builds_log.c a stage's log,
 * builds_promote.c promote and roll back with their dialogs, builds_draw.c its
 * drawing). Not for other screens: they use views/builds.h. UI thread only, but
 * for the loader and log threads' own fields. */
#ifndef VIEWS_BUILDS_INT_H
#define VIEWS_BUILDS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "core/pod_containers.h"
#include "core/build_history.h"
#include "core/build_info.h"
#include "core/build_promotion.h"
#include "core/build_stages.h"
#include "core/promote.h"
#include "core/tcode.h"
#include "tui/dialog.h"
#include "tui/logpane.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "util/util.h"
#include "views/builds.h"
#include "views/tenant.h"
#include "views/wizard_run.h"
#include "views/wizard_ns.h"

#define RELOAD_MS 5000
#define RING_LINES 5000
#define RING_BYTES (2u << 20)
#define LINE_BYTES (8u << 10)
#define TAIL_LINES 2000
#define DETAIL_LINES 4

extern const int builds_env_order[2]; /* dev, then prod */

/* ---- the loader: histories, RPOs, the selected build's stages ---- */

typedef struct loaded {
	char tcode[TCODE_SIZE];
	int history; /* the histories were asked for */
	int hist_ok;
	char hist_err[300];
	build_entry *v; /* both envs, newest first */
	size_t n;
	int info_ok[2]; /* by tcode_env */
	char info_err[2][200];
	build_info info[2];
	char stage_id[BUILD_ID_SIZE]; /* "" when no stages were asked */
	char stage_env[8];
	int stages_ok;
	char stage_err[300];
	build_stages stages;
} loaded;

typedef struct loader {
	pthread_t th;
	int started, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* what is wanted (under mu) */
	k8s_client *client;
	const char *prefix;
	char tcode[TCODE_SIZE]; /* "" : nothing */
	int history;
	build_entry stage; /* stage.id "" : none */
	uint64_t want_gen, done_gen;
	loaded *result; /* the answer to done_gen, not yet taken */
} loader;

/* a stage's log, read on a thread of its own (builds_log.c) */
/* A stage's log reader. One the screen stops is cancelled and set aside, never
 * waited for on the UI thread (its request may hang): once cancelled it
 * touches the ring no more, and it is joined once it has ended, or when the
 * screen is released. */
typedef struct logread {
	pthread_t th;
	atomic_int cancel, done; /* cancel is set under mu: no line reaches the ring after it */
	pthread_mutex_t mu;
	struct logread *next;	 /* in view_builds.lr_stopped */
	k8s_client *client;
	char ns[TCODE_NS_SIZE], pod[64], container[32];
	int follow;
	tui_logring *ring;
	char end[300]; /* written by the thread before done */
} logread;


/* ---- jobs: a promotion's plan, the run to roll back, the bookkeeping ---- */

typedef enum job_kind { JOB_PLAN, JOB_FIND_BACK, JOB_RECORD } job_kind;

typedef struct job {
	pthread_t th;
	atomic_int done;
	job_kind kind;
	k8s_client *client;
	const char *prefix, *catalog;
	char tcode[TCODE_SIZE], env[8], build[BUILD_ID_SIZE], by[96];
	int rollback; /* JOB_RECORD: after a rollback (clear the mark) */
	/* results */
	int rc;
	char err[600], note[300];
	plan p;	   /* JOB_PLAN */
	journal j; /* JOB_FIND_BACK */
	char run[JOURNAL_RUN_SIZE];
} job;

/* ---- the view ---- */

typedef enum mode { MODE_LIST, MODE_STAGES } mode;

typedef enum ask { ASK_NONE, ASK_CONFIRM, ASK_TCODE } ask;

typedef struct view_builds {
	loader w;
	char tcode[TCODE_SIZE];
	char title[96];
	int cluster;	 /* index in a->o->clusters, -1 unknown */
	int esocial;
	loaded *shown;	 /* the loader's last answer for tcode */
	mode mode;
	size_t sel;	 /* the build under the cursor */
	char sel_id[BUILD_ID_SIZE];
	build_entry open; /* MODE_STAGES: the build shown */
	size_t stage_sel;
	int stages_asked;
	/* the log of the selected stage */
	tui_logring ring;
	tui_logpane pane;
	logread *lr, *lr_stopped;
	char lr_stage[32];
	char log_note[300]; /* why there is no log */
	/* promote / roll back */
	job *job;
	job_kind asked_kind;
	ask ask;
	tui_dialog d;
	char d_title[96], d_text[1200];
	char typed[TCODE_SIZE + 8];
	wizard_run_cfg cfg;
	const char *catalog;
	wizard_run *run;
	int run_rollback, run_recorded;
	char run_env[8], run_build[BUILD_ID_SIZE], run_id[JOURNAL_RUN_SIZE];
	plan pending_plan; /* JOB_PLAN's plan while the operator confirms */
	journal pending_j; /* JOB_FIND_BACK's run while the operator confirms */
	char pending_env[8], pending_build[BUILD_ID_SIZE], pending_run[JOURNAL_RUN_SIZE];
	job *record;
} view_builds;

/* ---- builds_load.c ---- */
void builds_loaded_free(loaded *l);
void *builds_loader_run(void *arg);

/* ---- builds_log.c ---- */
/* Reads the log of the selected stage of the open build into the pane (following
 * it while the stage runs); stop_log ends and frees the reading. */
void builds_start_log(app *a, view_builds *v);
void builds_stop_log(view_builds *v);
/* Stops the log and joins every reader set aside (the screen's release). */
void builds_release_log(view_builds *v);

/* ---- builds_promote.c ---- */
void *builds_job_run(void *arg);
void builds_job_free(job *j);
void builds_job_done(app *a, view_builds *v, job *j);
void builds_start_record(app *a, view_builds *v);
int builds_start_job(app *a, view_builds *v, job_kind kind, const char *env, const char *build);
int builds_ask_key(app *a, view_builds *v, int key);
void builds_draw_ask(view_builds *v, int width);

/* ---- builds_draw.c ---- */
/* s at y, x in at most w cells; what it took. */
int builds_put(int y, int x, int w, const char *s, int attrs);
void builds_rpo_text(const build_info *b, strbuf *sb);

/* ---- builds.c ---- */
/* Forgets the plan or the run the operator was asked about. */
void builds_drop_pending(view_builds *v);
const build_entry *builds_selected(const view_builds *v);
int builds_cluster_of(const app *a, const fleet_tenant *t);
const fleet_tenant *builds_find_tenant(const fleet_snapshot *s, const char *tcode);
void builds_request(app *a, const char *tcode, int history);

#endif
