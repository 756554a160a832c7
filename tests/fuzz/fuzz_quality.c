/*
 * fuzz_quality.c: the quality and lang stages (and textstats under them)
 * on arbitrary text, repaired to valid UTF-8 as the store guarantees.
 * The stages are opened once (textcat takes ~15 ms to load); each input
 * runs as an English and as a Chinese document.
 * Properties: no crash or sanitizer report; apply() succeeds; a rewrite
 * (C4's line removal) is valid UTF-8 and never longer than the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filter/options.h"
#include "../../filter/stage.h"
#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/utf8.h"

extern const struct stage_ops stage_quality, stage_lang;

struct opened {
	const struct stage_ops *ops;
	void *state, *scratch;
};

static void open_once(struct opened *o, const struct stage_ops *ops)
{
	static char conf[16384];
	struct sl_err err;

	if (o->ops)
		return;
	o->ops = ops;
	if (stage_conf_defaults(ops, conf, &err) ||
	    ops->open(&o->state, conf, &err))
		abort();
	o->scratch = ops->scratch_new(o->state);
	if (!o->scratch)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct opened q, l;
	static const char *const langs[] = { "en", "zh" };
	struct buf text;
	struct stage_out out;
	struct sl_err err;

	open_once(&q, &stage_quality);
	open_once(&l, &stage_lang);
	buf_init(&text, 0);
	if (utf8_repair((const char *)data, size, &text, NULL))
		abort();
	stage_out_init(&out);
	for (int i = 0; i < 3; i++) {
		struct stage_doc d = { 1, "fuzz", text.data ? text.data : "",
				       text.len, NULL, "fuzz",
				       i < 2 ? langs[i] : NULL };
		const struct opened *o = i < 2 ? &q : &l;

		stage_out_reset(&out);
		if (o->ops->apply(o->state, o->scratch, &d, &out, &err))
			abort();
		if (out.rewrite && (out.text.len > text.len ||
				    !utf8_valid(out.text.data ? out.text.data : "",
						out.text.len)))
			abort();
	}
	stage_out_release(&out);
	buf_release(&text);
	return 0;
}
