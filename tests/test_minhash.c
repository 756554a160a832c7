/* Check suite for near-dedup's core: shingle, minhash, unionfind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "../lib/buf.h"
#include "../lib/err.h"
/* the .c files, to test static helpers (kernels, normalize) directly */
#include "../filter/minhash.c"
#include "../filter/shingle.c"
#include "../filter/unionfind.h"

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* ---- shingle ---------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* Decode the \n \t \\ \xHH escapes of a cases.tsv text field. */
static void unescape(const char *p, struct buf *out)
{
	buf_reset(out);
	for (; *p; p++) {
		if (*p != '\\' || !p[1]) {
			buf_addc(out, *p);
			continue;
		}
		p++;
		if (*p == 'n')
			buf_addc(out, '\n');
		else if (*p == 't')
			buf_addc(out, '\t');
		else if (*p == 'x' && p[1] && p[2]) {
			buf_addc(out, (char)(hexval(p[1]) * 16 + hexval(p[2])));
			p += 2;
		} else
			buf_addc(out, *p);
	}
}

START_TEST(shingle_cases)
{
	FILE *f = fopen("tests/data/shingle/cases.tsv", "r");
	char *line = NULL, *text;
	size_t cap = 0;
	ssize_t len;
	int ncases = 0, lineno = 0;
	struct shingle_set s;
	struct buf t;
	struct sl_err err;

	ck_assert_ptr_nonnull(f);
	shingle_init(&s);
	buf_init(&t, 0);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct shingle_opts o = SHINGLE_OPTS_INIT;
		long ntok, nsh;
		int used = 0;

		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		ck_assert_int_eq(sscanf(line, "%d\t%d\t%ld\t%ld\t%n", &o.word_n,
					&o.char_n, &ntok, &nsh, &used), 4);
		text = line + used;
		unescape(text, &t);
		ck_assert_msg(shingle_text(&s, &o, t.data, t.len, &err) == nsh,
			      "cases.tsv:%d '%s': %zu shingles, want %ld",
			      lineno, text, s.n, nsh);
		ck_assert_msg((long)s.ntok == ntok,
			      "cases.tsv:%d '%s': %zu tokens, want %ld",
			      lineno, text, s.ntok, ntok);
		o.unordered = 1;	/* the same count without the sort */
		ck_assert_msg(shingle_text(&s, &o, t.data, t.len, &err) == nsh,
			      "cases.tsv:%d '%s' unordered: %zu shingles, "
			      "want %ld", lineno, text, s.n, nsh);
		ncases++;
	}
	ck_assert_int_ge(ncases, 20);
	free(line);
	fclose(f);
	buf_release(&t);
	shingle_release(&s);
}
END_TEST

/* Copy of the current shingle set, to compare with the next one. */
static uint64_t *dup_set(const struct shingle_set *s)
{
	uint64_t *p = malloc((s->n + 1) * sizeof(*p));

	memcpy(p, s->h, s->n * sizeof(*p));
	return p;
}

START_TEST(shingle_normalization_agrees)
{
	/* case, fullwidth forms, NFD vs NFC, soft hyphen, punctuation */
	static const char *same[] = {
		"Café au lait, déjà vu: the end of it",
		"CAFÉ AU LAIT DÉJÀ VU THE END OF IT",
		"cafe\xcc\x81 au lait -- de\xcc\x81ja\xcc\x80 vu; the end of it!",
		"ＣＡＦÉ au lait déjà vu the e\xc2\xadnd of it",
	};
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	uint64_t *first;
	size_t n0, i;

	shingle_init(&s);
	ck_assert_int_eq(shingle_text(&s, &o, same[0], strlen(same[0]), NULL),
			 5);
	first = dup_set(&s);
	n0 = s.n;
	for (i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
		shingle_text(&s, &o, same[i], strlen(same[i]), NULL);
		ck_assert_msg(s.n == n0 && !memcmp(s.h, first, n0 * 8),
			      "'%s' shingles differently", same[i]);
	}
	/* a different word changes the set */
	shingle_text(&s, &o, "cafe au lait deja vu the end of it", 34, NULL);
	ck_assert(s.n != n0 || memcmp(s.h, first, n0 * 8));
	free(first);
	shingle_release(&s);
}
END_TEST

/* normalize()'s fast paths (ASCII, Han, runs cut at them) must give
 * exactly what utf8proc gives on the whole text.  Random strings drawn
 * from the ranges where that can go wrong: combining marks after ASCII,
 * kana + voicing marks, Hangul jamo, fullwidth forms, ligatures, zero
 * width characters, final sigma, Han next to all of them. */
START_TEST(shingle_normalize_matches_utf8proc)
{
	static const int32_t ranges[][2] = {
		{ 'A', 'z' }, { ' ', '@' }, { 0xC0, 0x17F }, { 0x300, 0x36F },
		{ 0x391, 0x3C9 }, { 0x1100, 0x11FF }, { 0x3041, 0x30FF },
		{ 0xFF00, 0xFFEF }, { 0xFB00, 0xFB06 }, { 0x200B, 0x200F },
		{ 0x4E00, 0x4E20 }, { 0xAC00, 0xAC40 }, { 0x1E00, 0x1EFF },
		{ 0x2160, 0x2188 }, { 0x1F600, 0x1F64F }, { 0x0E01, 0x0E5B },
	};
	enum { NR = sizeof(ranges) / sizeof(ranges[0]) };
	struct shingle_set s;
	struct buf t;
	uint64_t st = 2024;
	int iter, i;

	shingle_init(&s);
	buf_init(&t, 0);
	for (iter = 0; iter < 3000; iter++) {
		utf8proc_uint8_t *want = NULL;
		utf8proc_ssize_t r;
		size_t j = 0, q = 0, n = 1;
		long k;

		buf_reset(&t);
		for (i = 0; i < 1 + (int)(rng_next(&st) % 24); i++) {
			const int32_t *rg = ranges[rng_next(&st) % NR];
			char enc[4];
			int32_t c = rg[0] + (int32_t)(rng_next(&st) %
						      (uint64_t)(rg[1] - rg[0] + 1));

			buf_add(&t, enc, utf8_encode((uint32_t)c, enc));
		}
		k = normalize(&s, t.data, t.len);
		r = utf8proc_map((const utf8proc_uint8_t *)t.data,
				 (utf8proc_ssize_t)t.len, &want, NORM_OPTS);
		ck_assert(k >= 0 && r >= 0);
		while (q < (size_t)r) {
			int32_t c = want[q] < 0x80 ? want[q] :
				    decode(want + q, (size_t)r - q, &n);

			if (want[q] < 0x80)
				n = 1;
			ck_assert_msg(j < (size_t)k && s.cp[j] == c,
				      "'%s': code point %zu differs", t.data, j);
			q += n;
			j++;
		}
		ck_assert_uint_eq(j, (size_t)k);
		free(want);
	}
	buf_release(&t);
	shingle_release(&s);
}
END_TEST

/* The pure-ASCII fast path and the general path give the same tokens:
 * the same text with a trailing "…" (punctuation, so no new token) takes
 * the general path.  Covers single letters (cached hashes), digits, mixed
 * case and a 700-byte token (hashed in chained chunks). */
/* The byte-level tokenizer (ASCII words straight from the bytes, other
 * regions through normalize()) gives exactly the tokens of normalize() +
 * tokenize() on the whole text.  Random strings mixing ASCII words and
 * separators (including "=" and "<", which compose with U+0338) with
 * marks, soft hyphens, zero width characters, Han, kana, fullwidth forms,
 * ligatures and invalid bytes. */
START_TEST(shingle_tokenizer_matches_general_path)
{
	static const int32_t ranges[][2] = {
		{ 'a', 'z' }, { 'A', 'Z' }, { '0', '9' }, { ' ', '/' },
		{ ':', '@' }, { 0x300, 0x36F }, { 0x338, 0x338 }, { 0xAD, 0xAD },
		{ 0x200B, 0x200F }, { 0x4E00, 0x4E20 }, { 0x3041, 0x30FF },
		{ 0xFF00, 0xFFEF }, { 0xFB00, 0xFB06 }, { 0xC0, 0x17F },
		{ 0x2460, 0x2473 }, { 0x0E01, 0x0E5B }, { 0x0905, 0x094D },
	};
	enum { NR = sizeof(ranges) / sizeof(ranges[0]) };
	struct shingle_set s, ref;
	struct buf t, fixed;
	uint64_t st = 77;
	int iter, i;

	shingle_init(&s);
	shingle_init(&ref);
	ref.cache = calloc(2 << TOKEN_CACHE_BITS, sizeof(*ref.cache));
	buf_init(&t, 0);
	buf_init(&fixed, 0);
	for (iter = 0; iter < 5000; iter++) {
		long k;

		buf_reset(&t);
		for (i = 0; i < 1 + (int)(rng_next(&st) % 30); i++) {
			const int32_t *rg = ranges[rng_next(&st) % NR];
			char enc[4];
			int32_t c = rg[0] + (int32_t)(rng_next(&st) %
						      (uint64_t)(rg[1] - rg[0] + 1));

			if (rng_next(&st) % 200 == 0)
				buf_addc(&t, (char)0xFF);	/* invalid */
			else
				buf_add(&t, enc, utf8_encode((uint32_t)c, enc));
		}
		shingle_tokens(&s, t.data, t.len, NULL);
		buf_reset(&fixed);
		utf8_repair(t.data, t.len, &fixed, NULL);
		k = normalize(&ref, fixed.data, fixed.len);
		ck_assert_int_ge(k, 0);
		ref.ntok = ref.nchar = 0;
		ck_assert_int_eq(tokenize(&ref, ref.cp, (size_t)k), 0);
		ck_assert_msg(s.ntok == ref.ntok && s.nchar == ref.nchar &&
			      !memcmp(s.tok, ref.tok, s.ntok * sizeof(*s.tok)),
			      "'%s': %zu tokens, general path %zu", t.data,
			      s.ntok, ref.ntok);
	}
	buf_release(&t);
	buf_release(&fixed);
	shingle_release(&s);
	shingle_release(&ref);
}
END_TEST

START_TEST(shingle_ascii_path_agrees)
{
	struct shingle_set s;
	struct buf t;
	uint64_t *fast;
	size_t n, i;

	shingle_init(&s);
	buf_init(&t, 0);
	buf_adds(&t, "A b C d, The QUICK 42 brown-fox_ran x1y2 ");
	for (i = 0; i < 700; i++)
		buf_addc(&t, (char)('a' + i % 26 - (i % 3 ? 0 : 32)));
	buf_adds(&t, " end.");
	n = (size_t)shingle_tokens(&s, t.data, t.len, NULL);
	ck_assert_uint_eq(n, 13);
	fast = malloc(n * sizeof(*fast));
	memcpy(fast, s.tok, n * sizeof(*fast));
	buf_adds(&t, "\xe2\x80\xa6");
	ck_assert_int_eq(shingle_tokens(&s, t.data, t.len, NULL), (long)n);
	ck_assert_mem_eq(s.tok, fast, n * sizeof(*fast));
	free(fast);
	buf_release(&t);
	shingle_release(&s);
}
END_TEST

START_TEST(shingle_tokens_repeat)
{
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;

	shingle_init(&s);
	ck_assert_int_eq(shingle_tokens(&s, "Мир, МИР и мир", strlen("Мир, МИР и мир"),
					 NULL), 4);
	ck_assert(s.tok[0] == s.tok[1] && s.tok[1] == s.tok[3]);
	ck_assert(s.tok[0] != s.tok[2]);
	ck_assert_uint_eq(s.nchar, 0);
	/* pin the hash: stored shingles depend on it never changing */
	ck_assert_int_eq(shingle_text(&s, &o, "Hello, World", 12, NULL), 1);
	ck_assert_uint_eq(s.h[0], UINT64_C(0xba9b091b33c2300c));
	ck_assert_int_eq(shingle_tokens(&s, "中文abc中", strlen("中文abc中"), NULL), 4);
	ck_assert_uint_eq(s.nchar, 3);
	ck_assert(s.tok[0] == s.tok[3] && s.tok[0] != s.tok[1]);
	shingle_release(&s);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t word_index(uint64_t *distinct, size_t *nd, uint64_t h)
{
	size_t i;

	for (i = 0; i < *nd; i++)
		if (distinct[i] == h)
			return i;
	ck_assert_uint_lt(*nd, 7);
	distinct[*nd] = h;
	return (*nd)++;
}

/* A long text with repeats: the set is strictly increasing and equals
 * the naive sort-unique of every window; reuse after it stays right. */
START_TEST(shingle_large_sorted_unique)
{
	static const char *words[] = { "alpha", "beta", "gamma", "delta",
				       "epsilon", "zeta", "eta" };
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	struct buf t;
	uint64_t st = 7, *naive, distinct[8];
	size_t i, m, want, nd = 0;

	buf_init(&t, 0);
	for (i = 0; i < 20000; i++) {
		buf_adds(&t, words[rng_next(&st) % 7]);
		buf_addc(&t, ' ');
	}
	shingle_init(&s);
	shingle_text(&s, &o, t.data, t.len, NULL);
	ck_assert_uint_eq(s.ntok, 20000);
	for (i = 1; i < s.n; i++)
		ck_assert(s.h[i - 1] < s.h[i]);
	/* naive: number each 5-gram in base 7 by the index of its words */
	naive = malloc(s.ntok * sizeof(*naive));
	m = s.ntok - 4;
	for (i = 0; i < m; i++) {
		naive[i] = 0;
		for (size_t k = 0; k < 5; k++)
			naive[i] = naive[i] * 7 + word_index(distinct, &nd,
								 s.tok[i + k]);
	}
	qsort(naive, m, sizeof(*naive), cmp_u64);
	for (want = 0, i = 0; i < m; i++)
		if (i == 0 || naive[i] != naive[i - 1])
			want++;
	ck_assert_uint_eq(nd, 7);
	ck_assert_uint_eq(s.n, want);
	/* at most 7^5 distinct 5-grams exist */
	ck_assert_uint_le(s.n, 16807);
	ck_assert_int_eq(shingle_text(&s, &o, "a b c d e f", 11, NULL), 2);
	/* unordered: the same set (as a sorted copy), first occurrences in
	 * text order */
	{
		struct shingle_opts u = SHINGLE_OPTS_INIT;
		uint64_t *sorted;
		size_t n;

		u.unordered = 1;
		shingle_text(&s, &o, t.data, t.len, NULL);
		sorted = dup_set(&s);
		n = s.n;
		ck_assert_int_eq(shingle_text(&s, &u, t.data, t.len, NULL),
				 (long)n);
		/* the rolled window hashes are the direct polynomial's */
		for (size_t j = 0; j < 3; j++) {
			uint64_t r = 0;

			for (size_t k = 0; k < 5; k++)
				r = r * GRAM_K + s.tok[j + k];
			ck_assert_uint_eq(s.h[j], fmix64(r));
		}
		qsort(s.h, s.n, sizeof(*s.h), cmp_u64);
		ck_assert_mem_eq(s.h, sorted, n * sizeof(*sorted));
		free(sorted);
	}
	free(naive);
	buf_release(&t);
	shingle_release(&s);
}
END_TEST

/* Every sort path (insertion, quicksort, radix) on prefixes of a text of
 * distinct words: n tokens give exactly n - 4 distinct sorted shingles. */
START_TEST(shingle_sizes_sorted)
{
	static const size_t sizes[] = { 5, 6, 20, 37, 100, 1000, 2051, 2052,
					5000 };
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	struct buf t;
	size_t q, i;

	shingle_init(&s);
	buf_init(&t, 0);
	for (q = 0; q < sizeof(sizes) / sizeof(sizes[0]); q++) {
		buf_reset(&t);
		for (i = 0; i < sizes[q]; i++)
			buf_addf(&t, "w%zu ", i);
		ck_assert_int_eq(shingle_text(&s, &o, t.data, t.len, NULL),
				 (long)sizes[q] - 4);
		for (i = 1; i < s.n; i++)
			ck_assert(s.h[i - 1] < s.h[i]);
	}
	buf_release(&t);
	shingle_release(&s);
}
END_TEST

START_TEST(shingle_bad_opts)
{
	struct shingle_opts o = { 0, 5, 0 };
	struct shingle_set s;
	struct sl_err err;

	shingle_init(&s);
	ck_assert_int_eq(shingle_text(&s, &o, "abc", 3, &err), -1);
	ck_assert(strstr(err.msg, "n-gram size") != NULL);
	shingle_release(&s);
}
END_TEST

/* ---- minhash ---------------------------------------------------------- */

/* The reference, written out from the header's definition. */
static uint64_t ref_h(uint32_t seed, uint64_t x)
{
	uint32_t v = ((uint32_t)x ^ (uint32_t)(x >> 32)) ^ seed;

	v ^= v >> 16;
	v *= 0x85ebca6bu;
	v ^= v >> 13;
	v *= 0xc2b2ae35u;
	return v ^ (v >> 16);
}

static void check_reference(const struct minhash *mh, const uint64_t *x,
			    size_t n, const uint64_t *sig)
{
	uint64_t want;

	for (int i = 0; i < mh->perms; i++) {
		want = UINT64_MAX;
		for (size_t j = 0; j < n; j++) {
			uint64_t h = ref_h(mh->s[i], x[j]);

			want = h < want ? h : want;
		}
		ck_assert_uint_eq(sig[i], want);
	}
}

START_TEST(minhash_matches_reference)
{
	struct minhash mh;
	uint64_t x[700], sig[112], st = 3;
	size_t j;

	ck_assert_int_eq(minhash_init(&mh, 112, 14, 8, 1, NULL), 0);
	for (j = 0; j < 700; j++)	/* more than one 256-shingle chunk */
		x[j] = rng_next(&st);
	x[0] = UINT64_MAX;	/* edge values of the fold */
	x[1] = UINT64_C(0xffffffff);
	x[2] = UINT64_C(0xffffffff00000000);
	x[3] = 0;
	minhash_signature(&mh, x, 700, sig);
	check_reference(&mh, x, 700, sig);
	for (j = 0; j < 112; j++)
		ck_assert(sig[j] <= UINT32_MAX);
	minhash_release(&mh);
}
END_TEST

/* The AVX2 kernel (where the CPU has it) and the scalar one agree. */
START_TEST(minhash_kernels_agree)
{
	struct minhash mh;
	uint32_t y[1000], v[LANES], w[LANES];
	uint64_t st = 17;
	int i, k;

	ck_assert_int_eq(minhash_init(&mh, 112, 7, 16, 1, NULL), 0);
	for (i = 0; i < 1000; i++)
		y[i] = (uint32_t)rng_next(&st);
	y[5] = UINT32_MAX;
	y[6] = 0;
	for (k = 0; k < 112; k += LANES) {
		for (i = 0; i < LANES; i++)
			v[i] = w[i] = UINT32_MAX;	/* as minhash_signature */
		block_min(mh.s + k, y, 1000, v);
		block_min_scalar(mh.s + k, y, 1000, w);
		ck_assert_mem_eq(v, w, sizeof(v));
		block_min(mh.s + k, y + 5, 1, v + 0);
		ck_assert_mem_eq(v, w, sizeof(v));	/* in/out: no change */
	}
	minhash_release(&mh);
}
END_TEST

/* Shapes that are not a multiple of 16 take the scalar tail. */
START_TEST(minhash_odd_shape)
{
	struct minhash mh;
	uint64_t x[50], sig[21], st = 11;
	int j;

	ck_assert_int_eq(minhash_init(&mh, 21, 7, 3, 9, NULL), 0);
	for (j = 0; j < 50; j++)
		x[j] = rng_next(&st);
	minhash_signature(&mh, x, 50, sig);
	check_reference(&mh, x, 50, sig);
	minhash_release(&mh);
}
END_TEST

START_TEST(minhash_deterministic)
{
	struct minhash m1, m2, m3;
	uint64_t x[100], y[101], s1[112], s2[112], s3[112], st = 5;
	uint64_t k1[14], k2[14];
	int i;

	for (i = 0; i < 100; i++)
		x[i] = rng_next(&st);
	ck_assert_int_eq(minhash_init(&m1, 112, 14, 8, 1, NULL), 0);
	ck_assert_int_eq(minhash_init(&m2, 112, 14, 8, 1, NULL), 0);
	ck_assert_int_eq(minhash_init(&m3, 112, 14, 8, 2, NULL), 0);
	/* pin the stream: stored signatures depend on these never changing */
	ck_assert_uint_eq(m1.s[0], 2433363436u);
	ck_assert_uint_eq(m1.s[111], 640894630u);
	minhash_signature(&m1, x, 100, s1);
	minhash_signature(&m2, x, 100, s2);
	minhash_signature(&m3, x, 100, s3);
	ck_assert_mem_eq(s1, s2, sizeof(s1));
	ck_assert(memcmp(s1, s3, sizeof(s1)) != 0);
	/* order and duplicates of the input do not matter */
	for (i = 0; i < 100; i++)
		y[i] = x[99 - i];
	y[100] = x[0];
	minhash_signature(&m1, y, 101, s2);
	ck_assert_mem_eq(s1, s2, sizeof(s1));
	minhash_bands(&m1, s1, k1);
	minhash_bands(&m2, s2, k2);
	ck_assert_mem_eq(k1, k2, sizeof(k1));
	for (i = 1; i < 14; i++)
		ck_assert(k1[i] != k1[0]);
	ck_assert(minhash_estimate(s1, s3, 112) < 0.1);
	ck_assert(minhash_estimate(s1, s1, 112) == 1.0);
	minhash_release(&m1);
	minhash_release(&m2);
	minhash_release(&m3);
}
END_TEST

START_TEST(minhash_bad_shape_and_empty)
{
	struct minhash mh;
	struct sl_err err;
	uint64_t sig[8];
	int i;

	ck_assert_int_eq(minhash_init(&mh, 112, 10, 8, 1, &err), -1);
	ck_assert(strstr(err.msg, "bands x rows") != NULL);
	ck_assert_int_eq(minhash_init(&mh, 0, 0, 0, 1, &err), -1);
	ck_assert_int_eq(minhash_init(&mh, 8, 2, 4, 1, NULL), 0);
	minhash_signature(&mh, NULL, 0, sig);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(sig[i], MINHASH_EMPTY);
	minhash_release(&mh);
}
END_TEST

START_TEST(minhash_exact_jaccard)
{
	uint64_t a[] = { 1, 2, 3 }, b[] = { 2, 3, 4 }, c[] = { 9 };

	ck_assert(minhash_jaccard(a, 3, b, 3) == 0.5);
	ck_assert(minhash_jaccard(a, 3, a, 3) == 1.0);
	ck_assert(minhash_jaccard(a, 3, c, 1) == 0.0);
	ck_assert(minhash_jaccard(a, 0, c, 0) == 1.0);
	ck_assert(minhash_jaccard(a, 3, c, 0) == 0.0);
	ck_assert(minhash_containment(a, 3, b, 3) == 2.0 / 3);
	ck_assert(minhash_containment(c, 0, b, 3) == 0.0);
}
END_TEST

/* Two sets of m random elements sharing k, so J = k / (2m - k). */
static void make_pair(uint64_t *st, size_t m, size_t k, uint64_t *a,
		      uint64_t *b)
{
	size_t i;

	for (i = 0; i < m; i++) {
		a[i] = rng_next(st);
		b[i] = i < k ? a[i] : rng_next(st);
	}
}

static size_t shared_for(double j, size_t m)
{
	return (size_t)(2.0 * m * j / (1.0 + j) + 0.5);
}

START_TEST(minhash_estimate_tracks_exact)
{
	static const double js[] = { 0.9, 0.8, 0.5, 0.2 };
	enum { M = 400, TRIALS = 200 };
	struct minhash mh;
	uint64_t a[M], b[M], sa[112], sb[112], st = 42;
	size_t k;
	int t;

	ck_assert_int_eq(minhash_init(&mh, 112, 14, 8, 1, NULL), 0);
	for (size_t q = 0; q < 4; q++) {
		double sum = 0, abssum = 0, sq = 0, worst = 0, exact, e, var;

		k = shared_for(js[q], M);
		exact = (double)k / (2.0 * M - k);
		for (t = 0; t < TRIALS; t++) {
			make_pair(&st, M, k, a, b);
			minhash_signature(&mh, a, M, sa);
			minhash_signature(&mh, b, M, sb);
			e = minhash_estimate(sa, sb, 112) - exact;
			sum += e;
			sq += e * e;
			abssum += e < 0 ? -e : e;
			worst = (e < 0 ? -e : e) > worst ? (e < 0 ? -e : e) :
							   worst;
		}
		/* 112 perms: sd <= 0.047, so mean |err| ~ 0.8 sd < 0.08 */
		ck_assert_msg(abssum / TRIALS < 0.08, "J=%.1f mean |err| %.3f",
			      js[q], abssum / TRIALS);
		ck_assert_msg(sum / TRIALS < 0.03 && sum / TRIALS > -0.03,
			      "J=%.1f biased: %.3f", js[q], sum / TRIALS);
		ck_assert_msg(worst < 0.2, "J=%.1f worst %.3f", js[q], worst);
		/* as good as truly independent permutations: the squared
		 * error near the binomial variance J (1 - J) / 112 (with
		 * TRIALS = 200 the sample's own spread is ~10%) */
		var = exact * (1 - exact) / 112;
		ck_assert_msg(sq / TRIALS < 1.3 * var, "J=%.1f mse %.5f, "
			      "binomial %.5f", js[q], sq / TRIALS, var);
		if (getenv("SL_TEST_VERBOSE"))
			fprintf(stderr, "J=%.1f mse/binomial %.3f bias %.4f\n",
				js[q], sq / TRIALS / var, sum / TRIALS);
	}
	minhash_release(&mh);
}
END_TEST

static int share_band(const struct minhash *mh, const uint64_t *a,
		      const uint64_t *b, size_t m)
{
	uint64_t sa[112], sb[112], ka[14], kb[14];
	int i;

	minhash_signature(mh, a, m, sa);
	minhash_signature(mh, b, m, sb);
	minhash_bands(mh, sa, ka);
	minhash_bands(mh, sb, kb);
	for (i = 0; i < 14; i++)
		if (ka[i] == kb[i])
			return 1;
	return 0;
}

/* 1 - (1 - J^8)^14: J = 0.9 -> 0.9996, 0.5 -> 0.053, 0.3 -> 0.0009. */
START_TEST(minhash_lsh_probability)
{
	enum { M = 300, TRIALS = 200 };
	struct minhash mh;
	uint64_t a[M], b[M], st = 99;
	int t, hi = 0, mid = 0, lo = 0;

	ck_assert_int_eq(minhash_init(&mh, 112, 14, 8, 1, NULL), 0);
	for (t = 0; t < TRIALS; t++) {
		make_pair(&st, M, shared_for(0.9, M), a, b);
		hi += share_band(&mh, a, b, M);
		make_pair(&st, M, shared_for(0.5, M), a, b);
		mid += share_band(&mh, a, b, M);
		make_pair(&st, M, shared_for(0.3, M), a, b);
		lo += share_band(&mh, a, b, M);
	}
	ck_assert_msg(hi >= 197, "J=0.9 candidates %d/200", hi);
	ck_assert_msg(mid >= 2 && mid <= 25, "J=0.5 candidates %d/200", mid);
	ck_assert_msg(lo <= 2, "J=0.3 candidates %d/200", lo);
	minhash_release(&mh);
}
END_TEST

/* End to end on text: a document and a copy with 20 of 3000 tokens
 * changed, so about 100 of 3000 5-grams differ and J is about 0.935.
 * English words, or Chinese characters (whose shingles are character
 * 5-grams) when zh is set. */
static void text_pair(int zh)
{
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	struct shingle_set s;
	struct minhash mh;
	struct buf t1, t2;
	uint64_t st = 1, *h1, s1[112], s2[112];
	size_t n1, i;
	double exact, est;
	char enc[4];

	buf_init(&t1, 0);
	buf_init(&t2, 0);
	for (i = 0; i < 3000; i++) {
		uint64_t w = rng_next(&st) % 5000;

		if (zh) {	/* 5000 Han characters from U+4E00 */
			size_t n = utf8_encode(0x4E00 + (uint32_t)w, enc);

			buf_add(&t1, enc, n);
			if (i % 150 == 0)
				n = utf8_encode(0x3042, enc);	/* あ */
			buf_add(&t2, enc, n);
			continue;
		}
		buf_addf(&t1, "w%llu ", (unsigned long long)w);
		if (i % 150 == 0)
			buf_addf(&t2, "edit%zu ", i);
		else
			buf_addf(&t2, "w%llu ", (unsigned long long)w);
	}
	shingle_init(&s);
	ck_assert_int_eq(minhash_init(&mh, 112, 14, 8, 1, NULL), 0);
	shingle_text(&s, &o, t1.data, t1.len, NULL);
	ck_assert_uint_eq(s.ntok, 3000);
	ck_assert_uint_eq(s.nchar, zh ? 3000 : 0);
	h1 = dup_set(&s);
	n1 = s.n;
	minhash_signature(&mh, s.h, s.n, s1);
	shingle_text(&s, &o, t2.data, t2.len, NULL);
	minhash_signature(&mh, s.h, s.n, s2);
	exact = minhash_jaccard(h1, n1, s.h, s.n);
	est = minhash_estimate(s1, s2, 112);
	ck_assert_msg(exact > 0.9 && exact < 0.95, "exact %.3f", exact);
	ck_assert_msg(est - exact < 0.1 && exact - est < 0.1,
		      "estimate %.3f exact %.3f", est, exact);
	free(h1);
	buf_release(&t1);
	buf_release(&t2);
	shingle_release(&s);
	minhash_release(&mh);
}

START_TEST(minhash_text_pair)
{
	text_pair(0);
	text_pair(1);
}
END_TEST

/* ---- unionfind -------------------------------------------------------- */

START_TEST(uf_basic)
{
	struct uf u;
	struct sl_err err;

	uf_init(&u, 100);
	ck_assert_int_eq(uf_find(&u, 150), 150);	/* untouched: itself */
	ck_assert_int_eq(uf_union(&u, 105, 103, &err), 1);
	ck_assert_int_eq(uf_union(&u, 103, 105, &err), 0);
	ck_assert_int_eq(uf_union(&u, 110, 111, &err), 1);
	ck_assert(!uf_same(&u, 105, 110));
	ck_assert_int_eq(uf_union(&u, 111, 105, &err), 1);
	ck_assert(uf_same(&u, 103, 110));
	ck_assert_int_eq(uf_min(&u, 111), 103);
	ck_assert_int_eq(uf_min(&u, 104), 104);
	ck_assert_int_eq(uf_min(&u, 5000), 5000);
	ck_assert_int_eq(uf_union(&u, 99, 103, &err), -1);
	ck_assert(strstr(err.msg, "cannot join ids 99 and 103") != NULL);
	uf_release(&u);
	/* extreme bases: no overflow, ids far away are simply out of range */
	uf_init(&u, INT64_MIN);
	ck_assert_int_eq(uf_union(&u, INT64_MAX, INT64_MIN, NULL), -1);
	ck_assert_int_eq(uf_union(&u, INT64_MIN + 1, INT64_MIN, NULL), 1);
	ck_assert_int_eq(uf_min(&u, INT64_MIN + 1), INT64_MIN);
	ck_assert_int_eq(uf_find(&u, INT64_MAX), INT64_MAX);
	uf_release(&u);
}
END_TEST

/* Random unions against a naive relabeling; the second half reaches
 * ids past the first half's, so the arrays grow mid-way. */
START_TEST(uf_random_vs_naive)
{
	enum { N = 4000, OPS = 3000 };
	struct uf u;
	uint32_t *label = malloc(N * sizeof(*label)), *minl;
	uint64_t st = 123;
	int i, j;

	minl = malloc(N * sizeof(*minl));
	for (i = 0; i < N; i++)
		label[i] = (uint32_t)i;
	uf_init(&u, 0);
	for (i = 0; i < OPS; i++) {
		uint32_t x = (uint32_t)(rng_next(&st) % N);
		uint32_t y = (uint32_t)(rng_next(&st) % (i < OPS / 2 ? N / 2 :
							  N));
		uint32_t lx = label[x], ly = label[y];
		int want = lx != ly;

		ck_assert_int_eq(uf_union(&u, x, y, NULL), want);
		if (want)
			for (j = 0; j < N; j++)
				if (label[j] == ly)
					label[j] = lx;
	}
	for (i = 0; i < N; i++)
		minl[i] = UINT32_MAX;
	for (i = 0; i < N; i++)
		if ((uint32_t)i < minl[label[i]])
			minl[label[i]] = (uint32_t)i;
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(uf_min(&u, i), minl[label[i]]);
		ck_assert_int_eq(uf_same(&u, i, minl[label[i]]), 1);
	}
	free(label);
	free(minl);
	uf_release(&u);
}
END_TEST

static Suite *minhash_suite(void)
{
	Suite *s = suite_create("minhash");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, shingle_cases);
	tcase_add_test(tc, shingle_normalization_agrees);
	tcase_add_test(tc, shingle_normalize_matches_utf8proc);
	tcase_add_test(tc, shingle_tokenizer_matches_general_path);
	tcase_add_test(tc, shingle_ascii_path_agrees);
	tcase_add_test(tc, shingle_tokens_repeat);
	tcase_add_test(tc, shingle_large_sorted_unique);
	tcase_add_test(tc, shingle_sizes_sorted);
	tcase_add_test(tc, shingle_bad_opts);
	tcase_add_test(tc, minhash_matches_reference);
	tcase_add_test(tc, minhash_kernels_agree);
	tcase_add_test(tc, minhash_odd_shape);
	tcase_add_test(tc, minhash_deterministic);
	tcase_add_test(tc, minhash_bad_shape_and_empty);
	tcase_add_test(tc, minhash_exact_jaccard);
	tcase_add_test(tc, minhash_estimate_tracks_exact);
	tcase_add_test(tc, minhash_lsh_probability);
	tcase_add_test(tc, minhash_text_pair);
	tcase_add_test(tc, uf_basic);
	tcase_add_test(tc, uf_random_vs_naive);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(minhash_suite)
