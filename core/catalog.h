/* core/catalog.h — the contract catalogue client: which products and licences
 * each TCODE bought, and until when.
 *
 * The catalogue answers GET {url}/tenants ({"items":[contract...]}) and
 * GET {url}/tenants/{TCODE}; a contract is {"tcode","customer","model",
 * "products":[..],"licences":{"prod":N,"dev":M},"valid_until":"YYYY-MM-DD",
 * "provider","status","provisioned","timezone"}. Its address comes from the
 * kubeconfig extension "smart.totvs.com/catalog" ({"url": ".../catalog/v1"}),
 * or from the caller (--catalog URL, the config file).
 *
 * A catalog is a plain array the caller owns (catalog_release). Fetching may
 * run on any thread; a filled catalog is read-only and shareable.
 */
#ifndef CORE_CATALOG_H
#define CORE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/model.h"
#include "k8s/client.h"

#define CATALOG_EXTENSION "smart.totvs.com/catalog"

typedef struct catalog_entry {
	char tcode[TCODE_SIZE];
	char customer[64];
	char provider[16];
	char timezone[40];
	int32_t lic_prod, lic_dev; /* licences per environment */
	uint8_t provisioned;
	model_contract contract; /* known = 1; licences = prod + dev */
} catalog_entry;

typedef struct catalog {
	size_t n;
	catalog_entry *items; /* sorted by tcode */
} catalog;

/* One contract object into out; 0, or -1 if it has no valid tcode. valid_until
 * "2026-10-01" becomes 2026-10-01T23:59:59Z (the last valid instant). */
int catalog_project(const cJSON *item, catalog_entry *out);
/* A list answer ({"items":[...]} or a bare array) into c (replacing nothing:
 * c must be zeroed or released). Items without a tcode are skipped. 0, or -1
 * with a sentence in err for text that is not such a list. */
int catalog_parse(const char *json, size_t len, catalog *c, char *err, size_t errsz);
/* The same from the answer parsed whole: what catalog_parse gives for any
 * text cJSON reads (it walks an {"items":[...]} answer without building it). */
int catalog_from_json(const cJSON *root, catalog *c, char *err, size_t errsz);
/* By normalised TCODE; NULL if absent. */
const catalog_entry *catalog_find(const catalog *c, const char *tcode);
void catalog_release(catalog *c);

/* The catalogue URL of the kubeconfig extension into buf (no trailing '/');
 * 0, or -1 if there is none. */
int catalog_url_from_config(const k8s_config *cfg, char *buf, size_t size);

/* Fetches the whole catalogue from url. When url lies on the client's API
 * server, the request goes through client (its TLS trust, credentials and
 * retries); otherwise through a plain HTTPS request that carries no
 * credentials. 0, or -1 with err. */
int catalog_fetch(k8s_client *client, const char *url, catalog *c, k8s_err *err);

#endif
