/*
 * robots.c: parse robots.txt once for one agent, then match paths.
 *
 * The parser walks the file line by line exactly as Google's does (the
 * line splitting, key recognition and group tracking decide which rules
 * exist, so they must agree byte for byte with the reference) and keeps
 * each allow/disallow rule that applies to our agent:
 *
 *   struct robots
 *     pool  "pat0\0pat1\0...sitemap0\0..."   one allocation for all text
 *     rules [{off,len,prio,allow,specific}]  offsets into pool
 *     maps  [const char *]                   sitemaps, pointers into pool
 *
 * "specific" rules come from groups naming our agent, the others from `*`
 * groups; once a specific group was seen the global rules can never apply
 * and are dropped at the end of the parse.
 */
#include "robots.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/banned.h"

enum { FIXED_NONE, FIXED_ALLOW, FIXED_DISALLOW };

struct robots_rule {
	size_t off;		/* pattern in pool, NUL-terminated */
	size_t len;		/* pattern bytes, '$' included */
	int prio;		/* match priority: the pattern length */
	unsigned allow : 1;
	unsigned specific : 1;
};

struct robots {
	int fixed;
	int ever_specific;
	struct robots_rule *rules;
	size_t nrules;
	char *pool;
	const char **maps;
	size_t nmaps;
	double delay_specific, delay_global;	/* -1: none */
	struct robots_stats st;
};

/* Parser state: Google's RobotsMatcher flags plus what we are building. */
struct parse {
	const char *agent;
	int seen_global, seen_specific, seen_separator;
	struct robots *r;
	struct buf pool;
	struct buf rules;	/* struct robots_rule array */
	struct buf maps;	/* size_t offsets of sitemaps in pool */
	struct buf esc;		/* scratch for escaped patterns */
};

enum key { K_UA, K_ALLOW, K_DISALLOW, K_SITEMAP, K_DELAY, K_UNKNOWN };

enum robots_fetch robots_for_status(int http_status)
{
	if (http_status >= 200 && http_status < 300)
		return ROBOTS_FETCH_PARSE;
	/* 429 asks us to slow down: treat it as the server being busy, as
	 * Google does, not as "no robots.txt". */
	if (http_status == 429)
		return ROBOTS_FETCH_DISALLOW_ALL;
	if (http_status >= 300 && http_status < 500)
		return ROBOTS_FETCH_ALLOW_ALL;
	return ROBOTS_FETCH_DISALLOW_ALL;
}

int robots_agent_valid(const char *agent)
{
	const char *p = agent;

	while (isalpha((unsigned char)*p) || *p == '-' || *p == '_')
		p++;
	return p != agent && *p == '\0';
}

static int is_hex(int c)
{
	return isxdigit((unsigned char)c) != 0;
}

int robots_escape_pattern(const char *src, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	int rc = 0;

	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%' && i + 2 < len && is_hex(src[i + 1]) &&
		    is_hex(src[i + 2])) {
			e[0] = '%';
			e[1] = (char)toupper((unsigned char)src[i + 1]);
			e[2] = (char)toupper((unsigned char)src[i + 2]);
			rc = buf_add(out, e, 3);
			i += 2;
		} else if (c & 0x80) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 15];
			rc = buf_add(out, e, 3);
		} else {
			rc = buf_addc(out, (char)c);
		}
	}
	return rc;
}

int robots_url_path(const char *url, struct buf *out)
{
	size_t n = strlen(url), start = 0, early, proto, ps, hash, end;
	const char *p;

	if (n >= 2 && url[0] == '/' && url[1] == '/')
		start = 2;
	early = start + strcspn(url + start, "/?;");
	p = strstr(url + start, "://");
	proto = p ? (size_t)(p - url) : n;
	if (early < proto)	/* "://" inside the path is not a scheme end */
		proto = n;
	proto = proto == n ? start : proto + 3;
	ps = proto + strcspn(url + proto, "/?;");
	if (ps >= n)
		return buf_addc(out, '/');
	p = strchr(url + start, '#');
	hash = p ? (size_t)(p - url) : n;
	if (hash < ps)
		return buf_addc(out, '/');
	end = hash;
	if (url[ps] != '/' && buf_addc(out, '/'))
		return BUF_NOMEM;
	return buf_add(out, url + ps, end - ps);
}

/* ASCII whitespace as absl::StripAsciiWhitespace sees it. */
static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static char *strip(char *s)
{
	size_t n;

	while (is_ws((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && is_ws((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/* Split a line in place into key and value; 0 when it is not a key/value
 * line.  Google accepts whitespace for a missing colon only when the line
 * has exactly two words. */
static int split_line(char *line, char **key, char **val)
{
	char *sep, *v;

	sep = strchr(line, '#');
	if (sep)
		*sep = '\0';
	line = strip(line);
	sep = strchr(line, ':');
	if (!sep) {
		sep = strpbrk(line, " \t");
		if (!sep)
			return 0;
		v = sep + strspn(sep, " \t");
		if (strpbrk(v, " \t"))
			return 0;
	}
	*sep = '\0';
	*key = strip(line);
	if (!**key)
		return 0;
	*val = strip(sep + 1);
	return 1;
}

static int starts(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static enum key parse_key(const char *k)
{
	if (starts(k, "user-agent") || starts(k, "useragent") ||
	    starts(k, "user agent"))
		return K_UA;
	if (starts(k, "allow"))
		return K_ALLOW;
	if (starts(k, "disallow") || starts(k, "dissallow") ||
	    starts(k, "dissalow") || starts(k, "disalow") ||
	    starts(k, "diasllow") || starts(k, "disallaw"))
		return K_DISALLOW;
	if (starts(k, "sitemap") || starts(k, "site-map"))
		return K_SITEMAP;
	if (starts(k, "crawl-delay") || starts(k, "crawldelay") ||
	    starts(k, "crawl delay"))
		return K_DELAY;
	return K_UNKNOWN;
}

static void handle_agent(struct parse *ps, const char *ua)
{
	size_t n = 0;

	if (ps->seen_separator)
		ps->seen_specific = ps->seen_global = ps->seen_separator = 0;
	/* Google: "* anything" still names the global group. */
	if (ua[0] == '*' && (ua[1] == '\0' || isspace((unsigned char)ua[1]))) {
		ps->seen_global = 1;
		return;
	}
	while (isalpha((unsigned char)ua[n]) || ua[n] == '-' || ua[n] == '_')
		n++;
	if (strlen(ps->agent) == n && strncasecmp(ua, ps->agent, n) == 0)
		ps->r->ever_specific = ps->seen_specific = 1;
}

static int add_rule(struct parse *ps, const char *pat, size_t len, int allow)
{
	struct robots_rule rule;

	rule.off = ps->pool.len;
	rule.len = len;
	rule.prio = (int)len;
	rule.allow = allow != 0;
	rule.specific = ps->seen_specific != 0;
	if (buf_add(&ps->pool, pat, len) || buf_addc(&ps->pool, '\0'))
		return -1;
	return buf_add(&ps->rules, &rule, sizeof(rule)) ? -1 : 0;
}

/* An allow/disallow line; val is already escaped. */
static int handle_rule(struct parse *ps, const char *val, size_t len,
		       int allow)
{
	const char *slash;

	if (!ps->seen_global && !ps->seen_specific)
		return 0;
	ps->seen_separator = 1;
	if (len == 0)	/* matches with priority 0: never decides */
		return 0;
	if (add_rule(ps, val, len, allow))
		return -1;
	/* Google: "Allow: /d/index.htm[l]" also allows "/d/" (as "/d/$"),
	 * used only when the full pattern does not match; since the
	 * derived pattern is shorter, keeping both and taking the longest
	 * match gives the same answer. */
	slash = memrchr(val, '/', len);
	if (allow && slash && (size_t)(val + len - slash) >= 10 &&
	    memcmp(slash, "/index.htm", 10) == 0) {
		size_t n = (size_t)(slash - val) + 1;
		char *tmp = malloc(n + 1);
		int rc;

		if (!tmp)
			return -1;
		memcpy(tmp, val, n);
		tmp[n] = '$';
		rc = add_rule(ps, tmp, n + 1, 1);
		free(tmp);
		return rc;
	}
	return 0;
}

static void handle_delay(struct parse *ps, const char *val)
{
	char *end;
	double d;

	d = strtod(val, &end);
	if (end == val || *end || !isfinite(d) || d < 0)
		return;
	/* the first value of each kind wins, as in Google's matcher */
	if (ps->seen_specific && ps->r->delay_specific < 0)
		ps->r->delay_specific = d;
	else if (!ps->seen_specific && ps->seen_global &&
		 ps->r->delay_global < 0)
		ps->r->delay_global = d;
}

static int handle_line(struct parse *ps, int lineno, char *line)
{
	char *key, *val;
	enum key k;

	if (!split_line(line, &key, &val))
		return 0;
	k = parse_key(key);
	ps->r->st.last_line = lineno;
	if (k == K_UNKNOWN) {
		/* other records do not end a group (RFC 9309 2.2.4) */
		ps->r->st.unknown_directives++;
		return 0;
	}
	ps->r->st.valid_directives++;
	switch (k) {
	case K_UA:
		handle_agent(ps, val);
		return 0;
	case K_ALLOW:
	case K_DISALLOW:
		buf_reset(&ps->esc);
		if (robots_escape_pattern(val, strlen(val), &ps->esc))
			return -1;
		return handle_rule(ps, ps->esc.data ? ps->esc.data : "",
				   ps->esc.len, k == K_ALLOW);
	case K_SITEMAP: {
		size_t off = ps->pool.len;

		if (buf_adds(&ps->pool, val) || buf_addc(&ps->pool, '\0') ||
		    buf_add(&ps->maps, &off, sizeof(off)))
			return -1;
		return 0;
	}
	case K_DELAY:
		handle_delay(ps, val);
		return 0;
	default:
		return 0;
	}
}

/* The part of the input we read: at most ROBOTS_MAX_BYTES, ending at a
 * line end when the input was longer. */
static size_t usable_length(const char *txt, size_t len, int *truncated)
{
	size_t n = len;

	*truncated = 0;
	if (len <= ROBOTS_MAX_BYTES)
		return len;
	*truncated = 1;
	n = ROBOTS_MAX_BYTES;
	if (txt[n] == '\n' || txt[n] == '\r')
		return n;
	while (n > 0 && txt[n - 1] != '\n' && txt[n - 1] != '\r')
		n--;
	return n;
}

/* Split into lines as Google's parser does: LF, CR and CRLF end a line,
 * a (partial) BOM at the start is skipped, bytes past ROBOTS_MAX_LINE on
 * a line are dropped. */
static int parse_lines(struct parse *ps, const char *txt, size_t len)
{
	static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
	char *line = malloc(ROBOTS_MAX_LINE + 1);
	size_t pos = 0, bom_pos = 0;
	int lineno = 0, last_cr = 0, rc = 0;

	if (!line)
		return -1;
	for (size_t i = 0; i < len && !rc; i++) {
		unsigned char c = (unsigned char)txt[i];

		if (bom_pos < 3 && c == bom[bom_pos++])
			continue;
		bom_pos = 3;
		if (c != '\n' && c != '\r') {
			if (pos < ROBOTS_MAX_LINE)
				line[pos++] = (char)c;
			continue;
		}
		line[pos] = '\0';
		if (!(pos == 0 && last_cr && c == '\n'))
			rc = handle_line(ps, ++lineno, line);
		pos = 0;
		last_cr = c == '\r';
	}
	line[pos] = '\0';
	if (!rc)
		rc = handle_line(ps, ++lineno, line);
	free(line);
	return rc;
}

static struct robots *robots_new(void)
{
	struct robots *r = calloc(1, sizeof(*r));

	if (r)
		r->delay_specific = r->delay_global = -1;
	return r;
}

/* Move the built arrays into r, dropping global rules when a group named
 * our agent. */
static int finish(struct parse *ps)
{
	struct robots *r = ps->r;
	struct robots_rule *rules = (struct robots_rule *)ps->rules.data;
	size_t n = ps->rules.len / sizeof(*rules), k = 0;
	size_t *offs = (size_t *)ps->maps.data;

	for (size_t i = 0; i < n; i++)
		if (rules[i].specific || !r->ever_specific)
			rules[k++] = rules[i];
	r->nrules = k;
	r->rules = (struct robots_rule *)buf_detach(&ps->rules, NULL);
	r->pool = buf_detach(&ps->pool, NULL);
	r->nmaps = ps->maps.len / sizeof(size_t);
	if (!r->rules || !r->pool)
		return -1;
	if (r->nmaps) {
		r->maps = calloc(r->nmaps, sizeof(*r->maps));
		if (!r->maps)
			return -1;
		for (size_t i = 0; i < r->nmaps; i++)
			r->maps[i] = r->pool + offs[i];
	}
	r->st.rules = k;
	return 0;
}

int robots_parse(struct robots **out, const char *txt, size_t len,
		 const char *agent, struct sl_err *err)
{
	struct parse ps;
	int rc = -1;

	*out = NULL;
	memset(&ps, 0, sizeof(ps));
	ps.agent = agent ? agent : "";
	/* Everything we store is derived from at most 500 KiB of input;
	 * escaping can triple it, the index.html rule double a line. */
	buf_init(&ps.pool, 8 * (size_t)ROBOTS_MAX_BYTES);
	buf_init(&ps.rules, 0);
	buf_init(&ps.maps, 0);
	buf_init(&ps.esc, 0);
	ps.r = robots_new();
	if (!ps.r)
		goto out;
	len = usable_length(txt, len, &ps.r->st.truncated);
	if (parse_lines(&ps, txt, len) || finish(&ps))
		goto out;
	*out = ps.r;
	ps.r = NULL;
	rc = 0;
out:
	if (rc)
		sl_error(err, "cannot parse robots.txt: out of memory");
	robots_free(ps.r);
	buf_release(&ps.pool);
	buf_release(&ps.rules);
	buf_release(&ps.maps);
	buf_release(&ps.esc);
	return rc;
}

int robots_fixed(struct robots **out, int allow, struct sl_err *err)
{
	*out = robots_new();
	if (!*out)
		return sl_error(err, "cannot make robots rules: out of memory");
	(*out)->fixed = allow ? FIXED_ALLOW : FIXED_DISALLOW;
	return 0;
}

/* Does pat (m bytes, '$' already removed when anchored) match path?  '*'
 * matches any run; an unanchored pattern only has to match a prefix.
 *
 * The pattern is literal pieces separated by stars: the first piece must
 * start the path, each middle piece is taken at its leftmost place after
 * the previous one (leftmost leaves the most room for the rest, so this
 * greedy choice never loses a match), and when anchored the last piece
 * must end the path.  With glibc's linear-time memmem this is O(n + m),
 * where the textbook backtracking matcher (and Google's position-set one)
 * is O(n * m): a hostile line of thousands of stars cannot stall us. */
static int match(const char *path, size_t n, const char *pat, size_t m,
		 int anchored)
{
	const char *star = memchr(pat, '*', m);
	size_t k = star ? (size_t)(star - pat) : m, pos;

	if (!star)
		return anchored ? n == m && !memcmp(path, pat, m)
				: n >= m && !memcmp(path, pat, m);
	if (n < k || memcmp(path, pat, k))
		return 0;
	pos = k;
	pat += k + 1;
	m -= k + 1;
	while ((star = memchr(pat, '*', m)) != NULL || !anchored) {
		const char *hit;

		k = star ? (size_t)(star - pat) : m;
		hit = memmem(path + pos, n - pos, pat, k);
		if (!hit)
			return 0;
		pos = (size_t)(hit - path) + k;
		if (!star)
			return 1;
		pat += k + 1;
		m -= k + 1;
	}
	/* anchored: the last piece ends the path, after what came before */
	return n - pos >= m && !memcmp(path + n - m, pat, m);
}

static int rule_matches(const struct robots *r, const struct robots_rule *ru,
			const char *path, size_t n)
{
	const char *pat = r->pool + ru->off;
	size_t m = ru->len;
	int anchored = m > 0 && pat[m - 1] == '$';

	return match(path, n, pat, anchored ? m - 1 : m, anchored);
}

int robots_allowed(const struct robots *r, const char *path_and_query)
{
	const char *path = path_and_query && *path_and_query ? path_and_query
							      : "/";
	size_t n = strlen(path);
	int best[2][2] = { { 0, 0 }, { 0, 0 } };	/* [specific][allow] */

	if (r->fixed)
		return r->fixed == FIXED_ALLOW;
	if (strcmp(path, "/robots.txt") == 0)
		return 1;
	for (size_t i = 0; i < r->nrules; i++) {
		const struct robots_rule *ru = &r->rules[i];
		int *b = &best[ru->specific][ru->allow];

		if (ru->prio > *b && rule_matches(r, ru, path, n))
			*b = ru->prio;
	}
	if (best[1][1] > 0 || best[1][0] > 0)
		return best[1][0] <= best[1][1];
	if (r->ever_specific)
		return 1;
	return best[0][0] <= best[0][1];
}

double robots_crawl_delay(const struct robots *r)
{
	if (r->ever_specific && r->delay_specific >= 0)
		return r->delay_specific;
	return r->delay_global;
}

size_t robots_sitemaps(const struct robots *r, const char *const **urls)
{
	*urls = r->maps;
	return r->nmaps;
}

void robots_get_stats(const struct robots *r, struct robots_stats *st)
{
	*st = r->st;
}

void robots_free(struct robots *r)
{
	if (!r)
		return;
	free(r->rules);
	free(r->pool);
	free(r->maps);
	free(r);
}
