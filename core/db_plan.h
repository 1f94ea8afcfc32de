/* core/db_plan.h — the statements a tenant database's steps run, as a plan shows
 * them before anything is done: the password never (its verifier is elided).
 *
 * The DDL is what apply sends when the objects are missing, byte for byte except the
 * verifier (tests compare it with the server's log; the lock is shown with its values,
 * which apply sends as parameters): names are checked by db_spec_check
 * to be plain lower-case identifiers, which libpq quotes as "name", and the encoding and
 * locales to be plain words, quoted as 'word'. A step whose object exists runs none.
 * Pure; safe from any thread.
 */
#ifndef CORE_DB_PLAN_H
#define CORE_DB_PLAN_H

#include "core/db_error.h"
#include "core/db_spec.h"
#include "util/util.h"

typedef enum db_step {
	DB_STEP_LOCK,
	DB_STEP_ROLE,
	DB_STEP_DATABASE,
	DB_STEP_ACCESS,
	DB_STEP_COUNT,
} db_step;

#define DB_PLAN_VERIFIER "'<SCRAM-SHA-256 verifier of a generated password>'"

/* "lock", "role", "database", "access". */
const char *db_step_name(db_step st);

/* Appends the step's statements to out, one per line. DB_OK, or DB_INVALID (the
 * spec does not pass db_spec_check) with err. */
db_status db_plan_step(const db_spec *s, db_step st, strbuf *out, db_err *err);

#endif
