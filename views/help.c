/* views/help.c — keys and commands, from their tables. */
#include <stdio.h>

#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/actions.h"
#include "views/cmdline.h"
#include "views/fleet.h"
#include "views/help.h"
#include "util/util.h"

static int help_scroll;

typedef struct out {
	int y0, h, width, n; /* n: lines produced so far */
} out;

static void put(out *o, int x, const char *text, int attrs)
{
	int yy = o->y0 + o->n - help_scroll;

	if (yy >= o->y0 && yy < o->y0 + o->h && x < o->width)
		tui_text_put_raw(stdscr, yy, x, o->width - x, text, attrs, 0);
}

static void keymap_section(out *o, const char *title, const tui_keymap *m)
{
	char name[16];
	size_t i;

	put(o, 0, title, tui_theme_attr(TUI_ROLE_SECTION));
	o->n++;
	for (i = 0; i < m->n; i++) {
		/* Several keys for one request: the first one says it. */
		if (i && m->b[i].req == m->b[i - 1].req && !strcmp(m->b[i].help, m->b[i - 1].help))
			continue;
		put(o, 2, tui_key_name(m->b[i].key, name, sizeof(name)),
		    tui_theme_attr(TUI_ROLE_KEYBAR_KEY));
		put(o, 14, m->b[i].help, 0);
		o->n++;
	}
	o->n++;
}

/* One section of keys: a screen's keymap (views/app.c's table), and after the
 * fleet's and the tenant's their action menus' (views/actions.c). */
typedef struct section {
	app_screen screen;
	char title[64];
	const tui_keymap *map;
} section;

static size_t sections_of(section *sec, size_t max)
{
	size_t n = 0;

	for (app_screen s = 0; s < APP_SCREEN_COUNT && n + 2 <= max; s++) {
		const char *title;
		const tui_keymap *m = app_screen_help(s, &title);

		if (!m)
			continue;
		sec[n].screen = s;
		util_strlcpy(sec[n].title, title, sizeof(sec[n].title));
		sec[n++].map = m;
		if ((m = view_actions_keymap(s))) {
			sec[n].screen = s;
			snprintf(sec[n].title, sizeof(sec[n].title), "%s actions", title);
			sec[n++].map = m;
		}
	}
	return n;
}

void view_help_draw(app *a, int y, int h, int width)
{
	out o = {y, h, width, 0};
	const view_command *cmds;
	section sections[2 * APP_SCREEN_COUNT];
	size_t n, i, n_sections = sections_of(sections, ARRAY_SIZE(sections));
	char buf[128];
	app_screen from = a->back == APP_HELP ? APP_FLEET : a->back;

	keymap_section(&o, "Everywhere", app_keymap());
	put(&o, 2, "Up/Down", tui_theme_attr(TUI_ROLE_KEYBAR_KEY));
	put(&o, 14, "move (also j/k, PgUp/PgDn, Home/End, g/G)", 0);
	o.n += 2;
	/* the keys of the screen help was opened from first, then the others */
	for (i = 0; i < n_sections; i++)
		if (sections[i].screen == from) {
			snprintf(buf, sizeof(buf), "%s (this screen)", sections[i].title);
			keymap_section(&o, buf, sections[i].map);
		}
	for (i = 0; i < n_sections; i++)
		if (sections[i].screen != from)
			keymap_section(&o, sections[i].title, sections[i].map);
	put(&o, 0, "Commands (type : then the command; a unique prefix is enough)",
	    tui_theme_attr(TUI_ROLE_SECTION));
	o.n++;
	cmds = view_cmdline_commands(&n);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), ":%s %s", cmds[i].name, cmds[i].args);
		put(&o, 2, buf, tui_theme_attr(TUI_ROLE_CMDLINE));
		put(&o, 28, cmds[i].help, 0);
		o.n++;
	}
	o.n++;
	put(&o, 0, "Filter words (/), all must match", tui_theme_attr(TUI_ROLE_SECTION));
	o.n++;
	put(&o, 2, "health:down,blocked  a health of the tenant or of an environment", 0);
	o.n++;
	put(&o, 2, "product:erp|esocial  env:prod|dev  cluster:NAME", 0);
	o.n++;
	put(&o, 2, "other words          in the TCODE, the customer or the cause", 0);
	o.n++;
	put(&o, 2, "!WORD                not matching it, e.g. !health:sleeping", 0);
	o.n++;
	snprintf(buf, sizeof(buf), "sort columns (s, :sort): %s", view_fleet_sort_names());
	put(&o, 2, buf, 0);
	o.n += 2;
	put(&o, 0, "Health colours", tui_theme_attr(TUI_ROLE_SECTION));
	o.n++;
	{
		int x = 2;
		health_state hs;
		static const tui_role roles[HEALTH_COUNT] = {
		    TUI_ROLE_AVAILABLE, TUI_ROLE_SLEEPING, TUI_ROLE_WAKING, TUI_ROLE_DEGRADED,
		    TUI_ROLE_DOWN,	TUI_ROLE_BLOCKED,  TUI_ROLE_UNKNOWN};
		for (hs = 0; hs < HEALTH_COUNT; hs++) {
			put(&o, x, health_name(hs), tui_theme_attr(roles[hs]));
			x += (int)strlen(health_name(hs)) + 2;
		}
		o.n++;
	}
	if (help_scroll > o.n - h)
		help_scroll = o.n - h > 0 ? o.n - h : 0;
	(void)a;
}

int view_help_key(app *a, int key)
{
	int old = help_scroll;

	switch (key) {
	case TUI_KEY_FN(KEY_DOWN):
	case 'j':
		help_scroll++;
		break;
	case TUI_KEY_FN(KEY_UP):
	case 'k':
		if (help_scroll)
			help_scroll--;
		break;
	case TUI_KEY_FN(KEY_NPAGE):
	case ' ':
		help_scroll += 10;
		break;
	case TUI_KEY_FN(KEY_PPAGE):
		help_scroll = help_scroll > 10 ? help_scroll - 10 : 0;
		break;
	case TUI_KEY_FN(KEY_HOME):
	case 'g':
		help_scroll = 0;
		break;
	case TUI_KEY_ESC:
	case 'q':
	case '?':
	case TUI_KEY_FN(KEY_LEFT):
		help_scroll = 0;
		a->screen = a->back == APP_HELP ? APP_FLEET : a->back;
		return TUI_HANDLED | TUI_REDRAW;
	default:
		return 0;
	}
	return TUI_HANDLED | (old != help_scroll ? TUI_REDRAW : 0);
}
