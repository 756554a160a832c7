/*
 * agreement.c: agreement statistics over a units x coders matrix of
 * nominal values (see agreement.h for the definitions).
 *
 * Everything is computed from per-unit category counts n_uc (how many
 * coders put unit u in category c) and m_u = sum_c n_uc:
 *   agreeing ordered pairs in u   sum_c n_uc (n_uc - 1)
 *   all ordered pairs in u        m_u (m_u - 1)
 *   coincidences                  o_ck += n_uc (n_uk - [c = k]) / (m_u - 1)
 * so one pass over the units gives percent agreement, Fleiss' kappa and
 * Krippendorff's alpha; Cohen's kappa takes one pass per coder pair.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "../lib/banned.h"

int agree_init(struct agree_data *a, size_t ncoders, size_t ncats)
{
	memset(a, 0, sizeof(*a));
	a->ncoders = ncoders;
	a->ncats = ncats;
	return 0;
}

void agree_release(struct agree_data *a)
{
	for (size_t i = 0; a->coders && i < a->ncoders; i++)
		free(a->coders[i]);
	for (size_t i = 0; a->cats && i < a->ncats; i++)
		free(a->cats[i]);
	free(a->coders);
	free(a->cats);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int agree_set(struct agree_data *a, size_t unit, size_t coder, int cat)
{
	if (coder >= a->ncoders || cat >= (int)a->ncats || cat < -1)
		return -1;
	if (unit >= a->alloc_units) {
		size_t na = a->alloc_units ? a->alloc_units : 64;
		int *nv;

		while (na <= unit)
			na *= 2;
		nv = realloc(a->v, na * a->ncoders * sizeof(int));
		if (!nv)
			return -1;
		for (size_t i = a->alloc_units * a->ncoders;
		     i < na * a->ncoders; i++)
			nv[i] = -1;
		a->v = nv;
		a->alloc_units = na;
	}
	if (unit >= a->nunits)
		a->nunits = unit + 1;
	a->v[unit * a->ncoders + coder] = cat;
	return 0;
}

/* Category counts of unit u into cnt[ncats]; returns m_u. */
static long unit_counts(const struct agree_data *a, size_t u, long *cnt)
{
	long m = 0;

	memset(cnt, 0, a->ncats * sizeof(*cnt));
	for (size_t c = 0; c < a->ncoders; c++) {
		int v = a->v[u * a->ncoders + c];

		if (v >= 0) {
			cnt[v]++;
			m++;
		}
	}
	return m;
}

/* Krippendorff's nominal alpha from the coincidence matrix. */
static double alpha_nominal(const double *o, size_t k)
{
	double n = 0, dis_o = 0, dis_e = 0;
	double *nc = calloc(k ? k : 1, sizeof(double));

	if (!nc)
		return NAN;
	for (size_t c = 0; c < k; c++)
		for (size_t d = 0; d < k; d++) {
			nc[c] += o[c * k + d];
			if (c != d)
				dis_o += o[c * k + d];
		}
	for (size_t c = 0; c < k; c++) {
		n += nc[c];
		for (size_t d = 0; d < k; d++)
			if (c != d)
				dis_e += nc[c] * nc[d];
	}
	free(nc);
	if (n < 2 || dis_e <= 0)
		return NAN;
	return 1.0 - (n - 1) * dis_o / dis_e;
}

/* Cohen's kappa of coders x and y over the units both coded. */
static void cohen(const struct agree_data *a, size_t x, size_t y,
		  struct agree_pair *p, double *mx, double *my)
{
	long n = 0, agree = 0;
	double pe = 0;

	memset(mx, 0, a->ncats * sizeof(double));
	memset(my, 0, a->ncats * sizeof(double));
	for (size_t u = 0; u < a->nunits; u++) {
		int vx = a->v[u * a->ncoders + x], vy = a->v[u * a->ncoders + y];

		if (vx < 0 || vy < 0)
			continue;
		n++;
		agree += vx == vy;
		mx[vx]++;
		my[vy]++;
	}
	p->a = x;
	p->b = y;
	p->n = n;
	p->percent = n ? (double)agree / n : NAN;
	for (size_t c = 0; n && c < a->ncats; c++)
		pe += (mx[c] / n) * (my[c] / n);
	p->kappa = n && pe < 1 ? (p->percent - pe) / (1 - pe) : NAN;
}

static int pairs(const struct agree_data *a, struct agree_result *r)
{
	double *mx = calloc(2 * (a->ncats ? a->ncats : 1), sizeof(double));
	size_t max = a->ncoders * (a->ncoders ? a->ncoders - 1 : 0) / 2;

	r->pairs = calloc(max ? max : 1, sizeof(*r->pairs));
	if (!mx || !r->pairs) {
		free(mx);
		return -1;
	}
	for (size_t x = 0; x < a->ncoders; x++)
		for (size_t y = x + 1; y < a->ncoders; y++) {
			struct agree_pair *p = &r->pairs[r->npairs];

			cohen(a, x, y, p, mx, mx + a->ncats);
			if (p->n > 0)
				r->npairs++;
		}
	free(mx);
	return 0;
}

int agree_compute(const struct agree_data *a, struct agree_result *r)
{
	size_t k = a->ncats;
	long *cnt = calloc(k ? k : 1, sizeof(long));
	double *tot = calloc(k ? k : 1, sizeof(double));
	double agree_pairs = 0, all_pairs = 0, psum = 0, values = 0, pe = 0;

	memset(r, 0, sizeof(*r));
	r->coincidence = calloc(k ? k * k : 1, sizeof(double));
	if (!cnt || !tot || !r->coincidence)
		goto nomem;
	for (size_t u = 0; u < a->nunits; u++) {
		long m = unit_counts(a, u, cnt);
		double agr = 0;

		if (m >= 1)
			r->units++;
		if (m < 2)
			continue;
		r->pairable++;
		for (size_t c = 0; c < k; c++) {
			agr += (double)cnt[c] * (cnt[c] - 1);
			tot[c] += cnt[c];
			for (size_t d = 0; d < k; d++)
				r->coincidence[c * k + d] += (double)cnt[c] *
					(cnt[d] - (c == d)) / (m - 1);
		}
		agree_pairs += agr;
		all_pairs += (double)m * (m - 1);
		psum += agr / ((double)m * (m - 1));
		values += m;
	}
	r->values = (long)values;
	r->percent = all_pairs > 0 ? agree_pairs / all_pairs : NAN;
	for (size_t c = 0; values > 0 && c < k; c++)
		pe += (tot[c] / values) * (tot[c] / values);
	r->fleiss = r->pairable && pe < 1 ?
		    (psum / r->pairable - pe) / (1 - pe) : NAN;
	r->alpha = alpha_nominal(r->coincidence, k);
	if (pairs(a, r))
		goto nomem;
	free(cnt);
	free(tot);
	return 0;
nomem:
	free(cnt);
	free(tot);
	agree_result_release(r);
	return -1;
}

void agree_result_release(struct agree_result *r)
{
	free(r->pairs);
	free(r->coincidence);
	memset(r, 0, sizeof(*r));
}
