/* The contract catalogue (see sim/catalog.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleet.h"
#include "util/util.h"

static sim_contract *contracts;
static size_t n_contracts;

void sim_catalog_reset(void)
{
	free(contracts);
	contracts = NULL;
	n_contracts = 0;
}

static void day_string(int64_t unix_s, char buf[11])
{
	char tmp[32];

	util_rfc3339(unix_s, tmp, sizeof(tmp));
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}

static void fill_from_tenant(sim_contract *c, const sim_tenant *t)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->tcode, t->tcode, sizeof(c->tcode));
	util_strlcpy(c->customer, t->customer, sizeof(c->customer));
	c->esocial = t->esocial;
	c->lic_prod = t->envs[SIM_ENV_PROD].licences;
	c->lic_dev = t->envs[SIM_ENV_DEV].licences;
	memcpy(c->valid_until, t->valid_until, sizeof(c->valid_until));
	c->provider = t->provider;
	c->status = t->contract_expired ? "expired" : "active";
	c->provisioned = 1;
	c->timezone = t->timezone;
}

static void fill_extra(sim_contract *c, size_t i, uint64_t seed, int64_t today_s)
{
	static const char *const providers[] = {"aws", "gcp", "totvs"};
	uint64_t rng = sim_fleet_mix(seed ^ 0xc0ffee ^ (uint64_t)i);
	double kind = sim_fleet_unit(&rng);
	int offset;

	memset(c, 0, sizeof(*c));
	snprintf(c->tcode, sizeof(c->tcode), "T%05u", sim_fleet_code(i));
	sim_fleet_customer_name(sim_fleet_next(&rng), c->customer, sizeof(c->customer));
	sim_fleet_timezone(sim_fleet_next(&rng), &c->timezone, &offset);
	c->provider = providers[sim_fleet_next(&rng) % 3];
	c->esocial = 0;
	c->lic_prod = 5 + (int)(sim_fleet_next(&rng) % 60);
	c->lic_dev = 2 + (int)(sim_fleet_next(&rng) % 8);
	c->status = "active";
	day_string(today_s + (int64_t)(180 + sim_fleet_next(&rng) % 900) * 86400, c->valid_until);
	if (kind < 0.45) {
		/* a SMART contract waiting for onboarding */
	} else if (kind < 0.65) {
		c->status = "expired";
		day_string(today_s - (int64_t)(5 + sim_fleet_next(&rng) % 200) * 86400,
			   c->valid_until);
	} else if (kind < 0.90) {
		c->traditional = 1;
	} else {
		c->status = "suspended";
	}
}

/* An active SMART eSocial contract waiting for onboarding. */
static void fill_esocial(sim_contract *c, size_t i, uint64_t seed, int64_t today_s)
{
	uint64_t rng = sim_fleet_mix(seed ^ 0xe50c1a1ull ^ (uint64_t)i);

	fill_extra(c, i, seed, today_s); /* the same customer, zone and provider draws */
	c->traditional = 0;
	c->esocial = 1;
	c->status = "active";
	c->lic_prod = 3 + (int)(sim_fleet_next(&rng) % 20);
	c->lic_dev = 1 + (int)(sim_fleet_next(&rng) % 4);
	day_string(today_s + (int64_t)(180 + sim_fleet_next(&rng) % 900) * 86400, c->valid_until);
}

void sim_catalog_rebuild(int64_t today_s)
{
	size_t n = sim_fleet_count();
	size_t extra = 8 + n / 20, esocial = SIM_CATALOG_ESOCIAL;

	sim_catalog_reset();
	if (n + extra > 90000)
		extra = 90000 - n;
	if (n + extra + esocial > 90000)
		esocial = 90000 - n - extra;
	contracts = xcalloc(n + extra + esocial ? n + extra + esocial : 1, sizeof(*contracts));
	for (size_t i = 0; i < n; i++)
		fill_from_tenant(&contracts[i], sim_fleet_tenant(i));
	/* the ERP contracts first, then the eSocial ones: codes and order of the first
	 * do not depend on the second */
	for (size_t k = 0; k < extra; k++)
		fill_extra(&contracts[n + k], n + k, sim_fleet_seed_value(), today_s);
	for (size_t k = 0; k < esocial; k++)
		fill_esocial(&contracts[n + extra + k], n + extra + k, sim_fleet_seed_value(),
			     today_s);
	n_contracts = n + extra + esocial;
}

size_t sim_catalog_count(void)
{
	return n_contracts;
}

const sim_contract *sim_catalog_at(size_t i)
{
	return i < n_contracts ? &contracts[i] : NULL;
}

int sim_catalog_tcode_valid(const char *tcode)
{
	if (!tcode || (tcode[0] != 'T' && tcode[0] != 't'))
		return 0;
	for (int i = 1; i <= 5; i++)
		if (!isdigit((unsigned char)tcode[i]))
			return 0;
	return tcode[6] == '\0';
}

const sim_contract *sim_catalog_find(const char *tcode)
{
	const sim_tenant *t;

	if (!sim_catalog_tcode_valid(tcode))
		return NULL;
	/* seeded tenants sit at the same index as in the fleet table */
	t = sim_fleet_find(tcode);
	if (t) {
		size_t i = (size_t)(t - sim_fleet_tenant(0));

		return i < n_contracts ? &contracts[i] : NULL;
	}
	for (size_t i = sim_fleet_count(); i < n_contracts; i++)
		if (!strcmp(contracts[i].tcode + 1, tcode + 1))
			return &contracts[i];
	return NULL;
}

int sim_catalog_set_provisioned(const char *tcode, int provisioned)
{
	sim_contract *c = (sim_contract *)sim_catalog_find(tcode);

	if (!c)
		return -1;
	__atomic_store_n(&c->provisioned, provisioned ? 1 : 0, __ATOMIC_RELAXED);
	return 0;
}

int sim_catalog_provisioned(const sim_contract *c)
{
	return __atomic_load_n(&c->provisioned, __ATOMIC_RELAXED);
}

int sim_catalog_check(const char *tcode, const char *env, int64_t now_s,
		      char *reason, size_t rsize, char *message, size_t msize)
{
	const sim_contract *c = sim_catalog_find(tcode);
	char date[32];
	int64_t until;

	if (!c) {
		snprintf(reason, rsize, "ContractInvalid");
		snprintf(message, msize, "no contract for %s", tcode ? tcode : "?");
		return -1;
	}
	if (c->traditional) {
		snprintf(reason, rsize, "ContractInvalid");
		snprintf(message, msize, "contract %s is not in the SMART model", c->tcode);
		return -1;
	}
	snprintf(date, sizeof(date), "%sT00:00:00Z", c->valid_until);
	until = util_parse_rfc3339(date);
	if (!strcmp(c->status, "expired") || until < 0 || now_s >= until + 86400) {
		snprintf(reason, rsize, "ContractExpired");
		snprintf(message, msize, "contract %s expired on %s", c->tcode, c->valid_until);
		return -1;
	}
	if (!strcmp(c->status, "suspended")) {
		snprintf(reason, rsize, "ContractInvalid");
		snprintf(message, msize, "contract %s is suspended", c->tcode);
		return -1;
	}
	if ((env && !strcmp(env, "prod") && c->lic_prod <= 0) ||
	    (env && !strcmp(env, "dev") && c->lic_dev <= 0)) {
		snprintf(reason, rsize, "ContractInvalid");
		snprintf(message, msize, "contract %s has no licences for %s", c->tcode, env);
		return -1;
	}
	return 0;
}

static cJSON *contract_json(const sim_contract *c)
{
	cJSON *o = cJSON_CreateObject(), *lic, *products;

	cJSON_AddStringToObject(o, "tcode", c->tcode);
	cJSON_AddStringToObject(o, "customer", c->customer);
	cJSON_AddStringToObject(o, "model", c->traditional ? "traditional" : "smart");
	products = cJSON_AddArrayToObject(o, "products");
	cJSON_AddItemToArray(products, cJSON_CreateString(c->esocial ? "esocial" : "erp"));
	lic = cJSON_AddObjectToObject(o, "licences");
	cJSON_AddNumberToObject(lic, "prod", c->lic_prod);
	cJSON_AddNumberToObject(lic, "dev", c->lic_dev);
	cJSON_AddStringToObject(o, "valid_until", c->valid_until);
	cJSON_AddStringToObject(o, "provider", c->provider);
	cJSON_AddStringToObject(o, "status", c->status);
	cJSON_AddBoolToObject(o, "provisioned", sim_catalog_provisioned(c));
	cJSON_AddStringToObject(o, "timezone", c->timezone);
	return o;
}

static char *print_and_free(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	char *ret;

	cJSON_Delete(o);
	if (!s)
		die("out of memory");
	ret = xstrdup(s);
	cJSON_free(s);
	return ret;
}

char *sim_catalog_list_json(void)
{
	cJSON *o = cJSON_CreateObject(), *items;

	cJSON_AddStringToObject(o, "kind", "ContractList");
	items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < n_contracts; i++)
		cJSON_AddItemToArray(items, contract_json(&contracts[i]));
	return print_and_free(o);
}

char *sim_catalog_get_json(const char *tcode, sim_err *err)
{
	const sim_contract *c;

	if (!sim_catalog_tcode_valid(tcode)) {
		sim_err_set(err, 400, "BadRequest", "malformed TCODE \"%s\": expected T and 5 digits",
			    tcode ? tcode : "");
		return NULL;
	}
	c = sim_catalog_find(tcode);
	if (!c) {
		sim_err_set(err, 404, "NotFound", "no contract for %c%s", 'T', tcode + 1);
		return NULL;
	}
	return print_and_free(contract_json(c));
}
