/* core/fs_info.c — a tenant environment's file server as shown; see fs_info.h. */
#include <pthread.h>
#include <stdio.h>

#include "core/fs_info.h"
#include "core/tcode.h"
#include "core/wizard_fs.h"
#include "util/util.h"

#define PLATFORM_NS "smartops-system"
#define PLATFORM_CM "smart-platform"
#define FS_NOTE_AWS "EFS is elastic: the size is recorded, not a limit"

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "45s", "4m", "3h", "2d", as kubectl ages things. */
static void age(int64_t secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, size, "%llds", (long long)secs);
	else if (secs < 2 * 3600)
		snprintf(buf, size, "%lldm", (long long)(secs / 60));
	else if (secs < 2 * 86400)
		snprintf(buf, size, "%lldh", (long long)(secs / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(secs / 86400));
}

static void roles(strbuf *sb, char (*list)[16], size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", list[i]);
}

void fs_info_describe(fs_info *fi, const char *provider_note, int64_t created, int64_t now,
		      const char *warn_reason, const char *warn_message)
{
	strbuf sb;
	char a[32];

	sb_init(&sb, 128);
	if (!fi->present) {
		sb_adds(&sb, "no claim " FS_INFO_CLAIM);
		if (fi->n_mounted)
			sb_adds(&sb, ", yet AppServers mount it: their pods cannot start");
	} else {
		sb_adds(&sb, fi->phase[0] ? fi->phase : "Pending");
		if (strcmp(fi->phase, "Bound") && created > 0) {
			age(now - created, a, sizeof(a));
			sb_addf(&sb, " %s", a);
		}
		if (strcmp(fi->phase, "Bound") && warn_reason && *warn_reason) {
			sb_addf(&sb, ": %s", warn_reason);
			if (warn_message && *warn_message)
				sb_addf(&sb, ": %s", warn_message);
		} else if (fi->capacity[0]) {
			sb_addf(&sb, ", %s", fi->capacity);
			if (fi->requested[0] && strcmp(fi->requested, fi->capacity))
				sb_addf(&sb, " (%s requested)", fi->requested);
		} else if (fi->requested[0]) {
			sb_addf(&sb, ", %s requested", fi->requested);
		}
		if (provider_note && *provider_note)
			sb_addf(&sb, " (%s)", provider_note);
		if (fi->n_mounted) {
			sb_adds(&sb, "; mounted by ");
			roles(&sb, fi->mounted_by, fi->n_mounted);
		} else {
			sb_adds(&sb, "; mounted by no AppServer");
		}
	}
	if (fi->n_unmounted) {
		sb_adds(&sb, "; not mounted by ");
		roles(&sb, fi->unmounted, fi->n_unmounted);
	}
	util_strlcpy(fi->detail, sb.buf, sizeof(fi->detail));
	sb_release(&sb);
}

/* The claim: fills the claim fields; its creationTimestamp in *created. */
static void read_claim(const cJSON *pvc, fs_info *out, int64_t *created)
{
	const cJSON *spec = jget(pvc, "spec"), *st = jget(pvc, "status"), *m, *modes;
	const char *s;

	out->present = 1;
	util_strlcpy(out->cls, (s = jstr(spec, "storageClassName")) ? s : "", sizeof(out->cls));
	util_strlcpy(out->phase, (s = jstr(st, "phase")) ? s : "Pending", sizeof(out->phase));
	util_strlcpy(out->capacity, (s = jstr(jget(st, "capacity"), "storage")) ? s : "", sizeof(out->capacity));
	util_strlcpy(out->requested, (s = jstr(jget(jget(spec, "resources"), "requests"), "storage")) ? s : "",
		     sizeof(out->requested));
	modes = jget(st, "accessModes");
	if (!cJSON_IsArray(modes) || !cJSON_GetArraySize(modes))
		modes = jget(spec, "accessModes");
	cJSON_ArrayForEach(m, modes) if (cJSON_IsString(m) && out->n_modes < 3)
		util_strlcpy(out->modes[out->n_modes++], m->valuestring, sizeof(out->modes[0]));
	s = jstr(jget(pvc, "metadata"), "creationTimestamp");
	*created = s ? util_parse_rfc3339(s) : 0;
	if (*created < 0)
		*created = 0;
}

#define FS_MEMO_MAX 32 /* classes kept: a cluster has a few */

struct fs_memo {
	pthread_mutex_t mu;
	struct {
		const k8s_client *c;
		char cls[64];
		char provider[16];
	} e[FS_MEMO_MAX];
	size_t n;
};

fs_memo *fs_memo_new(void)
{
	fs_memo *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void fs_memo_free(fs_memo *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* 1 and out->provider when m knows the class of out on c. */
static int memo_find(fs_memo *m, const k8s_client *c, fs_info *out)
{
	int found = 0;

	if (!m)
		return 0;
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->n && !found; i++)
		if (m->e[i].c == c && !strcmp(m->e[i].cls, out->cls)) {
			util_strlcpy(out->provider, m->e[i].provider, sizeof(out->provider));
			found = 1;
		}
	pthread_mutex_unlock(&m->mu);
	return found;
}

static void memo_keep(fs_memo *m, const k8s_client *c, const fs_info *out)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	if (m->n < FS_MEMO_MAX) { /* (two readers of one class: kept twice, found alike) */
		m->e[m->n].c = c;
		util_strlcpy(m->e[m->n].cls, out->cls, sizeof(m->e[0].cls));
		util_strlcpy(m->e[m->n].provider, out->provider, sizeof(m->e[0].provider));
		m->n++;
	}
	pthread_mutex_unlock(&m->mu);
}

/* The provider of the claim's class, and the provider's note. */
static void read_provider(k8s_client *c, fs_memo *m, fs_info *out, const char **note)
{
	cJSON *sc = NULL, *cm = NULL;
	char *path;
	k8s_err err;
	const char *prov;

	*note = NULL;
	if (!out->cls[0])
		return;
	if (memo_find(m, c, out)) {
		if (!strcmp(out->provider, "aws"))
			*note = FS_NOTE_AWS;
		return;
	}
	path = k8s_path("storage.k8s.io", "v1", NULL, "storageclasses", out->cls);
	if (k8s_get(c, path, &sc, &err) == 0 && (prov = jstr(sc, "provisioner"))) {
		int cm_said;

		free(path);
		path = k8s_path(NULL, "v1", PLATFORM_NS, "configmaps", PLATFORM_CM);
		cm_said = k8s_get(c, path, &cm, &err) == 0 || err.http == 404;
		fs_provider_of(jstr(jget(cm, "data"), "fileserver.providers"), prov, out->provider,
			       sizeof(out->provider));
		if (cm_said)
			memo_keep(m, c, out);
		if (!strcmp(out->provider, "aws"))
			*note = FS_NOTE_AWS;
	}
	free(path);
	cJSON_Delete(sc);
	cJSON_Delete(cm);
}

typedef struct mounts_ctx {
	fs_info *out;
	char all[FS_INFO_MAX_ROLES][16];
	size_t n_all;
} mounts_ctx;

/* An AppServer Deployment: does its template mount the claim, and where. */
static int on_deploy(void *vctx, const cJSON *d)
{
	mounts_ctx *m = vctx;
	const cJSON *meta = jget(d, "metadata"), *pspec = jget(jget(jget(d, "spec"), "template"), "spec"), *v, *ct,
		    *vm;
	const char *role = NULL, *vol = NULL;
	const cJSON *l;

	cJSON_ArrayForEach(l, jget(meta, "labels")) {
		size_t n = strlen(l->string);
		if (n >= 8 && !strcmp(l->string + n - 8, "/service") && cJSON_IsString(l))
			role = l->valuestring;
	}
	if (!role)
		role = jstr(meta, "name");
	if (!role || m->n_all >= FS_INFO_MAX_ROLES)
		return 0;
	util_strlcpy(m->all[m->n_all++], role, sizeof(m->all[0]));
	cJSON_ArrayForEach(v, jget(pspec, "volumes")) {
		const char *claim = jstr(jget(v, "persistentVolumeClaim"), "claimName");
		if (claim && !strcmp(claim, FS_INFO_CLAIM))
			vol = jstr(v, "name");
	}
	if (!vol)
		return 0;
	util_strlcpy(m->out->mounted_by[m->out->n_mounted++], role, sizeof(m->out->mounted_by[0]));
	cJSON_ArrayForEach(ct, jget(pspec, "containers")) {
		cJSON_ArrayForEach(vm, jget(ct, "volumeMounts")) {
			const char *n = jstr(vm, "name"), *p = jstr(vm, "mountPath");
			if (n && p && !strcmp(n, vol) && !m->out->path[0])
				util_strlcpy(m->out->path, p, sizeof(m->out->path));
		}
	}
	return 0;
}

static int cmp_role(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void read_mounts(k8s_client *c, const char *prefix, const char *ns, fs_info *out)
{
	char sel[160], key[128];
	char *path = k8s_path("apps", "v1", ns, "deployments", NULL);
	k8s_list_opts lo = {0};
	mounts_ctx m;
	k8s_err err;

	memset(&m, 0, sizeof(m));
	m.out = out;
	tcode_key(prefix, "component", key, sizeof(key));
	snprintf(sel, sizeof(sel), "%s=appserver", key);
	lo.label_selector = sel;
	k8s_list(c, path, &lo, on_deploy, &m, NULL, 0, &err);
	free(path);
	qsort(out->mounted_by, out->n_mounted, sizeof(out->mounted_by[0]), cmp_role);
	if (!out->n_mounted)
		return;
	/* siblings that do not mount what the others mount */
	qsort(m.all, m.n_all, sizeof(m.all[0]), cmp_role);
	for (size_t i = 0; i < m.n_all; i++) {
		size_t k;
		for (k = 0; k < out->n_mounted; k++)
			if (!strcmp(m.all[i], out->mounted_by[k]))
				break;
		if (k == out->n_mounted)
			util_strlcpy(out->unmounted[out->n_unmounted++], m.all[i], sizeof(out->unmounted[0]));
	}
}

typedef struct warn_ctx {
	char reason[48], message[200];
	int64_t last;
} warn_ctx;

static int on_event(void *vctx, const cJSON *ev)
{
	warn_ctx *w = vctx;
	const char *type = jstr(ev, "type"), *t = jstr(ev, "lastTimestamp");
	int64_t when;

	if (!t)
		t = jstr(ev, "eventTime");
	if (!type || strcmp(type, "Warning"))
		return 0;
	when = t ? util_parse_rfc3339(t) : 0;
	if (w->reason[0] && when < w->last)
		return 0;
	w->last = when;
	util_strlcpy(w->reason, jstr(ev, "reason") ? jstr(ev, "reason") : "", sizeof(w->reason));
	util_strlcpy(w->message, jstr(ev, "message") ? jstr(ev, "message") : "", sizeof(w->message));
	return 0;
}

void fs_info_read(k8s_client *c, const char *prefix, const char *ns, fs_info *out)
{
	fs_info_read_memo(c, prefix, ns, NULL, out);
}

void fs_info_read_memo(k8s_client *c, const char *prefix, const char *ns, fs_memo *m, fs_info *out)
{
	char *path = k8s_path(NULL, "v1", ns, "persistentvolumeclaims", FS_INFO_CLAIM);
	cJSON *pvc = NULL;
	const char *note = NULL;
	int64_t created = 0;
	warn_ctx w;
	k8s_err err;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	if (k8s_get(c, path, &pvc, &err) < 0) {
		free(path);
		if (err.http != 404) {
			snprintf(out->detail, sizeof(out->detail), "claim %s/%s cannot be read: %.200s", ns,
				 FS_INFO_CLAIM, err.msg);
			return;
		}
	} else {
		free(path);
		read_claim(pvc, out, &created);
		read_provider(c, m, out, &note);
		if (strcmp(out->phase, "Bound")) {
			k8s_list_opts lo = {0};
			path = k8s_path(NULL, "v1", ns, "events", NULL);
			lo.field_selector = "involvedObject.kind=PersistentVolumeClaim,involvedObject.name=" FS_INFO_CLAIM;
			k8s_list(c, path, &lo, on_event, &w, NULL, 0, &err);
			free(path);
		}
	}
	read_mounts(c, prefix, ns, out);
	out->read = 1;
	fs_info_describe(out, note, created, k8s_client_server_now(c), w.reason, w.message);
	cJSON_Delete(pvc);
}
