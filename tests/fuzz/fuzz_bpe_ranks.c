/*
 * fuzz_bpe_ranks.c: the .tiktoken rank-file parser on any bytes: it either
 * fails with a message or builds tables in which every rank's bytes look
 * up to that rank.  Seeds: tests/fuzz/corpus/bpe_ranks/.
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
		for (uint32_t r = 0; r < t.n_ranks; r++)
			if (rank_of(&t, t.blob + t.tok_off[r],
				    t.tok_off[r + 1] - t.tok_off[r]) != r)
				abort();
	} else if (!err.msg[0]) {
		abort();
	}
	free(t.blob);
	free(t.tok_off);
	free(t.slots);
	free(t.rank2);
	return 0;
}
