/*
 * fuzz_bpe_train.c: properties of the BPE trainer on any bytes.
 *   - training never fails on any text (invalid UTF-8 included), with any
 *     regex, tiny count tables (pruning) and tiny piece caps;
 *   - the tokenizer it dumps loads back through bpe_open_mem() with
 *     exactly the vocabulary size it reported, <|endoftext|> last;
 *   - decode(encode(x)) == x for every text it was trained on.
 * Input: byte 0 picks the regex and the caps, the rest is documents
 * separated by NUL bytes.  Seeds: tests/fuzz/corpus/bpe_train/.
 * The three base encodings are opened once (o.base): opening one costs
 * far more than a small training run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../model/bpe.h"
#include "../../model/bpe_train.h"

static struct bpe *base[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const re[3] = { "cl100k", "o200k", "r50k" };
	struct bpe_train_opts o;
	struct bpe_train_stats st;
	struct bpe_train *tr;
	struct bpe *t;
	struct sl_err err;
	struct ids v;
	struct buf out, ranks, json;
	const char *text = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (!size)
		return 0;
	bpe_train_opts_default(&o);
	o.regex = re[data[0] % 3];
	if (!base[data[0] % 3] &&
	    bpe_open(&base[data[0] % 3], bpe_train_encoding(o.regex), &err))
		abort();
	o.base = base[data[0] % 3];
	o.vocab = 257 + (data[0] >> 2) * 4;
	o.max_words = 16 + (data[0] & 3) * 8;
	o.max_piece = 4 + (data[0] >> 4);
	o.min_frequency = 1 + (data[0] & 1);
	if (bpe_train_new(&tr, &o, &err))
		abort();
	for (size_t i = 0; i < n;) {
		const char *z = memchr(text + i, 0, n - i);
		size_t len = z ? (size_t)(z - text) - i : n - i;

		if (bpe_train_add(tr, text + i, len, &err))
			abort();
		i += len + 1;
	}
	buf_init(&ranks, 0);
	buf_init(&json, 0);
	if (bpe_train_run(tr, &err) || bpe_train_dump(tr, &ranks, &json, &err))
		abort();
	bpe_train_stats(tr, &st);
	bpe_train_free(tr);
	if (bpe_open_mem(&t, "fuzz", ranks.data, ranks.len, json.data,
			 json.len, &err))
		abort();
	buf_release(&ranks);
	buf_release(&json);
	if (bpe_vocab_size(t) != st.vocab || bpe_eot_id(t) != st.vocab - 1 ||
	    st.vocab > o.vocab)
		abort();
	ids_init(&v);
	buf_init(&out, 0);
	if (bpe_encode(t, NULL, text, n, 0, &v, &err) ||
	    bpe_decode(t, v.v, v.len, &out, &err) || out.len != n ||
	    (n && memcmp(out.data, text, n)))
		abort();
	ids_release(&v);
	buf_release(&out);
	bpe_close(t);
	return 0;
}
