/*
 * bpe.c: byte-level BPE, token-for-token identical to tiktoken (see bpe.h).
 *
 * Encoding a document:
 *
 *   text ──(BPE_ALLOW_SPECIAL: cut at special tokens)──► segments
 *   segment ──(regex find-all: bpe_ascii.c by hand where ASCII and common
 *              CJK characters decide, PCRE2 JIT elsewhere)──► pieces
 *              (+ gaps: bytes no alternative matched, i.e. invalid UTF-8)
 *   piece ──► one token when the whole piece is a token (tiktoken checks
 *             this first, and so must we: BPE would not always get there)
 *         ──► else merge: start from single bytes; repeatedly merge the
 *             adjacent pair whose concatenation has the lowest rank, the
 *             leftmost on ties, until no adjacent pair is a token.
 *
 * The merge has two implementations giving the same result: tiktoken's own
 * O(n^2) scan for short pieces (fast, no setup), and for long ones a binary
 * heap of candidate pairs keyed (rank, start) over a doubly linked list of
 * parts.  pr[start] holds the current rank of the pair beginning at part
 * `start`; a heap entry whose rank is no longer there is stale (a pair's
 * span only ever grows, so an equal rank means the very same pair).  Each
 * merge re-ranks at most two pairs: O(n log n) overall.
 *
 * Pieces with a byte >= 0x80 (Chinese sentences are single pieces of
 * cl100k's [^\r\n\p{L}\p{N}]?\p{L}+) go through the chain merge, which
 * gives the same result with far fewer rank lookups:
 *
 *   units   the piece cut into UTF-8 characters (a byte that starts none
 *           is a unit of its own); each unit's own pure merge (no whole-
 *           piece shortcut) is cached per scratch with its "edge history":
 *           the lengths of the parts that were ever first (lh) and last
 *           (rh) while it merged alone
 *   apart   two neighbouring spans merge apart when no part ever last on
 *           the left joined to a part ever first on the right is a token:
 *           then no pair across the cut is ever a token, and each side
 *           merges exactly as it would alone (by induction over the merge
 *           steps: each side's steps come in the same rank/leftmost order,
 *           and its edge parts are always in its history)
 *   spans   units are grouped at the cuts where neighbours merge apart;
 *           a group of several units is merged on its own (cached per
 *           scratch: words recur), and a stack checks each finished span
 *           against the one before with their real histories, joining and
 *           re-merging the two when they may not be apart
 *   budget  when joins re-merge more than ~4x the piece's bytes, the whole
 *           piece goes to the heap merge instead: O(n log n) stays the
 *           worst case ("a" x 100,000 is one span anyway)
 *
 * The checks rarely touch the rank table: edge parts that begin (right
 * edge) or end (left edge) no token are dropped, a 64-bit filter per edge
 * part rules out most joins, and a bit filter of tokens the rest
 * (bpe_affix.c).  Spans meet only at cuts where their two edge units
 * merge apart, so a span's check against its neighbour looks only at the
 * pairs with a part that is not one of those units' own (struct hist's
 * lx/rx): mostly a 2-character token at the span's edge.
 *
 * Regex: the encodings' pat_str is compiled with PCRE2_UTF | PCRE2_UCP after
 * one rewrite: \s and \S become explicit classes of Unicode White_Space,
 * which is what Rust's regex crate (tiktoken) uses, while PCRE2's \s is
 * Z-category + ASCII space and misses U+0085; and each \p{X} gets the code
 * points Unicode 15.0-16.0 added to X (bpe_unicode.c: the regex crate has
 * Unicode 16.0, Debian's PCRE2 Unicode 14.0).  PCRE2_MATCH_INVALID_UTF
 * lets invalid bytes through (never matched, so they become gaps).
 * The rewrite handles what the tiktoken patterns use; a custom pattern
 * with \S or \P{L} inside [...], or POSIX [:classes:], is refused.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bpe_int.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* Largest rank/json file bpe_open() reads from disk. */
#define BPE_FILE_CAP (256u << 20)
/* Pieces up to this many bytes use tiktoken's scan, longer ones the heap. */
#ifndef BPE_SMALL
#define BPE_SMALL 16
#endif
/* Pieces with a byte >= 0x80 of at least this many bytes use the chain
 * merge. */
#ifndef BPE_CHAIN_MIN
#define BPE_CHAIN_MIN 7
#endif
/* Longest token and special-token string we accept from a file. */
#define BPE_TOKEN_MAX 1024
/* PCRE2's JIT stack per scratch (the patterns need little; the cap only
 * matters for custom patterns that backtrack deeply). */
#define BPE_JIT_STACK_MAX (4u << 20)

/* Unicode White_Space (PropList.txt), as Rust's regex crate matches \s. */
#define WS_CLASS "\\x{9}-\\x{D}\\x{20}\\x{85}\\x{A0}\\x{1680}" \
		 "\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

/* A remembered lookup of a 3..8-byte string (len 0: empty; key8 as
 * load8() packs it). */
struct memo_ent {
	uint64_t key8;
	uint32_t len;
	uint32_t rank;
};

/* Entries of the per-scratch lookup memo: 128 kB, so it stays in L2
 * while the 4-8 MB rank table does not. */
#ifndef BPE_MEMO
#define BPE_MEMO 8192
#endif

/* The lengths of the parts that were ever first (l) and last (r) while a
 * span of a piece merged on its own (the span's "edge history"): what
 * bpe_chain needs to know that two spans merge apart.  Lengths of
 * max_token_len or more are left out (they join nothing); HIST_OVER: more
 * than HIST_MAX to keep, treated as "may join anything". */
#define HIST_MAX 8
#define HIST_OVER 0xff
struct hist {
	uint8_t nl, nr;
	uint16_t l[HIST_MAX], r[HIST_MAX];
	/* Filters (bpe_affix.c) set by hist_finish(): the bpe_cont_bit()
	 * of each left part of up to 4 bytes, and the bpe_affix_cont() of
	 * the right parts of up to 4 bytes, or-ed. */
	uint8_t lbit[HIST_MAX];
	uint64_t rcont;
	/* Bit i of rx (bit j of lx): r[i] (l[j]) is not an edge part of the
	 * span's last (first) unit merged alone (set by hist_finish(); all
	 * ones with HIST_OVER).  Spans meet only where units_apart() said the
	 * two units there merge apart, so a pair of parts neither of which
	 * is marked is known to be no token: edges_apart() skips it. */
	uint8_t lx, rx;
};

/* A character's pure BPE on its own (no "whole piece is a token"
 * shortcut), as the chain merge uses it: ids, and its edge history as
 * bit masks (bit k-1: a part of k bytes was first (lh) or last (rh)),
 * without the parts that begin (rh) or end (lh) no token. */
struct unit_ent {
	uint32_t key;		/* its 1-4 bytes, little-endian; UNIT_EMPTY */
	uint8_t len, ntok, lh, rh;
	uint32_t tok[4];
	uint64_t cont;		/* the rh parts' bpe_affix_cont(), or-ed */
	uint64_t lmask;		/* bit bpe_cont_bit() of each lh part: no
				   join of a and b when a->cont & b->lmask
				   is 0, found in one step */
};
#define UNIT_EMPTY UINT32_MAX	/* 0xff is never part of a longer unit */

/* The caches below are 2-way set associative (a key may sit in either
 * entry of its pair; a new one goes first and pushes the first one
 * second): Chinese text has about as many distinct characters, and far
 * more character pairs and words, as a direct-mapped table of this size
 * has entries, and conflicts there cost a merge each.  Sizes: 320 kB of
 * units, 256 kB of pairs, 768 kB of spans; in a cache simulation of
 * o200k_base on Chinese (512 kB L2), growing them from 160/128/192 kB
 * cut instructions 16% and L2 misses 13%: a miss recomputes through the
 * 8 MB rank table. */
#ifndef BPE_UNITS_LOG2
#define BPE_UNITS_LOG2 13
#endif
#define BPE_UNITS (1u << BPE_UNITS_LOG2)

/* Whether two adjacent characters (unit keys, ku | kv << 32) merge
 * apart: a remembered verdict of chain_unit_safe(). */
struct pair_ent {
	uint64_t key;		/* UINT64_MAX: empty */
	uint64_t safe;
};
#ifndef BPE_PAIRS
#define BPE_PAIRS 16384	/* a power of two */
#endif

/* A span of several units merged on its own, remembered: words recur. */
#define SPAN_MAX 24	/* longest span kept, bytes */
#define SPAN_TOK 8	/* most ids kept */
struct span_ent {
	uint8_t len, ntok, nl, nr, lx, rx;	/* len 0: empty */
	uint8_t bytes[SPAN_MAX];
	uint8_t l[HIST_MAX], r[HIST_MAX], lbit[HIST_MAX];
	uint64_t rcont;
	uint32_t tok[SPAN_TOK];
};
#ifndef BPE_SPANS
#define BPE_SPANS 8192	/* a power of two */
#endif

/* A finished span of the chain merge, on its stack. */
struct grp {
	uint32_t start, outpos;
	uint8_t single;		/* one unit: its neighbours were checked
				   unit to unit */
	uint8_t nr;		/* single: the unit's rh mask */
	uint8_t rx;		/* struct hist's (0 when single) */
	uint8_t flh;		/* the first unit's lh mask: a join's lx */
	uint16_t r[HIST_MAX];	/* not single: right edge history */
	uint64_t rcont;		/* struct hist's */
};

struct bpe_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	uint32_t *nxt, *prv, *prank, *pr;	/* per byte of the piece */
	size_t nodes_alloc;
	uint64_t *heap;
	size_t heap_alloc;
	size_t *spec_next;		/* next occurrence of each special */
	size_t spec_alloc;
	struct memo_ent *memo;		/* [BPE_MEMO], direct-mapped */
	struct unit_ent *units;		/* [BPE_UNITS], 2-way */
	struct pair_ent *pairs;		/* [BPE_PAIRS], 2-way */
	struct span_ent *spans;		/* [BPE_SPANS], 2-way */
	struct grp *grp;		/* chain merge stack */
	size_t grp_alloc;
	struct ids tmp;			/* a unit's ids */
	const struct bpe *memo_for;	/* the tokenizer memo holds ranks of */
};

/* ------------------------------------------------------------------ */
/* The rank table                                                     */

/* The slot's inline key: the first 8 bytes of p when n >= 8; a shorter p
 * packed one-to-one (with n, which the slot keeps too) from two
 * overlapping loads instead of a loop over its bytes: every rank lookup
 * of a merge starts here. */
static inline uint64_t load8(const uint8_t *p, size_t n)
{
	uint64_t k = 0;
	uint32_t a, b;
	uint16_t c;

	if (n >= 8) {
		memcpy(&k, p, 8);
		return k;
	}
	if (n >= 4) {
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return a | (uint64_t)b << 32;
	}
	if (n >= 2) {
		memcpy(&c, p, 2);
		return c | (n == 3 ? (uint64_t)p[2] << 16 : 0);
	}
	return n ? p[0] : 0;
}

/* Keys of up to 8 bytes (most lookups: pairs of short parts) hash with two
 * multiplies; longer ones with XXH3. */
static inline uint64_t key_hash(const uint8_t *p, size_t n, uint64_t k8)
{
	uint64_t h;

	if (n > 8)
		return XXH3_64bits(p, n);
	h = (k8 ^ ((uint64_t)n << 56)) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

/* Probe the table for p[0..n) (n <= max_token_len) whose first bytes
 * and hash are k8 and h. */
static inline uint32_t rank_probe(const struct bpe *t, const uint8_t *p,
				  size_t n, uint64_t k8, uint64_t h)
{
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct bpe_slot *s = &t->slots[i];

		if (s->len == 0)
			return BPE_NO_ID;
		if (s->key8 == k8 && s->len == n &&
		    (n <= 8 || !memcmp(t->blob + t->tok_off[s->rank] + 8,
				       p + 8, n - 8)))
			return s->rank;
	}
}

/* The rank of p[0..n) from the hash table, or BPE_NO_ID. */
static inline uint32_t rank_hash(const struct bpe *t, const uint8_t *p,
				 size_t n)
{
	uint64_t k8;

	if (n > t->max_token_len)
		return BPE_NO_ID;
	k8 = load8(p, n);
	return rank_probe(t, p, n, k8, key_hash(p, n, k8));
}

static inline uint32_t rank_of(const struct bpe *t, const uint8_t *p, size_t n)
{
	if (n == 2)	/* every merge loop starts with these */
		return t->rank2[p[0] << 8 | p[1]];
	return rank_hash(t, p, n);
}

/* rank_of() through the scratch's memo: text repeats its words and
 * characters, and a hit costs no miss in the big table. */
static inline uint32_t rank_memo(const struct bpe *t, struct bpe_scratch *s,
				 const uint8_t *p, size_t n)
{
	struct memo_ent *m;
	uint64_t k8, h;
	uint32_t r;

	if (n == 2)
		return t->rank2[p[0] << 8 | p[1]];
	if (n > 8)
		return rank_hash(t, p, n);
	k8 = load8(p, n);
	h = key_hash(p, n, k8);
	m = &s->memo[(h >> 40) & (BPE_MEMO - 1)];
	if (m->key8 == k8 && m->len == n)
		return m->rank;
	r = rank_probe(t, p, n, k8, h);
	m->key8 = k8;
	m->len = (uint32_t)n;
	m->rank = r;
	return r;
}

/* Insert rank r (its bytes already in blob); -1 when the bytes are there
 * already under another rank. */
static int rank_insert(struct bpe *t, uint32_t r)
{
	const uint8_t *p = t->blob + t->tok_off[r];
	size_t n = t->tok_off[r + 1] - t->tok_off[r];
	uint64_t k8 = load8(p, n);
	size_t i;

	if (rank_hash(t, p, n) != BPE_NO_ID)
		return -1;
	for (i = key_hash(p, n, k8) & t->mask; t->slots[i].len;
	     i = (i + 1) & t->mask)
		;
	t->slots[i].key8 = k8;
	t->slots[i].len = (uint32_t)n;
	t->slots[i].rank = r;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading                                                            */

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode standard base64 (padding optional) of p[0..n) into out; returns
 * the decoded length or -1. */
static long b64_decode(const char *p, size_t n, uint8_t *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long len = 0;

	while (n && p[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value((unsigned char)p[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (uint8_t)(acc >> bits);
		}
	}
	return len;
}

/* Lines with something on them: the number of ranks in a .tiktoken file. */
static size_t count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	size_t lines = 0;

	while (p < end) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((q ? q : end) - p);

		if (len && p[len - 1] == '\r')
			len--;
		if (len)
			lines++;
		p = q ? q + 1 : end;
	}
	return lines;
}

/* Parse one "base64 rank" line into the tables; lineno for messages. */
static int parse_rank_line(struct bpe *t, const char *p, size_t n,
			   size_t lineno, uint32_t *tok_len, size_t *blob_len,
			   struct sl_err *err)
{
	const char *sp = memchr(p, ' ', n);
	uint64_t r = 0;
	long len;
	size_t i;

	if (!sp || sp == p || sp + 1 == p + n)
		return sl_error(err, "line %zu: expected 'base64 rank'", lineno);
	for (i = (size_t)(sp + 1 - p); i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || r > UINT32_MAX)
			return sl_error(err, "line %zu: bad rank", lineno);
		r = r * 10 + (uint64_t)(p[i] - '0');
	}
	if (r >= t->n_ranks)
		return sl_error(err, "line %zu: rank %llu not below the number "
				"of ranks (%u): ranks must be dense", lineno,
				(unsigned long long)r, t->n_ranks);
	if (tok_len[r] != UINT32_MAX)
		return sl_error(err, "line %zu: rank %llu repeated", lineno,
				(unsigned long long)r);
	if ((size_t)(sp - p) > BPE_TOKEN_MAX / 3 * 4 + 4)
		return sl_error(err, "line %zu: token longer than %d bytes",
				lineno, BPE_TOKEN_MAX);
	len = b64_decode(p, (size_t)(sp - p), t->blob + *blob_len);
	if (len <= 0)
		return sl_error(err, "line %zu: bad base64", lineno);
	t->tok_off[r] = (uint32_t)*blob_len;
	tok_len[r] = (uint32_t)len;
	*blob_len += (size_t)len;
	return 0;
}

/* The blob was filled in file order; put it in rank order so token r is
 * blob[tok_off[r] .. tok_off[r + 1]). */
static int order_blob(struct bpe *t, const uint32_t *tok_len, size_t blob_len)
{
	uint8_t *sorted = malloc(blob_len ? blob_len : 1);
	uint32_t off = 0;

	if (!sorted)
		return -1;
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		memcpy(sorted + off, t->blob + t->tok_off[r], tok_len[r]);
		t->tok_off[r] = off;
		off += tok_len[r];
	}
	t->tok_off[t->n_ranks] = off;
	free(t->blob);
	t->blob = sorted;
	return 0;
}

static int build_index(struct bpe *t, struct sl_err *err)
{
	size_t cap = 16, longest = 0;

	while (cap < 2 * (size_t)t->n_ranks)
		cap *= 2;
	t->slots = malloc(cap * sizeof(*t->slots));
	if (!t->slots)
		return sl_error(err, "out of memory");
	memset(t->slots, 0, cap * sizeof(*t->slots));
	t->mask = cap - 1;
	t->max_token_len = BPE_TOKEN_MAX;	/* until the real one is known */
	for (int b = 0; b < 256; b++)
		t->byte_rank[b] = BPE_NO_ID;
	for (uint32_t r = 0; r < t->n_ranks; r++) {
		size_t n = t->tok_off[r + 1] - t->tok_off[r];

		if (rank_insert(t, r))
			return sl_error(err, "rank %u: token bytes repeated", r);
		if (n > longest)
			longest = n;
		if (n == 1)
			t->byte_rank[t->blob[t->tok_off[r]]] = r;
	}
	t->max_token_len = longest;
	t->rank2 = malloc(65536 * sizeof(*t->rank2));
	if (!t->rank2)
		return sl_error(err, "out of memory");
	for (int b = 0; b < 65536; b++) {
		uint8_t pair[2] = { (uint8_t)(b >> 8), (uint8_t)b };

		t->rank2[b] = rank_hash(t, pair, 2);
	}
	for (int b = 0; b < 256; b++)
		if (t->byte_rank[b] == BPE_NO_ID)
			return sl_error(err, "byte 0x%02x has no rank: not a "
					"byte-level BPE", b);
	if (bpe_affix_build(t))
		return sl_error(err, "out of memory");
	return 0;
}

static int parse_ranks(struct bpe *t, const char *p, size_t n,
		       struct sl_err *err)
{
	const char *end = p + n;
	uint32_t *tok_len = NULL;
	size_t lines = count_lines(p, n), lineno = 0, blob_len = 0;
	int rc = -1;

	if (lines == 0 || lines >= INT32_MAX)
		return sl_error(err, "no ranks");
	t->n_ranks = (uint32_t)lines;
	t->blob = malloc(n);	/* decoded bytes are shorter than the text */
	t->tok_off = malloc((lines + 1) * sizeof(*t->tok_off));
	tok_len = malloc(lines * sizeof(*tok_len));
	if (!t->blob || !t->tok_off || !tok_len) {
		sl_error(err, "out of memory");
		goto out;
	}
	memset(tok_len, 0xff, lines * sizeof(*tok_len));
	while (p < end) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((q ? q : end) - p);

		lineno++;
		if (len && p[len - 1] == '\r')
			len--;
		if (len && parse_rank_line(t, p, len, lineno, tok_len,
					   &blob_len, err))
			goto out;
		p = q ? q + 1 : end;
	}
	if (order_blob(t, tok_len, blob_len)) {
		sl_error(err, "out of memory");
		goto out;
	}
	t->vocab_size = t->n_ranks;	/* specials may raise it */
	rc = build_index(t, err);
out:
	free(tok_len);
	return rc;
}

static int cmp_special(const void *a, const void *b)
{
	const struct bpe_special *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int parse_specials(struct bpe *t, json_t *obj, struct sl_err *err)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	if (!json_is_object(obj))
		return sl_error(err, "'special_tokens' is not an object");
	t->n_special = json_object_size(obj);
	t->special = calloc(t->n_special ? t->n_special : 1, sizeof(*t->special));
	if (!t->special)
		return sl_error(err, "out of memory");
	json_object_foreach(obj, key, v) {
		struct bpe_special *s = &t->special[i++];
		json_int_t id = json_integer_value(v);

		if (!json_is_integer(v) || id < t->n_ranks || id >= INT32_MAX)
			return sl_error(err, "special token '%s': id must be an "
					"integer above the ranks", key);
		s->len = strlen(key);
		if (!s->len || s->len > BPE_TOKEN_MAX)
			return sl_error(err, "special token '%s': bad length",
					key);
		s->bytes = strdup(key);
		if (!s->bytes)
			return sl_error(err, "out of memory");
		s->id = (uint32_t)id;
		if (s->id + 1 > t->vocab_size)
			t->vocab_size = s->id + 1;
		if (!strcmp(key, "<|endoftext|>"))
			t->eot = s->id;
	}
	qsort(t->special, t->n_special, sizeof(*t->special), cmp_special);
	for (i = 1; i < t->n_special; i++)
		if (t->special[i].id == t->special[i - 1].id)
			return sl_error(err, "special id %u repeated",
					t->special[i].id);
	return 0;
}

/* pat[*i] is the p of \p{NAME} (or \P{NAME}): copy it, with the code
 * points Unicode 15.0-16.0 added to NAME (bpe_unicode.c) alongside; *i
 * is left on the closing brace. */
static int rewrite_property(const char *pat, size_t *i, int in_class,
			    int extras, struct buf *out)
{
	const char *name = pat + *i + 2, *close = strchr(name, '}');
	const char *extra;
	int neg = pat[*i] == 'P', rc;

	if (!close)
		return -1;
	extra = extras ? bpe_unicode_extra(name, (size_t)(close - name)) : NULL;
	if (!extra) {
		rc = buf_add(out, pat + *i - 1, (size_t)(close + 1 - (pat + *i - 1)));
	} else {
		if (in_class && neg)
			return -1;	/* [^..] of a \P{}: no such need */
		rc = buf_adds(out, in_class ? "" : neg ? "[^" : "[");
		rc = rc ? rc : buf_add(out, "\\p{", 3);
		rc = rc ? rc : buf_add(out, name, (size_t)(close + 1 - name));
		rc = rc ? rc : buf_adds(out, extra);
		rc = rc ? rc : buf_adds(out, in_class ? "" : "]");
	}
	*i = (size_t)(close - pat);
	return rc;
}

/* Copy pat to out with \s and \S spelled as Unicode White_Space classes,
 * and (extras) Unicode 16.0's additions to each \p{..} class. */
static int rewrite_pattern(const char *pat, int extras, struct buf *out)
{
	int in_class = 0, rc = 0;

	for (size_t i = 0; pat[i] && !rc; i++) {
		char c = pat[i];

		if (c == '\\' && pat[i + 1]) {
			char d = pat[++i];

			if (d == 's')
				rc = buf_adds(out, in_class ? WS_CLASS
					      : "[" WS_CLASS "]");
			else if (d == 'S' && !in_class)
				rc = buf_adds(out, "[^" WS_CLASS "]");
			else if (d == 'S')
				return -1;	/* \S inside [...]: no such need */
			else if ((d == 'p' || d == 'P') && pat[i + 1] == '{')
				rc = rewrite_property(pat, &i, in_class, extras,
						      out);
			else
				rc = buf_add(out, pat + i - 1, 2);
			continue;
		}
		if (in_class && c == '[' && pat[i + 1] == ':')
			return -1;	/* POSIX classes: not supported */
		if (!in_class && c == '[') {
			in_class = 1;
			rc = buf_addc(out, c);
			if (!rc && pat[i + 1] == '^')
				rc = buf_addc(out, pat[++i]);
			if (!rc && pat[i + 1] == ']')	/* literal ] first */
				rc = buf_addc(out, pat[++i]);
			continue;
		}
		if (in_class && c == ']')
			in_class = 0;
		rc = buf_addc(out, c);
	}
	return rc ? -1 : 0;
}

static int compile_one(struct bpe *t, const char *pat, int extras,
		       struct sl_err *err)
{
	struct buf b;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;

	buf_init(&b, 1 << 20);
	if (rewrite_pattern(pat, extras, &b)) {
		buf_release(&b);
		return sl_error(err, "cannot use regex '%s': too long, or \\S "
				"or [: inside a class", pat);
	}
	re = pcre2_compile((PCRE2_SPTR)b.data, b.len,
			   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF |
			   PCRE2_DOLLAR_ENDONLY, &errcode, &erroff, NULL);
	buf_release(&b);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return sl_error(err, "cannot compile regex '%s': %s", pat,
				(char *)msg);
	}
	/* Without JIT (unsupported platform) pcre2_match() still works. */
	t->jit[extras ? RE_EXACT : RE_FAST] =
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	t->re[extras ? RE_EXACT : RE_FAST] = re;
	return 0;
}

/* Set the bits of the code points of items, a list of PCRE2 class items
 * as bpe_unicode.c writes them ("\\x{H}" or "\\x{H}-\\x{H}"). */
static void mark_extras(struct bpe *t, const char *items)
{
	const char *p = items;

	while (p && (p = strstr(p, "\\x{"))) {
		unsigned long lo = strtoul(p + 3, (char **)&p, 16), hi = lo;

		p++;	/* past } */
		if (p[0] == '-' && p[1] == '\\')
			hi = strtoul(p + 4, (char **)&p, 16);
		for (unsigned long cp = lo; cp <= hi && cp < 0x110000; cp++)
			t->extra_bits[cp >> 3] |= (uint8_t)(1u << (cp & 7));
	}
}

/* Which lead bytes begin a code point flagged in extra_bits (the byte's
 * whole range of code points is looked at). */
static void mark_leads(struct bpe *t)
{
	for (unsigned c = 0xc2; c < 0xf5; c++) {
		uint32_t lo = c < 0xe0 ? (c & 0x1f) << 6 :
			c < 0xf0 ? (c & 0x0f) << 12 : (c & 0x07) << 18;
		uint32_t n = c < 0xe0 ? 1u << 6 : c < 0xf0 ? 1u << 12 : 1u << 18;

		for (uint32_t cp = lo; cp < lo + n && cp < 0x110000; cp += 8)
			if (t->extra_bits[cp >> 3])
				t->lead_extra[c] = 1;
	}
}

/* Two compilations: RE_EXACT has the Unicode 16.0 additions in its
 * classes, RE_FAST (about 1/3 fewer instructions per byte: PCRE2 walks
 * the added ranges for every character) does not, and gives the same
 * pieces on any text without one of those characters. */
static int compile_pattern(struct bpe *t, const char *pat, struct sl_err *err)
{
	static const char *const props[] = { "L", "N", "Lu", "Ll", "Lt", "Lm",
					     "Lo", "M" };

	if (compile_one(t, pat, 1, err) || compile_one(t, pat, 0, err))
		return -1;
	t->ascii = bpe_ascii_kind(pat);
	t->extra_bits = calloc(0x110000 / 8, 1);
	if (!t->extra_bits)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		mark_extras(t, bpe_unicode_extra(props[i], strlen(props[i])));
	mark_leads(t);
	return 0;
}

/* Is none of the 8 bytes at p a lead byte in lead_extra?  Every document
 * is scanned once: whole words of ASCII, or of Chinese, at a time. */
static inline int quiet8(const struct bpe *t, const uint8_t *p)
{
	uint64_t w, lead;
	unsigned any = 0;

	memcpy(&w, p, 8);
	/* bit 7 of each byte >= 0xc0: only lead bytes are in the table */
	lead = w & w << 1 & 0x8080808080808080ull;
	for (; lead; lead &= lead - 1)
		any |= t->lead_extra[(uint8_t)(w >> (__builtin_ctzll(lead) &
						      ~7))];
	return !any;
}

/* Does p[0..n) hold a character mark_extras() flagged?  Only
 * well-formed sequences count, so an invalid byte never hides the lead
 * byte of the character after it. */
static int needs_exact(const struct bpe *t, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c = p[i], cp;
		size_t len;

		if (i + 8 <= n && quiet8(t, p + i)) {
			i += 8;	/* what the byte steps below would do */
			continue;
		}
		if (c < 0x80 || !t->lead_extra[c]) {	/* ASCII, Han...: no
							   need to decode */
			i++;
			continue;
		}
		if (c >= 0xc2 && c < 0xe0)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf5)
			len = 4, cp = c & 0x07;
		else
			len = 0, cp = 0;
		if (!len || i + len > n) {
			i++;
			continue;
		}
		for (size_t k = 1; k < len && len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				len = 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (!len) {
			i++;
			continue;
		}
		if (cp < 0x110000 && (t->extra_bits[cp >> 3] >> (cp & 7) & 1))
			return 1;
		i += len;
	}
	return 0;
}

static int parse_json(struct bpe *t, const char *p, size_t n,
		      const char *pat_key, struct sl_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(p, n, 0, &jerr), *v;
	int rc = -1;

	if (!root)
		return sl_error(err, "line %d: %s", jerr.line, jerr.text);
	/* No key asked for: the upstream regex (possessive quantifiers,
	 * about 8% faster here) when present; the tests prove both give
	 * tiktoken's ids. */
	v = json_object_get(root, pat_key ? pat_key : "pat_str_upstream");
	if (!pat_key && !json_is_string(v))
		v = json_object_get(root, pat_key = "pat_str");
	if (!json_is_string(v)) {
		sl_error(err, "no string '%s'", pat_key);
		goto out;
	}
	if (compile_pattern(t, json_string_value(v), err))
		goto out;
	v = json_object_get(root, "special_tokens");
	if (v && parse_specials(t, v, err))
		goto out;
	v = json_object_get(root, "explicit_n_vocab");
	if (json_is_integer(v) && json_integer_value(v) > t->vocab_size &&
	    json_integer_value(v) < INT32_MAX)
		t->vocab_size = (uint32_t)json_integer_value(v);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static int read_file(const char *path, struct buf *b, struct sl_err *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return sl_error(err, "cannot open '%s':", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(b, chunk, n)) {
			fclose(f);
			return sl_error(err, "cannot read '%s': larger than "
					"%u bytes", path, BPE_FILE_CAP);
		}
	if (ferror(f)) {
		fclose(f);
		return sl_error(err, "cannot read '%s':", path);
	}
	fclose(f);
	return 0;
}

/* Load from a .tiktoken path and the .json beside it. */
static int load_files(struct bpe *t, const char *path, const char *pat_key,
		      struct sl_err *err)
{
	static const char ext[] = ".tiktoken";
	size_t n = strlen(path), el = sizeof(ext) - 1;
	struct buf ranks, json, jpath;
	int rc = -1;

	buf_init(&ranks, BPE_FILE_CAP);
	buf_init(&json, BPE_FILE_CAP);
	buf_init(&jpath, 0);
	if (n <= el || strcmp(path + n - el, ext)) {
		sl_error(err, "unknown tokenizer '%s' (built in: %s; or a "
			 "path ending in .tiktoken)", path, bpe_data_names());
		goto out;
	}
	if (buf_add(&jpath, path, n - el) || buf_adds(&jpath, ".json")) {
		sl_error(err, "out of memory");
		goto out;
	}
	if (read_file(path, &ranks, err) || read_file(jpath.data, &json, err))
		goto out;
	if (parse_ranks(t, ranks.data ? ranks.data : "", ranks.len, err)) {
		sl_error_prefix(err, "in '%s': ", path);
		goto out;
	}
	if (parse_json(t, json.data ? json.data : "", json.len, pat_key, err)) {
		sl_error_prefix(err, "in '%s': ", jpath.data);
		goto out;
	}
	rc = 0;
out:
	buf_release(&ranks);
	buf_release(&json);
	buf_release(&jpath);
	return rc;
}

/* bpe_open() with the regex taken from key pat_key of the .json, or NULL
 * for "pat_str_upstream" falling back to "pat_str". */
static int bpe_open_pat(struct bpe **out, const char *name,
			const char *pat_key, struct sl_err *err)
{
	struct bpe *t = calloc(1, sizeof(*t));
	struct bpe_data d;
	int rc;

	*out = NULL;
	if (!t || !(t->name = strdup(name))) {
		free(t);
		return sl_error(err, "out of memory");
	}
	t->eot = BPE_NO_ID;
	if (!bpe_data_find(name, &d)) {
		rc = parse_ranks(t, d.ranks, d.ranks_len, err);
		if (!rc)
			rc = parse_json(t, d.json, d.json_len, pat_key, err);
		if (rc)
			sl_error_prefix(err, "built-in tokenizer '%s': ", name);
	} else {
		rc = load_files(t, name, pat_key, err);
	}
	if (rc) {
		bpe_close(t);
		return -1;
	}
	*out = t;
	return 0;
}

int bpe_open(struct bpe **out, const char *name_or_path, struct sl_err *err)
{
	return bpe_open_pat(out, name_or_path, NULL, err);
}

int bpe_open_mem(struct bpe **out, const char *name, const char *ranks,
		 size_t ranks_len, const char *json, size_t json_len,
		 struct sl_err *err)
{
	struct bpe *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t || !(t->name = strdup(name))) {
		free(t);
		return sl_error(err, "out of memory");
	}
	t->eot = BPE_NO_ID;
	if (parse_ranks(t, ranks, ranks_len, err) ||
	    parse_json(t, json, json_len, NULL, err)) {
		sl_error_prefix(err, "tokenizer '%s': ", name);
		bpe_close(t);
		return -1;
	}
	*out = t;
	return 0;
}

void bpe_close(struct bpe *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_special; i++)
		free(t->special[i].bytes);
	free(t->special);
	pcre2_code_free(t->re[RE_EXACT]);
	pcre2_code_free(t->re[RE_FAST]);
	free(t->slots);
	free(t->rank2);
	free(t->affix2);
	free(t->affix);
	free(t->maybe);
	free(t->affix_cont);
	free(t->cont1);
	free(t->cont2);
	free(t->extra_bits);
	free(t->tok_off);
	free(t->blob);
	free(t->name);
	free(t);
}

const char *bpe_name(const struct bpe *t)
{
	return t->name;
}

const char *bpe_builtin_names(void)
{
	return bpe_data_names();
}

uint32_t bpe_vocab_size(const struct bpe *t)
{
	return t->vocab_size;
}

uint32_t bpe_eot_id(const struct bpe *t)
{
	return t->eot;
}

static const struct bpe_special *special_by_id(const struct bpe *t,
					       uint32_t id)
{
	size_t lo = 0, hi = t->n_special;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->special[mid].id == id)
			return &t->special[mid];
		if (t->special[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int bpe_token_bytes(const struct bpe *t, uint32_t id, const char **p,
		    size_t *len)
{
	const struct bpe_special *s;

	if (id < t->n_ranks) {
		*p = (const char *)t->blob + t->tok_off[id];
		*len = t->tok_off[id + 1] - t->tok_off[id];
		return 0;
	}
	s = special_by_id(t, id);
	if (!s)
		return -1;
	*p = s->bytes;
	*len = s->len;
	return 0;
}

uint32_t bpe_token_id(const struct bpe *t, const void *p, size_t len)
{
	uint32_t r = rank_of(t, p, len);

	if (r != BPE_NO_ID)
		return r;
	for (size_t i = 0; i < t->n_special; i++)
		if (t->special[i].len == len &&
		    !memcmp(t->special[i].bytes, p, len))
			return t->special[i].id;
	return BPE_NO_ID;
}

/* ------------------------------------------------------------------ */
/* Scratch                                                            */

/* Empty the caches (they hold a tokenizer's answers). */
static void scratch_forget(struct bpe_scratch *s)
{
	memset(s->memo, 0, BPE_MEMO * sizeof(*s->memo));
	memset(s->units, 0xff, BPE_UNITS * sizeof(*s->units));
	memset(s->pairs, 0xff, BPE_PAIRS * sizeof(*s->pairs));
	memset(s->spans, 0, BPE_SPANS * sizeof(*s->spans));
	s->memo_for = NULL;
}

struct bpe_scratch *bpe_scratch_new(void)
{
	struct bpe_scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->md = pcre2_match_data_create(1, NULL);
	s->mc = pcre2_match_context_create(NULL);
	s->js = pcre2_jit_stack_create(32 * 1024, BPE_JIT_STACK_MAX, NULL);
	s->memo = calloc(BPE_MEMO, sizeof(*s->memo));
	s->units = malloc(BPE_UNITS * sizeof(*s->units));
	s->pairs = malloc(BPE_PAIRS * sizeof(*s->pairs));
	s->spans = malloc(BPE_SPANS * sizeof(*s->spans));
	ids_init(&s->tmp);
	if (!s->md || !s->mc || !s->js || !s->memo || !s->units || !s->pairs ||
	    !s->spans) {
		bpe_scratch_free(s);
		return NULL;
	}
	pcre2_jit_stack_assign(s->mc, NULL, s->js);
	scratch_forget(s);
	return s;
}

void bpe_scratch_free(struct bpe_scratch *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	free(s->nxt);
	free(s->prv);
	free(s->prank);
	free(s->pr);
	free(s->heap);
	free(s->spec_next);
	free(s->memo);
	free(s->units);
	free(s->pairs);
	free(s->spans);
	free(s->grp);
	ids_release(&s->tmp);
	free(s);
}

/* Room for a piece of n bytes (n < UINT32_MAX). */
static int scratch_reserve(struct bpe_scratch *s, size_t n)
{
	if (n > s->nodes_alloc) {
		size_t a = n < 1024 ? 1024 : n + n / 2;
		uint32_t *p;

		if (!(p = realloc(s->nxt, a * sizeof(*p))))
			return -1;
		s->nxt = p;
		if (!(p = realloc(s->prv, a * sizeof(*p))))
			return -1;
		s->prv = p;
		if (!(p = realloc(s->prank, a * sizeof(*p))))
			return -1;
		s->prank = p;
		if (!(p = realloc(s->pr, a * sizeof(*p))))
			return -1;
		s->pr = p;
		s->nodes_alloc = a;
	}
	/* n - 1 initial pairs, at most two more per merge. */
	if (3 * n > s->heap_alloc) {
		size_t a = 3 * n + 3 * n / 2;
		uint64_t *h = realloc(s->heap, a * sizeof(*h));

		if (!h)
			return -1;
		s->heap = h;
		s->heap_alloc = a;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Merging                                                            */

static inline void hist_add(const struct bpe *t, uint8_t *k, uint16_t *v,
			    size_t len)
{
	if (*k == HIST_OVER || len >= t->max_token_len)
		return;
	if (*k == HIST_MAX)
		*k = HIST_OVER;
	else
		v[(*k)++] = (uint16_t)len;
}

/* Every part is one byte to begin with. */
static inline void hist_start(const struct bpe *t, struct hist *hs)
{
	hs->nl = hs->nr = 0;
	hist_add(t, &hs->nl, hs->l, 1);
	hist_add(t, &hs->nr, hs->r, 1);
}

/* The parts from a to end (of a span of n bytes) became one. */
static inline void hist_merge(const struct bpe *t, struct hist *hs, size_t a,
			      size_t end, size_t n)
{
	if (a == 0)
		hist_add(t, &hs->nl, hs->l, end);
	if (end == n)
		hist_add(t, &hs->nr, hs->r, n - a);
}

/* tiktoken's own loop: parts[i] = (start, rank of parts i and i+1 merged);
 * two sentinels at the end.  O(n^2), fastest for short pieces.  prank
 * keeps each part's own rank so the output needs no more lookups. */
static inline int merge_small(const struct bpe *t, struct bpe_scratch *s,
		       const uint8_t *p, size_t n, struct ids *out,
		       struct hist *hs)
{
	uint32_t start[BPE_SMALL + 1], rank[BPE_SMALL + 1], prank[BPE_SMALL + 1];
	size_t np = n + 1, i, best;

	for (i = 0; i < n; i++) {
		start[i] = (uint32_t)i;
		rank[i] = i + 1 < n ? rank_of(t, p + i, 2) : BPE_NO_ID;
		prank[i] = t->byte_rank[p[i]];
	}
	start[n] = (uint32_t)n;
	rank[n] = BPE_NO_ID;
	if (hs)
		hist_start(t, hs);
	for (;;) {
		uint32_t min = BPE_NO_ID;

		best = 0;
		for (i = 0; i + 1 < np; i++)
			if (rank[i] < min) {
				min = rank[i];
				best = i;
			}
		if (min == BPE_NO_ID)
			break;
		/* Parts best and best+1 merge: re-rank the pairs around it. */
		prank[best] = min;
		if (hs)
			hist_merge(t, hs, start[best], start[best + 2], n);
		if (best > 0)
			rank[best - 1] = best + 2 < np ?
				rank_memo(t, s, p + start[best - 1],
					start[best + 2] - start[best - 1]) :
				BPE_NO_ID;
		rank[best] = best + 3 < np ?
			rank_memo(t, s, p + start[best],
				start[best + 3] - start[best]) : BPE_NO_ID;
		/* a few elements: a loop, not three calls of memmove() */
		for (i = best + 1; i + 1 < np; i++) {
			start[i] = start[i + 1];
			rank[i] = rank[i + 1];
			prank[i] = prank[i + 1];
		}
		np--;
	}
	if (ids_grow(out, np - 1))
		return -1;
	memcpy(out->v + out->len, prank, (np - 1) * sizeof(*prank));
	out->len += np - 1;
	return 0;
}

/* Heap entries are (rank << 32 | start): one integer compare orders them
 * by rank, then leftmost. */
static void heap_down(uint64_t *h, size_t n, size_t i)
{
	uint64_t e = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1] < h[c])
			c++;
		if (h[c] >= e)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

static void heap_push(uint64_t *h, size_t *n, uint64_t e)
{
	size_t i = (*n)++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (e >= h[parent])
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = e;
}

/* Rank the pair starting at part a (ending at end) into pr[a], and push
 * it when it is a token. */
static inline void set_pair(const struct bpe *t, struct bpe_scratch *s,
			    const uint8_t *p, uint32_t *pr, uint64_t *h,
			    size_t *nh, uint32_t a, uint32_t end)
{
	uint32_t r = rank_memo(t, s, p + a, end - a);

	pr[a] = r;
	if (r != BPE_NO_ID)
		heap_push(h, nh, (uint64_t)r << 32 | a);
}

/* Heap over adjacent pairs: O(n log n) for any piece (see the top).
 * Parts are a doubly linked list over byte offsets (nxt, prv); pr[a] is
 * the rank of the pair (part a, the part after it), so a heap entry is
 * stale exactly when pr[start] no longer holds its rank (the pair's span
 * only grows, so an equal rank means the same pair). */
static int merge_heap(const struct bpe *t, struct bpe_scratch *s,
		      const uint8_t *p, size_t n, struct ids *out,
		      struct hist *hs)
{
	uint32_t *nxt, *prv, *prank, *pr, i, nn = (uint32_t)n;
	uint64_t *h;
	size_t nh = 0, count = 0;
	const uint32_t none = UINT32_MAX;

	if (n >= UINT32_MAX || scratch_reserve(s, n))
		return -1;
	nxt = s->nxt;
	prv = s->prv;
	prank = s->prank;
	pr = s->pr;
	h = s->heap;
	for (i = 0; i < nn; i++) {
		nxt[i] = i + 1;
		prv[i] = i ? i - 1 : none;
		prank[i] = t->byte_rank[p[i]];
		pr[i] = i + 1 < nn ? rank_of(t, p + i, 2) : BPE_NO_ID;
		if (pr[i] != BPE_NO_ID)
			h[nh++] = (uint64_t)pr[i] << 32 | i;
	}
	for (size_t k = nh / 2; k-- > 0;)
		heap_down(h, nh, k);
	if (hs)
		hist_start(t, hs);
	while (nh) {
		uint64_t e = h[0];
		uint32_t rank = (uint32_t)(e >> 32), st = (uint32_t)e, m, end;

		h[0] = h[--nh];
		heap_down(h, nh, 0);
		if (pr[st] != rank)
			continue;	/* stale */
		m = nxt[st];
		end = nxt[m];
		if (hs)
			hist_merge(t, hs, st, end, nn);
		nxt[st] = end;
		prank[st] = rank;
		pr[m] = BPE_NO_ID;
		if (end < nn)
			prv[end] = st;
		if (prv[st] != none)
			set_pair(t, s, p, pr, h, &nh, prv[st], end);
		if (end < nn)
			set_pair(t, s, p, pr, h, &nh, st, nxt[end]);
		else
			pr[st] = BPE_NO_ID;
	}
	for (i = 0; i < nn; i = nxt[i])
		count++;
	if (ids_grow(out, count))
		return -1;
	for (i = 0; i < nn; i = nxt[i])
		out->v[out->len++] = prank[i];
	return 0;
}

/* ------------------------------------------------------------------ */
/* Chain merge                                                        */

/* Bytes of the unit at p[0..n): a well-formed-looking UTF-8 sequence, or
 * one byte.  Any cut into units gives the same result (see the top); UTF-8
 * characters are the ones that repeat. */
static inline size_t unit_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];

	/* the common case first: a 3-byte sequence (CJK) */
	if (c >= 0xe0 && c < 0xf0)
		return n >= 3 && (p[1] & 0xc0) == 0x80 &&
			(p[2] & 0xc0) == 0x80 ? 3 : 1;
	if (c < 0xc2 || c >= 0xf5)
		return 1;
	if (c < 0xe0)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 1;
	return n >= 4 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
		(p[3] & 0xc0) == 0x80 ? 4 : 1;
}

/* The unit p[0..len) merged on its own, from the scratch's cache; NULL
 * when out of memory. */
static inline const struct unit_ent *unit_get(const struct bpe *t,
				       struct bpe_scratch *s, const uint8_t *p,
				       size_t len)
{
	struct unit_ent *u;
	struct hist hs;
	uint32_t key = p[0];

	switch (len) {	/* its bytes, little-endian */
	case 4: key |= (uint32_t)p[3] << 24;	/* fall through */
	case 3: key |= (uint32_t)p[2] << 16;	/* fall through */
	case 2: key |= (uint32_t)p[1] << 8;
	}
	u = &s->units[(key * 0x9e3779b1u) >> (33 - BPE_UNITS_LOG2) << 1];
	if (u[0].key == key)
		return u;
	if (u[1].key == key) {	/* the one in use goes first */
		struct unit_ent x = u[0];

		u[0] = u[1];
		u[1] = x;
		return u;
	}
	u[1] = u[0];
	u->key = UNIT_EMPTY;
	if (len == 1) {
		u->ntok = 1;
		u->tok[0] = t->byte_rank[p[0]];
	} else {
		ids_reset(&s->tmp);
		if (merge_small(t, s, p, len, &s->tmp, &hs))
			return NULL;
		u->ntok = (uint8_t)s->tmp.len;
		memcpy(u->tok, s->tmp.v, s->tmp.len * sizeof(*u->tok));
	}
	/* Keep the edge parts that can be in a join at all. */
	if (len == 1) {
		hs.nl = hs.nr = 1;
		hs.l[0] = hs.r[0] = 1;
	}
	u->lh = u->rh = 0;
	u->cont = u->lmask = 0;
	for (size_t k = 0; k < hs.nl; k++)
		if (bpe_affix_has(t, p, hs.l[k], 1)) {
			u->lh |= (uint8_t)(1u << (hs.l[k] - 1));
			u->lmask |= 1ull << bpe_cont_bit(p, hs.l[k]);
		}
	for (size_t k = 0; k < hs.nr; k++)
		if (bpe_affix_has(t, p + len - hs.r[k], hs.r[k], 0)) {
			u->rh |= (uint8_t)(1u << (hs.r[k] - 1));
			u->cont |= bpe_affix_cont(t, p + len - hs.r[k],
						  hs.r[k]);
		}
	u->len = (uint8_t)len;
	u->key = key;
	return u;
}

/* A unit's edge-history mask as a list of lengths. */
static size_t mask_lengths(uint8_t mask, uint16_t *v)
{
	size_t k = 0;

	for (; mask; mask &= (uint8_t)(mask - 1))
		v[k++] = (uint16_t)(__builtin_ctz(mask) + 1);
	return k;
}

/* Is the part of x bytes ending at p[mid] joined to the part of y bytes
 * starting there no token?  ybit is the latter's bpe_cont_bit(), rcont
 * the filter of the short parts that end at p[mid] (struct hist's). */
static inline int pair_apart(const struct bpe *t, struct bpe_scratch *s,
			     const uint8_t *p, size_t mid, size_t x, size_t y,
			     unsigned ybit, uint64_t rcont)
{
	const uint8_t *q = p + mid - x;

	if (x + y > t->max_token_len)
		return 1;
	if (x <= 4 && y <= 4 && !(rcont >> ybit & 1))
		return 1;
	if (x + y == 2)
		return t->rank2[q[0] << 8 | q[1]] == BPE_NO_ID;
	return !bpe_maybe_token(t->maybe, q, x + y) ||
		rank_memo(t, s, q, x + y) == BPE_NO_ID;
}

/* Do the spans that meet at p[mid] merge apart?  Yes when no part that was
 * ever last on the left (lengths r[0..nr)) joined to one that was ever
 * first on the right (l[0..nl)) is a token: then no pair across mid is
 * ever a token, and each side merges as it would alone.  Only the pairs
 * with r[i] marked in rx or l[j] in R->lx are looked at (struct hist). */
static int edges_apart(const struct bpe *t, struct bpe_scratch *s,
		       const uint8_t *p, size_t mid, const uint16_t *r,
		       size_t nr, unsigned rx, uint64_t rcont,
		       const struct hist *R)
{
	unsigned m;

	if (nr == HIST_OVER || R->nl == HIST_OVER)
		return 0;
	rx &= (1u << nr) - 1;
	for (m = rx; m; m &= m - 1) {
		const uint16_t x = r[__builtin_ctz(m)];

		for (size_t j = 0; j < R->nl; j++)
			if (!pair_apart(t, s, p, mid, x, R->l[j], R->lbit[j],
					rcont))
				return 0;
	}
	for (m = R->lx & ((1u << R->nl) - 1); m; m &= m - 1) {
		size_t j = (size_t)__builtin_ctz(m);

		for (size_t i = 0; i < nr; i++)
			if (!(rx >> i & 1) &&
			    !pair_apart(t, s, p, mid, r[i], R->l[j], R->lbit[j],
					rcont))
				return 0;
	}
	return 1;
}

/* Unit u's edge history as a struct hist. */
static void unit_hist(const struct unit_ent *u, struct hist *hs)
{
	const uint8_t b[4] = { (uint8_t)u->key, (uint8_t)(u->key >> 8),
			       (uint8_t)(u->key >> 16),
			       (uint8_t)(u->key >> 24) };

	hs->nl = (uint8_t)mask_lengths(u->lh, hs->l);
	hs->nr = (uint8_t)mask_lengths(u->rh, hs->r);
	for (size_t k = 0; k < hs->nl; k++)
		hs->lbit[k] = (uint8_t)bpe_cont_bit(b, hs->l[k]);
	hs->rcont = u->cont;
	hs->lx = hs->rx = 0;
}

/* edges_apart() for two single units a (ending at p[mid]) and b, straight
 * from their masks: each left part of b that a's filter lets through,
 * against every right part of a. */
static int unit_pair_apart(const struct bpe *t, struct bpe_scratch *s,
			   const uint8_t *p, size_t mid,
			   const struct unit_ent *a, const struct unit_ent *b)
{
	for (unsigned lm = b->lh; lm; lm &= lm - 1) {
		size_t y = (size_t)__builtin_ctz(lm) + 1;

		if (!(a->cont >> bpe_cont_bit(p + mid, y) & 1))
			continue;
		for (unsigned rm = a->rh; rm; rm &= rm - 1)
			if (!pair_apart(t, s, p, mid,
					(size_t)__builtin_ctz(rm) + 1, y, 0,
					UINT64_MAX))
				return 0;
	}
	return 1;
}

/* unit_pair_apart() through the scratch's cache of verdicts (the same
 * neighbours recur). */
static inline int units_apart(const struct bpe *t, struct bpe_scratch *s,
		       const uint8_t *p, size_t mid, const struct unit_ent *a,
		       const struct unit_ent *b)
{
	uint64_t key = a->key | (uint64_t)b->key << 32;
	struct pair_ent *e = &s->pairs[((key * 0x9e3779b97f4a7c15ull) >> 40 &
					(BPE_PAIRS / 2 - 1)) << 1];

	if (!a->rh || !b->lh)
		return 1;
	if (a->rh == 1 && b->lh == 1)	/* the last byte and the first */
		return t->rank2[p[mid - 1] << 8 | p[mid]] == BPE_NO_ID;
	if (!(a->cont & b->lmask))
		return 1;	/* no part of b can follow a part of a */
	if (e[0].key == key)
		return (int)e[0].safe;
	if (e[1].key == key)
		return (int)e[1].safe;
	e[1] = e[0];
	e->safe = (uint64_t)unit_pair_apart(t, s, p, mid, a, b);
	e->key = key;
	return (int)e->safe;
}

/* Is a part of len bytes in a unit's edge history mask? */
static inline int in_mask(unsigned mask, size_t len)
{
	return len <= 8 && (mask >> (len - 1) & 1);
}

/* Drop from hs (the history of p[0..n)) the edge parts that begin
 * (right edge) or end (left edge) no token, for they join nothing, set
 * its filters, and mark the parts that are not in lh0 (the first unit's
 * lh mask) or rh1 (the last unit's rh mask). */
static void hist_finish(const struct bpe *t, const uint8_t *p, size_t n,
			struct hist *hs, unsigned lh0, unsigned rh1)
{
	size_t k, j;

	hs->rcont = UINT64_MAX;
	hs->lx = hs->rx = 0xff;
	if (hs->nl != HIST_OVER) {
		hs->lx = 0;
		for (k = j = 0; k < hs->nl; k++)
			if (bpe_affix_has(t, p, hs->l[k], 1)) {
				if (!in_mask(lh0, hs->l[k]))
					hs->lx |= (uint8_t)(1u << j);
				hs->l[j] = hs->l[k];
				hs->lbit[j++] = hs->l[k] <= 4 ? (uint8_t)
					bpe_cont_bit(p, hs->l[k]) : 0;
			}
		hs->nl = (uint8_t)j;
	}
	if (hs->nr != HIST_OVER) {
		hs->rcont = 0;
		hs->rx = 0;
		for (k = j = 0; k < hs->nr; k++) {
			const uint8_t *x = p + n - hs->r[k];

			if (!bpe_affix_has(t, x, hs->r[k], 0))
				continue;
			if (!in_mask(rh1, hs->r[k]))
				hs->rx |= (uint8_t)(1u << j);
			hs->r[j++] = hs->r[k];
			if (hs->r[k] <= 4)
				hs->rcont |= bpe_affix_cont(t, x, hs->r[k]);
		}
		hs->nr = (uint8_t)j;
	}
}

/* A remembered span's ids (to out, which has room) and edge history. */
static void span_load(const struct span_ent *e, struct ids *out,
		      struct hist *hs)
{
	memcpy(out->v + out->len, e->tok, e->ntok * sizeof(*e->tok));
	out->len += e->ntok;
	hs->nl = e->nl;
	hs->nr = e->nr;
	hs->lx = e->lx;
	hs->rx = e->rx;
	hs->rcont = e->rcont;
	for (size_t k = 0; k < e->nl && k < HIST_MAX; k++) {
		hs->l[k] = e->l[k];
		hs->lbit[k] = e->lbit[k];
	}
	for (size_t k = 0; k < e->nr && k < HIST_MAX; k++)
		hs->r[k] = e->r[k];
}

/* Remember the span p[0..n) (n <= SPAN_MAX): its ids tok[0..ntok)
 * (ntok <= SPAN_TOK) and edge history hs. */
static void span_store(struct span_ent *e, const uint8_t *p, size_t n,
		       const uint32_t *tok, size_t ntok, const struct hist *hs)
{
	e->len = (uint8_t)n;
	e->ntok = (uint8_t)ntok;
	memcpy(e->bytes, p, n);
	memcpy(e->tok, tok, ntok * sizeof(*tok));
	e->nl = hs->nl;
	e->nr = hs->nr;
	e->lx = hs->lx;
	e->rx = hs->rx;
	e->rcont = hs->rcont;
	for (size_t k = 0; k < HIST_MAX; k++) {
		e->l[k] = (uint8_t)hs->l[k];
		e->r[k] = (uint8_t)hs->r[k];
		e->lbit[k] = hs->lbit[k];
	}
}

/* Pure merge of p[a..b) (no whole-piece check) into out (which has room),
 * with its edge history, through the scratch's cache of short spans.
 * lh0 and rh1: hist_finish()'s (the units are those of the bytes, so the
 * cache may keep the marks). */
static int merge_span(const struct bpe *t, struct bpe_scratch *s,
		      const uint8_t *p, size_t a, size_t b, struct ids *out,
		      struct hist *hs, unsigned lh0, unsigned rh1)
{
	size_t n = b - a, k;
	uint64_t w[SPAN_MAX / 8] = { 0 }, h;
	struct span_ent *e = NULL;
	int rc;

	p += a;
	if (n <= SPAN_MAX) {
		memcpy(w, p, n);
		h = (w[0] ^ n) * 0x9e3779b97f4a7c15ull;
		h = (h ^ w[1] ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
		h = (h ^ w[2] ^ (h >> 32)) * 0x94d049bb133111ebull;
		e = &s->spans[((h >> 40) & (BPE_SPANS / 2 - 1)) << 1];
		for (k = 0; k < 2; k++)
			if (e[k].len == n && !memcmp(e[k].bytes, p, n)) {
				span_load(&e[k], out, hs);
				return 0;
			}
	}
	k = out->len;
	rc = n <= BPE_SMALL ? merge_small(t, s, p, n, out, hs) :
		merge_heap(t, s, p, n, out, hs);
	if (rc)
		return rc;
	hist_finish(t, p, n, hs, lh0, rh1);
	if (e && out->len - k <= SPAN_TOK) {
		e[1] = e[0];
		span_store(e, p, n, out->v + k, out->len - k, hs);
	}
	return 0;
}

/* The right edge history of stack entry g as lengths in r; how many. */
static size_t grp_right(const struct grp *g, uint16_t *r)
{
	if (g->single)
		return mask_lengths(g->nr, r);
	memcpy(r, g->r, sizeof(g->r));
	return g->nr;
}

/* Make the span p[a..b), whose ids are out->v[outpos..] and whose left
 * edge history is hs, the top of the stack, first joining it with the
 * spans before it that it may not merge apart from (a join merges the
 * two anew).  lh0, rh1: the lh mask of its first unit, the rh mask of its
 * last.  0; 1 when the budget of bytes to merge runs out; -1 when out of
 * memory. */
static int chain_settle(const struct bpe *t, struct bpe_scratch *s,
			const uint8_t *p, size_t a, size_t b, size_t outpos,
			struct hist *hs, unsigned lh0, unsigned rh1,
			struct ids *out, size_t *ng, long *budget)
{
	struct grp *g;
	uint16_t r[HIST_MAX];

	while (*ng) {
		g = &s->grp[*ng - 1];
		if (edges_apart(t, s, p, a, r, grp_right(g, r), g->rx,
				g->rcont, hs))
			break;
		a = g->start;
		lh0 = g->flh;
		outpos = out->len = g->outpos;
		(*ng)--;
		if ((*budget -= (long)(b - a)) < 0)
			return 1;
		if (merge_span(t, s, p, a, b, out, hs, lh0, rh1))
			return -1;
	}
	g = &s->grp[(*ng)++];
	g->start = (uint32_t)a;
	g->outpos = (uint32_t)outpos;
	g->single = 0;
	g->nr = hs->nr;
	g->rx = hs->rx;
	g->flh = (uint8_t)lh0;
	memcpy(g->r, hs->r, sizeof(g->r));
	g->rcont = hs->rcont;
	return 0;
}

/* May a single unit go on the stack unchecked?  units_apart() said so
 * already for every pair of parts edges_apart() would look at when the
 * top is a single unit, or a span whose right edge parts are all its
 * last unit's. */
static inline int chain_quiet(const struct bpe_scratch *s, size_t ng)
{
	return !ng || !s->grp[ng - 1].rx;
}

/* edges_apart() for the span on top of the stack, g, and the unit u that
 * starts at p[mid], without unit_hist(): only g's marked parts are
 * looked at (u's are all its own). */
static int top_unit_apart(const struct bpe *t, struct bpe_scratch *s,
			  const uint8_t *p, size_t mid, const struct grp *g,
			  const struct unit_ent *u)
{
	if (g->nr == HIST_OVER)
		return 0;
	for (unsigned m = g->rx & ((1u << g->nr) - 1); m; m &= m - 1) {
		size_t x = g->r[__builtin_ctz(m)];

		if (x <= 4 && !(g->rcont & u->lmask))
			continue;	/* no left part of u follows x */
		for (unsigned lm = u->lh; lm; lm &= lm - 1)
			if (!pair_apart(t, s, p, mid, x,
					(size_t)__builtin_ctz(lm) + 1, 0,
					UINT64_MAX))
				return 0;
	}
	return 1;
}

/* Push the unit u at p[a] (out has room for its ids). */
static inline void chain_single(struct bpe_scratch *s, size_t a,
				const struct unit_ent *u, struct ids *out,
				size_t *ng)
{
	struct grp *g = &s->grp[(*ng)++];

	g->start = (uint32_t)a;
	g->outpos = (uint32_t)out->len;
	g->single = 1;
	g->nr = u->rh;	/* as a mask */
	g->rx = 0;
	g->flh = u->lh;
	g->rcont = u->cont;
	memcpy(out->v + out->len, u->tok, sizeof(u->tok));
	out->len += u->ntok;
}

/* Append the span p[a..b): the unit u, or (u NULL) several units merged
 * together, whose first unit has the lh mask lh0 and last the rh mask
 * rh1; see chain_settle().  out has room for the ids. */
static int chain_push(const struct bpe *t, struct bpe_scratch *s,
		      const uint8_t *p, size_t a, size_t b,
		      const struct unit_ent *u, unsigned lh0, unsigned rh1,
		      struct ids *out, size_t *ng, long *budget)
{
	size_t outpos = out->len;
	struct hist hs;

	if (u) {
		if (chain_quiet(s, *ng) ||
		    top_unit_apart(t, s, p, a, &s->grp[*ng - 1], u)) {
			chain_single(s, a, u, out, ng);
			return 0;
		}
		memcpy(out->v + out->len, u->tok, sizeof(u->tok));
		out->len += u->ntok;
		unit_hist(u, &hs);
	} else {
		*budget -= (long)(b - a);
		if (merge_span(t, s, p, a, b, out, &hs, lh0, rh1))
			return -1;
	}
	return chain_settle(t, s, p, a, b, outpos, &hs, lh0, rh1, out, ng,
			    budget);
}

/* The chain merge of a piece (see the top): units, cut where neighbours
 * merge apart, spans between the cuts merged on their own.  Falls back
 * to merge_heap() on the whole piece when spans keep joining (more than
 * about four passes over its bytes), so it stays O(n log n). */
static int merge_chain(const struct bpe *t, struct bpe_scratch *s,
		       const uint8_t *p, size_t n, struct ids *out)
{
	size_t base = out->len, ng = 0, run = 0, units = 0, pos = 0;
	unsigned lh0 = 0;	/* the lh mask of the run's first unit */
	long budget = 4 * (long)n + 64;
	struct unit_ent prev = { 0 };	/* n > 0: set before use */
	int rc;

	/* At most one id per byte, and chain_push() copies 4 at a time. */
	if (n >= UINT32_MAX || out->len + n >= UINT32_MAX ||
	    ids_grow(out, n + 4))
		return -1;
	if (n > s->grp_alloc) {
		struct grp *g = realloc(s->grp, n * sizeof(*g));

		if (!g)
			return -1;
		s->grp = g;
		s->grp_alloc = n;
	}
	while (pos < n) {
		size_t len = unit_len(p + pos, n - pos);
		const struct unit_ent *u = unit_get(t, s, p + pos, len);

		if (!u)
			return -1;
		if (units && units_apart(t, s, p, pos, &prev, u)) {
			if (units == 1 && chain_quiet(s, ng))	/* most */
				chain_single(s, run, &prev, out, &ng);
			else if ((rc = chain_push(t, s, p, run, pos,
					units == 1 ? &prev : NULL, lh0,
					prev.rh, out, &ng, &budget)))
				goto fail;
			run = pos;
			units = 0;
		}
		if (!units)
			lh0 = u->lh;
		prev = *u;
		units++;
		pos += len;
	}
	rc = chain_push(t, s, p, run, n, units == 1 ? &prev : NULL, lh0,
			prev.rh, out, &ng, &budget);
	if (!rc)
		return 0;
fail:
	if (rc < 0)
		return -1;
	out->len = base;
	return merge_heap(t, s, p, n, out, NULL);
}

/* Has p[0..n) a byte >= 0x80? */
static inline int has_high(const uint8_t *p, size_t n)
{
	uint64_t w, acc = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return (acc & 0x8080808080808080ull) != 0;
}

static int encode_piece(const struct bpe *t, struct bpe_scratch *s,
			const uint8_t *p, size_t n, struct ids *out)
{
	uint32_t r;

	if (n == 1)
		return ids_push(out, t->byte_rank[p[0]]);
	/* A long Chinese piece is rarely a token: the filter says so without
	 * a miss in the big rank table. */
	if (p[0] < 0x80 || n < 3 || bpe_maybe_token(t->maybe, p, n)) {
		r = rank_memo(t, s, p, n);
		if (r != BPE_NO_ID)
			return ids_push(out, r);
	}
	if (n >= BPE_CHAIN_MIN && has_high(p, n))
		return merge_chain(t, s, p, n, out);
	if (n <= BPE_SMALL)
		return merge_small(t, s, p, n, out, NULL);
	return merge_heap(t, s, p, n, out, NULL);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                           */

static int regex_error(int rc, struct sl_err *err)
{
	PCRE2_UCHAR msg[256];

	pcre2_get_error_message(rc, msg, sizeof(msg));
	return sl_error(err, "cannot split text into pieces: %s", (char *)msg);
}

/* Regex-split seg[0..n) and encode each piece; bytes between matches
 * (invalid UTF-8) are encoded as pieces of their own. */
static int encode_ordinary(const struct bpe *t, struct bpe_scratch *s,
			   int which, const char *seg, size_t n,
			   struct ids *out, struct sl_err *err)
{
	const pcre2_code *re = t->re[which];
	int jit = t->jit[which];
	const uint8_t *u = (const uint8_t *)seg;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
	size_t pos = 0;

	while (pos < n) {
		size_t end = t->ascii ? bpe_ascii_match(t->ascii, u, pos, n) : 0;
		int rc;

		if (end) {	/* decided on ASCII alone: no regex needed */
			if (encode_piece(t, s, u + pos, end - pos, out))
				return sl_error(err, "out of memory");
			pos = end;
			continue;
		}
		rc = jit ?
			pcre2_jit_match(re, u, n, pos, PCRE2_NOTEMPTY, s->md,
					s->mc) :
			pcre2_match(re, u, n, pos, PCRE2_NOTEMPTY, s->md,
				    s->mc);
		if (rc == PCRE2_ERROR_NOMATCH)
			return encode_piece(t, s, u + pos, n - pos, out) ?
				sl_error(err, "out of memory") : 0;
		if (rc < 0)
			return regex_error(rc, err);
		if (ov[0] > pos && encode_piece(t, s, u + pos, ov[0] - pos, out))
			return sl_error(err, "out of memory");
		if (encode_piece(t, s, u + ov[0], ov[1] - ov[0], out))
			return sl_error(err, "out of memory");
		pos = ov[1];
	}
	return 0;
}

/* Next occurrence at or after pos of special i, or SIZE_MAX. */
static size_t find_special(const struct bpe *t, size_t i, const char *text,
			   size_t len, size_t pos)
{
	const char *q = memmem(text + pos, len - pos, t->special[i].bytes,
			       t->special[i].len);

	return q ? (size_t)(q - text) : SIZE_MAX;
}

static int encode_with_special(const struct bpe *t, struct bpe_scratch *s,
			       int which, const char *text, size_t len, struct ids *out,
			       struct sl_err *err)
{
	size_t pos = 0, i, *next;

	if (t->n_special > s->spec_alloc) {
		next = realloc(s->spec_next, t->n_special * sizeof(*next));
		if (!next)
			return sl_error(err, "out of memory");
		s->spec_next = next;
		s->spec_alloc = t->n_special;
	}
	next = s->spec_next;
	for (i = 0; i < t->n_special; i++)
		next[i] = find_special(t, i, text, len, 0);
	for (;;) {
		size_t at = SIZE_MAX, best = 0;

		/* Earliest occurrence; the longest one on a tie. */
		for (i = 0; i < t->n_special; i++)
			if (next[i] < at || (next[i] == at && at != SIZE_MAX &&
				t->special[i].len > t->special[best].len)) {
				at = next[i];
				best = i;
			}
		if (at == SIZE_MAX)
			return encode_ordinary(t, s, which, text + pos,
					       len - pos,
					       out, err);
		if (encode_ordinary(t, s, which, text + pos, at - pos, out,
				    err))
			return -1;
		if (ids_push(out, t->special[best].id))
			return sl_error(err, "out of memory");
		pos = at + t->special[best].len;
		for (i = 0; i < t->n_special; i++)
			if (next[i] < pos)
				next[i] = find_special(t, i, text, len, pos);
	}
}

static int ascii_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int ascii_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

int bpe_encode(const struct bpe *t, struct bpe_scratch *s, const char *text,
	       size_t len, unsigned flags, struct ids *out, struct sl_err *err)
{
	struct bpe_scratch *own = NULL;
	size_t saved = out->len;
	int rc, which;

	if (len == 0)
		return 0;
	if (!s && !(s = own = bpe_scratch_new()))
		return sl_error(err, "out of memory");
	if (s->memo_for != t) {
		scratch_forget(s);
		s->memo_for = t;
	}
	which = needs_exact(t, (const uint8_t *)text, len) ? RE_EXACT : RE_FAST;
	if ((flags & BPE_ALLOW_SPECIAL) && t->n_special)
		rc = encode_with_special(t, s, which, text, len, out, err);
	else
		rc = encode_ordinary(t, s, which, text, len, out, err);
	if (rc)
		out->len = saved;
	bpe_scratch_free(own);
	return rc;
}

/* Cut after a "\n" that has an ASCII non-space byte before it and an
 * ASCII letter or digit after it: every built-in pattern ends a piece
 * there whatever follows (the newline is a white-space run of one, or the
 * tail of a punctuation piece, whose [\r\n/]* cannot take a letter), and
 * no piece starts before a newline and takes a letter, so the pieces on
 * each side are those of the whole text.  Special tokens must not contain
 * a newline (none of the built-in ones does). */
size_t bpe_safe_cut(const struct bpe *t, const char *text, size_t len)
{
	const uint8_t *p = (const uint8_t *)text;

	if (t->ascii == BPE_ASCII_NONE)
		return 0;
	for (size_t i = 0; i < t->n_special; i++)
		if (memchr(t->special[i].bytes, '\n', t->special[i].len))
			return 0;
	for (size_t c = len ? len - 1 : 0; c >= 2; c--) {
		if (p[c - 1] != '\n')
			continue;
		if (ascii_alnum(p[c]) && p[c - 2] < 0x80 &&
		    !ascii_space(p[c - 2]))
			return c;
	}
	return 0;
}

int bpe_decode(const struct bpe *t, const uint32_t *ids, size_t n,
	       struct buf *out, struct sl_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const char *p;
		size_t len;
		int rc;

		if (bpe_token_bytes(t, ids[i], &p, &len))
			return sl_error(err, "unknown token id %u (vocabulary "
					"'%s' has %u)", ids[i], t->name,
					t->vocab_size);
		rc = buf_add(out, p, len);
		if (rc == BUF_TOOBIG)
			return sl_error(err, "decoded text longer than %zu "
					"bytes", out->cap);
		if (rc)
			return sl_error(err, "out of memory");
	}
	return 0;
}
