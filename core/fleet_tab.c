/* core/fleet_tab.c — the keyed table of projected records (see core/fleet_int.h). */
#include "core/fleet_int.h"

/* ---- a keyed table of projected records (each starts with project_meta) ---- */


static uint64_t key_hash(const project_meta *m)
{
	uint64_t h = 1469598103934665603ull;
	const unsigned char *p;

	for (p = (const unsigned char *)m->ns; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h = (h ^ '/') * 1099511628211ull;
	for (p = (const unsigned char *)m->name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* A slot holds a record's index + 1 in its low SLOT_BITS bits (0: empty) and,
 * above them, 7 bits of the key's hash: a probe that meets another key
 * mostly tells so without reading that record's names (a cache miss, then
 * two string compares; 5% of a 20,000-tenant listing's time). */
#define SLOT_BITS 25
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define SLOT_IDX(s) ((size_t)((s) & SLOT_MASK))
#define SLOT_TAG(h) ((uint32_t)((h) >> 57) << SLOT_BITS)
#define TAB_MAX (((size_t)1 << SLOT_BITS) - 2) /* records in one table */

static project_meta *tab_at(const tab *t, size_t i)
{
	return (project_meta *)(t->recs + i * t->rsize);
}

static int same_key(const project_meta *a, const project_meta *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->ns, b->ns);
}

void fleet_tab_init(tab *t, size_t rsize)
{
	memset(t, 0, sizeof(*t));
	t->rsize = rsize;
}

void fleet_tab_release(tab *t)
{
	free(t->recs);
	free(t->gen);
	free(t->slots);
	fleet_tab_init(t, t->rsize);
}

void fleet_tab_clear(tab *t)
{
	t->n = t->indexed = 0;
	if (t->slots)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
}

/* The slot holding key m, or the empty slot where it would go; *tag (or
 * NULL) gets the bits of m's hash a slot keeps. */
static size_t tab_slot(const tab *t, const project_meta *m, uint32_t *tag)
{
	uint64_t h = key_hash(m);
	size_t mask = t->nslots - 1, i = (size_t)h & mask;
	uint32_t want = SLOT_TAG(h), sl;

	while ((sl = t->slots[i]) &&
	       ((sl & ~SLOT_MASK) != want || !same_key(tab_at(t, SLOT_IDX(sl) - 1), m)))
		i = (i + 1) & mask;
	if (tag)
		*tag = want;
	return i;
}

static void tab_rehash(tab *t, size_t nslots)
{
	size_t i;

	free(t->slots);
	t->nslots = nslots;
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	for (i = 0; i < t->indexed; i++) {
		uint32_t tag;
		size_t sl = tab_slot(t, tab_at(t, i), &tag);
		t->slots[sl] = tag | (uint32_t)(i + 1);
	}
}

/* The records appended since the last lookup into slots (fleet_tab_append),
 * in their order: a key met again replaces the earlier record, and those after
 * it close up. */
static void tab_catch_up(tab *t)
{
	size_t nslots = t->nslots ? t->nslots : 64, i, w;

	if (t->indexed == t->n)
		return;
	while ((t->n + 1) * 2 > nslots)
		nslots *= 2;
	if (nslots != t->nslots)
		tab_rehash(t, nslots);
	for (i = w = t->indexed; i < t->n; i++) {
		uint32_t tag;
		size_t sl = tab_slot(t, tab_at(t, i), &tag), to = w;

		if (t->slots[sl])
			to = SLOT_IDX(t->slots[sl]) - 1;
		else
			t->slots[sl] = tag | (uint32_t)(w++ + 1);
		if (to != i) {
			memcpy(tab_at(t, to), tab_at(t, i), t->rsize);
			t->gen[to] = t->gen[i];
		}
	}
	t->n = t->indexed = w;
}

void *fleet_tab_find(const tab *t, const project_meta *m)
{
	size_t s;

	if (t->indexed != t->n) /* the index is a cache of the records: made whole */
		tab_catch_up((tab *)(uintptr_t)t);
	if (!t->nslots)
		return NULL;
	s = tab_slot(t, m, NULL);
	return t->slots[s] ? tab_at(t, SLOT_IDX(t->slots[s]) - 1) : NULL;
}

void *fleet_tab_find_name(const tab *t, const char *name)
{
	project_meta m;

	m.ns[0] = '\0';
	util_strlcpy(m.name, name, sizeof(m.name));
	return fleet_tab_find(t, &m);
}

/* rec as the last record, the table grown when full; not indexed here. */
static void add_last(tab *t, const void *rec)
{
	if (t->n >= TAB_MAX)
		die("more than %zu objects of one kind in a cluster", TAB_MAX);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->recs = xrealloc(t->recs, t->cap * t->rsize);
		t->gen = xrealloc(t->gen, t->cap * sizeof(*t->gen));
	}
	memcpy(tab_at(t, t->n), rec, t->rsize);
	t->gen[t->n++] = t->cur_gen;
}

/* Inserts or replaces the record with rec's key. */
void fleet_tab_put(tab *t, const void *rec)
{
	size_t s;
	uint32_t tag;

	tab_catch_up(t);
	if ((t->n + 1) * 2 > t->nslots)
		tab_rehash(t, t->nslots ? t->nslots * 2 : 64);
	s = tab_slot(t, rec, &tag);
	if (t->slots[s]) {
		memcpy(tab_at(t, SLOT_IDX(t->slots[s]) - 1), rec, t->rsize);
		t->gen[SLOT_IDX(t->slots[s]) - 1] = t->cur_gen;
		return;
	}
	add_last(t, rec);
	t->slots[s] = tag | (uint32_t)t->n;
	t->indexed = t->n;
}

void fleet_tab_append(tab *t, const void *rec)
{
	add_last(t, rec);
}

/* Makes room for n records in all (a list says how long it is). */
void fleet_tab_reserve(tab *t, size_t n)
{
	size_t nslots;

	tab_catch_up(t);
	nslots = t->nslots ? t->nslots : 64;
	if (n > t->cap) {
		t->cap = n;
		t->recs = xrealloc(t->recs, t->cap * t->rsize);
		t->gen = xrealloc(t->gen, t->cap * sizeof(*t->gen));
	}
	while ((n + 1) * 2 > nslots)
		nslots *= 2;
	if (nslots != t->nslots)
		tab_rehash(t, nslots);
}

void fleet_tab_populate(tab *t, size_t n)
{
	size_t room = t->cap > t->n ? t->cap - t->n : 0;

	util_populate(t->recs + t->n * t->rsize, (n < room ? n : room) * t->rsize);
}

/* Removes key m (if present): the last record moves into its place. */
void fleet_tab_del(tab *t, const project_meta *m)
{
	size_t mask, i, j, k, idx, last;

	tab_catch_up(t);
	if (!t->nslots)
		return;
	mask = t->nslots - 1;
	i = tab_slot(t, m, NULL);
	if (!t->slots[i])
		return;
	idx = SLOT_IDX(t->slots[i]) - 1;
	t->slots[i] = 0;
	for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		k = (size_t)key_hash(tab_at(t, SLOT_IDX(t->slots[j]) - 1)) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = 0;
		i = j;
	}
	last = t->n - 1;
	if (idx != last) {
		memcpy(tab_at(t, idx), tab_at(t, last), t->rsize);
		t->gen[idx] = t->gen[last];
		uint32_t tag;
		size_t sl = tab_slot(t, tab_at(t, idx), &tag);
		t->slots[sl] = tag | (uint32_t)(idx + 1);
	}
	t->n--;
	t->indexed = t->n;
}

/* Drops what the last listing did not deliver. */
void fleet_tab_sweep(tab *t)
{
	size_t i = 0;

	tab_catch_up(t);
	while (i < t->n) {
		if (t->gen[i] != t->cur_gen)
			fleet_tab_del(t, tab_at(t, i)); /* moves another record into i */
		else
			i++;
	}
}
