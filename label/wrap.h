/*
 * wrap.h: break terminal-safe text into screen lines of a given width.
 *
 * Input is the output of termsafe_clean(): valid UTF-8, '\n' the only
 * control.  Widths are terminal columns from libutf8proc's
 * utf8proc_charwidth() (CJK and wide emoji 2, combining marks 0), the same
 * on every machine, not the C library's locale-dependent wcwidth().
 *
 * Where lines break:
 *   - at '\n' always; an empty paragraph is an empty line, a trailing '\n'
 *     adds no line;
 *   - at a run of spaces (the spaces are dropped at the break; indentation
 *     at the start of a paragraph is kept);
 *   - before or after any wide character (CJK has no spaces), except
 *     before closing punctuation such as '。' or '）';
 *   - inside a word only when the word alone is wider than the line (a
 *     hard break), never between a character and its combining marks.
 * A line is never empty unless its paragraph is, so a character wider than
 * the whole width still gets a line of its own (cols > width then).
 *
 *   struct wrap w;
 *   wrap_init(&w);
 *   if (wrap_text(&w, ts.text.data, ts.text.len, COLS)) ...   // BUF_NOMEM
 *   for (i = 0; i < w.n; i++) draw(text + w.lines[i].off, w.lines[i].len);
 *   wrap_release(&w);
 *
 * wrap_text() replaces the previous lines (memory is reused), so a resize
 * re-wraps without allocating.  Lines point into the caller's text by
 * offset; the text must outlive the use of the lines.
 */
#ifndef SL_WRAP_H
#define SL_WRAP_H

#include <stddef.h>

struct wrap_line {
	size_t off;	/* first byte in the text */
	size_t len;	/* bytes, without the dropped spaces or '\n' */
	int cols;	/* terminal columns the bytes take */
};

struct wrap {
	struct wrap_line *lines;
	size_t n, alloc;
	int width;	/* of the last wrap_text() */
};

void wrap_init(struct wrap *w);
void wrap_release(struct wrap *w);

/* Wrap s[0..n) to width columns (at least 1); 0 or BUF_NOMEM. */
int wrap_text(struct wrap *w, const char *s, size_t n, int width);

/* Index of the line holding byte off (the line before it when off falls
 * in dropped spaces); 0 when there are no lines. */
size_t wrap_line_at(const struct wrap *w, size_t off);

/* Columns cp takes on the screen: 0, 1 or 2. */
int wrap_cpwidth(int cp);

/* Columns of the UTF-8 string s[0..n) (invalid bytes count 1). */
size_t wrap_strwidth(const char *s, size_t n);

#endif
