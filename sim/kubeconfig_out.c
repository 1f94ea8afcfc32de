/* sim/kubeconfig_out.c — writes kubesim's kubeconfig as YAML, atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/kubeconfig_out.h"
#include "util/base64.h"
#include "util/util.h"

/* A YAML double-quoted scalar. */
static void add_quoted(strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
		} else if (c == '\n') {
			sb_adds(sb, "\\n");
		} else if (c == '\t') {
			sb_adds(sb, "\\t");
		} else if (c < 0x20 || c == 0x7f) {
			sb_addf(sb, "\\x%02x", c);
		} else {
			sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
}

/* `  key: "value"` at the given indent. */
static void add_kv(strbuf *sb, int indent, const char *key, const char *value)
{
	sb_addf(sb, "%*s%s: ", indent, "", key);
	add_quoted(sb, value);
	sb_addc(sb, '\n');
}

static void build(strbuf *sb, const char *server_url, const char *ca_pem, const char *admin_token,
		  const char *support_token, const char *catalog_url, const char *cert_pem,
		  const char *key_pem)
{
	int with_cert = cert_pem && key_pem;
	static const char *const who[] = {"kubesim-admin", "kubesim-support"};
	const char *tokens[] = {admin_token, support_token};

	sb_adds(sb, "# written by kubesim\napiVersion: v1\nkind: Config\nclusters:\n");
	add_kv(sb, 0, "- name", "kubesim");
	sb_adds(sb, "  cluster:\n");
	add_kv(sb, 4, "server", server_url);
	if (ca_pem) {
		char *b64 = util_base64_encode(ca_pem, strlen(ca_pem));
		add_kv(sb, 4, "certificate-authority-data", b64);
		free(b64);
	}
	if (catalog_url) {
		sb_adds(sb, "    extensions:\n");
		add_kv(sb, 4, "- name", "smart.totvs.com/catalog");
		sb_adds(sb, "      extension:\n");
		add_kv(sb, 8, "url", catalog_url);
	}
	sb_adds(sb, "users:\n");
	for (size_t i = 0; i < ARRAY_SIZE(who); i++) {
		add_kv(sb, 0, "- name", who[i]);
		sb_adds(sb, "  user:\n");
		add_kv(sb, 4, "token", tokens[i]);
	}
	if (with_cert) {
		char *c64 = util_base64_encode(cert_pem, strlen(cert_pem));
		char *k64 = util_base64_encode(key_pem, strlen(key_pem));
		add_kv(sb, 0, "- name", SIM_KUBECONFIG_CERT_CONTEXT);
		sb_adds(sb, "  user:\n");
		add_kv(sb, 4, "client-certificate-data", c64);
		add_kv(sb, 4, "client-key-data", k64);
		free(c64);
		free(k64);
	}
	sb_adds(sb, "contexts:\n");
	for (size_t i = 0; i < ARRAY_SIZE(who); i++) {
		add_kv(sb, 0, "- name", who[i]);
		sb_adds(sb, "  context:\n");
		add_kv(sb, 4, "cluster", "kubesim");
		add_kv(sb, 4, "user", who[i]);
	}
	if (with_cert) {
		add_kv(sb, 0, "- name", SIM_KUBECONFIG_CERT_CONTEXT);
		sb_adds(sb, "  context:\n");
		add_kv(sb, 4, "cluster", "kubesim");
		add_kv(sb, 4, "user", SIM_KUBECONFIG_CERT_CONTEXT);
	}
	add_kv(sb, 0, "current-context", who[0]);
	sb_adds(sb, "preferences: {}\n");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the folder holding path so the rename survives a crash; best effort. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int sim_kubeconfig_write(const char *path, const char *server_url, const char *ca_pem,
			 const char *admin_token, const char *support_token,
			 const char *catalog_url, char *errbuf, size_t errsize)
{
	return sim_kubeconfig_write_cert(path, server_url, ca_pem, admin_token, support_token,
					 catalog_url, NULL, NULL, errbuf, errsize);
}

int sim_kubeconfig_write_cert(const char *path, const char *server_url, const char *ca_pem,
			      const char *admin_token, const char *support_token,
			      const char *catalog_url, const char *cert_pem, const char *key_pem,
			      char *errbuf, size_t errsize)
{
	strbuf sb;
	char *tmp = NULL;
	int fd = -1, ret = -1;

	if (!path || !*path || !server_url || !admin_token || !support_token) {
		snprintf(errbuf, errsize, "kubeconfig: path, server, and both tokens are needed");
		return -1;
	}
	sb_init(&sb, 4096);
	build(&sb, server_url, ca_pem, admin_token, support_token, catalog_url, cert_pem, key_pem);
	/* (not xasprintf: it leaks a small buffer, see sb_detach) */
	tmp = xmalloc(strlen(path) + sizeof(".tmp-XXXXXX"));
	snprintf(tmp, strlen(path) + sizeof(".tmp-XXXXXX"), "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(errbuf, errsize, "%s: cannot create temporary file: %s", path,
			 strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, sb.buf, sb.len) < 0 || fsync(fd) < 0) {
		snprintf(errbuf, errsize, "%s: write: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(errbuf, errsize, "%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(errbuf, errsize, "%s: rename: %s", path, strerror(errno));
		goto out;
	}
	sync_dir(path);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && tmp)
		unlink(tmp);
	free(tmp);
	/* the buffer holds tokens */
	memset(sb.buf, 0, sb.len);
	sb_release(&sb);
	return ret;
}
