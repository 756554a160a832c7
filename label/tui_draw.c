/*
 * tui_draw.c: the screen of the labelling UI (layout in tui.h).
 *
 * All text goes out through put_safe(), which takes text that
 * termsafe_clean() made (so nothing in it can drive the terminal), walks it
 * one code point at a time with the widths of label/wrap.h, clips at the
 * given width, and sends runs of one attribute with waddnwstr(): escapes
 * shown for hidden bytes get their own attribute, search matches another.
 * The screen is redrawn whole on every key (erase() then refresh():
 * ncurses sends only the cells that changed).
 */
#include <curses.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tui_int.h"
#include "../lib/clock.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

enum { PAIR_HEAD = 1, PAIR_ESC, PAIR_MATCH, PAIR_PICK, PAIR_WARN };

static attr_t a_head, a_esc, a_match, a_pick, a_warn;

void tui_colors(struct tui *t)
{
	t->color = !t->o->no_color && has_colors() && start_color() == OK;
	if (t->color) {
		use_default_colors();
		init_pair(PAIR_HEAD, COLOR_WHITE, COLOR_BLUE);
		init_pair(PAIR_ESC, COLOR_BLACK, COLOR_YELLOW);
		init_pair(PAIR_MATCH, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_PICK, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_WARN, COLOR_RED, -1);
		a_head = COLOR_PAIR(PAIR_HEAD) | A_BOLD;
		a_esc = COLOR_PAIR(PAIR_ESC);
		a_match = COLOR_PAIR(PAIR_MATCH);
		a_pick = COLOR_PAIR(PAIR_PICK) | A_BOLD;
		a_warn = COLOR_PAIR(PAIR_WARN) | A_BOLD;
	} else {
		/* NO_COLOR: the same distinctions with attributes only */
		a_head = A_BOLD;
		a_esc = A_REVERSE;
		a_match = A_UNDERLINE | A_BOLD;
		a_pick = A_REVERSE | A_BOLD;
		a_warn = A_BOLD;
	}
}

int tui_text_rows(void)
{
	return LINES - TUI_HEAD_ROWS - TUI_FOOT_ROWS;
}

int tui_match_at(const struct tui *t, size_t off)
{
	const char *q = t->query.data;
	size_t n = t->query.len;

	if (!n || off + n > t->body.text.len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)t->body.text.data[off + i];
		unsigned char b = (unsigned char)q[i];

		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return 0;
	}
	return 1;
}

struct run {
	wchar_t w[128];
	int n;
	attr_t a;
};

static void flush(struct run *r)
{
	if (!r->n)
		return;
	attrset(r->a);
	addnwstr(r->w, r->n);
	r->n = 0;
}

static void run_add(struct run *r, wchar_t c, attr_t a)
{
	if (r->n && (a != r->a || r->n == (int)(sizeof(r->w) /
						 sizeof(r->w[0]))))
		flush(r);
	r->a = a;
	r->w[r->n++] = c;
}

/* Draw safe text s[0..n) at the cursor in at most maxw columns.  esc: the
 * termsafe attribute bytes (or NULL); hl: s is the body from offset
 * hl_off and search matches are highlighted (else hl_off = SIZE_MAX). */
static int put_safe(struct tui *t, const char *s, const char *esc, size_t n,
		    int maxw, attr_t base, size_t hl_off)
{
	struct run r = { .n = 0 };
	size_t i = 0, len, hl_until = 0;
	int cols = 0;

	if (hl_off != SIZE_MAX && t->searching) {
		size_t back = t->query.len > hl_off ? hl_off : t->query.len;

		/* a match that starts on the line before ends on this one */
		for (size_t p = hl_off - back; p < hl_off; p++)
			if (tui_match_at(t, p))
				hl_until = p + t->query.len;
	}
	while (i < n) {
		int cp = utf8_decode(s + i, n - i, &len), w;
		attr_t a = base;

		if (cp < 0)
			cp = 0xFFFD;
		w = wrap_cpwidth(cp);
		if (cols + w > maxw)
			break;
		if (hl_off != SIZE_MAX && t->searching &&
		    tui_match_at(t, hl_off + i))
			hl_until = hl_off + i + t->query.len;
		if (esc && esc[i] == TERMSAFE_ESC)
			a = a_esc;
		if (hl_off != SIZE_MAX && hl_off + i < hl_until)
			a = a_match;
		if (t->ascii && cp > 0x7e) {
			/* no wide output in this locale: keep the columns */
			if (w == 0) {
				i += len;
				continue;
			}
			cp = '?';
			if (w == 2)
				run_add(&r, L'?', a);
		}
		run_add(&r, (wchar_t)cp, a);
		cols += w;
		i += len;
	}
	flush(&r);
	attrset(A_NORMAL);
	return cols;
}

int tui_put_field(struct tui *t, int y, int x, int maxw, const char *s,
		  size_t n, int a)
{
	if (maxw <= 0 || !s)
		return 0;
	if (termsafe_clean(&t->field, s, n, TERMSAFE_LINE) &&
	    !t->field.text.len)
		return 0;
	move(y, x);
	return put_safe(t, t->field.text.data, t->field.attr.data,
			t->field.text.len, maxw, (attr_t)a, SIZE_MAX);
}

/* A field "s" (NUL-terminated) after the cursor. */
static void field_at_cursor(struct tui *t, const char *s, attr_t a)
{
	int y, x;

	getyx(stdscr, y, x);
	if (s)
		tui_put_field(t, y, x, COLS - x, s, strlen(s), (int)a);
}

static void label_keys(struct tui *t, int y)
{
	const struct task *k = t->task;
	char key[32];

	move(y, 0);
	if (k->kind == TASK_BINARY) {
		addstr("a ");
		attrset(a_pick);
		field_at_cursor(t, k->labels[0], a_pick);
		attrset(A_NORMAL);
		addstr("  x reject  space ignore");
		if (t->item && t->item->prev_answer) {
			addstr("  (was ");
			field_at_cursor(t, t->item->prev_answer, A_NORMAL);
			addstr(")");
		}
		return;
	}
	for (size_t i = 0; i < k->nlabels; i++) {
		int x;

		snprintf(key, sizeof(key), "%s%zu ", i ? "  " : "", i + 1);
		addstr(key);
		getyx(stdscr, y, x);
		tui_put_field(t, y, x, COLS - x, k->labels[i],
			      strlen(k->labels[i]),
			      (int)(t->picked[i] ? a_pick : A_NORMAL));
	}
	if (k->kind == TASK_MULTI)
		addstr("  Enter saves");
}

static void answers(struct tui *t, int y)
{
	move(y, 0);
	addstr("answers: ");
	for (size_t i = 0; t->item && i < t->item->nanswers; i++) {
		if (i)
			addstr(" | ");
		field_at_cursor(t, t->item->answers[i], a_pick);
	}
}

static void header(struct tui *t)
{
	const struct queue_item *it = t->item;
	char sc[64];

	attrset(a_head);
	move(0, 0);
	hline(' ' | a_head, COLS);
	addstr(t->o->review ? " review " : " task ");
	field_at_cursor(t, t->task->name, a_head);
	if (it) {
		attrset(a_head);
		addstr("  doc ");
		field_at_cursor(t, it->id, a_head);
		attrset(a_head);
		addstr("  lang ");
		field_at_cursor(t, it->lang ? it->lang : "-", a_head);
		attrset(a_head);
		addstr("  source ");
		field_at_cursor(t, it->source ? it->source : "-", a_head);
	}
	attrset(A_NORMAL);
	if (!it)
		return;
	move(1, 0);
	addstr("url ");
	field_at_cursor(t, it->url ? it->url : "-", A_NORMAL);
	if (t->o->review) {
		/* the reviewer needs the answers more than the verdicts */
		answers(t, 2);
		label_keys(t, 3);
		move(4, 0);
		hline(ACS_HLINE, COLS);
		return;
	}
	move(2, 0);
	if (it->suggest || !isnan(it->score)) {
		addstr("model ");
		field_at_cursor(t, it->suggest ? it->suggest : "?", a_pick);
		snprintf(sc, sizeof(sc), " %.2f  ", it->score);
		addstr(isnan(it->score) ? "  " : sc);
	}
	field_at_cursor(t, it->verdicts && *it->verdicts ? it->verdicts
			: "no filter verdicts", A_NORMAL);
	label_keys(t, 3);
	move(4, 0);
	hline(ACS_HLINE, COLS);
}

static void body(struct tui *t)
{
	int rows = tui_text_rows();

	for (int r = 0; r < rows && t->top + (size_t)r < t->wrap.n; r++) {
		const struct wrap_line *l = &t->wrap.lines[t->top + (size_t)r];

		move(TUI_HEAD_ROWS + r, 0);
		put_safe(t, t->body.text.data + l->off,
			 t->body.attr.data + l->off, l->len, COLS, A_NORMAL,
			 l->off);
	}
}

static void page(struct tui *t)
{
	int rows = LINES - 2;

	attrset(a_head);
	move(0, 0);
	hline(' ' | a_head, COLS);
	addstr(" ");
	addstr(t->page_title);
	addstr("   j/k scroll, q or Esc back");
	attrset(A_NORMAL);
	for (int r = 0; r < rows && t->page_top + (size_t)r < t->page_wrap.n;
	     r++) {
		const struct wrap_line *l =
			&t->page_wrap.lines[t->page_top + (size_t)r];

		move(1 + r, 0);
		put_safe(t, t->page.text.data + l->off,
			 t->page.attr.data + l->off, l->len, COLS, A_NORMAL,
			 SIZE_MAX);
	}
}

static void status(struct tui *t)
{
	char s[256];
	double hours = (clock_mono() - t->started) / 3600.0;
	long rate = hours > 0 ? (long)(t->prog.mine_session / hours + 0.5) : 0;
	int n;

	n = snprintf(s, sizeof(s), " %ld/%ld done  session %ld  %ld/h",
		     t->prog.done, t->prog.total, t->prog.mine_session, rate);
	if (t->mode == MODE_DOC && t->wrap.n > (size_t)tui_text_rows())
		n += snprintf(s + n, sizeof(s) - (size_t)n, "  line %zu/%zu",
			      t->top + 1, t->wrap.n);
	attrset(a_head);
	move(LINES - 2, 0);
	hline(' ' | a_head, COLS);
	addnstr(s, COLS);
	addstr("  ");
	field_at_cursor(t, t->o->annotator, a_head);
	attrset(a_head);
	if (t->flagged)
		addstr("  [flagged]");
	if (t->note.len) {
		int y, x;

		addstr("  note: ");
		getyx(stdscr, y, x);
		tui_put_field(t, y, x, COLS - x, t->note.data, t->note.len,
			      (int)a_head);
	}
	attrset(A_NORMAL);
}

static const char *keys_hint(const struct tui *t)
{
	if (t->mode == MODE_DONE)
		return "u undo  q quit  ? help";
	if (t->searching)
		return "n/N next/previous match  Esc ends the search";
	if (t->task->kind == TASK_BINARY)
		return "a accept x reject spc ignore u undo s skip n note "
		       "f flag / search h guide ? help q quit";
	return "1-9 label u undo s skip n note f flag j/k scroll / search "
	       "h guide ? help q quit";
}

static void footer(struct tui *t)
{
	move(LINES - 1, 0);
	if (t->msg[0]) {
		tui_put_field(t, LINES - 1, 0, COLS, t->msg, strlen(t->msg),
			      (int)a_warn);
		return;
	}
	addnstr(keys_hint(t), COLS);
}

static void done_text(const struct tui *t)
{
	char s[160];
	int y = TUI_HEAD_ROWS + 1;

	if (t->waiting) {
		snprintf(s, sizeof(s), "Nothing left for you right now: %ld "
			 "document%s on other annotators' screens", t->waiting,
			 t->waiting == 1 ? " is" : "s are");
		mvaddnstr(y++, 2, s, COLS - 2);
		mvaddnstr(y++, 2, "may come back to you; looking again every "
			  "3 seconds.", COLS - 2);
	} else {
		mvaddnstr(y++, 2, "Nothing left to label in this task for you.",
			  COLS - 2);
	}
	mvaddnstr(y + 1, 2, "q quits; u takes back your last decision.",
		  COLS - 2);
}

static void too_small(void)
{
	const char *m = "terminal too small", *need = "(need 40x10)";
	int y = LINES / 2 > 0 ? LINES / 2 - 1 : 0;

	erase();
	mvaddnstr(y, 0, m, COLS);
	if (COLS > (int)(strlen(m) + strlen(need)))
		mvaddnstr(y, (int)strlen(m) + 1, need, COLS);
	else
		mvaddnstr(y + 1, 0, need, COLS);
	refresh();
}

void tui_draw(struct tui *t)
{
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		too_small();
		return;
	}
	erase();
	if (t->mode == MODE_PAGE) {
		page(t);
	} else {
		header(t);
		if (t->mode == MODE_DONE) {
			done_text(t);
		} else {
			body(t);
		}
		status(t);
	}
	footer(t);
	refresh();
}

int tui_rewrap(struct tui *t)
{
	size_t off = t->top < t->wrap.n ? t->wrap.lines[t->top].off : 0;
	int rc;

	if ((rc = wrap_text(&t->wrap, t->body.text.data, t->body.text.len,
			    COLS)))
		return rc;
	t->top = wrap_line_at(&t->wrap, off);
	if (t->mode == MODE_PAGE &&
	    (rc = wrap_text(&t->page_wrap, t->page.text.data,
			    t->page.text.len, COLS)))
		return rc;
	return 0;
}
