/*
 * rulefile.c: parse rule files, compile their patterns and word lists, and
 * count a rule's matches (see rulefile.h; the format is in
 * filter/rules/README.md and at the top of filter/rules.c).
 *
 * Parsing is a strict line scanner: every field is checked, and every
 * error names the file and line.  Patterns are compiled once with
 * PCRE2_UTF | PCRE2_UCP and JIT-compiled when the JIT is available (the
 * interpreter is the fallback).  Matching runs under a match context that
 * carries the match and depth limits and a per-thread JIT stack; any
 * PCRE2 error other than "no match" is returned as an error.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "rulefile.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wordset.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define RULEFILE_MAX (16u << 20)

void ruleset_init(struct ruleset *rs, uint32_t match_limit,
		  uint32_t depth_limit)
{
	memset(rs, 0, sizeof(*rs));
	rs->match_limit = match_limit;
	rs->depth_limit = depth_limit;
}

void ruleset_release(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		pcre2_code_free(rs->r[i].re);
		wordset_free(rs->r[i].ws);
	}
	free(rs->r);
	rs->r = NULL;
	rs->n = rs->alloc = 0;
}

/* ---- reading files ----------------------------------------------------- */

/* Read a whole rule file or word list (at most RULEFILE_MAX bytes) and fold
 * its name and contents into *digest, so the stage's version changes when
 * any file it reads changes. */
static int read_file(const char *path, struct buf *out, uint64_t *digest,
		     struct sl_err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char tmp[65536];
	size_t k;

	if (!f)
		return sl_error(err, "cannot open '%s':", path);
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return sl_error(err, "cannot read '%s': not a regular file",
				path);
	}
	buf_init(out, RULEFILE_MAX);
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_add(out, tmp, k)) {
			fclose(f);
			buf_release(out);
			return sl_error(err, "cannot read '%s': larger than "
					"%u bytes", path, RULEFILE_MAX);
		}
	if (ferror(f)) {
		fclose(f);
		buf_release(out);
		return sl_error(err, "cannot read '%s':", path);
	}
	fclose(f);
	*digest = hash64_seed(path, strlen(path), *digest);
	*digest = hash64_seed(out->data ? out->data : "", out->len, *digest);
	return 0;
}

/* ---- one rule line ----------------------------------------------------- */

struct cursor {
	const char *p, *end;
};

static void skip_space(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

/* The next white-space separated field; its length, 0 at the end. */
static size_t field(struct cursor *c, const char **f)
{
	skip_space(c);
	*f = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		c->p++;
	return (size_t)(c->p - *f);
}

static int is_word(const char *f, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(f, w, n);
}

static int valid_name(const char *f, size_t n)
{
	if (!n || n > RULE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= 'A' && f[i] <= 'Z') ||
		      (f[i] >= '0' && f[i] <= '9') || f[i] == '_' || f[i] == '-'))
			return 0;
	return 1;
}

static int compile_regex(struct rule *r, const char *pat, size_t n,
			 const char *where, struct sl_err *err)
{
	int code;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];

	r->re = pcre2_compile((PCRE2_SPTR)pat, n, PCRE2_UTF | PCRE2_UCP,
			      &code, &off, NULL);
	if (!r->re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return sl_error(err, "%s: rule '%s': bad pattern at offset "
				"%zu: %s", where, r->name, (size_t)off,
				(char *)msg);
	}
	/* Without a JIT (some architectures) the interpreter runs. */
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);
	return 0;
}

static int load_words(struct rule *r, const char *arg, size_t n,
		      const char *dir, size_t minchars, const char *where,
		      uint64_t *digest, struct sl_err *err)
{
	char path[4096], name[1024];
	const char *text;
	size_t len;
	struct buf b;
	int rc;

	if (n >= sizeof(name))
		return sl_error(err, "%s: word list name too long", where);
	memcpy(name, arg, n);
	name[n] = '\0';
	r->ws = wordset_new();
	if (!r->ws)
		return sl_error(err, "out of memory");
	buf_init(&b, 0);
	if (!dir) {
		text = rulefile_builtin(name, &len);
		if (!text)
			return sl_error(err, "%s: no built-in word list '%s'",
					where, name);
	} else {
		if (name[0] == '/' || !*dir)
			snprintf(path, sizeof(path), "%s", name);
		else
			snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (read_file(path, &b, digest, err))
			return sl_error_prefix(err, "%s: ", where);
		text = b.data ? b.data : "";
		len = b.len;
	}
	rc = wordset_add_lines(r->ws, text, len, minchars, name, err);
	if (!rc)
		rc = wordset_build(r->ws, err);
	buf_release(&b);
	if (rc)
		return sl_error_prefix(err, "%s: ", where);
	if (!wordset_size(r->ws))
		return sl_error(err, "%s: rule '%s': word list '%s' has no "
				"usable entry", where, r->name, name);
	return 0;
}

/* key=value attributes between MIN and KIND; 1 when f was one. */
static int attribute(struct rule *r, const char *f, size_t n,
		     size_t *minchars, const char *where, struct sl_err *err)
{
	const char *eq = memchr(f, '=', n);
	size_t vn;

	if (!eq)
		return 0;
	vn = n - (size_t)(eq - f) - 1;
	if (eq - f == 4 && !memcmp(f, "lang", 4)) {
		if (vn >= sizeof(r->langs))
			return sl_error(err, "%s: lang list too long", where);
		memcpy(r->langs, eq + 1, vn);
		r->langs[vn] = '\0';
		return 1;
	}
	if (eq - f == 8 && !memcmp(f, "minchars", 8)) {
		char num[16];
		char *end;
		long v;

		if (!vn || vn >= sizeof(num))
			goto badnum;
		memcpy(num, eq + 1, vn);
		num[vn] = '\0';
		v = strtol(num, &end, 10);
		if (*end || v < 0 || v > 1000)
			goto badnum;
		*minchars = (size_t)v;
		return 1;
badnum:
		return sl_error(err, "%s: minchars: '%.*s' is not a number "
				"0..1000", where, (int)vn, eq + 1);
	}
	return sl_error(err, "%s: unknown attribute '%.*s' (lang, minchars)",
			where, (int)(eq - f), f);
}

static int parse_line(struct rule *r, const char *line, size_t n,
		      const char *where, const char *dir, uint64_t *digest,
		      struct sl_err *err)
{
	struct cursor c = { line, line + n };
	const char *f;
	size_t k, minchars = 0;
	char num[24], *end;
	int a;

	memset(r, 0, sizeof(*r));
	snprintf(r->where, sizeof(r->where), "%s", where);
	k = field(&c, &f);
	if (!valid_name(f, k))
		return sl_error(err, "%s: bad rule name '%.*s' (1-%d of "
				"A-Z a-z 0-9 _ -)", where, (int)k, f,
				RULE_NAME_MAX);
	memcpy(r->name, f, k);
	k = field(&c, &f);
	if (is_word(f, k, "text"))
		r->scope = SCOPE_TEXT;
	else if (is_word(f, k, "url"))
		r->scope = SCOPE_URL;
	else if (is_word(f, k, "title"))
		r->scope = SCOPE_TITLE;
	else
		return sl_error(err, "%s: unknown scope '%.*s' (text, url, "
				"title)", where, (int)k, f);
	k = field(&c, &f);
	if (is_word(f, k, "drop"))
		r->action = ACTION_DROP;
	else if (is_word(f, k, "flag"))
		r->action = ACTION_FLAG;
	else if (is_word(f, k, "redact"))
		r->action = ACTION_REDACT;
	else
		return sl_error(err, "%s: unknown action '%.*s' (drop, flag, "
				"redact)", where, (int)k, f);
	if (r->action == ACTION_REDACT && r->scope == SCOPE_URL)
		return sl_error(err, "%s: rule '%s': redact needs scope text "
				"or title", where, r->name);
	k = field(&c, &f);
	if (!k || k >= sizeof(num))
		goto badmin;
	memcpy(num, f, k);
	num[k] = '\0';
	errno = 0;
	r->min = strtol(num, &end, 10);
	if (errno || *end || r->min < 1 || r->min > 1000000)
		goto badmin;
	while ((k = field(&c, &f)) &&
	       (a = attribute(r, f, k, &minchars, where, err)))
		if (a < 0)
			return -1;
	skip_space(&c);
	if (is_word(f, k, "regex")) {
		if (c.p == c.end)
			return sl_error(err, "%s: rule '%s': empty pattern",
					where, r->name);
		return compile_regex(r, c.p, (size_t)(c.end - c.p), where,
				     err);
	}
	if (is_word(f, k, "words")) {
		while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
			c.end--;
		if (c.p == c.end)
			return sl_error(err, "%s: rule '%s': no word list",
					where, r->name);
		return load_words(r, c.p, (size_t)(c.end - c.p), dir,
				  minchars, where, digest, err);
	}
	return sl_error(err, "%s: rule '%s': unknown kind '%.*s' (regex, "
			"words)", where, r->name, (int)k, f);
badmin:
	return sl_error(err, "%s: rule '%s': bad minimum count '%.*s' (an "
			"integer >= 1)", where, r->name, (int)k, f);
}

int rulefile_parse(struct ruleset *rs, const char *text, size_t n,
		   const char *name, const char *dir, struct sl_err *err)
{
	size_t i = 0;
	int line = 0;

	while (i < n) {
		const char *l = text + i, *nl = memchr(l, '\n', n - i);
		size_t ln = nl ? (size_t)(nl - l) : n - i;
		char where[300];
		struct rule *r;
		size_t s = 0;

		i += ln + 1;
		line++;
		if (ln && l[ln - 1] == '\r')
			ln--;
		while (s < ln && (l[s] == ' ' || l[s] == '\t'))
			s++;
		if (s == ln || l[s] == '#')
			continue;
		snprintf(where, sizeof(where), "'%s' line %d", name, line);
		if (!utf8_valid(l, ln))
			return sl_error(err, "%s: invalid UTF-8", where);
		if (memchr(l, '\0', ln))
			return sl_error(err, "%s: NUL byte", where);
		if (rs->n == rs->alloc) {
			size_t na = rs->alloc ? 2 * rs->alloc : 8;
			struct rule *nr = realloc(rs->r, na * sizeof(*nr));

			if (!nr)
				return sl_error(err, "out of memory");
			rs->r = nr;
			rs->alloc = na;
		}
		r = &rs->r[rs->n];
		if (parse_line(r, l + s, ln - s, where, dir, &rs->digest,
			       err)) {
			pcre2_code_free(r->re);
			wordset_free(r->ws);
			return -1;
		}
		for (size_t j = 0; j < rs->n; j++)
			if (!strcmp(rs->r[j].name, r->name)) {
				pcre2_code_free(r->re);
				wordset_free(r->ws);
				return sl_error(err, "%s: rule '%s' already "
						"defined at %s", where,
						r->name, rs->r[j].where);
			}
		rs->n++;
	}
	return 0;
}

int rulefile_load(struct ruleset *rs, const char *path, struct sl_err *err)
{
	struct buf b;
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int rc;

	if (read_file(path, &b, &rs->digest, err))
		return -1;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	rc = rulefile_parse(rs, b.data ? b.data : "", b.len, path, dir, err);
	buf_release(&b);
	return rc;
}

int rulefile_load_defaults(struct ruleset *rs, struct sl_err *err)
{
	size_t n;
	const char *t = rulefile_builtin("default.rules", &n);

	return rulefile_parse(rs, t, n, "default.rules", NULL, err);
}

/* ---- matching ---------------------------------------------------------- */

int rulefile_scratch_init(struct rulefile_scratch *sc,
			  const struct ruleset *rs)
{
	memset(sc, 0, sizeof(*sc));
	sc->md = pcre2_match_data_create(1, NULL);
	sc->mc = pcre2_match_context_create(NULL);
	sc->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (!sc->md || !sc->mc) {
		rulefile_scratch_release(sc);
		return -1;
	}
	pcre2_set_match_limit(sc->mc, rs->match_limit);
	pcre2_set_depth_limit(sc->mc, rs->depth_limit);
	if (sc->js)
		pcre2_jit_stack_assign(sc->mc, NULL, sc->js);
	return 0;
}

void rulefile_scratch_release(struct rulefile_scratch *sc)
{
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mc);
	pcre2_jit_stack_free(sc->js);
	memset(sc, 0, sizeof(*sc));
}

static long count_regex(const struct rule *r, struct rulefile_scratch *sc,
			const char *p, size_t n, int valid_utf8, long max,
			struct buf *spans, struct sl_err *err)
{
	PCRE2_SIZE start = 0, *ov;
	uint32_t opt = valid_utf8 ? PCRE2_NO_UTF_CHECK : 0;
	long count = 0;

	while (start <= n && count < max) {
		int rc = pcre2_match(r->re, (PCRE2_SPTR)p, n, start, opt,
				     sc->md, sc->mc);
		PCRE2_UCHAR msg[256];

		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			pcre2_get_error_message(rc, msg, sizeof(msg));
			return sl_error(err, "rule '%s' (%s): %s at byte %zu",
					r->name, r->where, (char *)msg,
					(size_t)start);
		}
		ov = pcre2_get_ovector_pointer(sc->md);
		count++;
		if (spans && ov[1] > ov[0]) {
			struct wordset_span sp = { ov[0], ov[1] - ov[0] };

			if (buf_add(spans, &sp, sizeof(sp)))
				return sl_error(err, "out of memory");
		}
		start = ov[1];
		if (ov[1] == ov[0]) {	/* empty match: step one character */
			if (start >= n)
				break;
			start++;
			while (start < n && ((unsigned char)p[start] & 0xC0) ==
			       0x80)
				start++;
		}
		opt |= PCRE2_NO_UTF_CHECK;	/* checked by the first call */
	}
	return count;
}

long rulefile_count(const struct rule *r, struct rulefile_scratch *sc,
		    const char *p, size_t n, int valid_utf8, long max,
		    struct buf *spans, struct sl_err *err)
{
	long c;

	if (r->re)
		return count_regex(r, sc, p, n, valid_utf8, max, spans, err);
	if (!valid_utf8 && !utf8_valid(p, n))
		return sl_error(err, "rule '%s': invalid UTF-8", r->name);
	c = wordset_scan(r->ws, p, n, spans);
	if (c < 0)
		return sl_error(err, "out of memory");
	return c;
}
