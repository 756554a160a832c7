/* Check suite for the rules stage: cases in tests/data/rules/cases.tsv
 * (built-in LDNOOBW lists, custom rule files, redaction, rule-file errors with file:line and PCRE2 offsets, a catastrophic regex). */
#include "stagecase.h"
#include "../filter/wordset.c"	/* alnum_end, sep_end */
#include "../lib/err.h"

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

/* The Aho-Corasick side of filter/wordset.c against a naive matcher: at
 * every end position the longest entry ending there is a match, counted
 * unless it overlaps the previous one (which it then extends).  Random
 * text from a small alphabet of Han characters (so entries occur, and
 * characters that start no entry are passed whole at the root), ASCII and
 * CJK punctuation. */
static long naive_count(const char *const *ent, int nent, const char *t,
			size_t n)
{
	size_t end = 0;
	long count = 0;
	int any = 0;

	for (size_t i = 1; i <= n; i++) {
		size_t best = 0;

		for (int e = 0; e < nent; e++) {
			size_t k = strlen(ent[e]);

			if (k <= i && k > best && !memcmp(t + i - k, ent[e], k))
				best = k;
		}
		if (!best)
			continue;
		if (any && i - best < end) {
			end = i > end ? i : end;
			continue;
		}
		any = 1;
		end = i;
		count++;
	}
	return count;
}

START_TEST(wordset_ac_matches_naive)
{
	static const char *const alpha[] = { "性", "爱", "你", "妈", "的",
		"是", "不", "人", "，", "。", " ", "a", "x" };
	static const char *const ent[] = { "性爱", "你妈", "妈的", "你妈的",
		"不是人", "的" };
	struct wordset *ws = wordset_new();
	struct sl_err err;
	unsigned seed = 12345;
	char text[4096];

	for (size_t e = 0; e < 6; e++)
		ck_assert_int_eq(wordset_add(ws, ent[e], strlen(ent[e]), 1), 0);
	ck_assert_int_eq(wordset_build(ws, &err), 0);
	for (int round = 0; round < 300; round++) {
		size_t n = 0;
		int len = 1 + round % 200;

		for (int i = 0; i < len; i++) {
			const char *c;

			seed = seed * 1103515245u + 12345u;
			c = alpha[(seed >> 16) % 13];
			memcpy(text + n, c, strlen(c));
			n += strlen(c);
		}
		ck_assert_int_eq(wordset_scan(ws, text, n, NULL),
				 naive_count(ent, 6, text, n));
	}
	wordset_free(ws);
}
END_TEST

/* The hash-set side against a naive matcher: at each word of the text
 * the longest entry (1..3 words) ending there is a match, counted unless
 * it overlaps the previous one.  Random ASCII words, some of them entry
 * words, in random case, so the word filter and the phrase windows are
 * both exercised. */
static long naive_words(const char *const *ent, int nent, char w[][16],
			int nw)
{
	long count = 0;
	int end = -1;

	for (int j = 0; j < nw; j++) {
		int best = 0;

		for (int e = 0; e < nent; e++) {
			char buf[64];
			int k = 1, len = 0;

			for (const char *c = ent[e]; *c; c++)
				k += *c == ' ';
			if (k > j + 1 || k <= best)
				continue;
			for (int i = j - k + 1; i <= j; i++)
				len += snprintf(buf + len, sizeof(buf) - (size_t)len,
						"%s%s", i > j - k + 1 ? " " : "", w[i]);
			if (!strcmp(buf, ent[e]))
				best = k;
		}
		if (!best)
			continue;
		if (j - best + 1 <= end) {	/* overlaps: extends */
			end = j;
			continue;
		}
		end = j;
		count++;
	}
	return count;
}

START_TEST(wordset_words_match_naive)
{
	static const char *const vocab[] = { "ass", "class", "blow", "job",
		"hand", "the", "a", "as", "jobs", "blowjob", "x1", "hat" };
	static const char *const ent[] = { "ass", "blow job", "job",
		"hand job", "the hat", "blowjob", "a hand job" };
	static const char *const seps[] = { " ", ", ", "-", ". ", "\n" };
	struct wordset *ws = wordset_new();
	struct sl_err err;
	unsigned seed = 777;
	char text[4096], w[200][16];

	for (size_t e = 0; e < 7; e++)
		ck_assert_int_eq(wordset_add(ws, ent[e], strlen(ent[e]), 1), 0);
	ck_assert_int_eq(wordset_build(ws, &err), 0);
	for (int round = 0; round < 300; round++) {
		size_t n = 0;
		int nw = 1 + round % 200;

		for (int i = 0; i < nw; i++) {
			size_t k;

			seed = seed * 1103515245u + 12345u;
			snprintf(w[i], sizeof(w[i]), "%s", vocab[(seed >> 16) % 12]);
			k = strlen(w[i]);
			for (size_t c = 0; c < k; c++)	/* random case */
				text[n + c] = (char)((seed >> (c + 3)) & 1 &&
					w[i][c] >= 'a' ? w[i][c] - 32 : w[i][c]);
			n += k;
			seed = seed * 1103515245u + 12345u;
			k = strlen(seps[(seed >> 16) % 5]);
			memcpy(text + n, seps[(seed >> 16) % 5], k);
			n += k;
		}
		ck_assert_int_eq(wordset_scan(ws, text, n, NULL),
				 naive_words(ent, 7, w, nw));
	}
	wordset_free(ws);
}
END_TEST

/* The sixteen-bytes-a-step word and separator ends against their byte
 * loops, from every offset of random bytes (all 256 values, runs of
 * letters and digits longer than a step), near the end too. */
START_TEST(word_ends_match_byte_loops)
{
	unsigned char u[300];
	unsigned seed = 4242;

	for (int round = 0; round < 200; round++) {
		size_t n = 1 + (size_t)round % sizeof(u);

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			u[i] = (seed >> 16) % 4 ? (unsigned char)"aZ9q"[(seed >> 8) % 4]
						: (unsigned char)(seed >> 20);
		}
		for (size_t pos = 0; pos < n; pos++) {
			size_t a = pos, b = pos;

			while (a < n && wfold[u[a]])
				a++;
			while (b < n && u[b] < 0x80 && !wfold[u[b]])
				b++;
			ck_assert_uint_eq(alnum_end(u, pos, n), a);
			ck_assert_uint_eq(sep_end(u, pos, n), b);
		}
	}
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cases);
	tcase_add_test(tc, huge_line);
	tcase_add_test(tc, wordset_ac_matches_naive);
	tcase_add_test(tc, wordset_words_match_naive);
	tcase_add_test(tc, word_ends_match_byte_loops);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(rules_suite)
