/* Audit of changes (see core/audit.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/journal.h"
#include "util/util.h"

static void mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	}
	free(p);
}

char *audit_default_path(void)
{
	const char *v = getenv("SMARTOPS_AUDIT_LOG"), *xdg = getenv("XDG_STATE_HOME"),
		   *home = getenv("HOME");

	if (v && *v)
		return xstrdup(v);
	if (xdg && *xdg)
		return xasprintf("%s/smartops/audit.log", xdg);
	if (home && *home)
		return xasprintf("%s/.local/state/smartops/audit.log", home);
	return NULL;
}

void audit_init(audit *a, k8s_client *c, const char *who, const char *run)
{
	memset(a, 0, sizeof(*a));
	a->c = c;
	a->path = audit_default_path();
	if (a->path)
		mkdirs(a->path);
	util_strlcpy(a->who, who, sizeof(a->who));
	util_strlcpy(a->run, run, sizeof(a->run));
	pthread_mutex_init(&a->mu, NULL);
}

void audit_release(audit *a)
{
	free(a->path);
	pthread_mutex_destroy(&a->mu);
	memset(a, 0, sizeof(*a));
}

/* The result as one line without control characters. */
static void clean(char *dst, const char *src, size_t size)
{
	size_t i;

	util_strlcpy(dst, src, size);
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

static void log_line(audit *a, const char *line)
{
	FILE *fp;

	if (!a->path)
		return;
	fp = fopen(a->path, "a");
	if (!fp)
		return;
	fprintf(fp, "%s\n", line);
	fclose(fp);
}

static int post_event(audit *a, const char *action, const plan_step *s, const char *result,
		      int64_t now, unsigned seq, k8s_err *e)
{
	const char *ns = s && s->ns[0] ? s->ns : JOURNAL_NAMESPACE;
	cJSON *ev = cJSON_CreateObject(), *meta, *inv, *src;
	char name[256], t[40], reason[48], *msg, *body, *path;
	int ok = !strcmp(result, "ok"), rc;

	util_rfc3339(now, t, sizeof(t));
	/* unique across the processes that work on one run (a resume starts at 1 again) */
	snprintf(name, sizeof(name), "%s.smartops.%s.%ld-%u", s ? s->name : "run", a->run,
		 (long)getpid(), seq);
	snprintf(reason, sizeof(reason), "Smartops%c%s", toupper((unsigned char)action[0]),
		 action + 1);
	msg = xasprintf("%s %s %s by %s (run %s): %s", action, s ? s->kind : "run",
			s ? s->name : a->run, a->who, a->run, result);
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"), PLAN_LABEL_MANAGED,
				PLAN_MANAGER);
	inv = cJSON_AddObjectToObject(ev, "involvedObject");
	if (s) {
		cJSON_AddStringToObject(inv, "apiVersion", s->api_version);
		cJSON_AddStringToObject(inv, "kind", s->kind);
		if (s->ns[0])
			cJSON_AddStringToObject(inv, "namespace", s->ns);
		cJSON_AddStringToObject(inv, "name", s->name);
	} else {
		char cm[64];

		snprintf(cm, sizeof(cm), "run-%s", a->run);
		cJSON_AddStringToObject(inv, "apiVersion", "v1");
		cJSON_AddStringToObject(inv, "kind", "ConfigMap");
		cJSON_AddStringToObject(inv, "namespace", JOURNAL_NAMESPACE);
		cJSON_AddStringToObject(inv, "name", cm);
	}
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", msg);
	free(msg);
	cJSON_AddStringToObject(ev, "type", ok ? "Normal" : "Warning");
	src = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(src, "component", "smartops");
	cJSON_AddStringToObject(ev, "reportingComponent", "smartops");
	cJSON_AddStringToObject(ev, "reportingInstance", a->who);
	cJSON_AddStringToObject(ev, "firstTimestamp", t);
	cJSON_AddStringToObject(ev, "lastTimestamp", t);
	cJSON_AddNumberToObject(ev, "count", 1);
	body = cJSON_PrintUnformatted(ev);
	cJSON_Delete(ev);
	path = k8s_path("", "v1", ns, "events", NULL);
	rc = k8s_create(a->c, path, body, 0, NULL, e);
	if (rc < 0 && e->http == 409)
		rc = 0;
	free(path);
	cJSON_free(body);
	return rc;
}

void audit_record(audit *a, const char *action, const plan_step *s, const char *result)
{
	int64_t now = util_now_ms() / 1000;
	char t[40], res[400], *line;
	unsigned seq;
	k8s_err e;

	clean(res, result ? result : "ok", sizeof(res));
	util_rfc3339(now, t, sizeof(t));
	pthread_mutex_lock(&a->mu);
	seq = ++a->seq;
	pthread_mutex_unlock(&a->mu);
	if (s)
		line = xasprintf("%s who=%s run=%s action=%s object=%s/%s %s%s%s result=%s", t,
				 a->who, a->run, action, s->api_version, s->kind, s->ns,
				 s->ns[0] ? "/" : "", s->name, res);
	else
		line = xasprintf("%s who=%s run=%s action=%s result=%s", t, a->who, a->run, action,
				 res);
	pthread_mutex_lock(&a->mu);
	log_line(a, line);
	pthread_mutex_unlock(&a->mu);
	free(line);
	if (a->c && post_event(a, action, s, res, now, seq, &e) < 0) {
		line = xasprintf("%s who=%s run=%s action=event result=not recorded in the cluster: %s",
				 t, a->who, a->run, e.msg);
		pthread_mutex_lock(&a->mu);
		log_line(a, line);
		pthread_mutex_unlock(&a->mu);
		free(line);
	}
}
