/* kubesim's requests from memory: URL paths and query strings (selectors,
 * limits, continue tokens, watch flags) and bodies of every method and patch
 * type, through the same faults, router and handlers a request over HTTP meets
 * (sim_server_serve_mem: no socket, no server thread per input). Input: a byte
 * picking the method, the content type and the Accept header, the request
 * target, a newline, the body. Bytes a request line cannot hold are
 * percent-encoded, as a client would send them. */
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "sim/server.h"
#include "util/util.h"

static sim_server *srv;

static void start(void)
{
	sim_server_opts o = {0};
	char err[256];

	o.plain_http = 1; /* plain http: requests act as the administrator */
	o.fleet = 2;
	o.seed = 1;
	o.time_scale = 1;
	o.start_time = 1793768400; /* 2026-11-04T05:00:00Z */
	o.quiet = 1;
	o.no_traffic = 1;
	o.watch_window = 1000;
	srv = sim_server_start(&o, err, sizeof(err));
	if (!srv) {
		fprintf(stderr, "fuzz_sim_http: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "GET", "GET", "PATCH"};
	static const char *const ctypes[] = {"application/json", "application/merge-patch+json",
					     "application/strategic-merge-patch+json",
					     "application/apply-patch+yaml", "application/json-patch+json",
					     "text/plain", "application/yaml", "application/json"};
	const char *headers[4];
	const uint8_t *p, *nl;
	sim_mem_request in;
	strbuf target;
	char *reply;
	size_t i, body_len, reply_len;

	if (!srv)
		start();
	if (size < 2)
		return 0;
	p = data + 1;
	nl = memchr(p, '\n', size - 1);
	if (!nl)
		nl = data + size;
	/* /sim/v1/faults could hang or slow every later request: not for the fuzzer */
	for (i = 0; p + i < nl && p[i] == '/'; i++)
		;
	if ((size_t)(nl - p) >= i + 3 && !memcmp(p + i, "sim", 3))
		return 0;
	body_len = nl < data + size ? size - (size_t)(nl + 1 - data) : 0;
	sb_init(&target, 64 + (size_t)(nl - p) * 3);
	if (nl == p || *p != '/')
		sb_addc(&target, '/');
	for (i = 0; p + i < nl; i++) {
		unsigned char c = p[i];
		if (c <= 0x20 || c >= 0x7f || c == '#')
			sb_addf(&target, "%%%02X", c);
		else
			sb_addc(&target, (char)c);
	}
	headers[0] = "Accept";
	headers[1] = data[0] & 0x40 ? "application/json;as=Table;v=v1;g=meta.k8s.io"
				    : "application/json";
	headers[2] = "Content-Type";
	headers[3] = ctypes[(data[0] >> 3) & 7];
	memset(&in, 0, sizeof(in));
	in.method = methods[data[0] & 7];
	in.target = target.buf;
	in.headers = headers;
	in.n_headers = 2;
	in.body = body_len ? (const char *)nl + 1 : "";
	in.body_len = body_len;
	sim_server_serve_mem(srv, &in, 1 << 20, &reply, &reply_len);
	free(reply);
	sb_release(&target);
	return 0;
}
