/* Check suite for model/encoder: the forward and backward passes against
 * PyTorch (tests/data/encoder/, made by tests/gen_encoder_golden.py; the
 * C logits must match within 1e-4, the gradients within 1e-4), scoring
 * texts through the stored tokenizer with max-pooled windows, the same
 * results on 1 and 2 threads, F16 weights, and model files that disagree
 * with themselves (each an error at open, never a crash). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "../lib/err.h"
#include "../model/encoder.h"
#include "../model/encoder_int.h"
#include "../model/safetensors.h"

#define DIR "tests/data/encoder"

static json_t *golden(void)
{
	json_error_t je;
	json_t *g = json_load_file(DIR "/golden.json", 0, &je);

	ck_assert_msg(g, "golden.json: %s", je.text);
	return g;
}

/* The golden batch, packed. */
struct gbatch {
	uint32_t ids[256];
	int len[16], label[16];
	struct enc_batch b;
};

static void load_batch(json_t *g, struct gbatch *gb)
{
	json_t *ids = json_object_get(g, "ids");
	size_t n = 0;

	gb->b.B = json_array_size(ids);
	for (size_t s = 0; s < gb->b.B; s++) {
		json_t *row = json_array_get(ids, s);

		gb->len[s] = (int)json_array_size(row);
		gb->label[s] = (int)json_integer_value(
			json_array_get(json_object_get(g, "labels"), s));
		for (size_t i = 0; i < json_array_size(row); i++)
			gb->ids[n++] = (uint32_t)json_integer_value(
				json_array_get(row, i));
	}
	gb->b.ids = gb->ids;
	gb->b.len = gb->len;
	gb->b.N = n;
}

START_TEST(forward_matches_pytorch)
{
	struct encoder *m;
	struct sl_err err;
	struct enc_acts a;
	struct gbatch gb;
	json_t *g = golden(), *lg = json_object_get(g, "logits");
	double maxdiff = 0;

	ck_assert_msg(!encoder_open(&m, DIR "/model.safetensors", 1, &err),
		      "%s", err.msg);
	ck_assert_int_eq(encoder_nlabels(m), 3);
	ck_assert_str_eq(encoder_label(m, 2), "c");
	ck_assert_ptr_null(encoder_label(m, 3));
	load_batch(g, &gb);
	enc_acts_init(&a, 0, 0);
	ck_assert(!enc_acts_reserve(&a, &m->cfg, &gb.b));
	enc_forward(&m->cfg, &m->w, &a, &gb.b, 0.0f, 0);
	for (size_t s = 0; s < gb.b.B; s++)
		for (int k = 0; k < 3; k++) {
			double want = json_real_value(json_array_get(
				json_array_get(lg, s), (size_t)k));
			double d = fabs(a.logits[s * 3 + (size_t)k] - want);

			maxdiff = d > maxdiff ? d : maxdiff;
		}
	printf("encoder forward vs pytorch: logits maxdiff %.3g\n", maxdiff);
	ck_assert(maxdiff < 1e-4);
	enc_acts_release(&a);
	encoder_close(m);
	json_decref(g);
}
END_TEST

START_TEST(backward_matches_pytorch)
{
	struct encoder *m;
	struct sl_err err;
	struct enc_acts a;
	struct enc_grad_scratch s;
	struct enc_weights gw;
	struct safetensors *ref;
	struct gbatch gb;
	json_t *g = golden();
	float *grad, dl[16 * 3];
	double maxdiff = 0;
	char name[64];
	uint64_t shape[2];
	size_t ndim;
	float **slot;

	ck_assert_msg(!encoder_open(&m, DIR "/model.safetensors", 1, &err),
		      "%s", err.msg);
	ck_assert_msg(!safetensors_open(&ref, DIR "/grads.safetensors", &err),
		      "%s", err.msg);
	load_batch(g, &gb);
	enc_acts_init(&a, 1, 1);
	enc_grad_scratch_init(&s);
	ck_assert(!enc_acts_reserve(&a, &m->cfg, &gb.b));
	enc_forward(&m->cfg, &m->w, &a, &gb.b, 0.0f, 0);
	/* mean cross-entropy: dlogits = (softmax - onehot) / B */
	for (size_t q = 0; q < gb.b.B; q++) {
		float *z = a.logits + q * 3, mx = fmaxf(z[0], fmaxf(z[1], z[2]));
		float sum = 0;

		for (int k = 0; k < 3; k++)
			sum += expf(z[k] - mx);
		for (int k = 0; k < 3; k++)
			dl[q * 3 + (size_t)k] = (expf(z[k] - mx) / sum -
						 (k == gb.label[q])) /
						(float)gb.b.B;
	}
	grad = calloc(enc_nparams(&m->cfg), sizeof(float));
	ck_assert(!enc_weights_alloc(&gw, &m->cfg));
	enc_weights_bind(&gw, &m->cfg, grad);
	ck_assert(!enc_backward(&m->cfg, &m->w, &gw, &a, &gb.b, dl, &s));
	for (size_t i = 0; (slot = enc_tensor(&m->cfg, &gw, i, name, shape,
					      &ndim)); i++) {
		const struct st_tensor *t = safetensors_find(ref, name);
		float *want;
		double md = 0;

		ck_assert_msg(t, "no gradient '%s'", name);
		want = malloc(t->nelem * sizeof(float));
		ck_assert(!safetensors_to_f32(t, want, t->nelem, &err));
		for (size_t k = 0; k < t->nelem; k++) {
			double d = fabs((*slot)[k] - want[k]);

			md = d > md ? d : md;
		}
		ck_assert_msg(md < 1e-4, "gradient of '%s' off by %g", name,
			      md);
		maxdiff = md > maxdiff ? md : maxdiff;
		free(want);
	}
	printf("encoder backward vs pytorch: gradients maxdiff %.3g\n",
	       maxdiff);
	free(grad);
	enc_weights_release(&gw);
	enc_grad_scratch_release(&s);
	enc_acts_release(&a);
	safetensors_close(ref);
	encoder_close(m);
	json_decref(g);
}
END_TEST

/* Texts through the byte tokenizer: windows of max_len, max-pooled. */
static void score_texts(int threads, float *probs, size_t *n)
{
	struct encoder *m;
	struct sl_err err;
	json_t *g = golden(), *texts = json_object_get(g, "texts"),
	       *want = json_object_get(g, "text_probs");
	const char *tx[8];
	size_t len[8];
	double maxdiff = 0;

	*n = json_array_size(texts);
	for (size_t i = 0; i < *n; i++) {
		tx[i] = json_string_value(json_array_get(texts, i));
		len[i] = strlen(tx[i]);
	}
	ck_assert_msg(!encoder_open(&m, DIR "/model.safetensors", threads,
				    &err), "%s", err.msg);
	ck_assert_msg(!encoder_score(m, tx, len, *n, probs, &err), "%s",
		      err.msg);
	for (size_t i = 0; i < *n; i++)
		for (size_t k = 0; k < 3; k++) {
			double d = fabs(probs[i * 3 + k] - json_real_value(
				json_array_get(json_array_get(want, i), k)));

			maxdiff = d > maxdiff ? d : maxdiff;
		}
	printf("encoder texts (%d threads) vs pytorch: probs maxdiff %.3g\n",
	       threads, maxdiff);
	ck_assert(maxdiff < 1e-5);
	encoder_close(m);
	json_decref(g);
}

START_TEST(score_texts_windows_threads)
{
	float p1[24], p2[24];
	size_t n;

	score_texts(1, p1, &n);
	score_texts(2, p2, &n);
	/* Sub-batches differ by thread count, and sgemm's rounding with
	 * them: close, not necessarily bit-identical. */
	for (size_t i = 0; i < n * 3; i++)
		ck_assert(fabsf(p1[i] - p2[i]) < 1e-6f);
}
END_TEST

/* Copy the golden model with changes: metadata key set to value (NULL:
 * unchanged), tensor skip left out, every tensor stored as dt. */
static void rewrite_from(const char *src, const char *out, const char *key,
			 const char *value, const char *skip, enum st_dtype dt)
{
	struct safetensors *st;
	struct st_writer w;
	struct sl_err err;
	float *conv[128];
	size_t nconv = 0;

	ck_assert(!safetensors_open(&st, src, &err));
	safetensors_writer_init(&w);
	for (size_t i = 0; i < safetensors_meta_count(st); i++) {
		const char *k, *v;

		safetensors_meta_at(st, i, &k, &v);
		ck_assert(!safetensors_writer_meta(&w, k, v, &err));
	}
	if (key)
		ck_assert(!safetensors_writer_meta(&w, key, value, &err));
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_tensor_at(st, i);

		if (skip && !strcmp(t->name, skip))
			continue;
		if (t->dtype == ST_I8) {	/* kept as it is */
			ck_assert(!safetensors_writer_add(&w, t->name, ST_I8,
				t->shape, t->ndim, t->data, t->nbytes, &err));
			continue;
		}
		conv[nconv] = malloc(t->nelem * sizeof(float));
		ck_assert(!safetensors_to_f32(t, conv[nconv], t->nelem, &err));
		ck_assert_msg(!safetensors_writer_add_f32(&w, t->name, dt,
				t->shape, t->ndim, conv[nconv], &err), "%s",
			      err.msg);
		nconv++;
	}
	ck_assert_msg(!safetensors_writer_write(&w, out, &err), "%s", err.msg);
	safetensors_writer_release(&w);
	while (nconv)
		free(conv[--nconv]);
	safetensors_close(st);
}

static void rewrite(const char *out, const char *key, const char *value,
		    const char *skip, enum st_dtype dt)
{
	rewrite_from(DIR "/model.safetensors", out, key, value, skip, dt);
}

START_TEST(int8_weights)
{
	const char *dir = tu_tmpdir();
	char path[128], bad[128];
	struct encoder *m, *ref;
	struct sl_err err;
	const char *tx[2] = { "hello there", "\xe4\xbd\xa0\xe5\xa5\xbd" };
	size_t len[2] = { 11, 6 };
	float p[6], want[6];
	double maxdiff = 0;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/m8.safetensors", dir);
	ck_assert_msg(!encoder_quantize(DIR "/model.safetensors", path, &err),
		      "%s", err.msg);
	ck_assert(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	printf("encoder int8: %ld bytes (F32: 114820)\n", size);
	ck_assert_int_lt(size, 114820 / 2);
	ck_assert_msg(!encoder_open(&m, path, 1, &err), "%s", err.msg);
	ck_assert(!encoder_open(&ref, DIR "/model.safetensors", 1, &err));
	ck_assert(!encoder_score(m, tx, len, 2, p, &err));
	ck_assert(!encoder_score(ref, tx, len, 2, want, &err));
	for (int i = 0; i < 6; i++)
		maxdiff = fmax(maxdiff, fabs(p[i] - want[i]));
	printf("encoder int8 vs F32: probs maxdiff %.3g\n", maxdiff);
	ck_assert(maxdiff < 0.02);
	encoder_close(m);
	encoder_close(ref);
	/* An I8 matrix without its scales is refused. */
	snprintf(bad, sizeof(bad), "%s/bad8.safetensors", dir);
	rewrite_from(path, bad, NULL, NULL, "head.weight.scale", ST_F32);
	ck_assert(encoder_open(&m, bad, 1, &err));
	ck_assert_msg(strstr(err.msg, "has no float 'head.weight.scale'"),
		      "%s", err.msg);
	/* ... while the same copy with the scales opens (the refusal above
	 * is the missing scales' doing, not the copy's). */
	rewrite_from(path, bad, NULL, NULL, NULL, ST_F32);
	ck_assert(!encoder_open(&m, bad, 1, &err));
	encoder_close(m);
	tu_rm_rf(dir);
}
END_TEST

START_TEST(f16_weights)
{
	const char *dir = tu_tmpdir();
	char path[128];
	struct encoder *m;
	struct sl_err err;
	const char *tx[1] = { "hello" };
	size_t len[1] = { 5 };
	float p[3];

	snprintf(path, sizeof(path), "%s/m16.safetensors", dir);
	rewrite(path, NULL, NULL, NULL, ST_F16);
	ck_assert_msg(!encoder_open(&m, path, 1, &err), "%s", err.msg);
	ck_assert(!encoder_score(m, tx, len, 1, p, &err));
	ck_assert(fabsf(p[0] + p[1] + p[2] - 1.0f) < 1e-5f);
	encoder_close(m);
	tu_rm_rf(dir);
}
END_TEST

START_TEST(hostile_files)
{
	static const struct {
		const char *key, *value, *skip, *want;
	} cases[] = {
		{ "arch", "gpt2", NULL, "not an encoder model" },
		{ "config", "{\"vocab\":300,\"dim\":64,\"layers\":2,\"heads\":4,"
		  "\"ffn\":64,\"max_len\":16,\"pool\":\"max\"}", NULL,
		  "has not the shape" },
		{ "config", "{\"vocab\":300,\"dim\":32,\"layers\":3,\"heads\":4,"
		  "\"ffn\":64,\"max_len\":16,\"pool\":\"max\"}", NULL,
		  "no tensor 'blocks.2.ln1.weight'" },
		{ "config", "{\"vocab\":300,\"dim\":32,\"layers\":2,\"heads\":5,"
		  "\"ffn\":64,\"max_len\":16,\"pool\":\"max\"}", NULL,
		  "does not divide" },
		{ "config", "{\"vocab\":300,\"dim\":32,\"layers\":2,\"heads\":4,"
		  "\"ffn\":64,\"max_len\":16,\"pool\":\"sum\"}", NULL, "pool" },
		{ "config", "{\"vocab\":300,\"dim\":32,\"layers\":2,\"heads\":4,"
		  "\"ffn\":64,\"max_len\":16,\"max_len\":16,\"pool\":\"max\"}",
		  NULL, "config" },
		{ "config", "{\"vocab\":300,\"dim\":32,\"layers\":2,\"heads\":4,"
		  "\"ffn\":64,\"max_len\":99999999,\"pool\":\"max\"}", NULL,
		  "max_len" },
		{ "config", "[]", NULL, "config" },
		{ "labels", "[\"a\"]", NULL, "labels" },
		{ "labels", "[\"a\",\"b\",\"c\",\"d\"]", NULL, "shape" },
		{ "labels", "[\"a\",2,\"c\"]", NULL, "label 1" },
		{ "labels", "{}", NULL, "labels" },
		{ "tokenizer", "", NULL, "tokenizer" },
		{ "tokenizer_json", "{}", NULL, "tokenizer" },
		{ NULL, NULL, "blocks.1.mlp.fc2.bias",
		  "no tensor 'blocks.1.mlp.fc2.bias'" },
	};
	const char *dir = tu_tmpdir();
	char path[128];

	snprintf(path, sizeof(path), "%s/bad.safetensors", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct encoder *m = (struct encoder *)1;
		struct sl_err err;

		rewrite(path, cases[i].key, cases[i].value, cases[i].skip,
			ST_F32);
		ck_assert_msg(encoder_open(&m, path, 1, &err), "case %zu "
			      "opened", i);
		ck_assert_ptr_null(m);
		ck_assert_msg(strstr(err.msg, cases[i].want), "case %zu: %s",
			      i, err.msg);
	}
	tu_rm_rf(dir);
}
END_TEST

static Suite *encoder_suite(void)
{
	Suite *s = suite_create("encoder");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, forward_matches_pytorch);
	tcase_add_test(tc, backward_matches_pytorch);
	tcase_add_test(tc, score_texts_windows_threads);
	tcase_add_test(tc, f16_weights);
	tcase_add_test(tc, int8_weights);
	tcase_add_test(tc, hostile_files);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(encoder_suite)
