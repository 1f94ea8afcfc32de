/* Server-side Tables in the shape of kubectl's built-in printers. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/jpick.h"
#include "sim/store.h"
#include "sim/table.h"
#include "util/util.h"

typedef struct col {
	const char *name;
	const char *type;   /* "string", "integer" */
	const char *format; /* "name" for the Name column, else "" */
	int priority;	    /* 1: only with -o wide */
	const char *description;
} col;

/* The spans a template leaves open, in the order its cells were added. */
#define MAX_HOLES 4 /* the most spans a printer measures up to now (events: 2) */

struct holes {
	const cJSON *item[MAX_HOLES];
	int64_t from[MAX_HOLES];
	size_t n;
};

static void hole_add(struct holes *h, const cJSON *item, int64_t from)
{
	if (h->n == MAX_HOLES)
		die("kubesim: a Table printer measures more than %d spans", MAX_HOLES);
	h->item[h->n] = item;
	h->from[h->n++] = from;
}

/* The clock ages are measured against. While a row's template is made (`open` set),
 * a span measured up to now is left open instead: a hole in the printed row,
 * filled in when the row is served. */
typedef struct tclock {
	int64_t now;
	struct holes *open;
} tclock;

/* Appends the cells of one row for obj. */
typedef void (*cells_fn)(const cJSON *obj, cJSON *cells, const tclock *now);

typedef struct printer {
	const char *group;
	const char *plural;
	const col *cols;
	size_t n_cols;
	cells_fn cells;
	/* Every path cells reads (as sim_jpick_read takes them), so a row is made from
	 * those members only; NULL: cells gets the whole object. */
	const char *const *keep;
} printer;

static const char name_doc[] = "Name must be unique within a namespace.";
static const char age_doc[] = "CreationTimestamp is the server time when this object was created.";
/* clang-format off */
#define NAME_COL {"Name", "string", "name", 0, name_doc}
#define AGE_COL {"Age", "string", "", 0, age_doc}
/* clang-format on */

/* ---- JSON helpers ---- */

/* Follows a dotted path ("status.phase"); NULL when any step is missing. */
static const cJSON *jget(const cJSON *o, const char *path)
{
	char key[128];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
		path += n;
		if (*path == '.')
			path++;
	}
	return o;
}

static const char *jstr(const cJSON *o, const char *path, const char *def)
{
	const cJSON *v = jget(o, path);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : def;
}

/* Like jstr, but an empty string also gives def. */
static const char *jstr_ne(const cJSON *o, const char *path, const char *def)
{
	const char *s = jstr(o, path, NULL);

	return s && *s ? s : def;
}

static int64_t jint(const cJSON *o, const char *path, int64_t def)
{
	const cJSON *v = jget(o, path);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

static int jtrue(const cJSON *o, const char *path)
{
	return cJSON_IsTrue(jget(o, path));
}

static void add_str(cJSON *cells, const char *s)
{
	cJSON_AddItemToArray(cells, cJSON_CreateString(s));
}

static void add_int(cJSON *cells, int64_t v)
{
	cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)v));
}

static void add_name(const cJSON *obj, cJSON *cells)
{
	add_str(cells, jstr(obj, "metadata.name", ""));
}

/* ---- durations ---- */

void sim_table_human_duration(int64_t seconds, char *buf, size_t size)
{
	int64_t minutes, hours, days;

	if (seconds < -1) {
		snprintf(buf, size, "<invalid>");
		return;
	}
	if (seconds < 0)
		seconds = 0;
	if (seconds < 120) {
		snprintf(buf, size, "%" PRId64 "s", seconds);
		return;
	}
	minutes = seconds / 60;
	if (minutes < 10) {
		if (seconds % 60)
			snprintf(buf, size, "%" PRId64 "m%" PRId64 "s", minutes, seconds % 60);
		else
			snprintf(buf, size, "%" PRId64 "m", minutes);
		return;
	}
	if (minutes < 180) {
		snprintf(buf, size, "%" PRId64 "m", minutes);
		return;
	}
	hours = seconds / 3600;
	days = hours / 24;
	if (hours < 8) {
		if (minutes % 60)
			snprintf(buf, size, "%" PRId64 "h%" PRId64 "m", hours, minutes % 60);
		else
			snprintf(buf, size, "%" PRId64 "h", hours);
	} else if (hours < 48) {
		snprintf(buf, size, "%" PRId64 "h", hours);
	} else if (hours < 24 * 8) {
		if (hours % 24)
			snprintf(buf, size, "%" PRId64 "d%" PRId64 "h", days, hours % 24);
		else
			snprintf(buf, size, "%" PRId64 "d", days);
	} else if (hours < 24 * 365 * 2) {
		snprintf(buf, size, "%" PRId64 "d", days);
	} else if (hours < 24 * 365 * 8) {
		if (days % 365)
			snprintf(buf, size, "%" PRId64 "y%" PRId64 "d", days / 365, days % 365);
		else
			snprintf(buf, size, "%" PRId64 "y", days / 365);
	} else {
		snprintf(buf, size, "%" PRId64 "y", days / 365);
	}
}

/* The time from `from` to now, or a hole for it while a template is made. */
static void add_span(cJSON *cells, int64_t from, const tclock *now)
{
	char buf[32];

	if (now->open) {
		add_str(cells, "");
		hole_add(now->open, cJSON_GetArrayItem(cells, cJSON_GetArraySize(cells) - 1), from);
		return;
	}
	sim_table_human_duration(now->now - from, buf, sizeof(buf));
	add_str(cells, buf);
}

/* Age of an RFC 3339 timestamp at path, or "<unknown>". */
static void add_since(const cJSON *obj, const char *path, const tclock *now, cJSON *cells)
{
	const char *ts = jstr(obj, path, NULL);
	int64_t t = ts && *ts ? util_parse_rfc3339(ts) : -1;

	if (t < 0)
		add_str(cells, "<unknown>");
	else
		add_span(cells, t, now);
}

static void add_age(const cJSON *obj, const tclock *now, cJSON *cells)
{
	add_since(obj, "metadata.creationTimestamp", now, cells);
}

/* ---- shared cell helpers ---- */

/* Joins field `field` of every element of the array at path with sep; def when none. */
static void add_joined(const cJSON *obj, const char *path, const char *field, const char *sep,
		       const char *def, cJSON *cells)
{
	const cJSON *arr = jget(obj, path), *e;
	strbuf sb;

	if (!cJSON_IsArray(arr))
		arr = NULL;
	sb_init(&sb, 64);
	cJSON_ArrayForEach(e, arr)
	{
		const char *s =
		    field ? jstr(e, field, NULL) : (cJSON_IsString(e) ? e->valuestring : NULL);

		if (!s || !*s)
			continue;
		if (sb.len)
			sb_adds(&sb, sep);
		sb_adds(&sb, s);
	}
	add_str(cells, sb.len ? sb.buf : def);
	sb_release(&sb);
}

/* A LabelSelector (or a plain map when `plain`) as "k=v,k2 in (a,b)"; def when empty. */
static void add_selector(const cJSON *sel, int plain, const char *def, cJSON *cells)
{
	const cJSON *labels = plain ? sel : jget(sel, "matchLabels"), *e, *v;
	const cJSON *exprs = plain ? NULL : jget(sel, "matchExpressions");
	strbuf sb;

	if (!cJSON_IsObject(labels))
		labels = NULL;
	if (!cJSON_IsArray(exprs))
		exprs = NULL;
	sb_init(&sb, 64);
	cJSON_ArrayForEach(e, labels)
	{
		if (!cJSON_IsString(e))
			continue;
		if (sb.len)
			sb_addc(&sb, ',');
		sb_addf(&sb, "%s=%s", e->string, e->valuestring);
	}
	cJSON_ArrayForEach(e, exprs)
	{
		const char *op = jstr(e, "operator", "");
		const char *key = jstr(e, "key", "");
		const char *word = !strcmp(op, "In") ? "in" : !strcmp(op, "NotIn") ? "notin" : NULL;
		int first = 1;

		if (sb.len)
			sb_addc(&sb, ',');
		if (!strcmp(op, "Exists")) {
			sb_adds(&sb, key);
			continue;
		}
		if (!strcmp(op, "DoesNotExist")) {
			sb_addf(&sb, "!%s", key);
			continue;
		}
		sb_addf(&sb, "%s %s (", key, word ? word : op);
		cJSON_ArrayForEach(v, jget(e, "values"))
		{
			if (!cJSON_IsString(v))
				continue;
			sb_addf(&sb, "%s%s", first ? "" : ",", v->valuestring);
			first = 0;
		}
		sb_addc(&sb, ')');
	}
	add_str(cells, sb.len ? sb.buf : def);
	sb_release(&sb);
}

static int64_t count_members(const cJSON *o)
{
	return cJSON_IsObject(o) || cJSON_IsArray(o) ? cJSON_GetArraySize(o) : 0;
}

/* ---- pods ---- */

static const col pod_cols[] = {
    NAME_COL,
    {"Ready", "string", "", 0, "The aggregate readiness state of this pod for accepting traffic."},
    {"Status", "string", "", 0, "The aggregate status of the containers in this pod."},
    {"Restarts", "integer", "", 0,
     "The number of times the containers in this pod have been restarted."},
    AGE_COL,
    {"IP", "string", "", 1,
     "IP address allocated to the pod. Routable at least within the cluster."},
    {"Node", "string", "", 1, "Name of the Node this pod is scheduled onto."},
    {"Nominated Node", "string", "", 1,
     "nominatedNodeName is set when this pod preempts other pods on the node."},
    {"Readiness Gates", "string", "", 1,
     "If specified, all readiness gates will be evaluated for pod readiness."},
};

/* Status of a terminated state without a reason: "Signal:9" or "ExitCode:1". */
static void terminated_reason(const cJSON *term, const char *prefix, char *buf, size_t size)
{
	int64_t sig = jint(term, "signal", 0);

	if (sig)
		snprintf(buf, size, "%sSignal:%" PRId64, prefix, sig);
	else
		snprintf(buf, size, "%sExitCode:%" PRId64, prefix, jint(term, "exitCode", 0));
}

static int pod_condition_true(const cJSON *pod, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(
	    c,
	    jget(pod, "status.conditions")) if (!strcmp(jstr(c, "type", ""),
							type)) return !strcmp(jstr(c, "status", ""),
									      "True");
	return 0;
}

static void pod_cells(const cJSON *pod, cJSON *cells, const tclock *now)
{
	const cJSON *st = jget(pod, "status"), *c, *statuses, *gates;
	char reason[160], buf[64];
	int64_t restarts = 0, ready = 0, total = count_members(jget(pod, "spec.containers"));
	int initializing = 0, has_running = 0;
	int n_init = (int)count_members(jget(pod, "spec.initContainers")), i = 0;

	util_strlcpy(reason, jstr_ne(st, "phase", "Unknown"), sizeof(reason));
	if (jstr_ne(st, "reason", NULL))
		util_strlcpy(reason, jstr(st, "reason", ""), sizeof(reason));

	cJSON_ArrayForEach(c, jget(st, "initContainerStatuses"))
	{
		const cJSON *term = jget(c, "state.terminated"), *wait = jget(c, "state.waiting");

		restarts += jint(c, "restartCount", 0);
		if (term && jint(term, "exitCode", 0) == 0 && !jint(term, "signal", 0)) {
			i++;
			continue;
		}
		if (term) {
			if (jstr_ne(term, "reason", NULL))
				snprintf(reason, sizeof(reason), "Init:%s",
					 jstr(term, "reason", ""));
			else
				terminated_reason(term, "Init:", reason, sizeof(reason));
		} else if (wait && jstr_ne(wait, "reason", NULL) &&
			   strcmp(jstr(wait, "reason", ""), "PodInitializing")) {
			snprintf(reason, sizeof(reason), "Init:%s", jstr(wait, "reason", ""));
		} else {
			snprintf(reason, sizeof(reason), "Init:%d/%d", i, n_init);
		}
		initializing = 1;
		break;
	}

	statuses = jget(st, "containerStatuses");
	if (!initializing && cJSON_IsArray(statuses)) {
		/* the last container with something to say wins, as in kubectl */
		for (int k = cJSON_GetArraySize(statuses) - 1; k >= 0; k--) {
			const cJSON *cs = cJSON_GetArrayItem(statuses, k);
			const cJSON *term = jget(cs, "state.terminated"),
				    *wait = jget(cs, "state.waiting");

			restarts += jint(cs, "restartCount", 0);
			if (wait && jstr_ne(wait, "reason", NULL)) {
				util_strlcpy(reason, jstr(wait, "reason", ""), sizeof(reason));
			} else if (term && jstr_ne(term, "reason", NULL)) {
				util_strlcpy(reason, jstr(term, "reason", ""), sizeof(reason));
			} else if (term) {
				terminated_reason(term, "", reason, sizeof(reason));
			} else if (jtrue(cs, "ready") && jget(cs, "state.running")) {
				has_running = 1;
				ready++;
			}
		}
		if (!strcmp(reason, "Completed") && has_running)
			util_strlcpy(reason,
				     pod_condition_true(pod, "Ready") ? "Running" : "NotReady",
				     sizeof(reason));
	} else if (initializing) {
		cJSON_ArrayForEach(c, statuses) restarts += jint(c, "restartCount", 0);
	}
	if (jstr_ne(pod, "metadata.deletionTimestamp", NULL))
		util_strlcpy(
		    reason, !strcmp(jstr(st, "reason", ""), "NodeLost") ? "Unknown" : "Terminating",
		    sizeof(reason));

	add_name(pod, cells);
	snprintf(buf, sizeof(buf), "%" PRId64 "/%" PRId64, ready, total);
	add_str(cells, buf);
	add_str(cells, reason);
	add_int(cells, restarts);
	add_age(pod, now, cells);
	add_str(cells, jstr_ne(st, "podIP", "<none>"));
	add_str(cells, jstr_ne(pod, "spec.nodeName", "<none>"));
	add_str(cells, jstr_ne(st, "nominatedNodeName", "<none>"));
	gates = jget(pod, "spec.readinessGates");
	if (count_members(gates)) {
		int64_t ok = 0;

		cJSON_ArrayForEach(c, gates) ok +=
		    pod_condition_true(pod, jstr(c, "conditionType", ""));
		snprintf(buf, sizeof(buf), "%" PRId64 "/%" PRId64, ok, count_members(gates));
		add_str(cells, buf);
	} else {
		add_str(cells, "<none>");
	}
}

/* ---- workloads ---- */

#define CONTAINERS_COL                                                                             \
	{                                                                                          \
		"Containers", "string", "", 1, "Names of each container in the template."          \
	}
#define IMAGES_COL                                                                                 \
	{                                                                                          \
		"Images", "string", "", 1, "Images referenced by each container in the template."  \
	}
#define SELECTOR_COL                                                                               \
	{                                                                                          \
		"Selector", "string", "", 1, "Label selector for pods."                            \
	}

static void add_template(const cJSON *obj, cJSON *cells)
{
	add_joined(obj, "spec.template.spec.containers", "name", ",", "", cells);
	add_joined(obj, "spec.template.spec.containers", "image", ",", "", cells);
}

static const col deploy_cols[] = {
    NAME_COL,
    {"Ready", "string", "", 0, "Number of the pod with ready state"},
    {"Up-to-date", "integer", "", 0,
     "Total number of non-terminated pods targeted by this deployment that have the desired "
     "template spec."},
    {"Available", "integer", "", 0,
     "Total number of available pods (ready for at least minReadySeconds) targeted by this "
     "deployment."},
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    SELECTOR_COL,
};

static void deploy_cells(const cJSON *d, cJSON *cells, const tclock *now)
{
	char buf[64];

	add_name(d, cells);
	snprintf(buf, sizeof(buf), "%" PRId64 "/%" PRId64, jint(d, "status.readyReplicas", 0),
		 jint(d, "spec.replicas", 1));
	add_str(cells, buf);
	add_int(cells, jint(d, "status.updatedReplicas", 0));
	add_int(cells, jint(d, "status.availableReplicas", 0));
	add_age(d, now, cells);
	add_template(d, cells);
	add_selector(jget(d, "spec.selector"), 0, "<none>", cells);
}

static const col rs_cols[] = {
    NAME_COL,
    {"Desired", "integer", "", 0, "Number of desired pods."},
    {"Current", "integer", "", 0, "Number of actual replicas."},
    {"Ready", "integer", "", 0, "Number of ready replicas."},
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    SELECTOR_COL,
};

static void rs_cells(const cJSON *r, cJSON *cells, const tclock *now)
{
	add_name(r, cells);
	add_int(cells, jint(r, "spec.replicas", 1));
	add_int(cells, jint(r, "status.replicas", 0));
	add_int(cells, jint(r, "status.readyReplicas", 0));
	add_age(r, now, cells);
	add_template(r, cells);
	add_selector(jget(r, "spec.selector"), 0, "<none>", cells);
}

static const col sts_cols[] = {
    NAME_COL,	{"Ready", "string", "", 0, "Number of the pod with ready state"},
    AGE_COL,	CONTAINERS_COL,
    IMAGES_COL,
};

static void sts_cells(const cJSON *s, cJSON *cells, const tclock *now)
{
	char buf[64];

	add_name(s, cells);
	snprintf(buf, sizeof(buf), "%" PRId64 "/%" PRId64, jint(s, "status.readyReplicas", 0),
		 jint(s, "spec.replicas", 1));
	add_str(cells, buf);
	add_age(s, now, cells);
	add_template(s, cells);
}

static const col job_cols[] = {
    NAME_COL,
    {"Status", "string", "", 0, "Status of the job."},
    {"Completions", "string", "", 0,
     "The desired number of successfully finished pods the job should be run with."},
    {"Duration", "string", "", 0, "Time required to complete the job."},
    AGE_COL,
    CONTAINERS_COL,
    IMAGES_COL,
    SELECTOR_COL,
};

static int job_condition(const cJSON *job, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(
	    c, jget(job, "status.conditions")) if (!strcmp(jstr(c, "type", ""), type) &&
						   !strcmp(jstr(c, "status", ""), "True")) return 1;
	return 0;
}

static void job_cells(const cJSON *job, cJSON *cells, const tclock *now)
{
	const char *status;
	char buf[64];
	int64_t succeeded = jint(job, "status.succeeded", 0);
	int64_t start = util_parse_rfc3339(jstr(job, "status.startTime", ""));
	int64_t end = util_parse_rfc3339(jstr(job, "status.completionTime", ""));

	if (job_condition(job, "Complete"))
		status = "Complete";
	else if (job_condition(job, "Failed"))
		status = "Failed";
	else if (jstr_ne(job, "metadata.deletionTimestamp", NULL))
		status = "Terminating";
	else if (job_condition(job, "Suspended"))
		status = "Suspended";
	else if (job_condition(job, "FailureTarget"))
		status = "FailureTarget";
	else
		status = "Running";

	add_name(job, cells);
	add_str(cells, status);
	if (jget(job, "spec.completions"))
		snprintf(buf, sizeof(buf), "%" PRId64 "/%" PRId64, succeeded,
			 jint(job, "spec.completions", 1));
	else if (jint(job, "spec.parallelism", 1) > 1)
		snprintf(buf, sizeof(buf), "%" PRId64 "/1 of %" PRId64, succeeded,
			 jint(job, "spec.parallelism", 1));
	else
		snprintf(buf, sizeof(buf), "%" PRId64 "/1", succeeded);
	add_str(cells, buf);
	if (start < 0) {
		add_str(cells, "");
	} else if (end < 0) {
		add_span(cells, start, now);
	} else {
		sim_table_human_duration(end - start, buf, sizeof(buf));
		add_str(cells, buf);
	}
	add_age(job, now, cells);
	add_template(job, cells);
	add_selector(jget(job, "spec.selector"), 0, "<none>", cells);
}

/* ---- core objects ---- */

static const col ns_cols[] = {
    NAME_COL,
    {"Status", "string", "", 0, "The status of the namespace"},
    AGE_COL,
};

static void ns_cells(const cJSON *ns, cJSON *cells, const tclock *now)
{
	add_name(ns, cells);
	add_str(cells, jstr_ne(ns, "status.phase", "Active"));
	add_age(ns, now, cells);
}

static const col svc_cols[] = {
    NAME_COL,
    {"Type", "string", "", 0, "The type of the service."},
    {"Cluster-IP", "string", "", 0, "The cluster IP of the service."},
    {"External-IP", "string", "", 0, "The external IP of the service."},
    {"Port(s)", "string", "", 0, "The ports of the service."},
    AGE_COL,
    {"Selector", "string", "", 1, "The selector of the service."},
};

static void svc_external(const cJSON *svc, const char *type, cJSON *cells)
{
	const cJSON *e;
	strbuf sb;

	sb_init(&sb, 64);
	if (!strcmp(type, "ExternalName")) {
		sb_adds(&sb, jstr(svc, "spec.externalName", ""));
	} else if (!strcmp(type, "LoadBalancer")) {
		cJSON_ArrayForEach(e, jget(svc, "status.loadBalancer.ingress"))
		{
			const char *s = jstr_ne(e, "ip", jstr_ne(e, "hostname", NULL));

			if (s)
				sb_addf(&sb, "%s%s", sb.len ? "," : "", s);
		}
	}
	cJSON_ArrayForEach(e, jget(svc, "spec.externalIPs")) if (cJSON_IsString(e))
	    sb_addf(&sb, "%s%s", sb.len ? "," : "", e->valuestring);
	if (!sb.len)
		sb_adds(&sb, !strcmp(type, "LoadBalancer") ? "<pending>" : "<none>");
	add_str(cells, sb.buf);
	sb_release(&sb);
}

static void svc_cells(const cJSON *svc, cJSON *cells, const tclock *now)
{
	const char *type = jstr_ne(svc, "spec.type", "ClusterIP");
	const cJSON *p;
	strbuf sb;

	add_name(svc, cells);
	add_str(cells, type);
	add_str(cells, jstr_ne(svc, "spec.clusterIP", "<none>"));
	svc_external(svc, type, cells);
	sb_init(&sb, 64);
	cJSON_ArrayForEach(p, jget(svc, "spec.ports"))
	{
		if (sb.len)
			sb_addc(&sb, ',');
		sb_addf(&sb, "%" PRId64, jint(p, "port", 0));
		if (jint(p, "nodePort", 0))
			sb_addf(&sb, ":%" PRId64, jint(p, "nodePort", 0));
		sb_addf(&sb, "/%s", jstr_ne(p, "protocol", "TCP"));
	}
	add_str(cells, sb.len ? sb.buf : "<none>");
	sb_release(&sb);
	add_age(svc, now, cells);
	add_selector(jget(svc, "spec.selector"), 1, "<none>", cells);
}

static const col cm_cols[] = {
    NAME_COL,
    {"Data", "integer", "", 0, "Number of data entries."},
    AGE_COL,
};

static void cm_cells(const cJSON *cm, cJSON *cells, const tclock *now)
{
	add_name(cm, cells);
	add_int(cells, count_members(jget(cm, "data")) + count_members(jget(cm, "binaryData")));
	add_age(cm, now, cells);
}

static const col secret_cols[] = {
    NAME_COL,
    {"Type", "string", "", 0, "The type of secret"},
    {"Data", "integer", "", 0, "Number of data entries."},
    AGE_COL,
};

static void secret_cells(const cJSON *s, cJSON *cells, const tclock *now)
{
	add_name(s, cells);
	add_str(cells, jstr_ne(s, "type", "Opaque"));
	add_int(cells, count_members(jget(s, "data")) + count_members(jget(s, "stringData")));
	add_age(s, now, cells);
}

static const col event_cols[] = {
    {"Last Seen", "string", "", 0,
     "Time when the most recent occurrence of this event was recorded."},
    {"Type", "string", "", 0, "Type of this event (Normal, Warning)."},
    {"Reason", "string", "", 0, "Why the action was taken."},
    {"Object", "string", "", 0, "The object this Event is about."},
    {"Message", "string", "", 0, "A human-readable description of the status of this operation."},
    {"Subobject", "string", "", 1, "The field of the object this Event is about."},
    {"Source", "string", "", 1, "The component reporting this event."},
    {"First Seen", "string", "", 1, "The time at which the event was first recorded."},
    {"Count", "integer", "", 1, "The number of times this event has occurred."},
    {"Name", "string", "name", 1, "Name must be unique within a namespace."},
};

static void event_cells(const cJSON *ev, cJSON *cells, const tclock *now)
{
	const char *last = jstr_ne(ev, "lastTimestamp", NULL) ? "lastTimestamp"
			   : jstr_ne(ev, "eventTime", NULL)   ? "eventTime"
							      : "firstTimestamp";
	const char *first = jstr_ne(ev, "firstTimestamp", NULL) ? "firstTimestamp" : "eventTime";
	char kind[64], obj[320];
	size_t i;

	util_strlcpy(kind, jstr(ev, "involvedObject.kind", ""), sizeof(kind));
	for (i = 0; kind[i]; i++)
		if (kind[i] >= 'A' && kind[i] <= 'Z')
			kind[i] = (char)(kind[i] - 'A' + 'a');
	snprintf(obj, sizeof(obj), "%s/%s", kind, jstr(ev, "involvedObject.name", ""));

	add_since(ev, last, now, cells);
	add_str(cells, jstr(ev, "type", ""));
	add_str(cells, jstr(ev, "reason", ""));
	add_str(cells, obj);
	add_str(cells, jstr(ev, "message", ""));
	add_str(cells, jstr(ev, "involvedObject.fieldPath", ""));
	if (jstr_ne(ev, "source.host", NULL)) {
		snprintf(obj, sizeof(obj), "%s, %s", jstr(ev, "source.component", ""),
			 jstr(ev, "source.host", ""));
		add_str(cells, obj);
	} else {
		add_str(cells, jstr_ne(ev, "source.component", jstr(ev, "reportingComponent", "")));
	}
	add_since(ev, first, now, cells);
	add_int(cells, jint(ev, "count", 1));
	add_name(ev, cells);
}

static const col ing_cols[] = {
    NAME_COL,
    {"Class", "string", "", 0, "The name of the IngressClass resource that should be used."},
    {"Hosts", "string", "", 0, "Hosts that incoming requests are matched against."},
    {"Address", "string", "", 0,
     "Address is a list containing ingress points for the load-balancer"},
    {"Ports", "string", "", 0, "Ports of TLS configurations that open"},
    AGE_COL,
};

static void ing_cells(const cJSON *ing, cJSON *cells, const tclock *now)
{
	const cJSON *e;
	strbuf sb;

	add_name(ing, cells);
	add_str(cells, jstr_ne(ing, "spec.ingressClassName", "<none>"));
	add_joined(ing, "spec.rules", "host", ",", "*", cells);
	sb_init(&sb, 64);
	cJSON_ArrayForEach(e, jget(ing, "status.loadBalancer.ingress"))
	{
		const char *s = jstr_ne(e, "ip", jstr_ne(e, "hostname", NULL));

		if (s)
			sb_addf(&sb, "%s%s", sb.len ? "," : "", s);
	}
	add_str(cells, sb.buf);
	sb_release(&sb);
	add_str(cells, count_members(jget(ing, "spec.tls")) ? "80, 443" : "80");
	add_age(ing, now, cells);
}

static const col pvc_cols[] = {
    NAME_COL,
    {"Status", "string", "", 0, "The phase of the claim."},
    {"Volume", "string", "", 0,
     "The binding reference to the PersistentVolume backing this claim."},
    {"Capacity", "string", "", 0, "The actual resources of the underlying volume."},
    {"Access Modes", "string", "", 0, "The actual access modes the volume backing the PVC has."},
    {"StorageClass", "string", "", 0, "Name of the StorageClass required by the claim."},
    {"VolumeAttributesClass", "string", "", 0,
     "Name of the VolumeAttributesClass used by the claim."},
    AGE_COL,
    {"VolumeMode", "string", "", 1, "What type of volume is required by the claim."},
};

static void pvc_cells(const cJSON *pvc, cJSON *cells, const tclock *now)
{
	const cJSON *e;
	strbuf sb;

	add_name(pvc, cells);
	add_str(cells, jstr_ne(pvc, "status.phase", "Pending"));
	add_str(cells, jstr(pvc, "spec.volumeName", ""));
	add_str(cells, jstr(pvc, "status.capacity.storage", ""));
	sb_init(&sb, 32);
	cJSON_ArrayForEach(e, jget(pvc, "status.accessModes"))
	{
		const char *m = cJSON_IsString(e) ? e->valuestring : "";
		const char *abbr = !strcmp(m, "ReadWriteOnce")	    ? "RWO"
				   : !strcmp(m, "ReadOnlyMany")	    ? "ROX"
				   : !strcmp(m, "ReadWriteMany")    ? "RWX"
				   : !strcmp(m, "ReadWriteOncePod") ? "RWOP"
								    : m;

		sb_addf(&sb, "%s%s", sb.len ? "," : "", abbr);
	}
	add_str(cells, sb.buf);
	sb_release(&sb);
	add_str(cells, jstr_ne(pvc, "spec.storageClassName", "<unset>"));
	add_str(cells, jstr_ne(pvc, "spec.volumeAttributesClassName", "<unset>"));
	add_age(pvc, now, cells);
	add_str(cells, jstr_ne(pvc, "spec.volumeMode", "Filesystem"));
}

static const col sc_cols[] = {
    NAME_COL,
    {"Provisioner", "string", "", 0, "Indicates the type of the provisioner."},
    {"ReclaimPolicy", "string", "", 0,
     "Dynamically provisioned PersistentVolumes of this storage class are created with this "
     "reclaimPolicy. Defaults to Delete."},
    {"VolumeBindingMode", "string", "", 0,
     "VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. "
     "When unset, VolumeBindingImmediate is used."},
    {"AllowVolumeExpansion", "string", "", 0, "AllowVolumeExpansion shows whether the storage class allow volume expand."},
    AGE_COL,
};

/* As the API server prints a class: its name marked "(default)" when annotated so,
 * the policies as they default when left out. */
static void sc_cells(const cJSON *sc, cJSON *cells, const tclock *now)
{
	const cJSON *ann = jget(sc, "metadata.annotations"), *d = NULL;
	char name[320];

	if (cJSON_IsObject(ann)) {
		d = cJSON_GetObjectItemCaseSensitive(ann, "storageclass.kubernetes.io/is-default-class");
		if (!cJSON_IsString(d))
			d = cJSON_GetObjectItemCaseSensitive(ann, "storageclass.beta.kubernetes.io/is-default-class");
	}
	snprintf(name, sizeof(name), "%s%s", jstr(sc, "metadata.name", ""),
		 cJSON_IsString(d) && !strcmp(d->valuestring, "true") ? " (default)" : "");
	add_str(cells, name);
	add_str(cells, jstr(sc, "provisioner", ""));
	add_str(cells, jstr_ne(sc, "reclaimPolicy", "Delete"));
	add_str(cells, jstr_ne(sc, "volumeBindingMode", "Immediate"));
	add_str(cells, jtrue(sc, "allowVolumeExpansion") ? "true" : "false");
	add_age(sc, now, cells);
}

static const col lease_cols[] = {
    NAME_COL,
    {"Holder", "string", "", 0, "The holder of the lease."},
    AGE_COL,
};

static void lease_cells(const cJSON *l, cJSON *cells, const tclock *now)
{
	add_name(l, cells);
	add_str(cells, jstr(l, "spec.holderIdentity", ""));
	add_age(l, now, cells);
}

static const col default_cols[] = {NAME_COL, AGE_COL};

static void default_cells(const cJSON *o, cJSON *cells, const tclock *now)
{
	add_name(o, cells);
	add_age(o, now, cells);
}

/* What each printer's cells read (a path's value is kept whole; see sim/jpick.h). An
 * array that is only counted is walked into with a member no cell reads, so its
 * elements come as (nearly) empty objects: the count stays, the cost goes. */
#define META_KEEP "metadata.name", "metadata.creationTimestamp"
#define TEMPLATE_KEEP "spec.template.spec.containers.*.name", "spec.template.spec.containers.*.image"
static const char *const pod_keep[] = {
    META_KEEP, "metadata.deletionTimestamp", "spec.containers.*.name",
    "spec.initContainers.*.name", "spec.nodeName", "spec.readinessGates", "status", NULL};
static const char *const deploy_keep[] = {
    META_KEEP, "spec.replicas", "spec.selector", TEMPLATE_KEEP, "status.readyReplicas",
    "status.updatedReplicas", "status.availableReplicas", NULL};
static const char *const rs_keep[] = {
    META_KEEP, "spec.replicas", "spec.selector", TEMPLATE_KEEP, "status.replicas",
    "status.readyReplicas", NULL};
static const char *const sts_keep[] = {META_KEEP, "spec.replicas", TEMPLATE_KEEP,
				       "status.readyReplicas", NULL};
static const char *const job_keep[] = {
    META_KEEP, "metadata.deletionTimestamp", "spec.completions", "spec.parallelism",
    "spec.selector", TEMPLATE_KEEP, "status", NULL};
static const char *const ns_keep[] = {META_KEEP, "status.phase", NULL};
static const char *const svc_keep[] = {
    META_KEEP, "spec.type", "spec.clusterIP", "spec.externalName", "spec.externalIPs",
    "spec.ports", "spec.selector", "status.loadBalancer.ingress", NULL};
static const char *const event_keep[] = {
    "metadata.name", "lastTimestamp", "eventTime", "firstTimestamp", "involvedObject",
    "type", "reason", "message", "source", "reportingComponent", "count", NULL};
static const char *const ing_keep[] = {
    META_KEEP, "spec.ingressClassName", "spec.rules.*.host", "spec.tls.*.secretName",
    "status.loadBalancer.ingress", NULL};
static const char *const pvc_keep[] = {
    META_KEEP, "status.phase", "status.capacity.storage", "status.accessModes",
    "spec.volumeName", "spec.storageClassName", "spec.volumeAttributesClassName",
    "spec.volumeMode", NULL};
static const char *const sc_keep[] = {
    META_KEEP, "metadata.annotations", "provisioner", "reclaimPolicy", "volumeBindingMode",
    "allowVolumeExpansion", NULL};
static const char *const lease_keep[] = {META_KEEP, "spec.holderIdentity", NULL};
static const char *const default_keep[] = {META_KEEP, NULL};

/* configmaps and secrets count every data member: they get the whole object */
#define PRINTER(g, p, c, f, k)                                                                     \
	{                                                                                          \
		g, p, c, ARRAY_SIZE(c), f, k                                                       \
	}
static const printer printers[] = {
    PRINTER("", "pods", pod_cols, pod_cells, pod_keep),
    PRINTER("apps", "deployments", deploy_cols, deploy_cells, deploy_keep),
    PRINTER("apps", "replicasets", rs_cols, rs_cells, rs_keep),
    PRINTER("apps", "statefulsets", sts_cols, sts_cells, sts_keep),
    PRINTER("batch", "jobs", job_cols, job_cells, job_keep),
    PRINTER("", "namespaces", ns_cols, ns_cells, ns_keep),
    PRINTER("", "services", svc_cols, svc_cells, svc_keep),
    PRINTER("", "configmaps", cm_cols, cm_cells, NULL),
    PRINTER("", "secrets", secret_cols, secret_cells, NULL),
    PRINTER("", "events", event_cols, event_cells, event_keep),
    PRINTER("networking.k8s.io", "ingresses", ing_cols, ing_cells, ing_keep),
    PRINTER("", "persistentvolumeclaims", pvc_cols, pvc_cells, pvc_keep),
    PRINTER("coordination.k8s.io", "leases", lease_cols, lease_cells, lease_keep),
    PRINTER("storage.k8s.io", "storageclasses", sc_cols, sc_cells, sc_keep),
};
static const printer default_printer =
    PRINTER("", "", default_cols, default_cells, default_keep);

static const printer *printer_for(const sim_resource *res)
{
	for (size_t i = 0; res && i < ARRAY_SIZE(printers); i++)
		if (!strcmp(printers[i].group, res->group) &&
		    !strcmp(printers[i].plural, res->plural))
			return &printers[i];
	return &default_printer;
}

/* ---- the Table ---- */

/* The row's object; takes what it needs out of obj (which is dropped after). */
static cJSON *row_object(cJSON *obj, const char *include)
{
	cJSON *p, *meta;

	if (include && !strcmp(include, "None"))
		return NULL;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "kind", "PartialObjectMetadata");
	cJSON_AddStringToObject(p, "apiVersion", "meta.k8s.io/v1");
	meta = cJSON_DetachItemFromObjectCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(meta)) {
		cJSON_Delete(meta);
		meta = cJSON_CreateObject();
	}
	cJSON_AddItemToObject(p, "metadata", meta);
	return p;
}

/* One row from the whole parsed object (text in any form); 0 when it does not parse. */
static int add_row_parsed(strbuf *sb, const printer *pr, const char *text, const char *include,
			  int64_t now_s)
{
	cJSON *obj = text ? cJSON_Parse(text) : NULL, *row, *cells, *ro;
	char *out;

	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return 0;
	}
	row = cJSON_CreateObject();
	cells = cJSON_AddArrayToObject(row, "cells");
	pr->cells(obj, cells, &(tclock){now_s, NULL});
	if (include && !strcmp(include, "Object")) {
		ro = obj; /* the whole object: handed over, not copied */
		obj = NULL;
	} else {
		ro = row_object(obj, include);
	}
	if (ro)
		cJSON_AddItemToObject(row, "object", ro);
	cJSON_Delete(obj);
	out = cJSON_PrintUnformatted(row);
	cJSON_Delete(row);
	if (!out)
		die("out of memory printing a Table");
	sb_adds(sb, out);
	free(out);
	return 1;
}

/* ---- row templates ----
 * A row made from picked members is kept as a template: the cells' text with the
 * spans measured up to now left open, and where the object's metadata lies in its
 * text. A stored object never changes, so its template is made once, when it is
 * first served as a row, and kept with it (sim_obj.row); serving it again copies
 * text and prints the open spans at the request's clock. */

typedef struct row_hole {
	uint32_t off; /* where in the cells' text the span goes (between its quotes) */
	int64_t from;
} row_hole;

typedef struct row_tpl { /* one malloc'd block: this, the holes, the cells' text */
	uint32_t cells_len;
	uint32_t n_holes;
	uint32_t meta_off, meta_len; /* metadata's value in the object's text; len 0: none */
	row_hole holes[];
} row_tpl;

/* The template of obj's row, from only the members its cells read; NULL when the
 * text is not in the compact form cJSON prints (add_row_parsed serves it then). */
static row_tpl *tpl_make(const printer *pr, const char *text)
{
	struct holes h = {.n = 0};
	tclock clk = {0, &h};
	sim_jpick pk;
	cJSON *cells, *c;
	row_hole holes[MAX_HOLES];
	size_t n_holes = 0;
	row_tpl *t;
	strbuf sb;

	if (!pr->keep || !text || sim_jpick_read(text, pr->keep, &pk))
		return NULL;
	cells = cJSON_CreateArray();
	if (!cells)
		die("out of memory making a Table row");
	pr->cells(pk.tree, cells, &clk);
	cJSON_Delete(pk.tree);
	sb_init(&sb, 256);
	sb_addc(&sb, '[');
	cJSON_ArrayForEach(c, cells)
	{
		size_t k = 0;
		char *out;

		if (c != cells->child)
			sb_addc(&sb, ',');
		while (k < h.n && h.item[k] != c)
			k++;
		if (k < h.n) { /* "" with the span to go between the quotes */
			holes[n_holes].off = (uint32_t)sb.len + 1;
			holes[n_holes++].from = h.from[k];
			sb_adds(&sb, "\"\"");
			continue;
		}
		out = cJSON_PrintUnformatted(c);
		if (!out)
			die("out of memory printing a Table");
		sb_adds(&sb, out);
		free(out);
	}
	sb_addc(&sb, ']');
	cJSON_Delete(cells);
	t = xmalloc(sizeof(*t) + n_holes * sizeof(row_hole) + sb.len + 1);
	t->cells_len = (uint32_t)sb.len;
	t->n_holes = (uint32_t)n_holes;
	t->meta_off = t->meta_len = 0;
	if (pk.meta && pk.meta[0] == '{') {
		t->meta_off = (uint32_t)(pk.meta - text);
		t->meta_len = (uint32_t)pk.meta_len;
	}
	memcpy(t->holes, holes, n_holes * sizeof(row_hole));
	memcpy(t->holes + n_holes, sb.buf, sb.len + 1);
	sb_release(&sb);
	return t;
}

/* The template kept in *slot (made and kept there if none is yet: two threads may
 * both make one, the first kept wins); with no slot, a new one the caller frees. */
static const row_tpl *tpl_get(const printer *pr, const char *text, void **slot, row_tpl **own)
{
	row_tpl *t = slot ? __atomic_load_n(slot, __ATOMIC_ACQUIRE) : NULL;
	void *none = NULL;

	if (t)
		return t;
	if (!(t = tpl_make(pr, text)) || !slot)
		return *own = t;
	if (__atomic_compare_exchange_n(slot, &none, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return t;
	free(t);
	return none;
}

/* The row: the template's cells with their spans at now_s, and the row's object. */
static void tpl_serve(strbuf *sb, const row_tpl *t, const char *text, const char *include,
		      int64_t now_s)
{
	const char *cells = (const char *)(t->holes + t->n_holes);
	size_t at = 0;
	char span[32];

	sb_adds(sb, "{\"cells\":");
	for (uint32_t i = 0; i < t->n_holes; i++) {
		sb_add(sb, cells + at, t->holes[i].off - at);
		sim_table_human_duration(now_s - t->holes[i].from, span, sizeof(span));
		sb_adds(sb, span);
		at = t->holes[i].off;
	}
	sb_add(sb, cells + at, t->cells_len - at);
	if (include && !strcmp(include, "None")) {
		sb_addc(sb, '}');
	} else if (include && !strcmp(include, "Object")) {
		sb_adds(sb, ",\"object\":");
		sb_adds(sb, text);
		sb_addc(sb, '}');
	} else {
		sb_adds(sb, ",\"object\":{\"kind\":\"PartialObjectMetadata\","
			    "\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":");
		if (t->meta_len)
			sb_add(sb, text + t->meta_off, t->meta_len);
		else
			sb_adds(sb, "{}");
		sb_adds(sb, "}}");
	}
}

/* One row from its template (the same bytes as add_row_parsed, for text in the
 * compact form the store keeps); 0 when there is none. */
static int add_row_picked(strbuf *sb, const printer *pr, const char *text, void **slot,
			  const char *include, int64_t now_s)
{
	row_tpl *own = NULL;
	const row_tpl *t = tpl_get(pr, text, slot, &own);

	if (!t)
		return 0;
	tpl_serve(sb, t, text, include, now_s);
	free(own);
	return 1;
}

/* texts[i], or objs[i]'s text with its template kept in objs[i]->row */
static char *render(const sim_resource *res, const char *const *texts, sim_obj *const *objs,
		    size_t n, const char *include, const char *rv, const char *cont,
		    size_t remaining, int64_t now_s)
{
	const printer *pr = printer_for(res);
	cJSON *t = cJSON_CreateObject(), *meta, *defs;
	size_t rows_n = 0;
	strbuf sb;
	char *out;

	cJSON_AddStringToObject(t, "kind", "Table");
	cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
	meta = cJSON_AddObjectToObject(t, "metadata");
	if (rv && *rv)
		cJSON_AddStringToObject(meta, "resourceVersion", rv);
	if (cont && *cont)
		cJSON_AddStringToObject(meta, "continue", cont);
	if (remaining)
		cJSON_AddNumberToObject(meta, "remainingItemCount", (double)remaining);

	defs = cJSON_AddArrayToObject(t, "columnDefinitions");
	for (size_t i = 0; i < pr->n_cols; i++) {
		const col *c = &pr->cols[i];
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "name", c->name);
		cJSON_AddStringToObject(d, "type", c->type);
		cJSON_AddStringToObject(d, "format", c->format);
		cJSON_AddStringToObject(d, "description", c->description);
		cJSON_AddNumberToObject(d, "priority", c->priority);
		cJSON_AddItemToArray(defs, d);
	}

	/* The rows are printed one by one as they are made (the same text as the
	 * whole tree printed at once), so a page never holds all its trees. */
	out = cJSON_PrintUnformatted(t);
	cJSON_Delete(t);
	if (!out)
		die("out of memory printing a Table");
	sb_init(&sb, 512 * (n + 1));
	sb_add(&sb, out, strlen(out) - 1); /* without the closing brace */
	free(out);
	sb_adds(&sb, ",\"rows\":[");
	for (size_t i = 0; i < n; i++) {
		size_t mark = sb.len;
		const char *text = objs ? objs[i]->json : texts[i];
		void **slot = objs ? &objs[i]->row : NULL;

		if (rows_n)
			sb_addc(&sb, ',');
		if (add_row_picked(&sb, pr, text, slot, include, now_s) ||
		    add_row_parsed(&sb, pr, text, include, now_s)) {
			rows_n++;
		} else { /* left out: the comma goes again */
			sb.len = mark;
			sb.buf[mark] = '\0';
		}
	}
	sb_adds(&sb, "]}");
	return sb_detach(&sb, NULL);
}

char *sim_table_render(const sim_resource *res, const char *const *objs, size_t n,
		       const char *include, const char *rv, const char *cont, size_t remaining,
		       int64_t now_s)
{
	return render(res, objs, NULL, n, include, rv, cont, remaining, now_s);
}

char *sim_table_render_objs(const sim_resource *res, sim_obj *const *objs, size_t n,
			    const char *include, const char *rv, const char *cont,
			    size_t remaining, int64_t now_s)
{
	return render(res, NULL, objs, n, include, rv, cont, remaining, now_s);
}
