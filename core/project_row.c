/* core/project_row.c — a workload's Table row projected from its text.
 *
 * The Deployments' Table is the longest list the fleet reads (65,000 rows at
 * 5,000 tenants) and its rows the most read: building each as a cJSON tree
 * (cells, labels and annotations kept whole) and looking the members up again
 * cost more than the rest of the list. Here a row is walked once and only the
 * members the record needs are copied out. Where the text holds anything the
 * walk is not sure of (escapes, duplicate members, numbers with fractions,
 * unexpected shapes), the row is left to the built path, whose answer is
 * the reference: this one gives the same record, or none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hypnus.h"
#include "core/project.h"
#include "core/project_text.h"
#include "util/util.h"

/* READY "ready/desired" as sscanf("%ld/%ld%c") == 2 reads it, both not
 * negative: plain digits here, anything else by sscanf. 0 or -1. */
static int ready_cell(const char *s, long *r, long *d)
{
	const char *p = s, *q;
	long a = 0, b = 0;
	int n = 0, m = 0;
	char extra;

	for (; *p >= '0' && *p <= '9' && n < 9; p++, n++)
		a = a * 10 + (*p - '0');
	if (n && n < 9 && *p == '/') {
		for (q = p + 1; *q >= '0' && *q <= '9' && m < 9; q++, m++)
			b = b * 10 + (*q - '0');
		if (m && m < 9 && !*q) {
			*r = a;
			*d = b;
			return 0;
		}
	}
	return sscanf(s, "%ld/%ld%c", r, d, &extra) == 2 && *r >= 0 && *d >= 0 ? 0 : -1;
}

/* The row's members, checked as project_keep_workload builds them. */
typedef struct row_text {
	const project_keys *k;
	span cells1;  /* cells[1] */
	int object;   /* the row has an object */
	span name, ns;
	span lab[3];  /* tier, component, service */
	span ann[5];  /* the Hypnus annotations (hypnus_from) */
} row_text;

static int walk_cells(jscan_iter *row, const jscan_member *cells, row_text *rt)
{
	jscan_iter it;
	jscan_member m;
	int r, n = 0;

	if (*cells->val != '[' || jscan_iter_sub(row, cells, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER)
			return -1;
		if (n++ == 1)
			rt->cells1 = (span){m.val, m.val_end};
	}
	return r;
}

static int walk_metadata(jscan_iter *obj, const jscan_member *md, row_text *rt)
{
	const project_keys *k = rt->k;
	const char *lab_keys[3] = {k->tier, k->component, k->service};
	const char *ann_keys[5] = {k->hypnus_state, k->hypnus_idle_timeout, k->hypnus_cold_start,
				   k->hypnus_last_activity, k->hypnus_last_wake};
	int have_lab = 0, have_ann = 0, r;
	jscan_iter it;
	jscan_member m;

	if (*md->val != '{' || jscan_iter_sub(obj, md, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "labels")) {
			if (have_lab++ || span_whole_object(&it, &m, lab_keys, rt->lab, 3) < 0)
				return -1;
		} else if (KEY_IS(&m, "annotations")) {
			if (have_ann++ || span_whole_object(&it, &m, ann_keys, rt->ann, 5) < 0)
				return -1;
		} else if (KEY_IS(&m, "name") || KEY_IS(&m, "namespace") ||
			   KEY_IS(&m, "creationTimestamp")) {
			span *to = m.key_len == 4 ? &rt->name : m.key_len == 9 ? &rt->ns : NULL;
			if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER || (to && span_take(to, &m) < 0))
				return -1;
		}
	}
	return r;
}

static int walk_object(jscan_iter *row, const jscan_member *obj, row_text *rt)
{
	jscan_iter it;
	jscan_member m;
	int r, have_md = 0;

	if (*obj->val != '{' || jscan_iter_sub(row, obj, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "metadata")) {
			if (have_md++ || walk_metadata(&it, &m, rt) < 0)
				return -1;
		} else if (KEY_IS(&m, "spec") || KEY_IS(&m, "status")) {
			return -1; /* a whole object, not a row's metadata */
		}
	}
	return r;
}

static int walk_row(const char *p, const char *end, row_text *rt)
{
	jscan_iter it;
	jscan_member m;
	int r, have_cells = 0;

	if (jscan_iter_init(&it, p, end) < 0 || it.close != '}')
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "cells")) {
			if (have_cells++ || walk_cells(&it, &m, rt) < 0)
				return -1;
		} else if (KEY_IS(&m, "object")) {
			if (rt->object++ || walk_object(&it, &m, rt) < 0)
				return -1;
		} else if (KEY_IS(&m, "metadata") || KEY_IS(&m, "spec") || KEY_IS(&m, "status")) {
			return -1;
		}
	}
	while (it.p < end && (*it.p == ' ' || *it.p == '\t' || *it.p == '\n' || *it.p == '\r'))
		it.p++;
	return r == 0 && it.p == end && have_cells ? 0 : -1;
}

int project_workload_row_text(const project_keys *k, const char *p, const char *end, int kind,
			      project_workload *out)
{
	row_text rt = {.k = k};
	span *lab = rt.lab, *ann = rt.ann;
	char cell[SPAN_MAX], tier[SPAN_MAX];
	const char *s;
	size_t n;
	long r, d;
	double v;

	if (walk_row(p, end, &rt) < 0)
		return PROJECT_BUILD;
	/* from here on the built path would have made the row: its answer, step by step */
	memset(out, 0, sizeof(*out));
	if (!rt.object)
		return -1;
	switch (span_cstr(rt.cells1, cell, sizeof(cell))) {
	case -1:
		return PROJECT_BUILD;
	case 1:
		return -1;
	}
	if (ready_cell(cell, &r, &d) < 0)
		return -1;
	if (!(s = span_str(rt.name, &n)) || !n)
		return -1;
	span_copy_n(out->m.name, sizeof(out->m.name), s, n);
	if ((s = span_str(rt.ns, &n)) != NULL)
		span_copy_n(out->m.ns, sizeof(out->m.ns), s, n);
	switch (span_cstr(lab[0], tier, sizeof(tier))) {
	case -1:
		return PROJECT_BUILD;
	case 1:
		return 1;
	}
	out->kind = (uint8_t)kind;
	out->tier = project_tier_parse(tier);
	if ((s = span_str(lab[1], &n)) != NULL)
		span_copy_n(out->component, sizeof(out->component), s, n);
	if ((s = span_str(lab[2], &n)) != NULL)
		span_copy_n(out->role, sizeof(out->role), s, n);
	if (!strcmp(out->component, "hypnus")) {
		model_hypnus *h = &out->hypnus;
		char state[SPAN_MAX];
		int rs = span_cstr(ann[0], state, sizeof(state));

		if (rs < 0)
			return PROJECT_BUILD;
		h->present = 1;
		h->state = (uint8_t)hypnus_state_parse(rs == 0 ? state : NULL);
		if ((rs = span_num(ann[1], &v)) < 0)
			return PROJECT_BUILD;
		if (rs == 0)
			h->idle_timeout_s = project_clamp32(v);
		if ((rs = span_num(ann[2], &v)) < 0)
			return PROJECT_BUILD;
		if (rs == 0)
			h->cold_start_s = project_clamp32(v);
		if (span_time(ann[3], &h->last_activity) < 0 || span_time(ann[4], &h->last_wake) < 0)
			return PROJECT_BUILD;
	}
	out->desired = project_clamp32((double)d);
	out->ready = project_clamp32((double)r);
	return 0;
}
