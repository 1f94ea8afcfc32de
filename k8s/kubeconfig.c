#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "k8s/kubeconfig.h"
#include "util/base64.h"
#include "util/util.h"

#define SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"
#define FILE_MAX (16 * 1024 * 1024)

/* ---- small helpers ---- */

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	strbuf sb;
	char chunk[8192];
	size_t n;

	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	sb_init(&sb, 4096);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sb_add(&sb, chunk, n);
		if (sb.len > FILE_MAX)
			break;
	}
	if (ferror(f) || sb.len > FILE_MAX) {
		int e = ferror(f) ? EIO : EFBIG;
		fclose(f);
		sb_release(&sb);
		errno = e;
		return NULL;
	}
	fclose(f);
	return sb_detach(&sb, len);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static char *resolve_path(const char *dir, const char *p)
{
	const char *home;

	if (p[0] == '/')
		return xstrdup(p);
	if (p[0] == '~' && p[1] == '/' && (home = getenv("HOME")))
		return xasprintf("%s/%s", home, p + 2);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return xasprintf("%s/%s", dir, p);
}

void k8s_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ---- YAML into cJSON ---- */

static int is_number(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	errno = 0;
	(void)strtod(s, &end);
	return *end == '\0' && errno == 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

static cJSON *yaml_to_json(yaml_document_t *doc, yaml_node_t *node, int depth)
{
	cJSON *j;

	if (!node || depth > 64)
		return NULL;
	switch (node->type) {
	case YAML_SCALAR_NODE: {
		const char *v = (const char *)node->data.scalar.value;
		if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
				return cJSON_CreateTrue();
			if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
				return cJSON_CreateFalse();
			if (!strcmp(v, "null") || !strcmp(v, "~") || !*v)
				return cJSON_CreateNull();
			if (is_number(v))
				return cJSON_CreateNumber(strtod(v, NULL));
		}
		return cJSON_CreateString(v);
	}
	case YAML_SEQUENCE_NODE:
		j = cJSON_CreateArray();
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top; it++) {
			cJSON *c = yaml_to_json(doc, yaml_document_get_node(doc, *it), depth + 1);
			if (!c) {
				cJSON_Delete(j);
				return NULL;
			}
			cJSON_AddItemToArray(j, c);
		}
		return j;
	case YAML_MAPPING_NODE:
		j = cJSON_CreateObject();
		for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
		     p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			cJSON *v;
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			v = yaml_to_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
			if (!v) {
				cJSON_Delete(j);
				return NULL;
			}
			cJSON_DeleteItemFromObjectCaseSensitive(j,
								(const char *)k->data.scalar.value);
			cJSON_AddItemToObject(j, (const char *)k->data.scalar.value, v);
		}
		return j;
	default:
		return NULL;
	}
}

/* Budgets of the event-level pass that runs before the YAML is loaded. */
#define YAML_MAX_DEPTH 64	  /* nested sequences and mappings */
#define YAML_MAX_NODES 1000000L /* nodes once every alias is expanded */
#define YAML_MAX_ANCHORS 1000

typedef struct yaml_budget {
	long grand;			  /* nodes counted so far, aliases expanded */
	long frame[YAML_MAX_DEPTH];	  /* nodes of each open collection */
	char *frame_anchor[YAML_MAX_DEPTH];
	int depth;
	char *anchor[YAML_MAX_ANCHORS]; /* finished anchored nodes and their sizes */
	long anchor_nodes[YAML_MAX_ANCHORS];
	int n_anchors;
} yaml_budget;

static int budget_add(yaml_budget *b, long n, char *err, size_t errsz)
{
	b->grand += n;
	if (b->depth > 0)
		b->frame[b->depth - 1] += n;
	if (b->grand > YAML_MAX_NODES) {
		snprintf(err, errsz, "YAML too large: more than %ld nodes once aliases are expanded "
			 "(an alias bomb?)", YAML_MAX_NODES);
		return -1;
	}
	return 0;
}

static int budget_anchor(yaml_budget *b, const unsigned char *name, long nodes, char *err,
			 size_t errsz)
{
	if (!name)
		return 0;
	if (b->n_anchors == YAML_MAX_ANCHORS) {
		snprintf(err, errsz, "YAML has more than %d anchors", YAML_MAX_ANCHORS);
		return -1;
	}
	b->anchor[b->n_anchors] = xstrdup((const char *)name);
	b->anchor_nodes[b->n_anchors++] = nodes;
	return 0;
}

/* One pass over the events, nothing built: refuses nesting deeper than
 * YAML_MAX_DEPTH and aliases that would expand past YAML_MAX_NODES, so the
 * loader that runs next costs bounded memory and time. Syntax errors are left
 * to the loader, which reports them with their line. */
static int yaml_precheck(const char *text, size_t len, char *err, size_t errsz)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	yaml_budget *b = xcalloc(1, sizeof(*b));
	int ret = 0, done = 0, i;

	if (!yaml_parser_initialize(&parser)) {
		free(b);
		return 0;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && ret == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break; /* the loader says what is wrong */
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			const unsigned char *a = ev.type == YAML_SEQUENCE_START_EVENT
							 ? ev.data.sequence_start.anchor
							 : ev.data.mapping_start.anchor;
			if (b->depth == YAML_MAX_DEPTH) {
				snprintf(err, errsz, "line %zu: YAML nested deeper than %d levels",
					 ev.start_mark.line + 1, YAML_MAX_DEPTH);
				ret = -1;
				break;
			}
			if (budget_add(b, 1, err, errsz)) {
				ret = -1;
				break;
			}
			b->frame[b->depth] = 1;
			b->frame_anchor[b->depth] = a ? xstrdup((const char *)a) : NULL;
			b->depth++;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (b->depth > 0) {
				long n = b->frame[--b->depth];
				char *a = b->frame_anchor[b->depth];
				b->frame_anchor[b->depth] = NULL;
				if (b->depth > 0)
					b->frame[b->depth - 1] += n;
				ret = budget_anchor(b, (const unsigned char *)a, n, err, errsz);
				free(a);
			}
			break;
		case YAML_SCALAR_EVENT:
			ret = budget_add(b, 1, err, errsz);
			if (!ret)
				ret = budget_anchor(b, ev.data.scalar.anchor, 1, err, errsz);
			break;
		case YAML_ALIAS_EVENT: {
			long n = -1;
			for (i = b->n_anchors - 1; i >= 0; i--)
				if (!strcmp(b->anchor[i], (const char *)ev.data.alias.anchor)) {
					n = b->anchor_nodes[i];
					break;
				}
			if (n < 0) {
				snprintf(err, errsz, "line %zu: alias *%.64s names no finished anchor",
					 ev.start_mark.line + 1, (const char *)ev.data.alias.anchor);
				ret = -1;
				break;
			}
			ret = budget_add(b, n, err, errsz);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (i = 0; i < b->depth; i++)
		free(b->frame_anchor[i]);
	for (i = 0; i < b->n_anchors; i++)
		free(b->anchor[i]);
	free(b);
	return ret;
}

void *k8s_yaml_parse(const char *text, size_t len, char *err, size_t errsz)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	cJSON *out = NULL;
	yaml_node_t *root;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errsz, "cannot initialise the YAML parser");
		return NULL;
	}
	if (yaml_precheck(text, len, err, errsz)) {
		yaml_parser_delete(&parser);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errsz, "line %zu: %s%s%s", parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "invalid YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root)
		out = cJSON_CreateObject(); /* empty file */
	else if (!(out = yaml_to_json(&doc, root, 0)))
		snprintf(err, errsz, "unsupported YAML (nesting too deep)");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

/* ---- merged kubeconfig ---- */

typedef struct kc_file {
	char *path;
	char *dir;
	cJSON *root;
} kc_file;

typedef struct kc_entry {
	const char *name;
	const cJSON *body; /* the "cluster"/"user"/"context" object */
	const kc_file *file;
} kc_entry;

typedef struct kc_merged {
	kc_file *files;
	size_t n_files;
	char *origin;	     /* "a:b" */
	const char *current; /* borrowed from a file tree */
	kc_entry *clusters, *users, *contexts;
	size_t n_clusters, n_users, n_contexts;
} kc_merged;

static void merged_release(kc_merged *m)
{
	for (size_t i = 0; i < m->n_files; i++) {
		free(m->files[i].path);
		free(m->files[i].dir);
		cJSON_Delete(m->files[i].root);
	}
	free(m->files);
	free(m->origin);
	free(m->clusters);
	free(m->users);
	free(m->contexts);
	memset(m, 0, sizeof(*m));
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jbool(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsString(v))
		return !strcmp(v->valuestring, "true");
	return cJSON_IsTrue(v);
}

static const kc_entry *find_entry(const kc_entry *e, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

/* Adds the named entries of list `key` ("clusters") not defined by an earlier file. */
static int merge_list(const kc_file *f, const char *key, const char *inner, kc_entry **arr,
		      size_t *n, char *err, size_t errsz)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(f->root, key);
	const cJSON *it;

	if (!list || cJSON_IsNull(list))
		return 0;
	if (!cJSON_IsArray(list)) {
		snprintf(err, errsz, "kubeconfig %s: \"%s\" must be a list", f->path, key);
		return -1;
	}
	cJSON_ArrayForEach(it, list)
	{
		const char *name = jstr(it, "name");
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, inner);
		if (!name || !name[0]) {
			snprintf(err, errsz, "kubeconfig %s: an entry of \"%s\" has no name",
				 f->path, key);
			return -1;
		}
		if (find_entry(*arr, *n, name))
			continue; /* first file defining a name wins */
		if (body && !cJSON_IsObject(body)) {
			snprintf(err, errsz, "kubeconfig %s: %s \"%s\": \"%s\" must be a mapping",
				 f->path, inner, name, inner);
			return -1;
		}
		*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
		(*arr)[*n].name = name;
		(*arr)[*n].body = body;
		(*arr)[*n].file = f;
		(*n)++;
	}
	return 0;
}

/* One file's text, already read: parsed and added to m as `path`. */
static int add_text(kc_merged *m, const char *path, const char *text, size_t len, char *err,
		    size_t errsz)
{
	char yerr[256];
	cJSON *root;
	kc_file *f;

	root = k8s_yaml_parse(text, len, yerr, sizeof(yerr));
	if (!root) {
		snprintf(err, errsz, "kubeconfig %s: not valid YAML: %s", path, yerr);
		return -1;
	}
	if (cJSON_IsNull(root)) {
		cJSON_Delete(root);
		root = cJSON_CreateObject();
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		snprintf(err, errsz, "kubeconfig %s: expected a mapping at the top level", path);
		return -1;
	}
	m->files = xrealloc(m->files, (m->n_files + 1) * sizeof(*m->files));
	f = &m->files[m->n_files++];
	f->path = xstrdup(path);
	f->dir = dir_of(path);
	f->root = root;
	return 0;
}

static int add_file(kc_merged *m, const char *path, int must_exist, char *err, size_t errsz)
{
	size_t len;
	char *text = read_whole(path, &len);
	int r;

	if (!text) {
		if (!must_exist && errno == ENOENT)
			return 0;
		if (errno == EISDIR)
			snprintf(err, errsz, "kubeconfig %s: is a directory; name the kubeconfig file "
				 "itself", path);
		else
			snprintf(err, errsz, "kubeconfig %s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	r = add_text(m, path, text, len, err, errsz);
	free(text);
	return r;
}

static int merged_load(const k8s_load_opts *opts, kc_merged *m, char *err, size_t errsz)
{
	const char *env = getenv("KUBECONFIG");
	strbuf origin;

	memset(m, 0, sizeof(*m));
	if (opts && opts->text) {
		if (add_text(m, opts->kubeconfig && opts->kubeconfig[0] ? opts->kubeconfig : "(text)",
			     opts->text, opts->text_len, err, errsz))
			return -1;
	} else if (opts && opts->kubeconfig && opts->kubeconfig[0]) {
		if (add_file(m, opts->kubeconfig, 1, err, errsz))
			return -1;
	} else if (env && env[0]) {
		char *copy = xstrdup(env);
		char *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
			if (add_file(m, p, 0, err, errsz)) {
				free(copy);
				merged_release(m);
				return -1;
			}
		}
		free(copy);
		if (!m->n_files) {
			snprintf(err, errsz,
				 "kubeconfig: none of the files in KUBECONFIG (%s) exist", env);
			return -1;
		}
	} else {
		const char *home = getenv("HOME");
		char *def = xasprintf("%s/.kube/config", home ? home : "");
		int r = add_file(m, def, 0, err, errsz);
		free(def);
		if (r)
			return -1;
		if (!m->n_files) {
			snprintf(err, errsz,
				 "kubeconfig: no configuration: %s/.kube/config does not exist, "
				 "KUBECONFIG is not set and not running inside a cluster",
				 home ? home : "$HOME");
			return 1; /* caller may try in-cluster */
		}
	}
	sb_init(&origin, 64);
	for (size_t i = 0; i < m->n_files; i++) {
		const kc_file *f = &m->files[i];
		const char *cur = jstr(f->root, "current-context");
		if (i)
			sb_addc(&origin, ':');
		sb_adds(&origin, f->path);
		if (!m->current && cur && cur[0])
			m->current = cur;
		if (merge_list(f, "clusters", "cluster", &m->clusters, &m->n_clusters, err,
			       errsz) ||
		    merge_list(f, "users", "user", &m->users, &m->n_users, err, errsz) ||
		    merge_list(f, "contexts", "context", &m->contexts, &m->n_contexts, err,
			       errsz)) {
			sb_release(&origin);
			merged_release(m);
			return -1;
		}
	}
	m->origin = sb_detach(&origin, NULL);
	return 0;
}

static char *names_of(const kc_entry *e, size_t n)
{
	strbuf sb;

	sb_init(&sb, 64);
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", e[i].name);
	if (!n)
		sb_adds(&sb, "(none)");
	return sb_detach(&sb, NULL);
}

/* Reads a "<x>-data" (base64) or "<x>" (path) pair into *data. */
static int load_blob(const kc_entry *e, const char *kind, const char *key_data,
		     const char *key_path, char **data, size_t *len, char **where, char *err,
		     size_t errsz)
{
	const char *b64 = jstr(e->body, key_data);
	const char *path = jstr(e->body, key_path);

	if (b64 && b64[0]) {
		*data = util_base64_decode(b64, strlen(b64), len, UTIL_B64_LENIENT);
		if (!*data) {
			snprintf(err, errsz, "kubeconfig %s: %s \"%s\": %s is not valid base64",
				 e->file->path, kind, e->name, key_data);
			return -1;
		}
		if (where)
			*where = xasprintf("%s of %s \"%s\"", key_data, kind, e->name);
		return 0;
	}
	if (path && path[0]) {
		char *abs = resolve_path(e->file->dir, path);
		*data = read_whole(abs, len);
		if (!*data) {
			snprintf(err, errsz, "kubeconfig %s: %s \"%s\": cannot read %s %s: %s",
				 e->file->path, kind, e->name, key_path, abs, strerror(errno));
			free(abs);
			return -1;
		}
		if (where)
			*where = abs;
		else
			free(abs);
	}
	return 0;
}

static int load_exec(const kc_entry *u, const cJSON *ex, k8s_config *c, char *err, size_t errsz)
{
	const char *cmd = jstr(ex, "command");
	const char *api = jstr(ex, "apiVersion");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(ex, "args");
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(ex, "env");
	const cJSON *it;
	k8s_exec_config *e;

	if (!cmd || !cmd[0]) {
		snprintf(err, errsz, "kubeconfig %s: user \"%s\": exec has no command",
			 u->file->path, u->name);
		return -1;
	}
	if (!api || (strcmp(api, "client.authentication.k8s.io/v1") &&
		     strcmp(api, "client.authentication.k8s.io/v1beta1"))) {
		snprintf(err, errsz,
			 "kubeconfig %s: user \"%s\": exec apiVersion \"%s\" is not supported "
			 "(use client.authentication.k8s.io/v1 or v1beta1)",
			 u->file->path, u->name, api ? api : "");
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	c->exec = e;
	e->command = strchr(cmd, '/') ? resolve_path(u->file->dir, cmd) : xstrdup(cmd);
	e->api_version = xstrdup(api);
	if (jstr(ex, "installHint"))
		e->install_hint = xstrdup(jstr(ex, "installHint"));
	e->provide_cluster_info = jbool(ex, "provideClusterInfo");
	if (cJSON_IsArray(args)) {
		e->args = xcalloc((size_t)cJSON_GetArraySize(args) + 1, sizeof(char *));
		cJSON_ArrayForEach(it, args)
		{
			if (cJSON_IsString(it))
				e->args[e->n_args++] = xstrdup(it->valuestring);
			else if (cJSON_IsNumber(it))
				e->args[e->n_args++] = xasprintf("%g", it->valuedouble);
		}
	}
	if (cJSON_IsArray(env)) {
		e->env = xcalloc((size_t)cJSON_GetArraySize(env) + 1, sizeof(char *));
		cJSON_ArrayForEach(it, env)
		{
			const char *n = jstr(it, "name");
			const char *v = jstr(it, "value");
			if (!n || !n[0]) {
				snprintf(
				    err, errsz,
				    "kubeconfig %s: user \"%s\": exec env entry without a name",
				    u->file->path, u->name);
				return -1;
			}
			e->env[e->n_env++] = xasprintf("%s=%s", n, v ? v : "");
		}
	}
	return 0;
}

static int load_cluster(const kc_entry *cl, k8s_config *c, char *err, size_t errsz)
{
	const char *server = jstr(cl->body, "server");
	const cJSON *exts = cJSON_GetObjectItemCaseSensitive(cl->body, "extensions");
	const cJSON *it;
	size_t n;

	if (!server || !server[0]) {
		snprintf(err, errsz, "kubeconfig %s: cluster \"%s\" has no server", cl->file->path,
			 cl->name);
		return -1;
	}
	if (strncmp(server, "https://", 8) && strncmp(server, "http://", 7)) {
		snprintf(err, errsz,
			 "kubeconfig %s: cluster \"%s\": server \"%s\" must start with https:// or "
			 "http://",
			 cl->file->path, cl->name, server);
		return -1;
	}
	c->server = xstrdup(server);
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	c->insecure = jbool(cl->body, "insecure-skip-tls-verify");
	if (jstr(cl->body, "tls-server-name") && jstr(cl->body, "tls-server-name")[0])
		c->tls_server_name = xstrdup(jstr(cl->body, "tls-server-name"));
	if (jstr(cl->body, "proxy-url") && jstr(cl->body, "proxy-url")[0])
		c->proxy_url = xstrdup(jstr(cl->body, "proxy-url"));
	if (load_blob(cl, "cluster", "certificate-authority-data", "certificate-authority",
		      &c->ca_data, &c->ca_len, &c->ca_origin, err, errsz))
		return -1;
	if (cJSON_IsArray(exts)) {
		c->ext = xcalloc((size_t)cJSON_GetArraySize(exts) + 1, sizeof(*c->ext));
		cJSON_ArrayForEach(it, exts)
		{
			const char *name = jstr(it, "name");
			const cJSON *val = cJSON_GetObjectItemCaseSensitive(it, "extension");
			if (!name || !val)
				continue;
			c->ext[c->n_ext].name = xstrdup(name);
			c->ext[c->n_ext].json = cJSON_PrintUnformatted(val);
			c->n_ext++;
		}
	}
	return 0;
}

static int load_user(const kc_entry *u, k8s_config *c, char *err, size_t errsz)
{
	const char *token = jstr(u->body, "token");
	const char *token_file = jstr(u->body, "tokenFile");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(u->body, "exec");

	if (!u->body)
		return 0;
	if (token && token[0])
		c->token = xstrdup(token);
	else if (token_file && token_file[0])
		c->token_file = resolve_path(u->file->dir, token_file);
	if (jstr(u->body, "username") && jstr(u->body, "password")) {
		c->username = xstrdup(jstr(u->body, "username"));
		c->password = xstrdup(jstr(u->body, "password"));
	}
	if (load_blob(u, "user", "client-certificate-data", "client-certificate", &c->cert_data,
		      &c->cert_len, NULL, err, errsz) ||
	    load_blob(u, "user", "client-key-data", "client-key", &c->key_data, &c->key_len, NULL,
		      err, errsz))
		return -1;
	if (!c->cert_data != !c->key_data) {
		snprintf(err, errsz,
			 "kubeconfig %s: user \"%s\": a client certificate needs both "
			 "client-certificate and client-key",
			 u->file->path, u->name);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(u->body, "auth-provider")) {
		snprintf(err, errsz,
			 "kubeconfig %s: user \"%s\": auth-provider plugins are not supported; use "
			 "an exec plugin",
			 u->file->path, u->name);
		return -1;
	}
	if (ex && !cJSON_IsNull(ex))
		return load_exec(u, ex, c, err, errsz);
	return 0;
}

int k8s_config_load(const k8s_load_opts *opts, k8s_config **out, char *err, size_t errsz)
{
	kc_merged m;
	const char *ctx_name;
	const kc_entry *ctx, *cl, *u = NULL;
	const char *cl_name, *u_name, *ns;
	k8s_config *c = NULL;
	int r;

	*out = NULL;
	r = merged_load(opts, &m, err, errsz);
	if (r > 0 && getenv("KUBERNETES_SERVICE_HOST") && !(opts && opts->context))
		return k8s_config_in_cluster(opts ? opts->sa_dir : NULL, out, err, errsz);
	if (r)
		return -1;

	ctx_name = opts && opts->context && opts->context[0] ? opts->context : m.current;
	if (!ctx_name) {
		char *names = names_of(m.contexts, m.n_contexts);
		snprintf(err, errsz,
			 "kubeconfig %s: no current-context is set and no context was given; "
			 "contexts are: %s",
			 m.origin, names);
		free(names);
		goto fail;
	}
	ctx = find_entry(m.contexts, m.n_contexts, ctx_name);
	if (!ctx) {
		char *names = names_of(m.contexts, m.n_contexts);
		snprintf(err, errsz, "kubeconfig %s: context \"%s\" not found; contexts are: %s",
			 m.origin, ctx_name, names);
		free(names);
		goto fail;
	}
	cl_name = ctx->body ? jstr(ctx->body, "cluster") : NULL;
	u_name = ctx->body ? jstr(ctx->body, "user") : NULL;
	ns = ctx->body ? jstr(ctx->body, "namespace") : NULL;
	if (!cl_name || !cl_name[0]) {
		snprintf(err, errsz, "kubeconfig %s: context \"%s\" names no cluster",
			 ctx->file->path, ctx_name);
		goto fail;
	}
	cl = find_entry(m.clusters, m.n_clusters, cl_name);
	if (!cl || !cl->body) {
		char *names = names_of(m.clusters, m.n_clusters);
		snprintf(
		    err, errsz,
		    "kubeconfig %s: context \"%s\": cluster \"%s\" not found; clusters are: %s",
		    m.origin, ctx_name, cl_name, names);
		free(names);
		goto fail;
	}
	if (u_name && u_name[0]) {
		u = find_entry(m.users, m.n_users, u_name);
		if (!u) {
			char *names = names_of(m.users, m.n_users);
			snprintf(
			    err, errsz,
			    "kubeconfig %s: context \"%s\": user \"%s\" not found; users are: %s",
			    m.origin, ctx_name, u_name, names);
			free(names);
			goto fail;
		}
	}

	c = xcalloc(1, sizeof(*c));
	c->origin = xstrdup(m.origin);
	c->context = xstrdup(ctx_name);
	c->cluster_name = xstrdup(cl_name);
	c->user_name = xstrdup(u_name ? u_name : "");
	c->ns = xstrdup(opts && opts->ns && opts->ns[0] ? opts->ns : ns && ns[0] ? ns : "default");
	if (load_cluster(cl, c, err, errsz))
		goto fail;
	if (u && load_user(u, c, err, errsz))
		goto fail;
	merged_release(&m);
	*out = c;
	return 0;
fail:
	k8s_config_free(c);
	merged_release(&m);
	return -1;
}

int k8s_config_contexts(const k8s_load_opts *opts, char ***names, char **current, char *err,
			size_t errsz)
{
	kc_merged m;

	*names = NULL;
	if (current)
		*current = NULL;
	if (merged_load(opts, &m, err, errsz))
		return -1;
	*names = xcalloc(m.n_contexts + 1, sizeof(char *));
	for (size_t i = 0; i < m.n_contexts; i++)
		(*names)[i] = xstrdup(m.contexts[i].name);
	if (current && m.current)
		*current = xstrdup(m.current);
	merged_release(&m);
	return 0;
}

int k8s_config_in_cluster(const char *sa_dir, k8s_config **out, char *err, size_t errsz)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	k8s_config *c;
	char *path;
	size_t len;
	struct stat st;

	*out = NULL;
	if (!sa_dir)
		sa_dir = SA_DIR_DEFAULT;
	if (!host || !host[0] || !port || !port[0]) {
		snprintf(
		    err, errsz,
		    "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
		return -1;
	}
	path = xasprintf("%s/token", sa_dir);
	if (stat(path, &st)) {
		snprintf(err, errsz, "in-cluster: cannot read the service account token %s: %s",
			 path, strerror(errno));
		free(path);
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->token_file = path;
	c->origin = xstrdup("in-cluster");
	c->context = xstrdup("in-cluster");
	c->cluster_name = xstrdup("in-cluster");
	c->user_name = xstrdup("serviceaccount");
	c->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
				      : xasprintf("https://%s:%s", host, port);
	path = xasprintf("%s/ca.crt", sa_dir);
	c->ca_data = read_whole(path, &c->ca_len);
	if (!c->ca_data) {
		snprintf(err, errsz, "in-cluster: cannot read %s: %s", path, strerror(errno));
		free(path);
		k8s_config_free(c);
		return -1;
	}
	c->ca_origin = path;
	path = xasprintf("%s/namespace", sa_dir);
	c->ns = read_whole(path, &len);
	free(path);
	if (c->ns) {
		while (len && (c->ns[len - 1] == '\n' || c->ns[len - 1] == ' '))
			c->ns[--len] = '\0';
	}
	if (!c->ns || !c->ns[0]) {
		free(c->ns);
		c->ns = xstrdup("default");
	}
	*out = c;
	return 0;
}

const char *k8s_config_extension(const k8s_config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_ext; i++)
		if (!strcmp(c->ext[i].name, name))
			return c->ext[i].json;
	return NULL;
}

static void exec_free(k8s_exec_config *e)
{
	if (!e)
		return;
	free(e->command);
	for (size_t i = 0; i < e->n_args; i++)
		free(e->args[i]);
	free(e->args);
	for (size_t i = 0; i < e->n_env; i++)
		free(e->env[i]);
	free(e->env);
	free(e->api_version);
	free(e->install_hint);
	free(e);
}

static void free_secret(char *s, size_t len)
{
	if (s)
		explicit_bzero(s, len ? len : strlen(s));
	free(s);
}

void k8s_config_free(k8s_config *c)
{
	if (!c)
		return;
	free(c->origin);
	free(c->context);
	free(c->cluster_name);
	free(c->user_name);
	free(c->ns);
	free(c->server);
	free(c->ca_data);
	free(c->ca_origin);
	free(c->tls_server_name);
	free(c->proxy_url);
	for (size_t i = 0; i < c->n_ext; i++) {
		free(c->ext[i].name);
		free(c->ext[i].json);
	}
	free(c->ext);
	free_secret(c->token, 0);
	free(c->token_file);
	free(c->cert_data);
	free_secret(c->key_data, c->key_len);
	free(c->username);
	free_secret(c->password, 0);
	exec_free(c->exec);
	free(c);
}
