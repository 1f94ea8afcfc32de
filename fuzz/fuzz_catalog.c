/* The contract catalogue's answer. */
#include "core/catalog.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	catalog c;
	char err[256];

	memset(&c, 0, sizeof(c));
	if (catalog_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		if (c.n)
			catalog_find(&c, c.items[0].tcode);
		catalog_find(&c, "T12345");
		catalog_release(&c);
	}
	return 0;
}
