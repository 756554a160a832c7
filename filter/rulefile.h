/*
 * rulefile.h: rule files for the rules stage: parsing, compiling, and
 * counting one rule's matches.  The format is described at the top of
 * filter/rules.c and in filter/rules/README.md.
 *
 * A ruleset owns its rules (compiled PCRE2 patterns, word sets) and is
 * read-only after loading, so worker threads share it; each thread brings
 * a struct rulefile_scratch for PCRE2's match data and JIT stack.
 *
 *   struct ruleset rs;
 *   ruleset_init(&rs, &limits);
 *   if (rulefile_load(&rs, "my.rules", err)) ...   // or rulefile_parse()
 *   rulefile_scratch_init(&sc, &rs)  (per thread)
 *   n = rulefile_count(&rs.r[i], &sc, text, len, spans, max, err);
 *   rulefile_scratch_release(&sc); ruleset_release(&rs);
 */
#ifndef SL_RULEFILE_H
#define SL_RULEFILE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct sl_err;
struct wordset;

enum rule_scope { SCOPE_TEXT, SCOPE_URL, SCOPE_TITLE };
enum rule_action { ACTION_DROP, ACTION_FLAG, ACTION_REDACT };

#define RULE_NAME_MAX 48

struct rule {
	char name[RULE_NAME_MAX + 1];
	enum rule_scope scope;
	enum rule_action action;
	long min;		/* the rule fires at this many matches */
	char langs[64];		/* "en,zh": documents it applies to; "" all */
	char where[300];	/* "file:line", for messages */
	void *re;		/* pcre2_code *, or NULL for a word list */
	struct wordset *ws;
};

struct ruleset {
	struct rule *r;
	size_t n, alloc;
	uint32_t match_limit, depth_limit;
	uint64_t digest;	/* of the names and contents of every file
				 * read: rule files and their word lists */
};

void ruleset_init(struct ruleset *rs, uint32_t match_limit,
		  uint32_t depth_limit);
void ruleset_release(struct ruleset *rs);

/* Parse the rules in text[0..n); name is the file's name for messages,
 * dir the directory word-list paths are relative to, or NULL to allow
 * only the built-in lists.  Errors name "name:line". */
int rulefile_parse(struct ruleset *rs, const char *text, size_t n,
		   const char *name, const char *dir, struct sl_err *err);
/* Read and parse a file (at most 16 MB). */
int rulefile_load(struct ruleset *rs, const char *path, struct sl_err *err);
/* The built-in rule set (filter/rules/default.rules and its lists). */
int rulefile_load_defaults(struct ruleset *rs, struct sl_err *err);

/* A built-in file by name ("default.rules", "ldnoobw-en.txt"), or NULL. */
const char *rulefile_builtin(const char *name, size_t *len);

struct rulefile_scratch {
	void *md;		/* pcre2_match_data * */
	void *mc;		/* pcre2_match_context * */
	void *js;		/* pcre2_jit_stack * */
};

int rulefile_scratch_init(struct rulefile_scratch *sc,
			  const struct ruleset *rs);
void rulefile_scratch_release(struct rulefile_scratch *sc);

/* Matches of rule r in p[0..n), counting up to max; each match appended
 * to spans (struct wordset_span) when spans is not NULL.  valid_utf8:
 * the caller vouches for p (PCRE2 then skips its check).  Returns the
 * count, or -1 with err set: a PCRE2 limit hit, bad UTF-8, no memory. */
long rulefile_count(const struct rule *r, struct rulefile_scratch *sc,
		    const char *p, size_t n, int valid_utf8, long max,
		    struct buf *spans, struct sl_err *err);

#endif
