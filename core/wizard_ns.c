/* The namespace wizard (see core/wizard_ns.h). */
#include <stdio.h>
#include <string.h>

#include "core/catalog.h"
#include "core/dbaccess_ini.h"
#include "core/rules_fetch.h"
#include "core/wizard_ns.h"
#include "util/util.h"

static const wizard_input inputs[] = {
    {"tcode", "the customer's TCODE, e.g. T12345", NULL, NULL, NULL, 0},
    {"domain", "Ingress hosts are <role>-<tcode>.<domain> (prod), <role>-<tcode>-dev.<domain> (dev)",
     PROVISION_NS_DOMAIN_DEFAULT, NULL, NULL, 0},
    {"size", "s, m or l: the most prod AppServer replicas per role (1, 3, 6)", "m", NULL, "s,m,l", 0},
    {"idleTimeoutSeconds", "Hypnus puts the environment to sleep after this idle time (300..86400)",
     "1800", "idle-timeout", NULL, 0},
    {"roles", "public AppServer roles: webapp, rest, portal, job (ERP), esocial (eSocial)",
     "webapp,rest", NULL, NULL, 0},
};

int wizard_ns_contract(const wizard_ctx *c, const char *tcode, catalog_entry *entry, char *err,
		       size_t errsz, wizard_fail *fail, k8s_err *kerr)
{
	catalog cat = {0};
	const catalog_entry *ce;
	int ret = -1;

	*fail = WIZARD_FAIL_REFUSED;
	k8s_err_clear(kerr);
	if (!c->catalog_url || !*c->catalog_url)
		return util_seterr(err, errsz, "no contract catalogue: the kubeconfig has no %s extension",
				   CATALOG_EXTENSION);
	if (catalog_fetch(c->client, c->catalog_url, &cat, kerr) < 0) {
		*fail = WIZARD_FAIL_CLUSTER;
		return util_seterr(err, errsz, "the catalogue did not answer: %s", kerr->msg);
	}
	ce = catalog_find(&cat, tcode);
	if (!ce)
		util_seterr(err, errsz,
			    "TCODE %s is not in the contract catalogue: check the code with the contract team",
			    tcode);
	else if (provision_ns_check_contract(ce, k8s_client_server_now(c->client), err, errsz) == 0)
		ret = 0;
	if (ce && entry)
		*entry = *ce;
	catalog_release(&cat);
	if (ret == 0)
		*fail = WIZARD_FAIL_NONE;
	return ret;
}

/* The file a ConfigMap of the plan holds that other wizards also edit:
 * dbaccess.ini (the database wizard's server, port, database and user) and each
 * role's appserver.ini (RPOCustom=, a promoted build's RPO); else NULL. */
static const char *shared_config_key(const plan_step *s)
{
	size_t n = strlen(s->name);

	if (strcmp(s->plural, "configmaps"))
		return NULL;
	if (!strcmp(s->name, "dbaccess-ini"))
		return "dbaccess.ini";
	if (!strncmp(s->name, "appserver-", 10) && n > 14 && !strcmp(s->name + n - 4, "-ini"))
		return "appserver.ini";
	return NULL;
}

/* The plan's shared configuration files merged with what the cluster holds, so a
 * re-apply rewrites only the namespace plan's own keys (core/dbaccess_ini.h). */
static int keep_others_keys(const wizard_ctx *c, plan *p, char *err, size_t errsz, wizard_fail *fail,
			    k8s_err *kerr)
{
	static const char *const db_sections[] = {"POSTGRES/", "ORACLE/", NULL};
	static const char *const db_keys[] = {"Server", "Port", "Database", "User", "Service", NULL};
	size_t i;

	for (i = 0; i < p->n; i++) {
		plan_step *s = &p->steps[i];
		const char *key = shared_config_key(s);
		cJSON *live = NULL, *data = cJSON_GetObjectItemCaseSensitive(s->body, "data");
		const cJSON *lv, *pv = cJSON_GetObjectItemCaseSensitive(data, key ? key : "");
		char *path, *merged;
		int rc;

		if (!key || !cJSON_IsString(pv))
			continue;
		path = k8s_path("", "v1", s->ns, "configmaps", s->name);
		rc = k8s_get(c->client, path, &live, kerr);
		free(path);
		if (rc < 0 && kerr->http == 404) {
			k8s_err_clear(kerr);
			continue;
		}
		if (rc < 0) {
			*fail = WIZARD_FAIL_CLUSTER;
			return util_seterr(err, errsz, "cannot read ConfigMap %s/%s: %s", s->ns, s->name, kerr->msg);
		}
		lv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(live, "data"), key);
		if (cJSON_IsString(lv)) {
			merged = dbaccess_ini_merge(pv->valuestring, lv->valuestring,
						    !strcmp(key, "dbaccess.ini") ? db_sections : NULL, db_keys);
			cJSON_ReplaceItemInObjectCaseSensitive(data, key, cJSON_CreateString(merged));
			free(merged);
		}
		cJSON_Delete(live);
	}
	return 0;
}

int wizard_ns_build(const wizard_ctx *c, provision_ns_opts *o, catalog_entry *entry, plan *out,
		    char *err, size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note,
		    size_t notesz)
{
	catalog_entry e;
	rules r;
	k8s_err rerr;

	memset(out, 0, sizeof(*out));
	if (note && notesz)
		note[0] = '\0';
	if (wizard_ns_contract(c, o->tcode, &e, err, errsz, fail, kerr) < 0)
		return -1;
	if (entry)
		*entry = e;
	*fail = WIZARD_FAIL_REFUSED;
	if (provision_ns_validate(o, provision_ns_is_esocial(&e), err, errsz) < 0)
		return -1;
	/* the defaults when the rules cannot be read, as the fleet does */
	if (rules_fetch(c->client, &r, note, note ? notesz : 0, &rerr) < 0 && note && notesz)
		note[0] = '\0';
	if (provision_ns_plan(o, &e, &r, out, err, errsz) < 0)
		return -1;
	if (keep_others_keys(c, out, err, errsz, fail, kerr) < 0) {
		plan_release(out);
		return -1;
	}
	*fail = WIZARD_FAIL_NONE;
	return 0;
}

static int build(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err,
		 size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz)
{
	provision_ns_opts o;
	size_t i;

	memset(out, 0, sizeof(*out));
	k8s_err_clear(kerr);
	*fail = WIZARD_FAIL_REFUSED;
	if (provision_ns_opts_from_inputs(in, n, &o) < 0)
		return util_seterr(err, errsz, "the inputs hold no TCODE");
	for (i = 0; i < n; i++)
		if (!strcmp(in[i].key, "idleTimeoutSeconds") &&
		    (!in[i].value[0] || strspn(in[i].value, "0123456789") != strlen(in[i].value)))
			return util_seterr(err, errsz, "the idle timeout takes seconds, e.g. 1800, not \"%s\"",
					   in[i].value);
	if (!o.prefix[0] && c->prefix) /* recorded only when not the default */
		util_strlcpy(o.prefix, c->prefix, sizeof(o.prefix));
	return wizard_ns_build(c, &o, NULL, out, err, errsz, fail, kerr, note, notesz);
}

const wizard wizard_namespace = {
    .name = "namespace",
    .title = "New namespace",
    .about = "a SMART tenant's prod and dev namespaces, base and public services, Hypnus",
    .products = WIZARD_ERP | WIZARD_ESOCIAL,
    .inputs = inputs,
    .n_inputs = ARRAY_SIZE(inputs),
    .build = build,
};
