/*
 * bpe_train.c: byte-level BPE training (see bpe_train.h).
 *
 * Counting (bounded memory):
 *   piece ──► words: open-addressing table {hash, offset, length, count}
 *             over an arena of piece bytes.  When max_words distinct
 *             pieces are in it, the rarest go: the smallest power-of-two
 *             threshold T (2, 4, 8...) such that at most half the table
 *             has count >= T is found, everything below T is dropped and
 *             the arena compacted (the "prune the rarest" of sentencepiece
 *             and HF's trainers; deterministic, as it depends only on the
 *             order of the input).  A piece dropped and seen again starts
 *             from 1: rare pieces are undercounted, frequent ones are not
 *             lost.  Pieces longer than max_piece bytes are cut at
 *             character boundaries (a 10 kB run of Chinese is one regex
 *             piece; its parts still teach the merges inside them).
 *
 * Training (the incremental algorithm of HF tokenizers' BpeTrainer):
 *   words    each distinct piece as a sequence of token ids, with count
 *   pairs    every adjacent pair (a, b) ever seen: its weighted count and
 *            the words it occurs in (appended to, never removed from: a
 *            word that lost the pair is just checked and skipped)
 *   heap     max-heap of (count, pair), lazily updated: existing pairs'
 *            counts only fall during training (a merge creates pairs with
 *            the merged token, and only those can rise), so an entry whose
 *            count is stale is re-pushed with the true count when it
 *            surfaces, and the pairs with the merged token are pushed
 *            after each merge.  The popped entry with a true count is the
 *            most frequent pair; ties go to the lowest (a, b).
 *   merge    for each word holding (a, b): merge left to right, moving
 *            the counts of the pairs beside each replacement only.  Cost
 *            per merge is proportional to the occurrences it replaces.
 *   Two merges can make the same bytes ((ab)c and a(bc)); the second
 *   reuses the first's id, so the rank file has each token once, as
 *   tiktoken requires.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "bpe_int.h"
#include "bpe_split.h"
#include "bpe_train.h"
#include "../lib/atomicfile.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/banned.h"

struct word_slot {
	uint64_t hash;
	uint64_t count;		/* 0: empty slot */
	uint64_t off;		/* in arena */
	uint32_t len;
};

struct pair {
	uint32_t a, b;
	int64_t count;
	uint32_t *w;		/* words holding the pair (maybe stale) */
	uint32_t nw, cap;
	uint32_t stamp;		/* last merge that touched it */
};

struct heap_ent {
	int64_t count;
	uint32_t pi;
};

struct bpe_train {
	struct bpe_train_opts o;
	const char *enc;		/* built-in encoding name */
	char *pat_str, *pat_up;		/* its regexes (pat_up may be NULL) */
	struct bpe *t;			/* for its compiled regex */
	struct bpe_split *sp;
	struct bpe_train_stats st;

	/* counting */
	struct word_slot *ws;
	size_t ws_mask, ws_used;
	uint8_t *arena;
	size_t arena_len, arena_alloc;

	/* training */
	uint32_t nw;
	uint32_t *syms;			/* all words' ids */
	uint64_t *wo;			/* [nw] offset of word in syms */
	uint32_t *wl;			/* [nw] current length */
	uint64_t *wc;			/* [nw] count */
	uint32_t *wstamp;		/* [nw] last merge that visited it */
	struct pair *pairs;
	uint32_t npairs, pairs_alloc;
	uint32_t *pmap;			/* pair index + 1, 0 empty */
	size_t pmap_mask;
	struct heap_ent *heap;
	size_t nheap, heap_alloc;
	uint32_t *touched;
	size_t ntouched, touched_alloc;

	/* tokens */
	uint8_t *blob;
	size_t blob_len, blob_alloc;
	uint64_t *tok_off;		/* [ntok + 1] */
	uint32_t ntok, tok_alloc;
	uint32_t *tmap;			/* token id + 1 by bytes, 0 empty */
	size_t tmap_mask;
	int trained;
};

static int grow(void *pp, size_t *alloc, size_t need, size_t size)
{
	void **p = pp;
	size_t n = *alloc ? *alloc : 16;
	void *q;

	if (need <= *alloc)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*alloc = n;
	return 0;
}

void bpe_train_opts_default(struct bpe_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->vocab = 32000;
	o->regex = "cl100k";
	o->min_frequency = 2;
	o->max_words = 2000000;
	o->max_piece = 64;
}

const char *bpe_train_encoding(const char *regex)
{
	static const char *const names[][2] = {
		{ "cl100k", "cl100k_base" }, { "cl100k_base", "cl100k_base" },
		{ "o200k", "o200k_base" }, { "o200k_base", "o200k_base" },
		{ "r50k", "r50k_base" }, { "r50k_base", "r50k_base" },
		{ "gpt2", "r50k_base" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(regex, names[i][0]))
			return names[i][1];
	return NULL;
}

/* The encoding's regexes, from its embedded .json. */
static int load_patterns(struct bpe_train *tr, struct sl_err *err)
{
	struct bpe_data d;
	json_t *root, *v;
	int rc = -1;

	if (bpe_data_find(tr->enc, &d))
		return sl_error(err, "no built-in encoding '%s'", tr->enc);
	root = json_loadb(d.json, d.json_len, 0, NULL);
	v = json_object_get(root, "pat_str");
	if (!json_is_string(v) || !(tr->pat_str = strdup(json_string_value(v)))) {
		sl_error(err, "cannot read the regex of '%s'", tr->enc);
		goto out;
	}
	v = json_object_get(root, "pat_str_upstream");
	if (json_is_string(v) && !(tr->pat_up = strdup(json_string_value(v)))) {
		sl_error(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int bpe_train_new(struct bpe_train **out, const struct bpe_train_opts *o,
		  struct sl_err *err)
{
	struct bpe_train *tr;
	size_t cap = 1024;

	*out = NULL;
	if (o->vocab < 257)
		return sl_error(err, "vocabulary size %u is too small (at least "
				"257: the 256 bytes and <|endoftext|>)", o->vocab);
	if (o->max_words < 16 || o->max_piece < 4)
		return sl_error(err, "max_words and max_piece are too small");
	if (!(tr = calloc(1, sizeof(*tr))))
		return sl_error(err, "out of memory");
	tr->o = *o;
	tr->enc = bpe_train_encoding(o->regex);
	if (!tr->enc) {
		sl_error(err, "unknown regex '%s' (cl100k, o200k or r50k)",
			 o->regex);
		goto fail;
	}
	if (load_patterns(tr, err))
		goto fail;
	if (o->base && strcmp(bpe_name(o->base), tr->enc)) {
		sl_error(err, "the base encoding is '%s', the regex wants '%s'",
			 bpe_name(o->base), tr->enc);
		goto fail;
	}
	if (!o->base && bpe_open(&tr->t, tr->enc, err))
		goto fail;
	while (cap < 2 * o->max_words + 2)
		cap *= 2;
	tr->ws = calloc(cap, sizeof(*tr->ws));
	tr->ws_mask = cap - 1;
	tr->sp = bpe_split_new(o->base ? o->base : tr->t);
	if (!tr->ws || !tr->sp) {
		sl_error(err, "out of memory");
		goto fail;
	}
	*out = tr;
	return 0;
fail:
	bpe_train_free(tr);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Counting pieces                                                    */

static int word_insert(struct bpe_train *tr, uint64_t h, uint64_t off,
		       uint32_t len, uint64_t count)
{
	size_t i = h & tr->ws_mask;

	while (tr->ws[i].count)
		i = (i + 1) & tr->ws_mask;
	tr->ws[i] = (struct word_slot){ h, count, off, len };
	tr->ws_used++;
	return 0;
}

/* Drop the rarest pieces until at most half of max_words remain. */
static int prune(struct bpe_train *tr, struct sl_err *err)
{
	size_t n = tr->ws_mask + 1, keep;
	uint64_t thr = 2;
	struct word_slot *old = tr->ws;
	uint8_t *arena = tr->arena, *na;
	size_t nlen = 0;

	for (;; thr *= 2) {
		keep = 0;
		for (size_t i = 0; i < n; i++)
			keep += old[i].count >= thr;
		if (keep <= tr->o.max_words / 2)
			break;
	}
	tr->ws = calloc(n, sizeof(*tr->ws));
	na = malloc(tr->arena_alloc);
	if (!tr->ws || !na) {
		free(na);
		free(tr->ws);
		tr->ws = old;
		return sl_error(err, "out of memory");
	}
	tr->ws_used = 0;
	for (size_t i = 0; i < n; i++) {
		if (old[i].count < thr)
			continue;
		memcpy(na + nlen, arena + old[i].off, old[i].len);
		word_insert(tr, old[i].hash, nlen, old[i].len, old[i].count);
		nlen += old[i].len;
	}
	free(old);
	free(arena);
	tr->arena = na;
	tr->arena_len = nlen;
	tr->st.prunes++;
	return 0;
}

static int count_word(struct bpe_train *tr, const char *p, size_t n,
		      struct sl_err *err)
{
	uint64_t h = hash64(p, n);
	size_t i = h & tr->ws_mask;

	for (; tr->ws[i].count; i = (i + 1) & tr->ws_mask) {
		struct word_slot *s = &tr->ws[i];

		if (s->hash == h && s->len == n &&
		    !memcmp(tr->arena + s->off, p, n)) {
			s->count++;
			return 0;
		}
	}
	if (tr->ws_used >= tr->o.max_words) {
		if (prune(tr, err))
			return -1;
		return count_word(tr, p, n, err);
	}
	if (grow(&tr->arena, &tr->arena_alloc, tr->arena_len + n, 1))
		return sl_error(err, "out of memory");
	memcpy(tr->arena + tr->arena_len, p, n);
	word_insert(tr, h, tr->arena_len, (uint32_t)n, 1);
	tr->arena_len += n;
	return 0;
}

/* A piece from the regex; long ones in parts cut before a UTF-8 lead
 * byte (or anywhere, in invalid UTF-8). */
static int on_piece(void *ctx, const char *p, size_t n, struct sl_err *err)
{
	struct bpe_train *tr = ctx;
	size_t max = tr->o.max_piece;

	tr->st.pieces++;
	while (n > max) {
		size_t cut = max;

		while (cut > max - 3 && ((uint8_t)p[cut] & 0xc0) == 0x80)
			cut--;
		if (count_word(tr, p, cut, err))
			return -1;
		p += cut;
		n -= cut;
	}
	return count_word(tr, p, n, err);
}

int bpe_train_add(struct bpe_train *tr, const char *text, size_t len,
		  struct sl_err *err)
{
	if (tr->trained)
		return sl_error(err, "bpe_train_add() after bpe_train_run()");
	tr->st.texts++;
	tr->st.bytes += len;
	return bpe_split_run(tr->sp, text, len, on_piece, tr, err);
}

/* ------------------------------------------------------------------ */
/* Tokens                                                             */

static uint64_t tok_len(const struct bpe_train *tr, uint32_t id)
{
	return tr->tok_off[id + 1] - tr->tok_off[id];
}

static int tmap_put(struct bpe_train *tr, uint32_t id)
{
	const uint8_t *p = tr->blob + tr->tok_off[id];
	size_t i = hash64(p, tok_len(tr, id)) & tr->tmap_mask;

	while (tr->tmap[i])
		i = (i + 1) & tr->tmap_mask;
	tr->tmap[i] = id + 1;
	return 0;
}

static uint32_t tmap_get(const struct bpe_train *tr, const uint8_t *p,
			 size_t n)
{
	size_t i = hash64(p, n) & tr->tmap_mask;

	for (; tr->tmap[i]; i = (i + 1) & tr->tmap_mask) {
		uint32_t id = tr->tmap[i] - 1;

		if (tok_len(tr, id) == n &&
		    !memcmp(tr->blob + tr->tok_off[id], p, n))
			return id;
	}
	return BPE_NO_ID;
}

/* The id of bytes(a) + bytes(b), added as the next rank when new. */
static int tok_merge(struct bpe_train *tr, uint32_t a, uint32_t b,
		     uint32_t *id, struct sl_err *err)
{
	uint64_t la = tok_len(tr, a), lb = tok_len(tr, b);
	size_t alloc = tr->tok_alloc;

	if (grow(&tr->blob, &tr->blob_alloc, tr->blob_len + la + lb, 1) ||
	    grow(&tr->tok_off, &alloc, (size_t)tr->ntok + 2, sizeof(uint64_t)))
		return sl_error(err, "out of memory");
	tr->tok_alloc = (uint32_t)alloc;
	memmove(tr->blob + tr->blob_len, tr->blob + tr->tok_off[a], la);
	memmove(tr->blob + tr->blob_len + la, tr->blob + tr->tok_off[b], lb);
	*id = tmap_get(tr, tr->blob + tr->blob_len, la + lb);
	if (*id != BPE_NO_ID)
		return 0;
	*id = tr->ntok++;
	tr->blob_len += la + lb;
	tr->tok_off[tr->ntok] = tr->blob_len;
	return tmap_put(tr, *id);
}

/* ------------------------------------------------------------------ */
/* Pairs and the heap                                                 */

static inline uint64_t pair_hash(uint32_t a, uint32_t b)
{
	uint64_t h = (uint64_t)a << 32 | b;	/* splitmix64's finalizer */

	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static int pmap_grow(struct bpe_train *tr)
{
	size_t n = (tr->pmap_mask + 1) * 2;
	uint32_t *m = calloc(n, sizeof(*m));

	if (!m)
		return -1;
	for (uint32_t pi = 0; pi < tr->npairs; pi++) {
		size_t i = pair_hash(tr->pairs[pi].a, tr->pairs[pi].b) & (n - 1);

		while (m[i])
			i = (i + 1) & (n - 1);
		m[i] = pi + 1;
	}
	free(tr->pmap);
	tr->pmap = m;
	tr->pmap_mask = n - 1;
	return 0;
}

/* The index of pair (a, b), created when absent; UINT32_MAX when out of
 * memory. */
static uint32_t pair_get(struct bpe_train *tr, uint32_t a, uint32_t b)
{
	size_t i = pair_hash(a, b) & tr->pmap_mask, alloc = tr->pairs_alloc;

	for (; tr->pmap[i]; i = (i + 1) & tr->pmap_mask) {
		struct pair *p = &tr->pairs[tr->pmap[i] - 1];

		if (p->a == a && p->b == b)
			return tr->pmap[i] - 1;
	}
	if (grow(&tr->pairs, &alloc, (size_t)tr->npairs + 1, sizeof(*tr->pairs)))
		return UINT32_MAX;
	tr->pairs_alloc = (uint32_t)alloc;
	tr->pairs[tr->npairs] = (struct pair){ .a = a, .b = b,
					       .stamp = UINT32_MAX };
	tr->pmap[i] = ++tr->npairs;
	if ((size_t)tr->npairs * 2 > tr->pmap_mask && pmap_grow(tr))
		return UINT32_MAX;
	return tr->npairs - 1;
}

static int pair_add_word(struct pair *p, uint32_t w)
{
	size_t cap = p->cap;

	if (p->nw && p->w[p->nw - 1] == w)
		return 0;
	if (grow(&p->w, &cap, (size_t)p->nw + 1, sizeof(*p->w)))
		return -1;
	p->cap = (uint32_t)cap;
	p->w[p->nw++] = w;
	return 0;
}

/* Heap order: higher count first, then the lower pair of ids. */
static int heap_before(const struct bpe_train *tr, struct heap_ent x,
		       struct heap_ent y)
{
	const struct pair *p = &tr->pairs[x.pi], *q = &tr->pairs[y.pi];

	if (x.count != y.count)
		return x.count > y.count;
	if (p->a != q->a)
		return p->a < q->a;
	return p->b < q->b;
}

static int heap_push(struct bpe_train *tr, int64_t count, uint32_t pi)
{
	size_t i = tr->nheap;
	struct heap_ent e = { count, pi };

	if (grow(&tr->heap, &tr->heap_alloc, i + 1, sizeof(*tr->heap)))
		return -1;
	while (i > 0 && heap_before(tr, e, tr->heap[(i - 1) / 2])) {
		tr->heap[i] = tr->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	tr->heap[i] = e;
	tr->nheap++;
	return 0;
}

static struct heap_ent heap_pop(struct bpe_train *tr)
{
	struct heap_ent top = tr->heap[0], e = tr->heap[--tr->nheap];
	size_t i = 0, n = tr->nheap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && heap_before(tr, tr->heap[c + 1], tr->heap[c]))
			c++;
		if (!heap_before(tr, tr->heap[c], e))
			break;
		tr->heap[i] = tr->heap[c];
		i = c;
	}
	if (n)
		tr->heap[i] = e;
	return top;
}

/* Add delta to the count of pair (x, y); when it rises, note word w in
 * its list and the pair in tr->touched (to be re-queued). */
static int bump(struct bpe_train *tr, uint32_t x, uint32_t y, int64_t delta,
		uint32_t w, uint32_t stamp)
{
	uint32_t pi = pair_get(tr, x, y);
	struct pair *p;

	if (pi == UINT32_MAX)
		return -1;
	p = &tr->pairs[pi];
	p->count += delta;
	if (delta < 0)
		return 0;
	if (pair_add_word(p, w))
		return -1;
	if (p->stamp != stamp) {
		p->stamp = stamp;
		if (grow(&tr->touched, &tr->touched_alloc, tr->ntouched + 1,
			 sizeof(*tr->touched)))
			return -1;
		tr->touched[tr->ntouched++] = pi;
	}
	return 0;
}

/*
 * Replace each (a, b) in word w, left to right, by id, updating the pair
 * counts around each replacement only (as HF's Word::merge): the left
 * neighbour is read from the new sequence (it may be id itself, from the
 * replacement just before), the right one from the old, so that in
 * "a a a a" the transient (id, a) added by the first replacement is
 * taken back by the second.
 */
static int word_merge(struct bpe_train *tr, uint32_t w, uint32_t a,
		      uint32_t b, uint32_t id, uint32_t stamp)
{
	uint32_t *s = tr->syms + tr->wo[w], n = tr->wl[w], j = 0;
	int64_t c = (int64_t)tr->wc[w];

	for (uint32_t k = 0; k < n; k++) {
		if (!(k + 1 < n && s[k] == a && s[k + 1] == b)) {
			s[j++] = s[k];
			continue;
		}
		if (bump(tr, a, b, -c, w, stamp))
			return -1;
		if (j > 0 && (bump(tr, s[j - 1], a, -c, w, stamp) ||
			      bump(tr, s[j - 1], id, c, w, stamp)))
			return -1;
		if (k + 2 < n && (bump(tr, b, s[k + 2], -c, w, stamp) ||
				  bump(tr, id, s[k + 2], c, w, stamp)))
			return -1;
		s[j++] = id;
		k++;
	}
	tr->wl[w] = j;
	return 0;
}

/* One merge of pair pi into token id. */
static int merge_pair(struct bpe_train *tr, uint32_t pi, uint32_t id,
		      uint32_t stamp, struct sl_err *err)
{
	uint32_t a = tr->pairs[pi].a, b = tr->pairs[pi].b;
	uint32_t *list = tr->pairs[pi].w, nlist = tr->pairs[pi].nw;

	tr->pairs[pi].w = NULL;
	tr->pairs[pi].nw = tr->pairs[pi].cap = 0;
	tr->ntouched = 0;
	for (uint32_t i = 0; i < nlist; i++) {
		uint32_t w = list[i];

		if (tr->wstamp[w] == stamp)
			continue;
		tr->wstamp[w] = stamp;
		if (word_merge(tr, w, a, b, id, stamp))
			goto oom;
	}
	free(list);
	for (size_t i = 0; i < tr->ntouched; i++) {
		struct pair *p = &tr->pairs[tr->touched[i]];

		if (p->count > 0 && heap_push(tr, p->count, tr->touched[i]))
			return sl_error(err, "out of memory");
	}
	return 0;
oom:
	free(list);
	return sl_error(err, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Training                                                           */

/* The counted pieces as words of byte ids, in table order. */
static int build_words(struct bpe_train *tr, struct sl_err *err)
{
	size_t n = tr->ws_mask + 1, total = 0;
	uint32_t w = 0;

	tr->nw = (uint32_t)tr->ws_used;
	tr->syms = malloc((tr->arena_len + 1) * sizeof(*tr->syms));
	tr->wo = malloc((tr->nw + 1) * sizeof(*tr->wo));
	tr->wl = malloc((tr->nw + 1) * sizeof(*tr->wl));
	tr->wc = malloc((tr->nw + 1) * sizeof(*tr->wc));
	tr->wstamp = malloc((tr->nw + 1) * sizeof(*tr->wstamp));
	if (!tr->syms || !tr->wo || !tr->wl || !tr->wc || !tr->wstamp)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct word_slot *s = &tr->ws[i];

		if (!s->count)
			continue;
		tr->wo[w] = total;
		tr->wl[w] = s->len;
		tr->wc[w] = s->count;
		tr->wstamp[w] = UINT32_MAX;
		for (uint32_t k = 0; k < s->len; k++)
			tr->syms[total++] = tr->arena[s->off + k];
		w++;
	}
	free(tr->ws);
	free(tr->arena);
	tr->ws = NULL;
	tr->arena = NULL;
	tr->st.words = tr->nw;
	return 0;
}

static int init_tokens(struct bpe_train *tr, struct sl_err *err)
{
	size_t n = 1024, alloc = 0;

	while (n < 2 * (size_t)tr->o.vocab)
		n *= 2;
	tr->tmap = calloc(n, sizeof(*tr->tmap));
	tr->tmap_mask = n - 1;
	if (!tr->tmap || grow(&tr->blob, &tr->blob_alloc, 256, 1) ||
	    grow(&tr->tok_off, &alloc, 258, sizeof(uint64_t)))
		return sl_error(err, "out of memory");
	tr->tok_alloc = (uint32_t)alloc;
	for (uint32_t i = 0; i < 256; i++) {
		tr->blob[i] = (uint8_t)i;
		tr->tok_off[i] = i;
		tr->tok_off[i + 1] = i + 1;
	}
	tr->blob_len = 256;
	tr->ntok = 256;
	for (uint32_t i = 0; i < 256; i++)
		tmap_put(tr, i);
	return 0;
}

static int init_pairs(struct bpe_train *tr, struct sl_err *err)
{
	tr->pmap = calloc(1024, sizeof(*tr->pmap));
	tr->pmap_mask = 1023;
	if (!tr->pmap)
		return sl_error(err, "out of memory");
	for (uint32_t w = 0; w < tr->nw; w++) {
		const uint32_t *s = tr->syms + tr->wo[w];

		for (uint32_t k = 0; k + 1 < tr->wl[w]; k++) {
			uint32_t pi = pair_get(tr, s[k], s[k + 1]);

			if (pi == UINT32_MAX ||
			    pair_add_word(&tr->pairs[pi], w))
				return sl_error(err, "out of memory");
			tr->pairs[pi].count += (int64_t)tr->wc[w];
		}
	}
	for (uint32_t pi = 0; pi < tr->npairs; pi++)
		if (heap_push(tr, tr->pairs[pi].count, pi))
			return sl_error(err, "out of memory");
	return 0;
}

int bpe_train_run(struct bpe_train *tr, struct sl_err *err)
{
	uint32_t target = tr->o.vocab - 1, stamp = 0;

	if (tr->trained)
		return sl_error(err, "bpe_train_run() called twice");
	tr->trained = 1;
	if (build_words(tr, err) || init_tokens(tr, err) ||
	    init_pairs(tr, err))
		return -1;
	while (tr->ntok < target && tr->nheap) {
		struct heap_ent e = heap_pop(tr);
		struct pair *p = &tr->pairs[e.pi];
		uint32_t id = 0;

		if (e.count != p->count) {	/* stale: re-queue */
			if (p->count > 0 && heap_push(tr, p->count, e.pi))
				return sl_error(err, "out of memory");
			continue;
		}
		if ((uint64_t)e.count < tr->o.min_frequency || e.count <= 0)
			break;
		if (tok_merge(tr, p->a, p->b, &id, err) ||
		    merge_pair(tr, e.pi, id, stamp++, err))
			return -1;
		tr->st.merges++;
	}
	tr->st.vocab = tr->ntok + 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Output                                                             */

static void b64_put(FILE *f, const uint8_t *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = al[v >> 18 & 63];
		q[1] = al[v >> 12 & 63];
		q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		fwrite(q, 1, 4, f);
	}
}

/* The rank file's lines ("base64 rank") onto fp. */
static void put_ranks(const struct bpe_train *tr, FILE *fp)
{
	for (uint32_t id = 0; id < tr->ntok; id++) {
		b64_put(fp, tr->blob + tr->tok_off[id], tok_len(tr, id));
		fprintf(fp, " %u\n", id);
	}
}

/* The companion JSON (pattern, special tokens), malloc'd; NULL when out
 * of memory. */
static char *json_text(const struct bpe_train *tr)
{
	json_t *root = json_object(), *sp = json_object();
	char *s = NULL;

	if (root && sp) {
		json_object_set_new(sp, "<|endoftext|>",
				    json_integer(tr->ntok));
		json_object_set_new(root, "pat_str", json_string(tr->pat_str));
		if (tr->pat_up)
			json_object_set_new(root, "pat_str_upstream",
					    json_string(tr->pat_up));
		json_object_set(root, "special_tokens", sp);
		json_object_set_new(root, "explicit_n_vocab",
				    json_integer(tr->ntok + 1));
		json_object_set_new(root, "trained_from",
				    json_string(tr->enc));
		s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	}
	json_decref(sp);
	json_decref(root);
	return s;
}

static int write_ranks(struct bpe_train *tr, const char *path,
		       struct sl_err *err)
{
	struct atomicfile af;

	if (atomicfile_open(&af, path, err))
		return -1;
	put_ranks(tr, af.fp);
	if (ferror(af.fp)) {
		atomicfile_abort(&af);
		return sl_error(err, "cannot write '%s'", path);
	}
	return atomicfile_commit(&af, err);
}

static int write_json(struct bpe_train *tr, const char *path,
		      struct sl_err *err)
{
	struct atomicfile af;
	char *s = json_text(tr);

	if (!s)
		return sl_error(err, "out of memory");
	if (atomicfile_open(&af, path, err)) {
		free(s);
		return -1;
	}
	fputs(s, af.fp);
	fputc('\n', af.fp);
	free(s);
	if (ferror(af.fp)) {
		atomicfile_abort(&af);
		return sl_error(err, "cannot write '%s'", path);
	}
	return atomicfile_commit(&af, err);
}

int bpe_train_dump(struct bpe_train *tr, struct buf *ranks, struct buf *json,
		   struct sl_err *err)
{
	char *mem = NULL, *s;
	size_t n = 0;
	FILE *fp;
	int rc;

	if (!tr->trained)
		return sl_error(err, "bpe_train_dump() before bpe_train_run()");
	if (!(fp = open_memstream(&mem, &n)))
		return sl_error(err, "out of memory");
	put_ranks(tr, fp);
	rc = ferror(fp);
	if (fclose(fp) || rc || buf_add(ranks, mem, n)) {
		free(mem);
		return sl_error(err, "out of memory");
	}
	free(mem);
	if (!(s = json_text(tr)))
		return sl_error(err, "out of memory");
	rc = buf_adds(json, s) || buf_addc(json, '\n');
	free(s);
	return rc ? sl_error(err, "out of memory") : 0;
}

int bpe_train_write(struct bpe_train *tr, const char *path,
		    struct sl_err *err)
{
	static const char ext[] = ".tiktoken";
	size_t n = strlen(path), el = sizeof(ext) - 1;
	struct buf j;
	int rc;

	if (!tr->trained)
		return sl_error(err, "bpe_train_write() before bpe_train_run()");
	if (n <= el || strcmp(path + n - el, ext))
		return sl_error(err, "cannot write '%s': the name must end in "
				".tiktoken", path);
	buf_init(&j, 0);
	if (buf_add(&j, path, n - el) || buf_adds(&j, ".json")) {
		buf_release(&j);
		return sl_error(err, "out of memory");
	}
	rc = write_ranks(tr, path, err);
	if (!rc)
		rc = write_json(tr, j.data, err);
	buf_release(&j);
	return rc;
}

void bpe_train_stats(const struct bpe_train *tr, struct bpe_train_stats *st)
{
	*st = tr->st;
	if (!tr->trained)
		st->words = tr->ws_used;
}

void bpe_train_free(struct bpe_train *tr)
{
	if (!tr)
		return;
	free(tr->pat_str);
	free(tr->pat_up);
	bpe_split_free(tr->sp);
	bpe_close(tr->t);
	free(tr->ws);
	free(tr->arena);
	free(tr->syms);
	free(tr->wo);
	free(tr->wl);
	free(tr->wc);
	free(tr->wstamp);
	for (uint32_t i = 0; i < tr->npairs; i++)
		free(tr->pairs[i].w);
	free(tr->pairs);
	free(tr->pmap);
	free(tr->heap);
	free(tr->touched);
	free(tr->blob);
	free(tr->tok_off);
	free(tr->tmap);
	free(tr);
}
