/*
 * shingle.c: normalize -> tokenize -> n-gram hashes -> sort -> unique.
 *
 * Normalization works on a code point array (s->cp).  ASCII and Han, the
 * common cases, take a fast path (NFKC and case folding are tolower on
 * ASCII and the identity on Han).  Each run of other characters goes
 * through utf8proc together with the ASCII character just before it,
 * because a following combining mark may compose with that character
 * ("e" U+0301 -> "é"); nothing composes with a following ASCII or Han
 * character, so a run can end there.
 */
#include "shingle.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

enum { C_SEP, C_WORD, C_MARK, C_CHAR };

#define RADIX_MIN 2048	/* from here radix sort beats quicksort */
#define NORM_INVALID (-2)
#define TOKEN_CACHE_BITS 12	/* 4096 single-character token hashes */

/* NFKC + case folding, default ignorables dropped. */
#define NORM_OPTS (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | \
		   UTF8PROC_IGNORE | UTF8PROC_COMPOSE)

void shingle_init(struct shingle_set *s)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->fixed, 0);
}

void shingle_release(struct shingle_set *s)
{
	free(s->h);
	free(s->tmp);
	free(s->tok);
	free(s->cp);
	free(s->cache);
	free(s->set);
	buf_release(&s->fixed);
	shingle_init(s);
}

static int grow(void **p, size_t *alloc, size_t need, size_t elsize)
{
	size_t n = *alloc ? *alloc : 64;
	void *q;

	if (need <= *alloc)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elsize);
	if (!q)
		return -1;
	*p = q;
	*alloc = n;
	return 0;
}

static int grow_h(struct shingle_set *s, size_t need)
{
	size_t a = s->h_alloc, b = s->h_alloc;

	if (grow((void **)&s->h, &a, need, sizeof(*s->h)) ||
	    grow((void **)&s->tmp, &b, need, sizeof(*s->tmp)))
		return -1;
	s->h_alloc = a < b ? a : b;
	return 0;
}

/* Append the normalized form of the non-ASCII run p[0..n) at s->cp[*k].
 * Returns 0 or -1 (out of memory). */
static int norm_run(struct shingle_set *s, const char *p, size_t n, size_t *k,
		    size_t rest)
{
	utf8proc_ssize_t r;

	for (;;) {
		r = utf8proc_decompose((const utf8proc_uint8_t *)p,
				       (utf8proc_ssize_t)n, s->cp + *k,
				       (utf8proc_ssize_t)(s->cp_alloc - *k),
				       NORM_OPTS);
		if (r < 0)	/* input is valid UTF-8: only OOM remains */
			return -1;
		if ((size_t)r <= s->cp_alloc - *k)
			break;
		if (grow((void **)&s->cp, &s->cp_alloc, *k + r + rest,
			 sizeof(*s->cp)))
			return -1;
	}
	r = utf8proc_normalize_utf32(s->cp + *k, r, NORM_OPTS);
	if (r < 0)
		return -1;
	*k += (size_t)r;
	return grow((void **)&s->cp, &s->cp_alloc, *k + rest, sizeof(*s->cp));
}

/* Han ideographs need no normalization: no case, no decomposition, and
 * they never start a composition.  CJK text is mostly these, so they skip
 * utf8proc like ASCII does. */
static int is_han(int32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

/* One non-ASCII code point of p[0..n), or -1 when the bytes there are
 * not valid UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
 * Validating while decoding saves normalize() a separate pass. */
static inline int32_t decode(const unsigned char *p, size_t n, size_t *len)
{
	int32_t c;

	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		if (n < 2 || (p[1] & 0xC0) != 0x80)
			return -1;
		*len = 2;
		return (p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	}
	if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return -1;
		c = (p[0] & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))
			return -1;
		*len = 3;
		return c;
	}
	if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return -1;
		c = (p[0] & 0x07) << 18 | (p[1] & 0x3F) << 12 |
		    (p[2] & 0x3F) << 6 | (p[3] & 0x3F);
		if (c < 0x10000 || c > 0x10FFFF)
			return -1;
		*len = 4;
		return c;
	}
	return -1;
}

/* text -> s->cp[0..return).  Returns the count, -1 (out of memory) or
 * NORM_INVALID (text is not valid UTF-8: repair it and call again).
 * Invariant: cp_alloc >= k + (len - i) + 1, so the fast paths (one code
 * point per byte at most) never need to grow the array. */
static long normalize(struct shingle_set *s, const char *t, size_t len)
{
	size_t i = 0, k = 0, n, run = SIZE_MAX;	/* run: pending bytes */
	int32_t c;

	if (grow((void **)&s->cp, &s->cp_alloc, len + 1, sizeof(*s->cp)))
		return -1;
	while (i < len) {
		unsigned char b = (unsigned char)t[i];

		if (b < 0x80) {
			c = (b >= 'A' && b <= 'Z') ? b + 32 : b;
			n = 1;
		} else {
			c = decode((const unsigned char *)t + i, len - i, &n);
			if (c < 0)
				return NORM_INVALID;
			if (!is_han(c)) {
				if (run == SIZE_MAX) {
					run = i;
					/* t[i-1] is ASCII: it may compose */
					if (i > 0 && (unsigned char)t[i - 1] < 0x80) {
						run--;
						k--;
					}
				}
				i += n;
				continue;
			}
		}
		if (run != SIZE_MAX) {
			if (norm_run(s, t + run, i - run, &k, len - i + 1))
				return -1;
			run = SIZE_MAX;
		}
		s->cp[k++] = c;
		i += n;
	}
	if (run != SIZE_MAX && norm_run(s, t + run, i - run, &k, 1))
		return -1;
	return (long)k;
}

/* Scripts written without spaces between words: one token per char. */
static int unspaced(int32_t c)
{
	return (c >= 0x0E00 && c <= 0x0EFF) ||	/* Thai, Lao */
	       (c >= 0x1000 && c <= 0x109F) ||	/* Myanmar */
	       (c >= 0x1780 && c <= 0x17FF) ||	/* Khmer */
	       (c >= 0x3005 && c <= 0x3007) ||	/* 々 〆 〇 */
	       (c >= 0x3040 && c <= 0x30FF) ||	/* Hiragana, Katakana */
	       (c >= 0x31F0 && c <= 0x31FF) ||	/* Katakana ext */
	       (c >= 0x3400 && c <= 0x4DBF) ||	/* Han ext A */
	       (c >= 0x4E00 && c <= 0x9FFF) ||	/* Han */
	       (c >= 0xF900 && c <= 0xFAFF) ||	/* Han compatibility */
	       (c >= 0x20000 && c <= 0x3FFFF);	/* Han ext B.. */
}

static inline int classify(int32_t c)
{
	if (c < 0x80)
		return ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			(c >= 'A' && c <= 'Z')) ? C_WORD : C_SEP;
	if (is_han(c))
		return C_CHAR;
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return unspaced(c) ? C_CHAR : C_WORD;
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return unspaced(c) ? C_CHAR : C_MARK;
	default:
		return C_SEP;
	}
}

/* XXH3 of the token's UTF-8; very long tokens are hashed in chained
 * chunks so the key buffer stays on the stack. */
static uint64_t token_hash(const int32_t *cp, size_t n)
{
	char kb[256];
	size_t m = 0, i;
	uint64_t h = 0;

	for (i = 0; i < n; i++) {
		if (m > sizeof(kb) - 4) {
			h = hash64_seed(kb, m, h);
			m = 0;
		}
		if (cp[i] < 0x80)
			kb[m++] = (char)cp[i];
		else
			m += utf8_encode((uint32_t)cp[i], kb + m);
	}
	return hash64_seed(kb, m, h);
}

/* Single-character tokens (every CJK token) repeat a lot: their hashes
 * go through a direct-mapped cache of TOKEN_CACHE slots, each holding
 * (code point + 1, hash); 0 marks an empty slot. */
static uint64_t char_hash(struct shingle_set *s, int32_t c)
{
	uint32_t slot = ((uint32_t)c * 2654435761u) >> (32 - TOKEN_CACHE_BITS);
	uint64_t *e = s->cache + 2 * slot;

	if (e[0] != (uint64_t)c + 1) {
		e[0] = (uint64_t)c + 1;
		e[1] = token_hash(&c, 1);
	}
	return e[1];
}

static int add_token(struct shingle_set *s, const int32_t *cp, size_t n)
{
	if (s->ntok == s->tok_alloc &&
	    grow((void **)&s->tok, &s->tok_alloc, s->ntok + 1,
		 sizeof(*s->tok)))
		return -1;
	s->tok[s->ntok++] = n == 1 ? char_hash(s, cp[0]) : token_hash(cp, n);
	return 0;
}

/* Append the tokens of normalized code points cp[0..k) to s->tok. */
static int tokenize(struct shingle_set *s, const int32_t *cp, size_t k)
{
	size_t i = 0, start;
	int c;

	while (i < k) {
		c = classify(cp[i]);
		if (c == C_SEP || c == C_MARK) {	/* stray mark: drop */
			i++;
			continue;
		}
		start = i++;
		if (c == C_CHAR) {
			s->nchar++;
		} else {
			while (i < k && ((c = classify(cp[i])) == C_WORD ||
					 c == C_MARK))
				i++;
		}
		if (add_token(s, cp + start, i - start))
			return -1;
	}
	return 0;
}

static const unsigned char ascii_lower_alnum[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
};

#define IS_ALNUM(b) ((unsigned char)(b) < 0x80 && \
		     ascii_lower_alnum[(unsigned char)(b)])
#define IS_ASCII_SEP(b) ((unsigned char)(b) < 0x80 && \
			 !ascii_lower_alnum[(unsigned char)(b)])

/* ascii_lower_alnum for every byte (0 from 0x80 on): one lookup tests
 * and folds a byte of an ASCII word. */
static unsigned char lower_alnum_byte(unsigned char b)
{
	return b < 0x80 ? ascii_lower_alnum[b] : 0;
}

/* An all-ASCII token of n bytes whose lowercased bytes are the last m
 * of them in kb, after the chunks chained into h (as token_hash() hashes
 * its UTF-8); tokenize_text() folds them as it finds the word's end. */
static int add_ascii_token(struct shingle_set *s, const char *kb, size_t m,
			   uint64_t h, size_t n)
{
	if (s->ntok == s->tok_alloc &&
	    grow((void **)&s->tok, &s->tok_alloc, s->ntok + 1,
		 sizeof(*s->tok)))
		return -1;
	s->tok[s->ntok++] = n == 1 ? char_hash(s, (unsigned char)kb[0]) :
			    hash64_seed(kb, m, h);
	return 0;
}

/* Tokens of t[start, end) through normalize() and tokenize(); the region
 * is cut at ASCII separators, which end any token and with which nothing
 * composes across, so it tokenizes as it would inside the whole text.
 * Returns 0, -1 (out of memory) or NORM_INVALID. */
static int general_region(struct shingle_set *s, const char *t, size_t start,
			  size_t end)
{
	long k = normalize(s, t + start, end - start);

	if (k < 0)
		return (int)k;
	return tokenize(s, s->cp, (size_t)k);
}

/* The tokenizer.  ASCII words are cut and hashed straight from the bytes
 * (the common case, no code point array).  A word that runs into a
 * non-ASCII byte, or non-ASCII text after a separator, goes to
 * general_region() from the word's first byte (or the separator before
 * it, which a following mark may compose with: "=" U+0338 -> "≠") up to
 * the next ASCII separator.  Same tokens as normalize() + tokenize() on
 * the whole text (tests/test_minhash.c checks it on random text). */
static int tokenize_text(struct shingle_set *s, const char *t, size_t len)
{
	size_t i = 0, start, end, m;
	unsigned char f;
	char kb[256];
	uint64_t h;
	int rc;

	while (i < len) {
		if (IS_ASCII_SEP(t[i])) {
			i++;
			continue;
		}
		start = i;
		m = 0;
		h = 0;
		/* fold into kb as the word is read, chained in chunks as
		 * token_hash() does */
		while (i < len && (f = lower_alnum_byte((unsigned char)t[i]))) {
			if (m > sizeof(kb) - 4) {
				h = hash64_seed(kb, m, h);
				m = 0;
			}
			kb[m++] = (char)f;
			i++;
		}
		if (i > start && (i == len || IS_ASCII_SEP(t[i]))) {
			if (add_ascii_token(s, kb, m, h, i - start))
				return -1;
			continue;
		}
		if (i == start && start > 0)	/* non-ASCII after a separator */
			start--;
		for (end = i; end < len && !IS_ASCII_SEP(t[end]); end++)
			;
		if ((rc = general_region(s, t, start, end)))
			return rc;
		i = end;
	}
	return 0;
}

long shingle_tokens(struct shingle_set *s, const char *text, size_t len,
		    struct sl_err *err)
{
	int rc;

	s->n = 0;
	s->ntok = s->nchar = 0;
	if (!s->cache &&
	    !(s->cache = calloc(2 << TOKEN_CACHE_BITS, sizeof(*s->cache))))
		return sl_error(err, "cannot shingle text: out of memory");
	rc = tokenize_text(s, text, len);
	if (rc == NORM_INVALID) {	/* each bad subpart -> U+FFFD */
		buf_reset(&s->fixed);
		s->ntok = s->nchar = 0;
		if (utf8_repair(text, len, &s->fixed, NULL))
			return sl_error(err, "cannot shingle text: out of memory");
		rc = tokenize_text(s, s->fixed.data, s->fixed.len);
	}
	if (rc)
		return sl_error(err, "cannot shingle text: out of memory");
	return (long)s->ntok;
}

int shingle_pick_n(const struct shingle_set *s, const struct shingle_opts *o)
{
	return 2 * s->nchar > s->ntok ? o->char_n : o->word_n;
}

static void insertion_sort(uint64_t *a, size_t n)
{
	size_t i, j;
	uint64_t v;

	for (i = 1; i < n; i++) {
		v = a[i];
		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Quicksort for the mid sizes where radix sort's 8 x 256 counters cost
 * more than the keys.  Keys are random hashes, so a branchy partition
 * mispredicts half its compares; this Lomuto partition is branch-free
 * (each key is swapped into place and the boundary advances by the
 * compare's 0/1).  Median of three pivot, insertion sort for short
 * ranges, loop on the larger side so the stack stays O(log n).  The
 * quadratic case needs a hash collision attack, and n < RADIX_MIN bounds
 * it anyway. */
static void quick_sort(uint64_t *a, size_t n)
{
	while (n > 16) {
		uint64_t p, t, v;
		size_t i = 0, j, mid = n / 2, last = n - 1;

		/* median of a[0], a[mid], a[last] into a[last] */
		if (a[mid] < a[0]) { t = a[mid]; a[mid] = a[0]; a[0] = t; }
		if (a[last] < a[0]) { t = a[last]; a[last] = a[0]; a[0] = t; }
		if (a[mid] < a[last]) { t = a[mid]; a[mid] = a[last]; a[last] = t; }
		p = a[last];
		for (j = 0; j < last; j++) {	/* a[0, i) < p <= a[i, j) */
			v = a[j];
			a[j] = a[i];
			a[i] = v;
			i += v < p;
		}
		a[last] = a[i];
		a[i] = p;
		/* a[0, i) < p = a[i] <= a(i, n) */
		if (i < n - i - 1) {
			quick_sort(a, i);
			a += i + 1;
			n -= i + 1;
		} else {
			quick_sort(a + i + 1, n - i - 1);
			n = i;
		}
	}
	insertion_sort(a, n);
}

/* LSD radix sort, 8 passes of 8 bits ping-ponging between a and tmp.  A
 * pass where every key has the same byte is skipped (it would not reorder
 * anything); the result is copied back to a if it ended in tmp. */
static void radix_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
	size_t count[256], i, sum, c;
	uint64_t *src = a, *dst = tmp, *t;
	int shift;

	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 255]++;
		if (count[(src[0] >> shift) & 255] == n)
			continue;	/* all equal in this byte */
		for (sum = 0, i = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 255]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

static size_t unique(uint64_t *a, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (m == 0 || a[i] != a[m - 1])
			a[m++] = a[i];
	return m;
}

/* Duplicates out of a[0..n) without sorting, first occurrences kept in
 * order: an open-addressing set in s->set, a power of two at least twice
 * n so probes stay short, indexed by the top bits (the keys are hashes).
 * 0 marks an empty slot; a zero key is tracked aside.  The table is all
 * zero between calls: the slots used are recorded in s->tmp (free in
 * this mode) and cleared after, so a small document does not pay for
 * clearing a table a large one grew.  Cheaper than sorting (one probe
 * per key against ~log2(n) compares).  Returns the new n, or -1 out of
 * memory. */
static long unique_unordered(struct shingle_set *s, uint64_t *a, size_t n)
{
	size_t size = 16, m = 0, i, slot, mask;
	int bits = 4, zero = 0;

	while (size < 2 * n) {
		size *= 2;
		bits++;
	}
	if (size > s->set_alloc) {
		free(s->set);
		s->set_alloc = 0;
		if (!(s->set = calloc(size, sizeof(*s->set))))
			return -1;
		s->set_alloc = size;
	}
	mask = size - 1;
	for (i = 0; i < n; i++) {
		uint64_t v = a[i];

		if (!v) {
			if (!zero)
				a[m++] = 0;
			zero = 1;
			continue;
		}
		for (slot = (size_t)(v >> (64 - bits));
		     s->set[slot] && s->set[slot] != v;
		     slot = (slot + 1) & mask)
			;
		if (!s->set[slot]) {
			s->set[slot] = v;
			s->tmp[m] = slot;
			a[m++] = v;
		}
	}
	for (i = 0; i < m; i++)
		if (a[i])
			s->set[s->tmp[i]] = 0;
	return (long)m;
}

/* The shingle at each window of n token hashes: a polynomial in an odd
 * constant, rolled along the tokens (two multiplies per shingle, however
 * long n), then murmur3's 64-bit finalizer so every bit of the result
 * depends on every bit of the window.  Two different windows collide
 * with probability ~2^-64 (their difference is a random polynomial). */
#define GRAM_K UINT64_C(0x9E3779B97F4A7C15)

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	return h ^ (h >> 33);
}

static void gram_hashes(const uint64_t *tok, size_t ntok, size_t n,
			uint64_t *out)
{
	uint64_t r = 0, top = 1;	/* top = K^(n-1) */
	size_t i;

	for (i = 0; i + 1 < n; i++)
		top *= GRAM_K;
	for (i = 0; i < n; i++)
		r = r * GRAM_K + tok[i];
	out[0] = fmix64(r);
	for (i = n; i < ntok; i++) {
		r = (r - tok[i - n] * top) * GRAM_K + tok[i];
		out[i - n + 1] = fmix64(r);
	}
}

long shingle_text(struct shingle_set *s, const struct shingle_opts *o,
		  const char *text, size_t len, struct sl_err *err)
{
	size_t n, cnt;

	if (o->word_n < 1 || o->word_n > SHINGLE_MAX_N ||
	    o->char_n < 1 || o->char_n > SHINGLE_MAX_N)
		return sl_error(err, "cannot shingle text: n-gram size must be "
				"1..%d", SHINGLE_MAX_N);
	if (shingle_tokens(s, text, len, err) < 0)
		return -1;
	if (s->ntok == 0)
		return 0;
	n = (size_t)shingle_pick_n(s, o);
	if (n > s->ntok)
		n = s->ntok;
	cnt = s->ntok - n + 1;
	if (grow_h(s, cnt))
		return sl_error(err, "cannot shingle text: out of memory");
	gram_hashes(s->tok, s->ntok, n, s->h);
	if (o->unordered) {
		long m = unique_unordered(s, s->h, cnt);

		if (m < 0)
			return sl_error(err, "cannot shingle text: out of memory");
		s->n = (size_t)m;
		return m;
	}
	if (cnt < RADIX_MIN)
		quick_sort(s->h, cnt);
	else
		radix_sort(s->h, s->tmp, cnt);
	s->n = unique(s->h, cnt);
	return (long)s->n;
}
