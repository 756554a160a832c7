/*
 * rules.c: the rules stage: user rule files of PCRE2 patterns and word
 * lists, each with a scope, an action and a minimum count.
 *
 * Rule file format (filter/rules/README.md has the full text): one rule
 * per line, '#' comments, white-space separated fields
 *
 *   NAME  SCOPE  ACTION  MIN  [lang=en,zh] [minchars=N]  KIND  ARGUMENT
 *
 *   badwords_en  text  flag   3  lang=en  words  ldnoobw-en.txt
 *   adult_url    url   drop   1           regex  (?i)(?:porn|xxx)
 *   phone_spam   text  redact 1           regex  \bcall now\b
 *
 * SCOPE is text, url or title (the first line of the text); ACTION drop,
 * flag or redact; KIND regex (the rest of the line is the PCRE2 pattern,
 * UTF + UCP, JIT) or words (a word list file, relative to the rule file:
 * hash set of case-folded word sequences, Aho-Corasick for Chinese and
 * Japanese entries; see wordset.h).
 *
 * Which files: `files` (comma list); when it is empty, or when defaults is
 * true, the built-in set (filter/rules/default.rules, compiled in) too.
 *
 * Verdict: the first drop rule (file order) that reaches its minimum drops
 * the document (reason: the rule's name, score: its count); otherwise the
 * first flag rule flags it; redact rules replace their matches in the
 * text with the placeholder (rewrite).  The details list the count of
 * every rule that matched: {"badwords_en":4,"adult_url":1}.  Counting
 * stops at max_count per rule.  A pattern that exceeds match_limit or
 * depth_limit fails the document (apply returns -1 naming the rule): an
 * error the runner reports, never a silent pass.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulefile.h"
#include "stage.h"
#include "../lib/hash.h"
#include "wordset.h"
#include "../lib/err.h"
#include "../lib/banned.h"

struct rules_conf {
	char files[OPT_STRING_MAX];
	int defaults;
	long match_limit, depth_limit, max_count;
	char placeholder[OPT_STRING_MAX];
};

static const struct stage_opt opts[] = {
	{ "files", OPT_STRING, offsetof(struct rules_conf, files), "",
	  "comma list of rule files (format: filter/rules/README.md); empty: "
	  "the built-in set", 1, 0 },
	{ "defaults", OPT_BOOL, offsetof(struct rules_conf, defaults), "false",
	  "load the built-in set (LDNOOBW en/zh bad words flagged at 3, "
	  "adult and spam URL patterns) besides files", 1, 0 },
	{ "match_limit", OPT_INT, offsetof(struct rules_conf, match_limit),
	  "10000000", "PCRE2 match limit per match attempt (PCRE2's own "
	  "default); exceeding it is an error", 1, 4e9 },
	{ "depth_limit", OPT_INT, offsetof(struct rules_conf, depth_limit),
	  "100000", "PCRE2 backtracking depth limit of the interpreter (ours; "
	  "PCRE2's default is 10000000; JIT-compiled patterns are bounded by "
	  "match_limit and a 1 MB JIT stack); exceeding it is an error", 1,
	  4e9 },
	{ "max_count", OPT_INT, offsetof(struct rules_conf, max_count), "1000",
	  "stop counting a rule's matches here (redact rules replace every "
	  "match up to it)", 1, 1e9 },
	{ "placeholder", OPT_STRING, offsetof(struct rules_conf, placeholder),
	  "<REDACTED>", "text that replaces a redact rule's match", 1, 0 },
	{ 0 },
};

struct rules_state {
	struct rules_conf cf;
	struct ruleset rs;
	int any_redact;
};

struct rules_scratch {
	struct rulefile_scratch sc;
	struct buf spans, all;
};

static int load_files(struct rules_state *s, struct sl_err *err)
{
	const char *p = s->cf.files;

	while (*p) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, ",");
		char path[OPT_STRING_MAX];

		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		snprintf(path, sizeof(path), "%.*s", (int)n, p);
		p += strcspn(p, ",") - n;
		if (*path && rulefile_load(&s->rs, path, err))
			return sl_error_prefix(err, "[filter.rules] ");
		p += n;
		p += *p == ',';
	}
	return 0;
}

static int open_(void **state, const void *conf, struct sl_err *err)
{
	struct rules_state *s = calloc(1, sizeof(*s));

	if (!s)
		return sl_error(err, "out of memory");
	memcpy(&s->cf, conf, sizeof(s->cf));
	ruleset_init(&s->rs, (uint32_t)s->cf.match_limit,
		     (uint32_t)s->cf.depth_limit);
	if ((!*s->cf.files || s->cf.defaults) &&
	    rulefile_load_defaults(&s->rs, err)) {
		sl_error_prefix(err, "[filter.rules] built-in rules: ");
		goto fail;
	}
	if (load_files(s, err))
		goto fail;
	for (size_t i = 0; i < s->rs.n; i++)
		s->any_redact |= s->rs.r[i].action == ACTION_REDACT;
	*state = s;
	return 0;
fail:
	ruleset_release(&s->rs);
	free(s);
	return -1;
}

static void close_(void *state)
{
	struct rules_state *s = state;

	ruleset_release(&s->rs);
	free(s);
}

static void *scratch_new(const void *state)
{
	const struct rules_state *s = state;
	struct rules_scratch *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (rulefile_scratch_init(&r->sc, &s->rs)) {
		free(r);
		return NULL;
	}
	buf_init(&r->spans, 0);
	buf_init(&r->all, 0);
	return r;
}

static void scratch_free(void *scratch)
{
	struct rules_scratch *r = scratch;

	if (!r)
		return;
	rulefile_scratch_release(&r->sc);
	buf_release(&r->spans);
	buf_release(&r->all);
	free(r);
}

static int lang_listed(const char *langs, const char *lang)
{
	size_t n;

	if (!*langs || !lang || !*lang || !strcmp(lang, "und"))
		return 1;	/* unknown language: every rule applies */
	n = strlen(lang);
	while (*langs) {
		size_t k = strcspn(langs, ",");

		if (k == n && !memcmp(langs, lang, n))
			return 1;
		langs += k;
		langs += *langs == ',';
	}
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const struct wordset_span *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* The text with every span (sorted, overlaps merged) replaced. */
static int redact(const char *p, size_t n, struct buf *spans,
		  const char *placeholder, struct buf *out)
{
	struct wordset_span *sp = (struct wordset_span *)spans->data;
	size_t ns = spans->len / sizeof(*sp), at = 0;

	qsort(sp, ns, sizeof(*sp), by_offset);
	for (size_t i = 0; i < ns; i++) {
		size_t end = sp[i].off + sp[i].len;

		if (end <= at)
			continue;
		if (sp[i].off > at && buf_add(out, p + at, sp[i].off - at))
			return -1;
		if (sp[i].off >= at && buf_adds(out, placeholder))
			return -1;
		at = end;
	}
	return buf_add(out, p + at, n - at);
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct rules_state *s = state;
	struct rules_scratch *rs = scratch;
	const struct rule *fired_drop = NULL, *fired_flag = NULL;
	long drop_n = 0, flag_n = 0;
	int any = 0;

	if (!rs)
		return sl_error(err, "out of memory");
	buf_reset(&rs->all);
	for (size_t i = 0; i < s->rs.n; i++) {
		const struct rule *r = &s->rs.r[i];
		const char *p = d->text;
		size_t n = d->len;
		long c;
		int red = r->action == ACTION_REDACT;

		if (!lang_listed(r->langs, d->lang))
			continue;
		if (r->scope == SCOPE_URL) {
			if (!d->url)
				continue;
			p = d->url;
			n = strlen(p);
		} else if (r->scope == SCOPE_TITLE) {
			const char *nl = memchr(p, '\n', n);

			n = nl ? (size_t)(nl - p) : n;
		}
		buf_reset(&rs->spans);
		c = rulefile_count(r, &rs->sc, p, n, r->scope != SCOPE_URL,
				   red ? s->cf.max_count :
				   (r->min > 1 ? s->cf.max_count : 1),
				   red ? &rs->spans : NULL, err);
		if (c < 0)
			return sl_error_prefix(err, "document '%s': ", d->id);
		if (!c)
			continue;
		buf_addf(&out->detail, "%s\"%s\":%ld", any ? "," : "{",
			 r->name, c);
		any = 1;
		if (c < r->min)
			continue;
		if (r->action == ACTION_DROP && !fired_drop) {
			fired_drop = r;
			drop_n = c;
		} else if (r->action == ACTION_FLAG && !fired_flag) {
			fired_flag = r;
			flag_n = c;
		} else if (red && buf_add(&rs->all, rs->spans.data,
					  rs->spans.len)) {
			return sl_error(err, "out of memory");
		}
	}
	if (any && buf_addc(&out->detail, '}'))
		return sl_error(err, "out of memory");
	if (fired_drop) {
		stage_verdict(out, DECISION_DROP, "%s", fired_drop->name);
		out->score = (double)drop_n;
	} else if (fired_flag) {
		stage_verdict(out, DECISION_FLAG, "%s", fired_flag->name);
		out->score = (double)flag_n;
	}
	if (rs->all.len) {
		out->rewrite = 1;
		if (redact(d->text, d->len, &rs->all, s->cf.placeholder,
			   &out->text))
			return sl_error(err, "out of memory");
	}
	return 0;
}

/* The contents of the rule files named in files: editing one makes the
 * stage run again.  (Word lists a rule file refers to are not read here:
 * after editing only a list, run with --redo rules.) */
/* The version covers what the rule files say, word lists included: load
 * them as open_() will and take the digest of everything read. */
static void version_salt(const void *conf, struct buf *out)
{
	struct rules_state s;
	struct sl_err err;

	memset(&s, 0, sizeof(s));
	memcpy(&s.cf, conf, sizeof(s.cf));
	ruleset_init(&s.rs, (uint32_t)s.cf.match_limit,
		     (uint32_t)s.cf.depth_limit);
	if (load_files(&s, &err))
		buf_addf(out, "error:%s\n", err.msg);
	else
		buf_addf(out, "%016llx\n", (unsigned long long)s.rs.digest);
	ruleset_release(&s.rs);
}

const struct stage_ops stage_rules = {
	.name = "rules",
	.summary = "rule files: PCRE2 patterns and word lists on text, URL or "
		   "title; drop, flag or redact",
	.code_version = 1,
	.opts = opts,
	.conf_size = sizeof(struct rules_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = scratch_free,
	.apply = apply,
	.version_salt = version_salt,
};
