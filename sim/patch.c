/* sim/patch.c — merge patch, JSON patch, strategic merge patch, server-side apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/patch.h"
#include "util/util.h"

#define GET cJSON_GetObjectItemCaseSensitive

/* ---- small tree helpers ---- */

/* Makes dst a deep copy of src, keeping dst's place (key, siblings) in its parent. */
static void json_assign(cJSON *dst, const cJSON *src)
{
	cJSON *dup = src ? cJSON_Duplicate(src, 1) : cJSON_CreateNull();

	if (!dup)
		die("out of memory copying JSON");
	if (dst->child)
		cJSON_Delete(dst->child);
	if (!(dst->type & cJSON_IsReference) && dst->valuestring)
		cJSON_free(dst->valuestring);
	dst->type = (dup->type & ~cJSON_StringIsConst) | (dst->type & cJSON_StringIsConst);
	dst->child = dup->child;
	dst->valuestring = dup->valuestring;
	dst->valueint = dup->valueint;
	dst->valuedouble = dup->valuedouble;
	dup->child = NULL;
	dup->valuestring = NULL;
	cJSON_Delete(dup);
}

/* Adds or replaces obj[key] with val (owned), keeping the key's position. */
static void set_key(cJSON *obj, const char *key, cJSON *val)
{
	if (GET(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

static cJSON *dup_or_die(const cJSON *v)
{
	cJSON *d = cJSON_Duplicate(v, 1);

	if (!d)
		die("out of memory copying JSON");
	return d;
}

static void clear_children(cJSON *node)
{
	if (node->child)
		cJSON_Delete(node->child);
	node->child = NULL;
}

static int is_directive(const char *key)
{
	return key && key[0] == '$';
}

/* ---- RFC 7386 merge patch ---- */

static void merge_rec(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	if (!cJSON_IsObject(patch)) {
		json_assign(target, patch);
		return;
	}
	if (!cJSON_IsObject(target)) {
		cJSON *empty = cJSON_CreateObject();
		json_assign(target, empty);
		cJSON_Delete(empty);
	}
	cJSON_ArrayForEach(p, patch) {
		cJSON *cur = GET(target, p->string);

		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
			continue;
		}
		if (!cur) {
			cur = cJSON_CreateObject();
			cJSON_AddItemToObject(target, p->string, cur);
		}
		merge_rec(cur, p);
	}
}

int sim_patch_merge(cJSON *target, const cJSON *patch, sim_err *err)
{
	if (!target || !patch)
		return sim_err_set(err, 400, "BadRequest", "the merge patch is missing");
	merge_rec(target, patch);
	return 0;
}

/* ---- RFC 6902 JSON patch ---- */

typedef struct jptr {
	char **tok;
	size_t n;
} jptr;

static void jptr_release(jptr *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->tok[i]);
	free(p->tok);
	p->tok = NULL;
	p->n = 0;
}

/* Inserts val (owned) before index idx (0..size) of arr. The library's own insert
 * is unreliable in some releases, so the tail is moved by hand. */
static void array_insert(cJSON *arr, int idx, cJSON *val)
{
	cJSON *tail = cJSON_CreateArray(), *e;

	while ((e = cJSON_DetachItemFromArray(arr, idx)))
		cJSON_AddItemToArray(tail, e);
	cJSON_AddItemToArray(arr, val);
	while ((e = cJSON_DetachItemFromArray(tail, 0)))
		cJSON_AddItemToArray(arr, e);
	cJSON_Delete(tail);
}

/* Splits and unescapes a JSON pointer; -1 when it is not one. */
static int jptr_parse(const char *s, jptr *p)
{
	p->tok = NULL;
	p->n = 0;
	if (!*s)
		return 0;
	if (*s != '/')
		return -1;
	while (*s == '/') {
		strbuf t;

		s++;
		sb_init(&t, 16);
		while (*s && *s != '/') {
			if (*s == '~') {
				if (s[1] == '0')
					sb_addc(&t, '~');
				else if (s[1] == '1')
					sb_addc(&t, '/');
				else {
					sb_release(&t);
					jptr_release(p);
					return -1;
				}
				s += 2;
				continue;
			}
			sb_addc(&t, *s++);
		}
		p->tok = xrealloc(p->tok, (p->n + 1) * sizeof(*p->tok));
		p->tok[p->n++] = sb_detach(&t, NULL);
		sb_release(&t);
	}
	return 0;
}

/* Array index: digits without leading zeros; -1 otherwise. */
static long jptr_index(const char *t)
{
	long v = 0;

	if (!*t || (t[0] == '0' && t[1]))
		return -1;
	for (; *t; t++) {
		if (*t < '0' || *t > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*t - '0');
	}
	return v;
}

/* The node at the first n tokens of p, or NULL. */
static cJSON *jptr_resolve(cJSON *doc, const jptr *p, size_t n)
{
	cJSON *cur = doc;

	for (size_t i = 0; i < n && cur; i++) {
		if (cJSON_IsObject(cur)) {
			cur = GET(cur, p->tok[i]);
		} else if (cJSON_IsArray(cur)) {
			long idx = jptr_index(p->tok[i]);
			cur = idx < 0 ? NULL : cJSON_GetArrayItem(cur, (int)idx);
		} else {
			cur = NULL;
		}
	}
	return cur;
}

static int jp_missing(sim_err *err, const char *op, const char *path)
{
	sim_err_set(err, 422, "Invalid", "jsonpatch %s operation does not apply: doc is missing path: \"%s\"",
		    op, path);
	return sim_err_field(err, path);
}

/* Inserts val (owned) at p; frees val on failure. */
static int jp_add(cJSON *doc, const jptr *p, cJSON *val, const char *op, const char *path, sim_err *err)
{
	cJSON *parent;
	const char *last;

	if (p->n == 0) {
		json_assign(doc, val);
		cJSON_Delete(val);
		return 0;
	}
	parent = jptr_resolve(doc, p, p->n - 1);
	last = p->tok[p->n - 1];
	if (cJSON_IsObject(parent)) {
		set_key(parent, last, val);
		return 0;
	}
	if (cJSON_IsArray(parent)) {
		int size = cJSON_GetArraySize(parent);
		long idx = strcmp(last, "-") ? jptr_index(last) : size;

		if (idx < 0 || idx > size) {
			cJSON_Delete(val);
			sim_err_set(err, 422, "Invalid", "jsonpatch %s operation does not apply: index out of range: \"%s\"",
				    op, path);
			return sim_err_field(err, path);
		}
		array_insert(parent, (int)idx, val);
		return 0;
	}
	cJSON_Delete(val);
	return jp_missing(err, op, path);
}

/* Detaches the node at p; NULL with err filled when absent. */
static cJSON *jp_detach(cJSON *doc, const jptr *p, const char *op, const char *path, sim_err *err)
{
	cJSON *parent, *node;

	if (p->n == 0) {
		sim_err_set(err, 422, "Invalid", "jsonpatch %s operation does not apply: cannot remove the root", op);
		sim_err_field(err, path);
		return NULL;
	}
	parent = jptr_resolve(doc, p, p->n - 1);
	node = jptr_resolve(doc, p, p->n);
	if (!parent || !node) {
		jp_missing(err, op, path);
		return NULL;
	}
	return cJSON_DetachItemViaPointer(parent, node);
}

static const char *op_str(const cJSON *op, const char *key)
{
	const cJSON *v = GET(op, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jp_one(cJSON *doc, const cJSON *op, sim_err *err)
{
	const char *name = op_str(op, "op"), *path = op_str(op, "path"), *from = NULL;
	const cJSON *value = GET(op, "value");
	jptr p = {0}, f = {0};
	int ret = -1;

	if (!cJSON_IsObject(op) || !name || !path) {
		sim_err_set(err, 400, "BadRequest", "json patch operation needs string \"op\" and \"path\"");
		goto out;
	}
	if (jptr_parse(path, &p) < 0) {
		sim_err_set(err, 400, "BadRequest", "invalid JSON pointer \"%s\"", path);
		goto out;
	}
	if (!strcmp(name, "move") || !strcmp(name, "copy")) {
		from = op_str(op, "from");
		if (!from || jptr_parse(from, &f) < 0) {
			sim_err_set(err, 400, "BadRequest", "jsonpatch %s operation needs a valid \"from\" pointer", name);
			goto out;
		}
	}
	if ((!strcmp(name, "add") || !strcmp(name, "replace") || !strcmp(name, "test")) && !value) {
		sim_err_set(err, 400, "BadRequest", "jsonpatch %s operation is missing \"value\"", name);
		goto out;
	}

	if (!strcmp(name, "add")) {
		ret = jp_add(doc, &p, dup_or_die(value), name, path, err);
	} else if (!strcmp(name, "remove")) {
		cJSON *old = jp_detach(doc, &p, name, path, err);
		ret = old ? 0 : -1;
		cJSON_Delete(old);
	} else if (!strcmp(name, "replace")) {
		cJSON *node = jptr_resolve(doc, &p, p.n);
		if (!node) {
			ret = jp_missing(err, name, path);
			goto out;
		}
		json_assign(node, value);
		ret = 0;
	} else if (!strcmp(name, "move")) {
		size_t fl = strlen(from);
		cJSON *node;

		if (!strcmp(from, path)) {
			ret = jptr_resolve(doc, &p, p.n) ? 0 : jp_missing(err, name, from);
			goto out;
		}
		if (!strncmp(path, from, fl) && path[fl] == '/') {
			sim_err_set(err, 422, "Invalid", "jsonpatch move operation cannot move \"%s\" into its own child \"%s\"",
				    from, path);
			sim_err_field(err, path);
			goto out;
		}
		node = jp_detach(doc, &f, name, from, err);
		if (!node)
			goto out;
		ret = jp_add(doc, &p, node, name, path, err);
	} else if (!strcmp(name, "copy")) {
		cJSON *node = jptr_resolve(doc, &f, f.n);
		if (!node) {
			ret = jp_missing(err, name, from);
			goto out;
		}
		ret = jp_add(doc, &p, dup_or_die(node), name, path, err);
	} else if (!strcmp(name, "test")) {
		cJSON *node = jptr_resolve(doc, &p, p.n);
		if (!node || !cJSON_Compare(node, value, 1)) {
			sim_err_set(err, 409, "Conflict", "jsonpatch test operation does not apply: value at \"%s\" differs",
				    path);
			goto out;
		}
		ret = 0;
	} else {
		sim_err_set(err, 400, "BadRequest", "unexpected kind of json patch operation: \"%s\"", name);
	}
out:
	jptr_release(&p);
	jptr_release(&f);
	return ret;
}

int sim_patch_json(cJSON *target, const cJSON *ops, sim_err *err)
{
	const cJSON *op;

	if (!target || !cJSON_IsArray(ops))
		return sim_err_set(err, 400, "BadRequest", "a json patch must be an array of operations");
	cJSON_ArrayForEach(op, ops) {
		if (jp_one(target, op, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- strategic merge patch ---- */

typedef enum { SMP_REPLACE, SMP_MERGE_KEY, SMP_MERGE_SET } smp_how;

/* How lists merge, by position. `path` is the chain of field names from the root
 * (list elements add nothing): ".a.b" must match the whole path, "a.b" matches its
 * end on a field boundary. First match wins; unlisted lists are replaced. */
static const struct smp_rule {
	const char *kind;  /* NULL: any kind */
	const char *path;
	smp_how how;
	const char *key;   /* merge key for SMP_MERGE_KEY */
} smp_rules[] = {
	{"Service", ".spec.ports", SMP_MERGE_KEY, "port"},
	{NULL, "containers.ports", SMP_MERGE_KEY, "containerPort"},
	{NULL, "initContainers.ports", SMP_MERGE_KEY, "containerPort"},
	{NULL, "ephemeralContainers.ports", SMP_MERGE_KEY, "containerPort"},
	{NULL, "containers", SMP_MERGE_KEY, "name"},
	{NULL, "initContainers", SMP_MERGE_KEY, "name"},
	{NULL, "ephemeralContainers", SMP_MERGE_KEY, "name"},
	{NULL, "env", SMP_MERGE_KEY, "name"},
	{NULL, "volumes", SMP_MERGE_KEY, "name"},
	{NULL, "volumeMounts", SMP_MERGE_KEY, "mountPath"},
	{NULL, "volumeDevices", SMP_MERGE_KEY, "devicePath"},
	{NULL, "imagePullSecrets", SMP_MERGE_KEY, "name"},
	{NULL, "hostAliases", SMP_MERGE_KEY, "ip"},
	{NULL, "topologySpreadConstraints", SMP_MERGE_KEY, "topologyKey"},
	{NULL, "resourceClaims", SMP_MERGE_KEY, "name"},
	{NULL, ".metadata.ownerReferences", SMP_MERGE_KEY, "uid"},
	{NULL, ".metadata.finalizers", SMP_MERGE_SET, NULL},
	{NULL, "status.conditions", SMP_MERGE_KEY, "type"},
};

static const struct smp_rule *smp_rule_for(const char *kind, const char *path)
{
	size_t pl = strlen(path);

	for (size_t i = 0; i < ARRAY_SIZE(smp_rules); i++) {
		const struct smp_rule *r = &smp_rules[i];
		size_t rl = strlen(r->path);

		if (r->kind && (!kind || strcmp(kind, r->kind)))
			continue;
		if (r->path[0] == '.') {
			if (!strcmp(path, r->path))
				return r;
		} else if (pl > rl && path[pl - rl - 1] == '.' && !strcmp(path + pl - rl, r->path)) {
			return r;
		}
	}
	return NULL;
}

typedef struct smp_ctx {
	const char *kind;
	strbuf path;     /* ".spec.template" while merging there */
	sim_err *err;
} smp_ctx;

static size_t smp_push(smp_ctx *c, const char *key)
{
	size_t len = c->path.len;

	sb_addc(&c->path, '.');
	sb_adds(&c->path, key);
	return len;
}

static void smp_pop(smp_ctx *c, size_t len)
{
	c->path.len = len;
	c->path.buf[len] = '\0';
}

static int smp_map(smp_ctx *c, cJSON *target, const cJSON *patch);

static const char *patch_directive(const cJSON *obj)
{
	const cJSON *d = cJSON_IsObject(obj) ? GET(obj, "$patch") : NULL;

	return cJSON_IsString(d) ? d->valuestring : NULL;
}

/* The element of arr whose `key` equals kv, or NULL. */
static cJSON *smp_find(cJSON *arr, const char *key, const cJSON *kv)
{
	cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		const cJSON *ek = cJSON_IsObject(e) ? GET(e, key) : NULL;
		if (ek && cJSON_Compare(ek, kv, 1))
			return e;
	}
	return NULL;
}

static int smp_list_keyed(smp_ctx *c, cJSON *arr, const cJSON *patch, const char *key)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, patch) {
		const char *d = patch_directive(e);
		if (d && !strcmp(d, "replace")) {
			clear_children(arr);
			break;
		}
	}
	cJSON_ArrayForEach(e, patch) {
		const char *d = patch_directive(e);
		const cJSON *kv;
		cJSON *found;

		if (!cJSON_IsObject(e))
			return sim_err_set(c->err, 400, "BadRequest",
					   "%s: list elements must be objects with merge key \"%s\"", c->path.buf, key);
		kv = GET(e, key);
		if (!kv) {
			if (d && !strcmp(d, "replace"))
				continue;
			return sim_err_set(c->err, 400, "BadRequest",
					   "map: %s does not contain declared merge key: %s", c->path.buf, key);
		}
		if (d && !strcmp(d, "delete")) {
			while ((found = smp_find(arr, key, kv)))
				cJSON_Delete(cJSON_DetachItemViaPointer(arr, found));
			continue;
		}
		found = smp_find(arr, key, kv);
		if (!found) {
			found = cJSON_CreateObject();
			cJSON_AddItemToArray(arr, found);
		}
		if (smp_map(c, found, e) < 0)
			return -1;
	}
	return 0;
}

static int smp_list_set(smp_ctx *c, cJSON *arr, const cJSON *patch)
{
	const cJSON *e;
	int replace = 0;

	cJSON_ArrayForEach(e, patch) {
		const char *d = patch_directive(e);
		if (d && !strcmp(d, "replace"))
			replace = 1;
	}
	if (replace)
		clear_children(arr);
	cJSON_ArrayForEach(e, patch) {
		const cJSON *have;
		int dup = 0;

		if (patch_directive(e))
			continue;
		cJSON_ArrayForEach(have, arr) {
			if (cJSON_Compare(have, e, 1))
				dup = 1;
		}
		if (!dup)
			cJSON_AddItemToArray(arr, dup_or_die(e));
	}
	return 0;
}

/* A replaced list, without directive elements. */
static cJSON *smp_list_copy(const cJSON *patch)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;

	cJSON_ArrayForEach(e, patch) {
		if (!patch_directive(e))
			cJSON_AddItemToArray(out, dup_or_die(e));
	}
	return out;
}

static int smp_field(smp_ctx *c, cJSON *target, const cJSON *pv)
{
	const char *key = pv->string;
	cJSON *cur = GET(target, key);
	int ret = 0;
	size_t mark;

	if (cJSON_IsNull(pv)) {
		cJSON_DeleteItemFromObjectCaseSensitive(target, key);
		return 0;
	}
	if (cJSON_IsObject(pv)) {
		const char *d = patch_directive(pv);

		if (d && !strcmp(d, "delete")) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, key);
			return 0;
		}
		if (!cJSON_IsObject(cur)) {
			cur = cJSON_CreateObject();
			set_key(target, key, cur);
		}
		mark = smp_push(c, key);
		ret = smp_map(c, cur, pv);
		smp_pop(c, mark);
		return ret;
	}
	if (cJSON_IsArray(pv)) {
		const struct smp_rule *r;

		mark = smp_push(c, key);
		r = smp_rule_for(c->kind, c->path.buf);
		if (r && r->how != SMP_REPLACE) {
			if (!cJSON_IsArray(cur)) {
				cur = cJSON_CreateArray();
				set_key(target, key, cur);
			}
			ret = r->how == SMP_MERGE_KEY ? smp_list_keyed(c, cur, pv, r->key) : smp_list_set(c, cur, pv);
		} else {
			set_key(target, key, smp_list_copy(pv));
		}
		smp_pop(c, mark);
		return ret;
	}
	set_key(target, key, dup_or_die(pv));
	return 0;
}

static int smp_delete_from_list(smp_ctx *c, cJSON *target, const char *list, const cJSON *values)
{
	cJSON *arr = GET(target, list);
	const cJSON *v;

	if (!cJSON_IsArray(values))
		return sim_err_set(c->err, 400, "BadRequest", "$deleteFromPrimitiveList/%s must be a list", list);
	if (!cJSON_IsArray(arr))
		return 0;
	cJSON_ArrayForEach(v, values) {
		cJSON *e = arr->child;
		while (e) {
			cJSON *next = e->next;
			if (cJSON_Compare(e, v, 1))
				cJSON_Delete(cJSON_DetachItemViaPointer(arr, e));
			e = next;
		}
	}
	return 0;
}

/* Reorders target[list] as `order` gives, the elements not named there after. */
static int smp_set_order(smp_ctx *c, cJSON *target, const char *list, const cJSON *order)
{
	cJSON *arr = GET(target, list);
	const struct smp_rule *r;
	const char *key = NULL;
	const cJSON *o;
	cJSON **items = NULL, *e;
	size_t n = 0, mark;

	if (!cJSON_IsArray(order))
		return sim_err_set(c->err, 400, "BadRequest", "$setElementOrder/%s must be a list", list);
	if (!cJSON_IsArray(arr))
		return 0;
	mark = smp_push(c, list);
	r = smp_rule_for(c->kind, c->path.buf);
	smp_pop(c, mark);
	if (r && r->how == SMP_MERGE_KEY)
		key = r->key;

	while ((e = cJSON_DetachItemFromArray(arr, 0))) {
		items = xrealloc(items, (n + 1) * sizeof(*items));
		items[n++] = e;
	}
	cJSON_ArrayForEach(o, order) {
		const cJSON *want = o;

		if (key) {
			want = cJSON_IsObject(o) ? GET(o, key) : NULL;
			if (!want)
				continue;
		}
		for (size_t i = 0; i < n; i++) {
			const cJSON *have = items[i];
			if (!have)
				continue;
			if (key)
				have = cJSON_IsObject(have) ? GET(have, key) : NULL;
			if (have && cJSON_Compare(have, want, 1)) {
				cJSON_AddItemToArray(arr, items[i]);
				items[i] = NULL;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i])
			cJSON_AddItemToArray(arr, items[i]);
	}
	free(items);
	return 0;
}

static int smp_retain(smp_ctx *c, cJSON *target, const cJSON *keep)
{
	cJSON *e;

	if (!cJSON_IsArray(keep))
		return sim_err_set(c->err, 400, "BadRequest", "$retainKeys must be a list of strings");
	cJSON_ArrayForEach(e, keep) {
		if (!cJSON_IsString(e))
			return sim_err_set(c->err, 400, "BadRequest", "$retainKeys must be a list of strings");
	}
	e = target->child;
	while (e) {
		cJSON *next = e->next;
		const cJSON *k;
		int kept = 0;

		cJSON_ArrayForEach(k, keep) {
			if (!strcmp(k->valuestring, e->string))
				kept = 1;
		}
		if (!kept)
			cJSON_Delete(cJSON_DetachItemViaPointer(target, e));
		e = next;
	}
	return 0;
}

#define SET_ORDER "$setElementOrder/"
#define DELETE_FROM "$deleteFromPrimitiveList/"

static int smp_map(smp_ctx *c, cJSON *target, const cJSON *patch)
{
	const char *d = patch_directive(patch);
	const cJSON *p, *retain;

	if (GET(patch, "$patch") && !d)
		return sim_err_set(c->err, 400, "BadRequest", "$patch must be a string");
	if (d) {
		if (!strcmp(d, "replace") || !strcmp(d, "delete"))
			clear_children(target);
		else if (strcmp(d, "merge"))
			return sim_err_set(c->err, 400, "BadRequest", "unknown patch type: %s in map: %s", d,
					   c->path.buf[0] ? c->path.buf : ".");
		if (!strcmp(d, "delete"))
			return 0;
	}
	cJSON_ArrayForEach(p, patch) {
		if (util_starts_with(p->string, DELETE_FROM) &&
		    smp_delete_from_list(c, target, p->string + strlen(DELETE_FROM), p) < 0)
			return -1;
	}
	cJSON_ArrayForEach(p, patch) {
		if (is_directive(p->string)) {
			if (!strcmp(p->string, "$patch") || !strcmp(p->string, "$retainKeys") ||
			    util_starts_with(p->string, SET_ORDER) || util_starts_with(p->string, DELETE_FROM))
				continue;
			return sim_err_set(c->err, 400, "BadRequest", "unknown patch directive: %s", p->string);
		}
		if (smp_field(c, target, p) < 0)
			return -1;
	}
	cJSON_ArrayForEach(p, patch) {
		if (util_starts_with(p->string, SET_ORDER) &&
		    smp_set_order(c, target, p->string + strlen(SET_ORDER), p) < 0)
			return -1;
	}
	retain = GET(patch, "$retainKeys");
	if (retain && smp_retain(c, target, retain) < 0)
		return -1;
	return 0;
}

static int smp_run(cJSON *target, const cJSON *patch, const char *kind, sim_err *err)
{
	smp_ctx c = {.kind = kind, .err = err};
	int ret;

	if (!cJSON_IsObject(target) || !cJSON_IsObject(patch))
		return sim_err_set(err, 400, "BadRequest", "a strategic merge patch must be a JSON object");
	sb_init(&c.path, 64);
	ret = smp_map(&c, target, patch);
	sb_release(&c.path);
	return ret;
}

int sim_patch_strategic(cJSON *target, const cJSON *patch, const char *kind, sim_err *err)
{
	return smp_run(target, patch, kind, err);
}

/* ---- server-side apply ----
 *
 * Field sets are kept as cJSON trees in the FieldsV1 notation: "f:<field>" for an
 * object member, "k:{\"name\":\"x\"}" for a list element found by its merge key
 * (with "." for the element itself), "v:<json>" for a member of a set-like list.
 * An empty object is a leaf: the whole value is owned. */

typedef struct ssa_ctx {
	const char *kind;
	const char *manager;
	int force;
	strbuf path;      /* field-name path, for the merge-key table */
	strbuf human;     /* ".spec.containers[name=\"a\"].image", for messages */
	strbuf conflicts; /* "\n- path" lines of the manager being checked */
	int n_conflicts;
	sim_err *err;
} ssa_ctx;

/* Fields the server sets itself; never owned by an applier. */
static int ssa_skip(const char *path, const char *key)
{
	static const char *const root[] = {"apiVersion", "kind"};
	static const char *const meta[] = {"name", "namespace", "uid", "resourceVersion", "generation",
					   "creationTimestamp", "deletionTimestamp", "managedFields",
					   "selfLink", "deletionGracePeriodSeconds"};

	if (!path[0]) {
		for (size_t i = 0; i < ARRAY_SIZE(root); i++)
			if (!strcmp(key, root[i]))
				return 1;
	} else if (!strcmp(path, ".metadata")) {
		for (size_t i = 0; i < ARRAY_SIZE(meta); i++)
			if (!strcmp(key, meta[i]))
				return 1;
	}
	return 0;
}

/* prefix + s, malloc'd. */
static char *prefixed(const char *prefix, const char *s)
{
	size_t n = strlen(prefix) + strlen(s) + 1;
	char *out = xmalloc(n);

	snprintf(out, n, "%s%s", prefix, s);
	return out;
}

static char *ssa_elem_key(const char *key, const cJSON *kv)
{
	cJSON *o = cJSON_CreateObject();
	char *json, *out;

	cJSON_AddItemToObject(o, key, dup_or_die(kv));
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!json)
		die("out of memory printing JSON");
	out = prefixed("k:", json);
	cJSON_free(json);
	return out;
}

static void ssa_build(ssa_ctx *c, cJSON *set, const cJSON *val)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, val) {
		char *fkey;
		cJSON *node;
		size_t mark;

		if (is_directive(ch->string) || ssa_skip(c->path.buf, ch->string))
			continue;
		fkey = prefixed("f:", ch->string);
		node = cJSON_CreateObject();
		cJSON_AddItemToObject(set, fkey, node);
		free(fkey);
		mark = c->path.len;
		sb_addc(&c->path, '.');
		sb_adds(&c->path, ch->string);
		if (cJSON_IsObject(ch)) {
			ssa_build(c, node, ch);
			/* Only server-set fields inside: nothing owned here. */
			if (ch->child && !node->child)
				cJSON_Delete(cJSON_DetachItemViaPointer(set, node));
		} else if (cJSON_IsArray(ch)) {
			const struct smp_rule *r = smp_rule_for(c->kind, c->path.buf);
			const cJSON *e;

			cJSON_ArrayForEach(e, ch) {
				if (r && r->how == SMP_MERGE_KEY && cJSON_IsObject(e) && GET(e, r->key)) {
					char *k = ssa_elem_key(r->key, GET(e, r->key));
					cJSON *en = cJSON_CreateObject();

					if (!GET(node, k)) {
						cJSON_AddItemToObject(node, k, en);
						cJSON_AddItemToObject(en, ".", cJSON_CreateObject());
						ssa_build(c, en, e);
					} else {
						cJSON_Delete(en);
					}
					free(k);
				} else if (r && r->how == SMP_MERGE_SET) {
					char *json = cJSON_PrintUnformatted(e);
					char *k;

					if (!json)
						die("out of memory printing JSON");
					k = prefixed("v:", json);
					cJSON_free(json);
					if (!GET(node, k))
						cJSON_AddItemToObject(node, k, cJSON_CreateObject());
					free(k);
				}
			}
		}
		c->path.len = mark;
		c->path.buf[mark] = '\0';
	}
}

/* The part of `val` that a field-set key names, or NULL. */
static cJSON *ssa_resolve(cJSON *val, const char *fkey)
{
	if (!val)
		return NULL;
	if (util_starts_with(fkey, "f:"))
		return cJSON_IsObject(val) ? GET(val, fkey + 2) : NULL;
	if (util_starts_with(fkey, "k:") || util_starts_with(fkey, "v:")) {
		cJSON *want = cJSON_Parse(fkey + 2), *e, *found = NULL;

		if (!want || !cJSON_IsArray(val)) {
			cJSON_Delete(want);
			return NULL;
		}
		cJSON_ArrayForEach(e, val) {
			int match = 1;

			if (fkey[0] == 'v') {
				match = cJSON_Compare(e, want, 1);
			} else {
				const cJSON *m;
				if (!cJSON_IsObject(e))
					continue;
				cJSON_ArrayForEach(m, want) {
					const cJSON *ev = GET(e, m->string);
					if (!ev || !cJSON_Compare(ev, m, 1))
						match = 0;
				}
			}
			if (match) {
				found = e;
				break;
			}
		}
		cJSON_Delete(want);
		return found;
	}
	return NULL;
}

static size_t ssa_human_push(ssa_ctx *c, const char *fkey)
{
	size_t len = c->human.len;

	if (util_starts_with(fkey, "f:")) {
		sb_addf(&c->human, ".%s", fkey + 2);
	} else if (util_starts_with(fkey, "k:")) {
		cJSON *k = cJSON_Parse(fkey + 2);
		const cJSON *m;
		int first = 1;

		sb_addc(&c->human, '[');
		cJSON_ArrayForEach(m, k) {
			char *v = cJSON_PrintUnformatted(m);
			sb_addf(&c->human, "%s%s=%s", first ? "" : ",", m->string, v ? v : "?");
			cJSON_free(v);
			first = 0;
		}
		sb_addc(&c->human, ']');
		cJSON_Delete(k);
	} else {
		sb_addf(&c->human, "[%s]", fkey);
	}
	return len;
}

static void ssa_human_pop(ssa_ctx *c, size_t len)
{
	c->human.len = len;
	c->human.buf[len] = '\0';
}

/* Fields in `mine` that `theirs` (an applier or an updater) also owns with a different current value. With
 * force they are taken out of `theirs`; otherwise listed in c->conflicts. */
static void ssa_conflicts(ssa_ctx *c, const cJSON *mine, cJSON *theirs, cJSON *cur, cJSON *applied)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, mine) {
		cJSON *t = GET(theirs, m->string);
		cJSON *cv, *av;
		size_t mark;

		if (!t || !strcmp(m->string, ".") || util_starts_with(m->string, "v:"))
			continue;
		cv = ssa_resolve(cur, m->string);
		av = ssa_resolve(applied, m->string);
		mark = ssa_human_push(c, m->string);
		if (!m->child || !t->child) {
			if (!(cv && av && cJSON_Compare(cv, av, 1))) {
				if (c->force) {
					cJSON_Delete(cJSON_DetachItemViaPointer(theirs, t));
				} else {
					sb_addf(&c->conflicts, "\n- %s", c->human.buf);
					c->n_conflicts++;
				}
			}
		} else {
			ssa_conflicts(c, m, t, cv, av);
			if (c->force && !t->child)
				cJSON_Delete(cJSON_DetachItemViaPointer(theirs, t));
		}
		ssa_human_pop(c, mark);
	}
}

/* Members of metadata an apply never removes: the server's own, and the
 * managedFields being worked on (removing them freed the entry being read). */
static int ssa_kept_meta(const char *key)
{
	static const char *const kept[] = {"f:managedFields", "f:name", "f:namespace", "f:uid",
					   "f:resourceVersion", "f:creationTimestamp",
					   "f:generation", "f:deletionTimestamp"};

	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (!strcmp(key, kept[i]))
			return 1;
	return 0;
}

/* Removes from cur what `old` owned, `now` does not and no set in `others` holds.
 * level: 0 at the object's top, 1 inside its metadata, 2 elsewhere. */
static void ssa_remove(const cJSON *old, const cJSON *now, cJSON **others, size_t n_others,
		       cJSON *cur, int level)
{
	const cJSON *o;

	if (!cur)
		return;
	cJSON_ArrayForEach(o, old) {
		const cJSON *nw = GET(now, o->string);
		cJSON **sub;
		int shared = 0, shared_leaf = 0;
		int meta = level == 0 && !strcmp(o->string, "f:metadata");
		cJSON *cv;

		if (!strcmp(o->string, ".") || (level == 1 && ssa_kept_meta(o->string)))
			continue;
		sub = xcalloc(n_others ? n_others : 1, sizeof(*sub));
		for (size_t i = 0; i < n_others; i++) {
			sub[i] = others[i] ? GET(others[i], o->string) : NULL;
			if (sub[i]) {
				shared = 1;
				if (!sub[i]->child)
					shared_leaf = 1;
			}
		}
		cv = ssa_resolve(cur, o->string);
		if (meta) { /* the metadata itself stays: only what is inside may go */
			if (o->child && !shared_leaf && (!nw || nw->child))
				ssa_remove(o, nw, sub, n_others, cv, 1);
		} else if (!nw && !shared) {
			if (cv)
				cJSON_Delete(cJSON_DetachItemViaPointer(cur, cv));
		} else if (o->child && !shared_leaf && (!nw || nw->child)) {
			ssa_remove(o, nw, sub, n_others, cv, 2);
		}
		free(sub);
	}
}

static const char *entry_str(const cJSON *e, const char *key)
{
	const cJSON *v = GET(e, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static cJSON *ssa_managed_fields(cJSON *target)
{
	cJSON *meta = GET(target, "metadata"), *mf;

	if (!cJSON_IsObject(meta)) {
		meta = cJSON_CreateObject();
		set_key(target, "metadata", meta);
	}
	mf = GET(meta, "managedFields");
	if (!cJSON_IsArray(mf)) {
		mf = cJSON_CreateArray();
		set_key(meta, "managedFields", mf);
	}
	return mf;
}

/* target without metadata.managedFields (copy), for the "changed?" test. */
static cJSON *ssa_snapshot(const cJSON *target)
{
	cJSON *snap = dup_or_die(target), *meta = GET(snap, "metadata");

	if (cJSON_IsObject(meta))
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
	return snap;
}

/* A managedFields entry stamped now (wall-clock UTC); takes fields. */
static cJSON *mf_entry(const char *manager, const char *op, const char *api, cJSON *fields)
{
	cJSON *entry = cJSON_CreateObject();
	char when[32];

	util_rfc3339(util_now_ms() / 1000, when, sizeof(when));
	cJSON_AddStringToObject(entry, "manager", manager);
	cJSON_AddStringToObject(entry, "operation", op);
	if (api)
		cJSON_AddStringToObject(entry, "apiVersion", api);
	cJSON_AddStringToObject(entry, "time", when);
	cJSON_AddStringToObject(entry, "fieldsType", "FieldsV1");
	cJSON_AddItemToObject(entry, "fieldsV1", fields);
	return entry;
}

int sim_patch_apply(cJSON *target, const cJSON *applied, const char *manager, int force,
		    const char *kind, sim_err *err)
{
	ssa_ctx c = {.kind = kind, .manager = manager, .force = force, .err = err};
	cJSON *mine = cJSON_CreateObject(), *before = NULL, *clean = NULL, *after, *mf, *e, *next;
	cJSON *old_entry = NULL, **others = NULL, *meta;
	size_t n_others = 0;
	strbuf msg;
	const char *api;
	int ret = -1;

	sb_init(&c.path, 64);
	sb_init(&c.human, 64);
	sb_init(&c.conflicts, 64);
	sb_init(&msg, 64);
	if (!cJSON_IsObject(target) || !cJSON_IsObject(applied)) {
		sim_err_set(err, 400, "BadRequest", "an apply configuration must be a JSON object");
		goto out;
	}
	if (!manager || !*manager) {
		sim_err_set(err, 400, "BadRequest",
			    "PATCH requests with apply content type require fieldManager to be set");
		goto out;
	}
	meta = GET(applied, "metadata");
	if (meta && !cJSON_IsObject(meta)) {
		/* the merge would replace the metadata that holds managedFields */
		sim_err_set(err, 400, "BadRequest", "metadata of an apply configuration must be an object");
		goto out;
	}
	before = ssa_snapshot(target);
	ssa_build(&c, mine, applied);
	mf = ssa_managed_fields(target);

	/* Conflicts with other appliers, manager by manager. */
	cJSON_ArrayForEach(e, mf) {
		const char *m = entry_str(e, "manager"), *op = entry_str(e, "operation");
		cJSON *fs = GET(e, "fieldsV1");
		int n_before = c.n_conflicts;

		if (!strcmp(m, manager) && !strcmp(op, "Apply")) {
			old_entry = e;
			continue;
		}
		if (!cJSON_IsObject(fs))
			continue;
		sb_reset(&c.conflicts);
		ssa_conflicts(&c, mine, fs, target, (cJSON *)applied);
		if (c.n_conflicts > n_before) {
			int k = c.n_conflicts - n_before;
			char using[80] = "";

			/* an updater is named with its API version, as the API server does */
			if (strcmp(op, "Apply") && *entry_str(e, "apiVersion"))
				snprintf(using, sizeof(using), " using %s", entry_str(e, "apiVersion"));
			if (k == 1)
				sb_addf(&msg, "%sconflict with \"%s\"%s: %s", msg.len ? "\n" : "", m, using,
					c.conflicts.buf + 3);
			else
				sb_addf(&msg, "%sconflicts with \"%s\"%s:%s", msg.len ? "\n" : "", m, using,
					c.conflicts.buf);
		}
	}
	if (c.n_conflicts) {
		sim_err_set(err, 409, "Conflict", "Apply failed with %d conflict%s: %s", c.n_conflicts,
			    c.n_conflicts == 1 ? "" : "s", msg.buf);
		goto out;
	}

	/* Forced: managers left with nothing disappear. */
	for (e = mf->child; e; e = next) {
		cJSON *fs = GET(e, "fieldsV1");
		next = e->next;
		if (e != old_entry && cJSON_IsObject(fs) && !fs->child && force)
			cJSON_Delete(cJSON_DetachItemViaPointer(mf, e));
	}

	/* Drop what this manager applied before and applies no longer. */
	cJSON_ArrayForEach(e, mf) {
		if (e == old_entry)
			continue;
		others = xrealloc(others, (n_others + 1) * sizeof(*others));
		others[n_others++] = GET(e, "fieldsV1");
	}
	if (old_entry)
		ssa_remove(GET(old_entry, "fieldsV1"), mine, others, n_others, target, 0);

	/* Merge the configuration itself. */
	clean = dup_or_die(applied);
	meta = GET(clean, "metadata");
	if (cJSON_IsObject(meta))
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
	if (smp_run(target, clean, kind, err) < 0)
		goto out;

	/* Record ownership unless nothing changed at all. The merge may have
	 * replaced the metadata ("$patch": "replace"), and with it the entry found
	 * before: it is looked up again. */
	mf = ssa_managed_fields(target);
	old_entry = NULL;
	cJSON_ArrayForEach(e, mf)
		if (!strcmp(entry_str(e, "manager"), manager) && !strcmp(entry_str(e, "operation"), "Apply"))
			old_entry = e;
	after = ssa_snapshot(target);
	api = cJSON_IsString(GET(applied, "apiVersion")) ? GET(applied, "apiVersion")->valuestring : NULL;
	if (old_entry && cJSON_Compare(after, before, 1) && cJSON_Compare(GET(old_entry, "fieldsV1"), mine, 1) &&
	    (!api || !strcmp(entry_str(old_entry, "apiVersion"), api))) {
		cJSON_Delete(after);
		ret = 0;
		goto out;
	}
	cJSON_Delete(after);
	{
		cJSON *entry = mf_entry(manager, "Apply", api, mine);

		mine = NULL;
		if (old_entry)
			cJSON_ReplaceItemViaPointer(mf, old_entry, entry);
		else
			cJSON_AddItemToArray(mf, entry);
	}
	ret = 0;
out:
	free(others);
	cJSON_Delete(mine);
	cJSON_Delete(before);
	cJSON_Delete(clean);
	sb_release(&c.path);
	sb_release(&c.human);
	sb_release(&c.conflicts);
	sb_release(&msg);
	return ret;
}

/* Drops "f:path[0]"/"f:path[1]"/... from fields, and the parents it leaves empty. */
static void fields_drop(cJSON *fields, const char *const *path, size_t n)
{
	char key[128];
	cJSON *sub;

	snprintf(key, sizeof(key), "f:%s", path[0]);
	sub = GET(fields, key);
	if (!sub)
		return;
	if (n > 1)
		fields_drop(sub, path + 1, n - 1);
	if (n == 1 || !sub->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(fields, sub));
}

void sim_patch_take_field(cJSON *target, const char *manager, const char *api_version,
			  const char *const *path, size_t n)
{
	cJSON *mf = ssa_managed_fields(target), *e, *next, *mine = NULL, *fs;
	char key[128], when[32];

	if (!n)
		return;
	for (e = mf->child; e; e = next) {
		next = e->next;
		if (!strcmp(entry_str(e, "manager"), manager) && !strcmp(entry_str(e, "operation"), "Update")) {
			mine = e;
			continue;
		}
		fs = GET(e, "fieldsV1");
		if (!cJSON_IsObject(fs))
			continue;
		fields_drop(fs, path, n);
		if (!fs->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(mf, e));
	}
	if (!mine) {
		mine = mf_entry(manager, "Update", api_version, cJSON_CreateObject());
		cJSON_AddItemToArray(mf, mine);
	} else {
		util_rfc3339(util_now_ms() / 1000, when, sizeof(when));
		set_key(mine, "time", cJSON_CreateString(when));
	}
	fs = GET(mine, "fieldsV1");
	if (!cJSON_IsObject(fs)) {
		fs = cJSON_CreateObject();
		set_key(mine, "fieldsV1", fs);
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *sub;

		snprintf(key, sizeof(key), "f:%s", path[i]);
		sub = GET(fs, key);
		if (!cJSON_IsObject(sub)) {
			sub = cJSON_CreateObject();
			set_key(fs, key, sub);
		}
		fs = sub;
	}
}
