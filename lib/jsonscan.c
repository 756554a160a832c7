#include "jsonscan.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"
#include "banned.h"

struct cur {
	const char *p, *start, *end;
	const char *error;
};

static int fail(struct cur *c, const char *why)
{
	if (!c->error)
		c->error = why;
	return -1;
}

static void ws(struct cur *c)
{
	while (c->p < c->end &&
	       (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* A string literal starting at '"'; *plain says it has no escapes. */
static int scan_string(struct cur *c, int *plain)
{
	*plain = 1;
	c->p++;
	for (;;) {
		const char *q = c->p;

		/* fast path: bytes that need no attention */
		while (q < c->end && *q != '"' && *q != '\\' &&
		       (unsigned char)*q >= 0x20)
			q++;
		c->p = q;
		if (q >= c->end)
			return fail(c, "unterminated string");
		if (*q == '"') {
			c->p++;
			return 0;
		}
		if ((unsigned char)*q < 0x20)
			return fail(c, "control character in string");
		*plain = 0;
		if (q + 1 >= c->end)
			return fail(c, "unterminated string");
		switch (q[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			c->p = q + 2;
			break;
		case 'u':
			if (q + 6 > c->end || hexval(q[2]) < 0 || hexval(q[3]) < 0 ||
			    hexval(q[4]) < 0 || hexval(q[5]) < 0) {
				c->p = q;
				return fail(c, "bad \\u escape");
			}
			c->p = q + 6;
			break;
		default:
			c->p = q;
			return fail(c, "bad escape in string");
		}
	}
}

static int scan_number(struct cur *c)
{
	const char *p = c->p;

	if (p < c->end && *p == '-')
		p++;
	if (p >= c->end || *p < '0' || *p > '9') {
		c->p = p;
		return fail(c, "bad number");
	}
	if (*p == '0') {
		p++;
		if (p < c->end && *p >= '0' && *p <= '9') {
			c->p = p;
			return fail(c, "bad number: leading zero");
		}
	} else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	if (p < c->end && *p == '.') {
		p++;
		if (p >= c->end || *p < '0' || *p > '9') {
			c->p = p;
			return fail(c, "bad number");
		}
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9') {
			c->p = p;
			return fail(c, "bad number");
		}
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	c->p = p;
	return 0;
}

static int scan_word(struct cur *c, const char *w, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
		return fail(c, "invalid token");
	c->p += n;
	return 0;
}

static int scan_value(struct cur *c, int depth, enum jtype *type);

static int scan_container(struct cur *c, int depth, int obj)
{
	char close = obj ? '}' : ']';
	enum jtype t;
	int plain;

	if (depth > JSCAN_MAX_DEPTH)
		return fail(c, "nested too deep");
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		if (obj) {
			if (c->p >= c->end || *c->p != '"')
				return fail(c, "expected a string key");
			if (scan_string(c, &plain))
				return -1;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return fail(c, "expected ':'");
			c->p++;
			ws(c);
		}
		if (scan_value(c, depth + 1, &t))
			return -1;
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			ws(c);
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			return 0;
		}
		return fail(c, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int scan_value(struct cur *c, int depth, enum jtype *type)
{
	int plain;

	if (c->p >= c->end)
		return fail(c, "unexpected end of line");
	switch (*c->p) {
	case '{':
		*type = J_OBJ;
		return scan_container(c, depth, 1);
	case '[':
		*type = J_ARR;
		return scan_container(c, depth, 0);
	case '"':
		*type = J_STR;
		return scan_string(c, &plain);
	case 't':
		*type = J_TRUE;
		return scan_word(c, "true", 4);
	case 'f':
		*type = J_FALSE;
		return scan_word(c, "false", 5);
	case 'n':
		*type = J_NULL;
		return scan_word(c, "null", 4);
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		*type = J_NUM;
		return scan_number(c);
	default:
		return fail(c, "invalid token");
	}
}

void jscan_init(struct jscan *js)
{
	memset(js, 0, sizeof(*js));
}

void jscan_release(struct jscan *js)
{
	free(js->m);
	jscan_init(js);
}

static int add_member(struct jscan *js, const struct jmember *m)
{
	if (js->n == js->alloc) {
		size_t na = js->alloc ? js->alloc * 2 : 16;
		struct jmember *p = realloc(js->m, na * sizeof(*p));

		if (!p)
			return -1;
		js->m = p;
		js->alloc = na;
	}
	js->m[js->n++] = *m;
	return 0;
}

/* Do two raw key literals decode to the same text? */
static int same_key(const struct jmember *a, const struct jmember *b)
{
	struct buf x, y;
	int eq;

	if (a->key_plain && b->key_plain)
		return a->key.n == b->key.n && !memcmp(a->key.p, b->key.p, a->key.n);
	buf_init(&x, 0);
	buf_init(&y, 0);
	jscan_string(a->key, &x, NULL);
	jscan_string(b->key, &y, NULL);
	eq = x.len == y.len && !memcmp(x.data, y.data, x.len);
	buf_release(&x);
	buf_release(&y);
	return eq;
}

static int members(struct jscan *js, struct cur *c)
{
	struct jmember m;

	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		if (c->p >= c->end || *c->p != '"')
			return fail(c, "expected a string key");
		m.key.p = c->p;
		if (scan_string(c, &m.key_plain))
			return -1;
		m.key.n = (size_t)(c->p - m.key.p);
		ws(c);
		if (c->p >= c->end || *c->p != ':')
			return fail(c, "expected ':'");
		c->p++;
		ws(c);
		m.val.p = c->p;
		if (scan_value(c, 1, &m.type))
			return -1;
		m.val.n = (size_t)(c->p - m.val.p);
		for (size_t i = 0; i < js->n; i++)
			if (same_key(&js->m[i], &m)) {
				c->p = m.key.p;
				return fail(c, "duplicate object key");
			}
		if (add_member(js, &m))
			return fail(c, "out of memory");
		ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			ws(c);
			continue;
		}
		if (c->p < c->end && *c->p == '}') {
			c->p++;
			return 0;
		}
		return fail(c, "expected ',' or '}'");
	}
}

int jscan_object(struct jscan *js, const char *p, size_t n)
{
	struct cur c = { p, p, p + n, NULL };

	js->n = 0;
	js->error = NULL;
	js->column = 0;
	ws(&c);
	if (c.p >= c.end || *c.p != '{')
		fail(&c, c.p >= c.end ? "empty line" : "not a JSON object");
	else if (!members(js, &c)) {
		ws(&c);
		if (c.p < c.end)
			fail(&c, "trailing characters after the object");
	}
	if (c.error) {
		js->error = c.error;
		js->column = (size_t)(c.p - c.start) + 1;
		return -1;
	}
	return 0;
}

int jscan_key_is(struct jspan s, int plain, const char *key)
{
	size_t kl = strlen(key);
	struct buf b;
	int eq;

	if (plain)
		return s.n == kl + 2 && !memcmp(s.p + 1, key, kl);
	buf_init(&b, 0);
	jscan_string(s, &b, NULL);
	eq = b.len == kl && !memcmp(b.data, key, kl);
	buf_release(&b);
	return eq;
}

const struct jmember *jscan_get(const struct jscan *js, const char *key)
{
	for (size_t i = 0; i < js->n; i++)
		if (jscan_key_is(js->m[i].key, js->m[i].key_plain, key))
			return &js->m[i];
	return NULL;
}

static unsigned hex4(const char *p)
{
	return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
			  hexval(p[2]) << 4 | hexval(p[3]));
}

int jscan_string(struct jspan raw, struct buf *out, size_t *nrepl)
{
	const char *p = raw.p + 1, *end = raw.p + raw.n - 1, *run = p;
	int rc;

	if ((rc = buf_grow(out, raw.n)))
		return rc;
	while (p < end) {
		char enc[4];
		size_t el = 1;
		unsigned cp;

		if (*p != '\\') {
			p++;
			continue;
		}
		if ((rc = buf_add(out, run, (size_t)(p - run))))
			return rc;
		switch (p[1]) {
		case 'b': enc[0] = '\b'; break;
		case 'f': enc[0] = '\f'; break;
		case 'n': enc[0] = '\n'; break;
		case 'r': enc[0] = '\r'; break;
		case 't': enc[0] = '\t'; break;
		case 'u':
			cp = hex4(p + 2);
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 8 &&
			    p[2] == '\\' && p[3] == 'u') {
				unsigned lo = hex4(p + 4);

				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					     (lo - 0xDC00);
					p += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF) {
				cp = 0xFFFD;
				if (nrepl)
					(*nrepl)++;
			}
			el = utf8_encode(cp, enc);
			break;
		default: enc[0] = p[1]; break;	/* " \ / */
		}
		if ((rc = buf_add(out, enc, el)))
			return rc;
		p += 2;
		run = p;
	}
	return buf_add(out, run, (size_t)(end - run));
}
