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
 *
 * Chinese, Japanese and Korean text gets the same treatment for its
 * commonest characters (wide_match()): the CJK ideographs, kana and Hangul
 * syllables below are all \p{Lo} (in both of o200k's letter classes), the
 * CJK and full-width punctuation below is none of \s, \p{L}, \p{N}, in
 * every Unicode version from 14.0 (PCRE2's) to 16.0 (the regex crate's);
 * any other character >= 0x80 still goes to PCRE2.
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

/* Classes of the characters wide_match() knows (W_OTHER: ask PCRE2). */
enum { W_OTHER, W_HAN, W_PUN };

/* Class of the character at p[i], its length in *len (3; the ones we
 * know are all 3-byte sequences). */
static int wclass(const uint8_t *p, size_t i, size_t n, size_t *len)
{
	uint32_t cp;

	if (i + 3 > n || (p[i] & 0xf0) != 0xe0 || (p[i + 1] & 0xc0) != 0x80 ||
	    (p[i + 2] & 0xc0) != 0x80)
		return W_OTHER;
	*len = 3;
	if (p[i] >= 0xe5 && p[i] <= 0xe9)	/* U+5000-U+9FFF, the bulk */
		return W_HAN;
	cp = (uint32_t)(p[i] & 0x0f) << 12 | (uint32_t)(p[i + 1] & 0x3f) << 6 |
		(p[i + 2] & 0x3f);
	if ((cp >= 0x4e00 && cp <= 0x9fff) ||	/* CJK Unified Ideographs */
	    (cp >= 0x3400 && cp <= 0x4dbf) ||	/* Extension A */
	    (cp >= 0xac00 && cp <= 0xd7a3) ||	/* Hangul syllables */
	    (cp >= 0x3041 && cp <= 0x3096) ||	/* hiragana */
	    (cp >= 0x30a1 && cp <= 0x30fa))	/* katakana */
		return W_HAN;
	if ((cp >= 0x3001 && cp <= 0x3003) ||	/* 、。〃 */
	    (cp >= 0x3008 && cp <= 0x301f) ||	/* brackets, 〒, 〜 */
	    (cp >= 0x2010 && cp <= 0x2027) ||	/* dashes, quotes, … */
	    (cp >= 0xff01 && cp <= 0xff0f) ||	/* full-width ！..／ */
	    (cp >= 0xff1a && cp <= 0xff20) ||	/* ：..＠ */
	    (cp >= 0xff3b && cp <= 0xff40) ||	/* ［..｀ */
	    (cp >= 0xff5b && cp <= 0xff65))	/* ｛..･ */
		return W_PUN;
	return W_OTHER;
}

/* End of the run of letters from i (CJK letters, and for cl100k ASCII
 * ones too), or 0 when the character after it is one we do not know. */
static size_t wide_letters(int kind, const uint8_t *p, size_t i, size_t n)
{
	size_t len;

	for (;;) {
		/* the bulk of Chinese (U+4E00-U+9FFF) without wclass() */
		while (n - i >= 3 &&
		       (p[i] - 0xe5u <= 4 || (p[i] == 0xe4 && p[i + 1] >= 0xb8)) &&
		       ((p[i + 1] ^ 0x80) | (p[i + 2] ^ 0x80)) < 0x40)
			i += 3;
		if (i == n)
			return i;
		if (p[i] < 0x80) {
			unsigned c = cls(p[i]);

			if (c & (LO | UP))	/* o200k: a case change decides */
				return kind == BPE_ASCII_CL100K ?
					(i = run(p, i, n, LO | UP, &c), c & HI ?
					 wide_letters(kind, p, i, n) : i) : 0;
			/* o200k's contraction after the letters */
			return kind == BPE_ASCII_O200K && p[i] == '\'' ? 0 : i;
		}
		switch (wclass(p, i, n, &len)) {
		case W_HAN:
			i += len;
			break;
		case W_PUN:
			return i;
		default:
			return 0;
		}
	}
}

/* ` ?[^sLN]+` from i (no leading space here) through ASCII and CJK
 * punctuation, then [\r\n]* (o200k: [\r\n/]*); 0 when it stops at a
 * character we do not know. */
static size_t wide_punct(int kind, const uint8_t *p, size_t i, size_t n)
{
	size_t len;

	for (;;) {
		if (i < n && p[i] < 0x80 && (cls(p[i]) & PUN)) {
			i++;
			continue;
		}
		if (i < n && p[i] >= 0x80) {
			int c = wclass(p, i, n, &len);

			if (c == W_OTHER)
				return 0;
			if (c == W_PUN) {
				i += len;
				continue;
			}
		}
		break;
	}
	while (i < n && ((cls(p[i]) & NL) ||
			 (kind == BPE_ASCII_O200K && p[i] == '/')))
		i++;
	return i;
}

/* The piece at pos when it is made of ASCII and the CJK characters
 * wclass() knows: a CJK letter run (with its optional leading character
 * [^\r\n\p{L}\p{N}]), or a punctuation run that starts with CJK
 * punctuation; 0 otherwise (ask PCRE2). */
/* Not inlined: it would weigh on the ASCII path, which runs far more. */
static __attribute__((noinline)) size_t wide_match(int kind, const uint8_t *p,
						   size_t pos, size_t n)
{
	size_t len, q;
	int c;

	if (kind != BPE_ASCII_CL100K && kind != BPE_ASCII_O200K)
		return 0;
	if (p[pos] < 0x80) {
		/* an ASCII space or punctuation before CJK letters */
		if ((cls(p[pos]) & (NL | DIG | LO | UP)) || p[pos] == '\'' ||
		    wclass(p, pos + 1, n, &len) != W_HAN)
			return 0;
		return wide_letters(kind, p, pos + 1, n);
	}
	c = wclass(p, pos, n, &len);
	if (c == W_HAN)
		return wide_letters(kind, p, pos, n);
	if (c != W_PUN)
		return 0;
	/* [^\r\n\p{L}\p{N}]?\p{L}+ first: the punctuation leads letters */
	q = pos + len;
	if (q < n && p[q] >= 0x80 && wclass(p, q, n, &len) == W_HAN)
		return wide_letters(kind, p, q, n);
	if (q < n && (p[q] >= 0x80 ? wclass(p, q, n, &len) == W_OTHER :
		      (cls(p[q]) & (LO | UP)) != 0))
		return 0;	/* a letter may follow */
	return wide_punct(kind, p, pos, n);
}

size_t bpe_ascii_match(int kind, const uint8_t *p, size_t pos, size_t n)
{
	size_t end = 0;

	if (p[pos] < 0x80) {
		switch (kind) {
		case BPE_ASCII_R50K: end = r50k(p, pos, n); break;
		case BPE_ASCII_CL100K: end = cl100k(p, pos, n); break;
		case BPE_ASCII_O200K: end = o200k(p, pos, n); break;
		}
	}
	return end ? end : wide_match(kind, p, pos, n);
}
