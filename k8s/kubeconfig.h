/* k8s/kubeconfig.h — where to connect and how to authenticate.
 *
 * Reads kubeconfig files with libyaml, merged the way kubectl merges the
 * KUBECONFIG list: the first file that sets current-context wins, and for each
 * named cluster, user and context the first file defining the name wins. Relative
 * paths resolve against the folder of the file that defined the entry. Files
 * named by paths (certificates, keys, CA) are read at load time; a tokenFile is
 * only named here and read by the client (it rotates).
 *
 * A k8s_config is plain data owned by the caller (k8s_config_free); it is never
 * modified after loading, so threads may share it read-only. */
#ifndef K8S_KUBECONFIG_H
#define K8S_KUBECONFIG_H

#include <stddef.h>

typedef struct k8s_exec_config {
	char *command; /* as written, or resolved against the kubeconfig folder if it has a '/' */
	char **args;   /* n_args strings */
	size_t n_args;
	char **env; /* "NAME=value", n_env strings */
	size_t n_env;
	char *api_version;  /* client.authentication.k8s.io/v1 or v1beta1 */
	char *install_hint; /* or NULL */
	int provide_cluster_info;
} k8s_exec_config;

typedef struct k8s_extension {
	char *name; /* "smart.totvs.com/catalog" */
	char *json; /* the extension's value as JSON text ({"url": "..."}) */
} k8s_extension;

typedef struct k8s_config {
	char *origin;  /* the file(s) this came from, for messages */
	char *context; /* context name, or "in-cluster" */
	char *cluster_name;
	char *user_name;
	char *ns; /* the context's namespace, "default" if unset */

	/* cluster */
	char *server;  /* https://host:port[/prefix], no trailing '/' */
	char *ca_data; /* PEM bytes or NULL (then the system store) */
	size_t ca_len;
	char *ca_origin; /* where ca_data came from, for TLS messages */
	int insecure;	 /* insecure-skip-tls-verify: true */
	char *tls_server_name;
	char *proxy_url;
	k8s_extension *ext;
	size_t n_ext;

	/* user */
	char *token;	  /* static bearer token or NULL */
	char *token_file; /* absolute path, re-read by the client, or NULL */
	char *cert_data;  /* client certificate PEM or NULL */
	size_t cert_len;
	char *key_data; /* client key PEM or NULL */
	size_t key_len;
	char *username; /* basic auth, or NULL */
	char *password;
	k8s_exec_config *exec; /* or NULL */
} k8s_config;

typedef struct k8s_load_opts {
	const char *kubeconfig; /* --kubeconfig: one file, must exist; NULL: $KUBECONFIG, then
				   ~/.kube/config */
	const char *context;	/* --context, or NULL for current-context */
	const char *ns;		/* --namespace override, or NULL */
	/* Used when no kubeconfig is found and KUBERNETES_SERVICE_HOST is set. NULL:
	 * /var/run/secrets/kubernetes.io/serviceaccount. */
	const char *sa_dir;
	/* The kubeconfig's text already in memory (text_len bytes), read in place of
	 * any file: kubeconfig, if set, names it in messages and is where its relative
	 * paths resolve. NULL: read the files as above. */
	const char *text;
	size_t text_len;
} k8s_load_opts;

/* Loads and resolves one context. On error returns -1 with a message in err such as
 * `kubeconfig /x/y: context "foo" not found; contexts are: a, b`. */
int k8s_config_load(const k8s_load_opts *opts, k8s_config **out, char *err, size_t errsz);

/* In-cluster configuration from KUBERNETES_SERVICE_HOST/PORT and the service
 * account folder sa_dir (NULL: the standard one): token file, ca.crt, namespace. */
int k8s_config_in_cluster(const char *sa_dir, k8s_config **out, char *err, size_t errsz);

/* Names of all contexts in the merged kubeconfig (NULL-terminated, free with
 * k8s_strv_free), and the current-context (malloc'd or NULL) if current != NULL. */
int k8s_config_contexts(const k8s_load_opts *opts, char ***names, char **current, char *err,
			size_t errsz);
void k8s_strv_free(char **v);

/* The value of extension `name` as JSON text (borrowed), or NULL. */
const char *k8s_config_extension(const k8s_config *c, const char *name);

void k8s_config_free(k8s_config *c);

/* Parses one YAML document into cJSON (plain true/false/null/numbers typed, the rest
 * strings). Returns a cJSON* (as void* to keep cJSON out of this header) or NULL
 * with a message "line N: ..." in err. Bounded before anything is built: at most 64
 * levels of nesting and 1,000,000 nodes with aliases expanded (an alias bomb is
 * refused, not loaded). Exposed for tests and callers that read YAML. */
void *k8s_yaml_parse(const char *text, size_t len, char *err, size_t errsz);

#endif
