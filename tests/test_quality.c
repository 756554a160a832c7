/* Check suite for the quality stage: cases in tests/data/quality/cases.tsv
 * (Gopher, C4, FineWeb rules; English and Chinese). */
#include "stagecase.h"

extern const struct stage_ops stage_quality;

START_TEST(cases)
{
	sc_run(&stage_quality, "tests/data/quality/cases.tsv");
}
END_TEST

/* The bad input: one line of 50 MB. */
START_TEST(huge_line)
{
	char reason[64];
	enum decision d = sc_huge_line(&stage_quality, 50u << 20, reason);

	ck_assert_int_eq(d, DECISION_DROP);
	ck_assert_str_eq(reason, "gopher_long_doc");
}
END_TEST

static Suite *quality_suite(void)
{
	Suite *s = suite_create("quality");
	TCase *tc = tcase_create("quality");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, huge_line);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(quality_suite)
