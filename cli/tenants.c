/* cli/tenants.c — `smartops tenants` and `smartops tenant TCODE`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/clusters.h"
#include "cli/ini.h"
#include "cli/output.h"
#include "cli/tenants.h"
#include "cli/tenants_changes.h"
#include "core/build_info.h"
#include "core/catalog.h"
#include "core/env_deps.h"
#include "core/forecast.h"
#include "core/hypnus_wakes.h"
#include "core/hypnus.h"
#include "core/tcode.h"
#include "util/parallel.h"
#include "util/trace.h"
#include "util/util.h"

#define RECENT_WAKES 24 /* Hypnus wakes in a tenant's JSON, newest first */

/* ---- rendering ---- */

static const char *product_name(int p)
{
	return p == MODEL_PRODUCT_ERP ? "erp" : p == MODEL_PRODUCT_ESOCIAL ? "esocial" : "unknown";
}

static int in_list(const char *list, const char *word)
{
	const char *p = list;
	size_t n = strlen(word);

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncasecmp(p, word, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

int tenants_filter_matches(const fleet_tenant *t, const tenants_filter *flt)
{
	if (!flt)
		return 1;
	if (flt->health && !in_list(flt->health, health_name(t->health.state)))
		return 0;
	if (flt->product && strcasecmp(flt->product, product_name(t->t.product)))
		return 0;
	return 1;
}

/* key: a name of this file's, written as it is (nothing in it to escape) */
static void json_key(strbuf *sb, const char *key, int comma)
{
	if (comma)
		sb_addc(sb, ',');
	sb_addc(sb, '"');
	sb_adds(sb, key);
	sb_add(sb, "\":", 2);
}

static void json_kv(strbuf *sb, const char *key, const char *val, int comma)
{
	json_key(sb, key, comma);
	output_json_string(sb, val);
}

/* ,"key":v without a printf: the fleet's list writes ten numbers an environment */
static void json_int(strbuf *sb, const char *key, long long v)
{
	char d[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n = sizeof(d);

	do {
		d[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		d[--n] = '-';
	json_key(sb, key, 1);
	sb_add(sb, d + n, sizeof(d) - n);
}

static void json_time(strbuf *sb, const char *key, int64_t t)
{
	char buf[40];

	json_key(sb, key, 1);
	if (t > 0) {
		util_rfc3339(t, buf, sizeof(buf));
		output_json_string(sb, buf);
	} else {
		sb_adds(sb, "null");
	}
}

/* The component a down cause names first ("lockserver down (...)"), or "". */
static void cause_component(const health_result *h, char *buf, size_t size)
{
	const char *sp = strstr(h->cause, " down");

	buf[0] = '\0';
	if (h->state == HEALTH_DOWN && sp && (size_t)(sp - h->cause) < size) {
		memcpy(buf, h->cause, (size_t)(sp - h->cause));
		buf[sp - h->cause] = '\0';
	} else if (h->state == HEALTH_BLOCKED) {
		util_strlcpy(buf, HEALTH_LICENSE_COMPONENT, size);
	}
}

/* The Hypnus forecast of one environment (tenant detail only). */
static void json_forecast(strbuf *sb, const forecast *f)
{
	char buf[40];
	size_t i, n;

	if (!f || f->state != FORECAST_OK) {
		sb_adds(sb, "null");
		return;
	}
	sb_adds(sb, "{\"timezone\":");
	output_json_string(sb, f->timezone);
	sb_addf(sb, ",\"utc_offset_minutes\":%d,\"cold_start_s\":%d,\"windows\":[",
		f->utc_offset_min, f->cold_start_s);
	n = f->n_windows < HYPNUS_MAX_WINDOWS ? f->n_windows : HYPNUS_MAX_WINDOWS;
	for (i = 0; i < n; i++)
		sb_addf(sb, "%s{\"weekday\":\"%s\",\"hour\":%d,\"hours\":%d}", i ? "," : "",
			hypnus_weekday_name(f->windows[i].wday), f->windows[i].hour,
			f->windows[i].hours);
	sb_adds(sb, "],\"wakes\":[");
	for (i = 0; i < f->n_wakes; i++) {
		const hypnus_wake *w = &f->wakes[i];
		util_rfc3339(w->wake_utc, buf, sizeof(buf));
		sb_addf(sb, "%s{\"wake\":\"%s\"", i ? "," : "", buf);
		util_rfc3339(w->start_utc, buf, sizeof(buf));
		sb_addf(sb, ",\"start\":\"%s\"", buf);
		util_rfc3339(w->end_utc, buf, sizeof(buf));
		sb_addf(sb, ",\"end\":\"%s\"}", buf);
	}
	sb_addc(sb, ']');
	json_time(sb, "next_wake", f->n_wakes ? f->wakes[0].wake_utc : 0);
	sb_addc(sb, '}');
}

/* key: the string, or null for NULL */
static void json_kv_null(strbuf *sb, const char *key, const char *val)
{
	json_key(sb, key, 1);
	if (val)
		output_json_string(sb, val);
	else
		sb_adds(sb, "null");
}

/* "database": what core/db_info.h found for the env. */
static void json_database(strbuf *sb, const db_info *d)
{
	sb_adds(sb, ",\"database\":{");
	json_key(sb, "engine", 0);
	if (d->engine)
		output_json_string(sb, d->engine);
	else
		sb_adds(sb, "null");
	json_kv_null(sb, "mode", d->mode);
	json_kv_null(sb, "host", d->host[0] ? d->host : NULL);
	if (d->port)
		json_int(sb, "port", d->port);
	else
		sb_adds(sb, ",\"port\":null");
	json_kv_null(sb, "name", d->name[0] ? d->name : NULL);
	json_kv_null(sb, "user", d->user[0] ? d->user : NULL);
	json_kv(sb, "state", d->state, 1);
	json_kv(sb, "detail", d->detail, 1);
	sb_addc(sb, '}');
}

/* "fileserver": what core/fs_info.h found for the env; null where it is eSocial's. */
static void json_fileserver(strbuf *sb, const fs_info *f)
{
	size_t i;

	sb_adds(sb, ",\"fileserver\":{");
	json_key(sb, "provider", 0);
	if (f->provider[0])
		output_json_string(sb, f->provider);
	else
		sb_adds(sb, "null");
	json_kv_null(sb, "class", f->cls[0] ? f->cls : NULL);
	json_kv_null(sb, "claim", f->present ? FS_INFO_CLAIM : NULL);
	json_kv_null(sb, "phase", f->present ? f->phase : NULL);
	json_kv_null(sb, "capacity", f->capacity[0] ? f->capacity : NULL);
	json_kv_null(sb, "requested", f->requested[0] ? f->requested : NULL);
	sb_adds(sb, ",\"access_modes\":[");
	for (i = 0; i < f->n_modes; i++) {
		if (i)
			sb_addc(sb, ',');
		output_json_string(sb, f->modes[i]);
	}
	sb_adds(sb, "],\"mounted_by\":[");
	for (i = 0; i < f->n_mounted; i++) {
		if (i)
			sb_addc(sb, ',');
		output_json_string(sb, f->mounted_by[i]);
	}
	sb_adds(sb, "],\"not_mounted_by\":[");
	for (i = 0; i < f->n_unmounted; i++) {
		if (i)
			sb_addc(sb, ',');
		output_json_string(sb, f->unmounted[i]);
	}
	sb_addc(sb, ']');
	json_kv_null(sb, "path", f->path[0] ? f->path : NULL);
	json_kv(sb, "detail", f->detail, 1);
	sb_addc(sb, '}');
}

static void json_env(strbuf *sb, const fleet_snapshot *s, int32_t ei, int detail,
		     const forecast *fc, const tenants_deps *x)
{
	const model_env *e = fleet_env(s, ei);
	const health_result *h = x && x->env_health ? &x->env_health[ei] : fleet_env_health(s, ei);
	char comp[32];
	size_t i;

	sb_addc(sb, '{');
	json_kv(sb, "env", tcode_env_name((tcode_env)e->env), 0);
	json_kv(sb, "namespace", e->ns, 1);
	json_kv(sb, "health", health_name(h->state), 1);
	json_kv(sb, "cause", h->cause, 1);
	cause_component(h, comp, sizeof(comp));
	json_kv(sb, "cause_component", comp, 1);
	sb_adds(sb, ",\"base\":[");
	for (i = 0; i < e->n_base && i < MODEL_MAX_BASE; i++) {
		const model_base *b = &e->base[i];
		sb_adds(sb, i ? ",{" : "{");
		json_kv(sb, "component", b->component, 0);
		json_int(sb, "ready", b->ready);
		json_int(sb, "desired", b->desired);
		json_int(sb, "restarts", b->restarts);
		json_kv(sb, "reason",
			model_text(e, b->waiting_reason ? b->waiting_reason : b->terminated_reason), 1);
		sb_addc(sb, '}');
	}
	sb_adds(sb, "],\"public\":[");
	for (i = 0; i < e->n_public && i < MODEL_MAX_PUBLIC; i++) {
		const model_public *p = &e->pub[i];
		sb_adds(sb, i ? ",{" : "{");
		json_kv(sb, "service", p->role, 0);
		json_int(sb, "ready", p->ready);
		json_int(sb, "desired", p->desired);
		json_kv(sb, "host", model_text(e, p->host), 1);
		sb_addc(sb, '}');
	}
	sb_adds(sb, "],\"hypnus\":");
	if (e->hypnus.present) {
		sb_addc(sb, '{');
		json_kv(sb, "state", hypnus_state_name((model_hypnus_state)e->hypnus.state), 0);
		json_time(sb, "last_activity", e->hypnus.last_activity);
		json_int(sb, "idle_timeout_s", e->hypnus.idle_timeout_s);
		json_time(sb, "last_wake", e->hypnus.last_wake);
		json_int(sb, "cold_start_s", e->hypnus.cold_start_s);
		if (detail) {
			hypnus_wake_rec wk[RECENT_WAKES];
			size_t n = hypnus_wakes(s->events, s->event_env, ei, s->n_events, wk, RECENT_WAKES);

			sb_adds(sb, ",\"forecast\":");
			json_forecast(sb, fc ? &fc[ei] : NULL);
			sb_adds(sb, ",\"recent_wakes\":[");
			for (i = 0; i < n; i++) {
				sb_adds(sb, i ? ",{" : "{");
				json_kv(sb, "cause", hypnus_wake_cause_name(wk[i].cause), 0);
				json_time(sb, "start", wk[i].start);
				json_time(sb, "ready", wk[i].ready);
				if (wk[i].ready)
					sb_addf(sb, ",\"cold_start_s\":%lld", (long long)(wk[i].ready - wk[i].start));
				else
					sb_adds(sb, ",\"cold_start_s\":null");
				sb_addc(sb, '}');
			}
			sb_addc(sb, ']');
		}
		sb_addc(sb, '}');
	} else {
		sb_adds(sb, "null");
	}
	if (detail) {
		size_t n = 0;
		sb_adds(sb, ",\"pods\":[");
		for (i = 0; i < s->n_pods; i++) {
			const project_pod *p = &s->pods[i];
			if (s->pod_env[i] != ei)
				continue;
			sb_adds(sb, n++ ? ",{" : "{");
			json_kv(sb, "name", p->m.name, 0);
			json_kv(sb, "component", p->component, 1);
			json_kv(sb, "phase", p->phase, 1);
			sb_addf(sb, ",\"ready\":%s,\"restarts\":%d", p->ready ? "true" : "false",
				(int)p->restarts);
			json_kv(sb, "reason",
				p->waiting_reason[0] ? p->waiting_reason : p->terminated_reason, 1);
			json_kv(sb, "message", p->message, 1);
			json_kv(sb, "node", p->node, 1);
			sb_addc(sb, '}');
		}
		n = 0;
		sb_adds(sb, "],\"events\":[");
		for (i = 0; i < s->n_events; i++) {
			const project_event *v = &s->events[i];
			if (s->event_env[i] != ei)
				continue;
			sb_adds(sb, n++ ? ",{" : "{");
			json_kv(sb, "type", v->type, 0);
			json_kv(sb, "reason", v->reason, 1);
			json_kv(sb, "kind", v->kind, 1);
			json_kv(sb, "object", v->object, 1);
			json_kv(sb, "message", v->message, 1);
			sb_addf(sb, ",\"count\":%d", (int)v->count);
			json_time(sb, "last", v->last);
			sb_addc(sb, '}');
		}
		sb_addc(sb, ']');
	}
	if (x && x->db)
		json_database(sb, &x->db[ei]);
	if (x && x->fs) {
		if (e->product == MODEL_PRODUCT_ESOCIAL)
			sb_adds(sb, ",\"fileserver\":null");
		else
			json_fileserver(sb, &x->fs[ei]);
	}
	if (x && x->custom && x->custom[ei]) /* an ERP env's custom RPO (core/build_info.h) */
		sb_addf(sb, ",\"custom\":%s", x->custom[ei]);
	sb_addc(sb, '}');
}

/* Tenant ti of s. */
static void json_tenant(strbuf *sb, const fleet_snapshot *s, size_t ti, int detail,
			const forecast *fc, const tenants_deps *x)
{
	const fleet_tenant *t = fleet_tenant_at(s, ti);
	const model_contract *c = &t->t.contract;
	const health_result *th = x && x->tenant_health ? &x->tenant_health[ti] : &t->health;
	int w, n = 0;

	json_kv(sb, "tcode", t->t.tcode, 0);
	json_kv(sb, "customer", t->t.customer, 1);
	json_kv(sb, "product", product_name(t->t.product), 1);
	json_kv(sb, "provider", t->provider, 1);
	json_kv(sb, "cluster", t->t.cluster, 1);
	json_kv(sb, "health", health_name(th->state), 1);
	json_kv(sb, "cause", th->cause, 1);
	sb_adds(sb, ",\"contract\":");
	if (c->known) {
		sb_addc(sb, '{');
		json_kv(sb, "status", c->status, 0);
		json_time(sb, "valid_until", c->valid_until);
		json_kv(sb, "products", c->products, 1);
		json_int(sb, "licences", c->licences);
		sb_addc(sb, '}');
	} else {
		sb_adds(sb, "null");
	}
	sb_adds(sb, ",\"envs\":[");
	for (w = 0; w < 2; w++) {
		if (t->env[w] < 0)
			continue;
		if (n++)
			sb_addc(sb, ',');
		json_env(sb, s, t->env[w], detail, fc, x);
	}
	sb_addc(sb, ']');
}

static const char *reach_name(int r)
{
	return r == FLEET_OK ? "ok" : r == FLEET_UNREACHABLE ? "unreachable" : "failed";
}

void tenants_json_cluster(const fleet_snapshot *s, size_t ci, strbuf *sb)
{
	const fleet_cluster_state *c = &s->clusters[ci];

	sb_addc(sb, '{');
	json_kv(sb, "name", c->name, 0);
	json_kv(sb, "state", reach_name(c->reach), 1);
	json_time(sb, "since", c->since);
	json_kv(sb, "why", c->why, 1);
	json_kv(sb, "note", c->note, 1);
	json_kv(sb, "rules", c->rules_custom ? "cluster" : "default", 1);
	json_int(sb, "tenants", (long long)c->n_tenants);
	sb_addc(sb, '}');
}

static void json_clusters(strbuf *sb, const fleet_snapshot *s)
{
	size_t i;

	sb_adds(sb, "\"clusters\":[");
	for (i = 0; i < s->n_clusters; i++) {
		if (i)
			sb_addc(sb, ',');
		tenants_json_cluster(s, i, sb);
	}
	sb_addc(sb, ']');
}

void tenants_json_item(const fleet_snapshot *s, size_t ti, strbuf *sb)
{
	sb_addc(sb, '{');
	json_tenant(sb, s, ti, 0, NULL, NULL);
	sb_addc(sb, '}');
}

static int write_all(int fd, const char *buf, size_t len);

/* The TenantList into out; with fd >= 0, out is written to fd (and emptied)
 * whenever it holds 64 KiB, so a long list is never whole in memory. -1 when
 * a write failed. */
static int render_json(const fleet_snapshot *s, const tenants_filter *flt, strbuf *out, int fd)
{
	size_t i, n = 0;
	int rc = 0;

	sb_adds(out, "{\"kind\":\"TenantList\",");
	json_clusters(out, s);
	sb_adds(out, ",\"items\":[");
	for (i = 0; i < s->n_tenants; i++) {
		if (!tenants_filter_matches(fleet_tenant_at(s, i), flt))
			continue;
		if (n++)
			sb_addc(out, ',');
		tenants_json_item(s, i, out);
		if (fd >= 0 && out->len >= 65536) {
			if (!rc && write_all(fd, out->buf, out->len) < 0)
				rc = -1;
			sb_reset(out);
		}
	}
	sb_adds(out, "]}\n");
	return rc;
}

void tenants_render_json(const fleet_snapshot *s, const tenants_filter *flt, strbuf *out)
{
	render_json(s, flt, out, -1);
}

static const char *env_health(const fleet_snapshot *s, const fleet_tenant *t, int env)
{
	return t->env[env] < 0 ? "-" : health_name(fleet_env_health(s, t->env[env])->state);
}

void tenants_render_table(const fleet_snapshot *s, const tenants_filter *flt, int wide,
			  size_t width, strbuf *out)
{
	tenants_render_table_db(s, flt, wide, width, NULL, out);
}

/* "managed ready", "container ready", "oracle handed-off", "-" */
static void db_cell(const db_info *d, char *buf, size_t size)
{
	if (!d || !d->state)
		snprintf(buf, size, "-");
	else if (!d->mode)
		snprintf(buf, size, "%s", d->state);
	else if (!strcmp(d->mode, "handoff"))
		snprintf(buf, size, "oracle %s", d->state);
	else if (!strcmp(d->state, "unknown") && !strcmp(d->detail, "not checked live"))
		snprintf(buf, size, "%s", d->mode);
	else
		snprintf(buf, size, "%s %s", d->mode, d->state);
}

void tenants_render_table_db(const fleet_snapshot *s, const tenants_filter *flt, int wide, size_t width,
			     const db_info *dbi, strbuf *out)
{
	static const output_col narrow_cols[] = {
	    {"TCODE", 6, 0}, {"CLUSTER", 7, 0}, {"CUSTOMER", 10, 0}, {"HEALTH", 9, 0},
	    {"PROD", 9, 0},  {"DEV", 9, 0},	{"CAUSE", 12, 0},
	};
	static const output_col wide_cols[] = {
	    {"TCODE", 6, 0},	{"CLUSTER", 7, 0},  {"CUSTOMER", 10, 0}, {"PRODUCT", 7, 0},
	    {"PROVIDER", 8, 0}, {"HEALTH", 9, 0},   {"PROD", 9, 0},	 {"DEV", 9, 0},
	    {"HYPNUS", 8, 0},	{"CONTRACT", 8, 0}, {"DATABASE", 8, 0}, {"CAUSE", 12, 0},
	};
	output_col cols[OUTPUT_MAX_COLS];
	const output_col *src = wide ? wide_cols : narrow_cols;
	size_t nsrc = wide ? ARRAY_SIZE(wide_cols) : ARRAY_SIZE(narrow_cols);
	int multi = s->n_clusters > 1;
	size_t i, n = 0;
	output_table tb;

	for (i = 0; i < nsrc; i++)
		if (multi || strcmp(src[i].header, "CLUSTER"))
			cols[n++] = src[i];
	output_table_init(&tb, cols, n);
	for (i = 0; i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);
		const char *cells[OUTPUT_MAX_COLS];
		size_t k = 0;
		const char *hyp = "-";
		char dbc[48];

		if (!tenants_filter_matches(t, flt))
			continue;
		if (t->env[0] >= 0 && fleet_env(s, t->env[0])->hypnus.present)
			hyp =
			    hypnus_state_name((model_hypnus_state)fleet_env(s, t->env[0])->hypnus.state);
		cells[k++] = t->t.tcode;
		if (multi)
			cells[k++] = t->t.cluster;
		cells[k++] = t->t.customer;
		if (wide) {
			cells[k++] = product_name(t->t.product);
			cells[k++] = t->provider[0] ? t->provider : "-";
		}
		cells[k++] = health_name(t->health.state);
		cells[k++] = env_health(s, t, TCODE_ENV_PROD);
		cells[k++] = env_health(s, t, TCODE_ENV_DEV);
		if (wide) {
			cells[k++] = hyp;
			cells[k++] = t->t.contract.known ? t->t.contract.status : "-";
			db_cell(dbi && t->env[TCODE_ENV_PROD] >= 0 ? &dbi[t->env[TCODE_ENV_PROD]] : NULL, dbc, sizeof(dbc));
			cells[k++] = dbc;
		}
		cells[k++] = t->health.cause;
		output_table_row(&tb, cells);
	}
	output_table_render(&tb, wide ? 0 : width, out);
	output_table_release(&tb);
}

static void text_line(strbuf *sb, const char *label, const char *val)
{
	sb_addf(sb, "%-10s ", label);
	output_escape(sb, val);
	sb_addc(sb, '\n');
}

/* "  forecast  next wake Mon 07:28 local (2026-11-30T10:28:30Z), busy Mon 08:00 for 10 h; 5
 * windows a week" */
static void text_forecast(strbuf *out, const forecast *f)
{
	char buf[40];

	if (f->state == FORECAST_NONE)
		return;
	sb_adds(out, "  forecast  ");
	if (f->state != FORECAST_OK) {
		sb_adds(out, "unavailable: ");
		output_escape(out, f->err);
	} else if (!f->n_wakes) {
		sb_adds(out, "no predicted wake in the next 7 days");
	} else {
		const hypnus_wake *w = &f->wakes[0];
		const hypnus_window *win = &f->windows[w->window];
		time_t lt = (time_t)w->wake_local;
		struct tm tm;

		gmtime_r(&lt, &tm);
		util_rfc3339(w->wake_utc, buf, sizeof(buf));
		sb_addf(out, "next wake %s %02d:%02d local (%s), busy %s %02d:00 for %d h; %zu window%s a week",
			hypnus_weekday_name(tm.tm_wday), tm.tm_hour, tm.tm_min, buf,
			hypnus_weekday_name(win->wday), win->hour, win->hours, f->n_windows,
			f->n_windows == 1 ? "" : "s");
	}
	sb_addc(out, '\n');
}

void tenants_render_one(const fleet_snapshot *s, const forecast *fc, int json, strbuf *out)
{
	tenants_render_one_db(s, fc, NULL, json, out);
}

void tenants_render_one_db(const fleet_snapshot *s, const forecast *fc, const db_info *dbi, int json, strbuf *out)
{
	tenants_deps x = {.db = dbi};

	tenants_render_one_deps(s, fc, &x, json, out);
}

/* "  database  managed PostgreSQL t12345_prod on pg.example:5432: ready, size 7 MB, ..." */
static void text_database(strbuf *out, const db_info *d)
{
	sb_adds(out, "  database ");
	if (d->engine) {
		sb_addf(out, "%s %s ", d->mode ? d->mode : "-", !strcmp(d->engine, "oracle") ? "Oracle" : "PostgreSQL");
		output_escape(out, d->name[0] ? d->name : "-");
		if (d->host[0]) {
			sb_adds(out, " on ");
			output_escape(out, d->host);
			sb_addf(out, ":%d", d->port);
		}
		sb_adds(out, ": ");
	}
	sb_addf(out, "%s", d->state);
	if (d->detail[0]) {
		sb_adds(out, ", ");
		output_escape(out, d->detail);
	}
	sb_addc(out, '\n');
}

/* "  files    totvs totvs-nfs Bound, 100Gi; mounted by rest, webapp at /totvs/protheus_data" */
static void text_fileserver(strbuf *out, const fs_info *f)
{
	sb_adds(out, "  files    ");
	if (f->present) {
		output_escape(out, f->provider[0] ? f->provider : "-");
		sb_addc(out, ' ');
		output_escape(out, f->cls[0] ? f->cls : "-");
		sb_addc(out, ' ');
	}
	output_escape(out, f->detail);
	if (f->path[0]) {
		sb_adds(out, " at ");
		output_escape(out, f->path);
	}
	sb_addc(out, '\n');
}

void tenants_render_one_deps(const fleet_snapshot *s, const forecast *fc, const tenants_deps *x, int json,
			     strbuf *out)
{
	size_t i, k;
	int w;

	if (json) {
		if (s->n_tenants == 1) {
			sb_adds(out, "{\"kind\":\"Tenant\",");
			json_tenant(out, s, 0, 1, fc, x);
			sb_addc(out, ',');
			json_clusters(out, s);
			sb_adds(out, "}\n");
			return;
		}
		/* The same TCODE in several clusters: a list of them. */
		sb_adds(out, "{\"kind\":\"TenantList\",");
		json_clusters(out, s);
		sb_adds(out, ",\"items\":[");
		for (i = 0; i < s->n_tenants; i++) {
			sb_adds(out, i ? ",{" : "{");
			json_tenant(out, s, i, 1, fc, x);
			sb_addc(out, '}');
		}
		sb_adds(out, "]}\n");
		return;
	}
	for (i = 0; i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);
		const health_result *th = x && x->tenant_health ? &x->tenant_health[i] : &t->health;
		char buf[64];

		if (i)
			sb_addc(out, '\n');
		text_line(out, "TCODE", t->t.tcode);
		text_line(out, "customer", t->t.customer);
		text_line(out, "product", product_name(t->t.product));
		text_line(out, "cluster", t->t.cluster);
		if (t->t.contract.known) {
			char date[40] = "open-ended";
			if (t->t.contract.valid_until > 0)
				util_rfc3339(t->t.contract.valid_until, date, sizeof(date));
			snprintf(buf, sizeof(buf), "%s until %.10s", t->t.contract.status, date);
			text_line(out, "contract", buf);
		}
		sb_addf(out, "%-10s %s: ", "health", health_name(th->state));
		output_escape(out, th->cause);
		sb_addc(out, '\n');
		for (w = 0; w < 2; w++) {
			int32_t ei = t->env[w];
			const model_env *e;
			const health_result *eh;
			if (ei < 0)
				continue;
			e = fleet_env(s, ei);
			eh = x && x->env_health ? &x->env_health[ei] : fleet_env_health(s, ei);
			sb_addf(out, "\n%s (", tcode_env_name((tcode_env)e->env));
			output_escape(out, e->ns);
			sb_addf(out, "): %s: ", health_name(eh->state));
			output_escape(out, eh->cause);
			sb_addc(out, '\n');
			if (x && x->db)
				text_database(out, &x->db[ei]);
			if (x && x->fs && e->product != MODEL_PRODUCT_ESOCIAL)
				text_fileserver(out, &x->fs[ei]);
			for (k = 0; k < e->n_base; k++) {
				sb_adds(out, "  base    ");
				output_fit(out, e->base[k].component, 12, 1);
				sb_addf(out, " %d/%d ready, %d restarts", e->base[k].ready,
					e->base[k].desired, (int)e->base[k].restarts);
				if (e->base[k].waiting_reason || e->base[k].terminated_reason) {
					sb_adds(out, ", ");
					output_escape(out, model_text(e, e->base[k].waiting_reason
										 ? e->base[k].waiting_reason
										 : e->base[k].terminated_reason));
				}
				sb_addc(out, '\n');
			}
			for (k = 0; k < e->n_public; k++) {
				sb_adds(out, "  public  ");
				output_fit(out, e->pub[k].role, 12, 1);
				sb_addf(out, " %d/%d ready  ", e->pub[k].ready, e->pub[k].desired);
				output_escape(out, model_text(e, e->pub[k].host));
				sb_addc(out, '\n');
			}
			if (e->hypnus.present) {
				sb_addf(out, "  hypnus  %s, idle timeout %ds",
					hypnus_state_name((model_hypnus_state)e->hypnus.state),
					(int)e->hypnus.idle_timeout_s);
				if (e->hypnus.last_activity > 0) {
					util_rfc3339(e->hypnus.last_activity, buf, sizeof(buf));
					sb_addf(out, ", last request %s", buf);
				}
				sb_addc(out, '\n');
				if (fc)
					text_forecast(out, &fc[ei]);
			}
			for (k = 0; k < s->n_pods; k++) {
				const project_pod *p = &s->pods[k];
				if (s->pod_env[k] != ei)
					continue;
				sb_adds(out, "  pod     ");
				output_fit(out, p->m.name, 36, 1);
				sb_addf(out, " %-9s %s %3d restarts", p->phase[0] ? p->phase : "-",
					p->ready ? "ready    " : "not ready", (int)p->restarts);
				if (p->waiting_reason[0] || p->terminated_reason[0]) {
					sb_adds(out, "  ");
					output_escape(out, p->waiting_reason[0]
							       ? p->waiting_reason
							       : p->terminated_reason);
				}
				sb_addc(out, '\n');
			}
			/* The last few events, oldest first. */
			{
				size_t n = 0, skip;
				for (k = 0; k < s->n_events; k++)
					n += s->event_env[k] == ei;
				skip = n > 10 ? n - 10 : 0;
				for (k = 0; k < s->n_events; k++) {
					const project_event *v = &s->events[k];
					if (s->event_env[k] != ei || (skip && skip--))
						continue;
					util_rfc3339(v->last, buf, sizeof(buf));
					sb_addf(out, "  event   %s ", v->last ? buf : "-");
					output_escape(out, v->type);
					sb_addc(out, ' ');
					output_escape(out, v->reason);
					sb_adds(out, " ");
					output_escape(out, v->object);
					sb_adds(out, ": ");
					output_escape(out, v->message);
					sb_addc(out, '\n');
				}
			}
		}
	}
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reports clusters that did not answer; returns the exit code they call for. */
static int report_clusters(const fleet_snapshot *s, int ok)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < s->n_clusters; i++) {
		const fleet_cluster_state *c = &s->clusters[i];
		strbuf sb;

		sb_init(&sb, 256);
		if (c->reach != FLEET_OK) {
			sb_addf(&sb, "%s: cluster ",
				c->reach == FLEET_UNREACHABLE ? "warning" : "error");
			output_escape(&sb, c->name);
			sb_adds(&sb, ": ");
			output_escape(&sb, c->why);
			if (c->reach == FLEET_UNREACHABLE && c->n_tenants)
				sb_addf(&sb, "; its %zu known tenant%s shown as unknown",
					c->n_tenants, c->n_tenants == 1 ? "" : "s");
			else if (c->reach == FLEET_UNREACHABLE)
				sb_adds(&sb, "; its tenants are not known");
			fprintf(stderr, "%s\n", sb.buf);
			failed |= c->reach == FLEET_FAILED;
		}
		if (c->note[0]) {
			sb_reset(&sb);
			sb_adds(&sb, "warning: ");
			output_escape(&sb, c->name);
			sb_adds(&sb, ": ");
			output_escape(&sb, c->note);
			fprintf(stderr, "%s\n", sb.buf);
		}
		if (c->cache_warn[0]) {
			sb_reset(&sb);
			sb_adds(&sb, "warning: ");
			output_escape(&sb, c->name);
			sb_adds(&sb, ": ");
			output_escape(&sb, c->cache_warn);
			fprintf(stderr, "%s\n", sb.buf);
		}
		sb_release(&sb);
	}
	if (failed)
		return TENANTS_EXIT_ERROR;
	return ok ? TENANTS_EXIT_OK : TENANTS_EXIT_UNREACHABLE;
}

static int parse_format(const char *s, int allow_wide, tenants_format *f)
{
	if (!strcmp(s, "table"))
		*f = TENANTS_TABLE;
	else if (!strcmp(s, "json"))
		*f = TENANTS_JSON;
	else if (allow_wide && !strcmp(s, "wide"))
		*f = TENANTS_WIDE;
	else
		return -1;
	return 0;
}

static size_t term_width(void)
{
	const char *cols = getenv("COLUMNS");
	long n = cols ? strtol(cols, NULL, 10) : 0;

	return n >= 40 && n <= 1000 ? (size_t)n : 80;
}

static void render_db(const fleet_snapshot *s, tenants_format fmt, const tenants_filter *flt,
		      const db_info *dbi, strbuf *out)
{
	if (fmt == TENANTS_JSON)
		tenants_render_json(s, flt, out);
	else
		tenants_render_table_db(s, flt, fmt == TENANTS_WIDE, term_width(), dbi, out);
}

static void render(const fleet_snapshot *s, tenants_format fmt, const tenants_filter *flt,
		   strbuf *out)
{
	render_db(s, fmt, flt, NULL, out);
}

/* ---- the prod databases of a fleet, for -o wide ---- */

typedef struct prod_db_job {
	const fleet_snapshot *s;
	const cli_clusters *cs;
	const char *prefix;
	env_deps *deps;
	db_info *out;
} prod_db_job;

static void prod_db_read(void *ctx, size_t i)
{
	prod_db_job *j = ctx;
	const fleet_tenant *t = fleet_tenant_at(j->s, i);
	int32_t ei = t->env[TCODE_ENV_PROD];
	k8s_client *c = t->cluster < j->cs->n ? j->cs->clients[t->cluster] : NULL;

	if (ei < 0 || !c || fleet_env(j->s, ei)->fresh.stale)
		return;
	/* from the cluster only; a live check where the env waits on it was made already */
	if (!env_deps_db(j->deps, t->cluster, fleet_env(j->s, ei)->ns, &j->out[ei]))
		db_info_read(c, j->prefix, fleet_env(j->s, ei)->ns, -1, &j->out[ei]);
}

/* Each tenant's prod database as its cluster tells it (Secret, StatefulSet), the
 * state of a managed one where it was checked (env_deps): 8 at a time. */
static db_info *load_prod_databases(const fleet_snapshot *s, const cli_clusters *cs, const char *prefix,
				    env_deps *deps)
{
	prod_db_job j = {.s = s, .cs = cs, .prefix = prefix, .deps = deps};

	j.out = xcalloc(s->n_envs ? s->n_envs : 1, sizeof(*j.out));
	util_parallel_for(s->n_tenants, 9, prod_db_read, NULL, &j); /* 8 threads and this one */
	return j.out;
}

/* ---- watch ---- */

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* nothing to do: the pipe is full, a wake-up is pending anyway */
	}
	errno = saved;
}

static void on_change(void *ctx)
{
	int fd = *(int *)ctx;
	char c = 'c';

	if (write(fd, &c, 1) < 0) {
		/* full: a wake-up is pending */
	}
}

/* Prints the fleet again whenever it changes, whole or (changes) as events
 * (cli/tenants_changes.h), until SIGINT, SIGTERM or SIGHUP. */
static int watch_loop(fleet *f, tenants_format fmt, const tenants_filter *flt, int changes)
{
	int change[2];
	struct sigaction sa;
	char *last = NULL;
	int ret = TENANTS_EXIT_OK, done = 0;
	tenants_changes *ch = changes ? tenants_changes_new() : NULL;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(change, O_CLOEXEC | O_NONBLOCK) < 0) {
		error("cannot create a pipe: %s", strerror(errno));
		return TENANTS_EXIT_ERROR;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (fleet_watch_start(f, on_change, &change[1]) < 0) {
		error("cannot start watching");
		ret = TENANTS_EXIT_ERROR;
		goto out;
	}
	while (!done) {
		struct pollfd pf[2] = {{sig_pipe[0], POLLIN, 0}, {change[0], POLLIN, 0}};
		char buf[64];
		fleet_snapshot *s;
		strbuf sb;

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents) {
			done = 1;
			break;
		}
		while (read(change[0], buf, sizeof(buf)) > 0)
			;
		s = fleet_snapshot_get(f);
		if (!s)
			continue;
		sb_init(&sb, 1 << 16);
		if (ch) {
			tenants_changes_render(ch, s, flt, &sb);
			fleet_snapshot_put(s);
			if (sb.len && write_all(STDOUT_FILENO, sb.buf, sb.len) < 0)
				ret = TENANTS_EXIT_ERROR;
			sb_release(&sb);
			if (ret != TENANTS_EXIT_OK)
				break;
			continue;
		}
		render(s, fmt, flt, &sb);
		if (fmt != TENANTS_JSON)
			sb_addc(&sb, '\n');
		fleet_snapshot_put(s);
		if (!last || strcmp(last, sb.buf)) {
			if (write_all(STDOUT_FILENO, sb.buf, sb.len) < 0) {
				sb_release(&sb);
				ret = TENANTS_EXIT_ERROR;
				break;
			}
			free(last);
			last = sb_detach(&sb, NULL);
		}
		sb_release(&sb);
	}
	fleet_watch_stop(f);
out:
	tenants_changes_free(ch);
	free(last);
	close(change[0]);
	close(change[1]);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	return ret;
}

/* ---- commands ---- */

static int usage_hint(const char *cmd, const char *what)
{
	strbuf sb;

	sb_init(&sb, 128);
	output_escape(&sb, what);
	fprintf(stderr, "smartops %s: %s (see smartops --help)\n", cmd, sb.buf);
	sb_release(&sb);
	return TENANTS_EXIT_USAGE;
}

/* The envs the tables say wait, found and read beside the snapshot's build
 * (both only read the tables). */
typedef struct prefetch {
	const fleet *f;
	env_deps *deps;
	const cli_clusters *cs;
	const char *prefix;
	fleet_waiting w[32]; /* at most as many as one check reads */
	size_t n;
	int budget_ms, changed;
} prefetch;

static void *prefetch_main(void *arg)
{
	prefetch *p = arg;

	p->n = fleet_waiting_envs(p->f, p->w, ARRAY_SIZE(p->w));
	util_trace("tenants: %zu waiting envs found", p->n);
	if (p->n && p->budget_ms >= 0)
		p->changed = env_deps_read(p->deps, p->w, p->n, p->cs->cfg, p->cs->n, p->prefix,
					   p->budget_ms);
	return NULL;
}

int tenants_run_list(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"health", required_argument, NULL, 'H'},
	    {"product", required_argument, NULL, 'p'},
	    {"watch", no_argument, NULL, 'w'},
	    {"changes", no_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0},
	};
	tenants_format fmt = TENANTS_TABLE;
	tenants_filter flt = {NULL, NULL};
	int watch = 0, changes = 0, c, ret, ok;
	fleet_opts fo = {0};
	cli_clusters cs;
	fleet *f;
	env_deps *deps;
	char *cdir;

	util_trace("tenants: start");

	optind = 0; /* full re-initialisation: options may follow the TCODE */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:w", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_format(optarg, 1, &fmt) < 0)
				return usage_hint("tenants", "-o takes table, wide or json");
			break;
		case 'H': {
			const char *p = optarg;
			health_state hs;
			while (*p) {
				char word[16];
				size_t len = strcspn(p, ",");
				if (len >= sizeof(word))
					return usage_hint("tenants", "unknown --health value");
				memcpy(word, p, len);
				word[len] = '\0';
				if (health_parse(word, &hs) < 0)
					return usage_hint(
					    "tenants", "--health takes available, sleeping, "
						       "waking, degraded, down, blocked, unknown");
				p += len + (p[len] == ',');
			}
			flt.health = optarg;
			break;
		}
		case 'p':
			if (strcmp(optarg, "erp") && strcmp(optarg, "esocial"))
				return usage_hint("tenants", "--product takes erp or esocial");
			flt.product = optarg;
			break;
		case 'w':
			watch = 1;
			break;
		case 'C':
			changes = 1;
			break;
		default:
			return usage_hint("tenants", "unknown option or missing value");
		}
	}
	if (optind < argc)
		return usage_hint("tenants", "unexpected argument");
	if (changes && (!watch || fmt != TENANTS_JSON))
		return usage_hint("tenants", "--changes goes with --watch -o json: the whole list, then "
					     "what changed, one event a line");
	if (watch) { /* a watch runs until stopped: no deadline */
		tenants_global lg = *g;
		lg.deadline_s = 0;
		if (cli_clusters_open(&lg, &cs) < 0)
			return TENANTS_EXIT_ERROR;
	} else if (cli_clusters_open(g, &cs) < 0) {
		return TENANTS_EXIT_ERROR;
	}
	cdir = cli_cache_dir();
	fo.prefix = g->prefix;
	fo.cache_dir = cdir;
	f = fleet_new(cs.cfg, cs.n, &fo);
	deps = env_deps_new();
	fleet_set_deps(f, deps);
	if (watch) {
		env_deps_watch *dw = env_deps_watch_start(deps, f, cs.cfg, cs.n, g->prefix, 5000);

		ret = watch_loop(f, fmt, &flt, changes);
		env_deps_watch_stop(dw);
	} else {
		fleet_snapshot *s;
		db_info *dbi = NULL;
		strbuf sb;
		int changed, beside;
		prefetch pre = {0};
		pthread_t pre_th;

		ok = fleet_load_lists(f);
		/* what the envs that wait, wait for: their database, their file server
		 * (read in parallel; within what --deadline leaves). The tables say
		 * which wait before the snapshot is built: those are found and read
		 * beside the build, and the check after it reads only what they missed. */
		pre.f = f;
		pre.deps = deps;
		pre.cs = &cs;
		pre.prefix = g->prefix;
		pre.budget_ms = env_deps_budget(cs.deadline_ms, util_mono_ms(), 8000);
		beside = pthread_create(&pre_th, NULL, prefetch_main, &pre) == 0;
		if (!beside)
			prefetch_main(&pre);
		fleet_load_build(f);
		s = fleet_snapshot_get(f);
		util_trace("tenants: lists in");
		if (beside)
			pthread_join(pre_th, NULL);
		/* at most 32 envs read in all: the check skips those just read and
		 * takes the next ones, up to what the prefetch left */
		changed = pre.changed +
			  env_deps_check(deps, s, cs.cfg, cs.n, g->prefix, 60000, ARRAY_SIZE(pre.w) - pre.n,
					 env_deps_budget(cs.deadline_ms, util_mono_ms(), 8000));
		util_trace("tenants: env deps read, %d changed", changed);
		if (changed) {
			fleet_deps_changed(f);
			fleet_snapshot_put(s);
			s = fleet_snapshot_get(f);
		}
		if (fmt == TENANTS_WIDE)
			dbi = load_prod_databases(s, &cs, g->prefix, deps);
		/* The fleet (its tables, the thread writing the snapshot cache) is
		 * freed after printing: the cache is written while the answer is. */
		ret = report_clusters(s, ok);
		sb_init(&sb, 1 << 16);
		/* Unreadable answers from every cluster: nothing trustworthy to print. */
		if (ok || ret != TENANTS_EXIT_ERROR) {
			if (fmt == TENANTS_JSON) {
				if (render_json(s, &flt, &sb, STDOUT_FILENO) < 0)
					ret = TENANTS_EXIT_ERROR;
			} else {
				render_db(s, fmt, &flt, dbi, &sb);
			}
			if (write_all(STDOUT_FILENO, sb.buf, sb.len) < 0)
				ret = TENANTS_EXIT_ERROR;
			util_trace("tenants: printed");
		}
		sb_release(&sb);
		free(dbi);
		fleet_snapshot_put(s);
	}
	fleet_free(f);
	env_deps_free(deps);
	cli_clusters_release(&cs);
	free(cdir);
	return ret;
}

/* What `tenant` shows of its envs besides the lists, read from their clusters:
 * each env's Hypnus forecast (where it has a Hypnus), database (core/db_info.h,
 * checked live), file server (core/fs_info.h) and, with custom, an ERP env's
 * custom RPO as JSON (core/build_info.h; NULL where none is read). Each array has
 * s->n_envs entries (malloc'd). */
typedef struct env_extras {
	forecast *fc;
	forecast_state *fc_state;
	db_info *db;
	fs_info *fs;
	char **custom; /* NULL without custom */
} env_extras;

typedef struct extras_job {
	const fleet_snapshot *s;
	const cli_clusters *cs;
	const char *prefix;
	env_extras *x;
} extras_job;

static void load_env_extras(void *ctx, size_t i)
{
	const extras_job *j = ctx;
	const model_env *e = fleet_env(j->s, i);
	const fleet_tenant *t = fleet_tenant_at(j->s, j->s->env_tenant[i]);
	k8s_client *c = t->cluster < j->cs->n ? j->cs->clients[t->cluster] : NULL;
	env_extras *x = j->x;
	tcode_env te;
	build_info bi;
	k8s_err err;

	if (!c || e->fresh.stale) {
		x->db[i].state = "unknown";
		snprintf(x->db[i].detail, sizeof(x->db[i].detail), "the cluster of %s was not reached", e->ns);
		snprintf(x->fs[i].detail, sizeof(x->fs[i].detail), "the cluster of %s was not reached", e->ns);
		return;
	}
	/* the next wakes by the cluster's clock */
	if (e->hypnus.present)
		x->fc_state[i] = forecast_load(c, e->ns, e->hypnus.cold_start_s, k8s_client_server_now(c), &x->fc[i]);
	db_info_read(c, j->prefix, e->ns, 5, &x->db[i]);
	fs_info_read(c, j->prefix, e->ns, &x->fs[i]);
	if (x->custom && t->t.product == MODEL_PRODUCT_ERP && tcode_from_namespace(e->ns, NULL, &te) == 0 &&
	    build_info_read(c, j->prefix, t->t.tcode, tcode_env_name(te), e->ns, &bi, &err) == 0)
		x->custom[i] = build_info_json(&bi);
}

/* The envs' extras, 8 envs at a time (a tenant's two, in each cluster that has
 * it); a forecast that cannot be made is a warning. */
static void load_extras(const fleet_snapshot *s, const cli_clusters *cs, const char *prefix, int custom,
			env_extras *x)
{
	size_t n = s->n_envs ? s->n_envs : 1;
	extras_job j = {.s = s, .cs = cs, .prefix = prefix, .x = x};

	x->fc = xcalloc(n, sizeof(*x->fc));
	x->fc_state = xcalloc(n, sizeof(*x->fc_state));
	x->db = xcalloc(n, sizeof(*x->db));
	x->fs = xcalloc(n, sizeof(*x->fs));
	x->custom = custom ? xcalloc(n, sizeof(*x->custom)) : NULL;
	util_parallel_for(s->n_envs, 8, load_env_extras, NULL, &j);
	for (size_t i = 0; i < s->n_envs; i++) {
		strbuf sb;

		if (x->fc_state[i] <= FORECAST_OK)
			continue;
		sb_init(&sb, 128);
		sb_adds(&sb, "warning: ");
		output_escape(&sb, fleet_env(s, i)->ns);
		sb_adds(&sb, ": no Hypnus forecast: ");
		output_escape(&sb, x->fc[i].err);
		fprintf(stderr, "%s\n", sb.buf);
		sb_release(&sb);
	}
}

static void free_extras(const fleet_snapshot *s, env_extras *x)
{
	for (size_t k = 0; x->custom && k < s->n_envs; k++)
		free(x->custom[k]);
	free(x->custom);
	free(x->fc);
	free(x->fc_state);
	free(x->db);
	free(x->fs);
}

/* The envs' and tenants' health again, with the causes their database and file
 * server give (core/health.h). */
static void deps_health(const fleet_snapshot *s, tenants_deps *x)
{
	health_result *eh = xcalloc(s->n_envs ? s->n_envs : 1, sizeof(*eh));
	health_result *th = xcalloc(s->n_tenants ? s->n_tenants : 1, sizeof(*th));

	for (size_t i = 0; i < s->n_envs; i++) {
		const db_info *d = &x->db[i];
		const fs_info *f = &x->fs[i];
		health_deps hd = {0};

		eh[i] = *fleet_env_health(s, i);
		hd.db_state = d->state;
		hd.db_name = d->name;
		hd.db_host = d->host;
		hd.db_port = d->port;
		hd.db_detail = d->detail;
		if (f->read && fleet_env(s, i)->product != MODEL_PRODUCT_ESOCIAL) {
			hd.fs_phase = f->present ? f->phase : "";
			hd.fs_detail = f->detail;
			hd.fs_mounted = (const char(*)[16])f->mounted_by;
			hd.n_fs_mounted = f->n_mounted;
		}
		health_env_deps(fleet_env(s, i), &hd, &eh[i]);
	}
	for (size_t i = 0; i < s->n_tenants; i++) {
		const fleet_tenant *t = fleet_tenant_at(s, i);

		health_tenant(t->env[0] >= 0 ? &eh[t->env[0]] : NULL, t->env[1] >= 0 ? &eh[t->env[1]] : NULL, &th[i]);
	}
	x->env_health = eh;
	x->tenant_health = th;
}

int tenants_run_one(const tenants_global *g, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"ini", no_argument, NULL, 'i'},
	    {"diff", required_argument, NULL, 'd'},
	    {"diff-env", no_argument, NULL, 'D'},
	    {"env", required_argument, NULL, 'e'},
	    {"role", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	static const char use[] = "usage: smartops tenant TCODE [-o table|json] | "
				  "TCODE --ini [--env E] [--role R] [--diff A,B | --diff-env] [-o json]";
	tenants_format fmt = TENANTS_TABLE;
	ini_opts io = {0};
	int ini = 0;
	char tcode[TCODE_SIZE], err[160];
	fleet_opts fo = {0};
	fleet_snapshot *s;
	int c, ret, ok;
	cli_clusters cs;
	strbuf sb;
	fleet *f;

	optind = 0; /* full re-initialisation: options may follow the TCODE */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_format(optarg, 0, &fmt) < 0)
				return usage_hint("tenant", use);
			break;
		case 'i':
			ini = 1;
			break;
		case 'd':
			io.diff = optarg;
			break;
		case 'D':
			io.diff_env = 1;
			break;
		case 'e':
			if (strcmp(optarg, "prod") && strcmp(optarg, "dev"))
				return usage_hint("tenant", "--env takes prod or dev");
			io.env = optarg;
			break;
		case 'r':
			io.role = optarg;
			break;
		default:
			return usage_hint("tenant", use);
		}
	}
	if (optind + 1 != argc)
		return usage_hint("tenant", use);
	if (!ini && (io.diff || io.diff_env || io.env || io.role))
		return usage_hint("tenant", "--diff, --diff-env, --env and --role go with --ini");
	if (tcode_parse(argv[optind], tcode, err, sizeof(err)) < 0) {
		strbuf e;
		sb_init(&e, 64);
		output_escape(&e, err);
		ret = usage_hint("tenant", e.buf);
		sb_release(&e);
		return ret;
	}
	if (ini) {
		io.json = fmt == TENANTS_JSON;
		return cli_ini_run(g, tcode, &io);
	}
	if (cli_clusters_open(g, &cs) < 0)
		return TENANTS_EXIT_ERROR;
	fo.prefix = g->prefix;
	fo.tcode = tcode;
	f = fleet_new(cs.cfg, cs.n, &fo);
	ok = fleet_load(f);
	s = fleet_snapshot_get(f);
	ret = report_clusters(s, ok);
	if (ok && !s->n_tenants) {
		error("tenant %s not found in %s", tcode,
		      cs.n == 1 ? "the cluster" : "any cluster");
		ret = TENANTS_EXIT_ERROR;
	} else if (s->n_tenants) {
		env_extras ex;
		tenants_deps x;

		load_extras(s, &cs, g->prefix, fmt == TENANTS_JSON, &ex);
		x = (tenants_deps){.db = ex.db, .fs = ex.fs, .custom = ex.custom};
		deps_health(s, &x);
		sb_init(&sb, 1 << 14);
		tenants_render_one_deps(s, ex.fc, &x, fmt == TENANTS_JSON, &sb);
		free_extras(s, &ex);
		free((void *)x.env_health);
		free((void *)x.tenant_health);
		if (write_all(STDOUT_FILENO, sb.buf, sb.len) < 0)
			ret = TENANTS_EXIT_ERROR;
		sb_release(&sb);
	}
	fleet_snapshot_put(s);
	fleet_free(f);
	cli_clusters_release(&cs);
	return ret;
}
