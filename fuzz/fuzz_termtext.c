/* The terminal-text sanitizer: whatever goes in, nothing that drives a terminal
 * comes out (no C0, DEL, C1, bidi control, invalid UTF-8), and the width it
 * reports is the width of what it wrote. */
#include "cli/output.h"
#include "fuzz/fuzz.h"
#include "util/termtext.h"
#include "util/util.h"

static void check_clean(const char *s)
{
	uint32_t cp;
	size_t n, cols = 0;

	while (*s) {
		n = termtext_utf8_next((const unsigned char *)s, &cp);
		if (n == 0 || termtext_is_control(cp) || termtext_is_bidi(cp))
			abort();
		s += n;
		cols++;
	}
	(void)cols;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	strbuf sb;
	size_t w, width = size ? data[0] % 40 : 0;

	sb_init(&sb, 64);
	termtext_escape(&sb, s);
	check_clean(sb.buf);
	w = termtext_width(s);
	if (termtext_width(sb.buf) != w)
		abort();
	sb_reset(&sb);
	termtext_fit(&sb, s, width, 1);
	check_clean(sb.buf);
	if (termtext_width(sb.buf) != width)
		abort();
	sb_reset(&sb);
	output_json_string(&sb, s);
	check_clean(sb.buf);
	sb_release(&sb);
	free(s);
	return 0;
}
