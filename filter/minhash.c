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
 * the job.  Only 32 x 32 -> 64 multiplies remain (vpmuludq).
 *
 * Loop order: shingles go in chunks of 256 whose reduced halves x0, x1 are
 * computed once; for each chunk, the permutations go 8 at a time (two AVX2
 * vectors) with their minima in registers through the whole chunk.  gcc's
 * vectorizer does not see the 32-bit multiplies (it emits full 64-bit
 * products, 3x slower), so the AVX2 kernel is written with intrinsics and
 * chosen at run time; elsewhere (or without AVX2) a scalar kernel uses the
 * compiler's 128-bit product, ~5x slower.  Both give identical minima.
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

/* The kernels lower m[0..LANES) (in/out) to the minima over the n
 * shingles given as their reduced value's halves x0[j] (low 32 bits) and
 * x1[j] (high 29 bits), for permutations a[], b[] (LANES each).  The
 * halves are computed once per chunk, not once per block of lanes. */

/* The portable kernel, with the compiler's 128-bit product. */
static void block_min_scalar(const uint64_t *a, const uint64_t *b,
			     const uint64_t *x0, const uint64_t *x1, size_t n,
			     uint64_t *m)
{
	size_t j;
	int l;

	for (j = 0; j < n; j++) {
		uint64_t v = x1[j] << 32 | x0[j];

		for (l = 0; l < LANES; l++) {
			unsigned __int128 p = (unsigned __int128)a[l] * v + b[l];
			uint64_t s = ((uint64_t)p & P) + (uint64_t)(p >> 61);

			s = (s & P) + (s >> 61);
			s = s >= P ? s - P : s;
			m[l] = s < m[l] ? s : m[l];
		}
	}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* mulmod() on 4 lanes with vpmuludq; a18 is a1 << 3 (< 2^32), which
 * folds the 8 a1 x1 term's shift into the multiply.  The values are
 * < 2^61, so signed compares are exact (AVX2 has only a signed 64-bit
 * compare). */
__attribute__((target("avx2")))
static inline __m256i mulmod4(__m256i a0, __m256i a1, __m256i a18, __m256i x0,
			      __m256i x1, __m256i b)
{
	const __m256i p = _mm256_set1_epi64x((long long)P);
	const __m256i m29 = _mm256_set1_epi64x((long long)M29);
	__m256i hh8 = _mm256_mul_epu32(a18, x1);
	__m256i mid = _mm256_add_epi64(_mm256_mul_epu32(a1, x0),
				       _mm256_mul_epu32(a0, x1));
	__m256i ll = _mm256_mul_epu32(a0, x0);
	__m256i s, t;

	s = _mm256_add_epi64(hh8, _mm256_srli_epi64(mid, 29));
	s = _mm256_add_epi64(s, _mm256_slli_epi64(_mm256_and_si256(mid, m29),
						  32));
	s = _mm256_add_epi64(s, _mm256_and_si256(ll, p));
	s = _mm256_add_epi64(s, _mm256_add_epi64(_mm256_srli_epi64(ll, 61), b));
	s = _mm256_add_epi64(_mm256_and_si256(s, p), _mm256_srli_epi64(s, 61));
	t = _mm256_sub_epi64(s, p);	/* negative exactly when s < p */
	return _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(t),
						    _mm256_castsi256_pd(s),
						    _mm256_castsi256_pd(t)));
}

__attribute__((target("avx2")))
static void block_min_avx2(const uint64_t *a, const uint64_t *b,
			   const uint64_t *x0, const uint64_t *x1, size_t n,
			   uint64_t *m)
{
	const __m256i m32 = _mm256_set1_epi64x((long long)M32);
	__m256i av0 = _mm256_loadu_si256((const __m256i *)a);
	__m256i av1 = _mm256_loadu_si256((const __m256i *)(a + 4));
	__m256i a00 = _mm256_and_si256(av0, m32), a01 = _mm256_srli_epi64(av0, 32);
	__m256i a10 = _mm256_and_si256(av1, m32), a11 = _mm256_srli_epi64(av1, 32);
	__m256i a018 = _mm256_slli_epi64(a01, 3), a118 = _mm256_slli_epi64(a11, 3);
	__m256i b0 = _mm256_loadu_si256((const __m256i *)b);
	__m256i b1 = _mm256_loadu_si256((const __m256i *)(b + 4));
	__m256i m0 = _mm256_loadu_si256((const __m256i *)m);
	__m256i m1 = _mm256_loadu_si256((const __m256i *)(m + 4)), h;
	size_t j;

	for (j = 0; j < n; j++) {
		__m256i v0 = _mm256_set1_epi64x((long long)x0[j]);
		__m256i v1 = _mm256_set1_epi64x((long long)x1[j]);

		h = mulmod4(a00, a01, a018, v0, v1, b0);
		m0 = _mm256_blendv_epi8(m0, h, _mm256_cmpgt_epi64(m0, h));
		h = mulmod4(a10, a11, a118, v0, v1, b1);
		m1 = _mm256_blendv_epi8(m1, h, _mm256_cmpgt_epi64(m1, h));
	}
	_mm256_storeu_si256((__m256i *)m, m0);
	_mm256_storeu_si256((__m256i *)(m + 4), m1);
}

static void block_min(const uint64_t *a, const uint64_t *b,
		      const uint64_t *x0, const uint64_t *x1, size_t n,
		      uint64_t *m)
{
	/* a bit test of the CPU model libgcc fills in at load time */
	if (__builtin_cpu_supports("avx2"))
		block_min_avx2(a, b, x0, x1, n, m);
	else
		block_min_scalar(a, b, x0, x1, n, m);
}
#else
#define block_min block_min_scalar
#endif

#define CHUNK 256	/* shingles whose halves sit on the stack at once */

void minhash_signature(const struct minhash *mh, const uint64_t *x, size_t n,
		       uint64_t *sig)
{
	uint64_t x0[CHUNK], x1[CHUNK], v;
	int i, full = mh->perms - mh->perms % LANES;
	size_t j, c, k;

	/* INT64_MAX is above every hash in signed (AVX2) and unsigned
	 * compares alike; an empty set gets MINHASH_EMPTY */
	for (i = 0; i < mh->perms; i++)
		sig[i] = n ? (uint64_t)INT64_MAX : MINHASH_EMPTY;
	for (c = 0; c < n; c += k) {
		k = n - c < CHUNK ? n - c : CHUNK;
		for (j = 0; j < k; j++) {
			v = mod_p(x[c + j]);
			x0[j] = v & M32;
			x1[j] = v >> 32;
		}
		for (i = 0; i < full; i += LANES)
			block_min(mh->a + i, mh->b + i, x0, x1, k, sig + i);
		for (; i < mh->perms; i++)	/* the tail: perms % 8 != 0 */
			for (j = 0; j < k; j++) {
				uint64_t a = mh->a[i];
				uint64_t h = mulmod((uint32_t)a,
						    (uint32_t)(a >> 32),
						    (uint32_t)x0[j],
						    (uint32_t)x1[j], mh->b[i]);

				sig[i] = h < sig[i] ? h : sig[i];
			}
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
