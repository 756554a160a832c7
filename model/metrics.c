/*
 * metrics.c: classification quality (see metrics.h).
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/err.h"
#include "../lib/banned.h"

struct scored {
	float s;
	int pos;
};

static int by_score(const void *a, const void *b)
{
	float x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;

	return (x > y) - (x < y);
}

/* AUC of class k against the rest, NAN when one side is empty.  sc is
 * scratch [n]. */
static double auc_one(const int *gold, const float *probs, size_t n,
		      size_t nlabels, size_t k, struct scored *sc)
{
	double npos = 0, rank_sum = 0;

	for (size_t i = 0; i < n; i++) {
		sc[i].s = probs[i * nlabels + k];
		sc[i].pos = gold[i] == (int)k;
		npos += sc[i].pos;
	}
	if (npos == 0 || npos == (double)n)
		return NAN;
	qsort(sc, n, sizeof(*sc), by_score);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double pos = 0;

		while (j < n && sc[j].s == sc[i].s)
			pos += sc[j++].pos;
		/* ranks i+1 .. j share their mean */
		rank_sum += pos * ((double)(i + 1 + j) / 2);
		i = j;
	}
	return (rank_sum - npos * (npos + 1) / 2) / (npos * ((double)n - npos));
}

static void prf(const size_t *tp, const size_t *pred, const size_t *gold,
		size_t k, double *p, double *r, double *f)
{
	*p = pred[k] ? (double)tp[k] / (double)pred[k] : 0;
	*r = gold[k] ? (double)tp[k] / (double)gold[k] : 0;
	*f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

int metrics_compute(const int *gold, const float *probs, size_t n,
		    size_t nlabels, int positive, struct metrics *mt,
		    struct sl_err *err)
{
	size_t *tp = calloc(3 * nlabels, sizeof(size_t));
	struct scored *sc = malloc((n ? n : 1) * sizeof(*sc));
	size_t *pred = tp + nlabels, *cnt = tp + 2 * nlabels, correct = 0;

	memset(mt, 0, sizeof(*mt));
	mt->n = n;
	mt->auc = NAN;
	if (!tp || !sc) {
		free(tp);
		free(sc);
		return sl_error(err, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const float *p = probs + i * nlabels;
		size_t best = 0;

		for (size_t k = 1; k < nlabels; k++)
			if (p[k] > p[best])
				best = k;
		pred[best]++;
		cnt[gold[i]]++;
		if ((int)best == gold[i]) {
			tp[best]++;
			correct++;
		}
	}
	mt->accuracy = n ? (double)correct / (double)n : 0;
	for (size_t k = 0; k < nlabels; k++) {
		double p, r, f;

		prf(tp, pred, cnt, k, &p, &r, &f);
		mt->macro_f1 += f / (double)nlabels;
		if (positive < 0) {
			mt->precision += p / (double)nlabels;
			mt->recall += r / (double)nlabels;
			mt->f1 += f / (double)nlabels;
		}
	}
	if (positive >= 0) {
		prf(tp, pred, cnt, (size_t)positive, &mt->precision,
		    &mt->recall, &mt->f1);
		mt->auc = auc_one(gold, probs, n, nlabels, (size_t)positive,
				  sc);
	} else {
		double sum = 0;
		int m = 0;

		for (size_t k = 0; k < nlabels; k++) {
			double a = auc_one(gold, probs, n, nlabels, k, sc);

			if (!isnan(a)) {
				sum += a;
				m++;
			}
		}
		mt->auc = m ? sum / m : NAN;
	}
	free(tp);
	free(sc);
	return 0;
}

int metrics_positive(char *const *labels, size_t nlabels)
{
	int n0, n1;

	if (nlabels != 2)
		return -1;
	n0 = !strncmp(labels[0], "not_", 4);
	n1 = !strncmp(labels[1], "not_", 4);
	if (n0 != n1)
		return n0 ? 1 : 0;
	return strcmp(labels[0], labels[1]) > 0 ? 0 : 1;
}

void metrics_format(const struct metrics *mt, char *out, size_t n)
{
	char auc[16];

	if (isnan(mt->auc))
		snprintf(auc, sizeof(auc), "-");
	else
		snprintf(auc, sizeof(auc), "%.4f", mt->auc);
	snprintf(out, n, "P %.4f R %.4f F1 %.4f macro-F1 %.4f AUC %s acc %.4f "
		 "n %zu", mt->precision, mt->recall, mt->f1, mt->macro_f1, auc,
		 mt->accuracy, mt->n);
}
