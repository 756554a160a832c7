/*
 * bpe_int.h: private structures of the BPE tokenizer (bpe.c, bpe_data.c
 * and the test suite).
 *
 * Layout of a loaded tokenizer:
 *   blob      all ordinary tokens' bytes, back to back, in rank order
 *   tok_off   [n_ranks + 1] rank -> offset in blob (token r is
 *             blob[tok_off[r] .. tok_off[r + 1]))
 *   slots     open-addressing hash table, [mask + 1] entries of
 *             { first 8 bytes (load8() packs shorter tokens), rank,
 *             length }, length 0 marking an empty
 *             slot; a token of up to 8 bytes is found without touching
 *             blob.  Load factor <= 1/2, linear probing.
 *   byte_rank [256] the rank of each single byte (not the byte's value)
 *   rank2     [65536] the rank of each 2-byte string, or BPE_NO_ID: the
 *             first lookups of every merge, without hashing
 *   special   the special tokens, sorted by id
 *   affix2, affix  which 1-4 byte strings are proper prefixes or suffixes
 *             of a token (bpe_affix.c)
 */
#ifndef SL_BPE_INT_H
#define SL_BPE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpe.h"

/* A built-in encoding: the two embedded files. */
struct bpe_data {
	const char *ranks;
	size_t ranks_len;
	const char *json;
	size_t json_len;
};

int bpe_data_find(const char *name, struct bpe_data *out);
const char *bpe_data_names(void);

/* PCRE2 class items ("\\x{..}-\\x{..}...") Unicode 15.0-16.0 added to
 * property name[0..len) ("L", "N", "Lu", "Ll", "Lt", "Lm", "Lo", "M"), or
 * NULL when there are none (bpe_unicode.c, generated). */
const char *bpe_unicode_extra(const char *name, size_t len);

enum { RE_EXACT = 0, RE_FAST = 1 };

/* bpe_ascii.c: the built-in patterns run by hand on ASCII text. */
enum { BPE_ASCII_NONE, BPE_ASCII_R50K, BPE_ASCII_CL100K, BPE_ASCII_O200K };
/* Which built-in pattern pat is (exact string), or BPE_ASCII_NONE. */
int bpe_ascii_kind(const char *pat);
/* End of the piece the pattern matches at pos (pos < n), or 0 when a
 * byte >= 0x80 could change it (then ask PCRE2). */
size_t bpe_ascii_match(int kind, const uint8_t *p, size_t pos, size_t n);

/* bpe_affix.c: build t->affix2 and t->affix from the ranks (0, or -1
 * when out of memory), and ask whether p[0..len) is a proper prefix (kind
 * 0) or proper suffix (kind 1) of some token: 0 only when it is not; 1
 * when it is, or when len is not 1-4 or a byte of a 3-4 byte string is
 * below 0x80 (not kept). */
int bpe_affix_build(struct bpe *t);
int bpe_affix_has(const struct bpe *t, const uint8_t *p, size_t len,
		  int kind);
/* The filter of the strings y (1-4 bytes) that make a token after
 * p[0..len): a y whose bit bpe_cont_bit(y) is clear does not.  All ones
 * when not kept (len > 4, or a byte of a 3-4 byte p below 0x80). */
uint64_t bpe_affix_cont(const struct bpe *t, const uint8_t *p, size_t len);
static inline unsigned bpe_cont_bit(const uint8_t *p, size_t n)
{
	uint32_t k = 0;

	for (size_t i = 0; i < n; i++)
		k |= (uint32_t)p[i] << (8 * i);
	return (unsigned)(((k ^ (uint32_t)n << 29) * 0x9e3779b1u) >> 26);
}

/* The filter of tokens of 3 or more bytes (bpe_affix.c): 0 when p[0..n)
 * is no token (n >= 3), 1 when it may be one (always when p[0] < 0x80:
 * only tokens that start with a byte >= 0x80 are in the filter).
 * The hash reads the first and the last 4 (n < 8) or 8 bytes, which may
 * overlap: up to 16 bytes they give the whole string, in two loads
 * instead of a loop over the bytes (the chain merge asks millions of
 * times); longer strings share the hash of their ends, which a filter may
 * (a false "maybe"). */
#define BPE_MAYBE_BITS (1u << 20)
static inline uint64_t bpe_maybe_hash(const uint8_t *p, size_t n)
{
	uint64_t k = 0, k2 = 0;

	if (n >= 8) {
		memcpy(&k, p, 8);
		memcpy(&k2, p + n - 8, 8);
	} else if (n >= 4) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		k = a;
		k2 = b;
	} else {
		for (size_t i = 0; i < n; i++)
			k |= (uint64_t)p[i] << (8 * i);
	}
	k = (k ^ (uint64_t)n << 59) * 0x9e3779b97f4a7c15ull;
	k = (k ^ (k >> 29) ^ k2) * 0xbf58476d1ce4e5b9ull;
	return k ^ (k >> 31);
}

static inline int bpe_maybe_token(const uint64_t *maybe, const uint8_t *p,
				  size_t n)
{
	uint64_t h, a, b;

	if (p[0] < 0x80)
		return 1;
	h = bpe_maybe_hash(p, n);
	a = h >> 44;
	b = h >> 12 & (BPE_MAYBE_BITS - 1);
	return (maybe[a / 64] >> a % 64 & 1) && (maybe[b / 64] >> b % 64 & 1);
}

struct bpe_slot {
	uint64_t key8;	/* first 8 bytes of the token, or load8()'s packing */
	uint32_t rank;
	uint32_t len;	/* 0: empty slot */
};

struct bpe_special {
	char *bytes;
	size_t len;
	uint32_t id;
};

struct bpe {
	char *name;
	uint32_t n_ranks;
	uint32_t vocab_size;
	uint32_t eot;
	size_t max_token_len;
	uint8_t *blob;
	uint32_t *tok_off;
	struct bpe_slot *slots;
	size_t mask;
	uint32_t byte_rank[256];
	uint32_t *rank2;	/* [65536] rank of each 2-byte string */
	uint8_t *affix2;	/* bits: see bpe_affix.c */
	uint64_t *affix;
	size_t affix_mask;
	uint64_t *maybe;	/* [BPE_MAYBE_BITS / 64] */
	uint64_t *affix_cont;	/* [affix_mask + 1] */
	uint64_t *cont1, *cont2;	/* [256], [65536] */
	struct bpe_special *special;
	size_t n_special;
	void *re[2];		/* pcre2_code_8: RE_EXACT, RE_FAST */
	int jit[2];		/* re[i] is JIT-compiled */
	int ascii;		/* BPE_ASCII_*: the hand-run pattern */
	uint8_t *extra_bits;	/* [0x110000 / 8] code points where
				   RE_FAST may split differently */
	uint8_t lead_extra[256];	/* lead bytes of some of them */
};

#endif
