/*
 * textstats.c: scripts and words for the rule-based stages (see
 * textstats.h).  ASCII takes a table lookup; other code points a decode
 * and utf8proc's category table.
 */
#include "textstats.h"

#include <utf8proc.h>

#include "../lib/utf8.h"
#include "../lib/banned.h"

enum script textstats_script(int32_t c)
{
	if (c < 0x80)
		return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ?
		       SCRIPT_LATIN : SCRIPT_OTHER;
	if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
	    (c >= 0xFF66 && c <= 0xFF9D))
		return SCRIPT_KANA;
	if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F) ||
	    c == 0x3005 || c == 0x3007)
		return SCRIPT_HAN;
	if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) ||
	    (c >= 0x3130 && c <= 0x318F))
		return SCRIPT_HANGUL;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		break;
	default:
		return SCRIPT_OTHER;
	}
	if (c <= 0x24F || (c >= 0x1E00 && c <= 0x1EFF) ||
	    (c >= 0xFF21 && c <= 0xFF5A))
		return SCRIPT_LATIN;
	if (c >= 0x370 && c <= 0x3FF)
		return SCRIPT_GREEK;
	if (c >= 0x400 && c <= 0x52F)
		return SCRIPT_CYRILLIC;
	if (c >= 0x590 && c <= 0x5FF)
		return SCRIPT_HEBREW;
	if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F))
		return SCRIPT_ARABIC;
	if (c >= 0x900 && c <= 0x97F)
		return SCRIPT_DEVANAGARI;
	if (c >= 0xE00 && c <= 0xE7F)
		return SCRIPT_THAI;
	return SCRIPT_LETTER;
}

int textstats_cjk(int32_t c)
{
	enum script s;

	if (c < 0x3000)
		return 0;
	s = textstats_script(c);
	return s == SCRIPT_HAN || s == SCRIPT_KANA;
}

/* ASCII classes: digits and letters are word characters. */
#define A TC_ALPHA
#define D TC_WORD
static const unsigned char ascii_tab[128] = {
	['0'] = D, D, D, D, D, D, D, D, D, D,
	['A'] = A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
		A, A, A, A, A, A,
	['a'] = A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A, A,
		A, A, A, A, A, A,
};
#undef A
#undef D

static int ascii_class(int c)
{
	return ascii_tab[c & 0x7F];
}

int textstats_class(int32_t c)
{
	if (c < 0x80)
		return ascii_class(c);
	if (textstats_cjk(c))
		return TC_CJK;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return TC_ALPHA;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return TC_WORD;
	default:
		return TC_SEP;
	}
}

int32_t textstats_fold(int32_t c)
{
	if (c < 0x80)
		return (c >= 'A' && c <= 'Z') ? c + 32 : c;
	return utf8proc_tolower(c);
}

/* Decode the sequence at p (n > 0 bytes, a lead byte >= 0x80) for
 * classification only: the shape is checked (lead byte, continuation
 * bytes, bounds) but not overlong forms or surrogates, which valid text
 * (all the stages see) does not hold; a bad byte is -1 of length 1. */
static int32_t decode(const unsigned char *p, size_t n, size_t *len)
{
	unsigned char b = p[0];
	size_t k = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
	int32_t c;

	*len = 1;
	if (!k || k > n || b > 0xF4)
		return -1;
	c = b & (0x7F >> k);
	for (size_t j = 1; j < k; j++) {
		if ((p[j] & 0xC0) != 0x80)
			return -1;
		c = (c << 6) | (p[j] & 0x3F);
	}
	*len = k;
	return c;
}

/* Class of the character at p[i]; its byte length in *len. */
static int class_at(const char *p, size_t n, size_t i, size_t *len)
{
	unsigned char b = (unsigned char)p[i];
	int32_t c;

	if (b < 0x80) {
		*len = 1;
		return ascii_class(b);
	}
	/* lead bytes E5..E9 start U+5000..U+9FFF: all Han, the bulk of
	 * Chinese and Japanese text */
	if (b >= 0xE5 && b <= 0xE9 && i + 2 < n &&
	    ((unsigned char)p[i + 1] & 0xC0) == 0x80 &&
	    ((unsigned char)p[i + 2] & 0xC0) == 0x80) {
		*len = 3;
		return TC_CJK;
	}
	c = decode((const unsigned char *)p + i, n - i, len);
	return c < 0 ? TC_SEP : textstats_class(c);
}

/* ascii_tab for every byte, and TC_MULTI for the bytes of longer
 * sequences, which need a decode. */
#define TC_MULTI 4
static const unsigned char byte_tab[256] = {
	['0'] = TC_WORD, TC_WORD, TC_WORD, TC_WORD, TC_WORD, TC_WORD,
	TC_WORD, TC_WORD, TC_WORD, TC_WORD,
#define A8 TC_ALPHA, TC_ALPHA, TC_ALPHA, TC_ALPHA, TC_ALPHA, TC_ALPHA, \
	   TC_ALPHA, TC_ALPHA
	['A'] = A8, A8, A8, TC_ALPHA, TC_ALPHA,
	['a'] = A8, A8, A8, TC_ALPHA, TC_ALPHA,
#undef A8
#define M8 TC_MULTI, TC_MULTI, TC_MULTI, TC_MULTI, TC_MULTI, TC_MULTI, \
	   TC_MULTI, TC_MULTI
#define M64 M8, M8, M8, M8, M8, M8, M8, M8
	[0x80] = M64, M64,
#undef M64
#undef M8
};

int textstats_next_word(const char *p, size_t n, size_t *pos,
			struct tword *w)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = *pos, len, start, extra = 0;
	int k, alpha, cjk = 0;

	for (;;) {
		while (i < n && byte_tab[u[i]] == TC_SEP)
			i++;
		if (i >= n) {
			*pos = n;
			return 0;
		}
		k = class_at(p, n, i, &len);
		if (k != TC_SEP)
			break;
		i += len;
	}
	start = i;
	alpha = k != TC_WORD;
	i += len;
	extra = len - 1;
	if (k == TC_CJK) {
		cjk = 1;
		goto done;
	}
	/* locals, not w's fields: the compiler keeps them in registers;
	 * characters are bytes minus the extra bytes of long sequences */
	while (i < n) {
		k = byte_tab[u[i]];
		if (k == TC_MULTI) {
			k = class_at(p, n, i, &len);
			if (k == TC_SEP || k == TC_CJK)
				break;
			i += len;
			extra += len - 1;
		} else if (k == TC_SEP) {
			break;
		} else {
			i++;
		}
		alpha |= k == TC_ALPHA;
	}
done:
	w->off = start;
	w->len = i - start;
	w->nchars = w->len - extra;
	w->alpha = alpha;
	w->cjk = cjk;
	*pos = i;
	return 1;
}
