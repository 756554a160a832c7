/*
 * charset.c: encoding detection (BOM > HTTP header > <meta> prescan >
 * uchardet > windows-1252) and conversion to UTF-8 with glibc iconv.
 *
 * Conversion is done in chunks: each decoder produces a small piece of
 * valid UTF-8 that emit() appends to the caller's buffer, cutting at a
 * character boundary when the buffer's cap is reached.  UTF-8 and
 * windows-1252 (the two encodings most of the web uses) are decoded here
 * without iconv; everything else goes through iconv with one U+FFFD per
 * byte that iconv refuses.
 */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <uchardet/uchardet.h>

#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

/* Labels per the WHATWG Encoding Standard (a subset: the encodings glibc
 * can decode), each line: canonical name, iconv name, labels. */
struct enc {
	const char *name;
	const char *iconv;
	const char *labels;	/* space separated, lower case */
};

static const struct enc encs[] = {
	{ "UTF-8", "UTF-8", "utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 "
	  "unicode20utf8 x-unicode20utf8" },
	{ "windows-1252", "WINDOWS-1252", "windows-1252 ansi_x3.4-1968 ascii "
	  "us-ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 "
	  "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 x-cp1252 "
	  "x-user-defined" },
	{ "GB18030", "GB18030", "gb18030 gbk x-gbk gb2312 chinese csgb2312 "
	  "csiso58gb231280 gb_2312 gb_2312-80 iso-ir-58 cp936 ms936 "
	  "windows-936" },
	{ "Big5", "BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5" },
	{ "Shift_JIS", "CP932", "shift_jis shift-jis sjis csshiftjis ms932 "
	  "ms_kanji windows-31j x-sjis" },
	{ "EUC-JP", "EUC-JP", "euc-jp cseucpkdfmtjapanese x-euc-jp" },
	{ "ISO-2022-JP", "ISO-2022-JP", "iso-2022-jp csiso2022jp" },
	{ "EUC-KR", "CP949", "euc-kr cseuckr csksc56011987 iso-ir-149 korean "
	  "ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949 uhc" },
	{ "UTF-16LE", "UTF-16LE", "utf-16 utf-16le csunicode iso-10646-ucs-2 "
	  "ucs-2 unicode unicodefeff" },
	{ "UTF-16BE", "UTF-16BE", "utf-16be unicodefffe" },
	{ "windows-1250", "WINDOWS-1250", "windows-1250 cp1250 x-cp1250" },
	{ "windows-1251", "WINDOWS-1251", "windows-1251 cp1251 x-cp1251" },
	{ "windows-1253", "WINDOWS-1253", "windows-1253 cp1253 x-cp1253" },
	{ "windows-1254", "WINDOWS-1254", "windows-1254 cp1254 x-cp1254 "
	  "iso-8859-9 iso8859-9 iso88599 iso_8859-9 latin5 l5 csisolatin5 "
	  "iso-ir-148 iso_8859-9:1989" },
	{ "windows-1255", "WINDOWS-1255", "windows-1255 cp1255 x-cp1255" },
	{ "windows-1256", "WINDOWS-1256", "windows-1256 cp1256 x-cp1256" },
	{ "windows-1257", "WINDOWS-1257", "windows-1257 cp1257 x-cp1257" },
	{ "windows-1258", "WINDOWS-1258", "windows-1258 cp1258 x-cp1258" },
	{ "windows-874", "CP874", "windows-874 dos-874 iso-8859-11 "
	  "iso8859-11 iso885911 tis-620" },
	{ "ISO-8859-2", "ISO-8859-2", "iso-8859-2 iso8859-2 iso88592 "
	  "iso_8859-2 latin2 l2 csisolatin2" },
	{ "ISO-8859-3", "ISO-8859-3", "iso-8859-3 iso8859-3 latin3 l3" },
	{ "ISO-8859-4", "ISO-8859-4", "iso-8859-4 iso8859-4 latin4 l4" },
	{ "ISO-8859-5", "ISO-8859-5", "iso-8859-5 iso8859-5 iso88595 "
	  "iso_8859-5 cyrillic csisolatincyrillic" },
	{ "ISO-8859-6", "ISO-8859-6", "iso-8859-6 iso8859-6 arabic" },
	{ "ISO-8859-7", "ISO-8859-7", "iso-8859-7 iso8859-7 greek greek8" },
	{ "ISO-8859-8", "ISO-8859-8", "iso-8859-8 iso8859-8 hebrew visual" },
	{ "ISO-8859-10", "ISO-8859-10", "iso-8859-10 iso8859-10 latin6 l6" },
	{ "ISO-8859-13", "ISO-8859-13", "iso-8859-13 iso8859-13" },
	{ "ISO-8859-14", "ISO-8859-14", "iso-8859-14 iso8859-14" },
	{ "ISO-8859-15", "ISO-8859-15", "iso-8859-15 iso8859-15 iso885915 "
	  "iso_8859-15 latin9 l9 csisolatin9" },
	{ "ISO-8859-16", "ISO-8859-16", "iso-8859-16" },
	{ "KOI8-R", "KOI8-R", "koi8-r koi8 koi8_r cskoi8r" },
	{ "KOI8-U", "KOI8-U", "koi8-u koi8-ru" },
	{ "IBM866", "IBM866", "ibm866 866 cp866 csibm866" },
	{ "macintosh", "MACINTOSH", "macintosh mac x-mac-roman csmacintosh" },
	{ "x-mac-cyrillic", "MAC-CYRILLIC", "x-mac-cyrillic x-mac-ukrainian "
	  "mac-cyrillic" },
};

static const struct enc *enc_find(const char *label)
{
	char low[CHARSET_LABEL_MAX + 2];
	size_t n = 0;

	while (*label == ' ' || *label == '\t' || *label == '\n' ||
	       *label == '\r' || *label == '\f')
		label++;
	while (label[n] && n <= CHARSET_LABEL_MAX) {
		unsigned char c = (unsigned char)label[n];

		low[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		n++;
	}
	if (n > CHARSET_LABEL_MAX)
		return NULL;
	while (n && strchr(" \t\n\r\f", low[n - 1]))
		n--;
	if (!n)
		return NULL;
	for (size_t i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		const char *l = encs[i].labels;

		while (*l) {
			size_t len = strcspn(l, " ");

			if (len == n && !memcmp(l, low, n))
				return &encs[i];
			l += len;
			l += *l == ' ';
		}
	}
	return NULL;
}

const char *charset_canonical(const char *label)
{
	const struct enc *e = label ? enc_find(label) : NULL;

	return e ? e->name : NULL;
}

static void set_label(char *out, size_t size, const char *name)
{
	if (!size)
		return;
	size_t n = strlen(name);

	if (n >= size)
		n = size - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

/* ---- detection ---- */

static int bom(const unsigned char *p, size_t n, const char **name)
{
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		*name = "UTF-8";
		return 3;
	}
	if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		*name = "UTF-16LE";
		return 2;
	}
	if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		*name = "UTF-16BE";
		return 2;
	}
	return 0;
}

/* Copy a label that starts at p (optionally quoted) into out. */
static int take_label(const char *p, const char *end, char *out, size_t size)
{
	char q = 0;
	size_t n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && (*p == '"' || *p == '\''))
		q = *p++;
	while (p + n < end && p[n] && (q ? p[n] != q :
	       !strchr(" \t\r\n\f;,\"'>", p[n])))
		n++;
	if (!n || n >= size)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Find "charset" then optional spaces and "=" in s[0..n); returns the
 * position after '=' or NULL (WHATWG "extract a character encoding from a
 * meta element", also good enough for a Content-Type header). */
static const char *after_charset_eq(const char *s, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++) {
		if (strncasecmp(s + i, "charset", 7))
			continue;
		size_t j = i + 7;

		while (j < n && strchr(" \t\r\n\f", s[j]))
			j++;
		if (j < n && s[j] == '=')
			return s + j + 1;
	}
	return NULL;
}

int charset_from_content_type(const char *ct, char *out, size_t size)
{
	if (!ct)
		return -1;
	size_t n = strlen(ct);
	const char *p = after_charset_eq(ct, n);

	return p ? take_label(p, ct + n, out, size) : -1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* One attribute of a tag at *pp (before end): name and value spans.
 * Returns 0 when an attribute was read, -1 at the end of the tag. */
static int next_attr(const char **pp, const char *end, const char **name,
		     size_t *nlen, const char **val, size_t *vlen)
{
	const char *p = *pp;

	while (p < end && (is_space(*p) || *p == '/'))
		p++;
	if (p >= end || *p == '>')
		return -1;
	*name = p;
	while (p < end && !is_space(*p) && *p != '=' && *p != '>' &&
	       (p == *name || *p != '/'))
		p++;
	*nlen = (size_t)(p - *name);
	*val = p;
	*vlen = 0;
	while (p < end && is_space(*p))
		p++;
	if (p < end && *p == '=') {
		p++;
		while (p < end && is_space(*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;

			*val = p;
			while (p < end && *p != q)
				p++;
			*vlen = (size_t)(p - *val);
			if (p < end)
				p++;
		} else {
			*val = p;
			while (p < end && !is_space(*p) && *p != '>')
				p++;
			*vlen = (size_t)(p - *val);
		}
	}
	*pp = p;
	return 0;
}

/* Look at the attributes of one <meta> tag starting at p. */
static int meta_charset(const char *p, const char *end, char *out,
			size_t size)
{
	const char *name, *val, *content = NULL;
	size_t nlen, vlen, clen = 0;
	int http_equiv = 0;

	while (!next_attr(&p, end, &name, &nlen, &val, &vlen)) {
		if (nlen == 7 && !strncasecmp(name, "charset", 7))
			return take_label(val, val + vlen, out, size);
		if (nlen == 10 && !strncasecmp(name, "http-equiv", 10) &&
		    vlen == 12 && !strncasecmp(val, "content-type", 12))
			http_equiv = 1;
		if (nlen == 7 && !strncasecmp(name, "content", 7)) {
			content = val;
			clen = vlen;
		}
	}
	if (http_equiv && content) {
		const char *c = after_charset_eq(content, clen);

		if (c)
			return take_label(c, content + clen, out, size);
	}
	return -1;
}

int charset_prescan_meta(const char *bytes, size_t n, char *out, size_t size)
{
	const char *p = bytes, *end;

	if (n > CHARSET_PRESCAN)
		n = CHARSET_PRESCAN;
	end = bytes + n;
	while (p < end && (p = memchr(p, '<', (size_t)(end - p)))) {
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			const char *c = memmem(p + 4, (size_t)(end - p - 4),
					       "-->", 3);
			if (!c)
				return -1;
			p = c + 3;
			continue;
		}
		if (end - p >= 6 && !strncasecmp(p + 1, "meta", 4) &&
		    (is_space(p[5]) || p[5] == '/') &&
		    !meta_charset(p + 5, end, out, size))
			return 0;
		p++;
	}
	return -1;
}

/* Guess with uchardet; valid non-ASCII UTF-8 is taken as UTF-8 first
 * because no legacy encoding produces long valid UTF-8 by accident. */
static const char *guess(const char *bytes, size_t n)
{
	const char *name = NULL;
	size_t scan = n > (1 << 20) ? (1 << 20) : n;
	size_t valid = utf8_valid_prefix(bytes, scan);
	int nonascii = 0;

	for (size_t i = 0; i < valid && !nonascii; i++)
		nonascii = (unsigned char)bytes[i] >= 0x80;
	/* A sequence cut at the scan limit is not a sign of another charset. */
	if (nonascii && valid + 4 > scan)
		return "UTF-8";
	uchardet_t ud = uchardet_new();

	if (!ud)
		return NULL;
	if (!uchardet_handle_data(ud, bytes, scan)) {
		uchardet_data_end(ud);
		name = charset_canonical(uchardet_get_charset(ud));
	}
	uchardet_delete(ud);
	return name;
}

int charset_detect(const char *bytes, size_t n, const char *content_type,
		   char *label_out, size_t label_size)
{
	char lab[CHARSET_LABEL_MAX + 1];
	const char *name;

	if (bom((const unsigned char *)bytes, n, &name)) {
		set_label(label_out, label_size, name);
		return CHARSET_FROM_BOM;
	}
	if (!charset_from_content_type(content_type, lab, sizeof(lab)) &&
	    (name = charset_canonical(lab))) {
		set_label(label_out, label_size, name);
		return CHARSET_FROM_HEADER;
	}
	if (!charset_prescan_meta(bytes, n, lab, sizeof(lab)) &&
	    (name = charset_canonical(lab))) {
		/* A page that can be read as ASCII in order to find its meta
		 * cannot be UTF-16 (WHATWG). */
		if (!strncmp(name, "UTF-16", 6))
			name = "UTF-8";
		set_label(label_out, label_size, name);
		return CHARSET_FROM_META;
	}
	if ((name = guess(bytes, n))) {
		set_label(label_out, label_size, name);
		return CHARSET_FROM_GUESS;
	}
	set_label(label_out, label_size, "windows-1252");
	return CHARSET_FROM_DEFAULT;
}

/* ---- conversion ---- */

static const char fffd[3] = { (char)0xEF, (char)0xBF, (char)0xBD };

/* Append valid UTF-8 p[0..n) to out; when it does not fit under the cap,
 * append the longest prefix that ends on a character boundary and return
 * 1.  Returns 0, 1 or -1 (out of memory). */
static int emit(struct buf *out, const char *p, size_t n)
{
	int rc = buf_add(out, p, n);

	if (rc == BUF_OK)
		return 0;
	if (rc != BUF_TOOBIG)
		return -1;
	size_t room = out->cap > out->len ? out->cap - out->len : 0;

	if (room >= n)
		room = n;
	else
		while (room && ((unsigned char)p[room] & 0xC0) == 0x80)
			room--;
	if (room && buf_add(out, p, room))
		return -1;
	return 1;
}

static int from_utf8(const char *s, size_t n, struct buf *out, size_t *nrepl,
		     struct buf *tmp)
{
	size_t i = 0;

	/* Room for all of it at once (it only grows when repaired). */
	if (!out->cap || out->len + n <= out->cap)
		buf_grow(out, n);
	while (i < n) {
		size_t end = n - i > 65536 ? i + 65536 : n, ok;
		int rc;

		/* Do not split a sequence between two chunks. */
		for (int k = 0; k < 3 && end < n &&
		     ((unsigned char)s[end] & 0xC0) == 0x80; k++)
			end--;
		/* The valid prefix (all of a page, nearly always) goes to out
		 * in one copy; only the rest is repaired through tmp. */
		ok = utf8_valid_prefix(s + i, end - i);
		if ((rc = emit(out, s + i, ok)))
			return rc;
		i += ok;
		if (i == end)
			continue;
		buf_reset(tmp);
		if (utf8_repair(s + i, end - i, tmp, nrepl))
			return -1;
		if ((rc = emit(out, tmp->data, tmp->len)))
			return rc;
		i = end;
	}
	return 0;
}

/* windows-1252's 0x80..0x9F; the rest is Latin-1.  The five holes decode
 * to the C1 controls, as in browsers, so this decoder never fails. */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static int from_cp1252(const char *s, size_t n, struct buf *out)
{
	char chunk[4096 + 4];
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = c >= 0x80 && c < 0xA0 ? cp1252_hi[c - 0x80] : c;

		k += utf8_encode(cp, chunk + k);
		if (k >= 4096) {
			if ((rc = emit(out, chunk, k)))
				return rc;
			k = 0;
		}
	}
	return k ? emit(out, chunk, k) : 0;
}

static int from_iconv(const char *s, size_t n, const struct enc *e,
		      struct buf *out, size_t *nrepl, struct sl_err *err)
{
	iconv_t cd = iconv_open("UTF-8", e->iconv);
	char chunk[16384];
	char *in = (char *)s;
	size_t left = n;
	int rc = 0;

	if (cd == (iconv_t)-1)
		return sl_error(err, "cannot convert from '%s':", e->name);
	while (left && !rc) {
		char *o = chunk;
		size_t room = sizeof(chunk);
		size_t r = iconv(cd, &in, &left, &o, &room);
		int e2 = r == (size_t)-1 ? errno : 0;
		int bad = e2 && e2 != E2BIG;

		rc = emit(out, chunk, (size_t)(o - chunk));
		if (!rc && bad) {
			/* EILSEQ: skip one byte; EINVAL: truncated at the end. */
			rc = emit(out, fffd, 3);
			if (nrepl)
				(*nrepl)++;
			if (e2 == EINVAL) {
				left = 0;
			} else {
				/* UTF-16 stays aligned on code units. */
				size_t k = strncmp(e->name, "UTF-16", 6) ||
					   left < 2 ? 1 : 2;

				in += k;
				left -= k;
			}
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	if (!rc) {
		/* Flush any shift state (ISO-2022-JP). */
		char *o = chunk;
		size_t room = sizeof(chunk);

		iconv(cd, NULL, NULL, &o, &room);
		rc = emit(out, chunk, (size_t)(o - chunk));
	}
	iconv_close(cd);
	if (rc < 0)
		return sl_error(err, "cannot convert from '%s': out of memory",
				e->name);
	return rc;
}

int charset_to_utf8(const char *bytes, size_t n, const char *label,
		    struct buf *out, size_t *nrepl, struct sl_err *err)
{
	const struct enc *e = label ? enc_find(label) : NULL;
	const char *bname;
	size_t skip;
	int rc;

	if (!e)
		return sl_error(err, "unknown charset '%s'",
				label ? label : "(null)");
	skip = bom((const unsigned char *)bytes, n, &bname);
	if (skip && !strcmp(bname, e->name)) {
		bytes += skip;
		n -= skip;
	}
	if (!strcmp(e->name, "UTF-8")) {
		struct buf tmp;

		buf_init(&tmp, 0);
		rc = from_utf8(bytes, n, out, nrepl, &tmp);
		buf_release(&tmp);
		if (rc < 0)
			return sl_error(err, "cannot convert from 'UTF-8': "
					"out of memory");
		return rc;
	}
	if (!strcmp(e->name, "windows-1252")) {
		if ((rc = from_cp1252(bytes, n, out)) < 0)
			return sl_error(err, "cannot convert from "
					"'windows-1252': out of memory");
		return rc;
	}
	return from_iconv(bytes, n, e, out, nrepl, err);
}
