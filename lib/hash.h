/*
 * hash.h: the content hashes sluice uses (xxHash's XXH3, stable across
 * machines and versions, so hashes stored in the database stay valid).
 */
#ifndef SL_HASH_H
#define SL_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash128 {
	uint8_t b[16];	/* big-endian canonical form, as XXH128_canonical_t */
};

void hash128(const void *p, size_t n, struct hash128 *out);
uint64_t hash64(const void *p, size_t n);
uint64_t hash64_seed(const void *p, size_t n, uint64_t seed);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void hash_hex(const uint8_t *p, size_t n, char *out);

#endif
