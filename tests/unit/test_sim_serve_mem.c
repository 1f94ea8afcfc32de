/* kubesim's requests served from memory (sim_server_serve_mem, the fuzz
 * harness's way in): the same routes and handlers as over HTTP, the target
 * percent-decoded, headers read, streams ended when nothing more is ready. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim/server.h"
#include "util/util.h"

static sim_server *srv;

static int setup(void **state)
{
	sim_server_opts o = {0};
	char err[256];

	o.plain_http = 1;
	o.quiet = 1;
	o.no_traffic = 1;
	o.start_time = 1793768400; /* 2026-11-04T05:00:00Z */
	srv = sim_server_start(&o, err, sizeof(err));
	return srv ? 0 : -1;
}

static int teardown(void **state)
{
	sim_server_stop(srv);
	return 0;
}

static unsigned call(const char *method, const char *target, const char *accept, const char *body,
		     char **reply)
{
	const char *h[] = {"accept", accept ? accept : "application/json", "Content-Type",
			   "application/json"};
	sim_mem_request in = {0};
	size_t len;

	in.method = method;
	in.target = target;
	in.headers = h;
	in.n_headers = 2;
	in.body = body ? body : "";
	in.body_len = body ? strlen(body) : 0;
	return sim_server_serve_mem(srv, &in, 1 << 20, reply, &len);
}

static void test_routes_and_handlers(void **state)
{
	char *r;

	assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL,
			      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"x.y\"}}}", &r),
			 201);
	assert_non_null(strstr(r, "\"name\":\"a\""));
	free(r);
	assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL,
			      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\"}}", &r),
			 201);
	free(r);
	/* the query decoded: '+' a space, %28 %29 parentheses */
	assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app+in+%28x.y%29",
			      NULL, NULL, &r),
			 200);
	assert_non_null(strstr(r, "\"name\":\"a\""));
	assert_null(strstr(r, "\"name\":\"b\""));
	free(r);
	/* the path decoded */
	assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/%61", NULL, NULL, &r), 200);
	assert_non_null(strstr(r, "\"name\":\"a\""));
	free(r);
	assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/zz", NULL, NULL, &r), 404);
	assert_non_null(strstr(r, "NotFound"));
	free(r);
	/* a header read: a Table asked for */
	assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps",
			      "application/json;as=Table;v=v1;g=meta.k8s.io", NULL, &r),
			 200);
	assert_non_null(strstr(r, "\"kind\":\"Table\""));
	free(r);
	/* a bad selector is the handler's 400 */
	assert_int_equal(call("GET", "/api/v1/configmaps?labelSelector=%21%21", NULL, NULL, &r), 400);
	free(r);
}

static void test_watch_ends(void **state)
{
	char *r;

	/* a watch gives what is there and ends, it does not wait for more */
	assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=600",
			      NULL, NULL, &r),
			 200);
	assert_non_null(strstr(r, "{\"type\":\"ADDED\""));
	assert_non_null(strstr(r, "\"name\":\"a\""));
	free(r);
	assert_int_equal(call("GET", "/api/v1/watch/namespaces/default/configmaps?resourceVersion=1",
			      NULL, NULL, &r),
			 200);
	assert_non_null(strstr(r, "\"type\":\"ADDED\""));
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes_and_handlers),
	    cmocka_unit_test(test_watch_ends),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
