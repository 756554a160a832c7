/*
 * minhash.h: MinHash signatures and LSH band keys for near-dedup.
 *
 * A signature is P minima: sig[i] = min over shingles x of
 *     h_i(x) = fmix32((lo32(x) ^ hi32(x)) ^ s_i),
 * murmur3's 32-bit finalizer under a per-permutation seed s_i drawn from
 * splitmix64 seeded with the configured seed (minhash.c says why this and
 * not datatrove's (a x + b) mod 2^61-1, which sluice used before stage
 * version 2).  Two sets' signatures agree at i with probability
 * Jaccard(A, B) (plus < 2^-32 |A| |B| from 32-bit collisions), so the
 * fraction of equal entries estimates it (standard error sqrt(J(1-J)/P)).
 *
 * LSH: the P minima are cut into B bands of R rows (P = B * R); a band's
 * key is XXH3 of its R minima (little-endian uint64) seeded with the band
 * index, so equal rows in different bands never collide.  Two documents
 * become candidates when any band key matches; with Jaccard s that happens
 * with probability 1 - (1 - s^R)^B (14 x 8: s = 0.9 -> 0.9999,
 * s = 0.8 -> 0.92, s = 0.5 -> 0.05, s = 0.3 -> 0.0009).
 *
 * Invariants: every signature entry is < 2^32, except for the empty set,
 * whose entries are all MINHASH_EMPTY (two empty documents then look
 * identical: callers should not index documents without shingles).
 * Signatures made with the same (perms, seed) are comparable across runs
 * and machines; the parameters are stored with them.
 *
 * Calling sequence (a struct minhash is read-only after init, so one may
 * be shared by all worker threads):
 *
 *   struct minhash mh;
 *   if (minhash_init(&mh, 112, 14, 8, 1, &err)) ...;
 *   uint64_t sig[112], keys[14];
 *   minhash_signature(&mh, shingles, n, sig);
 *   minhash_bands(&mh, sig, keys);
 *   minhash_release(&mh);
 */
#ifndef SL_MINHASH_H
#define SL_MINHASH_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;

#define MINHASH_EMPTY UINT64_MAX
#define MINHASH_PERMS 112	/* defaults: FineWeb's 14 x 8 */
#define MINHASH_BANDS 14
#define MINHASH_ROWS 8
#define MINHASH_SEED 1
#define MINHASH_MAX_PERMS 4096

struct minhash {
	int perms, bands, rows;
	uint64_t seed;
	uint32_t *s;	/* perms seeds */
};

/* Draw the seeds.  perms must be bands * rows, 1..MINHASH_MAX_PERMS.
 * Returns 0, or -1 with err set (bad shape, out of memory). */
int minhash_init(struct minhash *mh, int perms, int bands, int rows,
		 uint64_t seed, struct sl_err *err);
void minhash_release(struct minhash *mh);

/* sig[0..perms) = minima over shingles x[0..n) (duplicates allowed; n = 0
 * gives all MINHASH_EMPTY).  No allocation; thread-safe. */
void minhash_signature(const struct minhash *mh, const uint64_t *x, size_t n,
		       uint64_t *sig);

/* keys[0..bands) = the LSH band keys of sig. */
void minhash_bands(const struct minhash *mh, const uint64_t *sig,
		   uint64_t *keys);

/* Fraction of equal entries of two signatures of length perms. */
double minhash_estimate(const uint64_t *s1, const uint64_t *s2, int perms);

/* Exact |A ∩ B| / |A ∪ B| of two sorted, duplicate-free sets (as
 * shingle_text() makes); two empty sets count as identical (1.0). */
double minhash_jaccard(const uint64_t *a, size_t na, const uint64_t *b,
		       size_t nb);

/* |A ∩ B| / |A| (how much of A is inside B), same input rules; 0 if A is
 * empty.  Useful to verify partial copies, where Jaccard is low. */
double minhash_containment(const uint64_t *a, size_t na, const uint64_t *b,
			   size_t nb);

#endif
