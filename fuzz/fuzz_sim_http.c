/* kubesim end to end over loopback: URL paths and query strings (selectors,
 * limits, continue tokens, watch flags) and bodies of every method and patch
 * type, through the router and the handlers of a running server. Input: a
 * byte picking the method and content type, the request target, a newline,
 * the body. Bytes a request line cannot hold are percent-encoded. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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
	const uint8_t *p, *nl;
	struct sockaddr_in addr;
	struct timeval tv = {0, 300000};
	strbuf req;
	char buf[65536];
	size_t i, body_len;
	int fd;

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
	sb_init(&req, 256 + size * 3);
	sb_addf(&req, "%s ", methods[data[0] & 7]);
	if (nl == p || *p != '/')
		sb_addc(&req, '/');
	for (i = 0; p + i < nl; i++) {
		unsigned char c = p[i];
		if (c <= 0x20 || c >= 0x7f || c == '#')
			sb_addf(&req, "%%%02X", c);
		else
			sb_addc(&req, (char)c);
	}
	sb_addf(&req, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		      "Accept: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		data[0] & 0x40 ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json",
		ctypes[(data[0] >> 3) & 7], body_len);
	if (body_len)
		sb_add(&req, nl + 1, body_len);

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		abort();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)sim_server_port(srv));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    write(fd, req.buf, req.len) == (ssize_t)req.len) {
		/* read the answer (a watch or a followed log: until the timeout) */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
	sb_release(&req);
	return 0;
}
