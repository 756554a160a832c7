/*
 * fuzz_sitemap.c: sitemap parsing (crawl/sitemap.c) on arbitrary bytes,
 * raw or gzip'd (inputs starting 1f 8b are inflated first).
 *
 * Besides crashes and sanitizer reports, every <loc> handed to the
 * callback must be a NUL-terminated string without leading or trailing
 * blanks, and the count returned must equal the callbacks made.
 *
 * Build and run (from the top of the tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     $(pkg-config --cflags libxml-2.0) tests/fuzz/fuzz_sitemap.c \
 *     crawl/sitemap.c lib/buf.c lib/err.c \
 *     $(pkg-config --libs libxml-2.0 zlib) -o /tmp/fuzz_sitemap
 *   /tmp/fuzz_sitemap -max_total_time=120 tests/fuzz/corpus/sitemap
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/sitemap.h"
#include "../../lib/err.h"

static int calls;

static int on_loc(void *arg, const char *loc, int is_index)
{
	size_t n = strlen(loc);

	(void)arg;
	(void)is_index;
	if (!n || loc[0] == ' ' || loc[0] == '\n' || loc[n - 1] == ' ' ||
	    loc[n - 1] == '\n')
		abort();
	calls++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sl_err err;
	int n;

	calls = 0;
	n = sitemap_parse((const char *)data, size, on_loc, NULL, 1000, &err);
	if (n >= 0 && n != calls)
		abort();
	return 0;
}
