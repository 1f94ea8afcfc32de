/* views/wizard_words.h — a wizard builder's refusal (written for the command
 * line) read in the console's form: which input it is about, and its words
 * with the options turned into the form's fields. Pure, any thread.
 */
#ifndef VIEWS_WIZARD_WORDS_H
#define VIEWS_WIZARD_WORDS_H

#include <stddef.h>

#include "core/wizard.h"

/* The index in w->inputs of the input err is about — it names the input's
 * --flag, or begins with its key followed by a blank or a colon ("size
 * \"lots\" is not ...") — skipping the input called skip (may be NULL: the
 * one the form does not show); -1 when none. */
int wizard_words_input(const wizard *w, const char *err, const char *skip);

/* err into out with each --flag of w's inputs (not skip) said as the form
 * says it: "give --class X" -> "set class to X", any other "--size" -> "the
 * size field". Text between backquotes (a command to run) is left as it is,
 * and so is a flag w does not have. out is always terminated. */
void wizard_words_console(const wizard *w, const char *err, const char *skip, char *out,
			  size_t size);

#endif
