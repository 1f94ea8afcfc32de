/* core/tcode.c — TCODE parsing and namespace names. */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "core/tcode.h"
#include "util/util.h"

static const char *const env_names[] = {"prod", "dev"};

/* Checks the 6 characters at s, ignoring the T's case; stops at the first bad one. */
static int tcode_shape(const char *s, size_t len)
{
	size_t i;
	int nonzero = 0;

	if (len != 6 || (s[0] != 'T' && s[0] != 't'))
		return 0;
	for (i = 1; i < 6; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		nonzero |= s[i] != '0';
	}
	return nonzero; /* T00000 is not a customer */
}

int tcode_parse(const char *in, char out[TCODE_SIZE], char *err, size_t errsz)
{
	const char *b, *e;
	size_t len, i;

	if (!in)
		in = "";
	b = in;
	while (*b && isspace((unsigned char)*b))
		b++;
	e = b + strlen(b);
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	len = (size_t)(e - b);
	if (!tcode_shape(b, len)) {
		if (err && errsz)
			snprintf(
			    err, errsz,
			    "TCODE must be a T followed by 5 digits, e.g. T12345: got \"%.*s\"",
			    (int)(len > 64 ? 64 : len), b);
		return -1;
	}
	out[0] = 'T';
	for (i = 1; i < 6; i++)
		out[i] = b[i];
	out[6] = '\0';
	return 0;
}

int tcode_is_valid(const char *s)
{
	return s && s[0] == 'T' && tcode_shape(s, strlen(s));
}

const char *tcode_env_name(tcode_env env)
{
	return (unsigned)env < ARRAY_SIZE(env_names) ? env_names[env] : "?";
}

int tcode_env_parse(const char *s, tcode_env *env)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(env_names); i++) {
		if (!strcasecmp(s, env_names[i])) {
			*env = (tcode_env)i;
			return 0;
		}
	}
	return -1;
}

int tcode_namespace(const char *tcode, tcode_env env, char *buf, size_t size)
{
	char t[TCODE_SIZE];
	int n;

	if ((unsigned)env >= ARRAY_SIZE(env_names) || tcode_parse(tcode, t, NULL, 0) < 0)
		return -1;
	t[0] = 't';
	n = snprintf(buf, size, "%s-%s", t, env_names[env]);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int tcode_from_namespace(const char *ns, char tcode[TCODE_SIZE], tcode_env *env)
{
	tcode_env e;

	if (!ns || ns[0] != 't' || !tcode_shape(ns, 6) || ns[6] != '-')
		return -1;
	if (!strcmp(ns + 7, "prod"))
		e = TCODE_ENV_PROD;
	else if (!strcmp(ns + 7, "dev"))
		e = TCODE_ENV_DEV;
	else
		return -1;
	if (tcode) {
		memcpy(tcode, ns, 6);
		tcode[0] = 'T';
		tcode[6] = '\0';
	}
	if (env)
		*env = e;
	return 0;
}

int tcode_key(const char *prefix, const char *name, char *buf, size_t size)
{
	int n;

	if (!prefix || !*prefix)
		prefix = TCODE_KEY_PREFIX_DEFAULT;
	n = snprintf(buf, size, "%s%s", prefix, name ? name : "");
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
