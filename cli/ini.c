/* cli/ini.c — see cli/ini.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/clusters.h"
#include "cli/ini.h"
#include "cli/output.h"
#include "core/ini_diff.h"
#include "core/project.h"
#include "k8s/client.h"
#include "util/util.h"

/* One role's file in one environment. */
typedef struct role_ini {
	char ns[64], env[8], role[64], deploy[64], cm[64];
	char *text; /* NULL when it could not be read (why says why) */
	char why[600];
} role_ini;

typedef struct found {
	role_ini *v;
	size_t n, cap;
	const project_keys *keys;
	const char *ns, *env;
} found;

static const char *label(const cJSON *obj, const char *key)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
					     "labels"),
	    key);
	return cJSON_IsString(l) ? l->valuestring : NULL;
}

static const char *str_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
	return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* The ConfigMap the Deployment's pods mount appserver.ini from: the volume
 * behind the container mount whose path or subPath names appserver.ini, else
 * the only configMap volume. */
static const char *mounted_configmap(const cJSON *deploy)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(deploy, "spec"),
						 "template"),
		"spec"),
	    "volumes");
	const cJSON *vol, *only = NULL;
	int n_cm = 0;

	cJSON_ArrayForEach(vol, spec) {
		const char *cm = str_at(vol, "configMap", "name");
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(vol, "configMap"), "items");
		const cJSON *it;

		if (!cm)
			continue;
		n_cm++;
		only = vol;
		cJSON_ArrayForEach(it, items) {
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, "key");
			if (cJSON_IsString(k) && !strcmp(k->valuestring, "appserver.ini"))
				return cm;
		}
	}
	return n_cm == 1 ? str_at(only, "configMap", "name") : NULL;
}

static int on_deploy(void *ctx, const cJSON *item)
{
	found *f = ctx;
	const char *role = label(item, f->keys->service), *name = str_at(item, "metadata", "name");
	const char *cm = mounted_configmap(item);
	role_ini *r;

	if (!name)
		return 0;
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 8;
		f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	r = &f->v[f->n++];
	memset(r, 0, sizeof(*r));
	util_strlcpy(r->ns, f->ns, sizeof(r->ns));
	util_strlcpy(r->env, f->env, sizeof(r->env));
	util_strlcpy(r->role, role ? role : name, sizeof(r->role));
	util_strlcpy(r->deploy, name, sizeof(r->deploy));
	if (cm)
		util_strlcpy(r->cm, cm, sizeof(r->cm));
	else
		snprintf(r->why, sizeof(r->why), "Deployment %s mounts no appserver.ini ConfigMap",
			 name);
	return 0;
}

typedef struct nsref {
	char name[64], env[8];
} nsref;

static int on_ns_copy(void *ctx, const cJSON *item)
{
	struct {
		nsref v[8];
		size_t n;
		const project_keys *keys;
	} *l = ctx;
	const char *name = str_at(item, "metadata", "name"), *env = label(item, l->keys->env);

	if (!name || l->n == ARRAY_SIZE(l->v))
		return 0;
	util_strlcpy(l->v[l->n].name, name, sizeof(l->v[0].name));
	util_strlcpy(l->v[l->n].env, env ? env : "", sizeof(l->v[0].env));
	l->n++;
	return 0;
}

/* Reads the tenant's files from the first cluster that has its namespaces.
 * Returns 0, or the exit code of the failure (said on stderr). */
static int read_all(const tenants_global *g, const char *tcode, found *f, project_keys *keys)
{
	cli_clusters cs;
	size_t ci, i;
	int unreachable = 0, any = 0, ret = TENANTS_EXIT_ERROR;

	if (cli_clusters_open(g, &cs) < 0)
		return TENANTS_EXIT_ERROR;
	project_keys_init(keys, g->prefix);
	f->keys = keys;
	for (ci = 0; ci < cs.n && !any; ci++) {
		struct {
			nsref v[8];
			size_t n;
			const project_keys *keys;
		} nss = {.keys = keys};
		k8s_client *c = cs.clients[ci];
		k8s_list_opts lo = {0};
		char sel[160], *path;
		k8s_err err;

		if (!c) {
			error("cluster %s: %s", cs.names[ci], cs.whys[ci] ? cs.whys[ci] : "no client");
			continue;
		}
		snprintf(sel, sizeof(sel), "%s=%s", keys->tcode, tcode);
		lo.label_selector = sel;
		path = k8s_path(NULL, "v1", NULL, "namespaces", NULL);
		if (k8s_list(c, path, &lo, on_ns_copy, &nss, NULL, 0, &err) < 0) {
			free(path);
			unreachable += err.unreachable;
			error("cluster %s: %s", cs.names[ci], err.msg);
			continue;
		}
		free(path);
		any = nss.n > 0;
		for (i = 0; i < nss.n; i++) {
			size_t first = f->n, j;

			snprintf(sel, sizeof(sel), "%s=appserver", keys->component);
			lo.label_selector = sel;
			f->ns = nss.v[i].name;
			f->env = nss.v[i].env;
			path = k8s_path("apps", "v1", nss.v[i].name, "deployments", NULL);
			if (k8s_list(c, path, &lo, on_deploy, f, NULL, 0, &err) < 0) {
				free(path);
				error("%s: %s", nss.v[i].name, err.msg);
				goto out;
			}
			free(path);
			for (j = first; j < f->n; j++) {
				role_ini *r = &f->v[j];
				cJSON *cm = NULL;
				const char *text;

				if (!r->cm[0])
					continue;
				path = k8s_path(NULL, "v1", r->ns, "configmaps", r->cm);
				if (k8s_get(c, path, &cm, &err) < 0)
					snprintf(r->why, sizeof(r->why), "%s", err.msg);
				else if (!(text = str_at(cm, "data", "appserver.ini")))
					snprintf(r->why, sizeof(r->why),
						 "ConfigMap %s has no appserver.ini", r->cm);
				else
					r->text = xstrdup(text);
				cJSON_Delete(cm);
				free(path);
			}
		}
	}
	if (!any) {
		if (unreachable == (int)cs.n)
			ret = TENANTS_EXIT_UNREACHABLE;
		else
			error("tenant %s not found in %s", tcode,
			      cs.n == 1 ? "the cluster" : "any cluster");
		goto out;
	}
	ret = 0;
out:
	cli_clusters_release(&cs);
	return ret;
}

static int role_cmp(const void *a, const void *b)
{
	const role_ini *x = a, *y = b;
	int c = strcmp(x->env, y->env);

	/* prod before dev, then by role */
	return c ? -c : strcmp(x->role, y->role);
}

static role_ini *find_role(found *f, const char *env, const char *role)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].env, env) && !strcmp(f->v[i].role, role))
			return &f->v[i];
	return NULL;
}

static void roles_of(const found *f, const char *env, strbuf *sb)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].env, env)) {
			sb_adds(sb, sb->len ? ", " : "");
			output_escape(sb, f->v[i].role);
		}
}

/* lead (a separator and a member name, e.g. ",\"env\":"), then value as a JSON
 * string, or null when it is NULL */
static void json_member(strbuf *sb, const char *lead, const char *value)
{
	sb_adds(sb, lead);
	if (value)
		output_json_string(sb, value);
	else
		sb_adds(sb, "null");
}

static void json_side(strbuf *sb, const role_ini *r)
{
	json_member(sb, "{\"namespace\":", r->ns);
	json_member(sb, ",\"env\":", r->env);
	json_member(sb, ",\"role\":", r->role);
	json_member(sb, ",\"deployment\":", r->deploy);
	json_member(sb, ",\"configmap\":", r->cm);
}

static void show(strbuf *sb, found *f, const ini_opts *o)
{
	size_t i, shown = 0;

	if (o->json)
		sb_adds(sb, "{\"kind\":\"IniList\",\"items\":[");
	for (i = 0; i < f->n; i++) {
		const role_ini *r = &f->v[i];

		if ((o->env && strcmp(r->env, o->env)) || (o->role && strcmp(r->role, o->role)))
			continue;
		if (o->json) {
			sb_adds(sb, shown ? "," : "");
			json_side(sb, r);
			json_member(sb, ",\"ini\":", r->text);
			if (!r->text)
				json_member(sb, ",\"error\":", r->why);
			sb_adds(sb, "}");
		} else {
			sb_adds(sb, shown ? "\n" : "");
			sb_adds(sb, "# ");
			output_escape(sb, r->ns);
			sb_adds(sb, " ");
			output_escape(sb, r->role);
			sb_adds(sb, ": Deployment ");
			output_escape(sb, r->deploy);
			if (r->cm[0]) {
				sb_adds(sb, ", ConfigMap ");
				output_escape(sb, r->cm);
			}
			sb_adds(sb, "\n");
			if (r->text) {
				const char *p = r->text;
				while (*p) { /* line by line, so a newline stays a newline */
					size_t len = strcspn(p, "\n");
					char *line = xstrndup(p, len);
					output_escape(sb, line);
					free(line);
					sb_adds(sb, "\n");
					p += len + (p[len] == '\n');
				}
			} else {
				sb_adds(sb, "# (not readable: ");
				output_escape(sb, r->why);
				sb_adds(sb, ")\n");
			}
		}
		shown++;
	}
	if (o->json)
		sb_adds(sb, "]}\n");
}

/* "--- t12345-prod rest (appserver-rest-ini)" */
static void side_label(strbuf *sb, const char *lead, const role_ini *r)
{
	sb_adds(sb, lead);
	output_escape(sb, r->ns);
	sb_adds(sb, " ");
	output_escape(sb, r->role);
	sb_adds(sb, " (");
	output_escape(sb, r->cm);
	sb_adds(sb, ")\n");
}

static void text_line(strbuf *sb, char sign, const char *key, const char *value)
{
	sb_addf(sb, "%c", sign);
	output_escape(sb, key);
	sb_adds(sb, "=");
	output_escape(sb, value);
	sb_adds(sb, "\n");
}

/* One comparison, appended as text or as one JSON item. */
static void diff_one(strbuf *sb, const role_ini *a, const role_ini *b, int json, int first)
{
	ini_file fa, fb;
	ini_change *c;
	const char *sec = NULL;
	size_t n, i;

	ini_parse(a->text, strlen(a->text), &fa);
	ini_parse(b->text, strlen(b->text), &fb);
	n = ini_diff(&fa, &fb, &c);
	if (json) {
		sb_adds(sb, first ? "" : ",");
		sb_adds(sb, "{\"a\":");
		json_side(sb, a);
		sb_adds(sb, "},\"b\":");
		json_side(sb, b);
		sb_adds(sb, "},\"changes\":[");
		for (i = 0; i < n; i++) {
			json_member(sb, i ? ",{\"section\":" : "{\"section\":", c[i].section);
			json_member(sb, ",\"key\":", c[i].key);
			json_member(sb, ",\"a\":", c[i].a);
			json_member(sb, ",\"b\":", c[i].b);
			sb_adds(sb, "}");
		}
		sb_adds(sb, "]}");
	} else {
		side_label(sb, first ? "--- " : "\n--- ", a);
		side_label(sb, "+++ ", b);
		if (!n)
			sb_adds(sb, " the same, key for key\n");
		for (i = 0; i < n; i++) {
			if (!sec || strcasecmp(sec, c[i].section)) {
				sec = c[i].section;
				sb_adds(sb, "[");
				output_escape(sb, sec);
				sb_adds(sb, "]\n");
			}
			if (c[i].a)
				text_line(sb, '-', c[i].key, c[i].a);
			if (c[i].b)
				text_line(sb, '+', c[i].key, c[i].b);
		}
		if (fa.truncated || fb.truncated)
			sb_adds(sb, " (a file was too large: compared in part)\n");
	}
	free(c);
	ini_free(&fa);
	ini_free(&fb);
}

static int unreadable(const role_ini *r)
{
	strbuf e;

	sb_init(&e, 128);
	output_escape(&e, r->why);
	error("%s %s: %s", r->ns, r->role, e.buf);
	sb_release(&e);
	return TENANTS_EXIT_ERROR;
}

static int missing_role(found *f, const char *env, const char *role)
{
	strbuf have, want;

	sb_init(&have, 128);
	sb_init(&want, 64);
	roles_of(f, env, &have);
	output_escape(&want, role);
	error("no role %s in %s; roles there: %s", want.buf, env, have.len ? have.buf : "none");
	sb_release(&have);
	sb_release(&want);
	return TENANTS_EXIT_ERROR;
}

static int diff_roles(strbuf *sb, found *f, const ini_opts *o)
{
	const char *env = o->env ? o->env : "prod", *comma = strchr(o->diff, ',');
	char ra[64], rb[64];
	role_ini *a, *b;

	if (comma) {
		snprintf(ra, sizeof(ra), "%.*s", (int)(comma - o->diff), o->diff);
		util_strlcpy(rb, comma + 1, sizeof(rb));
	} else if (o->role) {
		util_strlcpy(ra, o->role, sizeof(ra));
		util_strlcpy(rb, o->diff, sizeof(rb));
	} else {
		fprintf(stderr, "smartops tenant: --diff takes two roles, A,B (or --role A --diff B)"
				" (see smartops --help)\n");
		return TENANTS_EXIT_USAGE;
	}
	if (!(a = find_role(f, env, ra)))
		return missing_role(f, env, ra);
	if (!(b = find_role(f, env, rb)))
		return missing_role(f, env, rb);
	if (!a->text)
		return unreadable(a);
	if (!b->text)
		return unreadable(b);
	if (o->json)
		sb_adds(sb, "{\"kind\":\"IniDiffList\",\"items\":[");
	diff_one(sb, a, b, o->json, 1);
	if (o->json)
		sb_adds(sb, "]}\n");
	return 0;
}

static int diff_envs(strbuf *sb, found *f, const ini_opts *o)
{
	size_t i, n = 0;
	int ret = 0;

	if (o->json)
		sb_adds(sb, "{\"kind\":\"IniDiffList\",\"items\":[");
	for (i = 0; i < f->n; i++) {
		role_ini *a = &f->v[i], *b;

		if (strcmp(a->env, "prod") || (o->role && strcmp(a->role, o->role)))
			continue;
		b = find_role(f, "dev", a->role);
		if (!b) {
			if (!o->json)
				sb_addf(sb, "%s# %s: in prod only\n", n ? "\n" : "", a->role);
			n++;
			continue;
		}
		if (!a->text || !b->text) {
			ret = unreadable(a->text ? b : a);
			continue;
		}
		diff_one(sb, a, b, o->json, n == 0);
		n++;
	}
	for (i = 0; i < f->n && !o->json; i++)
		if (!strcmp(f->v[i].env, "dev") && !find_role(f, "prod", f->v[i].role) &&
		    (!o->role || !strcmp(f->v[i].role, o->role))) {
			sb_adds(sb, n ? "\n# " : "# ");
			output_escape(sb, f->v[i].role);
			sb_adds(sb, ": in dev only\n");
			n++;
		}
	if (o->json)
		sb_adds(sb, "]}\n");
	if (!n && o->role)
		return missing_role(f, "prod", o->role);
	return ret;
}

int cli_ini_run(const tenants_global *g, const char *tcode, const ini_opts *o)
{
	project_keys keys;
	found f = {0};
	strbuf sb;
	size_t i;
	int ret;

	if (o->diff && o->diff_env) {
		fprintf(stderr, "smartops tenant: --diff and --diff-env exclude each other "
				"(see smartops --help)\n");
		return TENANTS_EXIT_USAGE;
	}
	ret = read_all(g, tcode, &f, &keys);
	if (ret)
		goto out;
	if (f.n)
		qsort(f.v, f.n, sizeof(*f.v), role_cmp);
	sb_init(&sb, 1 << 14);
	if (o->diff)
		ret = diff_roles(&sb, &f, o);
	else if (o->diff_env)
		ret = diff_envs(&sb, &f, o);
	else {
		show(&sb, &f, o);
		if (o->role && !find_role(&f, o->env ? o->env : "prod", o->role))
			ret = missing_role(&f, o->env ? o->env : "prod", o->role);
	}
	if (ret != TENANTS_EXIT_USAGE && sb.len && fwrite(sb.buf, 1, sb.len, stdout) != sb.len)
		ret = TENANTS_EXIT_ERROR;
	sb_release(&sb);
out:
	for (i = 0; i < f.n; i++)
		free(f.v[i].text);
	free(f.v);
	return ret;
}
