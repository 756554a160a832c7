/*
 * metrics.h: how good a classifier is on labelled examples: accuracy,
 * precision, recall and F1 of one class (the positive one of a binary
 * task), macro-F1 over all classes, and ROC AUC.
 *
 * Predictions are the argmax of each example's probabilities.  AUC is the
 * Mann-Whitney statistic of the positive class's probability (ties count
 * one half); for more than two classes without a positive class it is the
 * mean of each class's one-vs-rest AUC over the classes present.
 *
 *   struct metrics mt;
 *   metrics_compute(gold, probs, n, nlabels, positive, &mt, &err);
 */
#ifndef SL_METRICS_H
#define SL_METRICS_H

#include <stddef.h>

struct sl_err;
struct dataset;

struct metrics {
	size_t n;
	double accuracy;
	double precision, recall, f1;	/* of the positive class; macro
					   averages when there is none */
	double macro_f1;
	double auc;			/* NAN when only one class present */
};

/* gold[n] class indices, probs[n * nlabels]; positive: a class index or
 * -1.  0, or -1 with err (out of memory). */
int metrics_compute(const int *gold, const float *probs, size_t n,
		    size_t nlabels, int positive, struct metrics *mt,
		    struct sl_err *err);

/* The class a binary task's P/R/F1 are about: a label not starting with
 * "not_" when the other does, else the bytewise greater name ("1" over
 * "0", "toxic" over "clean"); -1 when there are not exactly two. */
int metrics_positive(char *const *labels, size_t nlabels);

/* One line: "P 0.912 R 0.950 F1 0.931 macro-F1 0.873 AUC 0.957 acc
 * 0.890 n 4980" (AUC "-" when undefined). */
void metrics_format(const struct metrics *mt, char *out, size_t n);

#endif
