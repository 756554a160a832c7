/* Check suite for the rules stage: cases in tests/data/rules/cases.tsv
 * (built-in LDNOOBW lists, custom rule files, redaction, rule-file errors with file:line and PCRE2 offsets, a catastrophic regex). */
#include "stagecase.h"

extern const struct stage_ops stage_rules;

START_TEST(cases)
{
	sc_run(&stage_rules, "tests/data/rules/cases.tsv");
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cases);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(rules_suite)
