/* unionfind.c: union by rank, two-pass path compression, per-root min. */
#include "unionfind.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/banned.h"

#define UF_MAX_INDEX UINT32_MAX	/* indices are uint32 */

void uf_init(struct uf *u, int64_t base)
{
	memset(u, 0, sizeof(*u));
	u->base = base;
}

void uf_release(struct uf *u)
{
	free(u->parent);
	free(u->min);
	free(u->rank);
	uf_init(u, u->base);
}

/* Materialize indices [n, need) as singletons. */
static int uf_grow(struct uf *u, size_t need)
{
	size_t a = u->alloc ? u->alloc : 1024, i;
	void *p;

	if (need > u->alloc) {
		while (a < need)
			a *= 2;
		if ((p = realloc(u->parent, a * sizeof(*u->parent))) == NULL)
			return -1;
		u->parent = p;
		if ((p = realloc(u->min, a * sizeof(*u->min))) == NULL)
			return -1;
		u->min = p;
		if ((p = realloc(u->rank, a * sizeof(*u->rank))) == NULL)
			return -1;
		u->rank = p;
		u->alloc = a;
	}
	for (i = u->n; i < need; i++) {
		u->parent[i] = (uint32_t)i;
		u->min[i] = (uint32_t)i;
		u->rank[i] = 0;
	}
	if (need > u->n)
		u->n = need;
	return 0;
}

static int in_range(const struct uf *u, int64_t x)
{
	/* unsigned difference: no overflow for any base and x */
	return x >= u->base && (uint64_t)x - (uint64_t)u->base < UF_MAX_INDEX;
}

static uint32_t find_index(struct uf *u, uint32_t i)
{
	uint32_t r = i, next;

	if (i >= u->n)
		return i;
	while (u->parent[r] != r)
		r = u->parent[r];
	while (u->parent[i] != r) {	/* second pass: point all at r */
		next = u->parent[i];
		u->parent[i] = r;
		i = next;
	}
	return r;
}

int uf_union(struct uf *u, int64_t x, int64_t y, struct sl_err *err)
{
	uint32_t i, j, t;
	size_t need;

	if (!in_range(u, x) || !in_range(u, y))
		return sl_error(err, "cannot join ids %lld and %lld: ids must "
				"be in [%lld, %lld)", (long long)x, (long long)y,
				(long long)u->base,
				(long long)((uint64_t)u->base + UF_MAX_INDEX));
	i = (uint32_t)((uint64_t)x - (uint64_t)u->base);
	j = (uint32_t)((uint64_t)y - (uint64_t)u->base);
	need = (size_t)(i > j ? i : j) + 1;
	if (uf_grow(u, need))
		return sl_error(err, "cannot join ids: out of memory");
	i = find_index(u, i);
	j = find_index(u, j);
	if (i == j)
		return 0;
	if (u->rank[i] < u->rank[j]) {
		t = i;
		i = j;
		j = t;
	}
	u->parent[j] = i;	/* i is the new root */
	if (u->rank[i] == u->rank[j])
		u->rank[i]++;
	if (u->min[j] < u->min[i])
		u->min[i] = u->min[j];
	return 1;
}

int64_t uf_find(struct uf *u, int64_t x)
{
	if (!in_range(u, x))
		return x;
	return u->base + find_index(u, (uint32_t)((uint64_t)x -
						  (uint64_t)u->base));
}

int64_t uf_min(struct uf *u, int64_t x)
{
	uint32_t r;

	if (!in_range(u, x))
		return x;
	r = find_index(u, (uint32_t)((uint64_t)x - (uint64_t)u->base));
	return u->base + (r < u->n ? u->min[r] : r);
}

int uf_same(struct uf *u, int64_t x, int64_t y)
{
	return uf_find(u, x) == uf_find(u, y);
}
