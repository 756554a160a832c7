/*
 * fuzz_pii.c: the pii stage's scanners on arbitrary text (repaired to
 * valid UTF-8, as the store guarantees), in both placeholder styles.
 * Properties: no crash or sanitizer report; the rewritten text is valid
 * UTF-8, holds as many placeholders as the counts say (when the input
 * held none), and a document without matches is not rewritten.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filter/options.h"
#include "../../filter/stage.h"
#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/utf8.h"

extern const struct stage_ops stage_pii;

/* Occurrences of s in p[0..n) (the text may hold NUL bytes). */
static size_t count_sub(const char *p, size_t n, const char *s)
{
	const char *e = p + n;
	size_t c = 0, k = strlen(s);

	while ((p = memmem(p, (size_t)(e - p), s, k))) {
		c++;
		p += k;
	}
	return c;
}

static void run(const struct buf *text, const char *style)
{
	static const char *const ph[] = { "<EMAIL>", "<IP>", "<PHONE>",
					  "<CARD>" };
	char conf[4096];
	struct sl_err err;
	struct stage_out out;
	struct stage_doc d = { 1, "fuzz", text->data ? text->data : "",
			       text->len, NULL, "fuzz", NULL };
	void *state, *scratch;
	size_t before = 0, after = 0;

	if (stage_conf_defaults(&stage_pii, conf, &err) ||
	    stage_conf_set(&stage_pii, conf, "style", style, &err) ||
	    stage_pii.open(&state, conf, &err))
		abort();
	scratch = stage_pii.scratch_new(state);
	stage_out_init(&out);
	stage_out_reset(&out);
	if (stage_pii.apply(state, scratch, &d, &out, &err))
		abort();
	if (out.score == 0 && out.rewrite)
		abort();
	if (out.rewrite) {
		if (!utf8_valid(out.text.data, out.text.len))
			abort();
		if (!strcmp(style, "angle") && !memchr(d.text, '<', d.len)) {
			for (size_t i = 0; i < 4; i++) {
				before += count_sub(d.text, d.len, ph[i]);
				after += count_sub(out.text.data, out.text.len,
						   ph[i]);
			}
			if (after - before != (size_t)out.score)
				abort();
		}
	}
	stage_out_release(&out);
	stage_pii.scratch_free(scratch);
	stage_pii.close(state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf text;

	buf_init(&text, 0);
	if (utf8_repair((const char *)data, size, &text, NULL))
		abort();
	run(&text, "angle");
	run(&text, "dolma");
	buf_release(&text);
	return 0;
}
