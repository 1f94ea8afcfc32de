/* util/base64.h — RFC 4648 base64, one implementation for every layer. */
#ifndef UTIL_BASE64_H
#define UTIL_BASE64_H

#include <stddef.h>

/* Standard alphabet, padded; malloc'd, NUL-terminated. */
char *util_base64_encode(const void *data, size_t n);

enum {
	UTIL_B64_STRICT = 0,  /* standard alphabet, padding required, nothing else */
	UTIL_B64_LENIENT = 1, /* also the URL alphabet, whitespace and missing padding */
};
/* Decodes in (len bytes); malloc'd and NUL-terminated (binary data may hold NULs;
 * *out_len says how much); NULL when in is not base64 as `mode` reads it. */
char *util_base64_decode(const char *in, size_t len, size_t *out_len, int mode);

#endif
