/*
 * textstats.h: the text primitives the rule-based stages share: the script
 * of a code point, and words as the quality rules and word lists see them.
 *
 * A word is a maximal run of letters, marks and digits (Unicode L*, M*,
 * N*); everything else (white space, punctuation, symbols) separates
 * words.  Han, Hiragana and Katakana characters are written without spaces,
 * so each one is a word by itself: that is the CJK-aware word count the
 * Gopher and FineWeb rules need on Chinese and Japanese (a documented
 * equivalent of counting words with a segmenter, which would merge some
 * characters into two-character words; thresholds written for English
 * lengths do not apply to it, and the quality stage skips those rules for
 * zh and ja).  Hangul is space-separated and forms ordinary words.
 *
 * No allocation: the iterator walks a caller's buffer.
 *
 *   size_t pos = 0;
 *   struct tword w;
 *   while (textstats_next_word(text, len, &pos, &w))
 *           use(text + w.off, w.len);
 */
#ifndef SL_TEXTSTATS_H
#define SL_TEXTSTATS_H

#include <stddef.h>
#include <stdint.h>

enum script {
	SCRIPT_OTHER,	/* digits, punctuation, symbols, unknown scripts */
	SCRIPT_LATIN,
	SCRIPT_HAN,
	SCRIPT_KANA,	/* Hiragana and Katakana */
	SCRIPT_HANGUL,
	SCRIPT_CYRILLIC,
	SCRIPT_GREEK,
	SCRIPT_ARABIC,
	SCRIPT_HEBREW,
	SCRIPT_DEVANAGARI,
	SCRIPT_THAI,
	SCRIPT_LETTER,	/* a letter of some other script */
	SCRIPT_N
};

/* The script of a letter; SCRIPT_OTHER for non-letters. */
enum script textstats_script(int32_t cp);

/* A character that is a word by itself (Han, Hiragana, Katakana). */
int textstats_cjk(int32_t cp);

/* The character class the word iterator uses. */
enum { TC_SEP, TC_WORD, TC_ALPHA, TC_CJK };
int textstats_class(int32_t cp);

/* Simple lowercase of one code point (ASCII fast, else utf8proc). */
int32_t textstats_fold(int32_t cp);

struct tword {
	size_t off, len;	/* bytes in the text */
	size_t nchars;		/* code points */
	int alpha;		/* has at least one letter */
	int cjk;		/* a one-character Han/kana word */
};

/* The next word of p[0..n) at or after *pos; 1 with *w set and *pos moved
 * past it, or 0 when there is none.  Invalid UTF-8 bytes separate words. */
int textstats_next_word(const char *p, size_t n, size_t *pos,
			struct tword *w);

#endif
