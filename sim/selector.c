/* sim/selector.c — Kubernetes label and field selectors: parsing, validation, matching. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/store.h"
#include "util/util.h"

enum op { OP_EQ, OP_NEQ, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOT_EXISTS };

struct req {
	enum op op;
	char *key;
	char **vals;   /* OP_EQ/OP_NEQ: one value; OP_IN/OP_NOTIN: the set */
	size_t n_vals;
};

struct sim_selector {
	int is_field;
	int needs_parse; /* a field requirement reads the object's JSON */
	struct req *reqs;
	size_t n;
};

/* Field selectors kubesim understands; res NULL = every resource type. */
static const struct {
	const char *plural;
	const char *field;
} field_table[] = {
	{NULL, "metadata.name"},
	{NULL, "metadata.namespace"},
	{"events", "involvedObject.kind"},
	{"events", "involvedObject.namespace"},
	{"events", "involvedObject.name"},
	{"events", "involvedObject.uid"},
	{"events", "involvedObject.apiVersion"},
	{"events", "involvedObject.resourceVersion"},
	{"events", "involvedObject.fieldPath"},
	{"events", "reason"},
	{"events", "type"},
	{"events", "source"},
	{"pods", "status.phase"},
	{"pods", "spec.nodeName"},
	{"pods", "spec.restartPolicy"},
	{"pods", "spec.schedulerName"},
	{"pods", "spec.serviceAccountName"},
	{"pods", "status.podIP"},
	{"namespaces", "status.phase"},
	{"secrets", "type"},
};

static void req_release(struct req *r)
{
	free(r->key);
	for (size_t i = 0; i < r->n_vals; i++)
		free(r->vals[i]);
	free(r->vals);
}

void sim_selector_free(sim_selector *sel)
{
	if (!sel)
		return;
	for (size_t i = 0; i < sel->n; i++)
		req_release(&sel->reqs[i]);
	free(sel->reqs);
	free(sel);
}

static struct req *sel_add(sim_selector *sel)
{
	struct req *r;

	sel->reqs = xrealloc(sel->reqs, (sel->n + 1) * sizeof(*sel->reqs));
	r = &sel->reqs[sel->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void req_add_val(struct req *r, const char *v, size_t len)
{
	r->vals = xrealloc(r->vals, (r->n_vals + 1) * sizeof(*r->vals));
	r->vals[r->n_vals++] = xstrndup(v, len);
}

/* ---- label keys and values ---- */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63; empty allowed if allow_empty. */
static int valid_name_part(const char *s, size_t len, int allow_empty)
{
	if (len == 0)
		return allow_empty;
	if (len > 63 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return 0;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

/* DNS-1123 subdomain: dot-separated lowercase labels, at most 253. */
static int valid_dns_subdomain(const char *s, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			size_t n = i - start;
			if (n == 0 || !is_lower_alnum(s[start]) || !is_lower_alnum(s[i - 1]))
				return 0;
			start = i + 1;
		} else if (!is_lower_alnum(s[i]) && s[i] != '-') {
			return 0;
		}
	}
	return 1;
}

static int check_key(const char *key, sim_err *err)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;

	if (slash && !valid_dns_subdomain(key, (size_t)(slash - key)))
		return sim_err_set(err, 400, "BadRequest",
				   "unable to parse requirement: invalid label key \"%s\": prefix part must be "
				   "a lowercase RFC 1123 subdomain", key);
	if (!valid_name_part(name, strlen(name), 0))
		return sim_err_set(err, 400, "BadRequest",
				   "unable to parse requirement: invalid label key \"%s\": name part must be "
				   "non-empty, at most 63 characters, consist of alphanumeric characters, '-', "
				   "'_' or '.', and must start and end with an alphanumeric character", key);
	return 0;
}

static int check_value(const char *v, sim_err *err)
{
	if (!valid_name_part(v, strlen(v), 1))
		return sim_err_set(err, 400, "BadRequest",
				   "unable to parse requirement: invalid label value: \"%s\": at most 63 "
				   "characters, consisting of alphanumeric characters, '-', '_' or '.', "
				   "starting and ending with an alphanumeric character", v);
	return 0;
}

/* ---- label selector lexer ---- */

enum tok { T_END, T_IDENT, T_COMMA, T_EQ, T_DEQ, T_NEQ, T_NOT, T_LPAREN, T_RPAREN, T_BAD };

struct lexer {
	const char *p;
	const char *tok;  /* start of the last token */
	size_t len;       /* its length */
};

static int special(char c)
{
	return c == ',' || c == '=' || c == '!' || c == '(' || c == ')' || c == '<' || c == '>' ||
	       c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static enum tok lex(struct lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' || *lx->p == '\r')
		lx->p++;
	lx->tok = lx->p;
	lx->len = 1;
	switch (*lx->p) {
	case '\0':
		lx->len = 0;
		return T_END;
	case ',':
		lx->p++;
		return T_COMMA;
	case '(':
		lx->p++;
		return T_LPAREN;
	case ')':
		lx->p++;
		return T_RPAREN;
	case '=':
		lx->p++;
		if (*lx->p == '=') {
			lx->p++;
			lx->len = 2;
			return T_DEQ;
		}
		return T_EQ;
	case '!':
		lx->p++;
		if (*lx->p == '=') {
			lx->p++;
			lx->len = 2;
			return T_NEQ;
		}
		return T_NOT;
	case '<':
	case '>':
		lx->p++;
		return T_BAD;
	}
	while (*lx->p && !special(*lx->p))
		lx->p++;
	lx->len = (size_t)(lx->p - lx->tok);
	return T_IDENT;
}

static enum tok peek(struct lexer *lx)
{
	struct lexer copy = *lx;
	return lex(&copy);
}

static int unexpected(struct lexer *lx, enum tok t, const char *expected, sim_err *err)
{
	if (t == T_END)
		return sim_err_set(err, 400, "BadRequest",
				   "unable to parse requirement: found '', expected: %s", expected);
	return sim_err_set(err, 400, "BadRequest", "unable to parse requirement: found '%.*s', expected: %s",
			   (int)lx->len, lx->tok, expected);
}

static int is_word(const struct lexer *lx, const char *w)
{
	return lx->len == strlen(w) && !memcmp(lx->tok, w, lx->len);
}

static int parse_set(struct lexer *lx, struct req *r, sim_err *err)
{
	enum tok t = lex(lx);

	if (t != T_LPAREN)
		return unexpected(lx, t, "'('", err);
	for (;;) {
		t = lex(lx);
		if (t == T_IDENT) {
			req_add_val(r, lx->tok, lx->len);
			if (check_value(r->vals[r->n_vals - 1], err))
				return -1;
			t = lex(lx);
		} else if (t == T_COMMA || t == T_RPAREN) {
			req_add_val(r, "", 0);  /* an empty value inside the set */
		} else {
			return unexpected(lx, t, "identifier, ',' or ')'", err);
		}
		if (t == T_RPAREN)
			break;
		if (t != T_COMMA)
			return unexpected(lx, t, "',' or ')'", err);
	}
	if (r->n_vals == 1 && !r->vals[0][0])
		return sim_err_set(err, 400, "BadRequest",
				   "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty");
	return 0;
}

static int parse_requirement(struct lexer *lx, sim_selector *sel, sim_err *err)
{
	enum tok t = lex(lx);
	struct req *r = sel_add(sel);

	if (t == T_NOT) {
		t = lex(lx);
		if (t != T_IDENT)
			return unexpected(lx, t, "identifier", err);
		r->op = OP_NOT_EXISTS;
		r->key = xstrndup(lx->tok, lx->len);
		return check_key(r->key, err);
	}
	if (t != T_IDENT)
		return unexpected(lx, t, "!, identifier, or 'end of string'", err);
	r->key = xstrndup(lx->tok, lx->len);
	if (check_key(r->key, err))
		return -1;

	t = peek(lx);
	if (t == T_END || t == T_COMMA) {
		r->op = OP_EXISTS;
		return 0;
	}
	t = lex(lx);
	switch (t) {
	case T_EQ:
	case T_DEQ:
	case T_NEQ:
		r->op = t == T_NEQ ? OP_NEQ : OP_EQ;
		if (peek(lx) == T_IDENT) {
			lex(lx);
			req_add_val(r, lx->tok, lx->len);
		} else {
			req_add_val(r, "", 0);
		}
		return check_value(r->vals[0], err);
	case T_IDENT:
		if (is_word(lx, "in"))
			r->op = OP_IN;
		else if (is_word(lx, "notin"))
			r->op = OP_NOTIN;
		else
			break;
		return parse_set(lx, r, err);
	default:
		break;
	}
	return unexpected(lx, t, "'=', '!=', '==', 'in', 'notin'", err);
}

sim_selector *sim_selector_parse_labels(const char *text, sim_err *err)
{
	sim_selector *sel = xcalloc(1, sizeof(*sel));
	struct lexer lx = {text ? text : "", NULL, 0};

	if (peek(&lx) == T_END)
		return sel;
	for (;;) {
		enum tok t;

		if (parse_requirement(&lx, sel, err))
			goto fail;
		t = lex(&lx);
		if (t == T_END)
			break;
		if (t != T_COMMA) {
			unexpected(&lx, t, "',' or 'end of string'", err);
			goto fail;
		}
	}
	return sel;
fail:
	sim_selector_free(sel);
	return NULL;
}

/* ---- field selectors ---- */

static int known_field(const char *f, const sim_resource *res)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_table); i++) {
		if (strcmp(field_table[i].field, f))
			continue;
		if (!res || !field_table[i].plural || !strcmp(field_table[i].plural, res->plural))
			return 1;
	}
	return 0;
}

/* Appends s[0..len) to sb, resolving backslash escapes; -1 on a dangling or unknown escape. */
static int unescape(strbuf *sb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\') {
			sb_addc(sb, s[i]);
			continue;
		}
		if (++i == len || (s[i] != '\\' && s[i] != ',' && s[i] != '='))
			return -1;
		sb_addc(sb, s[i]);
	}
	return 0;
}

static int parse_field_term(sim_selector *sel, const char *term, size_t len, sim_err *err)
{
	size_t i, oplen = 0;
	enum op op = OP_EQ;
	struct req *r;
	strbuf sb;
	int ret = -1;

	for (i = 0; i < len; i++) {
		if (term[i] == '\\') {
			i++;
			continue;
		}
		if (term[i] == '!' && i + 1 < len && term[i + 1] == '=') {
			op = OP_NEQ;
			oplen = 2;
		} else if (term[i] == '=') {
			oplen = (i + 1 < len && term[i + 1] == '=') ? 2 : 1;
		}
		if (oplen)
			break;
	}
	if (!oplen)
		return sim_err_set(err, 400, "BadRequest", "invalid selector: '%.*s'; can't understand '%.*s'",
				   (int)len, term, (int)len, term);
	sb_init(&sb, 32);
	r = sel_add(sel);
	r->op = op;
	while (i > 0 && (term[i - 1] == ' ' || term[i - 1] == '\t'))
		i--, oplen++;
	if (unescape(&sb, term, i))
		goto bad;
	r->key = sb_detach(&sb, NULL);
	sb_init(&sb, 32);
	if (!r->key[0] || !known_field(r->key, NULL)) {
		sim_err_set(err, 400, "BadRequest", "field label not supported: %s", r->key);
		goto out;
	}
	if (strcmp(r->key, "metadata.name") && strcmp(r->key, "metadata.namespace"))
		sel->needs_parse = 1;
	{
		const char *v = term + i + oplen;
		size_t vlen = len - i - oplen;

		while (vlen && (*v == ' ' || *v == '\t'))
			v++, vlen--;
		if (unescape(&sb, v, vlen))
			goto bad;
	}
	r->vals = xmalloc(sizeof(*r->vals));
	r->vals[0] = sb_detach(&sb, NULL);
	r->n_vals = 1;
	ret = 0;
	goto out;
bad:
	sim_err_set(err, 400, "BadRequest", "invalid selector: '%.*s': invalid escape sequence", (int)len, term);
out:
	sb_release(&sb);
	return ret;
}

sim_selector *sim_selector_parse_fields(const char *text, sim_err *err)
{
	sim_selector *sel = xcalloc(1, sizeof(*sel));
	const char *p = text ? text : "";

	sel->is_field = 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return sel;
	for (;;) {
		const char *start = p;
		size_t len;

		while (*p && *p != ',') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		len = (size_t)(p - start);
		while (len && (*start == ' ' || *start == '\t'))
			start++, len--;
		while (len && (start[len - 1] == ' ' || start[len - 1] == '\t'))
			len--;
		if (!len) {
			sim_err_set(err, 400, "BadRequest", "invalid selector: '%s': empty requirement", text);
			goto fail;
		}
		if (parse_field_term(sel, start, len, err))
			goto fail;
		if (!*p)
			break;
		p++;
	}
	return sel;
fail:
	sim_selector_free(sel);
	return NULL;
}

int sim_selector_check_fields(const sim_selector *sel, const sim_resource *res, sim_err *err)
{
	if (!sel || !sel->is_field)
		return 0;
	for (size_t i = 0; i < sel->n; i++)
		if (!known_field(sel->reqs[i].key, res))
			return sim_err_set(err, 400, "BadRequest", "field label not supported: %s",
					   sel->reqs[i].key);
	return 0;
}

/* ---- matching ---- */

static int in_set(const struct req *r, const char *v)
{
	for (size_t i = 0; i < r->n_vals; i++)
		if (!strcmp(r->vals[i], v))
			return 1;
	return 0;
}

static int label_req_match(const struct req *r, const sim_obj *o)
{
	const char *v = sim_obj_label(o, r->key);

	switch (r->op) {
	case OP_EQ:
		return v && !strcmp(v, r->vals[0]);
	case OP_NEQ:
		return !v || strcmp(v, r->vals[0]);
	case OP_IN:
		return v && in_set(r, v);
	case OP_NOTIN:
		return !v || !in_set(r, v);
	case OP_EXISTS:
		return v != NULL;
	case OP_NOT_EXISTS:
		return v == NULL;
	}
	return 0;
}

/* The string at a dotted path in tree; "" when absent. Numbers and booleans are
 * rendered the way a field selector compares them. */
static const char *field_value(const cJSON *tree, const char *path, char *buf, size_t size)
{
	const cJSON *node = tree;
	const char *p = path;

	while (node && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char part[128];

		if (n >= sizeof(part))
			return "";
		memcpy(part, p, n);
		part[n] = '\0';
		node = cJSON_GetObjectItemCaseSensitive(node, part);
		p += n + (dot ? 1 : 0);
	}
	if (cJSON_IsString(node))
		return node->valuestring;
	if (cJSON_IsNumber(node)) {
		snprintf(buf, size, "%.0f", node->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(node))
		return cJSON_IsTrue(node) ? "true" : "false";
	return "";
}

static int field_match(const sim_selector *sel, const sim_obj *o)
{
	cJSON *tree = sel->needs_parse ? sim_obj_parse(o) : NULL;
	int ok = 1;

	for (size_t i = 0; ok && i < sel->n; i++) {
		const struct req *r = &sel->reqs[i];
		char buf[64];
		const char *v;

		if (!strcmp(r->key, "metadata.name"))
			v = o->name;
		else if (!strcmp(r->key, "metadata.namespace"))
			v = o->ns;
		else
			v = field_value(tree, r->key, buf, sizeof(buf));
		ok = (strcmp(v, r->vals[0]) == 0) == (r->op == OP_EQ);
	}
	cJSON_Delete(tree);
	return ok;
}

int sim_selector_match(const sim_selector *sel, const sim_obj *o)
{
	if (!sel || !sel->n)
		return 1;
	if (sel->is_field)
		return field_match(sel, o);
	for (size_t i = 0; i < sel->n; i++)
		if (!label_req_match(&sel->reqs[i], o))
			return 0;
	return 1;
}
