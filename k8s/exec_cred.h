/* k8s/exec_cred.h — client-go credential plugins (client.authentication.k8s.io/v1
 * and v1beta1): runs the command without a shell, KUBERNETES_EXEC_INFO and the
 * configured env added to the environment, stdin from /dev/null, and parses its
 * stdout as an ExecCredential. Caching and refresh are the client's business.
 * Thread-safe (no shared state); fork/exec from any thread. */
#ifndef K8S_EXEC_CRED_H
#define K8S_EXEC_CRED_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s/kubeconfig.h"

typedef struct k8s_exec_cred {
	char *token;	 /* status.token or NULL */
	char *cert_data; /* status.clientCertificateData (PEM) or NULL */
	size_t cert_len;
	char *key_data; /* status.clientKeyData (PEM) or NULL */
	size_t key_len;
	int64_t expires_ms; /* status.expirationTimestamp (unix ms), 0 = no expiry */
} k8s_exec_cred;

/* Runs the plugin of config c (exec must be set; cluster info from c when asked).
 * timeout_ms bounds the run (0: K8S_EXEC_TIMEOUT_MS); past it, or as soon as
 * *cancel (may be NULL) turns non-zero, the plugin's whole process group is
 * killed, so nothing it started outlives the run. The plugin also dies with
 * the thread that started it (PR_SET_PDEATHSIG), and the groups of plugins
 * still running are killed at exit(). On failure returns -1 with a
 * message naming the command, its exit status and last stderr line (redacted),
 * and the installHint. */
#define K8S_EXEC_TIMEOUT_MS 30000
int k8s_exec_run(const k8s_config *c, int timeout_ms, const atomic_int *cancel,
		 k8s_exec_cred *out, char *err, size_t errsz);

/* Kills the process groups of the plugins running now (for a process that
 * ends with _exit() while threads still wait for one; exit() does it too). */
void k8s_exec_kill_running(void);

/* Parses plugin output; api_version is what the kubeconfig asked for. */
int k8s_exec_parse(const char *json, size_t len, const char *api_version, k8s_exec_cred *out,
		   char *err, size_t errsz);

/* Frees (and wipes) what out holds. */
void k8s_exec_cred_release(k8s_exec_cred *cred);

#endif
