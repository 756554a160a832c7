/*
 * tui.c: the loop and the keys of the labelling UI (screen in
 * tui_draw.c, contract in tui.h).
 *
 * The loop waits for a key with a timeout (timeout(), so the lease of the
 * document on screen is renewed while the annotator reads, even without
 * keys), handles it, and redraws.  A key that decides (1-9 in single-label
 * tasks, Enter in multi-label ones, a/x/space in binary ones) calls
 * queue_decide(), which commits before it returns, and shows the next
 * document: nothing is kept in memory that a kill -9 could lose, except
 * the document on screen.
 *
 * Seconds spent on a document run from when it was first drawn to the
 * deciding key (time spent in help or guidelines included).
 */
#include <curses.h>
#include <langinfo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "../lib/clock.h"
#include "../store/db.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

/* Seconds between looks at the queue after it ran dry: while other
 * sessions hold documents this annotator may still get (queue_waiting),
 * often; else seldom (an import or an undo elsewhere may add work). */
#define TUI_DONE_POLL 3.0
#define TUI_DONE_POLL_IDLE 30.0

static const char help_text[] =
	"sluice label: keys\n"
	"\n"
	"Deciding (each decision is saved when the key is pressed):\n"
	"  1-9        pick a label (single-label task: saves and moves on;\n"
	"             multi-label task: toggles it)\n"
	"  Enter      save the picked labels (multi-label task), or the\n"
	"             label an undo brought back (single-label task)\n"
	"  a          accept (binary task)\n"
	"  x          reject (binary task)\n"
	"  space      ignore (binary task); page down in other tasks\n"
	"  u, Bksp    undo: take back this session's last decision and show\n"
	"             that document again (repeat to walk further back)\n"
	"  s          skip: not now, not again this session\n"
	"  n          write a note, saved with the next decision (Enter keeps\n"
	"             it, Esc cancels)\n"
	"  f          flag the document for review (toggles)\n"
	"\n"
	"Reading:\n"
	"  j, Down    scroll down one line      k, Up     up one line\n"
	"  PgDn       page down                 PgUp      page up\n"
	"  g          top                       G         bottom\n"
	"  /          search the text (ASCII case ignored); while a search\n"
	"             is on, n and N go to the next and previous match and\n"
	"             Esc ends it\n"
	"  h          the task's guidelines\n"
	"  ?          this help\n"
	"  ^L         redraw the screen\n"
	"  q          quit (the document on screen is left undecided)\n"
	"\n"
	"Text that could drive the terminal is shown, never sent: ^[ for ESC,\n"
	"^M for a carriage return, \\x9b for C1 controls, <RLO> for bidi\n"
	"controls, <ZWSP> for zero-width characters, U+FFFD for invalid\n"
	"UTF-8, all highlighted.\n";

/* --- documents ----------------------------------------------------- */

static void clear_doc_state(struct tui *t)
{
	memset(t->picked, 0, sizeof(t->picked));
	buf_reset(&t->note);
	buf_add(&t->note, "", 0);
	t->flagged = 0;
	t->searching = 0;
	t->top = 0;
}

/* After an undo the queue says what the undone decision was. */
static void preselect(struct tui *t)
{
	const struct queue_item *it = t->item;

	for (size_t i = 0; i < it->nprev_labels; i++) {
		int k = task_label_index(t->task, it->prev_labels[i]);

		if (k >= 0)
			t->picked[k] = 1;
	}
}

static int progress(struct tui *t)
{
	return queue_progress(t->q, &t->prog, t->err);
}

/* Fetch the next document from the queue and lay it out. */
int tui_show_next(struct tui *t)
{
	int rc = queue_next(t->q, &t->item, t->err);

	if (rc < 0)
		return -1;
	clear_doc_state(t);
	if (rc == 0) {
		t->item = NULL;
		t->mode = MODE_DONE;
		termsafe_clean(&t->body, "", 0, 0);
		if (queue_waiting(t->q, &t->waiting, t->err))
			return -1;
	} else {
		t->mode = MODE_DOC;
		preselect(t);
		/* an over-long text is shown cut at the cap, still safe */
		termsafe_clean(&t->body, t->item->text, t->item->len, 0);
	}
	if (wrap_text(&t->wrap, t->body.text.data, t->body.text.len, COLS))
		return sl_error(t->err, "out of memory wrapping the text");
	t->shown = t->renewed = clock_mono();
	return progress(t);
}

int tui_decide(struct tui *t, const char *answer, const char *const *labels,
	       size_t nlabels)
{
	struct decision d = {
		.answer = answer,
		.labels = labels,
		.nlabels = nlabels,
		.note = t->note.len ? t->note.data : NULL,
		.flagged = t->flagged,
		.seconds = clock_mono() - t->shown,
	};

	if (!t->item)
		return 0;
	if (queue_decide(t->q, t->item->doc, &d, t->err)) {
		/* e.g. the session was stopped past its lease and another
		 * annotator took the document: say so and go on; a store
		 * that cannot be read ends the session in tui_show_next */
		char why[sizeof(t->msg)];

		snprintf(why, sizeof(why), "not saved: %.200s", t->err->msg);
		if (tui_show_next(t))
			return -1;
		memcpy(t->msg, why, sizeof(why));
		return 0;
	}
	return tui_show_next(t);
}

static int decide_picked(struct tui *t)
{
	const char *labels[TASK_MAX_LABELS];
	size_t n = 0;

	for (size_t i = 0; i < t->task->nlabels; i++)
		if (t->picked[i])
			labels[n++] = t->task->labels[i];
	return tui_decide(t, "accept", labels, n);
}

static int undo(struct tui *t)
{
	int64_t doc;
	int rc = queue_undo(t->q, &doc, t->err);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(t->msg, sizeof(t->msg),
			 "nothing to undo in this session");
		return 0;
	}
	if (tui_show_next(t))
		return -1;
	snprintf(t->msg, sizeof(t->msg), "undone: decide this one again");
	return 0;
}

static int skip(struct tui *t)
{
	if (!t->item)
		return 0;
	if (queue_skip(t->q, t->item->doc, t->err))
		return -1;
	return tui_show_next(t);
}

/* --- reading ------------------------------------------------------- */

static void scroll_to(struct tui *t, long line)
{
	long rows = tui_text_rows(), last = (long)t->wrap.n - rows;

	if (line > last)
		line = last;
	if (line < 0)
		line = 0;
	t->top = (size_t)line;
}

/* Next (dir 1) or previous (-1) match from the current one, wrapping. */
static void find(struct tui *t, int dir, int from_here)
{
	size_t n = t->body.text.len, start, off;

	if (!t->query.len || !n)
		return;
	start = from_here ? t->match : (t->match + (dir > 0 ? 1 : n - 1)) % n;
	for (size_t k = 0; k < n; k++) {
		off = dir > 0 ? (start + k) % n : (start + n - k) % n;
		if (tui_match_at(t, off)) {
			t->match = off;
			t->searching = 1;
			/* the match a third of the way down the text area */
			scroll_to(t, (long)wrap_line_at(&t->wrap, off) -
					     tui_text_rows() / 3);
			t->msg[0] = '\0';
			return;
		}
	}
	t->searching = 0;
	snprintf(t->msg, sizeof(t->msg), "not found: %.200s",
		 t->query.data);
}

/* --- the one-line editor ----------------------------------------- */

static void renew(struct tui *t)
{
	double now = clock_mono(), every = t->o->lease_seconds / 3;

	if (every <= 0)
		every = QUEUE_LEASE_DEFAULT / 3;
	if (t->item && now - t->renewed >= every) {
		/* a failed renewal is not fatal: the decision still goes in
		 * if nobody took the document meanwhile */
		if (queue_renew(t->q, t->err))
			snprintf(t->msg, sizeof(t->msg), "%.200s", t->err->msg);
		t->renewed = now;
	}
}

/* Edit out on the last row after prompt; 1 on Enter, 0 on Esc. */
static int edit_line(struct tui *t, const char *prompt, struct buf *out)
{
	char u8[4];
	wint_t c;
	int rc, w;

	buf_reset(out);
	buf_add(out, "", 0);
	for (;;) {
		int plen = (int)strlen(prompt), y = LINES - 1;
		size_t from = 0;

		/* the tail of the text when it is wider than the row */
		while (wrap_strwidth(out->data + from, out->len - from) >
		       (size_t)(COLS - plen - 2) && from < out->len) {
			size_t l;

			utf8_decode(out->data + from, out->len - from, &l);
			from += l;
		}
		move(y, 0);
		clrtoeol();
		addnstr(prompt, COLS);
		w = tui_put_field(t, y, plen, COLS - plen - 1,
				  out->data + from, out->len - from, A_NORMAL);
		move(y, plen + w);
		curs_set(1);
		refresh();
		rc = get_wch(&c);
		renew(t);
		if (rc == ERR)
			continue;
		if (rc == KEY_CODE_YES && c == KEY_RESIZE) {
			tui_rewrap(t);
			tui_draw(t);
			continue;
		}
		if (c == KEY_ESC || (rc == OK && c == CTRL('c')) ||
		    (rc == OK && c == CTRL('g'))) {
			curs_set(0);
			return 0;
		}
		if ((rc == OK && (c == '\n' || c == '\r')) ||
		    (rc == KEY_CODE_YES && c == KEY_ENTER)) {
			curs_set(0);
			return 1;
		}
		if ((rc == KEY_CODE_YES && c == KEY_BACKSPACE) ||
		    (rc == OK && (c == 127 || c == 8))) {
			/* drop the last code point */
			while (out->len && ((unsigned char)out->data[out->len - 1]
					    & 0xC0) == 0x80)
				out->len--;
			if (out->len)
				out->len--;
			out->data[out->len] = '\0';
			continue;
		}
		if (rc == OK && c == CTRL('u')) {
			buf_reset(out);
			buf_add(out, "", 0);
			continue;
		}
		if (rc != OK || c < 0x20 || c > 0x10FFFF ||
		    (c >= 0xD800 && c <= 0xDFFF))
			continue;
		if (out->len + 4 <= TUI_NOTE_MAX)
			buf_add(out, u8, utf8_encode((uint32_t)c, u8));
	}
}

/* --- pages: help and guidelines ---------------------------------- */

static int open_page(struct tui *t, const char *title, const char *text)
{
	t->page_title = title;
	if (termsafe_clean(&t->page, text, strlen(text), 0) ||
	    wrap_text(&t->page_wrap, t->page.text.data, t->page.text.len,
		      COLS))
		return sl_error(t->err, "out of memory laying out the %s",
				title);
	t->page_top = 0;
	t->mode = MODE_PAGE;
	return 0;
}

static void page_key(struct tui *t, int rc, wint_t c)
{
	long rows = LINES - 2, top = (long)t->page_top;
	long last = (long)t->page_wrap.n - rows;

	if (rc == OK && (c == 'q' || c == KEY_ESC || c == 'h' || c == '?'))
		t->mode = t->item ? MODE_DOC : MODE_DONE;
	else if ((rc == OK && c == 'j') || (rc == KEY_CODE_YES && c == KEY_DOWN))
		top++;
	else if ((rc == OK && c == 'k') || (rc == KEY_CODE_YES && c == KEY_UP))
		top--;
	else if ((rc == OK && c == ' ') || (rc == KEY_CODE_YES && c == KEY_NPAGE))
		top += rows;
	else if (rc == KEY_CODE_YES && c == KEY_PPAGE)
		top -= rows;
	else if (rc == OK && c == 'g')
		top = 0;
	else if (rc == OK && c == 'G')
		top = last;
	if (top > last)
		top = last;
	t->page_top = top < 0 ? 0 : (size_t)top;
}

/* --- keys ---------------------------------------------------------- */

static int scroll_key(struct tui *t, int rc, wint_t c)
{
	long rows = tui_text_rows(), top = (long)t->top;

	if (rc == KEY_CODE_YES) {
		switch (c) {
		case KEY_DOWN: scroll_to(t, top + 1); return 1;
		case KEY_UP: scroll_to(t, top - 1); return 1;
		case KEY_NPAGE: scroll_to(t, top + rows - 1); return 1;
		case KEY_PPAGE: scroll_to(t, top - rows + 1); return 1;
		case KEY_HOME: scroll_to(t, 0); return 1;
		case KEY_END: scroll_to(t, (long)t->wrap.n); return 1;
		}
		return 0;
	}
	switch (c) {
	case 'j': scroll_to(t, top + 1); return 1;
	case 'k': scroll_to(t, top - 1); return 1;
	case 'g': scroll_to(t, 0); return 1;
	case 'G': scroll_to(t, (long)t->wrap.n); return 1;
	case ' ':
		if (t->task->kind == TASK_BINARY)
			return 0;
		scroll_to(t, top + rows - 1);
		return 1;
	}
	return 0;
}

static int label_key(struct tui *t, wint_t c)
{
	const struct task *k = t->task;
	size_t i;

	if (k->kind == TASK_BINARY) {
		const char *const one[] = { k->labels[0] };

		if (c == 'a')
			return tui_decide(t, "accept", one, 1);
		if (c == 'x')
			return tui_decide(t, "reject", NULL, 0);
		if (c == ' ')
			return tui_decide(t, "ignore", NULL, 0);
		return 0;
	}
	if (c >= '1' && c <= '9') {
		i = (size_t)(c - '1');
		if (i >= k->nlabels)
			return 0;
		if (k->kind == TASK_MULTI) {
			t->picked[i] = !t->picked[i];
			return 0;
		}
		return tui_decide(t, "accept",
				  (const char *const *)&k->labels[i], 1);
	}
	if (c == '\n' || c == '\r' || c == KEY_ENTER) {
		/* multi-label: the toggles; single-label: the label an undo
		 * preselected, so Enter repeats the old answer */
		size_t n = 0;

		for (i = 0; i < k->nlabels; i++)
			n += t->picked[i] != 0;
		if (k->kind == TASK_MULTI || n == 1)
			return decide_picked(t);
	}
	return 0;
}

/* One key in MODE_DOC or MODE_DONE; -1 on a store error. */
static int doc_key(struct tui *t, int rc, wint_t c)
{
	if (t->searching && rc == OK && (c == 'n' || c == 'N')) {
		find(t, c == 'n' ? 1 : -1, 0);
		return 0;
	}
	if (rc == OK && c == KEY_ESC) {
		t->searching = 0;
		return 0;
	}
	if ((rc == OK && (c == 'u' || c == 127 || c == 8)) ||
	    (rc == KEY_CODE_YES && c == KEY_BACKSPACE))
		return undo(t);
	if (rc == OK && (c == 'q' || c == CTRL('c'))) {
		t->quit = 1;
		return 0;
	}
	if (rc == OK && c == '?')
		return open_page(t, "help", help_text);
	if (rc == OK && c == 'h')
		return open_page(t, "guidelines", t->task->guidelines ?
				 t->task->guidelines :
				 "This task has no guidelines.\n\n(Give them "
				 "with 'sluice task create --guidelines "
				 "FILE'.)\n");
	if (!t->item)
		return 0;
	if (scroll_key(t, rc, c))
		return 0;
	if (rc == KEY_CODE_YES && c == KEY_ENTER)
		return label_key(t, c);
	if (rc != OK)
		return 0;
	switch (c) {
	case 's':
		return skip(t);
	case 'f':
		t->flagged = !t->flagged;
		return 0;
	case 'n': {
		struct buf note;

		buf_init(&note, TUI_NOTE_MAX + 8);
		if (edit_line(t, "note: ", &note)) {
			buf_reset(&t->note);
			buf_add(&t->note, note.data, note.len);
		}
		buf_release(&note);
		return 0;
	}
	case '/':
		if (edit_line(t, "/", &t->query) && t->query.len) {
			t->match = t->top < t->wrap.n ?
				   t->wrap.lines[t->top].off : 0;
			find(t, 1, 1);
		}
		return 0;
	}
	return label_key(t, c);
}

static int key(struct tui *t, int rc, wint_t c)
{
	if (rc == KEY_CODE_YES && c == KEY_RESIZE)
		return tui_rewrap(t) ? sl_error(t->err, "out of memory") : 0;
	if (rc == OK && c == CTRL('l')) {
		clearok(curscr, TRUE);
		return 0;
	}
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		if (rc == OK && c == 'q')
			t->quit = 1;
		return 0;
	}
	t->msg[0] = '\0';
	if (t->mode == MODE_PAGE) {
		page_key(t, rc, c);
		return 0;
	}
	return doc_key(t, rc, c);
}

/* --- the loop ------------------------------------------------------ */

void tui_release(struct tui *t)
{
	termsafe_release(&t->body);
	termsafe_release(&t->field);
	termsafe_release(&t->page);
	wrap_release(&t->wrap);
	wrap_release(&t->page_wrap);
	buf_release(&t->note);
	buf_release(&t->query);
}

void tui_init(struct tui *t, struct store *st, const struct task *k,
	      struct queue *q, const struct tui_opts *o, struct sl_err *err)
{
	const char *cs = nl_langinfo(CODESET);

	memset(t, 0, sizeof(*t));
	t->st = st;
	t->task = k;
	t->q = q;
	t->o = o;
	t->err = err;
	/* the cap keeps a hostile 1 GB document from taking 10 GB */
	termsafe_init(&t->body, 256u << 20);
	termsafe_init(&t->field, 1u << 20);
	termsafe_init(&t->page, 16u << 20);
	wrap_init(&t->wrap);
	wrap_init(&t->page_wrap);
	buf_init(&t->note, TUI_NOTE_MAX + 8);
	buf_init(&t->query, TUI_NOTE_MAX + 8);
	buf_add(&t->note, "", 0);
	buf_add(&t->query, "", 0);
	t->ascii = !cs || (strcmp(cs, "UTF-8") && strcmp(cs, "utf8"));
	t->started = clock_mono();
}

int tui_run(struct store *st, const struct task *k, struct queue *q,
	    const struct tui_opts *o, struct sl_err *err)
{
	struct tui t;
	wint_t c;
	int rc = 0, krc;

	tui_init(&t, st, k, q, o, err);
	/* WAL checkpoints after the next document is drawn, never between
	 * the keypress and the screen (db.h) */
	if (st)
		store_defer_checkpoints(st);
	set_escdelay(25);
	if (!initscr()) {
		tui_release(&t);
		return sl_error(err, "cannot start the terminal screen");
	}
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(500);
	tui_colors(&t);
	if (tui_show_next(&t))
		rc = -1;
	while (!rc && !t.quit) {
		tui_draw(&t);
		/* the screen is up: checkpoint while the annotator reads */
		if (st)
			store_checkpoint(st);
		krc = get_wch(&c);
		renew(&t);
		if (krc != ERR) {
			if (key(&t, krc, c))
				rc = -1;
			continue;
		}
		if (t.mode == MODE_DONE &&
		    clock_mono() - t.shown >= (t.waiting ? TUI_DONE_POLL
					       : TUI_DONE_POLL_IDLE)) {
			/* documents others held may be free again */
			if (tui_show_next(&t))
				rc = -1;
		}
	}
	endwin();
	if (st)
		store_checkpoint(st);
	tui_release(&t);
	return rc;
}
