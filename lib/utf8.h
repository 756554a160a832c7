/*
 * utf8.h: UTF-8 validation, repair and counting.
 *
 * Text from outside is never stored invalid: utf8_repair() copies it and
 * replaces each maximal invalid subpart (the WHATWG / Unicode 'best practice'
 * rule, the one Python and browsers use) with U+FFFD, counting how many
 * replacements it made.  Overlong forms, surrogates (U+D800..DFFF) and code
 * points above U+10FFFF are invalid.
 */
#ifndef SL_UTF8_H
#define SL_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* Length of the longest valid prefix of p[0..n). Equal to n when valid. */
size_t utf8_valid_prefix(const char *p, size_t n);

static inline int utf8_valid(const char *p, size_t n)
{
	return utf8_valid_prefix(p, n) == n;
}

/* Append p[0..n) to out with invalid sequences replaced by U+FFFD.
 * Adds the number of replacements to *nrepl (when not NULL).
 * Returns 0, or a BUF_* error from the buffer. */
int utf8_repair(const char *p, size_t n, struct buf *out, size_t *nrepl);

/* Number of code points in valid UTF-8 p[0..n). */
size_t utf8_count(const char *p, size_t n);

/* Decode one code point of valid UTF-8 at p (n > 0 bytes left); stores its
 * length in *len.  On invalid input returns -1 with *len = 1. */
int32_t utf8_decode(const char *p, size_t n, size_t *len);

/* Encode cp (<= 0x10FFFF, not a surrogate) into out[4]; returns the length. */
size_t utf8_encode(uint32_t cp, char out[4]);

#endif
