/* k8s/client_int.h — what the client's other files (list.c, watch.c) share with client.c. */
#ifndef K8S_CLIENT_INT_H
#define K8S_CLIENT_INT_H

#include <stdatomic.h>
#include <stddef.h>

#include "k8s/client.h"
#include "util/util.h"

/* Told of a 2xx answer as it comes in: buf holds its first len bytes. Returns
 * non-zero when it needs to see no more of this answer. */
typedef int (*k8s_head_fn)(void *ctx, const char *buf, size_t len);

/* One GET of path (query included): the whole 2xx answer in *answer (which it
 * replaces), with the client's retries. Given up when *cancel or *stop becomes
 * non-zero (either may be NULL). size_hint: the answer's likely size, or 0.
 * *answer's buffer, when it holds at least that, is reused for the answer (it
 * may be gone, released, after a failure). head, when not NULL, is told of
 * each attempt's 2xx answer as it comes in, on the calling thread. */
int k8s_get_page(k8s_client *c, const char *path, const char *accept, const atomic_int *cancel,
		 const atomic_int *stop, size_t size_hint, k8s_head_fn head, void *head_ctx,
		 strbuf *answer, k8s_err *err);

/* Appends "&key=value" to a query, the value percent-encoded; nothing when value
 * is NULL or "". */
void k8s_query_add(strbuf *q, const char *key, const char *value);

#endif
