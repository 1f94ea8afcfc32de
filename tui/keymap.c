/* tui/keymap.c — key names and binding lookup. */
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "tui/keymap.h"
#include "tui/term.h"
#include "util/termtext.h"
#include "util/util.h"

static const struct {
	const char *name;
	int key;
} names[] = {
    {"Enter", TUI_KEY_ENTER},
    {"Esc", TUI_KEY_ESC},
    {"Tab", '\t'},
    {"Space", ' '},
    {"Lt", '<'},
    {"Backspace", TUI_KEY_FN(KEY_BACKSPACE)},
    {"Up", TUI_KEY_FN(KEY_UP)},
    {"Down", TUI_KEY_FN(KEY_DOWN)},
    {"Left", TUI_KEY_FN(KEY_LEFT)},
    {"Right", TUI_KEY_FN(KEY_RIGHT)},
    {"PgUp", TUI_KEY_FN(KEY_PPAGE)},
    {"PgDn", TUI_KEY_FN(KEY_NPAGE)},
    {"Home", TUI_KEY_FN(KEY_HOME)},
    {"End", TUI_KEY_FN(KEY_END)},
    {"BackTab", TUI_KEY_FN(KEY_BTAB)},
    {"F1", TUI_KEY_FN(KEY_F(1))},
    {"F5", TUI_KEY_FN(KEY_F(5))},
};

int tui_keymap_find(const tui_keymap *m, int key)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->b[i].key == key)
			return m->b[i].req;
	return -1;
}

const char *tui_key_name(int key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].key == key && key != '<') {
			util_strlcpy(buf, names[i].name, size);
			return buf;
		}
	if (key > 0 && key < 0x20)
		snprintf(buf, size, "^%c", key + '@');
	else if (key >= 0x20 && key < 0x7f)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%x", (unsigned)key);
	return buf;
}

int tui_key_parse(const char **s)
{
	const char *p = *s, *end;
	uint32_t cp;
	size_t n, i;

	if (!*p)
		return 0;
	if (*p == '<' && (end = strchr(p, '>')) && end > p + 1) {
		size_t len = (size_t)(end - p - 1);
		if (len == 3 && (p[1] == 'C' || p[1] == 'c') && p[2] == '-') {
			*s = end + 1;
			return TUI_KEY_CTRL(p[3]);
		}
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (strlen(names[i].name) == len && !strncasecmp(p + 1, names[i].name, len)) {
				*s = end + 1;
				return names[i].key;
			}
		return -1;
	}
	n = termtext_utf8_next((const unsigned char *)p, &cp);
	if (!n)
		return -1;
	*s = p + n;
	return (int)cp;
}
