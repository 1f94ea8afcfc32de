/* sim/server.h — a kubesim instance: the object store, its controllers and the HTTPS
 * API in front of them. kubesim_main.c runs one; `smartops --demo` and tests embed one. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_server_opts {
	int port;                   /* 0 = any free port */
	int plain_http;             /* no TLS: requests without credentials act as admin */
	int tls_mode;               /* SIM_TLS_* (tests of the client's TLS checks) */
	const char *users_file;     /* extra users, see docs/kubesim-users.md */
	const char *kubeconfig_out; /* written once ready to serve */
	size_t watch_window;        /* events kept for watches (default 100,000) */
	size_t fleet;               /* tenants to seed (0 = empty cluster) */
	uint64_t seed;
	double time_scale;          /* fleet clock speed (1 = real time) */
	int64_t start_time;         /* the cluster's clock starts here (unix s; 0 = now):
	                               the same fleet, dates and hours whatever the day */
	const char *domain;         /* Ingress domain for the fleet */
	const char *faults;         /* initial faults, JSON as PUT /sim/v1/faults takes */
	size_t preload;             /* N configmaps in namespace "preload" (benchmarks) */
	int quiet;                  /* no start-up lines on stderr */
	int no_traffic;             /* no simulated user requests (tests that need quiet tenants) */
	int no_builds;              /* the fleet starts no custom builds of its own */
	const char *audit_log;      /* append one line per write request (POST, PUT, PATCH,
	                               DELETE) as received: time, method, path, user; or NULL */
	const char *managed_postgres;         /* ConfigMap smart-platform postgres.conninfo, or NULL */
	const char *managed_postgres_password_file; /* Secret smart-platform-postgres, or NULL */
	const char *custom_repo;    /* with a fleet: every ERP tenant's custom-repo annotation, or NULL */
	int64_t event_ttl_s;        /* Events expire this long after their last occurrence,
	                               on the cluster's clock (0: one hour; < 0: never) */
	const struct sim_provisioner *provisioners; /* per-provisioner binding (sim/volumes.h) */
	size_t n_provisioners;
} sim_server_opts;

typedef struct sim_server sim_server;

/* Starts everything; returns NULL with a message in errbuf. */
sim_server *sim_server_start(const sim_server_opts *o, char *errbuf, size_t errsize);
int sim_server_port(const sim_server *s);
/* "https://127.0.0.1:PORT"; valid until sim_server_stop. */
const char *sim_server_url(const sim_server *s);
/* Bearer token of a built-in user ("admin", "support"); valid until stop. */
const char *sim_server_token(const sim_server *s, const char *user);
void sim_server_stop(sim_server *s);

/* One request served from memory, without a socket (the fuzz harness): the same
 * authentication, fault injection, routing and handlers a request over HTTP gets,
 * with the request target percent-decoded as libmicrohttpd decodes it. */
typedef struct sim_mem_request {
	const char *method;          /* "GET", "PATCH", ... */
	const char *target;          /* "/api/v1/pods?limit=5", percent-encoded */
	const char *const *headers;  /* n_headers pairs: name, value, name, value, ... */
	size_t n_headers;
	const char *body;
	size_t body_len;
} sim_mem_request;

/* Returns the status code, the body in *reply (malloc'd, NUL-terminated; a stream,
 * a watch or a followed log, as far as it had been written when nothing more was
 * ready, at most max_reply bytes). */
unsigned sim_server_serve_mem(sim_server *s, const sim_mem_request *in, size_t max_reply,
			      char **reply, size_t *reply_len);

#endif
