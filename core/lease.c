/* One run per tenant (see core/lease.h). */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "core/journal.h"
#include "core/lease.h"
#include "util/util.h"

struct lease {
	k8s_client *c;
	char path[256];
	char holder[160];
	int duration_s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int stop;
	atomic_int lost;
};

void lease_holder_self(const char *user, char *buf, size_t size)
{
	char host[64] = "localhost";
	const char *local = getenv("USER");

	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	if (user && *user && local && *local && strcmp(user, local))
		snprintf(buf, size, "%s/%s@%s:%ld", user, local, host, (long)getpid());
	else
		snprintf(buf, size, "%s@%s:%ld", user && *user ? user : local && *local ? local : "unknown",
			 host, (long)getpid());
}

static void micro_time(int64_t t, char *buf, size_t size)
{
	char s[40];

	util_rfc3339(t, s, sizeof(s));
	s[strlen(s) - 1] = '\0'; /* drop the Z */
	snprintf(buf, size, "%s.000000Z", s);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 when holder names a process of this host that is gone. */
static int holder_dead_here(const char *holder)
{
	char host[64] = "", mine[64] = "";
	const char *at, *colon, *run = strstr(holder, " run=");
	char who[200];
	long pid;

	/* the host follows the last '@' before " run=" (user names may hold '@') */
	snprintf(who, sizeof(who), "%.*s", run ? (int)(run - holder) : (int)strlen(holder), holder);
	at = strrchr(who, '@');

	if (!at || !(colon = strchr(at, ':')))
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - at - 1), at + 1);
	gethostname(mine, sizeof(mine) - 1);
	if (strcmp(host, mine))
		return 0;
	pid = strtol(colon + 1, NULL, 10);
	if (pid <= 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static char *lease_body(const char *name, const char *holder, int duration, int transitions,
			const char *rv, int64_t acquired, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *meta, *spec;
	char t[48], *text, *ret;

	cJSON_AddStringToObject(o, "apiVersion", "coordination.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "Lease");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", JOURNAL_NAMESPACE);
	if (rv)
		cJSON_AddStringToObject(meta, "resourceVersion", rv);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"), PLAN_LABEL_MANAGED,
				PLAN_MANAGER);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "holderIdentity", holder);
	cJSON_AddNumberToObject(spec, "leaseDurationSeconds", duration);
	micro_time(acquired, t, sizeof(t));
	cJSON_AddStringToObject(spec, "acquireTime", t);
	micro_time(now, t, sizeof(t));
	cJSON_AddStringToObject(spec, "renewTime", t);
	cJSON_AddNumberToObject(spec, "leaseTransitions", transitions);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}

static void *renew_main(void *arg)
{
	lease *l = arg;
	const char *name = strrchr(l->path, '/') + 1;

	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		struct timespec ts;
		cJSON *cur = NULL;
		k8s_err e;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += l->duration_s / 3 > 0 ? l->duration_s / 3 : 1;
		pthread_cond_timedwait(&l->cond, &l->mu, &ts);
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->mu);
		if (k8s_get(l->c, l->path, &cur, &e) == 0) {
			const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cur, "spec");
			const char *h = jstr(spec, "holderIdentity");
			const cJSON *tr = cJSON_GetObjectItemCaseSensitive(spec, "leaseTransitions");
			const char *rv = jstr(cJSON_GetObjectItemCaseSensitive(cur, "metadata"),
					      "resourceVersion");
			int64_t acq = util_parse_rfc3339(jstr(spec, "acquireTime") ? jstr(spec, "acquireTime") : "");

			if (!h || strcmp(h, l->holder)) {
				atomic_store(&l->lost, 1);
			} else {
				char *body = lease_body(name, l->holder, l->duration_s,
							cJSON_IsNumber(tr) ? tr->valueint : 0, rv,
							acq > 0 ? acq : util_now_ms() / 1000,
							util_now_ms() / 1000);

				k8s_update(l->c, l->path, body, 0, NULL, &e);
				free(body);
			}
		} else if (e.http == 404) {
			atomic_store(&l->lost, 1);
		}
		cJSON_Delete(cur);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* 1 when the lease object cur is held by a live holder other than holder,
 * with err saying who; 0 when it is free to take (expired, its process gone
 * or ours). */
static int held_by_other(const cJSON *cur, const char *tcode, const char *holder, int duration_s,
			 int64_t now, char *err, size_t errsz)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cur, "spec");
	const char *h = jstr(spec, "holderIdentity");
	const char *renew = jstr(spec, "renewTime");
	const cJSON *dur = cJSON_GetObjectItemCaseSensitive(spec, "leaseDurationSeconds");
	int64_t rt = renew ? util_parse_rfc3339(renew) : -1;
	int d = cJSON_IsNumber(dur) ? dur->valueint : duration_s;

	if (!h || !*h || !strcmp(h, holder) || rt < 0 || rt + d < now || holder_dead_here(h))
		return 0;
	util_seterr(err, errsz,
		    "tenant %s is being changed by %s (lease renewed %lld s ago); wait for that run to end or ask its operator",
		    tcode, h, (long long)(now - rt));
	return 1;
}

static char *lease_name_path(const char *tcode, char *name, size_t size)
{
	size_t i;

	snprintf(name, size, "provision-%s", tcode);
	for (i = 0; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	return k8s_path("coordination.k8s.io", "v1", JOURNAL_NAMESPACE, "leases", name);
}

int lease_busy(k8s_client *c, const char *tcode, const char *holder, char *err, size_t errsz)
{
	char name[64], *path = lease_name_path(tcode, name, sizeof(name));
	cJSON *cur = NULL;
	k8s_err e;
	int ret = 0;

	if (k8s_get(c, path, &cur, &e) == 0)
		ret = held_by_other(cur, tcode, holder, LEASE_DURATION_S, util_now_ms() / 1000, err, errsz);
	cJSON_Delete(cur);
	free(path);
	return ret;
}

int lease_acquire(k8s_client *c, const char *tcode, const char *holder, int duration_s,
		  lease **out, char *taken_from, size_t tsize, char *err, size_t errsz)
{
	char name[64], *path, *coll;
	int tries, ret = -1;

	*out = NULL;
	if (taken_from && tsize)
		taken_from[0] = '\0';
	path = lease_name_path(tcode, name, sizeof(name));
	coll = k8s_path("coordination.k8s.io", "v1", JOURNAL_NAMESPACE, "leases", NULL);
	for (tries = 0; tries < 4; tries++) {
		int64_t now = util_now_ms() / 1000;
		cJSON *cur = NULL;
		k8s_err e;
		char *body;
		int rc;

		if (k8s_get(c, path, &cur, &e) < 0) {
			if (e.http != 404) {
				util_seterr(err, errsz, "cannot read lease %s: %s", name, e.msg);
				goto out;
			}
			body = lease_body(name, holder, duration_s, 0, NULL, now, now);
			rc = k8s_create(c, coll, body, 0, NULL, &e);
			free(body);
			if (rc == 0) {
				ret = 0;
				goto out;
			}
			if (e.http == 404 && journal_ensure_namespace(c, &e) == 0)
				continue;
			if (e.http == 409)
				continue;
			util_seterr(err, errsz, "cannot create lease %s: %s", name, e.msg);
			goto out;
		} else {
			const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cur, "spec");
			const char *h = jstr(spec, "holderIdentity");
			const cJSON *tr = cJSON_GetObjectItemCaseSensitive(spec, "leaseTransitions");
			const char *rv = jstr(cJSON_GetObjectItemCaseSensitive(cur, "metadata"),
					      "resourceVersion");

			if (held_by_other(cur, tcode, holder, duration_s, now, err, errsz)) {
				cJSON_Delete(cur);
				ret = 1;
				goto out;
			}
			if (h && *h && strcmp(h, holder) && taken_from && tsize)
				snprintf(taken_from, tsize, "%s (%s)", h,
					 holder_dead_here(h) ? "its process is gone" : "lease expired");
			body = lease_body(name, holder, duration_s,
					  (cJSON_IsNumber(tr) ? tr->valueint : 0) +
					      (h && *h && strcmp(h, holder) ? 1 : 0),
					  rv, now, now);
			rc = k8s_update(c, path, body, 0, NULL, &e);
			free(body);
			cJSON_Delete(cur);
			if (rc == 0) {
				ret = 0;
				goto out;
			}
			if (e.http == 409 || e.http == 404)
				continue; /* someone else moved first: look again */
			util_seterr(err, errsz, "cannot take lease %s: %s", name, e.msg);
			goto out;
		}
	}
	util_seterr(err, errsz, "lease %s keeps changing under us; try again", name);
out:
	if (ret == 0) {
		lease *l = xcalloc(1, sizeof(*l));

		l->c = c;
		util_strlcpy(l->path, path, sizeof(l->path));
		util_strlcpy(l->holder, holder, sizeof(l->holder));
		l->duration_s = duration_s;
		pthread_mutex_init(&l->mu, NULL);
		pthread_cond_init(&l->cond, NULL);
		atomic_init(&l->lost, 0);
		if (pthread_create(&l->thread, NULL, renew_main, l) != 0)
			die("cannot start the lease thread");
		*out = l;
	}
	free(path);
	free(coll);
	return ret;
}

int lease_lost(lease *l)
{
	return l ? atomic_load(&l->lost) : 0;
}

void lease_release(lease *l)
{
	cJSON *cur = NULL;
	k8s_err e;

	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	if (k8s_get(l->c, l->path, &cur, &e) == 0) {
		const char *h = jstr(cJSON_GetObjectItemCaseSensitive(cur, "spec"), "holderIdentity");

		if (h && !strcmp(h, l->holder))
			k8s_delete(l->c, l->path, 0, &e);
	}
	cJSON_Delete(cur);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cond);
	free(l);
}
