/*
 * normalize.c: the first stage: one canonical form of the text, which every
 * later stage and the exporter see (the original stays in the store).
 *
 *   - Unicode NFC (or NFKC with nfkc = true), via utf8proc;
 *   - control characters removed, except newline and tab; zero-width
 *     characters (U+200B..U+200D, U+2060, U+FEFF) and bidi controls
 *     (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F) removed;
 *   - line endings unified: CRLF, CR, U+0085, U+2028, U+2029 -> LF;
 *   - runs of horizontal white space (tab, U+00A0, U+3000, every Zs) -> one
 *     space; spaces at line ends dropped; more than max_blank_lines empty
 *     lines in a row cut; leading and trailing blank space trimmed.
 *
 * A document that is empty afterwards is dropped ("empty").
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "stage.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

struct normalize_conf {
	int nfkc;
	int collapse_spaces;
	long max_blank_lines;
};

static const struct stage_opt opts[] = {
	{ "nfkc", OPT_BOOL, offsetof(struct normalize_conf, nfkc), "false",
	  "NFKC instead of NFC (folds compatibility forms: full-width "
	  "Latin, ligatures)", 1, 0 },
	{ "collapse_spaces", OPT_BOOL,
	  offsetof(struct normalize_conf, collapse_spaces), "true",
	  "runs of horizontal white space become one space", 1, 0 },
	{ "max_blank_lines", OPT_INT,
	  offsetof(struct normalize_conf, max_blank_lines), "1",
	  "most empty lines kept in a row", 0, 100 },
	{ 0 },
};

static int open_(void **state, const void *conf, struct sl_err *err)
{
	*state = malloc(sizeof(struct normalize_conf));
	if (!*state)
		return sl_error(err, "out of memory");
	memcpy(*state, conf, sizeof(struct normalize_conf));
	return 0;
}

static void close_(void *state)
{
	free(state);
}

static void *scratch_new(const void *state)
{
	return calloc(1, 1);	/* nothing per thread */
}

static int dropped_char(utf8proc_int32_t c)
{
	if (c == '\n' || c == '\t' || c == '\r')
		return 0;
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return c != 0x85;	/* NEL is a line break */
	return (c >= 0x200B && c <= 0x200F) || c == 0x2060 || c == 0xFEFF ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static int line_break(utf8proc_int32_t c)
{
	return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 ||
	       c == 0x2029;
}

static int hspace(utf8proc_int32_t c)
{
	return c == ' ' || c == '\t' ||
	       (c > 0x7F && utf8proc_category(c) == UTF8PROC_CATEGORY_ZS);
}

/* Clean up white space and drop unwanted characters of NFC text p[0..n). */
static int tidy(const struct normalize_conf *cf, const char *p, size_t n,
		struct buf *out)
{
	size_t i = 0, blank = 0;
	int pending_space = 0, at_line_start = 1, any = 0;

	while (i < n) {
		size_t len;
		int32_t c = utf8_decode(p + i, n - i, &len);
		char enc[4];

		if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			i++;
			continue;	/* the LF that follows does it */
		}
		i += len;
		if (c < 0 || dropped_char(c))
			continue;
		if (line_break(c)) {
			pending_space = 0;
			if (at_line_start)
				blank++;
			at_line_start = 1;
			if (any && blank <= (size_t)cf->max_blank_lines + 0)
				buf_addc(out, '\n');
			continue;
		}
		if (hspace(c) && cf->collapse_spaces) {
			pending_space = 1;
			continue;
		}
		if (pending_space && !at_line_start)
			buf_addc(out, ' ');
		pending_space = 0;
		at_line_start = 0;
		blank = 0;
		any = 1;
		if (buf_add(out, enc, utf8_encode((uint32_t)c, enc)))
			return -1;
	}
	while (out->len && out->data[out->len - 1] == '\n')
		out->len--;
	if (out->data)
		out->data[out->len] = '\0';
	return 0;
}

static int apply(const void *state, void *scratch, const struct stage_doc *d,
		 struct stage_out *out, struct sl_err *err)
{
	const struct normalize_conf *cf = state;
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	int opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE |
		  (cf->nfkc ? UTF8PROC_COMPAT : 0);

	n = utf8proc_map((const utf8proc_uint8_t *)d->text,
			 (utf8proc_ssize_t)d->len, &nfc, opt);
	if (n < 0)
		return sl_error(err, "document '%s': cannot normalize: %s",
				d->id, utf8proc_errmsg(n));
	if (tidy(cf, (const char *)nfc, (size_t)n, &out->text)) {
		free(nfc);
		return sl_error(err, "out of memory");
	}
	free(nfc);
	out->rewrite = 1;
	if (!out->text.len)
		stage_verdict(out, DECISION_DROP, "empty");
	return 0;
}

const struct stage_ops stage_normalize = {
	.name = "normalize",
	.summary = "Unicode NFC, control/zero-width/bidi characters removed, "
		   "line ends and white space unified",
	.code_version = 1,
	.flags = STAGE_ORIGINAL_TEXT,
	.opts = opts,
	.conf_size = sizeof(struct normalize_conf),
	.open = open_,
	.close = close_,
	.scratch_new = scratch_new,
	.scratch_free = free,
	.apply = apply,
};
