/* Protheus .ini files (appserver.ini, dbaccess.ini from a ConfigMap): two
 * files from one input (split at the first NUL, or in half), each parsed and
 * compared with the other. A file compared with itself has no change, and
 * every change names what ini_get finds on each side. */
#include <strings.h>

#include "core/ini_diff.h"
#include "fuzz/fuzz.h"

static void check(const ini_file *a, const ini_file *b)
{
	ini_change *c;
	size_t n = ini_diff(a, b, &c), i;

	for (i = 0; i < n; i++) {
		const char *va = ini_get(a, c[i].section, c[i].key);
		const char *vb = ini_get(b, c[i].section, c[i].key);
		if ((va == NULL) != (c[i].a == NULL) || (vb == NULL) != (c[i].b == NULL))
			abort();
		if (va && vb && !strcmp(va, vb))
			abort(); /* a change that is none */
	}
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t la = nul ? (size_t)(nul - data) : size / 2;
	size_t lb = size - la - (nul ? 1 : 0);
	ini_file a, b;
	ini_change *c;

	ini_parse((const char *)data, la, &a);
	ini_parse((const char *)data + size - lb, lb, &b);
	if (ini_diff(&a, &a, &c) != 0)
		abort();
	free(c);
	check(&a, &b);
	check(&b, &a);
	ini_free(&a);
	ini_free(&b);
	return 0;
}
