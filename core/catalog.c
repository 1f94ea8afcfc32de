/* core/catalog.c — the contract catalogue client. */
#include <stdio.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/catalog.h"
#include "core/tcode.h"
#include "util/util.h"

static const char *str_get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static int32_t int_get(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		return 0;
	return v->valuedouble > 1e9 ? 1000000000 : (int32_t)v->valuedouble;
}

int catalog_project(const cJSON *item, catalog_entry *out)
{
	const cJSON *products, *p, *lic;
	const char *s;
	char date[40];
	strbuf sb;

	memset(out, 0, sizeof(*out));
	s = str_get(item, "tcode");
	if (!s || tcode_parse(s, out->tcode, NULL, 0) < 0)
		return -1;
	util_strlcpy(out->customer, str_get(item, "customer") ? str_get(item, "customer") : "",
		     sizeof(out->customer));
	util_strlcpy(out->provider, str_get(item, "provider") ? str_get(item, "provider") : "",
		     sizeof(out->provider));
	util_strlcpy(out->timezone, str_get(item, "timezone") ? str_get(item, "timezone") : "",
		     sizeof(out->timezone));
	out->provisioned = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "provisioned"));
	lic = cJSON_GetObjectItemCaseSensitive(item, "licences");
	out->lic_prod = int_get(lic, "prod");
	out->lic_dev = int_get(lic, "dev");

	out->contract.known = 1;
	s = str_get(item, "model");
	if (s && !strcasecmp(s, "smart"))
		out->contract.model = MODEL_CONTRACT_SMART;
	else if (s && !strcasecmp(s, "traditional"))
		out->contract.model = MODEL_CONTRACT_TRADITIONAL;
	util_strlcpy(out->contract.status, str_get(item, "status") ? str_get(item, "status") : "",
		     sizeof(out->contract.status));
	s = str_get(item, "valid_until");
	if (s && *s) {
		snprintf(date, sizeof(date), "%.10sT23:59:59Z", s);
		out->contract.valid_until = util_parse_rfc3339(strlen(s) == 10 ? date : s);
		if (out->contract.valid_until < 0)
			out->contract.valid_until = 0;
	}
	sb_init(&sb, 32);
	products = cJSON_GetObjectItemCaseSensitive(item, "products");
	if (cJSON_IsArray(products)) {
		cJSON_ArrayForEach(p, products)
		{
			if (cJSON_IsString(p) && p->valuestring)
				sb_addf(&sb, "%s%s", sb.len ? "," : "", p->valuestring);
		}
	}
	util_strlcpy(out->contract.products, sb.buf, sizeof(out->contract.products));
	sb_release(&sb);
	out->contract.licences = out->lic_prod + out->lic_dev;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const catalog_entry *)a)->tcode, ((const catalog_entry *)b)->tcode);
}

int catalog_from_json(const cJSON *root, catalog *c, char *err, size_t errsz)
{
	const cJSON *items = cJSON_IsArray(root) ? root
			     : cJSON_IsObject(root)
				 ? cJSON_GetObjectItemCaseSensitive(root, "items")
				 : NULL;
	const cJSON *it;
	size_t n;

	if (!cJSON_IsArray(items)) {
		if (err && errsz)
			snprintf(err, errsz, "catalogue answer has no \"items\" list");
		return -1;
	}
	n = (size_t)cJSON_GetArraySize(items);
	c->items = xcalloc(n ? n : 1, sizeof(*c->items));
	c->n = 0;
	cJSON_ArrayForEach(it, items)
	{
		if (catalog_project(it, &c->items[c->n]) == 0)
			c->n++;
	}
	qsort(c->items, c->n, sizeof(*c->items), cmp_entry);
	return 0;
}

/* An answer {"items":[...], ...} walked without building it whole: each
 * contract built alone, in the list items' arena (k8s/jarena.h), and dropped.
 * The whole answer as one tree had cost more than all the rest of the
 * catalogue's work: 5,000 contracts are 65,000 nodes, each its own malloc, the
 * thread's heap grown a page at a time. 0, or -1 to leave the answer to the
 * whole parse (another shape, a name with escapes, items malformed), c then
 * as it came. */
static int walk_items(const char *json, size_t len, catalog *c)
{
	const char *end = json + len;
	jscan_iter top, arr;
	jscan_member m, el;
	size_t cap = 0;
	int r, found = 0;

	if (jscan_iter_init(&top, json, end) < 0 || top.close != '}')
		return -1;
	while ((r = jscan_iter_next(&top, &m)) == 1) {
		if (!m.key_plain) { /* it may be "items" once unescaped */
			r = -1;
			break;
		}
		if (found || m.key_len != 5 || memcmp(m.key, "items", 5))
			continue;
		found = 1;
		if (*m.val != '[' || jscan_iter_sub(&top, &m, &arr) < 0) {
			r = -1;
			break;
		}
		while ((r = jscan_iter_next(&arr, &el)) == 1) {
			const char *e = jscan_iter_value_end(&arr, &el);
			cJSON *it = e ? jscan_build(el.val, e, NULL) : NULL;

			if (!it) {
				r = -1;
				break;
			}
			if (c->n == cap) {
				cap = cap ? 2 * cap : 1024;
				c->items = xrealloc(c->items, cap * sizeof(*c->items));
			}
			if (catalog_project(it, &c->items[c->n]) == 0)
				c->n++;
			cJSON_Delete(it);
		}
		if (r < 0)
			break;
	}
	if (r < 0 || !found) {
		catalog_release(c);
		return -1;
	}
	if (!c->items) /* as the whole parse leaves an empty catalogue */
		c->items = xcalloc(1, sizeof(*c->items));
	qsort(c->items, c->n, sizeof(*c->items), cmp_entry);
	return 0;
}

int catalog_parse(const char *json, size_t len, catalog *c, char *err, size_t errsz)
{
	cJSON *root;
	int ret;

	if (walk_items(json, len, c) == 0)
		return 0;
	root = cJSON_ParseWithLength(json, len);
	if (!root) {
		if (err && errsz)
			snprintf(err, errsz, "catalogue answer is not JSON");
		return -1;
	}
	ret = catalog_from_json(root, c, err, errsz);
	cJSON_Delete(root);
	return ret;
}

const catalog_entry *catalog_find(const catalog *c, const char *tcode)
{
	catalog_entry key;

	if (!c || !c->n || !tcode)
		return NULL;
	util_strlcpy(key.tcode, tcode, sizeof(key.tcode));
	return bsearch(&key, c->items, c->n, sizeof(*c->items), cmp_entry);
}

void catalog_release(catalog *c)
{
	free(c->items);
	c->items = NULL;
	c->n = 0;
}

int catalog_url_from_config(const k8s_config *cfg, char *buf, size_t size)
{
	const char *json = cfg ? k8s_config_extension(cfg, CATALOG_EXTENSION) : NULL;
	cJSON *root;
	const char *url;
	size_t n;
	int ret = -1;

	if (!json)
		return -1;
	root = cJSON_Parse(json);
	url = str_get(root, "url");
	if (url && *url && util_strlcpy(buf, url, size) < size) {
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '/')
			buf[--n] = '\0';
		ret = 0;
	}
	cJSON_Delete(root);
	return ret;
}

static size_t curl_write(char *data, size_t size, size_t nmemb, void *ctx)
{
	strbuf *sb = ctx;

	if (sb->len + size * nmemb > 256u << 20)
		return 0; /* a catalogue is never that large */
	sb_add(sb, data, size * nmemb);
	return size * nmemb;
}

/* A credential-free GET for a catalogue that is not on the API server. */
static int fetch_plain(const char *url, catalog *c, k8s_err *err)
{
	CURL *h = curl_easy_init();
	char cerr[CURL_ERROR_SIZE] = "", perr[128];
	strbuf sb;
	long code = 0;
	CURLcode rc;
	int ret = -1;

	if (!h)
		return k8s_err_set(err, 0, "catalogue %s: cannot start a request", url);
	sb_init(&sb, 1 << 16);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sb);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "smartops");
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		k8s_err_set(err, 0, "catalogue %s: %s", url,
			    cerr[0] ? cerr : curl_easy_strerror(rc));
		if (err)
			err->unreachable = 1;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		k8s_status_decode((int)code, sb.buf, sb.len, err);
		goto out;
	}
	if (catalog_parse(sb.buf, sb.len, c, perr, sizeof(perr)) < 0) {
		k8s_err_set(err, (int)code, "catalogue %s: %s", url, perr);
		goto out;
	}
	ret = 0;
out:
	sb_release(&sb);
	curl_easy_cleanup(h);
	return ret;
}

int catalog_fetch(k8s_client *client, const char *url, catalog *c, k8s_err *err)
{
	const k8s_config *cfg = client ? k8s_client_config(client) : NULL;
	size_t n = cfg && cfg->server ? strlen(cfg->server) : 0;
	char perr[128];
	char *path;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!url || !*url)
		return k8s_err_set(err, 0, "no catalogue address");
	if (n && !strncmp(url, cfg->server, n) && url[n] == '/') {
		strbuf sb;

		path = xasprintf("%s/tenants", url + n);
		sb_init(&sb, 0);
		ret = k8s_get_text(client, path, &sb, err);
		free(path);
		if (ret == 0 && catalog_parse(sb.buf, sb.len, c, perr, sizeof(perr)) < 0)
			ret = k8s_err_set(err, 200, "catalogue %s: %s", url, perr);
		sb_release(&sb);
		return ret < 0 ? -1 : 0;
	}
	path = xasprintf("%s/tenants", url);
	ret = fetch_plain(path, c, err);
	free(path);
	return ret;
}
