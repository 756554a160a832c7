/*
 * pii.c: the pii stage: e-mail addresses, IP addresses, phone numbers and
 * payment card numbers are replaced by typed placeholders, and counted.
 *
 * Hand-written scanners, each linear in the text (measured against
 * PCRE2 in bench/RESULTS.md); their matches are merged (earliest first,
 * overlaps dropped) and the text is rewritten once.
 *
 *   email  local@domain.tld: local part of [A-Za-z0-9._%+-], a domain of
 *          dot-separated [A-Za-z0-9-] labels ending in a TLD of >= 2
 *          letters.
 *   ipv4   four dot-separated numbers 0..255 that are not part of a longer
 *          dotted run (1.2.3.4.5 is a version, not an address).
 *   ipv6   a run of hex digits, ':' and '.' with at least two colons,
 *          starting and ending at a word boundary, that inet_pton accepts.
 *   number tokens: digits with single separators (space - . ( )), not glued
 *          to letters, split into digit groups.  The longest leading run
 *          of groups that is one of these is taken, then the rest of the
 *          token is tried the same way (never from inside a number):
 *     card   13-19 digits, spaces or dashes only, first digit 2-6, passing
 *            the Luhn check;
 *     phone  '+' and 8-15 digits (E.164: +1 415 555 2671, +86 138 0013
 *            8000); groups 3-3-4 with an optional leading 1 ((415)
 *            555-2671, 415.555.2671); Chinese mobiles 1[3-9] and 9 more
 *            digits, plain or 3-4-4; trunk-0 numbers: a first group of 2-5
 *            digits starting with 0 and 10-12 digits in 2-3 groups (010-
 *            12345678, 020 7946 0958).  Dates (2024-01-15, 01.02.2024),
 *            years and plain numbers match none of these.
 *
 * Placeholders: style angle gives <EMAIL> <IP> <PHONE> <CARD>; style dolma
 * gives Dolma's |||EMAIL_ADDRESS||| |||IP_ADDRESS||| |||PHONE_NUMBER|||
 * and |||CREDIT_CARD||| (Dolma has no card type; ours).
 *
 * Verdict: keep (reason "pii" when something was redacted), or flag
 * "pii_many" when the total reaches flag_at (Dolma removes documents with
 * more than 5 PII matches; we flag, so the decision stays with the user).
 * Score: the total.  Details: {"email":1,"ip":0,"phone":2,"card":0}.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "../lib/err.h"
#include "../lib/banned.h"

enum pii_type { PII_EMAIL, PII_IP, PII_PHONE, PII_CARD, PII_N };

static const char *const type_name[PII_N] = { "email", "ip", "phone",
					       "card" };
static const char *const angle[PII_N] = { "<EMAIL>", "<IP>", "<PHONE>",
					  "<CARD>" };
static const char *const dolma[PII_N] = {
	"|||EMAIL_ADDRESS|||", "|||IP_ADDRESS|||", "|||PHONE_NUMBER|||",
	"|||CREDIT_CARD|||",
};

struct pii_conf {
	int email, ip, phone, card;
	char style[OPT_STRING_MAX];
	long flag_at;
};

static const struct stage_opt opts[] = {
	{ "email", OPT_BOOL, offsetof(struct pii_conf, email), "true",
	  "redact e-mail addresses", 1, 0 },
	{ "ip", OPT_BOOL, offsetof(struct pii_conf, ip), "true",
	  "redact IPv4 and IPv6 addresses", 1, 0 },
	{ "phone", OPT_BOOL, offsetof(struct pii_conf, phone), "true",
	  "redact phone numbers (+CC international, US 3-3-4, Chinese mobile, "
	  "trunk-0 national)", 1, 0 },
	{ "card", OPT_BOOL, offsetof(struct pii_conf, card), "true",
	  "redact payment card numbers (13-19 digits, Luhn-checked)", 1, 0 },
	{ "style", OPT_STRING, offsetof(struct pii_conf, style), "angle",
	  "placeholders: angle (<EMAIL> <IP> <PHONE> <CARD>) or dolma "
	  "(|||EMAIL_ADDRESS||| ..., Dolma's)", 1, 0 },
	{ "flag_at", OPT_INT, offsetof(struct pii_conf, flag_at), "6",
	  "flag documents with at least this many matches, 0: never (Dolma "
	  "removes documents with more than 5)", 0, 1e9 },
	{ 0 },
};

struct span {
	size_t off, len;
	enum pii_type type;
};

struct pii_scratch {
	struct span *s;
	size_t n, alloc;
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	const struct pii_conf *c = conf;

	if (strcmp(c->style, "angle") && strcmp(c->style, "dolma"))
		return sl_error(err, "[filter.pii] style: '%s' is not angle "
				"or dolma", c->style);
	*state = malloc(sizeof(*c));
	if (!*state)
		return sl_error(err, "out of memory");
	memcpy(*state, conf, sizeof(*c));
	return 0;
}

static void close_(void *state)
{
	free(state);
}

static void *scratch_new(const void *state)
{
	return calloc(1, sizeof(struct pii_scratch));
}

static void scratch_free(void *scratch)
{
	struct pii_scratch *ps = scratch;

	if (ps)
		free(ps->s);
	free(ps);
}

static int push(struct pii_scratch *ps, size_t off, size_t len,
		enum pii_type t)
{
	if (ps->n == ps->alloc) {
		size_t na = ps->alloc ? 2 * ps->alloc : 64;
		struct span *ns = realloc(ps->s, na * sizeof(*ns));

		if (!ns)
			return -1;
		ps->s = ns;
		ps->alloc = na;
	}
	ps->s[ps->n++] = (struct span){ off, len, t };
	return 0;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int is_hex(int c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* ---- e-mail ------------------------------------------------------------- */

static int local_char(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
	       c == '-';
}

/* The e-mail around the '@' at p[a]; its span, or 0. */
static int email_at(const char *p, size_t n, size_t a, size_t *s, size_t *e)
{
	size_t i = a, j = a + 1, dot = 0, label = 0, tld_alpha = 1;

	while (i > 0 && local_char((unsigned char)p[i - 1]) && a - i < 64)
		i--;
	while (i < a && p[i] == '.')
		i++;
	if (i == a)
		return 0;
	while (j < n) {
		int c = (unsigned char)p[j];

		if (is_alnum(c) || c == '-') {
			tld_alpha &= is_alpha(c);
			label++;
		} else if (c == '.' && label && j + 1 < n &&
			   is_alnum((unsigned char)p[j + 1])) {
			dot = j;
			label = 0;
			tld_alpha = 1;
		} else {
			break;
		}
		j++;
	}
	if (!dot || label < 2 || !tld_alpha || p[j - 1] == '-')
		return 0;
	*s = i;
	*e = j;
	return 1;
}

static int scan_email(const char *p, size_t n, struct pii_scratch *ps)
{
	const char *at = p;
	size_t from = 0, s, e;

	while ((at = memchr(p + from, '@', n - from))) {
		size_t a = (size_t)(at - p);

		if (email_at(p, n, a, &s, &e)) {
			if (push(ps, s, e - s, PII_EMAIL))
				return -1;
			from = e;
		} else {
			from = a + 1;
		}
	}
	return 0;
}

/* ---- IPv6 --------------------------------------------------------------- */

static int scan_ipv6(const char *p, size_t n, struct pii_scratch *ps)
{
	const char *c = p;
	size_t from = 0;

	/* every IPv6 address has "::" or a colon between hex digits */
	while ((c = memchr(p + from, ':', n - from))) {
		size_t k = (size_t)(c - p), s = k, e = k, colons = 0, hex = 0;
		char tmp[64];
		struct in6_addr a;

		while (s > 0 && (is_hex((unsigned char)p[s - 1]) ||
				 p[s - 1] == ':'))
			s--;
		while (e < n && (is_hex((unsigned char)p[e]) || p[e] == ':' ||
				 p[e] == '.'))
			e++;
		while (e > k && p[e - 1] == '.')
			e--;
		from = e > k ? e : k + 1;
		if ((s > 0 && (is_alnum((unsigned char)p[s - 1]) ||
			       p[s - 1] == '.')) ||
		    (e < n && is_alnum((unsigned char)p[e])) ||
		    e - s < 3 || e - s >= sizeof(tmp))
			continue;
		for (size_t i = s; i < e; i++) {
			colons += p[i] == ':';
			hex += p[i] != ':';
		}
		/* "a::b" in prose is rarely an address; "::1" is */
		if (colons < 2 || (hex < 4 && (e - s != 3 || memcmp(p + s, "::1", 3))))
			continue;
		memcpy(tmp, p + s, e - s);
		tmp[e - s] = '\0';
		if (strcmp(tmp, "::") && inet_pton(AF_INET6, tmp, &a) == 1 &&
		    push(ps, s, e - s, PII_IP))
			return -1;
	}
	return 0;
}

/* ---- number tokens ----------------------------------------------------- */

#define MAXG 12

struct token {
	size_t start, end;		/* bytes, trimmed */
	int plus;			/* starts with '+' */
	int ng;
	size_t gs[MAXG], ge[MAXG];	/* digit groups */
	char sep[MAXG];			/* separator before group i (0: none) */
	int paren;			/* has ( or ) */
};

static int luhn(const char *d, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';

		if (i & 1) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/* Digits of groups [g0, g1) into d (at most 24); their count. */
static size_t digits(const char *p, const struct token *t, int g0, int g1,
		     char d[24])
{
	size_t k = 0;

	for (int g = g0; g < g1; g++)
		for (size_t i = t->gs[g]; i < t->ge[g]; i++)
			if (k < 24)
				d[k++] = p[i];
			else
				return 25;
	return k;
}

static size_t glen(const struct token *t, int g)
{
	return t->ge[g] - t->gs[g];
}

/* What groups [g0, g1) of the token are, or -1. */
static int classify(const char *p, const struct token *t, int g0, int g1)
{
	char d[24];
	size_t nd = digits(p, t, g0, g1, d);
	int ng = g1 - g0, seps_ok = 1, dots = 1, plus = t->plus && g0 == 0;

	for (int g = g0 + 1; g < g1; g++) {
		seps_ok &= t->sep[g] == ' ' || t->sep[g] == '-';
		dots &= t->sep[g] == '.';
	}
	/* not a piece of a longer dotted run (versions: 1.2.3.4.5) */
	if (ng == 4 && dots && !plus && (g1 == t->ng || t->sep[g1] != '.') &&
	    (g0 == 0 || t->sep[g0] != '.')) {
		int ok = 1;

		for (int g = g0; g < g1; g++) {
			size_t l = glen(t, g);
			long v = strtol(p + t->gs[g], NULL, 10);

			ok &= l >= 1 && l <= 3 && v <= 255;
		}
		if (ok)
			return PII_IP;
	}
	if (nd > 24)
		return -1;
	if (!plus && seps_ok && nd >= 13 && nd <= 19 && d[0] >= '2' &&
	    d[0] <= '6' && luhn(d, nd))
		return PII_CARD;
	if (plus)
		return nd >= 8 && nd <= 15 ? PII_PHONE : -1;
	/* 3-3-4, optionally after a 1 */
	if (ng >= 3) {
		int o = ng == 4 && glen(t, g0) == 1 && d[0] == '1';

		if (ng == 3 + o && glen(t, g0 + o) == 3 &&
		    glen(t, g0 + o + 1) == 3 && glen(t, g0 + o + 2) == 4 &&
		    (!t->sep[g0 + o + 1] || t->sep[g0 + o + 1] != '.' ||
		     t->sep[g0 + o + 2] == '.'))
			return PII_PHONE;
	}
	/* Chinese mobile: 1[3-9]xxxxxxxxx, plain or 3-4-4 */
	if (nd == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' &&
	    (ng == 1 || (ng == 3 && glen(t, g0) == 3 && glen(t, g0 + 1) == 4)))
		return PII_PHONE;
	/* trunk 0 */
	if (d[0] == '0' && ng >= 2 && ng <= 3 && glen(t, g0) >= 2 &&
	    glen(t, g0) <= 5 && nd >= 10 && nd <= 12 && !dots)
		return PII_PHONE;
	return -1;
}

static int sep_char(int c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

/* The number token starting at p[i]; the end of what was examined. */
static size_t read_token(const char *p, size_t n, size_t i, struct token *t)
{
	char pending = 0;
	size_t j = i;

	memset(t, 0, sizeof(*t));
	t->start = i;
	if (p[j] == '+') {
		t->plus = 1;
		j++;
	}
	while (j < n) {
		int c = (unsigned char)p[j];

		if (is_digit(c)) {
			size_t s = j;

			while (j < n && is_digit((unsigned char)p[j]))
				j++;
			if (t->ng == MAXG)
				break;
			t->gs[t->ng] = s;
			t->ge[t->ng] = j;
			t->sep[t->ng++] = pending;
			pending = 0;
			t->end = j;
			continue;
		}
		if (!sep_char(c))
			break;
		/* one separator, or a space next to a parenthesis */
		if (pending && !((pending == ' ' && c == '(') ||
				 (pending == ')' && c == ' ') ||
				 (pending == ' ' && c == '-') ||
				 (pending == '-' && c == ' ')))
			break;
		t->paren |= c == '(' || c == ')';
		if (!pending || pending == ' ' || pending == '-')
			pending = (char)(c == '(' || c == ')' ? '-' : c);
		j++;
	}
	return t->end > i ? t->end : i + 1;
}

static int scan_numbers(const char *p, size_t n, struct pii_scratch *ps,
			const struct pii_conf *cf)
{
	size_t i = 0;

	while (i < n) {
		int c = (unsigned char)p[i];
		int prev = i ? (unsigned char)p[i - 1] : ' ';
		struct token t;
		size_t next;
		int g0;

		if (!(is_digit(c) || ((c == '+' || c == '(') && i + 1 < n &&
				      is_digit((unsigned char)p[i + 1]))) ||
		    is_alnum(prev) || prev == '.' || prev == '_' ||
		    (prev == '-' && i > 1 && is_alnum((unsigned char)p[i - 2]))) {
			i++;
			continue;
		}
		next = read_token(p, n, i, &t);
		if (!t.ng || (t.end < n && (is_alpha((unsigned char)p[t.end]) ||
					    p[t.end] == '_'))) {
			i = next;
			continue;
		}
		/* longest leading run of groups that is something */
		for (g0 = 0; g0 < t.ng;) {
			int g1, ty = -1;

			for (g1 = t.ng; g1 > g0; g1--) {
				ty = classify(p, &t, g0, g1);
				if (ty >= 0)
					break;
			}
			if (ty >= 0 && ((ty == PII_IP && cf->ip) ||
					(ty == PII_CARD && cf->card) ||
					(ty == PII_PHONE && cf->phone))) {
				size_t s = g0 == 0 ? t.start : t.gs[g0];
				size_t e = t.ge[g1 - 1];

				/* keep "(415)" whole: take its parenthesis */
				if (s > 0 && p[s - 1] == '(' && s - 1 >= t.start)
					s--;
				if (push(ps, s, e - s, (enum pii_type)ty))
					return -1;
				g0 = g1;
			} else {
				break;	/* never start inside a number */
			}
		}
		i = next;
	}
	return 0;
}

/* ---- the stage ----------------------------------------------------------- */

static int by_off(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->len > y->len ? -1 : x->len < y->len;
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct pii_conf *cf = state;
	struct pii_scratch *ps = scratch;
	const char *const *ph = strcmp(cf->style, "dolma") ? angle : dolma;
	size_t count[PII_N] = { 0 }, at = 0, total = 0;

	if (!ps)
		return sl_error(err, "out of memory");
	ps->n = 0;
	if ((cf->email && scan_email(d->text, d->len, ps)) ||
	    (cf->ip && scan_ipv6(d->text, d->len, ps)) ||
	    ((cf->ip || cf->phone || cf->card) &&
	     scan_numbers(d->text, d->len, ps, cf)))
		return sl_error(err, "out of memory");
	if (ps->n)
		qsort(ps->s, ps->n, sizeof(*ps->s), by_off);
	for (size_t i = 0; i < ps->n; i++) {
		const struct span *s = &ps->s[i];

		if (s->off < at)
			continue;	/* overlaps an earlier match */
		if (!total)
			buf_reset(&out->text);
		if (buf_add(&out->text, d->text + at, s->off - at) ||
		    buf_adds(&out->text, ph[s->type]))
			return sl_error(err, "out of memory");
		at = s->off + s->len;
		count[s->type]++;
		total++;
	}
	buf_addf(&out->detail, "{\"%s\":%zu,\"%s\":%zu,\"%s\":%zu,\"%s\":%zu}",
		 type_name[0], count[0], type_name[1], count[1], type_name[2],
		 count[2], type_name[3], count[3]);
	out->score = (double)total;
	if (!total)
		return 0;
	if (buf_add(&out->text, d->text + at, d->len - at))
		return sl_error(err, "out of memory");
	out->rewrite = 1;
	if (cf->flag_at && total >= (size_t)cf->flag_at)
		stage_verdict(out, DECISION_FLAG, "pii_many");
	else
		stage_verdict(out, DECISION_KEEP, "pii");
	return 0;
}

const struct stage_ops stage_pii = {
	.name = "pii",
	.summary = "redact e-mail, IP addresses, phone and card numbers with "
		   "typed placeholders; count per type",
	.code_version = 1,
	.opts = opts,
	.conf_size = sizeof(struct pii_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
};
