/* Redaction, Status decoding, backoff and Retry-After, the line splitter, watch
 * event parsing, paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "k8s/client.h"
#include "k8s/lines.h"
#include "k8s/redact.h"
#include "k8s/status.h"
#include "k8s/watch.h"
#include "util/util.h"

static void check_redacted(const char *in, const char *secret, const char *kept)
{
	char *r = k8s_redact(in);

	if (strstr(r, secret))
		fail_msg("secret \"%s\" survived in \"%s\"", secret, r);
	assert_non_null(strstr(r, "[redacted]"));
	if (kept && !strstr(r, kept))
		fail_msg("\"%s\" lost from \"%s\"", kept, r);
	free(r);
}

/* Tokens where no key names them (a credential plugin's stderr): long words of
 * mixed case and digits go; names, paths, uids and versions stay. */
static void test_redact_opaque(void **state)
{
	static const char *const kept[] = {
	    "pods \"license-7d9f8b6c5d-x2x9z\" in t12345-prod: CrashLoopBackOff",
	    "uid 3f2a9c1e-7b4d-4e2f-9a1b-0c5d6e7f8a9b resourceVersion 123456789012",
	    "/usr/local/lib/smart-login/PluginWith2024Version/bin/smart-login failed",
	    "T12345 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	};
	char *r;

	check_redacted("refused sha256~Q2hhbmdlTWUxMjM0NTY3ODkwQWJjRGVm, log in", "Q2hhbmdl",
		       ", log in");
	check_redacted("token rejected: AbCdEfGhIjKlMnOp0123456789qrStUv", "AbCdEf", "rejected");
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		r = k8s_redact(kept[i]);
		assert_string_equal(r, kept[i]);
		free(r);
	}
}

static void test_redact(void **state)
{
	check_redacted("Authorization: Bearer s3cr3t-value", "s3cr3t", "Authorization: ");
	check_redacted("sent header authorization: Basic dXNlcjpwYXNz\nnext line", "dXNlcjpwYXNz",
		       "next line");
	check_redacted("using Bearer abc.def.ghi now", "abc.def", " now");
	check_redacted("GET /x?token=hunter2&limit=5", "hunter2", "&limit=5");
	check_redacted("{\"token\":\"tok-123\",\"kind\":\"ExecCredential\"}", "tok-123",
		       "\"kind\":\"ExecCredential\"");
	check_redacted("{\"status\": {\"clientKeyData\": \"KEYDATA\"}}", "KEYDATA", "status");
	check_redacted("password: pa55 user: bob", "pa55", "user: bob");
	check_redacted("proxy https://bob:pa55w0rd@proxy:3128/ failed", "pa55w0rd",
		       "@proxy:3128/ failed");
	check_redacted("key -----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE "
		       "KEY----- done",
		       "MIIabc", " done");
	check_redacted("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end",
		       "eyJzdWIiOiJ4In0", " end");
	{
		/* ordinary text is left alone */
		char *r = k8s_redact("deployments.apps \"tokenizer\" not found (404 NotFound)");
		assert_string_equal(r, "deployments.apps \"tokenizer\" not found (404 NotFound)");
		free(r);
		r = k8s_redact("tokenFile /x/y: no such file");
		assert_string_equal(r, "tokenFile /x/y: no such file");
		free(r);
	}
	{
		char small[12];
		k8s_redact_into("token=abcdefghijkl", small, sizeof(small));
		assert_null(strstr(small, "abc"));
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
}

static void test_status_decode(void **state)
{
	k8s_err err;
	const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
			   "\"message\":\"deployments.apps \\\"x\\\" not found\",\"reason\":"
			   "\"NotFound\",\"code\":404}";

	assert_int_equal(k8s_status_decode(404, body, strlen(body), &err), -1);
	assert_string_equal(err.msg, "deployments.apps \"x\" not found (404 NotFound)");
	assert_string_equal(err.reason, "NotFound");
	assert_int_equal(err.http, 404);

	k8s_status_decode(502, "<html>Bad gateway\n<body>", 24, &err);
	assert_string_equal(err.msg, "HTTP 502: <html>Bad gateway");
	assert_string_equal(err.reason, "");

	k8s_status_decode(401, "", 0, &err);
	assert_string_equal(err.msg, "HTTP 401: Unauthorized");

	/* a Status that carries a secret in its message is still redacted */
	body = "{\"kind\":\"Status\",\"message\":\"bad token=abc123\",\"code\":401}";
	k8s_status_decode(401, body, strlen(body), &err);
	assert_null(strstr(err.msg, "abc123"));
	assert_non_null(strstr(err.msg, "(401)"));
}

static void test_backoff(void **state)
{
	unsigned seed = 42;
	int64_t prev = 0;

	for (int i = 0; i < 12; i++) {
		int64_t base = 800;
		int64_t d = k8s_backoff_ms(i, 800, 30000, &seed);
		int64_t expect = base;
		for (int k = 0; k < i && expect < 30000; k++)
			expect *= 2;
		if (expect > 30000)
			expect = 30000;
		assert_true(d >= expect || d == 30000);
		assert_true(d <= expect + expect / 4 && d <= 30000);
		assert_true(d >= prev || prev == 30000 || d >= 30000 * 3 / 4);
		prev = d;
	}
	assert_int_equal(k8s_backoff_ms(20, 800, 30000, &seed), 30000);
	assert_true(k8s_backoff_ms(0, 800, 30000, &seed) >= 800);
	assert_true(k8s_backoff_ms(0, 800, 30000, &seed) <= 1000);
}

static void test_retry_after(void **state)
{
	int64_t now = util_parse_rfc3339("2015-10-21T07:28:00Z");

	assert_int_equal(k8s_retry_after_ms(" 3\r\n", now), 3000);
	assert_int_equal(k8s_retry_after_ms("0", now), 0);
	assert_int_equal(k8s_retry_after_ms("Wed, 21 Oct 2015 07:28:10 GMT", now), 10000);
	assert_int_equal(k8s_retry_after_ms("Wed, 21 Oct 2015 07:27:00 GMT", now), 0);
	assert_int_equal(k8s_retry_after_ms("soon", now), -1);
	assert_int_equal(k8s_retry_after_ms(NULL, now), -1);
	assert_true(k8s_status_retryable(429));
	assert_true(k8s_status_retryable(503));
	assert_false(k8s_status_retryable(501));
	assert_false(k8s_status_retryable(404));
	assert_false(k8s_status_retryable(409));
}

typedef struct collected {
	char *lines[16];
	int n;
	int stop_at;
} collected;

static int collect(void *ctx, const char *line, size_t len)
{
	collected *c = ctx;

	assert_int_equal(strlen(line), len);
	c->lines[c->n++] = xstrdup(line);
	return c->stop_at && c->n == c->stop_at ? 7 : 0;
}

static void collected_free(collected *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->lines[i]);
	memset(c, 0, sizeof(*c));
}

static void test_lines(void **state)
{
	const char *stream = "{\"type\":\"ADDED\"}\n{\"type\":\"MOD\r\nIFIED\"}\n\ntail";
	size_t n = strlen(stream);

	/* every way of cutting the stream into two or three chunks gives the same lines */
	for (size_t i = 0; i <= n; i++) {
		for (size_t j = i; j <= n; j += 3) {
			k8s_lines l;
			collected c = {0};
			k8s_lines_init(&l, 0);
			k8s_lines_feed(&l, stream, i, collect, &c);
			k8s_lines_feed(&l, stream + i, j - i, collect, &c);
			k8s_lines_feed(&l, stream + j, n - j, collect, &c);
			assert_int_equal(c.n, 4);
			k8s_lines_finish(&l, collect, &c);
			assert_int_equal(c.n, 5);
			assert_string_equal(c.lines[0], "{\"type\":\"ADDED\"}");
			assert_string_equal(c.lines[1],
					    "{\"type\":\"MOD"); /* \r before \n dropped */
			assert_string_equal(c.lines[2], "IFIED\"}");
			assert_string_equal(c.lines[3], "");
			assert_string_equal(c.lines[4], "tail");
			collected_free(&c);
			k8s_lines_release(&l);
		}
	}
}

static void test_lines_limits(void **state)
{
	k8s_lines l;
	collected c = {0};

	k8s_lines_init(&l, 4);
	k8s_lines_feed(&l, "abcdefgh", 8, collect, &c);
	k8s_lines_feed(&l, "ij\nxy\n", 6, collect, &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.lines[0], "abcd"); /* cut at max, the rest of it skipped */
	assert_string_equal(c.lines[1], "xy");
	collected_free(&c);
	k8s_lines_release(&l);

	k8s_lines_init(&l, 0);
	c.stop_at = 2;
	assert_int_equal(k8s_lines_feed(&l, "a\nb\nc\n", 6, collect, &c), 7);
	assert_int_equal(c.n, 2);
	collected_free(&c);
	k8s_lines_release(&l);
}

static void test_watch_event(void **state)
{
	char type[16];
	cJSON *obj;
	int code;
	const char *ev = "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
			 "{\"resourceVersion\":\"77\"}}}";
	const char *gone = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
			   "\"reason\":\"Expired\"}}";

	assert_int_equal(k8s_watch_parse_event(ev, strlen(ev), type, sizeof(type), &obj, &code), 0);
	assert_string_equal(type, "BOOKMARK");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
					     "resourceVersion")
		->valuestring,
	    "77");
	cJSON_Delete(obj);
	assert_int_equal(k8s_watch_parse_event(gone, strlen(gone), type, sizeof(type), &obj, &code),
			 0);
	assert_string_equal(type, "ERROR");
	assert_int_equal(code, 410);
	cJSON_Delete(obj);
	assert_int_equal(k8s_watch_parse_event("{\"type\":1}", 10, type, sizeof(type), &obj, &code),
			 -1);
	assert_null(obj);
	assert_int_equal(k8s_watch_parse_event("{trunc", 6, type, sizeof(type), &obj, &code), -1);
}

static void test_paths(void **state)
{
	char *p = k8s_path("apps", "v1", "t1-prod", "deployments", "web");
	assert_string_equal(p, "/apis/apps/v1/namespaces/t1-prod/deployments/web");
	free(p);
	p = k8s_path("", "v1", NULL, "namespaces", NULL);
	assert_string_equal(p, "/api/v1/namespaces");
	free(p);
	p = k8s_query_escape("smart.totvs.com/tier in (base,public)");
	assert_string_equal(p, "smart.totvs.com%2Ftier%20in%20%28base%2Cpublic%29");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_redact),	cmocka_unit_test(test_redact_opaque),
	    cmocka_unit_test(test_status_decode),
	    cmocka_unit_test(test_backoff),	cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_lines),	cmocka_unit_test(test_lines_limits),
	    cmocka_unit_test(test_watch_event), cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
