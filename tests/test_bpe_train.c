/*
 * Check suite for model/bpe_train.c: merges known by hand, the rank file
 * loading back through bpe_open(), exact vocabulary size, round trips,
 * byte-identical reruns, Chinese, pruning and the option checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../model/bpe.h"
#include "../model/bpe_train.h"

/* Written for this test (no outside source). */
static const char *const zh[] = {
	"今天天气很好，我们去公园散步。",
	"我们今天在公园里看见了很多人。",
	"机器学习需要大量的训练数据。",
	"训练数据的质量比数量更重要。",
	"我们今天学习了分词的方法。",
};
static const char *const en[] = {
	"The quick brown fox jumps over the lazy dog.",
	"Training data quality matters more than quantity.",
	"We tokenize the text before we train the model.",
	"Invalid bytes \xff\xfe survive a round trip too.",
};

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sl_bpetrain_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* Train on texts[0..n) repeated reps times into dir/name. */
static void train(const char *name, const char *const *texts, size_t n,
		  int reps, const struct bpe_train_opts *o,
		  struct bpe_train_stats *st)
{
	struct bpe_train *tr;
	struct sl_err err;
	char path[256];

	path_of(path, sizeof(path), name);
	ck_assert_msg(!bpe_train_new(&tr, o, &err), "%s", err.msg);
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(!bpe_train_add(tr, texts[i],
				      strlen(texts[i]), &err), "%s", err.msg);
	ck_assert_msg(!bpe_train_run(tr, &err), "%s", err.msg);
	ck_assert_msg(!bpe_train_write(tr, path, &err), "%s", err.msg);
	if (st)
		bpe_train_stats(tr, st);
	bpe_train_free(tr);
}

static struct bpe *open_trained(const char *name)
{
	struct bpe *t;
	struct sl_err err;
	char path[256];

	path_of(path, sizeof(path), name);
	ck_assert_msg(!bpe_open(&t, path, &err), "%s", err.msg);
	return t;
}

static void check_token(const struct bpe *t, uint32_t id, const char *want)
{
	const char *p;
	size_t len;

	ck_assert_int_eq(bpe_token_bytes(t, id, &p, &len), 0);
	ck_assert_msg(len == strlen(want) && !memcmp(p, want, len),
		      "token %u is '%.*s', want '%s'", id, (int)len, p, want);
}

/* "aaab" and " aaab": (a,a) occurs twice a word, so "aa" is the first
 * merge; then (aa,a) and (a,b) tie with every word's count and the
 * lower pair of ids, (97,98), wins: "ab". */
START_TEST(test_first_merges)
{
	static const char *const text[] = { "aaab aaab aaab aaab aaab" };
	struct bpe_train_opts o;
	struct bpe *t;

	bpe_train_opts_default(&o);
	o.vocab = 259;
	train("a.tiktoken", text, 1, 1, &o, NULL);
	t = open_trained("a.tiktoken");
	check_token(t, 97, "a");
	check_token(t, 256, "aa");
	check_token(t, 257, "ab");
	ck_assert_uint_eq(bpe_vocab_size(t), 259);
	ck_assert_uint_eq(bpe_eot_id(t), 258);
	check_token(t, 258, "<|endoftext|>");
	bpe_close(t);
}
END_TEST

static void round_trip(const struct bpe *t, const char *s, size_t n,
		       size_t *ntok)
{
	struct ids v;
	struct buf out;
	struct sl_err err;

	ids_init(&v);
	buf_init(&out, 0);
	ck_assert_msg(!bpe_encode(t, NULL, s, n, 0, &v, &err), "%s", err.msg);
	ck_assert_msg(!bpe_decode(t, v.v, v.len, &out, &err), "%s", err.msg);
	ck_assert_uint_eq(out.len, n);
	ck_assert(n == 0 || !memcmp(out.data, s, n));
	for (size_t i = 0; i < v.len; i++)
		ck_assert_uint_lt(v.v[i], bpe_vocab_size(t) - 1);
	if (ntok)
		*ntok = v.len;
	ids_release(&v);
	buf_release(&out);
}

START_TEST(test_round_trip_and_size)
{
	struct bpe_train_opts o;
	struct bpe_train_stats st;
	struct bpe *t;
	const char *unseen = "Completely unseen words, 数字 12345 and émoji 🙂"
			     " \xc3\x28 <|endoftext|>\n\n";
	size_t ntok;

	bpe_train_opts_default(&o);
	o.vocab = 320;
	train("en.tiktoken", en, 4, 20, &o, &st);
	ck_assert_uint_eq(st.vocab, 320);
	ck_assert_uint_eq(st.merges, 320 - 257);
	ck_assert_uint_eq(st.texts, 80);
	t = open_trained("en.tiktoken");
	ck_assert_uint_eq(bpe_vocab_size(t), 320);
	ck_assert_uint_eq(bpe_eot_id(t), 319);
	for (size_t i = 0; i < 4; i++) {
		round_trip(t, en[i], strlen(en[i]), &ntok);
		/* seen 20 times: compressed */
		ck_assert_uint_lt(ntok * 2, strlen(en[i]));
	}
	round_trip(t, unseen, strlen(unseen), NULL);
	bpe_close(t);
}
END_TEST

static char *slurp(const char *name, size_t *n)
{
	char path[256], *p;
	FILE *f;
	long len;

	path_of(path, sizeof(path), name);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	p = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

static void same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *pa = slurp(a, &na), *pb = slurp(b, &nb);

	ck_assert_uint_eq(na, nb);
	ck_assert(!memcmp(pa, pb, na));
	free(pa);
	free(pb);
}

START_TEST(test_deterministic)
{
	const char *all[9];
	struct bpe_train_opts o;
	struct bpe_train_stats st;
	size_t n;
	char *json, want[64];

	memcpy(all, zh, sizeof(zh));
	memcpy(all + 5, en, sizeof(en));
	bpe_train_opts_default(&o);
	o.vocab = 500;
	o.max_words = 64;	/* prunes several times */
	train("d1.tiktoken", all, 9, 7, &o, &st);
	train("d2.tiktoken", all, 9, 7, &o, NULL);
	same_file("d1.tiktoken", "d2.tiktoken");
	same_file("d1.json", "d2.json");
	json = slurp("d1.json", &n);
	ck_assert_ptr_nonnull(strstr(json, "\"pat_str\""));
	ck_assert_uint_gt(st.vocab, 300);
	snprintf(want, sizeof(want), "\"explicit_n_vocab\": %u", st.vocab);
	ck_assert_ptr_nonnull(strstr(json, want));
	snprintf(want, sizeof(want), "\"<|endoftext|>\": %u", st.vocab - 1);
	ck_assert_ptr_nonnull(strstr(json, want));
	free(json);
}
END_TEST

/* A borrowed base encoding (o.base) trains the same bytes as the one the
 * trainer opens itself; a base of another regex is refused. */
START_TEST(test_base)
{
	struct bpe_train_opts o;
	struct bpe_train *tr;
	struct bpe *cl;
	struct sl_err err;

	bpe_train_opts_default(&o);
	o.vocab = 400;
	train("own.tiktoken", en, 4, 5, &o, NULL);
	ck_assert_msg(!bpe_open(&cl, "cl100k_base", &err), "%s", err.msg);
	o.base = cl;
	train("base.tiktoken", en, 4, 5, &o, NULL);
	same_file("own.tiktoken", "base.tiktoken");
	same_file("own.json", "base.json");
	o.regex = "o200k";
	ck_assert_int_lt(bpe_train_new(&tr, &o, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "'cl100k_base'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "'o200k_base'"));
	bpe_close(cl);
}
END_TEST

START_TEST(test_chinese)
{
	struct bpe_train_opts o;
	struct bpe *t;
	size_t ntok, chars = 0, multi = 0;
	const char *s = zh[0];

	bpe_train_opts_default(&o);
	o.vocab = 600;
	train("zh.tiktoken", zh, 5, 10, &o, NULL);
	t = open_trained("zh.tiktoken");
	round_trip(t, s, strlen(s), &ntok);
	for (const char *p = s; *p; p++)
		chars += ((uint8_t)*p & 0xc0) != 0x80;
	ck_assert_uint_lt(ntok, chars);
	/* some tokens hold two or more whole CJK characters */
	for (uint32_t id = 256; id < bpe_vocab_size(t) - 1; id++) {
		const char *p;
		size_t len;

		ck_assert_int_eq(bpe_token_bytes(t, id, &p, &len), 0);
		if (len >= 6 && ((uint8_t)p[0] & 0xf0) == 0xe0 &&
		    ((uint8_t)p[3] & 0xf0) == 0xe0)
			multi++;
	}
	ck_assert_uint_gt(multi, 10);
	bpe_close(t);
}
END_TEST

START_TEST(test_min_frequency_and_prune)
{
	static const char *const once[] = { "xq zj vk wp" };
	struct bpe_train_opts o;
	struct bpe_train_stats st;
	const char *all[9];
	struct bpe *t;

	bpe_train_opts_default(&o);
	o.vocab = 1000;
	train("once.tiktoken", once, 1, 1, &o, &st);	/* every pair once */
	ck_assert_uint_eq(st.merges, 0);
	ck_assert_uint_eq(st.vocab, 257);
	t = open_trained("once.tiktoken");
	ck_assert_uint_eq(bpe_vocab_size(t), 257);
	bpe_close(t);

	memcpy(all, zh, sizeof(zh));
	memcpy(all + 5, en, sizeof(en));
	o.max_words = 16;
	train("p.tiktoken", all, 9, 3, &o, &st);
	ck_assert_uint_gt(st.prunes, 0);
	ck_assert_uint_le(st.words, 16);
}
END_TEST

START_TEST(test_errors)
{
	struct bpe_train_opts o;
	struct bpe_train *tr;
	struct sl_err err;
	char path[256];

	bpe_train_opts_default(&o);
	o.vocab = 256;
	ck_assert_int_lt(bpe_train_new(&tr, &o, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "257"));
	o.vocab = 300;
	o.regex = "p50k";
	ck_assert_int_lt(bpe_train_new(&tr, &o, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "'p50k'"));
	o.regex = "o200k";
	ck_assert_int_eq(bpe_train_new(&tr, &o, &err), 0);
	ck_assert_int_eq(bpe_train_add(tr, "hi", 2, &err), 0);
	ck_assert_int_eq(bpe_train_run(tr, &err), 0);
	path_of(path, sizeof(path), "x.txt");
	ck_assert_int_lt(bpe_train_write(tr, path, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, ".tiktoken"));
	ck_assert_int_lt(bpe_train_add(tr, "hi", 2, &err), 0);
	bpe_train_free(tr);
	ck_assert_str_eq(bpe_train_encoding("r50k"), "r50k_base");
	ck_assert_ptr_null(bpe_train_encoding("nope"));
}
END_TEST

static Suite *bpe_train_suite(void)
{
	Suite *s = suite_create("bpe_train");
	TCase *tc = tcase_create("train");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_first_merges);
	tcase_add_test(tc, test_round_trip_and_size);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_base);
	tcase_add_test(tc, test_chinese);
	tcase_add_test(tc, test_min_frequency_and_prune);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(bpe_train_suite)
