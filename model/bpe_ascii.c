/*
 * bpe_ascii.c: the built-in encodings' split regexes, hand-run on ASCII.
 *
 * Most text is ASCII, and on ASCII the three tiktoken patterns are simple
 * enough to run by hand, about ten times cheaper than PCRE2's JIT walking
 * Unicode property classes.  bpe_ascii_match() finds the piece the regex
 * would match at pos, or returns 0 ("ask PCRE2") whenever the answer could
 * depend on a non-ASCII byte: a run of letters, digits, punctuation or
 * spaces that stops at a byte >= 0x80 (which might continue the run: é,
 * U+00A0...), or a contraction whose letter is not ASCII (the 's of (?i)
 * also matches U+017F).  The regex's result at pos depends only on the
 * text from pos on, so the two can be mixed piece by piece; the tests and
 * the fuzz target check this against PCRE2 alone.
 *
 * Alternatives in the patterns' order (leftmost-first):
 *   r50k_base   's|'t|'re|'ve|'m|'ll|'d | ?L+ | ?N+ | ?[^sLN]+ | s+(?!S) | s+
 *   cl100k_base (?i:'s|'t|'re|'ve|'m|'ll|'d) | [^\r\nLN]?L+ | N{1,3}
 *               | ?[^sLN]+[\r\n]* | s*[\r\n]+ | s+(?!S) | s+
 *   o200k_base  [^\r\nLN]?U*l+C? | [^\r\nLN]?U+l*C? | N{1,3}
 *               | ?[^sLN]+[\r\n/]* | s*[\r\n]+ | s+(?!S) | s+
 * (s = white space, L = letter, N = digit, U = [A-Z] on ASCII, l = [a-z],
 * C = the optional case-insensitive contraction.)
 */
#include <string.h>

#include "bpe_int.h"
#include "../lib/banned.h"

static const char *const pats[][2] = {
	[BPE_ASCII_R50K] = {
		"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+"
		"|\\s+(?!\\S)|\\s+",
		"'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++"
		"|\\s++$|\\s+(?!\\S)|\\s",
	},
	[BPE_ASCII_CL100K] = {
		"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
		"|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+"
		"|\\s+(?!\\S)|\\s+",
		"'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++"
		"|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$"
		"|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
	},
	[BPE_ASCII_O200K] = {
		"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
		"[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
		"|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
		"[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
		"|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+"
		"|\\s+(?!\\S)|\\s+",
		NULL,	/* upstream spells it the same */
	},
};

int bpe_ascii_kind(const char *pat)
{
	for (int k = BPE_ASCII_R50K; k <= BPE_ASCII_O200K; k++)
		for (int i = 0; i < 2; i++)
			if (pats[k][i] && !strcmp(pats[k][i], pat))
				return k;
	return BPE_ASCII_NONE;
}

/* Byte classes; HI marks a byte >= 0x80 (class unknown here). */
enum { LO = 1, UP = 2, DIG = 4, WS = 8, NL = 16, PUN = 32, HI = 64 };

/* GNU range designators, in byte order; no byte named twice. */
static const unsigned char classes[256] = {
	[0x00 ... 0x08] = PUN,
	['\t'] = WS, ['\n'] = WS | NL, ['\v'] = WS, ['\f'] = WS,
	['\r'] = WS | NL,
	[0x0e ... 0x1f] = PUN,
	[' '] = WS,
	['!' ... '/'] = PUN,
	['0' ... '9'] = DIG,
	[':' ... '@'] = PUN,
	['A' ... 'Z'] = UP,
	['[' ... '`'] = PUN,
	['a' ... 'z'] = LO,
	['{' ... 0x7f] = PUN,
	[0x80 ... 0xff] = HI,
};

static inline unsigned char cls(unsigned char c)
{
	return classes[c];
}

/* Class of p[i], or 0 at the end of the text. */
#define AT(i) ((i) < n ? cls(p[i]) : 0)

/* End of the run of bytes of class mask from i; *stop gets the class
 * where it stopped (0 at the end). */
static inline size_t run(const uint8_t *p, size_t i, size_t n, unsigned mask,
		  unsigned *stop)
{
	while (i < n && (cls(p[i]) & mask))
		i++;
	*stop = AT(i);
	return i;
}

static int lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* A contraction ('s 't 're 've 'm 'll 'd) at i: its end, i when there is
 * none, or 0 when a non-ASCII byte decides.  icase: (?i). */
static size_t contraction(const uint8_t *p, size_t i, size_t n, int icase)
{
	int a, b;

	if (i >= n || p[i] != '\'')
		return i;
	if (i + 1 >= n)
		return i;
	if (p[i + 1] >= 0x80)
		return 0;
	a = icase ? lower(p[i + 1]) : p[i + 1];
	if (a == 's' || a == 't' || a == 'm' || a == 'd')
		return i + 2;
	if (a != 'r' && a != 'v' && a != 'l')
		return i;
	if (i + 2 >= n)
		return i;
	if (p[i + 2] >= 0x80)
		return 0;
	b = icase ? lower(p[i + 2]) : p[i + 2];
	if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
	    (a == 'l' && b == 'l'))
		return i + 3;
	return i;
}

/* The white-space alternatives.  nl: try s*[\r\n]+ first (cl100k, o200k). */
static size_t spaces(const uint8_t *p, size_t pos, size_t n, int nl)
{
	unsigned stop;
	size_t j = run(p, pos, n, WS, &stop), k;

	if (stop & HI)
		return 0;
	if (nl)
		for (k = j; k > pos; k--)
			if (cls(p[k - 1]) & NL)
				return k;	/* through the last newline */
	if (j == n || j - 1 == pos)
		return j;		/* s+ to the end, or s+ of one */
	return j - 1;			/* s+(?!S) leaves one before S */
}

/* ` ?[^sLN]+` then a trailing class (none, [\r\n]*, [\r\n/]*). */
static size_t punct(const uint8_t *p, size_t pos, size_t n, int trail)
{
	size_t q = p[pos] == ' ' ? pos + 1 : pos, j;
	unsigned stop;

	if (AT(q) & HI)
		return 0;
	if (!(AT(q) & PUN))
		return (size_t)-1;	/* alternative fails */
	j = run(p, q, n, PUN, &stop);
	if (stop & HI)
		return 0;
	while (trail && j < n && ((cls(p[j]) & NL) ||
				  (trail == 2 && p[j] == '/')))
		j++;
	return j;
}

static size_t digits(const uint8_t *p, size_t pos, size_t n, size_t max)
{
	size_t j = pos;

	while (j < n && j - pos < max && cls(p[j]) == DIG)
		j++;
	if (j - pos < max && (AT(j) & HI))
		return 0;
	return j;
}

static size_t r50k(const uint8_t *p, size_t pos, size_t n)
{
	unsigned c = cls(p[pos]), stop;
	size_t q = p[pos] == ' ' ? pos + 1 : pos, j;

	if ((j = contraction(p, pos, n, 0)) != pos)
		return j;
	if (AT(q) & HI)
		return 0;
	if (AT(q) & (LO | UP)) {
		j = run(p, q, n, LO | UP, &stop);
		return stop & HI ? 0 : j;
	}
	if (AT(q) & DIG) {
		j = run(p, q, n, DIG, &stop);
		return stop & HI ? 0 : j;
	}
	if ((j = punct(p, pos, n, 0)) != (size_t)-1)
		return j;
	return c & WS ? spaces(p, pos, n, 0) : 0;
}

static size_t cl100k(const uint8_t *p, size_t pos, size_t n)
{
	unsigned c = cls(p[pos]), stop;
	size_t j, q;

	if ((j = contraction(p, pos, n, 1)) != pos)
		return j;
	q = c & (NL | DIG | LO | UP) ? pos : pos + 1;	/* [^\r\nLN]? */
	if (AT(q) & HI)
		return 0;
	if (AT(q) & (LO | UP)) {
		j = run(p, q, n, LO | UP, &stop);
		return stop & HI ? 0 : j;
	}
	if (c & DIG)
		return digits(p, pos, n, 3);
	if ((j = punct(p, pos, n, 1)) != (size_t)-1)
		return j;
	return c & WS ? spaces(p, pos, n, 1) : 0;
}

/* o200k's letter alternatives from q: U*l+C? then U+l*C?. */
static size_t o200k_word(const uint8_t *p, size_t q, size_t n)
{
	unsigned stop;
	size_t u = run(p, q, n, UP, &stop), l, j;

	if (stop & HI)
		return 0;
	l = run(p, u, n, LO, &stop);
	if (stop & HI)
		return 0;
	if (l == u && u == q)
		return (size_t)-1;	/* no letter: both fail */
	j = contraction(p, l, n, 1);
	return j;
}

static size_t o200k(const uint8_t *p, size_t pos, size_t n)
{
	unsigned c = cls(p[pos]);
	size_t j, q;

	q = c & (NL | DIG | LO | UP) ? pos : pos + 1;	/* [^\r\nLN]? */
	if (AT(q) & HI)
		return 0;
	if (AT(q) & (LO | UP))
		return (j = o200k_word(p, q, n)) == (size_t)-1 ? 0 : j;
	if (c & DIG)
		return digits(p, pos, n, 3);
	if ((j = punct(p, pos, n, 2)) != (size_t)-1)
		return j;
	return c & WS ? spaces(p, pos, n, 1) : 0;
}

size_t bpe_ascii_match(int kind, const uint8_t *p, size_t pos, size_t n)
{
	if (p[pos] >= 0x80)
		return 0;
	switch (kind) {
	case BPE_ASCII_R50K: return r50k(p, pos, n);
	case BPE_ASCII_CL100K: return cl100k(p, pos, n);
	case BPE_ASCII_O200K: return o200k(p, pos, n);
	}
	return 0;
}
