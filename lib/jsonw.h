/*
 * jsonw.h: write JSON text into a struct buf, fast and without a tree
 * (the exporters emit millions of documents; building a jansson object for
 * each would double the work).
 *
 * Strings must be valid UTF-8 (everything in the store is); they are
 * written as UTF-8 with only '"', '\\' and control characters escaped, the
 * compact form jansson and Python's json.dumps(ensure_ascii=False) agree on.
 */
#ifndef SL_JSONW_H
#define SL_JSONW_H

#include <stddef.h>

struct buf;

/* Append s[0..n) as a JSON string literal, quotes included. */
int jsonw_str(struct buf *b, const char *s, size_t n);
/* Append "key": (with a leading comma unless first) */
int jsonw_key(struct buf *b, const char *key, int first);

#endif
