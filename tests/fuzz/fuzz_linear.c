/*
 * fuzz_linear.c: libFuzzer target for the linear model loader.
 *
 * Any input must be refused with a message or accepted; an accepted model
 * must score texts (Latin, Chinese, empty, invalid UTF-8) to finite
 * probabilities that sum to 1.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/err.h"
#include "../../model/linear.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[] = { "hello world, hello", "我们是朋友",
					     "", "\xff\xfe x", "a b c d e f" };
	struct linear *m;
	struct sl_err err;
	float p[LINEAR_MAX_LABELS];

	if (linear_parse_mem(&m, data, size, "fuzz", &err)) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		double sum = 0;

		linear_score(m, texts[i], strlen(texts[i]), p);
		for (size_t k = 0; k < linear_nlabels(m); k++) {
			if (!isfinite(p[k]) || p[k] < 0)
				abort();
			sum += p[k];
		}
		if (fabs(sum - 1) > 1e-3)
			abort();
	}
	linear_free(m);
	return 0;
}
