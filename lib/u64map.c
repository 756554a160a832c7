#include "u64map.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MIN_CAP 1024

/* Home slot: the key's top bits after a multiply, so keys that differ
 * only in their low bits (small integers in tests) still spread. */
static size_t home(const struct u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >>
			(64 - __builtin_ctzll(m->cap)));
}

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void u64map_release(struct u64map *m)
{
	free(m->v);
	u64map_init(m);
}

void u64map_clear(struct u64map *m)
{
	if (m->v)
		memset(m->v, 0, m->cap * sizeof(*m->v));
	m->n = 0;
}

static void put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i = home(m, key), mask = m->cap - 1;

	while (m->v[i].val)
		i = (i + 1) & mask;
	m->v[i].key = key;
	m->v[i].val = val;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;
	size_t cap = m->cap ? 2 * m->cap : MIN_CAP;

	m->v = calloc(cap, sizeof(*m->v));
	if (!m->v) {
		*m = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].val)
			put(m, old.v[i].key, old.v[i].val);
	free(old.v);
	return 0;
}

int u64map_add(struct u64map *m, uint64_t key, uint64_t val)
{
	if ((m->n + 1) * 5 > m->cap * 4 && grow(m))
		return -1;
	put(m, key, val);
	m->n++;
	return 0;
}

size_t u64map_next(const struct u64map *m, uint64_t key, size_t i)
{
	size_t mask = m->cap - 1;

	for (i = (i + 1) & mask; m->v[i].val; i = (i + 1) & mask)
		if (m->v[i].key == key)
			return i;
	return U64MAP_END;
}

size_t u64map_first(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->n)
		return U64MAP_END;
	i = home(m, key);
	if (m->v[i].val && m->v[i].key == key)
		return i;
	return m->v[i].val ? u64map_next(m, key, i) : U64MAP_END;
}

size_t u64map_bytes(const struct u64map *m)
{
	return m->cap * sizeof(*m->v);
}
