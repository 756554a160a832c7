/*
 * url.h: URLs for the crawl frontier: parse, resolve hrefs, normalise,
 * and answer the questions the crawler asks of a URL (host, origin,
 * robots path, scope).
 *
 * Every struct url holds one normalised absolute http(s) URL; two links
 * to the same resource normalise to the same string, which is the
 * frontier's dedup key.  Normalisation (RFC 3986 section 6.2.2 plus what
 * browsers do):
 * - scheme and host lower-cased; only "http" and "https" are accepted
 *   (javascript:, mailto:, ftp:, file:, data:, ... are refused);
 * - default port dropped (:80 for http, :443 for https), other ports kept;
 * - fragment dropped;
 * - dot segments removed ("/a/./b/../c" -> "/a/c"), empty path -> "/";
 * - percent-encoding: hex upper-cased, escapes of unreserved characters
 *   (A-Z a-z 0-9 - . _ ~) decoded, bytes that may not appear raw (space,
 *   controls, non-ASCII, "<>\"^`{|}[]", a '%' not starting an escape)
 *   encoded, in path, query and userinfo;
 * - the query is kept in its order (not sorted);
 * - tab, CR and LF anywhere and C0/space at both ends of an href are
 *   removed, '\' before the query counts as '/' (as browsers do);
 * - hosts: percent-decoded, lower-cased, one trailing dot removed;
 *   IPv6 literals kept in brackets in canonical form (inet_ntop); a host
 *   ending in a number is an IPv4 address in any inet_aton form
 *   ("0x7f.1" -> "127.0.0.1", as browsers do) and written dotted-quad;
 *   non-ASCII hosts are converted to punycode (IDNA: NFKC case-folded
 *   with utf8proc, labels of letters, marks, digits and '-'; RFC 3492);
 *   IDNA2008's bidi and contextual rules are NOT checked;
 * - userinfo ("user:pass@") is kept but flagged URL_USERINFO: the crawler
 *   refuses such URLs (credentials must not leak into logs or requests);
 * - an href or a result longer than URL_MAX bytes is refused.
 *
 * Calling sequence (one allocation per url; reuse is fine):
 *
 *   struct url page = URL_INIT, base = URL_INIT, link = URL_INIT;
 *   url_parse(&page, "https://Example.com:443/a/b", &err);
 *   url_resolve(&base, &page, base_href, &err);  // <base href>, if any
 *   url_resolve(&link, &base, "../c?x#top", &err);
 *   url_str(&link)         "https://example.com/c?x"
 *   url_host(&link)        "example.com"   (IPv6 without brackets)
 *   url_origin(&link)      "https://example.com:443"  (port always given)
 *   url_path_query(&link)  "/c?x"          (what robots_allowed wants)
 *   url_release(&link); ...
 *
 * The accessors are valid only on a url filled by a successful call.
 * Parsing a normalised URL again gives the same string (checked by
 * tests/fuzz/fuzz_url.c), so the frontier can store url_str() and rebuild
 * the struct with url_parse().
 *
 * On failure the functions return -1 with err saying why ("unsupported
 * scheme 'mailto'", "relative URL without a base", ...) and leave *u as it
 * was.  On success the previous contents of *u are released.  *u and
 * *base may be the same object.
 *
 * Scope (url_in_scope): URL_SCOPE_HOST = same host (any scheme or port);
 * URL_SCOPE_DOMAIN = same host or a subdomain of the seed's host with one
 * leading "www." dropped (seed www.example.com covers example.com and
 * a.b.example.com).  There is no public-suffix list, so a seed whose host
 * is itself a public suffix (e.g. "co.uk") covers every site under it:
 * seed registered domains, not suffixes.  URL_SCOPE_PREFIX = same origin
 * and a path starting with the seed's path up to its last '/'
 * ("https://a.com/docs/x.html" covers "https://a.com/docs/..."),
 * URL_SCOPE_ANY = everything.
 */
#ifndef SL_URL_H
#define SL_URL_H

#include <stddef.h>

#include "../lib/err.h"

#define URL_MAX 8192	/* bytes, in an href and in a normalised URL */

enum {
	URL_USERINFO = 1 << 0,	/* had "user[:pass]@": refuse to fetch */
	URL_IPV4 = 1 << 1,	/* host is an IPv4 address */
	URL_IPV6 = 1 << 2,	/* host is an IPv6 literal */
	URL_IDN = 1 << 3,	/* host had non-ASCII labels (now punycode) */
};

struct url {
	char *s;		/* "<url>\0<host>\0<origin>\0": one block */
	size_t len;		/* strlen of the URL */
	size_t host_off;	/* bare host, in s */
	size_t origin_off;	/* origin, in s */
	size_t path_off;	/* path and query, a suffix of the URL */
	int port;		/* effective port, 1..65535 */
	int https;
	unsigned flags;		/* URL_* */
};
#define URL_INIT { 0 }

enum url_scope { URL_SCOPE_HOST, URL_SCOPE_DOMAIN, URL_SCOPE_PREFIX,
		 URL_SCOPE_ANY };

/* An absolute http(s) URL. */
int url_parse(struct url *u, const char *s, struct sl_err *err);

/* href (absolute or relative, RFC 3986 section 5.2) against base; base
 * may be NULL, then href must be absolute.  "http:g" with the base's own
 * scheme resolves as "g" (RFC 3986's non-strict, browsers' behaviour). */
int url_resolve(struct url *u, const struct url *base, const char *href,
		struct sl_err *err);

void url_release(struct url *u);

static inline const char *url_str(const struct url *u)
{
	return u->s;
}
static inline const char *url_host(const struct url *u)
{
	return u->s + u->host_off;
}
static inline const char *url_origin(const struct url *u)
{
	return u->s + u->origin_off;
}
static inline const char *url_path_query(const struct url *u)
{
	return u->s + u->path_off;
}

/* 1 when u is inside the scope around seed, else 0. */
int url_in_scope(const struct url *u, const struct url *seed,
		 enum url_scope scope);

/* RFC 3492 punycode of n code points, appended to out (no "xn--"); 0, or
 * -1 on overflow or when out (outsz bytes, NUL included) is too small. */
int url_punycode(const unsigned *cp, size_t n, char *out, size_t outsz);

#endif
