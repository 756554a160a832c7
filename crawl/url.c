/*
 * url.c: RFC 3986 parsing, reference resolution and normalisation.
 *
 * The pipeline for one href:
 *
 *   clean (trim, drop tab/CR/LF, '\' -> '/')          -> text
 *   split (RFC 3986 appendix B)                      -> struct parts
 *   normalise the reference's path percent-encoding  (before dot removal,
 *                                                     so "%2E%2E" counts)
 *   resolve against the base's parts (5.2.2), remove dot segments (5.2.4)
 *   normalise authority: userinfo, host (IDNA, IPv4, IPv6), port
 *   assemble "<url>\0<host>\0<origin>\0" into one allocation
 *
 * All scratch text lives in struct buf's capped at a few times URL_MAX, so
 * no input can make us allocate without bound.
 */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../lib/buf.h"
#include "../lib/banned.h"

#define SCRATCH_CAP (4 * URL_MAX)

/* A piece of a string: p == NULL means "absent" (RFC 3986 distinguishes an
 * absent query from an empty one). */
struct piece {
	const char *p;
	size_t n;
};

struct parts {
	struct piece scheme, auth, path, query;
};

static const char hexd[] = "0123456789ABCDEF";

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int is_subdelim(int c)
{
	return c && strchr("!$&'()*+,;=", c) != NULL;
}

/* Characters that may stay raw, per component. */
static int ok_path(int c)
{
	return is_unreserved(c) || is_subdelim(c) || c == ':' || c == '@' ||
	       c == '/';
}

static int ok_query(int c)
{
	return ok_path(c) || c == '?';
}

static int ok_userinfo(int c)
{
	return is_unreserved(c) || is_subdelim(c) || c == ':';
}

/* Copy src to out, normalising percent-encoding (see url.h). */
static int pct_norm(const char *src, size_t n, int (*ok)(int),
		    struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		char e[3] = { '%', 0, 0 };
		size_t run = i;

		/* A run of characters that stay as they are: one append. */
		while (run < n && (unsigned char)src[run] < 0x80 &&
		       src[run] != '%' && ok((unsigned char)src[run]))
			run++;
		if (run > i) {
			if (buf_add(out, src + i, run - i))
				return -1;
			i = run - 1;
			continue;
		}
		if (c == '%' && i + 2 < n && hexv(src[i + 1]) >= 0 &&
		    hexv(src[i + 2]) >= 0) {
			int v = hexv(src[i + 1]) * 16 + hexv(src[i + 2]);

			i += 2;
			if (is_unreserved(v)) {
				if (buf_addc(out, (char)v))
					return -1;
				continue;
			}
			c = (unsigned char)v;
		} else if (c < 0x80 && ok(c)) {
			if (buf_addc(out, (char)c))
				return -1;
			continue;
		}
		e[1] = hexd[c >> 4];
		e[2] = hexd[c & 15];
		if (buf_add(out, e, 3))
			return -1;
	}
	return 0;
}

/* Trim C0 controls and spaces at both ends, drop tab/CR/LF, and turn '\'
 * into '/' before the query (WHATWG URL for http and https). */
static int clean(const char *s, struct buf *out)
{
	size_t n = strlen(s), a = 0;
	int in_path = 1;

	while (a < n && (unsigned char)s[a] <= 0x20)
		a++;
	while (n > a && (unsigned char)s[n - 1] <= 0x20)
		n--;
	if (buf_grow(out, n - a))
		return -1;
	for (size_t i = a; i < n; i++) {
		char c = s[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '?' || c == '#')
			in_path = 0;
		if (c == '\\' && in_path)
			c = '/';
		if (buf_addc(out, c))
			return -1;
	}
	return 0;
}

/* RFC 3986 appendix B. */
static void split(const char *s, size_t n, struct parts *p)
{
	size_t i = 0, j;

	memset(p, 0, sizeof(*p));
	if (n && isalpha((unsigned char)s[0])) {
		j = 1;
		while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '+' ||
				 s[j] == '-' || s[j] == '.'))
			j++;
		if (j < n && s[j] == ':') {
			p->scheme.p = s;
			p->scheme.n = j;
			i = j + 1;
		}
	}
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		j = i;
		while (j < n && s[j] != '/' && s[j] != '?' && s[j] != '#')
			j++;
		p->auth.p = s + i;
		p->auth.n = j - i;
		i = j;
	}
	j = i;
	while (j < n && s[j] != '?' && s[j] != '#')
		j++;
	p->path.p = s + i;
	p->path.n = j - i;
	i = j;
	if (i < n && s[i] == '?') {
		j = ++i;
		while (j < n && s[j] != '#')
			j++;
		p->query.p = s + i;
		p->query.n = j - i;
	}
}

static int piece_is(struct piece pc, const char *lit)
{
	return pc.p && pc.n == strlen(lit) && strncasecmp(pc.p, lit, pc.n) == 0;
}

/* RFC 3986 5.2.4, from a NUL-terminated scratch copy (modified). */
static int remove_dots(char *in, struct buf *out)
{
	size_t i = 0;

	while (in[i]) {
		char *s = in + i;

		if (!strncmp(s, "../", 3)) {
			i += 3;
		} else if (!strncmp(s, "./", 2)) {
			i += 2;
		} else if (!strncmp(s, "/./", 3)) {
			i += 2;
		} else if (!strcmp(s, "/.")) {
			i += 1;
			in[i] = '/';
		} else if (!strncmp(s, "/../", 4) || !strcmp(s, "/..")) {
			char *slash;

			/* "/../x" -> "/x", "/.." -> "/"; drop the last
			 * output segment */
			if (s[3] == '/') {
				i += 3;
			} else {
				i += 2;
				in[i] = '/';
			}
			slash = out->len ? memrchr(out->data, '/', out->len)
					 : NULL;
			out->len = slash ? (size_t)(slash - out->data) : 0;
			if (out->data)
				out->data[out->len] = '\0';
		} else if (!strcmp(s, ".") || !strcmp(s, "..")) {
			i += strlen(s);
		} else {
			size_t j = i + (in[i] == '/');

			while (in[j] && in[j] != '/')
				j++;
			if (buf_add(out, in + i, j - i))
				return -1;
			i = j;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- hosts */

static int adapt(uint32_t delta, uint32_t npoints, int first)
{
	uint32_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / npoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 35;
		k += 36;
	}
	return (int)(k + (36 * delta) / (delta + 38));
}

static char pdigit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

int url_punycode(const unsigned *cp, size_t len, char *out, size_t outsz)
{
	uint32_t n = 128, delta = 0, h, b = 0, bias = 72;
	size_t o = 0;

#define PUT(ch) do { if (o + 1 >= outsz) return -1; out[o++] = (ch); } while (0)
	for (size_t i = 0; i < len; i++)
		if (cp[i] < 0x80) {
			PUT((char)cp[i]);
			b++;
		}
	if (b > 0)
		PUT('-');
	h = b;
	while (h < len) {
		uint32_t m = UINT32_MAX;

		for (size_t i = 0; i < len; i++)
			if (cp[i] >= n && cp[i] < m)
				m = cp[i];
		if ((uint64_t)(m - n) * (h + 1) + delta > UINT32_MAX)
			return -1;
		delta += (m - n) * (h + 1);
		n = m;
		for (size_t i = 0; i < len; i++) {
			if (cp[i] < n && ++delta == 0)
				return -1;
			if (cp[i] != n)
				continue;
			uint32_t q = delta;

			for (uint32_t k = 36;; k += 36) {
				uint32_t t = k <= bias ? 1 :
					     k >= bias + 26 ? 26 : k - bias;

				if (q < t)
					break;
				PUT(pdigit(t + (q - t) % (36 - t)));
				q = (q - t) / (36 - t);
			}
			PUT(pdigit(q));
			bias = (uint32_t)adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		n++;
	}
#undef PUT
	out[o] = '\0';
	return 0;
}

static int idn_char_ok(utf8proc_int32_t c)
{
	if (c < 0x80)
		return islower(c) || isdigit(c) || c == '-' || c == '_';
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* One label of code points to ASCII ("xn--..." when not all ASCII). */
static const char *idn_label(const unsigned *cp, size_t n, struct buf *out)
{
	char ace[64];
	size_t ascii = 0;

	for (size_t i = 0; i < n; i++)
		ascii += cp[i] < 0x80;
	if (ascii == n) {
		for (size_t i = 0; i < n; i++)
			if (buf_addc(out, (char)cp[i]))
				return "too long";
		return NULL;
	}
	if (n >= 4 && cp[0] == 'x' && cp[1] == 'n' && cp[2] == '-' &&
	    cp[3] == '-')
		return "non-ASCII label starting with \"xn--\"";
	if (url_punycode(cp, n, ace, sizeof(ace) - 4))
		return "label too long";
	if (buf_adds(out, "xn--") || buf_adds(out, ace))
		return "too long";
	return NULL;
}

/* Map a decoded non-ASCII host to its ASCII (punycode) form; NULL or the
 * reason it cannot be done. */
static const char *idna(const char *host, size_t n, struct buf *out)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t m, i = 0;
	unsigned cp[256];
	size_t ncp = 0;
	const char *why = NULL;

	m = utf8proc_map((const utf8proc_uint8_t *)host, (utf8proc_ssize_t)n,
			 &mapped, UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			 UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
			 UTF8PROC_IGNORE | UTF8PROC_REJECTNA);
	if (m < 0)
		return "host is not valid UTF-8 or has unassigned characters";
	while (i <= m && !why) {
		utf8proc_int32_t c = '.';

		if (i < m) {
			utf8proc_ssize_t k = utf8proc_iterate(mapped + i, m - i,
							      &c);
			if (k <= 0) {
				why = "host is not valid UTF-8";
				break;
			}
			i += k;
		} else {
			i++;	/* the end closes the last label */
		}
		if (c == 0x3002 || c == 0xFF0E || c == 0xFF61)
			c = '.';	/* ideographic full stops */
		if (c != '.') {
			if (!idn_char_ok(c))
				why = "invalid character in host";
			else if (ncp == sizeof(cp) / sizeof(cp[0]))
				why = "host label too long";
			else
				cp[ncp++] = (unsigned)c;
			continue;
		}
		why = idn_label(cp, ncp, out);
		ncp = 0;
		if (!why && i <= m && buf_addc(out, '.'))
			why = "host too long";
	}
	free(mapped);
	return why;
}

/* The host must be labels of [a-z0-9_-], 1..63 bytes, 253 in all. */
static const char *check_labels(const char *h, size_t n)
{
	size_t lab = 0;

	if (n == 0)
		return "empty host";
	if (n > 253)
		return "host too long";
	for (size_t i = 0; i <= n; i++) {
		int c = i < n ? (unsigned char)h[i] : '.';

		if (c == '.') {
			if (lab == 0)
				return "empty label in host";
			if (lab > 63)
				return "host label too long";
			lab = 0;
		} else if (islower(c) || isdigit(c) || c == '-' || c == '_') {
			lab++;
		} else {
			return "invalid character in host";
		}
	}
	return NULL;
}

/* A host whose last label is a number is an IPv4 address (WHATWG URL). */
static int ends_in_number(const char *h, size_t n)
{
	const char *dot = memrchr(h, '.', n);
	const char *l = dot ? dot + 1 : h;
	size_t ln = (size_t)(h + n - l);

	if (ln >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
		for (size_t i = 2; i < ln; i++)
			if (!isxdigit((unsigned char)l[i]))
				return 0;
		return 1;
	}
	for (size_t i = 0; i < ln; i++)
		if (!isdigit((unsigned char)l[i]))
			return 0;
	return ln > 0;
}

/* The dotted quad of a, as inet_ntop writes it (glibc's goes through
 * sprintf, and every page's own URL is parsed again). */
static void ipv4_str(const struct in_addr *a, char out[INET_ADDRSTRLEN])
{
	const unsigned char *b = (const unsigned char *)&a->s_addr;
	char *p = out;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = '\0';
}

/* Normalise a reg-name or IPv4 host into out; NULL or why not. */
static const char *norm_name(const char *h, size_t n, struct buf *out,
			     unsigned *flags)
{
	struct buf dec;
	const char *why = NULL;
	int nonascii = 0;
	size_t start = out->len;

	buf_init(&dec, SCRATCH_CAP);
	for (size_t i = 0; i < n && !why; i++) {
		int c = (unsigned char)h[i];

		if (c == '%') {
			if (i + 2 >= n || hexv(h[i + 1]) < 0 ||
			    hexv(h[i + 2]) < 0) {
				why = "invalid percent-encoding in host";
				break;
			}
			c = hexv(h[i + 1]) * 16 + hexv(h[i + 2]);
			i += 2;
		}
		if (c <= 0x20 || c == 0x7f || strchr("#%/:<>?@[\\]^|", c))
			why = "invalid character in host";
		else if (buf_addc(&dec, (char)tolower(c)))
			why = "host too long";
		nonascii |= c >= 0x80;
	}
	if (!why && dec.len && dec.data[dec.len - 1] == '.')
		dec.len--;	/* "example.com." is "example.com" */
	if (!why && nonascii) {
		*flags |= URL_IDN;
		why = idna(dec.data, dec.len, out);
	} else if (!why && buf_add(out, dec.data ? dec.data : "", dec.len)) {
		why = "host too long";
	}
	buf_release(&dec);
	if (why)
		return why;
	if (ends_in_number(out->data + start, out->len - start)) {
		struct in_addr a;
		char txt[INET_ADDRSTRLEN];

		if (!inet_aton(out->data + start, &a))
			return "invalid IPv4 address";
		ipv4_str(&a, txt);
		out->len = start;
		*flags |= URL_IPV4;
		return buf_adds(out, txt) ? "host too long" : NULL;
	}
	return check_labels(out->data + start, out->len - start);
}

static const char *norm_ipv6(const char *h, size_t n, struct buf *out)
{
	char tmp[64], txt[INET6_ADDRSTRLEN];
	struct in6_addr a;

	if (n < 2 || h[n - 1] != ']')
		return "invalid IPv6 address";
	if (memchr(h, '%', n))
		return "IPv6 zone identifiers are not supported";
	if (n - 2 >= sizeof(tmp))
		return "invalid IPv6 address";
	memcpy(tmp, h + 1, n - 2);
	tmp[n - 2] = '\0';
	if (inet_pton(AF_INET6, tmp, &a) != 1)
		return "invalid IPv6 address";
	inet_ntop(AF_INET6, &a, txt, sizeof(txt));
	return buf_adds(out, txt) ? "host too long" : NULL;
}

/* ------------------------------------------------------------- assembly */

struct built {
	struct buf url, host;
	int https, port;
	unsigned flags;
	size_t path_off;
};

/* ":port" (1..65535) onto out, without printf: this runs for every link
 * of every page. */
static int add_port(struct buf *out, int port)
{
	char d[8];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + port % 10);
	while ((port /= 10) && i > 1);
	d[--i] = ':';
	return buf_add(out, d + i, sizeof(d) - i);
}

/* userinfo@host:port into b (url gets the normalised authority, host the
 * bare host); NULL or why not. */
static const char *norm_auth(struct piece a, struct built *b)
{
	const char *at = memrchr(a.p, '@', a.n), *h = a.p, *colon = NULL;
	size_t hn = a.n;
	const char *why;

	if (at) {
		b->flags |= URL_USERINFO;
		if (pct_norm(a.p, (size_t)(at - a.p), ok_userinfo, &b->url) ||
		    buf_addc(&b->url, '@'))
			return "URL too long";
		h = at + 1;
		hn = (size_t)(a.p + a.n - h);
	}
	if (hn && h[0] == '[') {
		const char *close = memchr(h, ']', hn);

		if (!close)
			return "invalid IPv6 address";
		if (close + 1 < h + hn) {
			if (close[1] != ':')
				return "invalid character after IPv6 address";
			colon = close + 1;
		}
		b->flags |= URL_IPV6;
		why = norm_ipv6(h, (size_t)(close + 1 - h), &b->host);
	} else {
		colon = memrchr(h, ':', hn);
		why = norm_name(h, colon ? (size_t)(colon - h) : hn, &b->host,
				&b->flags);
	}
	if (why)
		return why;
	b->port = b->https ? 443 : 80;
	if (colon && colon + 1 < h + hn) {
		long port = 0;

		for (const char *p = colon + 1; p < h + hn; p++) {
			if (!isdigit((unsigned char)*p) || port > 65535)
				return "invalid port";
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return "invalid port";
		b->port = (int)port;
	}
	if ((b->flags & URL_IPV6 && buf_addc(&b->url, '[')) ||
	    buf_add(&b->url, b->host.data, b->host.len) ||
	    (b->flags & URL_IPV6 && buf_addc(&b->url, ']')))
		return "URL too long";
	if (b->port != (b->https ? 443 : 80) && add_port(&b->url, b->port))
		return "URL too long";
	return NULL;
}

/* The authority of a normalised base, copied as it is: normalising it
 * again would give the same bytes (url.h), and most links are relative. */
static const char *base_auth(const struct url *base, struct built *b)
{
	const char *host = url_host(base);

	b->https = base->https;
	b->port = base->port;
	b->flags = base->flags & (URL_USERINFO | URL_IPV4 | URL_IPV6);
	buf_reset(&b->url);
	if (buf_add(&b->url, base->s, base->path_off) ||
	    buf_add(&b->host, host, strlen(host)))
		return "URL too long";
	return NULL;
}

/* Move the built URL into u as "<url>\0<host>\0<origin>\0". */
static int finish(struct url *u, struct built *b)
{
	struct buf all;
	struct url nu;
	size_t len = b->url.len;

	/* url, host, "https://[" host "]:65535", three NULs */
	buf_init(&all, 0);
	if (buf_grow(&all, len + 2 * b->host.len + 20))
		return -1;
	memset(&nu, 0, sizeof(nu));
	nu.len = len;
	nu.host_off = len + 1;
	nu.origin_off = nu.host_off + b->host.len + 1;
	nu.path_off = b->path_off;
	nu.port = b->port;
	nu.https = b->https;
	nu.flags = b->flags;
	if (buf_add(&all, b->url.data, len + 1) ||
	    buf_add(&all, b->host.data, b->host.len + 1) ||
	    buf_adds(&all, b->https ? "https://" : "http://") ||
	    (b->flags & URL_IPV6 && buf_addc(&all, '[')) ||
	    buf_add(&all, b->host.data, b->host.len) ||
	    (b->flags & URL_IPV6 && buf_addc(&all, ']')) ||
	    add_port(&all, b->port) || buf_addc(&all, '\0'))
		goto fail;
	nu.s = buf_detach(&all, NULL);
	if (!nu.s)
		goto fail;
	url_release(u);
	*u = nu;
	return 0;
fail:
	buf_release(&all);
	return -1;
}

/* Resolution proper: from the reference's and the base's parts to the
 * target's scheme, authority, path and query (RFC 3986 5.2.2). */
struct target {
	struct piece scheme, auth, query;
	struct buf path;
};

static int merge_path(const struct parts *base, const char *rpath,
		      struct buf *merged)
{
	const char *slash;

	if (base->auth.p && base->path.n == 0)
		return buf_addc(merged, '/') || buf_adds(merged, rpath);
	slash = memrchr(base->path.p, '/', base->path.n);
	if (slash && buf_add(merged, base->path.p,
			     (size_t)(slash + 1 - base->path.p)))
		return -1;
	return buf_adds(merged, rpath);
}

static const char *resolve(const struct parts *r, const struct parts *base,
			   struct buf *rpath, struct target *t)
{
	struct buf merged;
	int rc;

	buf_init(&merged, SCRATCH_CAP);
	if (r->scheme.p) {
		t->scheme = r->scheme;
		t->auth = r->auth;
		t->query = r->query;
		rc = remove_dots(rpath->data, &t->path);
	} else if (!base) {
		buf_release(&merged);
		return "relative URL without a base";
	} else {
		t->scheme = base->scheme;
		if (r->auth.p) {
			t->auth = r->auth;
			t->query = r->query;
			rc = remove_dots(rpath->data, &t->path);
		} else if (rpath->len == 0) {
			t->auth = base->auth;
			rc = buf_add(&t->path, base->path.p, base->path.n);
			t->query = r->query.p ? r->query : base->query;
		} else {
			t->auth = base->auth;
			t->query = r->query;
			if (rpath->data[0] == '/')
				rc = remove_dots(rpath->data, &t->path);
			else
				rc = merge_path(base, rpath->data, &merged) ||
				     remove_dots(merged.data, &t->path);
		}
	}
	buf_release(&merged);
	return rc ? "URL too long" : NULL;
}

/* base_url: the url that base was split from, NULL when none. */
static const char *build(const struct parts *r, const struct parts *base,
			 const struct url *base_url, struct built *b)
{
	struct target t;
	struct buf rpath;
	const char *why;

	memset(&t, 0, sizeof(t));
	buf_init(&t.path, SCRATCH_CAP);
	buf_init(&rpath, SCRATCH_CAP);
	if (pct_norm(r->path.p, r->path.n, ok_path, &rpath) ||
	    buf_addc(&rpath, '\0')) {
		why = "URL too long";
		goto out;
	}
	rpath.len--;
	why = resolve(r, base, &rpath, &t);
	if (why)
		goto out;
	b->https = piece_is(t.scheme, "https");
	if (!b->https && !piece_is(t.scheme, "http")) {
		why = "unsupported scheme";
		goto out;
	}
	if (!t.auth.p || t.auth.n == 0) {
		why = "no host";
		goto out;
	}
	if (base_url && !r->scheme.p && !r->auth.p)
		why = base_auth(base_url, b);
	else if (buf_adds(&b->url, b->https ? "https://" : "http://"))
		why = "URL too long";
	else
		why = norm_auth(t.auth, b);
	if (why)
		goto out;
	b->path_off = b->url.len;
	if ((t.path.len == 0 ? buf_addc(&b->url, '/')
			     : buf_add(&b->url, t.path.data, t.path.len)) ||
	    (t.query.p && (buf_addc(&b->url, '?') ||
			   pct_norm(t.query.p, t.query.n, ok_query, &b->url))))
		why = "URL too long";
out:
	buf_release(&t.path);
	buf_release(&rpath);
	return why;
}

int url_resolve(struct url *u, const struct url *base, const char *href,
		struct sl_err *err)
{
	struct buf text;
	struct parts r, bp;
	struct built b;
	const char *why = NULL;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	buf_init(&text, URL_MAX);
	buf_init(&b.url, URL_MAX);
	buf_init(&b.host, 256 * 4);
	if (strnlen(href, URL_MAX + 1) > URL_MAX || clean(href, &text)) {
		why = "URL too long";
		goto out;
	}
	split(text.data ? text.data : "", text.len, &r);
	if (base)
		split(base->s, base->len, &bp);
	/* "http:g" against an http base is "g" (RFC 3986 5.2.2 non-strict) */
	if (base && r.scheme.p && !r.auth.p && r.scheme.n == bp.scheme.n &&
	    !strncasecmp(r.scheme.p, bp.scheme.p, r.scheme.n))
		r.scheme.p = NULL;
	if (r.scheme.p && !piece_is(r.scheme, "http") &&
	    !piece_is(r.scheme, "https")) {
		sl_error(err, "cannot use URL '%.200s': unsupported scheme "
			 "'%.*s'", href, (int)(r.scheme.n > 20 ? 20 :
			 r.scheme.n), r.scheme.p);
		goto out;
	}
	why = build(&r, base ? &bp : NULL, base, &b);
	if (!why && finish(u, &b))
		why = "out of memory";
	rc = why ? -1 : 0;
out:
	if (why)
		sl_error(err, "cannot use URL '%.200s': %s", href, why);
	buf_release(&text);
	buf_release(&b.url);
	buf_release(&b.host);
	return rc;
}

int url_parse(struct url *u, const char *s, struct sl_err *err)
{
	return url_resolve(u, NULL, s, err);
}

void url_release(struct url *u)
{
	free(u->s);
	memset(u, 0, sizeof(*u));
}

/* host is sub or a subdomain of sub. */
static int host_within(const char *host, const char *dom)
{
	size_t h = strlen(host), d = strlen(dom);

	if (h == d)
		return strcmp(host, dom) == 0;
	return h > d && host[h - d - 1] == '.' && strcmp(host + h - d, dom) == 0;
}

int url_in_scope(const struct url *u, const struct url *seed,
		 enum url_scope scope)
{
	const char *sh = url_host(seed), *sp, *slash;

	switch (scope) {
	case URL_SCOPE_ANY:
		return 1;
	case URL_SCOPE_HOST:
		return strcmp(url_host(u), sh) == 0;
	case URL_SCOPE_DOMAIN:
		if (seed->flags & (URL_IPV4 | URL_IPV6))
			return strcmp(url_host(u), sh) == 0;
		if (!strncmp(sh, "www.", 4) && strchr(sh + 4, '.'))
			sh += 4;
		return host_within(url_host(u), sh);
	case URL_SCOPE_PREFIX:
		if (strcmp(url_origin(u), url_origin(seed)))
			return 0;
		sp = url_path_query(seed);
		slash = strchr(sp, '?');
		slash = memrchr(sp, '/', slash ? (size_t)(slash - sp)
					       : strlen(sp));
		return strncmp(url_path_query(u), sp,
			       (size_t)(slash - sp) + 1) == 0;
	}
	return 0;
}
