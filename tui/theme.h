/* tui/theme.h — colours and attributes by role, read from theme files
 * (docs/themes.md has the format). The roles are declared once, in
 * TUI_ROLES; the parser, the docs and the screens use the same names.
 *
 * Call order: tui_theme_load (any time, any thread: pure parsing) ->
 * tui_theme_apply (UI thread, terminal open) -> tui_theme_attr when drawing.
 */
#ifndef TUI_THEME_H
#define TUI_THEME_H

#include <stddef.h>

#define TUI_ROLES(X)                                                                     \
	X(NORMAL, "normal", "text")                                                      \
	X(TITLE, "title", "the top line: screen name and counts")                      \
	X(HEADER, "header", "table column headers")                                     \
	X(SELECTED, "selected", "the row under the cursor")                             \
	X(DIM, "dim", "secondary text: ages, hints")                                    \
	X(SECTION, "section", "section titles inside a screen")                         \
	X(HIGHLIGHT, "highlight", "the first failing component of a chain")             \
	X(STATUS, "status", "the status bar")                                           \
	X(KEYBAR, "keybar", "the key bar")                                              \
	X(KEYBAR_KEY, "keybar-key", "the keys on the key bar")                          \
	X(BANNER, "banner", "stale data or unreachable cluster")                        \
	X(CMDLINE, "cmdline", "the : and / input line")                                 \
	X(ERROR, "error", "error messages")                                             \
	X(AVAILABLE, "health-available", "health: available")                          \
	X(SLEEPING, "health-sleeping", "health: sleeping (healthy, on purpose)")        \
	X(WAKING, "health-waking", "health: waking")                                    \
	X(DEGRADED, "health-degraded", "health: degraded")                              \
	X(DOWN, "health-down", "health: down")                                          \
	X(BLOCKED, "health-blocked", "health: blocked (licence)")                       \
	X(UNKNOWN, "health-unknown", "health: unknown (stale)")

#define TUI_ROLE_ENUM(id, name, help) TUI_ROLE_##id,
typedef enum tui_role { TUI_ROLES(TUI_ROLE_ENUM) TUI_ROLE_COUNT } tui_role;
#undef TUI_ROLE_ENUM

typedef struct tui_style {
	short fg, bg;	/* -1 default, 0..255 */
	unsigned attrs; /* TUI_A_* */
} tui_style;

enum {
	TUI_A_BOLD = 1,
	TUI_A_REVERSE = 2,
	TUI_A_UNDERLINE = 4,
	TUI_A_DIM = 8,
	TUI_A_STANDOUT = 16,
};

typedef struct tui_theme {
	char name[64];
	tui_style role[TUI_ROLE_COUNT];
	unsigned mono[TUI_ROLE_COUNT]; /* attributes when colours are off */
} tui_theme;

const char *tui_role_name(tui_role r);
const char *tui_role_help(tui_role r);

/* The built-in default (also themes/default.theme). */
void tui_theme_default(tui_theme *t);
/* Parses theme text over t (roles not named keep their value). 0, or -1 with
 * "line N: ..." in err. */
int tui_theme_parse(tui_theme *t, const char *text, char *err, size_t errsz);
/* NAME (looked up as NAME.theme in $SMARTOPS_THEMES, then the themes folder
 * next to the program, then /usr/share/smartops/themes) or a FILE path (has
 * a '/' or ends in .theme). "default" always works. */
int tui_theme_load(tui_theme *t, const char *name_or_file, char *err, size_t errsz);

/* Makes t current: colour pairs (when the terminal has colours). */
void tui_theme_apply(const tui_theme *t);
/* The curses attributes of a role under the current theme. */
int tui_theme_attr(tui_role r);
const char *tui_theme_current(void);

#endif
