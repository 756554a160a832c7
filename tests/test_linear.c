/* Check suite for model/ngram, model/linear and model/metrics: the n-gram
 * hashes are pinned, a separable toy task is learnt to 100% in well under
 * a second, training is deterministic, a saved model scores exactly as the
 * trained one, and hostile model files are refused with a clear error. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/buf.h"
#include "../lib/clock.h"
#include "../lib/err.h"
#include "../model/dataset.h"
#include "../model/linear.h"
#include "../model/metrics.h"
#include "../model/ngram.h"
#include "../model/safetensors.h"

/* Features with n-grams up to cn ending at characters, n at words. */
static size_t feats_cn(const char *s, int n, int cn, uint64_t *out,
		       size_t max)
{
	struct ngram_iter it;
	uint64_t h;
	size_t k = 0;

	ngram_init(&it, s, strlen(s), n, cn);
	while (ngram_next(&it, &h))
		if (k < max)
			out[k++] = h;
	return k;
}

static size_t feats(const char *s, int n, uint64_t *out, size_t max)
{
	return feats_cn(s, n, n, out, max);
}

static int same_feats(const char *a, const char *b, int n)
{
	uint64_t x[64], y[64];
	size_t nx = feats(a, n, x, 64), ny = feats(b, n, y, 64);

	return nx == ny && !memcmp(x, y, nx * sizeof(*x));
}

START_TEST(ngram_tokens)
{
	uint64_t f[64];

	/* hello , world: 3 unigrams and 2 bigrams */
	ck_assert_uint_eq(feats("Hello, World", 2, f, 64), 5);
	ck_assert_uint_eq(feats("Hello, World", 1, f, 64), 3);
	ck_assert_uint_eq(feats("a b c", 3, f, 64), 6);
	/* Chinese: one token per character, no spaces needed */
	ck_assert_uint_eq(feats("我们是朋友", 2, f, 64), 9);
	ck_assert_uint_eq(feats("我们 是朋友。", 2, f, 64), 11);
	/* emoji and full-width punctuation stand alone */
	ck_assert_uint_eq(feats("ok😀！", 1, f, 64), 3);
	ck_assert_uint_eq(feats("", 2, f, 64), 0);
	ck_assert_uint_eq(feats(" \t\n\xc2\xa0\xe3\x80\x80 ", 2, f, 64), 0);
	/* invalid UTF-8 is part of a word, never a loop or a crash */
	ck_assert_uint_eq(feats("ab\xff\xfe cd", 1, f, 64), 2);
	ck_assert_uint_eq(feats("\xe4\xbd", 1, f, 64), 1);
	ck_assert(same_feats("HELLO World", "hello  world", 2));
	ck_assert(same_feats("naïve café", "naïve\tcafé", 2));
	ck_assert(!same_feats("a b", "b a", 2));
	ck_assert(same_feats("a b", "b a", 1) == 0);
	/* character n-grams apart from word n-grams: 1 + 2 + 3 + 3 + 3 */
	ck_assert_uint_eq(feats_cn("我们是朋友", 2, 3, f, 64), 12);
	/* ab: 1; 我: 2 (two tokens so far); 们: 3 */
	ck_assert_uint_eq(feats_cn("ab 我们", 2, 3, f, 64), 6);
	/* 我 1, 们 2, ab 1: the word stays a unigram; ASCII punctuation is
	 * a word-like token, not a character */
	ck_assert_uint_eq(feats_cn("我们 ab", 1, 3, f, 64), 4);
	ck_assert_uint_eq(feats_cn("a , b", 1, 3, f, 64), 3);
}
END_TEST

START_TEST(ngram_hashes_pinned)
{
	/* model files store buckets: these values must never change */
	uint64_t f[8];

	ck_assert_uint_eq(feats("the cat", 2, f, 8), 3);
	ck_assert_uint_eq(f[0], 0x9be9c8db4eddb023ULL);
	ck_assert_uint_eq(f[1], 0xff1d31d10f4ed159ULL);
	ck_assert_uint_eq(f[2], 0xa1503d7969ea1676ULL);
}
END_TEST

/* Toy task: class "pos" texts hold a word of one set, "neg" of another,
 * both among shared filler words. */
static void toy(struct dataset *d, int n, uint64_t seed)
{
	static const char *const pos[] = { "great", "lovely", "superb",
					   "好", "wonderful" };
	static const char *const neg[] = { "awful", "terrible", "bad",
					   "坏", "dreadful" };
	static const char *const fill[] = { "the", "film", "was", "a", "plot",
					    "and", "i", "think", "电影" };
	struct sl_err err;
	char text[256];

	for (int i = 0; i < n; i++) {
		int p = i & 1;
		size_t off = 0;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		for (int w = 0; w < 6; w++) {
			const char *word = w == (int)(seed >> 61) % 6 ?
				(p ? pos : neg)[(seed >> 33) % 5] :
				fill[(seed >> (w * 5)) % 9];
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"%s ", word);
		}
		ck_assert_int_eq(dataset_add(d, text, off, p ? "pos" : "neg",
					     &err), 0);
	}
}

static double accuracy(const struct linear *m, const struct dataset *d)
{
	size_t right = 0;
	float p[2];

	for (size_t i = 0; i < d->n; i++) {
		linear_score(m, d->ex[i].text, d->ex[i].len, p);
		right += (p[1] > p[0]) == (d->ex[i].label == 1);
	}
	return (double)right / (double)d->n;
}

static struct linear *train_toy(struct dataset *d)
{
	struct linear_opts o;
	struct linear *m;
	struct sl_err err;

	linear_opts_default(&o);
	o.dim = 16;
	o.epochs = 10;
	o.lr = 0.5;
	dataset_init(d);
	toy(d, 400, 7);
	ck_assert_msg(!linear_train(&m, d, &o, &err), "%s", err.msg);
	return m;
}

START_TEST(learns_toy_task)
{
	struct dataset d, test;
	double t0 = clock_mono();
	struct linear *m = train_toy(&d);
	double dt = clock_mono() - t0;

	dataset_init(&test);
	toy(&test, 200, 99);
	ck_assert_msg(dt < 0.5, "training took %.3fs", dt);
	ck_assert_double_eq(accuracy(m, &d), 1.0);
	ck_assert_double_eq(accuracy(m, &test), 1.0);
	ck_assert_uint_eq(linear_nlabels(m), 2);
	ck_assert_str_eq(linear_label(m, 0), "neg");
	linear_free(m);
	dataset_release(&test);
	dataset_release(&d);
}
END_TEST

static void slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	char tmp[4096];
	size_t n;

	ck_assert_ptr_nonnull(f);
	buf_init(b, 0);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(b, tmp, n);
	fclose(f);
}

START_TEST(save_load_roundtrip)
{
	const char *dir = tu_tmpdir();
	char p1[128], p2[128];
	struct dataset d;
	struct linear *m = train_toy(&d), *m2, *l;
	struct sl_err err;
	struct buf b1, b2;
	static const char *const texts[] = { "a great film", "bad plot",
					     "电影 好", "", "unknown words" };

	snprintf(p1, sizeof(p1), "%s/a.safetensors", dir);
	snprintf(p2, sizeof(p2), "%s/b.safetensors", dir);
	ck_assert_msg(!linear_save(m, p1, &err), "%s", err.msg);
	ck_assert_msg(!linear_open(&l, p1, &err), "%s", err.msg);
	ck_assert_uint_eq(linear_nrows(l), linear_nrows(m));
	ck_assert_str_eq(linear_label(l, 1), "pos");
	for (size_t i = 0; i < 5; i++) {
		float a[2], b[2];

		linear_score(m, texts[i], strlen(texts[i]), a);
		linear_score(l, texts[i], strlen(texts[i]), b);
		ck_assert(!memcmp(a, b, sizeof(a)));
		ck_assert(fabsf(a[0] + a[1] - 1) < 1e-6f);
	}
	/* deterministic: the same data and seed give the same bytes */
	dataset_release(&d);
	m2 = train_toy(&d);
	ck_assert(!linear_save(m2, p2, &err));
	slurp(p1, &b1);
	slurp(p2, &b2);
	ck_assert_uint_eq(b1.len, b2.len);
	ck_assert(!memcmp(b1.data, b2.data, b1.len));
	buf_release(&b1);
	buf_release(&b2);
	linear_free(l);
	linear_free(m);
	linear_free(m2);
	dataset_release(&d);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
}
END_TEST

/* A model file built by hand, each case breaking one thing. */
struct hostile {
	const char *name;
	const char *arch, *config, *labels;
	uint32_t rows[3];
	size_t nrows;
	int emb_dim;		/* columns of emb */
	int wrong_dtype;	/* out.bias as F16 */
	int extra;		/* one more tensor */
	float bad;		/* put into emb[0] */
	const char *want;
};

static const struct hostile cases[] = {
	{ "good", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, NULL },
	{ "arch", "encoderx", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "not a linear model" },
	{ "noconfig", "linear", NULL, "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0,
	  0, 0, "no config" },
	{ "config", "linear", "{\"dim\":4,\"buckets\":100", "[\"a\",\"b\"]",
	  { 1, 2, 3 }, 3, 4, 0, 0, 0, "config is not a JSON object" },
	{ "dupkey", "linear", "{\"dim\":4,\"dim\":4,\"buckets\":100,"
	  "\"ngrams\":2}", "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0,
	  "config is not a JSON object" },
	{ "dim0", "linear", "{\"dim\":0,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "dim = 0 is not in" },
	{ "ngrams", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":9}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "ngrams = 9" },
	{ "charngrams", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2,"
	  "\"char_ngrams\":0}", "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0,
	  "char_ngrams = 0" },
	{ "good3", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2,"
	  "\"char_ngrams\":3}", "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0,
	  NULL },
	{ "onelabel", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "1 labels" },
	{ "duplabel", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"a\"]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "given twice" },
	{ "numlabel", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",3]", { 1, 2, 3 }, 3, 4, 0, 0, 0, "not a non-empty string" },
	{ "bucket", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 200, 3 }, 3, 4, 0, 0, 0, "beyond the 100" },
	{ "duprow", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 1 }, 3, 4, 0, 0, 0, "has two rows" },
	{ "embdim", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 5, 0, 0, 0, "tensor 'emb'" },
	{ "dtype", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 1, 0, 0, "tensor 'out.bias'" },
	{ "extra", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 1, 0, "5 tensors" },
	{ "nan", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, NAN, "not finite" },
	{ "inf", "linear", "{\"dim\":4,\"buckets\":100,\"ngrams\":2}",
	  "[\"a\",\"b\"]", { 1, 2, 3 }, 3, 4, 0, 0, INFINITY, "not finite" },
};

START_TEST(hostile_files)
{
	const struct hostile *c = &cases[_i];
	const char *dir = tu_tmpdir();
	char path[128];
	float emb[3 * 5] = { 0 }, w[2 * 4] = { 0.5f }, b[2] = { 1, 0 };
	uint64_t se[2] = { c->nrows, (uint64_t)c->emb_dim }, sr[1] = { c->nrows };
	uint64_t sw[2] = { 2, 4 }, sb[1] = { 2 };
	struct st_writer wr;
	struct sl_err err;
	struct linear *m;
	int rc;

	emb[0] = c->bad;
	snprintf(path, sizeof(path), "%s/%s.safetensors", dir, c->name);
	safetensors_writer_init(&wr);
	ck_assert(!safetensors_writer_add(&wr, "emb", ST_F32, se, 2, emb,
					  c->nrows * (size_t)c->emb_dim * 4,
					  &err));
	ck_assert(!safetensors_writer_add(&wr, "rows", ST_U32, sr, 1, c->rows,
					  c->nrows * 4, &err));
	ck_assert(!safetensors_writer_add(&wr, "out.weight", ST_F32, sw, 2, w,
					  sizeof(w), &err));
	ck_assert(!safetensors_writer_add_f32(&wr, "out.bias", c->wrong_dtype ?
					      ST_F16 : ST_F32, sb, 1, b, &err));
	if (c->extra)
		ck_assert(!safetensors_writer_add(&wr, "zz", ST_F32, sb, 1, b,
						  8, &err));
	safetensors_writer_meta(&wr, "arch", c->arch, &err);
	if (c->config)
		safetensors_writer_meta(&wr, "config", c->config, &err);
	safetensors_writer_meta(&wr, "labels", c->labels, &err);
	ck_assert(!safetensors_writer_write(&wr, path, &err));
	safetensors_writer_release(&wr);
	err.msg[0] = '\0';
	rc = linear_open(&m, path, &err);
	if (!c->want) {
		float p[2];

		ck_assert_msg(!rc, "%s", err.msg);
		linear_score(m, "x y", 3, p);
		ck_assert(p[0] > p[1]);
		linear_free(m);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_null(m);
		ck_assert_msg(strstr(err.msg, c->want), "%s: got '%s'",
			      c->name, err.msg);
		ck_assert_msg(strstr(err.msg, path), "%s", err.msg);
	}
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(metrics_known)
{
	/* scores 0.1 0.4 0.35 0.8 with gold 0 0 1 1: AUC 0.75 (sklearn) */
	int gold[4] = { 0, 0, 1, 1 };
	float p[8] = { 0.9f, 0.1f, 0.6f, 0.4f, 0.65f, 0.35f, 0.2f, 0.8f };
	struct metrics mt;
	struct sl_err err;
	char *labels[2] = { "not_x", "x" };

	ck_assert(!metrics_compute(gold, p, 4, 2, 1, &mt, &err));
	ck_assert(fabs(mt.auc - 0.75) < 1e-12);
	ck_assert(fabs(mt.accuracy - 0.75) < 1e-12);
	ck_assert(fabs(mt.precision - 1.0) < 1e-12);
	ck_assert(fabs(mt.recall - 0.5) < 1e-12);
	ck_assert(fabs(mt.f1 - 2.0 / 3) < 1e-12);
	/* class 0: P 2/3 R 1 F1 0.8; macro (0.8 + 2/3) / 2 */
	ck_assert(fabs(mt.macro_f1 - (0.8 + 2.0 / 3) / 2) < 1e-12);
	/* ties count one half */
	float q[4] = { 0.5f, 0.5f, 0.5f, 0.5f };
	int g2[2] = { 0, 1 };
	ck_assert(!metrics_compute(g2, q, 2, 2, 1, &mt, &err));
	ck_assert(fabs(mt.auc - 0.5) < 1e-12);
	ck_assert_int_eq(metrics_positive(labels, 2), 1);
	char *l2[2] = { "1", "0" };
	ck_assert_int_eq(metrics_positive(l2, 2), 0);
	ck_assert_int_eq(metrics_positive(l2, 1), -1);
}
END_TEST

static Suite *linear_suite(void)
{
	Suite *s = suite_create("linear");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ngram_tokens);
	tcase_add_test(tc, ngram_hashes_pinned);
	tcase_add_test(tc, learns_toy_task);
	tcase_add_test(tc, save_load_roundtrip);
	tcase_add_loop_test(tc, hostile_files, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, metrics_known);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(linear_suite)
