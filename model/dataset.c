/*
 * dataset.c: labelled examples in memory (see dataset.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "../lib/err.h"
#include "../lib/hash.h"
#include "../lib/banned.h"

void dataset_init(struct dataset *d)
{
	memset(d, 0, sizeof(*d));
	d->owns_text = 1;
}

void dataset_release(struct dataset *d)
{
	if (d->owns_text)
		for (size_t i = 0; i < d->n; i++)
			free((char *)d->ex[i].text);
	for (size_t i = 0; i < d->nlabels; i++)
		free(d->labels[i]);
	free(d->labels);
	free(d->ex);
	dataset_init(d);
}

int dataset_label(struct dataset *d, const char *name, struct sl_err *err)
{
	if (!*name)
		return sl_error(err, "empty label name");
	for (size_t i = 0; i < d->nlabels; i++)
		if (!strcmp(d->labels[i], name))
			return (int)i;
	char **l = realloc(d->labels, (d->nlabels + 1) * sizeof(*l));
	if (!l)
		return sl_error(err, "out of memory");
	d->labels = l;
	if (!(l[d->nlabels] = strdup(name)))
		return sl_error(err, "out of memory");
	return (int)d->nlabels++;
}

static int push(struct dataset *d, const char *text, size_t len, int label,
		struct sl_err *err)
{
	if (d->n == d->alloc) {
		size_t na = d->alloc ? 2 * d->alloc : 256;
		struct example *e = realloc(d->ex, na * sizeof(*e));
		if (!e)
			return sl_error(err, "out of memory");
		d->ex = e;
		d->alloc = na;
	}
	d->ex[d->n++] = (struct example){ text, len, label };
	return 0;
}

int dataset_add(struct dataset *d, const char *text, size_t len,
		const char *label, struct sl_err *err)
{
	int k = dataset_label(d, label, err);
	if (k < 0)
		return -1;
	char *t = malloc(len + 1);
	if (!t)
		return sl_error(err, "out of memory");
	memcpy(t, text, len);
	t[len] = 0;
	if (push(d, t, len, k, err)) {
		free(t);
		return -1;
	}
	return 0;
}

static int copy_labels(const struct dataset *from, struct dataset *to,
		       struct sl_err *err)
{
	for (size_t i = 0; i < from->nlabels; i++)
		if (dataset_label(to, from->labels[i], err) < 0)
			return -1;
	return 0;
}

int dataset_split(const struct dataset *d, double dev_fraction,
		  uint64_t seed, struct dataset *train, struct dataset *dev,
		  struct sl_err *err)
{
	dataset_init(train);
	dataset_init(dev);
	train->owns_text = dev->owns_text = 0;
	if (copy_labels(d, train, err) || copy_labels(d, dev, err))
		goto fail;
	/* the top 53 bits of the hash as a uniform number in [0, 1) */
	for (size_t i = 0; i < d->n; i++) {
		const struct example *e = &d->ex[i];
		uint64_t h = hash64_seed(e->text, e->len, seed);
		double u = (double)(h >> 11) / 9007199254740992.0;
		struct dataset *to = u < dev_fraction ? dev : train;
		if (push(to, e->text, e->len, e->label, err))
			goto fail;
	}
	return 0;
fail:
	dataset_release(train);
	dataset_release(dev);
	return -1;
}

void dataset_counts(const struct dataset *d, size_t *counts)
{
	memset(counts, 0, d->nlabels * sizeof(*counts));
	for (size_t i = 0; i < d->n; i++)
		counts[d->ex[i].label]++;
}
