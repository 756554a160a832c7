/*
 * fuzz_jsonscan.c: the JSON scanner alone, in memory (fast: no files).
 * Properties: no crash; on success every member span lies inside the input
 * and every decoded string of valid UTF-8 input is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../lib/buf.h"
#include "../../lib/jsonscan.h"
#include "../../lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	int valid = utf8_valid(p, size);
	struct jscan js;
	struct buf s;

	jscan_init(&js);
	buf_init(&s, 0);
	if (jscan_object(&js, p, size) == 0) {
		for (size_t i = 0; i < js.n; i++) {
			const struct jmember *m = &js.m[i];

			if (m->key.p < p || m->val.p + m->val.n > p + size)
				abort();
			buf_reset(&s);
			if (m->type == J_STR && jscan_string(m->val, &s, NULL))
				abort();
			if (valid && !utf8_valid(s.data ? s.data : "", s.len))
				abort();
		}
	} else if (!js.error || js.column == 0 || js.column > size + 1) {
		abort();
	}
	buf_release(&s);
	jscan_release(&js);
	return 0;
}
