/* core/db_spec.h — what a tenant environment's PostgreSQL database is to be:
 * the role and database name, encoding, collation, connection limit, and the
 * mark that says a role or database is the tenant's.
 *
 * The mark is the catalog comment "smartops tenant T12345 prod" on the role
 * (pg_shdescription), followed by " run <run id>" when a provisioning run made
 * it (so a rollback drops only what its run made); a database is the tenant's
 * when its owner (pg_database.datdba) is the tenant's marked role, and carries
 * the same comment. Anything else of the same name is
 * another's: a conflict, never adopted, never dropped.
 */
#ifndef CORE_DB_SPEC_H
#define CORE_DB_SPEC_H

#include <stddef.h>

#include "core/db_error.h"
#include "core/db_names.h"
#include "core/tcode.h"

#define DB_SPEC_ENCODING "WIN1252"
#define DB_SPEC_COLLATE "C"
#define DB_SPEC_CTYPE "C"
#define DB_SPEC_CONN_LIMIT 50

typedef struct db_spec {
	char tcode[TCODE_SIZE];	  /* "T12345" */
	tcode_env env;
	char name[DB_NAME_SIZE];  /* role and database: "t12345_prod" */
	char encoding[32];	  /* DB_SPEC_ENCODING */
	char collate[64];	  /* DB_SPEC_COLLATE */
	char ctype[64];		  /* DB_SPEC_CTYPE */
	int conn_limit;		  /* the role's connection limit, 1..10000 */
	char mark[64];		  /* "smartops tenant T12345 prod" */
	char run[48];		  /* the provisioning run making the objects, or "": the
				     comment written is then "<mark> run <run>" */
} db_spec;

/* Fills s for a tenant environment with the defaults above. DB_OK, or
 * DB_INVALID with a sentence in err (a bad TCODE). */
db_status db_spec_init(db_spec *s, const char *tcode, tcode_env env, db_err *err);
/* Checks every field (as a caller may have changed them): the name, an
 * encoding and locales of letters, digits, '.', '-', '_', '@', a limit in
 * range. DB_OK or DB_INVALID with a sentence. */
db_status db_spec_check(const db_spec *s, db_err *err);

/* The comment an object made for s gets: the mark, then " run <run>" when
 * s->run is set. */
void db_spec_comment(const db_spec *s, char *out, size_t size);
/* 1 when comment is s's mark (alone, or followed by " run <id>"); the run id,
 * or "", into run (may be NULL). 0 otherwise. */
int db_spec_marked(const db_spec *s, const char *comment, char *run, size_t size);

#endif
