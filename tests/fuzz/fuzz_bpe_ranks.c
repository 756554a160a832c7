/*
 * fuzz_bpe_ranks.c: the .tiktoken rank-file parser on any bytes: it either
 * fails with a message or builds tables in which every rank's bytes look
 * up to that rank, and whose affix filters (bpe_affix.c) pass every
 * token's edges.  Seeds: tests/fuzz/corpus/bpe_ranks/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../model/bpe.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpe t;
	struct sl_err err;

	memset(&t, 0, sizeof(t));
	if (parse_ranks(&t, (const char *)data, size, &err) == 0) {
		for (uint32_t r = 0; r < t.n_ranks; r++) {
			const uint8_t *p = t.blob + t.tok_off[r];
			size_t n = t.tok_off[r + 1] - t.tok_off[r];

			if (rank_of(&t, p, n) != r)
				abort();
			/* the affix filters never miss a token's edges */
			for (size_t k = 1; k <= 4 && k < n; k++)
				if (!bpe_affix_has(&t, p, k, 0) ||
				    !bpe_affix_has(&t, p + n - k, k, 1) ||
				    (n - k <= 4 && !(bpe_affix_cont(&t, p, k) >>
					bpe_cont_bit(p + k, n - k) & 1)))
					abort();
			if (n >= 3 && !bpe_maybe_token(t.maybe, p, n))
				abort();
		}
	} else if (!err.msg[0]) {
		abort();
	}
	free(t.blob);
	free(t.tok_off);
	free(t.slots);
	free(t.rank2);
	free(t.affix2);
	free(t.affix);
	free(t.affix_cont);
	free(t.cont1);
	free(t.cont2);
	free(t.maybe);
	return 0;
}
