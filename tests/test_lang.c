/* Check suite for the lang stage: cases in tests/data/lang/cases.tsv
 * (English, Chinese, Japanese, Korean, other scripts, keep lists). */
#include "stagecase.h"

extern const struct stage_ops stage_lang;

START_TEST(cases)
{
	sc_run(&stage_lang, "tests/data/lang/cases.tsv");
}
END_TEST

START_TEST(bad_keep)
{
	char conf[8192];
	struct sl_err err;

	ck_assert_int_eq(stage_conf_defaults(&stage_lang, conf, &err), 0);
	ck_assert_int_eq(stage_conf_set(&stage_lang, conf, "min_score", "2",
					&err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
}
END_TEST

/* The bad input: one line of 50 MB. */
START_TEST(huge_line)
{
	char reason[64];
	enum decision d = sc_huge_line(&stage_lang, 50u << 20, reason);

	ck_assert_int_eq(d, DECISION_KEEP);
}
END_TEST

static Suite *lang_suite(void)
{
	Suite *s = suite_create("lang");
	TCase *tc = tcase_create("lang");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, huge_line);
	tcase_add_test(tc, bad_keep);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(lang_suite)
