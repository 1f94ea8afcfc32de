/* What a fleet's envs wait for (core/env_deps.h), read from an in-process kubesim
 * (plain HTTP, a small fleet on a fixed clock): every env that waits is read, and
 * only those, each the same as one read alone; at most max a call; recheck_ms
 * spares what was read; an env that waits no more is forgotten; no read begins past
 * the budget; checks made at once from several threads, while others read the
 * entries, end with the same entries (ThreadSanitizer: make tsan). The envs are
 * made to wait for their database only where no live check is made (container and
 * Oracle databases), so that no test waits on a name lookup. */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/env_deps.h"
#include "core/fleet.h"
#include "core/fleet_cache.h"
#include "k8s/client.h"
#include "sim/server.h"
#include "util/util.h"

#define TENANTS 10
#define BIG_BUDGET_MS 600000

static sim_server *srv;
static k8s_client *client;
static fleet *flt;
static fleet_snapshot *listed; /* the fleet as listed */
static fleet_cluster_cfg cfg;

/* The snapshot a test hands env_deps_check: the listed tenants, with envs of its own. */
static fleet_snapshot snap;
/* Environment i of snap, to write. */
static model_env *env_at(size_t i)
{
	return cow_mut(&snap.env_arr, i);
}

static int setup(void **state)
{
	sim_server_opts so = {.port = 0, .plain_http = 1, .quiet = 1, .no_traffic = 1, .no_builds = 1,
			      .fleet = TENANTS, .seed = 7,
			      .start_time = 1762232400 /* 2025-11-04T05:00:00Z */};
	k8s_config *kc = xcalloc(1, sizeof(*kc));
	k8s_client_opts co = {.request_timeout_ms = 20000};
	char err[256];
	k8s_err kerr;

	(void)state;
	srv = sim_server_start(&so, err, sizeof(err));
	if (!srv)
		fail_msg("kubesim: %s", err);
	kc->server = xasprintf("http://127.0.0.1:%d", sim_server_port(srv));
	kc->origin = xstrdup("test");
	kc->context = xstrdup("test");
	client = k8s_client_new(kc, &co, &kerr);
	assert_non_null(client);
	cfg = (fleet_cluster_cfg){"test", client, NULL, NULL, NULL};
	flt = fleet_new(&cfg, 1, NULL);
	assert_int_equal(fleet_load(flt), 1);
	listed = fleet_snapshot_get(flt);
	assert_non_null(listed);
	assert_int_equal(listed->n_tenants, TENANTS);
	snap = *listed;
	cow_init(&snap.env_arr, sizeof(model_env));
	for (size_t i = 0; i < listed->n_envs; i++)
		cow_push(&snap.env_arr);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cow_release(&snap.env_arr);
	fleet_snapshot_put(listed);
	fleet_free(flt);
	k8s_client_free(client);
	sim_server_stop(srv);
	return 0;
}

static const fleet_tenant *tenant_of(size_t i)
{
	return fleet_tenant_at(listed, listed->env_tenant[i]);
}

/* Env i waits for its database where that is not checked live (a dev env's
 * container, an eSocial env's Oracle). */
static int db_waits(size_t i)
{
	return tenant_of(i)->t.product == MODEL_PRODUCT_ESOCIAL || fleet_env(listed, i)->env == TCODE_ENV_DEV;
}

/* Env i waits for its file server (an ERP env). */
static int fs_waits(size_t i)
{
	return tenant_of(i)->t.product == MODEL_PRODUCT_ERP;
}

static void set_base(model_env *e, const char *comp, int ready, int desired)
{
	size_t k;

	for (k = 0; k < e->n_base; k++)
		if (!strcmp(e->base[k].component, comp))
			break;
	if (k == e->n_base) {
		assert_true(k < MODEL_MAX_BASE);
		e->n_base++;
		util_strlcpy(e->base[k].component, comp, sizeof(e->base[k].component));
	}
	e->base[k].ready = (int16_t)ready;
	e->base[k].desired = (int16_t)desired;
}

/* The envs as listed, each made to wait as db_waits and fs_waits say (wait:
 * 1), or ready (wait: 0). */
static void make_envs(int wait)
{
	for (size_t i = 0; i < listed->n_envs; i++) {
		model_env *e = env_at(i);

		*e = *fleet_env(listed, i);
		memset(&e->fresh, 0, sizeof(e->fresh));
		set_base(e, "dbaccess", wait && db_waits(i) ? 0 : 1, 1);
		if (!e->n_public) {
			e->n_public = 1;
			util_strlcpy(e->pub[0].role, "webapp", sizeof(e->pub[0].role));
		}
		for (size_t k = 0; k < e->n_public; k++) {
			e->pub[k].desired = 1;
			e->pub[k].ready = wait && fs_waits(i) && k == 0 ? 0 : 1;
		}
	}
}

static size_t n_waiting(void)
{
	size_t n = 0;

	for (size_t i = 0; i < listed->n_envs; i++)
		n += db_waits(i) || fs_waits(i);
	return n;
}

/* Envs with an entry. */
static size_t n_entries(env_deps *d)
{
	size_t n = 0;

	for (size_t i = 0; i < listed->n_envs; i++) {
		db_info db;
		fs_info fs;

		n += env_deps_db(d, 0, env_at(i)->ns, &db) || env_deps_fs(d, 0, env_at(i)->ns, &fs);
	}
	return n;
}

static int check(env_deps *d, int recheck_ms, size_t max, int budget_ms)
{
	return env_deps_check(d, &snap, &cfg, 1, NULL, recheck_ms, max, budget_ms);
}

static void str_eq(const char *a, const char *b)
{
	assert_string_equal(a ? a : "(null)", b ? b : "(null)");
}

/* Every env that waits has the entry that reading it alone gives; the others none. */
static void assert_entries_read(env_deps *d)
{
	for (size_t i = 0; i < listed->n_envs; i++) {
		const char *ns = env_at(i)->ns;
		db_info got, want;
		fs_info fgot, fwant;
		int has_db = env_deps_db(d, 0, ns, &got), has_fs = env_deps_fs(d, 0, ns, &fgot);

		assert_int_equal(has_db, db_waits(i));
		assert_int_equal(has_fs, fs_waits(i));
		if (has_db) {
			db_info_read(client, NULL, ns, -1, &want);
			str_eq(got.engine, want.engine);
			str_eq(got.mode, want.mode);
			assert_string_equal(got.host, want.host);
			assert_int_equal(got.port, want.port);
			assert_string_equal(got.name, want.name);
			assert_string_equal(got.user, want.user);
			assert_non_null(strstr(got.user, env_at(i)->env == TCODE_ENV_DEV ? "_dev" : "_prod"));
		}
		if (has_fs) {
			fs_info_read(client, NULL, ns, &fwant);
			assert_int_equal(fgot.read, 1);
			assert_int_equal(fgot.present, fwant.present);
			assert_string_equal(fgot.cls, fwant.cls);
			assert_string_equal(fgot.provider, fwant.provider);
			assert_string_equal(fgot.path, fwant.path);
		}
	}
}

static void test_budget(void **state)
{
	(void)state;
	assert_int_equal(env_deps_budget(0, 5000, 8000), 8000);
	assert_int_equal(env_deps_budget(100000, 5000, 8000), 8000);
	/* a live check must still be able to connect before the deadline */
	assert_int_equal(env_deps_budget(10000, 5000, 8000), 5000 - ENV_DEPS_DB_TIMEOUT_S * 1000);
	assert_int_equal(env_deps_budget(5000 + ENV_DEPS_DB_TIMEOUT_S * 1000, 5000, 8000), 0);
	assert_int_equal(env_deps_budget(5000 + ENV_DEPS_DB_TIMEOUT_S * 1000 - 1, 5000, 8000), -1);
	assert_int_equal(env_deps_budget(4000, 5000, 8000), -1);
}

static void test_reads_every_waiting_env(void **state)
{
	env_deps *d = env_deps_new();
	size_t n = n_waiting(), esocial = 0, erp = 0;

	(void)state;
	for (size_t i = 0; i < listed->n_envs; i++) {
		esocial += tenant_of(i)->t.product == MODEL_PRODUCT_ESOCIAL;
		erp += tenant_of(i)->t.product == MODEL_PRODUCT_ERP;
	}
	assert_true(esocial > 0 && erp > 0); /* db only, fs only and both are read */
	assert_true(n > ENV_DEPS_READERS);   /* more than one round of readers */
	make_envs(1);
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), (int)n);
	assert_int_equal(n_entries(d), n);
	assert_entries_read(d);
	env_deps_free(d);
}

static void test_stale_and_ready_envs_not_read(void **state)
{
	env_deps *d = env_deps_new();
	db_info db;

	(void)state;
	make_envs(1);
	env_at(0)->fresh.stale = 1;
	env_at(1)->fresh.loading = 1;
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), (int)n_waiting() - 2);
	assert_int_equal(env_deps_db(d, 0, env_at(0)->ns, &db), 0);
	assert_int_equal(env_deps_db(d, 0, env_at(1)->ns, &db), 0);
	make_envs(0);
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), (int)n_waiting() - 2); /* all forgotten */
	assert_int_equal(n_entries(d), 0);
	env_deps_free(d);
}

static void test_max_and_recheck(void **state)
{
	env_deps *d = env_deps_new();

	(void)state;
	make_envs(1);
	assert_int_equal(check(d, INT_MAX, 3, BIG_BUDGET_MS), 3);
	assert_int_equal(n_entries(d), 3);
	/* the 3 read are spared: 3 others are read */
	assert_int_equal(check(d, INT_MAX, 3, BIG_BUDGET_MS), 3);
	assert_int_equal(n_entries(d), 6);
	/* read again at once (recheck 0): the first 3 again, nothing new */
	check(d, 0, 3, BIG_BUDGET_MS);
	assert_int_equal(n_entries(d), 6);
	/* a read of all, then nothing is left to read within recheck_ms */
	check(d, INT_MAX, SIZE_MAX, BIG_BUDGET_MS);
	assert_int_equal(n_entries(d), n_waiting());
	assert_int_equal(check(d, INT_MAX, SIZE_MAX, BIG_BUDGET_MS), 0);
	assert_entries_read(d);
	env_deps_free(d);
}

/* Read before the snapshot (env_deps_read, what the tables say waits): the
 * entries a check gives; a check after it within recheck_ms reads nothing
 * again and forgets nothing; one after a partial read reads the rest. */
static void test_read_before_check(void **state)
{
	env_deps *d = env_deps_new();
	size_t n = 0, i;
	fleet_waiting *w = xcalloc(listed->n_envs, sizeof(*w));

	(void)state;
	make_envs(1);
	for (i = 0; i < listed->n_envs; i++)
		if (db_waits(i) || fs_waits(i)) {
			util_strlcpy(w[n].ns, env_at(i)->ns, sizeof(w[n].ns));
			w[n].want_db = db_waits(i);
			w[n].want_fs = fs_waits(i);
			n++;
		}
	assert_int_equal(n, n_waiting());
	/* no budget: nothing read */
	assert_int_equal(env_deps_read(d, w, n, &cfg, 1, NULL, -1), 0);
	assert_int_equal(n_entries(d), 0);
	/* a cluster it has no client for: nothing read there */
	w[0].ci = 1;
	assert_int_equal(env_deps_read(d, w, 1, &cfg, 1, NULL, BIG_BUDGET_MS), 0);
	w[0].ci = 0;
	assert_int_equal(env_deps_read(d, w, 3, &cfg, 1, NULL, BIG_BUDGET_MS), 3);
	assert_int_equal(check(d, INT_MAX, n - 3, BIG_BUDGET_MS), (int)(n - 3));
	assert_int_equal(n_entries(d), n);
	assert_entries_read(d);
	env_deps_free(d);
	d = env_deps_new();
	assert_int_equal(env_deps_read(d, w, n, &cfg, 1, NULL, BIG_BUDGET_MS), (int)n);
	assert_entries_read(d);
	assert_int_equal(check(d, INT_MAX, 0, BIG_BUDGET_MS), 0);
	assert_int_equal(n_entries(d), n);
	env_deps_free(d);
	free(w);
}

static void test_budget_spent_reads_nothing(void **state)
{
	env_deps *d = env_deps_new();

	(void)state;
	make_envs(1);
	assert_int_equal(check(d, 0, SIZE_MAX, -1), 0);
	assert_int_equal(n_entries(d), 0);
	assert_int_equal(check(d, 0, 4, BIG_BUDGET_MS), 4);
	/* past the budget the envs that still wait keep what was read */
	assert_int_equal(check(d, 0, SIZE_MAX, -1), 0);
	assert_int_equal(n_entries(d), 4);
	env_deps_free(d);
}

static void test_forgets_envs_that_wait_no_more(void **state)
{
	env_deps *d = env_deps_new();
	size_t n = n_waiting(), gone = 0;

	(void)state;
	make_envs(1);
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), (int)n);
	/* the prod envs are ready now */
	for (size_t i = 0; i < listed->n_envs; i++) {
		if (env_at(i)->env != TCODE_ENV_PROD)
			continue;
		gone += db_waits(i) || fs_waits(i);
		set_base(env_at(i), "dbaccess", 1, 1);
		for (size_t k = 0; k < env_at(i)->n_public; k++)
			env_at(i)->pub[k].ready = env_at(i)->pub[k].desired;
	}
	assert_true(gone > 0 && gone < n);
	/* nothing is read again within recheck_ms: only the forgotten count */
	assert_int_equal(check(d, INT_MAX, SIZE_MAX, BIG_BUDGET_MS), (int)gone);
	assert_int_equal(n_entries(d), n - gone);
	for (size_t i = 0; i < listed->n_envs; i++) {
		db_info db;
		fs_info fs;

		if (env_at(i)->env == TCODE_ENV_PROD) {
			assert_int_equal(env_deps_db(d, 0, env_at(i)->ns, &db), 0);
			assert_int_equal(env_deps_fs(d, 0, env_at(i)->ns, &fs), 0);
		}
	}
	env_deps_free(d);
}

/* Is ns among the n keys of cluster 0 in k? */
static int taken(const env_deps_key *k, int n, const char *ns)
{
	for (int i = 0; i < n; i++)
		if (k[i].ci == 0 && !strcmp(k[i].ns, ns))
			return 1;
	return 0;
}

/* The envs whose entries changed are handed over once each: read the first
 * time, forgotten; not those read again the same; more than are kept: -1. */
static void test_changed_envs_taken(void **state)
{
	env_deps *d = env_deps_new();
	env_deps_key k[ENV_DEPS_CHANGED_MAX];
	fleet_waiting *w;
	size_t n = n_waiting(), gone = 0, i;
	int got;

	(void)state;
	make_envs(1);
	assert_int_equal(env_deps_take_changed(d, k), 0);
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), (int)n);
	got = env_deps_take_changed(d, k);
	assert_int_equal(got, (int)n);
	for (i = 0; i < listed->n_envs; i++)
		assert_int_equal(taken(k, got, env_at(i)->ns), db_waits(i) || fs_waits(i));
	assert_int_equal(env_deps_take_changed(d, k), 0); /* taken: the list starts again */
	/* read again, the same: nothing changed */
	assert_int_equal(check(d, 0, SIZE_MAX, BIG_BUDGET_MS), 0);
	assert_int_equal(env_deps_take_changed(d, k), 0);
	/* the prod envs are ready now: those forgotten are handed over */
	for (i = 0; i < listed->n_envs; i++) {
		if (env_at(i)->env != TCODE_ENV_PROD)
			continue;
		gone += db_waits(i) || fs_waits(i);
		set_base(env_at(i), "dbaccess", 1, 1);
		for (size_t p = 0; p < env_at(i)->n_public; p++)
			env_at(i)->pub[p].ready = env_at(i)->pub[p].desired;
	}
	assert_int_equal(check(d, INT_MAX, SIZE_MAX, BIG_BUDGET_MS), (int)gone);
	got = env_deps_take_changed(d, k);
	assert_int_equal(got, (int)gone);
	for (i = 0; i < listed->n_envs; i++)
		assert_int_equal(taken(k, got, env_at(i)->ns),
				 env_at(i)->env == TCODE_ENV_PROD && (db_waits(i) || fs_waits(i)));
	/* more envs changed than are kept: every env's cause may have moved */
	w = xcalloc(ENV_DEPS_CHANGED_MAX + 1, sizeof(*w));
	for (i = 0; i <= ENV_DEPS_CHANGED_MAX; i++) {
		snprintf(w[i].ns, sizeof(w[i].ns), "t%05zu-dev", 90000 + i); /* none such */
		w[i].want_fs = 1;
	}
	assert_int_equal(env_deps_read(d, w, ENV_DEPS_CHANGED_MAX + 1, &cfg, 1, NULL, BIG_BUDGET_MS),
			 ENV_DEPS_CHANGED_MAX + 1);
	assert_int_equal(env_deps_take_changed(d, k), -1);
	assert_int_equal(env_deps_take_changed(d, k), 0);
	free(w);
	env_deps_free(d);
}

/* ---- several threads at once ---- */

typedef struct race {
	env_deps *d;
	int stop; /* under mu */
	pthread_mutex_t mu;
	size_t reads;
} race;

static void *checker(void *arg)
{
	race *r = arg;

	for (int k = 0; k < 3; k++)
		check(r->d, 0, SIZE_MAX, BIG_BUDGET_MS);
	return NULL;
}

static void *reader(void *arg)
{
	race *r = arg;

	for (;;) {
		int stop;

		for (size_t i = 0; i < listed->n_envs; i++) {
			health_result h = *fleet_env_health(listed, i);
			db_info db;

			env_deps_apply(r->d, 0, env_at(i), &h);
			env_deps_db(r->d, 0, env_at(i)->ns, &db);
		}
		pthread_mutex_lock(&r->mu);
		r->reads++;
		stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			return NULL;
	}
}

static void test_checks_and_readers_at_once(void **state)
{
	race r = {.d = env_deps_new()};
	pthread_t ck[3], rd;

	(void)state;
	make_envs(1);
	pthread_mutex_init(&r.mu, NULL);
	assert_int_equal(pthread_create(&rd, NULL, reader, &r), 0);
	for (size_t i = 0; i < ARRAY_SIZE(ck); i++)
		assert_int_equal(pthread_create(&ck[i], NULL, checker, &r), 0);
	for (size_t i = 0; i < ARRAY_SIZE(ck); i++)
		pthread_join(ck[i], NULL);
	pthread_mutex_lock(&r.mu);
	r.stop = 1;
	pthread_mutex_unlock(&r.mu);
	pthread_join(rd, NULL);
	assert_true(r.reads > 0);
	assert_int_equal(n_entries(r.d), n_waiting());
	assert_entries_read(r.d);
	pthread_mutex_destroy(&r.mu);
	env_deps_free(r.d);
}

/* A one-shot listing's last good listing is written by a thread of its own,
 * waited for by the next publish and by fleet_free: once the fleet is freed,
 * the file holds every environment listed. */
static void test_one_shot_writes_last_listing(void **state)
{
	char dir[] = "/tmp/smartops-env-deps-XXXXXX", err[256];
	const char *server = k8s_client_config(client)->server;
	fleet_opts fo = {0};
	fleet_cache_row *rows = NULL;
	size_t n = 0;
	int64_t written = 0;
	char *path;
	fleet *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fo.cache_dir = dir;
	f = fleet_new(&cfg, 1, &fo);
	assert_int_equal(fleet_load(f), 1);
	fleet_deps_changed(f); /* a second publish, while the first may still write */
	fleet_free(f);
	assert_int_equal(fleet_cache_read(dir, server, "test", &rows, &n, &written, err, sizeof(err)),
			 1);
	assert_int_equal(n, listed->n_envs);
	assert_true(written > 0);
	free(rows);
	path = fleet_cache_path(dir, server, "test");
	assert_int_equal(unlink(path), 0);
	free(path);
	assert_int_equal(rmdir(dir), 0);
}

/* A memo asks for a class once: read through it, a second env of the same
 * class has the provider though the class is gone meanwhile; read without it,
 * that env's provider is not known. */
/* A waiting env found in the listed tables carries its namespace's database
 * annotation as listed: its read does not ask for the namespace again (told
 * "none" here, where the namespace says a container, it says none), but for
 * Oracle, whose hand-off is in the namespace's other annotations. */
static void test_listed_db_kind(void **state)
{
	env_deps *d = env_deps_new();
	fleet_waiting w;
	db_info got, alone;
	size_t i;

	(void)state;
	make_envs(1);
	for (i = 0; i < listed->n_envs; i++) {
		db_info_read(client, NULL, env_at(i)->ns, -1, &alone);
		if (db_waits(i) && alone.mode && !strcmp(alone.mode, "container"))
			break;
	}
	assert_true(i < listed->n_envs);
	memset(&w, 0, sizeof(w));
	util_strlcpy(w.ns, env_at(i)->ns, sizeof(w.ns));
	w.want_db = 1;
	w.db_listed = 1; /* listed without the annotation */
	assert_int_equal(env_deps_read(d, &w, 1, &cfg, 1, NULL, BIG_BUDGET_MS), 1);
	assert_int_equal(env_deps_db(d, 0, w.ns, &got), 1);
	assert_null(got.engine);
	assert_non_null(strstr(got.detail, "names no database"));
	env_deps_free(d);
	/* not listed: the namespace is read */
	d = env_deps_new();
	w.db_listed = 0;
	assert_int_equal(env_deps_read(d, &w, 1, &cfg, 1, NULL, BIG_BUDGET_MS), 1);
	assert_int_equal(env_deps_db(d, 0, w.ns, &got), 1);
	assert_string_equal(got.mode, "container");
	env_deps_free(d);
	/* "oracle" listed: the namespace is read all the same (it says container) */
	d = env_deps_new();
	w.db_listed = 1;
	util_strlcpy(w.db, "oracle", sizeof(w.db));
	assert_int_equal(env_deps_read(d, &w, 1, &cfg, 1, NULL, BIG_BUDGET_MS), 1);
	assert_int_equal(env_deps_db(d, 0, w.ns, &got), 1);
	assert_string_equal(got.mode, "container");
	env_deps_free(d);
}

static void test_fs_memo(void **state)
{
	fs_memo *m = fs_memo_new();
	fs_info a, b, alone;
	size_t i, j = 0;
	char *path, *coll, *json;
	cJSON *sc = NULL;
	k8s_err err;

	(void)state;
	for (i = 0; i < listed->n_envs && !j; i++) {
		if (!fs_waits(i))
			continue;
		fs_info_read_memo(client, NULL, fleet_env(listed, i)->ns, m, &a);
		for (j = i + 1; j < listed->n_envs; j++) {
			if (!fs_waits(j))
				continue;
			fs_info_read(client, NULL, fleet_env(listed, j)->ns, &b);
			if (!strcmp(a.cls, b.cls))
				break;
		}
		if (j == listed->n_envs)
			j = 0;
	}
	assert_true(j > 0); /* two envs of one class */
	assert_true(a.cls[0] && a.provider[0]);
	path = k8s_path("storage.k8s.io", "v1", NULL, "storageclasses", a.cls);
	assert_int_equal(k8s_get(client, path, &sc, &err), 0);
	assert_int_equal(k8s_delete(client, path, 0, &err), 0);
	fs_info_read_memo(client, NULL, fleet_env(listed, j)->ns, m, &b);
	assert_string_equal(b.provider, a.provider);
	fs_info_read(client, NULL, fleet_env(listed, j)->ns, &alone);
	assert_string_equal(alone.cls, a.cls);
	assert_string_equal(alone.provider, "");
	/* the class as it was, for what follows */
	cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(sc, "metadata"), "resourceVersion");
	json = cJSON_PrintUnformatted(sc);
	coll = k8s_path("storage.k8s.io", "v1", NULL, "storageclasses", NULL);
	assert_int_equal(k8s_create(client, coll, json, 0, NULL, &err), 0);
	free(coll);
	free(json);
	free(path);
	cJSON_Delete(sc);
	fs_memo_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_reads_every_waiting_env),
	    cmocka_unit_test(test_stale_and_ready_envs_not_read),
	    cmocka_unit_test(test_max_and_recheck),
	    cmocka_unit_test(test_changed_envs_taken),
	    cmocka_unit_test(test_read_before_check),
	    cmocka_unit_test(test_budget_spent_reads_nothing),
	    cmocka_unit_test(test_forgets_envs_that_wait_no_more),
	    cmocka_unit_test(test_checks_and_readers_at_once),
	    cmocka_unit_test(test_one_shot_writes_last_listing),
	    cmocka_unit_test(test_fs_memo),
	    cmocka_unit_test(test_listed_db_kind),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
