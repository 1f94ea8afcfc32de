/* tui/script.h — a test script that drives the console instead of the
 * keyboard (in the manner of tig's APP_SCRIPT), and the screen as text.
 *
 * A script is lines of:
 *   # comment                  (and blank lines) ignored
 *   keys                       characters and <Name>s: "/health:down<Enter>",
 *                              "<Down><Down>", "<Colon>" for ':' typed as a key
 *   :save-display FILE         the screen as text into FILE
 *   :resize COLSxLINES         the terminal changes size
 *   :wait-for TEXT [SECONDS]   until the screen shows TEXT (default 30 s)
 *   :sleep MS                  let time pass
 *   :early                     the next step runs without waiting for the
 *                              console to be idle (to see what it shows
 *                              while the cluster is still being read)
 *   :anything else             a console command, as typed after ':'
 * Each step runs only once the console is idle (nothing in flight), but
 * after :early.
 * Not thread-safe; the UI thread reads it.
 */
#ifndef TUI_SCRIPT_H
#define TUI_SCRIPT_H

#include <stddef.h>

typedef struct tui_script tui_script;

typedef enum tui_step_kind {
	TUI_STEP_END,
	TUI_STEP_KEY,
	TUI_STEP_SAVE,
	TUI_STEP_RESIZE,
	TUI_STEP_WAIT_FOR,
	TUI_STEP_SLEEP,
	TUI_STEP_COMMAND,
	TUI_STEP_EARLY,
} tui_step_kind;

typedef struct tui_step {
	tui_step_kind kind;
	int line;	 /* in the script, for messages */
	int key;	 /* KEY */
	int cols, lines; /* RESIZE */
	int ms;		 /* SLEEP, WAIT_FOR timeout */
	char arg[512];	 /* SAVE file, WAIT_FOR text, COMMAND text */
} tui_step;

/* Reads the whole file. NULL with a sentence in err. */
tui_script *tui_script_open(const char *path, char *err, size_t errsz);
void tui_script_free(tui_script *s);
/* The next step; 0, or -1 with "script line N: ..." in err. */
int tui_script_next(tui_script *s, tui_step *out, char *err, size_t errsz);

/* Writes the current screen (curscr) as UTF-8 text, trailing blanks cut. */
int tui_screen_save(const char *path, char *err, size_t errsz);
/* 1 when the screen shows text on one line. */
int tui_screen_has(const char *text);

#endif
