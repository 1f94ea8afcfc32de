/* core/project_pod_text.c — a pod projected from its text.
 *
 * The base pods are the list with the most bytes (a pod is about 2.5 KB, of
 * which the record needs a tenth: its labels, phase, Ready condition and
 * container statuses). The trees jscan_build made of the lists' kept members,
 * the pods' most of all, were a sixth of `tenants`' CPU samples at 20,000
 * tenants (projecting the pods, 2% more). Here the pod
 * is walked once; its spec's containers and the rest are skipped as the built
 * path skips them. Where the text holds anything the walk is not sure of
 * (escapes, duplicate members, fractions, unexpected shapes), the pod is left
 * to the built path (project_pod_from on jscan_build with project_keep_pod),
 * the reference: this one gives the same record, or none. */
#include <string.h>

#include "core/project.h"
#include "core/project_text.h"
#include "util/util.h"

/* What container_from (core/project.c) reads of one container status. */
typedef struct cs_text {
	span ready, restarts;
	int has_w, has_t, has_lt;	/* state.waiting, state.terminated, lastState.terminated */
	span w_reason, w_msg, t_reason, t_msg, lt_reason, lt_msg;
} cs_text;

typedef struct pod_text {
	int has_md;
	span name, ns, created;
	span lab[3]; /* tier, component, service */
	span node, phase;
	int ready, ready_set; /* the last Ready condition's */
	project_pod *out;     /* its containers folded in as they come */
} pod_text;

/* An object value's members: reason and message recorded, the rest checked as
 * kept whole. *present set. 0 or -1. */
static int reason_message(jscan_iter *parent, jscan_member *obj, int *present, span *reason,
			  span *msg)
{
	jscan_iter it;
	jscan_member m;
	int r;

	if (*present || *obj->val != '{' || jscan_iter_sub(parent, obj, &it) < 0)
		return -1;
	*present = 1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain || span_whole_value(&it, &m) < 0)
			return -1;
		if (KEY_IS(&m, "reason") && span_take(reason, &m) < 0)
			return -1;
		if (KEY_IS(&m, "message") && span_take(msg, &m) < 0)
			return -1;
	}
	return r;
}

/* state (last 0) or lastState (last 1): an object, kept whole. */
static int walk_state(jscan_iter *parent, jscan_member *st, cs_text *c, int last)
{
	jscan_iter it;
	jscan_member m;
	int r;

	if (*st->val != '{' || jscan_iter_sub(parent, st, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (!last && KEY_IS(&m, "waiting")) {
			if (reason_message(&it, &m, &c->has_w, &c->w_reason, &c->w_msg) < 0)
				return -1;
		} else if (KEY_IS(&m, "terminated")) {
			if (last ? reason_message(&it, &m, &c->has_lt, &c->lt_reason, &c->lt_msg)
				 : reason_message(&it, &m, &c->has_t, &c->t_reason, &c->t_msg))
				return -1;
		} else if (span_whole_value(&it, &m) < 0) {
			return -1;
		}
	}
	return r;
}

/* container_from on the walked status. 0, or -1 to give up. */
static int fold_container(const cs_text *c, project_pod *out)
{
	const span *reason = NULL, *msg = NULL;
	double d;
	size_t n;
	int r;

	out->n_containers++;
	if (span_true(c->ready))
		out->n_ready++;
	if ((r = span_num(c->restarts, &d)) < 0)
		return -1;
	if (r == 0)
		out->restarts += project_clamp32(d);
	if (c->has_w && !out->waiting_reason[0]) {
		span_copy(out->waiting_reason, sizeof(out->waiting_reason), c->w_reason);
		if (span_str(c->w_msg, &n))
			span_copy(out->message, sizeof(out->message), c->w_msg);
	}
	if (c->has_t)
		reason = &c->t_reason, msg = &c->t_msg;
	else if (c->has_lt)
		reason = &c->lt_reason, msg = &c->lt_msg;
	if (reason && !out->terminated_reason[0]) {
		span_copy(out->terminated_reason, sizeof(out->terminated_reason), *reason);
		if (!out->message[0] && span_str(*msg, &n))
			span_copy(out->message, sizeof(out->message), *msg);
	}
	return 0;
}

static int walk_container(jscan_iter *parent, jscan_member *el, pod_text *pt)
{
	jscan_iter it;
	jscan_member m;
	cs_text c;
	int r, have_st = 0, have_last = 0;

	memset(&c, 0, sizeof(c));
	if (*el->val != '{' || jscan_iter_sub(parent, el, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "state")) {
			if (have_st++ || walk_state(&it, &m, &c, 0) < 0)
				return -1;
		} else if (KEY_IS(&m, "lastState")) {
			if (have_last++ || walk_state(&it, &m, &c, 1) < 0)
				return -1;
		} else if (KEY_IS(&m, "ready") || KEY_IS(&m, "restartCount")) {
			if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER ||
			    span_take(m.key_len == 5 ? &c.ready : &c.restarts, &m) < 0)
				return -1;
		}
	}
	if (r < 0)
		return -1;
	if (pt->out->n_containers < 255 && fold_container(&c, pt->out) < 0)
		return -1;
	return 0;
}

static int walk_condition(jscan_iter *parent, jscan_member *el, pod_text *pt)
{
	jscan_iter it;
	jscan_member m;
	span type = {0}, st = {0};
	const char *ts, *ss;
	size_t tn, sn;
	int r;

	if (*el->val != '{' || jscan_iter_sub(parent, el, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "type") || KEY_IS(&m, "status")) {
			if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER ||
			    span_take(m.key_len == 4 ? &type : &st, &m) < 0)
				return -1;
		}
	}
	if (r < 0)
		return -1;
	ts = span_str(type, &tn);
	ss = span_str(st, &sn);
	if (ts && ss && tn == 5 && !memcmp(ts, "Ready", 5)) {
		pt->ready = sn == 4 && !memcmp(ss, "True", 4);
		pt->ready_set = 1;
	}
	return 0;
}

/* conditions or containerStatuses: an array of objects, each walked by fn. */
static int walk_array(jscan_iter *parent, jscan_member *arr, pod_text *pt,
		      int (*fn)(jscan_iter *, jscan_member *, pod_text *))
{
	jscan_iter it;
	jscan_member el;
	int r;

	if (*arr->val != '[' || jscan_iter_sub(parent, arr, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &el)) == 1)
		if (fn(&it, &el, pt) < 0)
			return -1;
	return r;
}

static int walk_status(jscan_iter *parent, jscan_member *obj, pod_text *pt)
{
	jscan_iter it;
	jscan_member m;
	int r, have_cond = 0, have_cs = 0;

	if (*obj->val != '{' || jscan_iter_sub(parent, obj, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "phase")) {
			if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER || span_take(&pt->phase, &m) < 0)
				return -1;
		} else if (KEY_IS(&m, "conditions")) {
			if (have_cond++ || walk_array(&it, &m, pt, walk_condition) < 0)
				return -1;
		} else if (KEY_IS(&m, "containerStatuses")) {
			if (have_cs++ || walk_array(&it, &m, pt, walk_container) < 0)
				return -1;
		}
	}
	return r;
}

static int walk_spec(jscan_iter *parent, jscan_member *obj, pod_text *pt)
{
	jscan_iter it;
	jscan_member m;
	int r;

	if (*obj->val != '{' || jscan_iter_sub(parent, obj, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "nodeName") &&
		    (jscan_plain(m.val, m.val_end) == JSCAN_OTHER || span_take(&pt->node, &m) < 0))
			return -1;
	}
	return r;
}

static int walk_metadata(jscan_iter *parent, jscan_member *md, const project_keys *k, pod_text *pt)
{
	const char *lab_keys[3] = {k->tier, k->component, k->service};
	int have_lab = 0, have_ann = 0, r;
	jscan_iter it;
	jscan_member m;

	if (*md->val != '{' || jscan_iter_sub(parent, md, &it) < 0)
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "labels")) {
			if (have_lab++ || span_whole_object(&it, &m, lab_keys, pt->lab, 3) < 0)
				return -1;
		} else if (KEY_IS(&m, "annotations")) {
			if (have_ann++ || span_whole_object(&it, &m, NULL, NULL, 0) < 0)
				return -1;
		} else if (KEY_IS(&m, "name") || KEY_IS(&m, "namespace") ||
			   KEY_IS(&m, "creationTimestamp")) {
			span *to = m.key_len == 4 ? &pt->name : m.key_len == 9 ? &pt->ns : &pt->created;
			if (jscan_plain(m.val, m.val_end) == JSCAN_OTHER || span_take(to, &m) < 0)
				return -1;
		}
	}
	return r;
}

static int walk_pod(const char *p, const char *end, const project_keys *k, pod_text *pt)
{
	jscan_iter it;
	jscan_member m;
	int r, have_spec = 0, have_status = 0;

	if (jscan_iter_init(&it, p, end) < 0 || it.close != '}')
		return -1;
	while ((r = jscan_iter_next(&it, &m)) == 1) {
		if (!m.key_plain)
			return -1;
		if (KEY_IS(&m, "metadata")) {
			if (pt->has_md++ || walk_metadata(&it, &m, k, pt) < 0)
				return -1;
		} else if (KEY_IS(&m, "spec")) {
			if (have_spec++ || walk_spec(&it, &m, pt) < 0)
				return -1;
		} else if (KEY_IS(&m, "status")) {
			if (have_status++ || walk_status(&it, &m, pt) < 0)
				return -1;
		}
	}
	while (it.p < end && (*it.p == ' ' || *it.p == '\t' || *it.p == '\n' || *it.p == '\r'))
		it.p++;
	return r == 0 && it.p == end ? 0 : -1;
}

int project_pod_text(const project_keys *k, const char *p, const char *end, project_pod *out)
{
	pod_text pt;
	char tier[SPAN_MAX];
	const char *s;
	size_t n;

	memset(&pt, 0, sizeof(pt));
	memset(out, 0, sizeof(*out));
	pt.out = out; /* containers are folded in as they are walked */
	if (walk_pod(p, end, k, &pt) < 0) {
		memset(out, 0, sizeof(*out));
		return PROJECT_BUILD;
	}
	/* project_pod_from's answer, step by step, on the record the containers began */
	if (!(s = span_str(pt.name, &n)) || !n) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	span_copy_n(out->m.name, sizeof(out->m.name), s, n);
	span_copy(out->m.ns, sizeof(out->m.ns), pt.ns);
	switch (span_cstr(pt.lab[0], tier, sizeof(tier))) {
	case 0:
		out->tier = project_tier_parse(tier);
		break;
	case 1:
		out->tier = project_tier_parse(NULL);
		break;
	default: /* longer than any tier's name */
		out->tier = PROJECT_TIER_OTHER;
	}
	span_copy(out->component, sizeof(out->component), pt.lab[1]);
	span_copy(out->role, sizeof(out->role), pt.lab[2]);
	if (span_time(pt.created, &out->created) < 0) {
		memset(out, 0, sizeof(*out));
		return PROJECT_BUILD;
	}
	span_copy(out->node, sizeof(out->node), pt.node);
	span_copy(out->phase, sizeof(out->phase), pt.phase);
	out->ready = (uint8_t)(pt.ready_set && pt.ready);
	return 0;
}
