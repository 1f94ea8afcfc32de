/* fuzz/fuzz.h — shared by the libFuzzer harnesses: the entry point's
 * prototype and a NUL-terminated copy of the input. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* AddressSanitizer's quarantine (freed blocks held back so that a use after free
 * is caught) at 16 MB instead of 256: an input allocates far less than that, so
 * every block freed while running one input is still held, and the allocator stops
 * handing out fresh pages each input (a harness such as sim_users ran three times
 * slower for it). ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

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
