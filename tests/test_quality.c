/* Check suite for the quality stage: cases in tests/data/quality/cases.tsv
 * (Gopher, C4, FineWeb rules; English and Chinese). */
#include "stagecase.h"

extern const struct stage_ops stage_quality;

START_TEST(cases)
{
	sc_run(&stage_quality, "tests/data/quality/cases.tsv");
}
END_TEST

static Suite *quality_suite(void)
{
	Suite *s = suite_create("quality");
	TCase *tc = tcase_create("quality");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cases);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(quality_suite)
