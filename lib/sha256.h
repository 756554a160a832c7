/*
 * sha256.h: SHA-256 (FIPS 180-4), for the checksums in export manifests,
 * which users verify with sha256sum.
 *
 *   struct sha256 c;  sha256_init(&c);
 *   sha256_update(&c, p, n); ...
 *   sha256_hex(&c, hex);   // 64 hex digits + NUL; c is finished
 */
#ifndef SL_SHA256_H
#define SL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes so far */
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[32]);
void sha256_hex(struct sha256 *c, char out[65]);
/* The SHA-256 of a whole file, as hex. */
int sha256_file(const char *path, char out[65]);

#endif
