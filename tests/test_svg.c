/* Check suite for lib/svg.c (charts, escaping, number formats) and the
 * histogram bins of store/report.c. */
#include <string.h>

#include "check_main.h"
#include "../lib/buf.h"
#include "../lib/svg.h"
#include "../store/report.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(escape_markup_and_controls)
{
	struct buf b;

	buf_init(&b, 0);
	ck_assert_int_eq(svg_escape(&b, "<a href=\"x\">&'</a>", 0), 0);
	ck_assert_str_eq(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	buf_reset(&b);
	/* a control character and an invalid byte become U+FFFD */
	ck_assert_int_eq(svg_escape(&b, "a\x01" "b\xff" "c", 0), 0);
	ck_assert_str_eq(b.data, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	buf_reset(&b);
	/* cut at 3 code points, never inside one: the Chinese stays whole */
	ck_assert_int_eq(svg_escape(&b, "\xE4\xB8\xAD\xE6\x96\x87" "abc", 3), 0);
	ck_assert_str_eq(b.data, "\xE4\xB8\xAD\xE6\x96\x87" "a\xE2\x80\xA6");
	buf_release(&b);
}
END_TEST

START_TEST(number_formats)
{
	char s[40];

	svg_thousands(s, sizeof(s), 0);
	ck_assert_str_eq(s, "0");
	svg_thousands(s, sizeof(s), 999);
	ck_assert_str_eq(s, "999");
	svg_thousands(s, sizeof(s), 1234567);
	ck_assert_str_eq(s, "1,234,567");
	svg_thousands(s, sizeof(s), -1000);
	ck_assert_str_eq(s, "-1,000");
	svg_value(s, sizeof(s), 12.25);
	ck_assert_str_eq(s, "12.2");
	svg_value(s, sizeof(s), 0.125);
	ck_assert_str_eq(s, "0.125");
	svg_value(s, sizeof(s), 4096);
	ck_assert_str_eq(s, "4,096");
}
END_TEST

START_TEST(hbars_values_and_escaping)
{
	static const double in[] = { 310, 298 }, out[] = { 310, 291 };
	static const char *const labels[] = { "exact", "<b>x</b>" };
	struct svg_chart c = {
		.id = "t", .title = "Funnel & more", .unit = "documents",
		.n = 2, .labels = labels, .nseries = 2,
		.series = { { "in", in }, { "out", out } },
	};
	struct buf b;

	buf_init(&b, 0);
	ck_assert_int_eq(svg_hbars(&b, &c), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "<svg id=\"t\" class=\"chart\" "
				     "role=\"img\""));
	ck_assert_ptr_nonnull(strstr(b.data, "<title id=\"t-t\">Funnel &amp; "
				     "more</title>"));
	/* per series: two bars and the legend's swatch */
	ck_assert_uint_eq(count(b.data, "<rect class=\"s0\" x="), 3);
	ck_assert_uint_eq(count(b.data, "<rect class=\"s1\" x="), 3);
	/* the legend's two swatches carry no data-value */
	ck_assert_uint_eq(count(b.data, "data-value="), 4);
	ck_assert_ptr_nonnull(strstr(b.data, "data-series=\"out\" data-label="
				     "\"&lt;b&gt;x&lt;/b&gt;\" data-value=\"291\""));
	ck_assert_ptr_null(strstr(b.data, "<b>"));
	ck_assert_ptr_nonnull(strstr(b.data, "</svg>\n"));
	/* the longest bar is the full width; a bar of 291 is shorter */
	ck_assert_ptr_nonnull(strstr(b.data, "width=\"340.0\""));
	buf_release(&b);
}
END_TEST

START_TEST(columns_marker_and_empty)
{
	static const double v[] = { 0, 5, 10, 0 };
	static const char *const labels[] = { "a", "b", "c", "d" };
	struct svg_chart c = {
		.id = "h", .title = "scores", .n = 4, .labels = labels,
		.nseries = 1, .series = { { "docs", v } }, .marker = 1,
		.marker_at = 2, .marker_label = "threshold 0.5",
	};
	struct buf b;

	buf_init(&b, 0);
	ck_assert_int_eq(svg_columns(&b, &c), 0);
	ck_assert_uint_eq(count(b.data, "data-value="), 4);
	/* zero bars have no height; the axis tops at a round 10, so the
	 * bar of 10 is the full 178 px and the 5 half of it */
	ck_assert_uint_eq(count(b.data, "height=\"0.0\""), 2);
	ck_assert_ptr_nonnull(strstr(b.data, "height=\"178.0\" data-series="
				     "\"docs\" data-label=\"c\""));
	ck_assert_ptr_nonnull(strstr(b.data, "height=\"89.0\" data-series="
				     "\"docs\" data-label=\"b\""));
	ck_assert_ptr_nonnull(strstr(b.data, "<line class=\"marker\""));
	ck_assert_ptr_nonnull(strstr(b.data, "threshold 0.5"));
	/* an axis over 89 tops at a round 100 with a tick at 50 */
	static const double odd[] = { 89 };
	buf_reset(&b);
	c.n = 1;
	c.series[0].v = odd;
	ck_assert_int_eq(svg_columns(&b, &c), 0);
	ck_assert_ptr_nonnull(strstr(b.data, ">100</text>"));
	ck_assert_ptr_nonnull(strstr(b.data, ">50</text>"));
	buf_reset(&b);
	c.n = 0;
	ck_assert_int_eq(svg_columns(&b, &c), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "no data"));
	ck_assert_ptr_null(strstr(b.data, "<rect"));
	buf_release(&b);
}
END_TEST

START_TEST(capped_buffer_fails_cleanly)
{
	static const double v[] = { 1, 2 };
	static const char *const labels[] = { "a", "b" };
	struct svg_chart c = {
		.id = "x", .title = "t", .n = 2, .labels = labels,
		.nseries = 1, .series = { { "s", v } },
	};
	struct buf b;

	buf_init(&b, 100);
	ck_assert_int_eq(svg_hbars(&b, &c), BUF_TOOBIG);
	buf_release(&b);
}
END_TEST

START_TEST(report_bins)
{
	ck_assert_uint_eq(report_len_bin(0), 0);
	ck_assert_uint_eq(report_len_bin(15), 0);
	ck_assert_uint_eq(report_len_bin(16), 1);
	ck_assert_uint_eq(report_len_bin(31), 1);
	ck_assert_uint_eq(report_len_bin(1024), 7);
	ck_assert_str_eq(report_len_label(7), "1k");
	ck_assert_uint_eq(report_len_bin(1LL << 40), REPORT_LEN_BINS - 1);
	ck_assert_uint_eq(report_cluster_bin(1), 0);
	ck_assert_uint_eq(report_cluster_bin(2), 1);
	ck_assert_uint_eq(report_cluster_bin(3), 2);
	ck_assert_uint_eq(report_cluster_bin(4), 2);
	ck_assert_uint_eq(report_cluster_bin(5), 3);
	ck_assert_str_eq(report_cluster_label(3), "5-8");
	ck_assert_uint_eq(report_cluster_bin(1000000), REPORT_CLUSTER_BINS - 1);
	ck_assert_uint_eq(report_score_bin(-1), 0);
	ck_assert_uint_eq(report_score_bin(0.5), 10);
	ck_assert_uint_eq(report_score_bin(1.0), REPORT_SCORE_BINS - 1);
	ck_assert_uint_eq(report_fetch_bin(0.005), 0);
	ck_assert_uint_eq(report_fetch_bin(0.01), 1);
	ck_assert_uint_eq(report_fetch_bin(2.0), 5);
	ck_assert_uint_eq(report_fetch_bin(99), REPORT_FETCH_BINS - 1);
	ck_assert_str_eq(report_fetch_label(5), "1s");
}
END_TEST

static Suite *svg_suite(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("svg");

	tcase_add_test(tc, escape_markup_and_controls);
	tcase_add_test(tc, number_formats);
	tcase_add_test(tc, hbars_values_and_escaping);
	tcase_add_test(tc, columns_marker_and_empty);
	tcase_add_test(tc, capped_buffer_fails_cleanly);
	tcase_add_test(tc, report_bins);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(svg_suite)
