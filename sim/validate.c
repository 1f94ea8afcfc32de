/* sim/validate.c — object validation with the API server's messages. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/validate.h"
#include "util/base64.h"
#include "util/util.h"

#define GET cJSON_GetObjectItemCaseSensitive

#define MSG_LABEL "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
	"and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used " \
	"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define MSG_SUBDOMAIN "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, " \
	"'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used " \
	"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define MSG_QNAME "name part must consist of alphanumeric characters, '-', '_' or '.', and must start " \
	"and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used " \
	"for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define MSG_LABEL_VALUE "a valid label must be an empty string or consist of alphanumeric characters, " \
	"'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or " \
	"'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

#define ANNOTATIONS_MAX (256 * 1024)

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int label_n(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int sim_validate_dns1123_label(const char *s)
{
	return s && label_n(s, strlen(s));
}

int sim_validate_dns1123_subdomain(const char *s)
{
	size_t n;

	if (!s || (n = strlen(s)) == 0 || n > 253)
		return 0;
	/* Labels joined by dots: any label may be up to 63 chars; the whole <= 253. */
	for (const char *p = s;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (len == 0 || !is_lower_alnum(p[0]) || !is_lower_alnum(p[len - 1]))
			return 0;
		for (size_t i = 0; i < len; i++)
			if (!is_lower_alnum(p[i]) && p[i] != '-')
				return 0;
		if (!dot)
			return 1;
		p = dot + 1;
	}
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63. */
static int qname_part(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

typedef struct vctx {
	const sim_resource *res;
	const char *name;   /* for "Pod \"x\" is invalid" */
	sim_err *err;
} vctx;

static int v_fail(vctx *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int v_fail(vctx *c, const char *field, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	sim_err_set(c->err, 422, "Invalid", "%s \"%s\" is invalid: %s: %s", c->res->kind, c->name, field, detail);
	if (c->err) {
		util_strlcpy(c->err->kind, c->res->kind, sizeof(c->err->kind));
		util_strlcpy(c->err->name, c->name, sizeof(c->err->name));
	}
	return sim_err_field(c->err, field);
}

/* Validates a metadata.name-like value according to the resource's naming rule. */
static int v_name(vctx *c, const char *field, const char *name, int prefix)
{
	const char *kind = c->res->kind;
	char *masked = xstrdup(name);
	size_t n = strlen(masked);
	int ok;

	/* A generateName prefix may end with '-': check it as if a suffix followed. */
	if (prefix && n && masked[n - 1] == '-')
		masked[n - 1] = 'a';
	if (!strcmp(kind, "Role") || !strcmp(kind, "RoleBinding")) {
		ok = strcmp(masked, ".") && strcmp(masked, "..") && !strpbrk(masked, "/%");
		free(masked);
		if (!ok)
			return v_fail(c, field, "Invalid value: \"%s\": may not be '.' or '..' and may not contain '/' or '%%'",
				      name);
		return 0;
	}
	if (!strcmp(kind, "Namespace") || !strcmp(kind, "Service")) {
		ok = sim_validate_dns1123_label(masked);
		free(masked);
		if (!ok)
			return v_fail(c, field, "Invalid value: \"%s\": %s", name,
				      n > 63 ? "must be no more than 63 characters" : MSG_LABEL);
		return 0;
	}
	ok = sim_validate_dns1123_subdomain(masked);
	free(masked);
	if (!ok)
		return v_fail(c, field, "Invalid value: \"%s\": %s", name,
			      n > 253 ? "must be no more than 253 characters" : MSG_SUBDOMAIN);
	return 0;
}

/* Label or annotation key: optional DNS-1123 subdomain prefix and '/', then a name part. */
static int v_key(vctx *c, const char *field, const char *key)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;

	if (slash) {
		char *prefix = xstrndup(key, (size_t)(slash - key));
		int ok = sim_validate_dns1123_subdomain(prefix);

		free(prefix);
		if (!ok)
			return v_fail(c, field, "Invalid value: \"%s\": prefix part %s", key, MSG_SUBDOMAIN);
	}
	if (strlen(name) > 63)
		return v_fail(c, field, "Invalid value: \"%s\": name part must be no more than 63 characters", key);
	if (!qname_part(name, strlen(name)))
		return v_fail(c, field, "Invalid value: \"%s\": %s", key, MSG_QNAME);
	return 0;
}

static int v_labels(vctx *c, const char *field, const cJSON *labels)
{
	const cJSON *l;

	if (!labels || cJSON_IsNull(labels))
		return 0;
	if (!cJSON_IsObject(labels))
		return v_fail(c, field, "Invalid value: must be an object of strings");
	cJSON_ArrayForEach(l, labels) {
		const char *v;

		if (v_key(c, field, l->string) < 0)
			return -1;
		if (!cJSON_IsString(l))
			return v_fail(c, field, "Invalid value: label \"%s\" must be a string", l->string);
		v = l->valuestring;
		if (strlen(v) > 63)
			return v_fail(c, field, "Invalid value: \"%s\": must be no more than 63 characters", v);
		if (*v && !qname_part(v, strlen(v)))
			return v_fail(c, field, "Invalid value: \"%s\": %s", v, MSG_LABEL_VALUE);
	}
	return 0;
}

static int v_annotations(vctx *c, const cJSON *ann)
{
	const char *field = "metadata.annotations";
	const cJSON *a;
	size_t total = 0;

	if (!ann || cJSON_IsNull(ann))
		return 0;
	if (!cJSON_IsObject(ann))
		return v_fail(c, field, "Invalid value: must be an object of strings");
	cJSON_ArrayForEach(a, ann) {
		if (v_key(c, field, a->string) < 0)
			return -1;
		if (!cJSON_IsString(a))
			return v_fail(c, field, "Invalid value: annotation \"%s\" must be a string", a->string);
		total += strlen(a->string) + strlen(a->valuestring);
	}
	if (total > ANNOTATIONS_MAX)
		return v_fail(c, field, "Too long: must have at most %d bytes", ANNOTATIONS_MAX);
	return 0;
}

static int is_integer(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 9007199254740992.0;
}

/* `prefix` names the containers list ("spec.containers"). */
static int v_containers(vctx *c, const char *prefix, const cJSON *list)
{
	char field[160];
	const cJSON *ct;
	int i = 0;

	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return v_fail(c, prefix, "Required value");
	cJSON_ArrayForEach(ct, list) {
		const cJSON *name = GET(ct, "name"), *image = GET(ct, "image");

		snprintf(field, sizeof(field), "%s[%d]", prefix, i);
		if (!cJSON_IsObject(ct))
			return v_fail(c, field, "Invalid value: must be an object");
		snprintf(field, sizeof(field), "%s[%d].name", prefix, i);
		if (!cJSON_IsString(name) || !name->valuestring[0])
			return v_fail(c, field, "Required value");
		if (!sim_validate_dns1123_label(name->valuestring))
			return v_fail(c, field, "Invalid value: \"%s\": %s", name->valuestring, MSG_LABEL);
		snprintf(field, sizeof(field), "%s[%d].image", prefix, i);
		if (!cJSON_IsString(image) || !image->valuestring[0])
			return v_fail(c, field, "Required value");
		i++;
	}
	return 0;
}

static int str_in_array(const cJSON *arr, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		if (cJSON_IsString(e) && s && !strcmp(e->valuestring, s))
			return 1;
	}
	return 0;
}

/* 1 if labels satisfy the selector (matchLabels and matchExpressions), 0 if not,
 * -1 if the selector is malformed. */
static int selector_matches(const cJSON *sel, const cJSON *labels)
{
	const cJSON *ml = GET(sel, "matchLabels"), *me = GET(sel, "matchExpressions"), *e;

	cJSON_ArrayForEach(e, ml) {
		const cJSON *have = GET(labels, e->string);
		if (!cJSON_IsString(e))
			return -1;
		if (!cJSON_IsString(have) || strcmp(have->valuestring, e->valuestring))
			return 0;
	}
	cJSON_ArrayForEach(e, me) {
		const cJSON *key = GET(e, "key"), *op = GET(e, "operator"), *values = GET(e, "values"), *have;
		const char *hv;

		if (!cJSON_IsString(key) || !cJSON_IsString(op))
			return -1;
		have = GET(labels, key->valuestring);
		hv = cJSON_IsString(have) ? have->valuestring : NULL;
		if (!strcmp(op->valuestring, "In")) {
			if (!hv || !str_in_array(values, hv))
				return 0;
		} else if (!strcmp(op->valuestring, "NotIn")) {
			if (hv && str_in_array(values, hv))
				return 0;
		} else if (!strcmp(op->valuestring, "Exists")) {
			if (!hv)
				return 0;
		} else if (!strcmp(op->valuestring, "DoesNotExist")) {
			if (hv)
				return 0;
		} else {
			return -1;
		}
	}
	return 1;
}

static int v_workload(vctx *c, const cJSON *spec)
{
	const cJSON *sel = GET(spec, "selector"), *replicas = GET(spec, "replicas");
	const cJSON *tmeta = GET(GET(spec, "template"), "metadata");
	const cJSON *labels = GET(tmeta, "labels");
	const cJSON *ml = GET(sel, "matchLabels"), *me = GET(sel, "matchExpressions");
	int has_ml = cJSON_IsObject(ml) && ml->child, has_me = cJSON_IsArray(me) && me->child;
	int m;

	if (replicas && !cJSON_IsNull(replicas)) {
		if (!is_integer(replicas))
			return v_fail(c, "spec.replicas", "Invalid value: must be an integer");
		if (replicas->valuedouble < 0)
			return v_fail(c, "spec.replicas", "Invalid value: %.0f: must be greater than or equal to 0",
				      replicas->valuedouble);
	}
	if (!cJSON_IsObject(sel) || (!has_ml && !has_me))
		return v_fail(c, "spec.selector", "Required value");
	if (has_ml && v_labels(c, "spec.selector.matchLabels", ml) < 0)
		return -1;
	if (v_labels(c, "spec.template.metadata.labels", labels) < 0)
		return -1;
	m = selector_matches(sel, labels);
	if (m < 0)
		return v_fail(c, "spec.selector", "Invalid value: malformed label selector");
	if (m == 0) {
		char *txt = labels ? cJSON_PrintUnformatted(labels) : NULL;

		v_fail(c, "spec.template.metadata.labels", "Invalid value: %s: `selector` does not match template `labels`",
		       txt ? txt : "{}");
		cJSON_free(txt);
		return -1;
	}
	return 0;
}

/* Standard base64 with padding, as Kubernetes decodes []byte fields. */
static int valid_base64(const char *s)
{
	char *d = util_base64_decode(s, strlen(s), NULL, UTIL_B64_STRICT);

	free(d);
	return d != NULL;
}

static int v_string_map(vctx *c, const char *field, const cJSON *map, int base64)
{
	char f[300];
	const cJSON *e;

	if (!map || cJSON_IsNull(map))
		return 0;
	if (!cJSON_IsObject(map))
		return v_fail(c, field, "Invalid value: must be an object");
	cJSON_ArrayForEach(e, map) {
		snprintf(f, sizeof(f), "%s[%s]", field, e->string);
		if (!cJSON_IsString(e))
			return v_fail(c, f, "Invalid value: must be a string");
		if (base64 && !valid_base64(e->valuestring))
			return v_fail(c, f, "Invalid value: illegal base64 data");
	}
	return 0;
}

static int v_kind(vctx *c, const cJSON *obj)
{
	const char *kind = c->res->kind;
	const cJSON *spec = GET(obj, "spec");

	if (!strcmp(kind, "Pod"))
		return v_containers(c, "spec.containers", GET(spec, "containers"));
	if (!strcmp(kind, "Deployment") || !strcmp(kind, "StatefulSet"))
		return v_workload(c, spec);
	if (!strcmp(kind, "Job")) {
		const cJSON *tpl = GET(spec, "template");
		if (!cJSON_IsObject(tpl))
			return v_fail(c, "spec.template", "Required value");
		return v_containers(c, "spec.template.spec.containers", GET(GET(tpl, "spec"), "containers"));
	}
	if (!strcmp(kind, "Service")) {
		const cJSON *ports = GET(spec, "ports"), *p;
		char field[64];
		int i = 0;

		cJSON_ArrayForEach(p, ports) {
			const cJSON *port = GET(p, "port");

			snprintf(field, sizeof(field), "spec.ports[%d].port", i++);
			if (!is_integer(port))
				return v_fail(c, field, "Required value");
			if (port->valuedouble < 1 || port->valuedouble > 65535)
				return v_fail(c, field, "Invalid value: %.0f: must be between 1 and 65535, inclusive",
					      port->valuedouble);
		}
		return 0;
	}
	if (!strcmp(kind, "ConfigMap")) {
		if (v_string_map(c, "data", GET(obj, "data"), 0) < 0)
			return -1;
		return v_string_map(c, "binaryData", GET(obj, "binaryData"), 1);
	}
	if (!strcmp(kind, "Secret")) {
		if (v_string_map(c, "stringData", GET(obj, "stringData"), 0) < 0)
			return -1;
		return v_string_map(c, "data", GET(obj, "data"), 1);
	}
	return 0;
}

int sim_validate_object(const sim_resource *res, const char *ns_from_path, const char *name_from_path,
			const cJSON *obj, sim_err *err)
{
	vctx c = {.res = res, .name = "", .err = err};
	const cJSON *av, *kind, *meta, *name, *gen, *ns;
	char want[128];

	if (!cJSON_IsObject(obj))
		return sim_err_set(err, 400, "BadRequest", "the body of the request must be a JSON object");
	sim_resource_api_version(res, want, sizeof(want));
	av = GET(obj, "apiVersion");
	if (av && !cJSON_IsNull(av) && (!cJSON_IsString(av) || strcmp(av->valuestring, want)))
		return sim_err_set(err, 400, "BadRequest",
				   "the API version in the data (%s) does not match the expected API version (%s)",
				   cJSON_IsString(av) ? av->valuestring : "?", want);
	kind = GET(obj, "kind");
	if (kind && !cJSON_IsNull(kind) && (!cJSON_IsString(kind) || strcmp(kind->valuestring, res->kind)))
		return sim_err_set(err, 400, "BadRequest",
				   "the kind in the data (%s) does not match the expected kind (%s)",
				   cJSON_IsString(kind) ? kind->valuestring : "?", res->kind);
	meta = GET(obj, "metadata");
	if (meta && !cJSON_IsObject(meta))
		return sim_err_set(err, 400, "BadRequest", "metadata must be an object");
	name = GET(meta, "name");
	gen = GET(meta, "generateName");
	if (name && !cJSON_IsNull(name) && !cJSON_IsString(name))
		return sim_err_set(err, 400, "BadRequest", "metadata.name must be a string");
	if (gen && !cJSON_IsNull(gen) && !cJSON_IsString(gen))
		return sim_err_set(err, 400, "BadRequest", "metadata.generateName must be a string");
	if (cJSON_IsString(name))
		c.name = name->valuestring;

	if (name_from_path) {
		if (strcmp(c.name, name_from_path))
			return sim_err_set(err, 400, "BadRequest",
					   "the name of the object (%s) does not match the name on the URL (%s)",
					   c.name, name_from_path);
	}
	if (c.name[0]) {
		if (v_name(&c, "metadata.name", c.name, 0) < 0)
			return -1;
	} else if (!name_from_path && cJSON_IsString(gen) && gen->valuestring[0]) {
		if (v_name(&c, "metadata.generateName", gen->valuestring, 1) < 0)
			return -1;
	} else {
		return v_fail(&c, "metadata.name", "Required value: name or generateName is required");
	}

	ns = GET(meta, "namespace");
	if (cJSON_IsString(ns) && ns->valuestring[0] && ns_from_path && ns_from_path[0] &&
	    strcmp(ns->valuestring, ns_from_path))
		return sim_err_set(err, 400, "BadRequest",
				   "the namespace of the provided object does not match the namespace sent on the request");

	if (v_labels(&c, "metadata.labels", GET(meta, "labels")) < 0)
		return -1;
	if (v_annotations(&c, GET(meta, "annotations")) < 0)
		return -1;
	return v_kind(&c, obj);
}
