/*
 * ngram.h: hashed word n-gram features of a text, the input of the linear
 * classifier (model/linear.c), fastText's idea without a vocabulary.
 *
 * Tokens (no whitespace assumption, so Chinese and Japanese work):
 *   - a run of ASCII letters, digits and '_', or of code points of other
 *     alphabetic scripts (Latin with accents, Cyrillic, ...): one word;
 *     ASCII letters are lower-cased;
 *   - each Han, kana, CJK punctuation, full-width form or emoji code point:
 *     one token by itself (so Chinese gets characters as unigrams and
 *     character pairs as bigrams);
 *   - each other ASCII punctuation character: one token;
 *   - whitespace and control characters separate tokens and are dropped.
 * Invalid UTF-8 bytes count as word bytes (they never crash, never loop).
 *
 * Features: for each token, its unigram, then the n-grams (2..N) ending at
 * it, each hashed to a 64-bit value; bucket = hash % buckets.  N is n for
 * a word and cn for a character token (non-ASCII, by itself: Han, kana,
 * ...): a Chinese character is closer to a letter than to a word, so its
 * useful n-grams are longer (measured on COLD: character trigrams and
 * word bigrams beat bigrams for both, and word trigrams hurt English).  The hashes
 * depend only on the token bytes (FNV-1a, splitmix64 mixing), never on the
 * machine or the run, so a model file's buckets stay valid.
 *
 *   struct ngram_iter it;
 *   uint64_t h;
 *   ngram_init(&it, text, len, 2, 3);
 *   while (ngram_next(&it, &h)) use(h % buckets);
 *
 * No allocation; the iterator only reads text.
 */
#ifndef SL_NGRAM_H
#define SL_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#define NGRAM_MAX 3

struct ngram_iter {
	const unsigned char *p, *end;
	int n;				/* longest n-gram ending at a word,
					   1..NGRAM_MAX */
	int cn;				/* ... at a character token */
	uint64_t prev[NGRAM_MAX];	/* hashes of the last tokens, newest
					   first */
	int nprev;			/* how many of prev are set */
	int pending;			/* n-grams of the current token left
					   to return */
	int is_char;			/* the current token is a character */
};

void ngram_init(struct ngram_iter *it, const char *text, size_t len, int n,
		int cn);

/* The next feature hash: 1, or 0 at the end. */
int ngram_next(struct ngram_iter *it, uint64_t *hash);

#endif
