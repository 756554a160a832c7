/*
 * normalize.c: the first stage: one canonical form of the text, which every
 * later stage and the exporter see (the original stays in the store).
 *
 *   - Unicode NFC (or NFKC with nfkc = true), via utf8proc;
 *   - control characters removed, except newline and tab; zero-width
 *     characters (U+200B..U+200D, U+2060, U+FEFF) and bidi controls
 *     (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F) removed;
 *   - line endings unified: CRLF, CR, U+0085, U+2028, U+2029 -> LF;
 *   - runs of horizontal white space (tab, U+00A0, U+3000, every Zs) -> one
 *     space; spaces at line ends dropped; more than max_blank_lines empty
 *     lines in a row cut; leading and trailing blank space trimmed.
 *
 * A document that is empty afterwards is dropped ("empty").
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "stage.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

struct normalize_conf {
	int nfkc;
	int collapse_spaces;
	long max_blank_lines;
};

static const struct stage_opt opts[] = {
	{ "nfkc", OPT_BOOL, offsetof(struct normalize_conf, nfkc), "false",
	  "NFKC instead of NFC (folds compatibility forms: full-width "
	  "Latin, ligatures)", 1, 0 },
	{ "collapse_spaces", OPT_BOOL,
	  offsetof(struct normalize_conf, collapse_spaces), "true",
	  "runs of horizontal white space become one space", 1, 0 },
	{ "max_blank_lines", OPT_INT,
	  offsetof(struct normalize_conf, max_blank_lines), "1",
	  "most empty lines kept in a row", 0, 100 },
	{ 0 },
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	*state = malloc(sizeof(struct normalize_conf));
	if (!*state)
		return sl_error(err, "out of memory");
	memcpy(*state, conf, sizeof(struct normalize_conf));
	return 0;
}

static void close_(void *state)
{
	free(state);
}

/* Per worker: the NFC text before tidying, reused. */
static void *scratch_new(const void *state)
{
	struct buf *b = malloc(sizeof(*b));

	if (b)
		buf_init(b, 0);
	return b;
}

static void scratch_free(void *p)
{
	buf_release(p);
	free(p);
}

static int dropped_char(utf8proc_int32_t c)
{
	if (c == '\n' || c == '\t' || c == '\r')
		return 0;
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return c != 0x85;	/* NEL is a line break */
	return (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static int line_break(utf8proc_int32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

static int hspace(utf8proc_int32_t c)
{
	return c == ' ' || c == '\t' ||
	       (c > 0x7F && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS);
}

/* Clean up white space and drop unwanted characters of NFC text p[0..n).
 * The result is never longer than p (every byte written stands for at
 * least one byte read), so it is written straight into out's memory.
 * *dropped: whether a character was dropped (its neighbours may now
 * compose). */
static int tidy(const struct normalize_conf *cf, const char *p, size_t n,
		struct buf *out, int *dropped)
{
	size_t i = 0, blank = 0;
	int pending_space = 0, at_line_start = 1, any = 0;
	char *o;

	if (buf_grow(out, n + 1))
		return -1;
	o = out->data + out->len;
	while (i < n) {
		size_t len = 1;
		unsigned char b = (unsigned char)p[i];
		int32_t c;

		if (b > 0x20 && b < 0x7F) {	/* a run of visible ASCII */
			if (pending_space && !at_line_start)
				*o++ = ' ';
			pending_space = at_line_start = 0;
			blank = 0;
			any = 1;
			do
				*o++ = p[i++];
			while (i < n && (unsigned char)p[i] > 0x20 &&
			       (unsigned char)p[i] < 0x7F);
			continue;
		}
		c = b < 0x80 ? b : utf8_decode(p + i, n - i, &len);
		if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			i++;
			continue;	/* the LF that follows does it */
		}
		i += len;
		if (c < 0 || dropped_char(c)) {
			*dropped = 1;
			continue;
		}
		if (line_break(c)) {
			pending_space = 0;
			if (at_line_start)
				blank++;
			at_line_start = 1;
			if (any && blank <= (size_t)cf->max_blank_lines)
				*o++ = '\n';
			continue;
		}
		if (hspace(c) && cf->collapse_spaces) {
			pending_space = 1;
			continue;
		}
		if (pending_space && !at_line_start)
			*o++ = ' ';
		pending_space = 0;
		at_line_start = 0;
		blank = 0;
		any = 1;
		if (c < 0x80)
			*o++ = (char)c;
		else
			o += utf8_encode((uint32_t)c, o);
	}
	while (o > out->data + out->len && o[-1] == '\n')
		o--;
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* Han ideographs, like ASCII, are left alone by NFC and NFKC (no
 * decomposition, combining class 0) and never compose with what follows
 * or precedes them. */
static int is_han(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

/* Append the NFC (NFKC) form of t[0..n) to out. */
static int map_run(const char *t, size_t n, int opt, struct buf *out)
{
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)t,
					  (utf8proc_ssize_t)n, &m, opt);
	int rc;

	if (r < 0)
		return (int)r;
	rc = buf_add(out, m, (size_t)r) ? UTF8PROC_ERROR_NOMEM : 0;
	free(m);
	return rc;
}

/* NFC (NFKC) of t[0..len) into out.  Text is mostly ASCII or Han, which
 * normalization leaves as it is: those bytes are copied.  Each run of
 * other characters goes through utf8proc with the ASCII character just
 * before it, which may compose with a following mark ("e" U+0301); the run
 * ends before an ASCII or Han character, as nothing composes with one that
 * follows.  Returns 0 or a utf8proc error code. */
static int nfc(const char *t, size_t len, int opt, struct buf *out)
{
	size_t i = 0, span = 0;	/* t[span..i) are inert, not yet copied */
	int rc;

	buf_reset(out);
	while (i < len) {
		size_t n = 1, start, j;
		int32_t c;

		if ((unsigned char)t[i] < 0x80) {
			i++;
			continue;
		}
		c = utf8_decode(t + i, len - i, &n);
		if (c >= 0 && is_han(c)) {
			i += n;
			continue;
		}
		start = i > span && (unsigned char)t[i - 1] < 0x80 ? i - 1 : i;
		for (j = i + n; j < len; j += n) {
			if ((unsigned char)t[j] < 0x80)
				break;
			c = utf8_decode(t + j, len - j, &n);
			if (c >= 0 && is_han(c))
				break;
		}
		if (buf_add(out, t + span, start - span))
			return UTF8PROC_ERROR_NOMEM;
		if ((rc = map_run(t + start, j - start, opt, out)))
			return rc;
		i = span = j;
	}
	if (span == 0) {
		buf_reset(out);
		return 1;	/* all inert: the text itself is its NFC */
	}
	return buf_add(out, t + span, len - span) ? UTF8PROC_ERROR_NOMEM : 0;
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct normalize_conf *cf = state;
	struct buf *norm = scratch;
	int opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE |
		  (cf->nfkc ? UTF8PROC_COMPAT : 0);
	int rc = nfc(d->text, d->len, opt, norm), dropped = 0;

	if (rc >= 0 && (rc ? tidy(cf, d->text, d->len, &out->text, &dropped) :
			tidy(cf, norm->data ? norm->data : "", norm->len,
			     &out->text, &dropped)))
		rc = UTF8PROC_ERROR_NOMEM;
	/* "a" U+0001 U+0301: with the control gone, the mark composes */
	if (rc >= 0 && dropped &&
	    !(rc = nfc(out->text.data, out->text.len, opt, norm))) {
		buf_reset(&out->text);
		if (buf_add(&out->text, norm->data ? norm->data : "", norm->len))
			rc = UTF8PROC_ERROR_NOMEM;
	}
	if (rc < 0)
		return sl_error(err, "document '%s': cannot normalize: %s",
				d->id, utf8proc_errmsg(rc));
	out->rewrite = 1;
	if (!out->text.len)
		stage_verdict(out, DECISION_DROP, "empty");
	return 0;
}

const struct stage_ops stage_normalize = {
	.name = "normalize",
	.summary = "Unicode NFC, control/zero-width/bidi characters removed, "
		   "line ends and white space unified",
	.code_version = 2,	/* 2: marks freed by a dropped control compose */
	.flags = STAGE_ORIGINAL_TEXT,
	.opts = opts,
	.conf_size = sizeof(struct normalize_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
};
