/*
 * tui.h: the full-screen labelling UI of `sluice label` (issue #6).
 *
 * cli/cmd_label.c loads the task, opens the queue and calls tui_run(),
 * which owns the terminal (ncursesw) until the annotator quits.  Every
 * decision is committed by queue_decide() when its key is pressed, so a
 * killed session loses at most the document on screen.
 *
 * Layout (80x24 and up; below TUI_MIN_COLS x TUI_MIN_ROWS the screen says
 * "terminal too small (need 40x10)" and only q, ^L and resizing work):
 *
 *   row 0        task, document id, language, source
 *   row 1        url
 *   row 2        filter verdicts, the model's suggestion and score
 *                (review: every annotator's answer instead)
 *   row 3        the labels and their keys
 *   row 4        a rule
 *   rows 5..-3   the document text, wrapped (j/k, PgUp/PgDn, g/G, / )
 *   row -2       done/total, this session's count and rate, the
 *                annotator, flag, note
 *   row -1       the keys, a message, or the one-line editor
 *
 * Everything shown passes termsafe_clean() first (label/termsafe.h): no
 * byte of document text, url, note, label, annotator name or guidelines
 * reaches the terminal unsanitized.  Widths come from label/wrap.h.
 *
 * The caller sets the locale (setlocale(LC_ALL, "")) before tui_run; in
 * a locale that is not UTF-8, non-ASCII characters are drawn as '?'.
 */
#ifndef SL_TUI_H
#define SL_TUI_H

struct store;
struct task;
struct queue;
struct sl_err;

#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10

struct tui_opts {
	const char *annotator;
	int review;		/* reviewing: the header lists the answers */
	int no_color;		/* NO_COLOR: attributes (bold, reverse) only */
	double lease_seconds;	/* the lease is renewed every third of it */
};

/* Run the UI until q; 0, or -1 with err (the terminal is restored before
 * returning either way). */
int tui_run(struct store *st, const struct task *t, struct queue *q,
	    const struct tui_opts *o, struct sl_err *err);

#endif
