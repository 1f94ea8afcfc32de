/* tests/tools/store_readers.c — kubesim's store alone: do writers starve its list
 * readers? (bench/readers.sh runs it; a benchmark, not a test.)
 *
 *   store_readers [TENANTS [SECONDS [WRITERS]]]
 *
 * A store holding TENANTS x 2 namespaces of 13 Deployments each (a seeded fleet's
 * shape), WRITERS threads changing Deployments' status as the workload controller
 * does (read-modify-write), one reader listing every Deployment with a label
 * selector in pages of 500, as a client does. Phases of SECONDS alternate: the
 * reader alone, and the reader with the writers at work, twice each. Per phase:
 * full lists done, a full list's median and worst time, pages' median and p99,
 * writes done. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sim/resource.h"
#include "sim/store.h"
#include "util/util.h"

#define PER_NS 13
#define PAGE 500

static const sim_resource *res_of(const char *group, const char *plural)
{
	for (size_t i = 0; sim_resource_at(i); i++) {
		const sim_resource *r = sim_resource_at(i);

		if (!strcmp(r->group, group) && !strcmp(r->plural, plural))
			return r;
	}
	die("no resource %s/%s", group, plural);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct shared {
	sim_store *s;
	const sim_resource *deploy;
	size_t tenants;
	atomic_int stop;
	int flags;
	atomic_long writes;
};

struct writer {
	struct shared *sh;
	uint64_t rng;
};

static int set_ready(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
	int ready = *(const int *)ctx;

	(void)err;
	if (!cJSON_IsObject(st))
		st = cJSON_AddObjectToObject(obj, "status");
	cJSON_DeleteItemFromObjectCaseSensitive(st, "readyReplicas");
	cJSON_AddNumberToObject(st, "readyReplicas", ready);
	return 0;
}

static void *write_loop(void *arg)
{
	struct writer *w = arg;
	struct shared *sh = w->sh;
	char ns[32], name[32];
	sim_err err;

	while (!atomic_load(&sh->stop)) {
		uint64_t r = (w->rng = w->rng * 6364136223846793005ULL + 1442695040888963407ULL) >> 16;
		int ready = (int)(r % 3);

		snprintf(ns, sizeof(ns), "t%05zu-%s", (size_t)(r % sh->tenants), (r >> 20) & 1 ? "prod" : "dev");
		snprintf(name, sizeof(name), "appserver-%u", (unsigned)((r >> 24) % PER_NS));
		if (sim_store_mutate(sh->s, sh->deploy, ns, name, set_ready, &ready, sh->flags, NULL, &err) == 0)
			atomic_fetch_add(&sh->writes, 1);
	}
	return NULL;
}

static void seed(struct shared *sh)
{
	const sim_resource *nsr = res_of("", "namespaces");
	sim_err err;
	char buf[4096];

	for (size_t t = 0; t < sh->tenants; t++)
		for (int e = 0; e < 2; e++) {
			char ns[32];
			cJSON *o;

			snprintf(ns, sizeof(ns), "t%05zu-%s", t, e ? "prod" : "dev");
			snprintf(buf, sizeof(buf), "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"smart.totvs.com/tcode\":\"T%05zu\"}}}", ns, t);
			o = cJSON_Parse(buf);
			if (sim_store_create(sh->s, nsr, NULL, o, 0, NULL, &err))
				die("seed: %s", err.message);
			cJSON_Delete(o);
			for (int d = 0; d < PER_NS; d++) {
				snprintf(buf, sizeof(buf),
					 "{\"metadata\":{\"name\":\"appserver-%d\",\"labels\":{\"smart.totvs.com/tcode\":\"T%05zu\","
					 "\"smart.totvs.com/tier\":\"public\",\"smart.totvs.com/component\":\"appserver\","
					 "\"smart.totvs.com/service\":\"role%d\"},\"annotations\":{\"smart.totvs.com/rpo\":\"none\"}},"
					 "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"appserver-%d\"}},"
					 "\"template\":{\"metadata\":{\"labels\":{\"app\":\"appserver-%d\"}},\"spec\":{\"containers\":"
					 "[{\"name\":\"appserver\",\"image\":\"registry.example/protheus/appserver:24.3.0\","
					 "\"ports\":[{\"containerPort\":1234},{\"containerPort\":8080},{\"containerPort\":8400}],"
					 "\"env\":[{\"name\":\"TCODE\",\"value\":\"T%05zu\"},{\"name\":\"ROLE\",\"value\":\"role%d\"}],"
					 "\"resources\":{\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}}]}}},"
					 "\"status\":{\"replicas\":2,\"readyReplicas\":2}}",
					 d, t, d, d, d, t, d);
				o = cJSON_Parse(buf);
				if (sim_store_create(sh->s, sh->deploy, ns, o, 0, NULL, &err))
					die("seed: %s", err.message);
				cJSON_Delete(o);
			}
		}
}

/* One phase: n_writers writers (0: none) run with flags, the reader lists again and again. */
static void phase(struct shared *sh, int flags, double secs, int n_writers, const sim_selector *sel)
{
	pthread_t th[16];
	struct writer ws[16];
	double *lists = NULL, *pages = NULL, t0, end;
	size_t n_lists = 0, n_pages = 0, cap_l = 0, cap_p = 0;
	long writes;
	sim_err err;

	sh->flags = flags;
	atomic_store(&sh->stop, 0);
	atomic_store(&sh->writes, 0);
	for (int i = 0; i < n_writers; i++) {
		ws[i] = (struct writer){sh, 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1)};
		pthread_create(&th[i], NULL, write_loop, &ws[i]);
	}
	t0 = now_s();
	end = t0 + secs;
	while (now_s() < end) {
		double ls = now_s();
		char *cont = NULL;

		do {
			sim_list l;
			double ps = now_s();

			if (sim_store_list(sh->s, sh->deploy, NULL, sel, NULL, PAGE, cont, &l, &err))
				die("list: %s", err.message);
			if (n_pages == cap_p)
				pages = xrealloc(pages, (cap_p = cap_p * 2 + 256) * sizeof(*pages));
			pages[n_pages++] = now_s() - ps;
			free(cont);
			cont = l.cont ? xstrdup(l.cont) : NULL;
			sim_list_release(&l);
		} while (cont);
		if (n_lists == cap_l)
			lists = xrealloc(lists, (cap_l = cap_l * 2 + 16) * sizeof(*lists));
		lists[n_lists++] = now_s() - ls;
	}
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < n_writers; i++)
		pthread_join(th[i], NULL);
	writes = atomic_load(&sh->writes);
	qsort(lists, n_lists, sizeof(*lists), cmp_double);
	qsort(pages, n_pages, sizeof(*pages), cmp_double);
	printf("%-22s %4zu full lists, each median %6.1f ms, worst %6.1f ms; page median %5.2f ms, p99 %6.2f ms; "
	       "%7.0f writes/s\n",
	       n_writers ? "writers at work:" : "the reader alone:", n_lists, lists[n_lists / 2] * 1000,
	       lists[n_lists - 1] * 1000, pages[n_pages / 2] * 1000, pages[(n_pages * 99) / 100] * 1000,
	       (double)writes / (now_s() - t0));
	fflush(stdout);
	free(lists);
	free(pages);
}

int main(int argc, char **argv)
{
	struct shared sh = {0};
	double secs = argc > 2 ? atof(argv[2]) : 10;
	int writers = argc > 3 ? atoi(argv[3]) : 2;
	sim_selector *sel;
	sim_err err;
	double t0;

	sh.tenants = argc > 1 ? (size_t)atol(argv[1]) : 5000;
	if (!sh.tenants || secs <= 0 || writers < 1 || writers > 16) {
		fprintf(stderr, "usage: store_readers [TENANTS [SECONDS [WRITERS (1-16)]]]\n");
		return 2;
	}
	sh.s = sim_store_new(100000);
	sh.deploy = res_of("apps", "deployments");
	t0 = now_s();
	seed(&sh);
	printf("store: %zu tenants, %zu deployments, seeded in %.1f s; %d writers, one reader, %.0f s a phase\n",
	       sh.tenants, sh.tenants * 2 * PER_NS, now_s() - t0, writers, secs);
	sel = sim_selector_parse_labels("smart.totvs.com/tier", &err);
	for (int round = 0; round < 2; round++) {
		phase(&sh, 0, secs, 0, sel);
		phase(&sh, 0, secs, writers, sel);
	}
	sim_selector_free(sel);
	sim_store_free(sh.s);
	return 0;
}
