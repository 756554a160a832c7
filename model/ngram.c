/*
 * ngram.c: hashed word n-grams (see ngram.h).
 *
 * One pass over the bytes; a token's hash is FNV-1a of its (ASCII lower-
 * cased) bytes.  The n-gram ending at a token chains the previous tokens'
 * hashes into it with a multiply, so "a b" and "b a" differ, and every
 * feature goes through splitmix64's finalizer so that hash % buckets uses
 * all the bits.
 */
#include "ngram.h"

#include "../lib/utf8.h"
#include "../lib/banned.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define CHAIN 0x9e3779b97f4a7c15ULL

enum cls { C_SPACE, C_WORD, C_SOLO };

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static enum cls ascii_class(unsigned char c)
{
	if (c <= ' ' || c == 0x7f)
		return C_SPACE;
	if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
	    || c == '_')
		return C_WORD;
	return C_SOLO;
}

/* Scripts written without spaces, and symbols, are one token a code
 * point; the other alphabets form words. */
static enum cls cp_class(int32_t cp)
{
	if (cp < 0)
		return C_WORD;
	if (cp == 0xa0 || cp == 0x3000 || cp == 0xfeff || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x85)
		return C_SPACE;
	if ((cp >= 0x2010 && cp <= 0x2bff) ||	/* punctuation, symbols */
	    (cp >= 0x2e80 && cp <= 0x9fff) ||	/* CJK, kana, CJK marks */
	    (cp >= 0xf900 && cp <= 0xfaff) ||	/* compatibility Han */
	    (cp >= 0xfe30 && cp <= 0xfe4f) ||	/* CJK compatibility forms */
	    (cp >= 0xff00 && cp <= 0xffef) ||	/* full-width forms */
	    (cp >= 0x1f000 && cp <= 0x1faff) ||	/* emoji */
	    (cp >= 0x20000 && cp <= 0x3ffff))	/* Han extensions */
		return C_SOLO;
	if (cp >= 0x80 && cp <= 0xbf)		/* Latin-1 punctuation */
		return cp == 0xaa || cp == 0xb5 || cp == 0xba ? C_WORD : C_SOLO;
	return cp == 0xd7 || cp == 0xf7 ? C_SOLO : C_WORD;
}

static enum cls class_at(const unsigned char *p, const unsigned char *end,
			 size_t *len)
{
	if (*p < 0x80) {
		*len = 1;
		return ascii_class(*p);
	}
	return cp_class(utf8_decode((const char *)p, (size_t)(end - p), len));
}

static int clamp(int n)
{
	return n < 1 ? 1 : n > NGRAM_MAX ? NGRAM_MAX : n;
}

void ngram_init(struct ngram_iter *it, const char *text, size_t len, int n,
		int cn)
{
	it->p = (const unsigned char *)text;
	it->end = it->p + len;
	it->n = clamp(n);
	it->cn = clamp(cn);
	it->nprev = 0;
	it->pending = 0;
	it->is_char = 0;
}

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		h = (h ^ c) * FNV_PRIME;
	}
	return h;
}

/* The next token's hash: 1, or 0 at the end of the text. */
static int next_token(struct ngram_iter *it, uint64_t *h)
{
	const unsigned char *p = it->p, *end = it->end;
	size_t len = 1;
	enum cls c = C_SPACE;

	while (p < end && (c = class_at(p, end, &len)) == C_SPACE)
		p += len;
	if (p == end) {
		it->p = p;
		return 0;
	}
	if (c == C_SOLO) {
		*h = fnv(FNV_OFFSET, p, len);
		it->is_char = *p >= 0x80;
		it->p = p + len;
		return 1;
	}
	it->is_char = 0;
	const unsigned char *start = p;
	p += len;
	while (p < end && class_at(p, end, &len) == C_WORD)
		p += len;
	*h = fnv(FNV_OFFSET, start, (size_t)(p - start));
	it->p = p;
	return 1;
}

int ngram_next(struct ngram_iter *it, uint64_t *hash)
{
	if (!it->pending) {
		uint64_t h;
		int n;

		if (!next_token(it, &h))
			return 0;
		for (int k = NGRAM_MAX - 1; k > 0; k--)
			it->prev[k] = it->prev[k - 1];
		it->prev[0] = h;
		if (it->nprev < NGRAM_MAX)
			it->nprev++;
		n = it->is_char ? it->cn : it->n;
		it->pending = it->nprev < n ? it->nprev : n;
	}
	/* pending = k: return the k-gram ending at prev[0] (k counts down,
	 * so the unigram comes last; the order does not matter to a sum) */
	uint64_t c = it->prev[0];
	int k = it->pending--;

	for (int j = 1; j < k; j++)
		c = c * CHAIN + it->prev[j] + (uint64_t)j;
	*hash = mix(c + (uint64_t)k);
	return 1;
}
