/*
 * dataset.h: labelled texts for training and evaluating a classifier.
 *
 * A dataset is a list of (text, class) examples plus the class names, in
 * the order they were first seen (or declared with dataset_label()).  Both
 * model architectures (model/linear.c, model/encoder.c) train from it;
 * loaders (TSV, JSONL, a labelling task's final labels) fill it.
 *
 *   struct dataset d;
 *   dataset_init(&d);
 *   if (dataset_add(&d, text, len, "toxic", &err)) ...   // text copied
 *   struct dataset train, dev;
 *   dataset_split(&d, 0.1, seed, &train, &dev, &err);    // views into d
 *   ...
 *   dataset_release(&train); dataset_release(&dev); dataset_release(&d);
 *
 * A split's examples point at the parent's texts: release the parent last.
 */
#ifndef SL_DATASET_H
#define SL_DATASET_H

#include <stddef.h>
#include <stdint.h>

struct sl_err;

struct example {
	const char *text;	/* UTF-8, NUL-terminated */
	size_t len;
	int label;		/* index into dataset.labels */
};

struct dataset {
	struct example *ex;
	size_t n, alloc;
	char **labels;		/* class names */
	size_t nlabels;
	int owns_text;		/* texts are freed by dataset_release() */
};

void dataset_init(struct dataset *d);
void dataset_release(struct dataset *d);

/* The index of class name, added when new; -1 with err when out of
 * memory or the name is empty. */
int dataset_label(struct dataset *d, const char *name, struct sl_err *err);

/* Append one example (text copied).  0, or -1 with err. */
int dataset_add(struct dataset *d, const char *text, size_t len,
		const char *label, struct sl_err *err);

/* Deterministic split by a hash of (seed, text): the same text lands on
 * the same side whatever the order or size of the set.  Stratified by
 * class is not promised; both outputs share d's class list (copied) and
 * point at d's texts. */
int dataset_split(const struct dataset *d, double dev_fraction,
		  uint64_t seed, struct dataset *train, struct dataset *dev,
		  struct sl_err *err);

/* Examples per class into counts[nlabels]. */
void dataset_counts(const struct dataset *d, size_t *counts);

#endif
