/* Check suite for model/encoder_train: a separable toy task (texts with a
 * "good" or a "bad" word among neutral ones, English and Chinese) learned
 * to ~100% dev accuracy in seconds; the model file it writes opens and
 * scores; the same seed and thread count give the same file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/err.h"
#include "../model/dataset.h"
#include "../model/encoder.h"

static const char *const neutral[] = {
	"the", "a", "movie", "food", "was", "service", "today", "really",
	"my", "friend", "said", "it", "\xe8\xbf\x99\xe4\xb8\xaa",
	"\xe7\x94\xb5\xe5\xbd\xb1", "and", "very", "place", "again"
};
static const char *const good[] = { "good", "great", "lovely",
				    "\xe5\xa5\xbd" };
static const char *const bad[] = { "bad", "awful", "terrible",
				   "\xe5\x9d\x8f" };

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void make_set(struct dataset *d, size_t n, uint64_t seed)
{
	struct sl_err err;
	uint64_t r = seed;

	dataset_init(d);
	for (size_t i = 0; i < n; i++) {
		char text[256] = "";
		int pos = (int)(rnd(&r) % 2), nw = 3 + (int)(rnd(&r) % 6);
		int at = (int)(rnd(&r) % (uint64_t)nw);

		for (int w = 0; w < nw; w++) {
			const char *x = w == at ?
				(pos ? bad : good)[rnd(&r) % 4] :
				neutral[rnd(&r) % 18];

			if (w)
				strncat(text, " ", sizeof(text) - strlen(text) - 1);
			strncat(text, x, sizeof(text) - strlen(text) - 1);
		}
		ck_assert(!dataset_add(d, text, strlen(text),
				       pos ? "bad" : "good", &err));
	}
}

static void small_opts(struct encoder_train_opts *o)
{
	encoder_train_defaults(o);
	o->vocab = 400;
	o->dim = 32;
	o->layers = 1;
	o->heads = 2;
	o->ffn = 64;
	o->max_len = 16;
	o->epochs = 10;
	o->batch = 16;
	o->lr = 3e-3;
	o->threads = 2;
	o->patience = 0;
}

static void *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;

	ck_assert(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	p = malloc(*n);
	ck_assert(fread(p, 1, *n, f) == *n);
	fclose(f);
	return p;
}

START_TEST(learns_toy_task)
{
	struct dataset train, dev;
	struct encoder_train_opts o;
	struct encoder *m;
	struct sl_err err;
	const char *dir = tu_tmpdir();
	char path[128], path2[128];
	size_t correct = 0, n1, n2;
	float *p;
	void *f1, *f2;

	make_set(&train, 400, 1);
	make_set(&dev, 100, 99);
	small_opts(&o);
	o.log = stdout;
	snprintf(path, sizeof(path), "%s/m.safetensors", dir);
	ck_assert_msg(!encoder_train(&train, &dev, &o, path, &err), "%s",
		      err.msg);
	ck_assert_msg(!encoder_open(&m, path, 2, &err), "%s", err.msg);
	ck_assert_int_eq(encoder_nlabels(m), 2);
	p = malloc(dev.n * 2 * sizeof(float));
	{
		const char **tx = malloc(dev.n * sizeof(*tx));
		size_t *len = malloc(dev.n * sizeof(*len));

		for (size_t i = 0; i < dev.n; i++) {
			tx[i] = dev.ex[i].text;
			len[i] = dev.ex[i].len;
		}
		ck_assert_msg(!encoder_score(m, tx, len, dev.n, p, &err), "%s",
			      err.msg);
		free(tx);
		free(len);
	}
	for (size_t i = 0; i < dev.n; i++) {
		const char *want = dev.labels[dev.ex[i].label];
		int got = p[2 * i + 1] > p[2 * i];

		correct += !strcmp(encoder_label(m, (size_t)got), want);
	}
	printf("encoder toy task: %zu/%zu dev correct\n", correct, dev.n);
	ck_assert_uint_ge(correct, dev.n * 98 / 100);
	encoder_close(m);

	/* Deterministic for a seed and a thread count. */
	o.log = NULL;
	o.epochs = 1;
	snprintf(path2, sizeof(path2), "%s/m2.safetensors", dir);
	ck_assert(!encoder_train(&train, NULL, &o, path, &err));
	ck_assert(!encoder_train(&train, NULL, &o, path2, &err));
	f1 = slurp(path, &n1);
	f2 = slurp(path2, &n2);
	ck_assert(n1 == n2 && !memcmp(f1, f2, n1));
	free(f1);
	free(f2);
	free(p);
	dataset_release(&train);
	dataset_release(&dev);
	tu_rm_rf(dir);
}
END_TEST

START_TEST(refuses_bad_options)
{
	struct dataset d;
	struct encoder_train_opts o;
	struct sl_err err;

	make_set(&d, 10, 3);
	small_opts(&o);
	o.heads = 5;
	ck_assert(encoder_train(&d, NULL, &o, "/nonexistent/x", &err));
	ck_assert_msg(strstr(err.msg, "heads"), "%s", err.msg);
	small_opts(&o);
	o.dropout = 1.0;
	ck_assert(encoder_train(&d, NULL, &o, "/nonexistent/x", &err));
	dataset_release(&d);
}
END_TEST

static Suite *encoder_train_suite(void)
{
	Suite *s = suite_create("encoder_train");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, learns_toy_task);
	tcase_add_test(tc, refuses_bad_options);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(encoder_train_suite)
