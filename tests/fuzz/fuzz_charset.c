/*
 * fuzz_charset.c: libFuzzer target for crawl/charset.  Input layout: one
 * byte choosing a label from a fixed list (or none: detect), then a
 * Content-Type line up to the first newline, then the body.  Whatever the
 * bytes, the output must be valid UTF-8 under the cap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/charset.h"
#include "../../lib/buf.h"
#include "../../lib/err.h"
#include "../../lib/utf8.h"

static const char *const labels[] = {
	"utf-8", "windows-1252", "gbk", "big5", "shift_jis", "euc-jp",
	"iso-2022-jp", "euc-kr", "utf-16le", "utf-16be", "koi8-r",
	"iso-8859-2", "windows-1251", "x-mac-cyrillic", "windows-874",
};
#define NLABELS (sizeof(labels) / sizeof(labels[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char label[CHARSET_LABEL_MAX], ct[256];
	const char *body, *nl;
	size_t n, ctlen;
	struct buf out;
	struct sl_err err;
	size_t nrepl = 0;
	int rc;

	if (!size)
		return 0;
	body = (const char *)data + 1;
	n = size - 1;
	nl = memchr(body, '\n', n);
	ctlen = nl ? (size_t)(nl - body) : 0;
	if (ctlen >= sizeof(ct))
		ctlen = sizeof(ct) - 1;
	memcpy(ct, body, ctlen);
	ct[ctlen] = '\0';
	if (nl) {
		n -= (size_t)(nl + 1 - body);
		body = nl + 1;
	}
	charset_detect(body, n, nl ? ct : NULL, label, sizeof(label));
	if (!charset_canonical(label))
		abort();
	if (data[0] < NLABELS)
		snprintf(label, sizeof(label), "%s", labels[data[0]]);
	buf_init(&out, 1 + (data[0] & 1 ? 1000 : 1 << 20));
	rc = charset_to_utf8(body, n, label, &out, &nrepl, &err);
	if (rc < 0 || out.len > out.cap ||
	    !utf8_valid(out.data ? out.data : "", out.len))
		abort();
	buf_release(&out);
	return 0;
}
