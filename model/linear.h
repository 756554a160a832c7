/*
 * linear.h: the cheap classifier: fastText's supervised model in C.
 *
 * A text's features are its hashed word n-grams (model/ngram.h: words,
 * CJK characters, their bigrams), each hashed into one of `buckets`
 * buckets.  Each bucket seen in training owns a row of `dim` floats; the
 * text's hidden vector is the mean of its features' rows (features whose
 * bucket has no row are skipped), and a linear layer plus softmax gives
 * one probability per class:
 *
 *   h = mean(emb[row(f)] for f in features)   emb:  [nrows, dim]
 *   p = softmax(W h + b)                       W:    [nlabels, dim], b: [nlabels]
 *
 * Training: SGD on the cross-entropy, the learning rate decaying linearly
 * to 0 over all epochs (fastText's schedule), examples shuffled each epoch
 * by a seeded generator, emb initialised uniform in +-1/dim and W, b at 0
 * (as fastText).  Single-threaded: the result depends only on the data
 * order, the options and the seed (Hogwild threads would make it depend
 * on timing; training takes seconds, scoring is what must be fast).
 *
 * Only buckets seen in training get a row, so the model stores a sparse
 * table (a row's bucket in "rows") rather than buckets x dim floats: 2^21
 * buckets cost nothing until used.
 *
 * File: safetensors with __metadata__ arch "linear", config
 * {"dim":64,"buckets":2097152,"ngrams":2,"char_ngrams":3} (char_ngrams
 * absent: equal to ngrams) and labels (a JSON array of the
 * class names, index = output unit); tensors emb F32 [nrows, dim], rows U32
 * [nrows] (distinct buckets), out.weight F32 [nlabels, dim], out.bias F32
 * [nlabels].  linear_open() checks all of it (shapes against the config,
 * buckets in range and distinct, every weight finite) before use.
 *
 *   struct linear_opts o;  linear_opts_default(&o);
 *   struct linear *m;
 *   if (linear_train(&m, &train, &o, &err)) ...
 *   if (linear_save(m, "m.safetensors", &err)) ...
 *   linear_free(m);
 *
 *   if (linear_open(&m, "m.safetensors", &err)) ...
 *   float p[linear_nlabels(m)];
 *   linear_score(m, text, len, p);      // any number of threads at once
 *   linear_free(m);
 */
#ifndef SL_LINEAR_H
#define SL_LINEAR_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;
struct dataset;
struct linear;

#define LINEAR_MAX_DIM 1024
#define LINEAR_MAX_LABELS 1024

struct linear_opts {
	int dim;		/* embedding size */
	uint32_t buckets;	/* hash buckets for the features */
	int ngrams;		/* longest word n-gram, 1..3 */
	int char_ngrams;	/* longest n-gram ending at a character
				   token (Han, kana, ...), 1..3 */
	int epochs;
	double lr;		/* starting learning rate */
	int class_weight;	/* weight examples inversely to their class's
				   frequency */
	uint64_t seed;
	/* called after each epoch with the mean training loss (may be NULL);
	 * the model can be scored from inside */
	void (*on_epoch)(void *arg, int epoch, double loss,
			 const struct linear *m);
	void *arg;
};

void linear_opts_default(struct linear_opts *o);

/* Train on d (at least one example, at least two classes). */
int linear_train(struct linear **out, const struct dataset *d,
		 const struct linear_opts *o, struct sl_err *err);

/* Write the model atomically (temp file, fsync, rename). */
int linear_save(const struct linear *m, const char *path, struct sl_err *err);

/* Map and validate a model file. */
int linear_open(struct linear **out, const char *path, struct sl_err *err);

/* The same from a file image in memory (borrowed: it must outlive *out);
 * name is used in messages. */
int linear_parse_mem(struct linear **out, const void *data, size_t size,
		     const char *name, struct sl_err *err);

void linear_free(struct linear *m);

size_t linear_nlabels(const struct linear *m);
/* Name of class i, valid until linear_free(). */
const char *linear_label(const struct linear *m, size_t i);
/* Rows in the table (distinct buckets seen in training). */
size_t linear_nrows(const struct linear *m);

/* probs[nlabels]: the softmax for one text.  Reads m only, allocates
 * nothing: safe from many threads at once. */
void linear_score(const struct linear *m, const char *text, size_t len,
		  float *probs);

#endif
