/* sim/auth.h — who a request is (bearer tokens, client certificates) and what it may
 * do (a small RBAC: cluster-wide roles bound to users and groups).
 *
 * Roles (their rules are what SelfSubjectRulesReview reports):
 *   cluster-admin  every verb on everything, every non-resource URL
 *   view           get list watch on every resource and subresource but secrets
 *   operator       every verb on everything but: namespaces delete/deletecollection and
 *                  writes to rbac.authorization.k8s.io (read only there)
 *   every authenticated user: create selfsubjectaccessreviews and selfsubjectrulesreviews;
 *   get /version /api* /apis* /openapi* /healthz* /livez /readyz
 * Bindings: group system:masters -> cluster-admin, smartops:support -> view,
 * smartops:operators -> operator; a user from the users file is also bound by name to
 * its role. A user's rights are the union of what its name and groups are bound to.
 *
 * Built-in users, with random tokens made by sim_auth_new():
 *   admin    groups system:masters, system:authenticated
 *   support  groups smartops:support, system:authenticated
 *
 * Thread rules: sim_auth_new and sim_auth_load_users before the sim_auth is shared;
 * after that it is read-only and every other function may run on any thread.
 */
#ifndef SIM_AUTH_H
#define SIM_AUTH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define SIM_AUTH_MAX_GROUPS 8

typedef struct sim_user {
	char name[128];
	char groups[SIM_AUTH_MAX_GROUPS][128];
	size_t n_groups;
} sim_user;

typedef struct sim_auth sim_auth;

/* Built-in users and roles; dies only on out-of-memory (or no randomness). */
sim_auth *sim_auth_new(void);
void sim_auth_free(sim_auth *a);

/* Adds users from a file (docs/kubesim-users.md): `token,user,group1;group2,role` a line,
 * role cluster-admin|view|operator|none (empty = from the groups); '#' comments. A line
 * naming a built-in user replaces it (fixed tokens for tests). On error nothing is
 * added and errbuf says "FILE:LINE: why". Returns 0 or -1. */
int sim_auth_load_users(sim_auth *a, const char *path, char *errbuf, size_t errsize);
/* The same from the file's text already in memory (len bytes, NULs refused as in a
 * file); origin names it in messages. sim_auth_load_users reads the file and calls it. */
int sim_auth_load_users_text(sim_auth *a, const char *origin, const char *text, size_t len,
			     char *errbuf, size_t errsize);

/* Token of a built-in or file user, or NULL; valid until sim_auth_free. */
const char *sim_auth_token(const sim_auth *a, const char *user);

/* 1 and *out filled (groups include system:authenticated) when the bearer token is
 * known, 0 otherwise. Tokens are compared in constant time. */
int sim_auth_by_token(const sim_auth *a, const char *token, sim_user *out);

/* A user from a verified client certificate: name cn, the certificate's groups (n of
 * them) plus system:authenticated. Rights come from the bindings above. */
void sim_auth_user_from_cert(const sim_auth *a, const char *cn, char groups[][128], size_t n,
			     sim_user *out);

/* RBAC decision for a resource request. verb: get list watch create update patch
 * delete deletecollection (or "*"); group "" for core; resource plural; subresource ""
 * or e.g. "log", "scale", "status"; ns "" for cluster scope; name "" when none.
 * Returns 1 if allowed; when denied, why (if not NULL) receives the message
 * kube-apiserver sends with its 403, e.g.
 *   pods is forbidden: User "support" cannot create resource "pods" in API group "" in the
 * namespace "t1-prod" deployments.apps "hypnus" is forbidden: User "support" cannot patch resource
 * "deployments/scale" in API group "apps" in the namespace "t1-prod" namespaces "t1-prod" is
 * forbidden: User "x" cannot delete resource "namespaces" in API group "" at the cluster scope */
int sim_auth_allowed(const sim_auth *a, const sim_user *u, const char *verb, const char *group,
		     const char *resource, const char *subresource, const char *ns,
		     const char *name, char *why, size_t whysize);

/* The same for a non-resource URL (verb "get", path "/version"); why as
 *   forbidden: User "x" cannot get path "/metrics" */
int sim_auth_allowed_path(const sim_auth *a, const sim_user *u, const char *verb, const char *path,
			  char *why, size_t whysize);

/* SelfSubjectAccessReview: spec (borrowed) holds resourceAttributes or
 * nonResourceAttributes; returns a new status object {"allowed":bool,"denied":false,
 * "reason":...} (caller cJSON_Deletes it). A spec with neither answers allowed=false
 * and an evaluationError. */
cJSON *sim_auth_access_review(const sim_auth *a, const sim_user *u, const cJSON *spec);

/* SelfSubjectRulesReview status for namespace ns: {"resourceRules":[{verbs,apiGroups,
 * resources}...],"nonResourceRules":[{verbs,nonResourceURLs}...],"incomplete":false};
 * the rules the user's roles really grant. Caller cJSON_Deletes it. */
cJSON *sim_auth_rules_review(const sim_auth *a, const sim_user *u, const char *ns);

#endif
