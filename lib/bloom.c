#include "bloom.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define BLOOM_K 6
#define BITS_PER_KEY 16
#define BLOCK_BITS 512

int bloom_init(struct bloom *b, size_t keys)
{
	size_t n = (keys ? keys : 1) * BITS_PER_KEY / BLOCK_BITS + 1;

	memset(b, 0, sizeof(*b));
	if (n > UINT32_MAX)
		return -1;
	if (!(b->bits = aligned_alloc(64, n * 64)))
		return -1;
	memset(b->bits, 0, n * 64);
	b->nblocks = n;
	b->cap = n * BLOCK_BITS / BITS_PER_KEY;
	return 0;
}

void bloom_release(struct bloom *b)
{
	free(b->bits);
	memset(b, 0, sizeof(*b));
}

/* The key's block, and its K bit positions (9 bits each) from a second
 * multiply, so keys that share their block still differ in their bits. */
static uint64_t *block_of(const struct bloom *b, uint64_t key, uint64_t *pos)
{
	uint64_t h = key * 0x9E3779B97F4A7C15ull;

	*pos = (key ^ (key >> 31)) * 0xBF58476D1CE4E5B9ull;
	/* (h / 2^32) * nblocks / 2^32: any block count, no division */
	return b->bits + 8 * (size_t)(((h >> 32) * b->nblocks) >> 32);
}

void bloom_add(struct bloom *b, uint64_t key)
{
	uint64_t pos, *w = block_of(b, key, &pos);

	for (int i = 0; i < BLOOM_K; i++, pos >>= 9)
		w[(pos >> 6) & 7] |= 1ull << (pos & 63);
	b->n++;
}

int bloom_has(const struct bloom *b, uint64_t key)
{
	uint64_t pos;
	const uint64_t *w = block_of(b, key, &pos);

	for (int i = 0; i < BLOOM_K; i++, pos >>= 9)
		if (!(w[(pos >> 6) & 7] & (1ull << (pos & 63))))
			return 0;
	return 1;
}
