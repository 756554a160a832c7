/*
 * encoder_train.c: train the encoder classifier (see encoder.h).
 *
 *   1. a byte-level BPE tokenizer is trained on the training texts
 *      (model/bpe_train, cl100k's pre-split regex: a run of Chinese
 *      characters is one piece, cut every 64 bytes, whose merges become
 *      words and common character pairs);
 *   2. every text is tokenized once; training sees the first max_len
 *      tokens of each (the dev set is scored as encoder_score() does, over
 *      windows);
 *   3. mini-batches in a seeded shuffled order; each of `threads` workers
 *      runs forward and backward on a contiguous slice of the batch into
 *      its own gradient buffer, and the buffers are summed in worker
 *      order, so a given seed and thread count give the same model;
 *   4. AdamW (decay on matrices, not on biases or LayerNorm), linear
 *      warmup then cosine or linear decay to zero, dropout, class weights
 *      n / (C n_c) ("balanced") when asked;
 *   5. after each epoch the dev set is scored; the parameters of the best
 *      macro-F1 are kept and training stops after `patience` epochs
 *      without improvement;
 *   6. the kept parameters are written as F32 safetensors with the
 *      config, labels and tokenizer in the metadata (layout: encoder.c).
 */
/* Vectorize the optimizer's loops, as encoder_fwd.c does. */
#if defined(__GNUC__) && !defined(__clang__)	/* clang has no such pragma */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", \
		     "no-trapping-math", "no-math-errno")
#endif

#include <cblas.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpe.h"
#include "bpe_train.h"
#include "dataset.h"
#include "encoder_int.h"
#include "ids.h"
#include "safetensors.h"
#include "../lib/buf.h"
#include "../lib/err.h"
#include "../lib/banned.h"

void encoder_train_defaults(struct encoder_train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->vocab = 8000;
	o->dim = 128;
	o->layers = 2;
	o->heads = 4;
	o->ffn = 512;
	o->max_len = 128;
	/* Chosen on the toxicity sets (bench/RESULTS.md): the model fits
	 * the training set within 2-3 epochs, so regularize and stop early;
	 * balanced class weights cost precision on the rare class of the
	 * English set (test macro-F1 0.898 with them, 0.921 without; Chinese
	 * dev 0.898 with, 0.903 without). */
	o->epochs = 4;
	o->batch = 32;
	o->lr = 1e-3;
	o->warmup_frac = 0.05;
	o->weight_decay = 0.05;
	o->dropout = 0.2;
	o->schedule = ENC_COSINE;
	o->patience = 2;
	o->class_weight = 0;
	o->pool_windows = ENC_POOL_MAX;
	o->seed = 1;
	o->threads = 2;
	o->log = NULL;
}

/* ------------------------------------------------------------------ */
/* Tokenizer                                                          */

/* Train the tokenizer; its rank file and JSON text into ranks and json. */
static int train_tokenizer(const struct dataset *train, int vocab,
			   struct buf *ranks, struct buf *json,
			   struct sl_err *err)
{
	struct bpe_train_opts bo;
	struct bpe_train *tr = NULL;
	int rc = -1;

	bpe_train_opts_default(&bo);
	bo.vocab = (uint32_t)vocab;
	if (bpe_train_new(&tr, &bo, err))
		goto out;
	for (size_t i = 0; i < train->n; i++)
		if (bpe_train_add(tr, train->ex[i].text, train->ex[i].len, err))
			goto out;
	if (bpe_train_run(tr, err) || bpe_train_dump(tr, ranks, json, err))
		goto out;
	rc = 0;
out:
	bpe_train_free(tr);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Data                                                               */

struct tokset {
	struct ids *ids;	/* [n], all tokens of each text */
	int *label;
	size_t n;
};

static void tokset_release(struct tokset *t)
{
	for (size_t i = 0; t->ids && i < t->n; i++)
		ids_release(&t->ids[i]);
	free(t->ids);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

/* The index in train's class list of d's class q (loaded apart, a dev set
 * may list the classes in another order), or -1 when train lacks it. */
static int train_label(const struct dataset *train, const struct dataset *d,
		       int q)
{
	if (d == train)
		return q;
	for (size_t i = 0; i < train->nlabels; i++)
		if (q >= 0 && (size_t)q < d->nlabels &&
		    !strcmp(train->labels[i], d->labels[q]))
			return (int)i;
	return -1;
}

/* keep: ids kept per text (training reads only the first max_len; the
 * dev set is scored over all its windows). */
static int tokenize_all(const struct bpe *tok, const struct dataset *train,
			const struct dataset *d, size_t keep,
			struct tokset *t, struct sl_err *err)
{
	struct bpe_scratch *s = bpe_scratch_new();
	uint32_t eot = bpe_eot_id(tok);

	t->n = d ? d->n : 0;
	t->ids = calloc(t->n ? t->n : 1, sizeof(*t->ids));
	t->label = calloc(t->n ? t->n : 1, sizeof(*t->label));
	if (!s || !t->ids || !t->label) {
		bpe_scratch_free(s);
		return sl_error(err, "out of memory");
	}
	for (size_t i = 0; i < t->n; i++) {
		ids_init(&t->ids[i]);
		t->label[i] = train_label(train, d, d->ex[i].label);
		if (bpe_encode(tok, s, d->ex[i].text, d->ex[i].len, 0,
			       &t->ids[i], err)) {
			bpe_scratch_free(s);
			return -1;
		}
		/* As encoder_score(): an empty text is <|endoftext|>. */
		if (!t->ids[i].len && ids_push(&t->ids[i], eot)) {
			bpe_scratch_free(s);
			return sl_error(err, "out of memory");
		}
		if (t->ids[i].len > keep)
			t->ids[i].len = keep;
	}
	bpe_scratch_free(s);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parameters                                                         */

static float gauss(uint64_t *r)
{
	float u = enc_rng_unit(r), v = enc_rng_unit(r);

	return sqrtf(-2.0f * logf(u + 1e-12f)) * cosf(6.2831853f * v);
}

/* GPT-2's initialization: N(0, 0.02) weights, zero biases, unit gains. */
static void init_params(const struct enc_config *c, struct enc_weights *w,
			uint64_t seed)
{
	char name[64];
	uint64_t shape[2], r = seed * 0x2545f4914f6cdd1dull + 17;
	size_t ndim;
	float **slot;

	for (size_t i = 0; (slot = enc_tensor(c, w, i, name, shape, &ndim));
	     i++) {
		size_t n = shape[0] * (ndim == 2 ? shape[1] : 1);
		const char *dot = strrchr(name, '.');
		int gain = strstr(name, "ln") && !strcmp(dot, ".weight");

		for (size_t k = 0; k < n; k++)
			(*slot)[k] = ndim == 2 ? 0.02f * gauss(&r) :
				     gain ? 1.0f : 0.0f;
	}
}

/* Which parameters AdamW decays: the matrices. */
static int decay_mask(const struct enc_config *c, uint8_t *mask)
{
	struct enc_weights w;
	char name[64];
	uint64_t shape[2];
	size_t ndim, off = 0;

	if (enc_weights_alloc(&w, c))
		return -1;
	for (size_t i = 0; enc_tensor(c, &w, i, name, shape, &ndim); i++) {
		size_t n = shape[0] * (ndim == 2 ? shape[1] : 1);

		memset(mask + off, ndim == 2, n);
		off += n;
	}
	enc_weights_release(&w);
	return 0;
}

/* ------------------------------------------------------------------ */
/* One step                                                           */

struct worker {
	struct enc_acts acts;
	struct enc_grad_scratch gs;
	float *grad;
	struct enc_weights g;
	uint32_t *ids;
	int *len;
	size_t capN, capB;
	float *dlogits;
	double loss;		/* weighted, this worker's slice */
	int failed;
};

struct trainer {
	const struct encoder_train_opts *o;
	struct enc_config c;
	struct enc_weights w;
	float *param, *m, *v, *best;
	uint8_t *decay;
	size_t np;
	struct tokset tr, dev;
	float *cw;		/* class weights [nlabels] */
	struct worker *wk;
	int nw;
	/* the current batch */
	const size_t *bidx;
	size_t bn;
	double wsum;		/* sum of the batch's class weights */
	uint64_t step_seed;
	struct enc_acts *score_acts;
};

static int worker_batch(struct worker *k, const struct trainer *t,
			size_t lo, size_t hi, struct enc_batch *b)
{
	size_t N = 0, P = (size_t)t->c.max_len;

	for (size_t i = lo; i < hi; i++) {
		size_t n = t->tr.ids[t->bidx[i]].len;

		N += n < P ? n : P;
	}
	if (N > k->capN) {
		uint32_t *p = realloc(k->ids, N * sizeof(*p));

		if (!p)
			return -1;
		k->ids = p;
		k->capN = N;
	}
	if (hi - lo > k->capB) {
		int *p = realloc(k->len, (hi - lo) * sizeof(*p));
		float *q = realloc(k->dlogits, (hi - lo) *
				   (size_t)t->c.nlabels * sizeof(*q));

		if (p)
			k->len = p;
		if (q)
			k->dlogits = q;
		if (!p || !q)
			return -1;
		k->capB = hi - lo;
	}
	*b = (struct enc_batch){ k->ids, k->len, hi - lo, N };
	N = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct ids *x = &t->tr.ids[t->bidx[i]];
		size_t n = x->len < P ? x->len : P;

		memcpy(k->ids + N, x->v, n * sizeof(uint32_t));
		k->len[i - lo] = (int)n;
		N += n;
	}
	return 0;
}

static void step_worker(void *ctx, int i)
{
	struct trainer *t = ctx;
	struct worker *k = &t->wk[i];
	size_t lo = t->bn * (size_t)i / (size_t)t->nw;
	size_t hi = t->bn * (size_t)(i + 1) / (size_t)t->nw;
	size_t C = (size_t)t->c.nlabels;
	struct enc_batch b;

	memset(k->grad, 0, t->np * sizeof(float));
	k->loss = 0;
	if (lo == hi)
		return;
	if (worker_batch(k, t, lo, hi, &b) ||
	    enc_acts_reserve(&k->acts, &t->c, &b)) {
		k->failed = 1;
		return;
	}
	enc_forward(&t->c, &t->w, &k->acts, &b, (float)t->o->dropout,
		    t->step_seed + lo * 0x9e3779b97f4a7c15ull);
	/* weighted mean cross-entropy over the whole batch */
	for (size_t s = 0; s < b.B; s++) {
		const float *z = k->acts.logits + s * C;
		float *dz = k->dlogits + s * C, mx = z[0], sum = 0;
		int y = t->tr.label[t->bidx[lo + s]];
		float wy = t->cw[y] / (float)t->wsum;

		for (size_t q = 1; q < C; q++)
			mx = z[q] > mx ? z[q] : mx;
		for (size_t q = 0; q < C; q++)
			sum += expf(z[q] - mx);
		k->loss += (double)t->cw[y] * (log(sum) + mx - z[y]);
		for (size_t q = 0; q < C; q++)
			dz[q] = wy * (expf(z[q] - mx) / sum - (q == (size_t)y));
	}
	if (enc_backward(&t->c, &t->w, &k->g, &k->acts, &b, k->dlogits, &k->gs))
		k->failed = 1;
}

static double lr_at(const struct encoder_train_opts *o, size_t step,
		    size_t total)
{
	size_t warm = (size_t)(o->warmup_frac * (double)total);
	double p;

	if (step < warm)
		return o->lr * (double)(step + 1) / (double)warm;
	p = total > warm ? (double)(step - warm) / (double)(total - warm) : 1;
	if (o->schedule == ENC_LINEAR)
		return o->lr * (1.0 - p);
	return o->lr * 0.5 * (1.0 + cos(M_PI * p));
}

static void adamw(struct trainer *t, double lr, size_t step)
{
	const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
	double c1 = 1.0 - pow(b1, (double)(step + 1));
	double c2 = 1.0 - pow(b2, (double)(step + 1));
	float wd = (float)(lr * t->o->weight_decay);
	float a = (float)(lr / c1), ic2 = (float)(1.0 / c2);
	float *g = t->wk[0].grad;

	/* Worker gradients are summed in worker order: the same result for
	 * the same thread count. */
	for (int k = 1; k < t->nw; k++) {
		const float *gk = t->wk[k].grad;

		for (size_t i = 0; i < t->np; i++)
			g[i] += gk[i];
	}
	for (size_t i = 0; i < t->np; i++) {
		float m = t->m[i] = (float)b1 * t->m[i] + (float)(1 - b1) * g[i];
		float v = t->v[i] = (float)b2 * t->v[i] +
				    (float)(1 - b2) * g[i] * g[i];

		t->param[i] -= wd * t->decay[i] * t->param[i] +
				a * m / (sqrtf(v * ic2) + (float)eps);
	}
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                         */

struct metrics {
	double p, r, f1, macro_f1, auc, acc;
};

static int cmp_score(const void *a, const void *b)
{
	const float *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Mann-Whitney AUC of score for the positive class; ties count half. */
static double auc(const float *probs, const int *label, size_t n, int C,
		  int pos)
{
	float *s = malloc((n ? n : 1) * 2 * sizeof(float));
	double npos = 0, nneg = 0, rank_sum = 0;

	if (!s)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = probs[i * (size_t)C + (size_t)pos];
		s[2 * i + 1] = (float)(label[i] == pos);
	}
	qsort(s, n, 2 * sizeof(float), cmp_score);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double avg;

		while (j < n && s[2 * j] == s[2 * i])
			j++;
		avg = (double)(i + j + 1) / 2.0;	/* 1-based mean rank */
		for (size_t k = i; k < j; k++)
			if (s[2 * k + 1] > 0) {
				rank_sum += avg;
				npos++;
			} else {
				nneg++;
			}
		i = j;
	}
	free(s);
	if (!npos || !nneg)
		return NAN;
	return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
}

static void evaluate(const float *probs, const int *label, size_t n, int C,
		     int pos, struct metrics *mt)
{
	double f1sum = 0, correct = 0;

	memset(mt, 0, sizeof(*mt));
	for (size_t i = 0; i < n; i++) {
		int best = 0;

		for (int q = 1; q < C; q++)
			if (probs[i * (size_t)C + (size_t)q] >
			    probs[i * (size_t)C + (size_t)best])
				best = q;
		correct += best == label[i];
	}
	for (int q = 0; q < C; q++) {
		double tp = 0, fp = 0, fn = 0, p, r, f;

		for (size_t i = 0; i < n; i++) {
			int best = 0;

			for (int z = 1; z < C; z++)
				if (probs[i * (size_t)C + (size_t)z] >
				    probs[i * (size_t)C + (size_t)best])
					best = z;
			tp += best == q && label[i] == q;
			fp += best == q && label[i] != q;
			fn += best != q && label[i] == q;
		}
		p = tp + fp > 0 ? tp / (tp + fp) : 0;
		r = tp + fn > 0 ? tp / (tp + fn) : 0;
		f = p + r > 0 ? 2 * p * r / (p + r) : 0;
		f1sum += f;
		if (q == pos) {
			mt->p = p;
			mt->r = r;
			mt->f1 = f;
		}
	}
	mt->macro_f1 = f1sum / C;
	mt->acc = n ? correct / (double)n : 0;
	mt->auc = C == 2 ? auc(probs, label, n, C, pos) : NAN;
}

static int eval_dev(struct trainer *t, struct metrics *mt, int pos,
		    struct sl_err *err)
{
	size_t n = t->dev.n, C = (size_t)t->c.nlabels;
	const uint32_t **ids = malloc((n ? n : 1) * sizeof(*ids));
	size_t *nids = malloc((n ? n : 1) * sizeof(*nids));
	float *probs = malloc((n ? n : 1) * C * sizeof(float));
	int rc = -1;

	if (!ids || !nids || !probs) {
		sl_error(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ids[i] = t->dev.ids[i].v;
		nids[i] = t->dev.ids[i].len;
	}
	if (enc_score_ids(&t->c, &t->w, t->nw, t->score_acts, ids, nids, n,
			  probs, err))
		goto out;
	evaluate(probs, t->dev.label, n, t->c.nlabels, pos, mt);
	rc = 0;
out:
	free(ids);
	free(nids);
	free(probs);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Output                                                             */

static int write_model(struct trainer *t, const struct dataset *train,
		       const float *params, const struct buf *ranks,
		       const struct buf *json, const char *path,
		       struct sl_err *err)
{
	struct st_writer wr;
	struct enc_weights w;
	char name[64], cfg[256];
	uint64_t shape[2];
	size_t ndim;
	float **slot;
	json_t *labels = json_array();
	char *ls = NULL;
	int rc = -1;

	safetensors_writer_init(&wr);
	if (enc_weights_alloc(&w, &t->c) || !labels) {
		sl_error(err, "out of memory");
		goto out;
	}
	enc_weights_bind(&w, &t->c, (float *)(uintptr_t)params);
	for (size_t i = 0; (slot = enc_tensor(&t->c, &w, i, name, shape,
					      &ndim)); i++)
		if (safetensors_writer_add(&wr, name, ST_F32, shape, ndim, *slot,
					   shape[0] * (ndim == 2 ? shape[1] : 1)
					   * sizeof(float), err))
			goto out;
	for (size_t i = 0; i < train->nlabels; i++)
		json_array_append_new(labels, json_string(train->labels[i]));
	ls = json_dumps(labels, JSON_COMPACT);
	snprintf(cfg, sizeof(cfg), "{\"vocab\":%d,\"dim\":%d,\"layers\":%d,"
		 "\"heads\":%d,\"ffn\":%d,\"max_len\":%d,\"pool\":\"%s\"}",
		 t->c.vocab, t->c.dim, t->c.layers, t->c.heads, t->c.ffn,
		 t->c.max_len, t->c.pool == ENC_POOL_MAX ? "max" : "mean");
	if (!ls) {
		sl_error(err, "out of memory");
		goto out;
	}
	if (safetensors_writer_meta(&wr, "arch", "encoder", err) ||
	    safetensors_writer_meta(&wr, "config", cfg, err) ||
	    safetensors_writer_meta(&wr, "labels", ls, err) ||
	    safetensors_writer_meta(&wr, "tokenizer", ranks->data, err) ||
	    safetensors_writer_meta(&wr, "tokenizer_json", json->data, err) ||
	    safetensors_writer_write(&wr, path, err))
		goto out;
	rc = 0;
out:
	free(ls);
	json_decref(labels);
	enc_weights_release(&w);
	safetensors_writer_release(&wr);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The loop                                                           */

static int check_opts(const struct encoder_train_opts *o,
		      const struct dataset *train, struct sl_err *err)
{
	if (!train || train->n == 0)
		return sl_error(err, "no training examples");
	if (train->nlabels < 2)
		return sl_error(err, "training needs at least 2 labels, got %zu",
				train->nlabels);
	if (o->vocab < 300 || o->vocab > ENC_MAX_VOCAB)
		return sl_error(err, "vocab %d out of range (300 to %d)",
				o->vocab, ENC_MAX_VOCAB);
	if (o->epochs < 1 || o->batch < 1)
		return sl_error(err, "epochs and batch must be positive");
	if (!(o->lr > 0) || o->dropout < 0 || o->dropout >= 1 ||
	    o->warmup_frac < 0 || o->warmup_frac > 1 || o->weight_decay < 0)
		return sl_error(err, "lr, dropout, warmup or weight decay out "
				"of range");
	return 0;
}

static void shuffle(size_t *idx, size_t n, uint64_t *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(enc_rng(r) % i), x = idx[i - 1];

		idx[i - 1] = idx[j];
		idx[j] = x;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int setup(struct trainer *t, const struct dataset *train,
		 struct sl_err *err)
{
	size_t *counts = calloc(train->nlabels, sizeof(*counts));

	t->np = enc_nparams(&t->c);
	t->param = calloc(t->np, sizeof(float));
	t->m = calloc(t->np, sizeof(float));
	t->v = calloc(t->np, sizeof(float));
	t->best = malloc(t->np * sizeof(float));
	t->decay = malloc(t->np);
	t->cw = malloc(train->nlabels * sizeof(float));
	t->wk = calloc((size_t)t->nw, sizeof(*t->wk));
	t->score_acts = calloc((size_t)t->nw, sizeof(*t->score_acts));
	if (!counts || !t->param || !t->m || !t->v || !t->best || !t->decay ||
	    !t->cw || !t->wk || !t->score_acts ||
	    enc_weights_alloc(&t->w, &t->c) || decay_mask(&t->c, t->decay)) {
		free(counts);
		return sl_error(err, "out of memory");
	}
	enc_weights_bind(&t->w, &t->c, t->param);
	init_params(&t->c, &t->w, t->o->seed);
	memcpy(t->best, t->param, t->np * sizeof(float));
	dataset_counts(train, counts);
	for (size_t q = 0; q < train->nlabels; q++)
		t->cw[q] = t->o->class_weight && counts[q] ?
			   (float)((double)train->n / ((double)train->nlabels *
						       (double)counts[q])) : 1.0f;
	free(counts);
	for (int i = 0; i < t->nw; i++) {
		struct worker *k = &t->wk[i];

		enc_acts_init(&k->acts, 1, 1);
		enc_acts_init(&t->score_acts[i], 0, 0);
		enc_grad_scratch_init(&k->gs);
		k->grad = malloc(t->np * sizeof(float));
		if (!k->grad || enc_weights_alloc(&k->g, &t->c))
			return sl_error(err, "out of memory");
		enc_weights_bind(&k->g, &t->c, k->grad);
	}
	return 0;
}

static void teardown(struct trainer *t)
{
	for (int i = 0; t->wk && i < t->nw; i++) {
		struct worker *k = &t->wk[i];

		enc_acts_release(&k->acts);
		enc_grad_scratch_release(&k->gs);
		enc_weights_release(&k->g);
		free(k->grad);
		free(k->ids);
		free(k->len);
		free(k->dlogits);
	}
	for (int i = 0; t->score_acts && i < t->nw; i++)
		enc_acts_release(&t->score_acts[i]);
	free(t->score_acts);
	free(t->wk);
	enc_weights_release(&t->w);
	free(t->param);
	free(t->m);
	free(t->v);
	free(t->best);
	free(t->decay);
	free(t->cw);
	tokset_release(&t->tr);
	tokset_release(&t->dev);
}

/* The class precision/recall/F1 are reported for: the rarest in train. */
static int positive_class(const struct dataset *train)
{
	size_t *counts = calloc(train->nlabels, sizeof(*counts));
	int pos = train->nlabels > 1 ? 1 : 0;

	if (!counts)
		return pos;
	dataset_counts(train, counts);
	for (size_t q = 0; q < train->nlabels; q++)
		if (counts[q] < counts[pos])
			pos = (int)q;
	free(counts);
	return pos;
}

static int run_epochs(struct trainer *t, const struct dataset *train,
		      struct sl_err *err)
{
	const struct encoder_train_opts *o = t->o;
	size_t n = t->tr.n, B = (size_t)o->batch;
	size_t per = (n + B - 1) / B, total = per * (size_t)o->epochs, step = 0;
	size_t *idx = malloc(n * sizeof(*idx));
	uint64_t r = o->seed ^ 0x5deece66dull;
	double best_f1 = -1;
	int since = 0, pos = positive_class(train), rc = -1;

	if (!idx)
		return sl_error(err, "out of memory");
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	for (int ep = 0; ep < o->epochs; ep++) {
		double t0 = now(), loss = 0, wtot = 0;
		struct metrics mt;

		shuffle(idx, n, &r);
		for (size_t b0 = 0; b0 < n; b0 += B, step++) {
			double lr = lr_at(o, step, total);

			t->bidx = idx + b0;
			t->bn = n - b0 < B ? n - b0 : B;
			t->wsum = 0;
			for (size_t i = 0; i < t->bn; i++)
				t->wsum += t->cw[t->tr.label[t->bidx[i]]];
			t->step_seed = o->seed * 0x9e3779b97f4a7c15ull + step;
			enc_parallel(t->nw, step_worker, t);
			for (int k = 0; k < t->nw; k++) {
				if (t->wk[k].failed) {
					sl_error(err, "out of memory");
					goto out;
				}
				loss += t->wk[k].loss;
			}
			wtot += t->wsum;
			adamw(t, lr, step);
		}
		if (t->dev.n) {
			if (eval_dev(t, &mt, pos, err))
				goto out;
		} else {
			memset(&mt, 0, sizeof(mt));
		}
		if (o->log) {
			fprintf(o->log, "epoch %d/%d loss %.4f", ep + 1,
				o->epochs, loss / wtot);
			if (t->dev.n)
				fprintf(o->log, " dev acc %.4f P %.4f R %.4f "
					"F1 %.4f macro-F1 %.4f", mt.acc, mt.p,
					mt.r, mt.f1, mt.macro_f1);
			if (t->dev.n && t->c.nlabels == 2)
				fprintf(o->log, " AUC %.4f", mt.auc);
			fprintf(o->log, " (%s positive, %.1f s)\n",
				train->labels[pos], now() - t0);
			fflush(o->log);
		}
		if (!t->dev.n || mt.macro_f1 > best_f1) {
			best_f1 = mt.macro_f1;
			memcpy(t->best, t->param, t->np * sizeof(float));
			since = 0;
		} else if (o->patience > 0 && ++since >= o->patience) {
			if (o->log)
				fprintf(o->log, "early stop: no better dev "
					"macro-F1 than %.4f for %d epochs\n",
					best_f1, since);
			break;
		}
	}
	rc = 0;
out:
	free(idx);
	return rc;
}

int encoder_train(const struct dataset *train, const struct dataset *dev,
		  const struct encoder_train_opts *o, const char *out_path,
		  struct sl_err *err)
{
	struct trainer t;
	struct buf ranks, json;
	struct bpe *tok = NULL;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	buf_init(&ranks, 64u << 20);
	buf_init(&json, 1u << 20);
	if (check_opts(o, train, err))
		goto out;
	t.o = o;
	t.nw = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
	t.c = (struct enc_config){ 0, o->dim, o->layers, o->heads, o->ffn,
				   o->max_len, (int)train->nlabels,
				   o->pool_windows };
	openblas_set_num_threads(1);
	if (train_tokenizer(train, o->vocab, &ranks, &json, err) ||
	    bpe_open_mem(&tok, out_path, ranks.data, ranks.len, json.data,
			 json.len, err))
		goto out;
	t.c.vocab = (int)bpe_vocab_size(tok);
	if (enc_config_check(&t.c, err) ||
	    tokenize_all(tok, train, train, (size_t)t.c.max_len, &t.tr, err) ||
	    tokenize_all(tok, train, dev, SIZE_MAX, &t.dev, err) ||
	    setup(&t, train, err))
		goto out;
	if (o->log)
		fprintf(o->log, "encoder: %zu train, %zu dev texts, vocab %d, "
			"%zu parameters, %d threads\n", t.tr.n, t.dev.n,
			t.c.vocab, t.np, t.nw);
	if (run_epochs(&t, train, err) ||
	    write_model(&t, train, t.best, &ranks, &json, out_path, err))
		goto out;
	rc = 0;
out:
	teardown(&t);
	bpe_close(tok);
	buf_release(&ranks);
	buf_release(&json);
	return rc;
}
