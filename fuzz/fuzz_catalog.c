/* The contract catalogue's answer: catalog_parse, which walks an
 * {"items":[...]} answer contract by contract, gives for any text cJSON reads
 * what the whole parsed tree gives (catalog_from_json). */
#include "core/catalog.h"
#include "fuzz/fuzz.h"
#include "k8s/jarena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	catalog c, whole;
	char err[256];
	cJSON *root;

	jarena_install(); /* once; the fuzzer runs one thread */
	memset(&c, 0, sizeof(c));
	memset(&whole, 0, sizeof(whole));
	root = cJSON_ParseWithLength((const char *)data, size);
	if (catalog_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		if (c.n)
			catalog_find(&c, c.items[0].tcode);
		catalog_find(&c, "T12345");
	} else if (root && catalog_from_json(root, &whole, err, sizeof(err)) == 0) {
		abort(); /* refused what the whole tree reads */
	}
	if (root && catalog_from_json(root, &whole, err, sizeof(err)) == 0 &&
	    (whole.n != c.n || (c.n && memcmp(whole.items, c.items, c.n * sizeof(*c.items)))))
		abort();
	catalog_release(&c);
	catalog_release(&whole);
	cJSON_Delete(root);
	if (jarena_live())
		abort();
	return 0;
}
