/*
 * encoder_fwd.c: the encoder's forward pass over a packed batch, its
 * tensor table and activation buffers (see encoder_int.h; the tensor
 * layout is drawn at the top of encoder.c).
 *
 * Per block l (pre-LayerNorm, as GPT-2 and ViT):
 *   ln1 = LN(x)                     qkv = ln1 Wqkv^T + bqkv
 *   per sequence, head h:  att = softmax(q_h k_h^T / sqrt(dim/heads))
 *                          ao_h = att v_h
 *   xm  = x + drop(ao Wproj^T + bproj)
 *   ln2 = LN(xm)   h1 = ln2 W1^T + b1   h2 = GELU(h1)   (erf form)
 *   x'  = xm + drop(h2 W2^T + b2)
 * then lnf = LN(x_L), pool = mean over each sequence's tokens,
 * logits = drop(pool) Whead^T + bhead.  Linear weights are [out, in]
 * (nn.Linear's layout), so every product is one sgemm with B transposed.
 */
/* The element-wise loops (GELU, softmax's exp, residuals) are written
 * branch-free so that they vectorize; GCC's -O2 cost model and its care for
 * floating-point exception flags (which sluice never reads) would keep
 * them scalar, and GELU alone was 8% of the forward pass. */
#if defined(__GNUC__) && !defined(__clang__)	/* clang has no such pragma */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", \
		     "no-trapping-math", "no-math-errno")
#endif
/* ... and they get an AVX2 copy picked at load time where the CPU has it
 * (twice the lanes of the SSE2 baseline the build targets). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VEC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VEC_CLONES
#endif

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoder_int.h"
#include "../lib/err.h"
#include "../lib/banned.h"

/* ------------------------------------------------------------------ */
/* Tensor table                                                       */

enum { T_LN1_G, T_LN1_B, T_QKV_W, T_QKV_B, T_PROJ_W, T_PROJ_B, T_LN2_G,
       T_LN2_B, T_FC1_W, T_FC1_B, T_FC2_W, T_FC2_B, T_PER_LAYER };

size_t enc_ntensors(const struct enc_config *c)
{
	return 2 + (size_t)c->layers * T_PER_LAYER + 4;
}

static float **layer_tensor(const struct enc_config *c, struct enc_layer *L,
			    int k, int l, char name[64], uint64_t shape[2],
			    size_t *ndim)
{
	static const char *const names[T_PER_LAYER] = {
		"ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias",
		"attn.proj.weight", "attn.proj.bias", "ln2.weight", "ln2.bias",
		"mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight",
		"mlp.fc2.bias" };
	uint64_t d = (uint64_t)c->dim, f = (uint64_t)c->ffn;
	uint64_t rows[T_PER_LAYER] = { d, d, 3 * d, 3 * d, d, d, d, d, f, f,
				       d, d };
	uint64_t cols[T_PER_LAYER] = { 0, 0, d, 0, d, 0, 0, 0, d, 0, f, 0 };
	float **slot[T_PER_LAYER] = {
		&L->ln1_g, &L->ln1_b, &L->qkv_w, &L->qkv_b, &L->proj_w,
		&L->proj_b, &L->ln2_g, &L->ln2_b, &L->fc1_w, &L->fc1_b,
		&L->fc2_w, &L->fc2_b };

	snprintf(name, 64, "blocks.%d.%s", l, names[k]);
	shape[0] = rows[k];
	shape[1] = cols[k];
	*ndim = cols[k] ? 2 : 1;
	return slot[k];
}

float **enc_tensor(const struct enc_config *c, struct enc_weights *w,
		   size_t i, char name[64], uint64_t shape[2], size_t *ndim)
{
	size_t nl = (size_t)c->layers * T_PER_LAYER;
	uint64_t d = (uint64_t)c->dim;

	*ndim = 2;
	shape[1] = d;
	if (i == 0) {
		snprintf(name, 64, "tok_emb.weight");
		shape[0] = (uint64_t)c->vocab;
		return &w->tok_emb;
	}
	if (i == 1) {
		snprintf(name, 64, "pos_emb.weight");
		shape[0] = (uint64_t)c->max_len;
		return &w->pos_emb;
	}
	i -= 2;
	if (i < nl)
		return layer_tensor(c, &w->layer[i / T_PER_LAYER],
				    (int)(i % T_PER_LAYER),
				    (int)(i / T_PER_LAYER), name, shape, ndim);
	i -= nl;
	if (i == 2) {
		snprintf(name, 64, "head.weight");
		shape[0] = (uint64_t)c->nlabels;
		return &w->head_w;
	}
	*ndim = 1;
	switch (i) {
	case 0:
		snprintf(name, 64, "ln_f.weight");
		shape[0] = d;
		return &w->lnf_g;
	case 1:
		snprintf(name, 64, "ln_f.bias");
		shape[0] = d;
		return &w->lnf_b;
	case 3:
		snprintf(name, 64, "head.bias");
		shape[0] = (uint64_t)c->nlabels;
		return &w->head_b;
	}
	return NULL;
}

size_t enc_nparams(const struct enc_config *c)
{
	struct enc_layer L;
	struct enc_weights w = { .layer = &L };
	struct enc_config one = *c;
	char name[64];
	uint64_t shape[2];
	size_t ndim, n = 0, per = 0;

	/* Layers are alike: count layer 0 and multiply. */
	one.layers = 1;
	for (size_t i = 0; enc_tensor(&one, &w, i, name, shape, &ndim); i++) {
		size_t k = (size_t)shape[0] * (ndim == 2 ? shape[1] : 1);

		if (i >= 2 && i < 2 + T_PER_LAYER)
			per += k;
		else
			n += k;
	}
	return n + per * (size_t)c->layers;
}

int enc_weights_alloc(struct enc_weights *w, const struct enc_config *c)
{
	memset(w, 0, sizeof(*w));
	w->layer = calloc((size_t)c->layers, sizeof(*w->layer));
	return w->layer ? 0 : -1;
}

void enc_weights_release(struct enc_weights *w)
{
	free(w->layer);
	w->layer = NULL;
}

void enc_weights_bind(struct enc_weights *w, const struct enc_config *c,
		      float *base)
{
	char name[64];
	uint64_t shape[2];
	size_t ndim;
	float **slot;

	for (size_t i = 0; (slot = enc_tensor(c, w, i, name, shape, &ndim));
	     i++) {
		*slot = base;
		base += shape[0] * (ndim == 2 ? shape[1] : 1);
	}
}

int enc_config_check(const struct enc_config *c, struct sl_err *err)
{
	if (c->vocab < 1 || c->vocab > ENC_MAX_VOCAB)
		return sl_error(err, "vocab %d out of range", c->vocab);
	if (c->dim < 1 || c->dim > ENC_MAX_DIM)
		return sl_error(err, "dim %d out of range", c->dim);
	if (c->heads < 1 || c->dim % c->heads)
		return sl_error(err, "heads %d does not divide dim %d",
				c->heads, c->dim);
	if (c->layers < 0 || c->layers > ENC_MAX_LAYERS)
		return sl_error(err, "layers %d out of range", c->layers);
	if (c->ffn < 1 || c->ffn > ENC_MAX_FFN)
		return sl_error(err, "ffn %d out of range", c->ffn);
	if (c->max_len < 1 || c->max_len > ENC_MAX_LEN)
		return sl_error(err, "max_len %d out of range", c->max_len);
	if (c->nlabels < 2 || c->nlabels > ENC_MAX_LABELS)
		return sl_error(err, "%d labels (2 to %d)", c->nlabels,
				ENC_MAX_LABELS);
	if (c->pool != ENC_POOL_MAX && c->pool != ENC_POOL_MEAN)
		return sl_error(err, "unknown window pooling %d", c->pool);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Activations                                                        */

void enc_acts_init(struct enc_acts *a, int keep, int drop)
{
	memset(a, 0, sizeof(*a));
	a->keep = keep;
	a->drop = drop;
}

void enc_acts_release(struct enc_acts *a)
{
	float *all[] = { a->x, a->xm, a->ln1, a->ln2, a->m1, a->r1, a->m2,
			 a->r2, a->qkv, a->att, a->ao, a->h1, a->h2, a->lnf,
			 a->mf, a->rf, a->pool, a->logits, a->tmp, a->d_emb,
			 a->d_proj, a->d_fc2, a->d_pool };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]);
	enc_acts_init(a, a->keep, a->drop);
}

static size_t att_elems(const struct enc_config *c, const struct enc_batch *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->B; i++)
		n += (size_t)b->len[i] * (size_t)b->len[i];
	return n * (size_t)c->heads;
}

static int grow(float **p, size_t n)
{
	float *q = realloc(*p, (n ? n : 1) * sizeof(float));

	if (!q)
		return -1;
	*p = q;
	return 0;
}

int enc_acts_reserve(struct enc_acts *a, const struct enc_config *c,
		     const struct enc_batch *b)
{
	size_t N = b->N, B = b->B, A = att_elems(c, b);
	size_t L = a->keep ? (size_t)c->layers : 1, d = (size_t)c->dim;
	size_t f = (size_t)c->ffn, ld = a->drop ? L : 0;

	if (N <= a->capN && B <= a->capB && A <= a->capA)
		goto strides;
	N = N > a->capN ? N : a->capN;
	B = B > a->capB ? B : a->capB;
	A = A > a->capA ? A : a->capA;
	if (grow(&a->x, (L + 1) * N * d) || grow(&a->xm, L * N * d) ||
	    grow(&a->ln1, L * N * d) || grow(&a->ln2, L * N * d) ||
	    grow(&a->m1, L * N) || grow(&a->r1, L * N) ||
	    grow(&a->m2, L * N) || grow(&a->r2, L * N) ||
	    grow(&a->qkv, L * N * 3 * d) || grow(&a->att, L * A) ||
	    grow(&a->ao, L * N * d) || grow(&a->h1, L * N * f) ||
	    grow(&a->h2, L * N * f) || grow(&a->lnf, N * d) ||
	    grow(&a->mf, N) || grow(&a->rf, N) || grow(&a->pool, B * d) ||
	    grow(&a->logits, B * (size_t)c->nlabels) ||
	    grow(&a->tmp, N * (f > 3 * d ? f : 3 * d)) ||
	    grow(&a->d_emb, (a->drop ? N : 0) * d) ||
	    grow(&a->d_proj, ld * N * d) || grow(&a->d_fc2, ld * N * d) ||
	    grow(&a->d_pool, (a->drop ? B : 0) * d))
		return -1;
	a->capN = N;
	a->capB = B;
	a->capA = A;
strides:
	a->sN = a->keep ? a->capN : 0;
	a->sA = a->keep ? a->capA : 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Operations                                                         */

VEC_CLONES static void layernorm(float *out, float *mean, float *rstd, const float *in,
		      const float *g, const float *bias, size_t N, int d)
{
	for (size_t t = 0; t < N; t++) {
		const float *x = in + t * (size_t)d;
		float *y = out + t * (size_t)d;
		float m = 0, v = 0, r;

		for (int i = 0; i < d; i++)
			m += x[i];
		m /= (float)d;
		for (int i = 0; i < d; i++)
			v += (x[i] - m) * (x[i] - m);
		r = 1.0f / sqrtf(v / (float)d + ENC_LN_EPS);
		for (int i = 0; i < d; i++)
			y[i] = (x[i] - m) * r * g[i] + bias[i];
		mean[t] = m;
		rstd[t] = r;
	}
}

/* out[N, nout] = in[N, nin] W[nout, nin]^T + bias */
static void linear(float *out, const float *in, const float *W,
		   const float *bias, size_t N, int nin, int nout)
{
	for (size_t t = 0; t < N; t++)
		memcpy(out + t * (size_t)nout, bias, (size_t)nout * sizeof(float));
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, nout, nin,
		    1.0f, in, nin, W, nin, 1.0f, out, nout);
}

/* GELU, erf form (nn.GELU's default), with erf from Abramowitz & Stegun
 * 7.1.26 (absolute error below 1.5e-7, under float rounding of the
 * result at the sizes activations have). */
VEC_CLONES static void gelu_rows(float *y, const float *x, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		float v = x[k] * (float)M_SQRT1_2, a = fabsf(v), t, e;

		t = 1.0f / (1.0f + 0.3275911f * a);
		e = 1.0f - t * (0.254829592f + t * (-0.284496736f + t *
		    (1.421413741f + t * (-1.453152027f + t * 1.061405429f)))) *
		    enc_expf(-v * v);
		y[k] = 0.5f * x[k] * (1.0f + copysignf(e, v));
	}
}

VEC_CLONES static void softmax_rows(float *S, int rows, int cols)
{
	for (int i = 0; i < rows; i++) {
		float *r = S + (size_t)i * (size_t)cols, mx = r[0], sum = 0;

		for (int j = 1; j < cols; j++)
			mx = r[j] > mx ? r[j] : mx;
		for (int j = 0; j < cols; j++)
			r[j] = enc_expf(r[j] - mx);
		for (int j = 0; j < cols; j++)
			sum += r[j];
		sum = 1.0f / sum;
		for (int j = 0; j < cols; j++)
			r[j] *= sum;
	}
}

/* Self-attention of every sequence: ao[N, dim] from qkv[N, 3 dim]; the
 * scores of sequence s, head h go to att (kept for backward). */
static void attention(const struct enc_config *c, const struct enc_batch *b,
		      const float *qkv, float *att, float *ao)
{
	int d = c->dim, hd = d / c->heads;
	float scale = 1.0f / sqrtf((float)hd);
	size_t off = 0;

	for (size_t s = 0; s < b->B; s++) {
		int T = b->len[s];

		for (int h = 0; h < c->heads; h++) {
			const float *q = qkv + off * 3 * (size_t)d +
					 (size_t)h * (size_t)hd;

			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
				    T, T, hd, scale, q, 3 * d, q + d, 3 * d,
				    0.0f, att, T);
			softmax_rows(att, T, T);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    T, hd, T, 1.0f, att, T, q + 2 * d, 3 * d,
				    0.0f, ao + off * (size_t)d +
				    (size_t)h * (size_t)hd, d);
			att += (size_t)T * (size_t)T;
		}
		off += (size_t)T;
	}
}

/* Masks of 0 or 1/(1-p); sequence s draws from its own stream so the
 * masks are the same however the batch is split between threads. */
static void dropout_masks(float *mask, const struct enc_batch *b, int d,
			  int per_token, float p, uint64_t seed)
{
	float keep = 1.0f / (1.0f - p);
	size_t off = 0;

	for (size_t s = 0; s < b->B; s++) {
		uint64_t r = seed ^ (0x632be59bd9b4e019ull * (s + 1));
		size_t n = per_token ? (size_t)b->len[s] : 1;

		for (size_t i = 0; i < n * (size_t)d; i++)
			mask[off * (size_t)d + i] =
				enc_rng_unit(&r) < p ? 0.0f : keep;
		off += n;
	}
}

/* x_out = x_in + (y + bias... already in y) * mask; aliasing-safe. */
VEC_CLONES static void residual(float *out, const float *in, const float *y,
		     const float *mask, size_t n)
{
	if (mask)
		for (size_t i = 0; i < n; i++)
			out[i] = in[i] + y[i] * mask[i];
	else
		for (size_t i = 0; i < n; i++)
			out[i] = in[i] + y[i];
}

static void embed(const struct enc_config *c, const struct enc_weights *w,
		  const struct enc_batch *b, float *x, const float *mask)
{
	size_t d = (size_t)c->dim, t = 0;

	for (size_t s = 0; s < b->B; s++)
		for (int i = 0; i < b->len[s]; i++, t++) {
			const float *te = w->tok_emb + b->ids[t] * d;
			const float *pe = w->pos_emb + (size_t)i * d;
			float *y = x + t * d;

			for (size_t k = 0; k < d; k++)
				y[k] = te[k] + pe[k];
			if (mask)
				for (size_t k = 0; k < d; k++)
					y[k] *= mask[t * d + k];
		}
}

static void block(const struct enc_config *c, const struct enc_layer *L,
		  struct enc_acts *a, const struct enc_batch *b, int l,
		  const float *x, float *xout)
{
	size_t N = b->N, d = (size_t)c->dim, f = (size_t)c->ffn;
	size_t o = (size_t)l * a->sN;
	float *xm = a->xm + o * d, *ln1 = a->ln1 + o * d, *ln2 = a->ln2 + o * d;
	float *qkv = a->qkv + o * 3 * d, *ao = a->ao + o * d;
	float *h1 = a->h1 + o * f, *h2 = a->h2 + o * f;
	float *dp = a->drop ? a->d_proj + o * d : NULL;
	float *df = a->drop ? a->d_fc2 + o * d : NULL;

	layernorm(ln1, a->m1 + o, a->r1 + o, x, L->ln1_g, L->ln1_b, N, c->dim);
	linear(qkv, ln1, L->qkv_w, L->qkv_b, N, c->dim, 3 * c->dim);
	attention(c, b, qkv, a->att + (size_t)l * a->sA, ao);
	linear(a->tmp, ao, L->proj_w, L->proj_b, N, c->dim, c->dim);
	residual(xm, x, a->tmp, dp, N * d);
	layernorm(ln2, a->m2 + o, a->r2 + o, xm, L->ln2_g, L->ln2_b, N, c->dim);
	linear(h1, ln2, L->fc1_w, L->fc1_b, N, c->dim, c->ffn);
	gelu_rows(h2, h1, N * f);
	linear(a->tmp, h2, L->fc2_w, L->fc2_b, N, c->ffn, c->dim);
	residual(xout, xm, a->tmp, df, N * d);
}

void enc_forward(const struct enc_config *c, const struct enc_weights *w,
		 struct enc_acts *a, const struct enc_batch *b, float p,
		 uint64_t rng_seed)
{
	size_t d = (size_t)c->dim, L = (size_t)c->layers, t = 0;
	int drop = a->drop && p > 0;
	float *x;

	if (drop) {
		dropout_masks(a->d_emb, b, c->dim, 1, p, rng_seed);
		for (size_t l = 0; l < L; l++) {
			dropout_masks(a->d_proj + l * a->sN * d, b, c->dim, 1,
				      p, rng_seed + 2 * l + 1);
			dropout_masks(a->d_fc2 + l * a->sN * d, b, c->dim, 1,
				      p, rng_seed + 2 * l + 2);
		}
		dropout_masks(a->d_pool, b, c->dim, 0, p, rng_seed + 2 * L + 1);
	} else if (a->drop) {
		/* A training-mode forward without dropout: masks of ones so
		 * that backward need not know. */
		for (size_t i = 0; i < b->N * d; i++)
			a->d_emb[i] = 1.0f;
		for (size_t l = 0; l < L; l++)
			for (size_t i = 0; i < b->N * d; i++)
				a->d_proj[l * a->sN * d + i] =
					a->d_fc2[l * a->sN * d + i] = 1.0f;
		for (size_t i = 0; i < b->B * d; i++)
			a->d_pool[i] = 1.0f;
	}
	embed(c, w, b, a->x, a->drop ? a->d_emb : NULL);
	for (size_t l = 0; l < L; l++)
		block(c, &w->layer[l], a, b, (int)l, a->x + l * a->sN * d,
		      a->x + (l + 1) * a->sN * d);
	/* Without keep every layer reads and writes x[0]: residual() is
	 * element-wise, so the aliasing is safe. */
	x = a->x + L * a->sN * d;
	layernorm(a->lnf, a->mf, a->rf, x, w->lnf_g, w->lnf_b, b->N, c->dim);
	for (size_t s = 0; s < b->B; s++) {
		float *pl = a->pool + s * d;
		int T = b->len[s];

		memset(pl, 0, d * sizeof(float));
		for (int i = 0; i < T; i++, t++)
			for (size_t k = 0; k < d; k++)
				pl[k] += a->lnf[t * d + k];
		for (size_t k = 0; k < d; k++)
			pl[k] /= (float)T;
		if (a->drop)
			for (size_t k = 0; k < d; k++)
				pl[k] *= a->d_pool[s * d + k];
	}
	linear(a->logits, a->pool, w->head_w, w->head_b, b->B, c->dim,
	       c->nlabels);
}

/* ------------------------------------------------------------------ */
/* Threads                                                            */

struct par_arg {
	void (*fn)(void *ctx, int i);
	void *ctx;
	int i;
};

static void *par_main(void *p)
{
	struct par_arg *a = p;

	a->fn(a->ctx, a->i);
	return NULL;
}

int enc_parallel(int n, void (*fn)(void *ctx, int i), void *ctx)
{
	pthread_t th[64];
	struct par_arg arg[64];
	int started[64] = { 0 }, rc = 0;

	if (n > 64)
		n = 64;
	for (int i = 1; i < n; i++) {
		arg[i] = (struct par_arg){ fn, ctx, i };
		started[i] = !pthread_create(&th[i], NULL, par_main, &arg[i]);
		if (!started[i])
			rc = -1;
	}
	fn(ctx, 0);
	for (int i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn(ctx, i);
	}
	return rc;
}
