/*
 * bpe.h: byte-level BPE tokenizer, token-for-token identical to OpenAI's
 * tiktoken (r50k_base a.k.a. gpt2, cl100k_base, o200k_base).
 *
 * Encoding follows tiktoken exactly:
 *   1. (with BPE_ALLOW_SPECIAL only) the text is cut at each occurrence of a
 *      special token ("<|endoftext|>"...), which becomes its id;
 *   2. each remaining segment is split into pieces by the encoding's regex
 *      (hand-run on ASCII for the built-in patterns, PCRE2 JIT elsewhere),
 *      made to match as tiktoken's Rust regex crate does:
 *      \s is Unicode White_Space (so U+0085 is a space), and \p{L},
 *      \p{N}... include what Unicode 15.0-16.0 added (PCRE2 10.42 has
 *      Unicode 14.0);
 *   3. a piece that is itself a token is that token; otherwise its bytes are
 *      merged pairwise, lowest rank first, leftmost on ties.  The merge loop
 *      is O(n log n) (a heap over adjacent pairs), so a 100 kB piece with
 *      nothing to split on costs milliseconds, not tiktoken's seconds;
 *      pieces with non-ASCII bytes are merged character by character
 *      where neighbours provably merge apart (bpe.c's "chain merge").
 * Without BPE_ALLOW_SPECIAL, "<|endoftext|>" inside a document is ordinary
 * text (a document must never inject a boundary).  Bytes that are not valid
 * UTF-8 still encode (as byte tokens and their merges), so
 * bpe_decode(bpe_encode(x)) == x for every byte string x.
 *
 * Threads: a struct bpe is read-only after bpe_open(); any number of threads
 * may encode with it at once, each with its own struct bpe_scratch (regex
 * match data, JIT stack, merge arrays grown on demand and reused, so the
 * hot loop does not allocate; about 1.5 MB of caches: recent rank lookups,
 * characters, neighbour verdicts and short spans, emptied when the scratch
 * moves to another tokenizer).
 *
 *   struct bpe *t;  struct bpe_scratch *s;  struct ids v;  struct sl_err e;
 *   if (bpe_open(&t, "cl100k_base", &e)) die(e.msg);
 *   s = bpe_scratch_new();           // one per thread
 *   ids_init(&v);
 *   bpe_encode(t, s, text, len, 0, &v, &e);   // appends to v
 *   ids_release(&v); bpe_scratch_free(s); bpe_close(t);
 */
#ifndef SL_BPE_H
#define SL_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

struct buf;
struct sl_err;
struct bpe;
struct bpe_scratch;

enum {
	BPE_ALLOW_SPECIAL = 1,	/* special-token text becomes its id */
};

#define BPE_NO_ID UINT32_MAX

/*
 * Open a tokenizer: a built-in name ("cl100k_base", "o200k_base",
 * "r50k_base", "gpt2"; embedded in the binary, no file needed), or the path
 * of a .tiktoken rank file ("base64 rank" lines, ranks dense 0..N-1, every
 * single byte present) with a .json beside it (same name, .json instead of
 * .tiktoken) giving the regex ("pat_str_upstream" if present, else
 * "pat_str"), "special_tokens" {"<|endoftext|>": id, ...} (optional) and
 * "explicit_n_vocab" (optional).  Takes about 25 ms for o200k_base.
 * Free with bpe_close().
 */
int bpe_open(struct bpe **out, const char *name_or_path, struct sl_err *err);
/* The same from memory: a .tiktoken file's bytes and its .json's (both
 * borrowed for the call; e.g. a tokenizer stored in a model file).  name
 * is used in messages and bpe_name(). */
int bpe_open_mem(struct bpe **out, const char *name, const char *ranks,
		 size_t ranks_len, const char *json, size_t json_len,
		 struct sl_err *err);
void bpe_close(struct bpe *t);

/* The name given to bpe_open() (a built-in name or the path). */
const char *bpe_name(const struct bpe *t);
/* The SHA-256 (hex) of the rank file: the embedded one for built-in
 * names (tiktoken's expected_hash), else the file's.  0, or -1 with err. */
int bpe_ranks_sha256(const struct bpe *t, char out[65], struct sl_err *err);

/* Names bpe_open() accepts without a file, comma-separated. */
const char *bpe_builtin_names(void);

/* One more than the largest id (ordinary or special): tiktoken's n_vocab.
 * cl100k_base: 100277, o200k_base: 200019, r50k_base: 50257. */
uint32_t bpe_vocab_size(const struct bpe *t);
/* The id of "<|endoftext|>", or BPE_NO_ID when the encoding has none. */
uint32_t bpe_eot_id(const struct bpe *t);

/* Bytes of token id (ordinary or special) in *p, *len; -1 when no token
 * has that id (ids in gaps such as cl100k_base's 100256). */
int bpe_token_bytes(const struct bpe *t, uint32_t id, const char **p,
		    size_t *len);
/* The id whose bytes are exactly p[0..len) (ordinary tokens first, then
 * special tokens), or BPE_NO_ID. */
uint32_t bpe_token_id(const struct bpe *t, const void *p, size_t len);

/* Per-thread working memory; NULL when out of memory.  Usable with any
 * struct bpe, by one thread at a time. */
struct bpe_scratch *bpe_scratch_new(void);
void bpe_scratch_free(struct bpe_scratch *s);

/*
 * Append the ids of text[0..len) to out.  flags: BPE_ALLOW_SPECIAL or 0.
 * s may be NULL (a temporary scratch is then made for this call).
 * Returns 0, or -1 with a message (out of memory, regex match limit); on
 * failure out->len is back where it was.
 */
int bpe_encode(const struct bpe *t, struct bpe_scratch *s, const char *text,
	       size_t len, unsigned flags, struct ids *out, struct sl_err *err);

/*
 * Where text[0..len) may be cut so that encoding the two parts apart gives
 * the ids of encoding it whole (for streaming big inputs): the last such
 * offset (0 < cut < len), or 0 when there is none or the tokenizer's regex
 * is not a built-in one.  Cuts fall right after a "\n" that follows an
 * ASCII non-space byte and precedes an ASCII letter or digit; true with or
 * without BPE_ALLOW_SPECIAL.
 */
size_t bpe_safe_cut(const struct bpe *t, const char *text, size_t len);

/* Append the bytes of ids[0..n) to out.  Returns 0, or -1 with a message
 * (unknown id, buffer cap reached). */
int bpe_decode(const struct bpe *t, const uint32_t *ids, size_t n,
	       struct buf *out, struct sl_err *err);

#endif
