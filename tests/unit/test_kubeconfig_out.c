/* Unit tests for sim/kubeconfig_out: the YAML parses (libyaml, and the real kubectl
 * when installed), strings survive quoting, the file is replaced atomically, mode 0600. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <yaml.h>

#include "sim/kubeconfig_out.h"
#include "sim/tls.h"
#include "util/base64.h"
#include "util/util.h"

#define CA "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
#define TRICKY "a\"b\\c: #d 'e' \t{f}"

static char dir[64];

/* printf into a new string (xasprintf leaves a small buffer behind in sb_detach). */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return xstrdup(buf);
}

static int setup(void **state)
{
	(void)state;
	util_strlcpy(dir, "/tmp/kubeconfig-test-XXXXXX", sizeof(dir));
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	(void)state;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = fmt("%s/%s", dir, e->d_name);
		if (unlink(p) < 0) { /* kubectl's cache folder */
			char *cmd = fmt("rm -rf '%s'", p);
			if (system(cmd) != 0)
				fprintf(stderr, "could not remove %s\n", p);
			free(cmd);
		}
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static void test_base64(void **state)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const want[] = {"",	       "Zg==",	   "Zm8=",    "Zm9v",
					   "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		char *b = util_base64_encode(in[i], strlen(in[i]));
		assert_string_equal(b, want[i]);
		free(b);
	}
	unsigned char bin[3] = {0xff, 0xfe, 0x00};
	char *b = util_base64_encode(bin, 3);
	assert_string_equal(b, "//4A");
	free(b);
}

/* --- libyaml: a tiny path lookup over a loaded document --- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static yaml_node_t *seq_at(yaml_document_t *doc, yaml_node_t *seq, size_t i)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE ||
	    seq->data.sequence.items.start + i >= seq->data.sequence.items.top)
		return NULL;
	return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static void check_yaml(const char *path, int with_catalog)
{
	FILE *f = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;

	assert_non_null(f);
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_file(&parser, f);
	assert_true(yaml_parser_load(&parser, &doc));
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	assert_non_null(root);
	assert_string_equal(scalar(map_get(&doc, root, "kind")), "Config");
	assert_string_equal(scalar(map_get(&doc, root, "current-context")), "kubesim-admin");

	yaml_node_t *cl = seq_at(&doc, map_get(&doc, root, "clusters"), 0);
	assert_string_equal(scalar(map_get(&doc, cl, "name")), "kubesim");
	yaml_node_t *c = map_get(&doc, cl, "cluster");
	assert_string_equal(scalar(map_get(&doc, c, "server")), "https://127.0.0.1:6443");
	char *b64 = util_base64_encode(CA, strlen(CA));
	assert_string_equal(scalar(map_get(&doc, c, "certificate-authority-data")), b64);
	free(b64);
	yaml_node_t *ext = seq_at(&doc, map_get(&doc, c, "extensions"), 0);
	if (with_catalog) {
		assert_string_equal(scalar(map_get(&doc, ext, "name")), "smart.totvs.com/catalog");
		assert_string_equal(scalar(map_get(&doc, map_get(&doc, ext, "extension"), "url")),
				    "http://127.0.0.1:7001/catalog?x=1&y=#2");
	} else {
		assert_null(map_get(&doc, c, "extensions"));
	}

	yaml_node_t *users = map_get(&doc, root, "users");
	assert_string_equal(scalar(map_get(&doc, seq_at(&doc, users, 0), "name")), "kubesim-admin");
	assert_string_equal(
	    scalar(map_get(&doc, map_get(&doc, seq_at(&doc, users, 0), "user"), "token")), TRICKY);
	assert_string_equal(scalar(map_get(&doc, seq_at(&doc, users, 1), "name")),
			    "kubesim-support");
	assert_string_equal(
	    scalar(map_get(&doc, map_get(&doc, seq_at(&doc, users, 1), "user"), "token")),
	    "sup-token");
	assert_null(seq_at(&doc, users, 2));

	yaml_node_t *ctx = map_get(&doc, root, "contexts");
	for (size_t i = 0; i < 2; i++) {
		const char *want = i ? "kubesim-support" : "kubesim-admin";
		yaml_node_t *e = seq_at(&doc, ctx, i);
		assert_string_equal(scalar(map_get(&doc, e, "name")), want);
		assert_string_equal(scalar(map_get(&doc, map_get(&doc, e, "context"), "cluster")),
				    "kubesim");
		assert_string_equal(scalar(map_get(&doc, map_get(&doc, e, "context"), "user")),
				    want);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
}

static int have_kubectl(void)
{
	return system("command -v kubectl >/dev/null 2>&1") == 0;
}

/* `kubectl config view -o json --raw` on path, parsed; NULL when kubectl is absent. */
static cJSON *kubectl_view(const char *path)
{
	char *cmd;
	FILE *p;
	strbuf sb;
	char buf[4096];
	size_t n;
	cJSON *j;

	if (!have_kubectl()) {
		printf("kubectl not found: config view check not run\n");
		return NULL;
	}
	cmd = fmt("HOME='%s' kubectl config view --kubeconfig '%s' -o json --raw 2>&1", dir, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	sb_init(&sb, 4096);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&sb, buf, n);
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("kubectl config view failed (%d): %s", rc, sb.buf);
	j = cJSON_Parse(sb.buf);
	if (!j)
		fail_msg("kubectl printed no JSON: %s", sb.buf);
	sb_release(&sb);
	free(cmd);
	return j;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_non_null(v);
	return v;
}

static void test_write_and_parse(void **state)
{
	char err[256];
	char *path = fmt("%s/kubeconfig", dir);
	struct stat st;

	(void)state;
	assert_int_equal(sim_kubeconfig_write(path, "https://127.0.0.1:6443", CA, TRICKY,
					      "sup-token", "http://127.0.0.1:7001/catalog?x=1&y=#2",
					      err, sizeof(err)),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	check_yaml(path, 1);

	cJSON *j = kubectl_view(path);
	if (j) {
		assert_string_equal(jget(j, "current-context")->valuestring, "kubesim-admin");
		const cJSON *ctxs = jget(j, "contexts");
		assert_int_equal(cJSON_GetArraySize(ctxs), 2);
		assert_string_equal(jget(cJSON_GetArrayItem(ctxs, 0), "name")->valuestring,
				    "kubesim-admin");
		assert_string_equal(jget(cJSON_GetArrayItem(ctxs, 1), "name")->valuestring,
				    "kubesim-support");
		assert_string_equal(
		    jget(jget(cJSON_GetArrayItem(ctxs, 1), "context"), "user")->valuestring,
		    "kubesim-support");
		const cJSON *cl = jget(cJSON_GetArrayItem(jget(j, "clusters"), 0), "cluster");
		assert_string_equal(jget(cl, "server")->valuestring, "https://127.0.0.1:6443");
		const cJSON *ext = cJSON_GetArrayItem(jget(cl, "extensions"), 0);
		assert_non_null(ext);
		assert_string_equal(jget(ext, "name")->valuestring, "smart.totvs.com/catalog");
		assert_string_equal(jget(jget(ext, "extension"), "url")->valuestring,
				    "http://127.0.0.1:7001/catalog?x=1&y=#2");
		const cJSON *u0 = jget(cJSON_GetArrayItem(jget(j, "users"), 0), "user");
		assert_string_equal(jget(u0, "token")->valuestring, TRICKY);
		cJSON_Delete(j);
	}
	free(path);
}

/* Rewriting replaces the file whole, leaves no temporary file, keeps mode 0600. */
static void test_replace(void **state)
{
	char err[256];
	char *path = fmt("%s/config", dir);
	FILE *f = fopen(path, "w");
	struct stat st;
	DIR *d;
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(f);
	fputs("old content that is much longer than nothing at all, and should be gone\n", f);
	fclose(f);
	chmod(path, 0644);
	assert_int_equal(sim_kubeconfig_write(path, "https://127.0.0.1:6443", CA, TRICKY,
					      "sup-token", NULL, err, sizeof(err)),
			 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	check_yaml(path, 0);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp-"))
			files++;
	closedir(d);
	assert_int_equal(files, 0);

	cJSON *j = kubectl_view(path);
	if (j) {
		const cJSON *cl = jget(cJSON_GetArrayItem(jget(j, "clusters"), 0), "cluster");
		assert_null(cJSON_GetObjectItemCaseSensitive(cl, "extensions"));
		cJSON_Delete(j);
	}
	free(path);
}

static void test_errors(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(sim_kubeconfig_write("/nonexistent-dir/kc", "https://x", CA, "a", "b",
					      NULL, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "/nonexistent-dir/kc"));
	assert_int_equal(
	    sim_kubeconfig_write("", "https://x", CA, "a", "b", NULL, err, sizeof(err)), -1);
	char *path = fmt("%s/x", dir);
	assert_int_equal(
	    sim_kubeconfig_write(path, "https://x", CA, NULL, "b", NULL, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

/* --- kubectl against a tiny HTTPS server using this kubeconfig and sim/tls certificates --- */

static enum MHD_Result version_answer(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version, const char *upload,
				      size_t *upload_size, void **con_cls)
{
	static const char body[] = "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0\","
				   "\"platform\":\"linux/amd64\"}";
	static const char denied[] =
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
	    "\"reason\":\"Unauthorized\",\"code\":401}";
	const char *want = cls;
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	char expect[256];
	int ok;

	(void)version, (void)upload, (void)upload_size, (void)con_cls, (void)method;
	snprintf(expect, sizeof(expect), "Bearer %s", want);
	ok = auth && !strcmp(auth, expect) && !strcmp(url, "/version");
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    ok ? strlen(body) : strlen(denied), (void *)(uintptr_t)(ok ? body : denied),
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(conn, ok ? 200 : 401, r);
	MHD_destroy_response(r);
	return ret;
}

/* Runs `kubectl get --raw /version` with the kubeconfig at path; output into sb. */
static int kubectl_version(const char *path, strbuf *sb)
{
	char *cmd =
	    fmt("HOME='%s' kubectl --kubeconfig '%s' --request-timeout=10s get --raw /version 2>&1",
		dir, path);
	FILE *p = popen(cmd, "r");
	char buf[1024];
	size_t n;

	assert_non_null(p);
	sb_reset(sb);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(sb, buf, n);
	free(cmd);
	return pclose(p);
}

static void test_kubectl_connects(void **state)
{
	static const int modes[] = {SIM_TLS_NORMAL, SIM_TLS_UNTRUSTED, SIM_TLS_WRONG_HOST,
				    SIM_TLS_EXPIRED};
	static const char *const expect[] = {
	    "\"gitVersion\":\"v1.32.0\"", "x509: certificate signed by unknown authority",
	    "x509: cannot validate certificate for 127.0.0.1", "x509: certificate has expired"};
	const char *token = "e2e-admin-token";
	strbuf sb;

	(void)state;
	if (!have_kubectl()) {
		printf("kubectl not found: connection check not run\n");
		return;
	}
	sb_init(&sb, 1024);
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		sim_tls t;
		char err[256], url[64];
		char *path = fmt("%s/kc-%zu", dir, i);

		assert_int_equal(sim_tls_generate(&t, modes[i], err, sizeof(err)), 0);
		struct MHD_Daemon *d = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, version_answer,
		    (void *)(uintptr_t)token, MHD_OPTION_HTTPS_MEM_CERT, t.cert_pem,
		    MHD_OPTION_HTTPS_MEM_KEY, t.key_pem, MHD_OPTION_END);
		assert_non_null(d);
		snprintf(url, sizeof(url), "https://127.0.0.1:%u",
			 (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
		assert_int_equal(sim_kubeconfig_write(path, url, t.ca_cert_pem, token, "other",
						      NULL, err, sizeof(err)),
				 0);
		int rc = kubectl_version(path, &sb);
		printf("tls mode %d: kubectl rc=%d: %.100s\n", modes[i], rc, sb.buf);
		if (!strstr(sb.buf, expect[i]) || (i == 0) != (rc == 0))
			fail_msg("mode %d: kubectl rc=%d, wanted \"%s\" in: %s", modes[i], rc,
				 expect[i], sb.buf);
		MHD_stop_daemon(d);
		sim_tls_release(&t);
		free(path);
	}
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test_setup_teardown(test_write_and_parse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kubectl_connects, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
