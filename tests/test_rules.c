/* Check suite for the rules stage: cases in tests/data/rules/cases.tsv
 * (built-in LDNOOBW lists, custom rule files, redaction, rule-file errors with file:line and PCRE2 offsets, a catastrophic regex). */
#include "stagecase.h"

extern const struct stage_ops stage_rules;

START_TEST(cases)
{
	sc_run(&stage_rules, "tests/data/rules/cases.tsv");
}
END_TEST

/* The bad input: one line of 50 MB. */
START_TEST(huge_line)
{
	char reason[64];
	enum decision d = sc_huge_line(&stage_rules, 50u << 20, reason);

	ck_assert_int_eq(d, DECISION_KEEP);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, huge_line);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(rules_suite)
