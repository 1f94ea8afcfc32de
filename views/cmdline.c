/* views/cmdline.c — ':' commands, '/' filter and TCODE jump input. */
#include <stdio.h>
#include <strings.h>

#include "core/tcode.h"
#include "core/wizard.h"
#include "tui/loop.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "views/actions.h"
#include "views/cmdline.h"
#include "views/fleet.h"
#include "views/runs.h"
#include "views/wizard_form.h"
#include "views/wizard_ns.h"
#include "views/tenant.h"
#include "util/termtext.h"
#include "util/util.h"

static int cmd_tenant(app *a, const char *args)
{
	if (!*args) {
		app_message(a, 1, "usage: :tenant TCODE (e.g. :tenant T12345)");
		return TUI_REDRAW;
	}
	app_open_tenant(a, args);
	return TUI_REDRAW;
}

static int cmd_fleet(app *a, const char *args)
{
	a->screen = APP_FLEET;
	return TUI_REDRAW;
}

static int cmd_filter(app *a, const char *args)
{
	char err[200];

	if (view_fleet_set_filter(a, args, err, sizeof(err)) < 0)
		app_message(a, 1, "%s", err);
	else
		a->screen = APP_FLEET;
	return TUI_REDRAW;
}

static int cmd_sort(app *a, const char *args)
{
	char name[32] = "", dir[16] = "", err[200];
	int desc = 0;

	if (sscanf(args, "%31s %15s", name, dir) < 1) {
		app_message(a, 1, "usage: :sort COLUMN [asc|desc]; columns: %s", view_fleet_sort_names());
		return TUI_REDRAW;
	}
	if (dir[0] && strcasecmp(dir, "asc") && strcasecmp(dir, "desc")) {
		app_message(a, 1, "sort order \"%s\": use asc or desc", dir);
		return TUI_REDRAW;
	}
	desc = !strcasecmp(dir, "desc");
	if (view_fleet_set_sort(a, name, desc, err, sizeof(err)) < 0)
		app_message(a, 1, "%s", err);
	else
		a->screen = APP_FLEET;
	return TUI_REDRAW;
}

static int cmd_theme(app *a, const char *args)
{
	if (!*args) {
		app_message(a, 0, "theme %s; :theme NAME|FILE changes it (default, dark, light, "
				  "high-contrast, mono)", a->theme);
		return TUI_REDRAW;
	}
	if (app_set_theme(a, args) == 0)
		app_message(a, 0, "theme %s", a->theme);
	return TUI_REDRAW;
}

static int cmd_help(app *a, const char *args)
{
	if (a->screen != APP_HELP)
		a->back = a->screen;
	a->screen = APP_HELP;
	return TUI_REDRAW;
}

static int cmd_new(app *a, const char *args)
{
	const wizard *w = wizard_find(*args ? args : "namespace");

	if (!w) {
		char names[200];
		strbuf sb;

		wizard_names(names, sizeof(names));
		sb_init(&sb, 64);
		termtext_fit(&sb, args, 20, 0);
		app_message(a, 1, "no wizard \"%s\": :new WIZARD, one of %s", sb.buf, names);
		sb_release(&sb);
		return TUI_REDRAW;
	}
	view_wform_open_any(a, w, NULL);
	return TUI_REDRAW;
}

static int cmd_runs(app *a, const char *args)
{
	view_runs_open(a);
	return TUI_REDRAW;
}

static int cmd_quit(app *a, const char *args)
{
	return TUI_QUIT;
}

static const view_command commands[] = {
    {"tenant", "TCODE", "open a tenant", cmd_tenant},
    {"fleet", "", "back to the fleet", cmd_fleet},
    {"filter", "EXPR", "filter the fleet (as /; empty clears it)", cmd_filter},
    {"sort", "COLUMN [asc|desc]", "sort the fleet by a column", cmd_sort},
    {"theme", "NAME|FILE", "change the colours", cmd_theme},
    {"wake", "[TCODE] prod|dev", "wake an environment (asks to confirm)", view_actions_cmd_wake},
    {"sleep", "[TCODE] prod|dev", "put an environment to sleep (asks to confirm)", view_actions_cmd_sleep},
    {"rotate-password", "[TCODE] prod|dev", "a new managed database password (asks to confirm)",
     view_actions_cmd_rotate},
    {"restart", "[TCODE] prod|dev SERVICE", "rollout restart of a service (asks to confirm)", view_actions_cmd_restart},
    {"context", "", "the clusters (contexts) in use", view_actions_cmd_context},
    {"new", "WIZARD", "a wizard: namespace (also n on the fleet), fileserver... (n on a tenant)", cmd_new},
    {"runs", "", "provisioning runs: resume, roll back (also R on the fleet)", cmd_runs},
    {"help", "", "keys and commands", cmd_help},
    {"quit", "", "leave (also :q)", cmd_quit},
};

const view_command *view_cmdline_commands(size_t *n)
{
	*n = ARRAY_SIZE(commands);
	return commands;
}

int view_cmdline_run(app *a, const char *line)
{
	char name[32];
	const char *args;
	size_t len, i, n_match = 0, match = 0;

	line += strspn(line, " \t");
	len = strcspn(line, " \t");
	if (!len)
		return TUI_REDRAW;
	if (len >= sizeof(name)) {
		app_message(a, 1, "unknown command; :help lists them");
		return TUI_REDRAW;
	}
	memcpy(name, line, len);
	name[len] = '\0';
	args = line + len;
	args += strspn(args, " \t");
	/* A prefix is enough when it names one command (":q", ":t T12345"). */
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i].name, name)) {
			n_match = 1;
			match = i;
			break;
		}
		if (!strncmp(commands[i].name, name, len))
			n_match++, match = i;
	}
	if (n_match != 1) {
		strbuf sb;
		sb_init(&sb, 64);
		termtext_fit(&sb, name, 20, 0);
		app_message(a, 1, "%s command \"%s\"; :help lists them",
			    n_match ? "ambiguous" : "unknown", sb.buf);
		sb_release(&sb);
		return TUI_REDRAW;
	}
	{
		char buf[256];
		util_strlcpy(buf, args, sizeof(buf));
		len = strlen(buf);
		while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
			buf[--len] = '\0';
		return commands[match].run(a, buf);
	}
}

static void input_end(app *a)
{
	a->input = APP_INPUT_NONE;
	a->input_len = 0;
	a->input_buf[0] = '\0';
}

int view_cmdline_key(app *a, int key)
{
	app_input mode = a->input;
	char err[200], line[sizeof(a->input_buf)];

	if (key == TUI_KEY_ESC) {
		if (mode == APP_INPUT_FILTER) /* cancelled: the filter it had */
			view_fleet_set_filter(a, a->input_prev, err, sizeof(err));
		input_end(a);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_ENTER) {
		util_strlcpy(line, a->input_buf, sizeof(line));
		input_end(a);
		if (mode == APP_INPUT_COMMAND)
			return TUI_HANDLED | view_cmdline_run(a, line);
		if (mode == APP_INPUT_FILTER) {
			if (view_fleet_set_filter(a, line, err, sizeof(err)) < 0) {
				app_message(a, 1, "%s", err);
				view_fleet_set_filter(a, a->input_prev, err, sizeof(err));
			}
		} else if (mode == APP_INPUT_JUMP) {
			const char *tc = view_fleet_current(a);
			if (view_fleet_jump(a, line) < 0)
				app_message(a, 1, "no tenant %s in this list", line);
			else if (tc)
				app_open_tenant(a, view_fleet_current(a));
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_KEY_FN(KEY_BACKSPACE)) {
		if (!a->input_len) {
			input_end(a);
			return TUI_HANDLED | TUI_REDRAW;
		}
		/* Back one UTF-8 character. */
		do
			a->input_len--;
		while (a->input_len && ((unsigned char)a->input_buf[a->input_len] & 0xc0) == 0x80);
		a->input_buf[a->input_len] = '\0';
	} else if (key == TUI_KEY_CTRL('u')) {
		a->input_len = 0;
		a->input_buf[0] = '\0';
	} else if (!TUI_KEY_IS_FN(key) && key >= 0x20 && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
		char mb[8];
		size_t n;
		uint32_t cp = (uint32_t)key;
		if (cp < 0x80)
			mb[0] = (char)cp, n = 1;
		else if (cp < 0x800)
			mb[0] = (char)(0xc0 | (cp >> 6)), mb[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
		else if (cp < 0x10000)
			mb[0] = (char)(0xe0 | (cp >> 12)), mb[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
			mb[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
		else
			mb[0] = (char)(0xf0 | (cp >> 18)), mb[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
			mb[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), mb[3] = (char)(0x80 | (cp & 0x3f)),
			n = 4;
		if (a->input_len + n >= sizeof(a->input_buf))
			return TUI_HANDLED;
		if (mode == APP_INPUT_JUMP && !(cp < 0x80 && ((cp >= '0' && cp <= '9'))))
			return TUI_HANDLED; /* a TCODE goes on with digits only */
		memcpy(a->input_buf + a->input_len, mb, n);
		a->input_len += n;
		a->input_buf[a->input_len] = '\0';
	} else {
		return TUI_HANDLED;
	}
	if (mode == APP_INPUT_FILTER) {
		/* Applied as typed while it parses; the error waits for Enter. */
		view_fleet_set_filter(a, a->input_buf, err, sizeof(err));
	} else if (mode == APP_INPUT_JUMP && a->input_len > 1) {
		if (view_fleet_jump(a, a->input_buf) < 0)
			app_message(a, 1, "no tenant %s in this list", a->input_buf);
	}
	return TUI_HANDLED | TUI_REDRAW;
}

void view_cmdline_draw(app *a, int y, int width)
{
	const char *prompt = a->input == APP_INPUT_COMMAND ? ":"
			     : a->input == APP_INPUT_FILTER ? "/"
							    : "jump to ";
	int attrs = tui_theme_attr(TUI_ROLE_CMDLINE), x;
	size_t w = tui_text_width(a->input_buf);

	tui_text_fill(stdscr, y, 0, width, attrs);
	x = tui_text_put_raw(stdscr, y, 0, width, prompt, attrs, 0);
	if (w + 1 > (size_t)(width - x)) {
		/* Show the end of a long input. */
		const char *p = a->input_buf;
		while (*p && tui_text_width(p) + 1 > (size_t)(width - x))
			p++;
		x += tui_text_put(stdscr, y, x, width - x, p, attrs, 0);
	} else {
		x += tui_text_put(stdscr, y, x, width - x, a->input_buf, attrs, 0);
	}
	if (x < width)
		tui_text_put_raw(stdscr, y, x, 1, "_", attrs | A_BLINK, 0);
}
