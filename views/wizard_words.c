/* views/wizard_words.c — a builder's refusal in the form's words. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "views/wizard_words.h"
#include "util/util.h"

static int skipped(const wizard_input *in, const char *skip)
{
	return skip && !strcmp(in->key, skip);
}

int wizard_words_input(const wizard *w, const char *err, const char *skip)
{
	char flag[48];
	size_t i;

	for (i = 0; i < w->n_inputs; i++) {
		const wizard_input *in = &w->inputs[i];
		size_t n = strlen(in->key);
		const char *at;

		if (skipped(in, skip))
			continue;
		snprintf(flag, sizeof(flag), "--%s", wizard_input_flag(in));
		for (at = strstr(err, flag); at; at = strstr(at + 1, flag)) {
			char next = at[strlen(flag)];

			if (!isalnum((unsigned char)next) && next != '-')
				return (int)i;
		}
		if (!strncmp(err, in->key, n) && (err[n] == ' ' || err[n] == ':'))
			return (int)i;
	}
	return -1;
}

/* The input whose "--flag" starts at s (not followed by more of a name), or NULL. */
static const wizard_input *flag_at(const wizard *w, const char *s, const char *skip, size_t *len)
{
	size_t i;

	if (strncmp(s, "--", 2))
		return NULL;
	for (i = 0; i < w->n_inputs; i++) {
		const char *fl = wizard_input_flag(&w->inputs[i]);
		size_t n = strlen(fl);

		if (!skipped(&w->inputs[i], skip) && !strncmp(s + 2, fl, n) &&
		    !isalnum((unsigned char)s[2 + n]) && s[2 + n] != '-') {
			*len = 2 + n;
			return &w->inputs[i];
		}
	}
	return NULL;
}

void wizard_words_console(const wizard *w, const char *err, const char *skip, char *out,
			  size_t size)
{
	strbuf sb;
	int quoted = 0;

	sb_init(&sb, strlen(err) + 64);
	while (*err) {
		const wizard_input *hit = NULL;
		size_t len = 0;

		if (*err == '`')
			quoted = !quoted;
		if (!quoted)
			hit = flag_at(w, err, skip, &len);
		if (!hit) {
			sb_addc(&sb, *err++);
			continue;
		}
		if (sb.len >= 5 && !strcmp(sb.buf + sb.len - 5, "give ")) {
			sb.len -= 5;
			sb.buf[sb.len] = '\0';
			sb_addf(&sb, "set %s to", hit->key);
		} else {
			sb_addf(&sb, "the %s field", hit->key);
		}
		err += len;
	}
	util_strlcpy(out, sb.buf, size);
	sb_release(&sb);
}
