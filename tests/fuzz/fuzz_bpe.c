/*
 * fuzz_bpe.c: properties of the tokenizer on any bytes.
 *   - decode(encode(x)) == x, with and without BPE_ALLOW_SPECIAL, for
 *     cl100k_base, o200k_base and r50k_base (the first byte picks one);
 *   - the heap merge and tiktoken's scan give the same tokens for any
 *     short piece, the chain merge and the heap merge for any piece
 *     (all reached by including bpe.c);
 *   - the fast regex (no Unicode 16.0 additions) and the exact one split
 *     alike whenever needs_exact() says the fast one may be used;
 *   - the hand-run ASCII split (bpe_ascii.c) agrees with PCRE2 alone;
 *   - encoding in two parts cut at bpe_safe_cut() gives the same ids.
 * Seeds: tests/fuzz/corpus/bpe/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../model/bpe.c"

static struct bpe *enc[3];
static struct bpe_scratch *scratch;

/* The scratch's caches hold t's answers (bpe_encode() does this). */
static int scratch_memo_for(const struct bpe *t)
{
	if (scratch->memo_for != t) {
		scratch_forget(scratch);
		scratch->memo_for = t;
	}
	return 0;
}

static void setup(void)
{
	static const char *names[3] = { "cl100k_base", "o200k_base",
					 "r50k_base" };
	struct sl_err err;

	for (int i = 0; i < 3; i++)
		if (bpe_open(&enc[i], names[i], &err))
			abort();
	scratch = bpe_scratch_new();
	if (!scratch)
		abort();
}

/* Equal id lists; empty lists may have no memory at all (memcmp on NULL is
 * undefined even for 0 bytes). */
static int same_ids(const struct ids *a, const struct ids *b)
{
	return a->len == b->len &&
	       (!a->len || !memcmp(a->v, b->v, a->len * sizeof(*a->v)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ids v, w;
	struct buf b;
	struct sl_err err;
	const struct bpe *t;

	if (!scratch)
		setup();
	if (size == 0)
		return 0;
	t = enc[data[0] % 3];
	data++;
	size--;
	if (size == 0)	/* no text: v.v stays NULL, which memcmp may not get */
		return 0;
	ids_init(&v);
	ids_init(&w);
	buf_init(&b, 0);
	for (unsigned flags = 0; flags <= BPE_ALLOW_SPECIAL; flags++) {
		ids_reset(&v);
		buf_reset(&b);
		if (bpe_encode(t, scratch, (const char *)data, size, flags, &v,
			       &err))
			abort();
		if (bpe_decode(t, v.v, v.len, &b, &err))
			abort();
		if (b.len != size || (size && memcmp(b.data, data, size)))
			abort();
	}
	{	/* the hand-run ASCII split agrees with PCRE2 alone */
		struct bpe *m = enc[data[-1] % 3];
		int kind = m->ascii;

		ids_reset(&v);
		ids_reset(&w);
		if (encode_ordinary(m, scratch, RE_EXACT, (const char *)data,
				    size, &v, &err))
			abort();
		m->ascii = BPE_ASCII_NONE;
		if (encode_ordinary(m, scratch, RE_EXACT, (const char *)data,
				    size, &w, &err))
			abort();
		m->ascii = kind;
		if (!same_ids(&v, &w))
			abort();
		ids_reset(&v);
		ids_reset(&w);
	}
	{	/* parts cut at bpe_safe_cut() encode to the ids of the whole */
		size_t cut = bpe_safe_cut(t, (const char *)data, size);

		if (cut) {
			ids_reset(&v);
			ids_reset(&w);
			if (bpe_encode(t, scratch, (const char *)data, size,
				       BPE_ALLOW_SPECIAL, &v, &err) ||
			    bpe_encode(t, scratch, (const char *)data, cut,
				       BPE_ALLOW_SPECIAL, &w, &err) ||
			    bpe_encode(t, scratch, (const char *)data + cut,
				       size - cut, BPE_ALLOW_SPECIAL, &w, &err))
				abort();
			if (!same_ids(&v, &w))
				abort();
			ids_reset(&w);
		}
	}
	if (!needs_exact(t, data, size)) {	/* then both regexes agree */
		ids_reset(&v);
		if (encode_ordinary(t, scratch, RE_EXACT, (const char *)data,
				    size, &v, &err) ||
		    encode_ordinary(t, scratch, RE_FAST, (const char *)data,
				    size, &w, &err))
			abort();
		if (!same_ids(&v, &w))
			abort();
		ids_reset(&w);
	}
	if (size >= 2 && size <= BPE_SMALL) {
		ids_reset(&v);
		if (merge_small(t, scratch, data, size, &v, NULL) ||
		    merge_heap(t, scratch, data, size, &w, NULL))
			abort();
		if (v.len != w.len || memcmp(v.v, w.v, v.len * sizeof(*v.v)))
			abort();
	}
	if (size >= 2) {	/* the chain merge is the plain merge */
		ids_reset(&v);
		ids_reset(&w);
		if (scratch_memo_for(t) || merge_chain(t, scratch, data, size,
						       &v) ||
		    merge_heap(t, scratch, data, size, &w, NULL))
			abort();
		if (!same_ids(&v, &w))
			abort();
	}
	ids_release(&v);
	ids_release(&w);
	buf_release(&b);
	return 0;
}
