/*
 * bpe_affix.c: which short byte strings begin or end a longer token.
 *
 * The chain merge (bpe.c) asks, for two neighbouring characters, whether
 * a part at the end of the left one joined to a part at the start of the
 * right one can be a token.  Such a token has the left part as a proper
 * prefix and the right part as a proper suffix, so a part that is neither
 * rules out every join it could take part in, without a look at the rank
 * table.  The parts are the 1-4 bytes at a character's edges; those of
 * 2 or more bytes are all >= 0x80 (pieces of one UTF-8 sequence).
 *
 * Layout (in struct bpe):
 *   affix2   two bit sets of 65536 + 256 bits, [0] proper prefixes, [1]
 *            proper suffixes of some token: bit p0 << 8 | p1 for a
 *            2-byte string, 65536 + b for the 1-byte string b
 *   affix    open-addressing set of uint64 keys (bytes, length 3 or 4,
 *            kind) for the 3- and 4-byte ones made of bytes >= 0x80 only;
 *            load <= 1/2, linear probing, 0 marks an empty slot
 *   cont1, cont2, affix_cont  for each proper prefix x of 1 to 4 bytes
 *            (x of 3-4 bytes: those in affix), a 64-bit filter of the
 *            strings y of 1-4 bytes with x y a token: bit bpe_cont_bit(y)
 *            is set for each (so a clear bit rules the join out)
 *   maybe    2^20-bit filter of the tokens of 3 or more bytes that
 *            start with a byte >= 0x80 (two bits per token): a string
 *            whose bits are not both set is no token, found in a 128 kB
 *            table instead of the 4-8 MB rank table
 * Built once by bpe_affix_build(); read-only afterwards.
 */
#include <stdlib.h>
#include <string.h>

#include "bpe_int.h"
#include "../lib/banned.h"

/* Bit index of a 1- or 2-byte string in one of the affix2 sets. */
static inline size_t key2(const uint8_t *p, size_t len)
{
	return len == 1 ? 65536u + p[0] : (size_t)p[0] << 8 | p[1];
}

#define AFFIX2_BITS (65536u + 256u)

static inline uint64_t key34(const uint8_t *p, size_t len, int kind)
{
	uint64_t k = 0;

	for (size_t i = 0; i < len; i++)
		k |= (uint64_t)p[i] << (8 * i);
	return k | (uint64_t)len << 32 | (uint64_t)(kind + 1) << 40;
}

static inline size_t slot34(uint64_t k, size_t mask)
{
	k *= 0x9e3779b97f4a7c15ull;
	return (size_t)(k >> 32) & mask;
}

static int all_high(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x80)
			return 0;
	return 1;
}

/* The slot of key k in affix, or SIZE_MAX. */
static size_t set_find(const struct bpe *t, uint64_t k)
{
	for (size_t i = slot34(k, t->affix_mask); t->affix[i];
	     i = (i + 1) & t->affix_mask)
		if (t->affix[i] == k)
			return i;
	return SIZE_MAX;
}

static void set_add(struct bpe *t, uint64_t k)
{
	size_t i = slot34(k, t->affix_mask);

	while (t->affix[i] && t->affix[i] != k)
		i = (i + 1) & t->affix_mask;
	t->affix[i] = k;
}

/* Count (and with add, insert) the proper prefixes (kind 0) and suffixes
 * (kind 1) of 3 and 4 bytes >= 0x80 of every token. */
static size_t each34(struct bpe *t, int add)
{
	size_t count = 0;

	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *p = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r];

		if (p[0] < 0x80 && p[n - 1] < 0x80)
			continue;	/* most tokens: neither end is kept */
		for (size_t k = 3; k <= 4 && k < n; k++) {
			if (all_high(p, k)) {
				count++;
				if (add)
					set_add(t, key34(p, k, 0));
			}
			if (all_high(p + n - k, k)) {
				count++;
				if (add)
					set_add(t, key34(p + n - k, k, 1));
			}
		}
	}
	return count;
}

static void build_cont(struct bpe *t);

int bpe_affix_build(struct bpe *t)
{
	size_t cap = 16, count;

	t->maybe = calloc(BPE_MAYBE_BITS / 64, sizeof(*t->maybe));
	if (!t->maybe)
		return -1;
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *p = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r];
		uint64_t h;

		if (n < 3 || p[0] < 0x80)
			continue;
		h = bpe_maybe_hash(p, n);
		t->maybe[(h >> 44) / 64] |= 1ull << (h >> 44) % 64;
		t->maybe[(h >> 12 & (BPE_MAYBE_BITS - 1)) / 64] |=
			1ull << (h >> 12) % 64;
	}

	t->affix2 = calloc(2 * AFFIX2_BITS / 8, 1);
	if (!t->affix2)
		return -1;
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *p = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r];

		for (size_t k = 1; k <= 2 && k < n; k++) {
			size_t a = key2(p, k), b = AFFIX2_BITS + key2(p + n - k, k);

			t->affix2[a >> 3] |= (uint8_t)(1u << (a & 7));
			t->affix2[b >> 3] |= (uint8_t)(1u << (b & 7));
		}
	}
	count = each34(t, 0);
	while (cap < 2 * count)
		cap *= 2;
	t->affix = calloc(cap, sizeof(*t->affix));
	t->affix_cont = calloc(cap, sizeof(*t->affix_cont));
	t->cont1 = calloc(256, sizeof(*t->cont1));
	t->cont2 = calloc(65536, sizeof(*t->cont2));
	if (!t->affix || !t->affix_cont || !t->cont1 || !t->cont2)
		return -1;
	t->affix_mask = cap - 1;
	each34(t, 1);
	build_cont(t);
	return 0;
}

/* Every token x y of 2-8 bytes with x of 1-4 bytes >= 0x80 and y of 1-4:
 * the bit of y in x's filter.  An x with an ASCII byte gets all bits (it
 * is rare in the pieces the chain merge sees, and common in the ranks). */
static void build_cont(struct bpe *t)
{
	for (int b = 0; b < 0x80; b++)
		t->cont1[b] = UINT64_MAX;
	for (int b = 0; b < 65536; b++)
		if ((b >> 8) < 0x80 || (b & 0xff) < 0x80)
			t->cont2[b] = UINT64_MAX;
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		const uint8_t *p = t->blob + t->tok_off[r];
		size_t n = t->tok_off[r + 1] - t->tok_off[r], i;

		if (n < 2 || n > 8 || p[0] < 0x80)
			continue;
		for (size_t k = n > 4 ? n - 4 : 1; k <= 4 && k < n; k++) {
			uint64_t bit = 1ull << bpe_cont_bit(p + k, n - k);

			if (k == 1)
				t->cont1[p[0]] |= bit;
			else if (k == 2)
				t->cont2[p[0] << 8 | p[1]] |= bit;
			else if (all_high(p, k) &&
				 (i = set_find(t, key34(p, k, 0))) != SIZE_MAX)
				t->affix_cont[i] |= bit;
		}
	}
}

uint64_t bpe_affix_cont(const struct bpe *t, const uint8_t *p, size_t len)
{
	size_t i;

	if (len == 1)
		return t->cont1[p[0]];
	if (len == 2)
		return t->cont2[p[0] << 8 | p[1]];
	if (len > 4 || !all_high(p, len))
		return UINT64_MAX;
	i = set_find(t, key34(p, len, 0));
	return i == SIZE_MAX ? 0 : t->affix_cont[i];
}

int bpe_affix_has(const struct bpe *t, const uint8_t *p, size_t len, int kind)
{
	if (len <= 2) {
		size_t b = (kind ? AFFIX2_BITS : 0) + key2(p, len);

		return t->affix2[b >> 3] >> (b & 7) & 1;
	}
	if (len > 4 || !all_high(p, len))
		return 1;	/* not kept: say maybe */
	return set_find(t, key34(p, len, kind)) != SIZE_MAX;
}
