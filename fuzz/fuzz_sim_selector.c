/* kubesim's label and field selectors (first byte picks which). */
#include "fuzz/fuzz.h"
#include "sim/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	sim_err err;
	sim_selector *sel;

	if (!size)
		return 0;
	text = fuzz_cstr(data + 1, size - 1);
	memset(&err, 0, sizeof(err));
	sel = data[0] & 1 ? sim_selector_parse_fields(text, &err)
			  : sim_selector_parse_labels(text, &err);
	sim_selector_free(sel);
	free(text);
	return 0;
}
