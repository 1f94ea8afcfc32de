/* k8s/client_int.h — what the client's other files (list.c, watch.c) share with client.c. */
#ifndef K8S_CLIENT_INT_H
#define K8S_CLIENT_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include "k8s/client.h"
#include "util/util.h"

/* One GET of path (query included): the whole 2xx answer in *answer (which it
 * replaces), with the client's retries. Given up when *cancel or *stop becomes
 * non-zero (either may be NULL). size_hint: the answer's likely size, or 0.
 * *answer's buffer, when it holds at least that, is reused for the answer (it
 * may be gone, released, after a failure). */
int k8s_get_page(k8s_client *c, const char *path, const char *accept, const atomic_int *cancel,
		 const atomic_int *stop, size_t size_hint, strbuf *answer, k8s_err *err);

/* Appends "&key=value" to a query, the value percent-encoded; nothing when value
 * is NULL or "". */
void k8s_query_add(strbuf *q, const char *key, const char *value);

#endif
