/* k8s/redact.h — keeps secrets out of every message and log line: bearer tokens,
 * Authorization headers, token/password/key values (key=value, key: value, JSON),
 * URL user-info, PEM private keys, JWT-looking strings and long opaque words of
 * mixed case and digits (how tokens look where no key names them, e.g. a
 * credential plugin's stderr) become "[redacted]".
 * Stateless, thread-safe. */
#ifndef K8S_REDACT_H
#define K8S_REDACT_H

#include <stddef.h>

/* The redacted copy of in; malloc'd. */
char *k8s_redact(const char *in);
/* The redacted copy of in into out (always terminated, truncated to size). */
void k8s_redact_into(const char *in, char *out, size_t size);

#endif
