/*
 * fuzz_rules.c: the rule-file parser on arbitrary bytes, then every rule
 * it accepted run over the same bytes (repaired to valid UTF-8), as the
 * rules stage would run it on a document.  Word lists may only name the
 * built-in lists (dir NULL): no file access.  Low PCRE2 limits keep each
 * run short; a limit error is an answer, not a failure.
 * Properties: no crash or sanitizer report; a failed parse leaves a
 * message; every counted span lies inside the text.
 *
 * Build (from the top of the tree, after `make build-fuzz/libsluice.a` as
 * `make fuzz` does), or link against build/libsluice.a for the replay.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filter/rulefile.h"
#include "../../filter/wordset.h"
#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset rs;
	struct rulefile_scratch sc;
	struct sl_err err = { "" };
	struct buf text, spans;

	ruleset_init(&rs, 20000, 2000);
	if (rulefile_parse(&rs, (const char *)data, size, "fuzz", NULL,
			   &err)) {
		if (!err.msg[0])
			abort();
		ruleset_release(&rs);
		return 0;
	}
	buf_init(&text, 0);
	buf_init(&spans, 0);
	if (utf8_repair((const char *)data, size, &text, NULL) ||
	    rulefile_scratch_init(&sc, &rs))
		abort();
	for (size_t i = 0; i < rs.n; i++) {
		long c;

		buf_reset(&spans);
		c = rulefile_count(&rs.r[i], &sc, text.data ? text.data : "",
				   text.len, 1, 100, &spans, &err);
		for (size_t k = 0; c > 0 && k < spans.len / sizeof(struct wordset_span); k++) {
			const struct wordset_span *s =
				(const struct wordset_span *)spans.data + k;

			if (s->off > text.len || s->len > text.len - s->off)
				abort();
		}
	}
	rulefile_scratch_release(&sc);
	buf_release(&spans);
	buf_release(&text);
	ruleset_release(&rs);
	return 0;
}
