/* The predecessor rules (ConfigMap text): parsed, formatted, parsed again. */
#include "core/rules.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), err[256], out[8192];
	rules r, r2;
	unsigned char failing[64] = {0};

	if (rules_parse(&r, text, err, sizeof(err)) == 0) {
		size_t n = rules_format(&r, out, sizeof(out));
		if (n < sizeof(out) && rules_parse(&r2, out, err, sizeof(err)) != 0)
			abort(); /* formatted rules must parse */
		for (size_t i = 0; i < sizeof(failing) && i < size; i++)
			failing[i] = data[i] & 1;
		rules_first_failing(&r, failing);
	}
	free(text);
	return 0;
}
