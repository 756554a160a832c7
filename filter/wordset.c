/*
 * wordset.c: word lists as a hash set of word sequences plus an
 * Aho-Corasick automaton for CJK entries (see wordset.h).
 *
 * Hash set: open addressing over 64-bit keys (0 = empty), load <= 1/2.
 * An entry of k words is stored as the hash of its k folded word hashes;
 * a second set holds the last word of every entry of two or more words,
 * so the text is probed with longer windows only after such a word.
 *
 * Automaton: the trie of the CJK entries' bytes (ASCII letters folded),
 * completed into a DFA: next[s * 256 + b] is the state after byte b,
 * then compressed to next[s * nclass + cls[b]]; outlen[s] is the longest
 * entry ending in state s (0: none).  For the scan, each entry of next
 * then holds its target's row offset (t * nclass) rather than t, and its
 * complement (negative) when outlen[t] is set, so a step is one add and
 * one load, and one sign test finds the states that end an entry.
 */
#include "wordset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "textstats.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define WS_MAXK 8		/* most words in one entry */
#define WS_WORDMAX 256		/* longest folded word, bytes */

struct set {
	uint64_t *k;
	size_t size, n;		/* size: a power of two */
	uint64_t bits[64];	/* one bit per key: most words of a text
				 * are turned away with a single test */
};

#define BIT(key) (((key) >> 40) & 4095)
#define ROOT_STAY 1
#define ROOT_LEAD3 2

struct wordset {
	struct set phrases, lasts;
	size_t maxk;		/* longest entry, in words */
	size_t maxword;		/* longest folded entry word, bytes */
	size_t entries;
	/* automaton */
	int32_t *next;
	uint32_t *outlen;
	size_t nstates, astates;
	size_t maxbytes;	/* longest CJK entry, bytes */
	uint16_t cls[256];	/* byte -> column of next, once built */
	uint8_t root_stay[256];	/* ROOT_STAY: byte leads the root to
				 * itself; ROOT_LEAD3: starts a 3-byte
				 * character (see scan_ac) */
	uint64_t wbits[256];	/* the word filter, see word_key() */
	uint64_t start3[1024];	/* a bit per BMP code point: some CJK
				 * entry starts with this 3-byte character */
	uint64_t enter3[1024];	/* of those, the ones the scan must not
				 * pass by their next character: an entry
				 * itself, or followed by a byte that does
				 * not start a 3-byte character */
	uint64_t pair3[1024];	/* a bit per hash of the first two (3-byte)
				 * characters of an entry, see pair_hash() */
	size_t nclass;
	int built;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ULL;
	h ^= h >> 27;
	return h | 1;
}

static int set_put(struct set *s, uint64_t key)
{
	size_t i;

	s->bits[BIT(key) >> 6] |= 1ULL << (BIT(key) & 63);
	if (2 * (s->n + 1) > s->size) {
		struct set big = { NULL, s->size ? 2 * s->size : 256, 0, { 0 } };

		big.k = calloc(big.size, sizeof(*big.k));
		if (!big.k)
			return -1;
		for (size_t j = 0; j < s->size; j++)
			if (s->k[j])
				set_put(&big, s->k[j]);
		free(s->k);
		memcpy(big.bits, s->bits, sizeof(big.bits));
		*s = big;
	}
	for (i = key & (s->size - 1); s->k[i]; i = (i + 1) & (s->size - 1))
		if (s->k[i] == key)
			return 0;
	s->k[i] = key;
	s->n++;
	return 0;
}

/* The one-bit test alone: most words of a text stop here, inline. */
static inline int set_maybe(const struct set *s, uint64_t key)
{
	return s->bits[BIT(key) >> 6] >> (BIT(key) & 63) & 1;
}

static int set_has(const struct set *s, uint64_t key)
{
	if (!set_maybe(s, key))
		return 0;
	for (size_t i = key & (s->size - 1); s->k[i];
	     i = (i + 1) & (s->size - 1))
		if (s->k[i] == key)
			return 1;
	return 0;
}

struct wordset *wordset_new(void)
{
	return calloc(1, sizeof(struct wordset));
}

void wordset_free(struct wordset *ws)
{
	if (!ws)
		return;
	free(ws->phrases.k);
	free(ws->lasts.k);
	free(ws->next);
	free(ws->outlen);
	free(ws);
}

size_t wordset_size(const struct wordset *ws)
{
	return ws->entries;
}

/* The hash of a folded word, eight bytes a step: c is the next (up to)
 * eight bytes as memcpy() puts them in a uint64_t, zeros past the word.
 * The text's ASCII words are hashed straight from the text this way
 * (scan_words), every other word from its folded copy (word_hash). */
static inline uint64_t word_step(uint64_t h, uint64_t c)
{
	h = (h ^ c) * 0x9E3779B97F4A7C15ULL;
	return h ^ h >> 29;
}

static uint64_t word_hash(const unsigned char *f, size_t len)
{
	uint64_t h = len;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t c = 0;

		memcpy(&c, f + i, len - i < 8 ? len - i : 8);
		h = word_step(h, c);
	}
	return h;
}

/* The hash of the folded word p[0..n) (ASCII by table, the rest by
 * utf8proc); *len gets the folded length, 0 when longer than
 * WS_WORDMAX (no entry word is that long, so it cannot match); head
 * (when not NULL) its first two folded bytes (0 past the end). */
static uint64_t fold_hash_head(const char *p, size_t n, size_t *len,
			       unsigned char *head)
{
	unsigned char f[WS_WORDMAX + 4];
	size_t i = 0, o = 0, k;

	while (i < n) {
		unsigned char b = (unsigned char)p[i];
		int32_t c;
		char enc[4];

		if (b < 0x80) {
			b = (unsigned char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
			if (o < WS_WORDMAX)
				f[o] = b;
			o++;
			i++;
			continue;
		}
		c = utf8_decode(p + i, n - i, &k);
		i += k;
		if (c < 0)
			continue;
		k = utf8_encode((uint32_t)textstats_fold(c), enc);
		if (o + k <= WS_WORDMAX)
			memcpy(f + o, enc, k);
		o += k;
	}
	if (head) {
		head[0] = o > 0 && o <= WS_WORDMAX ? f[0] : 0;
		head[1] = o > 1 && o <= WS_WORDMAX ? f[1] : 0;
	}
	*len = o <= WS_WORDMAX ? o : 0;
	return *len ? word_hash(f, o) : 0;
}

static uint64_t fold_hash(const char *p, size_t n, size_t *len)
{
	return fold_hash_head(p, n, len, NULL);
}

/* The word filter: one bit per (folded length mod 16, low five bits of
 * the first and of the second folded byte) of every entry word.  An
 * ASCII word of the text whose bit is clear equals no entry word, so it
 * is neither hashed nor probed (most words of a text; the bits are
 * loose, so a set bit only means "probe"). */
static unsigned word_key(size_t len, unsigned char b0, unsigned char b1)
{
	return (unsigned)(len & 15) << 10 | (b0 & 31u) << 5 | (b1 & 31u);
}

static void word_mark(struct wordset *ws, size_t len, const unsigned char *h)
{
	unsigned k = word_key(len, h[0], len > 1 ? h[1] : 0);

	ws->wbits[k >> 6] |= 1ULL << (k & 63);
}

static int word_maybe(const struct wordset *ws, size_t len, unsigned char b0,
		      unsigned char b1)
{
	unsigned k = word_key(len, b0, b1);

	return ws->wbits[k >> 6] >> (k & 63) & 1;
}

static uint64_t step(uint64_t h, uint64_t w)
{
	return h * 0x9E3779B97F4A7C15ULL + w;
}

/* ---- automaton building ---------------------------------------------- */

static int ac_state(struct wordset *ws)
{
	if (ws->nstates == ws->astates) {
		size_t na = ws->astates ? 2 * ws->astates : 64;
		int32_t *nx = realloc(ws->next, na * 256 * sizeof(*nx));
		uint32_t *ol;

		if (!nx)
			return -1;
		ws->next = nx;
		ol = realloc(ws->outlen, na * sizeof(*ol));
		if (!ol)
			return -1;
		ws->outlen = ol;
		ws->astates = na;
	}
	memset(ws->next + ws->nstates * 256, 0xff, 256 * sizeof(int32_t));
	ws->outlen[ws->nstates] = 0;
	return (int)ws->nstates++;
}

static int ac_add(struct wordset *ws, const char *p, size_t n)
{
	int32_t s = 0;

	if (!ws->nstates && ac_state(ws) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)p[i];
		int32_t *t;

		if (b >= 'A' && b <= 'Z')
			b += 32;
		t = &ws->next[(size_t)s * 256 + b];
		if (*t < 0) {
			int ns = ac_state(ws);

			if (ns < 0)
				return -1;
			t = &ws->next[(size_t)s * 256 + b];	/* moved */
			*t = ns;
		}
		s = *t;
	}
	ws->outlen[s] = (uint32_t)n;
	if (n > ws->maxbytes)
		ws->maxbytes = n;
	return 0;
}

/* Bytes that occur in no entry lead every state back to the root; the
 * others get a class each, and the table shrinks from 256 columns to
 * nclass (a few dozen for Chinese), so it stays in cache. */
static int compress(struct wordset *ws)
{
	int32_t *t;
	int k = 1;

	memset(ws->cls, 0, sizeof(ws->cls));
	for (size_t s = 0; s < ws->nstates; s++)
		for (int b = 0; b < 256; b++)
			if (ws->next[s * 256 + b] > 0 && !ws->cls[b])
				ws->cls[b] = (uint16_t)k++;
	t = malloc(ws->nstates * (size_t)k * sizeof(*t));
	if (!t)
		return -1;
	for (size_t s = 0; s < ws->nstates; s++) {
		t[s * (size_t)k] = 0;
		for (int b = 0; b < 256; b++)
			if (ws->cls[b])
				t[s * (size_t)k + ws->cls[b]] =
					ws->next[s * 256 + b];
	}
	free(ws->next);
	ws->next = t;
	ws->nclass = (size_t)k;
	for (int b = 0; b < 256; b++)
		ws->root_stay[b] = t[ws->cls[b]] == 0 ? ROOT_STAY :
				   (b & 0xF0) == 0xE0 ? ROOT_LEAD3 : 0;
	/* row offsets, see the top of the file (the root has no output) */
	if (ws->nstates * (size_t)k > INT32_MAX)
		return -1;
	for (size_t x = 0; x < ws->nstates * (size_t)k; x++) {
		int32_t to = t[x];

		t[x] = to * k;
		if (ws->outlen[to])
			t[x] = ~t[x];
	}
	return 0;
}

static inline unsigned pair_hash(uint32_t c1, uint32_t c2)
{
	return (unsigned)(((uint64_t)c1 << 16 ^ c2) * 0x9E3779B97F4A7C15ULL >> 48);
}

static void set_bit(uint64_t *bits, unsigned i)
{
	bits[i >> 6] |= 1ULL << (i & 63);
}

/* Call f(ws, s, c, arg) for every 3-byte character c that leads the trie
 * (before the failure links fill it) from state s to a state; s is then
 * that state. */
static void each3(struct wordset *ws, int32_t s,
		  void (*f)(struct wordset *, int32_t, uint32_t, void *),
		  void *arg)
{
	for (int b0 = 0xE0; b0 <= 0xEF; b0++) {
		int32_t s1 = ws->next[(size_t)s * 256 + b0];

		for (int b1 = 0x80; s1 > 0 && b1 <= 0xBF; b1++) {
			int32_t s2 = ws->next[(size_t)s1 * 256 + b1];

			for (int b2 = 0x80; s2 > 0 && b2 <= 0xBF; b2++) {
				int32_t s3 = ws->next[(size_t)s2 * 256 + b2];

				if (s3 > 0)
					f(ws, s3, (uint32_t)(b0 & 0x0F) << 12 |
					  (uint32_t)(b1 & 0x3F) << 6 |
					  (uint32_t)(b2 & 0x3F), arg);
			}
		}
	}
}

static void mark_pair(struct wordset *ws, int32_t s, uint32_t c2, void *arg)
{
	set_bit(ws->pair3, pair_hash(*(uint32_t *)arg, c2));
}

static void mark_start(struct wordset *ws, int32_t s, uint32_t c, void *arg)
{
	set_bit(ws->start3, c);
	if (ws->outlen[s])
		set_bit(ws->enter3, c);
	for (int b = 0; b < 256; b++)
		if (ws->next[(size_t)s * 256 + b] > 0 && (b & 0xF0) != 0xE0)
			set_bit(ws->enter3, c);
	each3(ws, s, mark_pair, &c);
}

/* start3, enter3 and pair3 from the trie. */
static void mark_starts(struct wordset *ws)
{
	memset(ws->start3, 0, sizeof(ws->start3));
	memset(ws->enter3, 0, sizeof(ws->enter3));
	memset(ws->pair3, 0, sizeof(ws->pair3));
	each3(ws, 0, mark_start, NULL);
}

int wordset_build(struct wordset *ws, struct sl_err *err)
{
	int32_t *fail, *queue;
	size_t head = 0, tail = 0;

	ws->built = 1;
	if (!ws->nstates)
		return 0;
	mark_starts(ws);
	fail = calloc(ws->nstates, sizeof(*fail));
	queue = calloc(ws->nstates, sizeof(*queue));
	if (!fail || !queue) {
		free(fail);
		free(queue);
		return sl_error(err, "out of memory");
	}
	for (int b = 0; b < 256; b++) {
		int32_t *t = &ws->next[b];

		if (*t < 0) {
			*t = 0;
		} else {
			fail[*t] = 0;
			queue[tail++] = *t;
		}
	}
	/* BFS: a state's failure target is complete before its children */
	while (head < tail) {
		int32_t s = queue[head++];

		if (ws->outlen[fail[s]] > ws->outlen[s] && !ws->outlen[s])
			ws->outlen[s] = ws->outlen[fail[s]];
		for (int b = 0; b < 256; b++) {
			int32_t *t = &ws->next[(size_t)s * 256 + b];
			int32_t f = ws->next[(size_t)fail[s] * 256 + b];

			if (*t < 0) {
				*t = f;
			} else {
				fail[*t] = f;
				queue[tail++] = *t;
			}
		}
	}
	free(fail);
	free(queue);
	return compress(ws) ? sl_error(err, "out of memory") : 0;
}

/* ---- adding entries --------------------------------------------------- */

int wordset_add(struct wordset *ws, const char *p, size_t n, size_t minchars)
{
	size_t pos = 0, k = 0, chars = 0, letters = 0, cjk = 0;
	uint64_t h = 0, last = 0;
	struct tword w;
	while (textstats_next_word(p, n, &pos, &w)) {
		size_t fl;
		unsigned char head[2] = { 0, 0 };
		uint64_t wh = fold_hash_head(p + w.off, w.len, &fl, head);

		chars += w.nchars;
		letters += w.alpha;
		cjk += w.cjk;
		if (!fl || ++k > WS_MAXK)
			return 0;	/* cannot match as words */
		if (fl > ws->maxword)
			ws->maxword = fl;
		word_mark(ws, fl, head);	/* any word tried: loose is safe */
		last = wh;
		h = step(h, last);
	}
	if (!letters || chars < minchars || !k)
		return 0;
	ws->entries++;
	if (cjk) {
		size_t s = 0, e = n;

		while (s < e && (p[s] == ' ' || p[s] == '\t'))
			s++;
		while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
			e--;
		return ac_add(ws, p + s, e - s);
	}
	if (k > ws->maxk)
		ws->maxk = k;
	if (k > 1 && set_put(&ws->lasts, mix(last)))
		return -1;
	return set_put(&ws->phrases, mix(h));
}

int wordset_add_lines(struct wordset *ws, const char *text, size_t n,
		      size_t minchars, const char *name, struct sl_err *err)
{
	size_t i = 0;
	int line = 0;

	while (i < n) {
		const char *l = text + i, *nl = memchr(l, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - l) : n - i;

		i += ln + 1;
		line++;
		if (ln && l[ln - 1] == '\r')
			ln--;
		if (!ln || l[0] == '#')
			continue;
		if (!utf8_valid(l, ln))
			return sl_error(err, "'%s' line %d: invalid UTF-8",
					name, line);
		if (wordset_add(ws, l, ln, minchars))
			return sl_error(err, "out of memory");
	}
	return 0;
}

/* ---- scanning ---------------------------------------------------------- */

struct acc {
	struct buf *spans;
	long count;
	size_t end;		/* end of the last counted span */
	int any;
};

/* Count a match unless it overlaps the last one, which it then extends. */
static int hit(struct acc *a, size_t off, size_t len)
{
	struct wordset_span sp = { off, len };

	if (a->any && off < a->end) {
		if (off + len > a->end) {
			if (a->spans) {
				struct wordset_span *l = (void *)(a->spans->data +
					a->spans->len - sizeof(sp));
				l->len = off + len - l->off;
			}
			a->end = off + len;
		}
		return 0;
	}
	a->any = 1;
	a->end = off + len;
	a->count++;
	return a->spans ? buf_add(a->spans, &sp, sizeof(sp)) : 0;
}

struct ring {
	uint64_t h[WS_MAXK];	/* last words' hashes, h[at] the newest */
	size_t off[WS_MAXK];
	size_t n, at;
};

/* One word of the text, folded and hashed: probe the sets with it and
 * the words before it.  Inline, with the sets' bit tests inline: it runs
 * once per word of the text. */
static inline int on_word(const struct wordset *ws, struct acc *a,
			  struct ring *r, size_t off, size_t len,
			  uint64_t last)
{
	size_t have;
	uint64_t m1 = mix(last), m;

	r->at = (r->at + 1) % WS_MAXK;
	r->h[r->at] = last;
	r->off[r->at] = off;
	if (r->n < WS_MAXK)
		r->n++;
	have = r->n < ws->maxk ? r->n : ws->maxk;
	/* longest window first, so "blow job" wins over "job" */
	if (have > 1 && set_maybe(&ws->lasts, m1) && set_has(&ws->lasts, m1)) {
		for (size_t k = have; k > 1; k--) {
			size_t first = (r->at + WS_MAXK - (k - 1)) % WS_MAXK;
			uint64_t h = 0;

			for (size_t j = 0; j < k; j++)
				h = step(h, r->h[(first + j) % WS_MAXK]);
			if (set_has(&ws->phrases, mix(h)))
				return hit(a, r->off[first],
					   off + len - r->off[first]);
		}
	}
	m = mix(step(0, last));
	if (set_maybe(&ws->phrases, m) && set_has(&ws->phrases, m))
		return hit(a, off, len);
	return 0;
}

/* ASCII letters (folded) and digits, the fast path of scan_words; 0 for
 * every other byte (separators, and bytes of longer sequences). */
#define L(c) [c] = c + 32
static const unsigned char wfold[256] = {
	['0'] = '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
	['a'] = 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
	'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z',
	L('A'), L('B'), L('C'), L('D'), L('E'), L('F'), L('G'), L('H'),
	L('I'), L('J'), L('K'), L('L'), L('M'), L('N'), L('O'), L('P'),
	L('Q'), L('R'), L('S'), L('T'), L('U'), L('V'), L('W'), L('X'),
	L('Y'), L('Z'),
};
#undef L

#ifdef __SSE2__
/* Bit i: u[i] (of 16) is an ASCII letter or digit, wfold[u[i]] != 0;
 * with high, also when u[i] >= 0x80.  Letters are tested case-folded
 * (| 0x20), digits as they are (0x10-0x19 would fold onto them); bytes
 * >= 0x80 are negative, in neither range. */
static inline unsigned alnum16(const unsigned char *u, int high)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)u);
	__m128i f = _mm_or_si128(v, _mm_set1_epi8(0x20));
	__m128i l = _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)),
				  _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
	__m128i d = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
				  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(l, d));

	return high ? m | (unsigned)_mm_movemask_epi8(v) : m;
}
#endif

/* End of the run of ASCII letters and digits at u[pos..n): sixteen bytes
 * a step where SSE2 is, as the byte loop's exit branch was most of the
 * time of English text (one misprediction a word). */
static inline size_t alnum_end(const unsigned char *u, size_t pos, size_t n)
{
#ifdef __SSE2__
	for (; n - pos >= 16; pos += 16) {
		unsigned m = ~alnum16(u + pos, 0) & 0xFFFFu;

		if (m)
			return pos + (size_t)__builtin_ctz(m);
	}
#endif
	while (pos < n && wfold[u[pos]])
		pos++;
	return pos;
}

/* Start of the next word at or after pos: the next ASCII letter or
 * digit or non-ASCII byte.  Called at a word's end, it also takes away
 * the loop's turn for the separator after each word. */
static inline size_t sep_end(const unsigned char *u, size_t pos, size_t n)
{
#ifdef __SSE2__
	for (; n - pos >= 16; pos += 16) {
		unsigned m = alnum16(u + pos, 1);

		if (m)
			return pos + (size_t)__builtin_ctz(m);
	}
#endif
	while (pos < n && u[pos] < 0x80 && !wfold[u[pos]])
		pos++;
	return pos;
}

/* k (1..8) bytes of ASCII letters and digits at u[at], folded (| 0x20:
 * digits have the bit already), as word_hash() reads a folded copy: one
 * load where eight bytes are left, on little-endian machines. */
static inline uint64_t folded8(const unsigned char *u, size_t at, size_t k,
			       size_t n)
{
	unsigned char b[8] = { 0 };
	uint64_t c;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n - at >= 8) {
		memcpy(&c, u + at, 8);
		c |= 0x2020202020202020ULL;
		return k < 8 ? c & ((1ULL << (8 * k)) - 1) : c;
	}
#endif
	for (size_t i = 0; i < k; i++)
		b[i] = (unsigned char)(u[at + i] | 0x20);
	memcpy(&c, b, sizeof(c));
	return c;
}

/* The ASCII word u[s..s+len) (letters and digits, len <= maxword): 0 when
 * the word filter turns it away, else 1 and its word_hash() in *h. */
static inline int ascii_word(const struct wordset *ws, const unsigned char *u,
			     size_t s, size_t len, size_t n, uint64_t *h)
{
	/* the filter's bytes need no folding: it reads their low bits */
	if (!word_maybe(ws, len, u[s], len > 1 ? u[s + 1] : 0))
		return 0;
	*h = len;
	for (size_t i = 0; i < len; i += 8)
		*h = word_step(*h, folded8(u, s + i, len - i < 8 ? len - i : 8,
					   n));
	return 1;
}

static int scan_words(const struct wordset *ws, const char *p, size_t n,
		      struct acc *a)
{
	const unsigned char *u = (const unsigned char *)p;
	struct ring r = { .n = 0, .at = 0 };
	size_t pos = 0, s, len;
	struct tword w;

	while (pos < n) {
		size_t fl;
		uint64_t last;

		if (u[pos] < 0x80) {	/* an ASCII word: found, then tested */
			if (!wfold[u[pos]]) {
				pos = sep_end(u, pos + 1, n);
				continue;
			}
			s = pos;
			pos = alnum_end(u, pos + 1, n);
			if (pos == n || u[pos] < 0x80) {
				len = pos - s;
				if (len > ws->maxword ||
				    !ascii_word(ws, u, s, len, n, &last)) {
					r.n = 0;	/* equals no entry word */
					pos = sep_end(u, pos, n);
					continue;
				}
				goto probe;
			}
			pos = s;	/* goes on past ASCII: the general way */
		}
		if (!textstats_next_word(p, n, &pos, &w))
			break;
		if (w.cjk || w.len > 4 * ws->maxword) {
			r.n = 0;	/* cannot be part of an entry */
			continue;
		}
		last = fold_hash(p + w.off, w.len, &fl);
		if (!fl || fl > ws->maxword) {
			r.n = 0;
			continue;
		}
		s = w.off;
		len = w.len;
probe:		/* one call site, so on_word() is inlined */
		if (on_word(ws, a, &r, s, len, last))
			return -1;
	}
	return 0;
}

/* The code point of the 3-byte character at c (3 bytes there), or -1. */
static inline int32_t cp3(const unsigned char *c)
{
	uint32_t c1 = c[1] ^ 0x80u, c2 = c[2] ^ 0x80u;	/* < 0x40: continuations */

	if ((c[0] & 0xF0) != 0xE0 || (c1 | c2) >= 0x40)
		return -1;
	return (int32_t)((uint32_t)(c[0] & 0x0F) << 12 | c1 << 6 | c2);
}

static inline int bit(const uint64_t *bits, unsigned i)
{
	return bits[i >> 6] >> (i & 63) & 1;
}

/* Whether the root may pass the 3-byte character cp at c (left bytes from
 * c) as if it were not there: no entry starts with it, or with it and the
 * character after it, and it is no entry itself.  The automaton, from the
 * root or from cp's state, then reaches the same state after the next
 * character (the longest suffix that begins an entry begins at a
 * character, and it is not the two), with no output on the way. */
static inline int root_passes(const struct wordset *ws, const unsigned char *c,
			      size_t left, uint32_t cp)
{
	int32_t after;

	if (!bit(ws->start3, cp))
		return 1;
	if (bit(ws->enter3, cp) || left < 6 || (after = cp3(c + 3)) < 0)
		return 0;
	return !bit(ws->pair3, pair_hash(cp, (uint32_t)after));
}

static int scan_ac(const struct wordset *ws, const char *p, size_t n,
		   struct acc *a)
{
	const unsigned char *u = (const unsigned char *)p;
	const int32_t *next = ws->next;
	const uint16_t *cls = ws->cls;
	size_t i = 0;
	int32_t s = 0;	/* the state's row offset */

	a->any = 0;
	while (i < n) {
		/* at the root, skip the bytes that keep it there (all of
		 * Latin text but for the first bytes of entries), and the
		 * 3-byte characters root_passes(): the root goes to their
		 * first bytes' states and back, with no output (an entry is
		 * whole characters), so most of Chinese text is passed a
		 * character at a time */
		while (s == 0 && i < n) {
			const unsigned char *c = u + i;
			int k = ws->root_stay[c[0]];
			int32_t cp;

			if (k == ROOT_STAY) {
				i++;
				continue;
			}
			if (k != ROOT_LEAD3 || n - i < 3 || (cp = cp3(c)) < 0 ||
			    !root_passes(ws, c, n - i, (uint32_t)cp))
				break;
			i += 3;
		}
		if (i == n)
			break;
		s = next[s + cls[u[i]]];
		i++;
		if (s < 0) {	/* the state ends an entry */
			uint32_t len;

			s = ~s;
			len = ws->outlen[(size_t)s / ws->nclass];
			if (hit(a, i - len, len))
				return -1;
		}
	}
	return 0;
}

long wordset_scan(const struct wordset *ws, const char *p, size_t n,
		  struct buf *spans)
{
	struct acc a = { spans, 0, 0, 0 };

	if (ws->phrases.n && scan_words(ws, p, n, &a))
		return -1;
	if (ws->nstates > 1 && scan_ac(ws, p, n, &a))
		return -1;
	return a.count;
}
