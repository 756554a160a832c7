/*
 * encoder.h: a small Transformer encoder text classifier, trained and run
 * in C (issue #5).
 *
 * A model is one safetensors file: the weights (F32, or F16/BF16 which are
 * converted at open) and, in __metadata__, "arch" = "encoder", "config"
 * (JSON: vocab, dim, layers, heads, ffn, max_len, pool), "labels" (a JSON
 * array of class names, index = output unit) and "tokenizer" (the byte-
 * level BPE ranks, base64 lines as a .tiktoken file, trained on the
 * training texts with model/bpe_train).  The tensor layout is written at the
 * top of model/encoder.c.
 *
 * Architecture: token + learned position embeddings, N pre-LayerNorm blocks
 * (multi-head self-attention with a padding mask, GELU (erf) MLP), a final
 * LayerNorm, mean pooling over the non-pad tokens, a linear head, softmax.
 * Texts longer than max_len tokens are scored over consecutive windows of
 * max_len tokens and the window probabilities pooled (max or mean, stored
 * in the model).
 *
 *   struct encoder_train_opts o;
 *   encoder_train_defaults(&o);  o.epochs = 5;
 *   if (encoder_train(&train, &dev, &o, "model.safetensors", &err)) ...
 *
 *   struct encoder *m;
 *   if (encoder_open(&m, "model.safetensors", 2, &err)) ...
 *   float *p = malloc(n * encoder_nlabels(m) * sizeof *p);
 *   if (encoder_score(m, texts, lens, n, p, &err)) ...
 *   encoder_close(m);
 *
 * Threads: encoder_score() uses the model's own pool of `threads` workers;
 * one struct encoder must not be used by two threads at once (open one per
 * thread, or serialize).  Training is deterministic for a given seed and
 * thread count.  A hostile model file is an error at open, never a crash:
 * every tensor's shape is checked against the config before use.
 */
#ifndef SL_ENCODER_H
#define SL_ENCODER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sl_err;
struct dataset;
struct encoder;

enum { ENC_COSINE = 0, ENC_LINEAR = 1 };	/* lr decay after warmup */
enum { ENC_POOL_MAX = 0, ENC_POOL_MEAN = 1 };	/* over windows */

struct encoder_train_opts {
	int vocab, dim, layers, heads, ffn, max_len;	/* architecture; vocab =
							   BPE vocab to train */
	int epochs, batch;
	double lr, warmup_frac, weight_decay, dropout;
	int schedule;		/* ENC_COSINE or ENC_LINEAR */
	int patience;		/* early stopping on dev macro-F1 (epochs
				   without improvement; 0 = never stop) */
	int class_weight;	/* weight classes inversely to frequency */
	int pool_windows;	/* ENC_POOL_MAX or ENC_POOL_MEAN */
	uint64_t seed;
	int threads;
	FILE *log;		/* per-epoch lines: loss, dev P/R/F1/AUC;
				   NULL = quiet */
};

void encoder_train_defaults(struct encoder_train_opts *o);

/* Train a BPE tokenizer on train's texts, then the model; write out_path
 * atomically (safetensors; __metadata__ holds arch "encoder", the config,
 * the labels as JSON, the tokenizer).  dev may be empty or NULL (then no
 * early stopping; the last epoch's weights are written); otherwise the
 * weights of the epoch with the best dev macro-F1 are written. */
int encoder_train(const struct dataset *train, const struct dataset *dev,
		  const struct encoder_train_opts *o, const char *out_path,
		  struct sl_err *err);

/* Map and validate a model file; threads >= 1 scoring workers. */
int encoder_open(struct encoder **out, const char *path, int threads,
		 struct sl_err *err);
size_t encoder_nlabels(const struct encoder *m);
/* The name of class i (< encoder_nlabels()); valid until encoder_close(). */
const char *encoder_label(const struct encoder *m, size_t i);

/* probs[n * nlabels]: softmax per text; long texts scored over max_len
 * windows, pooled (then renormalized to sum to 1). */
int encoder_score(struct encoder *m, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  struct sl_err *err);
void encoder_close(struct encoder *m);

/* Write a copy of model in_path with every matrix stored as I8 with one
 * F32 scale per row ("<name>.scale", the row's max |w| / 127; rounding
 * to nearest): about 4x smaller; converted back to F32 at open. */
int encoder_quantize(const char *in_path, const char *out_path,
		     struct sl_err *err);

#endif
