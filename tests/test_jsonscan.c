/* Check suite for lib/jsonscan: the cases table in
 * tests/data/jsonscan/cases.tsv, then string decoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "../lib/buf.h"
#include "../lib/jsonscan.h"

START_TEST(cases_table)
{
	FILE *f = fopen("tests/data/jsonscan/cases.tsv", "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ncases = 0, lineno = 0;
	struct jscan js;

	ck_assert_ptr_nonnull(f);
	jscan_init(&js);
	while ((n = getline(&line, &cap, f)) > 0) {
		char *tab, want_msg[128] = "";
		long want_n = -1, want_col = -1;
		int rc;

		lineno++;
		if (line[0] == '#')
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		tab = strchr(line, '\t');
		ck_assert_msg(tab != NULL, "cases.tsv:%d: no tab", lineno);
		*tab = '\0';
		if (!strncmp(line, "ok ", 3))
			want_n = strtol(line + 3, NULL, 10);
		else {
			char *end;

			ck_assert(!strncmp(line, "err ", 4));
			want_col = strtol(line + 4, &end, 10);
			snprintf(want_msg, sizeof(want_msg), "%s", end + 1);
		}
		rc = jscan_object(&js, tab + 1, strlen(tab + 1));
		if (want_n >= 0) {
			ck_assert_msg(rc == 0, "cases.tsv:%d: %s at %zu", lineno,
				      js.error, js.column);
			ck_assert_msg(js.n == (size_t)want_n,
				      "cases.tsv:%d: %zu members", lineno, js.n);
		} else {
			ck_assert_msg(rc == -1, "cases.tsv:%d: accepted", lineno);
			ck_assert_msg(strstr(js.error, want_msg) &&
				      js.column == (size_t)want_col,
				      "cases.tsv:%d: got '%s' at %zu", lineno,
				      js.error, js.column);
		}
		ncases++;
	}
	ck_assert_int_ge(ncases, 25);
	free(line);
	fclose(f);
	jscan_release(&js);
}
END_TEST

static void decodes(const char *json, const char *key, const char *want,
		    size_t want_repl)
{
	struct jscan js;
	struct buf b;
	size_t repl = 0;
	const struct jmember *m;

	jscan_init(&js);
	buf_init(&b, 0);
	ck_assert_int_eq(jscan_object(&js, json, strlen(json)), 0);
	m = jscan_get(&js, key);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(jscan_string(m->val, &b, &repl), 0);
	ck_assert_str_eq(b.data, want);
	ck_assert_uint_eq(repl, want_repl);
	buf_release(&b);
	jscan_release(&js);
}

START_TEST(string_decoding)
{
	decodes("{\"t\":\"a\\\"b\\\\c\\/d\\n\"}", "t", "a\"b\\c/d\n", 0);
	decodes("{\"t\":\"\\u00e9\\u4e2d\"}", "t", "é中", 0);
	decodes("{\"t\":\"\\ud83d\\ude00!\"}", "t", "\xF0\x9F\x98\x80!", 0);
	/* lone surrogates become U+FFFD and are counted */
	decodes("{\"t\":\"x\\ud800y\\udc00\"}", "t",
		"x\xEF\xBF\xBDy\xEF\xBF\xBD", 2);
	/* an escaped key matches its decoded name */
	decodes("{\"\\u0074ext\":\"v\"}", "text", "v", 0);
	decodes("{\"t\":\"\"}", "t", "", 0);
}
END_TEST

START_TEST(deep_nesting_refused)
{
	struct jscan js;
	char deep[2000];
	size_t n = 0;

	n += (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
	for (int i = 0; i < 600; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	jscan_init(&js);
	ck_assert_int_eq(jscan_object(&js, deep, n), -1);
	ck_assert_str_eq(js.error, "nested too deep");
	jscan_release(&js);
}
END_TEST

static Suite *jsonscan_suite(void)
{
	Suite *s = suite_create("jsonscan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, cases_table);
	tcase_add_test(tc, string_decoding);
	tcase_add_test(tc, deep_nesting_refused);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(jsonscan_suite)
