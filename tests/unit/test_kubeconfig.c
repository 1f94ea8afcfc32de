/* kubeconfig loading and merging, relative paths, errors, exec credential plugins. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <stdatomic.h>
#include <cjson/cJSON.h>

#include "k8s/exec_cred.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

static char fixtures[PATH_MAX + 64];

/* The fixtures folder, found above the test binary (build dirs sit in the tree). */
static int find_fixtures(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	while (1) {
		char *slash = strrchr(exe, '/');
		if (!slash || slash == exe)
			return -1;
		*slash = '\0';
		snprintf(fixtures, sizeof(fixtures), "%s/tests/fixtures/kubeconfig", exe);
		if (access(fixtures, R_OK) == 0)
			return 0;
	}
}

static char *fx(const char *name)
{
	return xasprintf("%s/%s", fixtures, name);
}

static k8s_config *load(const char *kubeconfig, const char *context, char *err, size_t errsz)
{
	k8s_load_opts o = {0};
	k8s_config *c = NULL;

	o.kubeconfig = kubeconfig;
	o.context = context;
	if (k8s_config_load(&o, &c, err, errsz))
		return NULL;
	return c;
}

static void set_kubeconfig_list(void)
{
	char *a = fx("a.yaml"), *b = fx("b.yaml");
	char *list = xasprintf("%s:/nonexistent/kubeconfig:%s", a, b);

	setenv("KUBECONFIG", list, 1);
	free(a);
	free(b);
	free(list);
}

static void test_single_file(void **state)
{
	char err[512], *path = fx("a.yaml"), *ca = fx("certs/ca.pem");
	k8s_config *c = load(path, NULL, err, sizeof(err));

	assert_non_null(c);
	assert_string_equal(c->context, "a-ctx");
	assert_string_equal(c->ns, "team-a");
	assert_string_equal(c->server, "https://a.example:6443"); /* trailing '/' dropped */
	assert_string_equal(c->tls_server_name, "api.a.example");
	assert_string_equal(c->token, "tok-from-a");
	assert_false(c->insecure);
	/* certificate-authority resolved against the kubeconfig's folder and read */
	assert_non_null(c->ca_data);
	assert_non_null(strstr(c->ca_data, "fixture"));
	assert_string_equal(c->ca_origin, ca);
	assert_string_equal(k8s_config_extension(c, "other"), "\"plain\"");
	{
		cJSON *ext = cJSON_Parse(k8s_config_extension(c, "smart.totvs.com/catalog"));
		assert_non_null(ext);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(ext, "url")->valuestring,
				    "https://catalog.a.example/v1");
		cJSON_Delete(ext);
	}
	assert_null(k8s_config_extension(c, "absent"));
	k8s_config_free(c);
	free(path);
	free(ca);
}

static void test_token_file_relative(void **state)
{
	char err[512], *path = fx("a.yaml"), *tok = fx("tokens/u2.token");
	k8s_config *c = load(path, "file-token", err, sizeof(err));

	assert_non_null(c);
	assert_null(c->token);
	assert_string_equal(c->token_file, tok);
	assert_string_equal(c->ns, "default");
	k8s_config_free(c);
	free(path);
	free(tok);
}

/* The kubeconfig's text given in memory loads as the file does: relative paths
 * against the folder of the name it is given, messages naming it. */
static void test_from_text(void **state)
{
	char err[512], *path = fx("a.yaml"), *ca = fx("certs/ca.pem"), *text, **names = NULL;
	char *cur = NULL;
	size_t len;
	k8s_load_opts o = {0};
	k8s_config *c = NULL;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	text = xmalloc(1 << 16);
	len = fread(text, 1, 1 << 16, f);
	fclose(f);
	assert_true(len > 0);
	o.kubeconfig = path;
	o.text = text;
	o.text_len = len;
	assert_int_equal(k8s_config_load(&o, &c, err, sizeof(err)), 0);
	assert_string_equal(c->context, "a-ctx");
	assert_string_equal(c->token, "tok-from-a");
	assert_string_equal(c->ca_origin, ca);
	k8s_config_free(c);
	assert_int_equal(k8s_config_contexts(&o, &names, &cur, err, sizeof(err)), 0);
	assert_string_equal(cur, "a-ctx");
	assert_non_null(names[0]);
	k8s_strv_free(names);
	free(cur);

	/* the text, not the file: a broken text is refused under the name given */
	o.text = "clusters: [\n";
	o.text_len = strlen(o.text);
	assert_int_equal(k8s_config_load(&o, &c, err, sizeof(err)), -1);
	assert_null(c);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not valid YAML"));
	/* no name: relative paths are not found, and messages say "(text)" */
	o.kubeconfig = NULL;
	o.text = "current-context: x\n";
	o.text_len = strlen(o.text);
	assert_int_equal(k8s_config_load(&o, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kubeconfig (text): context \"x\" not found"));
	free(text);
	free(path);
	free(ca);
}

static void test_merge_first_wins(void **state)
{
	char err[512];
	k8s_config *c;

	set_kubeconfig_list();
	c = load(NULL, NULL, err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->context, "a-ctx"); /* current-context of the first file */
	k8s_config_free(c);

	c = load(NULL, "shared", err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->cluster_name, "c1"); /* a.yaml's definition of "shared" */
	assert_string_equal(c->server, "https://a.example:6443");
	assert_string_equal(c->token, "tok-from-a");
	k8s_config_free(c);

	/* b.yaml's own context uses b's c2 and u3 (client cert data decoded) */
	c = load(NULL, "b-ctx", err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->server, "http://127.0.0.1:8080");
	assert_true(c->insecure);
	assert_string_equal(c->proxy_url, "http://proxy.example:3128");
	assert_non_null(c->cert_data);
	assert_non_null(strstr(c->cert_data, "BEGIN CERTIFICATE"));
	assert_non_null(strstr(c->key_data, "PRIVATE KEY"));
	assert_int_equal(c->key_len, strlen(c->key_data));
	k8s_config_free(c);

	{
		char **names, *cur;
		size_t n = 0;
		assert_int_equal(k8s_config_contexts(NULL, &names, &cur, err, sizeof(err)), 0);
		while (names[n])
			n++;
		/* a-ctx shared file-token + b-ctx exec-ctx no-cluster; "shared" once */
		assert_int_equal(n, 6);
		assert_string_equal(names[0], "a-ctx");
		assert_string_equal(cur, "a-ctx");
		k8s_strv_free(names);
		free(cur);
	}
	unsetenv("KUBECONFIG");
}

static void test_errors(void **state)
{
	char err[512], *a = fx("a.yaml"), *broken = fx("broken.yaml");
	k8s_config *c;

	c = load(a, "foo", err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, a));
	assert_non_null(strstr(err, "context \"foo\" not found; contexts are: a-ctx, shared, "
				    "file-token"));

	c = load(broken, NULL, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, broken));
	assert_non_null(strstr(err, "not valid YAML"));
	assert_non_null(strstr(err, "line "));

	c = load("/nonexistent/dir/config", NULL, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "/nonexistent/dir/config"));
	assert_non_null(strstr(err, "No such file"));

	set_kubeconfig_list();
	c = load(NULL, "no-cluster", err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "cluster \"missing\" not found; clusters are: c1, c2"));
	unsetenv("KUBECONFIG");
	free(a);
	free(broken);
}

static void test_missing_file_in_tmp(void **state)
{
	char dir[] = "/tmp/k8s-kc-XXXXXX", err[512];
	char *path;
	FILE *f;
	k8s_config *c;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/config", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("clusters:\n- name: x\n  cluster:\n    server: https://h\n"
	      "    certificate-authority: nothere.pem\n"
	      "contexts:\n- name: x\n  context: {cluster: x}\ncurrent-context: x\n",
	      f);
	fclose(f);
	c = load(path, NULL, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "nothere.pem"));
	assert_non_null(strstr(err, dir));
	unlink(path);
	rmdir(dir);
	free(path);
}

static void test_in_cluster(void **state)
{
	char dir[] = "/tmp/k8s-sa-XXXXXX", err[512];
	char *p;
	FILE *f;
	k8s_config *c = NULL;

	assert_non_null(mkdtemp(dir));
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	assert_int_equal(k8s_config_in_cluster(dir, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "token"));
	p = xasprintf("%s/token", dir);
	f = fopen(p, "w");
	fputs("sa-token\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/ca.crt", dir);
	f = fopen(p, "w");
	fputs("CA\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/namespace", dir);
	f = fopen(p, "w");
	fputs("smart-system\n", f);
	fclose(f);
	free(p);
	assert_int_equal(k8s_config_in_cluster(dir, &c, err, sizeof(err)), 0);
	assert_string_equal(c->server, "https://10.0.0.1:443");
	assert_string_equal(c->ns, "smart-system");
	assert_int_equal(c->ca_len, 3);
	assert_non_null(strstr(c->token_file, "/token"));
	k8s_config_free(c);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	for (const char *n = "token"; n; n = !strcmp(n, "token")    ? "ca.crt"
					     : !strcmp(n, "ca.crt") ? "namespace"
								    : NULL) {
		p = xasprintf("%s/%s", dir, n);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static void test_yaml_types(void **state)
{
	const char *y = "a: true\nb: \"true\"\nc: 12\nd: ~\ne: [x, 'y']\nf: {g: h}\n";
	char err[128];
	cJSON *j = k8s_yaml_parse(y, strlen(y), err, sizeof(err));

	assert_non_null(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "a")));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "b")));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "c")->valueint, 12);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "d")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "e")), 2);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "f"), "g")
		->valuestring,
	    "h");
	cJSON_Delete(j);
}

/* ---- exec plugins (a real fork/exec of tests/fixtures/kubeconfig/exec-plugin.sh) ---- */

static k8s_config *exec_config(const char *mode)
{
	char err[512];
	k8s_config *c;

	set_kubeconfig_list();
	c = load(NULL, "exec-ctx", err, sizeof(err));
	unsetenv("KUBECONFIG");
	assert_non_null(c);
	assert_non_null(c->exec);
	free(c->exec->args[0]);
	c->exec->args[0] = xstrdup(mode);
	return c;
}

static void test_exec_ok(void **state)
{
	k8s_config *c = exec_config("ok");
	k8s_exec_cred cred;
	char err[512], *script = fx("exec-plugin.sh");

	assert_string_equal(c->exec->command, script); /* resolved against the file's folder */
	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), 0);
	assert_string_equal(cred.token, "tok-exec"); /* the env list reached the plugin */
	assert_int_equal(cred.expires_ms, util_parse_rfc3339("2099-01-01T00:00:00Z") * 1000);
	k8s_exec_cred_release(&cred);
	k8s_config_free(c);
	free(script);
}

static void test_exec_expired_and_cert(void **state)
{
	k8s_config *c = exec_config("expired");
	k8s_exec_cred cred;
	char err[512];

	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), 0);
	assert_true(cred.expires_ms > 0 && cred.expires_ms < util_now_ms());
	k8s_exec_cred_release(&cred);
	k8s_config_free(c);

	c = exec_config("cert");
	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), 0);
	assert_null(cred.token);
	assert_string_equal(cred.cert_data, "CERT");
	assert_string_equal(cred.key_data, "KEY");
	assert_int_equal(cred.expires_ms, 0);
	k8s_exec_cred_release(&cred);
	k8s_config_free(c);
}

static void test_exec_failures(void **state)
{
	k8s_config *c = exec_config("fail");
	k8s_exec_cred cred;
	char err[512];

	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exit status 1"));
	assert_non_null(strstr(err, "login failed: no session"));
	assert_non_null(strstr(err, "install the smart login plugin"));
	k8s_config_free(c);

	c = exec_config("bad-json");
	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a JSON ExecCredential"));
	assert_non_null(strstr(err, "install the smart login plugin"));
	free(c->exec->command);
	c->exec->command = xstrdup("/nonexistent/plugin");
	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot run /nonexistent/plugin"));
	assert_non_null(strstr(err, "install the smart login plugin"));
	k8s_config_free(c);
}

/* pid in file path, or 0 */
static pid_t read_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return (pid_t)pid;
}

/* 1 once pid is gone (reaped by whoever adopted it), waiting for that at most 10 s */
static int gone(pid_t pid)
{
	for (int i = 0; i < 1000; i++) {
		char path[64], st = 0;
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
		f = fopen(path, "r");
		if (!f)
			return 1;
		/* a zombie (Z) is dead already */
		if (fscanf(f, "%*d %*s %c", &st) == 1 && st == 'Z') {
			fclose(f);
			return 1;
		}
		fclose(f);
		usleep(10000);
	}
	return 0;
}

/* D8: a plugin that hangs, with what it started holding its output or not,
 * is stopped at its deadline with a reason, and nothing it started survives. */
static void test_exec_hang(void **state)
{
	static const char *const modes[] = {"hang", "hang-closed"};
	char pidfile[] = "/tmp/smartops-exec-pid-XXXXXX";
	int fd = mkstemp(pidfile);

	assert_true(fd >= 0);
	close(fd);
	setenv("PLUGIN_PIDFILE", pidfile, 1);
	for (size_t i = 0; i < 2; i++) {
		k8s_config *c = exec_config(modes[i]);
		k8s_exec_cred cred;
		char err[512];
		pid_t child;

		unlink(pidfile);
		assert_int_equal(k8s_exec_run(c, 1500, NULL, &cred, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "no credential after 1 s"));
		assert_non_null(strstr(err, "install the smart login plugin"));
		child = read_pid(pidfile);
		if (child > 0) {
			assert_true(gone(child));
		} else {
			/* On a loaded machine the deadline can stop the plugin before it
			 * started anything: then nothing of it is left to write the pid
			 * (a plugin that outlived its deadline would, within a second). */
			usleep(1000000);
			assert_true(read_pid(pidfile) <= 0);
		}
		k8s_config_free(c);
	}
	{ /* cancelled: stops at once, whatever the deadline */
		k8s_config *c = exec_config("hang");
		k8s_exec_cred cred;
		char err[512];
		atomic_int cancel = 1;

		assert_int_equal(k8s_exec_run(c, 60000, &cancel, &cred, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cancelled"));
		k8s_config_free(c);
	}
	unsetenv("PLUGIN_PIDFILE");
	unlink(pidfile);
}

/* D9: a token a plugin prints on stderr is not repeated in the message. */
static void test_exec_stderr_redacted(void **state)
{
	k8s_config *c = exec_config("leak");
	k8s_exec_cred cred;
	char err[512];

	assert_int_equal(k8s_exec_run(c, 0, NULL, &cred, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the server refused"));
	assert_null(strstr(err, "Q2hhbmdlTWUxMjM0NTY3ODkwQWJjRGVm"));
	assert_non_null(strstr(err, "[redacted]"));
	k8s_config_free(c);
}

/* D4: an alias bomb and deep nesting are refused before anything is built. */
static void test_yaml_bounded(void **state)
{
	strbuf sb;
	char err[256];
	cJSON *j;
	int i;

	/* nine levels of ten aliases: 10^9 nodes once expanded, 400 bytes of text */
	sb_init(&sb, 512);
	sb_adds(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i <= 9; i++)
		sb_addf(&sb, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
			i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	j = k8s_yaml_parse(sb.buf, sb.len, err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, "aliases"));
	sb_release(&sb);

	/* 100,000 levels of "[" */
	sb_init(&sb, 100001);
	for (i = 0; i < 100000; i++)
		sb_addc(&sb, '[');
	j = k8s_yaml_parse(sb.buf, sb.len, err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, "nested deeper than 64"));
	sb_release(&sb);

	/* an alias of the node it sits in */
	j = k8s_yaml_parse("a: &x [1, *x]\n", 14, err, sizeof(err));
	assert_null(j);
	assert_non_null(strstr(err, "names no finished anchor"));

	/* modest aliases still load */
	j = k8s_yaml_parse("a: &x {k: v}\nb: *x\n", 19, err, sizeof(err));
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(j, "b"), "k")->valuestring, "v");
	cJSON_Delete(j);
}

/* D9: a directory given as the kubeconfig is named as such. */
static void test_kubeconfig_is_dir(void **state)
{
	char err[512];
	k8s_config *c;
	k8s_load_opts lo = {.kubeconfig = "/tmp"};

	assert_int_equal(k8s_config_load(&lo, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is a directory"));
	assert_null(strstr(err, "Input/output"));
}

static void test_exec_parse(void **state)
{
	k8s_exec_cred cred;
	char err[256];
	const char *v1 = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
			 "\"ExecCredential\",\"status\":{\"token\":\"t\"}}";

	assert_int_equal(k8s_exec_parse(v1, strlen(v1), "client.authentication.k8s.io/v1", &cred,
					err, sizeof(err)),
			 0);
	assert_string_equal(cred.token, "t");
	k8s_exec_cred_release(&cred);
	assert_int_equal(k8s_exec_parse(v1, strlen(v1), "client.authentication.k8s.io/v1beta1",
					&cred, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "v1beta1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_file),
	    cmocka_unit_test(test_token_file_relative),
	    cmocka_unit_test(test_from_text), cmocka_unit_test(test_merge_first_wins),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_missing_file_in_tmp),
	    cmocka_unit_test(test_in_cluster),
	    cmocka_unit_test(test_yaml_types),
	    cmocka_unit_test(test_exec_ok),
	    cmocka_unit_test(test_exec_expired_and_cert),
	    cmocka_unit_test(test_exec_failures),
	    cmocka_unit_test(test_exec_parse),
	    cmocka_unit_test(test_exec_hang),
	    cmocka_unit_test(test_exec_stderr_redacted),
	    cmocka_unit_test(test_yaml_bounded),
	    cmocka_unit_test(test_kubeconfig_is_dir),
	};
	unsetenv("KUBECONFIG");
	return cmocka_run_group_tests(tests, find_fixtures, NULL);
}
