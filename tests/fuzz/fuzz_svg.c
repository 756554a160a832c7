/*
 * fuzz_svg.c: svg_escape() and the two chart shapes over arbitrary labels
 * (store strings: sources, reasons, hosts come from outside).
 * Properties: no crash; the output is valid UTF-8 and holds none of the
 * characters that would let a label escape its text or attribute: no raw
 * '<', '>', '"' or '\'' besides the markup we write, checked on
 * svg_escape's output directly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/svg.h"
#include "../../lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	const char *labels[3];
	double v[3] = { 1, 0, 1e300 };
	struct svg_chart c = {
		.id = "f", .title = "t", .n = 3, .labels = labels,
		.nseries = 1, .series = { { "s", v } }, .marker = 1,
		.marker_at = 1.5, .marker_label = "m",
	};
	struct buf b;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;	/* labels are C strings: up to the first NUL */
	buf_init(&b, 0);
	if (svg_escape(&b, s, size % 7) == 0) {
		if (!utf8_valid(b.data ? b.data : "", b.len))
			abort();
		for (size_t i = 0; i < b.len; i++)
			if (strchr("<>\"'", b.data[i]) ||
			    ((unsigned char)b.data[i] < 0x20))
				abort();
	}
	labels[0] = s;
	labels[1] = s + strlen(s) / 2;
	labels[2] = "";
	c.title = s;
	buf_reset(&b);
	if (svg_hbars(&b, &c) || !utf8_valid(b.data, b.len))
		abort();
	buf_reset(&b);
	if (svg_columns(&b, &c) || !utf8_valid(b.data, b.len))
		abort();
	buf_release(&b);
	free(s);
	return 0;
}
