/*
 * bpe_train.h: train a byte-level BPE tokenizer (GPT-2 / tiktoken style)
 * and write it as a tiktoken rank file that bpe_open() loads.
 *
 * Steps:
 *   1. every text given to bpe_train_add() is cut by the regex of a
 *      built-in encoding (cl100k_base, o200k_base, r50k_base) into pieces,
 *      which are counted in a hash table of at most max_words distinct
 *      pieces (when it fills, the rarest are dropped: see bpe_train.c);
 *   2. bpe_train_run() starts from the 256 bytes (ranks 0..255 in byte
 *      order) and repeatedly merges the most frequent adjacent pair of
 *      tokens over the counted pieces (ties: the lowest pair of ids) until
 *      the vocabulary has vocab - 1 tokens or no pair occurs min_frequency
 *      times;
 *   3. bpe_train_write() writes OUT.tiktoken ("base64 rank" lines, ranks
 *      dense) and OUT.json ("pat_str", "pat_str_upstream" when the
 *      encoding has one, "special_tokens" {"<|endoftext|>": last rank + 1},
 *      "explicit_n_vocab"), each atomically.
 * The same texts in the same order with the same options give
 * byte-identical files.
 *
 *   struct bpe_train_opts o;  struct bpe_train *tr;
 *   bpe_train_opts_default(&o); o.vocab = 32000;
 *   if (bpe_train_new(&tr, &o, &err)) ...
 *   for each document: bpe_train_add(tr, text, len, &err);
 *   bpe_train_run(tr, &err);
 *   bpe_train_write(tr, "out.tiktoken", &err);
 *   bpe_train_stats(tr, &stats);
 *   bpe_train_free(tr);
 */
#ifndef SL_BPE_TRAIN_H
#define SL_BPE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct sl_err;
struct bpe_train;
struct bpe;

struct bpe_train_opts {
	uint32_t vocab;		/* ids incl. the 256 bytes and <|endoftext|>;
				   >= 257 (default 32000) */
	const char *regex;	/* "cl100k" (default), "o200k", "r50k" or a
				   built-in encoding name */
	uint64_t min_frequency;	/* a pair merges only this often (default 2) */
	size_t max_words;	/* distinct pieces counted (default 2M) */
	size_t max_piece;	/* longer pieces are cut in parts of at most
				   this many bytes (default 64) */
	const struct bpe *base;	/* the regex's built-in encoding, already
				   open, to borrow its pre-split from (not
				   owned; must outlive the trainer), or NULL
				   (default) to open it: callers that train
				   many times open it once */
};

struct bpe_train_stats {
	uint64_t texts, bytes, pieces;	/* given to bpe_train_add() */
	uint64_t words;			/* distinct pieces trained on */
	uint64_t prunes;		/* times the count table was pruned */
	uint32_t merges;		/* merges done */
	uint32_t vocab;			/* ids written, incl. the special */
};

void bpe_train_opts_default(struct bpe_train_opts *o);

/* The built-in encoding name of a --regex value, or NULL. */
const char *bpe_train_encoding(const char *regex);

int bpe_train_new(struct bpe_train **out, const struct bpe_train_opts *o,
		  struct sl_err *err);
/* Count the pieces of text[0..len). */
int bpe_train_add(struct bpe_train *tr, const char *text, size_t len,
		  struct sl_err *err);
/* Learn the merges (once, after the last bpe_train_add()). */
int bpe_train_run(struct bpe_train *tr, struct sl_err *err);
/* path must end in ".tiktoken"; the .json goes beside it. */
int bpe_train_write(struct bpe_train *tr, const char *path,
		    struct sl_err *err);
/* The same two files' contents into buffers (appended), for callers that
 * keep the tokenizer inside another file (the encoder model). */
int bpe_train_dump(struct bpe_train *tr, struct buf *ranks, struct buf *json,
		   struct sl_err *err);
void bpe_train_stats(const struct bpe_train *tr, struct bpe_train_stats *st);
void bpe_train_free(struct bpe_train *tr);

#endif
