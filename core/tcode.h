/* core/tcode.h — the customer code (TCODE) and the names derived from it.
 *
 * A TCODE is "T" followed by exactly 5 digits, T00001..T99999 (T00000 is refused). Input is
 * accepted case-insensitively with surrounding blanks, and normalised to upper
 * case. Tenant namespaces are "<tcode lower>-prod" and "<tcode lower>-dev".
 *
 * Pure functions over caller-owned buffers; safe from any thread.
 */
#ifndef CORE_TCODE_H
#define CORE_TCODE_H

#include <stddef.h>

#define TCODE_SIZE 7	 /* "T12345" plus NUL */
#define TCODE_NS_SIZE 12 /* "t12345-prod" plus NUL */
#define TCODE_KEY_PREFIX_DEFAULT "smart.totvs.com/"

typedef enum tcode_env {
	TCODE_ENV_PROD,
	TCODE_ENV_DEV,
} tcode_env;

/* Parses `in` (trimmed, any case) into out as "T12345". Returns 0, or -1 with
 * a sentence in err (if not NULL), e.g.
 * TCODE must be a T followed by 5 digits, e.g. T12345: got "t12a45" */
int tcode_parse(const char *in, char out[TCODE_SIZE], char *err, size_t errsz);
/* 1 if s is already a normalised TCODE ("T12345"), else 0. */
int tcode_is_valid(const char *s);

/* "prod" / "dev". */
const char *tcode_env_name(tcode_env env);
/* Parses "prod"/"dev" (any case); 0 or -1. */
int tcode_env_parse(const char *s, tcode_env *env);

/* "t12345-prod" into buf (>= TCODE_NS_SIZE). tcode may be any accepted input.
 * Returns 0, or -1 if tcode is invalid or buf too small. */
int tcode_namespace(const char *tcode, tcode_env env, char *buf, size_t size);
/* The reverse: "t12345-dev" -> "T12345", TCODE_ENV_DEV. Exact form only
 * (lower case, no blanks); -1 for anything else. tcode and env may be NULL. */
int tcode_from_namespace(const char *ns, char tcode[TCODE_SIZE], tcode_env *env);

/* Label or annotation key: prefix (NULL or "" -> TCODE_KEY_PREFIX_DEFAULT) and
 * name joined, e.g. "smart.totvs.com/tcode". Returns 0, or -1 if truncated. */
int tcode_key(const char *prefix, const char *name, char *buf, size_t size);

#endif
