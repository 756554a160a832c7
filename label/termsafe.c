/*
 * termsafe.c: hostile text to terminal-safe text (the table is in
 * termsafe.h).
 *
 * One pass over the input, one code point at a time, with a three-state
 * machine so that a whole escape sequence is marked, not just its ESC:
 *
 *   TEXT --ESC [ / C1 CSI--> CSI --final byte 0x40-0x7e--> TEXT
 *   TEXT --ESC ] P X ^ _ / C1 OSC DCS SOS PM APC--> STR
 *   STR  --BEL / ESC \ / C1 ST--> TEXT      (newline or another ESC also
 *                                            end it, so a stray OSC cannot
 *                                            paint the rest of the document)
 *
 * Inside a sequence the bytes are still cleaned one by one (a control
 * inside an OSC is shown as ^G, never sent), only their attribute changes.
 * The state machine is for the reader's eyes; safety does not depend on
 * it, because every code point goes through emit_cp() either way.
 */
#include "termsafe.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "../lib/utf8.h"
#include "../lib/banned.h"

enum state { ST_TEXT, ST_CSI, ST_STR };

struct cleaner {
	struct termsafe *ts;
	unsigned flags;
	size_t col;		/* columns since the last newline, for tabs */
	int rc;			/* first buffer error */
};

/* Characters that are shown by name: bidi controls and zero-width ones. */
static const struct {
	int cp;
	const char *name;
} named[] = {
	{ 0x061C, "ALM" }, { 0x200B, "ZWSP" }, { 0x200C, "ZWNJ" },
	{ 0x200D, "ZWJ" }, { 0x200E, "LRM" }, { 0x200F, "RLM" },
	{ 0x202A, "LRE" }, { 0x202B, "RLE" }, { 0x202C, "PDF" },
	{ 0x202D, "LRO" }, { 0x202E, "RLO" }, { 0x2060, "WJ" },
	{ 0x2066, "LRI" }, { 0x2067, "RLI" }, { 0x2068, "FSI" },
	{ 0x2069, "PDI" }, { 0xFEFF, "BOM" },
};

static const char *name_of(int cp)
{
	if (cp != 0x061C && cp != 0xFEFF && (cp < 0x200B || cp > 0x2069))
		return NULL;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (named[i].cp == cp)
			return named[i].name;
	return NULL;
}

int termsafe_hidden(int cp)
{
	utf8proc_category_t c;

	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 1;
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 1;
	if (name_of(cp) || cp == 0x2028 || cp == 0x2029)
		return 1;
	c = utf8proc_category(cp);
	/* The soft hyphen is a format character that web text is full of
	 * and that every terminal draws harmlessly; the other format
	 * characters (tags, invisible operators, interlinear annotation)
	 * are invisible carriers of hidden text. */
	if (c == UTF8PROC_CATEGORY_CF)
		return cp != 0x00AD;
	return c == UTF8PROC_CATEGORY_CN || c == UTF8PROC_CATEGORY_CS ||
	       c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

static void put(struct cleaner *c, const char *s, size_t n, int attr)
{
	if (c->rc)
		return;
	if ((c->rc = buf_grow(&c->ts->attr, n)))
		return;
	if ((c->rc = buf_add(&c->ts->text, s, n)))
		return;
	memset(c->ts->attr.data + c->ts->attr.len, attr, n);
	c->ts->attr.len += n;
	c->ts->attr.data[c->ts->attr.len] = '\0';
}

/* More bytes of an escape already counted (ASCII, one column each). */
static void put_more(struct cleaner *c, const char *s, size_t n)
{
	put(c, s, n, TERMSAFE_ESC);
	c->col += n;
}

/* An escape: something shown in place of what was there. */
static void put_esc(struct cleaner *c, const char *s, size_t n)
{
	put_more(c, s, n);
	c->ts->nesc++;
}

static void newline(struct cleaner *c)
{
	if (c->flags & TERMSAFE_LINE) {
		put_esc(c, "^J", 2);
		return;
	}
	put(c, "\n", 1, TERMSAFE_PLAIN);
	c->col = 0;
}

/* One code point cp (its bytes are s[0..n)) in attribute attr. */
static void emit_cp(struct cleaner *c, int cp, const char *s, size_t n,
		    int attr)
{
	char tmp[24];
	const char *name;
	int w;

	if (cp == '\n' || cp == 0x2028 || cp == 0x2029) {
		newline(c);
	} else if (cp == '\t') {
		size_t stop = (c->col / 8 + 1) * 8;

		while (c->col < stop) {
			put(c, " ", 1, attr);
			c->col++;
		}
	} else if (cp < 0x20 || cp == 0x7f) {
		tmp[0] = '^';
		tmp[1] = cp == 0x7f ? '?' : (char)(cp + 0x40);
		put_esc(c, tmp, 2);
	} else if (cp >= 0x80 && cp <= 0x9f) {
		snprintf(tmp, sizeof(tmp), "\\x%02x", cp);
		put_esc(c, tmp, 4);
	} else if ((name = name_of(cp))) {
		put_esc(c, tmp, (size_t)snprintf(tmp, sizeof(tmp), "<%s>",
						  name));
	} else if (termsafe_hidden(cp)) {
		put_esc(c, tmp, (size_t)snprintf(tmp, sizeof(tmp), "<U+%04X>",
						  (unsigned)cp));
	} else {
		put(c, s, n, attr);
		w = utf8proc_charwidth(cp);
		c->col += w > 0 ? (size_t)w : 0;
	}
}

/* A code point inside an escape sequence: cleaned as any other, but the
 * sequence counts as one escape. */
static void emit_in_seq(struct cleaner *c, int cp, const char *s, size_t n)
{
	size_t keep = c->ts->nesc;

	emit_cp(c, cp, s, n, TERMSAFE_ESC);
	c->ts->nesc = keep;
}

/* The state a C1 control opens: ST_CSI, ST_STR, or ST_TEXT for none. */
static enum state c1_opens(int cp)
{
	if (cp == 0x9b)
		return ST_CSI;
	if (cp == 0x90 || cp == 0x98 || cp == 0x9d || cp == 0x9e ||
	    cp == 0x9f)
		return ST_STR;
	return ST_TEXT;
}

static void clean(struct cleaner *c, const char *p, size_t n)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	enum state st = ST_TEXT;
	size_t i = 0, len;
	int cp;

	while (i < n) {
		if (st == ST_TEXT && p[i] >= 0x20 && p[i] < 0x7f) {
			/* fast path: a run of printable ASCII is itself */
			size_t j = i + 1;

			while (j < n && p[j] >= 0x20 && p[j] < 0x7f)
				j++;
			put(c, p + i, j - i, TERMSAFE_PLAIN);
			c->col += j - i;
			i = j;
			continue;
		}
		cp = utf8_decode(p + i, n - i, &len);
		if (cp < 0) {
			put(c, fffd, 3, TERMSAFE_ESC);
			c->ts->nesc++;
			c->col++;
			i += len;
			continue;
		}
		if (st == ST_CSI) {
			if (cp >= 0x20 && cp <= 0x7e) {
				put_more(c, p + i, 1);
				st = cp >= 0x40 ? ST_TEXT : ST_CSI;
				i += len;
				continue;
			}
			st = ST_TEXT;
		} else if (st == ST_STR) {
			if (cp == 0x07 || cp == 0x9c) {
				emit_in_seq(c, cp, p + i, len);
				st = ST_TEXT;
				i += len;
				continue;
			}
			if (cp == 0x1b && i + 1 < n && p[i + 1] == '\\') {
				put_esc(c, "^[\\", 3);
				st = ST_TEXT;
				i += 2;
				continue;
			}
			if (cp != '\n' && cp != 0x1b && cp != '\r') {
				emit_in_seq(c, cp, p + i, len);
				i += len;
				continue;
			}
			st = ST_TEXT;
		}
		if (cp == 0x1b) {
			char nx = i + 1 < n ? p[i + 1] : 0;

			put_esc(c, "^[", 2);
			i += len;
			if (nx == '[') {
				st = ST_CSI;
				put_more(c, "[", 1);
				i++;
			} else if (nx && strchr("]PX^_", nx)) {
				st = ST_STR;
				put_more(c, &nx, 1);
				i++;
			} else if (nx >= 0x20 && nx <= 0x7e) {
				/* two-byte escapes (ESC c resets the
				 * terminal) and ESC ( B style designations:
				 * intermediates then one final byte */
				while (i < n && p[i] >= 0x20 && p[i] <= 0x2f)
					put_more(c, p + i++, 1);
				if (i < n && p[i] >= 0x30 && p[i] <= 0x7e)
					put_more(c, p + i++, 1);
			}
			continue;
		}
		if (cp == '\r' && i + 1 < n && p[i + 1] == '\n') {
			i++;	/* CR LF is a line ending */
			continue;
		}
		emit_cp(c, cp, p + i, len, TERMSAFE_PLAIN);
		if (c1_opens(cp) != ST_TEXT)
			st = c1_opens(cp);
		i += len;
	}
}

void termsafe_init(struct termsafe *ts, size_t cap)
{
	buf_init(&ts->text, cap);
	buf_init(&ts->attr, cap);
	ts->nesc = 0;
}

void termsafe_release(struct termsafe *ts)
{
	buf_release(&ts->text);
	buf_release(&ts->attr);
}

int termsafe_clean(struct termsafe *ts, const char *p, size_t n,
		   unsigned flags)
{
	struct cleaner c = { .ts = ts, .flags = flags };

	buf_reset(&ts->text);
	buf_reset(&ts->attr);
	ts->nesc = 0;
	/* both buffers exist even for empty input, so data is never NULL */
	if ((c.rc = buf_add(&ts->text, "", 0)) ||
	    (c.rc = buf_add(&ts->attr, "", 0)))
		return c.rc;
	clean(&c, p, n);
	if (c.rc) {
		/* keep text and attr the same length; both are safe */
		size_t m = ts->text.len < ts->attr.len ? ts->text.len
						       : ts->attr.len;
		ts->text.len = ts->attr.len = m;
		ts->text.data[m] = ts->attr.data[m] = '\0';
	}
	return c.rc;
}
