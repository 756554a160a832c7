/*
 * fuzz_extract.c: libFuzzer target for crawl/extract (and the charset step
 * in front of it, as the crawler runs them).  The first byte picks small
 * limits sometimes, so the caps are exercised too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/charset.h"
#include "../../crawl/extract.h"
#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_opts o;
	struct extract_result r;
	struct sl_err err;
	struct buf u;
	char label[CHARSET_LABEL_MAX];
	unsigned knob = size ? data[0] : 0;

	extract_opts_init(&o);
	if (knob & 1) {
		o.max_text = 64 + (knob >> 1);
		o.max_depth = 1 + (knob >> 3);
		o.max_links = knob & 7;
		o.max_attr = 1 + (knob >> 4);
	}
	buf_init(&u, 1 << 22);
	charset_detect((const char *)data, size, NULL, label, sizeof(label));
	if (charset_to_utf8((const char *)data, size, label, &u, NULL, &err) < 0)
		abort();
	if (!utf8_valid(u.data ? u.data : "", u.len))
		abort();
	extract_result_init(&r);
	if (!extract_html(u.data ? u.data : "", u.len, &o, &r, &err)) {
		if (!utf8_valid(r.text.data ? r.text.data : "", r.text.len))
			abort();
		if (r.text.len > o.max_text || r.nlinks > o.max_links)
			abort();
		for (size_t i = 0; i < r.nlinks; i++)
			if (!r.links[i].href || strlen(r.links[i].href) > o.max_attr)
				abort();
	}
	extract_result_release(&r);
	buf_release(&u);
	return 0;
}
