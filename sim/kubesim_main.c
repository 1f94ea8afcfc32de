/* kubesim — a Kubernetes API simulator that the real kubectl accepts. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/sched.h"
#include "sim/server.h"
#include "sim/tls.h"
#include "sim/volumes.h"
#include "util/util.h"

static void usage(FILE *f)
{
	fputs("usage: kubesim [--port N] [--kubeconfig-out FILE] [--plain-http] [--users FILE]\n"
	      "               [--fleet N] [--seed S] [--time-scale X] [--start-time T] [--domain D]\n"
	      "               [--tls-mode normal|expired|wrong-host|untrusted] [--faults JSON]\n"
	      "               [--watch-window N] [--no-traffic] [--no-builds] [--quiet] [--event-ttl S]\n"
	      "               [--audit-log FILE] [--provisioner NAME=MS|NAME=fail:MESSAGE]...\n"
	      "               [--managed-postgres CONNINFO [--managed-postgres-password-file F]]\n"
	      "               [--custom-repo URL] [--controller-nice N]\n"
	      "\n"
	      "  --port N             listen on 127.0.0.1:N (0 = any free port; default 0)\n"
	      "  --kubeconfig-out F   write a kubeconfig for this server once it is ready\n"
	      "                       (contexts kubesim-admin, current, and kubesim-support, read-only)\n"
	      "  --plain-http         no TLS; requests without credentials act as admin\n"
	      "  --users FILE         more users: lines `token,user,group1;group2,role`\n"
	      "  --fleet N            seed N SMART tenants (prod and dev each)\n"
	      "  --seed S             the fleet's seed (default 1): same seed, same fleet\n"
	      "  --time-scale X       run the fleet's clock X times faster\n"
	      "  --start-time T       start the cluster's clock at T (2026-11-02T14:00:00Z), not now:\n"
	      "                       the same seed then gives the same dates and hours any day\n"
	      "  --tls-mode M         serve a broken certificate, to test clients' TLS checks\n"
	      "  --faults JSON        faults from the start (see PUT /sim/v1/faults)\n"
	      "  --audit-log FILE     append a line per write request: time, method, path, user\n"
	      "  --no-traffic         no simulated user requests: sleeping tenants wake only on\n"
	      "                       POST /sim/v1/traffic, a client's wake, or ahead of busy hours\n"
	      "  --no-builds          the fleet starts no custom builds of its own (only clients' Jobs run)\n"
	      "  --event-ttl S        Events expire S seconds of the cluster's clock after their\n"
	      "                       last occurrence (default 3600, as the API server; 0 never)\n"
	      "  --provisioner P=MS   claims of StorageClasses with provisioner P bind after MS ms\n"
	      "                       (default 0; nfs.csi.k8s.io 100, efs.csi.aws.com 300, filestore.csi.storage.gke.io\n"
	      "                       1200); P=fail:MESSAGE makes P fail them (ProvisioningFailed)\n"
	      "  --managed-postgres C write ConfigMap smart-platform (postgres.conninfo = C, a libpq\n"
	      "                       connection string with no password) in smartops-system\n"
	      "  --managed-postgres-password-file F\n"
	      "                       and Secret smart-platform-postgres (password = F's first line)\n"
	      "  --custom-repo URL    with --fleet: every ERP tenant's namespaces name URL as their\n"
	      "                       custom-repo (the build wizard's default repository; a demo's\n"
	      "                       sample repository, e.g. file:///srv/git/custom.git)\n"
	      "  --controller-nice N  the controllers' nice value, 0-19 (default 5): they stand for a\n"
	      "                       cluster's nodes and controller manager, and yield to the API's\n"
	      "                       readers and to clients on this machine; 0: the API's priority\n",
	      f);
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno || *out < lo || *out > hi) {
		fprintf(stderr, "kubesim: %s needs a number from %g to %g, not \"%s\"\n", opt, lo, hi, s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"port", required_argument, NULL, 'p'},
		{"kubeconfig-out", required_argument, NULL, 'k'},
		{"plain-http", no_argument, NULL, 'P'},
		{"users", required_argument, NULL, 'u'},
		{"fleet", required_argument, NULL, 'f'},
		{"seed", required_argument, NULL, 's'},
		{"time-scale", required_argument, NULL, 't'},
		{"start-time", required_argument, NULL, 'S'},
		{"domain", required_argument, NULL, 'd'},
		{"tls-mode", required_argument, NULL, 'T'},
		{"faults", required_argument, NULL, 'F'},
		{"watch-window", required_argument, NULL, 'w'},
		{"quiet", no_argument, NULL, 'q'},
		{"no-traffic", no_argument, NULL, 'N'},
		{"no-builds", no_argument, NULL, 'B'},
		{"event-ttl", required_argument, NULL, 'E'},
		{"preload", required_argument, NULL, 'L'},
		{"audit-log", required_argument, NULL, 'a'},
		{"provisioner", required_argument, NULL, 'V'},
		{"managed-postgres", required_argument, NULL, 'M'},
		{"managed-postgres-password-file", required_argument, NULL, 'W'},
		{"custom-repo", required_argument, NULL, 'R'},
		{"controller-nice", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static sim_provisioner provs[16];
	sim_server_opts o;
	sim_server *srv;
	char errbuf[512];
	struct sigaction sa;
	sigset_t stop_sigs;
	int sig;
	double v;
	int c;

	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.time_scale = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_num("--port", optarg, 0, 65535, &v))
				return 2;
			o.port = (int)v;
			break;
		case 'k': o.kubeconfig_out = optarg; break;
		case 'P': o.plain_http = 1; break;
		case 'u': o.users_file = optarg; break;
		case 'f':
			if (parse_num("--fleet", optarg, 0, 99999, &v))
				return 2;
			o.fleet = (size_t)v;
			break;
		case 's':
			if (parse_num("--seed", optarg, 0, 9007199254740992.0, &v))
				return 2;
			o.seed = (uint64_t)v;
			break;
		case 't':
			if (parse_num("--time-scale", optarg, 0.001, 100000, &v))
				return 2;
			o.time_scale = v;
			break;
		case 'S':
			o.start_time = util_parse_rfc3339(optarg);
			if (o.start_time <= 0) {
				fprintf(stderr, "kubesim: --start-time \"%s\" is not an RFC 3339 time "
						"(like 2026-11-02T14:00:00Z)\n", optarg);
				return 2;
			}
			break;
		case 'd': o.domain = optarg; break;
		case 'T':
			if (!strcmp(optarg, "normal")) o.tls_mode = SIM_TLS_NORMAL;
			else if (!strcmp(optarg, "expired")) o.tls_mode = SIM_TLS_EXPIRED;
			else if (!strcmp(optarg, "wrong-host")) o.tls_mode = SIM_TLS_WRONG_HOST;
			else if (!strcmp(optarg, "untrusted")) o.tls_mode = SIM_TLS_UNTRUSTED;
			else {
				fprintf(stderr, "kubesim: --tls-mode is one of normal, expired, wrong-host, untrusted\n");
				return 2;
			}
			break;
		case 'F': o.faults = optarg; break;
		case 'w':
			if (parse_num("--watch-window", optarg, 100, 1e8, &v))
				return 2;
			o.watch_window = (size_t)v;
			break;
		case 'q': o.quiet = 1; break;
		case 'N': o.no_traffic = 1; break;
		case 'B': o.no_builds = 1; break;
		case 'E':
			if (parse_num("--event-ttl", optarg, 0, 1e9, &v))
				return 2;
			o.event_ttl_s = v > 0 ? (int64_t)v : -1;
			break;
		case 'a': o.audit_log = optarg; break;
		case 'V':
			if (o.n_provisioners == ARRAY_SIZE(provs)) {
				fprintf(stderr, "kubesim: at most %zu --provisioner options\n", ARRAY_SIZE(provs));
				return 2;
			}
			if (sim_provisioner_parse(optarg, &provs[o.n_provisioners], errbuf, sizeof(errbuf))) {
				fprintf(stderr, "kubesim: %s\n", errbuf);
				return 2;
			}
			o.provisioners = provs;
			o.n_provisioners++;
			break;
		case 'M': o.managed_postgres = optarg; break;
		case 'W': o.managed_postgres_password_file = optarg; break;
		case 'R': o.custom_repo = optarg; break;
		case 'L':
			if (parse_num("--preload", optarg, 0, 1e7, &v))
				return 2;
			o.preload = (size_t)v;
			break;
		case 'C':
			if (parse_num("--controller-nice", optarg, 0, 19, &v))
				return 2;
			sim_sched_set_controller_nice((int)v);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.managed_postgres_password_file && !o.managed_postgres) {
		fprintf(stderr, "kubesim: --managed-postgres-password-file needs --managed-postgres CONNINFO\n");
		return 2;
	}
	if (o.custom_repo && !o.fleet) {
		fprintf(stderr, "kubesim: --custom-repo names the fleet's repository: it needs --fleet N\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "kubesim: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* SIGINT and SIGTERM blocked here, before any thread starts, so every
	 * thread inherits the mask and they wait for sigwait() below: a handler
	 * run on a server or controller thread would leave pause() in this one
	 * asleep, and kubesim running after a kill (a test's cleanup then hangs) */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, NULL);

	srv = sim_server_start(&o, errbuf, sizeof(errbuf));
	if (!srv) {
		fprintf(stderr, "kubesim: %s\n", errbuf);
		return 1;
	}
	fprintf(stderr, "kubesim: listening on %s\n", sim_server_url(srv));
	if (o.kubeconfig_out)
		fprintf(stderr, "kubesim: kubeconfig written to %s (try: kubectl --kubeconfig %s get ns)\n",
			o.kubeconfig_out, o.kubeconfig_out);
	while (sigwait(&stop_sigs, &sig) != 0)
		;
	fprintf(stderr, "kubesim: stopping\n");
	sim_server_stop(srv);
	return 0;
}
