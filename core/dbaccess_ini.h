/* core/dbaccess_ini.h — editing dbaccess.ini as text: the keys of one section
 * set, every other line (comments, other sections, other keys) kept as it was.
 * Pure; safe from any thread.
 */
#ifndef CORE_DBACCESS_INI_H
#define CORE_DBACCESS_INI_H

#include <stddef.h>
#include <stdint.h>

typedef struct dbaccess_kv {
	const char *key;
	const char *value;
} dbaccess_kv;

/* A copy of text (malloc'd) where section [section] (its name compared without
 * regard to case) has key=value for each of kv[0..n): a key it has (any case)
 * gets the value in place, a key it lacks is added at the section's end, a
 * missing section is appended. Sections named in drop (NULL-terminated, may be
 * NULL), e.g. another engine's [ORACLE/x], are taken out whole. */
char *dbaccess_ini_set(const char *text, const char *section, const dbaccess_kv *kv, size_t n,
		       const char *const *drop);

/* A copy of planned (malloc'd) that keeps what live holds and planned does not
 * own (a re-apply of the namespace plan must not undo the other wizards' edits):
 * each key=value of live that planned lacks in that section (names compared
 * without regard to case) is added to it (after the key before it in live, where
 * planned has that one, else at the section's end), the section appended when
 * planned has none; and in a section whose name starts with one of keep_sections, a key named
 * in keep_keys takes live's value even where planned has one (both lists
 * NULL-terminated, may be NULL). live's comments and lines before any section
 * are not carried. The same format serves appserver.ini. */
char *dbaccess_ini_merge(const char *planned, const char *live, const char *const *keep_sections,
			 const char *const *keep_keys);

/* A short hash of a configuration text (FNV-1a 64, 16 hex digits), for the
 * annotation that rolls the workload reading it. */
void dbaccess_ini_hash(const char *text, char out[17]);

#endif
