/*
 * shingle.h: text -> the set of 64-bit shingle hashes near-dedup compares.
 *
 * What a shingle is (the datatrove / text-dedup FineWeb setup, made
 * Unicode-aware):
 *   1. The text is normalized: Unicode case folding + NFKC + default
 *      ignorables dropped (utf8proc), so "ＡＢＣ", "ABC" and "abc" agree.
 *      Invalid UTF-8 is first repaired (each bad subpart -> U+FFFD, which
 *      is punctuation and so a separator).
 *   2. Tokens: a word is a maximal run of letters and digits (Unicode
 *      categories L*, N*; combining marks M* continue a word so Devanagari
 *      or accented NFD text is not cut apart).  Everything else (spaces,
 *      punctuation, symbols) separates tokens and is dropped.
 *      Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao,
 *      Khmer, Myanmar) give one token per character, so Chinese shingles
 *      are character n-grams while Latin words inside Chinese text stay
 *      whole words.
 *   3. Shingles: every run of n consecutive tokens, hashed from the
 *      tokens' own hashes (XXH3 of the token's normalized UTF-8; tokens
 *      longer than 252 bytes are hashed in chained chunks) as a
 *      polynomial in an odd constant, rolled along the text, finished
 *      with murmur3's 64-bit mix (shingle.c; XXH3 of the window before
 *      the near-dedup stage's version 2).  n is opts.word_n, or opts.char_n when
 *      more than half the tokens are single characters of those scripts.
 *      A text with fewer than n tokens (but at least one) gives exactly one
 *      shingle of all its tokens; a text with no token gives none.
 *   4. The hashes are sorted ascending and duplicates removed (or only
 *      duplicates removed, with opts.unordered).
 *
 * Hashes are stable across runs and machines of the same byte order (they
 * may be stored); they depend on the utf8proc Unicode version only for
 * characters whose case folding or category changed.
 *
 * Calling sequence (one struct shingle_set per worker thread, reused for
 * every document: in steady state no allocation happens):
 *
 *   struct shingle_set s;
 *   struct shingle_opts o = SHINGLE_OPTS_INIT;
 *   shingle_init(&s);
 *   for each doc:
 *       if (shingle_text(&s, &o, text, len, &err) < 0) ...;
 *       use(s.h, s.n);            // valid until the next call
 *   shingle_release(&s);
 *
 * Speed: bench/RESULTS.md ("minhash", "filter speed"); ASCII words never
 * touch utf8proc.
 *
 * shingle_tokens() is the same first half only (for tests and tools):
 * after it, s.tok[0..s.ntok) hold the token hashes in text order.
 */
#ifndef SL_SHINGLE_H
#define SL_SHINGLE_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"

struct sl_err;

struct shingle_opts {
	int word_n;	/* word n-gram size for spaced text; default 5 */
	int char_n;	/* character n-gram size for CJK/Thai text; default 5 */
	int unordered;	/* 1: skip step 4's sort, s.h is unique in no
			 * particular order (enough for a MinHash signature,
			 * ~20% faster; minhash_jaccard() needs sorted) */
};

#define SHINGLE_OPTS_INIT { 5, 5, 0 }

/* Largest accepted n, so a shingle's key fits on the stack. */
#define SHINGLE_MAX_N 64

struct shingle_set {
	uint64_t *h;	/* n sorted unique shingle hashes */
	size_t n;
	uint64_t *tok;	/* token hashes of the last text, in order */
	size_t ntok;
	size_t nchar;	/* how many of them were single CJK/Thai chars */

	/* private scratch, kept between calls */
	size_t h_alloc, tok_alloc;
	uint64_t *tmp;	/* radix sort partner of h, h_alloc long */
	int32_t *cp;	/* normalized code points */
	uint64_t *cache;	/* single-character token hashes */
	uint64_t *set;	/* open-addressing table of unique_unordered() */
	size_t set_alloc;
	size_t cp_alloc;
	struct buf fixed;	/* repaired copy of invalid UTF-8 input */
};

void shingle_init(struct shingle_set *s);
void shingle_release(struct shingle_set *s);

/* Replace s's contents with the shingles of text[0..len).  Returns the
 * number of shingles (s->n), or -1 with err set (out of memory, bad opts). */
long shingle_text(struct shingle_set *s, const struct shingle_opts *o,
		  const char *text, size_t len, struct sl_err *err);

/* Tokenize only: fills s->tok, s->ntok, s->nchar; s->n is set to 0.
 * Returns s->ntok or -1 with err set. */
long shingle_tokens(struct shingle_set *s, const char *text, size_t len,
		    struct sl_err *err);

/* The n-gram size shingle_text() uses for the current tokens. */
int shingle_pick_n(const struct shingle_set *s, const struct shingle_opts *o);

#endif
