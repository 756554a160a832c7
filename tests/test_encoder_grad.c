/* Check suite: the encoder's backward pass against central finite
 * differences for every parameter of a small random model (token and
 * position embeddings, LayerNorms, qkv, proj, MLP, final LayerNorm, head),
 * with dropout on (fixed masks: the same seed gives the same masks) and a
 * class-weighted cross-entropy.  Complements the PyTorch gradient golden
 * in test_encoder.c, which runs without dropout. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "../model/encoder_int.h"

static const struct enc_config cfg = {
	.vocab = 11, .dim = 8, .layers = 2, .heads = 2, .ffn = 12,
	.max_len = 6, .nlabels = 3, .pool = ENC_POOL_MAX
};
static const uint32_t ids[] = { 1, 4, 4, 9, 0, 3, 10, 2, 7 };
static const int lens[] = { 5, 3, 1 };
static const int labels[] = { 2, 0, 1 };
static const float cw[] = { 1.0f, 2.5f, 0.5f };
#define DROP 0.2f
#define SEED 42

/* Weighted mean cross-entropy; dlogits when asked. */
static double loss(const struct enc_weights *w, struct enc_acts *a,
		   const struct enc_batch *b, float *dl)
{
	double sum = 0, wsum = 0;

	enc_forward(&cfg, w, a, b, DROP, SEED);
	for (size_t s = 0; s < b->B; s++)
		wsum += cw[labels[s]];
	for (size_t s = 0; s < b->B; s++) {
		const float *z = a->logits + s * 3;
		double mx = fmax(z[0], fmax(z[1], z[2])), e = 0;

		for (int k = 0; k < 3; k++)
			e += exp(z[k] - mx);
		sum += cw[labels[s]] * (log(e) + mx - z[labels[s]]);
		if (dl)
			for (int k = 0; k < 3; k++)
				dl[s * 3 + (size_t)k] = (float)(
					cw[labels[s]] / wsum *
					(exp(z[k] - mx) / e - (k == labels[s])));
	}
	return sum / wsum;
}

START_TEST(finite_differences)
{
	struct enc_batch b = { ids, lens, 3, 9 };
	struct enc_weights w, g;
	struct enc_acts a;
	struct enc_grad_scratch s;
	size_t np = enc_nparams(&cfg), checked = 0;
	float *p = malloc(np * sizeof(float)), *gp = calloc(np, sizeof(float));
	float dl[9];
	uint64_t r = 12345;
	char name[64];
	uint64_t shape[2];
	size_t ndim;
	float **slot;
	double worst = 0;

	for (size_t i = 0; i < np; i++)
		p[i] = 0.5f * (enc_rng_unit(&r) - 0.5f);
	ck_assert(!enc_weights_alloc(&w, &cfg) && !enc_weights_alloc(&g, &cfg));
	enc_weights_bind(&w, &cfg, p);
	enc_weights_bind(&g, &cfg, gp);
	for (int l = 0; l < cfg.layers; l++)	/* gains near 1 */
		for (int k = 0; k < cfg.dim; k++) {
			w.layer[l].ln1_g[k] += 1.0f;
			w.layer[l].ln2_g[k] += 1.0f;
		}
	for (int k = 0; k < cfg.dim; k++)
		w.lnf_g[k] += 1.0f;
	enc_acts_init(&a, 1, 1);
	enc_grad_scratch_init(&s);
	ck_assert(!enc_acts_reserve(&a, &cfg, &b));
	loss(&w, &a, &b, dl);
	ck_assert(!enc_backward(&cfg, &w, &g, &a, &b, dl, &s));

	for (size_t t = 0; (slot = enc_tensor(&cfg, &w, t, name, shape,
					      &ndim)); t++) {
		size_t n = shape[0] * (ndim == 2 ? shape[1] : 1);
		float *x = *slot, *gx = gp + (x - p);
		double tw = 0;

		for (size_t i = 0; i < n; i++) {
			const float eps = 1e-2f;
			float keep = x[i];
			double up, down, fd, err;

			x[i] = keep + eps;
			up = loss(&w, &a, &b, NULL);
			x[i] = keep - eps;
			down = loss(&w, &a, &b, NULL);
			x[i] = keep;
			fd = (up - down) / (2 * eps);
			err = fabs(fd - gx[i]) / (1e-3 + fabs(fd));
			tw = err > tw ? err : tw;
			ck_assert_msg(fabs(fd - gx[i]) < 2e-3 + 2e-2 * fabs(fd),
				      "%s[%zu]: backward %g, finite "
				      "differences %g", name, i, gx[i], fd);
			checked++;
		}
		worst = tw > worst ? tw : worst;
	}
	printf("encoder gradient check: %zu parameters, worst relative "
	       "error %.3g\n", checked, worst);
	ck_assert_uint_eq(checked, np);
	enc_grad_scratch_release(&s);
	enc_acts_release(&a);
	enc_weights_release(&w);
	enc_weights_release(&g);
	free(p);
	free(gp);
}
END_TEST

static Suite *encoder_grad_suite(void)
{
	Suite *s = suite_create("encoder_grad");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, finite_differences);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(encoder_grad_suite)
