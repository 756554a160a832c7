/*
 * robots.h: robots.txt (RFC 9309) as Google's open-source matcher reads it
 * (github.com/google/robotstxt, robots.cc, is the behavioural reference).
 *
 * A robots.txt is parsed once, for one user agent, into a compact rule
 * list; after that, each URL costs one pass over that list and no
 * allocation.  Only the rules that can apply to our agent are kept: the
 * groups naming our agent (merged when there are several) or, when no group
 * names it, the `*` groups.
 *
 * Calling sequence (the fetcher follows redirects, at most 5 hops):
 *
 *   switch (robots_for_status(http_status)) {   // <= 0: network error
 *   case ROBOTS_FETCH_PARSE:
 *       rc = robots_parse(&r, body, body_len, "sluice", &err); break;
 *   case ROBOTS_FETCH_ALLOW_ALL:    rc = robots_fixed(&r, 1, &err); break;
 *   case ROBOTS_FETCH_DISALLOW_ALL: rc = robots_fixed(&r, 0, &err); break;
 *   }
 *   if (robots_allowed(r, url_path_query_of_the_candidate)) fetch it;
 *   d = robots_crawl_delay(r);        // seconds, or -1 when none was given
 *   n = robots_sitemaps(r, &urls);    // borrowed pointers, valid until free
 *   robots_free(r);
 *
 * Matching rules (each checked by tests/data/robots/cases.tsv):
 * - lines end at LF, CR or CRLF; a UTF-8 BOM (even partial) at the start
 *   is skipped; '#' starts a comment; a line keeps its first 16663 bytes
 *   (Google's 2083 * 8 buffer); a NUL byte ends the line's content;
 * - "key: value", or "key value" when the colon is missing and there are
 *   exactly two words; keys are matched case-insensitively by prefix, with
 *   Google's typos ("useragent", "user agent", "dissallow", "dissalow",
 *   "disalow", "diasllow", "disallaw", "site-map");
 * - a user-agent line following an allow/disallow line starts a new group;
 *   user-agent lines separated only by other lines (sitemap, crawl-delay,
 *   unknown keys) share a group.  The agent named in the
 *   file is cut at the first byte outside [A-Za-z_-] ("Foo Bar" -> "Foo")
 *   and compared case-insensitively with the WHOLE agent we were given, so
 *   pass the bare product token ("sluice", not "sluice/1.0";
 *   robots_agent_valid() checks it).  "*" (alone or followed by a space)
 *   names the global group;
 * - allow/disallow patterns are normalised as Google's MaybeEscapePattern
 *   does: bytes >= 0x80 become %XX, existing %xx escapes get upper-case hex.
 *   The path handed to robots_allowed() is compared byte for byte, NOT
 *   re-normalised (Google does not either): give it in canonical form
 *   (url_path_query() of crawl/url.h: non-ASCII percent-encoded, hex
 *   upper-case);
 * - '*' matches any run of bytes, '$' at the end of a pattern anchors it;
 *   the longest matching pattern (in bytes, as written after escaping)
 *   wins; on a tie allow wins; an empty pattern matches nothing;
 * - Google extension: "Allow: /dir/index.htm[l]" also allows "/dir/";
 * - a group naming our agent hides the `*` groups entirely, even when none
 *   of its rules match;
 * - "/robots.txt" itself is always allowed (RFC 9309 2.2.2);
 * - only the first ROBOTS_MAX_BYTES (500 KiB, RFC 9309 2.5) are read; the
 *   line straddling the limit is dropped whole, so a cut "Allow: /private"
 *   cannot turn into "Allow: /";
 * - crawl-delay (not in RFC 9309; a float in seconds, also spelled
 *   "crawldelay", "crawl delay") as Google's current matcher: the first
 *   value in a group naming us, else the first in a `*` group;
 * - sitemap lines are collected wherever they are, in file order.
 *
 * Matching costs O(path length + pattern length) per rule (Google's
 * matcher is O(product)), so star-heavy hostile patterns cannot stall the
 * crawler; robots_allowed() tries every kept rule (a 500 KiB file of
 * 15k rules costs ~0.3 ms per path).
 */
#ifndef SL_ROBOTS_H
#define SL_ROBOTS_H

#include <stddef.h>

#include "../lib/buf.h"
#include "../lib/err.h"

#define ROBOTS_MAX_BYTES (500 * 1024)
#define ROBOTS_MAX_LINE (2083 * 8 - 1)	/* bytes kept per line */

struct robots;

/* What to do with a robots.txt fetch that ended with this HTTP status
 * (after the fetcher followed redirects).  http_status <= 0 means the
 * fetch failed (DNS, connect, TLS, timeout). */
enum robots_fetch {
	ROBOTS_FETCH_PARSE,		/* 2xx: parse the body */
	ROBOTS_FETCH_ALLOW_ALL,		/* 4xx (401/403 too, RFC 9309 2.3.1.3),
					   3xx left after redirects */
	ROBOTS_FETCH_DISALLOW_ALL,	/* 5xx, 429, network error, other:
					   temporary, retry later */
};
enum robots_fetch robots_for_status(int http_status);

/* Parse len bytes of txt for the given agent (product token).  On success
 * *out owns a new object (free it with robots_free) and 0 is returned; on
 * failure (out of memory) *out is NULL and -1 is returned with err set. */
int robots_parse(struct robots **out, const char *txt, size_t len,
		 const char *agent, struct sl_err *err);

/* A robots object that allows everything (allow != 0) or nothing. */
int robots_fixed(struct robots **out, int allow, struct sl_err *err);

/* 1 when the agent may fetch path_and_query ("/a/b?c", as from
 * url_path_query(); "" counts as "/"), 0 when not. */
int robots_allowed(const struct robots *r, const char *path_and_query);

/* The crawl-delay in seconds for our agent, or -1 when none applies. */
double robots_crawl_delay(const struct robots *r);

/* The sitemap URLs, in file order; *urls points into r (do not free). */
size_t robots_sitemaps(const struct robots *r, const char *const **urls);

void robots_free(struct robots *r);

/* Google's IsValidUserAgentToObey: non-empty and only [A-Za-z_-]. */
int robots_agent_valid(const char *agent);

/* Google's GetPathParamsQuery: the path;params?query of a URL (scheme,
 * authority and fragment dropped, "/" when there is no path), appended to
 * out.  For callers that hold a raw URL rather than a crawl/url.h one.
 * Returns 0 or a BUF_* error. */
int robots_url_path(const char *url, struct buf *out);

/* Google's MaybeEscapePattern, appended to out (0 or a BUF_* error). */
int robots_escape_pattern(const char *src, size_t len, struct buf *out);

/* What the parser saw, for diagnostics and tests: lines with a known key
 * (user-agent, allow, disallow, sitemap, crawl-delay), other key/value
 * lines, the number of the last key/value line, and whether the input was
 * cut at ROBOTS_MAX_BYTES. */
struct robots_stats {
	int valid_directives;
	int unknown_directives;
	int last_line;
	int truncated;
	size_t rules;		/* rules kept for our agent */
};
void robots_get_stats(const struct robots *r, struct robots_stats *st);

#endif
