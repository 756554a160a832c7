/*
 * fuzz_encoder.c: libFuzzer target for the encoder model loader.
 *
 * Any input must be refused with a message or opened; an opened model
 * must score a few texts (empty, ASCII, Chinese, longer than its max_len)
 * to probabilities that sum to 1 (or are NaN only if the weights are:
 * the file's floats are not checked for finiteness).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/err.h"
#include "../../model/encoder.h"
#include "../../model/encoder_int.h"
#include "../../model/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[] = {
		"", "hi", "\xe4\xbd\xa0\xe5\xa5\xbd",
		"a longer text that needs several windows of tokens"
	};
	size_t lens[4];
	struct safetensors *st;
	struct encoder *m;
	struct sl_err err;
	float *p;

	if (safetensors_parse_mem(&st, data, size, "fuzz", &err))
		return 0;
	if (enc_open_st(&m, st, "fuzz", 1, &err))
		return 0;
	/* A big but valid model would only make the fuzzer slow. */
	if (enc_nparams(&m->cfg) > 1000000) {
		encoder_close(m);
		return 0;
	}
	for (int i = 0; i < 4; i++)
		lens[i] = strlen(texts[i]);
	p = malloc(4 * encoder_nlabels(m) * sizeof(float));
	if (!p)
		abort();
	if (!encoder_score(m, texts, lens, 4, p, &err))
		for (size_t i = 0; i < 4; i++) {
			float sum = 0;

			for (size_t k = 0; k < encoder_nlabels(m); k++)
				sum += p[i * encoder_nlabels(m) + k];
			if (!isnan(sum) && fabsf(sum - 1.0f) > 1e-3f)
				abort();
		}
	free(p);
	encoder_close(m);
	return 0;
}
