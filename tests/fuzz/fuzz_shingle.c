/* Fuzz target: shingle_text on arbitrary bytes (invalid UTF-8, odd
 * Unicode), then a signature of the result.  The first byte picks the
 * n-gram sizes so short and long windows are both exercised.  Checks the
 * invariants: the set is sorted and unique, and no larger than the token
 * count. */
#include <stdint.h>
#include <stdlib.h>

#include "../../filter/minhash.h"
#include "../../filter/shingle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shingle_set s;
	static struct minhash mh;
	static int ready;
	struct shingle_opts o = SHINGLE_OPTS_INIT;
	uint64_t sig[16];
	long n;
	size_t i;

	if (!ready) {
		shingle_init(&s);
		if (minhash_init(&mh, 16, 4, 4, 1, NULL))
			abort();
		ready = 1;
	}
	if (size > 0) {
		o.word_n = 1 + data[0] % 8;
		o.char_n = 1 + (data[0] >> 3) % 8;
		data++;
		size--;
	}
	n = shingle_text(&s, &o, (const char *)data, size, NULL);
	if (n < 0 || (size_t)n != s.n || s.n > s.ntok || s.nchar > s.ntok)
		abort();
	if (s.ntok > 0 && s.n == 0)
		abort();
	for (i = 1; i < s.n; i++)
		if (s.h[i - 1] >= s.h[i])
			abort();
	minhash_signature(&mh, s.h, s.n, sig);
	return 0;
}
