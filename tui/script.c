/* tui/script.c — test scripts and the screen as text. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <wchar.h>

#include "tui/keymap.h"
#include "tui/script.h"
#include "tui/term.h"
#include "util/util.h"

struct tui_script {
	char *text;
	const char *p;	   /* next line */
	const char *keys;  /* rest of a key line being typed */
	int line;
	char keybuf[1024];
};

tui_script *tui_script_open(const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	tui_script *s;
	strbuf sb;
	char buf[4096];
	size_t n;

	if (!fp) {
		util_seterr(err, errsz, "cannot read the script %s: %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb, 4096);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	fclose(fp);
	s = xcalloc(1, sizeof(*s));
	s->text = sb_detach(&sb, NULL);
	s->p = s->text;
	return s;
}

void tui_script_free(tui_script *s)
{
	if (!s)
		return;
	free(s->text);
	free(s);
}

static int parse_command(const char *cmd, int line, tui_step *out, char *err, size_t errsz)
{
	const char *arg;

	out->line = line;
	if (!strncmp(cmd, "save-display", 12) && (cmd[12] == ' ' || !cmd[12])) {
		arg = cmd + 12 + strspn(cmd + 12, " ");
		if (!*arg)
			return util_seterr(err, errsz, "script line %d: save-display needs a file",
					   line);
		out->kind = TUI_STEP_SAVE;
		util_strlcpy(out->arg, arg, sizeof(out->arg));
		return 0;
	}
	if (!strcmp(cmd, "early")) {
		out->kind = TUI_STEP_EARLY;
		return 0;
	}
	if (!strncmp(cmd, "resize ", 7)) {
		if (sscanf(cmd + 7, "%dx%d", &out->cols, &out->lines) != 2 || out->cols < 1 ||
		    out->lines < 1 || out->cols > 1000 || out->lines > 1000)
			return util_seterr(err, errsz,
					   "script line %d: resize takes COLSxLINES, e.g. 80x24",
					   line);
		out->kind = TUI_STEP_RESIZE;
		return 0;
	}
	if (!strncmp(cmd, "sleep ", 6)) {
		out->ms = atoi(cmd + 6);
		if (out->ms <= 0 || out->ms > 600000)
			return util_seterr(err, errsz, "script line %d: sleep takes milliseconds",
					   line);
		out->kind = TUI_STEP_SLEEP;
		return 0;
	}
	if (!strncmp(cmd, "wait-for ", 9)) {
		const char *t = cmd + 9;
		size_t len = strlen(t);
		const char *sp = strrchr(t, ' ');
		out->ms = 30000;
		if (sp && sp[1] && strspn(sp + 1, "0123456789") == strlen(sp + 1)) {
			out->ms = atoi(sp + 1) * 1000;
			len = (size_t)(sp - t);
		}
		if (len && t[0] == '"' && t[len - 1] == '"' && len >= 2)
			t++, len -= 2;
		if (!len || len >= sizeof(out->arg))
			return util_seterr(err, errsz, "script line %d: wait-for needs a text",
					   line);
		memcpy(out->arg, t, len);
		out->arg[len] = '\0';
		out->kind = TUI_STEP_WAIT_FOR;
		return 0;
	}
	out->kind = TUI_STEP_COMMAND;
	util_strlcpy(out->arg, cmd, sizeof(out->arg));
	return 0;
}

int tui_script_next(tui_script *s, tui_step *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	for (;;) {
		char line[1024];
		size_t len;

		if (s->keys && *s->keys) {
			const char *before = s->keys;
			int k;
			if (!strncmp(s->keys, "<Colon>", 7)) {
				s->keys += 7;
				k = ':';
			} else {
				k = tui_key_parse(&s->keys);
			}
			if (k < 0)
				return util_seterr(err, errsz, "script line %d: unknown key name at \"%.20s\"",
						   s->line, before);
			out->kind = TUI_STEP_KEY;
			out->key = k;
			out->line = s->line;
			return 0;
		}
		s->keys = NULL;
		if (!*s->p) {
			out->kind = TUI_STEP_END;
			return 0;
		}
		len = strcspn(s->p, "\n");
		s->line++;
		if (len >= sizeof(line))
			return util_seterr(err, errsz, "script line %d: too long", s->line);
		memcpy(line, s->p, len);
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		s->p += len + (s->p[len] == '\n');
		if (!len || line[0] == '#')
			continue;
		if (line[0] == ':')
			return parse_command(line + 1, s->line, out, err, errsz);
		memcpy(s->keybuf, line, len + 1);
		s->keys = s->keybuf;
	}
}

int tui_screen_save(const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "w");
	int y, x;

	if (!fp)
		return util_seterr(err, errsz, "cannot write %s: %s", path, strerror(errno));
	for (y = 0; y < LINES; y++) {
		strbuf sb;
		sb_init(&sb, (size_t)COLS * 2);
		for (x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			char mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
			mbstate_t st;
			int i;
			if (mvwin_wch(curscr, y, x, &cc) == ERR ||
			    getcchar(&cc, wc, &a, &pair, NULL) == ERR || !wc[0]) {
				sb_addc(&sb, ' ');
				continue;
			}
			memset(&st, 0, sizeof(st));
			for (i = 0; wc[i]; i++) {
				size_t n = wcrtomb(mb, wc[i], &st);
				if (n == (size_t)-1)
					sb_addc(&sb, '?');
				else
					sb_add(&sb, mb, n);
			}
		}
		while (sb.len && sb.buf[sb.len - 1] == ' ')
			sb.buf[--sb.len] = '\0';
		fprintf(fp, "%s\n", sb.buf);
		sb_release(&sb);
	}
	if (fclose(fp) != 0)
		return util_seterr(err, errsz, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

int tui_screen_has(const char *text)
{
	int y, found = 0;

	for (y = 0; y < LINES && !found; y++) {
		char buf[1024];
		int n = mvwinnstr(curscr, y, 0, buf, (int)sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			found = strstr(buf, text) != NULL;
		}
	}
	return found;
}
