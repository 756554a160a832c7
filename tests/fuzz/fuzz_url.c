/*
 * fuzz_url.c: URL resolution and normalisation on arbitrary bytes.
 *
 * Input: "base\nhref" (no newline: href alone, parsed as absolute).
 * Besides crashes and sanitizer reports it checks invariants:
 * - a result is at most URL_MAX bytes, starts with http:// or https://,
 *   and its path starts with '/';
 * - normalisation is idempotent: parsing a result gives the same string,
 *   host, origin and flags (the frontier dedups on this string);
 * - every URL is in scope of itself under every scope.
 *
 * Build and run (from the top of the tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_url.c \
 *     crawl/url.c lib/buf.c lib/err.c $(pkg-config --libs libutf8proc) -o /tmp/fuzz_url
 *   /tmp/fuzz_url -max_total_time=120 tests/fuzz/corpus/url
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/url.h"

static void check(const struct url *u)
{
	struct url again = URL_INIT;

	if (strlen(url_str(u)) != u->len || u->len > URL_MAX)
		abort();
	if (strncmp(url_str(u), "http://", 7) && strncmp(url_str(u),
							 "https://", 8))
		abort();
	if (url_path_query(u)[0] != '/')
		abort();
	if (url_parse(&again, url_str(u), NULL))
		abort();
	if (strcmp(url_str(&again), url_str(u)) ||
	    strcmp(url_host(&again), url_host(u)) ||
	    strcmp(url_origin(&again), url_origin(u)) ||
	    (again.flags & ~URL_IDN) != (u->flags & ~URL_IDN) ||
	    again.port != u->port)
		abort();
	for (int sc = URL_SCOPE_HOST; sc <= URL_SCOPE_ANY; sc++)
		if (!url_in_scope(u, u, (enum url_scope)sc))
			abort();
	url_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url base = URL_INIT, u = URL_INIT;
	char *s = malloc(size + 1), *nl;
	int have_base = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		have_base = url_parse(&base, s, NULL) == 0;
		if (have_base)
			check(&base);
	}
	if (url_resolve(&u, have_base ? &base : NULL, nl ? nl + 1 : s,
			NULL) == 0) {
		check(&u);
		if (have_base)
			(void)url_in_scope(&u, &base, URL_SCOPE_DOMAIN),
			(void)url_in_scope(&u, &base, URL_SCOPE_PREFIX);
	}
	url_release(&u);
	url_release(&base);
	free(s);
	return 0;
}
