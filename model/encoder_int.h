/*
 * encoder_int.h: private structures of the encoder classifier, shared by
 * model/encoder.c (file, open, score), encoder_fwd.c (forward pass),
 * encoder_grad.c (backward pass), encoder_train.c and the test suites.
 *
 * Weights are a struct of float pointers (struct enc_weights), bound
 * either into the mapped file / converted copies (inference) or into one
 * contiguous array (training: parameters, gradients and AdamW moments are
 * all the same layout, so the optimizer is one loop).
 *
 * A batch is packed: the B sequences' tokens back to back (N in all), no
 * padding.  Every position-wise operation (LayerNorm, the linear layers,
 * GELU) is one matrix over the N rows; attention runs per sequence and
 * head over its own T x T scores, which is what a padded batch with a key
 * padding mask computes for its real positions, without the pad work.
 */
#ifndef SL_ENCODER_INT_H
#define SL_ENCODER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "encoder.h"

struct bpe;
struct safetensors;
struct sl_err;

/* Sanity bounds on a model file's config (a hostile file cannot make us
 * allocate without bound or overflow a size computation). */
#define ENC_MAX_VOCAB	(1 << 21)
#define ENC_MAX_DIM	4096
#define ENC_MAX_LAYERS	64
#define ENC_MAX_FFN	16384
#define ENC_MAX_LEN	4096
#define ENC_MAX_LABELS	1024
#define ENC_LN_EPS	1e-5f	/* PyTorch's nn.LayerNorm default */

struct enc_config {
	int vocab, dim, layers, heads, ffn, max_len, nlabels, pool;
};

struct enc_layer {
	float *ln1_g, *ln1_b;	/* [dim] */
	float *qkv_w;		/* [3 * dim, dim]: rows q, then k, then v */
	float *qkv_b;		/* [3 * dim] */
	float *proj_w;		/* [dim, dim] */
	float *proj_b;		/* [dim] */
	float *ln2_g, *ln2_b;	/* [dim] */
	float *fc1_w;		/* [ffn, dim] */
	float *fc1_b;		/* [ffn] */
	float *fc2_w;		/* [dim, ffn] */
	float *fc2_b;		/* [dim] */
};

struct enc_weights {
	float *tok_emb;		/* [vocab, dim] */
	float *pos_emb;		/* [max_len, dim] */
	struct enc_layer *layer;	/* [layers] */
	float *lnf_g, *lnf_b;	/* [dim] */
	float *head_w;		/* [nlabels, dim] */
	float *head_b;		/* [nlabels] */
};

/* The tensors in canonical order.  Fills name (< 64 bytes), shape and
 * ndim of tensor i and returns where its pointer lives in w (w's layer
 * array must be allocated), or NULL when i is past the last. */
float **enc_tensor(const struct enc_config *c, struct enc_weights *w,
		   size_t i, char name[64], uint64_t shape[2], size_t *ndim);
size_t enc_ntensors(const struct enc_config *c);
/* Total parameter count. */
size_t enc_nparams(const struct enc_config *c);
/* Allocate w->layer; 0 or -1 when out of memory. */
int enc_weights_alloc(struct enc_weights *w, const struct enc_config *c);
void enc_weights_release(struct enc_weights *w);
/* Point every tensor of w into base[enc_nparams()], in canonical order. */
void enc_weights_bind(struct enc_weights *w, const struct enc_config *c,
		      float *base);
/* Check a config's bounds; 0 or -1 with err. */
int enc_config_check(const struct enc_config *c, struct sl_err *err);

/* A packed batch. */
struct enc_batch {
	const uint32_t *ids;	/* [N] token ids, each < vocab */
	const int *len;		/* [B] sequence lengths, 1..max_len */
	size_t B, N;
};

/* Activations of one forward pass (and what backward needs).  With keep
 * (training) every layer has its own arrays; without, the layers share
 * one set.  Dropout masks hold 0 or 1 / (1 - p) and exist only when
 * training with p > 0. */
struct enc_acts {
	int keep, drop;
	size_t capN, capB, capA;	/* capacities: tokens, sequences,
					   attention scores per layer */
	size_t sN, sA;			/* per-layer strides (0 without keep) */
	float *x;		/* [layers + 1][N, dim] block inputs; x[L] final */
	float *xm;		/* [layers][N, dim] after the attention residual */
	float *ln1, *ln2;	/* [layers][N, dim] LayerNorm outputs */
	float *m1, *r1, *m2, *r2;	/* [layers][N] their mean and 1/std */
	float *qkv;		/* [layers][N, 3 dim] */
	float *att;		/* [layers][sum_s heads T_s^2] softmax scores */
	float *ao;		/* [layers][N, dim] attention output */
	float *h1;		/* [layers][N, ffn] fc1 output (pre-GELU) */
	float *h2;		/* [layers][N, ffn] GELU output */
	float *lnf, *mf, *rf;	/* [N, dim], [N], [N] final LayerNorm */
	float *pool;		/* [B, dim] mean over tokens (after dropout) */
	float *logits;		/* [B, nlabels] */
	float *tmp;		/* [N, dim] scratch */
	float *d_emb, *d_proj, *d_fc2;	/* dropout masks [N, dim] (per layer
					   for the last two) */
	float *d_pool;		/* [B, dim] */
};

void enc_acts_init(struct enc_acts *a, int keep, int drop);
void enc_acts_release(struct enc_acts *a);
/* Make room for a batch of B sequences, N tokens; 0 or -1 (no memory). */
int enc_acts_reserve(struct enc_acts *a, const struct enc_config *c,
		     const struct enc_batch *b);

/* Forward pass: a->logits[B, nlabels].  p is the dropout rate (0 when
 * scoring), rng_seed seeds the masks (sequence i uses a stream of its
 * own derived from rng_seed + i, so the masks do not depend on how a
 * batch is cut between threads). */
void enc_forward(const struct enc_config *c, const struct enc_weights *w,
		 struct enc_acts *a, const struct enc_batch *b, float p,
		 uint64_t rng_seed);

/* Backward pass of the forward just run on a: add the gradient of the
 * loss into g (same layout as w) given dlogits[B, nlabels] (the loss's
 * gradient with respect to the logits). */
struct enc_grad_scratch {
	float *dx, *dt, *dbig, *dln, *datt, *dpool;
	size_t capN, capB, capT;
};
void enc_grad_scratch_init(struct enc_grad_scratch *s);
void enc_grad_scratch_release(struct enc_grad_scratch *s);
int enc_backward(const struct enc_config *c, const struct enc_weights *w,
		 struct enc_weights *g, struct enc_acts *a,
		 const struct enc_batch *b, const float *dlogits,
		 struct enc_grad_scratch *s);

/* Run fn(ctx, i) for i in 0..n-1, each on its own thread (i = 0 on the
 * caller's); 0, or -1 when a thread could not be started (the work is
 * then done on the caller's thread, so the result is the same). */
int enc_parallel(int n, void (*fn)(void *ctx, int i), void *ctx);

/* splitmix64: the seeded generator of initialization, shuffling and
 * dropout. */
static inline uint64_t enc_rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* exp(x) for x <= 88 (smaller than -87 gives exp(-87)), relative error
 * about 2e-7: round x / ln 2 to n with the 1.5 * 2^23 trick, a degree-6
 * polynomial on the remainder (|r| <= ln 2 / 2), times 2^n built in the
 * exponent bits.  No branch, no call: loops over it vectorize (in files
 * compiled with the pragma at the top of encoder_fwd.c). */
static inline float enc_expf(float x)
{
	float t, n, r, p, s;
	uint32_t bits;

	x = x < -87.0f ? -87.0f : x;
	t = x * 1.44269504f + 12582912.0f;
	n = t - 12582912.0f;
	r = x - n * 0.693145752f - n * 1.42860677e-06f;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r *
	    (0.0416666679f + r * (0.00833333377f + r * 0.00138888892f)))));
	bits = (uint32_t)((int32_t)n + 127) << 23;
	memcpy(&s, &bits, sizeof(s));
	return p * s;
}

static inline float enc_rng_unit(uint64_t *s)	/* [0, 1) */
{
	return (float)(enc_rng(s) >> 40) * (1.0f / 16777216.0f);
}

struct encoder {
	struct enc_config cfg;
	struct enc_weights w;
	struct safetensors *st;
	float *owned;		/* converted tensors (F16/BF16/unaligned) */
	char **labels;
	struct bpe *tok;
	int threads;
	struct enc_acts *acts;	/* [threads] */
	struct bpe_scratch **scratch;	/* [threads] */
};

/* encoder_open() on a validated file (from safetensors_open() or
 * safetensors_parse_mem()), which the model then owns, even on failure;
 * path is used in messages. */
int enc_open_st(struct encoder **out, struct safetensors *st,
		const char *path, int threads, struct sl_err *err);

/* Multiply the rows of w[shape] (an I8 matrix already converted to
 * floats) by the tensor "<name>.scale" of st (encoder_quant.c). */
int enc_dequant_rows(const struct safetensors *st, const char *name,
		     float *w, const uint64_t shape[2], struct sl_err *err);

/* Tokenize text as the model does (ids appended to out as uint32). */
struct ids;
struct bpe_scratch;
int enc_tokenize(const struct encoder *m, struct bpe_scratch *s,
		 const char *text, size_t len, struct ids *out,
		 struct sl_err *err);

/* Score token windows: per text, its ids and length; probs[n, nlabels]
 * pooled over windows of max_len.  Used by encoder_score() and by
 * training's dev evaluation. */
/* acts: threads entries made with enc_acts_init(a, 0, 0), reused from
 * call to call (the caller releases them). */
int enc_score_ids(const struct enc_config *c, const struct enc_weights *w,
		  int threads, struct enc_acts *acts,
		  const uint32_t *const *ids, const size_t *nids, size_t n,
		  float *probs, struct sl_err *err);

#endif
