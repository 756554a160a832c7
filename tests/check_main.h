/*
 * check_main.h: the main() of every Check suite.
 *
 *   static Suite *buf_suite(void) { ... }
 *   SL_CHECK_MAIN(buf_suite)
 *
 * Tests run from the top of the tree, so data files are named
 * "tests/data/...".  Exit status: 0 when every test passed.
 */
#ifndef SL_CHECK_MAIN_H
#define SL_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define SL_CHECK_MAIN(suite_fn)                                       \
	int main(void)                                                \
	{                                                             \
		SRunner *sr = srunner_create(suite_fn());             \
		int failed;                                           \
		srunner_run_all(sr, CK_NORMAL);                       \
		failed = srunner_ntests_failed(sr);                   \
		srunner_free(sr);                                     \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;          \
	}

#endif
