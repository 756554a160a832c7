/* Check suite for label/termsafe: the cases of tests/data/termsafe/cases.tsv
 * (input, expected output with the escape-attribute bytes in {...}), the
 * one-line mode, the output invariant over every byte and code point
 * class, and the buffer cap. */
#include <string.h>

#include "check_main.h"
#include "tsv.h"
#include "../label/termsafe.h"
#include "../lib/buf.h"
#include "../lib/utf8.h"

/* ts's text with each run of TERMSAFE_ESC bytes inside braces. */
static void render(const struct termsafe *ts, struct buf *out)
{
	int in = 0;

	buf_reset(out);
	buf_add(out, "", 0);
	for (size_t i = 0; i < ts->text.len; i++) {
		int esc = ts->attr.data[i] == TERMSAFE_ESC;

		if (esc != in)
			buf_addc(out, esc ? '{' : '}');
		in = esc;
		buf_addc(out, ts->text.data[i]);
	}
	if (in)
		buf_addc(out, '}');
}

/* The invariant the fuzz target also checks: 0 when it holds, else the
 * offending code point plus one.  Plain C, no ck_assert inside: this runs
 * for every code point. */
static int unsafe(const struct termsafe *ts, unsigned flags)
{
	const char *s = ts->text.data;
	size_t n = ts->text.len, i = 0, len;

	if (ts->attr.len != n || !utf8_valid(s, n))
		return -1;
	while (i < n) {
		int cp = utf8_decode(s + i, n - i, &len);

		if (cp == '\n' && !(flags & TERMSAFE_LINE))
			;
		else if (cp < 0x20 || termsafe_hidden(cp))
			return cp + 1;
		i += len;
	}
	return 0;
}

#define check_safe(ts, flags) ck_assert_int_eq(unsafe(ts, flags), 0)

START_TEST(cases)
{
	struct tsv t;
	struct termsafe ts;
	struct buf got;
	int rows = 0, bad = 0;

	termsafe_init(&ts, 0);
	buf_init(&got, 0);
	ck_assert(tsv_open(&t, "tests/data/termsafe/cases.tsv") == 0);
	while (tsv_next(&t)) {
		size_t n = tsv_unescape(t.f[0]);

		tsv_unescape(t.f[1]);
		rows++;
		ck_assert_int_eq(termsafe_clean(&ts, t.f[0], n, 0), 0);
		check_safe(&ts, 0);
		render(&ts, &got);
		if (strcmp(got.data, t.f[1])) {
			fprintf(stderr, "cases.tsv:%d (%s): got '%s' want '%s'\n",
				t.lineno, t.f[2], got.data, t.f[1]);
			bad++;
		}
	}
	tsv_close(&t);
	buf_release(&got);
	termsafe_release(&ts);
	ck_assert_int_gt(rows, 30);
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(one_line)
{
	struct termsafe ts;

	termsafe_init(&ts, 0);
	ck_assert_int_eq(termsafe_clean(&ts, "a\nb\r\nc", 6, TERMSAFE_LINE), 0);
	ck_assert_str_eq(ts.text.data, "a^Jb^Jc");
	check_safe(&ts, TERMSAFE_LINE);
	ck_assert_int_eq(termsafe_clean(&ts, "", 0, TERMSAFE_LINE), 0);
	ck_assert_str_eq(ts.text.data, "");
	ck_assert_uint_eq(ts.nesc, 0);
	termsafe_release(&ts);
}
END_TEST

/* Every single code point (and every byte) alone and after ESC / C1 CSI. */
START_TEST(every_code_point)
{
	struct termsafe ts;
	char in[16];

	termsafe_init(&ts, 0);
	for (int cp = 0; cp <= 0x10FFFF; cp++) {
		size_t n;

		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		in[0] = '\x1b';
		n = 1 + utf8_encode((uint32_t)cp, in + 1);
		if (termsafe_clean(&ts, in + 1, n - 1, 0) || unsafe(&ts, 0) ||
		    termsafe_clean(&ts, in, n, TERMSAFE_LINE) ||
		    unsafe(&ts, TERMSAFE_LINE))
			ck_abort_msg("U+%04X comes out unsafe", cp);
	}
	for (int b = 0; b < 256; b++) {
		in[0] = (char)b;
		ck_assert_int_eq(termsafe_clean(&ts, in, 1, 0), 0);
		check_safe(&ts, 0);
	}
	termsafe_release(&ts);
}
END_TEST

START_TEST(counts_escapes)
{
	struct termsafe ts;
	const char *s = "\x1b[2J\x1b]0;t\x07" "ok\xe2\x80\xae";

	termsafe_init(&ts, 0);
	ck_assert_int_eq(termsafe_clean(&ts, s, strlen(s), 0), 0);
	ck_assert_uint_eq(ts.nesc, 3);
	termsafe_release(&ts);
}
END_TEST

START_TEST(cap)
{
	struct termsafe ts;
	char in[100];

	memset(in, 0x07, sizeof(in));	/* 2 bytes out for each */
	termsafe_init(&ts, 64);
	ck_assert_int_eq(termsafe_clean(&ts, in, sizeof(in), 0), BUF_TOOBIG);
	check_safe(&ts, 0);
	ck_assert_uint_le(ts.text.len, 64);
	termsafe_release(&ts);
}
END_TEST

static Suite *termsafe_suite(void)
{
	Suite *s = suite_create("termsafe");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, one_line);
	tcase_add_test(tc, every_code_point);
	tcase_add_test(tc, counts_escapes);
	tcase_add_test(tc, cap);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(termsafe_suite)
