/*
 * minhash.c: signatures, band keys, Jaccard.
 *
 * The hot loop is h_i(x) = (a_i x + b_i) mod p for every shingle x and
 * permutation i.  A 64 x 64 -> 128-bit multiply does not vectorize, so a
 * and x (both < 2^61) are split into 32-bit halves and the product is
 * reduced with 2^61 = 1 (mod p):
 *
 *   a x = a1 x1 2^64 + (a1 x0 + a0 x1) 2^32 + a0 x0
 *       = 8 a1 x1  +  (mid >> 29) + (mid mod 2^29) 2^32  +  lo61 + hi3
 *                      with mid = a1 x0 + a0 x1 (< 2^62), a0 x0 = hi3 2^61 + lo61
 *
 * Each term is below 2^61, so the sum (plus b < 2^61) stays below 2^64;
 * one fold s = (s & p) + (s >> 61) and one conditional subtraction finish
 * the job.  Only 32 x 32 -> 64 multiplies remain (vpmuludq), and the
 * permutations are processed 8 at a time with the minima in registers, so
 * gcc vectorizes the lane loop; the kernel is compiled twice (AVX2 and
 * the baseline) and picked at load time.
 */
#include "minhash.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/banned.h"

#define P MINHASH_PRIME
#define LANES 8
#define M32 UINT64_C(0xffffffff)
#define M29 ((UINT64_C(1) << 29) - 1)

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in [lo, p) by rejection on 61 random bits. */
static uint64_t draw(uint64_t *state, uint64_t lo)
{
	uint64_t r;

	do
		r = splitmix64(state) >> 3;
	while (r < lo || r >= P);
	return r;
}

int minhash_init(struct minhash *mh, int perms, int bands, int rows,
		 uint64_t seed, struct sl_err *err)
{
	uint64_t st = seed;
	int i;

	memset(mh, 0, sizeof(*mh));
	if (perms < 1 || perms > MINHASH_MAX_PERMS || bands < 1 || rows < 1 ||
	    (long)bands * rows != perms)
		return sl_error(err, "bad minhash shape %d perms = %d bands x "
				"%d rows: need bands x rows = perms, 1..%d",
				perms, bands, rows, MINHASH_MAX_PERMS);
	mh->a = malloc(perms * sizeof(*mh->a));
	mh->b = malloc(perms * sizeof(*mh->b));
	if (!mh->a || !mh->b) {
		minhash_release(mh);
		return sl_error(err, "cannot make minhash: out of memory");
	}
	for (i = 0; i < perms; i++) {
		mh->a[i] = draw(&st, 1);
		mh->b[i] = draw(&st, 0);
	}
	mh->perms = perms;
	mh->bands = bands;
	mh->rows = rows;
	mh->seed = seed;
	return 0;
}

void minhash_release(struct minhash *mh)
{
	free(mh->a);
	free(mh->b);
	memset(mh, 0, sizeof(*mh));
}

static inline uint64_t mod_p(uint64_t x)
{
	x = (x & P) + (x >> 61);
	return x >= P ? x - P : x;
}

/* (a x + b) mod p from 32-bit halves; see the top of the file. */
static inline uint64_t mulmod(uint32_t a0, uint32_t a1, uint32_t x0,
			      uint32_t x1, uint64_t b)
{
	uint64_t hh = (uint64_t)a1 * x1;
	uint64_t mid = (uint64_t)a1 * x0 + (uint64_t)a0 * x1;
	uint64_t ll = (uint64_t)a0 * x0;
	uint64_t s = (hh << 3) + (mid >> 29) + ((mid & M29) << 32) +
		     (ll & P) + (ll >> 61) + b;

	s = (s & P) + (s >> 61);
	return s >= P ? s - P : s;
}

/* out[0..LANES) = minima over x[0..n) for permutations a[], b[] (LANES
 * each).  The values are < 2^61, so signed compares are exact (AVX2 has
 * a signed 64-bit compare, not an unsigned one). */
__attribute__((target_clones("avx2", "default")))
static void block_min(const uint64_t *a, const uint64_t *b, const uint64_t *x,
		      size_t n, uint64_t *out)
{
	uint32_t a0[LANES], a1[LANES];
	uint64_t bb[LANES];
	int64_t m[LANES];
	size_t j;
	int l;

	for (l = 0; l < LANES; l++) {
		a0[l] = (uint32_t)a[l];
		a1[l] = (uint32_t)(a[l] >> 32);
		bb[l] = b[l];
		m[l] = INT64_MAX;
	}
	for (j = 0; j < n; j++) {
		uint64_t v = mod_p(x[j]);
		uint32_t x0 = (uint32_t)v, x1 = (uint32_t)(v >> 32);

		for (l = 0; l < LANES; l++) {
			int64_t h = (int64_t)mulmod(a0[l], a1[l], x0, x1,
						    bb[l]);
			m[l] = h < m[l] ? h : m[l];
		}
	}
	for (l = 0; l < LANES; l++)
		out[l] = (uint64_t)m[l];
}

void minhash_signature(const struct minhash *mh, const uint64_t *x, size_t n,
		       uint64_t *sig)
{
	int i = 0, full = mh->perms - mh->perms % LANES;
	size_t j;

	if (n == 0) {
		for (i = 0; i < mh->perms; i++)
			sig[i] = MINHASH_EMPTY;
		return;
	}
	for (i = 0; i < full; i += LANES)
		block_min(mh->a + i, mh->b + i, x, n, sig + i);
	for (; i < mh->perms; i++) {	/* the tail, when perms % 8 != 0 */
		uint64_t a = mh->a[i], m = MINHASH_EMPTY, h, v;

		for (j = 0; j < n; j++) {
			v = mod_p(x[j]);
			h = mulmod((uint32_t)a, (uint32_t)(a >> 32),
				   (uint32_t)v, (uint32_t)(v >> 32), mh->b[i]);
			m = h < m ? h : m;
		}
		sig[i] = m;
	}
}

void minhash_bands(const struct minhash *mh, const uint64_t *sig,
		   uint64_t *keys)
{
	int j;

	for (j = 0; j < mh->bands; j++)
		keys[j] = hash64_seed(sig + (size_t)j * mh->rows,
				      (size_t)mh->rows * sizeof(*sig),
				      (uint64_t)j);
}

double minhash_estimate(const uint64_t *s1, const uint64_t *s2, int perms)
{
	int i, eq = 0;

	if (perms <= 0)
		return 0.0;
	for (i = 0; i < perms; i++)
		eq += s1[i] == s2[i];
	return (double)eq / perms;
}

static size_t intersect(const uint64_t *a, size_t na, const uint64_t *b,
			size_t nb)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j]) {
			i++;
		} else if (a[i] > b[j]) {
			j++;
		} else {
			k++;
			i++;
			j++;
		}
	}
	return k;
}

double minhash_jaccard(const uint64_t *a, size_t na, const uint64_t *b,
		       size_t nb)
{
	size_t k;

	if (na == 0 && nb == 0)
		return 1.0;
	k = intersect(a, na, b, nb);
	return (double)k / (double)(na + nb - k);
}

double minhash_containment(const uint64_t *a, size_t na, const uint64_t *b,
			   size_t nb)
{
	if (na == 0)
		return 0.0;
	return (double)intersect(a, na, b, nb) / (double)na;
}
