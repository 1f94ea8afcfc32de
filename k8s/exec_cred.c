#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "k8s/exec_cred.h"
#include "k8s/redact.h"
#include "util/util.h"

#define OUT_MAX (1024 * 1024)

extern char **environ;

static char *b64_encode(const char *in, size_t n)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((n + 2) / 3 * 4 + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

void k8s_exec_cred_release(k8s_exec_cred *cred)
{
	if (!cred)
		return;
	if (cred->token)
		explicit_bzero(cred->token, strlen(cred->token));
	if (cred->key_data)
		explicit_bzero(cred->key_data, cred->key_len);
	free(cred->token);
	free(cred->cert_data);
	free(cred->key_data);
	memset(cred, 0, sizeof(*cred));
}

int k8s_exec_parse(const char *json, size_t len, const char *api_version, k8s_exec_cred *out,
		   char *err, size_t errsz)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *st, *v;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!root || !cJSON_IsObject(root)) {
		snprintf(err, errsz, "its output is not a JSON ExecCredential");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "kind");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "ExecCredential")) {
		snprintf(err, errsz,
			 "its output is not an ExecCredential (kind is missing or wrong)");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "apiVersion");
	if (api_version && (!cJSON_IsString(v) || strcmp(v->valuestring, api_version))) {
		snprintf(err, errsz, "it answered apiVersion \"%s\" but the kubeconfig asks for %s",
			 cJSON_IsString(v) ? v->valuestring : "", api_version);
		goto out;
	}
	st = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!cJSON_IsObject(st)) {
		snprintf(err, errsz, "its ExecCredential has no status");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(st, "token");
	if (cJSON_IsString(v) && v->valuestring[0])
		out->token = xstrdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(st, "clientCertificateData");
	if (cJSON_IsString(v) && v->valuestring[0]) {
		out->cert_data = xstrdup(v->valuestring);
		out->cert_len = strlen(out->cert_data);
	}
	v = cJSON_GetObjectItemCaseSensitive(st, "clientKeyData");
	if (cJSON_IsString(v) && v->valuestring[0]) {
		out->key_data = xstrdup(v->valuestring);
		out->key_len = strlen(out->key_data);
	}
	if (!out->cert_data != !out->key_data) {
		snprintf(err, errsz,
			 "its ExecCredential has a client certificate without a key "
			 "(or a key without a certificate)");
		goto out;
	}
	if (!out->token && !out->cert_data) {
		snprintf(err, errsz,
			 "its ExecCredential has neither status.token nor "
			 "status.clientCertificateData");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(st, "expirationTimestamp");
	if (cJSON_IsString(v) && v->valuestring[0]) {
		int64_t s = util_parse_rfc3339(v->valuestring);
		if (s < 0) {
			snprintf(err, errsz, "its expirationTimestamp \"%s\" is not RFC 3339",
				 v->valuestring);
			goto out;
		}
		out->expires_ms = s * 1000;
	}
	ret = 0;
out:
	if (ret)
		k8s_exec_cred_release(out);
	cJSON_Delete(root);
	return ret;
}

static char *exec_info(const k8s_config *c)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *spec;
	char *s;

	cJSON_AddStringToObject(root, "apiVersion", c->exec->api_version);
	cJSON_AddStringToObject(root, "kind", "ExecCredential");
	spec = cJSON_AddObjectToObject(root, "spec");
	cJSON_AddBoolToObject(spec, "interactive", 0);
	if (c->exec->provide_cluster_info) {
		cJSON *cl = cJSON_AddObjectToObject(spec, "cluster");
		cJSON_AddStringToObject(cl, "server", c->server);
		if (c->tls_server_name)
			cJSON_AddStringToObject(cl, "tls-server-name", c->tls_server_name);
		if (c->ca_data) {
			char *b = b64_encode(c->ca_data, c->ca_len);
			cJSON_AddStringToObject(cl, "certificate-authority-data", b);
			free(b);
		}
		if (c->insecure)
			cJSON_AddBoolToObject(cl, "insecure-skip-tls-verify", 1);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return s;
}

static const char *hint_of(const k8s_exec_config *e, char *buf, size_t size)
{
	if (e->install_hint && e->install_hint[0])
		snprintf(buf, size, "; %s", e->install_hint);
	else
		buf[0] = '\0';
	return buf;
}

/* Last non-empty line of s, in place. */
static const char *last_line(char *s)
{
	size_t n = strlen(s);
	char *nl;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	nl = strrchr(s, '\n');
	return nl ? nl + 1 : s;
}

/* Plugins running now, by process group: killed at exit, so that a plugin a
 * thread still waits for (the process quits without joining it) and what the
 * plugin started do not outlive us. */
#define RUNNING_MAX 64
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t running[RUNNING_MAX];
static pthread_once_t running_once = PTHREAD_ONCE_INIT;

void k8s_exec_kill_running(void)
{
	pthread_mutex_lock(&running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (running[i] > 0)
			kill(-running[i], SIGKILL);
	pthread_mutex_unlock(&running_lock);
}

static void running_init(void)
{
	atexit(k8s_exec_kill_running);
}

static void running_set(pid_t pid, int on)
{
	pthread_once(&running_once, running_init);
	pthread_mutex_lock(&running_lock);
	for (int i = 0; i < RUNNING_MAX; i++)
		if (on ? running[i] == 0 : running[i] == pid) {
			running[i] = on ? pid : 0;
			break;
		}
	pthread_mutex_unlock(&running_lock);
}

/* Kills the plugin and everything in its process group, and reaps it. */
static void kill_group(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	running_set(pid, 0);
}

int k8s_exec_run(const k8s_config *c, int timeout_ms, const atomic_int *cancel,
		 k8s_exec_cred *out, char *err, size_t errsz)
{
	const k8s_exec_config *e = c->exec;
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, status_pipe[2] = {-1, -1};
	char **argv = NULL, **envp = NULL;
	char *info = NULL, hint[512];
	size_t n_environ = 0, k = 0;
	strbuf so, se;
	pid_t pid = -1;
	int ret = -1, wstatus = 0, child_errno = 0;
	int64_t deadline;

	memset(out, 0, sizeof(*out));
	sb_init(&so, 4096);
	sb_init(&se, 256);
	hint_of(e, hint, sizeof(hint));
	if (timeout_ms <= 0)
		timeout_ms = K8S_EXEC_TIMEOUT_MS;

	/* everything the child needs is built before fork */
	argv = xcalloc(e->n_args + 2, sizeof(char *));
	argv[0] = e->command;
	for (size_t i = 0; i < e->n_args; i++)
		argv[i + 1] = e->args[i];
	while (environ && environ[n_environ])
		n_environ++;
	envp = xcalloc(n_environ + e->n_env + 2, sizeof(char *));
	for (size_t i = 0; i < n_environ; i++)
		if (strncmp(environ[i], "KUBERNETES_EXEC_INFO=", 21))
			envp[k++] = environ[i];
	for (size_t i = 0; i < e->n_env; i++)
		envp[k++] = e->env[i];
	info = exec_info(c);
	{
		char *kv = xasprintf("KUBERNETES_EXEC_INFO=%s", info);
		free(info);
		info = kv;
	}
	envp[k++] = info;

	if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC) ||
	    pipe2(status_pipe, O_CLOEXEC)) {
		snprintf(err, errsz, "exec plugin %s: pipe: %s", e->command, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "exec plugin %s: fork: %s", e->command, strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		int en;
		/* its own process group, killed whole; dies with the thread that waits */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		execvpe(argv[0], argv, envp);
		en = errno;
		if (write(status_pipe[1], &en, sizeof(en)) < 0)
			_exit(127);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	close(status_pipe[1]);
	out_pipe[1] = err_pipe[1] = status_pipe[1] = -1;

	setpgid(pid, pid); /* also here: no race with the child's own call */
	running_set(pid, 1);
	deadline = util_mono_ms() + timeout_ms;
	{
		int open_fds = 2, exited = 0;
		struct pollfd pfd[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
		/* until the plugin has exited and closed its output (a plugin that closes
		 * its output and then hangs is bounded too) */
		while (open_fds > 0 || !exited) {
			int64_t left = deadline - util_mono_ms();
			int r;
			if (cancel && atomic_load(cancel)) {
				kill_group(pid);
				pid = -1;
				snprintf(err, errsz, "exec plugin %s: cancelled", e->command);
				goto out;
			}
			if (left <= 0) {
				kill_group(pid);
				pid = -1;
				snprintf(err, errsz,
					 "exec plugin %s: no credential after %d s, stopped "
					 "(a plugin that waits for a login or a device cannot run "
					 "here)%s",
					 e->command, timeout_ms / 1000, hint);
				goto out;
			}
			if (open_fds == 0) {
				pid_t w = waitpid(pid, &wstatus, WNOHANG);
				if (w == pid) {
					exited = 1;
					continue;
				}
				poll(NULL, 0, left > 20 ? 20 : (int)left);
				continue;
			}
			r = poll(pfd, 2, (int)(left > 100 ? 100 : left));
			if (r < 0 && errno == EINTR)
				continue;
			for (int i = 0; i < 2; i++) {
				char buf[4096];
				ssize_t n;
				if (pfd[i].fd < 0 ||
				    !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
					continue;
				n = read(pfd[i].fd, buf, sizeof(buf));
				if (n <= 0) {
					pfd[i].fd = -1;
					open_fds--;
					continue;
				}
				strbuf *sb = i == 0 ? &so : &se;
				if (sb->len < OUT_MAX)
					sb_add(sb, buf, (size_t)n);
			}
		}
	}
	if (read(status_pipe[0], &child_errno, sizeof(child_errno)) != (ssize_t)sizeof(child_errno))
		child_errno = 0;
	kill(-pid, SIGKILL); /* what it left behind in its group */
	running_set(pid, 0);
	pid = -1;
	if (child_errno) {
		snprintf(err, errsz, "exec plugin: cannot run %s: %s%s", e->command,
			 strerror(child_errno), hint);
		goto out;
	}
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
		char line[256], status[64];
		k8s_redact_into(last_line(se.buf), line, sizeof(line));
		if (WIFEXITED(wstatus))
			snprintf(status, sizeof(status), "exit status %d", WEXITSTATUS(wstatus));
		else
			snprintf(status, sizeof(status), "killed by signal %d", WTERMSIG(wstatus));
		snprintf(err, errsz, "exec plugin %s failed (%s)%s%s%s", e->command, status,
			 line[0] ? ": " : "", line, hint);
		goto out;
	}
	{
		char why[256];
		if (k8s_exec_parse(so.buf, so.len, e->api_version, out, why, sizeof(why))) {
			snprintf(err, errsz, "exec plugin %s: %s%s", e->command, why, hint);
			goto out;
		}
	}
	ret = 0;
out:
	if (pid > 0)
		kill_group(pid);
	for (int i = 0; i < 2; i++) {
		if (out_pipe[i] >= 0)
			close(out_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
		if (status_pipe[i] >= 0)
			close(status_pipe[i]);
	}
	explicit_bzero(so.buf, so.len);
	sb_release(&so);
	sb_release(&se);
	free(argv);
	free(envp);
	free(info);
	return ret;
}
