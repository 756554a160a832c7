/*
 * jsonscan.h: a strict, allocation-free JSON scanner for JSONL import.
 *
 * Import needs a handful of fields from each line and the rest kept as it
 * was written.  Building a tree (jansson) for every line costs more than
 * everything else import does, and re-serialising changes numbers
 * (0.9 -> 0.90000000000000002).  So: one pass validates the line against
 * RFC 8259 and returns the members of the top-level object as raw byte
 * spans; strings are decoded only when asked for.
 *
 *   struct jscan js;  jscan_init(&js);
 *   if (jscan_object(&js, line, len) < 0)  -> js.error, js.column
 *   const struct jmember *m = jscan_get(&js, "text");
 *   jscan_string(m->val, &buf, &nrepl);   // decoded UTF-8
 *   jscan_release(&js);
 *
 * Members stay valid until the next jscan_object() on the same struct and
 * point into the caller's line.  Duplicate keys at the top level are an
 * error.  Nesting is limited to JSCAN_MAX_DEPTH.  Escaped lone surrogates
 * (\ud800) decode to U+FFFD and are counted, as invalid UTF-8 is.
 */
#ifndef SL_JSONSCAN_H
#define SL_JSONSCAN_H

#include <stddef.h>

struct buf;

#define JSCAN_MAX_DEPTH 256

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jspan {
	const char *p;
	size_t n;
};

struct jmember {
	struct jspan key;	/* raw, with its quotes */
	struct jspan val;	/* raw */
	enum jtype type;
	int key_plain;		/* the key has no escapes */
};

struct jscan {
	struct jmember *m;
	size_t n, alloc;
	const char *error;	/* static text, when a scan failed */
	size_t column;		/* 1-based byte column of the error */
};

void jscan_init(struct jscan *js);
void jscan_release(struct jscan *js);

/* Scan text that must be exactly one JSON object (whitespace around it is
 * allowed).  0 on success; -1 with js->error, js->column set. */
int jscan_object(struct jscan *js, const char *p, size_t n);

/* The member named key (compared after decoding), or NULL. */
const struct jmember *jscan_get(const struct jscan *js, const char *key);

/* Does the raw string literal s decode to key? */
int jscan_key_is(struct jspan s, int plain, const char *key);

/* Append the decoded value of a raw string literal to out.  Adds the number
 * of U+FFFD substitutions (lone surrogates) to *nrepl.  0 or a BUF_* error. */
int jscan_string(struct jspan raw, struct buf *out, size_t *nrepl);

#endif
