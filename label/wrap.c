/*
 * wrap.c: greedy line breaking by terminal columns (rules in wrap.h).
 *
 * One pass per paragraph.  While filling a line we remember the last place
 * it may end (brk_end, with its width brk_cols) and where the next line
 * then starts (brk_next: after the run of spaces, or at the wide
 * character).  When the next character would overflow, the line ends at
 * the last break, or right there when the line has none (a hard break in
 * an over-long word).  Zero-width characters never overflow, so a base
 * character and its combining marks are never split.
 */
#include "wrap.h"

#include <stdint.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "../lib/buf.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

/* Closing punctuation that must not start a line (a small part of the
 * Japanese kinsoku rule; CJK text breaks anywhere else). */
static int no_line_start(int cp)
{
	switch (cp) {
	case 0x3001: case 0x3002: case 0xFF0C: case 0xFF0E: case 0xFF01:
	case 0xFF1F: case 0xFF1A: case 0xFF1B: case 0xFF09: case 0x300D:
	case 0x300F: case 0x3011: case 0x3009: case 0x300B: case 0x30FC:
	case 0xFF5E:
		return 1;
	}
	return 0;
}

int wrap_cpwidth(int cp)
{
	int w = utf8proc_charwidth(cp);

	return w < 0 ? 1 : w > 2 ? 2 : w;
}

size_t wrap_strwidth(const char *s, size_t n)
{
	size_t i = 0, len, cols = 0;
	int cp;

	while (i < n) {
		cp = utf8_decode(s + i, n - i, &len);
		cols += cp < 0 ? 1 : (size_t)wrap_cpwidth(cp);
		i += len;
	}
	return cols;
}

void wrap_init(struct wrap *w)
{
	w->lines = NULL;
	w->n = w->alloc = 0;
	w->width = 0;
}

void wrap_release(struct wrap *w)
{
	free(w->lines);
	wrap_init(w);
}

static int add_line(struct wrap *w, size_t off, size_t len, int cols)
{
	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 64;
		struct wrap_line *l = realloc(w->lines, na * sizeof(*l));

		if (!l)
			return BUF_NOMEM;
		w->lines = l;
		w->alloc = na;
	}
	w->lines[w->n].off = off;
	w->lines[w->n].len = len;
	w->lines[w->n].cols = cols;
	w->n++;
	return 0;
}

/* Wrap one paragraph s[pos..end) (no '\n' inside). */
static int wrap_para(struct wrap *w, const char *s, size_t pos, size_t end,
		     int width)
{
	if (pos == end)
		return add_line(w, pos, 0, 0);
	while (pos < end) {
		size_t cur = pos, brk_end = 0, brk_next = 0, len;
		int cols = 0, brk_cols = 0, have_brk = 0, prev_wide = 0;
		int cp, cw, rc;

		while (cur < end) {
			if ((unsigned char)s[cur] < 0x80) {
				cp = s[cur];	/* ASCII: no table lookup */
				len = 1;
				cw = cp >= 0x20 && cp < 0x7f;
			} else {
				cp = utf8_decode(s + cur, end - cur, &len);
				cw = cp < 0 ? 1 : wrap_cpwidth(cp);
			}
			if (cp == ' ') {
				size_t nx = cur;

				while (nx < end && s[nx] == ' ')
					nx++;
				if (cur > pos) {
					have_brk = 1;
					brk_end = cur;
					brk_cols = cols;
					brk_next = nx;
				}
			} else if (cw > 0 && cur > pos &&
				   (cw == 2 || prev_wide) &&
				   !no_line_start(cp)) {
				have_brk = 1;
				brk_end = brk_next = cur;
				brk_cols = cols;
			}
			if (cw > 0 && cols > 0 && cols + cw > width)
				break;
			cols += cw;
			if (cw > 0)
				prev_wide = cw == 2;
			cur += len;
		}
		if (cur >= end) {
			/* the rest fits; spaces at the end of a paragraph
			 * stay (they are invisible and harmless) */
			return add_line(w, pos, end - pos, cols);
		}
		if (have_brk) {
			rc = add_line(w, pos, brk_end - pos, brk_cols);
			pos = brk_next;
		} else {
			rc = add_line(w, pos, cur - pos, cols);
			pos = cur;
		}
		if (rc)
			return rc;
	}
	return 0;
}

int wrap_text(struct wrap *w, const char *s, size_t n, int width)
{
	size_t pos = 0, nl;
	int rc;

	w->n = 0;
	w->width = width < 1 ? 1 : width;
	while (pos < n) {
		for (nl = pos; nl < n && s[nl] != '\n'; nl++)
			;
		if ((rc = wrap_para(w, s, pos, nl, w->width)))
			return rc;
		pos = nl + 1;
	}
	return 0;
}

size_t wrap_line_at(const struct wrap *w, size_t off)
{
	size_t lo = 0, hi = w->n;

	/* the last line starting at or before off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->lines[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}
