/* core/db_names.h — the names of a tenant's PostgreSQL role and database.
 *
 * A tenant environment's role and database share one name, "<tcode lower>_<env>"
 * (t12345_prod), the alias appserver.ini already uses as TopAlias. Every name
 * that reaches SQL is checked here first: lower-case ASCII letters, digits and
 * underscores, starting with a letter or underscore, at most 63 bytes (the
 * server's NAMEDATALEN - 1, beyond which it silently truncates). Anything else
 * is refused before a connection is made.
 *
 * Pure functions over caller-owned buffers; safe from any thread.
 */
#ifndef CORE_DB_NAMES_H
#define CORE_DB_NAMES_H

#include <stddef.h>

#include "core/tcode.h"

#define DB_NAME_MAX 63
#define DB_NAME_SIZE 64

/* 0 if name is a valid role/database name as above; -1 with a sentence in err
 * (what is wrong, what is allowed), e.g.
 * database name "T1" must be lower case: letters a-z, digits, _ */
int db_name_valid(const char *name, char *err, size_t errsz);

/* "t12345_prod" into out from a TCODE (any accepted input) and env.
 * Returns 0, or -1 with a sentence in err. */
int db_name_for(const char *tcode, tcode_env env, char out[DB_NAME_SIZE], char *err, size_t errsz);

#endif
