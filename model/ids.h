/*
 * ids.h: a growable array of token ids (what bpe_encode() appends to, what
 * bpe_decode() and the shard writer read).
 *
 * Ids are uint32_t: o200k_base needs more than 16 bits; the shard writer
 * narrows to uint16 when the vocabulary allows.  Appending reuses the
 * memory already allocated, so a caller that keeps one struct ids per thread
 * and calls ids_reset() between documents allocates only while the largest
 * document seen so far grows.
 *
 *   struct ids v;
 *   ids_init(&v);                // no allocation yet
 *   bpe_encode(..., &v, ...);    // appends
 *   use(v.v, v.len);
 *   ids_reset(&v);               // len = 0, memory kept
 *   ids_release(&v);             // frees
 */
#ifndef SL_IDS_H
#define SL_IDS_H

#include <stddef.h>
#include <stdint.h>

struct ids {
	uint32_t *v;	/* NULL until the first push */
	size_t len;	/* ids in use */
	size_t alloc;	/* ids allocated */
};

void ids_init(struct ids *a);
void ids_release(struct ids *a);
void ids_reset(struct ids *a);

/* Make room for n more ids.  Returns 0, or -1 when out of memory. */
int ids_grow(struct ids *a, size_t n);

/* Append one id; 0, or -1 when out of memory (the array is unchanged). */
static inline int ids_push(struct ids *a, uint32_t id)
{
	if (a->len == a->alloc && ids_grow(a, 1))
		return -1;
	a->v[a->len++] = id;
	return 0;
}

#endif
