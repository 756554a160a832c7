/*
 * cascade.h: a cheap classifier in front of an expensive one.
 *
 * The cheap model (a linear model, thousands of times faster) scores every
 * text; when its probability of the target class is outside the band
 * [low, high] its answer stands, and only the texts inside the band (the
 * ones it is unsure about) are scored by the expensive model.  Without a
 * cheap model every text goes to the model.
 *
 * Both models must know the same classes (in any order); the result is
 * always in the model's class order.
 *
 *   struct cascade cs;
 *   if (cascade_init(&cs, model, cheap_or_NULL, "toxic", 0.1, 0.9, &err))
 *   cascade_score(&cs, texts, lens, n, probs, by, &err);
 *   cascade_release(&cs);       // the classifiers stay the caller's
 *
 * cascade_score() is cascade_cheap() then cascade_escalate(): a caller
 * with threads runs the cheap pass on slices in parallel and escalates
 * the whole batch in one call, which the encoder splits between its own
 * threads (one model call per slice would queue on its lock instead).
 */
#ifndef SL_CASCADE_H
#define SL_CASCADE_H

#include <stddef.h>

#include "classifier.h"

struct sl_err;

enum { BY_CHEAP = 0, BY_MODEL = 1 };

struct cascade {
	struct classifier *model, *cheap;	/* cheap may be NULL */
	int target;		/* the target class, in the model's order */
	int cheap_target;
	double low, high;
	size_t nlabels;		/* the model's */
	int map[CLASSIFIER_MAX_LABELS];	/* cheap class -> model class */
};

int cascade_init(struct cascade *cs, struct classifier *model,
		 struct classifier *cheap, const char *target, double low,
		 double high, struct sl_err *err);
void cascade_release(struct cascade *cs);

/* probs[n * nlabels] in the model's class order; by[n] says which model
 * answered (BY_CHEAP or BY_MODEL; may be NULL).  Texts the model scores
 * go to it in one call (the encoder works on whole batches). */
int cascade_score(const struct cascade *cs, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  unsigned char *by, struct sl_err *err);
/* The cheap pass: by[i] = BY_CHEAP with probs set where the cheap model
 * decides, BY_MODEL (probs untouched) where the model must score.
 * Without a cheap model every text is BY_MODEL.  by is required. */
int cascade_cheap(const struct cascade *cs, const char *const *texts,
		  const size_t *lens, size_t n, float *probs,
		  unsigned char *by, struct sl_err *err);
/* The model on every text with by[i] == BY_MODEL, in one call. */
int cascade_escalate(const struct cascade *cs, const char *const *texts,
		     const size_t *lens, size_t n, float *probs,
		     const unsigned char *by, struct sl_err *err);

#endif
