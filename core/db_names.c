/* core/db_names.c — names of a tenant's role and database; see db_names.h. */
#include <stdio.h>

#include "core/db_names.h"
#include "util/util.h"

int db_name_valid(const char *name, char *err, size_t errsz)
{
	size_t i, n;

	if (!name || !*name)
		return util_seterr(err, errsz, "database name is empty: use lower-case letters, digits and _");
	n = strlen(name);
	if (n > DB_NAME_MAX)
		return util_seterr(err, errsz, "database name \"%.20s...\" is %zu bytes: PostgreSQL keeps %d",
				   name, n, DB_NAME_MAX);
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return util_seterr(err, errsz,
				   "database name \"%s\" must start with a lower-case letter or _", name);
	for (i = 0; i < n; i++) {
		char c = name[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
			continue;
		if (c >= 'A' && c <= 'Z')
			return util_seterr(err, errsz,
					   "database name \"%s\" must be lower case: letters a-z, digits, _", name);
		return util_seterr(err, errsz,
				   "database name \"%s\" holds '%c' at byte %zu: only letters a-z, digits and _",
				   name, (c > 32 && c < 127) ? c : '?', i + 1);
	}
	return 0;
}

int db_name_for(const char *tcode, tcode_env env, char out[DB_NAME_SIZE], char *err, size_t errsz)
{
	char t[TCODE_SIZE];
	size_t i;

	if (tcode_parse(tcode ? tcode : "", t, err, errsz))
		return -1;
	for (i = 0; t[i]; i++)
		t[i] = (t[i] >= 'A' && t[i] <= 'Z') ? (char)(t[i] - 'A' + 'a') : t[i];
	snprintf(out, DB_NAME_SIZE, "%s_%s", t, tcode_env_name(env));
	return db_name_valid(out, err, errsz);
}
