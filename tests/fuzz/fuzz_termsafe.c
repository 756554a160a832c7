/*
 * fuzz_termsafe.c: the terminal sanitizer on arbitrary bytes.
 *
 * Input: the first byte picks the flags (bit 0: TERMSAFE_LINE), the rest
 * is the text.  Besides crashes and sanitizer reports it checks the
 * contract of label/termsafe.h on the output, then wraps it at a width
 * taken from the input and checks the lines:
 * - valid UTF-8, attr as long as text, attr bytes 0 or 1;
 * - no byte below 0x20 except '\n' (none in one-line mode), no 0x7f, no C1
 *   code point, no bidi or zero-width character, nothing termsafe_hidden();
 * - wrapped lines are in order, inside the text, hold no '\n', and are no
 *   wider than the width unless they hold one character.
 *
 * Build and run: `make fuzz` (tests/fuzz/run.sh), with termsafe.dict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../label/termsafe.h"
#include "../../label/wrap.h"
#include "../../lib/utf8.h"

static void check_text(const struct termsafe *ts, unsigned flags)
{
	const char *s = ts->text.data;
	size_t n = ts->text.len, i = 0, len;

	if (ts->attr.len != n || !utf8_valid(s, n))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)ts->attr.data[i] > TERMSAFE_ESC)
			abort();
	i = 0;
	while (i < n) {
		int cp = utf8_decode(s + i, n - i, &len);

		if (cp == '\n') {
			if (flags & TERMSAFE_LINE)
				abort();
		} else if (cp < 0x20 || cp == 0x7f ||
			   (cp >= 0x80 && cp <= 0x9f) ||
			   (cp >= 0x202a && cp <= 0x202e) ||
			   (cp >= 0x2066 && cp <= 0x2069) ||
			   (cp >= 0x200b && cp <= 0x200f) || cp == 0x061c ||
			   cp == 0x2060 || cp == 0xfeff || termsafe_hidden(cp)) {
			abort();
		}
		i += len;
	}
}

static void check_wrap(const struct termsafe *ts, int width)
{
	struct wrap w;
	size_t pos = 0;

	wrap_init(&w);
	if (wrap_text(&w, ts->text.data, ts->text.len, width))
		abort();
	for (size_t i = 0; i < w.n; i++) {
		const struct wrap_line *l = &w.lines[i];
		const char *p = ts->text.data + l->off;

		if (l->off < pos || l->off + l->len > ts->text.len)
			abort();
		if (memchr(p, '\n', l->len))
			abort();
		if ((size_t)l->cols != wrap_strwidth(p, l->len))
			abort();
		if (l->cols > width && utf8_count(p, l->len) > 1 &&
		    wrap_strwidth(p, l->len) > 2)
			abort();
		pos = l->off + l->len;
	}
	wrap_release(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct termsafe ts;
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0] & 1 ? TERMSAFE_LINE : 0;
	termsafe_init(&ts, 1 << 24);
	if (termsafe_clean(&ts, (const char *)data + 1, size - 1, flags))
		abort();
	check_text(&ts, flags);
	check_wrap(&ts, 1 + data[0] / 2 % 100);
	termsafe_release(&ts);
	return 0;
}
