/*
 * fuzz_robots.c: robots.txt parsing and matching on arbitrary bytes.
 *
 * Input: the robots.txt body.  The agent is "FooBot"; the paths tried are
 * "/", "/robots.txt" and paths cut from the input itself, so rules and
 * paths share bytes and matches actually happen.  Besides crashes and
 * sanitizer reports, each rule match is checked against a second,
 * independent matcher (the position-set algorithm RFC 9309 matchers use),
 * so a wrong answer from the fast matcher is a failure too.
 *
 * This file includes robots.c to reach its static matcher: build it
 * without crawl/robots.c.
 *
 * Build and run (from the top of the tree):
 *   clang-14 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ilib \
 *     $(pkg-config --cflags libutf8proc) tests/fuzz/fuzz_robots.c \
 *     lib/buf.c lib/err.c $(pkg-config --libs libutf8proc) -o /tmp/fuzz_robots
 *   /tmp/fuzz_robots -max_total_time=120 tests/fuzz/corpus/robots
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../crawl/robots.c"

/* Reference: the set of path positions the pattern prefix can reach. */
static int ref_match(const char *path, size_t n, const char *pat, size_t m)
{
	unsigned char *cur = calloc(n + 1, 1);
	int ok = 0;

	cur[0] = 1;
	for (size_t j = 0; j < m; j++) {
		if (pat[j] == '$' && j + 1 == m) {
			ok = cur[n];
			goto out;
		}
		if (pat[j] == '*') {
			size_t i = 0;

			while (i <= n && !cur[i])
				i++;
			for (; i <= n; i++)
				cur[i] = 1;
			continue;
		}
		for (size_t i = n + 1; i-- > 0;)
			cur[i] = i > 0 && cur[i - 1] && path[i - 1] == pat[j];
		ok = 0;
		for (size_t i = 0; i <= n; i++)
			ok |= cur[i];
		if (!ok)
			goto out;
	}
	ok = 0;
	for (size_t i = 0; i <= n; i++)
		ok |= cur[i];
out:
	free(cur);
	return ok;
}

static void check_path(const struct robots *r, const char *path)
{
	size_t n = strlen(path);

	(void)robots_allowed(r, path);
	for (size_t i = 0; i < r->nrules; i++)
		if (rule_matches(r, &r->rules[i], path, n) !=
		    ref_match(path, n, r->pool + r->rules[i].off,
			      r->rules[i].len))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct robots *r;
	struct buf path;
	char *s;

	if (robots_parse(&r, (const char *)data, size, "FooBot", NULL))
		return 0;
	(void)robots_crawl_delay(r);
	{
		const char *const *maps;
		size_t n = robots_sitemaps(r, &maps);

		for (size_t i = 0; i < n; i++)
			(void)strlen(maps[i]);
	}
	check_path(r, "/");
	check_path(r, "/robots.txt");
	buf_init(&path, 1 << 16);
	for (size_t off = 0; off < size && off < 4096; off += 97) {
		size_t len = size - off < 200 ? size - off : 200;

		buf_reset(&path);
		buf_addc(&path, '/');
		buf_add(&path, data + off, len);
		path.data[strnlen(path.data, path.len)] = '\0';
		check_path(r, path.data);
	}
	buf_release(&path);
	robots_free(r);

	/* the URL-to-path helper on the same bytes */
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	buf_init(&path, 0);
	if (robots_url_path(s, &path) == 0 && path.data[0] != '/')
		abort();
	buf_release(&path);
	free(s);
	return 0;
}
