/* tui/theme.c — theme files: parsing, lookup, colour pairs. */
#include <errno.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

#include "tui/term.h"
#include "tui/theme.h"
#include "util/util.h"

#define ROLE_NAME(id, name, help) name,
#define ROLE_HELP(id, name, help) help,
static const char *const role_names[] = {TUI_ROLES(ROLE_NAME)};
static const char *const role_helps[] = {TUI_ROLES(ROLE_HELP)};

static const char default_text[] =
    "normal default default\n"
    "title white blue bold\n"
    "header default default bold underline\n"
    "selected black cyan\n"
    "dim default default dim\n"
    "section cyan default bold\n"
    "highlight white red bold\n"
    "status black white\n"
    "keybar default default\n"
    "keybar-key black cyan bold\n"
    "banner white red bold\n"
    "cmdline default default bold\n"
    "error red default bold\n"
    "health-available green default\n"
    "health-sleeping blue default\n"
    "health-waking cyan default bold\n"
    "health-degraded yellow default bold\n"
    "health-down red default bold\n"
    "health-blocked magenta default bold\n"
    "health-unknown default default dim\n";


/* Attributes when colours are off: every health differs from the others. */
static const unsigned default_mono[TUI_ROLE_COUNT] = {
    [TUI_ROLE_TITLE] = TUI_A_REVERSE | TUI_A_BOLD,
    [TUI_ROLE_HEADER] = TUI_A_BOLD | TUI_A_UNDERLINE,
    [TUI_ROLE_SELECTED] = TUI_A_REVERSE,
    [TUI_ROLE_DIM] = TUI_A_DIM,
    [TUI_ROLE_SECTION] = TUI_A_BOLD,
    [TUI_ROLE_HIGHLIGHT] = TUI_A_REVERSE | TUI_A_BOLD,
    [TUI_ROLE_STATUS] = TUI_A_REVERSE,
    [TUI_ROLE_KEYBAR_KEY] = TUI_A_REVERSE,
    [TUI_ROLE_BANNER] = TUI_A_REVERSE | TUI_A_BOLD,
    [TUI_ROLE_CMDLINE] = TUI_A_BOLD,
    [TUI_ROLE_ERROR] = TUI_A_BOLD,
    [TUI_ROLE_WAKING] = TUI_A_UNDERLINE,
    [TUI_ROLE_DEGRADED] = TUI_A_BOLD,
    [TUI_ROLE_DOWN] = TUI_A_BOLD | TUI_A_REVERSE,
    [TUI_ROLE_BLOCKED] = TUI_A_BOLD | TUI_A_UNDERLINE,
    [TUI_ROLE_SLEEPING] = TUI_A_DIM,
    [TUI_ROLE_UNKNOWN] = TUI_A_DIM | TUI_A_UNDERLINE,
};

static const char *const colour_names[] = {"black", "red",     "green", "yellow",
					   "blue",  "magenta", "cyan",  "white"};

static struct {
	tui_theme t;
	int pairs;
	int attr[TUI_ROLE_COUNT];
} cur;

const char *tui_role_name(tui_role r)
{
	return r < TUI_ROLE_COUNT ? role_names[r] : "?";
}

const char *tui_role_help(tui_role r)
{
	return r < TUI_ROLE_COUNT ? role_helps[r] : "?";
}

static int parse_colour(const char *w, short *out)
{
	size_t i;
	char *end;
	long n;

	if (!strcasecmp(w, "default")) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(colour_names); i++) {
		if (!strcasecmp(w, colour_names[i])) {
			*out = (short)i;
			return 0;
		}
		if (!strncasecmp(w, "bright-", 7) && !strcasecmp(w + 7, colour_names[i])) {
			*out = (short)(i + 8);
			return 0;
		}
	}
	errno = 0;
	n = strtol(w, &end, 10);
	if (errno || *end || end == w || n < 0 || n > 255)
		return -1;
	*out = (short)n;
	return 0;
}

static int parse_attr(const char *w, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned a;
	} attrs[] = {{"bold", TUI_A_BOLD},	     {"reverse", TUI_A_REVERSE},
		     {"underline", TUI_A_UNDERLINE}, {"dim", TUI_A_DIM},
		     {"standout", TUI_A_STANDOUT},   {"none", 0}};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		if (!strcasecmp(w, attrs[i].name)) {
			*out |= attrs[i].a;
			return 0;
		}
	return -1;
}

static int find_role(const char *w)
{
	size_t i;

	for (i = 0; i < TUI_ROLE_COUNT; i++)
		if (!strcasecmp(w, role_names[i]))
			return (int)i;
	return -1;
}

int tui_theme_parse(tui_theme *t, const char *text, char *err, size_t errsz)
{
	const char *p = text;
	int lineno = 0;

	while (*p) {
		char line[256], *words[12], *save = NULL, *w;
		size_t len = strcspn(p, "\n"), nw = 0, i;
		int mono = 0, role;
		tui_style st = {-1, -1, 0};
		unsigned mattrs = 0;

		lineno++;
		if (len >= sizeof(line))
			return util_seterr(err, errsz, "line %d: too long", lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		line[strcspn(line, "#")] = '\0';
		for (w = strtok_r(line, " \t\r=", &save); w && nw < ARRAY_SIZE(words);
		     w = strtok_r(NULL, " \t\r=", &save))
			words[nw++] = w;
		if (!nw)
			continue;
		if (!strcasecmp(words[0], "name")) {
			if (nw > 1)
				util_strlcpy(t->name, words[1], sizeof(t->name));
			continue;
		}
		role = find_role(words[0]);
		if (role < 0)
			return util_seterr(err, errsz,
					   "line %d: unknown role \"%.32s\" (see docs/themes.md)",
					   lineno, words[0]);
		if (nw < 3)
			return util_seterr(err, errsz,
					   "line %d: expected ROLE FG BG [ATTR...] [mono ATTR...]",
					   lineno);
		if (parse_colour(words[1], &st.fg) < 0 || parse_colour(words[2], &st.bg) < 0)
			return util_seterr(err, errsz,
					   "line %d: colours are default, black, red, green, "
					   "yellow, blue, magenta, cyan, white, bright-NAME or 0-255",
					   lineno);
		for (i = 3; i < nw; i++) {
			if (!strcasecmp(words[i], "mono")) {
				mono = 1;
				continue;
			}
			if (parse_attr(words[i], mono ? &mattrs : &st.attrs) < 0)
				return util_seterr(err, errsz,
						   "line %d: unknown attribute \"%.32s\" (bold, "
						   "reverse, underline, dim, standout, none)",
						   lineno, words[i]);
		}
		t->role[role] = st;
		if (mono)
			t->mono[role] = mattrs;
	}
	return 0;
}

void tui_theme_default(tui_theme *t)
{
	char err[128];

	memset(t, 0, sizeof(*t));
	util_strlcpy(t->name, "default", sizeof(t->name));
	memcpy(t->mono, default_mono, sizeof(t->mono));
	if (tui_theme_parse(t, default_text, err, sizeof(err)) < 0)
		die("built-in theme: %s", err);
}

static char *read_file(const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	strbuf sb;
	char buf[4096];
	size_t n;

	if (!fp) {
		util_seterr(err, errsz, "cannot read theme %s: %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb, 2048);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && sb.len < 65536)
		sb_add(&sb, buf, n);
	fclose(fp);
	return sb_detach(&sb, NULL);
}

/* The themes folder next to the program: <exe dir>/../share/smartops/themes (an
 * installed tree, whatever its PREFIX), <exe dir>/../themes (the source tree)
 * or <exe dir>/themes. */
static int exe_themes(char *out, size_t size, const char *name)
{
	char exe[1024], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *path;

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	path = xasprintf("%s/../share/smartops/themes/%s.theme", exe, name);
	if (access(path, R_OK) != 0) {
		free(path);
		path = xasprintf("%s/../themes/%s.theme", exe, name);
	}
	if (access(path, R_OK) != 0) {
		free(path);
		path = xasprintf("%s/themes/%s.theme", exe, name);
	}
	util_strlcpy(out, path, size);
	free(path);
	return access(out, R_OK) == 0 ? 0 : -1;
}

static int find_theme(const char *name, char *path, size_t size)
{
	const char *env = getenv("SMARTOPS_THEMES");
	char *p;

	if (env && *env) {
		p = xasprintf("%s/%s.theme", env, name);
		util_strlcpy(path, p, size);
		free(p);
		if (access(path, R_OK) == 0)
			return 0;
	}
	if (exe_themes(path, size, name) == 0)
		return 0;
	p = xasprintf("/usr/share/smartops/themes/%s.theme", name);
	util_strlcpy(path, p, size);
	free(p);
	return access(path, R_OK) == 0 ? 0 : -1;
}

int tui_theme_load(tui_theme *t, const char *name_or_file, char *err, size_t errsz)
{
	char path[1024], perr[200];
	const char *base;
	char *text;
	size_t i;
	int is_file = strchr(name_or_file, '/') != NULL;

	for (i = 0; name_or_file[i] && !is_file; i++)
		if (!strcmp(name_or_file + i, ".theme"))
			is_file = 1;
	tui_theme_default(t);
	if (!is_file) {
		for (i = 0; name_or_file[i]; i++)
			if (!(name_or_file[i] >= 'a' && name_or_file[i] <= 'z') &&
			    name_or_file[i] != '-' &&
			    !(name_or_file[i] >= '0' && name_or_file[i] <= '9'))
				return util_seterr(err, errsz,
						   "theme name \"%.40s\": use lower-case letters, "
						   "digits and '-', or a path to a .theme file",
						   name_or_file);
		if (find_theme(name_or_file, path, sizeof(path)) < 0) {
			if (!strcmp(name_or_file, "default"))
				return 0;
			return util_seterr(err, errsz,
					   "no theme named \"%s\" (try default, dark, light, "
					   "high-contrast or mono, or a path to a .theme file)",
					   name_or_file);
		}
	} else {
		util_strlcpy(path, name_or_file, sizeof(path));
	}
	text = read_file(path, err, errsz);
	if (!text)
		return -1;
	if (tui_theme_parse(t, text, perr, sizeof(perr)) < 0) {
		free(text);
		tui_theme_default(t);
		return util_seterr(err, errsz, "theme %s: %s", path, perr);
	}
	free(text);
	base = strrchr(name_or_file, '/');
	base = base ? base + 1 : name_or_file;
	if (!strcmp(t->name, "default") || !t->name[0])
		snprintf(t->name, sizeof(t->name), "%.*s", (int)strcspn(base, "."), base);
	return 0;
}

static int curses_attrs(unsigned a)
{
	int r = 0;

	if (a & TUI_A_BOLD)
		r |= A_BOLD;
	if (a & TUI_A_REVERSE)
		r |= A_REVERSE;
	if (a & TUI_A_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TUI_A_DIM)
		r |= A_DIM;
	if (a & TUI_A_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

static short fit_colour(short c, unsigned *attrs)
{
	if (c < 0 || c < COLORS)
		return c;
	if (c >= 8 && c < 16) {
		*attrs |= TUI_A_BOLD; /* bright on an 8-colour terminal */
		return (short)(c - 8);
	}
	return (short)(c & 7);
}

void tui_theme_apply(const tui_theme *t)
{
	int colour = tui_term_has_color();
	size_t i;

	cur.t = *t;
	for (i = 0; i < TUI_ROLE_COUNT; i++) {
		const tui_style *s = &t->role[i];
		unsigned a = s->attrs;
		if (colour && (int)i + 1 < COLOR_PAIRS) {
			short fg = fit_colour(s->fg, &a), bg = fit_colour(s->bg, &a);
			init_pair((short)(i + 1), fg, bg);
			cur.attr[i] = COLOR_PAIR((int)i + 1) | curses_attrs(a);
		} else {
			cur.attr[i] = curses_attrs(t->mono[i]);
		}
	}
}

int tui_theme_attr(tui_role r)
{
	return r < TUI_ROLE_COUNT ? cur.attr[r] : 0;
}

const char *tui_theme_current(void)
{
	return cur.t.name;
}
