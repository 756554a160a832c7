/*
 * bloom.h: a blocked Bloom filter of 64-bit keys that are already hashes
 * (line hashes): "certainly not added" or "maybe added".
 *
 * Each key sets BLOOM_K bits of one 64-byte block, so a lookup touches one
 * cache line.  16 bits a key (capacity keys fit before the false positive
 * rate passes ~0.2%); the caller rebuilds a bigger filter when n passes
 * cap.  No deletion.
 *
 *   struct bloom b;
 *   if (bloom_init(&b, 1000000)) ...;     // out of memory
 *   bloom_add(&b, h);
 *   if (!bloom_has(&b, h)) ...;           // h was never added
 *   bloom_release(&b);
 */
#ifndef SL_BLOOM_H
#define SL_BLOOM_H

#include <stddef.h>
#include <stdint.h>

struct bloom {
	uint64_t *bits;		/* nblocks x 8 words */
	size_t nblocks;		/* at most 2^32 */
	size_t n;		/* keys added */
	size_t cap;		/* keys it is sized for */
};

/* A filter sized for at least keys keys.  0, or -1 when out of memory. */
int bloom_init(struct bloom *b, size_t keys);
void bloom_release(struct bloom *b);
void bloom_add(struct bloom *b, uint64_t key);
int bloom_has(const struct bloom *b, uint64_t key);

#endif
