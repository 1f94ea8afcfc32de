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
#include <yaml.h>

#include "sim/kubeconfig_out.h"
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
	static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		char *b = sim_kubeconfig_base64(in[i], strlen(in[i]));
		assert_string_equal(b, want[i]);
		free(b);
	}
	unsigned char bin[3] = {0xff, 0xfe, 0x00};
	char *b = sim_kubeconfig_base64(bin, 3);
	assert_string_equal(b, "//4A");
	free(b);
}

/* --- libyaml: a tiny path lookup over a loaded document --- */

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
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
	char *b64 = sim_kubeconfig_base64(CA, strlen(CA));
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
	assert_string_equal(scalar(map_get(&doc, map_get(&doc, seq_at(&doc, users, 0), "user"), "token")), TRICKY);
	assert_string_equal(scalar(map_get(&doc, seq_at(&doc, users, 1), "name")), "kubesim-support");
	assert_string_equal(scalar(map_get(&doc, map_get(&doc, seq_at(&doc, users, 1), "user"), "token")), "sup-token");
	assert_null(seq_at(&doc, users, 2));

	yaml_node_t *ctx = map_get(&doc, root, "contexts");
	for (size_t i = 0; i < 2; i++) {
		const char *want = i ? "kubesim-support" : "kubesim-admin";
		yaml_node_t *e = seq_at(&doc, ctx, i);
		assert_string_equal(scalar(map_get(&doc, e, "name")), want);
		assert_string_equal(scalar(map_get(&doc, map_get(&doc, e, "context"), "cluster")), "kubesim");
		assert_string_equal(scalar(map_get(&doc, map_get(&doc, e, "context"), "user")), want);
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
	assert_int_equal(sim_kubeconfig_write(path, "https://127.0.0.1:6443", CA, TRICKY, "sup-token",
					      "http://127.0.0.1:7001/catalog?x=1&y=#2", err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	check_yaml(path, 1);

	cJSON *j = kubectl_view(path);
	if (j) {
		assert_string_equal(jget(j, "current-context")->valuestring, "kubesim-admin");
		const cJSON *ctxs = jget(j, "contexts");
		assert_int_equal(cJSON_GetArraySize(ctxs), 2);
		assert_string_equal(jget(cJSON_GetArrayItem(ctxs, 0), "name")->valuestring, "kubesim-admin");
		assert_string_equal(jget(cJSON_GetArrayItem(ctxs, 1), "name")->valuestring, "kubesim-support");
		assert_string_equal(jget(jget(cJSON_GetArrayItem(ctxs, 1), "context"), "user")->valuestring,
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
	assert_int_equal(sim_kubeconfig_write(path, "https://127.0.0.1:6443", CA, TRICKY, "sup-token",
					      NULL, err, sizeof(err)), 0);
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
	assert_int_equal(sim_kubeconfig_write("/nonexistent-dir/kc", "https://x", CA, "a", "b", NULL,
					      err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/kc"));
	assert_int_equal(sim_kubeconfig_write("", "https://x", CA, "a", "b", NULL, err, sizeof(err)), -1);
	char *path = fmt("%s/x", dir);
	assert_int_equal(sim_kubeconfig_write(path, "https://x", CA, NULL, "b", NULL, err, sizeof(err)), -1);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test_setup_teardown(test_write_and_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
