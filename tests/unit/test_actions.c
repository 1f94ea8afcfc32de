/* Unit tests for core/actions: argument validation, the confirmation texts, and
 * the read-only gate (with a client whose server is a bare listening socket, to
 * see that no connection is ever attempted). */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/actions.h"
#include "util/util.h"

/* ---- validation ---- */

static void parse_ok(void **state)
{
	actions_request r;
	char err[256];

	(void)state;
	assert_int_equal(actions_request_parse(ACTIONS_WAKE, " t12345 ", "PROD", NULL, &r, err,
					       sizeof(err)),
			 0);
	assert_string_equal(r.tcode, "T12345");
	assert_int_equal(r.env, TCODE_ENV_PROD);
	assert_int_equal(r.kind, ACTIONS_WAKE);
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T00042", "dev", "dbaccess", &r,
					       err, sizeof(err)),
			 0);
	assert_string_equal(r.service, "dbaccess");
	assert_int_equal(r.env, TCODE_ENV_DEV);
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T00042", "dev", "webapp", &r, err,
					       sizeof(err)),
			 0);
}

static void parse_errors(void **state)
{
	actions_request r;
	char err[256];

	(void)state;
	assert_int_equal(actions_request_parse(ACTIONS_WAKE, NULL, "prod", NULL, &r, err,
					       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "TCODE is required"));
	assert_int_equal(actions_request_parse(ACTIONS_WAKE, "T1234", "prod", NULL, &r, err,
					       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "T followed by 5 digits"));
	assert_int_equal(actions_request_parse(ACTIONS_SLEEP, "T12345", NULL, NULL, &r, err,
					       sizeof(err)),
			 -1);
	assert_string_equal(err, "--env is required: --env prod or --env dev");
	assert_int_equal(actions_request_parse(ACTIONS_SLEEP, "T12345", "qa", NULL, &r, err,
					       sizeof(err)),
			 -1);
	assert_string_equal(err, "--env takes prod or dev, not \"qa\"");
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T12345", "prod", NULL, &r, err,
					       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "--service is required"));
	assert_int_equal(actions_request_parse(ACTIONS_WAKE, "T12345", "prod", "webapp", &r, err,
					       sizeof(err)),
			 -1);
	assert_string_equal(err, "--service only goes with restart");
	/* A control character in the service is refused and escaped in the message. */
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T12345", "prod", "web\x1b[2J", &r,
					       err, sizeof(err)),
			 -1);
	assert_null(strchr(err, '\x1b'));
	assert_non_null(strstr(err, "web\\x1b[2J"));
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T12345", "prod", "Web", &r, err,
					       sizeof(err)),
			 -1);
}

static void kinds(void **state)
{
	actions_kind k;

	(void)state;
	assert_int_equal(actions_kind_parse("restart", &k), 0);
	assert_int_equal(k, ACTIONS_RESTART);
	assert_int_equal(actions_kind_parse("reboot", &k), -1);
	assert_string_equal(actions_kind_name(ACTIONS_SLEEP), "sleep");
	assert_string_equal(actions_status_name(ACTIONS_NOTHING), "nothing-to-do");
	assert_string_equal(actions_status_name(ACTIONS_READONLY), "read-only");
}

/* ---- describe ---- */

static actions_target three_roles(void)
{
	actions_target t;

	memset(&t, 0, sizeof(t));
	t.n_public = 3;
	util_strlcpy(t.public_roles[0], "smartclient", ACTIONS_SERVICE_SIZE);
	util_strlcpy(t.public_roles[1], "webapp", ACTIONS_SERVICE_SIZE);
	util_strlcpy(t.public_roles[2], "rest", ACTIONS_SERVICE_SIZE);
	return t;
}

static void describe_wake_sleep(void **state)
{
	actions_target t = three_roles();
	actions_request r;
	char buf[ACTIONS_TEXT_SIZE], err[128];

	(void)state;
	assert_int_equal(actions_request_parse(ACTIONS_WAKE, "T10001", "prod", NULL, &r, err,
					       sizeof(err)),
			 0);
	actions_describe(&r, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Wake T10001 prod: Hypnus will scale the public services "
				 "smartclient, webapp, rest from 0 and mark the environment "
				 "waking; cold start about 90 s.");
	t.cold_start_s = 42;
	actions_describe(&r, &t, buf, sizeof(buf));
	assert_non_null(strstr(buf, "cold start about 42 s."));
	actions_describe(&r, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "Wake T10001 prod: Hypnus will scale the public services from 0 "
				 "and mark the environment waking; cold start about 90 s.");

	r.kind = ACTIONS_SLEEP;
	r.env = TCODE_ENV_DEV;
	t.n_public = 1;
	actions_describe(&r, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Put T10001 dev to sleep: Hypnus will scale the public service "
				 "smartclient to 0 and mark the environment sleeping; open "
				 "sessions end, and the next request wakes it again (cold start "
				 "about 42 s).");
}

static void describe_restart(void **state)
{
	actions_target t = three_roles();
	actions_request r;
	char buf[ACTIONS_TEXT_SIZE], err[128];

	(void)state;
	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T10001", "prod", "dbaccess", &r,
					       err, sizeof(err)),
			 0);
	t.replicas = 1;
	actions_describe(&r, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Restart dbaccess of T10001 prod: a rollout restart replaces its "
				 "1 pod with new ones; appserver, hypnus wait for it until it is "
				 "ready again.");
	/* license is first in the chain: everything else waits. */
	util_strlcpy(r.service, "license", sizeof(r.service));
	actions_describe(&r, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "Restart license of T10001 prod: a rollout restart replaces its "
				 "pods with new ones; lockserver, dbaccess, appserver, hypnus wait "
				 "for it until it is ready again.");
	util_strlcpy(r.service, "webapp", sizeof(r.service));
	t.replicas = 2;
	actions_describe(&r, &t, buf, sizeof(buf));
	assert_string_equal(buf, "Restart webapp of T10001 prod: a rollout restart replaces its 2 "
				 "pods with new ones; users connected to it lose their sessions.");
}

/* ---- the read-only gate ---- */

/* A listening socket nobody serves on: a connection attempt would queue here. */
static int listener(int *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int pending_connection(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};

	return poll(&p, 1, 0) == 1;
}

static k8s_client *client_for(int port, const char *user)
{
	k8s_client_opts o = {.connect_timeout_ms = 300, .request_timeout_ms = 300,
			     .max_retries = -1};
	k8s_config *cfg = xcalloc(1, sizeof(*cfg));
	k8s_err err;
	k8s_client *c;

	cfg->origin = xstrdup("test");
	cfg->context = xstrdup("ctx-a");
	cfg->cluster_name = xstrdup("cluster-a");
	cfg->user_name = xstrdup(user);
	cfg->ns = xstrdup("default");
	cfg->server = xasprintf("https://127.0.0.1:%d", port);
	cfg->token = xstrdup("tok");
	c = k8s_client_new(cfg, &o, &err);
	assert_non_null(c);
	return c;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	strbuf sb;
	char buf[512];
	size_t n;

	if (!fp)
		return NULL;
	sb_init(&sb, 512);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	return sb_detach(&sb, NULL);
}

static void readonly_gate(void **state)
{
	char dir[] = "/tmp/test_actions.XXXXXX", err[128], *log, *path;
	actions_outcome o;
	actions_request r;
	k8s_client *c;
	actions *a;
	int port, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	fd = listener(&port);
	c = client_for(port, "olga\nforged=\"1\"\\");
	a = actions_new(c, "ctx-a", NULL, 1);
	assert_true(actions_readonly(a));

	assert_int_equal(actions_request_parse(ACTIONS_RESTART, "T12345", "prod", "dbaccess", &r,
					       err, sizeof(err)),
			 0);
	assert_int_equal(actions_check(a, &r, &o), ACTIONS_READONLY);
	assert_non_null(strstr(o.message, "read-only session: started with --readonly"));
	assert_non_null(strstr(o.description, "Restart dbaccess of T12345 prod"));
	r.kind = ACTIONS_WAKE;
	r.service[0] = '\0';
	assert_int_equal(actions_run(a, &r, 0, &o), ACTIONS_READONLY);
	assert_int_equal(actions_run(a, &r, ACTIONS_DRY_RUN, &o), ACTIONS_READONLY);
	r.kind = ACTIONS_SLEEP;
	assert_int_equal(actions_run(a, &r, 0, &o), ACTIONS_READONLY);
	assert_false(pending_connection(fd)); /* not one connection was attempted */

	/* The refusals are in the local audit log, one line each, the user escaped. */
	path = xasprintf("%s/smartops/audit.log", dir);
	log = read_file(path);
	assert_non_null(log);
	{
		size_t lines = 0;
		for (const char *p = log; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 3);
	}
	assert_non_null(strstr(log, "user=\"olga\\x0aforged=\\\"1\\\"\\\\\" "));
	assert_non_null(strstr(log, "action=\"wake\" tcode=\"T12345\" env=\"prod\""));
	assert_non_null(strstr(log, "action=\"sleep\""));
	assert_non_null(strstr(log, "result=\"read-only\""));
	free(log);
	unlink(path);
	free(path);
	actions_free(a);

	/* The same client, not read-only, does reach for the server: the check above
	 * can fail. */
	a = actions_new(c, "ctx-a", NULL, 0);
	assert_false(actions_readonly(a));
	assert_int_equal(actions_check(a, &r, &o), ACTIONS_UNREACHABLE);
	assert_true(pending_connection(fd));
	actions_free(a);

	/* No client: read-only whatever was asked. */
	a = actions_new(NULL, "ctx-b", NULL, 0);
	assert_true(actions_readonly(a));
	assert_int_equal(actions_run(a, &r, 0, &o), ACTIONS_READONLY);
	actions_free(a);

	k8s_client_free(c);
	close(fd);
	path = xasprintf("%s/smartops/audit.log", dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/smartops", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
	unsetenv("XDG_STATE_HOME");
}

/* The console calls check and run from worker threads at once. */
typedef struct worker {
	actions *a;
	actions_status got[4];
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	actions_request r;
	actions_outcome o;
	char err[64];

	actions_request_parse(ACTIONS_SLEEP, "T12345", "dev", NULL, &r, err, sizeof(err));
	w->got[0] = actions_check(w->a, &r, &o);
	w->got[1] = actions_run(w->a, &r, 0, &o);
	return NULL;
}

static void threads(void **state)
{
	char dir[] = "/tmp/test_actions.XXXXXX", user[128], *path;
	worker w[4];
	pthread_t th[4];
	k8s_client *c;
	actions *ro, *rw;
	int port, fd, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	fd = listener(&port);
	c = client_for(port, "vera");
	ro = actions_new(c, "ctx", NULL, 1);
	rw = actions_new(c, "ctx", NULL, 0);
	for (i = 0; i < 4; i++) {
		w[i].a = i % 2 ? rw : ro;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].got[0], i % 2 ? ACTIONS_UNREACHABLE : ACTIONS_READONLY);
		assert_int_equal(w[i].got[1], i % 2 ? ACTIONS_UNREACHABLE : ACTIONS_READONLY);
	}
	actions_user(rw, user, sizeof(user));
	assert_string_equal(user, "vera"); /* no SelfSubjectReview answer: the kubeconfig user */
	actions_free(ro);
	actions_free(rw);
	k8s_client_free(c);
	close(fd);
	path = xasprintf("%s/smartops/audit.log", dir);
	{
		char *log = read_file(path);
		size_t lines = 0;
		assert_non_null(log);
		for (const char *p = log; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 4); /* one per run, none torn */
		free(log);
	}
	unlink(path);
	free(path);
	path = xasprintf("%s/smartops", dir);
	rmdir(path);
	free(path);
	rmdir(dir);
	unsetenv("XDG_STATE_HOME");
}

static void audit_path(void **state)
{
	char *p;

	(void)state;
	setenv("XDG_STATE_HOME", "/var/x", 1);
	p = actions_audit_path();
	assert_string_equal(p, "/var/x/smartops/audit.log");
	free(p);
	setenv("XDG_STATE_HOME", "relative", 1); /* not absolute: ignored, as the spec says */
	setenv("HOME", "/home/u", 1);
	p = actions_audit_path();
	assert_string_equal(p, "/home/u/.local/state/smartops/audit.log");
	free(p);
	unsetenv("XDG_STATE_HOME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_ok),		  cmocka_unit_test(parse_errors),
	    cmocka_unit_test(kinds),		  cmocka_unit_test(describe_wake_sleep),
	    cmocka_unit_test(describe_restart),	  cmocka_unit_test(readonly_gate),
	    cmocka_unit_test(threads),		  cmocka_unit_test(audit_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
