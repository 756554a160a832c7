/*
 * tui_int.h: the state shared by label/tui.c (the loop and the keys) and
 * label/tui_draw.c (the screen).  Private to the UI (and bench_label.c).
 */
#ifndef SL_TUI_INT_H
#define SL_TUI_INT_H

#include <stddef.h>

#include "queue.h"
#include "task.h"
#include "termsafe.h"
#include "tui.h"
#include "wrap.h"
#include "../lib/buf.h"

enum tui_mode {
	MODE_DOC,	/* a document on screen */
	MODE_DONE,	/* the queue has nothing left */
	MODE_PAGE,	/* help or guidelines, over the document */
};

/* Rows above and below the text area. */
#define TUI_HEAD_ROWS 5
#define TUI_FOOT_ROWS 2

#define TUI_NOTE_MAX 500	/* bytes of a note or a search */

struct tui {
	struct store *st;
	const struct task *task;
	struct queue *q;
	const struct tui_opts *o;
	struct sl_err *err;

	struct queue_item *item;	/* on screen; NULL in MODE_DONE */
	enum tui_mode mode;
	struct termsafe body;		/* the document text, made safe */
	struct termsafe field;		/* scratch: one header field */
	struct wrap wrap;		/* body wrapped to the screen */
	size_t top;			/* first line of wrap shown */

	int picked[TASK_MAX_LABELS];	/* label toggles (multi), preselect */
	struct buf note;		/* for the next decision */
	int flagged;

	struct buf query;		/* the search, "" when none */
	int searching;			/* n/N go through the matches */
	size_t match;			/* body offset of the current match */

	struct termsafe page;		/* help or guidelines */
	struct wrap page_wrap;
	size_t page_top;
	const char *page_title;

	double shown;			/* clock_mono() when it was drawn */
	double renewed;			/* last lease renewal */
	double started;			/* session start */
	struct queue_progress prog;
	long waiting;			/* MODE_DONE: held by others, may come */
	char msg[256];			/* one-shot message on the last row */

	int color;			/* colours in use (no NO_COLOR) */
	int ascii;			/* the locale is not UTF-8 */
	int quit;
};

/* tui_draw.c */
void tui_colors(struct tui *t);
void tui_draw(struct tui *t);
int tui_text_rows(void);
/* Re-wrap the body to the screen width, keeping the top line in view. */
int tui_rewrap(struct tui *t);
/* Draw s (any bytes; cleaned as one line) at y, x in at most maxw columns
 * with base attribute a; returns the columns used. */
int tui_put_field(struct tui *t, int y, int x, int maxw, const char *s,
		  size_t n, int a);
/* 1 when the query matches the body at off (ASCII case folded). */
int tui_match_at(const struct tui *t, size_t off);

/* tui.c: also used by bench/bench_label.c to time a decision end to end
 * (init and release do not touch the terminal; the screen is the
 * caller's: initscr() or newterm(), then tui_colors()). */
void tui_init(struct tui *t, struct store *st, const struct task *k,
	      struct queue *q, const struct tui_opts *o, struct sl_err *err);
void tui_release(struct tui *t);
int tui_show_next(struct tui *t);
int tui_decide(struct tui *t, const char *answer, const char *const *labels,
	       size_t nlabels);

#endif
