/* kubesim's REST verbs on one resource: get, create, update, patch (four kinds),
 * delete, deletecollection, the scale and status subresources, access reviews. */
#include <stdio.h>

#include "sim/auth.h"
#include "sim/http.h"
#include "sim/patch.h"
#include "sim/replicaset.h"
#include "sim/table.h"
#include "sim/validate.h"
#include "sim/volumes.h"
#include "util/util.h"

enum edit_kind { EDIT_PUT, EDIT_MERGE, EDIT_JSON, EDIT_STRATEGIC, EDIT_APPLY };

struct edit {
	sim_req *r;
	enum edit_kind kind;
	const cJSON *body;
	const char *manager;
	int force;
	int status_only;       /* the status subresource: only status changes */
	int keep_status;       /* main resource with a status subresource */
	int scale;             /* the scale subresource: body is a Scale */
	int pvc;               /* a claim's spec may change: the resize checks (sim/volumes.h) */
	int expandable;        /* with pvc: its class allows volume expansion */
};

static const char *verb_of(const sim_req *r)
{
	int coll = r->name[0] == '\0';

	if (!strcmp(r->method, "GET"))
		return !coll ? "get" : (r->watch_path || sim_req_flag(r, "watch")) ? "watch" : "list";
	if (!strcmp(r->method, "POST"))
		return "create";
	if (!strcmp(r->method, "PUT"))
		return "update";
	if (!strcmp(r->method, "PATCH"))
		return "patch";
	if (!strcmp(r->method, "DELETE"))
		return coll ? "deletecollection" : "delete";
	return NULL;
}

static int dry_run(const sim_req *r)
{
	const char *d = sim_req_arg(r, "dryRun");
	return d && !strcmp(d, "All");
}

static const char *ns_arg(const sim_req *r)
{
	return r->res->namespaced ? r->ns : "";
}

static enum MHD_Result respond_obj(sim_req *r, unsigned code, sim_obj *o)
{
	char *out;

	if (sim_req_wants_table(r) && !strcmp(r->method, "GET")) {
		sim_obj *const objs[1] = {o};
		char rv[32];
		const char *inc = sim_req_arg(r, "includeObject");
		snprintf(rv, sizeof(rv), "%llu", (unsigned long long)o->rv);
		out = sim_table_render_objs(r->res, objs, 1, inc ? inc : "Metadata", rv, NULL, 0,
					    sim_store_now(r->srv->store));
	} else {
		out = xstrndup(o->json, o->len);
	}
	sim_obj_unref(o);
	return sim_respond_json(r, code, out);
}

static cJSON *parse_body(sim_req *r, sim_err *err)
{
	cJSON *b;

	if (r->body.len == 0) {
		sim_err_set(err, 400, "BadRequest", "the request needs a body");
		return NULL;
	}
	b = cJSON_ParseWithLength(r->body.buf, r->body.len);
	if (!b) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= r->body.buf && at <= r->body.buf + r->body.len
				     ? (size_t)(at - r->body.buf) : 0;
		sim_err_set(err, 400, "BadRequest",
			    "the request body is not valid JSON (at byte %zu); kubesim accepts JSON bodies only",
			    off);
	}
	return b;
}

/* ---- Scale ---- */

static cJSON *scale_of(const cJSON *obj, const sim_resource *res)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
	const cJSON *srep = cJSON_GetObjectItemCaseSensitive(st, "replicas");
	const cJSON *sel = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "selector"), "matchLabels");
	cJSON *s = cJSON_CreateObject(), *m, *sp, *ss;
	strbuf selb;
	const cJSON *it;

	cJSON_AddStringToObject(s, "kind", "Scale");
	cJSON_AddStringToObject(s, "apiVersion", "autoscaling/v1");
	m = cJSON_AddObjectToObject(s, "metadata");
	for (const char *const *k = (const char *const[]){"name", "namespace", "uid", "resourceVersion", "creationTimestamp", NULL}; *k; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(md, *k);
		if (v)
			cJSON_AddItemToObject(m, *k, cJSON_Duplicate(v, 1));
	}
	sp = cJSON_AddObjectToObject(s, "spec");
	cJSON_AddNumberToObject(sp, "replicas", cJSON_IsNumber(rep) ? rep->valuedouble : 1);
	ss = cJSON_AddObjectToObject(s, "status");
	cJSON_AddNumberToObject(ss, "replicas", cJSON_IsNumber(srep) ? srep->valuedouble : 0);
	sb_init(&selb, 64);
	cJSON_ArrayForEach(it, sel) {
		if (cJSON_IsString(it))
			sb_addf(&selb, "%s%s=%s", selb.len ? "," : "", it->string, it->valuestring);
	}
	cJSON_AddStringToObject(ss, "selector", selb.buf);
	sb_release(&selb);
	(void)res;
	return s;
}

/* ---- the edit applied under the store's lock ---- */

static void replace_contents(cJSON *dst, const cJSON *src)
{
	cJSON *c;

	while ((c = dst->child) != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(dst, c));
	for (const cJSON *it = src->child; it; it = it->next)
		cJSON_AddItemToObject(dst, it->string, cJSON_Duplicate(it, 1));
}

static int run_patch(struct edit *e, cJSON *target, sim_err *err)
{
	const char *kind = e->r->res->kind;

	switch (e->kind) {
	case EDIT_PUT: {
		const cJSON *md = cJSON_GetObjectItemCaseSensitive(e->body, "metadata");
		const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
		cJSON *old_md = cJSON_GetObjectItemCaseSensitive(target, "metadata");
		cJSON *old_rv = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(old_md, "resourceVersion"), 1);
		replace_contents(target, e->body);
		if (!(cJSON_IsString(rv) && rv->valuestring[0]) && old_rv) {
			cJSON *nmd = cJSON_GetObjectItemCaseSensitive(target, "metadata");
			if (!cJSON_IsObject(nmd))
				nmd = cJSON_AddObjectToObject(target, "metadata");
			cJSON_DeleteItemFromObjectCaseSensitive(nmd, "resourceVersion");
			cJSON_AddItemToObject(nmd, "resourceVersion", old_rv);
			old_rv = NULL;
		}
		cJSON_Delete(old_rv);
		return 0;
	}
	case EDIT_MERGE:
		return sim_patch_merge(target, e->body, err);
	case EDIT_JSON:
		return sim_patch_json(target, e->body, err);
	case EDIT_STRATEGIC:
		return sim_patch_strategic(target, e->body, kind, err);
	case EDIT_APPLY:
		return sim_patch_apply(target, e->body, e->manager, e->force, kind, err);
	}
	return sim_err_set(err, 500, "InternalError", "unknown edit");
}

static void swap_item(cJSON *dst, const cJSON *src, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);

	cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
	if (v)
		cJSON_AddItemToObject(dst, key, cJSON_Duplicate(v, 1));
}

static int edit_fn(cJSON *obj, void *ctx, sim_err *err)
{
	struct edit *e = ctx;
	sim_req *r = e->r;
	cJSON *old = cJSON_Duplicate(obj, 1);
	int ret = -1;

	if (e->scale) {
		cJSON *sc = scale_of(obj, r->res);
		const cJSON *rep;
		cJSON *spec;
		if (run_patch(e, sc, err)) {
			cJSON_Delete(sc);
			goto out;
		}
		rep = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sc, "spec"), "replicas");
		if (!cJSON_IsNumber(rep) || rep->valuedouble < 0 || rep->valuedouble != (double)(long)rep->valuedouble) {
			cJSON_Delete(sc);
			sim_err_set(err, 422, "Invalid", "Scale.autoscaling \"%s\" is invalid: spec.replicas: Invalid value: must be a non-negative integer", r->name);
			sim_err_field(err, "spec.replicas");
			goto out;
		}
		spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
		if (!cJSON_IsObject(spec))
			spec = cJSON_AddObjectToObject(obj, "spec");
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "replicas");
		cJSON_AddNumberToObject(spec, "replicas", rep->valuedouble);
		/* optimistic concurrency through the Scale's resourceVersion */
		swap_item(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
			  cJSON_GetObjectItemCaseSensitive(sc, "metadata"), "resourceVersion");
		cJSON_Delete(sc);
		ret = 0;
		goto out;
	}
	if (run_patch(e, obj, err))
		goto out;
	if (!cJSON_IsObject(obj)) {
		sim_err_set(err, 400, "BadRequest", "the patch does not leave an object");
		goto out;
	}
	if (e->status_only) {
		/* everything but status comes back from the stored object */
		cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(obj, "status");
		cJSON *md = cJSON_DetachItemFromObjectCaseSensitive(obj, "metadata");
		const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
		cJSON *omd;
		replace_contents(obj, old);
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
		if (st)
			cJSON_AddItemToObject(obj, "status", st);
		omd = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
		if (omd && cJSON_IsString(rv))
			swap_item(omd, md, "resourceVersion");
		cJSON_Delete(md);
	} else if (e->keep_status) {
		swap_item(obj, old, "status");
	}
	if (sim_validate_object(r->res, ns_arg(r), r->name, obj, err))
		goto out;
	if (e->pvc && sim_volumes_check_update(old, obj, e->expandable, err))
		goto out;
	/* generation follows spec changes */
	{
		const cJSON *os = cJSON_GetObjectItemCaseSensitive(old, "spec");
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(obj, "spec");
		cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
		const cJSON *og = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(old, "metadata"), "generation");
		double g = cJSON_IsNumber(og) ? og->valuedouble : 1;
		if ((os || ns) && !cJSON_Compare(os, ns, 1))
			g += 1;
		if (md) {
			cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
			cJSON_AddNumberToObject(md, "generation", g);
		}
	}
	ret = 0;
out:
	cJSON_Delete(old);
	return ret;
}

/* Objects whose controller was deleted go with it (the garbage collector's job). */
static void collect_owned(sim_req *r, sim_obj *owner)
{
	static const char *const owned[][2] = {{"", "pods"}, {"apps", "replicasets"}};
	cJSON *o = sim_obj_parse(owner);
	const cJSON *uid = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "uid");

	if (!cJSON_IsString(uid) || !owner->ns[0])
		goto out;
	for (size_t k = 0; k < ARRAY_SIZE(owned); k++) {
		const sim_resource *res = sim_resource_find(owned[k][0], "v1", owned[k][1]);
		sim_list l;
		sim_err err;
		memset(&l, 0, sizeof(l));
		if (sim_store_list(r->srv->store, res, owner->ns, NULL, NULL, 0, NULL, &l, &err))
			continue;
		for (size_t i = 0; i < l.n; i++) {
			const char *hash = sim_obj_label(l.items[i], "pod-template-hash");
			char needle[96], rsuid[40], rsneedle[96];

			snprintf(needle, sizeof(needle), "\"uid\":\"%s\"", uid->valuestring);
			/* a Deployment's pods are its ReplicaSet's (written or not yet) */
			rsneedle[0] = '\0';
			if (hash && !strcmp(res->plural, "pods") && !strcmp(r->res->plural, "deployments")) {
				sim_rs_uid(uid->valuestring, hash, rsuid);
				snprintf(rsneedle, sizeof(rsneedle), "\"uid\":\"%s\"", rsuid);
			}
			if (strstr(l.items[i]->json, "\"ownerReferences\"") &&
			    (strstr(l.items[i]->json, needle) || (rsneedle[0] && strstr(l.items[i]->json, rsneedle))))
				sim_store_delete(r->srv->store, res, l.items[i]->ns, l.items[i]->name, 0, NULL, &err);
		}
		sim_list_release(&l);
	}
out:
	cJSON_Delete(o);
}

static enum MHD_Result do_access_review(sim_req *r)
{
	sim_err err;
	cJSON *b, *st, *spec;
	char *out;

	memset(&err, 0, sizeof(err));
	b = parse_body(r, &err);
	if (!b)
		return sim_respond_err(r, &err);
	if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		return sim_respond_status(r, 400, "BadRequest", "the body must be a JSON object");
	}
	spec = cJSON_GetObjectItemCaseSensitive(b, "spec");
	if (!strcmp(r->res->plural, "selfsubjectreviews")) {
		/* Who am I (kubectl auth whoami): the authenticated user as seen here. */
		cJSON *ui, *groups;

		st = cJSON_CreateObject();
		ui = cJSON_AddObjectToObject(st, "userInfo");
		cJSON_AddStringToObject(ui, "username", r->user.name);
		groups = cJSON_AddArrayToObject(ui, "groups");
		for (size_t i = 0; i < r->user.n_groups; i++)
			cJSON_AddItemToArray(groups, cJSON_CreateString(r->user.groups[i]));
	} else if (!strcmp(r->res->plural, "selfsubjectaccessreviews")) {
		st = sim_auth_access_review(r->srv->auth, &r->user, spec);
	} else {
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(spec, "namespace");
		st = sim_auth_rules_review(r->srv->auth, &r->user, cJSON_IsString(ns) ? ns->valuestring : "");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(b, "status");
	cJSON_DeleteItemFromObjectCaseSensitive(b, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(b, "kind");
	{
		char api[128];

		sim_resource_api_version(r->res, api, sizeof(api));
		cJSON_AddStringToObject(b, "apiVersion", api);
	}
	cJSON_AddStringToObject(b, "kind", r->res->kind);
	if (!cJSON_GetObjectItemCaseSensitive(b, "metadata"))
		cJSON_AddObjectToObject(b, "metadata");
	cJSON_AddItemToObject(b, "status", st);
	out = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	return sim_respond_json(r, 201, out);
}

/* Fault foreign_create: before this write, an object of the name it targets,
 * made from the same body but labelled as someone else's (no smartops mark,
 * another tenant), as if another operator had been quicker. */
static void foreign_first(sim_req *r, const cJSON *body, const char *name)
{
	cJSON *o, *md, *labels;
	sim_obj *made = NULL;
	sim_err err;
	char av[64];

	if (!r->foreign_create || dry_run(r) || !cJSON_IsObject(body) || !name || !*name)
		return;
	o = cJSON_Duplicate(body, 1);
	sim_resource_api_version(r->res, av, sizeof(av));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "kind");
	cJSON_AddStringToObject(o, "apiVersion", av);
	cJSON_AddStringToObject(o, "kind", r->res->kind);
	md = cJSON_GetObjectItemCaseSensitive(o, "metadata");
	if (!cJSON_IsObject(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "metadata");
		md = cJSON_AddObjectToObject(o, "metadata");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(md, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "labels");
	cJSON_AddStringToObject(md, "name", name);
	if (r->res->namespaced)
		cJSON_AddStringToObject(md, "namespace", r->ns);
	labels = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by", "someone-else");
	cJSON_AddStringToObject(labels, "owner", "kubesim-foreign-create-fault");
	memset(&err, 0, sizeof(err));
	if (sim_validate_object(r->res, ns_arg(r), NULL, o, &err) == 0 &&
	    sim_store_create(r->srv->store, r->res, ns_arg(r), o, 0, &made, &err) == 0)
		sim_obj_unref(made);
	cJSON_Delete(o);
}

static enum MHD_Result do_edit(sim_req *r, enum edit_kind kind)
{
	sim_store *st = r->srv->store;
	struct edit e;
	sim_err err;
	sim_obj *o = NULL;
	cJSON *body;
	enum MHD_Result ret;
	int flags = dry_run(r) ? SIM_DRY_RUN : 0;

	memset(&err, 0, sizeof(err));
	memset(&e, 0, sizeof(e));
	body = parse_body(r, &err);
	if (!body)
		return sim_respond_err(r, &err);
	e.r = r;
	e.kind = kind;
	e.body = body;
	e.manager = sim_req_arg(r, "fieldManager");
	e.force = sim_req_flag(r, "force");
	e.scale = !strcmp(r->sub, "scale");
	e.status_only = !strcmp(r->sub, "status");
	e.keep_status = !r->sub[0] && sim_word_in(r->res->subresources, "status") &&
			strcmp(r->res->plural, "namespaces") != 0;
	if (kind == EDIT_APPLY && (!e.manager || !e.manager[0])) {
		ret = sim_respond_status(r, 422, "Invalid",
					 "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
		goto out;
	}
	if (kind == EDIT_PUT && !e.scale && !cJSON_IsObject(body)) {
		ret = sim_respond_status(r, 400, "BadRequest", "the body must be a JSON object");
		goto out;
	}
	if (kind == EDIT_APPLY && !r->sub[0])
		foreign_first(r, body, r->name);
	if (!r->sub[0] && !strcmp(r->res->plural, "persistentvolumeclaims") && !r->res->group[0]) {
		e.pvc = 1;
		e.expandable = sim_volumes_class_expandable(st, ns_arg(r), r->name);
	}
	if (sim_store_mutate(st, r->res, ns_arg(r), r->name, edit_fn, &e, flags, &o, &err) == 0) {
		if (e.scale) {
			cJSON *obj = sim_obj_parse(o);
			cJSON *sc = scale_of(obj, r->res);
			char *out = cJSON_PrintUnformatted(sc);
			cJSON_Delete(sc);
			cJSON_Delete(obj);
			sim_obj_unref(o);
			ret = sim_respond_json(r, 200, out);
		} else {
			ret = respond_obj(r, 200, o);
		}
		goto out;
	}
	/* server-side apply creates what does not exist yet */
	if (err.code == 404 && kind == EDIT_APPLY && !r->sub[0]) {
		cJSON *fresh = cJSON_CreateObject();
		cJSON *md = cJSON_AddObjectToObject(fresh, "metadata");
		char av[64];
		memset(&err, 0, sizeof(err));
		sim_resource_api_version(r->res, av, sizeof(av));
		cJSON_AddStringToObject(fresh, "apiVersion", av);
		cJSON_AddStringToObject(fresh, "kind", r->res->kind);
		cJSON_AddStringToObject(md, "name", r->name);
		if (r->res->namespaced)
			cJSON_AddStringToObject(md, "namespace", r->ns);
		if (sim_patch_apply(fresh, body, e.manager, e.force, r->res->kind, &err) ||
		    sim_validate_object(r->res, ns_arg(r), NULL, fresh, &err) ||
		    sim_store_create(st, r->res, ns_arg(r), fresh, flags, &o, &err)) {
			cJSON_Delete(fresh);
			ret = sim_respond_err(r, &err);
			goto out;
		}
		cJSON_Delete(fresh);
		ret = respond_obj(r, 201, o);
		goto out;
	}
	ret = sim_respond_err(r, &err);
out:
	cJSON_Delete(body);
	return ret;
}

static enum MHD_Result do_create(sim_req *r)
{
	sim_err err;
	sim_obj *o = NULL;
	cJSON *body;
	enum MHD_Result ret;

	memset(&err, 0, sizeof(err));
	if (r->res->namespaced && !r->ns[0])
		return sim_respond_status(r, 405, "MethodNotAllowed",
					  "the server does not allow this method on the requested resource (create %s needs a namespace)",
					  r->res->plural);
	body = parse_body(r, &err);
	if (!body)
		return sim_respond_err(r, &err);
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(body, "metadata"), "name");

		foreign_first(r, body, cJSON_IsString(name) ? name->valuestring : NULL);
	}
	if (sim_validate_object(r->res, ns_arg(r), NULL, body, &err) ||
	    sim_store_create(r->srv->store, r->res, ns_arg(r), body, dry_run(r) ? SIM_DRY_RUN : 0, &o, &err))
		ret = sim_respond_err(r, &err);
	else
		ret = respond_obj(r, 201, o);
	cJSON_Delete(body);
	return ret;
}

static enum MHD_Result do_delete(sim_req *r)
{
	sim_err err;
	sim_obj *o = NULL;
	int dr = dry_run(r);

	memset(&err, 0, sizeof(err));
	if (sim_store_delete(r->srv->store, r->res, ns_arg(r), r->name, dr ? SIM_DRY_RUN : 0, &o, &err))
		return sim_respond_err(r, &err);
	if (!dr && (!strcmp(r->res->plural, "deployments") || !strcmp(r->res->plural, "statefulsets") ||
		    !strcmp(r->res->plural, "jobs")))
		collect_owned(r, o);
	return respond_obj(r, 200, o);
}

static enum MHD_Result do_delete_collection(sim_req *r)
{
	sim_err err;
	sim_selector *ls = NULL, *fs = NULL;
	sim_list l;
	const char *lsel = sim_req_arg(r, "labelSelector"), *fsel = sim_req_arg(r, "fieldSelector");
	enum MHD_Result ret;
	size_t deleted = 0;

	memset(&err, 0, sizeof(err));
	memset(&l, 0, sizeof(l));
	if ((lsel && !(ls = sim_selector_parse_labels(lsel, &err))) ||
	    (fsel && !(fs = sim_selector_parse_fields(fsel, &err)))) {
		ret = sim_respond_err(r, &err);
		goto out;
	}
	if (sim_store_list(r->srv->store, r->res, r->ns, ls, fs, 0, NULL, &l, &err)) {
		ret = sim_respond_err(r, &err);
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		if (!sim_store_delete(r->srv->store, r->res, l.items[i]->ns, l.items[i]->name,
				      dry_run(r) ? SIM_DRY_RUN : 0, NULL, &err))
			deleted++;
	ret = sim_respond_json(r, 200, xasprintf("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"details\":{\"kind\":\"%s\"},\"message\":\"%zu deleted\"}",
						  r->res->plural, deleted));
out:
	sim_list_release(&l);
	sim_selector_free(ls);
	sim_selector_free(fs);
	return ret;
}

static enum MHD_Result do_get(sim_req *r)
{
	sim_err err;
	sim_obj *o;

	memset(&err, 0, sizeof(err));
	o = sim_store_get(r->srv->store, r->res, ns_arg(r), r->name, &err);
	if (!o)
		return sim_respond_err(r, &err);
	if (!strcmp(r->sub, "scale")) {
		cJSON *obj = sim_obj_parse(o);
		cJSON *sc = scale_of(obj, r->res);
		char *out = cJSON_PrintUnformatted(sc);
		cJSON_Delete(sc);
		cJSON_Delete(obj);
		sim_obj_unref(o);
		return sim_respond_json(r, 200, out);
	}
	return respond_obj(r, 200, o);
}

static int patch_kind(const char *ctype, enum edit_kind *k)
{
	if (!ctype)
		return -1;
	if (util_starts_with(ctype, "application/merge-patch+json"))
		*k = EDIT_MERGE;
	else if (util_starts_with(ctype, "application/json-patch+json"))
		*k = EDIT_JSON;
	else if (util_starts_with(ctype, "application/strategic-merge-patch+json"))
		*k = EDIT_STRATEGIC;
	else if (util_starts_with(ctype, "application/apply-patch+yaml") ||
		 util_starts_with(ctype, "application/apply-patch+json"))
		*k = EDIT_APPLY;
	else
		return -1;
	return 0;
}

enum MHD_Result sim_api_handle(sim_req *r)
{
	const char *verb = verb_of(r);
	const char *group = r->res->group;
	char why[512];
	enum edit_kind pk;

	if (!verb)
		return sim_respond_status(r, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
	if (!r->res->stored) {
		if (strcmp(verb, "create"))
			return sim_respond_status(r, 405, "MethodNotAllowed", "%s can only be created", r->res->plural);
		return do_access_review(r);
	}
	if (!sim_auth_allowed(r->srv->auth, &r->user, verb, group, r->res->plural, r->sub,
			      r->res->namespaced ? r->ns : "", r->name, why, sizeof(why))) {
		sim_err err;
		memset(&err, 0, sizeof(err));
		sim_err_set(&err, 403, "Forbidden", "%s", why);
		util_strlcpy(err.kind, r->res->plural, sizeof(err.kind));
		util_strlcpy(err.name, r->name, sizeof(err.name));
		return sim_respond_err(r, &err);
	}
	if (!strcmp(r->res->group, "apps") && !strcmp(r->res->plural, "replicasets"))
		sim_rs_materialize(r->srv->store, r->ns); /* the lazy ones, before they are read */
	if (!strcmp(r->sub, "log")) {
		if (strcmp(verb, "get"))
			return sim_respond_status(r, 405, "MethodNotAllowed", "pods/log is read-only");
		return sim_stream_log(r);
	}
	if (!strcmp(verb, "get"))
		return do_get(r);
	if (!strcmp(verb, "list"))
		return sim_stream_list(r);
	if (!strcmp(verb, "watch"))
		return sim_stream_watch(r);
	if (!strcmp(verb, "create")) {
		if (r->name[0])
			return sim_respond_status(r, 405, "MethodNotAllowed", "POST goes to the collection, not to an object");
		return do_create(r);
	}
	if (!strcmp(verb, "update"))
		return do_edit(r, EDIT_PUT);
	if (!strcmp(verb, "patch")) {
		if (patch_kind(sim_req_header(r, "Content-Type"), &pk))
			return sim_respond_status(r, 415, "UnsupportedMediaType",
						  "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
		return do_edit(r, pk);
	}
	if (!strcmp(verb, "delete"))
		return do_delete(r);
	return do_delete_collection(r);
}
