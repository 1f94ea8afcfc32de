/* sim/auth.c — users, tokens and a small RBAC for kubesim. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/random.h>

#include "sim/auth.h"
#include "sim/resource.h"
#include "util/util.h"

#define GROUP_AUTHENTICATED "system:authenticated"
#define TOKEN_MAX 1024

typedef struct rule {
	char *verbs;	 /* space-separated; "*" for all */
	char *groups;	 /* resource rules: API groups */
	char *resources; /* resource rules: plurals, "plural/sub"; nonresource: URLs */
	int nonresource;
} rule;

typedef struct role_def {
	const char *name;
	rule *rules;
	size_t n_rules;
} role_def;

enum { ROLE_NONE = -1, ROLE_ADMIN = 0, ROLE_VIEW, ROLE_OPERATOR, ROLE_BASIC, ROLE_COUNT };

static const char *const role_names[ROLE_COUNT] = {"cluster-admin", "view", "operator",
						   "system:basic-user"};

/* Group bindings, fixed. */
static const struct {
	const char *group;
	int role;
} group_bindings[] = {
    {"system:masters", ROLE_ADMIN},
    {"smartops:support", ROLE_VIEW},
    {"smartops:operators", ROLE_OPERATOR},
    {GROUP_AUTHENTICATED, ROLE_BASIC},
};

typedef struct auth_user {
	char *token;
	sim_user u;
	int role; /* bound by name; ROLE_NONE for none */
} auth_user;

struct sim_auth {
	const role_def *roles; /* the shared table, built once (built_roles) */
	auth_user *users;
	size_t n_users;
};

/* --- roles ------------------------------------------------------------- */

static void add_rule(role_def *r, const char *verbs, const char *groups, const char *resources,
		     int nonresource)
{
	r->rules = xrealloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
	r->rules[r->n_rules].verbs = xstrdup(verbs);
	r->rules[r->n_rules].groups = xstrdup(groups);
	r->rules[r->n_rules].resources = xstrdup(resources);
	r->rules[r->n_rules].nonresource = nonresource;
	r->n_rules++;
}

/* Adds plural and each plural/sub of res to sb. */
static void add_resource_names(strbuf *sb, const sim_resource *res)
{
	const char *s = res->subresources;

	sb_addf(sb, "%s%s", sb->len ? " " : "", res->plural);
	while (*s) {
		size_t n = strcspn(s, " ");
		if (n)
			sb_addf(sb, " %s/%.*s", res->plural, (int)n, s);
		s += n;
		s += strspn(s, " ");
	}
}

/* One rule per API group of the resource table: `verbs` on every stored resource of
 * the group that keep() accepts. */
static void add_table_rules(role_def *r, const char *verbs,
			    int (*keep)(const sim_resource *res, const char *verbs))
{
	size_t n = sim_resource_count();

	for (size_t i = 0; i < n; i++) {
		const sim_resource *g = sim_resource_at(i);
		int seen = 0;
		strbuf sb;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(sim_resource_at(j)->group, g->group);
		if (seen)
			continue;
		sb_init(&sb, 128);
		for (size_t j = i; j < n; j++) {
			const sim_resource *res = sim_resource_at(j);
			if (strcmp(res->group, g->group) || !res->stored || !keep(res, verbs))
				continue;
			add_resource_names(&sb, res);
		}
		if (sb.len)
			add_rule(r, verbs, g->group, sb.buf, 0);
		sb_release(&sb);
	}
}

static const char *const RBAC_GROUP = "rbac.authorization.k8s.io";

static int keep_view(const sim_resource *res, const char *verbs)
{
	return strcmp(res->plural, "secrets") || res->group[0];
}

static int keep_operator_all(const sim_resource *res, const char *verbs)
{
	return strcmp(res->group, RBAC_GROUP) &&
	       !(!res->group[0] && !strcmp(res->plural, "namespaces"));
}

static int keep_namespaces(const sim_resource *res, const char *verbs)
{
	return !res->group[0] && !strcmp(res->plural, "namespaces");
}

static int keep_rbac(const sim_resource *res, const char *verbs)
{
	return !strcmp(res->group, RBAC_GROUP);
}

static role_def built_roles[ROLE_COUNT]; /* the same for every sim_auth; never freed */
static pthread_once_t built_once = PTHREAD_ONCE_INIT;

static void build_roles(void)
{
	role_def *roles = built_roles, *r;

	for (int i = 0; i < ROLE_COUNT; i++)
		roles[i].name = role_names[i];
	r = &roles[ROLE_ADMIN];
	add_rule(r, "*", "*", "*", 0);
	add_rule(r, "*", "", "*", 1);
	r = &roles[ROLE_VIEW];
	add_table_rules(r, "get list watch", keep_view);
	r = &roles[ROLE_OPERATOR];
	add_table_rules(r, "*", keep_operator_all);
	add_table_rules(r, "get list watch create update patch", keep_namespaces);
	add_table_rules(r, "get list watch", keep_rbac);
	r = &roles[ROLE_BASIC];
	add_rule(r, "create", "authorization.k8s.io",
		 "selfsubjectaccessreviews selfsubjectrulesreviews", 0);
	add_rule(r, "create", "authentication.k8s.io", "selfsubjectreviews", 0);
	add_rule(r, "get", "",
		 "/api /api/* /apis /apis/* /healthz /healthz/* /livez /livez/* /openapi "
		 "/openapi/* /readyz /readyz/* /version /version/",
		 1);
}

static int role_by_name(const char *name)
{
	if (!*name || !strcmp(name, "none"))
		return ROLE_NONE;
	for (int i = 0; i < ROLE_BASIC; i++)
		if (!strcmp(name, role_names[i]))
			return i;
	return -2;
}

/* --- users ------------------------------------------------------------- */

static char *random_token(void)
{
	unsigned char raw[24];
	char hex[2 * sizeof(raw) + 1];
	size_t got = 0;

	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("auth: getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return xstrdup(hex);
}

static void user_add_group(sim_user *u, const char *g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (!strcmp(u->groups[i], g))
			return;
	if (u->n_groups < SIM_AUTH_MAX_GROUPS)
		util_strlcpy(u->groups[u->n_groups++], g, sizeof(u->groups[0]));
}

static void add_builtin(sim_auth *a, const char *name, const char *group)
{
	auth_user *au;

	a->users = xrealloc(a->users, (a->n_users + 1) * sizeof(*a->users));
	au = &a->users[a->n_users++];
	memset(au, 0, sizeof(*au));
	au->token = random_token();
	au->role = ROLE_NONE;
	util_strlcpy(au->u.name, name, sizeof(au->u.name));
	user_add_group(&au->u, group);
	user_add_group(&au->u, GROUP_AUTHENTICATED);
}

sim_auth *sim_auth_new(void)
{
	sim_auth *a = xcalloc(1, sizeof(*a));

	pthread_once(&built_once, build_roles);
	a->roles = built_roles;
	add_builtin(a, "admin", "system:masters");
	add_builtin(a, "support", "smartops:support");
	return a;
}

static void free_token(char *t)
{
	if (t) {
		memset(t, 0, strlen(t));
		free(t);
	}
}

void sim_auth_free(sim_auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_users; i++)
		free_token(a->users[i].token);
	free(a->users);
	free(a);
}

static auth_user *find_user(const sim_auth *a, const char *name)
{
	for (size_t i = 0; i < a->n_users; i++)
		if (!strcmp(a->users[i].u.name, name))
			return &a->users[i];
	return NULL;
}

const char *sim_auth_token(const sim_auth *a, const char *user)
{
	const auth_user *au = user ? find_user(a, user) : NULL;

	return au ? au->token : NULL;
}

/* Equal strings, in time that depends only on the lengths. */
static int ct_equal(const char *given, size_t glen, const char *known)
{
	size_t klen = strlen(known);
	unsigned char d = glen != klen;

	for (size_t i = 0; i < klen; i++)
		d |= (unsigned char)known[i] ^ (unsigned char)(i < glen ? given[i] : 0);
	return d == 0;
}

int sim_auth_by_token(const sim_auth *a, const char *token, sim_user *out)
{
	const auth_user *hit = NULL;
	size_t glen;

	if (!token || !*token)
		return 0;
	glen = strnlen(token, TOKEN_MAX + 1);
	for (size_t i = 0; i < a->n_users; i++) {
		int eq = ct_equal(token, glen, a->users[i].token);
		if (eq && !hit)
			hit = &a->users[i];
	}
	if (!hit)
		return 0;
	if (out)
		*out = hit->u;
	return 1;
}

void sim_auth_user_from_cert(const sim_auth *a, const char *cn, char groups[][128], size_t n,
			     sim_user *out)
{
	(void)a;
	memset(out, 0, sizeof(*out));
	util_strlcpy(out->name, cn ? cn : "", sizeof(out->name));
	/* keep a slot for system:authenticated */
	for (size_t i = 0; i < n && out->n_groups < SIM_AUTH_MAX_GROUPS - 1; i++)
		if (groups[i][0])
			user_add_group(out, groups[i]);
	user_add_group(out, GROUP_AUTHENTICATED);
}

/* --- the users file ------------------------------------------------------ */

static char *trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int has_ctl_or_space(const char *s, int allow_space)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s) || (!allow_space && *s == ' '))
			return 1;
	return 0;
}

/* Parses one non-comment line into au; returns NULL or the complaint. */
static const char *parse_line(char *line, auth_user *au)
{
	char *field[4], *p = line, *g;
	size_t n = 0;
	int role;

	while (n < 4) {
		field[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p)
		return "too many fields (want token,user,groups,role)";
	if (n < 3)
		return "too few fields (want token,user,groups,role)";
	for (size_t i = 0; i < n; i++)
		field[i] = trim(field[i]);
	if (!*field[0])
		return "empty token";
	if (strlen(field[0]) > TOKEN_MAX || has_ctl_or_space(field[0], 0))
		return "token must be at most 1024 characters without spaces";
	if (!*field[1])
		return "empty user name";
	if (strlen(field[1]) >= sizeof(au->u.name) || has_ctl_or_space(field[1], 1))
		return "user name too long or holds control characters";
	role = role_by_name(n == 4 ? field[3] : "");
	if (role == -2)
		return "unknown role (want cluster-admin, view, operator or none)";

	memset(au, 0, sizeof(*au));
	util_strlcpy(au->u.name, field[1], sizeof(au->u.name));
	au->role = role;
	for (g = field[2]; g;) {
		char *next = strchr(g, ';'), *name;
		if (next)
			*next++ = '\0';
		name = trim(g);
		g = next;
		if (!*name)
			continue;
		if (strlen(name) >= sizeof(au->u.groups[0]) || has_ctl_or_space(name, 1))
			return "group name too long or holds control characters";
		if (au->u.n_groups >= SIM_AUTH_MAX_GROUPS - 1 && strcmp(name, GROUP_AUTHENTICATED))
			return "too many groups (at most 7)";
		user_add_group(&au->u, name);
	}
	user_add_group(&au->u, GROUP_AUTHENTICATED);
	au->token = xstrdup(field[0]);
	return NULL;
}

int sim_auth_load_users_text(sim_auth *a, const char *origin, const char *text, size_t len,
			     char *errbuf, size_t errsize)
{
	const char *p = text, *end = text + len;
	auth_user *add = NULL;
	size_t n_add = 0, cap = 0, lineno = 0;
	char *line = xmalloc(len + 1);
	int ret = -1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t got = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		char *s;
		const char *why;
		auth_user au;

		memcpy(line, p, got);
		line[got] = '\0';
		p += got;
		lineno++;
		if (memchr(line, '\0', got)) {
			snprintf(errbuf, errsize, "%s:%zu: NUL byte in line", origin, lineno);
			goto out;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if ((why = parse_line(s, &au))) {
			snprintf(errbuf, errsize, "%s:%zu: %s", origin, lineno, why);
			goto out;
		}
		for (size_t i = 0; i < n_add && !why; i++) {
			if (!strcmp(add[i].u.name, au.u.name))
				why = "user named twice";
			else if (!strcmp(add[i].token, au.token))
				why = "token used twice";
		}
		for (size_t i = 0; i < a->n_users && !why; i++)
			if (strcmp(a->users[i].u.name, au.u.name) &&
			    !strcmp(a->users[i].token, au.token))
				why = "token already belongs to another user";
		if (why) {
			snprintf(errbuf, errsize, "%s:%zu: %s \"%s\"", origin, lineno, why,
				 au.u.name);
			free_token(au.token);
			goto out;
		}
		if (n_add == cap) {
			cap = cap ? 2 * cap : 8;
			add = xrealloc(add, cap * sizeof(*add));
		}
		add[n_add++] = au;
	}
	/* a line may replace a user that an earlier user would still hold the token of */
	for (size_t i = 0; i < n_add; i++) {
		auth_user *old = find_user(a, add[i].u.name);
		if (old) {
			free_token(old->token);
			*old = add[i];
		} else {
			a->users = xrealloc(a->users, (a->n_users + 1) * sizeof(*a->users));
			a->users[a->n_users++] = add[i];
		}
		add[i].token = NULL;
	}
	n_add = 0;
	ret = 0;
out:
	for (size_t i = 0; i < n_add; i++)
		free_token(add[i].token);
	free(add);
	memset(line, 0, len + 1); /* it held tokens */
	free(line);
	return ret;
}

int sim_auth_load_users(sim_auth *a, const char *path, char *errbuf, size_t errsize)
{
	FILE *f = fopen(path, "r");
	strbuf sb;
	char chunk[4096];
	size_t n;
	int ret;

	if (!f) {
		snprintf(errbuf, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	sb_init(&sb, sizeof(chunk));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&sb, chunk, n);
	if (ferror(f)) {
		snprintf(errbuf, errsize, "%s: read error: %s", path, strerror(errno));
		ret = -1;
	} else {
		ret = sim_auth_load_users_text(a, path, sb.buf, sb.len, errbuf, errsize);
	}
	fclose(f);
	memset(sb.buf, 0, sb.len);
	memset(chunk, 0, sizeof(chunk));
	sb_release(&sb);
	return ret;
}

/* --- decisions ------------------------------------------------------------ */

/* The roles bound to u: a bitmask over ROLE_*. */
static unsigned user_roles(const sim_auth *a, const sim_user *u)
{
	unsigned mask = 0;
	const auth_user *au = find_user(a, u->name);

	if (au && au->role != ROLE_NONE)
		mask |= 1u << au->role;
	for (size_t i = 0; i < u->n_groups && i < SIM_AUTH_MAX_GROUPS; i++)
		for (size_t j = 0; j < ARRAY_SIZE(group_bindings); j++)
			if (!strcmp(u->groups[i], group_bindings[j].group))
				mask |= 1u << group_bindings[j].role;
	return mask;
}

/* 1 if the space-separated list holds word; an empty word matches an empty list only. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *s = list;

	if (!n)
		return !*list;
	while (*s) {
		size_t k = strcspn(s, " ");
		if (k == n && !strncmp(s, word, n))
			return 1;
		s += k;
		s += strspn(s, " ");
	}
	return 0;
}

static int word_or_star(const char *list, const char *word)
{
	return has_word(list, "*") || (*word && has_word(list, word));
}

/* A non-resource URL rule entry: exact, or "prefix*". */
static int url_matches(const char *list, const char *path)
{
	const char *s = list;

	while (*s) {
		size_t n = strcspn(s, " ");
		if (n) {
			if (s[n - 1] == '*' ? !strncmp(path, s, n - 1)
					    : (strlen(path) == n && !strncmp(path, s, n)))
				return 1;
		}
		s += n;
		s += strspn(s, " ");
	}
	return 0;
}

static int rule_allows(const rule *r, const char *verb, const char *group, const char *res)
{
	return !r->nonresource && word_or_star(r->verbs, verb) &&
	       (has_word(r->groups, "*") || has_word(r->groups, group)) &&
	       word_or_star(r->resources, res);
}

static int roles_allow(const sim_auth *a, unsigned mask, const char *verb, const char *group,
		       const char *res)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		for (size_t j = 0; j < a->roles[i].n_rules; j++)
			if (rule_allows(&a->roles[i].rules[j], verb, group, res))
				return 1;
	}
	return 0;
}

static int roles_allow_path(const sim_auth *a, unsigned mask, const char *verb, const char *path)
{
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		for (size_t j = 0; j < a->roles[i].n_rules; j++) {
			const rule *r = &a->roles[i].rules[j];
			if (r->nonresource && word_or_star(r->verbs, verb) &&
			    url_matches(r->resources, path))
				return 1;
		}
	}
	return 0;
}

int sim_auth_allowed(const sim_auth *a, const sim_user *u, const char *verb, const char *group,
		     const char *resource, const char *subresource, const char *ns,
		     const char *name, char *why, size_t whysize)
{
	char full[300], qualified[300];

	group = group ? group : "";
	subresource = subresource ? subresource : "";
	ns = ns ? ns : "";
	name = name ? name : "";
	if (*subresource)
		snprintf(full, sizeof(full), "%s/%s", resource, subresource);
	else
		util_strlcpy(full, resource, sizeof(full));
	if (u && *verb && *resource && roles_allow(a, user_roles(a, u), verb, group, full))
		return 1;
	if (why && whysize) {
		strbuf sb;

		if (*group)
			snprintf(qualified, sizeof(qualified), "%s.%s", resource, group);
		else
			util_strlcpy(qualified, resource, sizeof(qualified));
		sb_init(&sb, 200);
		if (*name)
			sb_addf(&sb, "%s \"%s\" is forbidden: ", qualified, name);
		else
			sb_addf(&sb, "%s is forbidden: ", qualified);
		sb_addf(&sb, "User \"%s\" cannot %s resource \"%s\" in API group \"%s\"",
			u ? u->name : "system:anonymous", verb, full, group);
		if (*ns)
			sb_addf(&sb, " in the namespace \"%s\"", ns);
		else
			sb_adds(&sb, " at the cluster scope");
		util_strlcpy(why, sb.buf, whysize);
		sb_release(&sb);
	}
	return 0;
}

int sim_auth_allowed_path(const sim_auth *a, const sim_user *u, const char *verb, const char *path,
			  char *why, size_t whysize)
{
	if (u && *verb && *path && roles_allow_path(a, user_roles(a, u), verb, path))
		return 1;
	if (why && whysize)
		snprintf(why, whysize, "forbidden: User \"%s\" cannot %s path \"%s\"",
			 u ? u->name : "system:anonymous", verb, path);
	return 0;
}

/* --- reviews -------------------------------------------------------------- */

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* "RBAC: allowed by ..." naming the first role that grants it. */
static void allowed_reason(const sim_auth *a, const sim_user *u, unsigned mask,
			   int (*grants)(const sim_auth *, unsigned, const void *), const void *arg,
			   char *buf, size_t size)
{
	const auth_user *au = find_user(a, u->name);

	buf[0] = '\0';
	if (au && au->role != ROLE_NONE && grants(a, 1u << au->role, arg)) {
		snprintf(buf, size,
			 "RBAC: allowed by ClusterRoleBinding \"%s\" of ClusterRole \"%s\" to User "
			 "\"%s\"",
			 u->name, role_names[au->role], u->name);
		return;
	}
	for (size_t i = 0; i < u->n_groups; i++)
		for (size_t j = 0; j < ARRAY_SIZE(group_bindings); j++) {
			int r = group_bindings[j].role;
			if (strcmp(u->groups[i], group_bindings[j].group) || !(mask & (1u << r)) ||
			    !grants(a, 1u << r, arg))
				continue;
			snprintf(buf, size,
				 "RBAC: allowed by ClusterRoleBinding \"%s\" of ClusterRole \"%s\" "
				 "to Group \"%s\"",
				 role_names[r], role_names[r], u->groups[i]);
			return;
		}
}

typedef struct res_query {
	const char *verb, *group, *res;
} res_query;

static int grants_res(const sim_auth *a, unsigned mask, const void *arg)
{
	const res_query *q = arg;
	return roles_allow(a, mask, q->verb, q->group, q->res);
}

static int grants_path(const sim_auth *a, unsigned mask, const void *arg)
{
	const res_query *q = arg;
	return roles_allow_path(a, mask, q->verb, q->res);
}

cJSON *sim_auth_access_review(const sim_auth *a, const sim_user *u, const cJSON *spec)
{
	const cJSON *ra = cJSON_GetObjectItemCaseSensitive(spec, "resourceAttributes");
	const cJSON *nra = cJSON_GetObjectItemCaseSensitive(spec, "nonResourceAttributes");
	cJSON *st = cJSON_CreateObject();
	char reason[512] = "", full[300];
	int ok = 0;
	res_query q;

	if (cJSON_IsObject(ra)) {
		const char *sub = jstr(ra, "subresource");
		q.verb = jstr(ra, "verb");
		q.group = jstr(ra, "group");
		if (*sub)
			snprintf(full, sizeof(full), "%s/%s", jstr(ra, "resource"), sub);
		else
			util_strlcpy(full, jstr(ra, "resource"), sizeof(full));
		q.res = full;
		ok = u && *q.verb && *full &&
		     roles_allow(a, user_roles(a, u), q.verb, q.group, full);
		if (ok)
			allowed_reason(a, u, user_roles(a, u), grants_res, &q, reason,
				       sizeof(reason));
	} else if (cJSON_IsObject(nra)) {
		q.verb = jstr(nra, "verb");
		q.group = "";
		q.res = jstr(nra, "path");
		ok = u && *q.verb && *q.res && roles_allow_path(a, user_roles(a, u), q.verb, q.res);
		if (ok)
			allowed_reason(a, u, user_roles(a, u), grants_path, &q, reason,
				       sizeof(reason));
	} else {
		cJSON_AddBoolToObject(st, "allowed", 0);
		cJSON_AddStringToObject(st, "evaluationError",
					"spec needs resourceAttributes or nonResourceAttributes");
		return st;
	}
	cJSON_AddBoolToObject(st, "allowed", ok);
	cJSON_AddBoolToObject(st, "denied", 0);
	if (reason[0])
		cJSON_AddStringToObject(st, "reason", reason);
	return st;
}

static cJSON *word_array(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	const char *s = list;

	if (!*s) { /* the core group is the empty string */
		cJSON_AddItemToArray(arr, cJSON_CreateString(""));
		return arr;
	}
	while (*s) {
		size_t n = strcspn(s, " ");
		if (n) {
			char *w = xstrndup(s, n);
			cJSON_AddItemToArray(arr, cJSON_CreateString(w));
			free(w);
		}
		s += n;
		s += strspn(s, " ");
	}
	return arr;
}

cJSON *sim_auth_rules_review(const sim_auth *a, const sim_user *u, const char *ns)
{
	cJSON *st = cJSON_CreateObject();
	cJSON *rr = cJSON_AddArrayToObject(st, "resourceRules");
	cJSON *nr = cJSON_AddArrayToObject(st, "nonResourceRules");
	unsigned mask = u ? user_roles(a, u) : 0;

	(void)ns; /* every binding is cluster-wide */
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		for (size_t j = 0; j < a->roles[i].n_rules; j++) {
			const rule *r = &a->roles[i].rules[j];
			cJSON *o = cJSON_CreateObject();
			cJSON_AddItemToObject(o, "verbs", word_array(r->verbs));
			if (r->nonresource) {
				cJSON_AddItemToObject(o, "nonResourceURLs",
						      word_array(r->resources));
				cJSON_AddItemToArray(nr, o);
			} else {
				cJSON_AddItemToObject(o, "apiGroups", word_array(r->groups));
				cJSON_AddItemToObject(o, "resources", word_array(r->resources));
				cJSON_AddItemToArray(rr, o);
			}
		}
	}
	cJSON_AddBoolToObject(st, "incomplete", 0);
	return st;
}
