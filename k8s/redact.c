#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "k8s/redact.h"
#include "util/util.h"

#define MASK "[redacted]"

/* Keys whose value is secret, compared case-insensitively as whole words. */
static const char *const secret_keys[] = {
    "token",	       "access_token",	"access-token",	   "id-token", "id_token",
    "refresh-token",   "refresh_token", "password",	   "passwd",   "secret",
    "client-key-data", "clientKeyData", "client_key_data", "api-key",  "apikey",
    "api_key",	       "authorization", "bearer",
};

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Length of a secret key starting at s (whole word), or 0. */
static size_t secret_key_at(const char *s, const char *start)
{
	if (s > start && (word_char(s[-1]) || s[-1] == '.'))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(secret_keys); i++) {
		size_t n = strlen(secret_keys[i]);
		if (!strncasecmp(s, secret_keys[i], n) && !word_char(s[n]))
			return n;
	}
	return 0;
}

/* End of an unquoted value: whitespace, '&', ',', ';', '}' or end. */
static const char *value_end(const char *p, int to_eol)
{
	while (*p && *p != '\n' && *p != '\r') {
		if (!to_eol && (isspace((unsigned char)*p) || strchr("&,;}\"'", *p)))
			break;
		p++;
	}
	return p;
}

static int jwt_at(const char *p, const char *start)
{
	if (p > start && word_char(p[-1]))
		return 0;
	return !strncmp(p, "eyJ", 3) && strchr(p, '.') != NULL;
}

static int token_char(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("_~+=/-", c));
}

/* Length of a token-looking word at p: 24 or more characters of a token's
 * alphabet, with upper and lower case letters and digits mixed (what bearer
 * tokens, OpenShift "sha256~" tokens and base64 secrets look like, and what
 * names, paths, uids and resource versions do not); 0 otherwise. */
static size_t opaque_token_at(const char *p, const char *start)
{
	size_t n = 0;
	int up = 0, lo = 0, dig = 0;

	if ((p > start && token_char(p[-1])) || *p == '/')
		return 0;
	for (; token_char(p[n]); n++) {
		up |= isupper((unsigned char)p[n]) != 0;
		lo |= islower((unsigned char)p[n]) != 0;
		dig |= isdigit((unsigned char)p[n]) != 0;
	}
	return n >= 24 && up && lo && dig ? n : 0;
}

static void redact_sb(const char *in, strbuf *out)
{
	const char *p = in;

	while (*p) {
		size_t klen;

		/* PEM private keys: drop the whole block */
		if (!strncmp(p, "-----BEGIN ", 11) && (strstr(p, "PRIVATE KEY-----") != NULL)) {
			const char *end = strstr(p, "-----END ");
			const char *nl;
			sb_adds(out, MASK);
			if (!end)
				return;
			nl = strstr(end + 9, "-----");
			p = nl ? nl + 5 : end + strlen(end);
			continue;
		}
		/* scheme://user:pass@host */
		if (!strncmp(p, "://", 3)) {
			const char *q = p + 3;
			const char *at = q;
			while (*at && *at != '@' && *at != '/' && !isspace((unsigned char)*at))
				at++;
			if (*at == '@' && memchr(q, ':', (size_t)(at - q))) {
				sb_adds(out, "://" MASK "@");
				p = at + 1;
				continue;
			}
		}
		if (jwt_at(p, in)) {
			const char *e = p;
			while (word_char(*e) || *e == '.' || *e == '=')
				e++;
			if (e - p >= 16) {
				sb_adds(out, MASK);
				p = e;
				continue;
			}
		}
		klen = opaque_token_at(p, in);
		if (klen) {
			sb_adds(out, MASK);
			p += klen;
			continue;
		}
		klen = secret_key_at(p, in);
		if (klen) {
			const char *q = p + klen;
			int bearer = !strncasecmp(p, "bearer", 6) && klen == 6;
			int auth = !strncasecmp(p, "authorization", 13);
			if (*q == '"' || *q == '\'')
				q++;
			while (*q == ' ' || *q == '\t')
				q++;
			if (bearer || *q == ':' || *q == '=') {
				char quote = 0;
				if (!bearer)
					q++;
				while (*q == ' ' || *q == '\t')
					q++;
				if (*q == '"' || *q == '\'')
					quote = *q++;
				/* "token": null / numbers are harmless but masking them is too */
				sb_add(out, p, (size_t)(q - p));
				sb_adds(out, MASK);
				if (quote) {
					const char *e = q;
					while (*e && *e != quote) {
						if (*e == '\\' && e[1])
							e++;
						e++;
					}
					p = e;
				} else {
					p = value_end(q, auth);
				}
				continue;
			}
		}
		sb_addc(out, *p++);
	}
}

char *k8s_redact(const char *in)
{
	strbuf sb;

	sb_init(&sb, in ? strlen(in) + 16 : 16);
	if (in)
		redact_sb(in, &sb);
	return sb_detach(&sb, NULL);
}

void k8s_redact_into(const char *in, char *out, size_t size)
{
	char *r;

	if (!size)
		return;
	r = k8s_redact(in);
	util_strlcpy(out, r, size);
	free(r);
}
