/*
 * bpe_split.h: the pre-tokenization step of a BPE tokenizer alone: cut a
 * text into the pieces its regex finds, exactly as bpe_encode() does
 * before merging (the BPE trainer counts these pieces).
 *
 * Pieces cover the text back to back: regex matches, and between them the
 * bytes no alternative matched (invalid UTF-8) as pieces of their own.
 * Special-token text is ordinary text here (as bpe_encode() without
 * BPE_ALLOW_SPECIAL).
 *
 *   struct bpe_split *sp = bpe_split_new(t);     // t outlives sp
 *   bpe_split_run(sp, text, len, fn, ctx, &err); // fn(ctx, p, n) a piece
 *   bpe_split_free(sp);
 *
 * One struct bpe_split per thread; t is only read.
 */
#ifndef SL_BPE_SPLIT_H
#define SL_BPE_SPLIT_H

#include <stddef.h>

struct bpe;
struct bpe_split;
struct sl_err;

/* Called for each piece; a non-zero return stops bpe_split_run(), which
 * then returns -1 (the callback fills err). */
typedef int (*bpe_piece_fn)(void *ctx, const char *p, size_t n,
			    struct sl_err *err);

/* NULL when out of memory. */
struct bpe_split *bpe_split_new(const struct bpe *t);
void bpe_split_free(struct bpe_split *sp);

/* 0, or -1 with a message (regex match limit, or from fn). */
int bpe_split_run(struct bpe_split *sp, const char *text, size_t len,
		  bpe_piece_fn fn, void *ctx, struct sl_err *err);

#endif
