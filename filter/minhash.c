/*
 * minhash.c: signatures, band keys, Jaccard.
 *
 * The hot loop is h_i(x) for every shingle x and permutation i.  Each
 * 64-bit shingle hash is folded once to 32 bits, y = lo32(x) ^ hi32(x),
 * and permutation i is the murmur3 32-bit finalizer of y xor a seed:
 *
 *   v = y ^ s_i;  v ^= v >> 16;  v *= 0x85ebca6b;  v ^= v >> 13;
 *   v *= 0xc2b2ae35;  v ^= v >> 16;          h_i(x) = v
 *
 * fmix32 is a bijection on 32 bits with full avalanche, so for each seed
 * the shingles' order under h_i is an independent-looking random order:
 * P(min_A h_i = min_B h_i) = J(A, B) up to 32-bit collisions (a distinct
 * shingle of A and of B share a folded or hashed value with probability
 * ~2^-32 each, so the bias is below |A| |B| 2^-32 for the minimum: 2e-4
 * at 1000 x 1000 shingles).  tests/test_minhash.c checks the estimator's
 * error and the LSH S-curve against the binomial figures on random sets.
 *
 * Why not (a x + b) mod 2^61-1 as datatrove: that is ~20 vector
 * instructions per 4 permutations with 32 x 32 -> 64-bit products; the
 * finalizer is 10 per 8 permutations with 32-bit lanes (vpmulld, vpminud)
 * and makes the signature ~3.5x cheaper (bench/RESULTS.md, "minhash").
 *
 * Loop order: shingles go in chunks of 256 whose folded values are
 * computed once; for each chunk, the permutations go LANES (16, two AVX2
 * vectors) at a time with their minima in registers through the whole
 * chunk.  The AVX2 kernel is written with intrinsics and chosen at run
 * time; the portable kernel is the same arithmetic in plain C and gives
 * identical minima.
 */
#include "minhash.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/banned.h"

#define LANES 16
#define C1 0x85ebca6bu
#define C2 0xc2b2ae35u

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
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
	mh->s = malloc(perms * sizeof(*mh->s));
	if (!mh->s)
		return sl_error(err, "cannot make minhash: out of memory");
	for (i = 0; i < perms; i++)
		mh->s[i] = (uint32_t)(splitmix64(&st) >> 32);
	mh->perms = perms;
	mh->bands = bands;
	mh->rows = rows;
	mh->seed = seed;
	return 0;
}

void minhash_release(struct minhash *mh)
{
	free(mh->s);
	memset(mh, 0, sizeof(*mh));
}

static inline uint32_t fold(uint64_t x)
{
	return (uint32_t)x ^ (uint32_t)(x >> 32);
}

/* h_i(x) for folded y and seed s; see the top of the file. */
static inline uint32_t perm(uint32_t y, uint32_t s)
{
	uint32_t v = y ^ s;

	v ^= v >> 16;
	v *= C1;
	v ^= v >> 13;
	v *= C2;
	return v ^ (v >> 16);
}

/* The kernels lower m[0..LANES) (in/out) to the minima of h over the n
 * folded shingles y[], for the seeds s[0..LANES). */

static void block_min_scalar(const uint32_t *s, const uint32_t *y, size_t n,
			     uint32_t *m)
{
	size_t j;
	int l;

	for (j = 0; j < n; j++)
		for (l = 0; l < LANES; l++) {
			uint32_t h = perm(y[j], s[l]);

			m[l] = h < m[l] ? h : m[l];
		}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("avx2")))
static inline __m256i perm8(__m256i y, __m256i s, __m256i c1, __m256i c2)
{
	__m256i v = _mm256_xor_si256(y, s);

	v = _mm256_xor_si256(v, _mm256_srli_epi32(v, 16));
	v = _mm256_mullo_epi32(v, c1);
	v = _mm256_xor_si256(v, _mm256_srli_epi32(v, 13));
	v = _mm256_mullo_epi32(v, c2);
	return _mm256_xor_si256(v, _mm256_srli_epi32(v, 16));
}

__attribute__((target("avx2")))
static void block_min_avx2(const uint32_t *s, const uint32_t *y, size_t n,
			   uint32_t *m)
{
	const __m256i c1 = _mm256_set1_epi32((int)C1);
	const __m256i c2 = _mm256_set1_epi32((int)C2);
	__m256i s0 = _mm256_loadu_si256((const __m256i *)s);
	__m256i s1 = _mm256_loadu_si256((const __m256i *)(s + 8));
	__m256i m0 = _mm256_loadu_si256((const __m256i *)m);
	__m256i m1 = _mm256_loadu_si256((const __m256i *)(m + 8));
	size_t j;

	for (j = 0; j < n; j++) {
		__m256i v = _mm256_set1_epi32((int)y[j]);

		m0 = _mm256_min_epu32(m0, perm8(v, s0, c1, c2));
		m1 = _mm256_min_epu32(m1, perm8(v, s1, c1, c2));
	}
	_mm256_storeu_si256((__m256i *)m, m0);
	_mm256_storeu_si256((__m256i *)(m + 8), m1);
}

static void block_min(const uint32_t *s, const uint32_t *y, size_t n,
		      uint32_t *m)
{
	/* a bit test of the CPU model libgcc fills in at load time */
	if (__builtin_cpu_supports("avx2"))
		block_min_avx2(s, y, n, m);
	else
		block_min_scalar(s, y, n, m);
}
#else
#define block_min block_min_scalar
#endif

#define CHUNK 256	/* shingles whose folded values sit on the stack */

void minhash_signature(const struct minhash *mh, const uint64_t *x, size_t n,
		       uint64_t *sig)
{
	uint32_t y[CHUNK], m[MINHASH_MAX_PERMS];
	int i, full = mh->perms - mh->perms % LANES;
	size_t j, c, k;

	if (!n) {
		for (i = 0; i < mh->perms; i++)
			sig[i] = MINHASH_EMPTY;
		return;
	}
	for (i = 0; i < mh->perms; i++)
		m[i] = UINT32_MAX;
	for (c = 0; c < n; c += k) {
		k = n - c < CHUNK ? n - c : CHUNK;
		for (j = 0; j < k; j++)
			y[j] = fold(x[c + j]);
		for (i = 0; i < full; i += LANES)
			block_min(mh->s + i, y, k, m + i);
		for (; i < mh->perms; i++)	/* the tail: perms % 16 != 0 */
			for (j = 0; j < k; j++) {
				uint32_t h = perm(y[j], mh->s[i]);

				m[i] = h < m[i] ? h : m[i];
			}
	}
	for (i = 0; i < mh->perms; i++)
		sig[i] = m[i];
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
