/* Check suite for the pii stage: cases in tests/data/pii/cases.tsv
 * (e-mail, IPv4/IPv6, phone, card; English and Chinese texts). */
#include "stagecase.h"

extern const struct stage_ops stage_pii;

START_TEST(cases)
{
	sc_run(&stage_pii, "tests/data/pii/cases.tsv");
}
END_TEST

/* The bad input: one line of 50 MB. */
START_TEST(huge_line)
{
	char reason[64];
	enum decision d = sc_huge_line(&stage_pii, 50u << 20, reason);

	ck_assert_int_eq(d, DECISION_KEEP);
}
END_TEST

static Suite *pii_suite(void)
{
	Suite *s = suite_create("pii");
	TCase *tc = tcase_create("pii");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, huge_line);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(pii_suite)
