/* cli/session.h — a client on the one cluster a command that changes things
 * works on (plan, apply, runs, builds, promote, db): the kubeconfig and the
 * context the global options name, traced with -v, with the context's user
 * and catalogue URL. Main thread; the caller owns the struct.
 */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "cli/tenants.h"
#include "k8s/client.h"

typedef struct cli_session {
	k8s_client *client;
	char user[128];	       /* the context's user name, "" if none */
	char context[128];     /* the context's name, "default" if none */
	char catalog_url[512]; /* --catalog, else the kubeconfig's, else "" */
} cli_session;

/* Opens s. Several contexts named: "smartops CMD: WHAT (see smartops --help)"
 * and TENANTS_EXIT_USAGE (WHAT: "provisioning works on one cluster: give one
 * --context"); a kubeconfig or client that cannot be made: said, and
 * TENANTS_EXIT_ERROR; else 0. */
int cli_session_open(const tenants_global *g, const char *cmd, const char *one_cluster,
		     cli_session *s);
void cli_session_close(cli_session *s);

#endif
