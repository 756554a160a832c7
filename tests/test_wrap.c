/* Check suite for label/wrap: the cases of tests/data/wrap/cases.tsv
 * (width, text, the lines joined with '|'), width of strings, every line
 * within the width on generated mixed text, and wrap_line_at(). */
#include <string.h>

#include "check_main.h"
#include "tsv.h"
#include "../label/wrap.h"
#include "../lib/buf.h"

static void joined(const struct wrap *w, const char *s, struct buf *out)
{
	buf_reset(out);
	buf_add(out, "", 0);
	for (size_t i = 0; i < w->n; i++) {
		if (i)
			buf_addc(out, '|');
		buf_add(out, s + w->lines[i].off, w->lines[i].len);
	}
}

START_TEST(cases)
{
	struct tsv t;
	struct wrap w;
	struct buf got;
	int rows = 0, bad = 0;

	wrap_init(&w);
	buf_init(&got, 0);
	ck_assert(tsv_open(&t, "tests/data/wrap/cases.tsv") == 0);
	while (tsv_next(&t)) {
		size_t n = tsv_unescape(t.f[1]);

		tsv_unescape(t.f[2]);
		rows++;
		ck_assert_int_eq(wrap_text(&w, t.f[1], n, (int)strtol(t.f[0],
							       NULL, 10)), 0);
		joined(&w, t.f[1], &got);
		if (strcmp(got.data, t.f[2])) {
			fprintf(stderr, "cases.tsv:%d (%s): got '%s' want '%s'\n",
				t.lineno, t.f[3], got.data, t.f[2]);
			bad++;
		}
		for (size_t i = 0; i < w.n; i++)
			ck_assert_uint_eq((size_t)w.lines[i].cols,
					  wrap_strwidth(t.f[1] + w.lines[i].off,
							w.lines[i].len));
	}
	tsv_close(&t);
	buf_release(&got);
	wrap_release(&w);
	ck_assert_int_gt(rows, 10);
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(widths)
{
	ck_assert_uint_eq(wrap_strwidth("abc", 3), 3);
	ck_assert_uint_eq(wrap_strwidth("中文", 6), 4);		/* CJK */
	ck_assert_uint_eq(wrap_strwidth("ｶﾞ", 6), 2);		/* halfwidth */
	ck_assert_uint_eq(wrap_strwidth("e\xcc\x81", 3), 1);	/* combining */
	ck_assert_uint_eq(wrap_strwidth("\xf0\x9f\x98\x80", 4), 2); /* emoji */
	ck_assert_uint_eq(wrap_strwidth("\xe2\x80\x8b", 3), 0);	/* ZWSP */
	ck_assert_uint_eq(wrap_strwidth("한국어", 9), 6);	/* Hangul */
}
END_TEST

/* Mixed text at every width: no line wider than the width unless it holds
 * one character; every non-space byte is in exactly one line, in order. */
START_TEST(mixed_all_widths)
{
	static const char *words[] = {
		"the", "中文", "naïve", "e\xcc\x81\xcc\x81", "\xf0\x9f\x98\x80",
		"supercalifragilistic", "测试文本内容", "a", "。", "\n", "  ",
	};
	struct buf s;
	struct wrap w;
	unsigned x = 1;

	buf_init(&s, 0);
	for (int i = 0; i < 2000; i++) {
		x = x * 1103515245u + 12345u;
		buf_adds(&s, words[(x >> 16) % (sizeof(words) / sizeof(*words))]);
		buf_addc(&s, (x >> 8) % 3 ? ' ' : 'x');
	}
	wrap_init(&w);
	for (int width = 1; width <= 90; width++) {
		size_t pos = 0, nonspace = 0, seen = 0;

		ck_assert_int_eq(wrap_text(&w, s.data, s.len, width), 0);
		for (size_t i = 0; i < s.len; i++)
			nonspace += s.data[i] != ' ' && s.data[i] != '\n';
		for (size_t i = 0; i < w.n; i++) {
			const struct wrap_line *l = &w.lines[i];

			ck_assert_uint_ge(l->off, pos);
			ck_assert(l->cols <= width || width < 2 ||
				  wrap_strwidth(s.data + l->off, l->len) <= 2);
			if (width >= 20)
				ck_assert_int_le(l->cols, width);
			for (size_t j = 0; j < l->len; j++)
				seen += s.data[l->off + j] != ' ';
			pos = l->off + l->len;
			ck_assert_uint_eq(wrap_line_at(&w, l->off), i);
		}
		ck_assert_uint_eq(seen, nonspace);
	}
	wrap_release(&w);
	buf_release(&s);
}
END_TEST

static Suite *wrap_suite(void)
{
	Suite *s = suite_create("wrap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);	/* 90 widths of 2000 words, under ASan */
	tcase_add_test(tc, cases);
	tcase_add_test(tc, widths);
	tcase_add_test(tc, mixed_all_widths);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(wrap_suite)
