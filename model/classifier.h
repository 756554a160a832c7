/*
 * classifier.h: any sluice model file, opened by the "arch" of its
 * __metadata__ (linear: model/linear.h; encoder: model/encoder.h), scored
 * through one interface.  The CLI (train, classify) and the classify stage
 * use this, never an architecture directly.
 *
 *   struct classifier *c;
 *   if (classifier_open(&c, "m.safetensors", 1, &err)) ...
 *   float *p = malloc(n * classifier_nlabels(c) * sizeof *p);
 *   if (classifier_score(c, texts, lens, n, p, &err)) ...
 *   classifier_close(c);
 *
 * Threads: classifier_score() may be called from several threads at once.
 * A linear model is read-only while scoring; an encoder is not, so calls
 * on one encoder are serialized (it has its own pool of `threads`).
 */
#ifndef SL_CLASSIFIER_H
#define SL_CLASSIFIER_H

#include <stddef.h>

struct sl_err;
struct classifier;

#define CLASSIFIER_MAX_LABELS 1024

int classifier_open(struct classifier **out, const char *path, int threads,
		    struct sl_err *err);
void classifier_close(struct classifier *c);

/* "linear" or "encoder". */
const char *classifier_arch(const struct classifier *c);
size_t classifier_nlabels(const struct classifier *c);
const char *classifier_label(const struct classifier *c, size_t i);
/* Index of class name, or -1. */
int classifier_find(const struct classifier *c, const char *name);

/* probs[n * nlabels]: each text's class probabilities. */
int classifier_score(struct classifier *c, const char *const *texts,
		     const size_t *lens, size_t n, float *probs,
		     struct sl_err *err);

#endif
