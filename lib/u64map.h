/*
 * u64map.h: an open-addressing hash table of (key, value) pairs of 64-bit
 * integers, for keys that are already hashes (LSH band keys, line hashes):
 * the slot is taken from the key's bits, no second hash.
 *
 * It is a multimap: u64map_add() adds an entry even when the key is there,
 * and lookups walk every entry with the key.  Value 0 marks an empty slot,
 * so values must be nonzero.  Linear probing, power-of-two capacity, grown
 * at 80% load (the cheapest table per entry that keeps probes short for
 * keys this random): 16 bytes per slot.  No deletion but u64map_clear().
 *
 *   struct u64map m;
 *   u64map_init(&m);
 *   if (u64map_add(&m, key, val)) ...;          // out of memory
 *   for (size_t i = u64map_first(&m, key); i != U64MAP_END;
 *        i = u64map_next(&m, key, i))
 *           use(m.v[i].val);                    // m.v[i].val may be updated
 *   u64map_release(&m);
 */
#ifndef SL_U64MAP_H
#define SL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#define U64MAP_END ((size_t)-1)

struct u64map_ent {
	uint64_t key, val;	/* val 0: empty slot */
};

struct u64map {
	struct u64map_ent *v;
	size_t cap;		/* slots: 0 or a power of two */
	size_t n;		/* entries */
};

void u64map_init(struct u64map *m);
void u64map_release(struct u64map *m);
/* Remove every entry; the memory is kept. */
void u64map_clear(struct u64map *m);

/* Add (key, val); val must be nonzero.  0, or -1 when out of memory (the
 * table is unchanged). */
int u64map_add(struct u64map *m, uint64_t key, uint64_t val);

/* Slot of the first / next entry with key, or U64MAP_END. */
size_t u64map_first(const struct u64map *m, uint64_t key);
size_t u64map_next(const struct u64map *m, uint64_t key, size_t i);

/* Bytes the table holds (for reports). */
size_t u64map_bytes(const struct u64map *m);

#endif
