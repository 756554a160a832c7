/*
 * unionfind.h: disjoint sets over dense ids (near-duplicate clusters).
 *
 * Elements are int64 ids in [base, base + 2^32): document rowids, or plain
 * uint32 indices with base 0.  Ids never touched are singletons and cost
 * nothing: the arrays grow (doubling) when uf_union() first sees a larger
 * id, and uf_find() on such an id just returns it.  Union by rank plus
 * full path compression make a sequence of m operations O(m alpha(n)).
 *
 * Besides the (arbitrary) root, each set keeps its smallest id, which is
 * what dedup wants: "keep the oldest document of each cluster".
 *
 *   struct uf u;
 *   uf_init(&u, first_id);
 *   if (uf_union(&u, id1, id2, &err) < 0) ...;   // may allocate
 *   if (uf_min(&u, id) != id) drop(id);           // never allocates
 *   uf_release(&u);
 *
 * Not thread-safe (find compresses paths): one writer.
 */
#ifndef SL_UNIONFIND_H
#define SL_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;

struct uf {
	int64_t base;
	uint32_t *parent;	/* index -> parent index (root: itself) */
	uint32_t *min;		/* root index -> smallest index in its set */
	uint8_t *rank;
	size_t n;		/* indices [0, n) are materialized */
	size_t alloc;
};

void uf_init(struct uf *u, int64_t base);
void uf_release(struct uf *u);

/* Merge the sets of x and y.  Returns 1 if they were apart, 0 if already
 * joined, -1 with err set (id out of range, out of memory). */
int uf_union(struct uf *u, int64_t x, int64_t y, struct sl_err *err);

/* The root id of x's set (ids out of range are their own root). */
int64_t uf_find(struct uf *u, int64_t x);

/* The smallest id in x's set. */
int64_t uf_min(struct uf *u, int64_t x);

/* 1 if x and y are in the same set. */
int uf_same(struct uf *u, int64_t x, int64_t y);

#endif
