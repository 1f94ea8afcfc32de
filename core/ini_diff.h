/* core/ini_diff.h — Protheus .ini files read as sections of keys and compared
 * by meaning, not by line: "[PROTHEUS12] RPOCustom" differs, however the two
 * files order or space their lines. Section and key names compare without
 * regard to case, as the AppServer reads them; values compare exactly (after
 * the blanks around them). Comments (';' or '#') and blank lines are ignored.
 *
 * Pure functions on caller-owned memory; safe from any thread. The parser
 * bounds what it keeps (INI_MAX_ENTRIES, INI_MAX_LINE) and says so.
 */
#ifndef CORE_INI_DIFF_H
#define CORE_INI_DIFF_H

#include <stddef.h>
#include <stdint.h>

#define INI_MAX_ENTRIES 1024
#define INI_MAX_LINE 4096

typedef struct ini_entry {
	char *section; /* "" before the first [section] */
	char *key;
	char *value;
} ini_entry;

typedef struct ini_file {
	ini_entry *v;
	size_t n;
	int truncated; /* more entries, or a longer line, than kept */
	uint32_t *slots; /* index of v by section and key, case folded: 1 + i, 0 empty */
	size_t nslots;
} ini_file;

/* Parses text (len bytes, need not be NUL-terminated). A key given twice in a
 * section keeps its last value, as the AppServer does. */
void ini_parse(const char *text, size_t len, ini_file *out);
void ini_free(ini_file *f);
/* The value of section/key, or NULL. */
const char *ini_get(const ini_file *f, const char *section, const char *key);

typedef enum { INI_ONLY_A, INI_ONLY_B, INI_CHANGED } ini_change_kind;

typedef struct ini_change {
	ini_change_kind kind;
	const char *section, *key; /* as spelt in the file that has it (a's first) */
	const char *a, *b;	   /* NULL where absent; borrowed from the files */
} ini_change;

/* The changes from a to b, in a's order of sections and keys, then what only
 * b has in b's order. *out is malloc'd (free it); returns the count. */
size_t ini_diff(const ini_file *a, const ini_file *b, ini_change **out);

#endif
