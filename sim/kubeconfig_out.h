/* sim/kubeconfig_out.h — the kubeconfig kubesim writes once it serves, so kubectl and
 * smartops can reach it. Thread-safe (no shared state). */
#ifndef SIM_KUBECONFIG_OUT_H
#define SIM_KUBECONFIG_OUT_H

#include <stddef.h>

/* Writes a kubeconfig to path atomically (a temporary file in the same folder, fsync,
 * rename; mode 0600) with:
 *   cluster "kubesim": server_url, certificate-authority-data = base64(ca_pem) (left out
 *     when ca_pem is NULL, e.g. plain HTTP), and when catalog_url is not NULL an extension
 *     named "smart.totvs.com/catalog" whose value is {"url": catalog_url};
 *   users "kubesim-admin" (token admin_token) and "kubesim-support" (token support_token);
 *   contexts "kubesim-admin" (the current one) and "kubesim-support", both on kubesim.
 * Every string is emitted double-quoted and escaped. Returns 0, or -1 with errbuf
 * naming the path (the temporary file is removed). */
int sim_kubeconfig_write(const char *path, const char *server_url, const char *ca_pem,
			 const char *admin_token, const char *support_token,
			 const char *catalog_url, char *errbuf, size_t errsize);


/* The same, plus a third user and context, SIM_KUBECONFIG_CERT_CONTEXT, that
 * authenticates with a client certificate (PEMs; both NULL = no such user). */
#define SIM_KUBECONFIG_CERT_CONTEXT "kubesim-operator-cert"
int sim_kubeconfig_write_cert(const char *path, const char *server_url, const char *ca_pem,
			      const char *admin_token, const char *support_token,
			      const char *catalog_url, const char *cert_pem, const char *key_pem,
			      char *errbuf, size_t errsize);

#endif
