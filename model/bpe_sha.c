/*
 * bpe_sha.c: the SHA-256 of a tokenizer's rank file, for export manifests
 * (the same digest tiktoken's registry pins as expected_hash).
 */
#include <string.h>

#include "bpe.h"
#include "bpe_int.h"
#include "../lib/err.h"
#include "../lib/sha256.h"
#include "../lib/banned.h"

int bpe_ranks_sha256(const struct bpe *t, char out[65], struct sl_err *err)
{
	struct bpe_data d;
	struct sha256 c;

	if (bpe_data_find(bpe_name(t), &d) == 0) {
		sha256_init(&c);
		sha256_update(&c, d.ranks, d.ranks_len);
		sha256_hex(&c, out);
		return 0;
	}
	if (sha256_file(bpe_name(t), out))
		return sl_error(err, "cannot read '%s':", bpe_name(t));
	return 0;
}
