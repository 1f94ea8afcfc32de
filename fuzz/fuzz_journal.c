/* The run journal (a ConfigMap anyone with write access to smartops-system can
 * edit): decoded, and when accepted encoded again and decoded to the same text. */
#include "core/journal.h"
#include "fuzz/fuzz.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), err[256];
	journal j, k;
	strbuf a, b;

	if (journal_decode(text, &j, err, sizeof(err)) == 0) {
		sb_init(&a, 256);
		sb_init(&b, 256);
		journal_encode(&j, &a);
		journal_steps_settled(&j);
		if (journal_decode(a.buf, &k, err, sizeof(err)) != 0)
			abort(); /* what we wrote must read back */
		journal_encode(&k, &b);
		if (strcmp(a.buf, b.buf))
			abort(); /* and read back the same */
		journal_release(&k);
		journal_release(&j);
		sb_release(&a);
		sb_release(&b);
	}
	free(text);
	return 0;
}
