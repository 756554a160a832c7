/*
 * wordset.h: count the occurrences of a word list in a text in one linear
 * pass, without a regex alternation.
 *
 * Entries are case-folded (simple lowercase) and split into words the way
 * textstats splits text, so "Blow Job" in a list matches "blow-job" and
 * "BLOW  JOB" in a text.  Two matchers:
 *   - entries without Han or kana: a hash set of 64-bit hashes of their
 *     word sequences (one or more words), probed at each word of the text
 *     with the last k words, k up to the longest entry; matches respect
 *     word boundaries ("ass" does not match "class");
 *   - entries with Han or kana (Chinese and Japanese write no spaces): an
 *     Aho-Corasick automaton over the folded bytes, as a dense transition
 *     table, so any occurrence counts wherever it sits.
 * Entries without any letter ("13.") are ignored; so are entries shorter
 * than minchars characters (single Han characters like 性 occur inside
 * ordinary words: 可能性).  Hash collisions between different word
 * sequences (2^-64 per probe) are ignored.
 *
 *   struct wordset *ws = wordset_new();
 *   wordset_add(ws, "blow job", 8, 1);  ...  or wordset_load_text()
 *   wordset_build(ws, err);             // once; then read-only, any thread
 *   n = wordset_scan(ws, text, len, spans);   // spans may be NULL
 *   wordset_free(ws);
 */
#ifndef SL_WORDSET_H
#define SL_WORDSET_H

#include <stddef.h>

struct buf;
struct sl_err;
struct wordset;

/* One match: bytes [off, off + len) of the text. */
struct wordset_span {
	size_t off, len;
};

struct wordset *wordset_new(void);
void wordset_free(struct wordset *ws);

/* Add one entry (UTF-8); entries too short or without letters are
 * skipped.  Returns 0, or -1 when out of memory. */
int wordset_add(struct wordset *ws, const char *p, size_t n, size_t minchars);
/* Add every line of a list (blank lines and '#' comments skipped);
 * name is for messages.  Invalid UTF-8 is an error naming name:line. */
int wordset_add_lines(struct wordset *ws, const char *text, size_t n,
		      size_t minchars, const char *name, struct sl_err *err);
/* Finish the automaton; no wordset_add() after it. */
int wordset_build(struct wordset *ws, struct sl_err *err);
size_t wordset_size(const struct wordset *ws);

/* Occurrences in p[0..n) (valid UTF-8).  When spans is not NULL each
 * match is appended to it as a struct wordset_span, in text order for
 * each matcher (hash-set matches first). Returns the count, or -1 when
 * out of memory. */
long wordset_scan(const struct wordset *ws, const char *p, size_t n,
		  struct buf *spans);

#endif
