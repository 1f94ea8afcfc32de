#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8s/watch.h"
#include "k8s/client_int.h"
#include "util/util.h"

struct k8s_informer {
	k8s_client *client;
	char *path, *list_path;
	char *label_selector, *field_selector;
	const char *list_accept;
	const jscan_keep *list_keep;
	int page_limit, tmin, tmax;
	int idle_s; /* a silent watch is reopened */
	k8s_informer_cb cb;
	void *ctx;
	pthread_t thread;
	atomic_int stop;
	pthread_mutex_t lock; /* for the backoff sleep */
	pthread_cond_t cond;
	atomic_uint lists, watches, errors, events;
	unsigned seed;
	char rv[64];
	int need_list;
	int listed_once;
	k8s_lines lines;
};

int k8s_watch_parse_event(const char *line, size_t len, char *type, size_t typesz, cJSON **obj,
			  int *code)
{
	cJSON *root = cJSON_ParseWithLength(line, len);
	cJSON *t, *o;

	*obj = NULL;
	if (code)
		*code = 0;
	if (!root)
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(root, "type");
	o = cJSON_DetachItemFromObjectCaseSensitive(root, "object");
	if (!cJSON_IsString(t) || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		cJSON_Delete(root);
		return -1;
	}
	util_strlcpy(type, t->valuestring, typesz);
	if (code && !strcmp(t->valuestring, "ERROR")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "code");
		*code = cJSON_IsNumber(c) ? c->valueint : 0;
	}
	cJSON_Delete(root);
	*obj = o;
	return 0;
}

/* Waits ms or until stop; returns 1 when stopping. */
static int inf_sleep(k8s_informer *inf, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&inf->lock);
	while (!atomic_load(&inf->stop)) {
		if (pthread_cond_timedwait(&inf->cond, &inf->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&inf->lock);
	return atomic_load(&inf->stop);
}

static void note_rv(k8s_informer *inf, const cJSON *obj)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(meta, "resourceVersion");

	if (cJSON_IsString(rv) && rv->valuestring[0])
		util_strlcpy(inf->rv, rv->valuestring, sizeof(inf->rv));
}

static int list_item(void *arg, const cJSON *item)
{
	k8s_informer *inf = arg;

	if (inf->cb.on_add)
		inf->cb.on_add(inf->ctx, item);
	return atomic_load(&inf->stop) ? 1 : 0;
}

static int list_item_text(void *arg, const char *p, const char *end)
{
	k8s_informer *inf = arg;

	return inf->cb.on_add_text(inf->ctx, p, end);
}

static void list_begin(void *arg)
{
	k8s_informer *inf = arg;

	if (inf->cb.on_list_begin)
		inf->cb.on_list_begin(inf->ctx);
}

static void list_total(void *arg, size_t total)
{
	k8s_informer *inf = arg;

	inf->cb.on_list_total(inf->ctx, total);
}

static int do_list(k8s_informer *inf, k8s_err *err)
{
	k8s_list_opts lo = {0};
	int r;

	lo.label_selector = inf->label_selector;
	lo.field_selector = inf->field_selector;
	lo.limit = inf->page_limit;
	lo.cancel = &inf->stop;
	lo.accept = inf->list_accept;
	lo.keep = inf->list_keep;
	if (inf->cb.on_add_text)
		lo.item_text = list_item_text;
	if (inf->cb.on_list_total)
		lo.on_total = list_total;
	/* told once the first page is in (and after a restart): the request goes
	 * out at once, while the caller's tables may still be busy (the console
	 * builds its cached frame under their lock as its lists are asked for) */
	lo.on_begin = list_begin;
	r = k8s_list(inf->client, inf->list_path, &lo, list_item, inf, inf->rv, sizeof(inf->rv), err);
	if (r)
		return r;
	atomic_fetch_add(&inf->lists, 1);
	if (inf->cb.on_sync)
		inf->cb.on_sync(inf->ctx, inf->listed_once);
	inf->listed_once = 1;
	inf->need_list = 0;
	return 0;
}

/* One event line; non-zero stops the stream (410 in-stream). */
static int on_line(void *arg, const char *line, size_t len)
{
	k8s_informer *inf = arg;
	char type[16];
	cJSON *obj;
	int code;

	if (!len)
		return 0;
	if (k8s_watch_parse_event(line, len, type, sizeof(type), &obj, &code))
		return 0; /* not an event: ignore */
	atomic_fetch_add(&inf->events, 1);
	if (!strcmp(type, "ERROR")) {
		cJSON_Delete(obj);
		if (code == 410) {
			inf->need_list = 1;
			return 1;
		}
		return 2;
	}
	note_rv(inf, obj);
	if (!strcmp(type, "BOOKMARK") && inf->cb.on_alive)
		inf->cb.on_alive(inf->ctx);
	if (!strcmp(type, "ADDED") && inf->cb.on_add)
		inf->cb.on_add(inf->ctx, obj);
	else if (!strcmp(type, "MODIFIED") && inf->cb.on_update)
		inf->cb.on_update(inf->ctx, obj);
	else if (!strcmp(type, "DELETED") && inf->cb.on_delete)
		inf->cb.on_delete(inf->ctx, obj);
	cJSON_Delete(obj);
	return atomic_load(&inf->stop) ? 3 : 0;
}

static int on_data(void *arg, const char *data, size_t n)
{
	k8s_informer *inf = arg;

	if (!n) { /* the watch is open: the server answers */
		if (inf->cb.on_alive)
			inf->cb.on_alive(inf->ctx);
		return atomic_load(&inf->stop) ? 3 : 0;
	}
	return k8s_lines_feed(&inf->lines, data, n, on_line, inf);
}

static int do_watch(k8s_informer *inf, k8s_err *err)
{
	strbuf q;
	int timeout =
	    inf->tmin +
	    (inf->tmax > inf->tmin ? rand_r(&inf->seed) % (inf->tmax - inf->tmin + 1) : 0);
	int r;

	sb_init(&q, 256);
	sb_addf(&q, "%s%cwatch=1&allowWatchBookmarks=true&timeoutSeconds=%d", inf->path,
		strchr(inf->path, '?') ? '&' : '?', timeout);
	if (inf->rv[0])
		sb_addf(&q, "&resourceVersion=%s", inf->rv);
	k8s_query_add(&q, "labelSelector", inf->label_selector);
	k8s_query_add(&q, "fieldSelector", inf->field_selector);
	atomic_fetch_add(&inf->watches, 1);
	k8s_lines_init(&inf->lines, 0);
	r = k8s_stream(inf->client, q.buf, inf->idle_s, on_data, inf, &inf->stop, err);
	k8s_lines_release(&inf->lines);
	sb_release(&q);
	if (r < 0 && err->http == 410)
		inf->need_list = 1;
	if (r == 1 && !inf->need_list && !atomic_load(&inf->stop)) {
		k8s_err_set(err, 0, "watch %s: the server sent an error event", inf->path);
		return -1;
	}
	return r < 0 ? -1 : 0;
}

/* A watch that ended in 410 Gone (HTTP or an ERROR event) is followed by a fresh
 * list at once; but a server that answers every watch so, right after each list,
 * would make list-watch a loop (so would a list whose every continue token is
 * answered 410). *gone counts such quick 410s in a row: from the
 * second on, the relist waits the usual backoff. A watch that lasted a second or
 * more resets it. Returns 1 when told to stop while waiting. */
static int gone_backoff(k8s_informer *inf, int *gone, int64_t started)
{
	if (util_mono_ms() - started >= 1000)
		*gone = 0;
	if (*gone > 0 && inf_sleep(inf, k8s_backoff_ms(*gone - 1, 800, 30000, &inf->seed)))
		return 1;
	if (*gone < 16)
		(*gone)++;
	return 0;
}

static void *informer_main(void *arg)
{
	k8s_informer *inf = arg;
	int attempt = 0, gone = 0;
	size_t end = strcspn(inf->path, "?"), seg = end;
	char name[64];

	/* "w:" and the kind it watches, its path's last segment */
	while (seg > 0 && inf->path[seg - 1] != '/')
		seg--;
	snprintf(name, sizeof(name), "w:%.*s", (int)(end - seg), inf->path + seg);
	util_thread_name(name);
	inf->need_list = 1;
	while (!atomic_load(&inf->stop)) {
		k8s_err err;
		int r;

		int listing = inf->need_list;
		int64_t started = util_mono_ms();

		k8s_err_clear(&err);
		r = listing ? do_list(inf, &err) : do_watch(inf, &err);
		if (atomic_load(&inf->stop))
			break;
		if (r == 0) {
			attempt = 0;
			if (!listing && inf->need_list && gone_backoff(inf, &gone, started))
				break;
			/* a server that ends every watch at once must not make us spin */
			if (!listing && !inf->need_list && util_mono_ms() - started < 1000 &&
			    inf_sleep(inf, 1000))
				break;
			continue;
		}
		if (r > 0)
			break;
		atomic_fetch_add(&inf->errors, 1);
		if (inf->cb.on_error)
			inf->cb.on_error(inf->ctx, &err);
		if (err.http == 410) {
			inf->need_list = 1;
			if (gone_backoff(inf, &gone, started))
				break;
			continue; /* relist (right away the first time) */
		}
		if (inf_sleep(inf, k8s_backoff_ms(attempt, 800, 30000, &inf->seed)))
			break;
		if (attempt < 16)
			attempt++;
	}
	return NULL;
}

k8s_informer *k8s_informer_start(k8s_client *client, const char *path,
				 const k8s_informer_opts *opts, const k8s_informer_cb *cb,
				 void *ctx)
{
	k8s_informer *inf = xcalloc(1, sizeof(*inf));

	inf->client = client;
	inf->path = xstrdup(path);
	inf->list_path = opts && opts->list_query && opts->list_query[0]
			     ? xasprintf("%s%c%s", path, strchr(path, '?') ? '&' : '?', opts->list_query)
			     : xstrdup(path);
	inf->list_accept = opts ? opts->list_accept : NULL;
	inf->list_keep = opts ? opts->list_keep : NULL;
	if (opts && opts->label_selector && opts->label_selector[0])
		inf->label_selector = xstrdup(opts->label_selector);
	if (opts && opts->field_selector && opts->field_selector[0])
		inf->field_selector = xstrdup(opts->field_selector);
	inf->page_limit = opts && opts->page_limit > 0 ? opts->page_limit : 500;
	inf->tmin = opts && opts->timeout_min_s > 0 ? opts->timeout_min_s : 300;
	inf->idle_s = opts && opts->idle_s > 0 ? opts->idle_s : 15;
	inf->tmax = opts && opts->timeout_max_s >= inf->tmin ? opts->timeout_max_s
		    : opts && opts->timeout_min_s > 0	     ? inf->tmin
							     : 600;
	inf->cb = *cb;
	inf->ctx = ctx;
	inf->seed = (unsigned)util_mono_ms() ^ (unsigned)(uintptr_t)inf;
	atomic_init(&inf->stop, 0);
	pthread_mutex_init(&inf->lock, NULL);
	util_cond_init_monotonic(&inf->cond);
	if (pthread_create(&inf->thread, NULL, informer_main, inf)) {
		pthread_mutex_destroy(&inf->lock);
		pthread_cond_destroy(&inf->cond);
		free(inf->path);
		free(inf->list_path);
		free(inf->label_selector);
		free(inf->field_selector);
		free(inf);
		return NULL;
	}
	return inf;
}

void k8s_informer_cancel(k8s_informer *inf)
{
	if (!inf)
		return;
	pthread_mutex_lock(&inf->lock);
	atomic_store(&inf->stop, 1);
	pthread_cond_broadcast(&inf->cond);
	pthread_mutex_unlock(&inf->lock);
}

void k8s_informer_stop(k8s_informer *inf)
{
	if (!inf)
		return;
	k8s_informer_cancel(inf);
	pthread_join(inf->thread, NULL);
	pthread_mutex_destroy(&inf->lock);
	pthread_cond_destroy(&inf->cond);
	free(inf->path);
	free(inf->list_path);
	free(inf->label_selector);
	free(inf->field_selector);
	free(inf);
}

void k8s_informer_stats_get(k8s_informer *inf, k8s_informer_stats *out)
{
	out->lists = atomic_load(&inf->lists);
	out->watches = atomic_load(&inf->watches);
	out->errors = atomic_load(&inf->errors);
	out->events = atomic_load(&inf->events);
}
