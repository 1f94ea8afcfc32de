/* sim/tls.h — kubesim's certificates: a CA made at start-up, the server certificate
 * it signs, client certificates for tests, and the identity a client certificate
 * carries (CN = user, O = groups, as kube-apiserver reads them).
 *
 * Keys are ECDSA P-256. All PEM strings are malloc'd and owned by their holder:
 * a sim_tls owns its four strings until sim_tls_release(). Every function is
 * thread-safe; a sim_tls is read-only once generated.
 */
#ifndef SIM_TLS_H
#define SIM_TLS_H

#include <stddef.h>

typedef struct sim_tls {
	char *ca_cert_pem; /* the CA kubesim made at start-up (what kubeconfigs trust) */
	char *ca_key_pem;
	char *cert_pem; /* server certificate signed by the CA */
	char *key_pem;
} sim_tls;

enum { SIM_TLS_NORMAL = 0, SIM_TLS_EXPIRED = 1, SIM_TLS_WRONG_HOST = 2, SIM_TLS_UNTRUSTED = 3 };

/* Makes a CA and a server certificate for 127.0.0.1, ::1 and localhost (SANs), valid
 * for a year. SIM_TLS_EXPIRED: the server certificate expired yesterday;
 * SIM_TLS_WRONG_HOST: its only SAN is "wrong.example"; SIM_TLS_UNTRUSTED: it is signed
 * by a second CA that is thrown away, so clients trusting ca_cert_pem refuse it
 * (client certificates are still issued by ca_cert_pem's CA).
 * Returns 0, or -1 with a message in errbuf (out is then empty). */
int sim_tls_generate(sim_tls *out, int mode, char *errbuf, size_t errsize);

/* Issues a client certificate signed by ca's CA: CN=user, one O per group, extended
 * key usage clientAuth, expiring `days` from now (negative: expired that many days
 * ago). *cert_pem and *key_pem are malloc'd. Returns 0 or -1 with errbuf. */
int sim_tls_issue_client(const sim_tls *ca, const char *user, const char *const *groups,
			 size_t n_groups, int days, char **cert_pem, char **key_pem, char *errbuf,
			 size_t errsize);

/* Frees the PEM strings and zeroes t; safe on a zeroed or released struct. */
void sim_tls_release(sim_tls *t);

/* From a live TLS session (a gnutls_session_t passed as void *, e.g. libmicrohttpd's
 * MHD_CONNECTION_INFO_GNUTLS_SESSION): verifies the peer's certificate chain against
 * t->ca_cert_pem (time, signature, clientAuth usage) and copies CN into user and up
 * to max_groups O values into groups. Returns 1 when a valid client certificate
 * identified a user, 0 when the peer sent none (or session is NULL), -1 when it sent
 * one that does not verify or has no CN. */
int sim_tls_peer_identity(const sim_tls *t, void *gnutls_session, char *user, size_t user_size,
			  char groups[][128], size_t max_groups, size_t *n_groups);

/* The same check on a PEM certificate (the first one in pem; more are taken as
 * intermediates). Returns 1, or -1 when it does not verify against t's CA. */
int sim_tls_cert_identity(const sim_tls *t, const char *pem, char *user, size_t user_size,
			  char groups[][128], size_t max_groups, size_t *n_groups);

#endif
