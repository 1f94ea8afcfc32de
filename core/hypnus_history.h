/* core/hypnus_history.h — a namespace's Hypnus usage history read from the
 * cluster (ConfigMap hypnus-usage) and what is derived from it for display:
 * the week's matrix and the forecast windows.
 *
 * Blocking (one GET): call it off the UI thread.
 */
#ifndef CORE_HYPNUS_HISTORY_H
#define CORE_HYPNUS_HISTORY_H

#include "core/hypnus.h"
#include "k8s/client.h"

typedef struct hypnus_history {
	int ok;		/* 0: err says why there is nothing to show */
	char err[256];	/* "no usage history yet (ConfigMap hypnus-usage not found in t12345-prod)" */
	hypnus_usage u;
	hypnus_matrix m;
	hypnus_window win[HYPNUS_MAX_WINDOWS];
	size_t n_win;
} hypnus_history;

/* Reads and derives the history of ns. Never NULL; free() it. c NULL: not ok,
 * "no usable client for the tenant's cluster". */
hypnus_history *hypnus_history_fetch(k8s_client *c, const char *ns);

#endif
