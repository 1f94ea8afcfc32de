/* fuzz/fuzz.h — shared by the libFuzzer harnesses: the entry point's
 * prototype and a NUL-terminated copy of the input. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a C string (malloc'd); bytes after a NUL are kept but not seen by
 * string functions, as in the real readers. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
