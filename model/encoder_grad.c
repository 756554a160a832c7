/*
 * encoder_grad.c: the backward pass of encoder_fwd.c's forward pass.
 *
 * Gradients are added into g (bound like the weights), so a worker can
 * run several sub-batches into one gradient buffer.  The pass walks the
 * forward in reverse with dx, the gradient of the residual stream:
 *
 *   head:   dW += dlogits^T pool, dpool = dlogits W, * pool dropout mask
 *   pool:   dlnf[t] = dpool[s] / T_s;  ln_f backward -> dx
 *   block l (last first):
 *     MLP:  dy = dx * mask; fc2 backward; * GELU'(h1); fc1 backward;
 *           ln2 backward added to dx  (dx is now d xm)
 *     attn: dy = dx * mask; proj backward -> dao; per sequence and head
 *           dP = dao_h v_h^T, dv_h = P^T dao_h,
 *           dS = P * (dP - rowsum(dP * P)) / sqrt(hd),
 *           dq_h = dS k_h, dk_h = dS^T q_h;
 *           qkv backward; ln1 backward added to dx  (now d x)
 *   embeddings: dx * mask scattered into the token and position rows.
 * Linear y = x W^T + b: dx = dy W, dW += dy^T x, db += column sums of dy.
 */
/* Vectorize the element-wise loops, as encoder_fwd.c does. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", \
		     "no-trapping-math", "no-math-errno")

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "encoder_int.h"
#include "../lib/banned.h"

void enc_grad_scratch_init(struct enc_grad_scratch *s)
{
	memset(s, 0, sizeof(*s));
}

void enc_grad_scratch_release(struct enc_grad_scratch *s)
{
	free(s->dx);
	free(s->dt);
	free(s->dbig);
	free(s->dln);
	free(s->datt);
	free(s->dpool);
	enc_grad_scratch_init(s);
}

static int grow(float **p, size_t n)
{
	float *q = realloc(*p, (n ? n : 1) * sizeof(float));

	if (!q)
		return -1;
	*p = q;
	return 0;
}

static int scratch_reserve(struct enc_grad_scratch *s,
			   const struct enc_config *c,
			   const struct enc_batch *b)
{
	size_t d = (size_t)c->dim, f = (size_t)c->ffn;
	size_t big = f > 3 * d ? f : 3 * d, T = 0;

	for (size_t i = 0; i < b->B; i++)
		T = (size_t)b->len[i] > T ? (size_t)b->len[i] : T;
	if (b->N > s->capN) {
		if (grow(&s->dx, b->N * d) || grow(&s->dt, b->N * d) ||
		    grow(&s->dbig, b->N * big) || grow(&s->dln, b->N * d))
			return -1;
		s->capN = b->N;
	}
	if (b->B > s->capB) {
		if (grow(&s->dpool, b->B * d))
			return -1;
		s->capB = b->B;
	}
	if (T > s->capT) {
		if (grow(&s->datt, 2 * T * T))
			return -1;
		s->capT = T;
	}
	return 0;
}

/* y = x W^T + b over N rows: dx = dy W (when dx), dW += dy^T x, db += sum dy */
static void linear_back(float *dx, float *dW, float *db, const float *dy,
			const float *x, const float *W, size_t N, int nin,
			int nout)
{
	if (dx)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N,
			    nin, nout, 1.0f, dy, nout, W, nin, 0.0f, dx, nin);
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nout, nin, (int)N,
		    1.0f, dy, nout, x, nin, 1.0f, dW, nin);
	for (size_t t = 0; t < N; t++)
		for (int j = 0; j < nout; j++)
			db[j] += dy[t * (size_t)nout + (size_t)j];
}

/* LayerNorm backward; the input's gradient is ADDED to dx. */
static void layernorm_back(float *dx, float *dg, float *db, const float *dy,
			   const float *x, const float *mean,
			   const float *rstd, const float *g, size_t N, int d)
{
	for (size_t t = 0; t < N; t++) {
		const float *xi = x + t * (size_t)d, *dyi = dy + t * (size_t)d;
		float *dxi = dx + t * (size_t)d, m = mean[t], r = rstd[t];
		float s1 = 0, s2 = 0;

		for (int i = 0; i < d; i++) {
			float xh = (xi[i] - m) * r, dxh = dyi[i] * g[i];

			dg[i] += dyi[i] * xh;
			db[i] += dyi[i];
			s1 += dxh;
			s2 += dxh * xh;
		}
		s1 /= (float)d;
		s2 /= (float)d;
		for (int i = 0; i < d; i++) {
			float xh = (xi[i] - m) * r, dxh = dyi[i] * g[i];

			dxi[i] += r * (dxh - s1 - xh * s2);
		}
	}
}

/* dy *= GELU'(x) = Phi(x) + x phi(x), erf as in encoder_fwd.c. */
static void gelu_back(float *dy, const float *x, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		float v = x[k] * (float)M_SQRT1_2, a = fabsf(v), t, e, g;

		g = enc_expf(-v * v);
		t = 1.0f / (1.0f + 0.3275911f * a);
		e = 1.0f - t * (0.254829592f + t * (-0.284496736f + t *
		    (1.421413741f + t * (-1.453152027f + t * 1.061405429f)))) * g;
		dy[k] *= 0.5f * (1.0f + copysignf(e, v)) +
			 x[k] * g * 0.3989422804014327f;
	}
}

/* dao[N, d] -> dqkv[N, 3d] through the kept scores att. */
static void attention_back(const struct enc_config *c,
			   const struct enc_batch *b, const float *qkv,
			   const float *att, const float *dao, float *dqkv,
			   float *dP)
{
	int d = c->dim, hd = d / c->heads;
	float scale = 1.0f / sqrtf((float)hd);
	size_t off = 0;

	for (size_t s = 0; s < b->B; s++) {
		int T = b->len[s];

		for (int h = 0; h < c->heads; h++) {
			size_t col = (size_t)h * (size_t)hd;
			const float *q = qkv + off * 3 * (size_t)d + col;
			const float *dO = dao + off * (size_t)d + col;
			float *dq = dqkv + off * 3 * (size_t)d + col;

			/* dP = dO v^T; dv = P^T dO */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
				    T, T, hd, 1.0f, dO, d, q + 2 * d, 3 * d,
				    0.0f, dP, T);
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				    T, hd, T, 1.0f, att, T, dO, d, 0.0f,
				    dq + 2 * d, 3 * d);
			/* softmax backward, then the 1/sqrt(hd) */
			for (int i = 0; i < T; i++) {
				const float *p = att + (size_t)i * (size_t)T;
				float *r = dP + (size_t)i * (size_t)T, dot = 0;

				for (int j = 0; j < T; j++)
					dot += r[j] * p[j];
				for (int j = 0; j < T; j++)
					r[j] = p[j] * (r[j] - dot) * scale;
			}
			/* dq = dS k; dk = dS^T q */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
				    T, hd, T, 1.0f, dP, T, q + d, 3 * d, 0.0f,
				    dq, 3 * d);
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
				    T, hd, T, 1.0f, dP, T, q, 3 * d, 0.0f,
				    dq + d, 3 * d);
			att += (size_t)T * (size_t)T;
		}
		off += (size_t)T;
	}
}

static void block_back(const struct enc_config *c, const struct enc_layer *L,
		       struct enc_layer *G, struct enc_acts *a,
		       const struct enc_batch *b, int l,
		       struct enc_grad_scratch *s)
{
	size_t N = b->N, d = (size_t)c->dim, f = (size_t)c->ffn;
	size_t o = (size_t)l * a->sN;
	const float *x = a->x + o * d, *xm = a->xm + o * d;
	const float *h1 = a->h1 + o * f;
	const float *mp = a->d_proj + o * d, *mf = a->d_fc2 + o * d;
	float *dy = s->dt, *dbig = s->dbig, *dln = s->dln;

	/* MLP branch: xout = xm + mask * fc2(GELU(fc1(LN2(xm)))) */
	for (size_t i = 0; i < N * d; i++)
		dy[i] = s->dx[i] * mf[i];
	linear_back(dbig, G->fc2_w, G->fc2_b, dy, a->h2 + o * f, L->fc2_w, N,
		    c->ffn, c->dim);
	gelu_back(dbig, h1, N * f);
	linear_back(dln, G->fc1_w, G->fc1_b, dbig, a->ln2 + o * d, L->fc1_w,
		    N, c->dim, c->ffn);
	layernorm_back(s->dx, G->ln2_g, G->ln2_b, dln, xm, a->m2 + o,
		       a->r2 + o, L->ln2_g, N, c->dim);

	/* Attention branch: xm = x + mask * proj(attn(qkv(LN1(x)))) */
	for (size_t i = 0; i < N * d; i++)
		dy[i] = s->dx[i] * mp[i];
	linear_back(dln, G->proj_w, G->proj_b, dy, a->ao + o * d, L->proj_w,
		    N, c->dim, c->dim);
	attention_back(c, b, a->qkv + o * 3 * d, a->att + (size_t)l * a->sA,
		       dln, dbig, s->datt);
	linear_back(dln, G->qkv_w, G->qkv_b, dbig, a->ln1 + o * d, L->qkv_w,
		    N, c->dim, 3 * c->dim);
	layernorm_back(s->dx, G->ln1_g, G->ln1_b, dln, x, a->m1 + o,
		       a->r1 + o, L->ln1_g, N, c->dim);
}

int enc_backward(const struct enc_config *c, const struct enc_weights *w,
		 struct enc_weights *g, struct enc_acts *a,
		 const struct enc_batch *b, const float *dlogits,
		 struct enc_grad_scratch *s)
{
	size_t d = (size_t)c->dim, L = (size_t)c->layers, t = 0;

	if (!a->keep || !a->drop || scratch_reserve(s, c, b))
		return -1;
	/* head */
	linear_back(s->dpool, g->head_w, g->head_b, dlogits, a->pool,
		    w->head_w, b->B, c->dim, c->nlabels);
	for (size_t i = 0; i < b->B * d; i++)
		s->dpool[i] *= a->d_pool[i];
	/* mean pool */
	for (size_t q = 0; q < b->B; q++)
		for (int i = 0; i < b->len[q]; i++, t++)
			for (size_t k = 0; k < d; k++)
				s->dln[t * d + k] = s->dpool[q * d + k] /
						    (float)b->len[q];
	memset(s->dx, 0, b->N * d * sizeof(float));
	layernorm_back(s->dx, g->lnf_g, g->lnf_b, s->dln, a->x + L * a->sN * d,
		       a->mf, a->rf, w->lnf_g, b->N, c->dim);
	for (size_t l = L; l-- > 0;)
		block_back(c, &w->layer[l], &g->layer[l], a, b, (int)l, s);
	/* embeddings */
	t = 0;
	for (size_t q = 0; q < b->B; q++)
		for (int i = 0; i < b->len[q]; i++, t++) {
			float *te = g->tok_emb + b->ids[t] * d;
			float *pe = g->pos_emb + (size_t)i * d;

			for (size_t k = 0; k < d; k++) {
				float v = s->dx[t * d + k] * a->d_emb[t * d + k];

				te[k] += v;
				pe[k] += v;
			}
		}
	return 0;
}
