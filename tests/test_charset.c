/* Check suite for crawl/charset: detection order, WHATWG labels, round
 * trips through real encodings (tests/data/charset/cases.tsv), U+FFFD for
 * bad bytes, the output cap. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "../crawl/charset.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/utf8.h"

static void read_file(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		ck_assert_int_eq(buf_add(b, chunk, n), 0);
	fclose(f);
}

/* Re-encode UTF-8 text with iconv, as the fixture generator. */
static void encode(const char *to, const struct buf *in, struct buf *out)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	char *ip = in->data, chunk[8192];
	size_t left = in->len;

	ck_assert_msg(cd != (iconv_t)-1, "iconv_open %s", to);
	while (left) {
		char *o = chunk;
		size_t room = sizeof(chunk);
		size_t r = iconv(cd, &ip, &left, &o, &room);

		ck_assert_msg(r != (size_t)-1 || errno == E2BIG,
			      "cannot encode fixture as %s", to);
		ck_assert_int_eq(buf_add(out, chunk, (size_t)(o - chunk)), 0);
	}
	iconv_close(cd);
}

static const char *source_name(int s)
{
	static const char *names[] = { "bom", "header", "meta", "guess",
				       "default" };

	return s >= 0 && s <= CHARSET_FROM_DEFAULT ? names[s] : "?";
}

static void run_case(char *line, int lineno)
{
	char *f[6];
	int nf = 0;
	char path[512], label[CHARSET_LABEL_MAX];
	struct buf utf8, enc, out;
	struct sl_err err;
	size_t nrepl = 0;

	for (char *p = line; nf < 6; nf++) {
		f[nf] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	ck_assert_msg(nf == 5, "cases.tsv line %d: need 6 fields", lineno);
	snprintf(path, sizeof(path), "tests/data/charset/%s", f[0]);
	buf_init(&utf8, 0);
	buf_init(&enc, 0);
	buf_init(&out, 1 << 20);
	read_file(path, &utf8);
	if (!strcmp(f[2], "le"))
		buf_add(&enc, "\xFF\xFE", 2);
	else if (!strcmp(f[2], "be"))
		buf_add(&enc, "\xFE\xFF", 2);
	else if (!strcmp(f[2], "utf8"))
		buf_add(&enc, "\xEF\xBB\xBF", 3);
	encode(f[1], &utf8, &enc);

	int src = charset_detect(enc.data, enc.len,
				 strcmp(f[3], "-") ? f[3] : NULL,
				 label, sizeof(label));
	ck_assert_msg(!strcmp(label, f[4]), "line %d (%s): label %s, want %s",
		      lineno, f[0], label, f[4]);
	ck_assert_msg(!strcmp(source_name(src), f[5]),
		      "line %d (%s): source %s, want %s", lineno, f[0],
		      source_name(src), f[5]);
	ck_assert_int_eq(charset_to_utf8(enc.data, enc.len, label, &out,
					 &nrepl, &err), 0);
	ck_assert_uint_eq(nrepl, 0);
	ck_assert_msg(out.len == utf8.len &&
		      !memcmp(out.data, utf8.data, out.len),
		      "line %d (%s): round trip differs", lineno, f[0]);
	buf_release(&utf8);
	buf_release(&enc);
	buf_release(&out);
}

START_TEST(cases_tsv)
{
	FILE *f = fopen("tests/data/charset/cases.tsv", "r");
	char line[1024];
	int lineno = 0, ncases = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		run_case(line, lineno);
		ncases++;
	}
	fclose(f);
	ck_assert_int_ge(ncases, 10);
}
END_TEST

START_TEST(labels)
{
	ck_assert_str_eq(charset_canonical("latin1"), "windows-1252");
	ck_assert_str_eq(charset_canonical(" US-ASCII "), "windows-1252");
	ck_assert_str_eq(charset_canonical("x-gbk"), "GB18030");
	ck_assert_str_eq(charset_canonical("Chinese"), "GB18030");
	ck_assert_str_eq(charset_canonical("sjis"), "Shift_JIS");
	ck_assert_str_eq(charset_canonical("big5"), "Big5");
	ck_assert_str_eq(charset_canonical("ks_c_5601-1987"), "EUC-KR");
	ck_assert_str_eq(charset_canonical("utf-16"), "UTF-16LE");
	ck_assert_str_eq(charset_canonical("iso-8859-9"), "windows-1254");
	ck_assert_ptr_null(charset_canonical("klingon"));
	ck_assert_ptr_null(charset_canonical(""));
	ck_assert_ptr_null(charset_canonical(
		"a-label-much-longer-than-any-real-charset-name"));
}
END_TEST

START_TEST(content_type_and_meta)
{
	char l[CHARSET_LABEL_MAX];
	const char *page;

	ck_assert_int_eq(charset_from_content_type(
		"text/html; Charset = 'Big5' ; x=y", l, sizeof(l)), 0);
	ck_assert_str_eq(l, "Big5");
	ck_assert_int_eq(charset_from_content_type("text/html", l, sizeof(l)),
			 -1);
	/* A meta inside a comment does not count; the next one does. */
	page = "<!-- <meta charset=koi8-r> --><META HTTP-EQUIV=content-type "
	       "CONTENT='text/html;charset=euc-jp'>";
	ck_assert_int_eq(charset_prescan_meta(page, strlen(page), l,
					      sizeof(l)), 0);
	ck_assert_str_eq(l, "euc-jp");
	/* content= without http-equiv is not a declaration. */
	page = "<meta name=x content='text/html; charset=big5'>";
	ck_assert_int_eq(charset_prescan_meta(page, strlen(page), l,
					      sizeof(l)), -1);
	/* An unknown header label falls through to the meta. */
	page = "<meta charset=sjis>";
	ck_assert_int_eq(charset_detect(page, strlen(page),
					"text/html; charset=bogus", l,
					sizeof(l)), CHARSET_FROM_META);
	ck_assert_str_eq(l, "Shift_JIS");
}
END_TEST

START_TEST(prescan_window)
{
	struct buf b;
	char l[CHARSET_LABEL_MAX];

	buf_init(&b, 0);
	for (int i = 0; i < CHARSET_PRESCAN; i++)
		buf_addc(&b, ' ');
	buf_adds(&b, "<meta charset=big5>");
	ck_assert_int_eq(charset_prescan_meta(b.data, b.len, l, sizeof(l)),
			 -1);
	buf_release(&b);
}
END_TEST

START_TEST(invalid_bytes)
{
	struct buf out;
	struct sl_err err;
	size_t nrepl = 0;

	buf_init(&out, 0);
	/* UTF-8: a lone continuation byte, a truncated 3-byte sequence, an
	 * overlong '/', a surrogate. */
	static const char bad[] = "a\x80" "b\xE2\x82" "c\xC0\xAF"
				  "\xED\xA0\x80";

	ck_assert_int_eq(charset_to_utf8(bad, sizeof(bad) - 1, "utf-8", &out,
					 &nrepl, &err), 0);
	ck_assert_str_eq(out.data, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c"
			 "\xEF\xBF\xBD\xEF\xBF\xBD" "\xEF\xBF\xBD\xEF\xBF\xBD"
			 "\xEF\xBF\xBD");
	ck_assert_uint_eq(nrepl, 7);
	/* GB18030: 0xFF is never valid; a lead byte cut at the end. */
	buf_reset(&out);
	nrepl = 0;
	ck_assert_int_eq(charset_to_utf8("\xC4\xE3\xFF\xBA\xC3\xC4", 6, "gbk",
					 &out, &nrepl, &err), 0);
	ck_assert_str_eq(out.data, "你\xEF\xBF\xBD好\xEF\xBF\xBD");
	ck_assert_uint_eq(nrepl, 2);
	/* Shift_JIS with a bad trail byte. */
	buf_reset(&out);
	nrepl = 0;
	ck_assert_int_eq(charset_to_utf8("\x93\x01x", 3, "shift_jis", &out,
					 &nrepl, &err), 0);
	ck_assert(utf8_valid(out.data, out.len));
	ck_assert_uint_ge(nrepl, 1);
	/* windows-1252 never fails, the holes are C1 controls. */
	buf_reset(&out);
	nrepl = 0;
	ck_assert_int_eq(charset_to_utf8("\x93q\x94\x81", 4, "ascii", &out,
					 &nrepl, &err), 0);
	ck_assert_str_eq(out.data, "\xE2\x80\x9Cq\xE2\x80\x9D\xC2\x81");
	ck_assert_uint_eq(nrepl, 0);
	/* UTF-16LE: odd trailing byte and an unpaired surrogate. */
	buf_reset(&out);
	nrepl = 0;
	ck_assert_int_eq(charset_to_utf8("h\0\x00\xD8i\0!", 7, "utf-16le",
					 &out, &nrepl, &err), 0);
	ck_assert(utf8_valid(out.data, out.len));
	ck_assert_uint_ge(nrepl, 2);
	ck_assert_int_eq(charset_to_utf8("x", 1, "klingon", &out, NULL, &err),
			 -1);
	ck_assert_str_eq(err.msg, "unknown charset 'klingon'");
	buf_release(&out);
}
END_TEST

START_TEST(output_cap)
{
	struct buf out;
	struct sl_err err;
	const char *gbk = "\xC4\xE3\xBA\xC3\xC4\xE3\xBA\xC3";	/* 你好你好 */

	buf_init(&out, 7);
	ck_assert_int_eq(charset_to_utf8(gbk, 8, "gb2312", &out, NULL, &err),
			 1);
	ck_assert_str_eq(out.data, "你好");
	buf_release(&out);
	buf_init(&out, 5);
	ck_assert_int_eq(charset_to_utf8("é\xC3\xA9\xC3\xA9", 6, "utf-8",
					 &out, NULL, &err), 1);
	ck_assert_uint_eq(out.len, 4);
	ck_assert(utf8_valid(out.data, out.len));
	buf_release(&out);
	buf_init(&out, 3);
	ck_assert_int_eq(charset_to_utf8("\xE9\xE9", 2, "latin1", &out, NULL,
					 &err), 1);
	ck_assert_str_eq(out.data, "é");
	buf_release(&out);
}
END_TEST

static Suite *charset_suite(void)
{
	Suite *s = suite_create("charset");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cases_tsv);
	tcase_add_test(tc, labels);
	tcase_add_test(tc, content_type_and_meta);
	tcase_add_test(tc, prescan_window);
	tcase_add_test(tc, invalid_bytes);
	tcase_add_test(tc, output_cap);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(charset_suite)
