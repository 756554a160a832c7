/*
 * bpe_split.c: a tokenizer's regex split on its own (see bpe_split.h).
 *
 * The same loop as bpe.c's encode_ordinary(), with the piece handed to a
 * callback instead of merged: ASCII runs are cut by the hand-run patterns
 * of bpe_ascii.c, everything else by the exact PCRE2 pattern (RE_EXACT,
 * the one with the Unicode 15-16 additions, so no per-text check of which
 * pattern is safe is needed; the trainer does not need the last 10%).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>

#include "bpe_int.h"
#include "bpe_split.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* As bpe.c's scratch: enough for the built-in patterns. */
#define SPLIT_JIT_STACK_MAX (4u << 20)

struct bpe_split {
	const struct bpe *t;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
};

struct bpe_split *bpe_split_new(const struct bpe *t)
{
	struct bpe_split *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->t = t;
	sp->md = pcre2_match_data_create(1, NULL);
	sp->mc = pcre2_match_context_create(NULL);
	sp->js = pcre2_jit_stack_create(32 * 1024, SPLIT_JIT_STACK_MAX, NULL);
	if (!sp->md || !sp->mc || !sp->js) {
		bpe_split_free(sp);
		return NULL;
	}
	pcre2_jit_stack_assign(sp->mc, NULL, sp->js);
	return sp;
}

void bpe_split_free(struct bpe_split *sp)
{
	if (!sp)
		return;
	pcre2_match_data_free(sp->md);
	pcre2_match_context_free(sp->mc);
	pcre2_jit_stack_free(sp->js);
	free(sp);
}

int bpe_split_run(struct bpe_split *sp, const char *text, size_t n,
		  bpe_piece_fn fn, void *ctx, struct sl_err *err)
{
	const struct bpe *t = sp->t;
	const pcre2_code *re = t->re[RE_EXACT];
	const uint8_t *u = (const uint8_t *)text;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sp->md);
	size_t pos = 0;

	while (pos < n) {
		size_t end = t->ascii ? bpe_ascii_match(t->ascii, u, pos, n) : 0;
		int rc;

		if (end) {
			if (fn(ctx, text + pos, end - pos, err))
				return -1;
			pos = end;
			continue;
		}
		rc = t->jit[RE_EXACT] ?
			pcre2_jit_match(re, u, n, pos, PCRE2_NOTEMPTY, sp->md,
					sp->mc) :
			pcre2_match(re, u, n, pos, PCRE2_NOTEMPTY, sp->md,
				    sp->mc);
		if (rc == PCRE2_ERROR_NOMATCH)
			return fn(ctx, text + pos, n - pos, err) ? -1 : 0;
		if (rc < 0) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(rc, msg, sizeof(msg));
			return sl_error(err, "cannot split text into pieces: %s",
					(char *)msg);
		}
		if (ov[0] > pos && fn(ctx, text + pos, ov[0] - pos, err))
			return -1;
		if (fn(ctx, text + ov[0], ov[1] - ov[0], err))
			return -1;
		pos = ov[1];
	}
	return 0;
}
