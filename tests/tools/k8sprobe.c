/* k8sprobe — drives the k8s/ library from the integration tests and prints what it
 * got, one line per fact. Never prints credentials: every message goes through the
 * library's redaction.
 *
 *   k8sprobe [--kubeconfig F] [--context C] [--limit N] [--dry-run] [--force]
 *            [--twice FILE] [-l SELECTOR] COMMAND ARGS
 *   config                   context, server, namespace, auth kind, catalogue extension
 *   get PATH                 kind, name, resourceVersion
 *   list PATH                item count and first/last names
 *   create PATH JSON | update PATH JSON | patch PATH JSON | apply PATH JSON | delete PATH
 *   can-i VERB GROUP RESOURCE [NS [NAME]]
 *   logs NS POD [TAIL]
 *   watch-create COLLECTION NAME JSON
 *                            informer on COLLECTION; once synced, creates JSON there and
 *                            waits until the watch delivers NAME
 *   mirror COLLECTION OUT STOP
 *                            informer on COLLECTION kept as a name -> resourceVersion map
 *                            (a relist sweeps what it did not deliver); the map, sorted,
 *                            rewritten to OUT (atomically) every 200 ms, with a first
 *                            line "# synced= lists= watches= errors= dups= unknown=";
 *                            ends when the file STOP exists (at most 10 minutes)
 *
 * --twice FILE runs the command, waits (up to 20 s) for FILE to exist, runs it again.
 * Exit codes: 0 ok, 1 error, 2 usage, 3 server unreachable (TLS included). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "k8s/client.h"
#include "k8s/kubeconfig.h"
#include "k8s/redact.h"
#include "k8s/watch.h"
#include "util/util.h"

static int opt_limit, opt_flags;
static const char *opt_selector;

static int fail(const k8s_err *err)
{
	fprintf(stderr, "error: %s\n", err->msg); /* already redacted */
	return err->unreachable ? 3 : 1;
}

static const char *jpath(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void print_obj(const char *what, const cJSON *o)
{
	printf("%s kind=%s name=%s namespace=%s resourceVersion=%s\n", what, jpath(o, "kind", NULL),
	       jpath(o, "metadata", "name"), jpath(o, "metadata", "namespace"),
	       jpath(o, "metadata", "resourceVersion"));
}

typedef struct list_state {
	size_t n;
	char first[256], last[256];
	unsigned restarts;
} list_state;

static int list_item(void *ctx, const cJSON *item)
{
	list_state *s = ctx;
	const char *name = jpath(item, "metadata", "name");

	if (!s->n)
		util_strlcpy(s->first, name, sizeof(s->first));
	util_strlcpy(s->last, name, sizeof(s->last));
	s->n++;
	return 0;
}

static void list_restart(void *ctx)
{
	list_state *s = ctx;
	s->n = 0;
	s->restarts++;
}

static int log_line(void *ctx, const char *line, size_t len)
{
	char *r = k8s_redact(line);
	printf("log: %s\n", r);
	free(r);
	return 0;
}

/* ---- watch-create ---- */

typedef struct watch_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int synced;
	int seen;
	const char *name;
	size_t listed;
} watch_state;

static void w_add(void *ctx, const cJSON *obj)
{
	watch_state *w = ctx;
	pthread_mutex_lock(&w->lock);
	if (!w->synced)
		w->listed++;
	else if (!strcmp(jpath(obj, "metadata", "name"), w->name))
		w->seen = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void w_sync(void *ctx, int relisted)
{
	watch_state *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->synced = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void w_error(void *ctx, const k8s_err *err)
{
	fprintf(stderr, "watch error: %s\n", err->msg);
}

/* The mirror's faults are on purpose: errors are counted by the informer, not printed. */
static void w_error_quiet(void *ctx, const k8s_err *err)
{
	(void)ctx;
	(void)err;
}

static int wait_flag(watch_state *w, int *flag, int seconds)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	pthread_mutex_lock(&w->lock);
	while (!*flag && pthread_cond_timedwait(&w->cond, &w->lock, &ts) == 0)
		;
	r = *flag;
	pthread_mutex_unlock(&w->lock);
	return r;
}

static int watch_create(k8s_client *c, const char *coll, const char *name, const char *json)
{
	watch_state w = {.name = name};
	k8s_informer_cb cb = {.on_add = w_add, .on_sync = w_sync, .on_error = w_error};
	k8s_informer_opts io = {.page_limit = opt_limit};
	k8s_informer *inf;
	k8s_err err;
	int ret = 1;

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	inf = k8s_informer_start(c, coll, &io, &cb, &w);
	if (!inf) {
		fprintf(stderr, "error: cannot start the informer\n");
		return 1;
	}
	if (!wait_flag(&w, &w.synced, 20)) {
		fprintf(stderr, "error: the informer did not sync in 20 s\n");
		goto out;
	}
	printf("synced items=%zu\n", w.listed);
	if (k8s_create(c, coll, json, 0, NULL, &err)) {
		ret = fail(&err);
		goto out;
	}
	if (!wait_flag(&w, &w.seen, 20)) {
		fprintf(stderr, "error: the watch did not deliver %s in 20 s\n", name);
		goto out;
	}
	printf("watch saw ADDED %s\n", name);
	ret = 0;
out:
	k8s_informer_stop(inf);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
	return ret;
}

/* ---- mirror ---- */

#define MIRROR_MAX 4096

typedef struct mirror_item {
	char name[128];
	char rv[32];
	unsigned gen; /* the list generation that last delivered it, or 0: from a watch */
} mirror_item;

typedef struct mirror {
	pthread_mutex_t lock;
	mirror_item *items;
	size_t n;
	unsigned gen;	   /* the current list's generation */
	int listing;	   /* between on_list_begin and on_sync */
	int synced;
	unsigned dups;	   /* a name delivered twice by one list, or ADDED for one held */
	unsigned unknown;  /* MODIFIED or DELETED for a name not held */
} mirror;

static mirror_item *mirror_find(mirror *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->items[i].name, name))
			return &m->items[i];
	return NULL;
}

static void mirror_put(mirror *m, const cJSON *o, int added)
{
	const char *name = jpath(o, "metadata", "name");
	mirror_item *it;

	pthread_mutex_lock(&m->lock);
	it = mirror_find(m, name);
	if (it && added && (!m->listing || it->gen == m->gen))
		m->dups++;
	if (!it && !added)
		m->unknown++;
	if (!it && m->n < MIRROR_MAX) {
		it = &m->items[m->n++];
		util_strlcpy(it->name, name, sizeof(it->name));
	}
	if (it) {
		util_strlcpy(it->rv, jpath(o, "metadata", "resourceVersion"), sizeof(it->rv));
		it->gen = m->listing ? m->gen : 0;
	}
	pthread_mutex_unlock(&m->lock);
}

static void m_add(void *ctx, const cJSON *o)
{
	mirror_put(ctx, o, 1);
}

static void m_update(void *ctx, const cJSON *o)
{
	mirror_put(ctx, o, 0);
}

static void m_delete(void *ctx, const cJSON *o)
{
	mirror *m = ctx;
	mirror_item *it;

	pthread_mutex_lock(&m->lock);
	it = mirror_find(m, jpath(o, "metadata", "name"));
	if (it)
		*it = m->items[--m->n];
	else
		m->unknown++;
	pthread_mutex_unlock(&m->lock);
}

static void m_list_begin(void *ctx)
{
	mirror *m = ctx;

	pthread_mutex_lock(&m->lock);
	m->gen++;
	m->listing = 1;
	pthread_mutex_unlock(&m->lock);
}

static void m_sync(void *ctx, int relisted)
{
	mirror *m = ctx;

	(void)relisted;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n;) /* what the list did not deliver is gone */
		if (m->items[i].gen != m->gen)
			m->items[i] = m->items[--m->n];
		else
			i++;
	m->listing = 0;
	m->synced = 1;
	pthread_mutex_unlock(&m->lock);
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const mirror_item *)a)->name, ((const mirror_item *)b)->name);
}

static void mirror_dump(mirror *m, k8s_informer *inf, const char *out)
{
	char tmp[4096];
	k8s_informer_stats st;
	mirror_item *copy;
	size_t n;
	FILE *f;

	k8s_informer_stats_get(inf, &st);
	pthread_mutex_lock(&m->lock);
	n = m->n;
	copy = xmalloc((n ? n : 1) * sizeof(*copy));
	memcpy(copy, m->items, n * sizeof(*copy));
	snprintf(tmp, sizeof(tmp), "# synced=%d lists=%u watches=%u errors=%u dups=%u unknown=%u\n",
		 m->synced, st.lists, st.watches, st.errors, m->dups, m->unknown);
	pthread_mutex_unlock(&m->lock);
	qsort(copy, n, sizeof(*copy), cmp_item);
	{
		char path[4096];
		snprintf(path, sizeof(path), "%s.tmp", out);
		if ((f = fopen(path, "w"))) {
			fputs(tmp, f);
			for (size_t i = 0; i < n; i++)
				fprintf(f, "%s %s\n", copy[i].name, copy[i].rv);
			if (fclose(f) == 0)
				rename(path, out);
		}
	}
	free(copy);
}

static int mirror_run(k8s_client *c, const char *coll, const char *out, const char *stop)
{
	mirror m = {.items = xcalloc(MIRROR_MAX, sizeof(mirror_item))};
	k8s_informer_cb cb = {.on_add = m_add, .on_update = m_update, .on_delete = m_delete,
			      .on_list_begin = m_list_begin, .on_sync = m_sync, .on_error = w_error_quiet};
	k8s_informer_opts io = {.page_limit = opt_limit};
	k8s_informer *inf;
	int i;

	pthread_mutex_init(&m.lock, NULL);
	inf = k8s_informer_start(c, coll, &io, &cb, &m);
	if (!inf) {
		fprintf(stderr, "error: cannot start the informer\n");
		free(m.items);
		return 1;
	}
	for (i = 0; i < 3000 && access(stop, F_OK) != 0; i++) {
		usleep(200000);
		mirror_dump(&m, inf, out);
	}
	k8s_informer_stop(inf);
	pthread_mutex_destroy(&m.lock);
	free(m.items);
	return 0;
}

static int run(k8s_client *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	k8s_err err;
	cJSON *out = NULL;

	if (!strcmp(cmd, "config")) {
		const k8s_config *cfg = k8s_client_config(c);
		const char *auth = cfg->token	     ? "token"
				   : cfg->token_file ? "tokenFile"
				   : cfg->exec	     ? "exec"
				   : cfg->cert_data  ? "client-certificate"
						     : "none";
		const char *cat = k8s_config_extension(cfg, "smart.totvs.com/catalog");
		printf("context=%s cluster=%s namespace=%s server=%s auth=%s\n", cfg->context,
		       cfg->cluster_name, cfg->ns, cfg->server, auth);
		printf("catalog=%s\n", cat ? cat : "(none)");
		return 0;
	}
	if (!strcmp(cmd, "get") && argc == 2) {
		if (k8s_get(c, argv[1], &out, &err))
			return fail(&err);
		print_obj("got", out);
		cJSON_Delete(out);
		return 0;
	}
	if (!strcmp(cmd, "list") && argc == 2) {
		list_state s = {0};
		k8s_list_opts lo = {
		    .limit = opt_limit, .label_selector = opt_selector, .on_restart = list_restart};
		char rv[64];
		if (k8s_list(c, argv[1], &lo, list_item, &s, rv, sizeof(rv), &err))
			return fail(&err);
		printf("items=%zu first=%s last=%s restarts=%u rv-set=%s\n", s.n, s.first, s.last,
		       s.restarts, rv[0] ? "yes" : "no");
		return 0;
	}
	if ((!strcmp(cmd, "create") || !strcmp(cmd, "update") || !strcmp(cmd, "patch") ||
	     !strcmp(cmd, "apply")) &&
	    argc == 3) {
		int r = !strcmp(cmd, "create")
			    ? k8s_create(c, argv[1], argv[2], opt_flags, &out, &err)
			: !strcmp(cmd, "update")
			    ? k8s_update(c, argv[1], argv[2], opt_flags, &out, &err)
			: !strcmp(cmd, "patch")
			    ? k8s_merge_patch(c, argv[1], argv[2], opt_flags, &out, &err)
			    : k8s_apply(c, argv[1], argv[2], opt_flags, &out, &err);
		if (r)
			return fail(&err);
		print_obj(opt_flags & K8S_DRY_RUN ? "dry-run" : "wrote", out);
		cJSON_Delete(out);
		return 0;
	}
	if (!strcmp(cmd, "delete") && argc == 2) {
		if (k8s_delete(c, argv[1], opt_flags, &err))
			return fail(&err);
		printf("deleted %s\n", argv[1]);
		return 0;
	}
	if (!strcmp(cmd, "can-i") && argc >= 4) {
		int allowed;
		char reason[256];
		if (k8s_can_i(c, argv[1], argv[2], argv[3], NULL, argc > 4 ? argv[4] : NULL,
			      argc > 5 ? argv[5] : NULL, &allowed, reason, sizeof(reason), &err))
			return fail(&err);
		printf("%s%s%s\n", allowed ? "yes" : "no", reason[0] ? " - " : "", reason);
		return 0;
	}
	if (!strcmp(cmd, "logs") && argc >= 3) {
		k8s_log_opts lo = {.tail_lines = argc > 3 ? atol(argv[3]) : -1};
		if (k8s_pod_logs(c, argv[1], argv[2], &lo, log_line, NULL, NULL, &err))
			return fail(&err);
		return 0;
	}
	if (!strcmp(cmd, "watch-create") && argc == 4)
		return watch_create(c, argv[1], argv[2], argv[3]);
	if (!strcmp(cmd, "mirror") && argc == 4)
		return mirror_run(c, argv[1], argv[2], argv[3]);
	fprintf(stderr, "k8sprobe: unknown command or wrong arguments: %s\n", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	k8s_load_opts lo = {0};
	const char *twice = NULL;
	k8s_config *cfg;
	k8s_client *c;
	k8s_err err;
	char msg[1024];
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--kubeconfig") && i + 1 < argc)
			lo.kubeconfig = argv[++i];
		else if (!strcmp(argv[i], "--context") && i + 1 < argc)
			lo.context = argv[++i];
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
			opt_limit = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			opt_selector = argv[++i];
		else if (!strcmp(argv[i], "--twice") && i + 1 < argc)
			twice = argv[++i];
		else if (!strcmp(argv[i], "--dry-run"))
			opt_flags |= K8S_DRY_RUN;
		else if (!strcmp(argv[i], "--force"))
			opt_flags |= K8S_FORCE;
		else {
			fprintf(stderr, "k8sprobe: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: k8sprobe [options] COMMAND ARGS (see the source)\n");
		return 2;
	}
	if (k8s_config_load(&lo, &cfg, msg, sizeof(msg))) {
		char *r = k8s_redact(msg);
		fprintf(stderr, "error: %s\n", r);
		free(r);
		return 1;
	}
	c = k8s_client_new(cfg, NULL, &err);
	if (!c)
		return fail(&err);
	ret = run(c, argc - i, argv + i);
	if (twice && ret != 2) {
		for (int t = 0; t < 200 && access(twice, F_OK); t++)
			usleep(100 * 1000);
		ret = run(c, argc - i, argv + i);
	}
	k8s_client_free(c);
	return ret;
}
