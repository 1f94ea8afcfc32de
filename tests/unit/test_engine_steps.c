/* The engine's step state machine through a fake executor (core/step.h): every
 * outcome (created, unchanged, conflict, failed, waiting, undone, kept), a
 * resume after each, and a secret step that never reaches the plan's JSON or
 * the journal. The steps' objects live in the fake; the run's journal, lease
 * and Events go to an in-process kubesim (plain HTTP, on a fixed clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/journal.h"
#include "core/plan.h"
#include "core/step.h"
#include "k8s/client.h"
#include "sim/server.h"
#include "util/util.h"

#define TCODE "T12345"
#define SECRET_VALUE "s3cr3t-Value-never-shown"

/* ---- the fake: objects by name ---- */

typedef struct fake_obj {
	char name[64];
	int exists;
	int managed;	  /* carries smartops's mark */
	char run[JOURNAL_RUN_SIZE];
	char value[64];	  /* what the plan sets */
	int ready;	  /* for PLAN_WAIT_READY */
	unsigned serial;  /* uid */
} fake_obj;

static struct {
	fake_obj objs[8];
	size_t n;
	int fail_apply;	  /* the next applies fail with this status */
	int applies;	  /* apply calls */
	int removes;	  /* remove calls */
	unsigned serial;
} fk;

static fake_obj *fake_find(const char *name)
{
	for (size_t i = 0; i < fk.n; i++)
		if (!strcmp(fk.objs[i].name, name))
			return &fk.objs[i];
	return NULL;
}

static fake_obj *fake_add(const char *name)
{
	fake_obj *o = fake_find(name);

	if (!o) {
		o = &fk.objs[fk.n++];
		memset(o, 0, sizeof(*o));
		util_strlcpy(o->name, name, sizeof(o->name));
	}
	return o;
}

static const char *want_value(const plan_step *s)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->body, "value");

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void seen_of(const fake_obj *o, step_seen *out)
{
	memset(out, 0, sizeof(*out));
	if (!o || !o->exists)
		return;
	snprintf(out->uid, sizeof(out->uid), "fake-%u", o->serial);
	util_strlcpy(out->run, o->run, sizeof(out->run));
	out->managed = o->managed;
}

static int fake_observe(step_env *env, const plan_step *s, step_seen *out)
{
	fake_obj *o = fake_find(s->name);

	(void)env;
	seen_of(o, out);
	if (!o || !o->exists)
		out->diff = PLAN_DIFF_CREATE;
	else if (!o->managed)
		out->diff = PLAN_DIFF_CONFLICT,
		snprintf(out->reason, sizeof(out->reason), "%s exists and is not ours", s->name);
	else if (s->secret || !strcmp(o->value, want_value(s)))
		out->diff = PLAN_DIFF_UNCHANGED;
	else
		out->diff = PLAN_DIFF_CHANGE;
	return 0;
}

static void fake_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	(void)s, (void)d, (void)need, (void)n, (void)max; /* the fake needs no rights */
}

static int fake_dry_run(step_env *env, const plan_step *s)
{
	(void)env, (void)s;
	return 0;
}

static engine_status fake_apply(step_env *env, const plan_step *s, const step_seen *seen,
				step_seen *after)
{
	fake_obj *o;

	fk.applies++;
	if (fk.fail_apply) {
		snprintf(env->msg, sizeof(env->msg), "%s: HTTP %d from the fake", s->id, fk.fail_apply);
		env->http = fk.fail_apply;
		return fk.fail_apply == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
	}
	o = fake_add(s->name);
	if (seen->diff == PLAN_DIFF_CREATE) {
		if (o->exists) { /* appeared meanwhile */
			snprintf(env->msg, sizeof(env->msg), "%s appeared meanwhile", s->id);
			return ENGINE_ST_REFUSED;
		}
		o->exists = 1;
		o->managed = 1;
		o->serial = ++fk.serial;
		util_strlcpy(o->run, env->run, sizeof(o->run));
	}
	util_strlcpy(o->value, want_value(s), sizeof(o->value));
	seen_of(o, after);
	return ENGINE_ST_OK;
}

static step_wait_state fake_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	fake_obj *o = fake_find(s->name);

	(void)env;
	if (what)
		snprintf(what, size, "FakeThing %s ready (%d/1)", s->name, o && o->ready);
	return o && o->exists && (s->wait != PLAN_WAIT_READY || o->ready) ? STEP_WAIT_DONE
									  : STEP_WAIT_NOT_YET;
}

static void fake_ref(const plan_step *s, char *out, size_t size)
{
	snprintf(out, size, "fake:%s", s->name);
}

static int fake_ref_check(const char *ref, char *err, size_t errsz)
{
	if (!util_starts_with(ref, "fake:") || !ref[5])
		return util_seterr(err, errsz, "\"%s\" is no fake reference", ref);
	return 0;
}

static int fake_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	(void)env;
	seen_of(fake_find(js->path + 5), out);
	return 0;
}

static engine_status fake_remove(step_env *env, const journal_step *js)
{
	fake_obj *o = fake_find(js->path + 5);

	(void)env;
	fk.removes++;
	if (o)
		o->exists = 0;
	return ENGINE_ST_OK;
}

static const step_exec fake_exec = {
    .name = "fake",
    .observe = fake_observe,
    .access = fake_access,
    .dry_run = fake_dry_run,
    .apply = fake_apply,
    .check = fake_check,
    .ref = fake_ref,
    .ref_check = fake_ref_check,
    .observe_ref = fake_observe_ref,
    .remove = fake_remove,
};

/* ---- the cluster for the run's records ---- */

static sim_server *srv;
static k8s_client *client;

static int setup(void **state)
{
	sim_server_opts so = {.port = 0, .plain_http = 1, .quiet = 1, .no_traffic = 1,
			      .start_time = 1762232400 /* 2025-11-04T05:00:00Z */};
	k8s_config *cfg = xcalloc(1, sizeof(*cfg));
	k8s_client_opts co = {.request_timeout_ms = 10000};
	char err[256];
	k8s_err kerr;

	(void)state;
	setenv("SMARTOPS_AUDIT_LOG", "audit.log", 1); /* in the test's scratch folder */
	srv = sim_server_start(&so, err, sizeof(err));
	if (!srv)
		fail_msg("kubesim: %s", err);
	cfg->server = xasprintf("http://127.0.0.1:%d", sim_server_port(srv));
	cfg->origin = xstrdup("test");
	cfg->context = xstrdup("test");
	client = k8s_client_new(cfg, &co, &kerr);
	assert_non_null(client);
	assert_int_equal(step_exec_register(&fake_exec), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	k8s_client_free(client);
	sim_server_stop(srv);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	return 0;
}

/* ---- plans and runs ---- */

/* a -> b (b waits for a ready when ready_wait), and a secret step c. */
static void build(plan *p, int ready_wait, const char *value)
{
	static const char *const need_a[] = {"prod/fake/a", NULL};
	char err[200];
	cJSON *body;
	int i;

	plan_init(p, "fake", TCODE);
	plan_set_input(p, "value", value);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "value", value);
	assert_int_equal(plan_add_exec(p, &fake_exec, "prod", NULL, "FakeThing", "a",
				       ready_wait ? PLAN_WAIT_READY : PLAN_WAIT_EXISTS, body, NULL,
				       err, sizeof(err)),
			 0);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "value", value);
	assert_int_equal(plan_add_exec(p, &fake_exec, "prod", NULL, "FakeThing", "b",
				       PLAN_WAIT_EXISTS, body, need_a, err, sizeof(err)),
			 1);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "value", SECRET_VALUE);
	i = plan_add_exec(p, &fake_exec, "prod", NULL, "FakeSecret", "c", PLAN_WAIT_EXISTS, body,
			  NULL, err, sizeof(err));
	assert_int_equal(i, 2);
	plan_step_set_secret(p, (size_t)i, 1);
}

typedef struct outcome {
	engine_result r;
	engine_progress pr;
	journal j; /* as last written */
} outcome;

static engine *new_engine(const char *confirm)
{
	engine_opts o = {.client = client, .user = "tester", .wait_timeout_s = 1,
			 .kill_after = -1, .kill_at_intent = -1, .confirm_tcode = confirm};

	return engine_new(&o);
}

static void finish_run(engine *e, outcome *out)
{
	k8s_err err;

	out->r = engine_wait(e);
	engine_snapshot(e, &out->pr);
	memset(&out->j, 0, sizeof(out->j));
	if (out->pr.run[0] && out->r != ENGINE_REFUSED)
		assert_int_equal(journal_load(client, out->pr.run, &out->j, &err), 0);
	engine_free(e);
}

static void apply(int ready_wait, const char *value, outcome *out)
{
	engine *e = new_engine(NULL);
	plan p;

	build(&p, ready_wait, value);
	assert_int_equal(engine_start_apply(e, &p), ENGINE_ST_OK);
	finish_run(e, out);
}

static void resume(const outcome *before, int ready_wait, outcome *out)
{
	engine *e = new_engine(NULL);
	journal j;
	plan p;
	k8s_err err;

	assert_int_equal(journal_load(client, before->pr.run, &j, &err), 0);
	build(&p, ready_wait, "v1");
	assert_int_equal(engine_start_resume(e, &p, &j), ENGINE_ST_OK);
	finish_run(e, out);
}

static void rollback(const outcome *before, const char *confirm, outcome *out)
{
	engine *e = new_engine(confirm);
	journal j;
	k8s_err err;

	assert_int_equal(journal_load(client, before->pr.run, &j, &err), 0);
	assert_int_equal(engine_start_rollback(e, &j), ENGINE_ST_OK);
	finish_run(e, out);
}

static const journal_step *jstep(const outcome *o, const char *name)
{
	char id[64];

	snprintf(id, sizeof(id), "prod/fake/%s", name);
	for (size_t i = 0; i < o->j.n_steps; i++)
		if (!strcmp(o->j.steps[i].id, id))
			return &o->j.steps[i];
	fail_msg("no step %s in the journal", id);
	return NULL;
}

static void release(outcome *o)
{
	journal_release(&o->j);
}

/* The journal as stored, as text: what anyone reading the ConfigMap sees. */
static char *journal_text(const char *run)
{
	char name[64], *path, *text;
	cJSON *cm = NULL;
	k8s_err err;

	snprintf(name, sizeof(name), "run-%s", run);
	path = k8s_path("", "v1", JOURNAL_NAMESPACE, "configmaps", name);
	assert_int_equal(k8s_get(client, path, &cm, &err), 0);
	free(path);
	text = cJSON_PrintUnformatted(cm);
	cJSON_Delete(cm);
	return text;
}

/* ---- the outcomes ---- */

static void test_created_then_resumed(void **state)
{
	outcome o, again;

	(void)state;
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_OK);
	assert_int_equal(o.j.state, RUN_DONE);
	assert_int_equal(jstep(&o, "a")->state, STEP_APPLIED);
	assert_true(jstep(&o, "a")->created);
	assert_string_equal(jstep(&o, "a")->exec, "fake");
	assert_string_equal(jstep(&o, "a")->path, "fake:a");
	assert_string_equal(fake_find("a")->run, o.pr.run);
	assert_int_equal(o.pr.created, 3);
	assert_int_equal(fk.applies, 3);
	/* resume after done: every object recognised as the run's, nothing written */
	resume(&o, 0, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(fk.applies, 3);
	assert_true(jstep(&again, "b")->created);
	assert_int_equal(again.pr.unchanged, 3);
	release(&o);
	release(&again);
}

static void test_unchanged(void **state)
{
	outcome o, again;
	fake_obj *a = fake_add("a");

	(void)state;
	a->exists = a->managed = 1;
	util_strlcpy(a->run, "t12345-20250101000000-aaaa", sizeof(a->run));
	util_strlcpy(a->value, "v1", sizeof(a->value));
	a->serial = 99;
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_OK);
	assert_int_equal(jstep(&o, "a")->state, STEP_UNCHANGED);
	assert_false(jstep(&o, "a")->created);
	assert_string_equal(jstep(&o, "a")->uid, "fake-99");
	assert_int_equal(fk.applies, 2); /* b and c only */
	resume(&o, 0, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(jstep(&again, "a")->state, STEP_UNCHANGED);
	assert_int_equal(fk.applies, 2);
	/* rollback keeps what the run did not create */
	release(&again);
	rollback(&o, NULL, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(jstep(&again, "a")->state, STEP_KEPT);
	assert_int_equal(jstep(&again, "b")->state, STEP_DELETED);
	assert_true(fake_find("a")->exists);
	assert_false(fake_find("b")->exists);
	release(&o);
	release(&again);
}

static void test_conflict_refused_before_any_change(void **state)
{
	outcome o;
	fake_obj *b = fake_add("b");

	(void)state;
	b->exists = 1; /* someone else's */
	b->serial = 7;
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_REFUSED);
	assert_non_null(strstr(o.pr.message, "refused, nothing changed"));
	assert_non_null(strstr(o.pr.message, "b exists and is not ours"));
	assert_int_equal(fk.applies, 0);
	/* refused before the journal: there is no run to resume */
	{
		journal j;
		k8s_err err;

		assert_int_equal(journal_load(client, o.pr.run, &j, &err), -1);
		assert_int_equal(err.http, 404);
	}
	/* once the foreign object is gone, the same plan goes ahead */
	b->exists = 0;
	release(&o);
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_OK);
	release(&o);
}

static void test_failed_then_resumed(void **state)
{
	outcome o, again;

	(void)state;
	fk.fail_apply = 500;
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_FAILED);
	assert_int_equal(o.j.state, RUN_FAILED);
	assert_int_equal(jstep(&o, "a")->state, STEP_FAILED);
	assert_non_null(strstr(jstep(&o, "a")->message, "HTTP 500 from the fake"));
	assert_int_equal(jstep(&o, "b")->state, STEP_PENDING);
	assert_true(o.pr.next & ENGINE_NEXT_RESUME);
	assert_true(o.pr.next & ENGINE_NEXT_ROLLBACK);
	assert_null(strstr(o.pr.message, "smartops runs")); /* the caller's words, not the engine's */
	fk.fail_apply = 0;
	resume(&o, 0, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(jstep(&again, "a")->state, STEP_APPLIED);
	assert_true(jstep(&again, "a")->created);
	release(&o);
	release(&again);
	/* a 403 stops the run and offers only a rollback */
	memset(&fk, 0, sizeof(fk));
	fk.fail_apply = 403;
	apply(0, "v2", &o);
	assert_int_equal(o.r, ENGINE_FAILED);
	assert_non_null(strstr(o.pr.message, "permission denied"));
	assert_int_equal(o.pr.next, ENGINE_NEXT_ROLLBACK);
	release(&o);
}

static void test_waiting_then_resumed(void **state)
{
	outcome o, again;

	(void)state;
	apply(1, "v1", &o); /* a never gets ready within the 1 s wait */
	assert_int_equal(o.r, ENGINE_FAILED);
	assert_non_null(strstr(o.pr.message, "timed out after 1 s waiting for FakeThing a ready (0/1)"));
	assert_non_null(strstr(o.pr.message, "needed by prod/fake/b"));
	assert_int_equal(jstep(&o, "a")->state, STEP_APPLIED);
	assert_int_equal(jstep(&o, "b")->state, STEP_PENDING);
	fake_find("a")->ready = 1;
	resume(&o, 1, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(jstep(&again, "a")->state, STEP_READY);
	assert_int_equal(jstep(&again, "b")->state, STEP_APPLIED);
	assert_int_equal(fk.applies, 3); /* a once, then b and c */
	release(&o);
	release(&again);
}

static void test_undone_and_kept(void **state)
{
	outcome o, back, again;

	(void)state;
	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_OK);
	rollback(&o, NULL, &back);
	assert_int_equal(back.r, ENGINE_OK);
	assert_int_equal(back.j.state, RUN_ROLLED_BACK);
	assert_int_equal(jstep(&back, "a")->state, STEP_DELETED);
	assert_int_equal(jstep(&back, "c")->state, STEP_DELETED);
	assert_int_equal(fk.removes, 3);
	assert_non_null(strstr(back.pr.message, "3 deleted, 0 restored, 0 kept"));
	/* rolled back: a second rollback finds nothing and deletes nothing */
	rollback(&back, NULL, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_int_equal(fk.removes, 3);
	release(&o);
	release(&back);
	release(&again);
}

static void test_keep_unless_confirmed(void **state)
{
	outcome o, back;
	plan p;
	engine *e = new_engine(NULL);

	(void)state;
	build(&p, 0, "v1");
	plan_step_set_rollback(&p, 0, STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED);
	assert_int_equal(engine_start_apply(e, &p), ENGINE_ST_OK);
	finish_run(e, &o);
	assert_int_equal(o.r, ENGINE_OK);
	assert_int_equal(jstep(&o, "a")->rollback, STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED);
	/* not confirmed (or confirmed with another code): kept, the rest deleted */
	rollback(&o, "T99999", &back);
	assert_int_equal(back.r, ENGINE_OK);
	assert_int_equal(jstep(&back, "a")->state, STEP_KEPT);
	assert_non_null(strstr(jstep(&back, "a")->message, "confirmed with the TCODE"));
	assert_true(fake_find("a")->exists);
	assert_false(fake_find("b")->exists);
	release(&back);
	/* confirmed with the TCODE (any case): deleted */
	rollback(&o, "t12345", &back);
	assert_int_equal(back.r, ENGINE_OK);
	assert_int_equal(jstep(&back, "a")->state, STEP_DELETED);
	assert_false(fake_find("a")->exists);
	release(&o);
	release(&back);
}

static void test_secret_never_shown(void **state)
{
	outcome o, again;
	plan p;
	strbuf sb;
	char *text;

	(void)state;
	build(&p, 0, "v1");
	sb_init(&sb, 1024);
	plan_to_json(&p, 1, 1, &sb);
	assert_null(strstr(sb.buf, SECRET_VALUE));
	assert_non_null(strstr(sb.buf, "\"secret\":true"));
	assert_non_null(strstr(sb.buf, "\"value\":\"v1\"")); /* the other bodies are shown */
	sb_release(&sb);
	plan_release(&p);

	apply(0, "v1", &o);
	assert_int_equal(o.r, ENGINE_OK);
	assert_string_equal(fake_find("c")->value, SECRET_VALUE);
	text = journal_text(o.pr.run);
	assert_null(strstr(text, SECRET_VALUE));
	assert_non_null(strstr(text, "\\\"secret\\\":true"));
	free(text);
	assert_true(jstep(&o, "c")->secret);
	/* resumed with the secret existing: not made again, whatever the plan now holds */
	util_strlcpy(fake_find("c")->value, "the-first-one", sizeof(fake_find("c")->value));
	resume(&o, 0, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_string_equal(fake_find("c")->value, "the-first-one");
	release(&again);
	/* resumed with it gone: made anew */
	fake_find("c")->exists = 0;
	resume(&o, 0, &again);
	assert_int_equal(again.r, ENGINE_OK);
	assert_true(fake_find("c")->exists);
	assert_string_equal(fake_find("c")->value, SECRET_VALUE);
	text = journal_text(o.pr.run);
	assert_null(strstr(text, SECRET_VALUE));
	free(text);
	release(&o);
	release(&again);
}

/* A journal naming an executor this version does not know is refused before
 * anything is written. */
static void test_unknown_executor_refused(void **state)
{
	outcome o, back;
	journal j;
	k8s_err err;

	(void)state;
	apply(0, "v1", &o);
	assert_int_equal(journal_load(client, o.pr.run, &j, &err), 0);
	util_strlcpy(j.steps[1].exec, "martian", sizeof(j.steps[1].exec));
	assert_int_equal(journal_save(client, &j, NULL, &err), 0);
	journal_release(&j);
	rollback(&o, NULL, &back);
	assert_int_equal(back.r, ENGINE_REFUSED);
	assert_non_null(strstr(back.pr.message, "\"martian\""));
	assert_int_equal(fk.removes, 0);
	release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_created_then_resumed, reset),
	    cmocka_unit_test_setup(test_unchanged, reset),
	    cmocka_unit_test_setup(test_conflict_refused_before_any_change, reset),
	    cmocka_unit_test_setup(test_failed_then_resumed, reset),
	    cmocka_unit_test_setup(test_waiting_then_resumed, reset),
	    cmocka_unit_test_setup(test_undone_and_kept, reset),
	    cmocka_unit_test_setup(test_keep_unless_confirmed, reset),
	    cmocka_unit_test_setup(test_secret_never_shown, reset),
	    cmocka_unit_test_setup(test_unknown_executor_refused, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
