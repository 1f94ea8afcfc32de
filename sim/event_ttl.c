/* Events expire (see sim/event_ttl.h). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sim/event_ttl.h"
#include "sim/sched.h"
#include "util/util.h"

#define SWEEP_EVERY_MS 2000

struct sim_event_ttl {
	sim_store *s;
	int64_t ttl_s;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
};

/* The Event's last occurrence: lastTimestamp, else series.lastObservedTime,
 * eventTime, then creation. */
static int64_t last_seen(const sim_obj *o)
{
	cJSON *tree = sim_obj_parse(o);
	const char *keys[] = {"lastTimestamp", "eventTime"};
	int64_t t = o->created_s, v;
	const cJSON *series = cJSON_GetObjectItemCaseSensitive(tree, "series");
	const cJSON *it;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		it = cJSON_GetObjectItemCaseSensitive(tree, keys[i]);
		if (cJSON_IsString(it) && (v = util_parse_rfc3339(it->valuestring)) > t)
			t = v;
	}
	it = cJSON_GetObjectItemCaseSensitive(series, "lastObservedTime");
	if (cJSON_IsString(it) && (v = util_parse_rfc3339(it->valuestring)) > t)
		t = v;
	cJSON_Delete(tree);
	return t;
}

size_t sim_event_ttl_sweep(sim_store *s, int64_t ttl_s)
{
	const sim_resource *res = sim_resource_find("", "v1", "events");
	int64_t cutoff = sim_store_now(s) - ttl_s;
	sim_list l = {0};
	sim_err err;
	size_t i, n = 0;

	if (!res || ttl_s <= 0 || sim_store_list(s, res, NULL, NULL, NULL, 0, NULL, &l, &err) < 0)
		return 0;
	for (i = 0; i < l.n; i++) {
		const sim_obj *o = l.items[i];
		sim_obj *gone = NULL;

		/* created after the cutoff: seen since, no need to read it */
		if (o->created_s >= cutoff || last_seen(o) >= cutoff)
			continue;
		if (sim_store_delete(s, res, o->ns, o->name, 0, &gone, &err) == 0)
			n++;
		if (gone)
			sim_obj_unref(gone);
	}
	sim_list_release(&l);
	return n;
}

static void *run(void *arg)
{
	sim_event_ttl *t = arg;

	sim_sched_controller_thread();
	pthread_mutex_lock(&t->mu);
	while (!t->stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += SWEEP_EVERY_MS / 1000;
		pthread_cond_timedwait(&t->cv, &t->mu, &ts);
		if (t->stop)
			break;
		pthread_mutex_unlock(&t->mu);
		sim_event_ttl_sweep(t->s, t->ttl_s);
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

sim_event_ttl *sim_event_ttl_start(sim_store *s, int64_t ttl_s)
{
	sim_event_ttl *t;

	if (ttl_s <= 0)
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->s = s;
	t->ttl_s = ttl_s;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->th, NULL, run, t) != 0)
		die("cannot start the Event expiry thread");
	return t;
}

void sim_event_ttl_stop(sim_event_ttl *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->th, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}
