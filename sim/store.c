/* sim/store.c — kubesim's in-memory object store.
 *
 * Layout: one table per resource type. A table is an open-addressing hash map
 * (linear probing, tombstones) of entries keyed by "ns/name", plus a view of the
 * same entries sorted by (namespace, name). An entry is stable while the object
 * lives; updates swap entry->obj and leave the view alone. Creations are
 * appended to a "fresh" array and deletions leave dead entries behind. A list
 * sorts the fresh entries it has not seen yet into their place among the fresh
 * ones and reads the view and the fresh array together (two sorted runs,
 * merged), so a list of one namespace costs two bisections and its own items
 * however many objects were created since; the fresh array is merged into the
 * view (dropping the dead) at a list that finds FRESH_MAX of them, or when the
 * dead pile up. Creations alone (a fleet's seeding) sort nothing. Dead entries
 * keep their last object so namespace ranges still bisect.
 * (The view used to be rebuilt at each list that followed a creation: a
 * controller listing one namespace after another while pods were being created
 * paid for the whole table each time.)
 *
 * Every successful write takes rv = rv + 1 and appends exactly one event, so the
 * event with resourceVersion r lives in ring[r % window] while it is kept.
 *
 * Locks: `mu` guards tables, rv and snapshots; `clock_lock` the clock; `ev_mu` guards the
 * event ring, the shutdown flag and the sleeping watches. A writer takes mu, then ev_mu
 * to append; watchers take ev_mu only, so they never wait behind a long list.
 *
 * A watch that has read every event waits on its own condition. An event it may want
 * (its resource, its namespace) wakes it; any other event only moves its position on,
 * as it would have skipped that event itself: a fleet coming up writes some hundred
 * thousand pods, Events and Deployments, and every watch of another kind (a client's
 * namespaces, the claims' controller) had been woken, and had taken the lock, for each.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "sim/defaults.h"
#include "sim/store.h"
#include "util/util.h"

#define SNAP_MAX 32
#define FRESH_MAX 8192 /* creations a list keeps beside the view rather than merge */
#define SNAP_IDLE_MS (5 * 60 * 1000)
#define GEN_TRIES 100
#define GEN_CHARS "bcdfghjklmnpqrstvwxz2456789"

struct entry {
	sim_obj *obj;   /* current version (the last one once dead) */
	uint64_t hash;
	int dead;       /* deleted: out of the map, left in view/fresh until compaction */
};

struct table {
	struct entry **slots;  /* hash map: NULL empty, &tomb removed */
	size_t cap, n, tombs;
	struct entry **view;   /* sorted by (ns, name); may hold dead entries */
	size_t n_view;
	struct entry **fresh;  /* created since the last merge; the first n_sorted sorted */
	size_t n_fresh, cap_fresh, n_sorted;
	size_t dead;           /* dead entries still in view or fresh */
};

struct ev {
	sim_event_type type;
	sim_obj *obj;
	sim_obj *old;  /* MODIFIED: the version before, for selector transitions */
	uint64_t rv;
};

struct snap {
	uint64_t id;   /* 0 = free slot */
	uint64_t rv;
	const sim_resource *res;
	char *ns;      /* NULL = all namespaces */
	sim_obj **items;
	size_t n;
	int64_t used_ms;
};

struct sim_store {
	pthread_mutex_t mu;
	struct table *tabs;    /* one per entry of the resource table */
	size_t n_tabs;
	uint64_t rv;
	uint64_t rng;
	uint64_t uid_seq, uid_salt;
	int64_t (*clock)(void *ctx);
	void *clock_ctx;
	pthread_rwlock_t clock_lock; /* readers call the clock; set_clock waits for them */
	struct snap snaps[SNAP_MAX];
	uint64_t snap_seq;

	pthread_mutex_t ev_mu;
	sim_watch *sleepers;    /* watches waiting in sim_watch_next */
	struct ev *ring;
	size_t window;
	uint64_t ev_last;       /* rv of the newest event */
	int shutdown;
};

struct sim_watch {
	sim_store *s;
	const sim_resource *res;
	char *ns;               /* NULL = all namespaces */
	sim_selector *labels, *fields;
	uint64_t pos;           /* rv of the last event looked at */
	pthread_cond_t cond;    /* CLOCK_MONOTONIC; signalled while it is a sleeper */
	sim_watch *next_sleeper;
};

static struct entry tomb;

/* ---- objects ---- */

sim_obj *sim_obj_ref(sim_obj *o)
{
	if (o)
		__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
	return o;
}

void sim_obj_unref(sim_obj *o)
{
	if (o && __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(__atomic_load_n(&o->row, __ATOMIC_ACQUIRE));
		free(o); /* one block: header, labels and strings */
	}
}

cJSON *sim_obj_parse(const sim_obj *o)
{
	cJSON *tree = cJSON_ParseWithLength(o->json, o->len);

	if (!tree)
		die("kubesim: stored object %s/%s does not parse", o->ns, o->name);
	return tree;
}

const char *sim_obj_label(const sim_obj *o, const char *key)
{
	for (size_t i = 0; i < o->n_labels; i++)
		if (!strcmp(o->labels[i].key, key))
			return o->labels[i].value;
	return NULL;
}

static const char *str_item(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static char *pack_str(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = *p;

	memcpy(dst, s, n);
	*p += n;
	return dst;
}

/* Serializes tree compactly into buf (size bytes) when it fits, else into a new
 * allocation (*heap set, to be freed). Most objects fit: their text then costs no
 * allocation and no growing buffer (cJSON's printer reallocates as it goes, which on a
 * large fleet's seeding made the allocator the hottest code). */
static char *print_compact(const cJSON *tree, char *buf, int size, char **heap)
{
	*heap = NULL;
	if (cJSON_PrintPreallocated((cJSON *)tree, buf, size, 0))
		return buf;
	*heap = cJSON_PrintUnformatted(tree);
	return *heap;
}

/* Builds an immutable object from tree (serialized compactly); refs = 1. */
static sim_obj *obj_build(const sim_resource *res, const cJSON *tree)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(tree, "metadata");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	const char *ns = res->namespaced ? str_item(meta, "namespace") : NULL;
	const char *name = str_item(meta, "name");
	const char *rv = str_item(meta, "resourceVersion");
	const char *ts;
	const cJSON *l;
	char text[16384], *heap;
	char *json = print_compact(tree, text, (int)sizeof(text), &heap);
	size_t len, size, n_labels = 0;
	sim_obj *o;
	char *p;

	if (!json)
		die("out of memory serializing an object");
	ns = ns ? ns : "";
	name = name ? name : "";
	len = strlen(json);
	size = sizeof(*o) + strlen(ns) + 1 + strlen(name) + 1 + len + 1;
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l) || !l->string)
			continue;
		n_labels++;
		size += sizeof(sim_label) + strlen(l->string) + 1 + strlen(l->valuestring) + 1;
	}
	o = xmalloc(size);
	memset(o, 0, sizeof(*o));
	o->refs = 1;
	o->res = res;
	o->labels = (sim_label *)(o + 1);
	p = (char *)(o->labels + n_labels);
	o->ns = pack_str(&p, ns);
	o->name = pack_str(&p, name);
	/* the labels' text before the object's: a list's selector reads them for
	 * every object of a kind, and beside the header they share its cache lines
	 * (after a kilobyte of JSON, each was a miss of its own) */
	cJSON_ArrayForEach(l, labels) {
		if (!cJSON_IsString(l) || !l->string)
			continue;
		o->labels[o->n_labels].key = pack_str(&p, l->string);
		o->labels[o->n_labels].value = pack_str(&p, l->valuestring);
		o->n_labels++;
	}
	o->json = p;
	memcpy(p, json, len + 1);
	o->len = len;
	o->rv = rv ? strtoull(rv, NULL, 10) : 0;
	if ((ts = str_item(meta, "creationTimestamp")) != NULL)
		o->created_s = util_parse_rfc3339(ts);
	if ((ts = str_item(meta, "deletionTimestamp")) != NULL)
		o->deleted_s = util_parse_rfc3339(ts);
	free(heap);
	return o;
}

/* ---- tree helpers ---- */

static cJSON *child_obj(cJSON *parent, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (cJSON_IsObject(c))
		return c;
	if (c)
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	return cJSON_AddObjectToObject(parent, key);
}

static void set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

static void set_str(cJSON *obj, const char *key, const char *val)
{
	set_item(obj, key, cJSON_CreateString(val));
}

static void set_rv(cJSON *meta, uint64_t rv)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, rv);
	set_str(meta, "resourceVersion", buf);
}

/* Copies key from src to dst (or removes it from dst when src has none). */
static void copy_item(cJSON *dst, const cJSON *src, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(src, key);

	if (it)
		set_item(dst, key, cJSON_Duplicate(it, 1));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
}

static void set_type_meta(cJSON *tree, const sim_resource *res)
{
	char av[128];

	sim_resource_api_version(res, av, sizeof(av));
	set_str(tree, "apiVersion", av);
	set_str(tree, "kind", res->kind);
}

static int is_namespace_res(const sim_resource *res)
{
	return !res->group[0] && !strcmp(res->plural, "namespaces");
}

/* ---- errors in Kubernetes wording ---- */

/* "pods" or "deployments.apps", as the API server names a resource in messages. */
static void qualified(const sim_resource *res, char *buf, size_t size)
{
	if (res->group[0])
		snprintf(buf, size, "%s.%s", res->plural, res->group);
	else
		snprintf(buf, size, "%s", res->plural);
}

static int obj_err(sim_err *err, int code, const char *reason, const sim_resource *res, const char *name)
{
	char q[160];

	if (!err)
		return -1;
	qualified(res, q, sizeof(q));
	util_strlcpy(err->kind, res->plural, sizeof(err->kind));
	util_strlcpy(err->name, name, sizeof(err->name));
	if (!strcmp(reason, "NotFound"))
		return sim_err_set(err, code, reason, "%s \"%s\" not found", q, name);
	if (!strcmp(reason, "AlreadyExists"))
		return sim_err_set(err, code, reason, "%s \"%s\" already exists", q, name);
	return sim_err_set(err, code, reason,
			   "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
			   "please apply your changes to the latest version and try again", q, name);
}

static int invalid_name(sim_err *err, const sim_resource *res, const char *name, const char *why)
{
	if (err) {
		util_strlcpy(err->kind, res->plural, sizeof(err->kind));
		util_strlcpy(err->name, name, sizeof(err->name));
	}
	sim_err_set(err, 422, "Invalid", "%s \"%s\" is invalid: metadata.name: %s", res->kind, name, why);
	return sim_err_field(err, "metadata.name");
}

static int lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Namespaces are RFC 1123 labels; other names only need to be usable in a path. */
static int check_name(const sim_resource *res, const char *name, sim_err *err)
{
	size_t n = strlen(name);

	if (is_namespace_res(res)) {
		if (n > 63 || !lower_alnum(name[0]) || !lower_alnum(name[n - 1]))
			goto bad_label;
		for (size_t i = 0; i < n; i++)
			if (!lower_alnum(name[i]) && name[i] != '-')
				goto bad_label;
		return 0;
	}
	if (n > 253 || strchr(name, '/') || strchr(name, '%') || !strcmp(name, ".") || !strcmp(name, ".."))
		return invalid_name(err, res, name,
				    "Invalid value: may not contain '/' or '%', be '.' or '..', or exceed 253 characters");
	return 0;
bad_label:
	return invalid_name(err, res, name,
			    "Invalid value: a lowercase RFC 1123 label must consist of lower case alphanumeric "
			    "characters or '-', and must start and end with an alphanumeric character");
}

/* ---- hash table and sorted view ---- */

static uint64_t key_hash(const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)ns; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ^ (h >> 31);
}

static struct entry *tab_find(const struct table *t, const char *ns, const char *name)
{
	uint64_t h;
	size_t i;

	if (!t->cap)
		return NULL;
	h = key_hash(ns, name);
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct entry *e = t->slots[i];

		if (!e)
			return NULL;
		if (e != &tomb && e->hash == h && !strcmp(e->obj->name, name) && !strcmp(e->obj->ns, ns))
			return e;
	}
}

static void tab_put(struct entry **slots, size_t cap, struct entry *e)
{
	size_t i = e->hash & (cap - 1);

	while (slots[i] && slots[i] != &tomb)
		i = (i + 1) & (cap - 1);
	slots[i] = e;
}

static void tab_rehash(struct table *t, size_t cap)
{
	struct entry **slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i] && t->slots[i] != &tomb)
			tab_put(slots, cap, t->slots[i]);
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	t->tombs = 0;
}

static void tab_insert(struct table *t, struct entry *e)
{
	if ((t->n + t->tombs + 1) * 4 > t->cap * 3) {
		size_t cap = t->cap ? t->cap : 64;

		while ((t->n + 1) * 2 > cap)
			cap *= 2;
		tab_rehash(t, cap);
	}
	tab_put(t->slots, t->cap, e);
	t->n++;
	if (t->n_fresh == t->cap_fresh) {
		t->cap_fresh = t->cap_fresh ? t->cap_fresh * 2 : 64;
		t->fresh = xrealloc(t->fresh, t->cap_fresh * sizeof(*t->fresh));
	}
	t->fresh[t->n_fresh++] = e;
}

/* Takes e out of the map; the entry stays in view/fresh, dead, until the next rebuild. */
static void tab_remove(struct table *t, struct entry *e)
{
	size_t i = e->hash & (t->cap - 1);

	while (t->slots[i] != e)
		i = (i + 1) & (t->cap - 1);
	t->slots[i] = &tomb;
	t->tombs++;
	t->n--;
	e->dead = 1;
	t->dead++;
}

static int cmp_key(const char *ns, const char *name, const struct entry *e)
{
	int c = strcmp(ns, e->obj->ns);

	return c ? c : strcmp(name, e->obj->name);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a;

	return cmp_key(x->obj->ns, x->obj->name, *(struct entry *const *)b);
}

/* Sorts the fresh entries into the view and drops the dead. */
static void view_rebuild(struct table *t)
{
	struct entry **out;
	size_t nf = 0, i = 0, j = 0, k = 0;

	if (!t->n_fresh && !t->dead)
		return;
	for (size_t x = 0; x < t->n_fresh; x++) {
		if (!t->fresh[x]->dead) {
			t->fresh[nf++] = t->fresh[x];
		} else {
			sim_obj_unref(t->fresh[x]->obj);
			free(t->fresh[x]);
		}
	}
	qsort(t->fresh, nf, sizeof(*t->fresh), cmp_entry);
	out = xmalloc((t->n ? t->n : 1) * sizeof(*out));
	while (i < t->n_view || j < nf) {
		struct entry *e;

		if (i < t->n_view && t->view[i]->dead) {
			sim_obj_unref(t->view[i]->obj);
			free(t->view[i++]);
			continue;
		}
		if (j >= nf || (i < t->n_view && cmp_entry(&t->view[i], &t->fresh[j]) < 0))
			e = t->view[i++];
		else
			e = t->fresh[j++];
		out[k++] = e;
	}
	free(t->view);
	t->view = out;
	t->n_view = k;
	t->n_fresh = 0;
	t->n_sorted = 0;
	t->dead = 0;
	if (t->cap_fresh > 4 * FRESH_MAX) {
		free(t->fresh);
		t->fresh = NULL;
		t->cap_fresh = 0;
	}
}

/* First index of arr[0..n) whose entry sorts after (ns, name) (the place to insert). */
static size_t upper_bound(struct entry **arr, size_t n, const char *ns, const char *name)
{
	size_t a = 0, b = n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (cmp_key(ns, name, arr[m]) >= 0)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* Readies the view and the fresh entries for a list: the fresh ones a list has not
 * seen yet go into their place among the others (a move of at most FRESH_MAX
 * pointers each), or, past FRESH_MAX, everything is merged into the view. */
static void view_sync(struct table *t)
{
	if (t->n_fresh >= FRESH_MAX) {
		view_rebuild(t);
		return;
	}
	for (size_t k = t->n_sorted; k < t->n_fresh; k++) {
		struct entry *e = t->fresh[k];
		size_t at = upper_bound(t->fresh, k, e->obj->ns, e->obj->name);

		memmove(t->fresh + at + 1, t->fresh + at, (k - at) * sizeof(*t->fresh));
		t->fresh[at] = e;
	}
	t->n_sorted = t->n_fresh;
}

/* Keeps deleted objects from piling up in the view. */
static void maybe_compact(struct table *t)
{
	if (t->dead > 1024 && t->dead * 4 > t->n)
		view_rebuild(t);
}

/* [*lo, *hi) of sorted arr[0..n) holding namespace ns, all of it for ns NULL (may
 * include dead entries). */
static void ns_range(struct entry *const *arr, size_t n, const char *ns, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;

	if (!ns) {
		*lo = 0;
		*hi = n;
		return;
	}
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (strcmp(arr[m]->obj->ns, ns) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (strcmp(arr[m]->obj->ns, ns) <= 0)
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->n_view; i++) {
		sim_obj_unref(t->view[i]->obj);
		free(t->view[i]);
	}
	for (size_t i = 0; i < t->n_fresh; i++) {
		sim_obj_unref(t->fresh[i]->obj);
		free(t->fresh[i]);
	}
	free(t->view);
	free(t->fresh);
	free(t->slots);
}

/* ---- store ---- */

static int64_t wall_clock(void *ctx)
{
	return util_now_ms() / 1000;
}

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

sim_store *sim_store_new(size_t window)
{
	sim_store *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->ev_mu, NULL);
	s->n_tabs = sim_resource_count();
	s->tabs = xcalloc(s->n_tabs, sizeof(*s->tabs));
	s->window = window ? window : 1;
	s->ring = xcalloc(s->window, sizeof(*s->ring));
	s->clock = wall_clock;
	pthread_rwlock_init(&s->clock_lock, NULL);
	s->rng = (uint64_t)util_now_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s;
	s->uid_salt = splitmix(&s->rng);
	return s;
}

static void snap_drop(struct snap *sn)
{
	for (size_t i = 0; i < sn->n; i++)
		sim_obj_unref(sn->items[i]);
	free(sn->items);
	free(sn->ns);
	memset(sn, 0, sizeof(*sn));
}

void sim_store_free(sim_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_tabs; i++)
		table_release(&s->tabs[i]);
	free(s->tabs);
	for (size_t i = 0; i < SNAP_MAX; i++)
		snap_drop(&s->snaps[i]);
	for (size_t i = 0; i < s->window; i++) {
		sim_obj_unref(s->ring[i].obj);
		sim_obj_unref(s->ring[i].old);
	}
	free(s->ring);
	pthread_mutex_destroy(&s->ev_mu);
	pthread_mutex_destroy(&s->mu);
	pthread_rwlock_destroy(&s->clock_lock);
	free(s);
}

uint64_t sim_store_rv(sim_store *s)
{
	uint64_t rv;

	pthread_mutex_lock(&s->mu);
	rv = s->rv;
	pthread_mutex_unlock(&s->mu);
	return rv;
}

void sim_store_set_clock(sim_store *s, int64_t (*now_s)(void *ctx), void *ctx)
{
	/* once this returns no thread is still inside the previous clock, so its
	 * owner may free what the clock reads */
	pthread_rwlock_wrlock(&s->clock_lock);
	s->clock = now_s ? now_s : wall_clock;
	s->clock_ctx = now_s ? ctx : NULL;
	pthread_rwlock_unlock(&s->clock_lock);
}

int64_t sim_store_now(sim_store *s)
{
	int64_t t;

	pthread_rwlock_rdlock(&s->clock_lock);
	t = s->clock(s->clock_ctx);
	pthread_rwlock_unlock(&s->clock_lock);
	return t;
}

size_t sim_store_count(sim_store *s, const sim_resource *res)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->tabs[sim_resource_index(res)].n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static struct table *table_of(sim_store *s, const sim_resource *res)
{
	return &s->tabs[sim_resource_index(res)];
}

static const sim_resource *namespaces_res(void)
{
	return sim_resource_find("", "v1", "namespaces");
}

static void now_rfc3339(sim_store *s, char *buf, size_t size)
{
	util_rfc3339(sim_store_now(s), buf, size);
}

/* UUID-shaped and unique per store: the last group is a bijection of a counter. */
static void make_uid(sim_store *s, char *buf, size_t size)
{
	uint64_t a = splitmix(&s->rng);
	uint64_t b = ((++s->uid_seq * 0x5851f42d4c957ULL) ^ s->uid_salt) & 0xffffffffffffULL;

	snprintf(buf, size, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		 a >> 32, (a >> 16) & 0xffff, a & 0xfff, 0x8000 | ((a >> 12) & 0x3fff), b);
}

/* Whether w may want an event about o: its resource and namespace (an event's old
 * version has both the same). Events that fail this are skipped whatever they hold. */
static int watch_may_want(const sim_watch *w, const sim_obj *o)
{
	return o->res == w->res && (!w->ns || !strcmp(o->ns, w->ns));
}

/* Appends one event; mu held and s->rv already advanced to ev's rv. Takes new references. */
static void ev_append(sim_store *s, sim_event_type type, sim_obj *obj, sim_obj *old)
{
	struct ev *e;

	pthread_mutex_lock(&s->ev_mu);
	e = &s->ring[s->rv % s->window];
	sim_obj_unref(e->obj);
	sim_obj_unref(e->old);
	e->type = type;
	e->obj = sim_obj_ref(obj);
	e->old = sim_obj_ref(old);
	e->rv = s->rv;
	s->ev_last = s->rv;
	for (sim_watch *w = s->sleepers; w; w = w->next_sleeper) {
		if (w->pos + 1 != s->rv)
			continue; /* woken already, its events not read yet */
		if (watch_may_want(w, obj))
			pthread_cond_signal(&w->cond);
		else
			w->pos = s->rv;
	}
	pthread_mutex_unlock(&s->ev_mu);
}

/* 0 if namespace ns accepts new objects; mu held. */
static int namespace_open(sim_store *s, const char *ns, sim_err *err)
{
	const sim_resource *nsr = namespaces_res();
	struct entry *e = tab_find(table_of(s, nsr), "", ns);

	if (!e)
		return obj_err(err, 404, "NotFound", nsr, ns);
	if (e->obj->deleted_s) {
		if (err) {
			util_strlcpy(err->kind, nsr->plural, sizeof(err->kind));
			util_strlcpy(err->name, ns, sizeof(err->name));
		}
		return sim_err_set(err, 403, "Forbidden",
				   "unable to create new content in namespace %s because it is being terminated", ns);
	}
	return 0;
}

static void generate_name(sim_store *s, const char *prefix, char *buf, size_t size)
{
	char tail[6];
	size_t plen = strlen(prefix);

	for (size_t i = 0; i < 5; i++)
		tail[i] = GEN_CHARS[splitmix(&s->rng) % (sizeof(GEN_CHARS) - 1)];
	tail[5] = '\0';
	if (plen > 58)
		plen = 58; /* as the API server does: the result stays within 63 */
	snprintf(buf, size, "%.*s%s", (int)plen, prefix, tail);
}

int sim_store_create(sim_store *s, const sim_resource *res, const char *ns, const cJSON *obj,
		     int flags, sim_obj **out, sim_err *err)
{
	if (out)
		*out = NULL;
	if (!cJSON_IsObject(obj))
		return sim_err_set(err, 400, "BadRequest", "the body of the request must be a JSON object");
	return sim_store_create_owned(s, res, ns, cJSON_Duplicate(obj, 1), flags, out, err);
}

int sim_store_create_owned(sim_store *s, const sim_resource *res, const char *ns, cJSON *tree,
			   int flags, sim_obj **out, sim_err *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(tree, "metadata");
	const char *body_ns = str_item(meta, "namespace");
	const char *name = str_item(meta, "name");
	const char *gen = str_item(meta, "generateName");
	struct table *t = table_of(s, res);
	char namebuf[300], uid[40], ts[32], *ns_copy = NULL;
	cJSON *m;
	sim_obj *o = NULL;
	int locked = 0, ret = -1;

	if (out)
		*out = NULL;
	if (!cJSON_IsObject(tree)) {
		sim_err_set(err, 400, "BadRequest", "the body of the request must be a JSON object");
		goto out;
	}
	if (!res->stored) {
		/* Virtual resources (access reviews) are answered, never kept. */
		set_type_meta(tree, res);
		o = obj_build(res, tree);
		ret = 0;
		goto out;
	}
	if (res->namespaced) {
		if (!ns || !*ns)
			ns = body_ns;
		else if (body_ns && *body_ns && strcmp(body_ns, ns)) {
			sim_err_set(err, 400, "BadRequest",
				    "the namespace of the provided object does not match the namespace sent on the request");
			goto out;
		}
		if (!ns || !*ns) {
			sim_err_set(err, 400, "BadRequest", "a namespace is required to create %s", res->plural);
			goto out;
		}
		if (ns == body_ns)
			ns = ns_copy = xstrdup(ns); /* the tree's own string is replaced below */
	} else {
		ns = "";
	}
	if (name && *name) {
		if (check_name(res, name, err))
			goto out;
	} else if (!gen || !*gen) {
		invalid_name(err, res, "", "Required value: name or generateName is required");
		goto out;
	}

	pthread_mutex_lock(&s->mu);
	locked = 1;
	if (res->namespaced && namespace_open(s, ns, err))
		goto out;
	if (name && *name) {
		if (tab_find(t, ns, name)) {
			obj_err(err, 409, "AlreadyExists", res, name);
			goto out;
		}
		util_strlcpy(namebuf, name, sizeof(namebuf));
	} else {
		int i;

		for (i = 0; i < GEN_TRIES; i++) {
			generate_name(s, gen, namebuf, sizeof(namebuf));
			if (!tab_find(t, ns, namebuf))
				break;
		}
		if (i == GEN_TRIES) {
			obj_err(err, 409, "AlreadyExists", res, namebuf);
			goto out;
		}
		if (check_name(res, namebuf, err))
			goto out;
	}
	/* name, gen and meta point into the tree: not used after this */

	set_type_meta(tree, res);
	sim_defaults_apply(res, tree);
	m = child_obj(tree, "metadata");
	set_str(m, "name", namebuf);
	if (res->namespaced)
		set_str(m, "namespace", ns);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(m, "namespace");
	if ((flags & SIM_KEEP_UID) && str_item(m, "uid") && *str_item(m, "uid") &&
	    strlen(str_item(m, "uid")) < sizeof(uid))
		util_strlcpy(uid, str_item(m, "uid"), sizeof(uid));
	else
		make_uid(s, uid, sizeof(uid));
	set_str(m, "uid", uid);
	if (flags & SIM_DRY_RUN)
		cJSON_DeleteItemFromObjectCaseSensitive(m, "resourceVersion"); /* as the API server does */
	else
		set_rv(m, s->rv + 1);
	set_item(m, "generation", cJSON_CreateNumber(1));
	now_rfc3339(s, ts, sizeof(ts));
	set_str(m, "creationTimestamp", ts);
	cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionGracePeriodSeconds");
	if (is_namespace_res(res))
		set_str(child_obj(tree, "status"), "phase", "Active");
	o = obj_build(res, tree);

	if (!(flags & SIM_DRY_RUN)) {
		struct entry *e = xcalloc(1, sizeof(*e));

		e->obj = sim_obj_ref(o);
		e->hash = key_hash(o->ns, o->name);
		tab_insert(t, e);
		s->rv++;
		ev_append(s, SIM_ADDED, o, NULL);
	}
	ret = 0;
out:
	if (locked)
		pthread_mutex_unlock(&s->mu);
	cJSON_Delete(tree);
	free(ns_copy);
	if (ret == 0 && out)
		*out = o;
	else
		sim_obj_unref(o);
	return ret;
}

static struct entry *find_locked(sim_store *s, const sim_resource *res, const char *ns, const char *name,
				 sim_err *err)
{
	struct entry *e;

	if (!res->stored) {
		sim_err_set(err, 405, "MethodNotAllowed", "%s are not stored", res->plural);
		return NULL;
	}
	e = tab_find(table_of(s, res), res->namespaced && ns ? ns : "", name ? name : "");
	if (!e)
		obj_err(err, 404, "NotFound", res, name ? name : "");
	return e;
}

sim_obj *sim_store_get(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		       sim_err *err)
{
	struct entry *e;
	sim_obj *o = NULL;

	pthread_mutex_lock(&s->mu);
	if ((e = find_locked(s, res, ns, name, err)) != NULL)
		o = sim_obj_ref(e->obj);
	pthread_mutex_unlock(&s->mu);
	return o;
}

static int64_t num_item(const cJSON *obj, const char *key, int64_t def)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : def;
}

/* Common tail of update and mutate; mu held. `tree` is the wanted object with
 * identity fields already restored from `cur` (and resourceVersion = the stored
 * one). Applies the generation rule, skips no-op writes, stores and emits MODIFIED. */
static int commit_update(sim_store *s, const sim_resource *res, struct entry *e, cJSON *tree,
			 const cJSON *cur, int flags, sim_obj **out)
{
	cJSON *m = child_obj(tree, "metadata");
	const cJSON *old_meta = cJSON_GetObjectItemCaseSensitive(cur, "metadata");
	const cJSON *old_spec = cJSON_GetObjectItemCaseSensitive(cur, "spec");
	const cJSON *new_spec = cJSON_GetObjectItemCaseSensitive(tree, "spec");
	sim_obj *o, *old;

	sim_defaults_apply(res, tree);
	new_spec = cJSON_GetObjectItemCaseSensitive(tree, "spec");
	copy_item(m, old_meta, "generation");
	if ((old_spec || new_spec) && !cJSON_Compare(old_spec, new_spec, 1))
		set_item(m, "generation", cJSON_CreateNumber((double)(num_item(old_meta, "generation", 0) + 1)));
	if (is_namespace_res(res) && !str_item(cJSON_GetObjectItemCaseSensitive(tree, "status"), "phase")) {
		const char *phase = str_item(cJSON_GetObjectItemCaseSensitive(cur, "status"), "phase");
		set_str(child_obj(tree, "status"), "phase", phase ? phase : "Active");
	}
	if (cJSON_Compare(tree, cur, 1)) {
		/* Nothing changed: like the API server, no write, no event. */
		if (out)
			*out = sim_obj_ref(e->obj);
		return 0;
	}
	if (flags & SIM_DRY_RUN) {
		o = obj_build(res, tree);
		if (out)
			*out = o;
		else
			sim_obj_unref(o);
		return 0;
	}
	set_rv(m, s->rv + 1);
	o = obj_build(res, tree);
	old = e->obj;
	e->obj = o;
	s->rv++;
	ev_append(s, SIM_MODIFIED, o, old);
	sim_obj_unref(old);
	if (out)
		*out = sim_obj_ref(o);
	return 0;
}

/* Puts back what a writer may not change: type, name, namespace, uid, creation and
 * deletion timestamps, resourceVersion. */
static void restore_identity(cJSON *tree, const cJSON *cur, const sim_resource *res)
{
	cJSON *m = child_obj(tree, "metadata");
	const cJSON *om = cJSON_GetObjectItemCaseSensitive(cur, "metadata");

	set_type_meta(tree, res);
	copy_item(m, om, "name");
	copy_item(m, om, "namespace");
	copy_item(m, om, "uid");
	copy_item(m, om, "resourceVersion");
	copy_item(m, om, "creationTimestamp");
	if (!cJSON_GetObjectItemCaseSensitive(m, "deletionTimestamp"))
		copy_item(m, om, "deletionTimestamp");
}

static int rv_conflicts(const cJSON *tree, const sim_obj *cur)
{
	const char *rv = str_item(cJSON_GetObjectItemCaseSensitive(tree, "metadata"), "resourceVersion");
	char buf[32];

	if (!rv || !*rv)
		return 0;
	snprintf(buf, sizeof(buf), "%" PRIu64, cur->rv);
	return strcmp(rv, buf) != 0;
}

static sim_obj *delete_entry(sim_store *s, const sim_resource *res, struct table *t,
			     struct entry *e);
static int has_finalizers(const sim_obj *o);

int sim_store_update(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     const cJSON *obj, int flags, sim_obj **out, sim_err *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const char *body_name = str_item(meta, "name");
	const char *body_ns = str_item(meta, "namespace");
	cJSON *cur = NULL, *tree = NULL;
	struct entry *e;
	int ret = -1, held;

	if (out)
		*out = NULL;
	if (!cJSON_IsObject(obj))
		return sim_err_set(err, 400, "BadRequest", "the body of the request must be a JSON object");
	if (body_name && *body_name && strcmp(body_name, name))
		return sim_err_set(err, 400, "BadRequest",
				   "the name of the object (%s) does not match the name on the URL (%s)", body_name, name);
	if (res->namespaced && body_ns && *body_ns && ns && strcmp(body_ns, ns))
		return sim_err_set(err, 400, "BadRequest",
				   "the namespace of the provided object does not match the namespace sent on the request");
	pthread_mutex_lock(&s->mu);
	if (!(e = find_locked(s, res, ns, name, err)))
		goto out;
	if (rv_conflicts(obj, e->obj)) {
		obj_err(err, 409, "Conflict", res, name);
		goto out;
	}
	cur = sim_obj_parse(e->obj);
	tree = cJSON_Duplicate(obj, 1);
	restore_identity(tree, cur, res);
	held = is_namespace_res(res) && e->obj->deleted_s && has_finalizers(e->obj);
	ret = commit_update(s, res, e, tree, cur, flags, out);
	/* the last finalizer of a Terminating namespace is gone: it goes now */
	if (ret == 0 && held && !(flags & SIM_DRY_RUN) && !has_finalizers(e->obj)) {
		sim_obj_unref(delete_entry(s, res, table_of(s, res), e));
		maybe_compact(table_of(s, res));
	}
out:
	pthread_mutex_unlock(&s->mu);
	cJSON_Delete(cur);
	cJSON_Delete(tree);
	return ret;
}

int sim_store_mutate(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     sim_mutate_fn fn, void *ctx, int flags, sim_obj **out, sim_err *err)
{
	cJSON *cur = NULL, *tree = NULL;
	struct entry *e;
	int ret = -1, held;

	if (out)
		*out = NULL;
	pthread_mutex_lock(&s->mu);
	if (!(e = find_locked(s, res, ns, name, err)))
		goto out;
	cur = sim_obj_parse(e->obj);
	tree = cJSON_Duplicate(cur, 1);
	if (fn(tree, ctx, err))
		goto out;
	if (!cJSON_IsObject(tree)) {
		sim_err_set(err, 500, "InternalError", "the change left %s \"%s\" without a body", res->plural, name);
		goto out;
	}
	if (rv_conflicts(tree, e->obj)) {
		obj_err(err, 409, "Conflict", res, name);
		goto out;
	}
	restore_identity(tree, cur, res);
	held = is_namespace_res(res) && e->obj->deleted_s && has_finalizers(e->obj);
	ret = commit_update(s, res, e, tree, cur, flags, out);
	/* the last finalizer of a Terminating namespace is gone: it goes now */
	if (ret == 0 && held && !(flags & SIM_DRY_RUN) && !has_finalizers(e->obj)) {
		sim_obj_unref(delete_entry(s, res, table_of(s, res), e));
		maybe_compact(table_of(s, res));
	}
out:
	pthread_mutex_unlock(&s->mu);
	cJSON_Delete(cur);
	cJSON_Delete(tree);
	return ret;
}

/* Removes e and emits DELETED with the last state at the deletion's rv; mu held.
 * Returns a reference to that final state. */
static sim_obj *delete_entry(sim_store *s, const sim_resource *res, struct table *t, struct entry *e)
{
	cJSON *tree = sim_obj_parse(e->obj);
	sim_obj *o;

	set_rv(child_obj(tree, "metadata"), s->rv + 1);
	o = obj_build(res, tree);
	cJSON_Delete(tree);
	tab_remove(t, e);
	s->rv++;
	ev_append(s, SIM_DELETED, o, NULL);
	return o;
}

/* 1 when o's metadata.finalizers lists something. */
static int has_finalizers(const sim_obj *o)
{
	cJSON *tree = sim_obj_parse(o);
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(tree, "metadata"), "finalizers");
	int ret = cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0;

	cJSON_Delete(tree);
	return ret;
}

/* Terminating (MODIFIED), everything inside (DELETED each), the namespace (DELETED,
 * or kept Terminating while it has finalizers). */
static sim_obj *delete_namespace(sim_store *s, const sim_resource *nsr, struct entry *e)
{
	cJSON *tree = sim_obj_parse(e->obj);
	cJSON *m = child_obj(tree, "metadata");
	char ts[32];
	const char *ns;
	sim_obj *o, *old;

	if (!cJSON_GetObjectItemCaseSensitive(m, "deletionTimestamp")) {
		now_rfc3339(s, ts, sizeof(ts));
		set_str(m, "deletionTimestamp", ts);
	}
	set_str(child_obj(tree, "status"), "phase", "Terminating");
	set_rv(m, s->rv + 1);
	o = obj_build(nsr, tree);
	cJSON_Delete(tree);
	old = e->obj;
	e->obj = o;
	s->rv++;
	ev_append(s, SIM_MODIFIED, o, old);
	sim_obj_unref(old);

	ns = o->name;
	for (size_t i = 0; i < s->n_tabs; i++) {
		const sim_resource *r = sim_resource_at(i);
		struct table *t = &s->tabs[i];
		struct entry **doomed;
		size_t lo, hi;

		if (!r->namespaced || !t->n)
			continue;
		view_rebuild(t); /* the fresh ones into the view: one run to walk */
		ns_range(t->view, t->n_view, ns, &lo, &hi);
		if (lo == hi)
			continue;
		doomed = xmalloc((hi - lo) * sizeof(*doomed));
		memcpy(doomed, t->view + lo, (hi - lo) * sizeof(*doomed));
		for (size_t k = 0; k < hi - lo; k++)
			if (!doomed[k]->dead)
				sim_obj_unref(delete_entry(s, r, t, doomed[k]));
		free(doomed);
		maybe_compact(t);
	}
	/* as the API server does: a namespace with finalizers stays Terminating until
	 * they are removed (see sim_store_mutate) */
	if (has_finalizers(o))
		return sim_obj_ref(o);
	return delete_entry(s, nsr, table_of(s, nsr), e);
}

/* Finalizers are ignored (objects go at once), except a namespace's
 * metadata.finalizers: it then stays Terminating, emptied, until they are removed. */
int sim_store_delete(sim_store *s, const sim_resource *res, const char *ns, const char *name,
		     int flags, sim_obj **out, sim_err *err)
{
	struct entry *e;
	sim_obj *o;

	if (out)
		*out = NULL;
	pthread_mutex_lock(&s->mu);
	if (!(e = find_locked(s, res, ns, name, err))) {
		pthread_mutex_unlock(&s->mu);
		return -1;
	}
	if (flags & SIM_DRY_RUN) {
		o = sim_obj_ref(e->obj);
	} else if (is_namespace_res(res)) {
		o = delete_namespace(s, res, e);
		maybe_compact(table_of(s, res));
	} else {
		o = delete_entry(s, res, table_of(s, res), e);
		maybe_compact(table_of(s, res));
	}
	pthread_mutex_unlock(&s->mu);
	if (out)
		*out = o;
	else
		sim_obj_unref(o);
	return 0;
}

/* ---- lists and snapshots ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const char *in, size_t n)
{
	strbuf sb;

	sb_init(&sb, (n + 2) / 3 * 4 + 1);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		sb_addc(&sb, b64[(v >> 18) & 63]);
		sb_addc(&sb, b64[(v >> 12) & 63]);
		sb_addc(&sb, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		sb_addc(&sb, i + 2 < n ? b64[v & 63] : '=');
	}
	return sb_detach(&sb, NULL);
}

static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard or URL alphabet, padding optional; NULL when malformed. */
static char *b64_decode(const char *in)
{
	strbuf sb;
	uint32_t acc = 0;
	int bits = 0;
	const char *p;

	sb_init(&sb, strlen(in));
	for (p = in; *p && *p != '='; p++) {
		int v = b64_val(*p);

		if (v < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sb_addc(&sb, (char)((acc >> bits) & 0xff));
		}
	}
	while (*p == '=')
		p++;
	if (*p || bits >= 6)
		goto bad;
	return sb_detach(&sb, NULL);
bad:
	sb_release(&sb);
	return NULL;
}

static char *token_encode(uint64_t rv, uint64_t id, size_t off)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "{\"rv\":%" PRIu64 ",\"id\":%" PRIu64 ",\"o\":%zu}", rv, id, off);
	return b64_encode(buf, strlen(buf));
}

static int token_decode(const char *tok, uint64_t *rv, uint64_t *id, size_t *off, sim_err *err)
{
	char *raw = b64_decode(tok);
	cJSON *j = raw ? cJSON_Parse(raw) : NULL;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "rv");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "o");
	int ret = 0;

	if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !cJSON_IsNumber(c) || a->valuedouble < 0 ||
	    b->valuedouble < 1 || c->valuedouble < 0)
		ret = sim_err_set(err, 400, "BadRequest", "continue key is not valid: %s",
				  raw ? "missing or malformed fields" : "not base64");
	else {
		*rv = (uint64_t)a->valuedouble;
		*id = (uint64_t)b->valuedouble;
		*off = (size_t)c->valuedouble;
	}
	cJSON_Delete(j);
	free(raw);
	return ret;
}

static void snaps_expire_idle(sim_store *s, int64_t now)
{
	for (size_t i = 0; i < SNAP_MAX; i++)
		if (s->snaps[i].id && now - s->snaps[i].used_ms > SNAP_IDLE_MS)
			snap_drop(&s->snaps[i]);
}

void sim_store_expire_snapshots(sim_store *s)
{
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < SNAP_MAX; i++)
		snap_drop(&s->snaps[i]);
	pthread_mutex_unlock(&s->mu);
}

/* Fills out with refs to items[off, off+limit) and a token when more remain. */
static void serve_page(sim_list *out, sim_obj **items, size_t n, size_t off, size_t limit, uint64_t rv,
		       uint64_t id)
{
	size_t end = off + limit;

	if (off > n)
		off = n;
	if (!limit || end > n)
		end = n;
	out->n = end - off;
	out->items = xmalloc((out->n ? out->n : 1) * sizeof(*out->items));
	for (size_t i = 0; i < out->n; i++)
		out->items[i] = sim_obj_ref(items[off + i]);
	out->rv = rv;
	out->remaining = n - end;
	out->cont = out->remaining ? token_encode(rv, id, end) : NULL;
}

static int list_continue(sim_store *s, const sim_resource *res, const char *ns, size_t limit, const char *cont,
			 sim_list *out, sim_err *err)
{
	uint64_t rv = 0, id = 0;
	size_t off = 0;
	int64_t now = util_mono_ms();
	struct snap *sn = NULL;
	int ret = 0;

	if (token_decode(cont, &rv, &id, &off, err))
		return -1;
	pthread_mutex_lock(&s->mu);
	snaps_expire_idle(s, now);
	for (size_t i = 0; i < SNAP_MAX; i++)
		if (s->snaps[i].id == id)
			sn = &s->snaps[i];
	if (!sn) {
		ret = sim_err_set(err, 410, "Expired",
				  "The provided continue parameter is too old to display a consistent list result. "
				  "You can start a new list without the continue parameter.");
	} else if (sn->rv != rv || sn->res != res || off > sn->n ||
		   (sn->ns ? !ns || strcmp(sn->ns, ns) : ns != NULL)) {
		ret = sim_err_set(err, 400, "BadRequest", "continue key is not valid: it does not match this request");
	} else {
		serve_page(out, sn->items, sn->n, off, limit, sn->rv, sn->id);
		sn->used_ms = now;
		if (!out->remaining)
			snap_drop(sn);
	}
	pthread_mutex_unlock(&s->mu);
	return ret;
}

/* Keeps a snapshot (takes over items and their refs); mu held. Returns its id. */
static uint64_t snap_store(sim_store *s, const sim_resource *res, const char *ns, sim_obj **items, size_t n,
			   uint64_t rv)
{
	int64_t now = util_mono_ms();
	struct snap *slot = NULL;

	snaps_expire_idle(s, now);
	for (size_t i = 0; i < SNAP_MAX; i++) {
		struct snap *sn = &s->snaps[i];

		if (!sn->id) {
			slot = sn;
			break;
		}
		if (!slot || sn->used_ms < slot->used_ms)
			slot = sn;
	}
	snap_drop(slot);
	slot->id = ++s->snap_seq;
	slot->rv = rv;
	slot->res = res;
	slot->ns = ns ? xstrdup(ns) : NULL;
	slot->items = items;
	slot->n = n;
	slot->used_ms = now;
	return slot->id;
}

int sim_store_list(sim_store *s, const sim_resource *res, const char *ns,
		   const sim_selector *labels, const sim_selector *fields, size_t limit,
		   const char *cont, sim_list *out, sim_err *err)
{
	struct table *t = table_of(s, res);
	sim_obj **items;
	size_t lo, hi, flo, fhi, n = 0, keep = 0;
	uint64_t rv;

	memset(out, 0, sizeof(*out));
	if (!res->stored)
		return sim_err_set(err, 405, "MethodNotAllowed", "%s cannot be listed", res->plural);
	if (sim_selector_check_fields(fields, res, err))
		return -1;
	if (!res->namespaced || (ns && !*ns))
		ns = NULL;
	if (cont && *cont)
		return list_continue(s, res, ns, limit, cont, out, err);

	pthread_mutex_lock(&s->mu);
	view_sync(t);
	ns_range(t->view, t->n_view, ns, &lo, &hi);
	ns_range(t->fresh, t->n_fresh, ns, &flo, &fhi);
	items = xmalloc((hi - lo + fhi - flo ? hi - lo + fhi - flo : 1) * sizeof(*items));
	while (lo < hi || flo < fhi) { /* two sorted runs, merged */
		struct entry *e;

		/* Each object is two misses (its entry, then its header and labels),
		 * and a kind's 65,000 were read one miss after another: the entries
		 * ahead, and the objects of those already asked for, are asked for
		 * now. */
		if (lo + 16 < hi)
			__builtin_prefetch(t->view[lo + 16]);
		if (lo + 8 < hi)
			__builtin_prefetch(t->view[lo + 8]->obj);
		if (flo >= fhi || (lo < hi && cmp_entry(&t->view[lo], &t->fresh[flo]) < 0))
			e = t->view[lo++];
		else
			e = t->fresh[flo++];
		if (!e->dead && sim_selector_match(labels, e->obj))
			items[n++] = sim_obj_ref(e->obj);
	}
	rv = s->rv;
	pthread_mutex_unlock(&s->mu);

	/* Field selectors may parse objects: done outside the lock. */
	for (size_t i = 0; i < n; i++) {
		if (sim_selector_match(fields, items[i]))
			items[keep++] = items[i];
		else
			sim_obj_unref(items[i]);
	}
	n = keep;

	if (!limit || n <= limit) {
		out->items = items;
		out->n = n;
		out->rv = rv;
		return 0;
	}
	pthread_mutex_lock(&s->mu);
	serve_page(out, items, n, 0, limit, rv, snap_store(s, res, ns, items, n, rv));
	pthread_mutex_unlock(&s->mu);
	return 0;
}

void sim_list_release(sim_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		sim_obj_unref(l->items[i]);
	free(l->items);
	free(l->cont);
	memset(l, 0, sizeof(*l));
}

/* ---- watches ---- */

static uint64_t oldest_kept(const sim_store *s)
{
	return s->ev_last >= s->window ? s->ev_last - s->window + 1 : 1;
}

sim_watch *sim_watch_open(sim_store *s, const sim_resource *res, const char *ns,
			  sim_selector *labels, sim_selector *fields, uint64_t since_rv,
			  sim_err *err)
{
	sim_watch *w = NULL;
	uint64_t oldest;

	if (sim_selector_check_fields(fields, res, err))
		goto fail;
	pthread_mutex_lock(&s->ev_mu);
	if (s->shutdown) {
		pthread_mutex_unlock(&s->ev_mu);
		sim_err_set(err, 503, "ServiceUnavailable", "the server is shutting down");
		goto fail;
	}
	oldest = oldest_kept(s);
	if (since_rv && since_rv < s->ev_last && since_rv + 1 < oldest) {
		pthread_mutex_unlock(&s->ev_mu);
		sim_err_set(err, 410, "Expired", "too old resource version: %" PRIu64 " (%" PRIu64 ")", since_rv,
			    oldest - 1);
		goto fail;
	}
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->res = res;
	w->ns = res->namespaced && ns && *ns ? xstrdup(ns) : NULL;
	w->labels = labels;
	w->fields = fields;
	w->pos = since_rv ? since_rv : s->ev_last;
	pthread_mutex_unlock(&s->ev_mu);
	util_cond_init_monotonic(&w->cond);
	return w;
fail:
	sim_selector_free(labels);
	sim_selector_free(fields);
	return NULL;
}

static int watch_match(const sim_watch *w, const sim_obj *o)
{
	return o->res == w->res && (!w->ns || !strcmp(o->ns, w->ns)) && sim_selector_match(w->labels, o) &&
	       sim_selector_match(w->fields, o);
}

/* The previous state at a later resourceVersion: what a watcher sees when an
 * object leaves its selector. */
static sim_obj *restamp(const sim_obj *old, uint64_t rv)
{
	cJSON *tree = sim_obj_parse(old);
	sim_obj *o;

	set_rv(child_obj(tree, "metadata"), rv);
	o = obj_build(old->res, tree);
	cJSON_Delete(tree);
	return o;
}

/* Decides what e means to w; 1 with ev filled, else 0. Consumes e's references. */
static int watch_translate(const sim_watch *w, struct ev *e, sim_event *ev)
{
	int now, before;

	if (e->obj->res != w->res)
		goto skip;
	now = watch_match(w, e->obj);
	if (e->type != SIM_MODIFIED || !e->old) {
		if (!now)
			goto skip;
		ev->type = e->type;
		ev->obj = e->obj;
		ev->rv = e->rv;
		sim_obj_unref(e->old);
		return 1;
	}
	before = watch_match(w, e->old);
	if (!now && !before)
		goto skip;
	ev->rv = e->rv;
	if (now) {
		ev->type = before ? SIM_MODIFIED : SIM_ADDED;
		ev->obj = e->obj;
		sim_obj_unref(e->old);
	} else {
		ev->type = SIM_DELETED;
		ev->obj = restamp(e->old, e->rv);
		sim_obj_unref(e->obj);
		sim_obj_unref(e->old);
	}
	return 1;
skip:
	sim_obj_unref(e->obj);
	sim_obj_unref(e->old);
	return 0;
}

int sim_watch_next(sim_watch *w, int timeout_ms, sim_event *ev, sim_err *err)
{
	sim_store *s = w->s;
	struct timespec deadline;

	memset(ev, 0, sizeof(*ev));
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	if (timeout_ms > 0) {
		deadline.tv_sec += timeout_ms / 1000;
		deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (deadline.tv_nsec >= 1000000000L) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&s->ev_mu);
	for (;;) {
		struct ev e;

		if (s->shutdown) {
			pthread_mutex_unlock(&s->ev_mu);
			return sim_err_set(err, 503, "ServiceUnavailable", "the server is shutting down");
		}
		if (w->pos < s->ev_last) {
			uint64_t oldest = oldest_kept(s);

			if (w->pos + 1 < oldest) {
				pthread_mutex_unlock(&s->ev_mu);
				return sim_err_set(err, 410, "Expired",
						   "too old resource version: %" PRIu64 " (%" PRIu64 ")", w->pos,
						   oldest - 1);
			}
			e = s->ring[(w->pos + 1) % s->window];
			w->pos++;
			if (!watch_may_want(w, e.obj))
				continue; /* what watch_translate would skip, without the references */
			sim_obj_ref(e.obj);
			sim_obj_ref(e.old);
			pthread_mutex_unlock(&s->ev_mu);
			if (watch_translate(w, &e, ev))
				return 1;
			pthread_mutex_lock(&s->ev_mu);
			continue;
		}
		if (timeout_ms == 0)
			break;
		w->next_sleeper = s->sleepers;
		s->sleepers = w;
		if (timeout_ms < 0)
			pthread_cond_wait(&w->cond, &s->ev_mu);
		else if (pthread_cond_timedwait(&w->cond, &s->ev_mu, &deadline))
			timeout_ms = 0; /* one last look, then report the timeout */
		for (sim_watch **p = &s->sleepers; *p; p = &(*p)->next_sleeper)
			if (*p == w) {
				*p = w->next_sleeper;
				break;
			}
	}
	pthread_mutex_unlock(&s->ev_mu);
	return 0;
}

uint64_t sim_watch_rv(const sim_watch *w)
{
	return w->pos;
}

void sim_watch_close(sim_watch *w)
{
	if (!w)
		return;
	sim_selector_free(w->labels);
	sim_selector_free(w->fields);
	pthread_cond_destroy(&w->cond);
	free(w->ns);
	free(w);
}

void sim_event_release(sim_event *ev)
{
	if (!ev)
		return;
	sim_obj_unref(ev->obj);
	ev->obj = NULL;
}

void sim_store_shutdown(sim_store *s)
{
	pthread_mutex_lock(&s->ev_mu);
	s->shutdown = 1;
	for (sim_watch *w = s->sleepers; w; w = w->next_sleeper)
		pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&s->ev_mu);
}
