/* views/tenant_deps.c — the tenant screen's database and file server; see tenant_deps.h. */
#include <stdio.h>

#include "core/health.h"
#include "views/tenant_deps.h"
#include "util/util.h"

#define DB_RECHECK_MS 30000 /* a live database check is kept this long */

static void *dup_mem(const void *p, size_t size)
{
	void *q = xmalloc(size);

	memcpy(q, p, size);
	return q;
}

void tenant_deps_release(tenant_deps *d)
{
	free(d->ns);
	free(d->db);
	free(d->db_ms);
	free(d->fs);
	memset(d, 0, sizeof(*d));
}

tenant_env_ref *tenant_deps_refs(const fleet_snapshot *s, const fleet_cluster_cfg *cfg, size_t n_cfg)
{
	tenant_env_ref *r = xcalloc(s->n_envs ? s->n_envs : 1, sizeof(*r));

	for (size_t i = 0; i < s->n_envs; i++) {
		size_t ci = fleet_tenant_at(s, s->env_tenant[i])->cluster;

		util_strlcpy(r[i].ns, fleet_env(s, i)->ns, sizeof(r[i].ns));
		r[i].client = ci < n_cfg && !fleet_env(s, i)->fresh.stale ? cfg[ci].client : NULL;
		r[i].product = fleet_env(s, i)->product;
	}
	return r;
}

/* Fills out for the n envs of r; prev (may be empty) gives database checks younger
 * than DB_RECHECK_MS, kept as they are. Blocking: the worker's. */
void tenant_deps_load(const tenant_env_ref *r, size_t n, const char *prefix, const tenant_deps *prev, tenant_deps *out)
{
	size_t m = n ? n : 1;

	out->n = n;
	out->ns = xcalloc(m, sizeof(*out->ns));
	out->db = xcalloc(m, sizeof(*out->db));
	out->db_ms = xcalloc(m, sizeof(*out->db_ms));
	out->fs = xcalloc(m, sizeof(*out->fs));
	for (size_t i = 0; i < n; i++) {
		size_t k;

		util_strlcpy(out->ns[i], r[i].ns, sizeof(out->ns[i]));
		if (!r[i].client) {
			out->db[i].state = "unknown";
			snprintf(out->db[i].detail, sizeof(out->db[i].detail), "the cluster was not reached");
			snprintf(out->fs[i].detail, sizeof(out->fs[i].detail), "the cluster was not reached");
			continue;
		}
		if (r[i].product != MODEL_PRODUCT_ESOCIAL)
			fs_info_read(r[i].client, prefix, r[i].ns, &out->fs[i]);
		for (k = 0; k < prev->n; k++)
			if (!strcmp(prev->ns[k], r[i].ns) && prev->db_ms[k] && util_now_ms() - prev->db_ms[k] < DB_RECHECK_MS)
				break;
		if (k < prev->n) {
			out->db[i] = prev->db[k];
			out->db_ms[i] = prev->db_ms[k];
		} else {
			db_info_read(r[i].client, prefix, r[i].ns, 5, &out->db[i]);
			out->db_ms[i] = util_now_ms();
		}
	}
}

void tenant_deps_copy(const tenant_deps *from, tenant_deps *to)
{
	size_t m = from->n ? from->n : 1;

	to->n = from->n;
	to->ns = dup_mem(from->ns, m * sizeof(*from->ns));
	to->db = dup_mem(from->db, m * sizeof(*from->db));
	to->db_ms = dup_mem(from->db_ms, m * sizeof(*from->db_ms));
	to->fs = dup_mem(from->fs, m * sizeof(*from->fs));
}

/* The entry of d for namespace ns, or -1. */
int tenant_deps_find(const tenant_deps *d, const char *ns)
{
	for (size_t i = 0; d && i < d->n; i++)
		if (!strcmp(d->ns[i], ns))
			return (int)i;
	return -1;
}

/* The env's health with what it waits for outside its workloads (core/health.h). */
void tenant_deps_health(const model_env *e, const health_result *base, const tenant_deps *dd, health_result *out)
{
	int dk = tenant_deps_find(dd, e->ns);
	health_deps hd = {0};

	*out = *base;
	if (dk < 0)
		return;
	hd.db_state = dd->db[dk].state;
	hd.db_name = dd->db[dk].name;
	hd.db_host = dd->db[dk].host;
	hd.db_port = dd->db[dk].port;
	hd.db_detail = dd->db[dk].detail;
	if (dd->fs[dk].read && e->product != MODEL_PRODUCT_ESOCIAL) {
		hd.fs_phase = dd->fs[dk].present ? dd->fs[dk].phase : "";
		hd.fs_detail = dd->fs[dk].detail;
		hd.fs_mounted = (const char(*)[16])dd->fs[dk].mounted_by;
		hd.n_fs_mounted = dd->fs[dk].n_mounted;
	}
	health_env_deps(e, &hd, out);
}

