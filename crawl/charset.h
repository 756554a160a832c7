/*
 * charset.h: decide the encoding of a fetched page and convert it to UTF-8.
 *
 * Detection follows the order browsers use (WHATWG "encoding sniffing"):
 *
 *   1. a byte order mark (UTF-8, UTF-16LE, UTF-16BE);
 *   2. charset= in the HTTP Content-Type header;
 *   3. <meta charset=...> or <meta http-equiv="Content-Type"
 *      content="...charset=..."> within the first CHARSET_PRESCAN bytes
 *      (a UTF-16 label found there means UTF-8, as in browsers);
 *   4. a guess: valid non-ASCII UTF-8 is UTF-8, else libuchardet's answer;
 *   5. windows-1252.
 *
 * Labels are mapped per the WHATWG Encoding Standard ("latin1", "ascii" and
 * "iso-8859-1" mean windows-1252, "gb2312"/"gbk" mean GB18030, "big5"
 * means Big5-HKSCS, "shift_jis" means windows-31j...).  An unknown label at
 * one step falls through to the next.
 *
 * Conversion never fails on bad input: every invalid or unconvertible
 * sequence becomes U+FFFD (counted in *nrepl) and the output is always
 * valid UTF-8.  The output buffer's cap bounds the result: when the text
 * does not fit, it is cut at a character boundary and 1 is returned.
 *
 *   char label[CHARSET_LABEL_MAX];
 *   charset_detect(body, n, content_type, label, sizeof(label));
 *   struct buf out; buf_init(&out, 8 << 20);
 *   rc = charset_to_utf8(body, n, label, &out, &nrepl, &err);
 *   ...; buf_release(&out);       // the caller owns out
 *
 * Thread-safe: no global state (each call opens its own iconv descriptor).
 */
#ifndef SL_CHARSET_H
#define SL_CHARSET_H

#include <stddef.h>

struct buf;
struct sl_err;

#define CHARSET_LABEL_MAX 32
#define CHARSET_PRESCAN 4096

/* Where charset_detect() found the encoding. */
enum charset_source {
	CHARSET_FROM_BOM = 0,
	CHARSET_FROM_HEADER,
	CHARSET_FROM_META,
	CHARSET_FROM_GUESS,
	CHARSET_FROM_DEFAULT,
};

/* Canonical (WHATWG) name of a label ("latin1" -> "windows-1252"), or NULL
 * when the label names no encoding we can decode. */
const char *charset_canonical(const char *label);

/* Decide the encoding of bytes[0..n); content_type is the HTTP header value
 * or NULL.  Writes the canonical name into label_out (always set, at most
 * label_size - 1 bytes) and returns an enum charset_source. */
int charset_detect(const char *bytes, size_t n, const char *content_type,
		   char *label_out, size_t label_size);

/* The charset= parameter of a Content-Type value, as written (quotes
 * removed) into out; 0 when found, -1 otherwise. */
int charset_from_content_type(const char *ct, char *out, size_t size);

/* The charset declared by a <meta> in the first CHARSET_PRESCAN bytes, as
 * written into out; 0 when found, -1 otherwise. */
int charset_prescan_meta(const char *bytes, size_t n, char *out, size_t size);

/* Append bytes[0..n), encoded in label, to out as UTF-8.  A leading BOM of
 * that encoding is dropped.  Adds the number of U+FFFD replacements to
 * *nrepl (may be NULL).  Returns 0, 1 when the output was cut at out's cap,
 * or -1 (unknown label, out of memory) with a message in err. */
int charset_to_utf8(const char *bytes, size_t n, const char *label,
		    struct buf *out, size_t *nrepl, struct sl_err *err);

#endif
